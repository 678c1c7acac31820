//! Centrality and structure of an undirected, unweighted graph given as adjacency
//! lists: degree, betweenness (Brandes), closeness, cut vertices, connected components.
//!
//! Written here rather than taken from `rustworkx-core`: that crate brings rayon,
//! ndarray, a third `rand` and about twenty other crates into the build for two
//! functions of some sixty lines each. The numbers follow NetworkX's defaults for an
//! undirected graph so users can check them with the tools they know:
//! - betweenness is `betweenness_centrality(G)` — normalised by (n−1)(n−2)/2 pairs;
//! - closeness is `closeness_centrality(G)` with `wf_improved=True` — computed within
//!   each node's component and scaled by the share of the graph that component reaches.
//!
//! Past a budget of work ([`compute_within`]) the big groups are sampled, as NetworkX's
//! `betweenness_centrality(G, k=…)` does: Brandes from k sources spread over the
//! group, scaled up by its size over k; closeness from each node's mean distance to
//! those sources. Small groups stay exact. [`Metrics::sampled`] says how many sources.

use std::collections::VecDeque;

/// Everything the pane and `graph --json` show about the structure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Number of distinct neighbours.
    pub degree: Vec<usize>,
    pub betweenness: Vec<f64>,
    pub closeness: Vec<f64>,
    /// Articulation points: removing one splits its group in two or more.
    pub cut_vertices: Vec<usize>,
    /// Connected components with two or more nodes, largest first (ties: lowest node).
    pub groups: Vec<Vec<usize>>,
    /// Nodes without any edge.
    pub isolated: Vec<usize>,
    /// Sources the big groups' centralities were estimated from; None when exact.
    pub sampled: Option<usize>,
}

/// All metrics of the graph whose neighbours of node `i` are `adj[i]` (no self loops,
/// no duplicates, symmetric).
pub fn compute(adj: &[Vec<u32>]) -> Metrics {
    let n = adj.len();
    let degree: Vec<usize> = adj.iter().map(Vec::len).collect();
    let (betweenness, closeness) = centralities(adj);
    let (groups, isolated) = components(adj);
    Metrics { degree, betweenness, closeness, cut_vertices: cut_vertices(adj), groups, isolated, sampled: None }
        .with_len_check(n)
}

/// Groups this small or smaller are always exact: their sources cost little.
const EXACT_GROUP: usize = 500;

/// [`compute`] when its centralities cost at most four times `budget` (a source costs
/// one breadth-first search of nodes + edges); else the big groups' centralities are
/// estimated from sources spread over each, as many as `budget` allows (at least 8).
pub fn compute_within(adj: &[Vec<u32>], budget: u64) -> Metrics {
    let n = adj.len();
    let m: usize = adj.iter().map(Vec::len).sum::<usize>() / 2;
    let per_source = (n + m).max(1) as u64;
    if (n as u64).saturating_mul(per_source) <= budget.saturating_mul(4) {
        return compute(adj);
    }
    let degree: Vec<usize> = adj.iter().map(Vec::len).collect();
    let (groups, isolated) = components(adj);
    let k = usize::try_from(budget / per_source).unwrap_or(usize::MAX).max(8);
    let mut sources: Vec<(usize, f64)> = Vec::new();
    let mut sampled = 0;
    let mut size = vec![1usize; n];
    for g in &groups {
        for &v in g {
            size[v] = g.len();
        }
        if g.len() <= EXACT_GROUP || g.len() <= k {
            sources.extend(g.iter().map(|&v| (v, 1.0)));
        } else {
            let weight = g.len() as f64 / k as f64;
            sources.extend((0..k).map(|i| (g[i * g.len() / k], weight)));
            sampled += k;
        }
    }
    let (mut betweenness, mut closeness) = (vec![0.0f64; n], vec![0.0f64; n]);
    let (mut dist_sum, mut hits) = (vec![0u64; n], vec![0u32; n]);
    // Number the nodes in breadth-first order for the searches: neighbours then sit
    // near each other in memory, and on a big graph the searches wait on memory more
    // than they compute.
    let (local, order) = renumbered(adj, &groups, &isolated);
    let sources: Vec<(usize, f64)> = sources.iter().map(|&(v, w)| (order[v], w)).collect();
    // What comes back is under the new numbers: `back[new] = old`.
    let mut back = vec![0usize; n];
    for (v, &i) in order.iter().enumerate() {
        back[i] = v;
    }
    for p in on_threads(&local, &sources, 8) {
        for (i, &v) in back.iter().enumerate() {
            betweenness[v] += p.between[i];
            dist_sum[v] += p.dist_sum[i];
            hits[v] += p.hits[i];
        }
        for (i, c) in p.exact_closeness {
            closeness[back[i]] = c;
        }
    }
    if n > 2 {
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        betweenness.iter_mut().for_each(|b| *b *= scale);
    }
    // Closeness of a sampled group's nodes (NetworkX, wf_improved): with r the group's
    // size and d the mean distance to the sources, (1/d) * (r-1)/(n-1).
    for g in groups.iter().filter(|g| g.len() > EXACT_GROUP && g.len() > k) {
        for &v in g {
            if hits[v] > 0 && dist_sum[v] > 0 {
                let mean = dist_sum[v] as f64 / f64::from(hits[v]);
                closeness[v] = (1.0 / mean) * ((size[v] - 1) as f64 / (n - 1) as f64);
            }
        }
    }
    let sampled = (sampled > 0).then_some(sampled);
    Metrics { degree, betweenness, closeness, cut_vertices: cut_vertices(adj), groups, isolated, sampled }
}

/// Brandes from `sources`, split over up to `most` threads (no more than the cores).
fn on_threads(adj: &[Vec<u32>], sources: &[(usize, f64)], most: usize) -> Vec<Sampled> {
    let cores = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1);
    let chunk = sources.len().div_ceil(cores.clamp(1, most.max(1))).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = sources.chunks(chunk).map(|c| s.spawn(move || brandes_from(adj, c))).collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

/// The graph with its nodes numbered group by group in breadth-first order, and each
/// node's new number (`order[old] = new`).
fn renumbered(adj: &[Vec<u32>], groups: &[Vec<usize>], isolated: &[usize]) -> (Vec<Vec<u32>>, Vec<usize>) {
    let n = adj.len();
    let mut order = vec![usize::MAX; n];
    let mut next = 0;
    let mut queue = VecDeque::new();
    for g in groups {
        let Some(&start) = g.first() else { continue };
        order[start] = next;
        next += 1;
        queue.push_back(start);
        while let Some(v) = queue.pop_front() {
            for &w in &adj[v] {
                let w = w as usize;
                if order[w] == usize::MAX {
                    order[w] = next;
                    next += 1;
                    queue.push_back(w);
                }
            }
        }
    }
    for &v in isolated {
        order[v] = next;
        next += 1;
    }
    let mut local = vec![Vec::new(); n];
    for (v, ns) in adj.iter().enumerate() {
        local[order[v]] = ns.iter().map(|&w| order[w as usize] as u32).collect();
    }
    (local, order)
}

/// What one thread's sources give: raw betweenness (weighted), the exact closeness of
/// exact sources, and for every node the summed distance from the sampled sources
/// that reached it and how many did.
struct Sampled {
    between: Vec<f64>,
    exact_closeness: Vec<(usize, f64)>,
    dist_sum: Vec<u64>,
    hits: Vec<u32>,
}

/// Brandes from each `(source, weight)`: a weight of 1 is an exact source, more is a
/// sample standing for that many.
fn brandes_from(adj: &[Vec<u32>], sources: &[(usize, f64)]) -> Sampled {
    let n = adj.len();
    let mut out =
        Sampled { between: vec![0.0; n], exact_closeness: Vec::new(), dist_sum: vec![0; n], hits: vec![0; n] };
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut queue = VecDeque::with_capacity(n);
    for &(s, weight) in sources {
        for &v in &order {
            sigma[v as usize] = 0.0;
            dist[v as usize] = u32::MAX;
            delta[v as usize] = 0.0;
        }
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        queue.push_back(s as u32);
        let mut total: u64 = 0;
        while let Some(v) = queue.pop_front() {
            order.push(v);
            let dv = dist[v as usize];
            total += u64::from(dv);
            for &w in &adj[v as usize] {
                let w = w as usize;
                if dist[w] == u32::MAX {
                    dist[w] = dv + 1;
                    queue.push_back(w as u32);
                }
                if dist[w] == dv + 1 {
                    sigma[w] += sigma[v as usize];
                }
            }
        }
        if weight == 1.0 {
            let reached = order.len();
            let c = if total > 0 && n > 1 {
                let r = (reached - 1) as f64;
                (r / total as f64) * (r / (n - 1) as f64)
            } else {
                0.0
            };
            out.exact_closeness.push((s, c));
        } else {
            for &v in &order {
                let v = v as usize;
                if v != s {
                    out.dist_sum[v] += u64::from(dist[v]);
                    out.hits[v] += 1;
                }
            }
        }
        for &w in order.iter().rev() {
            let w = w as usize;
            let dw = dist[w];
            let coeff = (1.0 + delta[w]) / sigma[w];
            for &v in &adj[w] {
                let v = v as usize;
                if dist[v] != u32::MAX && dist[v] + 1 == dw {
                    delta[v] += sigma[v] * coeff;
                }
            }
            if w != s {
                out.between[w] += delta[w] * weight;
            }
        }
    }
    out
}

impl Metrics {
    fn with_len_check(self, n: usize) -> Self {
        debug_assert_eq!(self.betweenness.len(), n);
        self
    }
}

/// Betweenness and closeness from one breadth-first search per source (Brandes 2001),
/// the sources split over the available cores.
fn centralities(adj: &[Vec<u32>]) -> (Vec<f64>, Vec<f64>) {
    let n = adj.len();
    let mut between = vec![0.0f64; n];
    let mut close = vec![0.0f64; n];
    let sources: Vec<(usize, f64)> = (0..n).map(|v| (v, 1.0)).collect();
    for p in on_threads(adj, &sources, if n < 200 { 1 } else { 8 }) {
        for (acc, x) in between.iter_mut().zip(p.between) {
            *acc += x;
        }
        for (i, x) in p.exact_closeness {
            close[i] = x;
        }
    }
    if n > 2 {
        // Each pair is counted from both ends: raw / ((n-1)(n-2)) = (raw/2) / ((n-1)(n-2)/2).
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        for b in &mut between {
            *b *= scale;
        }
    } else {
        between.iter_mut().for_each(|b| *b = 0.0);
    }
    (between, close)
}

/// Connected components of two or more nodes (largest first) and the isolated nodes.
fn components(adj: &[Vec<u32>]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let n = adj.len();
    let mut seen = vec![false; n];
    let mut groups = Vec::new();
    let mut isolated = Vec::new();
    let mut stack = Vec::new();
    for s in 0..n {
        if seen[s] {
            continue;
        }
        if adj[s].is_empty() {
            seen[s] = true;
            isolated.push(s);
            continue;
        }
        let mut group = Vec::new();
        seen[s] = true;
        stack.push(s);
        while let Some(v) = stack.pop() {
            group.push(v);
            for &w in &adj[v] {
                if !seen[w as usize] {
                    seen[w as usize] = true;
                    stack.push(w as usize);
                }
            }
        }
        group.sort_unstable();
        groups.push(group);
    }
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    (groups, isolated)
}

/// Articulation points (Hopcroft–Tarjan, iterative so deep graphs cannot overflow the
/// stack), in node order.
fn cut_vertices(adj: &[Vec<u32>]) -> Vec<usize> {
    let n = adj.len();
    let mut disc = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut is_cut = vec![false; n];
    let mut time = 0u32;
    // (node, parent, next neighbour index)
    let mut stack: Vec<(usize, usize, usize)> = Vec::new();
    for root in 0..n {
        if disc[root] != u32::MAX {
            continue;
        }
        disc[root] = time;
        low[root] = time;
        time += 1;
        let mut root_children = 0;
        stack.push((root, usize::MAX, 0));
        while let Some(&mut (v, parent, ref mut i)) = stack.last_mut() {
            if let Some(&w) = adj[v].get(*i) {
                *i += 1;
                let w = w as usize;
                if disc[w] == u32::MAX {
                    disc[w] = time;
                    low[w] = time;
                    time += 1;
                    if v == root {
                        root_children += 1;
                    }
                    stack.push((w, v, 0));
                } else if w != parent {
                    low[v] = low[v].min(disc[w]);
                }
            } else {
                stack.pop();
                if parent != usize::MAX {
                    low[parent] = low[parent].min(low[v]);
                    if parent != root && low[v] >= disc[parent] {
                        is_cut[parent] = true;
                    }
                }
            }
        }
        if root_children > 1 {
            is_cut[root] = true;
        }
    }
    (0..n).filter(|&v| is_cut[v]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adj(n: usize, edges: &[(u32, u32)]) -> Vec<Vec<u32>> {
        let mut a = vec![Vec::new(); n];
        for &(x, y) in edges {
            a[x as usize].push(y);
            a[y as usize].push(x);
        }
        a
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Two triangles joined by a path through node 3, a separate pair, and an isolated
    /// node:
    /// ```text
    ///  0─1        4─5      7─8    9
    ///   \|        |/
    ///    2 ── 3 ──6
    /// ```
    /// Expected values from NetworkX 3.6.1:
    /// `nx.betweenness_centrality(G)`, `nx.closeness_centrality(G)`,
    /// `nx.articulation_points(G)`.
    #[test]
    fn matches_networkx_on_a_small_graph() {
        let g = adj(10, &[(0, 1), (0, 2), (1, 2), (2, 3), (3, 6), (4, 5), (4, 6), (5, 6), (7, 8)]);
        let m = compute(&g);
        let between = [0.0, 0.0, 0.2222222222222222, 0.25, 0.0, 0.0, 0.2222222222222222, 0.0, 0.0, 0.0];
        let closeness = [
            0.26666666666666666,
            0.26666666666666666,
            0.3636363636363636,
            0.39999999999999997,
            0.26666666666666666,
            0.26666666666666666,
            0.3636363636363636,
            0.1111111111111111,
            0.1111111111111111,
            0.0,
        ];
        for i in 0..10 {
            assert!(close(m.betweenness[i], between[i]), "betweenness {i}: {} != {}", m.betweenness[i], between[i]);
            assert!(close(m.closeness[i], closeness[i]), "closeness {i}: {} != {}", m.closeness[i], closeness[i]);
        }
        assert_eq!(m.degree, vec![2, 2, 3, 2, 2, 2, 3, 1, 1, 0]);
        assert_eq!(m.cut_vertices, vec![2, 3, 6]);
        assert_eq!(m.groups, vec![vec![0, 1, 2, 3, 4, 5, 6], vec![7, 8]]);
        assert_eq!(m.isolated, vec![9]);
    }

    #[test]
    fn star_and_path() {
        // Star: the centre lies on every path between leaves: betweenness 1.
        let m = compute(&adj(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]));
        assert!(close(m.betweenness[0], 1.0));
        assert!(close(m.closeness[0], 1.0));
        assert_eq!(m.cut_vertices, vec![0]);
        // Path 0-1-2-3: NetworkX gives 2/3 for the inner nodes.
        let m = compute(&adj(4, &[(0, 1), (1, 2), (2, 3)]));
        assert!(close(m.betweenness[1], 2.0 / 3.0));
        assert!(close(m.closeness[0], 0.5));
        assert_eq!(m.cut_vertices, vec![1, 2]);
    }

    #[test]
    fn tiny_graphs_do_not_divide_by_zero() {
        assert_eq!(compute(&[]).degree, Vec::<usize>::new());
        let m = compute(&adj(1, &[]));
        assert_eq!((m.betweenness[0], m.closeness[0]), (0.0, 0.0));
        let m = compute(&adj(2, &[(0, 1)]));
        assert_eq!(m.betweenness, vec![0.0, 0.0]);
        assert!(close(m.closeness[0], 1.0));
    }

    /// A ring of `n` with chords every 7 nodes, plus a separate small ring.
    fn ring(n: u32) -> Vec<Vec<u32>> {
        let mut e: Vec<(u32, u32)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
        e.extend((0..n).step_by(7).map(|i| (i, (i + 37) % n)));
        e.extend((0..5).map(|i| (n + i, n + (i + 1) % 5)));
        e.sort_unstable();
        e.dedup();
        adj(n as usize + 5, &e)
    }

    #[test]
    fn within_the_budget_it_is_exact() {
        let g = ring(800);
        assert_eq!(compute_within(&g, u64::MAX), compute(&g));
    }

    #[test]
    fn past_the_budget_big_groups_are_sampled_and_close_to_exact() {
        let g = ring(2_000);
        let exact = compute(&g);
        // Room for about 200 sources of the 2 000.
        let est = compute_within(&g, 200 * (2_005 + 2_291));
        let k = est.sampled.unwrap();
        assert!((150..=400).contains(&k), "{k} sources");
        // The small ring is exact; the structure does not depend on the sample.
        for v in 2_000..2_005 {
            assert!(close(est.betweenness[v], exact.betweenness[v]));
            assert!(close(est.closeness[v], exact.closeness[v]));
        }
        assert_eq!((&est.degree, &est.cut_vertices, &est.groups), (&exact.degree, &exact.cut_vertices, &exact.groups));
        // On the big ring the estimates are near the truth: means within a few per cent,
        // and the most central node by the estimate is among the truly central ones.
        let mean = |v: &[f64]| v[..2_000].iter().sum::<f64>() / 2_000.0;
        for (e, x) in [(&est.betweenness, &exact.betweenness), (&est.closeness, &exact.closeness)] {
            assert!((mean(e) - mean(x)).abs() / mean(x) < 0.05, "{} vs {}", mean(e), mean(x));
            assert!(e[..2_000].iter().all(|v| v.is_finite() && *v >= 0.0));
        }
        let top = (0..2_000).max_by(|&a, &b| est.betweenness[a].total_cmp(&est.betweenness[b])).unwrap();
        let mut sorted: Vec<f64> = exact.betweenness[..2_000].to_vec();
        sorted.sort_by(|a, b| b.total_cmp(a));
        assert!(exact.betweenness[top] >= sorted[200], "the estimate's top node is in the true top 10 %");
    }

    #[test]
    fn threads_give_the_same_numbers_as_one() {
        // A ring of 300 with chords: big enough to be split over threads.
        let n = 300u32;
        let mut e: Vec<(u32, u32)> = (0..n).map(|i| (i, (i + 1) % n)).collect();
        e.extend((0..n).step_by(7).map(|i| (i, (i + 37) % n)));
        e.sort_unstable();
        e.dedup();
        let g = adj(n as usize, &e);
        let m = compute(&g);
        let sources: Vec<(usize, f64)> = (0..n as usize).map(|v| (v, 1.0)).collect();
        let one = brandes_from(&g, &sources);
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        for i in 0..n as usize {
            assert!(close(m.betweenness[i], one.between[i] * scale));
            assert!(close(m.closeness[i], one.exact_closeness[i].1));
        }
    }
}
