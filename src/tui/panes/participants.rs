//! The participants pane: a sorted, filtered, searchable list and a detail panel.
//!
//! It owns view state only; rows come from the store, loaded in the background after
//! the first screenful (which is read straight from the name index).

use crate::i18n::{Lang, t};
use crate::model::{Category, Entity, Id, Kind, Meeting, Participant, Partnership};
use crate::search::{Index, NONE, highlight};
use crate::store::{Result, Store};
use crate::tui::keymap::{Action, Context};
use crate::tui::popups;
use crate::tui::theme::Theme;
use crate::tui::view::{Effect, Env, Job, JobResult, View};
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Table, Widget};
use std::collections::HashMap;
use std::sync::Arc;

/// One list row. Organisation, gmina and place are ids into the pane's string pool,
/// so 100 000 rows from a few dozen villages hold each village's name once.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: Id,
    pub name: String,
    pub kind: Kind,
    pub category: Category,
    pub org: u32,
    pub gmina: u32,
    pub place: u32,
    pub last: Option<NaiveDate>,
}

/// Everyone, as the list and the pickers (attendees, partners) need them: rows in
/// name order, the strings they refer to, and the search index. Built off the UI
/// thread and shared by the app (`Env::people`).
#[derive(Default)]
pub struct Directory {
    pub rows: Vec<Row>,
    /// Display strings the rows refer to (organisations, gminas, places).
    pub strings: Vec<String>,
    pub index: Arc<Index>,
    /// False while only the first page is here.
    pub complete: bool,
}

impl Directory {
    /// A pooled string by id.
    pub fn text(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", String::as_str)
    }

    /// Participants matching `q` (folded and fuzzy), best first, at most `limit` of
    /// those `keep` accepts: the capture's attendees and the partnership editor's
    /// leader and members.
    pub fn candidates(&self, q: &str, keep: &dyn Fn(&Row) -> bool, limit: usize) -> Vec<Candidate> {
        let mut out = Vec::new();
        if q.trim().is_empty() {
            return out;
        }
        let hits: Vec<usize> = if self.index.len() == self.rows.len() && !self.index.is_empty() {
            self.index.search(q, None).into_iter().map(|h| h.index).collect()
        } else {
            let fq = crate::search::fold(q);
            (0..self.rows.len()).filter(|&i| crate::search::fold(&self.rows[i].name).contains(&fq)).collect()
        };
        for i in hits {
            let Some(r) = self.rows.get(i) else { continue };
            if !keep(r) {
                continue;
            }
            let hint = [self.text(r.org), self.text(r.place)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            out.push(Candidate { id: r.id, name: r.name.clone(), hint });
            if out.len() == limit {
                break;
            }
        }
        out
    }
}

/// A participant a picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: Id,
    pub name: String,
    /// Organisation or place, to tell namesakes apart.
    pub hint: String,
}

/// Interns display strings (id 0 is the empty string), folding each new one into the
/// search index's pool under the same id, and places rows at their position in the
/// store's name order.
struct Building {
    strings: Vec<String>,
    ids: HashMap<String, u32>,
    rows: Vec<Row>,
    index: Index,
    pos: HashMap<Id, u32>,
}

impl Building {
    fn new(sorted: &[Id]) -> Building {
        let pos = sorted.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
        let mut b =
            Building { strings: Vec::new(), ids: HashMap::new(), rows: Vec::new(), index: Index::default(), pos };
        b.id("");
        b
    }

    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        self.index.add_pool(s);
        i
    }

    fn add(&mut self, p: &Participant, names: &HashMap<Id, String>, last: Option<NaiveDate>) {
        let org =
            p.memberships.iter().filter_map(|m| names.get(&m.org)).map(String::as_str).collect::<Vec<_>>().join(", ");
        let tags = self.id(&p.tags.join(" "));
        let row = Row {
            id: p.id,
            name: p.name.clone(),
            kind: p.kind,
            category: p.category,
            org: self.id(&org),
            gmina: self.id(p.gmina.as_deref().unwrap_or("")),
            place: self.id(p.place.as_deref().unwrap_or("")),
            last,
        };
        let some = |i: u32| if i == 0 { NONE } else { i };
        let key = self.pos.get(&p.id).copied().unwrap_or(u32::MAX);
        self.index.push_keyed(
            key,
            &row.name,
            p.phone.as_deref(),
            [some(row.org), some(row.place), some(row.gmina), some(tags)],
        );
        self.rows.push(row);
    }

    /// Sort rows and index rows, in place, into name order.
    fn finish(mut self, complete: bool) -> Directory {
        let pos = std::mem::take(&mut self.pos);
        self.rows.sort_unstable_by_key(|r| pos.get(&r.id).copied().unwrap_or(u32::MAX));
        drop(pos);
        self.index.sort_by_keys();
        self.strings.shrink_to_fit();
        Directory { rows: self.rows, strings: self.strings, index: Arc::new(self.index), complete }
    }
}

/// The first `n` rows in name order, straight from the index: enough for a first frame.
pub fn first_page(store: &Store, n: usize) -> Result<Directory> {
    let ids = store.ordered_ids(Entity::Participant, 0, n, false)?;
    let mut b = Building::new(&ids);
    for id in &ids {
        if let Some(doc) = store.doc(Entity::Participant, *id)? {
            let p = Participant::from_doc(*id, &doc);
            let mut names = HashMap::new();
            for m in &p.memberships {
                if let Some(d) = store.doc(Entity::Participant, m.org)? {
                    names.insert(m.org, d.string("name").unwrap_or_default());
                }
            }
            b.add(&p, &names, None);
        }
    }
    Ok(b.finish(false))
}

/// All live participants in name order (the store's sorted index), with their search
/// index. Docs are streamed, never all held at once: at 100 000 participants holding
/// them would cost several times the memory of the rows.
pub fn load_all(store: &Store) -> Result<Directory> {
    let mut names = HashMap::new();
    store.for_each_doc(Entity::Participant, |id, d| {
        if d.str("kind") == Some(Kind::Org.code()) {
            names.insert(id, d.string("name").unwrap_or_default());
        }
    })?;
    let last = store.last_contacts()?;
    let mut b = Building::new(&store.ordered_ids(Entity::Participant, 0, usize::MAX, false)?);
    store.for_each_doc(Entity::Participant, |id, d| {
        if !d.is_deleted() {
            b.add(&Participant::from_doc(id, &d), &names, last.get(&id).copied());
        }
    })?;
    Ok(b.finish(true))
}

/// The detail panel of the selected participant.
pub struct Detail {
    pub id: Id,
    /// What the panel shows: contact data, the last few meetings, partnerships.
    pub lines: Vec<(String, String)>,
    /// Everything, for the full view (Enter).
    pub full: Vec<(String, String)>,
}

/// The detail of one participant. `all_meetings` reads every meeting attended for the
/// full view (Enter); the panel, redrawn on every cursor move and search result, reads
/// only the last one. `today` is the app's day, for a municipality's overdue tasks.
pub fn detail(store: &Store, id: Id, lang: Lang, all_meetings: bool, today: NaiveDate) -> Result<Option<Detail>> {
    let Some(doc) = store.doc(Entity::Participant, id)? else { return Ok(None) };
    let p = Participant::from_doc(id, &doc);
    let label = |k: &str| t(lang, k).to_string();
    let dash = |v: Option<&String>| v.cloned().unwrap_or_else(|| "—".into());
    let attended = store.attended(id)?;
    let mut meetings = Vec::new();
    for (mid, date) in attended.iter().take(if all_meetings { 200 } else { 1 }) {
        let title = store
            .doc(Entity::Meeting, *mid)?
            .map(|d| Meeting::from_doc(*mid, &d).display_title(lang))
            .unwrap_or_default();
        meetings.push((label("meeting"), format!("{date} {title}")));
    }
    // The first lines are the same labels in the same rows for everyone, empty or not,
    // so a cursor move rewrites only the values that differ (BENCHMARKS.md); lines
    // that some participants have and others do not come after them.
    let mut lines: Vec<(String, String)> = vec![
        (label("category"), format!("{} ({})", p.category.label(lang), p.category.code())),
        (label("gmina"), dash(p.gmina.as_ref())),
        (label("place"), dash(p.place.as_ref())),
        (label("phone"), dash(p.phone.as_ref())),
        (label("email"), dash(p.email.as_ref())),
        (label("last_contact"), meetings.first().map_or_else(|| "—".into(), |m| m.1.clone())),
        (
            label("meetings"),
            if attended.len() > 1 {
                format!("{} — {}", attended.len(), t(lang, "enter_more"))
            } else {
                attended.len().to_string()
            },
        ),
    ];
    let mut extra = Vec::new();
    for m in &p.memberships {
        let org =
            store.doc(Entity::Participant, m.org)?.and_then(|d| d.string("name")).unwrap_or_else(|| m.org.short());
        let role = m.role.as_ref().map(|r| format!(" — {r}")).unwrap_or_default();
        extra.push((label("org"), format!("{org}{role}")));
    }
    for (pid, d) in store.docs(Entity::Partnership)? {
        let ps = Partnership::from_doc(pid, &d);
        if !ps.deleted && (ps.leader == Some(id) || ps.members.iter().any(|m| m.participant == id)) {
            let role = if ps.leader == Some(id) { format!(" ({})", t(lang, "leader")) } else { String::new() };
            extra.push((label("partnership"), format!("{}{role}", ps.name)));
        }
    }
    if p.category == crate::model::Category::Jst && p.kind == crate::model::Kind::Org {
        // A municipality: where it is on the support path, and its plans' progress.
        extra.extend(crate::plans::summary_of(store, id, lang, today)?);
    }
    if !p.tags.is_empty() {
        extra.push((label("tags"), p.tags.join(", ")));
    }
    if let Some(n) = &p.note {
        extra.push((label("note"), n.clone()));
    }
    lines.extend(extra);
    let mut full = lines.clone();
    full.push((label("kind"), p.kind.label(lang).to_string()));
    full.extend(meetings);
    Ok(Some(Detail { id, lines, full }))
}

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
    pub selected: usize,
    pub offset: usize,
    pub query: String,
    pub searching: bool,
    /// The last search, to narrow when the query grows.
    last_search: Option<(String, Vec<usize>)>,
    pub category: Option<Category>,
    pub gmina: Option<String>,
    pub sort: Sort,
    pub detail: Option<Detail>,
    /// Rows the list showed last frame (for page up/down).
    pub page: usize,
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
            selected: 0,
            offset: 0,
            query: String::new(),
            searching: false,
            last_search: None,
            category: None,
            gmina: None,
            sort: Sort::Name,
            detail: None,
            page: 10,
            search_generation: 0,
            search_job: None,
        }
    }

    /// A pooled string by id.
    pub fn text(&self, id: u32) -> &str {
        self.dir.text(id)
    }

    pub fn selected_id(&self) -> Option<Id> {
        self.view.get(self.selected).map(|&i| self.dir.rows[i].id)
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
                self.selected = p;
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
        if self.query.trim().is_empty() || self.dir.index.len() != self.dir.rows.len() {
            self.view = (0..self.dir.rows.len()).filter(|&i| pass(&self.dir.rows[i])).collect();
            if self.sort == Sort::LastContact {
                let rows = &self.dir.rows;
                self.view.sort_by(|&a, &b| rows[b].last.cmp(&rows[a].last).then(a.cmp(&b)));
            }
        } else {
            // Narrow the previous result when the query only grew.
            let within = match &self.last_search {
                Some((q, hits)) if self.query.starts_with(q.as_str()) && !q.is_empty() => Some(hits.as_slice()),
                _ => None,
            };
            self.search_generation += 1;
            if self.dir.rows.len() >= ASYNC_SEARCH_ROWS {
                self.search_job = Some(SearchJob {
                    generation: self.search_generation,
                    query: self.query.clone(),
                    within: within.map(<[usize]>::to_vec),
                    index: self.dir.index.clone(),
                });
                return;
            }
            let hits = self.dir.index.search(&self.query, within).into_iter().map(|h| h.index).collect();
            let generation = self.search_generation;
            self.search_done(generation, self.query.clone(), hits);
            return;
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
    }

    /// Results of a search: shown if it is still the newest one. Returns whether they were.
    pub fn search_done(&mut self, generation: u64, query: String, hits: Vec<usize>) -> bool {
        if generation != self.search_generation || query != self.query {
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
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
        true
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let max = self.view.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
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
        self.query.clear();
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
        self.page = h;
        self.offset = crate::tui::widgets::scroll_offset(self.selected, self.offset, h);
        let wide = inner.width >= 70;
        let header: Vec<&str> = if wide {
            vec!["", t(lang, "name"), t(lang, "category"), t(lang, "org"), t(lang, "place")]
        } else {
            vec!["", t(lang, "name"), t(lang, "category"), t(lang, "place")]
        };
        let rows: Vec<TRow> = self
            .view
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(h)
            .map(|(pos, &i)| {
                let r = &self.dir.rows[i];
                let sel = pos == self.selected;
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
                    (Cell::from(" "), Cell::from(highlighted(&r.name, &self.query, theme)))
                };
                let mut cells = vec![marker, name, Cell::from(r.category.code())];
                if wide {
                    cells.push(Cell::from(highlighted(self.text(r.org), &self.query, theme)));
                }
                cells.push(Cell::from(highlighted(self.text(r.place), &self.query, theme)));
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
        let title = self.view.get(self.selected).map(|&i| format!(" {} ", self.dir.rows[i].name));
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
        let Some(i) = self.view.get(self.selected).copied() else { return Effect::None };
        let row = &self.dir.rows[i];
        match detail(&env.store, row.id, env.lang, true, env.today) {
            Ok(Some(d)) => Effect::Popup(popups::record(row.name.clone(), d.full)),
            Ok(None) => Effect::None,
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    fn selected_name(&self) -> String {
        self.view.get(self.selected).map(|&i| self.dir.rows[i].name.clone()).unwrap_or_default()
    }

    fn action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        use Action::*;
        if self.searching {
            match action {
                Confirm => self.searching = false,
                Cancel => {
                    self.searching = false;
                    self.query.clear();
                    self.selected = 0;
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
                self.move_by(list_step(action, self.page));
                Effect::None
            }
            Open => self.open_record(env),
            Search => {
                self.searching = true;
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

/// How far a list moves for a movement action, on a page of `page` rows.
pub(crate) fn list_step(action: Action, page: usize) -> isize {
    match action {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => page as isize,
        Action::PageUp => -(page as isize),
        Action::Top => isize::MIN / 2,
        _ => isize::MAX / 2,
    }
}

impl View for Pane {
    fn kind(&self) -> &'static str {
        "participants"
    }

    fn contexts(&self) -> Vec<Context> {
        if self.searching { vec![Context::Search] } else { vec![Context::Participants] }
    }

    fn typing(&self) -> bool {
        self.searching
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        match (popups::form::printable(&ev), ev.code) {
            (Some(c), _) => self.query.push(c),
            (_, KeyCode::Backspace) => {
                self.query.pop();
            }
            _ => return None,
        }
        self.selected = 0;
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

    fn job_done(&mut self, result: JobResult) -> std::result::Result<Effect, JobResult> {
        let result = match result.downcast::<Searched>() {
            Ok(s) => {
                let Searched(generation, query, hits) = *s;
                self.search_running = false;
                self.search_done(generation, query, hits);
                return Ok(Effect::None);
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
        self.searching.then(|| self.query.clone())
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
        if self.searching {
            vec![Action::Confirm, Action::Cancel]
        } else {
            vec![Action::Search, Action::Add, Action::Edit, Action::Help]
        }
    }
}
