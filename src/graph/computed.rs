//! The partnership graph as pane 4 shows it: over which participants (the scope the
//! pane starts on is picked by the size of the data, [`auto_graph`]), with its metrics
//! and the lists beside it, computed by a [`Job`] off the UI thread.
//!
//! The first job picks the scope: everyone, or organisations only, or the organisations
//! of the gmina with the most of them — the first whose centralities are within
//! [`BUDGET`] (they cost about nodes × edges per group: at 100 000 participants the
//! people of one gmina alone take minutes).

use super::{Data, Graph, Options, Scope};
use crate::model::{Id, Kind};
use crate::search::Entry;
use crate::store::{Result, Store};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;

/// The graph as it stood on one date, and what the pane lists besides.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    pub graph: Graph,
    /// First days of the months with dated evidence, for stepping back.
    pub months: Vec<NaiveDate>,
    /// Partnerships by name, each with the nodes of its leader and members, and its id.
    pub partnerships: Vec<(String, Vec<usize>, Id)>,
    /// Organisations engaged and links formed per month, up to the date.
    pub growth: Vec<super::Month>,
    /// The participants the graph is drawn over.
    pub scope: Scope,
    /// Every gmina participants are in, for stepping the scope.
    pub gminas: Vec<String>,
    /// The records it was computed from (shared with the next jobs of this generation).
    pub data: Arc<Data>,
    /// The nodes' names, folded, for `/`.
    pub entries: Vec<Entry>,
}

/// Read the store and compute the graph on `at` (None: everything up to now).
pub fn compute(store: &Store, at: Option<NaiveDate>) -> Result<Computed> {
    Ok(compute_from(&Data::load(store)?, at))
}

/// The graph of `data` on `at`, with its metrics.
pub fn compute_from(data: &Data, at: Option<NaiveDate>) -> Computed {
    compute_in(Arc::new(data.clone()), at, &Scope::default())
}

/// The most centrality work ([`Graph::centrality_cost`]) the pane starts on by itself:
/// that of 2 000 organisations with 20 000 links, under a second in a release build.
pub const BUDGET: u64 = 2_000 * 20_000;

/// More participants than this and "everyone" is not tried: building that graph alone
/// takes seconds (the 100 000-participant demo: 690 000 links, 60 billion of work).
pub const EVERYONE_MAX: usize = 20_000;

/// The scope the pane starts on for `data`; see [`auto_graph`].
pub fn auto_scope(data: &Data) -> Scope {
    auto_graph(data, None, BUDGET).0
}

/// The first scope whose graph's centralities cost at most `budget`: everyone (up to
/// [`EVERYONE_MAX`] participants), then
/// organisations only, then the organisations of the gmina with the most of them (taken
/// whatever its cost, as the smallest sensible view). With its graph, metrics not yet
/// computed.
pub fn auto_graph(data: &Data, at: Option<NaiveDate>, budget: u64) -> (Scope, Graph) {
    let opts = Options { at, ..Options::default() };
    if data.participants.len() <= EVERYONE_MAX {
        let everyone = Graph::edges_in(data, &opts, &Scope::default());
        if everyone.centrality_cost() <= budget {
            return (Scope::default(), everyone);
        }
    }
    let orgs = Scope { orgs: true, gmina: None };
    let g = Graph::edges_in(data, &opts, &orgs);
    if g.centrality_cost() <= budget {
        return (orgs, g);
    }
    let mut per: HashMap<String, (usize, String)> = HashMap::new();
    for p in data.participants.iter().filter(|p| p.kind == Kind::Org) {
        if let Some(g) = p.gmina.as_deref().filter(|g| !g.trim().is_empty()) {
            per.entry(crate::search::fold(g)).or_insert_with(|| (0, g.trim().to_string())).0 += 1;
        }
    }
    let best = per.into_values().max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1))).map(|(_, g)| g);
    let Some(gmina) = best else { return (orgs, g) };
    let scope = Scope { orgs: true, gmina: Some(gmina) };
    let g = Graph::edges_in(data, &opts, &scope);
    (scope, g)
}

/// The graph of `data` over `scope` on `at`, with its metrics.
pub fn compute_in(data: Arc<Data>, at: Option<NaiveDate>, scope: &Scope) -> Computed {
    let graph = Graph::edges_in(&data, &Options { at, ..Options::default() }, scope);
    finish(data, graph, scope)
}

/// What a first look at a big graph may spend on its centralities: a fifth of
/// [`BUDGET`], so that "everyone" at 100 000 shows within a second, estimated from
/// about ten sources; a second job refines it ([`Job::refine`]).
pub const QUICK: u64 = BUDGET / 5;

/// Metrics and the lists beside them for a graph built over `scope`.
fn finish(data: Arc<Data>, mut graph: Graph, scope: &Scope) -> Computed {
    finish_within(data, graph_with(&mut graph, BUDGET), scope)
}

fn graph_with(graph: &mut Graph, budget: u64) -> Graph {
    graph.compute_within(budget);
    std::mem::take(graph)
}

fn finish_within(data: Arc<Data>, graph: Graph, scope: &Scope) -> Computed {
    let index: HashMap<Id, usize> = graph.nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut partnerships: Vec<(String, Vec<usize>, Id)> = data
        .partnerships
        .iter()
        .map(|p| {
            let mut v: Vec<usize> = p
                .leader
                .into_iter()
                .chain(p.members.iter().map(|m| m.participant))
                .filter_map(|id| index.get(&id).copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            (p.name.clone(), v, p.id)
        })
        .collect();
    partnerships.sort_by(|a, b| a.0.cmp(&b.0));
    let growth = super::growth(&graph);
    let entries = graph.nodes.iter().map(|n| Entry::new([n.name.as_str()])).collect();
    Computed {
        graph,
        months: data.months(),
        partnerships,
        growth,
        scope: scope.clone(),
        gminas: data.gminas(),
        data,
        entries,
    }
}

/// Work for the loop: the graph of data generation `generation` on `at` over `scope`
/// (None: the pane's first job, which picks the scope from the size of the data).
#[derive(Debug, Clone, Default)]
pub struct Job {
    pub generation: u64,
    pub at: Option<NaiveDate>,
    pub scope: Option<Scope>,
    /// The records, when an earlier job of this generation read them.
    pub data: Option<Arc<Data>>,
    /// A first look: centralities within [`QUICK`], refined by a second job.
    pub quick: bool,
    /// A second look at this result: its centralities again within [`BUDGET`].
    pub refine: Option<Arc<Computed>>,
}

impl Job {
    /// The records: those already read, or read now (the slow part on a big database).
    pub fn load(&self, store: &Store) -> Result<Arc<Data>> {
        match &self.data {
            Some(d) => Ok(d.clone()),
            None => Ok(Arc::new(Data::load(store)?)),
        }
    }

    /// The graph and its metrics (no store: the loop runs this on its own thread).
    pub fn compute(&self, data: Arc<Data>) -> Computed {
        if let Some(first) = &self.refine {
            let mut graph = first.graph.clone();
            graph.compute_within(BUDGET);
            return Computed {
                graph,
                months: first.months.clone(),
                partnerships: first.partnerships.clone(),
                growth: first.growth.clone(),
                scope: first.scope.clone(),
                gminas: first.gminas.clone(),
                data: first.data.clone(),
                entries: first.entries.clone(),
            };
        }
        let budget = if self.quick { QUICK } else { BUDGET };
        let (scope, mut graph) = match &self.scope {
            Some(scope) => {
                (scope.clone(), Graph::edges_in(&data, &Options { at: self.at, ..Options::default() }, scope))
            }
            None => auto_graph(&data, self.at, BUDGET),
        };
        finish_within(data, graph_with(&mut graph, budget), &scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(name: &str, kind: Kind, gmina: &str) -> crate::model::Participant {
        crate::model::Participant {
            gmina: Some(gmina.into()),
            ..crate::model::Participant::new(Id::new(), kind, name, crate::model::Category::Ngo)
        }
    }

    #[test]
    fn the_first_scope_within_the_budget_is_taken() {
        let mut data = Data::default();
        let mut ids = Vec::new();
        for (i, gmina) in ["Zwierzyn", "Dobiegniew", "Dobiegniew"].iter().enumerate() {
            let o = org(&format!("Org {i}"), Kind::Org, gmina);
            ids.push(o.id);
            data.participants.push(o);
        }
        for i in 0..4 {
            let p = org(&format!("Osoba {i}"), Kind::Person, "Dobiegniew");
            ids.push(p.id);
            data.participants.push(p);
        }
        // One meeting of everyone; the organisations met once more.
        let meeting = |who: &[Id]| crate::graph::tests::meeting_on(None, who);
        data.meetings.push(meeting(&ids));
        // Everyone: 7 nodes, 21 edges; organisations: 3 and 3; Dobiegniew's: 2 and 1.
        assert_eq!(auto_graph(&data, None, 1_000).0, Scope::default());
        assert_eq!(auto_graph(&data, None, 100).0, Scope { orgs: true, gmina: None });
        let (scope, g) = auto_graph(&data, None, 5);
        assert_eq!(scope, Scope { orgs: true, gmina: Some("Dobiegniew".into()) });
        assert_eq!((g.nodes.len(), g.edges.len()), (2, 1));
        // Below even that, the busiest gmina's organisations all the same.
        assert_eq!(auto_graph(&data, None, 0).0, scope);
        assert_eq!(auto_scope(&data), Scope::default());
    }

    #[test]
    fn a_quick_look_is_estimated_and_its_second_look_exact() {
        // 3 000 people met five at a time along a chain: too big for a quick look's
        // exact centralities, small enough for the full budget's.
        let mut data = Data::default();
        let ids: Vec<Id> = (0..3_000)
            .map(|i| {
                let p = org(&format!("Osoba {i}"), Kind::Person, "Dobiegniew");
                let id = p.id;
                data.participants.push(p);
                id
            })
            .collect();
        for w in ids.windows(5).step_by(2) {
            data.meetings.push(crate::graph::tests::meeting_on(None, w));
        }
        let data = Arc::new(data);
        let everyone = Some(Scope::default());
        let quick = Job { scope: everyone.clone(), quick: true, ..Job::default() }.compute(data.clone());
        let k = quick.graph.metrics.sampled.expect("a quick look at 3 000 is estimated");
        assert!(k < 3_000);
        let second =
            Job { scope: everyone, refine: Some(Arc::new(quick.clone())), ..Job::default() }.compute(data.clone());
        let exact = compute_in(data, None, &Scope::default());
        assert_eq!(second.graph.metrics.sampled, None);
        assert_eq!(second.graph.metrics, exact.graph.metrics);
        assert_eq!(second.graph.edges.len(), quick.graph.edges.len());
    }
}
