//! Pane 6: the indicator report of a project (or of all records) — each figure against
//! its target with a progress bar and what is still missing, support hours per
//! participant category, and the completeness check: the participants whose records
//! lack what reporting needs (Enter opens one in pane 1).
//!
//! The figures read every participant and meeting (hundreds of milliseconds at
//! 100 000 participants), so they are computed by a job off the UI thread.

use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Project};
use crate::report::{self, Report, bar, num};
use crate::store::Store;
use crate::tui::keymap::{Action, Context};
use crate::tui::view::{Effect, Env, Job, View};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
use std::any::Any;

/// Which project the report is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// The only project when there is one, else all records (as `teren report`).
    Auto,
    All,
    Project(Id),
}

/// A finished report job.
struct Ready {
    generation: u64,
    projects: Vec<Project>,
    result: Result<Report, String>,
}

/// The live projects, by start date.
fn projects(store: &Store) -> crate::store::Result<Vec<Project>> {
    let mut out: Vec<Project> = store
        .docs(Entity::Project)?
        .into_iter()
        .map(|(id, d)| Project::from_doc(id, &d))
        .filter(|p| !p.deleted)
        .collect();
    out.sort_by(|a, b| (a.from, &a.name, a.id).cmp(&(b.from, &b.name, b.id)));
    Ok(out)
}

/// The report of the chosen project, with the projects to choose from.
fn compute(store: &Store, choice: Choice) -> (Vec<Project>, Result<Report, String>) {
    let projects = match projects(store) {
        Ok(p) => p,
        Err(e) => return (Vec::new(), Err(e.to_string())),
    };
    let project = match choice {
        Choice::Auto if projects.len() == 1 => projects.first(),
        Choice::Project(id) => projects.iter().find(|p| p.id == id),
        _ => None,
    };
    let result = report::report(store, project).map_err(|e| e.to_string());
    (projects, result)
}

/// A missing item of a record (a code of the core) in the interface's language.
fn missing_word(lang: Lang, code: &str) -> &'static str {
    match code {
        "category" => t(lang, "category"),
        "gmina" => t(lang, "gmina"),
        _ => t(lang, "rep_consent"),
    }
}

pub struct Pane {
    choice: Choice,
    projects: Vec<Project>,
    report: Option<Report>,
    error: Option<String>,
    /// A job is computing the report.
    computing: bool,
    /// What is shown is stale: compute again when next shown.
    stale: bool,
    generation: u64,
    /// The selected incomplete participant.
    selected: usize,
    offset: usize,
    page: usize,
}

impl Default for Pane {
    fn default() -> Self {
        Self::new()
    }
}

impl Pane {
    pub fn new() -> Pane {
        Pane {
            choice: Choice::Auto,
            projects: Vec::new(),
            report: None,
            error: None,
            computing: false,
            stale: true,
            generation: 0,
            selected: 0,
            offset: 0,
            page: 5,
        }
    }

    fn job(&mut self) -> Effect {
        self.generation += 1;
        self.computing = true;
        self.stale = false;
        let (generation, choice) = (self.generation, self.choice);
        Effect::Job(Job::new(move |store: &Store| {
            let (projects, result) = compute(store, choice);
            Ready { generation, projects, result }
        }))
    }

    /// p: all records → each project in turn → all records.
    fn next_project(&mut self) -> Effect {
        let current = self.report.as_ref().and_then(|r| r.project.as_ref()).map(|p| p.id);
        let at = current.and_then(|id| self.projects.iter().position(|p| p.id == id));
        self.choice = match at {
            None => self.projects.first().map_or(Choice::All, |p| Choice::Project(p.id)),
            Some(i) => self.projects.get(i + 1).map_or(Choice::All, |p| Choice::Project(p.id)),
        };
        self.selected = 0;
        self.offset = 0;
        self.job()
    }

    fn incomplete_len(&self) -> usize {
        self.report.as_ref().map_or(0, |r| r.incomplete.len())
    }

    fn title(&self, lang: Lang) -> String {
        let what = match self.report.as_ref().and_then(|r| r.project.as_ref()) {
            Some(p) => {
                let d = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "…".to_string(), |d| d.to_string());
                format!("{} ({} – {})", p.name, d(p.from), d(p.to))
            }
            None => t(lang, "rep_all_records").to_string(),
        };
        let mark = if self.computing { format!(" · {}", t(lang, "rep_computing")) } else { String::new() };
        format!(" {}: {what}{mark} ", t(lang, "report"))
    }

    fn render_indicators(&self, r: &Report, area: Rect, buf: &mut Buffer, env: &Env) {
        let (lang, theme) = (env.lang, &env.theme);
        let w = area.width as usize;
        // Label | value | target | bar and percent | missing.
        let (vw, tw, mw) = (7usize, 7usize, 8usize);
        let bar_w = if w >= 70 { 20 } else { 10 };
        // The fixed columns and their separators take bar_w + 34.
        let label_w = w.saturating_sub(vw + tw + mw + bar_w + 12).max(8);
        let cut = |s: String, n: usize| -> String {
            if s.chars().count() <= n { s } else { s.chars().take(n.saturating_sub(1)).chain(['…']).collect() }
        };
        let mut lines = vec![Line::from(Span::styled(
            format!(
                "{:<label_w$} {:>vw$} {:>tw$}  {:<bw$} {:>mw$}",
                t(lang, "rep_indicator"),
                t(lang, "rep_achieved"),
                t(lang, "rep_target"),
                t(lang, "rep_progress"),
                t(lang, "rep_missing"),
                bw = bar_w + 7,
            ),
            theme.header(),
        ))];
        for i in &r.indicators {
            let label = cut(i.key.label(lang), label_w);
            let (target, progress, missing, style) = match i.target {
                Some(tg) => {
                    let done = i.missing() <= 0.0;
                    (
                        num(tg),
                        format!("{} {:>3}%", bar(i.value, tg, bar_w), i.percent().unwrap_or(0)),
                        if done { "✓".to_string() } else { num(i.missing()) },
                        if done { Style::default() } else { theme.error() },
                    )
                }
                None => (String::new(), String::new(), String::new(), Style::default()),
            };
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "{label:<label_w$} {:>vw$} {target:>tw$}  {progress:<bw$} ",
                    num(i.value),
                    bw = bar_w + 7
                )),
                Span::styled(format!("{missing:>mw$}"), style),
            ]));
        }
        Paragraph::new(lines).render(area, buf);
    }

    fn render_support(&self, r: &Report, area: Rect, buf: &mut Buffer, env: &Env) {
        let lang = env.lang;
        let total: f64 = r.support.by_participant.values().sum();
        let mut spans = vec![Span::styled(
            format!(
                "{}: {} ({} {}) · ",
                t(lang, "rep_support_hours"),
                num((total * 100.0).round() / 100.0),
                r.support.by_participant.len(),
                t(lang, "rep_people")
            ),
            env.theme.header(),
        )];
        let cats: Vec<String> = r
            .support
            .by_category
            .iter()
            .map(|(c, h)| format!("{} {}", c.label(lang), num((h * 100.0).round() / 100.0)))
            .collect();
        spans.push(Span::raw(if cats.is_empty() { t(lang, "rep_no_hours").to_string() } else { cats.join(" · ") }));
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: true }).render(area, buf);
    }

    fn render_incomplete(&mut self, r: &Report, area: Rect, buf: &mut Buffer, env: &Env) {
        let (lang, theme) = (env.lang, &env.theme);
        let title = if r.incomplete.is_empty() {
            format!(" {} ", t(lang, "rep_complete"))
        } else {
            format!(" {}: {} / {} ", t(lang, "rep_incomplete"), r.incomplete.len(), r.figures.participants)
        };
        let block = Block::default().borders(Borders::TOP).border_set(theme.border()).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        let h = inner.height as usize;
        if h == 0 {
            return;
        }
        self.page = h;
        self.offset = crate::tui::widgets::scroll_offset(self.selected, self.offset, h);
        let name_w = (inner.width as usize / 2).max(10);
        let lines: Vec<Line> = r
            .incomplete
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(h)
            .map(|(i, p)| {
                let missing: Vec<&str> = p.missing.iter().map(|m| missing_word(lang, m)).collect();
                let name: String = p.name.chars().take(name_w).collect();
                let line = Line::from(vec![
                    Span::raw(format!("{name:<name_w$} ")),
                    Span::styled(format!("{}: {}", t(lang, "rep_lacks"), missing.join(", ")), theme.dim()),
                ]);
                if i == self.selected { line.style(theme.selected()) } else { line }
            })
            .collect();
        Paragraph::new(lines).render(inner, buf);
    }
}

impl View for Pane {
    fn kind(&self) -> &'static str {
        "report"
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Report]
    }

    fn on_action(&mut self, _env: &Env, action: Action) -> Option<Effect> {
        let n = self.incomplete_len();
        let last = n.saturating_sub(1);
        let moved = |s: usize, d: isize| (s as isize + d).clamp(0, last as isize) as usize;
        match action {
            Action::ReportProject => Some(self.next_project()),
            Action::Down => {
                self.selected = moved(self.selected, 1);
                Some(Effect::None)
            }
            Action::Up => {
                self.selected = moved(self.selected, -1);
                Some(Effect::None)
            }
            Action::PageDown => {
                self.selected = moved(self.selected, self.page as isize);
                Some(Effect::None)
            }
            Action::PageUp => {
                self.selected = moved(self.selected, -(self.page as isize));
                Some(Effect::None)
            }
            Action::Top => {
                self.selected = 0;
                Some(Effect::None)
            }
            Action::Bottom => {
                self.selected = last;
                Some(Effect::None)
            }
            Action::Open => {
                let id = self.report.as_ref()?.incomplete.get(self.selected)?.id;
                Some(Effect::OpenParticipant(id))
            }
            _ => None,
        }
    }

    fn activate(&mut self, _env: &Env) -> Effect {
        if self.stale && !self.computing { self.job() } else { Effect::None }
    }

    fn data_changed(&mut self) {
        self.stale = true;
        // A job under way counts the old data: its result is dropped.
        if self.computing {
            self.generation += 1;
            self.computing = false;
        }
    }

    fn job_done(&mut self, _env: &Env, result: Box<dyn Any + Send>) -> Result<Effect, Box<dyn Any + Send>> {
        let r = result.downcast::<Ready>()?;
        if r.generation != self.generation {
            return Ok(Effect::None);
        }
        self.computing = false;
        self.projects = r.projects;
        match r.result {
            Ok(report) => {
                self.error = None;
                self.selected = self.selected.min(report.incomplete.len().saturating_sub(1));
                self.report = Some(report);
            }
            Err(e) => self.error = Some(e),
        }
        Ok(Effect::None)
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let block = Block::default().borders(Borders::ALL).border_set(env.theme.border()).title(self.title(env.lang));
        let inner = block.inner(area);
        block.render(area, buf);
        if let Some(e) = &self.error {
            Paragraph::new(Span::styled(e.clone(), env.theme.error())).wrap(Wrap { trim: true }).render(inner, buf);
            return;
        }
        let Some(r) = self.report.take() else {
            Paragraph::new(Span::styled(t(env.lang, "rep_computing"), env.theme.dim())).render(inner, buf);
            return;
        };
        // The indicators first (all of them when they fit), two lines of support
        // hours, the completeness list in what is left (at least three rows).
        let want = r.indicators.len() as u16 + 1;
        let ind_h = want.min(inner.height.saturating_sub(2 + 4)).max(1);
        let [ind, sup, inc] =
            Layout::vertical([Constraint::Length(ind_h), Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
        self.render_indicators(&r, ind, buf, env);
        self.render_support(&r, sup, buf, env);
        self.render_incomplete(&r, inc, buf, env);
        self.report = Some(r);
    }

    fn count(&self) -> String {
        match &self.report {
            Some(r) if !r.incomplete.is_empty() => format!("{}/{}", self.selected + 1, r.incomplete.len()),
            Some(_) => "0".to_string(),
            None => String::new(),
        }
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::ReportProject, Action::Open, Action::Help]
    }
}
