//! The partnership graph: who works with whom.
//!
//! Nodes are participants (organisations and people). Two of them are linked when
//! - a relation joins them (cooperates, funds, …, from its `since` to its `until`),
//! - they are both in one partnership (leader or member, from the later joining date),
//! - a person is a member of an organisation,
//! - they attended the same meetings (within an optional period).
//!
//! Every piece of evidence adds one to the edge's weight, and the edge keeps it so it
//! can say why it exists ("3 spotkania razem; oboje w: Partnerstwo …"). The graph can be
//! built as it stood on a date (`at`): evidence dated later is left out.
//!
//! No terminal here: the pane and the command line both read [`Graph`] and
//! [`Metrics`]. `computed` picks the scope a big database starts on and gathers what
//! pane 4 lists; `layout` places the ego view; `export` writes DOT and GraphML;
//! `partnership` edits a partnership's members.

pub mod computed;
pub mod export;
pub mod layout;
pub mod metrics;
pub mod partnership;

use crate::i18n::{Lang, t};
use crate::model::{Category, Entity, Id, Kind, Meeting, Participant, Partnership, Relation, RelationType};
use crate::store::{Result, Store};
use chrono::{Datelike, NaiveDate};
pub use metrics::Metrics;
use std::collections::{BTreeMap, HashMap};

/// The live records the graph is built from.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub participants: Vec<Participant>,
    pub partnerships: Vec<Partnership>,
    pub relations: Vec<Relation>,
    pub meetings: Vec<Meeting>,
}

impl Data {
    /// Read every live participant, partnership, relation and meeting.
    pub fn load(store: &Store) -> Result<Data> {
        let mut d = Data::default();
        // From the list's rows: reading 100 000 whole records was most of this load.
        // The graph needs of each participant its name, kind, category, gmina and
        // memberships; the rest stays unread.
        store.for_each_participant_row(usize::MAX, |id, r| {
            let mut p = Participant::new(id, r.kind, r.name, r.category);
            p.memberships = r
                .memberships()
                .map(|(org, role)| crate::model::Membership { org, role: role.map(str::to_string) })
                .collect();
            let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
            (p.gmina, p.place) = (text(r.gmina), text(r.place));
            p.erased = r.flags & crate::store::rows::ERASED != 0;
            d.participants.push(p);
        })?;
        // In id order, as the records are: the graph's ties break the same way.
        d.participants.sort_unstable_by_key(|p| p.id);
        store.for_each_doc(Entity::Partnership, |id, doc| {
            if !doc.is_deleted() {
                d.partnerships.push(Partnership::from_doc(id, &doc));
            }
        })?;
        store.for_each_doc(Entity::Relation, |id, doc| {
            if !doc.is_deleted() {
                d.relations.push(Relation::from_doc(id, &doc));
            }
        })?;
        // Half on each of two threads; then in id order, as the records are.
        let mut more = Vec::new();
        store.for_each_view_halves(
            Entity::Meeting,
            Meeting::collect_live(&mut d.meetings),
            Meeting::collect_live(&mut more),
        )?;
        d.meetings.append(&mut more);
        Ok(d)
    }

    /// Months (first days) from the earliest dated evidence to the latest, for
    /// stepping the graph through time.
    pub fn months(&self) -> Vec<NaiveDate> {
        let dates = self
            .meetings
            .iter()
            .filter_map(|m| m.date)
            .chain(self.relations.iter().filter_map(|r| r.since))
            .chain(self.partnerships.iter().filter_map(|p| p.started))
            .chain(self.partnerships.iter().flat_map(|p| p.members.iter().filter_map(|m| m.joined)));
        let (mut lo, mut hi) = (None::<NaiveDate>, None::<NaiveDate>);
        for d in dates {
            lo = Some(lo.map_or(d, |l| l.min(d)));
            hi = Some(hi.map_or(d, |h| h.max(d)));
        }
        let (Some(lo), Some(hi)) = (lo, hi) else { return Vec::new() };
        let mut out = Vec::new();
        let mut m = month_start(lo);
        while m <= hi {
            out.push(m);
            m = next_month(m);
        }
        out
    }
}

/// Which participants the graph is drawn over. On a big database the whole graph is
/// too large to compute centralities on (Brandes is O(n·m)); organisations of one gmina
/// are a subgraph an animator can read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Organisations only: people (and the ties only they carry) are left out.
    pub orgs: bool,
    /// Only participants of this gmina (compared folded: case and diacritics aside).
    pub gmina: Option<String>,
}

impl Scope {
    pub fn is_all(&self) -> bool {
        !self.orgs && self.gmina.is_none()
    }

    /// A matcher for participants in the scope (the gmina folded once).
    pub fn matcher(&self) -> impl Fn(&Participant) -> bool + '_ {
        let g = self.gmina.as_deref().map(crate::search::fold);
        move |p: &Participant| {
            (!self.orgs || p.kind == Kind::Org)
                && g.as_ref().is_none_or(|g| p.gmina.as_deref().is_some_and(|pg| crate::search::fold(pg) == *g))
        }
    }
}

impl Data {
    /// The gminas participants are in, sorted, each once (first spelling wins).
    pub fn gminas(&self) -> Vec<String> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for p in &self.participants {
            if let Some(g) = p.gmina.as_deref().filter(|g| !g.trim().is_empty()) {
                seen.entry(crate::search::fold(g)).or_insert_with(|| g.trim().to_string());
            }
        }
        let mut v: Vec<String> = seen.into_values().collect();
        v.sort_by_key(|g| crate::search::fold(g));
        v
    }
}

/// The first day of `d`'s month.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of the month after `d`'s.
pub fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The last day of `d`'s month.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    next_month(d).pred_opt().unwrap_or(d)
}

/// Which evidence counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options {
    /// Meetings from this date on.
    pub from: Option<NaiveDate>,
    /// Meetings up to this date.
    pub to: Option<NaiveDate>,
    /// The graph as it stood on this date: nothing dated later counts.
    pub at: Option<NaiveDate>,
    /// Drop edges lighter than this.
    pub min_weight: u32,
}

/// A node: one participant.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: Id,
    pub name: String,
    pub kind: Kind,
    pub category: Category,
}

/// Why two participants are linked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tie {
    /// Meetings attended together.
    pub meetings: u32,
    /// Partnerships both are in: name and the date both were in, if known.
    pub partnerships: Vec<(String, Option<NaiveDate>)>,
    /// Relations: type, whether it points from `a` to `b`, since.
    pub relations: Vec<(RelationType, bool, Option<NaiveDate>)>,
    /// The person (a or b) is a member of the organisation, with a role.
    pub membership: Option<Option<String>>,
    /// The earliest dated evidence: when the link was formed.
    pub formed: Option<NaiveDate>,
}

impl Tie {
    fn date(&mut self, d: Option<NaiveDate>) {
        if let Some(d) = d {
            self.formed = Some(self.formed.map_or(d, |f| f.min(d)));
        }
    }
}

/// An edge between nodes `a < b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub tie: Tie,
}

impl Edge {
    /// One for each shared meeting, partnership, relation and membership.
    pub fn weight(&self) -> u32 {
        self.tie.meetings
            + self.tie.partnerships.len() as u32
            + self.tie.relations.len() as u32
            + u32::from(self.tie.membership.is_some())
    }

    /// "3 spotkania razem; oboje w: Partnerstwo Dobiegniew; współpracuje od 2024-03".
    pub fn why(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if self.tie.meetings > 0 {
            parts.push(t(lang, "why_meetings").replace("{n}", &self.tie.meetings.to_string()));
        }
        for (name, _) in &self.tie.partnerships {
            parts.push(format!("{} {name}", t(lang, "why_both_in")));
        }
        for (kind, forward, since) in &self.tie.relations {
            let arrow = if *forward { "→" } else { "←" };
            let mut s = format!("{arrow} {}", kind.label(lang));
            if let Some(d) = since {
                s.push_str(&format!(" {} {}", t(lang, "why_since"), d.format("%Y-%m")));
            }
            parts.push(s);
        }
        if let Some(role) = &self.tie.membership {
            let mut s = t(lang, "why_member").to_string();
            if let Some(r) = role {
                s.push_str(&format!(" ({r})"));
            }
            parts.push(s);
        }
        parts.join("; ")
    }
}

/// The graph with its metrics.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// The same edges as a petgraph graph (node index = index in `nodes`, edge weight
    /// = index in `edges`), for callers that want petgraph's algorithms.
    pub graph: petgraph::graph::UnGraph<(), usize>,
    pub metrics: Metrics,
}

/// The tie between `x` and `y` (made on first use) and whether `x` is its `a`.
fn tie_of(ties: &mut HashMap<(u32, u32), Tie>, x: usize, y: usize) -> Option<(&mut Tie, bool)> {
    if x == y {
        return None;
    }
    let (a, b) = if x < y { (x, y) } else { (y, x) };
    Some((ties.entry((a as u32, b as u32)).or_default(), x < y))
}

fn within(d: Option<NaiveDate>, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    match d {
        Some(d) => from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t),
        None => from.is_none() && to.is_none(),
    }
}

impl Graph {
    /// Build the graph from `data` and compute its metrics.
    pub fn build(data: &Data, opts: &Options) -> Graph {
        Graph::build_in(data, opts, &Scope::default())
    }

    /// Build the graph over the participants in `scope` and compute its metrics.
    pub fn build_in(data: &Data, opts: &Options, scope: &Scope) -> Graph {
        let mut g = Graph::edges_in(data, opts, scope);
        g.compute();
        g
    }

    /// Build nodes and edges without metrics (growth needs only these).
    pub fn edges_only(data: &Data, opts: &Options) -> Graph {
        Graph::edges_in(data, opts, &Scope::default())
    }

    /// Nodes and edges over the participants in `scope`, without metrics. Linear in the
    /// records, plus the pairs within each meeting and partnership.
    pub fn edges_in(data: &Data, opts: &Options, scope: &Scope) -> Graph {
        let keep = scope.matcher();
        let nodes: Vec<Node> = data
            .participants
            .iter()
            .filter(|p| keep(p))
            .map(|p| Node { id: p.id, name: p.name.clone(), kind: p.kind, category: p.category })
            .collect();
        let index: HashMap<Id, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
        let at = opts.at;
        let on_or_before_at = |d: Option<NaiveDate>| match (d, at) {
            (Some(d), Some(at)) => d <= at,
            _ => true,
        };
        let mut ties: HashMap<(u32, u32), Tie> = HashMap::new();

        // Memberships of people in organisations.
        for p in &data.participants {
            let Some(&pi) = index.get(&p.id) else { continue };
            for m in &p.memberships {
                if let Some(&oi) = index.get(&m.org)
                    && let Some((t, _)) = tie_of(&mut ties, pi, oi)
                {
                    t.membership = Some(m.role.clone());
                }
            }
        }
        // Relations.
        for r in &data.relations {
            let (Some(f), Some(to)) = (r.from, r.to) else { continue };
            let (Some(&fi), Some(&ti)) = (index.get(&f), index.get(&to)) else { continue };
            if !on_or_before_at(r.since) || (at.is_some() && r.until.is_some_and(|u| Some(u) < at)) {
                continue;
            }
            if let Some((t, forward)) = tie_of(&mut ties, fi, ti) {
                t.relations.push((r.kind, forward, r.since));
                t.date(r.since);
            }
        }
        // Partnerships: everyone in one is linked with everyone else in it.
        for p in &data.partnerships {
            let mut inside: Vec<(usize, Option<NaiveDate>)> = Vec::new();
            let mut add = |id: Id, joined: Option<NaiveDate>| {
                if let Some(&i) = index.get(&id) {
                    let joined = joined.or(p.started);
                    if on_or_before_at(joined) && !inside.iter().any(|(x, _)| *x == i) {
                        inside.push((i, joined));
                    }
                }
            };
            for m in &p.members {
                add(m.participant, m.joined);
            }
            if let Some(l) = p.leader {
                add(l, p.started);
            }
            for (k, &(x, jx)) in inside.iter().enumerate() {
                for &(y, jy) in &inside[k + 1..] {
                    let both = match (jx, jy) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    if let Some((t, _)) = tie_of(&mut ties, x, y) {
                        t.partnerships.push((p.name.clone(), both));
                        t.date(both);
                    }
                }
            }
        }
        // Meetings attended together.
        let to = match (opts.to, at) {
            (Some(t), Some(a)) => Some(t.min(a)),
            (t, a) => t.or(a),
        };
        for m in &data.meetings {
            if !within(m.date, opts.from, to) {
                continue;
            }
            let mut who: Vec<usize> = m.attendees.iter().filter_map(|a| index.get(a).copied()).collect();
            who.sort_unstable();
            who.dedup();
            for (k, &x) in who.iter().enumerate() {
                for &y in &who[k + 1..] {
                    if let Some((t, _)) = tie_of(&mut ties, x, y) {
                        t.meetings += 1;
                        t.date(m.date);
                    }
                }
            }
        }

        let mut edges: Vec<Edge> = ties
            .into_iter()
            .map(|((a, b), tie)| Edge { a: a as usize, b: b as usize, tie })
            .filter(|e| e.weight() >= opts.min_weight.max(1))
            .collect();
        edges.sort_unstable_by_key(|e| (e.a, e.b));
        let mut graph = petgraph::graph::UnGraph::with_capacity(nodes.len(), edges.len());
        for _ in &nodes {
            graph.add_node(());
        }
        for (i, e) in edges.iter().enumerate() {
            graph.add_edge(petgraph::graph::NodeIndex::new(e.a), petgraph::graph::NodeIndex::new(e.b), i);
        }
        Graph { nodes, edges, graph, metrics: Metrics::default() }
    }

    /// Neighbour lists, sorted (each node's neighbours in node order).
    pub fn adjacency(&self) -> Vec<Vec<u32>> {
        let mut adj = vec![Vec::new(); self.nodes.len()];
        for e in &self.edges {
            adj[e.a].push(e.b as u32);
            adj[e.b].push(e.a as u32);
        }
        for a in &mut adj {
            a.sort_unstable();
        }
        adj
    }

    /// About how much work the centralities are: one breadth-first search per node over
    /// the edges of its group, so the sum over groups of nodes × edges. Linear to compute
    /// (union–find over the edges).
    pub fn centrality_cost(&self) -> u64 {
        let n = self.nodes.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for e in &self.edges {
            let (a, b) = (root(&mut parent, e.a), root(&mut parent, e.b));
            if a != b {
                parent[a] = b;
            }
        }
        let mut size: HashMap<usize, (u64, u64)> = HashMap::new();
        for v in 0..n {
            let r = root(&mut parent, v);
            size.entry(r).or_default().0 += 1;
        }
        for e in &self.edges {
            let r = root(&mut parent, e.a);
            size.entry(r).or_default().1 += 1;
        }
        size.values().map(|(nodes, edges)| nodes * edges).sum()
    }

    /// (Re)compute the metrics.
    pub fn compute(&mut self) {
        self.compute_within(computed::BUDGET);
    }

    /// The metrics, estimated past `budget` ([`metrics::compute_within`]).
    pub fn compute_within(&mut self, budget: u64) {
        self.metrics = metrics::compute_within(&self.adjacency(), budget);
    }

    /// The node of participant `id`.
    pub fn node_of(&self, id: Id) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// Neighbours of `node` with the edge to each, heaviest first (then by name).
    pub fn neighbours(&self, node: usize) -> Vec<(usize, &Edge)> {
        let mut out: Vec<(usize, &Edge)> = self
            .graph
            .edges(petgraph::graph::NodeIndex::new(node))
            .filter_map(|er| {
                let e = self.edges.get(*er.weight())?;
                Some((if e.a == node { e.b } else { e.a }, e))
            })
            .collect();
        out.sort_by(|x, y| {
            y.1.weight().cmp(&x.1.weight()).then_with(|| self.nodes[x.0].name.cmp(&self.nodes[y.0].name))
        });
        out
    }

    /// Nodes within `hops` of `node` (itself first), each with its distance, in
    /// breadth-first order (neighbours heaviest first).
    pub fn ego(&self, node: usize, hops: usize) -> Vec<(usize, usize)> {
        let mut out = vec![(node, 0)];
        let mut seen = std::collections::HashSet::from([node]);
        let mut k = 0;
        while k < out.len() {
            let (v, d) = out[k];
            k += 1;
            if d >= hops {
                continue;
            }
            for (w, _) in self.neighbours(v) {
                if seen.insert(w) {
                    out.push((w, d + 1));
                }
            }
        }
        out
    }

    /// Cut vertices and the highest betweenness: nodes that hold groups together,
    /// highest betweenness first; at most `limit`.
    pub fn bridges(&self, limit: usize) -> Vec<usize> {
        let m = &self.metrics;
        let mut v: Vec<usize> = m.cut_vertices.clone();
        let mut top: Vec<usize> = (0..self.nodes.len()).filter(|&i| m.betweenness[i] > 0.0).collect();
        top.sort_by(|&x, &y| m.betweenness[y].total_cmp(&m.betweenness[x]).then(x.cmp(&y)));
        v.extend(top.into_iter().take(limit));
        v.sort_by(|&x, &y| m.betweenness[y].total_cmp(&m.betweenness[x]).then(x.cmp(&y)));
        v.dedup();
        v.truncate(limit);
        v
    }

    /// `{"nodes": [...], "edges": [...]}` as DESIGN.md §8 promises; with `"sampled": k`
    /// when the centralities are estimated from k sources.
    pub fn to_json(&self, lang: Lang) -> serde_json::Value {
        use serde_json::json;
        let m = &self.metrics;
        let nodes: Vec<_> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                json!({
                    "id": n.id.to_string(),
                    "name": n.name,
                    "kind": n.kind.code(),
                    "category": n.category.code(),
                    "degree": m.degree.get(i).copied().unwrap_or(0),
                    "betweenness": round(m.betweenness.get(i).copied().unwrap_or(0.0)),
                    "closeness": round(m.closeness.get(i).copied().unwrap_or(0.0)),
                })
            })
            .collect();
        let edges: Vec<_> = self
            .edges
            .iter()
            .map(|e| {
                json!({
                    "from": self.nodes[e.a].id.to_string(),
                    "to": self.nodes[e.b].id.to_string(),
                    "weight": e.weight(),
                    "why": e.why(lang),
                })
            })
            .collect();
        let mut out = json!({"nodes": nodes, "edges": edges});
        if let (Some(k), Some(o)) = (m.sampled, out.as_object_mut()) {
            o.insert("sampled".into(), k.into());
        }
        out
    }
}

/// Six decimals: enough to compare with NetworkX, stable across machines.
pub fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// One month of growth.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Organisations linked to anyone for the first time this month.
    pub new_orgs: usize,
    /// Organisations linked by the end of the month.
    pub orgs: usize,
    /// Links formed this month.
    pub new_links: usize,
    /// Links by the end of the month.
    pub links: usize,
}

/// Counts per month of organisations engaged and links formed, from the first dated
/// link to the last. Undated links (memberships of people) are not counted.
pub fn growth(g: &Graph) -> Vec<Month> {
    let mut first_link: HashMap<usize, NaiveDate> = HashMap::new();
    let mut links: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for e in &g.edges {
        let Some(d) = e.tie.formed else { continue };
        *links.entry(month_start(d)).or_default() += 1;
        for v in [e.a, e.b] {
            if g.nodes[v].kind == Kind::Org {
                let f = first_link.entry(v).or_insert(d);
                *f = (*f).min(d);
            }
        }
    }
    let mut orgs: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for d in first_link.values() {
        *orgs.entry(month_start(*d)).or_default() += 1;
    }
    let (Some(lo), Some(hi)) = (links.keys().next().copied(), links.keys().next_back().copied()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut o, mut l) = (0, 0);
    let mut m = lo;
    while m <= hi {
        let no = orgs.get(&m).copied().unwrap_or(0);
        let nl = links.get(&m).copied().unwrap_or(0);
        o += no;
        l += nl;
        out.push(Month { month: m.format("%Y-%m").to_string(), new_orgs: no, orgs: o, new_links: nl, links: l });
        m = next_month(m);
    }
    out
}

#[cfg(test)]
mod tests;
