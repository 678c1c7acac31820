//! The meetings pane: meetings newest first with filters and search, a detail panel
//! with attendees, follow-ups and the notes, and a list of open follow-ups.
//!
//! Like the participants pane it owns view state only; rows are read from the store
//! into [`Loaded`] (a few thousand meetings at most, so the load is one pass) on a
//! background thread: the pane asks with [`Pane::request_load`], the loop runs
//! [`load`] and hands the result back with its generation, and older results are
//! dropped.

use super::participants::highlighted;
use super::participants::list_step;
use crate::i18n::{Lang, t};
use crate::model::{Entity, FollowUp, Id, Meeting, MeetingType, Participant, Partnership, Project};
use crate::search::{Entry, search};
use crate::store::{Result, Store};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::view::{Effect, Env, Job, JobResult, View};
use chrono::{Datelike, Months, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Table, Widget, Wrap};
use std::collections::{HashMap, HashSet};

/// One meeting as the list shows it.
#[derive(Debug, Clone)]
pub struct Row {
    pub meeting: Meeting,
    /// Follow-ups of this meeting (indices into `Loaded::followups`).
    pub followups: Vec<usize>,
    pub open: usize,
}

/// Everything the pane shows, read from the store.
#[derive(Default)]
pub struct Loaded {
    /// Newest first.
    pub rows: Vec<Row>,
    pub entries: Vec<Entry>,
    pub followups: Vec<FollowUp>,
    pub names: HashMap<Id, String>,
    /// Partnerships that have meetings, by name: what the partnership filter cycles.
    pub partnerships: Vec<(Id, String)>,
    /// Projects with dates, by start: the period filter offers their spans.
    pub projects: Vec<ProjectSpan>,
}

/// A project's name and dates, for the period filter.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSpan {
    pub id: Id,
    pub name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The period filter: calendar spans relative to today, or a project's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// This calendar month.
    Month,
    /// The last three months up to today.
    ThreeMonths,
    /// This calendar year.
    Year,
    /// The dates of a project (index into `Loaded::projects`).
    Project(usize),
}

/// Read every live meeting, its follow-ups and the names of its attendees.
pub fn load(store: &Store, lang: Lang) -> Result<Loaded> {
    let mut meetings: Vec<Meeting> = Vec::new();
    store.for_each_doc(Entity::Meeting, |id, d| {
        if !d.is_deleted() {
            meetings.push(Meeting::from_doc(id, &d));
        }
    })?;
    meetings.sort_by_key(|m| std::cmp::Reverse((m.date, m.time, m.id)));
    let live: HashSet<Id> = meetings.iter().map(|m| m.id).collect();
    let mut followups = Vec::new();
    store.for_each_doc(Entity::FollowUp, |id, d| {
        let f = FollowUp::from_doc(id, &d);
        if !f.deleted && f.meeting.is_some_and(|m| live.contains(&m)) {
            followups.push(f);
        }
    })?;
    followups.sort_by(|a, b| (a.due.is_none(), a.due, &a.text, a.id).cmp(&(b.due.is_none(), b.due, &b.text, b.id)));
    let mut by_meeting: HashMap<Id, Vec<usize>> = HashMap::new();
    for (i, f) in followups.iter().enumerate() {
        if let Some(m) = f.meeting {
            by_meeting.entry(m).or_default().push(i);
        }
    }
    let wanted: HashSet<Id> = meetings.iter().flat_map(|m| m.attendees.iter().copied()).collect();
    let mut names = HashMap::new();
    for id in wanted {
        if let Some(d) = store.doc(Entity::Participant, id)? {
            names.insert(id, Participant::from_doc(id, &d).name);
        }
    }
    let pids: HashSet<Id> = meetings.iter().filter_map(|m| m.partnership).collect();
    let mut partnerships = Vec::new();
    for id in pids {
        if let Some(d) = store.doc(Entity::Partnership, id)? {
            let p = Partnership::from_doc(id, &d);
            if !p.deleted {
                partnerships.push((id, p.name));
            }
        }
    }
    partnerships.sort_by_key(|a| (crate::search::fold(&a.1), a.0));
    let mut projects = Vec::new();
    store.for_each_doc(Entity::Project, |id, d| {
        let p = Project::from_doc(id, &d);
        if !p.deleted && (p.from.is_some() || p.to.is_some()) {
            projects.push(ProjectSpan { id, name: p.name, from: p.from, to: p.to });
        }
    })?;
    projects.sort_by(|a, b| (a.from, &a.name, a.id).cmp(&(b.from, &b.name, b.id)));
    let entries = meetings.iter().map(|m| entry(m, lang)).collect();
    let rows = meetings
        .into_iter()
        .map(|m| {
            let fups = by_meeting.remove(&m.id).unwrap_or_default();
            let open = fups.iter().filter(|&&i| !followups[i].done).count();
            Row { meeting: m, followups: fups, open }
        })
        .collect();
    Ok(Loaded { rows, entries, followups, names, partnerships, projects })
}

/// The searchable text of a meeting: title, place, gmina, type, and each word of the
/// notes on its own, so that a word of the note finds it and a short query does not
/// match every long note as a scattered subsequence.
fn entry(m: &Meeting, lang: Lang) -> Entry {
    let mut words: Vec<&str> = m
        .note
        .as_deref()
        .unwrap_or("")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .collect();
    words.sort_unstable();
    words.dedup();
    let head = [m.title.as_deref(), m.place.as_deref(), m.gmina.as_deref(), Some(m.kind.label(lang))];
    Entry::new(head.into_iter().flatten().chain(words))
}

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
    pub selected: usize,
    pub offset: usize,
    pub page: usize,
    pub query: String,
    pub searching: bool,
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
    pub fup_selected: usize,
    pub fup_offset: usize,
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
            selected: 0,
            offset: 0,
            page: 10,
            query: String::new(),
            searching: false,
            kind: None,
            gmina: None,
            open_only: false,
            period: None,
            partnership: None,
            item: None,
            show_followups: false,
            fup_view: Vec::new(),
            fup_selected: 0,
            fup_offset: 0,
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
        let keep_fup = self.fup_view.get(self.fup_selected).map(|&i| self.data.followups[i].id);
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
            self.fup_selected = p;
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.view.get(self.selected).map(|&i| &self.data.rows[i])
    }

    pub fn selected_id(&self) -> Option<Id> {
        self.selected_row().map(|r| r.meeting.id)
    }

    pub fn select_id(&mut self, id: Id) -> bool {
        match self.view.iter().position(|&i| self.data.rows[i].meeting.id == id) {
            Some(p) => {
                self.selected = p;
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
        self.view = if self.query.trim().is_empty() {
            (0..rows.len()).filter(|&i| pass(&rows[i])).collect()
        } else {
            search(&self.data.entries, &self.query, None)
                .into_iter()
                .map(|h| h.index)
                .filter(|&i| pass(&rows[i]))
                .collect()
        };
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        self.item = None;
        let fups = &self.data.followups;
        self.fup_view = (0..fups.len()).filter(|&i| !fups[i].done).collect();
        self.fup_selected = self.fup_selected.min(self.fup_view.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        let (sel, len) = if self.show_followups {
            (&mut self.fup_selected, self.fup_view.len())
        } else {
            (&mut self.selected, self.view.len())
        };
        if len == 0 {
            return;
        }
        *sel = (*sel as isize + delta).clamp(0, len as isize - 1) as usize;
        self.item = None;
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
        self.query.clear();
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
            self.fup_view.get(self.fup_selected).copied()
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

    fn name(&self, id: &Id) -> String {
        self.data.names.get(id).cloned().unwrap_or_else(|| id.short())
    }

    fn title(&self, lang: Lang) -> String {
        let mut parts = vec![format!(" {} ", t(lang, if self.show_followups { "open_followups" } else { "meetings" }))];
        if let Some(k) = self.kind {
            parts.push(format!("[{}]", k.code()));
        }
        if let Some(g) = &self.gmina {
            parts.push(format!("[{g}]"));
        }
        if let Some(p) = self.period {
            parts.push(format!("[{}]", self.period_label(p, lang)));
        }
        if let Some(p) = self.partnership {
            let name =
                self.data.partnerships.iter().find(|(id, _)| *id == p).map_or_else(|| p.short(), |(_, n)| short(n));
            parts.push(format!("[{}: {name}]", t(lang, "partnership")));
        }
        if self.open_only {
            parts.push(format!("[{}]", t(lang, "open")));
        }
        if !self.searching && !self.query.is_empty() {
            parts.push(format!("[/{}]", self.query));
        }
        parts.join(" ")
    }

    pub fn render_list(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let title = self.title(lang);
        let Some((inner, h)) = crate::tui::widgets::list_frame(area, buf, theme, title) else { return };
        self.page = h;
        if !self.loaded {
            Paragraph::new(t(lang, "loading")).style(theme.dim()).render(Rect { height: 1, ..inner }, buf);
            return;
        }
        if self.show_followups {
            self.render_followups(inner, h, buf, theme, lang);
            return;
        }
        self.offset = crate::tui::widgets::scroll_offset(self.selected, self.offset, h);
        let wide = inner.width >= 90;
        let rows: Vec<TRow> = self
            .view
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(h)
            .map(|(pos, &i)| {
                let r = &self.data.rows[i];
                let m = &r.meeting;
                let sel = pos == self.selected;
                let place = m.place.as_deref().unwrap_or("");
                let mut cells = vec![
                    Cell::from(if sel { ">" } else { " " }),
                    Cell::from(m.date.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::from(m.kind.label(lang)),
                    Cell::from(highlighted(place, &self.query, theme)),
                    Cell::from(m.hours.map(hours).unwrap_or_default()),
                    Cell::from(m.attendees.len().to_string()),
                    Cell::from(if r.open > 0 { r.open.to_string() } else { String::new() }),
                ];
                if wide {
                    cells.push(Cell::from(highlighted(m.title.as_deref().unwrap_or(""), &self.query, theme)));
                }
                let row = TRow::new(cells);
                if sel { row.style(theme.selected()) } else { row }
            })
            .collect();
        let mut widths = vec![
            Constraint::Length(1),
            Constraint::Length(10),
            Constraint::Length(if inner.width >= 70 { 22 } else { 14 }),
            Constraint::Fill(2),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(4),
        ];
        let mut header = vec![
            "",
            t(lang, "date"),
            t(lang, "type"),
            t(lang, "place"),
            t(lang, "hours_short"),
            t(lang, "attendees_short"),
            t(lang, "open_short"),
        ];
        if wide {
            widths.push(Constraint::Fill(3));
            header.push(t(lang, "title"));
        }
        if self.view.is_empty() {
            Paragraph::new(t(lang, "nothing_found")).render(Rect { y: inner.y + 1, height: 1, ..inner }, buf);
        }
        Table::new(rows, widths)
            .header(TRow::new(header.into_iter().map(Cell::from).collect::<Vec<_>>()).style(theme.header()))
            .column_spacing(1)
            .render(inner, buf);
    }

    fn render_followups(&mut self, inner: Rect, h: usize, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        self.fup_offset = crate::tui::widgets::scroll_offset(self.fup_selected, self.fup_offset, h);
        let places: HashMap<Id, String> =
            self.data.rows.iter().map(|r| (r.meeting.id, r.meeting.place.clone().unwrap_or_default())).collect();
        let rows: Vec<TRow> = self
            .fup_view
            .iter()
            .enumerate()
            .skip(self.fup_offset)
            .take(h)
            .map(|(pos, &i)| {
                let f = &self.data.followups[i];
                let sel = pos == self.fup_selected;
                let overdue = f.due.is_some_and(|d| d < self.today);
                let mark = Cell::from(if overdue { "!" } else { "" }).style(theme.error());
                let row = TRow::new(vec![
                    Cell::from(if sel { ">" } else { " " }),
                    Cell::from(f.due.map(|d| d.to_string()).unwrap_or_default()),
                    mark,
                    Cell::from(f.text.as_str()),
                    Cell::from(f.meeting.and_then(|m| places.get(&m).cloned()).unwrap_or_default()),
                ]);
                if sel { row.style(theme.selected()) } else { row }
            })
            .collect();
        if self.fup_view.is_empty() {
            Paragraph::new(t(lang, "no_open_followups")).render(Rect { y: inner.y + 1, height: 1, ..inner }, buf);
        }
        let header = ["", t(lang, "due"), "", t(lang, "followups"), t(lang, "place")];
        Table::new(
            rows,
            [
                Constraint::Length(1),
                Constraint::Length(10),
                Constraint::Length(1),
                Constraint::Fill(3),
                Constraint::Fill(1),
            ],
        )
        .header(TRow::new(header.into_iter().map(Cell::from).collect::<Vec<_>>()).style(theme.header()))
        .column_spacing(1)
        .render(inner, buf);
    }

    pub fn render_detail(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let row = if self.show_followups {
            self.target_followup()
                .and_then(|f| f.meeting)
                .and_then(|m| self.data.rows.iter().find(|r| r.meeting.id == m))
        } else {
            self.selected_row()
        };
        let title = row.map(|r| format!(" {} ", r.meeting.display_title(lang)));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title(title.unwrap_or_else(|| format!(" {} ", t(lang, "details"))));
        let Some(r) = row else {
            let msg = if self.loaded { "nothing_found" } else { "loading" };
            Paragraph::new(t(lang, msg)).block(block).render(area, buf);
            return;
        };
        let m = &r.meeting;
        let label = |k: &str| Span::styled(format!("{}: ", t(lang, k)), theme.dim());
        let mut head = vec![Span::raw(m.date.map(|d| d.to_string()).unwrap_or_default())];
        if let Some(time) = m.time {
            head.push(Span::raw(format!(" {}", time.format("%H:%M"))));
        }
        head.push(Span::raw(format!(" · {}", m.kind.label(lang))));
        match (&m.place, &m.gmina) {
            (Some(p), Some(g)) if p != g => head.push(Span::raw(format!(" · {p} (gm. {g})"))),
            (Some(p), _) | (None, Some(p)) => head.push(Span::raw(format!(" · {p}"))),
            _ => {}
        }
        if let Some(h) = m.hours {
            head.push(Span::raw(format!(" · {} h", hours(h))));
        }
        let mut lines = vec![Line::from(head)];
        let cursor = if self.show_followups { None } else { self.current_item() };
        let mut att = vec![label("attendees"), Span::raw(format!("({}) ", m.attendees.len()))];
        for (i, a) in m.attendees.iter().enumerate() {
            if i > 0 {
                att.push(Span::raw(", "));
            }
            let style = if cursor == Some(Item::Attendee(*a)) { theme.selected() } else { Style::default() };
            att.push(Span::styled(self.name(a), style));
        }
        lines.push(Line::from(att));
        if !r.followups.is_empty() {
            lines.push(Line::from(label("followups")));
        }
        for &fi in &r.followups {
            let f = &self.data.followups[fi];
            let sel = cursor == Some(Item::FollowUp(fi))
                || (self.show_followups && self.fup_view.get(self.fup_selected) == Some(&fi));
            let mut spans = vec![
                Span::raw(if f.done { " [x] " } else { " [ ] " }),
                Span::styled(f.text.clone(), if sel { theme.selected() } else { Style::default() }),
            ];
            if let Some(d) = f.due {
                spans.push(Span::styled(format!("  {} {d}", t(lang, "due")), theme.dim()));
                if !f.done && d < self.today {
                    spans.push(Span::styled(format!(" {}", t(lang, "overdue")), theme.error()));
                }
            }
            lines.push(Line::from(spans));
        }
        if let Some(n) = &m.note {
            lines.push(Line::from(label("note")));
            lines.extend(n.lines().map(|l| Line::from(l.to_string())));
        }
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(area, buf);
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
                let lang = env.lang;
                Effect::Job(Job::new(move |s| LoadDone(g, load(s, lang))))
            }
            None => Effect::None,
        }
    }

    fn action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        use Action::*;
        if self.searching {
            match action {
                Confirm => self.searching = false,
                Cancel => {
                    self.searching = false;
                    self.query.clear();
                    self.refilter();
                }
                Down => self.move_by(1),
                Up => self.move_by(-1),
                _ => {}
            }
            return Some(Effect::None);
        }
        match action {
            Down | Up | PageDown | PageUp | Top | Bottom => self.move_by(list_step(action, self.page)),
            Open => return Some(self.open_item(env)),
            Search => self.searching = true,
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
        if self.searching { vec![Context::Search] } else { vec![Context::Meetings] }
    }

    fn typing(&self) -> bool {
        self.searching
    }

    fn on_text(&mut self, _env: &Env, ev: KeyEvent) -> Option<Effect> {
        match (crate::tui::popups::form::printable(&ev), ev.code) {
            (Some(c), _) => self.query.push(c),
            (_, KeyCode::Backspace) => {
                self.query.pop();
            }
            _ => return None,
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

    fn job_done(&mut self, result: JobResult) -> std::result::Result<Effect, JobResult> {
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
        self.searching.then(|| self.query.clone())
    }

    fn count(&self) -> String {
        format!("{}/{}", self.view.len(), self.data.rows.len())
    }

    fn hints(&self) -> Vec<Action> {
        if self.searching {
            vec![Action::Confirm, Action::Cancel]
        } else {
            vec![Action::Capture, Action::Search, Action::ToggleDone, Action::Followups]
        }
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
