#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sync between offices through the built binary: pairing (introductions,
//! fingerprints, pending offices, refuse, forget), bundle export/import, the shared
//! folder, conflicts, erase, and one test per hostile bundle (DESIGN.md §4, issues 8
//! and 21). Every failed import must leave `dump --json` unchanged and say on one
//! line which check failed.

use crate::support::cli::{self, Db, two_offices};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// An office's fingerprint, as `teren office` shows it.
fn fingerprint(db: &Db) -> String {
    db.json(&["office", "--json"])["fingerprint"].as_str().unwrap().to_string()
}

/// `a` pairs `b` as people do: b writes its introduction, a imports it and confirms
/// the fingerprint b reads out.
fn pair(a: &Db, b: &Db) {
    let dir = TempDir::new().unwrap();
    let intro = dir.path().join("intro.teren");
    let out = b.ok(&["office", "introduce", "--out", intro.to_str().unwrap()]);
    assert!(out.contains(&fingerprint(b)), "{out}");
    let out = a.ok(&["office", "pair", intro.to_str().unwrap(), "--fingerprint", &fingerprint(b)]);
    assert!(out.starts_with("paired with office"), "{out}");
}

/// Two offices paired with each other.
fn paired_offices() -> (Db, Db) {
    let (a, b) = two_offices();
    pair(&a, &b);
    pair(&b, &a);
    (a, b)
}

/// Pair a key by typing it (as `teren office pair --fingerprint ed25519:…`).
fn pair_key(db: &Db, key: &ed25519_dalek::SigningKey) {
    let k = teren::bundle::format_sign_key(&key.verifying_key().to_bytes());
    db.ok(&["office", "pair", "--fingerprint", &k]);
}

/// `bundle export` into `dir`; returns the file written.
fn export(db: &Db, dir: &Path, extra: &[&str]) -> PathBuf {
    let mut args = vec!["bundle", "export", "--out", dir.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let v = db.json(&args);
    PathBuf::from(v["file"].as_str().unwrap())
}

fn import_args(file: &Path) -> Vec<String> {
    vec!["bundle".into(), "import".into(), file.to_str().unwrap().into()]
}

/// Import must fail with one line containing `what`, and change nothing.
fn refused(db: &Db, file: &Path, extra: &[&str], what: &str) -> String {
    let before = db.dump();
    let mut args = import_args(file);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let line = db.run(&args).error_line(what);
    assert!(line.contains(what), "expected '{what}' in: {line}");
    assert_eq!(db.dump(), before, "a refused import changed the database");
    line
}

fn conflicts(db: &Db) -> Value {
    db.json(&["conflicts", "--json"])
}

#[test]
fn two_offices_round_trip_through_a_shared_folder() {
    let (a, b) = two_offices();
    let dir = TempDir::new().unwrap();
    let d = dir.path().to_str().unwrap();
    // First rounds: the offices see each other in the folder, but nothing is applied
    // before they pair: each holds the other's bundle and lists it as pending.
    a.ok(&["sync", d]);
    let out = b.ok(&["sync", d]);
    assert!(out.contains("held, not applied") && out.contains(&fingerprint(&a)), "{out}");
    assert!(!b.dump().contains("Anna Kowalska"));
    let pending = b.json(&["office", "pending", "--json"]);
    assert_eq!(pending[0]["office"], "Biuro Dobiegniew", "{pending}");
    assert_eq!(pending[0]["fingerprint"].as_str().unwrap(), fingerprint(&a));
    assert!(b.ok(&["office", "pending"]).contains(&fingerprint(&a)));
    assert!(b.ok(&["office"]).contains("1 office(s) waiting"));
    // A reads its fingerprint out on the phone; B pairs it, typed in lower case.
    let out = b.ok(&["office", "pair", "--fingerprint", &fingerprint(&a).to_lowercase()]);
    assert!(out.contains("paired with office \"Biuro Dobiegniew\""), "{out}");
    assert!(b.ok(&["office", "pending"]).contains("no office is waiting"));
    // A's first bundle was for A alone (nobody was paired): B pairs A, A pairs B.
    let out = a.ok(&["sync", d]);
    assert!(out.contains("held, not applied"), "{out}");
    a.ok(&["office", "pair", "--fingerprint", &fingerprint(&b)]);
    for db in [&b, &a, &b] {
        let out = db.ok(&["sync", d]);
        assert!(!out.contains("held"), "{out}");
    }
    assert_eq!(a.dump(), b.dump());
    let people = b.json(&["participant", "list", "--json"]);
    assert_eq!(people.as_array().unwrap().len(), 3);
    // A week offline: both edit the same note without seeing each other's.
    let id = cli::with_field(&people, "name", "Anna Kowalska")[0]["id"].as_str().unwrap().to_string();
    a.ok(&["participant", "edit", &id, "--set", "note=Chce założyć KGW"]);
    b.ok(&["participant", "edit", &id, "--set", "note=Zainteresowana warsztatami"]);
    b.ok(&["participant", "add", "--name", "Ewa Nowak", "--place", "Dobiegniew"]);
    for db in [&a, &b, &a] {
        db.ok(&["sync", d]);
    }
    assert_eq!(a.dump(), b.dump());
    // Both notes are kept, as a conflict, on both sides.
    for db in [&a, &b] {
        let c = conflicts(db);
        assert_eq!(c.as_array().unwrap().len(), 1, "{c}");
        let texts: Vec<&str> =
            c[0]["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
        assert!(texts.contains(&"Chce założyć KGW") && texts.contains(&"Zainteresowana warsztatami"), "{c}");
        assert!(db.ok(&["conflicts"]).contains("Anna Kowalska"));
    }
    // B resolves by writing both; the resolution reaches A.
    b.ok(&["conflicts", "resolve", &id[..8], "note", "--value", "Chce założyć KGW; warsztaty"]);
    for db in [&b, &a] {
        db.ok(&["sync", d]);
    }
    assert_eq!(a.dump(), b.dump());
    assert!(conflicts(&a).as_array().unwrap().is_empty());
    assert!(a.dump().contains("Chce założyć KGW; warsztaty"));
    // Each office keeps one bundle in the folder, and no half-written file is left.
    let names: Vec<String> =
        std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("teren-biuro-") && n.ends_with(".teren") && n.is_ascii()), "{names:?}");
    // A sync with nothing new writes nothing and says so.
    assert!(a.ok(&["sync", d]).contains("up to date"));
}

#[test]
fn sync_skips_half_written_files_and_reports_a_bad_one() {
    let (a, b) = paired_offices();
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    a.ok(&["sync", d.to_str().unwrap()]);
    b.ok(&["sync", d.to_str().unwrap()]);
    std::fs::write(d.join("teren-x-20250101-1200-abcdef.teren.tmp"), b"half").unwrap();
    std::fs::write(d.join("teren-y-20250101-1200-abcdef.teren"), b"not a bundle at all").unwrap();
    let before = a.dump();
    let r = a.run(&["sync", d.to_str().unwrap()]);
    let line = r.error_line("sync with a bad file");
    assert!(line.contains("could not be imported"), "{line}");
    assert!(r.stdout.contains("teren-y-20250101-1200-abcdef.teren: not imported: not a teren bundle"), "{r:?}");
    assert!(!r.stdout.contains(".tmp"), "{r:?}");
    // The bad file is skipped, the good one from B imported.
    assert_ne!(a.dump(), before);
    assert!(a.dump().contains("Jan Źdźbło"));
}

#[test]
fn sync_against_an_open_database_says_so() {
    let (a, _) = two_offices();
    let dir = TempDir::new().unwrap();
    let _held = teren::store::Store::open(a.path()).unwrap();
    let line = a.run(&["sync", dir.path().to_str().unwrap()]).error_line("sync while open");
    assert!(line.contains("database is in use by another teren process"), "{line}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn bundle_export_import_with_recipients_passphrase_and_plain() {
    let (a, b) = two_offices();
    let dir = TempDir::new().unwrap();
    // Before any pairing there is nobody to encrypt to: one line, exit 1.
    let line = a.run(&["bundle", "export", "--out", dir.path().to_str().unwrap()]).error_line("nobody paired");
    assert!(line.contains("no office is paired"), "{line}");
    pair(&a, &b);
    pair(&b, &a);
    let f = export(&a, dir.path(), &[]);
    let out = b.ok(&["bundle", "import", f.to_str().unwrap()]);
    assert!(out.contains("imported from office \"Biuro Dobiegniew\""), "{out}");
    // Importing it again changes nothing.
    let once = b.dump();
    assert!(b.ok(&["bundle", "import", f.to_str().unwrap()]).contains("0 new"));
    assert_eq!(b.dump(), once);
    // B answers with --to: incremental, encrypted to A's key learnt from A's header.
    let back = export(&b, dir.path(), &["--to", "Biuro Dobiegniew"]);
    a.ok(&["bundle", "import", back.to_str().unwrap()]);
    assert_eq!(a.dump(), b.dump());
    // A passphrase, and a plain bundle (with a warning).
    let pass = dir.path().join("haslo.txt");
    std::fs::write(&pass, "Zażółć gęślą jaźń\n").unwrap();
    a.add(&["participant", "add", "--name", "Piotr Wiśniewski"]);
    let p = a.json(&[
        "bundle",
        "export",
        "--out",
        dir.path().join("p.teren").to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(p["encryption"], "encrypted with a passphrase");
    b.ok(&[
        "bundle",
        "import",
        dir.path().join("p.teren").to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(a.dump(), b.dump());
    let plain = a.ok(&["bundle", "export", "--out", dir.path().join("plain.teren").to_str().unwrap(), "--no-encrypt"]);
    assert!(plain.contains("not encrypted"), "{plain}");
    // The office shows its fingerprint, keys and the office it paired.
    let o = b.ok(&["office"]);
    assert!(o.contains("Biuro Strzelce Krajeńskie") && o.contains("ed25519:") && o.contains("age1"), "{o}");
    assert!(o.contains(&fingerprint(&b)) && o.contains(&fingerprint(&a)) && o.contains("paired"), "{o}");
    assert!(o.contains("Biuro Dobiegniew"), "{o}");
    assert!(!o.contains("AGE-SECRET-KEY"), "{o}");
}
#[test]
fn erase_reaches_the_other_office_and_an_old_bundle_cannot_undo_it() {
    let (a, b) = paired_offices();
    let dir = TempDir::new().unwrap();
    let old = export(&a, dir.path(), &["--full"]);
    b.ok(&["bundle", "import", old.to_str().unwrap()]);
    let people = a.json(&["participant", "list", "--json"]);
    let id = cli::with_field(&people, "name", "Anna Kowalska")[0]["id"].as_str().unwrap().to_string();
    let out = a.ok(&["erase", &id[..8]]);
    assert!(out.starts_with("erased participant"), "{out}");
    assert!(!out.contains("Kowalska"), "{out}");
    let new = export(&a, dir.path(), &["--to", "Biuro Strzelce Krajeńskie"]);
    b.ok(&["bundle", "import", new.to_str().unwrap()]);
    b.ok(&["bundle", "import", old.to_str().unwrap()]);
    let dump = b.dump();
    assert!(!dump.contains("Kowalska") && !dump.contains("600100200"), "{dump}");
    assert!(dump.contains("\"erased\": true"), "{dump}");
    // Neither log keeps the data.
    for db in [&a, &b] {
        let s = teren::store::Store::open(db.path()).unwrap();
        let log = format!("{:?}", s.ops_since(&Default::default()).unwrap());
        assert!(!log.contains("Kowalska") && !log.contains("600100200"));
    }
}

// Hostile bundles: one test per case.

/// A's bundle for B, B having paired A and imported a first bundle (plain, through
/// the hidden test-only flag).
fn hostile_setup() -> (Db, Db, TempDir, PathBuf) {
    let (a, b) = paired_offices();
    let dir = TempDir::new().unwrap();
    let first = export(&a, dir.path(), &["--no-encrypt"]);
    b.ok(&["bundle", "import", first.to_str().unwrap()]);
    a.add(&["participant", "add", "--name", "Maria Zielińska", "--place", "Ługi"]);
    let f = export(&a, dir.path(), &["--to", "Biuro Strzelce Krajeńskie"]);
    (a, b, dir, f)
}

fn rewrite(file: &Path, name: &str, f: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(file).unwrap();
    f(&mut bytes);
    let out = file.with_file_name(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn hostile_not_a_bundle() {
    let (_a, b, dir, _) = hostile_setup();
    let csv = dir.path().join("uczestnicy.csv");
    std::fs::write(&csv, "imię;nazwisko\nAnna;Kowalska\n").unwrap();
    refused(&b, &csv, &[], "not a teren bundle");
}

#[test]
fn hostile_newer_format() {
    let (_a, b, _dir, f) = hostile_setup();
    // A newer format with its checksum made anew (a flipped byte alone is damage).
    let g = rewrite(&f, "newer.teren", |b| {
        b[8] = 2;
        let end = b.len() - 96;
        let hash = *blake3::hash(&b[..end]).as_bytes();
        b[end..end + 32].copy_from_slice(&hash);
    });
    refused(&b, &g, &[], "made by a newer teren");
}

#[test]
fn hostile_truncated() {
    let (_a, b, _dir, f) = hostile_setup();
    let g = rewrite(&f, "cut.teren", |b| b.truncate(b.len() * 2 / 3));
    refused(&b, &g, &[], "truncated");
    let g = rewrite(&f, "cut2.teren", |b| b.truncate(b.len() - 1));
    refused(&b, &g, &[], "truncated");
}

#[test]
fn hostile_one_bit_flipped() {
    let (_a, b, _dir, f) = hostile_setup();
    let len = std::fs::read(&f).unwrap().len();
    // In the body, the hash, and the signature.
    let g = rewrite(&f, "flip.teren", |b| b[len / 2] ^= 0x10);
    refused(&b, &g, &[], "damaged");
    let g = rewrite(&f, "flip2.teren", |b| b[len - 80] ^= 0x01);
    refused(&b, &g, &[], "damaged");
    let g = rewrite(&f, "flip3.teren", |b| b[len - 1] ^= 0x80);
    refused(&b, &g, &[], "signature does not match");
}

#[test]
fn hostile_wrong_passphrase() {
    let (a, b) = paired_offices();
    let dir = TempDir::new().unwrap();
    let good = dir.path().join("good.txt");
    let bad = dir.path().join("bad.txt");
    std::fs::write(&good, "Zielona Góra 2025\n").unwrap();
    std::fs::write(&bad, "Zielona Gora 2025\n").unwrap();
    let f = export(&a, dir.path(), &["--passphrase-file", good.to_str().unwrap()]);
    refused(&b, &f, &["--passphrase-file", bad.to_str().unwrap()], "wrong passphrase");
    refused(&b, &f, &[], "encrypted with a passphrase");
}

#[test]
fn hostile_not_encrypted_for_this_office() {
    let (a, b) = paired_offices();
    let c = Db::new();
    c.ok(&["office", "rename", "Biuro C"]);
    pair(&a, &c);
    let dir = TempDir::new().unwrap();
    // Encrypted to C: B, paired with A, cannot read it.
    let f = export(&a, dir.path(), &["--to", "Biuro C"]);
    refused(&b, &f, &[], "not encrypted for this office");
}

#[test]
fn hostile_changed_signing_key() {
    let (a, b, dir, f) = hostile_setup();
    // The same office (database), re-signed with another key.
    let bytes = std::fs::read(&f).unwrap();
    let parsed = teren::bundle::parse(&bytes).unwrap();
    let other = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let mut header = parsed.header.clone();
    header.sign_key = other.verifying_key().to_bytes();
    let forged = teren::bundle::assemble(&header, parsed.body, &other);
    let g = dir.path().join("forged.teren");
    std::fs::write(&g, forged).unwrap();
    let line = refused(&b, &g, &[], "held, not applied");
    assert!(line.contains("that office is paired with the key") && line.contains(&fingerprint(&a)), "{line}");
    let new_fp = teren::bundle::fingerprint(&header.sign_key);
    assert!(line.contains(&new_fp), "{line}");
    // Pairing the new key while the office is paired with the old one is refused…
    let line = b.run(&["office", "pair", g.to_str().unwrap(), "--fingerprint", &new_fp]).error_line("other key");
    assert!(line.contains("already paired with another key") && line.contains("teren office forget"), "{line}");
    // …until the office is forgotten; then its held bundle is applied.
    b.ok(&["office", "forget", "Biuro Dobiegniew"]);
    let out = b.ok(&["office", "pair", "--fingerprint", &new_fp]);
    assert!(out.contains("paired with office") && out.contains("imported from office"), "{out}");
    assert!(b.dump().contains("Maria Zielińska"));
}

#[test]
fn pending_offices_are_refused_and_forgotten_offices_wait_again() {
    let (a, b) = two_offices();
    let dir = TempDir::new().unwrap();
    let pass = dir.path().join("haslo.txt");
    std::fs::write(&pass, "Zielona Góra 2025\n").unwrap();
    // A first exchange by USB stick: a passphrase bundle, then pairing with it.
    let f = export(&a, dir.path(), &["--passphrase-file", pass.to_str().unwrap()]);
    let line = refused(&b, &f, &["--passphrase-file", pass.to_str().unwrap()], "held, not applied");
    assert!(line.contains(&fingerprint(&a)), "{line}");
    // Without a terminal, pairing by file wants the fingerprint given.
    let line = b.run(&["office", "pair", f.to_str().unwrap()]).error_line("no terminal");
    assert!(line.contains("--fingerprint") && line.contains(&fingerprint(&a)), "{line}");
    let line = b.run(&["office", "pair", f.to_str().unwrap(), "--fingerprint", &fingerprint(&b)]).error_line("wrong");
    assert!(line.contains("is not this office's"), "{line}");
    let line = b.run(&["office", "pair", "--fingerprint", "ABCD-EFGH"]).error_line("short");
    assert!(line.contains("not an office fingerprint"), "{line}");
    let out = b.ok(&[
        "office",
        "pair",
        f.to_str().unwrap(),
        "--fingerprint",
        &fingerprint(&a),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert!(out.contains("imported from office \"Biuro Dobiegniew\""), "{out}");
    assert!(b.dump().contains("Anna Kowalska"));
    // A stranger's bundle waits; refused, it is deleted and ignored after.
    let x = Db::new();
    x.ok(&["office", "rename", "Obcy"]);
    x.add(&["participant", "add", "--name", "Fałszywy Wpis"]);
    pair(&x, &b);
    let g = export(&x, dir.path(), &[]);
    refused(&b, &g, &[], "held, not applied");
    assert!(b.ok(&["office", "pending"]).contains("Obcy"));
    let out = b.ok(&["office", "refuse", &fingerprint(&x)]);
    assert!(out.contains("1 held bundle(s) deleted"), "{out}");
    assert!(b.ok(&["office", "pending"]).contains("no office is waiting"));
    let line = refused(&b, &g, &[], "refused here earlier");
    assert!(line.contains("accepts it after all"), "{line}");
    assert!(!b.dump().contains("Fałszywy"));
    // Forgotten, A's bundles wait again; its changes stay.
    let out = b.ok(&["office", "forget", "Biuro Dobiegniew"]);
    assert!(out.starts_with("forgot office \"Biuro Dobiegniew\""), "{out}");
    assert!(b.ok(&["office"]).contains("forgotten"));
    assert!(b.dump().contains("Anna Kowalska"));
    let line = b.run(&["bundle", "export", "--out", dir.path().to_str().unwrap()]).error_line("nobody paired");
    assert!(line.contains("no office is paired"), "{line}");
    // `office trust NAME KEY` is pairing by key: a forgotten office is paired again…
    let key = a.json(&["office", "--json"])["sign_key"].as_str().unwrap().to_string();
    let out = b.ok(&["office", "trust", "Biuro Dobiegniew", &key]);
    assert!(out.contains("paired with office \"Biuro Dobiegniew\" again"), "{out}");
    let again = export(&b, dir.path(), &[]);
    assert!(again.exists());
    // …an office never heard from is expected, and paired with its first bundle.
    let c = Db::new();
    c.ok(&["office", "rename", "Biuro C"]);
    c.add(&["participant", "add", "--name", "Celina Nowa"]);
    let key = c.json(&["office", "--json"])["sign_key"].as_str().unwrap().to_string();
    let out = b.ok(&["office", "trust", "Biuro C", &key]);
    assert!(out.contains("no bundle from fingerprint"), "{out}");
    assert!(b.ok(&["office"]).contains("expected: the office with fingerprint"));
    pair(&c, &b);
    let from_c = export(&c, dir.path(), &[]);
    let out = b.ok(&["bundle", "import", from_c.to_str().unwrap()]);
    assert!(out.contains("paired now: its fingerprint") && out.contains("1 new of"), "{out}");
    assert!(b.dump().contains("Celina Nowa"));
}

#[test]
fn hostile_unknown_key_for_a_known_office() {
    let (_a, b, dir, _) = hostile_setup();
    // Another database calling itself "Biuro Dobiegniew".
    let impostor = Db::new();
    impostor.ok(&["office", "rename", "Biuro Dobiegniew"]);
    impostor.add(&["participant", "add", "--name", "Fałszywy Wpis"]);
    let f = export(&impostor, dir.path(), &["--no-encrypt"]);
    let line = refused(&b, &f, &[], "held, not applied");
    assert!(line.contains("not paired with this one"), "{line}");
}

#[test]
fn hostile_own_bundle() {
    let (a, _b, dir, _) = hostile_setup();
    let own = export(&a, dir.path(), &["--no-encrypt", "--full"]);
    refused(&a, &own, &[], "this office's own bundle");
}

#[test]
fn hostile_decompression_bomb() {
    let (_a, b, dir, f) = hostile_setup();
    let bytes = std::fs::read(&f).unwrap();
    let parsed = teren::bundle::parse(&bytes).unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let mut header = parsed.header.clone();
    header.sender = teren::sync::ReplicaId(0xb0b);
    header.office = "Bomba".into();
    header.sign_key = key.verifying_key().to_bytes();
    header.encryption = teren::bundle::Encryption::None;
    // 256 MiB of zeros in a few kilobytes; the header claims 1 MiB.
    let body = zstd::bulk::compress(&vec![0u8; 256 << 20], 19).unwrap();
    header.plain_len = 1 << 20;
    // Paired by its key, so that the body is read at all.
    pair_key(&b, &key);
    let g = dir.path().join("bomb.teren");
    std::fs::write(&g, teren::bundle::assemble(&header, &body, &key)).unwrap();
    refused(&b, &g, &[], "decompression bomb");
    // And one whose header admits to gigabytes.
    header.plain_len = 8 << 30;
    let g2 = dir.path().join("bomb2.teren");
    std::fs::write(&g2, teren::bundle::assemble(&header, &body, &key)).unwrap();
    refused(&b, &g2, &[], "decompression bomb");
}

#[test]
fn hostile_forged_ops_are_refused_whole() {
    let (_a, b, dir, f) = hostile_setup();
    let bytes = std::fs::read(&f).unwrap();
    let parsed = teren::bundle::parse(&bytes).unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
    let sender = teren::sync::ReplicaId(0xfeed);
    pair_key(&b, &key);
    // One good op before the bad one, and thousands: the import applies ops while it
    // decodes the rest, so a bad op late in a big bundle must still undo them all.
    for goods in [1u64, 3000] {
        let good = |seq: u64| teren::sync::Op {
            id: teren::sync::OpId { replica: sender, seq },
            clock: teren::sync::Hlc::from_millis(seq),
            entity: teren::model::Entity::Participant,
            record: teren::model::Id::from_bytes((seq as u128).to_be_bytes()),
            changes: vec![teren::sync::Change::set("name", format!("Dobry Wpis {seq}").as_str())],
        };
        let mut bad = good(goods + 1);
        bad.changes = vec![teren::sync::Change::set("Bad Field!", "x")];
        let mut ops: Vec<Vec<u8>> = (1..=goods).map(|s| good(s).encode()).collect();
        ops.push(bad.encode());
        let plain = teren::bundle::format::frame_ops(&ops);
        let mut header = parsed.header.clone();
        header.sender = sender;
        header.office = "Inne biuro".into();
        header.sign_key = key.verifying_key().to_bytes();
        header.encryption = teren::bundle::Encryption::None;
        header.vv = [(sender, goods + 1)].into_iter().collect();
        header.since = Default::default();
        header.ops = goods + 1;
        header.plain_len = plain.len() as u64;
        let body = zstd::bulk::compress(&plain, 3).unwrap();
        let g = dir.path().join(format!("forged-ops-{goods}.teren"));
        std::fs::write(&g, teren::bundle::assemble(&header, &body, &key)).unwrap();
        // The good ops are not applied either: all or nothing.
        refused(&b, &g, &[], "invalid op");
    }
}
