//! Bundle export and import of about 100 000 ops (DESIGN.md §10: < 0.5 s / < 1 s), and
//! the bundle's size against `zstd -3` over the same ops serialised.
//!
//! `cargo bench --bench bundle` (optionally `-- N` participants; 59 000 give about
//! 100 000 ops of realistic demo data). Prints timings; asserts nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Instant;
use teren::bundle::{self, Encrypt, ImportOptions, Keys};
use teren::store::Store;

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(59_000);
    let dir = tempfile::tempdir().unwrap();
    let a = Store::open(&dir.path().join("a.redb")).unwrap();
    teren::demo::generate(&a, n, 1, &mut |_, _| {}).unwrap();
    let ops = a.log_len().unwrap().0;
    let ka = Keys::load(&a).unwrap();
    let b = Store::open(&dir.path().join("b.redb")).unwrap();
    let kb = Keys::load(&b).unwrap();
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
            let t = Instant::now();
            let bytes = bundle::read_file(&path).unwrap();
            let r = bundle::import(&b, &kb, &bytes, &ImportOptions::default()).unwrap();
            println!("import into an empty database: {:.3} s ({:?})", t.elapsed().as_secs_f64(), r.outcome);
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
    let c = Store::open(&dir.path().join("c.redb")).unwrap();
    let t = Instant::now();
    c.apply_remote(&decoded).unwrap();
    println!("apply_remote into an empty database: {:.3} s", t.elapsed().as_secs_f64());

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
