#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The sync screen (`S`) driven by keys on real redb files: pairing (this office's
//! fingerprint, a held bundle's office paired after its fingerprint is confirmed, a
//! fingerprint typed, an introduction written and paired with, a waiting office
//! refused, a paired one forgotten), export to a path, import into a second office,
//! hostile files refused with the command line's line and the store unchanged,
//! conflicts side by side resolved by a key, the conflict count on the status line;
//! and the live sync folder's polling without a terminal, holding unpaired offices.

use crate::support::app::{Fixture, flat, participants};
use crate::support::cli;
use crate::support::offices::{self, pair};
use age::secrecy::SecretString;
use crossterm::event::KeyCode;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use teren::bundle::folder::{self, FileOutcome, Live, OwnOutcome};
use teren::bundle::{self, Encrypt, ImportOptions, Keys, Outcome};
use teren::i18n::Lang;
use teren::model::Entity;
use teren::store::{Draft, Store};
use teren::sync::{Change, Value};

/// One office: a database in a temp dir with a few participants, and the app on it.
fn office(label: &str, people: &[&str]) -> Fixture {
    Fixture::build(Lang::Pl, |store| {
        store.set_office(label).unwrap();
        for p in people {
            teren::edit::create(store, Entity::Participant, &[("name".into(), p.to_string())]).unwrap();
        }
    })
}

/// The office's data, as `teren dump --json` would print it.
fn dump(o: &Fixture) -> String {
    offices::dump(&o.store)
}

fn id_of(o: &Fixture, name: &str) -> teren::model::Id {
    teren::edit::resolve(&o.store, Entity::Participant, name).unwrap()
}

/// A note written on `name` straight into the store, as another window would.
fn write_note(o: &Fixture, name: &str, note: &str) {
    let id = id_of(o, name);
    o.store
        .commit(vec![Draft::new(Entity::Participant, id, vec![Change::write("note", Value::Str(note.into()))])])
        .unwrap();
}

/// Whether someone called `name` is among the office's participants.
fn knows(store: &Store, name: &str) -> bool {
    participants(store).iter().any(|p| p.name == name)
}

fn pair_both(a: &Store, b: &Store) {
    pair(a, b);
    pair(b, a);
}

fn pass() -> SecretString {
    SecretString::from("łąka 2026".to_string())
}

/// Export everything `from` has into `dir` with the test passphrase (the core call).
fn export_with_pass(from: &Store, dir: &Path) -> PathBuf {
    let keys = Keys::load(from).unwrap();
    let (path, _) = folder::export_to(from, &keys, dir, &Default::default(), &Encrypt::Passphrase(pass())).unwrap();
    path
}

fn import_with_pass(to: &Store, file: &Path) -> bundle::Report {
    let keys = Keys::load(to).unwrap();
    let bytes = bundle::read_file(file).unwrap();
    bundle::import(to, &keys, &bytes, &ImportOptions { passphrase: Some(pass()), ..Default::default() }).unwrap()
}

/// Times and random ids vary per run: the snapshot shows placeholders.
fn mask(screen: &str, ids: &[String]) -> String {
    let mut s = screen.to_string();
    for id in ids {
        s = s.replace(id, &"#".repeat(id.chars().count()));
    }
    // yyyy-mm-dd hh:mm
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let pattern = "dddd-dd-dd dd:dd";
    while i < chars.len() {
        let m = pattern
            .chars()
            .enumerate()
            .all(|(k, p)| chars.get(i + k).is_some_and(|c| if p == 'd' { c.is_ascii_digit() } else { *c == p }));
        if m {
            out.push_str("YYYY-MM-DD hh:mm");
            i += pattern.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn export_from_the_screen_and_import_into_a_second_office() {
    let mut a = office("Biuro Dobiegniew", &["Anna Kowalska", "Stowarzyszenie Łąka"]);
    let mut b = office("Biuro Strzelce", &["Jan Źdźbło"]);
    let out = tempfile::tempdir().unwrap();
    a.app.sync_dir = Some(out.path().to_path_buf());
    let fp_a = bundle::fingerprint(&Keys::load(&a.store).unwrap().sign_public());
    let fp_b = bundle::fingerprint(&Keys::load(&b.store).unwrap().sign_public());

    a.ch('S');
    let s = a.screen(80, 24);
    assert!(s.contains("To biuro: Biuro Dobiegniew"), "{s}");
    assert!(s.contains(&format!("Odcisk klucza: {fp_a}")), "{s}");
    assert!(s.contains("Żadne inne biuro nie jest jeszcze sparowane"), "{s}");
    // No office paired yet: without a passphrase there is no key to encrypt to.
    a.ch('e');
    a.code(KeyCode::Enter);
    a.code(KeyCode::Enter);
    assert!(
        a.screen(80, 24).contains("Eksport nieudany: żadne biuro nie jest jeszcze sparowane"),
        "{}",
        a.screen(80, 24)
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    // The default path is the sync folder; a passphrase on the second line.
    a.ch('e');
    assert!(a.screen(80, 24).contains(&out.path().display().to_string()));
    a.code(KeyCode::Enter);
    a.typ("łąka 2026");
    assert!(a.screen(80, 24).contains("hasło: •••••••••"), "{}", a.screen(80, 24));
    a.code(KeyCode::Enter);
    let files: Vec<PathBuf> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    assert!(name.starts_with("teren-biuro-dobiegniew-") && name.ends_with(".teren"), "{name}");
    assert!(!name.to_lowercase().contains("anna"), "no personal data in file names: {name}");
    let s = a.screen(80, 24);
    assert!(s.contains("Zapisano"), "{s}");
    assert!(s.contains("zaszyfrowana hasłem"), "{s}");

    // B imports it from its screen: the path typed, then the passphrase. A is not
    // paired with B: the bundle is held, and the screen asks about A's fingerprint.
    b.ch('S');
    b.ch('i');
    b.typ(files[0].to_str().unwrap());
    b.code(KeyCode::Enter);
    b.typ("łąka 2026");
    b.code(KeyCode::Enter);
    let s = flat(&b.screen(80, 24));
    assert!(s.contains("wstrzymana, nie zastosowana"), "{s}");
    assert!(s.contains("Sparować biuro „Biuro Dobiegniew”") && s.contains(&fp_a), "{s}");
    assert!(s.contains("Czekają na sparowanie (ich paczki są wstrzymane) (1)"), "{s}");
    assert!(!knows(&b.store, "Anna Kowalska"), "held, yet applied");
    // Esc: not now. The office stays waiting, listed with its fingerprint.
    b.code(KeyCode::Esc);
    assert!(!flat(&b.screen(80, 24)).contains("Sparować biuro"), "{}", b.screen(80, 24));
    assert_eq!(bundle::folder::pending(&b.store).unwrap().len(), 1);
    // Enter on the waiting office: the same question; Enter again: paired, and the
    // file is imported with the passphrase typed.
    b.ch('i');
    b.typ(files[0].to_str().unwrap());
    b.code(KeyCode::Enter);
    b.typ("łąka 2026");
    b.code(KeyCode::Enter);
    b.code(KeyCode::Enter);
    let s = flat(&b.screen(80, 24));
    assert!(s.contains("Sparowano z biurem „Biuro Dobiegniew”"), "{s}");
    assert!(!s.contains("Czekają na sparowanie"), "{s}");
    assert!(knows(&b.store, "Anna Kowalska"), "{:?}", b.live_names());
    // The panes reloaded: pane 1 behind the screen lists A's people.
    b.code(KeyCode::Esc);
    assert!(b.screen(80, 24).contains("Anna Kowalska"));

    // B exports to A's key without a passphrase; A has not paired B: held.
    let back = tempfile::tempdir().unwrap();
    b.ch('S');
    b.ch('e');
    b.clear_line();
    b.typ(back.path().to_str().unwrap());
    b.code(KeyCode::Enter);
    b.code(KeyCode::Enter);
    assert!(b.screen(80, 24).contains("zaszyfrowana kluczami biur (1)"), "{}", b.screen(80, 24));
    let file = std::fs::read_dir(back.path()).unwrap().next().unwrap().unwrap().path();
    let keys = Keys::load(&a.store).unwrap();
    let r = bundle::import(&a.store, &keys, &bundle::read_file(&file).unwrap(), &ImportOptions::default()).unwrap();
    assert!(matches!(r.outcome, Outcome::NotPaired(_)), "{:?}", r.outcome);
    // A pairs B by the fingerprint B reads out, typed on A's screen: B's held bundle
    // is applied.
    a.code(KeyCode::Esc);
    a.ch('S');
    assert!(flat(&a.screen(80, 24)).contains("Biuro Strzelce"), "{}", a.screen(80, 24));
    a.ch('a');
    assert!(a.screen(80, 24).contains("Sparuj biuro"), "{}", a.screen(80, 24));
    a.typ(&fp_b.to_lowercase());
    a.code(KeyCode::Enter);
    assert!(flat(&a.screen(80, 24)).contains("Sparowano z biurem „Biuro Strzelce”"), "{}", a.screen(80, 24));
    assert_eq!(dump(&a), dump(&b), "one file each way: identical data");
}

#[test]
fn an_introduction_written_on_one_screen_pairs_on_another_and_offices_are_refused_or_forgotten() {
    let mut a = office("Biuro Dobiegniew", &["Anna Kowalska"]);
    let mut b = office("Biuro Strzelce", &["Jan Źdźbło"]);
    let dir = tempfile::tempdir().unwrap();
    a.app.sync_dir = Some(dir.path().to_path_buf());
    let fp_a = bundle::fingerprint(&Keys::load(&a.store).unwrap().sign_public());
    // A writes its introduction (w) into the sync folder.
    a.ch('S');
    assert!(flat(&a.screen(80, 24)).contains("a: sparuj · w: przedstawienie"), "{}", a.screen(80, 24));
    a.ch('w');
    assert!(a.screen(80, 24).contains("Przedstawienie tego biura"), "{}", a.screen(80, 24));
    a.code(KeyCode::Enter);
    assert!(flat(&a.screen(80, 24)).contains("Zapisano przedstawienie"), "{}", a.screen(80, 24));
    let intro = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
    // B pairs with it (a: the path), confirming the fingerprint.
    b.ch('S');
    b.ch('a');
    b.typ(intro.to_str().unwrap());
    b.code(KeyCode::Enter);
    let s = flat(&b.screen(80, 24));
    assert!(s.contains("Sparować biuro „Biuro Dobiegniew”") && s.contains(&fp_a), "{s}");
    assert!(s.contains("Enter: tak · Esc: nie"), "{s}");
    b.code(KeyCode::Enter);
    assert!(flat(&b.screen(80, 24)).contains("Sparowano z biurem „Biuro Dobiegniew”"), "{}", b.screen(80, 24));
    assert!(b.store.peer(a.store.replica()).unwrap().unwrap().paired);
    // A stranger's bundle waits on B's screen; d and Enter refuse it.
    let x = office("Obcy", &["Fałszywy Wpis"]);
    pair(&x.store, &b.store);
    let f = folder::export_to(
        &x.store,
        &Keys::load(&x.store).unwrap(),
        dir.path(),
        &Default::default(),
        &Encrypt::Recipients(vec![Keys::load(&b.store).unwrap().recipient()]),
    )
    .unwrap()
    .0;
    let before = dump(&b);
    // Imported on B's screen (for B's key: no passphrase), it is held.
    b.ch('i');
    b.clear_line();
    b.typ(f.to_str().unwrap());
    b.code(KeyCode::Enter);
    b.code(KeyCode::Enter);
    let s = flat(&b.screen(80, 24));
    assert!(s.contains("wstrzymana"), "{s}");
    // Not now, and the screen closed and opened again.
    b.code(KeyCode::Esc);
    b.code(KeyCode::Esc);
    b.ch('S');
    let s = flat(&b.screen(80, 24));
    assert!(s.contains("Obcy") && s.contains("Czekają na sparowanie"), "{s}");
    b.ch('d');
    assert!(flat(&b.screen(80, 24)).contains("Odrzucić biuro „Obcy”"), "{}", b.screen(80, 24));
    b.code(KeyCode::Enter);
    assert!(flat(&b.screen(80, 24)).contains("Odrzucono biuro"), "{}", b.screen(80, 24));
    assert!(bundle::folder::pending(&b.store).unwrap().is_empty());
    assert_eq!(dump(&b), before);
    // The paired office, picked and forgotten (d, Enter): its data stays.
    b.ch('d');
    assert!(flat(&b.screen(80, 24)).contains("Zapomnieć biuro „Biuro Dobiegniew”"), "{}", b.screen(80, 24));
    b.code(KeyCode::Enter);
    assert!(flat(&b.screen(80, 24)).contains("zapomniane"), "{}", b.screen(80, 24));
    assert!(!b.store.peer(a.store.replica()).unwrap().unwrap().paired);
    assert_eq!(dump(&b), before);
}

#[test]
fn hostile_files_give_the_command_line_error_and_change_nothing() {
    let mut a = office("Biuro Dobiegniew", &["Anna Kowalska"]);
    let b = office("Biuro Strzelce", &["Jan Źdźbło"]);
    pair(&a.store, &b.store);
    let peers = a.store.peers().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = export_with_pass(&b.store, dir.path());
    let bytes = std::fs::read(&good).unwrap();
    let junk = dir.path().join("junk.teren");
    std::fs::write(&junk, b"not a bundle at all").unwrap();
    let cut = dir.path().join("cut.teren");
    std::fs::write(&cut, &bytes[..bytes.len() - 40]).unwrap();
    let flipped = dir.path().join("flipped.teren");
    let mut f = bytes.clone();
    let mid = f.len() / 2;
    f[mid] ^= 0x10;
    std::fs::write(&flipped, &f).unwrap();
    let own = export_with_pass(&a.store, dir.path());

    let cases: Vec<(&Path, &str, String)> = vec![
        (&junk, "", bundle::BundleError::NotABundle.to_string()),
        (&cut, "łąka 2026", "truncated".into()),
        (&flipped, "łąka 2026", "damaged".into()),
        (&good, "", bundle::BundleError::NeedPassphrase.to_string()),
        (&good, "złe hasło", bundle::BundleError::WrongPassphrase.to_string()),
        (&own, "łąka 2026", "this office's own bundle".into()),
        (Path::new("/nonexistent/teren.teren"), "", "cannot read /nonexistent/teren.teren".into()),
    ];
    a.ch('S');
    for (path, passphrase, expected) in cases {
        let before = dump(&a);
        a.ch('i');
        a.clear_line();
        a.typ(path.to_str().unwrap());
        a.code(KeyCode::Enter);
        a.typ(passphrase);
        a.code(KeyCode::Enter);
        let status = a.status().unwrap_or_default();
        assert!(status.contains("nie zaimportowano"), "{path:?}: {status}");
        assert!(status.contains(&expected), "{path:?}: expected {expected:?} in {status}");
        assert!(!status.contains('\n'), "one line: {status}");
        assert_eq!(dump(&a), before, "{path:?} changed the database");
        assert_eq!(a.store.peers().unwrap(), peers, "{path:?}: no office learnt");
    }
    // The line is the command line's: the same error text.
    a.restart(Lang::En);
    a.ch('S');
    a.ch('i');
    a.clear_line();
    a.typ(junk.to_str().unwrap());
    a.code(KeyCode::Enter);
    a.code(KeyCode::Enter);
    assert_eq!(a.status(), Some(format!("junk.teren: not imported: {}", bundle::BundleError::NotABundle)));
}

/// A and B each edit one person's note without seeing the other's edit.
fn conflicted() -> (Fixture, Fixture) {
    let mut a = office("Biuro Dobiegniew", &["Anna Kowalska"]);
    let mut b = office("Biuro Strzelce", &["Jan Źdźbło"]);
    pair_both(&a.store, &b.store);
    let dir = tempfile::tempdir().unwrap();
    import_with_pass(&b.store, &export_with_pass(&a.store, dir.path()));
    write_note(&a, "Anna Kowalska", "Chce założyć KGW w Ługach.\nDzwonić po 16.");
    // A later clock for B's value, so the columns keep their order (ms clocks).
    std::thread::sleep(Duration::from_millis(5));
    write_note(&b, "Anna Kowalska", "Pyta o warsztaty z rękodzieła dla seniorów; ma salę w remizie.");
    import_with_pass(&b.store, &export_with_pass(&a.store, dir.path()));
    import_with_pass(&a.store, &export_with_pass(&b.store, dir.path()));
    a.app.reload();
    a.run_jobs();
    b.app.reload();
    b.run_jobs();
    (a, b)
}

#[test]
fn conflicts_side_by_side_resolved_by_a_key_and_counted_on_the_status_line() {
    let (mut a, b) = conflicted();
    // The status line counts them on every pane.
    let s = a.screen(80, 24);
    assert!(s.lines().last().unwrap().contains("konflikty: 1"), "{s}");
    a.ch('S');
    a.code(KeyCode::Tab);
    let s = a.screen(80, 24);
    let ids = [a.store.replica().short(), b.store.replica().short()];
    insta::assert_snapshot!("sync_conflicts", mask(&s, &ids));
    // Both values, each in its own column, wrapped.
    assert!(s.contains("Chce założyć KGW") && s.contains("Pyta o warsztaty"), "{s}");
    assert!(s.contains("lewa: Biuro Dobiegniew") || s.contains("lewa: Biuro Strzelce"), "{s}");
    let row = s.lines().find(|l| l.contains("Chce założyć KGW")).unwrap();
    let other = s.lines().find(|l| l.contains("Pyta o warsztaty")).unwrap();
    assert_eq!(row, other, "side by side on one row");

    // 'o' keeps both, merged: one value, the conflict gone, the count 0.
    a.ch('o');
    let s = a.screen(80, 24);
    assert!(s.contains("Brak otwartych konfliktów"), "{s}");
    assert!(s.contains("Rozwiązano konflikt"), "{s}");
    assert_eq!(a.app.conflicts(), Some(0));
    assert!(!s.lines().last().unwrap().contains("konflikty:"), "{s}");
    let doc = a.store.doc(Entity::Participant, id_of(&a, "Anna Kowalska")).unwrap().unwrap();
    let note = doc.string("note").unwrap_or_default();
    assert!(note.contains("Chce założyć KGW") && note.contains("Pyta o warsztaty"), "{note}");

    // The resolution is an op: it syncs, and B's conflict is gone too.
    let dir = tempfile::tempdir().unwrap();
    import_with_pass(&b.store, &export_with_pass(&a.store, dir.path()));
    assert_eq!(teren::conflicts::count(&b.store).unwrap(), 0);
    assert_eq!(dump(&a), dump(&b));
}

#[test]
fn keep_left_and_keep_right_choose_one_value() {
    for (key, kept, dropped) in [('l', 0, 1), ('p', 1, 0)] {
        let (mut a, _b) = conflicted();
        let values = teren::conflicts::list(&a.store).unwrap().remove(0).values;
        let text = |i: usize| values[i].1.as_str().unwrap().to_string();
        a.ch('S');
        a.code(KeyCode::Tab);
        a.ch(key);
        let doc = a.store.doc(Entity::Participant, id_of(&a, "Anna Kowalska")).unwrap().unwrap();
        assert_eq!(doc.string("note").unwrap_or_default(), text(kept), "key {key}");
        assert_ne!(doc.string("note").unwrap_or_default(), text(dropped));
        assert!(doc.conflicts().is_empty());
    }
}

#[test]
fn the_offices_tab_at_80x24() {
    let (mut a, b) = conflicted();
    a.app.sync_dir = Some(PathBuf::from("/srv/teren/wspolny"));
    a.ch('S');
    let s = a.screen(80, 24);
    let keys = Keys::load(&a.store).unwrap();
    let kb = Keys::load(&b.store).unwrap();
    let ids = [
        a.store.replica().short(),
        b.store.replica().short(),
        bundle::fingerprint(&keys.sign_public()),
        bundle::fingerprint(&kb.sign_public()),
    ];
    insta::assert_snapshot!("sync_offices", mask(&s, &ids));
    assert!(s.contains("/srv/teren/wspolny (na żywo)"), "{s}");
    assert!(s.contains("Biuro Strzelce"), "{s}");
    // Esc closes the screen.
    a.code(KeyCode::Esc);
    assert!(!a.screen(80, 24).contains("To biuro:"));
}

#[test]
fn live_folder_imports_new_bundles_once_and_writes_its_own_after_a_pause() {
    let a = office("Biuro Dobiegniew", &["Anna Kowalska"]);
    let b = office("Biuro Strzelce", &["Jan Źdźbło"]);
    let dir = tempfile::tempdir().unwrap();
    // Half-written and hidden files are never read.
    std::fs::write(dir.path().join("teren-x-20250101-1200-abcdef.teren.tmp"), b"half").unwrap();
    std::fs::write(dir.path().join(".teren-y.teren"), b"hidden").unwrap();
    pair_both(&a.store, &b.store);
    let ka = Keys::load(&a.store).unwrap();
    let kb = Keys::load(&b.store).unwrap();
    folder::sync(&a.store, &ka, dir.path(), Some(&pass())).unwrap();

    let mut live = Live::new(dir.path().to_path_buf(), Some(pass()));
    let t0 = Instant::now();
    let first = live.poll(&b.store, &kb, t0).unwrap();
    assert_eq!(first.files.len(), 1, "{first:?}");
    assert!(matches!(&first.files[0].outcome, FileOutcome::Imported(r) if r.header.office == "Biuro Dobiegniew"));
    assert!(first.applied() > 0);
    assert!(first.own.is_none(), "nothing written before the data has been still");
    assert!(knows(&b.store, "Anna Kowalska"));
    // (What the app's status line says of it: tests/pty/pty_sync.rs.)

    // The same file again: nothing (each file once, until it changes).
    let again = live.poll(&b.store, &kb, t0 + Duration::from_secs(3)).unwrap();
    assert!(again.files.is_empty() && again.own.is_none(), "{again:?}");
    // Still for the write delay: B's bundle appears in the folder.
    let wrote = live.poll(&b.store, &kb, t0 + folder::WRITE_DELAY).unwrap();
    assert!(matches!(wrote.own, Some(OwnOutcome::Wrote { .. })), "{wrote:?}");
    let names: Vec<String> = folder::bundle_files(dir.path())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into())
        .collect();
    assert!(names.iter().any(|n| n.starts_with("teren-biuro-strzelce-")), "{names:?}");
    // Its own bundle is skipped at the next pass; nothing more is written.
    let quiet = live.poll(&b.store, &kb, t0 + folder::WRITE_DELAY * 3).unwrap();
    assert!(quiet.files.is_empty() && quiet.own.is_none(), "{quiet:?}");

    // A local edit: written again only once the data has been still for the delay.
    write_note(&b, "Jan Źdźbło", "Nowy numer do sołtysa.");
    let t1 = t0 + folder::WRITE_DELAY * 4;
    assert!(live.poll(&b.store, &kb, t1).unwrap().own.is_none());
    let later = live.poll(&b.store, &kb, t1 + folder::WRITE_DELAY).unwrap();
    assert!(matches!(later.own, Some(OwnOutcome::Wrote { .. })), "{later:?}");
    assert_eq!(
        folder::bundle_files(dir.path()).unwrap().len(),
        2,
        "one bundle per office: the older own bundle is replaced"
    );

    // A's live folder takes B's bundle: both offices end identical.
    let mut live_a = Live::new(dir.path().to_path_buf(), Some(pass()));
    let got = live_a.poll(&a.store, &ka, t0).unwrap();
    assert!(got.applied() > 0, "{got:?}");
    assert_eq!(dump(&a), dump(&b));
}

#[test]
fn live_folder_reports_a_hostile_file_once_and_changes_nothing() {
    let b = office("Biuro Strzelce", &["Jan Źdźbło"]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("teren-zly-20250101-1200-abcdef.teren"), b"TERENBDL but nothing else").unwrap();
    let kb = Keys::load(&b.store).unwrap();
    let before = dump(&b);
    let mut live = Live::new(dir.path().to_path_buf(), None);
    let t0 = Instant::now();
    let r = live.poll(&b.store, &kb, t0).unwrap();
    assert_eq!(r.failed(), 1, "{r:?}");
    assert_eq!(r.applied(), 0);
    // (What the app's status line says of it: tests/pty/pty_sync.rs.)
    assert_eq!(dump(&b), before);
    assert!(live.poll(&b.store, &kb, t0 + Duration::from_secs(3)).unwrap().files.is_empty());
    // The folder vanishing is an error of the pass, not a panic.
    let gone = dir.path().to_path_buf();
    drop(dir);
    let mut live = Live::new(gone, None);
    assert!(live.poll(&b.store, &kb, t0).is_err());
}

#[test]
fn live_folder_offices_meet_through_their_keys_without_a_passphrase() {
    let a = office("Biuro Dobiegniew", &["Anna Kowalska"]);
    let b = office("Biuro Strzelce", &["Jan Źdźbło"]);
    let dir = tempfile::tempdir().unwrap();
    let (ka, kb) = (Keys::load(&a.store).unwrap(), Keys::load(&b.store).unwrap());
    let mut la = Live::new(dir.path().to_path_buf(), None);
    let mut lb = Live::new(dir.path().to_path_buf(), None);
    la.delay = Duration::ZERO;
    lb.delay = Duration::ZERO;
    let t0 = Instant::now();
    // A few rounds of both apps polling: not paired, each holds the other's bundle
    // and applies nothing.
    for round in 0..4 {
        let t = t0 + Duration::from_secs(round);
        la.poll(&a.store, &ka, t).unwrap();
        lb.poll(&b.store, &kb, t).unwrap();
    }
    assert!(!knows(&a.store, "Jan Źdźbło"));
    let waiting = folder::pending(&a.store).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].fingerprint, bundle::fingerprint(&kb.sign_public()));
    // Each pairs the other by the fingerprint read out; a few more rounds: each
    // writes a bundle the other can read.
    for (s, k, other) in [(&a.store, &ka, &kb), (&b.store, &kb, &ka)] {
        let fp = bundle::fingerprint(&other.sign_public());
        bundle::pair_fingerprint(s, k, &fp, "", &ImportOptions::default()).unwrap();
    }
    for round in 4..10 {
        let t = t0 + Duration::from_secs(round);
        la.poll(&a.store, &ka, t).unwrap();
        lb.poll(&b.store, &kb, t).unwrap();
    }
    assert_eq!(dump(&a), dump(&b));
    assert!(knows(&a.store, "Jan Źdźbło"));
}

#[test]
fn demo_data_has_a_neighbouring_office_and_two_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let db = cli::Db::at(dir.path().join("demo.redb"));
    db.ok(&["demo", "--participants", "60"]);
    let conflicts = db.json(&["conflicts", "--json"]);
    let list = conflicts.as_array().unwrap();
    assert_eq!(list.len(), 2, "{conflicts}");
    assert!(list.iter().any(|c| c["name"] == "Anna Kowalska" && c["field"] == "note"), "{conflicts}");
    assert!(db.ok(&["office"]).contains(teren::demo::office::NEIGHBOUR));
    // The neighbour never answers: it is forgotten, so it neither holds this office's
    // bundles back nor is a reader of them.
    let office = db.json(&["office", "--json"]);
    let peers = office["peers"].as_array().unwrap();
    assert!(peers.iter().all(|p| p["paired"] == false), "{office}");
    // A second demo run on the same database meets nobody new and fails nothing.
    db.ok(&["demo", "--participants", "60"]);

    // The app on it: the count on the status line, the neighbour on the sync screen.
    let store = Arc::new(Store::open(db.path()).unwrap());
    let mut o = Fixture::open(dir, store, Lang::Pl);
    assert!(o.screen(80, 24).lines().last().unwrap().contains("konflikty: 2"), "{}", o.screen(80, 24));
    // The offices at once; the conflicts come from a job (the loop runs it on a thread).
    o.key_only(KeyCode::Char('S'));
    let s = o.screen(80, 24);
    assert!(s.contains(teren::demo::office::NEIGHBOUR) && s.contains("Konflikty: …"), "{s}");
    o.run_jobs();
    assert!(o.screen(80, 24).contains("Konflikty: 2"), "{}", o.screen(80, 24));
}

#[test]
fn backup_from_the_sync_screen_is_a_checked_copy_on_the_path_typed() {
    let mut a = office("Biuro Dobiegniew", &["Anna Kowalska", "Stowarzyszenie Łąka"]);
    let out = tempfile::tempdir().unwrap();
    a.app.sync_dir = Some(out.path().to_path_buf());
    a.ch('S');
    a.ch('b');
    let s = a.screen(80, 24);
    assert!(s.contains("Kopia zapasowa bazy"), "{s}");
    assert!(!s.contains("hasło:"), "a backup asks for a path only: {s}");
    // The folder offered: a dated copy goes into it.
    a.code(KeyCode::Enter);
    let s = flat(&a.screen(80, 24));
    assert!(s.contains("Kopia zapisana i sprawdzona"), "{s}");
    let files: Vec<PathBuf> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let copy = Store::open(&files[0]).unwrap();
    assert_eq!(copy.count(Entity::Participant).unwrap(), 2);
    assert!(copy.verify().unwrap().is_empty());

    // Never over an existing file: the reason is shown, in Polish.
    a.ch('b');
    a.clear_line();
    a.typ(files[0].to_str().unwrap());
    a.code(KeyCode::Enter);
    assert!(flat(&a.screen(80, 24)).contains("Kopia nie powstała"), "{}", a.screen(80, 24));
}

/// What `teren office rename` and `teren office new-identity` do, from the sync screen:
/// `r` types this office's name (other offices see it), `N` asks before it gives the
/// database a new id and keys (a copy of another office's database).
#[test]
fn the_sync_screen_renames_the_office_and_gives_a_copy_a_new_identity() {
    let mut a = office("Biuro Dobiegniew", &["Anna Kowalska"]);
    a.ch('S');
    a.ch('r');
    assert!(flat(&a.screen(80, 24)).contains("Nazwa tego biura"), "{}", a.screen(80, 24));
    a.clear_line();
    a.typ("Biuro Dobiegniew (laptop)");
    a.code(KeyCode::Enter);
    assert_eq!(a.store.office().unwrap(), "Biuro Dobiegniew (laptop)");
    assert!(flat(&a.screen(80, 24)).contains("Nazwa biura: Biuro Dobiegniew (laptop)"), "{}", a.screen(80, 24));
    // An empty name changes nothing.
    a.ch('r');
    a.clear_line();
    a.code(KeyCode::Enter);
    assert_eq!(a.store.office().unwrap(), "Biuro Dobiegniew (laptop)");

    let (old, old_fp) = (a.store.replica(), bundle::fingerprint(&Keys::load(&a.store).unwrap().sign_public()));
    a.ch('N');
    assert!(flat(&a.screen(80, 24)).contains("nową tożsamość"), "{}", a.screen(80, 24));
    // Esc: nothing happens.
    a.code(KeyCode::Esc);
    assert_eq!(a.store.replica(), old);
    a.ch('N');
    a.code(KeyCode::Enter);
    let new = a.store.replica();
    assert_ne!(new, old);
    let fp = bundle::fingerprint(&Keys::load(&a.store).unwrap().sign_public());
    assert_ne!(fp, old_fp, "a copy must not sign as the original");
    let s = flat(&a.screen(80, 24));
    assert!(s.contains(&new.short()) && s.contains(&fp), "{s}");
    // What it had stays, and what it writes now is under the new id.
    assert!(knows(&a.store, "Anna Kowalska"));
    teren::edit::create(&a.store, Entity::Participant, &[("name".into(), "Ewa Nowak".into())]).unwrap();
    assert_eq!(a.store.version_vector().unwrap().get(&new), Some(&1));
}
