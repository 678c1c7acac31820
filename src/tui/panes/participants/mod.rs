//! The participants pane: a sorted, filtered, searchable list and a detail panel.
//!
//! It owns view state only: the rows are the app's [`Directory`] (`directory.rs`),
//! loaded in the background after the first screenful (which is read straight from
//! the name index) and shared with the pickers. The detail panel is `detail.rs`.

use crate::i18n::{Lang, t};
use crate::model::{Category, Entity, Id, Kind, Meeting, Participant, Partnership};
use crate::search::{Index, NONE, highlight};
use crate::store::{Result, Store};
mod detail;
mod directory;

pub use detail::{Detail, detail};
pub use directory::{Candidate, Directory, Row, first_page, load_all};

use crate::tui::keymap::{Action, Context};
use crate::tui::popups;
use crate::tui::theme::Theme;
use crate::tui::view::{Effect, Env, Job, JobResult, View};
use crate::tui::widgets::{ListState, SearchLine};
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Table, Widget};
use std::collections::HashMap;
use std::sync::Arc;

/// Above this many rows a search runs on a worker thread (DESIGN.md §5): the input
/// line echoes at once and results replace the list when they arrive.
pub const ASYNC_SEARCH_ROWS: usize = 20_000;

/// A search for the loop to run off the UI thread.
pub struct SearchJob {
    pub generation: u64,
    pub query: String,
    pub within: Option<Vec<usize>>,
    pub index: Arc<Index>,
}

impl SearchJob {
    /// Run it: the matching row indices, best first.
    pub fn run(&self) -> Vec<usize> {
        self.index.search(&self.query, self.within.as_deref()).into_iter().map(|h| h.index).collect()
    }
}

/// Words for the pane (`Effect::Tell`): this participant was deleted (undo brings it
/// back); select this one when the next load arrives (after a save).
pub struct Deleted(pub Id);
pub struct SelectAfterReload(pub Id);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Name,
    LastContact,
}

pub struct Pane {
    /// Everyone (the app's, shared): the first page until the full load arrives.
    pub dir: Arc<Directory>,
    /// Indices into `rows` after filters and search, in display order.
    pub view: Vec<usize>,
    pub list: ListState,
    pub search: SearchLine,
    /// The last search, to narrow when the query grows.
    last_search: Option<(String, Vec<usize>)>,
    pub category: Option<Category>,
    pub gmina: Option<String>,
    pub sort: Sort,
    pub detail: Option<Detail>,
    /// The newest search asked for; results of older ones are dropped.
    pub search_generation: u64,
    /// A search waiting to start, and whether one runs.
    pub search_job: Option<SearchJob>,
    search_running: bool,
    /// How many participants the store has (the list holds only the first page until
    /// the full load arrives).
    pub total: usize,
    /// The last participant deleted here, for undo.
    pub last_deleted: Option<Id>,
    /// Select this participant when the next load arrives (after add or undo).
    pub select_after_reload: Option<Id>,
}

impl Pane {
    pub fn new(dir: Arc<Directory>, total: usize) -> Pane {
        let view = (0..dir.rows.len()).collect();
        Pane {
            dir,
            search_running: false,
            total,
            last_deleted: None,
            select_after_reload: None,
            view,
            list: ListState::default(),
            search: SearchLine::default(),
            last_search: None,
            category: None,
            gmina: None,
            sort: Sort::Name,
            detail: None,
            search_generation: 0,
            search_job: None,
        }
    }

    /// A pooled string by id.
    pub fn text(&self, id: u32) -> &str {
        self.dir.text(id)
    }

    pub fn selected_id(&self) -> Option<Id> {
        self.view.get(self.list.selected).map(|&i| self.dir.rows[i].id)
    }

    /// Take freshly loaded rows, keeping the selection on the same participant.
    pub fn set_loaded(&mut self, dir: Arc<Directory>) {
        let keep = self.selected_id();
        self.dir = dir;
        self.last_search = None;
        self.refilter();
        if let Some(id) = keep {
            self.select_id(id);
        }
    }

    pub fn select_id(&mut self, id: Id) -> bool {
        match self.view.iter().position(|&i| self.dir.rows[i].id == id) {
            Some(p) => {
                self.list.selected = p;
                true
            }
            None => false,
        }
    }

    /// Recompute the view from filters, search and sort.
    pub fn refilter(&mut self) {
        let cat = self.category;
        let gm: Option<u32> =
            self.gmina.as_ref().map(|g| self.dir.strings.iter().position(|s| s == g).map_or(NONE, |i| i as u32));
        let pass = |r: &Row| cat.is_none_or(|c| r.category == c) && gm.is_none_or(|g| r.gmina == g);
        if self.search.query.trim().is_empty() || self.dir.index.len() != self.dir.rows.len() {
            self.view = (0..self.dir.rows.len()).filter(|&i| pass(&self.dir.rows[i])).collect();
            if self.sort == Sort::LastContact {
                let rows = &self.dir.rows;
                self.view.sort_by(|&a, &b| rows[b].last.cmp(&rows[a].last).then(a.cmp(&b)));
            }
        } else {
            // Narrow the previous result when the query only grew.
            let within = match &self.last_search {
                Some((q, hits)) if self.search.query.starts_with(q.as_str()) && !q.is_empty() => Some(hits.as_slice()),
                _ => None,
            };
            self.search_generation += 1;
            if self.dir.rows.len() >= ASYNC_SEARCH_ROWS {
                self.search_job = Some(SearchJob {
                    generation: self.search_generation,
                    query: self.search.query.clone(),
                    within: within.map(<[usize]>::to_vec),
                    index: self.dir.index.clone(),
                });
                return;
            }
            let hits = self.dir.index.search(&self.search.query, within).into_iter().map(|h| h.index).collect();
            let generation = self.search_generation;
            self.search_done(generation, self.search.query.clone(), hits);
            return;
        }
        self.list.clamp(self.view.len());
    }

    /// Results of a search: shown if it is still the newest one. Returns whether they were.
    pub fn search_done(&mut self, generation: u64, query: String, hits: Vec<usize>) -> bool {
        if generation != self.search_generation || query != self.search.query {
            return false;
        }
        let cat = self.category;
        let gm: Option<u32> =
            self.gmina.as_ref().map(|g| self.dir.strings.iter().position(|s| s == g).map_or(NONE, |i| i as u32));
        let rows = &self.dir.rows;
        self.view = hits
            .iter()
            .copied()
            .filter(|&i| {
                rows.get(i).is_some_and(|r| cat.is_none_or(|c| r.category == c) && gm.is_none_or(|g| r.gmina == g))
            })
            .collect();
        self.last_search = Some((query, hits));
        self.list.clamp(self.view.len());
        true
    }

    pub fn move_by(&mut self, delta: isize) {
        self.list.move_by(delta, self.view.len());
    }

    pub fn next_category(&mut self) {
        self.category = cycle(self.category, Category::ALL);
        self.refilter();
    }

    pub fn next_gmina(&mut self) {
        let gminas: Vec<String> = {
            let mut ids: Vec<u32> = self.dir.rows.iter().map(|r| r.gmina).filter(|&g| g != 0).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut v: Vec<String> = ids.into_iter().map(|g| self.text(g).to_string()).collect();
            v.sort();
            v
        };
        self.gmina = match &self.gmina {
            None => gminas.first().cloned(),
            Some(g) => gminas.iter().position(|x| x == g).and_then(|i| gminas.get(i + 1)).cloned(),
        };
        self.refilter();
    }

    pub fn toggle_sort(&mut self) {
        self.sort = if self.sort == Sort::Name { Sort::LastContact } else { Sort::Name };
        self.refilter();
    }

    pub fn clear(&mut self) {
        self.search.query.clear();
        self.category = None;
        self.gmina = None;
        self.refilter();
    }

    /// Draw the list into `area`.
    pub fn render_list(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let title = {
            let mut parts = vec![format!(" {} ", t(lang, "participants"))];
            if let Some(c) = self.category {
                parts.push(format!("[{}]", c.code()));
            }
            if let Some(g) = &self.gmina {
                parts.push(format!("[{g}]"));
            }
            if self.sort == Sort::LastContact {
                parts.push(format!("[{}]", t(lang, "last_contact")));
            }
            parts.join(" ")
        };
        let Some((inner, h)) = crate::tui::widgets::list_frame(area, buf, theme, title) else { return };
        self.list.scroll(h);
        let wide = inner.width >= 70;
        let header: Vec<&str> = if wide {
            vec!["", t(lang, "name"), t(lang, "category"), t(lang, "org"), t(lang, "place")]
        } else {
            vec!["", t(lang, "name"), t(lang, "category"), t(lang, "place")]
        };
        let rows: Vec<TRow> = self
            .list
            .window(&self.view, h)
            .map(|(sel, &i)| {
                let r = &self.dir.rows[i];
                // Only the marker and the name carry the selection style: a cursor move
                // then rewrites two short cells per row instead of two whole rows.
                let (marker, name) = if sel {
                    // The style is on the text, not the cell: the padding after a name
                    // stays unchanged, so it is not sent again.
                    (
                        Cell::from(">").style(theme.selected()),
                        Cell::from(Span::styled(r.name.as_str(), theme.selected())),
                    )
                } else {
                    (Cell::from(" "), Cell::from(highlighted(&r.name, &self.search.query, theme)))
                };
                let mut cells = vec![marker, name, Cell::from(r.category.code())];
                if wide {
                    cells.push(Cell::from(highlighted(self.text(r.org), &self.search.query, theme)));
                }
                cells.push(Cell::from(highlighted(self.text(r.place), &self.search.query, theme)));
                TRow::new(cells)
            })
            .collect();
        let widths: Vec<Constraint> = if wide {
            vec![
                Constraint::Length(1),
                Constraint::Fill(3),
                Constraint::Length(9),
                Constraint::Fill(3),
                Constraint::Fill(2),
            ]
        } else {
            vec![Constraint::Length(1), Constraint::Fill(3), Constraint::Length(9), Constraint::Fill(2)]
        };
        Table::new(rows, widths)
            .header(TRow::new(header.into_iter().map(Cell::from).collect::<Vec<_>>()).style(theme.header()))
            .column_spacing(1)
            .render(inner, buf);
    }

    pub fn render_detail(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let sel = self.selected_id();
        let title = self.view.get(self.list.selected).map(|&i| format!(" {} ", self.dir.rows[i].name));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title(title.unwrap_or_else(|| format!(" {} ", t(lang, "details"))));
        let lines: Vec<Line> = match &self.detail {
            Some(d) if Some(d.id) == sel => d
                .lines
                .iter()
                .map(|(k, v)| Line::from(vec![Span::styled(format!("{k}: "), theme.dim()), Span::raw(v.clone())]))
                .collect(),
            _ if self.view.is_empty() => vec![Line::from(t(lang, "nothing_found"))],
            _ => vec![],
        };
        // No wrapping: a long note would push every later line down and make a cursor
        // move rewrite the whole panel. The full view (Enter) wraps.
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

/// The next value of a filter that cycles through `all` and back to "none".
pub(crate) fn cycle<T: Copy + PartialEq>(current: Option<T>, all: &[T]) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(c) => all.iter().position(|x| *x == c).and_then(|i| all.get(i + 1)).copied(),
    }
}

/// `text` with the characters a query matches styled.
pub fn highlighted<'a>(text: &'a str, query: &str, theme: &Theme) -> Line<'a> {
    if query.trim().is_empty() {
        return Line::from(text);
    }
    let hits = highlight(text, query);
    if hits.is_empty() {
        return Line::from(text);
    }
    let spans: Vec<Span> = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if hits.binary_search(&i).is_ok() {
                Span::styled(c.to_string(), theme.matched())
            } else {
                Span::raw(c.to_string())
            }
        })
        .collect();
    Line::from(spans)
}

/// A search's result, for the pane that asked.
struct Searched(u64, String, Vec<usize>);

impl Pane {
    /// The selected participant's detail, read again when the selection moved.
    fn refresh_detail(&mut self, env: &Env) -> Effect {
        let Some(id) = self.selected_id() else {
            self.detail = None;
            return Effect::None;
        };
        if self.detail.as_ref().is_some_and(|d| d.id == id) {
            return Effect::None;
        }
        match detail(&env.store, id, env.lang, false, env.today) {
            Ok(d) => {
                self.detail = d;
                Effect::None
            }
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    /// A search waiting while none runs: start it (at most one runs at a time, and
    /// the queries typed while it ran are never run, only the newest).
    fn start_search(&mut self) -> Effect {
        if self.search_running {
            return Effect::None;
        }
        let Some(job) = self.search_job.take() else { return Effect::None };
        self.search_running = true;
        Effect::Job(Job::new(move |_| {
            let hits = job.run();
            Searched(job.generation, job.query, hits)
        }))
    }

    /// After a key: the detail of the new selection, and a search to start.
    fn settle(&mut self, env: &Env, effect: Effect) -> Effect {
        let detail = self.refresh_detail(env);
        let search = self.start_search();
        match (detail, search) {
            (Effect::None, Effect::None) => effect,
            (d, s) => Effect::Many(vec![effect, d, s]),
        }
    }

    /// Enter: the selected record, whole, in a scrollable window.
    fn open_record(&self, env: &Env) -> Effect {
        let Some(i) = self.view.get(self.list.selected).copied() else { return Effect::None };
        let row = &self.dir.rows[i];
        match detail(&env.store, row.id, env.lang, true, env.today) {
            Ok(Some(d)) => Effect::Popup(popups::record(row.name.clone(), d.full)),
            Ok(None) => Effect::None,
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    fn selected_name(&self) -> String {
        self.view.get(self.list.selected).map(|&i| self.dir.rows[i].name.clone()).unwrap_or_default()
    }

    fn action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        use Action::*;
        if self.search.active {
            match action {
                Confirm => self.search.active = false,
                Cancel => {
                    self.search.active = false;
                    self.search.query.clear();
                    self.list.selected = 0;
                    self.refilter();
                }
                Down => self.move_by(1),
                Up => self.move_by(-1),
                _ => {}
            }
            return Some(Effect::None);
        }
        let id = self.selected_id();
        Some(match action {
            Down | Up | PageDown | PageUp | Top | Bottom => {
                self.move_by(self.list.step(action));
                Effect::None
            }
            Open => self.open_record(env),
            Search => {
                self.search.active = true;
                Effect::None
            }
            Clear => {
                self.clear();
                Effect::None
            }
            Add => Effect::Popup(popups::form(popups::form::participant_form(env, None))),
            Edit => match id {
                Some(id) => Effect::Popup(popups::form(popups::form::participant_form(env, Some(id)))),
                None => Effect::None,
            },
            Delete => match id {
                Some(id) => Effect::Popup(Box::new(popups::ConfirmDelete::new(id, self.selected_name()))),
                None => Effect::None,
            },
            ImportScreen => Effect::Popup(Box::new(popups::import::Screen::new())),
            Erase => match id {
                Some(id) => Effect::Popup(Box::new(popups::erase::Screen::new(id, &self.selected_name()))),
                None => Effect::None,
            },
            Undo => match self.last_deleted.take() {
                Some(id) => match crate::edit::restore(&env.store, Entity::Participant, id) {
                    Ok(()) => {
                        self.detail = None;
                        self.select_after_reload = Some(id);
                        Effect::Many(vec![Effect::Status(t(env.lang, "restored").to_string()), Effect::Changed])
                    }
                    Err(e) => Effect::Status(crate::tui::errors::save_error(env.lang, &e)),
                },
                None => Effect::None,
            },
            Sort => {
                self.toggle_sort();
                Effect::None
            }
            FilterCategory => {
                self.next_category();
                Effect::None
            }
            FilterGmina => {
                self.next_gmina();
                Effect::None
            }
            _ => return None,
        })
    }
}

impl View for Pane {
    fn kind(&self) -> &'static str {
        "participants"
    }

    fn contexts(&self) -> Vec<Context> {
        self.search.contexts(Context::Participants)
    }

    fn typing(&self) -> bool {
        self.search.active
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        if !self.search.key(&ev) {
            return None;
        }
        self.list.selected = 0;
        self.refilter();
        Some(self.settle(env, Effect::None))
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        let effect = self.action(env, action)?;
        Some(self.settle(env, effect))
    }

    fn activate(&mut self, env: &Env) -> Effect {
        self.refresh_detail(env)
    }

    fn selected(&self) -> Option<Id> {
        self.selected_id()
    }

    fn select(&mut self, env: &Env, id: Id) -> bool {
        let found = self.select_id(id) || {
            self.clear();
            self.select_id(id)
        };
        self.refresh_detail(env);
        found
    }

    fn data_changed(&mut self) {
        // A reload follows: the detail is read again when it comes.
        self.detail = None;
    }

    fn people_changed(&mut self, env: &Env) {
        self.total = env.people.rows.len();
        self.set_loaded(env.people.clone());
        if let Some(id) = self.select_after_reload.take()
            && !self.select_id(id)
        {
            self.clear();
            self.select_id(id);
        }
        self.refresh_detail(env);
    }

    fn day_changed(&mut self, _today: NaiveDate) {
        // The detail counts overdue follow-ups from today.
        self.detail = None;
    }

    fn job_done(&mut self, env: &Env, result: JobResult) -> std::result::Result<Effect, JobResult> {
        let result = match result.downcast::<Searched>() {
            Ok(s) => {
                let Searched(generation, query, hits) = *s;
                self.search_running = false;
                self.search_done(generation, query, hits);
                // The newest query typed while this one ran goes next.
                return Ok(self.settle(env, Effect::None));
            }
            Err(r) => r,
        };
        let result = match result.downcast::<Deleted>() {
            Ok(d) => {
                self.last_deleted = Some(d.0);
                return Ok(Effect::None);
            }
            Err(r) => r,
        };
        match result.downcast::<SelectAfterReload>() {
            Ok(s) => {
                self.select_after_reload = Some(s.0);
                self.detail = None;
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
        if self.dir.complete {
            format!("{}/{}", self.view.len(), self.dir.rows.len())
        } else {
            // Only the first page is here; the count says so until the rest arrives
            // (and `benches/peers.sh` waits for the full count to type a search).
            format!("{}/{}", self.view.len().min(self.total), self.total)
        }
    }

    fn hints(&self) -> Vec<Action> {
        self.search.hints(&[Action::Search, Action::Add, Action::Edit, Action::Help])
    }
}
