//! Pane 5: action plans. Municipalities' and partnerships' plans with their goals and
//! tasks as one tree; add, edit, reorder and tick tasks by keyboard; filters by owner,
//! status and due date; the selected plan written as Markdown beside the database.
//! Everything it knows comes from [`crate::plans`]; this file only draws and maps keys.

use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Task, TaskStatus, validate};
use crate::plans::{self, Data, DueFilter, Filter, Progress};
use crate::tui::form::{self, Field, Form, Target};
use crate::tui::keymap::{Action, Context};
use crate::tui::view::{Effect, Env, View};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
use unicode_width::UnicodeWidthStr;

/// One line of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Plan(Id),
    Goal(Id),
    Task(Id),
}

pub struct Pane {
    data: Option<Data>,
    pub rows: Vec<Row>,
    pub selected: usize,
    offset: usize,
    page: usize,
    pub filter: Filter,
    /// The day "overdue" is counted from (tests set it to the demo's anchor).
    pub today: NaiveDate,
    error: Option<String>,
    /// Each goal's number in its plan (1, 2, …), as in the Markdown export.
    goal_no: std::collections::HashMap<Id, usize>,
}

impl Default for Pane {
    fn default() -> Self {
        Self::new()
    }
}

fn date_check(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { validate::date(s).map(|_| ()).map_err(|e| e.message(lang).to_string()) }
}

fn status_check(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { TaskStatus::parse(s).map(|_| ()).map_err(|e| e.message(lang)) }
}

impl Pane {
    pub fn new() -> Pane {
        Pane::with_today(plans::today())
    }

    pub fn with_today(today: NaiveDate) -> Pane {
        Pane {
            data: None,
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            page: 10,
            filter: Filter::default(),
            today,
            error: None,
            goal_no: Default::default(),
        }
    }

    fn load(&mut self, env: &Env) {
        let keep = self.rows.get(self.selected).copied();
        match Data::load(&env.store) {
            Ok(d) => {
                self.data = Some(d);
                self.error = None;
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.data = Some(Data::default());
            }
        }
        self.rebuild(keep);
    }

    /// The rows under the filters; the selection stays on the same record when it can.
    fn rebuild(&mut self, keep: Option<Row>) {
        self.rows.clear();
        let Some(d) = &self.data else { return };
        for p in &d.plans {
            let Some(tree) = d.tree(p.id) else { continue };
            self.rows.push(Row::Plan(p.id));
            for (i, g) in tree.goals.iter().enumerate() {
                self.goal_no.insert(g.goal.id, i + 1);
                self.rows.push(Row::Goal(g.goal.id));
                for task in g.tasks.iter().filter(|t| self.filter.matches(t, self.today)) {
                    self.rows.push(Row::Task(task.id));
                }
            }
        }
        if let Some(k) = keep
            && let Some(i) = self.rows.iter().position(|r| *r == k)
        {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    fn selected_row(&self) -> Option<Row> {
        self.rows.get(self.selected).copied()
    }

    fn task(&self, id: Id) -> Option<&Task> {
        self.data.as_ref()?.tasks.iter().find(|t| t.id == id)
    }

    /// The plan the selected row belongs to.
    fn plan_id(&self) -> Option<Id> {
        let d = self.data.as_ref()?;
        match self.selected_row()? {
            Row::Plan(p) => Some(p),
            Row::Goal(g) => d.goals.iter().find(|x| x.id == g)?.plan,
            Row::Task(t) => d.plan_of_task(self.task(t)?).map(|p| p.id),
        }
    }

    /// The goal a new task goes under: the selected goal, the selected task's goal, or
    /// a selected plan's first goal.
    fn goal_id(&self) -> Option<Id> {
        let d = self.data.as_ref()?;
        match self.selected_row()? {
            Row::Goal(g) => Some(g),
            Row::Task(t) => self.task(t)?.goal,
            Row::Plan(p) => d.tree(p)?.goals.first().map(|g| g.goal.id),
        }
    }

    fn task_form(&self, lang: Lang, task: Option<&Task>, goal: Id) -> Form {
        let d = self.data.as_ref();
        let name = |i: Option<Id>| d.map(|d| d.name(i)).unwrap_or_default();
        let (title, target) = match task {
            Some(t) => (t_(lang, "plan_edit_task"), Target::Edit(Entity::Task, t.id)),
            None => (t_(lang, "plan_new_task"), Target::Create(Entity::Task)),
        };
        let v = |f: &dyn Fn(&Task) -> String| task.map(f).unwrap_or_default();
        let fields = vec![
            Field::new("goal", &cap(t(lang, "plan_goal")), &goal.short(), form::required_name, lang),
            Field::new("name", &cap(t(lang, "plan_task")), &v(&|t| t.name.clone()), form::required_name, lang),
            Field::new("owner", &cap(t(lang, "plan_owner")), &v(&|t| name(t.owner)), form::any, lang),
            Field::new(
                "due",
                &cap(t(lang, "due")),
                &v(&|t| t.due.map(|x| x.to_string()).unwrap_or_default()),
                date_check,
                lang,
            ),
            Field::new(
                "status",
                &cap(t(lang, "status")),
                &task.map_or_else(|| TaskStatus::Todo.label(lang).to_string(), |t| t.status.label(lang).to_string()),
                status_check,
                lang,
            ),
            Field::new(
                "notes",
                &cap(t(lang, "plan_notes")),
                &v(&|t| t.notes.clone().unwrap_or_default()),
                form::any,
                lang,
            ),
        ];
        Form { title, target, fields, focus: 1, error: None, duplicate_ok: true, dirty: false }
    }

    fn goal_form(&self, lang: Lang, goal: Option<(Id, String)>, plan: Id) -> Form {
        let (title, target, name) = match goal {
            Some((id, n)) => (t_(lang, "plan_edit_goal"), Target::Edit(Entity::Goal, id), n),
            None => (t_(lang, "plan_new_goal"), Target::Create(Entity::Goal), String::new()),
        };
        let fields = vec![
            Field::new("plan", &cap(t(lang, "plan_plan")), &plan.short(), form::required_name, lang),
            Field::new("name", &cap(t(lang, "plan_goal")), &name, form::required_name, lang),
        ];
        Form { title, target, fields, focus: 1, error: None, duplicate_ok: true, dirty: false }
    }

    fn plan_form(&self, lang: Lang, plan: Id) -> Option<Form> {
        let p = self.data.as_ref()?.plan(plan)?;
        let fields = vec![
            Field::new("name", &cap(t(lang, "plan_plan")), &p.name, form::required_name, lang),
            Field::new(
                "adopted",
                t(lang, "plan_adopted"),
                &p.adopted.map(|d| d.to_string()).unwrap_or_default(),
                date_check,
                lang,
            ),
            Field::new("note", &cap(t(lang, "note")), p.note.as_deref().unwrap_or(""), form::any, lang),
        ];
        Some(Form {
            title: t_(lang, "plan_title"),
            target: Target::Edit(Entity::Plan, plan),
            fields,
            focus: 0,
            error: None,
            duplicate_ok: true,
            dirty: false,
        })
    }

    /// A new plan: for the selected plan's municipality or partnership by default.
    fn new_plan_form(&self, lang: Lang) -> Form {
        let d = self.data.as_ref();
        let p = self.plan_id().and_then(|id| d?.plan(id));
        let jst = p.and_then(|p| p.jst).and_then(|j| d.map(|d| d.name(Some(j)))).unwrap_or_default();
        let ps = p.and_then(|p| p.partnership).and_then(|x| d?.partnerships.get(&x).cloned()).unwrap_or_default();
        let fields = vec![
            Field::new("name", &cap(t(lang, "plan_plan")), "", form::required_name, lang),
            Field::new("jst", &cap(t(lang, "plan_municipality")), &jst, form::any, lang),
            Field::new("partnership", &cap(t(lang, "partnership")), &ps, form::any, lang),
            Field::new("adopted", t(lang, "plan_adopted"), "", date_check, lang),
            Field::new("meeting", &cap(t(lang, "meeting")), "", form::any, lang),
        ];
        Form {
            title: t_(lang, "plan_new_plan"),
            target: Target::Create(Entity::Plan),
            fields,
            focus: 0,
            error: None,
            duplicate_ok: true,
            dirty: false,
        }
    }

    /// The support path of the selected plan's municipality: every stage's date and
    /// document, the animator.
    fn path_form(&self, lang: Lang) -> Option<Form> {
        let d = self.data.as_ref()?;
        let jst = d.plan(self.plan_id()?)?.jst?;
        let path = d.path_of(jst);
        let mut fields = vec![
            Field::new("jst", &cap(t(lang, "plan_municipality")), &d.name(Some(jst)), form::required_name, lang),
            Field::new(
                "animator",
                &cap(t(lang, "plan_animator")),
                path.and_then(|p| p.animator.as_deref()).unwrap_or(""),
                form::any,
                lang,
            ),
        ];
        for stage in crate::model::PathStage::ALL {
            let e = path.and_then(|p| p.reached(*stage));
            let label = cap(stage.label(lang));
            let date = e.map(|e| e.date.to_string()).unwrap_or_default();
            fields.push(Field::new(stage.field(), &label, &date, date_check, lang));
            let doc = e.and_then(|e| e.document.clone()).unwrap_or_default();
            let doc_label = format!("  {}", t(lang, "plan_doc_suffix"));
            fields.push(Field::new(stage.doc_field(), &doc_label, &doc, form::any, lang));
        }
        let target = match path {
            Some(p) => Target::Edit(Entity::SupportPath, p.id),
            None => Target::Create(Entity::SupportPath),
        };
        Some(Form {
            title: t_(lang, "plan_path_title"),
            target,
            fields,
            focus: 2,
            error: None,
            duplicate_ok: true,
            dirty: false,
        })
    }

    fn cycle_owner(&mut self) {
        let Some(d) = &self.data else { return };
        let mut owners: Vec<(String, Id)> =
            d.tasks.iter().filter_map(|t| t.owner).map(|o| (d.name(Some(o)), o)).collect();
        owners.sort();
        owners.dedup();
        self.filter.owner = match self.filter.owner {
            None => owners.first().map(|o| o.1),
            Some(cur) => owners.iter().position(|o| o.1 == cur).and_then(|i| owners.get(i + 1)).map(|o| o.1),
        };
    }

    fn filter_text(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if let Some(o) = self.filter.owner {
            let name = self.data.as_ref().map(|d| d.name(Some(o))).unwrap_or_default();
            parts.push(format!("{}: {name}", t(lang, "plan_filter_owner")));
        }
        if let Some(s) = self.filter.status {
            parts.push(format!("{}: {}", t(lang, "plan_filter_status"), s.label(lang)));
        }
        if self.filter.due != DueFilter::Any {
            parts.push(format!("{}: {}", t(lang, "plan_filter_due"), self.filter.due.label(lang)));
        }
        parts.join(" · ")
    }

    fn export(&self, env: &Env) -> Effect {
        let (Some(d), Some(plan)) = (self.data.as_ref(), self.plan_id()) else { return Effect::None };
        let Some(tree) = d.tree(plan) else { return Effect::None };
        let md = plans::export::markdown(d, &tree, env.lang, self.today);
        // Beside the database: a known place, and the message says where.
        let dir = env.store.path().parent().map(|p| p.to_path_buf()).unwrap_or_default();
        let slug: String = crate::search::fold(&tree.plan.name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let file = dir.join(format!("plan-{slug}.md"));
        let shown = file.display().to_string();
        match std::fs::write(&file, md) {
            Ok(()) => Effect::Status(t(env.lang, "plan_exported").replace("{file}", &shown)),
            Err(e) => Effect::Status(
                t(env.lang, "plan_export_failed").replace("{file}", &shown).replace("{why}", &e.to_string()),
            ),
        }
    }

    fn detail_lines(&self, lang: Lang) -> (String, Vec<(String, String)>) {
        let (Some(d), Some(row)) = (self.data.as_ref(), self.selected_row()) else {
            return (String::new(), Vec::new());
        };
        let mut out = Vec::new();
        let pr =
            |p: Progress| format!("{}/{} ({}%), {} {}", p.done, p.total, p.percent(), p.overdue, t(lang, "overdue"));
        match row {
            Row::Plan(id) => {
                let Some(p) = d.plan(id) else { return (String::new(), out) };
                let key = if p.jst.is_some() { "plan_municipality" } else { "partnership" };
                out.push((t(lang, key).to_string(), d.plan_owner(p)));
                if let Some(a) = p.adopted {
                    out.push((t(lang, "plan_adopted").to_lowercase(), a.to_string()));
                }
                out.push((t(lang, "plan_progress").to_lowercase(), pr(d.plan_progress(id, self.today))));
                if let Some(j) = p.jst {
                    out.extend(
                        plans::summary(d, j, lang, self.today).into_iter().filter(|(k, _)| k != t(lang, "plan_plan")),
                    );
                }
                if let Some(m) = p.meeting.and_then(|m| d.meetings.get(&m)) {
                    out.push((t(lang, "meeting").to_string(), m.clone()));
                }
                if let Some(n) = &p.note {
                    out.push((t(lang, "note").to_string(), n.clone()));
                }
                (p.name.clone(), out)
            }
            Row::Goal(id) => {
                let Some(g) = d.goals.iter().find(|g| g.id == id) else { return (String::new(), out) };
                let tasks: Vec<&Task> = d.tasks.iter().filter(|t| t.goal == Some(id)).collect();
                out.push((t(lang, "plan_progress").to_lowercase(), pr(Progress::of(tasks, self.today))));
                if let Some(p) = g.plan.and_then(|p| d.plan(p)) {
                    out.push((t(lang, "plan_plan").to_string(), p.name.clone()));
                }
                (g.name.clone(), out)
            }
            Row::Task(id) => {
                let Some(task) = self.task(id) else { return (String::new(), out) };
                let mut status = task.status.label(lang).to_string();
                if task.overdue(self.today) {
                    status.push_str(&format!(" — {}", t(lang, "overdue")));
                }
                out.push((t(lang, "status").to_string(), status));
                out.push((t(lang, "plan_owner").to_string(), d.name(task.owner)));
                out.push((t(lang, "due").to_string(), task.due.map(|x| x.to_string()).unwrap_or_else(|| "—".into())));
                if let Some(x) = task.done_on {
                    out.push((t(lang, "plan_done_on").to_string(), x.to_string()));
                }
                if let Some(n) = &task.notes {
                    let mark =
                        if task.notes_conflict { format!(" [{}]", t(lang, "plan_conflict")) } else { String::new() };
                    out.push((t(lang, "plan_notes").to_string(), format!("{n}{mark}")));
                }
                let links = d.links(task);
                if !links.is_empty() {
                    out.push((t(lang, "plan_links").to_string(), links.join("; ")));
                }
                (task.name.clone(), out)
            }
        }
    }

    fn line(&self, row: Row, width: usize, theme: &crate::tui::theme::Theme) -> Line<'static> {
        let Some(d) = &self.data else { return Line::default() };
        match row {
            Row::Plan(id) => {
                let Some(p) = d.plan(id) else { return Line::default() };
                let pr = d.plan_progress(id, self.today);
                let right = format!(" {}/{}", pr.done, pr.total);
                let left = format!("{} — {}", p.name, d.plan_owner(p));
                Line::from(vec![
                    Span::styled(
                        fit(&left, width.saturating_sub(right.width())),
                        Style::default().add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(right),
                ])
            }
            Row::Goal(id) => {
                let Some(g) = d.goals.iter().find(|g| g.id == id) else { return Line::default() };
                let pr = Progress::of(d.tasks.iter().filter(|t| t.goal == Some(id)), self.today);
                let right = format!(" {}/{} {}", pr.done, pr.total, bar(pr, 5));
                let left = format!(" {}. {}", self.goal_no.get(&id).copied().unwrap_or(0), g.name);
                Line::from(vec![Span::raw(fit(&left, width.saturating_sub(right.width()))), Span::raw(right)])
            }
            Row::Task(id) => {
                let Some(task) = self.task(id) else { return Line::default() };
                let mark = match task.status {
                    TaskStatus::Done => "[x]",
                    TaskStatus::Dropped => "[-]",
                    TaskStatus::InProgress => "[~]",
                    TaskStatus::Todo => "[ ]",
                };
                let overdue = task.overdue(self.today);
                let due = task.due.map(|x| format!(" {}{x}", if overdue { "!" } else { " " })).unwrap_or_default();
                let left = format!("    {mark} {}", task.name);
                let style = if overdue { theme.error() } else { Style::default() };
                Line::from(vec![
                    Span::styled(fit(&left, width.saturating_sub(due.width())), style),
                    Span::styled(due, style),
                ])
            }
        }
    }
}

fn t_(lang: Lang, key: &str) -> String {
    t(lang, key).to_string()
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// `s` cut or padded to exactly `w` columns.
fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + c.to_string().width() > w {
            if w > 0 && out.width() >= w {
                out.pop();
            }
            if out.width() < w {
                out.push('…');
            }
            break;
        }
        out.push(c);
    }
    let pad = w.saturating_sub(out.width());
    out + &" ".repeat(pad)
}

fn bar(p: Progress, w: usize) -> String {
    let full = (p.done * w).checked_div(p.total).unwrap_or(0);
    format!("{}{}", "█".repeat(full), "░".repeat(w - full))
}

impl View for Pane {
    fn kind(&self) -> &'static str {
        "plans"
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Plans]
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        let lang = env.lang;
        let step = |p: &mut Pane, delta: isize| {
            if !p.rows.is_empty() {
                p.selected = (p.selected as isize + delta).clamp(0, p.rows.len() as isize - 1) as usize;
            }
            Some(Effect::None)
        };
        match action {
            Action::Down => step(self, 1),
            Action::Up => step(self, -1),
            Action::PageDown => step(self, self.page as isize),
            Action::PageUp => step(self, -(self.page as isize)),
            Action::Top => step(self, isize::MIN / 2),
            Action::Bottom => step(self, isize::MAX / 2),
            Action::Open => {
                let (title, lines) = self.detail_lines(lang);
                (!title.is_empty()).then_some(Effect::Popup(crate::tui::popups::record(title, lines)))
            }
            Action::Add => Some(match self.goal_id() {
                Some(g) => Effect::Popup(crate::tui::popups::form(self.task_form(lang, None, g))),
                None if self.plan_id().is_some() => Effect::Status(t_(lang, "plan_add_goal_first")),
                None => Effect::Status(t_(lang, "plan_none")),
            }),
            Action::AddGoal => Some(match self.plan_id() {
                Some(p) => Effect::Popup(crate::tui::popups::form(self.goal_form(lang, None, p))),
                None => Effect::Status(t_(lang, "plan_none")),
            }),
            Action::Edit => {
                let d = self.data.as_ref()?;
                Some(match self.selected_row()? {
                    Row::Task(id) => {
                        let task = self.task(id)?;
                        Effect::Popup(crate::tui::popups::form(self.task_form(lang, Some(task), task.goal?)))
                    }
                    Row::Goal(id) => {
                        let g = d.goals.iter().find(|g| g.id == id)?;
                        Effect::Popup(crate::tui::popups::form(self.goal_form(
                            lang,
                            Some((id, g.name.clone())),
                            g.plan?,
                        )))
                    }
                    Row::Plan(id) => Effect::Popup(crate::tui::popups::form(self.plan_form(lang, id)?)),
                })
            }
            Action::ToggleDone => {
                let Row::Task(id) = self.selected_row()? else { return Some(Effect::None) };
                Some(match plans::tick(&env.store, id, self.today) {
                    Ok(_) => Effect::Changed,
                    Err(e) => Effect::Status(e.to_string()),
                })
            }
            Action::MoveUp | Action::MoveDown => {
                let (entity, id) = match self.selected_row()? {
                    Row::Task(id) => (Entity::Task, id),
                    Row::Goal(id) => (Entity::Goal, id),
                    Row::Plan(_) => return Some(Effect::None),
                };
                let up = action == Action::MoveUp;
                Some(match plans::move_item(&env.store, entity, id, if up { -1 } else { 1 }) {
                    Ok(true) => Effect::Changed,
                    Ok(false) => Effect::Status(t_(lang, if up { "plan_first" } else { "plan_last" })),
                    Err(e) => Effect::Status(e.to_string()),
                })
            }
            Action::FilterOwner | Action::FilterStatus | Action::FilterDue | Action::Clear => {
                match action {
                    Action::FilterOwner => self.cycle_owner(),
                    Action::FilterStatus => {
                        let all = TaskStatus::ALL;
                        self.filter.status = match self.filter.status {
                            None => all.first().copied(),
                            Some(s) => all.iter().position(|x| *x == s).and_then(|i| all.get(i + 1)).copied(),
                        };
                    }
                    Action::FilterDue => {
                        let all = DueFilter::ALL;
                        let i = all.iter().position(|x| *x == self.filter.due).unwrap_or(0);
                        self.filter.due = all[(i + 1) % all.len()];
                    }
                    _ => self.filter = Filter::default(),
                }
                let keep = self.selected_row();
                self.rebuild(keep);
                Some(Effect::None)
            }
            Action::ExportPlan => Some(self.export(env)),
            Action::AddPlan => Some(Effect::Popup(crate::tui::popups::form(self.new_plan_form(lang)))),
            Action::EditPath => Some(match self.path_form(lang) {
                Some(f) => Effect::Popup(crate::tui::popups::form(f)),
                None => Effect::Status(t_(lang, "plan_no_jst")),
            }),
            _ => None,
        }
    }

    fn activate(&mut self, env: &Env) -> Effect {
        if self.data.is_none() {
            self.load(env);
        }
        match self.error.take() {
            Some(e) => Effect::Status(e),
            None => Effect::None,
        }
    }

    fn data_changed(&mut self) {
        self.data = None;
    }

    fn day_changed(&mut self, today: NaiveDate) {
        self.today = today;
        self.data = None;
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let lang = env.lang;
        let (list, detail) = crate::tui::widgets::split(area);
        let n_plans = self.rows.iter().filter(|r| matches!(r, Row::Plan(_))).count();
        let title = format!(" {} ({n_plans}) ", t(lang, "ctx_plans"));
        if let Some((inner, h)) = crate::tui::widgets::list_frame(list, buf, &env.theme, title) {
            let filter = self.filter_text(lang);
            let head = if filter.is_empty() {
                format!("{}: {}", t(lang, "plan_filter_status"), t(lang, "plan_all"))
            } else {
                filter
            };
            buf.set_line(
                inner.x,
                inner.y,
                &Line::styled(fit(&head, inner.width as usize), env.theme.header()),
                inner.width,
            );
            self.page = h.max(1);
            self.offset = crate::tui::widgets::scroll_offset(self.selected, self.offset, self.page);
            let w = inner.width as usize;
            if self.rows.is_empty() {
                let msg = Paragraph::new(t(lang, "plan_none")).wrap(Wrap { trim: true });
                msg.render(Rect { y: inner.y + 1, height: inner.height.saturating_sub(1), ..inner }, buf);
            }
            for (i, row) in self.rows.iter().enumerate().skip(self.offset).take(self.page) {
                let y = inner.y + 1 + (i - self.offset) as u16;
                let mut line = self.line(*row, w, &env.theme);
                if i == self.selected {
                    line = line.patch_style(env.theme.selected());
                }
                buf.set_line(inner.x, y, &line, inner.width);
            }
        }
        let (title, lines) = self.detail_lines(lang);
        let block = Block::default().borders(Borders::ALL).border_set(env.theme.border()).title(if title.is_empty() {
            format!(" {} ", t(lang, "details"))
        } else {
            format!(" {title} ")
        });
        let text: Vec<Line> = lines
            .into_iter()
            .map(|(k, v)| Line::from(vec![Span::styled(format!("{k}: "), env.theme.dim()), Span::raw(v)]))
            .collect();
        Paragraph::new(text).block(block).wrap(Wrap { trim: true }).render(detail, buf);
    }

    fn count(&self) -> String {
        let tasks = self.rows.iter().filter(|r| matches!(r, Row::Task(_))).count();
        match self.rows.iter().take(self.selected + 1).filter(|r| matches!(r, Row::Task(_))).count() {
            _ if tasks == 0 => "0".into(),
            n => format!("{n}/{tasks}"),
        }
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::ToggleDone, Action::Add, Action::MoveUp, Action::FilterDue, Action::ExportPlan]
    }
}
