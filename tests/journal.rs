//! The app's journal (src/store/journal.rs) with a real database: a process that dies
//! loses no commit it made, a torn last record loses only that commit, and the
//! checkpoints that write the journal's pages to the database file while commits go on
//! leave the same database as redb's own backend would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use teren::model::{Entity, Id};
use teren::store::{Draft, Store, StoreError, journal_path};
use teren::sync::Change;

fn add_participants(store: &Store, from: usize, n: usize) {
    for i in from..from + n {
        let name = format!("Uczestniczka {i} z Łęknicy");
        let d = Draft::new(
            Entity::Participant,
            Id::new(),
            vec![Change::set("name", name.as_str()), Change::set("note", "zgłoszona na warsztaty".repeat(i % 7))],
        );
        store.commit(vec![d]).unwrap();
    }
}

/// Copy the database and its journal as they are on disk now, as a crash would leave
/// them: the journal first, as a checkpoint syncs the database file before it moves the
/// journal's start.
fn copy_as_crashed(from: &Path, to: &Path) {
    std::fs::copy(journal_path(from), journal_path(to)).unwrap();
    std::fs::copy(from, to).unwrap();
}

/// The app's store on a database a command made first: the app's very first commits,
/// which make the database, would otherwise be only in the journal too.
fn app_on_made_database(path: &Path) -> Store {
    drop(Store::open(path).unwrap());
    Store::open_app(path).unwrap()
}

fn dump(store: &Store) -> String {
    teren::dump::dump(store).unwrap().to_string()
}

#[test]
fn a_killed_app_loses_no_commit_and_a_torn_last_one_loses_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let store = app_on_made_database(&path);
    add_participants(&store, 0, 40);
    let before_last = dump(&store);
    add_participants(&store, 40, 1);
    let all = dump(&store);
    // Dies: no close, no checkpoint. (Forty small commits fill under half the journal,
    // so no checkpoint has run either.)
    let crashed = dir.path().join("crashed.redb");
    copy_as_crashed(&path, &crashed);
    let torn = dir.path().join("torn.redb");
    copy_as_crashed(&path, &torn);
    let without = dir.path().join("without.redb");
    std::fs::copy(&path, &without).unwrap();
    std::mem::forget(store);

    // The commits are only in the journal: the database file alone has none of them.
    let s = Store::open(&without).unwrap();
    assert_eq!(s.count(Entity::Participant).unwrap(), 0);
    drop(s);

    let s = Store::open(&crashed).unwrap();
    assert_eq!(s.count(Entity::Participant).unwrap(), 41);
    assert_eq!(dump(&s), all);
    assert!(s.verify().unwrap().is_empty());
    drop(s);

    // The last record half written: the journal ends before it.
    let j = journal_path(&torn);
    let mut bytes = std::fs::read(&j).unwrap();
    let last = bytes.windows(8).rposition(|w| w == b"terenR02").unwrap();
    bytes[last + 100] ^= 0xff;
    std::fs::write(&j, bytes).unwrap();
    let s = Store::open_app(&torn).unwrap();
    assert_eq!(dump(&s), before_last);
    assert!(s.verify().unwrap().is_empty());
    // And it goes on from there.
    add_participants(&s, 40, 1);
    assert_eq!(s.count(Entity::Participant).unwrap(), 41);
}

#[test]
fn checkpoints_under_way_leave_the_same_database_as_redb_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (app, plain) = (dir.path().join("app.redb"), dir.path().join("plain.redb"));
    let a = Store::open_app(&app).unwrap();
    let p = Store::open(&plain).unwrap();
    // About 25 MB of journal records: the ring goes round three times, with
    // checkpoints in the background and reads of pages they are writing.
    for round in 0..12 {
        add_participants(&a, round * 50, 50);
        assert_eq!(a.count(Entity::Participant).unwrap(), (round + 1) * 50);
    }
    let d = Draft::new(Entity::Participant, Id::new(), vec![Change::set("name", "Ostatnia")]);
    a.commit(vec![d.clone()]).unwrap();
    // The same records through redb's own backend (the ids and clocks differ, so the
    // comparison is of names).
    add_participants(&p, 0, 600);
    p.commit(vec![d]).unwrap();
    let names = |s: &Store| {
        let mut n: Vec<String> = teren::dump::participant_names(s).unwrap().into_values().collect();
        n.sort();
        n
    };
    assert_eq!(names(&a), names(&p));
    assert!(a.verify().unwrap().is_empty());
    let before = dump(&a);
    drop(a);
    // Closed cleanly: the database file is whole without its journal.
    std::fs::remove_file(journal_path(&app)).unwrap();
    let a = Store::open(&app).unwrap();
    assert_eq!(dump(&a), before);
    assert!(a.verify().unwrap().is_empty());
}

#[test]
fn a_second_teren_on_the_same_database_is_told_it_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let app = Store::open_app(&path).unwrap();
    add_participants(&app, 0, 3);
    for other in [Store::open(&path), Store::open_app(&path), Store::open_bulk(&path)] {
        let err = other.err().expect("opened twice");
        assert!(matches!(err, StoreError::InUse(_)), "{err}");
    }
    // The journal the other openings found was left alone.
    assert_eq!(app.count(Entity::Participant).unwrap(), 3);
    drop(app);
    assert_eq!(Store::open(&path).unwrap().count(Entity::Participant).unwrap(), 3);
}

#[test]
fn readers_see_whole_pages_while_checkpoints_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let store = Store::open_app(&path).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let (mut seen, mut reads) = (0, 0);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let names = teren::dump::participant_names(&store).unwrap();
                assert!(names.len() >= seen, "{} participants after {seen}", names.len());
                assert!(names.values().all(|n| n.starts_with("Uczestniczka ")), "a page read torn or stale");
                seen = names.len();
                reads += 1;
            }
            reads
        });
        // Several checkpoints in the background (see the test above).
        add_participants(&store, 0, 500);
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 10);
    });
    assert_eq!(store.count(Entity::Participant).unwrap(), 500);
    assert!(store.verify().unwrap().is_empty());
}

#[test]
fn a_commit_bigger_than_the_journal_goes_straight_to_the_file_between_journaled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let store = app_on_made_database(&path);
    add_participants(&store, 0, 20);
    // One commit of some 20 MB of pages (an import, a bundle from the live sync): past
    // the journal's size it is written to the file as it goes, then synced.
    let note = "Długa notatka o współpracy z sołectwem. ".repeat(12);
    let big: Vec<Draft> = (0..8000)
        .map(|i| {
            let name = format!("Uczestniczka {i} z Gubina");
            Draft::new(
                Entity::Participant,
                Id::new(),
                vec![Change::set("name", name.as_str()), Change::set("note", note.as_str())],
            )
        })
        .collect();
    store.commit_bulk(big).unwrap();
    add_participants(&store, 20, 20);
    let all = dump(&store);
    let crashed = dir.path().join("crashed.redb");
    copy_as_crashed(&path, &crashed);
    std::mem::forget(store);
    let s = Store::open(&crashed).unwrap();
    assert_eq!(dump(&s), all);
    assert!(s.verify().unwrap().is_empty());
}
