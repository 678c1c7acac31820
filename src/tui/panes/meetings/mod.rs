//! The meetings pane: meetings newest first with filters and search, a detail panel
//! with attendees, follow-ups and the notes, and a list of open follow-ups.
//!
//! Rows are read from the store into [`Loaded`] (`load.rs`; a few thousand meetings at
//! most, so the load is one pass) as a job off the UI thread: the pane asks with
//! [`Pane::request_load`], returns the job as an effect, and takes the result back
//! with its generation; older results are dropped. Drawing is in `draw.rs`.

mod draw;
mod load;

pub use load::{Loaded, Period, ProjectSpan, Row, load};

use super::participants::highlighted;
use crate::i18n::{Lang, t};
use crate::model::{Entity, FollowUp, Id, Meeting, MeetingType, Partnership, Project};
use crate::search::{Entry, search};
use crate::store::{Result, Store};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::view::{Effect, Env, Job, JobResult, View};
use crate::tui::widgets::{ListState, SearchLine};
use chrono::{Datelike, Months, NaiveDate};
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Table, Widget, Wrap};
use std::collections::{HashMap, HashSet};

/// A word for the pane (`Effect::Tell`): this meeting was just saved; select it.
pub struct MeetingSaved(pub Id);

/// What a cursor in the detail panel points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Attendee(Id),
    FollowUp(usize),
}

pub struct Pane {
    pub data: Loaded,
    pub loaded: bool,
    /// Indices into `data.rows` after filters and search.
    pub view: Vec<usize>,
    pub list: ListState,
    pub search: SearchLine,
    pub kind: Option<MeetingType>,
    pub gmina: Option<String>,
    pub open_only: bool,
    pub period: Option<Period>,
    pub partnership: Option<Id>,
    /// Cursor over the attendees and follow-ups of the selected meeting.
    pub item: Option<usize>,
    /// Show the open follow-ups instead of the meetings.
    pub show_followups: bool,
    /// Indices into `data.followups`: open ones by due date.
    pub fup_view: Vec<usize>,
    pub fups: ListState,
    /// The app's day: "overdue", the period filter, a new capture's date and a
    /// municipality's detail are relative to it (tests fix it).
    pub today: NaiveDate,
    /// A load is on its way (or asked for): "loading…" until the first arrives.
    pub loading: bool,
    /// A load the loop should start, by generation; results of older ones are dropped.
    pub load_job: Option<u64>,
    pub generation: u64,
    /// Select this meeting when the next load arrives (a capture just saved it).
    pub select_after_load: Option<Id>,
}

impl Default for Pane {
    fn default() -> Self {
        Pane::new()
    }
}

impl Pane {
    pub fn new() -> Pane {
        Pane {
            data: Loaded::default(),
            loaded: false,
            view: Vec::new(),
            list: ListState::default(),
            search: SearchLine::default(),
            kind: None,
            gmina: None,
            open_only: false,
            period: None,
            partnership: None,
            item: None,
            show_followups: false,
            fup_view: Vec::new(),
            fups: ListState::default(),
            today: crate::plans::today(),
            loading: false,
            load_job: None,
            generation: 0,
            select_after_load: None,
        }
    }

    /// Ask for a fresh load (the loop starts it after the current batch of messages).
    /// Asking again before it started is the same request.
    pub fn request_load(&mut self) {
        if self.load_job.is_none() {
            self.generation += 1;
            self.load_job = Some(self.generation);
        }
        self.loading = true;
    }

    /// The data changed while the pane is hidden: load again when it is shown, and
    /// drop a load already on its way (it may have read the old data). A load asked
    /// for but not started yet stays: it will read the new data.
    pub fn invalidate(&mut self) {
        if self.load_job.is_some() {
            return;
        }
        self.loaded = false;
        self.loading = false;
        self.load_job = None;
        self.generation += 1;
    }

    /// A load finished. False when it was superseded (its result is dropped).
    pub fn load_done(&mut self, generation: u64, result: Result<Loaded>) -> Result<bool> {
        if generation != self.generation {
            return Ok(false);
        }
        self.loading = false;
        self.set_loaded(result?);
        if let Some(id) = self.select_after_load.take()
            && !self.select_id(id)
        {
            self.clear();
            self.select_id(id);
        }
        Ok(true)
    }

    /// Take fresh data, keeping the selection on the same meeting.
    pub fn set_loaded(&mut self, data: Loaded) {
        let keep = self.selected_id();
        let item = self.item;
        let keep_fup = self.fup_view.get(self.fups.selected).map(|&i| self.data.followups[i].id);
        self.data = data;
        self.loaded = true;
        if let Some(Period::Project(i)) = self.period
            && i >= self.data.projects.len()
        {
            self.period = None;
        }
        if self.partnership.is_some_and(|p| !self.data.partnerships.iter().any(|(id, _)| *id == p)) {
            self.partnership = None;
        }
        self.refilter();
        if let Some(id) = keep
            && self.select_id(id)
        {
            self.item = item;
        }
        if let Some(f) = keep_fup
            && let Some(p) = self.fup_view.iter().position(|&i| self.data.followups[i].id == f)
        {
            self.fups.selected = p;
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.view.get(self.list.selected).map(|&i| &self.data.rows[i])
    }

    pub fn selected_id(&self) -> Option<Id> {
        self.selected_row().map(|r| r.meeting.id)
    }

    pub fn select_id(&mut self, id: Id) -> bool {
        match self.view.iter().position(|&i| self.data.rows[i].meeting.id == id) {
            Some(p) => {
                self.list.selected = p;
                self.item = None;
                true
            }
            None => false,
        }
    }

    pub fn refilter(&mut self) {
        let kind = self.kind;
        let gmina = self.gmina.clone();
        let open_only = self.open_only;
        let span = self.period.map(|p| self.span(p));
        let partnership = self.partnership;
        let pass = |r: &Row| {
            kind.is_none_or(|k| r.meeting.kind == k)
                && gmina.as_ref().is_none_or(|g| r.meeting.gmina.as_ref() == Some(g))
                && (!open_only || r.open > 0)
                && span.is_none_or(|(from, to)| {
                    r.meeting.date.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t))
                })
                && partnership.is_none_or(|p| r.meeting.partnership == Some(p))
        };
        let rows = &self.data.rows;
        self.view = if self.search.query.trim().is_empty() {
            (0..rows.len()).filter(|&i| pass(&rows[i])).collect()
        } else {
            search(&self.data.entries, &self.search.query, None)
                .into_iter()
                .map(|h| h.index)
                .filter(|&i| pass(&rows[i]))
                .collect()
        };
        self.list.clamp(self.view.len());
        self.item = None;
        let fups = &self.data.followups;
        self.fup_view = (0..fups.len()).filter(|&i| !fups[i].done).collect();
        self.fups.clamp(self.fup_view.len());
    }

    pub fn move_by(&mut self, delta: isize) {
        let moved = if self.show_followups {
            self.fups.move_by(delta, self.fup_view.len())
        } else {
            self.list.move_by(delta, self.view.len())
        };
        if moved {
            self.item = None;
        }
    }

    pub fn next_kind(&mut self) {
        self.kind = super::participants::cycle(self.kind, MeetingType::ALL);
        self.refilter();
    }

    pub fn next_gmina(&mut self) {
        let mut gminas: Vec<&String> = self.data.rows.iter().filter_map(|r| r.meeting.gmina.as_ref()).collect();
        gminas.sort();
        gminas.dedup();
        self.gmina = match &self.gmina {
            None => gminas.first().map(|g| (*g).clone()),
            Some(g) => gminas.iter().position(|x| *x == g).and_then(|i| gminas.get(i + 1)).map(|g| (*g).clone()),
        };
        self.refilter();
    }

    /// The first and last day of a period (inclusive; None is open-ended).
    pub fn span(&self, p: Period) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let today = self.today;
        let first = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1);
        match p {
            Period::Month => {
                let start = first(today.year(), today.month());
                (start, start.and_then(|s| s.checked_add_months(Months::new(1))).and_then(|d| d.pred_opt()))
            }
            Period::ThreeMonths => (today.checked_sub_months(Months::new(3)), Some(today)),
            Period::Year => (first(today.year(), 1), NaiveDate::from_ymd_opt(today.year(), 12, 31)),
            Period::Project(i) => self.data.projects.get(i).map_or((None, None), |p| (p.from, p.to)),
        }
    }

    /// All, this month, the last three months, this year, then each project's dates.
    pub fn next_period(&mut self) {
        self.period = match self.period {
            None => Some(Period::Month),
            Some(Period::Month) => Some(Period::ThreeMonths),
            Some(Period::ThreeMonths) => Some(Period::Year),
            Some(Period::Year) => (!self.data.projects.is_empty()).then_some(Period::Project(0)),
            Some(Period::Project(i)) => (i + 1 < self.data.projects.len()).then_some(Period::Project(i + 1)),
        };
        self.refilter();
    }

    /// The next partnership that has meetings, then none.
    pub fn next_partnership(&mut self) {
        let ids: Vec<Id> = self.data.partnerships.iter().map(|(id, _)| *id).collect();
        self.partnership = super::participants::cycle(self.partnership, &ids);
        self.refilter();
    }

    fn period_label(&self, p: Period, lang: Lang) -> String {
        match p {
            Period::Month => t(lang, "period_month").to_string(),
            Period::ThreeMonths => t(lang, "period_3_months").to_string(),
            Period::Year => t(lang, "period_year").to_string(),
            Period::Project(i) => self.data.projects.get(i).map_or_else(String::new, |p| short(&p.name)),
        }
    }

    /// Show a done toggle before the reload arrives, so a second `x` meanwhile undoes it.
    pub fn mark_done(&mut self, id: Id, done: bool) {
        let Some(i) = self.data.followups.iter().position(|f| f.id == id) else { return };
        self.data.followups[i].done = done;
        let fups = &self.data.followups;
        for r in self.data.rows.iter_mut().filter(|r| r.followups.contains(&i)) {
            r.open = r.followups.iter().filter(|&&j| !fups[j].done).count();
        }
    }

    pub fn toggle_open(&mut self) {
        self.open_only = !self.open_only;
        self.refilter();
    }

    pub fn clear(&mut self) {
        self.search.query.clear();
        self.kind = None;
        self.gmina = None;
        self.open_only = false;
        self.period = None;
        self.partnership = None;
        self.show_followups = false;
        self.refilter();
    }

    /// The attendees and follow-ups of the selected meeting, in panel order.
    pub fn items(&self) -> Vec<Item> {
        let Some(r) = self.selected_row() else { return Vec::new() };
        let mut out: Vec<Item> = r.meeting.attendees.iter().map(|a| Item::Attendee(*a)).collect();
        out.extend(r.followups.iter().map(|&f| Item::FollowUp(f)));
        out
    }

    pub fn move_item(&mut self, delta: isize) {
        let n = self.items().len();
        if n == 0 {
            self.item = None;
            return;
        }
        self.item = Some(match self.item {
            None if delta < 0 => n - 1,
            None => 0,
            Some(i) => (i as isize + delta).rem_euclid(n as isize) as usize,
        });
    }

    pub fn current_item(&self) -> Option<Item> {
        self.item.and_then(|i| self.items().get(i).copied())
    }

    /// The follow-up a done toggle acts on: the one under the cursor in the follow-ups
    /// list, else the one selected in the panel, else the selected meeting's first.
    pub fn target_followup(&self) -> Option<&FollowUp> {
        let i = if self.show_followups {
            self.fup_view.get(self.fups.selected).copied()
        } else {
            match self.current_item() {
                Some(Item::FollowUp(i)) => Some(i),
                _ => self.selected_row().and_then(|r| {
                    r.followups.iter().find(|&&i| !self.data.followups[i].done).or(r.followups.first()).copied()
                }),
            }
        };
        i.and_then(|i| self.data.followups.get(i))
    }
}

/// A load's result, for its generation of requests.
struct LoadDone(u64, Result<Loaded>);

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

impl Pane {
    /// Enter in the meetings pane: an attendee under the cursor opens in pane 1, a
    /// follow-up toggles, otherwise the whole meeting opens in a window.
    fn open_item(&mut self, env: &Env) -> Effect {
        if self.show_followups {
            if let Some(m) = self.target_followup().and_then(|f| f.meeting) {
                self.show_followups = false;
                if !self.select_id(m) {
                    self.clear();
                    self.select_id(m);
                }
            }
            return Effect::None;
        }
        match self.current_item() {
            Some(Item::Attendee(id)) => Effect::OpenParticipant(id),
            Some(Item::FollowUp(_)) => self.toggle_done(env),
            None => {
                let Some(r) = self.selected_row() else { return Effect::None };
                let m = &r.meeting;
                let l = |k: &str| t(env.lang, k).to_string();
                let mut lines = vec![
                    (
                        l("date"),
                        format!(
                            "{} {}",
                            opt(&m.date),
                            m.time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
                        ),
                    ),
                    (l("type"), m.kind.label(env.lang).to_string()),
                    (l("place"), m.place.clone().unwrap_or_default()),
                    (l("gmina"), m.gmina.clone().unwrap_or_default()),
                    (l("hours"), m.hours.map(hours).unwrap_or_default()),
                ];
                if let Some(t) = &m.title {
                    lines.push((l("title"), t.clone()));
                }
                let names: Vec<String> =
                    m.attendees.iter().map(|a| self.data.names.get(a).cloned().unwrap_or_else(|| a.short())).collect();
                lines.push((format!("{} ({})", l("attendees"), names.len()), names.join(", ")));
                for &i in &r.followups {
                    let f = &self.data.followups[i];
                    let mark = if f.done { "[x]" } else { "[ ]" };
                    lines.push((l("followups"), format!("{mark} {} {}", f.text, opt(&f.due))));
                }
                for line in m.note.as_deref().unwrap_or("").lines() {
                    lines.push((l("note"), line.to_string()));
                }
                let title = m.display_title(env.lang);
                Effect::Popup(crate::tui::popups::record(title, lines))
            }
        }
    }

    fn toggle_done(&mut self, env: &Env) -> Effect {
        let Some(f) = self.target_followup() else { return Effect::None };
        let (id, done) = (f.id, !f.done);
        match crate::edit::update(&env.store, Entity::FollowUp, id, &[("done".into(), done.to_string())]) {
            Ok(()) => {
                // Shown at once; the background reload that follows confirms it.
                self.mark_done(id, done);
                self.request_load();
                Effect::Status(t(env.lang, if done { "followup_done" } else { "followup_reopened" }).to_string())
            }
            Err(e) => Effect::Status(crate::tui::errors::save_error(env.lang, &e)),
        }
    }

    /// The load asked for, as a job.
    fn load_effect(&mut self, env: &Env) -> Effect {
        match self.load_job.take() {
            Some(g) => {
                let (lang, people) = (env.lang, env.people.clone());
                Effect::Job(Job::new(move |s| LoadDone(g, load(s, lang, &people))))
            }
            None => Effect::None,
        }
    }

    fn action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        use Action::*;
        if self.search.active {
            match action {
                Confirm => self.search.active = false,
                Cancel => {
                    self.search.active = false;
                    self.search.query.clear();
                    self.refilter();
                }
                Down => self.move_by(1),
                Up => self.move_by(-1),
                _ => {}
            }
            return Some(Effect::None);
        }
        match action {
            Down | Up | PageDown | PageUp | Top | Bottom => self.move_by(self.list.step(action)),
            Open => return Some(self.open_item(env)),
            Search => self.search.active = true,
            Clear => self.clear(),
            FilterType => self.next_kind(),
            FilterGmina => self.next_gmina(),
            FilterOpen => self.toggle_open(),
            FilterPeriod => self.next_period(),
            FilterPartnership => self.next_partnership(),
            Followups => self.show_followups = !self.show_followups,
            NextItem => self.move_item(1),
            PrevItem => self.move_item(-1),
            ToggleDone => return Some(self.toggle_done(env)),
            RecordNeed => {
                return Some(match self.selected_id() {
                    Some(id) => Effect::Popup(crate::tui::popups::form(
                        crate::tui::panes::resources::need_form_for_meeting(&env.store, id, env.lang),
                    )),
                    None => Effect::None,
                });
            }
            _ => return None,
        }
        Some(Effect::None)
    }
}

impl View for Pane {
    fn kind(&self) -> &'static str {
        "meetings"
    }

    fn contexts(&self) -> Vec<Context> {
        self.search.contexts(Context::Meetings)
    }

    fn typing(&self) -> bool {
        self.search.active
    }

    fn on_text(&mut self, _env: &Env, ev: KeyEvent) -> Option<Effect> {
        if !self.search.key(&ev) {
            return None;
        }
        self.refilter();
        Some(Effect::None)
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        let effect = self.action(env, action)?;
        Some(match self.load_effect(env) {
            Effect::None => effect,
            load => Effect::Many(vec![effect, load]),
        })
    }

    fn activate(&mut self, env: &Env) -> Effect {
        if !self.loaded && !self.loading {
            self.request_load();
        }
        self.load_effect(env)
    }

    fn data_changed(&mut self) {
        self.invalidate();
    }

    fn day_changed(&mut self, today: NaiveDate) {
        self.today = today;
        self.refilter();
    }

    fn selected(&self) -> Option<Id> {
        self.selected_id()
    }

    fn select(&mut self, _env: &Env, id: Id) -> bool {
        self.select_id(id) || {
            self.clear();
            self.select_id(id)
        }
    }

    fn job_done(&mut self, _env: &Env, result: JobResult) -> std::result::Result<Effect, JobResult> {
        let result = match result.downcast::<LoadDone>() {
            Ok(l) => {
                let LoadDone(g, r) = *l;
                return Ok(match self.load_done(g, r) {
                    Ok(_) => Effect::None,
                    Err(e) => Effect::Status(e.to_string()),
                });
            }
            Err(r) => r,
        };
        match result.downcast::<MeetingSaved>() {
            Ok(m) => {
                self.select_after_load = Some(m.0);
                self.request_load();
                Ok(Effect::None)
            }
            Err(r) => Err(r),
        }
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let (list, detail) = crate::tui::widgets::split(area);
        self.render_list(list, buf, &env.theme, env.lang);
        self.render_detail(detail, buf, &env.theme, env.lang);
    }

    fn search_line(&self) -> Option<String> {
        self.search.line()
    }

    fn count(&self) -> String {
        format!("{}/{}", self.view.len(), self.data.rows.len())
    }

    fn hints(&self) -> Vec<Action> {
        self.search.hints(&[Action::Capture, Action::Search, Action::ToggleDone, Action::Followups])
    }
}

/// A long name cut for a title: the filter shows which one, the detail says the rest.
fn short(name: &str) -> String {
    if name.chars().count() <= 28 {
        name.to_string()
    } else {
        format!("{}…", name.chars().take(27).collect::<String>())
    }
}

/// Hours as people write them: `2`, `1.5`.
pub fn hours(h: f64) -> String {
    if h.fract() == 0.0 { format!("{h:.0}") } else { format!("{h}") }
}
