//! Pane 4: the partnership graph. Organisations sorted by degree or betweenness; for
//! the selected one an ego view (one or two hops) drawn on a braille canvas with a
//! deterministic layout, its neighbours by weight with why, and its metrics; a second
//! view with the bridges, the isolated participants and the groups; and the graph as it
//! stood at the end of an earlier month.
//!
//! The pane owns view state only. The graph, its scope and metrics are computed in
//! `graph::computed` off the UI thread (a [`Job`] per date and scope, returned as the
//! pane's jobs) and cached per date and scope until the data change
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
mod draw;

pub use draw::metrics_line;

use crate::tui::keymap::{Action, Context};
use crate::tui::popups;
use crate::tui::theme::Theme;
use crate::tui::view::{Effect, Env, Job as ViewJob, JobResult, View};
use crate::tui::widgets::{ListState, SearchLine};
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
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
    pub search: SearchLine,
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
    pub list: ListState,
    selected_id: Option<Id>,
    /// A person picked with `/` stays in the list of organisations as the ego centre.
    pinned: Option<Id>,
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
            search: SearchLine::default(),
            jobs: Vec::new(),
            shown: None,
            error: None,
            at: None,
            sort: SortBy::Degree,
            partnership: None,
            hops: 1,
            structure: false,
            view: Vec::new(),
            list: ListState::default(),
            selected_id: None,
            pinned: None,
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
            // A quick first look; a big graph's centralities are refined after it.
            self.jobs.push(Job {
                generation: self.generation,
                at: self.at,
                scope: self.scope.clone(),
                data: self.data.clone(),
                quick: true,
                refine: None,
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
                if job.quick && c.graph.metrics.sampled.is_some() {
                    // Shown now from a few sources; estimated again from more meanwhile.
                    self.jobs.push(Job {
                        generation: self.generation,
                        at: job.at,
                        scope: scope.clone(),
                        data: Some(c.data.clone()),
                        quick: false,
                        refine: Some(c.clone()),
                    });
                }
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
        self.search.active = true;
        self.search.query.clear();
        self.refresh();
    }

    /// A key while searching; true when it was text for the query.
    pub fn search_key(&mut self, ev: &KeyEvent) -> bool {
        if !self.search.key(ev) {
            return false;
        }
        self.list.selected = 0;
        self.selected_id = None;
        self.refresh();
        true
    }

    /// Enter keeps the node picked as the ego centre; Esc goes back to the list.
    pub fn end_search(&mut self, keep: bool) {
        let picked = self.selected_node().and_then(|n| self.shown.as_ref().map(|c| c.graph.nodes[n].id));
        self.search.active = false;
        self.search.query.clear();
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
        if self.search.active && !self.search.query.trim().is_empty() {
            // Every node (people too), best match first.
            self.view =
                crate::search::search(&c.entries, &self.search.query, None).into_iter().map(|h| h.index).collect();
            self.list.clamp(self.view.len());
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
        self.list.selected = self
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
        self.view.get(self.list.selected).copied()
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.list.move_by(delta, self.view.len()) {
            self.remember();
        }
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
        if self.search.active {
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
            Down | Up | PageDown | PageUp | Top | Bottom => self.move_by(self.list.step(action)),
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
        self.search.contexts(Context::Graph)
    }

    fn typing(&self) -> bool {
        self.search.active
    }

    fn on_text(&mut self, _env: &Env, ev: KeyEvent) -> Option<Effect> {
        self.search_key(&ev).then_some(Effect::None)
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

    fn job_done(&mut self, _env: &Env, result: JobResult) -> std::result::Result<Effect, JobResult> {
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
        self.search.hints(&[Action::Search, Action::Add, Action::OrgsOnly, Action::Hops, Action::Structure])
    }
}
