//! Pane 4: the partnership graph. Organisations sorted by degree or betweenness; for
//! the selected one an ego view (one or two hops) drawn on a braille canvas with a
//! deterministic layout, its neighbours by weight with why, and its metrics; a second
//! view with the bridges, the isolated participants and the groups; and the graph as it
//! stood at the end of an earlier month.
//!
//! The pane owns view state only. The graph, its scope and metrics are computed in
//! `graph::computed` off the UI thread ([`Job`], run by the loop; [`compute`] directly
//! in tests) and cached per date and scope until the data change
//! ([`Pane::data_changed`]); the records are read once per data generation and shared
//! by later jobs (another month, another scope). `o` and `g` change the scope. The ego
//! view's layout is `graph::layout`'s.

pub use crate::graph::computed::{
    BUDGET, Computed, EVERYONE_MAX, Job, auto_graph, auto_scope, compute, compute_from, compute_in,
};
pub use crate::graph::layout::{EgoLayout, Placed, ego_layout, short};
use crate::graph::{Data, Graph, Scope, month_end};
use crate::i18n::{Lang, t};
use crate::model::{Id, Kind};
use crate::store::Result;
use crate::tui::keymap::{Action, Context};
use crate::tui::popups;
use crate::tui::theme::Theme;
use crate::tui::view::{Effect, Env, Job as ViewJob, JobResult, View};
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Table, Widget};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Degree,
    Betweenness,
}

/// A word for the pane (`Effect::Tell`): the partnership filtered on was deleted.
pub struct PartnershipDeleted;

type Key = (Option<NaiveDate>, Option<Scope>);

pub struct Pane {
    /// Bumped when the data change; results of older jobs are dropped.
    pub generation: u64,
    cache: HashMap<Key, Arc<Computed>>,
    requested: HashSet<Key>,
    /// The records of this generation, once a job has read them.
    data: Option<Arc<Data>>,
    /// The participants shown; None until the first result says (see [`auto_scope`]).
    pub scope: Option<Scope>,
    /// `/`: typing a name to pick the ego centre among all the nodes.
    pub searching: bool,
    pub query: String,
    /// Jobs for the loop to start.
    pub jobs: Vec<Job>,
    /// What the pane draws: the newest result for `at`, or the last one while the
    /// next is computed.
    pub shown: Option<Arc<Computed>>,
    pub error: Option<String>,
    /// The graph at the end of this month; None: now.
    pub at: Option<NaiveDate>,
    pub sort: SortBy,
    /// Only the organisations of this partnership (index into `partnerships`).
    pub partnership: Option<usize>,
    pub hops: usize,
    /// Show the bridges, isolated participants and groups instead of the ego view.
    pub structure: bool,
    /// Organisation nodes, sorted.
    pub view: Vec<usize>,
    pub selected: usize,
    selected_id: Option<Id>,
    /// A person picked with `/` stays in the list of organisations as the ego centre.
    pinned: Option<Id>,
    pub offset: usize,
    pub page: usize,
}

impl Default for Pane {
    fn default() -> Self {
        Pane::new()
    }
}

impl Pane {
    pub fn new() -> Pane {
        Pane {
            generation: 0,
            cache: HashMap::new(),
            requested: HashSet::new(),
            data: None,
            scope: None,
            searching: false,
            query: String::new(),
            jobs: Vec::new(),
            shown: None,
            error: None,
            at: None,
            sort: SortBy::Degree,
            partnership: None,
            hops: 1,
            structure: false,
            view: Vec::new(),
            selected: 0,
            selected_id: None,
            pinned: None,
            offset: 0,
            page: 10,
        }
    }

    fn key(&self) -> Key {
        (self.at, self.scope.clone())
    }

    /// Whether the graph for `at` is still being computed.
    pub fn computing(&self) -> bool {
        !self.cache.contains_key(&self.key())
    }

    /// Ask for the graph on `at` unless it is cached or on its way.
    pub fn ensure(&mut self) {
        if let Some(c) = self.cache.get(&self.key()) {
            if !self.shown.as_ref().is_some_and(|s| Arc::ptr_eq(s, c)) {
                self.shown = Some(c.clone());
                self.refresh();
            }
            return;
        }
        if self.requested.insert(self.key()) {
            self.jobs.push(Job {
                generation: self.generation,
                at: self.at,
                scope: self.scope.clone(),
                data: self.data.clone(),
            });
        }
    }

    /// The data changed: everything cached is stale.
    pub fn data_changed(&mut self) {
        self.generation += 1;
        self.cache.clear();
        self.requested.clear();
        self.jobs.clear();
        self.data = None;
    }

    /// A job finished; true when the pane changed.
    pub fn ready(&mut self, job: Job, result: Result<Computed>) -> bool {
        if job.generation != self.generation {
            return false;
        }
        self.requested.remove(&(job.at, job.scope.clone()));
        match result {
            Err(e) => {
                self.error = Some(e.to_string());
                true
            }
            Ok(c) => {
                self.error = None;
                self.data = Some(c.data.clone());
                let c = Arc::new(c);
                // The first job chose the scope: from now on it is the pane's.
                let scope = Some(c.scope.clone());
                if job.scope.is_none() && self.scope.is_none() {
                    self.scope = scope.clone();
                }
                self.cache.insert((job.at, scope.clone()), c.clone());
                if job.at == self.at && scope == self.scope {
                    self.shown = Some(c);
                    self.refresh();
                    true
                } else {
                    false
                }
            }
        }
    }

    /// `o`: organisations only, or everyone (in the same gmina).
    pub fn toggle_orgs(&mut self) {
        let mut s = self.current_scope();
        s.orgs = !s.orgs;
        self.scope = Some(s);
        self.ensure();
    }

    /// `g`: the next gmina, after the last one the whole area.
    pub fn next_gmina(&mut self) {
        let gminas = self.shown.as_ref().map(|c| c.gminas.clone()).unwrap_or_default();
        let mut s = self.current_scope();
        let pos = s.gmina.as_deref().and_then(|g| gminas.iter().position(|x| x == g));
        s.gmina = match pos {
            None => gminas.first().cloned(),
            Some(i) => gminas.get(i + 1).cloned(),
        };
        self.scope = Some(s);
        self.ensure();
    }

    /// The scope shown (or about to be).
    pub fn current_scope(&self) -> Scope {
        self.scope.clone().or_else(|| self.shown.as_ref().map(|c| c.scope.clone())).unwrap_or_default()
    }

    /// The partnership to edit: the one filtered on, else the only one the selected
    /// organisation is in.
    pub fn partnership_to_edit(&self) -> Option<Id> {
        let c = self.shown.as_ref()?;
        if let Some(p) = self.partnership.and_then(|p| c.partnerships.get(p)) {
            return Some(p.2);
        }
        let n = self.selected_node()?;
        let mut of = c.partnerships.iter().filter(|p| p.1.binary_search(&n).is_ok());
        match (of.next(), of.next()) {
            (Some(p), None) => Some(p.2),
            _ => None,
        }
    }

    /// `/`: start typing a name.
    pub fn start_search(&mut self) {
        self.searching = true;
        self.query.clear();
        self.refresh();
    }

    /// A key while searching; true when it was text for the query.
    pub fn search_key(&mut self, printable: Option<char>, backspace: bool) -> bool {
        match (printable, backspace) {
            (Some(c), _) => self.query.push(c),
            (None, true) => {
                self.query.pop();
            }
            _ => return false,
        }
        self.selected = 0;
        self.selected_id = None;
        self.refresh();
        true
    }

    /// Enter keeps the node picked as the ego centre; Esc goes back to the list.
    pub fn end_search(&mut self, keep: bool) {
        let picked = self.selected_node().and_then(|n| self.shown.as_ref().map(|c| c.graph.nodes[n].id));
        self.searching = false;
        self.query.clear();
        if keep {
            self.selected_id = picked;
            self.pinned = picked;
        }
        self.refresh();
    }

    /// Rebuild the sorted list after a new graph, sort or filter.
    pub fn refresh(&mut self) {
        let Some(c) = self.shown.clone() else { return };
        let g = &c.graph;
        let m = &g.metrics;
        if self.partnership.is_some_and(|p| p >= c.partnerships.len()) {
            self.partnership = None;
        }
        let only: Option<&Vec<usize>> = self.partnership.and_then(|p| c.partnerships.get(p).map(|x| &x.1));
        if self.searching && !self.query.trim().is_empty() {
            // Every node (people too), best match first.
            self.view = crate::search::search(&c.entries, &self.query, None).into_iter().map(|h| h.index).collect();
            self.selected = self.selected.min(self.view.len().saturating_sub(1));
            self.remember();
            return;
        }
        let pinned = self.pinned.and_then(|id| g.node_of(id));
        let mut view: Vec<usize> = (0..g.nodes.len())
            .filter(|&i| g.nodes[i].kind == Kind::Org || Some(i) == pinned)
            .filter(|i| only.is_none_or(|o| o.binary_search(i).is_ok()))
            .collect();
        let deg = |i: usize| m.degree.get(i).copied().unwrap_or(0);
        let btw = |i: usize| m.betweenness.get(i).copied().unwrap_or(0.0);
        view.sort_by(|&x, &y| {
            let primary = match self.sort {
                SortBy::Degree => deg(y).cmp(&deg(x)).then(btw(y).total_cmp(&btw(x))),
                SortBy::Betweenness => btw(y).total_cmp(&btw(x)).then(deg(y).cmp(&deg(x))),
            };
            primary.then_with(|| g.nodes[x].name.cmp(&g.nodes[y].name)).then(x.cmp(&y))
        });
        self.view = view;
        self.selected = self
            .selected_id
            .and_then(|id| self.view.iter().position(|&i| g.nodes[i].id == id))
            .unwrap_or(0)
            .min(self.view.len().saturating_sub(1));
        self.remember();
    }

    fn remember(&mut self) {
        let id = self.selected_node().and_then(|n| self.shown.as_ref().map(|c| c.graph.nodes[n].id));
        if id.is_some() {
            self.selected_id = id;
        }
    }

    /// The selected organisation's node.
    pub fn selected_node(&self) -> Option<usize> {
        self.view.get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        self.selected = (self.selected as isize).saturating_add(delta).clamp(0, self.view.len() as isize - 1) as usize;
        self.remember();
    }

    pub fn toggle_sort(&mut self) {
        self.sort = match self.sort {
            SortBy::Degree => SortBy::Betweenness,
            SortBy::Betweenness => SortBy::Degree,
        };
        self.refresh();
    }

    pub fn toggle_hops(&mut self) {
        self.hops = if self.hops == 1 { 2 } else { 1 };
    }

    pub fn next_partnership(&mut self) {
        let n = self.shown.as_ref().map_or(0, |c| c.partnerships.len());
        self.partnership = match self.partnership {
            None if n > 0 => Some(0),
            Some(p) if p + 1 < n => Some(p + 1),
            _ => None,
        };
        self.refresh();
    }

    /// Step the date a month back (`back`) or forward; forward from the last month is now.
    pub fn step(&mut self, back: bool) {
        let months: Vec<NaiveDate> = self.shown.as_ref().map(|c| c.months.clone()).unwrap_or_default();
        if months.is_empty() {
            return;
        }
        // "Now" counts as the month after the last with evidence.
        let pos = match self.at {
            None => months.len(),
            Some(at) => months.iter().position(|m| month_end(*m) == at).unwrap_or(months.len()),
        };
        let pos = if back { pos.saturating_sub(1) } else { (pos + 1).min(months.len()) };
        self.at = months.get(pos).map(|m| month_end(*m));
        self.ensure();
    }

    /// Back to the whole list, now.
    pub fn clear(&mut self) {
        self.partnership = None;
        self.pinned = None;
        self.structure = false;
        self.at = None;
        self.ensure();
        self.refresh();
    }

    /// Everything about the selected organisation's ties, for the record window.
    pub fn record(&self, lang: Lang) -> Option<(String, Vec<(String, String)>)> {
        let c = self.shown.as_ref()?;
        let n = self.selected_node()?;
        let g = &c.graph;
        let mut lines = vec![(t(lang, "graph_metrics").to_string(), metrics_line(g, n, lang))];
        for (w, e) in g.neighbours(n) {
            lines.push((format!("{} ({})", g.nodes[w].name, e.weight()), e.why(lang)));
        }
        Some((g.nodes[n].name.clone(), lines))
    }

    fn when(&self, lang: Lang) -> String {
        match self.at {
            Some(d) => format!("{} {}", t(lang, "graph_as_of"), d.format("%Y-%m")),
            None => t(lang, "graph_now").to_string(),
        }
    }

    /// Draw the pane into the main area.
    pub fn draw(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        if area.width < 20 || area.height < 4 {
            return;
        }
        if self.structure {
            self.render_structure(area, buf, theme, lang);
            return;
        }
        let list_w = if area.width >= 100 { 36 } else { (area.width * 3 / 8).max(16) };
        let [list, right] = Layout::horizontal([Constraint::Length(list_w), Constraint::Fill(1)]).areas(area);
        self.render_list(list, buf, theme, lang);
        let [ego, info] = Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(right);
        self.render_ego(ego, buf, theme, lang);
        self.render_info(info, buf, theme, lang);
    }

    fn render_list(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let scope = self.current_scope();
        let mut name = self
            .partnership
            .and_then(|p| self.shown.as_ref().and_then(|c| c.partnerships.get(p).map(|x| x.0.clone())))
            .or_else(|| scope.gmina.clone())
            .unwrap_or_else(|| t(lang, "graph_orgs").to_string());
        if scope.orgs && self.partnership.is_none() && scope.gmina.is_none() {
            name = t(lang, "graph_orgs_only").to_string();
        } else if scope.orgs {
            name = format!("{name}, {}", t(lang, "graph_no_people"));
        }
        if self.searching {
            name = format!("/{}", self.query);
        }
        let count = self.view.len().to_string();
        let room = (area.width as usize).saturating_sub(7 + count.len());
        let title = format!(" {} ({count}) ", short(&name, room));
        let Some((inner, h)) = crate::tui::widgets::list_frame(area, buf, theme, title) else { return };
        self.page = h;
        if self.shown.is_none() {
            let msg = self.error.clone().unwrap_or_else(|| t(lang, "graph_computing").to_string());
            Paragraph::new(msg).render(Rect { height: 1, ..inner }, buf);
            return;
        }
        let Some(c) = self.shown.clone() else { return };
        let m = &c.graph.metrics;
        self.offset = crate::tui::widgets::scroll_offset(self.selected, self.offset, h);
        let rows: Vec<TRow> = self
            .view
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(h)
            .map(|(pos, &i)| {
                let sel = pos == self.selected;
                let row = TRow::new(vec![
                    Cell::from(if sel { ">" } else { " " }),
                    Cell::from(c.graph.nodes[i].name.clone()),
                    Cell::from(format!("{:>3}", m.degree.get(i).copied().unwrap_or(0))),
                    Cell::from(format!("{:.3}", m.betweenness.get(i).copied().unwrap_or(0.0))),
                ]);
                if sel { row.style(theme.selected()) } else { row }
            })
            .collect();
        let mark = |s: SortBy, key: &str| {
            let label = t(lang, key);
            if self.sort == s { format!("{label}↓") } else { label.to_string() }
        };
        let header = TRow::new(vec![
            Cell::from(""),
            Cell::from(t(lang, "org")),
            Cell::from(mark(SortBy::Degree, "graph_degree_short")),
            Cell::from(mark(SortBy::Betweenness, "graph_betweenness_short")),
        ])
        .style(theme.header());
        Table::new(rows, [Constraint::Length(1), Constraint::Fill(1), Constraint::Length(4), Constraint::Length(6)])
            .header(header)
            .column_spacing(1)
            .render(inner, buf);
    }

    fn render_ego(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let mut title = format!(" {} · {} · {}", t(lang, "graph_ego"), self.hops_label(lang), self.when(lang));
        let layout = match (self.shown.as_ref(), self.selected_node()) {
            (Some(c), Some(center)) if area.width >= 10 && area.height >= 5 => {
                let l = ego_layout(&c.graph, center, self.hops, area.width - 2, area.height - 2);
                let all = c.graph.ego(center, self.hops).len().saturating_sub(1);
                title.push_str(&format!(" · {}/{all}", l.nodes.len() - 1));
                Some(l)
            }
            _ => None,
        };
        let inner = self.frame(title, area, buf, theme, lang);
        let Some(layout) = layout else { return };
        let (w, h) = (inner.width as f64, inner.height as f64);
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let canvas = Canvas::default()
            .marker(if theme.ascii { Marker::Dot } else { Marker::Braille })
            .x_bounds([0.0, w])
            .y_bounds([0.0, h])
            .paint(|ctx| {
                for (a, b) in &layout.lines {
                    let (pa, pb) = (&layout.nodes[*a], &layout.nodes[*b]);
                    ctx.draw(&CanvasLine::new(pa.x, pa.y, pb.x, pb.y, ratatui::style::Color::Reset));
                }
                for n in &layout.nodes {
                    let style = match n.hop {
                        0 => theme.selected(),
                        1 if n.org => bold,
                        _ => Style::default(),
                    };
                    ctx.print(n.label_x, n.y, Line::from(Span::styled(n.label.clone(), style)));
                }
            });
        canvas.render(inner, buf);
    }

    fn hops_label(&self, lang: Lang) -> &'static str {
        if self.hops == 1 { t(lang, "graph_one_hop") } else { t(lang, "graph_two_hops") }
    }

    fn render_info(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let (Some(c), Some(n)) = (self.shown.as_ref(), self.selected_node()) else {
            Block::default().borders(Borders::ALL).border_set(theme.border()).render(area, buf);
            return;
        };
        let g = &c.graph;
        let neighbours = g.neighbours(n);
        let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(format!(
            " {} ({}) ",
            t(lang, "graph_neighbours"),
            neighbours.len()
        ));
        let inner = block.inner(area);
        block.render(area, buf);
        let width = inner.width as usize;
        let mut lines = vec![Line::from(Span::styled(short(&metrics_line(g, n, lang), width), theme.key()))];
        let name_w = (width / 3).clamp(6, 24);
        for (w, e) in neighbours.iter().take(inner.height.saturating_sub(1) as usize) {
            let head = format!("{:>2} {:<name_w$} ", e.weight(), short(&g.nodes[*w].name, name_w));
            let why = short(&e.why(lang), width.saturating_sub(head.width()));
            lines.push(Line::from(vec![Span::raw(head), Span::styled(why, theme.dim())]));
        }
        if neighbours.is_empty() {
            lines.push(Line::from(t(lang, "graph_no_ties")));
        }
        Paragraph::new(lines).render(inner, buf);
    }

    /// Draw a bordered frame titled `title` (plus "computing…" while a job runs) and
    /// return the area inside it.
    fn frame(&self, mut title: String, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) -> Rect {
        if self.computing() {
            title.push_str(&format!(" · {}", t(lang, "graph_computing")));
        }
        title.push(' ');
        let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        inner
    }

    fn render_structure(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let title = format!(" {} · {}", t(lang, "graph_structure"), self.when(lang));
        let inner = self.frame(title, area, buf, theme, lang);
        let Some(c) = self.shown.as_ref() else { return };
        let g = &c.graph;
        let m = &g.metrics;
        let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(inner);
        let lw = left.width.saturating_sub(1) as usize;
        let rw = right.width as usize;
        // Bridges: cut vertices and the highest betweenness.
        let bridges = g.bridges(left.height.saturating_sub(2) as usize);
        let mut l = vec![Line::from(Span::styled(t(lang, "graph_bridges"), theme.header()))];
        for b in &bridges {
            let cut = if m.cut_vertices.binary_search(b).is_ok() { "*" } else { " " };
            let tail = format!(" {:.3} {cut}", m.betweenness.get(*b).copied().unwrap_or(0.0));
            let name = short(&g.nodes[*b].name, lw.saturating_sub(tail.width()));
            l.push(Line::from(format!("{name:<w$}{tail}", w = lw.saturating_sub(tail.width()))));
        }
        if bridges.is_empty() {
            l.push(Line::from(t(lang, "graph_none")));
        }
        l.push(Line::from(Span::styled(format!("* {}", t(lang, "graph_cut")), theme.dim())));
        Paragraph::new(l).render(left, buf);
        // Isolated, then groups.
        let half = right.height / 2;
        let [top, bottom] = Layout::vertical([Constraint::Length(half), Constraint::Fill(1)]).areas(right);
        let mut r = vec![Line::from(Span::styled(
            format!("{} ({})", t(lang, "graph_isolated"), m.isolated.len()),
            theme.header(),
        ))];
        let room = top.height.saturating_sub(1) as usize;
        let mut names: Vec<&str> = m.isolated.iter().map(|&i| g.nodes[i].name.as_str()).collect();
        names.sort_unstable();
        for (k, name) in names.iter().enumerate().take(room) {
            if k + 1 == room && names.len() > room {
                r.push(Line::from(format!("… +{}", names.len() - k)));
                break;
            }
            r.push(Line::from(short(name, rw)));
        }
        Paragraph::new(r).render(top, buf);
        let mut gl =
            vec![Line::from(Span::styled(format!("{} ({})", t(lang, "graph_groups"), m.groups.len()), theme.header()))];
        let deg = |i: usize| m.degree.get(i).copied().unwrap_or(0);
        // The last line: the month's growth, "2024-05: org. 12 (+2) · pow. 40 (+5)".
        let growth = c.growth.last().filter(|_| bottom.height >= 3).map(|mo| {
            format!(
                "{}: {} {} (+{}) · {} {} (+{})",
                mo.month,
                t(lang, "graph_orgs_short"),
                mo.orgs,
                mo.new_orgs,
                t(lang, "graph_links_short"),
                mo.links,
                mo.new_links
            )
        });
        let reserved = u16::from(growth.is_some());
        if let Some(line) = growth {
            let y = bottom.y + bottom.height - 1;
            Paragraph::new(Span::styled(short(&line, rw), theme.key())).render(Rect { y, height: 1, ..bottom }, buf);
        }
        let bottom = Rect { height: bottom.height - reserved, ..bottom };
        for group in m.groups.iter().take(bottom.height.saturating_sub(1) as usize) {
            let mut top3 = group.clone();
            top3.sort_by(|&x, &y| deg(y).cmp(&deg(x)).then(x.cmp(&y)));
            let names: Vec<&str> = top3.iter().take(3).map(|&i| g.nodes[i].name.as_str()).collect();
            gl.push(Line::from(short(&format!("{:>3}: {}", group.len(), names.join(", ")), rw)));
        }
        Paragraph::new(gl).render(bottom, buf);
    }
}

/// "st. 5 · pośr. 0.123 · blisk. 0.456 · punkt cięcia" (the last for cut vertices).
pub fn metrics_line(g: &Graph, n: usize, lang: Lang) -> String {
    let m = &g.metrics;
    let mut s = format!(
        "{} {} · {} {:.3} · {} {:.3}",
        t(lang, "graph_degree_short"),
        m.degree.get(n).copied().unwrap_or(0),
        t(lang, "graph_betweenness_short"),
        m.betweenness.get(n).copied().unwrap_or(0.0),
        t(lang, "graph_closeness_short"),
        m.closeness.get(n).copied().unwrap_or(0.0),
    );
    if m.cut_vertices.binary_search(&n).is_ok() {
        s.push_str(&format!(" · {}", t(lang, "graph_cut")));
    }
    s
}

/// A graph job's result.
struct GraphDone(Job, Result<Computed>);

impl Pane {
    /// The graphs asked for, as jobs: the records read with the store, the graph and
    /// its metrics computed after, on a thread that holds no store.
    fn jobs_effect(&mut self) -> Effect {
        let jobs: Vec<Effect> = std::mem::take(&mut self.jobs)
            .into_iter()
            .map(|job| {
                Effect::Job(ViewJob::then(
                    move |s| {
                        let data = job.load(s);
                        (job, data)
                    },
                    |(job, data)| match data {
                        Ok(data) => {
                            let computed = job.compute(data);
                            GraphDone(job, Ok(computed))
                        }
                        Err(e) => GraphDone(job, Err(e)),
                    },
                ))
            })
            .collect();
        match jobs.len() {
            0 => Effect::None,
            _ => Effect::Many(jobs),
        }
    }

    fn action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        use Action::*;
        if self.searching {
            match action {
                Confirm => self.end_search(true),
                Cancel => self.end_search(false),
                Down => self.move_by(1),
                Up => self.move_by(-1),
                _ => {}
            }
            return Some(Effect::None);
        }
        match action {
            Down | Up | PageDown | PageUp | Top | Bottom => {
                self.move_by(crate::tui::panes::participants::list_step(action, self.page))
            }
            Sort => self.toggle_sort(),
            Hops => self.toggle_hops(),
            Structure => self.structure = !self.structure,
            MonthBack => self.step(true),
            MonthForward => self.step(false),
            FilterPartnership => self.next_partnership(),
            Search => self.start_search(),
            OrgsOnly => self.toggle_orgs(),
            FilterGmina => self.next_gmina(),
            Add => return Some(popups::partnership::open(env, None)),
            Edit => {
                return Some(match self.partnership_to_edit() {
                    Some(id) => popups::partnership::open(env, Some(id)),
                    None => Effect::Status(t(env.lang, "choose_partnership").to_string()),
                });
            }
            Delete => return Some(popups::partnership::ask_delete(env, self.partnership_to_edit())),
            Clear => self.clear(),
            Open => {
                return Some(match self.record(env.lang) {
                    Some((title, lines)) => Effect::Popup(popups::record(title, lines)),
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
        "partnerships"
    }

    fn contexts(&self) -> Vec<Context> {
        if self.searching { vec![Context::Search] } else { vec![Context::Graph] }
    }

    fn typing(&self) -> bool {
        self.searching
    }

    fn on_text(&mut self, _env: &Env, ev: KeyEvent) -> Option<Effect> {
        let backspace = ev.code == KeyCode::Backspace;
        self.search_key(popups::form::printable(&ev), backspace).then_some(Effect::None)
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        let effect = self.action(env, action)?;
        Some(match self.jobs_effect() {
            Effect::None => effect,
            jobs => Effect::Many(vec![effect, jobs]),
        })
    }

    fn activate(&mut self, _env: &Env) -> Effect {
        self.ensure();
        self.jobs_effect()
    }

    fn data_changed(&mut self) {
        Pane::data_changed(self);
    }

    fn selected(&self) -> Option<Id> {
        let n = self.selected_node()?;
        self.shown.as_ref().map(|c| c.graph.nodes[n].id)
    }

    fn job_done(&mut self, result: JobResult) -> std::result::Result<Effect, JobResult> {
        let result = match result.downcast::<GraphDone>() {
            Ok(g) => {
                let GraphDone(job, r) = *g;
                self.ready(job, r);
                return Ok(self.jobs_effect());
            }
            Err(r) => r,
        };
        match result.downcast::<PartnershipDeleted>() {
            Ok(_) => {
                self.partnership = None;
                Ok(Effect::None)
            }
            Err(r) => Err(r),
        }
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        self.draw(area, buf, &env.theme, env.lang);
    }

    fn count(&self) -> String {
        self.view.len().to_string()
    }

    fn hints(&self) -> Vec<Action> {
        if self.searching {
            vec![Action::Confirm, Action::Cancel]
        } else {
            vec![Action::Search, Action::Add, Action::OrgsOnly, Action::Hops, Action::Structure]
        }
    }
}
