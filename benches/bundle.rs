//! Bundle export and import of about 100 000 ops (DESIGN.md §10: < 0.5 s / < 1 s), and
//! the bundle's size against `zstd -3` over the same ops serialised.
//!
//! The importing database has the page cache `teren bundle import` gives it
//! (`SYNC_CACHE`), and has paired the exporting office. `cargo bench --bench bundle` (optionally `-- N` participants; 59 000 give about
//! 100 000 ops of realistic demo data). Prints timings; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;
use teren::bundle::{self, Encrypt, ImportOptions, Keys};
use teren::store::Store;

/// CPU seconds used by this process so far (user, system), from /proc: wall-clock
/// figures swing with the load of a shared machine, CPU time much less.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let f: Vec<f64> = after.split(' ').map(|x| x.parse().unwrap_or(0.0)).collect();
    // Fields 14 and 15 of stat, in clock ticks of 1/100 s.
    (f.get(11).copied().unwrap_or(0.0) / 100.0, f.get(12).copied().unwrap_or(0.0) / 100.0)
}

fn cpu_since(start: (f64, f64)) -> String {
    let now = cpu();
    format!("cpu user {:.2} s, sys {:.2} s", now.0 - start.0, now.1 - start.1)
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(59_000);
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(&dir.path().join("a.redb")).unwrap();
    teren::demo::generate(&a, n, 1, &mut |_, _| {}).unwrap();
    let ops = a.log_len().unwrap().0;
    let ka = Keys::load(&a).unwrap();
    // As `teren bundle import` opens it.
    let b = Store::open_with_cache(&dir.path().join("b.redb"), teren::store::SYNC_CACHE).unwrap();
    let kb = Keys::load(&b).unwrap();
    // Only a paired office's bundles are applied.
    bundle::pair_header(&b, &bundle::introduction(&a, &ka).unwrap().header).unwrap();
    println!("{n} demo participants: {ops} ops");

    let since = BTreeMap::new();
    for (label, enc) in [("age X25519", Encrypt::Recipients(vec![kb.recipient()])), ("not encrypted", Encrypt::None)] {
        let t = Instant::now();
        let made = bundle::export(&a, &ka, &since, &enc).unwrap();
        let path = dir.path().join(bundle::file_name("Biuro", made.header.created_ms));
        bundle::write_atomic(&path, &made.bytes).unwrap();
        let export_s = t.elapsed().as_secs_f64();
        println!("export ({label}): {export_s:.3} s, {} bytes", made.bytes.len());
        if label == "age X25519" {
            let (t, c) = (Instant::now(), cpu());
            let bytes = bundle::read_file(&path).unwrap();
            let r = bundle::import(&b, &kb, &bytes, &ImportOptions::default()).unwrap();
            println!(
                "import into an empty database: {:.3} s, {} ({:?}); database file {:.1} MB",
                t.elapsed().as_secs_f64(),
                cpu_since(c),
                r.outcome,
                std::fs::metadata(dir.path().join("b.redb")).unwrap().len() as f64 / 1e6
            );
            let t = Instant::now();
            bundle::import(&b, &kb, &bytes, &ImportOptions::default()).unwrap();
            println!("re-import (nothing new): {:.3} s", t.elapsed().as_secs_f64());
        }
    }

    // Where import time goes: decoding, and applying to an empty database.
    let raw_ops = a.op_bytes_since(&since).unwrap();
    let t = Instant::now();
    let decoded: Vec<teren::sync::Op> = raw_ops.iter().map(|o| teren::sync::Op::decode(o).unwrap()).collect();
    println!("decode {} ops: {:.3} s", decoded.len(), t.elapsed().as_secs_f64());
    let c = Store::open_with_cache(&dir.path().join("c.redb"), teren::store::WRITE_CACHE).unwrap();
    let (t, cp) = (Instant::now(), cpu());
    c.apply_remote(&decoded).unwrap();
    println!("apply_remote into an empty database: {:.3} s, {}", t.elapsed().as_secs_f64(), cpu_since(cp));
    for mb in [64usize, 1024] {
        let d = Store::open_with_cache(&dir.path().join(format!("d{mb}.redb")), mb << 20).unwrap();
        let (t, cp) = (Instant::now(), cpu());
        d.apply_remote(&decoded).unwrap();
        println!("  the same with a {mb} MB page cache: {:.3} s, {}", t.elapsed().as_secs_f64(), cpu_since(cp));
    }

    // The same ops serialised, compressed by the zstd command line at level 3.
    let plain = bundle::format::frame_ops(&a.op_bytes_since(&since).unwrap());
    let raw = dir.path().join("ops.bin");
    std::fs::write(&raw, &plain).unwrap();
    println!("ops serialised: {} bytes", plain.len());
    match std::process::Command::new("zstd").args(["-3", "-q", "-c"]).arg(&raw).output() {
        Ok(o) if o.status.success() => println!("zstd -3 of them: {} bytes", o.stdout.len()),
        _ => println!("zstd -3 of them (library): {} bytes", zstd::bulk::compress(&plain, 3).unwrap().len()),
    }
}
