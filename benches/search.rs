//! One search keystroke over 100 000 participants, the way the app runs it: the
//! pooled index of `participants::load_all`, the query growing one letter at a time,
//! each keystroke narrowing the previous result.
//!
//! `cargo bench --bench search` (optionally `-- N` participants).

use std::time::Instant;
use teren::store::Store;
use teren::tui::panes::participants::load_all;

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("teren-bench-search-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("bench.redb");
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let store = Store::open(&path)?;
        teren::demo::generate(&store, n, 1, &mut |_, _| {})?;
        let t = Instant::now();
        let loaded = load_all(&store)?;
        println!("{n} participants: list and index loaded in {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
        for query in ["kowalski", "lodz", "nowak dobiegniew", "ops"] {
            let mut per_key: Vec<Vec<f64>> = vec![Vec::new(); query.len()];
            for _ in 0..15 {
                let mut previous: Option<Vec<usize>> = None;
                for (k, _) in query.char_indices() {
                    let q = &query[..=k];
                    let t = Instant::now();
                    let hits: Vec<usize> =
                        loaded.index.search(q, previous.as_deref()).into_iter().map(|h| h.index).collect();
                    per_key[k].push(t.elapsed().as_secs_f64() * 1e3);
                    previous = Some(hits);
                }
            }
            let mut all: Vec<f64> = per_key.iter().flatten().copied().collect();
            all.sort_by(f64::total_cmp);
            let first = {
                let mut f = per_key[0].clone();
                f.sort_by(f64::total_cmp);
                f[f.len() / 2]
            };
            println!(
                "'{query}': per keystroke p50 {:.2} ms, p95 {:.2} ms; first letter (whole list) p50 {first:.2} ms",
                all[all.len() / 2],
                all[(all.len() * 95 / 100).min(all.len() - 1)]
            );
        }
        Ok(())
    };
    let result = run();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}
