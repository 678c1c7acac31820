//! All graph metrics for 2 000 organisations and 20 000 edges (issue 7: < 1 s).
//!
//! `cargo bench --bench graph` (optionally `-- NODES EDGES`). The edges are relations
//! between random organisations from a fixed seed, so every run measures the same
//! graph. Prints timings; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;
use teren::graph::{Data, Graph, Options};
use teren::model::{Category, Id, Kind, Participant, Relation, RelationType};

/// A small xorshift generator: the same graph on every run without a rand dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn org(i: usize) -> Participant {
    Participant::new(
        Id::from_bytes((i as u128 + 1).to_be_bytes()),
        Kind::Org,
        format!("Organizacja {i}"),
        Category::Ngo,
    )
}

fn main() {
    let nums: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n = nums.first().copied().unwrap_or(2_000);
    let m = nums.get(1).copied().unwrap_or(20_000);
    let participants: Vec<Participant> = (0..n).map(org).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut seen = std::collections::HashSet::new();
    let mut relations = Vec::with_capacity(m);
    while relations.len() < m {
        let (a, b) = (rng.below(n), rng.below(n));
        if a == b || !seen.insert((a.min(b), a.max(b))) {
            continue;
        }
        relations.push(Relation {
            id: Id::new(),
            from: Some(participants[a].id),
            to: Some(participants[b].id),
            kind: RelationType::Cooperates,
            since: None,
            until: None,
            deleted: false,
        });
    }
    let data = Data { participants, relations, ..Data::default() };
    let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1);
    println!("{n} organisations, {m} edges, {threads} cores");
    let t = Instant::now();
    let mut g = Graph::edges_only(&data, &Options::default());
    let build = t.elapsed().as_secs_f64();
    let t = Instant::now();
    g.compute();
    let metrics = t.elapsed().as_secs_f64();
    println!("build edges: {build:.3} s");
    println!("metrics (degree, betweenness, closeness, cut vertices, groups): {metrics:.3} s");
    println!("total: {:.3} s", build + metrics);
    let top = g.bridges(1).first().map(|&i| g.metrics.betweenness[i]).unwrap_or(0.0);
    println!("edges kept {}, groups {}, highest betweenness {top:.5}", g.edges.len(), g.metrics.groups.len());
}
