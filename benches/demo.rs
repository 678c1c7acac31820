//! `teren demo` generation (DESIGN.md §10: "a few seconds" at 100 000 participants):
//! each size into a fresh database, timed end to end, with the file size it leaves.
//!
//! `cargo bench --bench demo` (optionally `-- N ...` participant counts; default
//! 10 000 and 100 000). Prints timings; asserts nothing.

use std::time::Instant;
use teren::store::Store;

fn main() {
    let mut sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
    }
    let dir = std::env::temp_dir().join(format!("teren-bench-demo-{}", std::process::id()));
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        std::fs::create_dir_all(&dir)?;
        for n in sizes {
            let path = dir.join(format!("demo-{n}.redb"));
            let t = Instant::now();
            let store = Store::open(&path)?;
            let sum = teren::demo::generate(&store, n, 1, &mut |_, _| {})?;
            drop(store);
            let secs = t.elapsed().as_secs_f64();
            let ops = Store::open(&path)?.log_len()?.0;
            let mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
            println!(
                "demo {n} participants: {secs:.2} s ({} people, {} organisations, {} meetings; {ops} ops; {mb:.0} MB file)",
                sum.people, sum.organisations, sum.meetings
            );
            std::fs::remove_file(&path)?;
        }
        Ok(())
    };
    let result = run();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("demo bench: {e}");
        std::process::exit(1);
    }
}
