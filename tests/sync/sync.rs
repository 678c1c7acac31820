#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sync between offices through real bundle files, in-process for speed
//! (DESIGN.md §4, §9): random edits on three replicas, random exchanges and relays in
//! random order → identical dumps; no concurrent text value lost without a conflict;
//! re-import changes nothing; erase dominates. Offices pair first (DESIGN.md §4,
//! "Trust is paired, never found"); the proptest also forgets and pairs again, and
//! the attacks of issue 21 each have a test: a stranger in the folder learns and
//! changes nothing, an unpaired key's bundle is held, a paired key cannot speak for
//! another office.

use crate::support::offices::{self, Replica, replica};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use teren::bundle::{self, BundleError, Encrypt, ImportOptions, Keys, Outcome, Unpaired};
use teren::model::{Entity, Id, is_personal};
use teren::store::{Draft, Store};
use teren::sync::{Change, FieldState, OpId};

fn dump(r: &Replica) -> String {
    offices::dump(&r.store)
}

/// A copy of `r`'s database file (as `teren backup` makes it), opened as an office of
/// its own: the same replica id and keys.
fn copy_of(r: &Replica) -> Replica {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kopia.redb");
    r.store.backup(&path).unwrap();
    let store = Store::open(&path).unwrap();
    let keys = Keys::load(&store).unwrap();
    Replica { dir, store, keys }
}

/// `a` pairs `b`: as `teren office pair` does with b's introduction, its fingerprint
/// confirmed.
fn pair(a: &Replica, b: &Replica) {
    offices::pair(&a.store, &b.store);
}

/// Every replica pairs every other.
fn pair_all(reps: &[Replica]) {
    for a in reps {
        for b in reps {
            if a.store.replica() != b.store.replica() {
                pair(a, b);
            }
        }
    }
}

/// Write `from`'s bundle (what `to` cannot be proven to have, or everything) into
/// `dir`, encrypted to the offices `from` has paired (and itself, so that there is
/// always a reader).
fn export(reps: &[Replica], from: usize, to: Option<usize>, full: bool, dir: &Path) -> PathBuf {
    let r = &reps[from];
    let since = bundle::since_for(&r.store, to.map(|t| reps[t].store.replica()), full).unwrap();
    let mut recipients: Vec<age::x25519::Recipient> =
        bundle::paired_recipients(&r.store).unwrap().iter().map(|k| bundle::parse_recipient(k).unwrap()).collect();
    recipients.push(r.keys.recipient());
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
    /// A meeting's attendee or a person's organisation (one of the two people).
    Link(u8),
    Unlink(u8),
    /// A meeting's date or a person's gmina: what the lists show and sort by.
    Date(u8),
    Delete,
    Restore,
    Erase,
}

#[derive(Debug, Clone)]
enum Action {
    Edit {
        at: usize,
        rec: usize,
        edit: Edit,
    },
    Export {
        from: usize,
        to: Option<usize>,
        full: bool,
    },
    Import {
        file: usize,
        to: usize,
    },
    /// `at` forgets office `whom` (`teren office forget`).
    Forget {
        at: usize,
        whom: usize,
    },
    /// `at` pairs office `whom` again by its fingerprint.
    Pair {
        at: usize,
        whom: usize,
    },
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (0u8..4).prop_map(Edit::Name),
        1 => any::<bool>().prop_map(Edit::Category),
        6 => (0u8..6).prop_map(Edit::Note),
        2 => (0u8..3).prop_map(Edit::AddTag),
        1 => (0u8..3).prop_map(Edit::RemoveTag),
        2 => (0u8..2).prop_map(Edit::Link),
        1 => (0u8..2).prop_map(Edit::Unlink),
        1 => (0u8..9).prop_map(Edit::Date),
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
        1 => (0..3usize, 0..3usize).prop_map(|(at, whom)| Action::Forget { at, whom }),
        1 => (0..3usize, 0..3usize).prop_map(|(at, whom)| Action::Pair { at, whom }),
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
        Edit::Link(p) | Edit::Unlink(p) => {
            let field = if entity == Entity::Meeting { "attendees" } else { "memberships" };
            let other = record(usize::from(*p) % 2).1.to_string();
            if matches!(edit, Edit::Link(_)) { Change::add(field, other) } else { Change::remove(field, other) }
        }
        Edit::Date(d) if entity == Entity::Meeting => Change::set("date", format!("2026-0{}-1{d}", 1 + d % 9)),
        Edit::Date(d) => Change::set("gmina", format!("Gmina {d}")),
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
    pair_all(&reps);
    // paired[i][j]: office i applies office j's bundles (or will pair it with its next).
    let mut paired = [[true; 3]; 3];
    let folder = tempfile::tempdir().unwrap();
    // Each bundle with its sender and the offices that can read it.
    let mut files: Vec<(PathBuf, usize, Vec<usize>)> = Vec::new();
    for (n, a) in actions.iter().enumerate() {
        match a {
            Action::Edit { at, rec, edit } => {
                apply_edit(&reps[*at], *rec, edit, n);
                // The lists, counts and indexes follow every save.
                assert_eq!(reps[*at].store.verify().unwrap(), Vec::<String>::new());
            }
            Action::Export { from, to, full } => {
                let to = to.filter(|t| t != from);
                let path = export(&reps, *from, to, *full, folder.path());
                let readers = bundle::paired_recipients(&reps[*from].store).unwrap();
                let readers = (0..reps.len())
                    .filter(|i| *i == *from || readers.contains(&reps[*i].keys.recipient().to_string()))
                    .collect();
                files.push((path, *from, readers));
            }
            Action::Import { file, to } => {
                if files.is_empty() {
                    continue;
                }
                let (path, from, readers) = &files[file % files.len()];
                let before = reps[*to].store.version_vector().unwrap();
                let imported = import(&reps[*to], path);
                // …and every merge.
                assert_eq!(reps[*to].store.verify().unwrap(), Vec::<String>::new());
                match imported {
                    Ok(r) => {
                        assert_ne!(from, to);
                        if let Outcome::NotPaired(np) = &r.outcome {
                            assert!(!paired[*to][*from], "a paired office's bundle was held");
                            assert_eq!(np.why, Unpaired::Forgotten);
                            assert_eq!(reps[*to].store.version_vector().unwrap(), before, "a held bundle changed data");
                        } else {
                            assert!(paired[*to][*from], "a bundle from a forgotten office was applied");
                        }
                    }
                    Err(BundleError::OwnBundle { .. }) => assert_eq!(from, to),
                    Err(BundleError::NotForUs { .. }) => {
                        assert!(!readers.contains(to), "not readable by an office it was encrypted to");
                        assert!(paired[*to][*from]);
                    }
                    Err(e) => panic!("import failed: {e}"),
                }
            }
            Action::Forget { at, whom } if at != whom => {
                bundle::forget(&reps[*at].store, reps[*whom].store.replica()).unwrap();
                paired[*at][*whom] = false;
                assert!(
                    !bundle::paired_recipients(&reps[*at].store)
                        .unwrap()
                        .contains(&reps[*whom].keys.recipient().to_string())
                );
            }
            Action::Pair { at, whom } if at != whom => {
                let fp = bundle::fingerprint(&reps[*whom].keys.sign_public());
                let r = &reps[*at];
                bundle::pair_fingerprint(&r.store, &r.keys, &fp, "", &ImportOptions::default()).unwrap();
                paired[*at][*whom] = true;
            }
            Action::Forget { .. } | Action::Pair { .. } => {}
        }
    }
    // Everyone pairs everyone again (held bundles are applied then)…
    for (i, r) in reps.iter().enumerate() {
        for (j, o) in reps.iter().enumerate() {
            if i != j && !paired[i][j] {
                let fp = bundle::fingerprint(&o.keys.sign_public());
                bundle::pair_fingerprint(&r.store, &r.keys, &fp, "", &ImportOptions::default()).unwrap();
            }
        }
    }
    // …and an office expected again (paired by fingerprint before any bundle) is
    // paired with the first one.
    // A full exchange: every office sends everything to every other.
    let intros: Vec<Vec<u8>> = reps.iter().map(|r| bundle::introduction(&r.store, &r.keys).unwrap().bytes).collect();
    for (i, r) in reps.iter().enumerate() {
        for (j, b) in intros.iter().enumerate() {
            if i != j {
                bundle::import(&r.store, &r.keys, b, &ImportOptions::default()).unwrap();
            }
        }
    }
    let full: Vec<PathBuf> = (0..reps.len()).map(|i| export(&reps, i, None, true, folder.path())).collect();
    for (i, r) in reps.iter().enumerate() {
        for (j, f) in full.iter().enumerate() {
            if i != j {
                let rep = import(r, f).unwrap();
                assert!(matches!(rep.outcome, Outcome::Imported { .. }), "{:?}", rep.outcome);
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
    for (path, from, readers) in
        files.iter().map(|(p, f, r)| (p, *f, r.clone())).chain(full.iter().zip(0..).map(|(p, f)| (p, f, vec![0, 1, 2])))
    {
        for (i, r) in reps.iter().enumerate() {
            if i != from && readers.contains(&i) {
                import(r, path).unwrap();
                assert_eq!(dump(r), dumps[i], "re-import changed replica {i}");
                assert_eq!(r.store.version_vector().unwrap(), vvs[i]);
            }
        }
    }
    copied_replica_is_caught(&reps, actions.len() % reps.len());
}

/// A copy of office `k`'s database writes under k's id: once the others have k's own
/// change under that id, the copy's bundle is refused and changes nothing.
fn copied_replica_is_caught(reps: &[Replica], k: usize) {
    let copy = copy_of(&reps[k]);
    let (e, id) = record(2);
    copy.store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Z kopii")])]).unwrap();
    reps[k].store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Z oryginału")])]).unwrap();
    for (j, to) in reps.iter().enumerate().filter(|(j, _)| *j != k) {
        let since = bundle::since_for(&reps[k].store, Some(to.store.replica()), false).unwrap();
        let enc = Encrypt::Recipients(vec![to.keys.recipient()]);
        let own = bundle::export(&reps[k].store, &reps[k].keys, &since, &enc).unwrap().bytes;
        bundle::import(&to.store, &to.keys, &own, &ImportOptions::default()).unwrap();
        let before = dump(to);
        let theirs = bundle::export(&copy.store, &copy.keys, &since, &enc).unwrap().bytes;
        let err = bundle::import(&to.store, &to.keys, &theirs, &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, BundleError::CopiedDatabase { .. }), "office {j} took a copy's bundle: {err}");
        assert_eq!(dump(to), before, "a copy's bundle changed office {j}");
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
    pair_all(&reps);
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
    pair_all(&reps);
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
    pair_all(&reps);
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

/// Issue 21, attack 1: a stranger X who can write into the shared folder runs
/// `teren sync` there. A never encrypts to X (A's bundle stays unreadable to X, even
/// after X pairs A on its own), X's bundle is held at A, not applied, and A's data
/// reaches B, the office A paired, only.
#[test]
fn a_stranger_in_the_sync_folder_learns_nothing_and_changes_nothing() {
    let (a, b, x) = (replica("Biuro A"), replica("Biuro B"), replica("Obcy"));
    pair(&a, &b);
    pair(&b, &a);
    let (e, id) = record(0);
    a.store.commit(vec![Draft::new(e, id, vec![Change::set("name", "Zofia Wiśniewska")])]).unwrap();
    x.store.commit(vec![Draft::new(e, id, vec![Change::Erase])]).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let sync = |r: &Replica| bundle::folder::sync(&r.store, &r.keys, folder.path(), None).unwrap();
    sync(&x);
    let a_first = sync(&a);
    // X's bundle is held at A, not applied.
    let held: Vec<_> = a_first
        .files
        .iter()
        .filter_map(|f| match &f.outcome {
            bundle::folder::FileOutcome::Imported(r) => Some(r.outcome.clone()),
            _ => None,
        })
        .collect();
    assert!(matches!(&held[..], [Outcome::NotPaired(np)] if np.why == Unpaired::New && np.held), "{held:?}");
    assert_eq!(a.store.doc(e, id).unwrap().unwrap().str("name"), Some("Zofia Wiśniewska"));
    let pending = bundle::folder::pending(&a.store).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].fingerprint, bundle::fingerprint(&x.keys.sign_public()));
    // The held copy is still encrypted (X's own key) and named without personal data.
    let held_files = bundle::folder::held(&a.store).unwrap();
    assert_eq!(held_files.len(), 1);
    let name = held_files[0].0.file_name().unwrap().to_string_lossy().to_string();
    assert!(name.len() == 38 && name.ends_with(".teren"), "{name}");
    sync(&x);
    sync(&b);
    sync(&a);
    // A's bundle is for A and B only, never for a key merely found in the folder.
    for f in bundle::folder::bundle_files(folder.path()).unwrap() {
        let bytes = bundle::read_file(&f).unwrap();
        let h = bundle::parse(&bytes).unwrap().header;
        if h.sender == a.store.replica() {
            let bundle::Encryption::Recipients(rs) = &h.encryption else {
                panic!("A's bundle is not encrypted to keys")
            };
            assert!(!rs.contains(&x.keys.recipient().to_string()), "A encrypted to the stranger");
            assert!(rs.contains(&b.keys.recipient().to_string()));
            assert!(!String::from_utf8_lossy(&bytes).contains("Zofia"));
            // Even if X pairs A on its own, A's bundle does not open for X.
            bundle::pair_header(&x.store, &h).unwrap();
            let r = bundle::import(&x.store, &x.keys, &bytes, &ImportOptions::default());
            assert!(matches!(r, Err(BundleError::NotForUs { .. })), "{r:?}");
        }
    }
    sync(&x);
    assert!(!dump(&x).contains("Zofia"), "the stranger learnt a name");
    assert!(dump(&b).contains("Zofia Wiśniewska"));
    assert_eq!(dump(&a), dump(&b));
    // A refuses X: the held bundle is gone and X's next bundles are ignored.
    assert_eq!(bundle::refuse(&a.store, &bundle::fingerprint(&x.keys.sign_public())).unwrap(), 1);
    assert!(bundle::folder::pending(&a.store).unwrap().is_empty());
    let again = sync(&a);
    assert!(again.files.iter().all(|f| !matches!(&f.outcome,
        bundle::folder::FileOutcome::Imported(r) if matches!(&r.outcome, Outcome::NotPaired(np) if np.held))));
    assert!(bundle::folder::held(&a.store).unwrap().is_empty());
    assert_eq!(a.store.doc(e, id).unwrap().unwrap().str("name"), Some("Zofia Wiśniewska"));
}

/// A bundle of `from` re-signed by `signer`, claiming to come from office `claims`.
fn forged(from: &Replica, signer: &Replica, claims: &Replica) -> Vec<u8> {
    let b = bundle::export(&from.store, &from.keys, &BTreeMap::new(), &Encrypt::None).unwrap();
    let body = bundle::parse(&b.bytes).unwrap().body.to_vec();
    let mut header = b.header.clone();
    header.sender = claims.store.replica();
    header.office = claims.store.office().unwrap();
    header.sign_key = signer.keys.sign_public();
    bundle::assemble(&header, &body, &signer.keys.signing)
}

/// Issue 21, attack 2: an unencrypted bundle signed by an unknown key, claiming to be
/// office S and carrying an erasure, is held, not applied (nor is one under the
/// stranger's own name); S's real bundle is then applied in full.
#[test]
fn an_unknown_key_speaking_for_a_paired_office_is_held_not_applied() {
    let reps = [replica("Biuro A"), replica("Biuro S")];
    pair_all(&reps);
    let (a, s) = (&reps[0], &reps[1]);
    let x = replica("Obcy");
    let (e, id) = record(0);
    a.store.commit(vec![Draft::new(e, id, vec![Change::set("name", "Anna Kowalska")])]).unwrap();
    x.store.commit(vec![Draft::new(e, id, vec![Change::Erase])]).unwrap();
    let before = dump(a);
    let as_s = forged(&x, &x, s);
    let r = bundle::import(&a.store, &a.keys, &as_s, &ImportOptions::default()).unwrap();
    let s_fp = bundle::fingerprint(&s.keys.sign_public());
    assert!(matches!(&r.outcome, Outcome::NotPaired(np) if np.why == Unpaired::OtherKey(s_fp.clone()) && np.held));
    let plain = bundle::export(&x.store, &x.keys, &BTreeMap::new(), &Encrypt::None).unwrap();
    let r = bundle::import(&a.store, &a.keys, &plain.bytes, &ImportOptions::default()).unwrap();
    assert!(matches!(&r.outcome, Outcome::NotPaired(np) if np.why == Unpaired::New));
    assert_eq!(dump(a), before, "a held bundle changed the data");
    assert!(!a.store.doc(e, id).unwrap().unwrap().erased);
    // S's pairing is untouched, and S's own next change arrives as usual.
    assert_eq!(a.store.peer(s.store.replica()).unwrap().unwrap().sign_key, s.keys.sign_public());
    s.store
        .commit(vec![Draft::new(Entity::Meeting, Id::from_bytes([9; 16]), vec![Change::set("title", "Zebranie")])])
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let r = import(a, &export(&reps, 1, Some(0), false, dir.path())).unwrap();
    assert!(matches!(r.outcome, Outcome::Imported { applied: 1, .. }), "{:?}", r.outcome);
    import(s, &export(&reps, 0, Some(1), false, dir.path())).unwrap();
    assert_eq!(dump(a), dump(s));
    // Both strangers' bundles wait, one office per key.
    assert_eq!(bundle::folder::pending(&a.store).unwrap().len(), 1);
    assert_eq!(bundle::folder::held(&a.store).unwrap().len(), 2);
}

/// Issue 21, attack 3: a key paired with office Q signs a bundle claiming to be
/// office S: refused with one line, nothing changed, S still paired with its key.
#[test]
fn a_paired_key_claiming_another_office_is_refused() {
    let reps = [replica("Biuro A"), replica("Biuro S"), replica("Biuro Q")];
    pair_all(&reps);
    let (a, s, q) = (&reps[0], &reps[1], &reps[2]);
    let (e, id) = record(0);
    a.store.commit(vec![Draft::new(e, id, vec![Change::set("name", "Anna Kowalska")])]).unwrap();
    q.store.commit(vec![Draft::new(e, id, vec![Change::Erase])]).unwrap();
    let before = dump(a);
    let err = bundle::import(&a.store, &a.keys, &forged(q, q, s), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, BundleError::WrongOffice { .. }), "{err}");
    let line = err.to_string();
    assert!(line.contains("Biuro Q") && line.contains("Biuro S") && !line.contains('\n'), "{line}");
    assert_eq!(dump(a), before);
    assert_eq!(a.store.peer(s.store.replica()).unwrap().unwrap().sign_key, s.keys.sign_public());
    assert!(bundle::folder::held(&a.store).unwrap().is_empty(), "a refused bundle is not held");
    // Nor can an introduction pair Q's key with S's office.
    let mut h = bundle::introduction(&q.store, &q.keys).unwrap().header;
    h.sender = s.store.replica();
    assert!(matches!(
        bundle::pair_header(&a.store, &h),
        Err(BundleError::KeyTaken { .. } | BundleError::OtherKey { .. })
    ));
    // A fingerprint read out wrong pairs nothing.
    let intro = bundle::introduction(&q.store, &q.keys).unwrap();
    let wrong = bundle::fingerprint(&s.keys.sign_public());
    let x = replica("C");
    let r = bundle::pair_file(&x.store, &x.keys, &intro.bytes, &wrong, &ImportOptions::default());
    assert!(matches!(r, Err(BundleError::FingerprintMismatch { .. })));
    assert!(x.store.peers().unwrap().is_empty());
}

/// Issue 21, point 5: an export for an office never heard from holds every office's
/// ops (A's erasure relayed by B reaches C); a forgotten office no longer holds
/// bundles back, and its bundles are held while its past ops stay.
#[test]
fn relays_are_complete_and_a_forgotten_office_stops_holding_bundles_back() {
    let reps = [replica("Biuro A"), replica("Biuro B"), replica("Biuro C")];
    pair(&reps[0], &reps[1]);
    pair(&reps[1], &reps[0]);
    pair(&reps[1], &reps[2]);
    pair(&reps[2], &reps[1]);
    let dir = tempfile::tempdir().unwrap();
    let (e, id) = record(0);
    reps[0].store.commit(vec![Draft::new(e, id, vec![Change::set("name", "Anna Kowalska")])]).unwrap();
    import(&reps[1], &export(&reps, 0, Some(1), false, dir.path())).unwrap();
    reps[0].store.commit(vec![Draft::new(e, id, vec![Change::Erase])]).unwrap();
    import(&reps[1], &export(&reps, 0, Some(1), false, dir.path())).unwrap();
    // B has met C only through pairing: its bundle for C holds A's ops too.
    let r = import(&reps[2], &export(&reps, 1, Some(2), false, dir.path())).unwrap();
    assert!(matches!(r.outcome, Outcome::Imported { applied: 2, .. }), "{:?}", r.outcome);
    assert!(reps[2].store.doc(e, id).unwrap().unwrap().erased, "the relayed erasure did not reach C");
    assert_eq!(dump(&reps[1]), dump(&reps[2]));
    // B's bundles for everyone: C has acknowledged (its bundle reached B), A has not
    // heard of C's bundle… A silent office holds B's bundles back until forgotten.
    reps[2]
        .store
        .commit(vec![Draft::new(Entity::Meeting, Id::from_bytes([9; 16]), vec![Change::set("title", "Z")])])
        .unwrap();
    import(&reps[1], &export(&reps, 2, Some(1), false, dir.path())).unwrap();
    let silent = replica("Biuro Milczące");
    pair(&reps[1], &silent);
    assert!(bundle::since_for(&reps[1].store, None, false).unwrap().is_empty(), "a silent office: everything");
    bundle::forget(&reps[1].store, silent.store.replica()).unwrap();
    let since = bundle::since_for(&reps[1].store, None, false).unwrap();
    assert!(!since.is_empty(), "a forgotten office still holds bundles back");
    assert!(!bundle::paired_recipients(&reps[1].store).unwrap().contains(&silent.keys.recipient().to_string()));
    // C is forgotten by B: C's next bundle is held, its past ops stay.
    bundle::forget(&reps[1].store, reps[2].store.replica()).unwrap();
    reps[2]
        .store
        .commit(vec![Draft::new(Entity::Meeting, Id::from_bytes([9; 16]), vec![Change::set("title", "Y")])])
        .unwrap();
    let before = dump(&reps[1]);
    let r = import(&reps[1], &export(&reps, 2, Some(1), false, dir.path())).unwrap();
    assert!(matches!(&r.outcome, Outcome::NotPaired(np) if np.why == Unpaired::Forgotten));
    assert_eq!(dump(&reps[1]), before);
    assert!(before.contains("\"Z\""), "C's past ops stay");
    // Paired again by its fingerprint: the held bundle is applied.
    let fp = bundle::fingerprint(&reps[2].keys.sign_public());
    let done = bundle::pair_fingerprint(&reps[1].store, &reps[1].keys, &fp, "", &ImportOptions::default()).unwrap();
    assert!(matches!(done, bundle::PairedBy::Now { .. }));
    assert!(dump(&reps[1]).contains("\"Y\""));
}

/// A stranger's file claiming to be this very office (its database id, another key)
/// is not taken for this office's own bundle: refused, and this office still writes
/// its bundle.
#[test]
fn a_bundle_claiming_this_office_under_another_key_is_not_its_own() {
    let reps = [replica("Biuro A"), replica("Biuro B")];
    pair_all(&reps);
    let x = replica("Obcy");
    let folder = tempfile::tempdir().unwrap();
    let a = &reps[0];
    std::fs::write(folder.path().join("teren-biuro-a-20250101-1200-abcdef.teren"), forged(&x, &x, a)).unwrap();
    let done = bundle::folder::sync(&a.store, &a.keys, folder.path(), None).unwrap();
    assert_eq!(done.failed(), 1, "{done:?}");
    assert!(matches!(done.own, Some(bundle::folder::OwnOutcome::Wrote { .. })), "{:?}", done.own);
}

/// A stranger writing bundle after bundle fills nothing up: the newest few of each
/// key are held.
#[test]
fn held_bundles_are_capped_per_key() {
    let a = replica("Biuro A");
    let x = replica("Obcy");
    for n in 0..(bundle::folder::HELD_PER_KEY + 2) {
        apply_edit(&x, 0, &Edit::Note(n as u8), n);
        let b = bundle::export(&x.store, &x.keys, &BTreeMap::new(), &Encrypt::None).unwrap();
        let r = bundle::import(&a.store, &a.keys, &b.bytes, &ImportOptions::default()).unwrap();
        assert!(matches!(r.outcome, Outcome::NotPaired(_)));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert_eq!(bundle::folder::held(&a.store).unwrap().len(), bundle::folder::HELD_PER_KEY);
    let pending = bundle::folder::pending(&a.store).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].bundles, bundle::folder::HELD_PER_KEY);
    // Paired at last: the newest held bundle brings everything.
    let fp = bundle::fingerprint(&x.keys.sign_public());
    bundle::pair_fingerprint(&a.store, &a.keys, &fp, "", &ImportOptions::default()).unwrap();
    assert_eq!(dump(&a), dump(&x));
    assert!(bundle::folder::held(&a.store).unwrap().is_empty());
}

/// A copied database file writes as the same office: the copy's change and the
/// original's, under one id, would drop one of them in silence. The second is refused
/// with one line saying what happened; nothing is imported.
#[test]
fn a_copied_database_is_caught_at_import() {
    let reps = [replica("Biuro A"), replica("Biuro B")];
    pair_all(&reps);
    let (a, b) = (&reps[0], &reps[1]);
    let (e, id) = record(2);
    a.store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Zebranie")])]).unwrap();
    let copy = copy_of(a);
    assert_eq!(copy.store.replica(), a.store.replica());
    copy.store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Z kopii")])]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2));
    a.store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Z oryginału")])]).unwrap();
    let bundle_of = |r: &Replica| {
        let since = bundle::since_for(&r.store, Some(b.store.replica()), false).unwrap();
        bundle::export(&r.store, &r.keys, &since, &Encrypt::Recipients(vec![b.keys.recipient()])).unwrap().bytes
    };
    let r = bundle::import(&b.store, &b.keys, &bundle_of(&copy), &ImportOptions::default()).unwrap();
    assert!(matches!(r.outcome, Outcome::Imported { .. }), "{:?}", r.outcome);
    let before = dump(b);
    let err = bundle::import(&b.store, &b.keys, &bundle_of(a), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, BundleError::CopiedDatabase { .. }), "{err}");
    assert!(err.to_string().contains("teren office new-identity"), "{err}");
    assert_eq!(dump(b), before);
}

/// A copy of this database sharing its sync folder writes bundles under this office's
/// id and keys: they are refused, not taken for this office's own (and deleted).
#[test]
fn a_copy_sharing_the_folder_is_not_taken_for_this_office() {
    let a = replica("Biuro A");
    let copy = copy_of(&a);
    apply_edit(&copy, 0, &Edit::Name(1), 0);
    let folder = tempfile::tempdir().unwrap();
    bundle::folder::sync(&copy.store, &copy.keys, folder.path(), None).unwrap();
    let done = bundle::folder::sync(&a.store, &a.keys, folder.path(), None).unwrap();
    assert_eq!(done.failed(), 1, "{done:?}");
    let line = format!("{:?}", done.files);
    assert!(line.contains("CopiedDatabase"), "{line}");
    // Both bundles stay in the folder.
    assert_eq!(bundle::folder::bundle_files(folder.path()).unwrap().len(), 2);
}

/// A copy that has already written keeps its changes: its file is not the one its
/// database was made in, so it knows where it parted from the original (the seq after
/// its last when it was first opened as a copy). `new-identity` moves its own changes
/// from there on to its new id (the same changes, `seen` following them), so that
/// nothing it wrote is lost and everyone converges.
#[test]
fn a_copy_that_wrote_keeps_its_changes_under_its_new_identity() {
    let mut reps = vec![replica("Biuro A"), replica("Biuro B")];
    pair_all(&reps);
    let (e, meeting) = record(2);
    reps[0].store.commit(vec![Draft::new(e, meeting, vec![Change::set("title", "Zebranie")])]).unwrap();
    let sync = |from: &Replica, to: &Replica| {
        let since = bundle::since_for(&from.store, Some(to.store.replica()), false).unwrap();
        let enc = Encrypt::Recipients(vec![to.keys.recipient()]);
        let bytes = bundle::export(&from.store, &from.keys, &since, &enc).unwrap().bytes;
        bundle::import(&to.store, &to.keys, &bytes, &ImportOptions::default())
    };
    sync(&reps[0], &reps[1]).unwrap();
    let mut copy = copy_of(&reps[0]);
    assert_eq!(reps[0].store.fork().unwrap(), None);
    assert_eq!(copy.store.fork().unwrap(), Some(2));
    // Both write after the copy was made: the same ids, other changes.
    let (p, person) = record(0);
    copy.store.commit(vec![Draft::new(p, person, vec![Change::set("name", "Ewa z kopii")])]).unwrap();
    copy.store.commit(vec![Draft::new(e, meeting, vec![Change::write("note", "pierwsza")])]).unwrap();
    copy.store.commit(vec![Draft::new(e, meeting, vec![Change::write("note", "druga")])]).unwrap();
    reps[0].store.commit(vec![Draft::new(e, meeting, vec![Change::set("place", "Tuczno")])]).unwrap();
    sync(&reps[0], &reps[1]).unwrap();
    // The copy's bundle is refused where the original's came first.
    let err = sync(&copy, &reps[1]).unwrap_err();
    assert!(matches!(err, BundleError::CopiedDatabase { .. }), "{err}");
    let before = dump(&copy);

    let (new, moved) = copy.store.new_identity().unwrap();
    assert_eq!(moved, 3);
    assert_eq!(dump(&copy), before, "moving changes nothing it shows");
    assert!(copy.store.verify().unwrap().is_empty());
    assert_eq!(copy.store.version_vector().unwrap().get(&new), Some(&3));
    copy.keys = Keys::load(&copy.store).unwrap();
    copy.store.set_office("Biuro A (laptop)").unwrap();
    for r in &reps {
        pair(r, &copy);
        pair(&copy, r);
    }
    reps.push(copy);
    for _ in 0..2 {
        for from in &reps {
            for to in &reps {
                if from.store.replica() != to.store.replica() {
                    sync(from, to).unwrap();
                }
            }
        }
    }
    let all = dump(&reps[0]);
    assert_eq!(dump(&reps[1]), all);
    assert_eq!(dump(&reps[2]), all);
    let m = reps[1].store.doc(e, meeting).unwrap().unwrap();
    assert_eq!(m.str("note"), Some("druga"), "the second note saw the first, under the new id too");
    assert!(m.conflicts().is_empty());
    assert_eq!(m.str("place"), Some("Tuczno"));
    assert_eq!(reps[0].store.doc(p, person).unwrap().unwrap().str("name"), Some("Ewa z kopii"));
}

/// A copy given a new identity (`teren office new-identity`) before it writes is an
/// office of its own: new id and keys, its past changes still the original's, and
/// once paired it converges with the others.
#[test]
fn a_copy_with_a_new_identity_is_a_new_office() {
    let mut reps = vec![replica("Biuro A"), replica("Biuro B")];
    pair_all(&reps);
    let (e, id) = record(2);
    reps[0].store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Zebranie")])]).unwrap();
    let mut copy = copy_of(&reps[0]);
    let old = copy.store.replica();
    let (new, moved) = copy.store.new_identity().unwrap();
    assert_ne!(new, old);
    assert_eq!(moved, 0, "nothing told it where it parted from the original");
    copy.keys = Keys::load(&copy.store).unwrap();
    assert_ne!(copy.keys.sign_public(), reps[0].keys.sign_public(), "the copy must not sign as the original");
    copy.store.set_office("Biuro A (laptop)").unwrap();
    // Its past changes are still the original's: the log keeps them under the old id.
    assert_eq!(copy.store.version_vector().unwrap().get(&old), reps[0].store.version_vector().unwrap().get(&old));
    copy.store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Z laptopa")])]).unwrap();
    reps[0].store.commit(vec![Draft::new(e, id, vec![Change::set("title", "Z biura")])]).unwrap();
    for r in &reps {
        pair(r, &copy);
        pair(&copy, r);
    }
    reps.push(copy);
    for from in &reps {
        for to in &reps {
            if from.store.replica() == to.store.replica() {
                continue;
            }
            let since = bundle::since_for(&from.store, Some(to.store.replica()), false).unwrap();
            let enc = Encrypt::Recipients(vec![to.keys.recipient()]);
            let bytes = bundle::export(&from.store, &from.keys, &since, &enc).unwrap().bytes;
            bundle::import(&to.store, &to.keys, &bytes, &ImportOptions::default()).unwrap();
        }
    }
    assert_eq!(dump(&reps[0]), dump(&reps[1]));
    assert_eq!(dump(&reps[0]), dump(&reps[2]));
}
