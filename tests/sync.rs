#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sync between offices through real bundle files, in-process for speed
//! (DESIGN.md §4, §9): random edits on three replicas, random exchanges and relays in
//! random order → identical dumps; no concurrent text value lost without a conflict;
//! re-import changes nothing; erase dominates.

use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use teren::bundle::{self, BundleError, Encrypt, ImportOptions, Keys};
use teren::model::{Entity, Id, is_personal};
use teren::store::{Draft, Store};
use teren::sync::{Change, FieldState, OpId};

struct Replica {
    _dir: TempDir,
    store: Store,
    keys: Keys,
}

fn replica(label: &str) -> Replica {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("teren.redb")).unwrap();
    store.set_office(label).unwrap();
    let keys = Keys::load(&store).unwrap();
    Replica { _dir: dir, store, keys }
}

fn dump(r: &Replica) -> String {
    serde_json::to_string_pretty(&teren::dump::dump(&r.store).unwrap()).unwrap()
}

/// Write `from`'s bundle (what `to` has not acknowledged, or everything) into `dir`,
/// encrypted to every other replica.
fn export(reps: &[Replica], from: usize, to: Option<usize>, full: bool, dir: &Path) -> PathBuf {
    let r = &reps[from];
    let since = bundle::since_for(&r.store, to.map(|t| reps[t].store.replica()), full).unwrap();
    let recipients = reps.iter().enumerate().filter(|(i, _)| *i != from).map(|(_, o)| o.keys.recipient()).collect();
    let b = bundle::export(&r.store, &r.keys, &since, &Encrypt::Recipients(recipients)).unwrap();
    let path = dir.join(bundle::file_name(&b.header.office, b.header.created_ms));
    bundle::write_atomic(&path, &b.bytes).unwrap();
    path
}

fn import(r: &Replica, path: &Path) -> Result<bundle::Report, BundleError> {
    let bytes = bundle::read_file(path)?;
    bundle::import(&r.store, &r.keys, &bytes, &ImportOptions::default())
}

const RECORDS: usize = 3;

fn record(i: usize) -> (Entity, Id) {
    // Two people (all fields but a few personal) and a meeting (nothing personal).
    let entity = if i < 2 { Entity::Participant } else { Entity::Meeting };
    (entity, Id::from_bytes([i as u8 + 1; 16]))
}

#[derive(Debug, Clone)]
enum Edit {
    Name(u8),
    Category(bool),
    Note(u8),
    AddTag(u8),
    RemoveTag(u8),
    Delete,
    Restore,
    Erase,
}

#[derive(Debug, Clone)]
enum Action {
    Edit { at: usize, rec: usize, edit: Edit },
    Export { from: usize, to: Option<usize>, full: bool },
    Import { file: usize, to: usize },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (0u8..4).prop_map(Edit::Name),
        1 => any::<bool>().prop_map(Edit::Category),
        6 => (0u8..6).prop_map(Edit::Note),
        2 => (0u8..3).prop_map(Edit::AddTag),
        1 => (0u8..3).prop_map(Edit::RemoveTag),
        1 => Just(Edit::Delete),
        1 => Just(Edit::Restore),
        1 => Just(Edit::Erase),
    ]
}

fn action_strategy() -> impl Strategy<Value = Action> {
    prop_oneof![
        5 => (0..3usize, 0..RECORDS, edit_strategy()).prop_map(|(at, rec, edit)| Action::Edit { at, rec, edit }),
        2 => (0..3usize, proptest::option::of(0..3usize), any::<bool>())
            .prop_map(|(from, to, full)| Action::Export { from, to, full }),
        3 => (any::<usize>(), 0..3usize).prop_map(|(file, to)| Action::Import { file, to }),
    ]
}

fn apply_edit(r: &Replica, rec: usize, edit: &Edit, n: usize) {
    let (entity, id) = record(rec);
    let change = match edit {
        Edit::Name(v) => Change::set(if entity == Entity::Meeting { "title" } else { "name" }, format!("Nazwa {v}")),
        Edit::Category(b) => Change::set(
            if entity == Entity::Meeting { "type" } else { "category" },
            if *b { "ngo" } else { "ops" }.to_string(),
        ),
        // Every note text is unique, so a lost one would be noticed.
        Edit::Note(v) => Change::write("note", format!("notatka {v} nr {n} z {}", r.store.office().unwrap())),
        Edit::AddTag(t) => Change::add("tags", format!("tag{t}")),
        Edit::RemoveTag(t) => Change::remove("tags", format!("tag{t}")),
        Edit::Delete => Change::Delete,
        Edit::Restore => Change::Restore,
        Edit::Erase => Change::Erase,
    };
    r.store.commit(vec![Draft::new(entity, id, vec![change])]).unwrap();
}

/// Every text value that no later write saw is still there (a conflict when there
/// are several), unless an erasure removed the field.
fn check_no_text_lost(r: &Replica) {
    let ops = r.store.ops_since(&BTreeMap::new()).unwrap();
    for i in 0..RECORDS {
        let (entity, id) = record(i);
        let Some(doc) = r.store.doc(entity, id).unwrap() else { continue };
        if doc.erased && is_personal(entity, "note") {
            continue;
        }
        let mut written = BTreeSet::new();
        let mut seen: BTreeSet<OpId> = BTreeSet::new();
        for op in ops.iter().filter(|o| o.record == id && o.entity == entity) {
            for c in &op.changes {
                if let Change::Write { field, seen: s, .. } = c
                    && field == "note"
                {
                    written.insert(op.id);
                    seen.extend(s.iter().copied());
                }
            }
        }
        let heads: BTreeSet<OpId> = doc.text_heads("note").into_iter().collect();
        let unseen: BTreeSet<OpId> = written.difference(&seen).copied().collect();
        assert_eq!(heads, unseen, "record {i}: the values no write saw must all remain");
        if unseen.len() > 1 {
            assert!(doc.conflicts().iter().any(|(f, _)| *f == "note"), "record {i}: several values but no conflict");
        }
        if let Some(FieldState::Text { values, .. }) = doc.fields.get("note") {
            assert_eq!(values.len(), heads.len());
        }
    }
}

fn run_scenario(actions: &[Action]) {
    let reps = vec![replica("Biuro Dobiegniew"), replica("Biuro Strzelce Krajeńskie"), replica("Biuro Łódź")];
    let folder = tempfile::tempdir().unwrap();
    let mut files: Vec<(PathBuf, usize)> = Vec::new();
    for (n, a) in actions.iter().enumerate() {
        match a {
            Action::Edit { at, rec, edit } => apply_edit(&reps[*at], *rec, edit, n),
            Action::Export { from, to, full } => {
                let to = to.filter(|t| t != from);
                files.push((export(&reps, *from, to, *full, folder.path()), *from));
            }
            Action::Import { file, to } => {
                if files.is_empty() {
                    continue;
                }
                let (path, from) = &files[file % files.len()];
                match import(&reps[*to], path) {
                    Ok(_) => assert_ne!(from, to),
                    Err(BundleError::OwnBundle { .. }) => assert_eq!(from, to),
                    Err(e) => panic!("import failed: {e}"),
                }
            }
        }
    }
    // A full exchange: every office sends everything to every other.
    let full: Vec<PathBuf> = (0..reps.len()).map(|i| export(&reps, i, None, true, folder.path())).collect();
    for (i, r) in reps.iter().enumerate() {
        for (j, f) in full.iter().enumerate() {
            if i != j {
                import(r, f).unwrap();
            }
        }
    }
    let dumps: Vec<String> = reps.iter().map(dump).collect();
    assert_eq!(dumps[0], dumps[1], "replicas 0 and 1 differ");
    assert_eq!(dumps[0], dumps[2], "replicas 0 and 2 differ");
    for r in &reps {
        assert_eq!(r.store.verify().unwrap(), Vec::<String>::new());
        assert_eq!(r.store.log_len().unwrap().1, 0, "nothing left waiting after a full exchange");
        check_no_text_lost(r);
    }
    // Erased people keep no personal value in any log.
    for r in &reps {
        for op in r.store.ops_since(&BTreeMap::new()).unwrap() {
            let Some(doc) = r.store.doc(op.entity, op.record).unwrap() else { continue };
            if doc.erased {
                assert!(teren::store::redact(&op).is_none(), "op {:?} of an erased record keeps personal data", op.id);
            }
        }
    }
    // Re-importing any bundle, old or new, changes nothing.
    let vvs: Vec<_> = reps.iter().map(|r| r.store.version_vector().unwrap()).collect();
    for (path, from) in files.iter().map(|(p, f)| (p, *f)).chain(full.iter().zip(0..)) {
        for (i, r) in reps.iter().enumerate() {
            if i != from {
                import(r, path).unwrap();
                assert_eq!(dump(r), dumps[i], "re-import changed replica {i}");
                assert_eq!(r.store.version_vector().unwrap(), vvs[i]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge_through_bundles(actions in proptest::collection::vec(action_strategy(), 1..40)) {
        run_scenario(&actions);
    }
}

#[test]
fn concurrent_note_edits_become_a_conflict_and_a_resolution_syncs() {
    let reps = [replica("A"), replica("B"), replica("C")];
    let dir = tempfile::tempdir().unwrap();
    apply_edit(&reps[0], 2, &Edit::Note(0), 0);
    import(&reps[1], &export(&reps, 0, None, true, dir.path())).unwrap();
    apply_edit(&reps[0], 2, &Edit::Note(1), 1);
    apply_edit(&reps[1], 2, &Edit::Note(2), 2);
    // B's bundle reaches A directly, and C through A (a relay).
    import(&reps[0], &export(&reps, 1, Some(0), false, dir.path())).unwrap();
    import(&reps[2], &export(&reps, 0, Some(2), false, dir.path())).unwrap();
    let (e, id) = record(2);
    for r in [&reps[0], &reps[2]] {
        let doc = r.store.doc(e, id).unwrap().unwrap();
        assert_eq!(doc.conflicts().len(), 1);
        assert_eq!(doc.conflicts()[0].1.len(), 2);
        // The index the status line counts from follows the merge.
        assert_eq!(r.store.conflict_count().unwrap(), 1);
        assert_eq!(r.store.conflicted().unwrap(), vec![(e, id)]);
    }
    // C resolves; the resolution saw both values, so it clears the conflict everywhere.
    reps[2].store.commit(vec![Draft::new(e, id, vec![Change::write("note", "obie wersje")])]).unwrap();
    let f = export(&reps, 2, None, true, dir.path());
    import(&reps[0], &f).unwrap();
    import(&reps[1], &f).unwrap();
    for r in &reps {
        let doc = r.store.doc(e, id).unwrap().unwrap();
        assert!(doc.conflicts().is_empty());
        assert_eq!(doc.str("note"), Some("obie wersje"));
        assert_eq!(r.store.conflict_count().unwrap(), 0);
        assert!(r.store.verify().unwrap().is_empty());
    }
}

#[test]
fn an_old_bundle_cannot_bring_erased_data_back() {
    let reps = [replica("A"), replica("B")];
    let dir = tempfile::tempdir().unwrap();
    let (e, id) = record(0);
    reps[0]
        .store
        .commit(vec![Draft::new(e, id, vec![Change::set("name", "Anna Kowalska"), Change::set("phone", "600100200")])])
        .unwrap();
    let old = export(&reps, 0, None, true, dir.path());
    import(&reps[1], &old).unwrap();
    reps[1].store.commit(vec![Draft::new(e, id, vec![Change::Erase])]).unwrap();
    // B's log no longer holds the data, and A erases with B's next bundle.
    let logged = format!("{:?}", reps[1].store.ops_since(&BTreeMap::new()).unwrap());
    assert!(!logged.contains("600100200") && !logged.contains("Kowalska"), "{logged}");
    import(&reps[0], &export(&reps, 1, None, false, dir.path())).unwrap();
    let logged = format!("{:?}", reps[0].store.ops_since(&BTreeMap::new()).unwrap());
    assert!(!logged.contains("600100200"), "{logged}");
    // The old bundle, imported again, changes nothing.
    let before = dump(&reps[1]);
    import(&reps[1], &old).unwrap();
    assert_eq!(dump(&reps[1]), before);
    assert!(!before.contains("600100200"));
    assert_eq!(dump(&reps[0]), dump(&reps[1]));
}

#[test]
fn the_bundle_header_holds_no_personal_data() {
    let reps = [replica("Biuro Dobiegniew"), replica("B")];
    let (e, id) = record(0);
    reps[0].store.commit(vec![Draft::new(e, id, vec![Change::set("name", "Zofia Wiśniewska")])]).unwrap();
    let since = BTreeMap::new();
    let plain = bundle::export(&reps[0].store, &reps[0].keys, &since, &Encrypt::None).unwrap();
    let text = format!("{:?}", plain.header);
    assert!(!text.contains("Zofia"));
    let enc =
        bundle::export(&reps[0].store, &reps[0].keys, &since, &Encrypt::Recipients(vec![reps[1].keys.recipient()]))
            .unwrap();
    let hay = String::from_utf8_lossy(&enc.bytes);
    // A whole name, not a short fragment: two random letters turn up in ciphertext by
    // chance now and then, a 15-letter name never does.
    assert!(!hay.contains("Zofia") && !hay.contains("Wiśniewska"), "an encrypted bundle leaks the name");
    let name = bundle::file_name("Biuro Strzelce Krajeńskie / Łódź", plain.header.created_ms);
    assert!(name.starts_with("teren-biuro-strzelce-krajenskie-lodz-"), "{name}");
    assert!(name.ends_with(".teren") && name.is_ascii(), "{name}");
}

/// An import of more than a thousand records writes `records` on a second thread
/// while the indexes are written (`Tables::flush`); the result must be what small
/// imports, written on one thread, make of the same ops.
#[test]
fn a_large_import_writes_what_small_ones_write() {
    let (a, b, c) = (replica("Biuro A"), replica("Biuro B"), replica("Biuro C"));
    teren::demo::generate(&a.store, 1000, 7, &mut |_, _| {}).unwrap();
    let ops: Vec<teren::sync::Op> = a
        .store
        .op_bytes_since(&Default::default())
        .unwrap()
        .iter()
        .map(|bytes| teren::sync::Op::decode(bytes).unwrap())
        .collect();
    let records: usize = [Entity::Participant, Entity::Meeting, Entity::FollowUp, Entity::Resource, Entity::Need]
        .into_iter()
        .map(|e| a.store.count(e).unwrap())
        .sum();
    assert!(records > 1024, "{records} records: too few to take the two-thread path");
    let dir = tempfile::tempdir().unwrap();
    let reps = [a, b];
    import(&reps[1], &export(&reps, 0, Some(1), true, dir.path())).unwrap();
    let b = &reps[1];
    for chunk in ops.chunks(100) {
        c.store.apply_remote(chunk).unwrap();
    }
    assert_eq!(dump(b), dump(&c));
    for entity in [Entity::Participant, Entity::Meeting, Entity::FollowUp] {
        let listed = |r: &Replica| r.store.ordered_ids(entity, 0, usize::MAX, false).unwrap();
        assert_eq!(listed(b), listed(&c), "{entity:?} in list order");
    }
    assert_eq!(b.store.last_contacts().unwrap(), c.store.last_contacts().unwrap());
    assert!(!b.store.last_contacts().unwrap().is_empty());
}
