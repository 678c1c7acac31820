#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Power cuts, failing disks and odd paths, the way redb tests itself: the store is
//! opened through [`Faulty`], a storage backend that passes redb's reads and writes to
//! redb's own file backend and remembers every write since the last sync, so that it
//! can put the file back to what a disk would hold after the power went at any write.
//!
//! - A proptest runs random sequences of what the command line does (participants
//!   added and edited, meetings with attendees, deletes, restores, RODO erasures, CSV
//!   imports) and cuts the power at a random write — the unsynced writes dropped, the
//!   last of those kept torn at a sector, or a random subset of them kept — or fills
//!   the disk, or fails an fsync with EIO; sometimes it cuts again while the database
//!   is reopened (redb's recovery) or saved to after. Then the database must open,
//!   `doctor` must find the tables agreeing with the log, and every change whose save
//!   returned must be there.
//! - Plain tests: EIO from fsync during a save, a full disk during a save and while a
//!   database is made, a read-only folder and file, and one database opened through a
//!   symlink and through its real path at once.
//!
//! The proptest runs [`DEFAULT_CASES`] cases; for a long run:
//! `PROPTEST_CASES=5000 cargo test --release --test storage`.

use proptest::prelude::*;
use redb::backends::FileBackend;
use redb::{BackendError, StorageBackend};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use teren::capture::{self, Attendee, CaptureDraft};
use teren::edit::{self, EditError};
use teren::import::{self, ImportError, Options};
use teren::model::{Entity, Id};
use teren::report::privacy;
use teren::store::{Store, StoreError, Trouble};
use teren::sync::VersionVector;

/// A small page cache, about the app's: pages are read back from the file (through the
/// faulty backend) rather than kept, and a big import writes pages out before its commit.
const CACHE: usize = 1 << 20;

/// Cases of the proptest when `PROPTEST_CASES` is not set: about 10 s in a debug build
/// on an idle machine (two cores).
const DEFAULT_CASES: u32 = 600;

/// What a disk does to the writes it had not synced when the power went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// None of them reached the platter.
    Drop,
    /// They reached it in order up to one, which was torn: a whole number of sectors of
    /// it were written.
    Tear,
    /// Any of them did: the disk reordered them.
    Reorder,
}

/// The faults a [`Disk`] is armed with. Mutations (writes and `set_len`) and syncs are
/// counted from 1 since the backend was made.
#[derive(Debug, Default, Clone)]
struct Faults {
    /// Cut the power at this mutation; it and everything after it never happen.
    cut: Option<(u64, Cut)>,
    /// From this mutation on the disk is full: every write and every growth fails with
    /// ENOSPC (shrinking still works).
    full_from: Option<u64>,
    /// The disk is full past the file's current end: writes and `set_len` that would make
    /// the file longer fail with ENOSPC.
    full_past_end: bool,
    /// This sync fails with EIO, and the writes it was to make durable are lost (what
    /// Linux does to dirty pages after a failed writeback). The disk works again after.
    eio_sync: Option<u64>,
    /// Chooses the torn write and the reordered subset.
    seed: u64,
}

/// A write or `set_len` since the last sync, with what it replaced: undone in reverse
/// order, they give back the file as the last sync left it.
#[derive(Debug)]
enum Pending {
    Write { offset: u64, data: Vec<u8>, old: Vec<u8>, old_len: u64 },
    SetLen { len: u64, old_len: u64, old_tail: Vec<u8> },
}

#[derive(Debug, Default)]
struct State {
    faults: Faults,
    mutations: u64,
    syncs: u64,
    pending: Vec<Pending>,
    /// A fault was injected.
    fired: bool,
    /// The power is off: nothing reaches the file any more.
    dead: bool,
    rng: u64,
}

impl State {
    /// splitmix64: enough randomness for choosing writes, reproducible from the seed.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn alive(&self) -> io::Result<()> {
        if self.dead { Err(power_off()) } else { Ok(()) }
    }

    /// Count a mutation; whether the disk is full for it (only growth can fail for
    /// `set_len`: shrinking frees space).
    fn full(&mut self, grows: bool, set_len: bool) -> bool {
        self.mutations += 1;
        let full = self.faults.full_from.is_some_and(|n| self.mutations >= n) || (self.faults.full_past_end && grows);
        let full = full && (grows || !set_len);
        self.fired |= full;
        full
    }

    /// The power cut this mutation is, if it is one.
    fn cut_now(&self) -> Option<Cut> {
        self.faults.cut.filter(|(n, _)| *n == self.mutations).map(|(_, how)| how)
    }
}

/// The test's handle on a [`Faulty`] backend: arm it, ask what happened.
#[derive(Clone, Default)]
struct Disk(Arc<Mutex<State>>);

impl Disk {
    fn new(faults: Faults) -> Disk {
        let rng = faults.seed;
        Disk(Arc::new(Mutex::new(State { faults, rng, ..State::default() })))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The wrapper `Store::open_on` puts around redb's file backend.
    fn wrap(&self) -> impl FnOnce(FileBackend) -> io::Result<Faulty> + use<> {
        let state = self.0.clone();
        move |inner| Ok(Faulty { inner, state })
    }

    fn fired(&self) -> bool {
        self.state().fired
    }

    /// Mutations and syncs so far.
    fn counts(&self) -> (u64, u64) {
        let s = self.state();
        (s.mutations, s.syncs)
    }

    /// Change the faults, knowing the counts so far (to fail "the next sync").
    fn arm(&self, f: impl FnOnce(&mut Faults, u64, u64)) {
        let mut s = self.state();
        let (m, n) = (s.mutations, s.syncs);
        f(&mut s.faults, m, n);
    }
}

/// redb's file backend with faults. Syncs do not reach the disk: durability here is
/// what [`Pending`] says, and the tests run much faster without real fsyncs.
#[derive(Debug)]
struct Faulty {
    inner: FileBackend,
    state: Arc<Mutex<State>>,
}

fn enospc() -> io::Error {
    io::Error::from_raw_os_error(28)
}

fn eio() -> io::Error {
    io::Error::from_raw_os_error(5)
}

/// What a backend says once its power is off.
fn power_off() -> io::Error {
    io::Error::other("the power is off (power_cut test)")
}

const SECTOR: usize = 512;

impl Faulty {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read_range(&self, from: u64, to: u64) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; to.saturating_sub(from) as usize];
        if !buf.is_empty() {
            self.inner.read(from, &mut buf)?;
        }
        Ok(buf)
    }

    /// What a write will replace.
    fn before_write(&self, offset: u64, data: &[u8]) -> io::Result<Pending> {
        let old_len = self.inner.len()?;
        let end = (offset + data.len() as u64).min(old_len);
        let old = if offset < end { self.read_range(offset, end)? } else { Vec::new() };
        Ok(Pending::Write { offset, data: data.to_vec(), old, old_len })
    }

    fn before_set_len(&self, len: u64) -> io::Result<Pending> {
        let old_len = self.inner.len()?;
        Ok(Pending::SetLen { len, old_len, old_tail: self.read_range(len, old_len)? })
    }

    fn undo(&self, op: &Pending) -> io::Result<()> {
        match op {
            Pending::Write { offset, data, old, old_len } => {
                if offset + data.len() as u64 > *old_len {
                    self.inner.set_len(*old_len)?;
                }
                if !old.is_empty() {
                    self.inner.write(*offset, old)?;
                }
            }
            Pending::SetLen { len, old_len, old_tail } => {
                self.inner.set_len(*old_len)?;
                if !old_tail.is_empty() {
                    self.inner.write(*len, old_tail)?;
                }
            }
        }
        Ok(())
    }

    /// Do `op` again after an undo; of a write only its first `keep` bytes.
    fn redo(&self, op: &Pending, keep: usize) -> io::Result<()> {
        match op {
            Pending::Write { offset, data, .. } => {
                let keep = keep.min(data.len());
                if keep > 0 {
                    self.inner.write(*offset, &data[..keep])?;
                }
            }
            Pending::SetLen { len, .. } => {
                if keep > 0 {
                    self.inner.set_len(*len)?;
                }
            }
        }
        Ok(())
    }

    /// Put the file back to the last sync, then let `how` decide which of the writes
    /// since (`last`, the one the power went during, included) reached the disk.
    fn power_cut(&self, s: &mut State, how: Cut, last: Pending) -> io::Result<()> {
        s.fired = true;
        s.dead = true;
        let mut ops = std::mem::take(&mut s.pending);
        for op in ops.iter().rev() {
            self.undo(op)?;
        }
        ops.push(last);
        match how {
            Cut::Drop => {}
            Cut::Tear => {
                let torn = (s.next() % ops.len() as u64) as usize;
                for op in &ops[..torn] {
                    self.redo(op, usize::MAX)?;
                }
                // A whole number of sectors, short of the whole write.
                let sectors = match &ops[torn] {
                    Pending::Write { data, .. } => data.len().div_ceil(SECTOR).max(1),
                    Pending::SetLen { .. } => 1,
                };
                let keep = (s.next() % sectors as u64) as usize * SECTOR;
                self.redo(&ops[torn], keep)?;
            }
            Cut::Reorder => {
                for op in &ops {
                    if s.next() & 1 == 1 {
                        self.redo(op, usize::MAX)?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl StorageBackend for Faulty {
    fn len(&self) -> Result<u64, io::Error> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), io::Error> {
        self.state().alive()?;
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        let mut s = self.state();
        s.alive()?;
        let grows = len > self.inner.len()?;
        if s.full(grows, true) {
            return Err(enospc());
        }
        let op = self.before_set_len(len)?;
        if let Some(how) = s.cut_now() {
            self.power_cut(&mut s, how, op)?;
            return Err(power_off());
        }
        self.inner.set_len(len)?;
        s.pending.push(op);
        Ok(())
    }

    fn sync_data(&self) -> Result<(), io::Error> {
        let mut s = self.state();
        s.alive()?;
        s.syncs += 1;
        if s.faults.eio_sync == Some(s.syncs) {
            s.fired = true;
            for op in std::mem::take(&mut s.pending).iter().rev() {
                self.undo(op)?;
            }
            return Err(eio());
        }
        s.pending.clear();
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        let mut s = self.state();
        s.alive()?;
        let grows = offset + data.len() as u64 > self.inner.len()?;
        if s.full(grows, false) {
            return Err(enospc());
        }
        let op = self.before_write(offset, data)?;
        if let Some(how) = s.cut_now() {
            self.power_cut(&mut s, how, op)?;
            return Err(power_off());
        }
        self.inner.write(offset, data)?;
        s.pending.push(op);
        Ok(())
    }

    // The rest is redb's file locking, which must stay as it is: without it a second
    // open of the same file would not be refused.
    fn close(&self) -> Result<(), io::Error> {
        self.inner.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}

// What the command line does, on a few participants.

const FIRST: &[&str] = &["Jan", "Łucja", "Grzegorz", "Małgorzata", "Źdźisław", "Żaneta", "Jędrzej", "Bożena"];
const LAST: &[&str] = &["Kowalski", "Żółkiewska", "Łękawski", "Bąk", "Ślęzak", "Wróbel", "Dąbrowska", "Gęś"];
const PLACES: &[&str] = &["Łódź", "Dobiegniew", "Ługi", "Osiek", "Żywiec", "Ełk"];
const ORGS: &[&str] =
    &["Stowarzyszenie „Łąka”", "Fundacja Źródło", "GOPS Dobiegniew", "Koło Gospodyń Wiejskich w Osieku"];
const NOTES: &[&str] = &["Dzwonić po 16", "Nie w środy", "Prowadzi świetlicę", "Zna sołtysa z Ługów"];
const KINDS: &[&str] = &["individual", "group", "diagnosis", "workshop", "consultation"];

#[derive(Debug, Clone)]
enum Action {
    AddPerson {
        first: usize,
        last: usize,
        place: usize,
    },
    AddOrg {
        name: usize,
        place: usize,
    },
    /// `field`: 0 place, 1 phone, 2 note, 3 name.
    Edit {
        who: usize,
        field: u8,
        value: usize,
    },
    Meeting {
        attendees: Vec<usize>,
        newcomer: Option<(usize, usize)>,
        kind: usize,
        place: usize,
        followup: bool,
    },
    Delete {
        who: usize,
    },
    Restore {
        who: usize,
    },
    Erase {
        who: usize,
    },
    Import {
        rows: Vec<(usize, usize, usize)>,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let person = (0..FIRST.len(), 0..LAST.len(), 0..PLACES.len());
    prop_oneof![
        3 => person.clone().prop_map(|(first, last, place)| Action::AddPerson { first, last, place }),
        1 => (0..ORGS.len(), 0..PLACES.len()).prop_map(|(name, place)| Action::AddOrg { name, place }),
        3 => (0..64usize, 0..4u8, 0..1000usize).prop_map(|(who, field, value)| Action::Edit { who, field, value }),
        2 => (
            proptest::collection::vec(0..64usize, 1..=3),
            proptest::option::of((0..FIRST.len(), 0..LAST.len())),
            0..KINDS.len(),
            0..PLACES.len(),
            any::<bool>(),
        )
            .prop_map(|(attendees, newcomer, kind, place, followup)| Action::Meeting {
                attendees,
                newcomer,
                kind,
                place,
                followup
            }),
        1 => (0..64usize).prop_map(|who| Action::Delete { who }),
        1 => (0..64usize).prop_map(|who| Action::Restore { who }),
        1 => (0..64usize).prop_map(|who| Action::Erase { who }),
        1 => proptest::collection::vec(person, 3..=5).prop_map(|rows| Action::Import { rows }),
    ]
}

/// Why an action failed: refused (a bad value, a deleted attendee: nothing written)
/// or the store could not write.
#[derive(Debug)]
enum Failure {
    Refused,
    Store(StoreError),
}

impl From<EditError> for Failure {
    fn from(e: EditError) -> Self {
        match e {
            EditError::Store(e) => Failure::Store(e),
            _ => Failure::Refused,
        }
    }
}

impl From<ImportError> for Failure {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Store(e) => Failure::Store(e),
            _ => Failure::Refused,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The participants the actions pick from (by index, modulo their number).
struct World {
    people: Vec<Id>,
}

impl World {
    fn who(&self, i: usize) -> Id {
        self.people[i % self.people.len()]
    }

    fn apply(&mut self, store: &Store, action: &Action) -> Result<(), Failure> {
        let person = Entity::Participant;
        match action {
            Action::AddPerson { first, last, place } => {
                let name = format!("{} {}", FIRST[*first], LAST[*last]);
                let id = edit::create(store, person, &fields(&[("name", &name), ("place", PLACES[*place])]))?;
                self.people.push(id);
            }
            Action::AddOrg { name, place } => {
                let f =
                    fields(&[("kind", "org"), ("name", ORGS[*name]), ("category", "ngo"), ("place", PLACES[*place])]);
                self.people.push(edit::create(store, person, &f)?);
            }
            Action::Edit { who, field, value } => {
                let v = match field {
                    0 => ("place", PLACES[value % PLACES.len()].to_string()),
                    1 => ("phone", format!("600 {:03} {:03}", value, 999 - value)),
                    2 => ("note", NOTES[value % NOTES.len()].to_string()),
                    _ => ("name", format!("{} {}", FIRST[value % FIRST.len()], LAST[value / 8 % LAST.len()])),
                };
                edit::update(store, person, self.who(*who), &fields(&[(v.0, &v.1)]))?;
            }
            Action::Meeting { attendees, newcomer, kind, place, followup } => {
                let mut list: Vec<Attendee> = attendees
                    .iter()
                    .map(|i| Attendee::Known { id: self.who(*i).to_string(), name: String::new() })
                    .collect();
                if let Some((f, l)) = newcomer {
                    list.push(Attendee::New { name: format!("{} {}", FIRST[*f], LAST[*l]) });
                }
                let mut notes = "Rozmowa o świetlicy w remizie.".to_string();
                if *followup {
                    notes.push_str("\n- [ ] zadzwonić do sołtysa @2026-12-08");
                }
                let draft = CaptureDraft {
                    kind: KINDS[*kind].into(),
                    date: "2026-12-01".into(),
                    place: PLACES[*place].into(),
                    hours: "2".into(),
                    attendees: list,
                    notes,
                    followups: String::new(),
                };
                capture::save(store, &draft)?;
            }
            Action::Delete { who } => edit::delete(store, person, self.who(*who))?,
            Action::Restore { who } => edit::restore(store, person, self.who(*who))?,
            Action::Erase { who } => {
                privacy::erase(store, self.who(*who))?;
            }
            Action::Import { rows } => {
                let mut csv = "Imię;Nazwisko;Miejscowość\n".to_string();
                for (f, l, p) in rows {
                    csv.push_str(&format!("{};{};{}\n", FIRST[*f], LAST[*l], PLACES[*p]));
                }
                let plan = import::plan(store, csv.as_bytes(), &Options::default(), &mut |_, _| {})?;
                let added: Vec<Id> = plan.add.iter().map(|a| a.id).collect();
                import::apply(store, plan)?;
                self.people.extend(added);
            }
        }
        Ok(())
    }
}

/// What a returned save left: the canonical dump, the version vector and how many
/// audit entries (erasure writes one in a transaction of its own).
#[derive(Debug, Clone)]
struct Committed {
    dump: Value,
    vv: VersionVector,
    audits: usize,
}

impl Committed {
    fn of(store: &Store) -> Committed {
        Committed {
            dump: teren::dump::dump(store).expect("dump"),
            vv: store.version_vector().expect("version vector"),
            audits: store.audit_log().expect("audit log").len(),
        }
    }
}

/// A database with two participants: the state the first power cut falls back to.
/// Written through a [`Disk`] without faults, which skips the fsyncs: a power cut here
/// only ever undoes writes made through the disk it cuts.
fn seed(path: &Path) -> (Vec<Id>, Committed) {
    let store = Store::open_on(path, CACHE, Disk::default().wrap()).expect("a new database");
    let people = vec![
        edit::create(&store, Entity::Participant, &fields(&[("name", "Anna Kowalska"), ("place", "Łódź")])).unwrap(),
        edit::create(&store, Entity::Participant, &fields(&[("name", "Przemysław Gęś"), ("place", "Ługi")])).unwrap(),
    ];
    let committed = Committed::of(&store);
    (people, committed)
}

/// How the proptest fails the disk.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Power(Cut),
    /// ENOSPC from a mutation on.
    Full,
    /// EIO from a sync, its writes lost.
    SyncEio,
}

fn cut() -> impl Strategy<Value = Cut> {
    prop_oneof![Just(Cut::Drop), Just(Cut::Tear), Just(Cut::Reorder)]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![3 => cut().prop_map(Fault::Power), 1 => Just(Fault::Full), 1 => Just(Fault::SyncEio)]
}

/// The ids of every record in a dump.
fn ids(dump: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for list in dump.as_object().expect("dump is an object").values() {
        for r in list.as_array().into_iter().flatten() {
            if let Some(id) = r["id"].as_str() {
                out.insert(id.to_string());
            }
        }
    }
    out
}

/// Open the database at `path` through a disk with `faults` and run `actions` until one
/// fails because of them. `last` becomes what the last returned save left; the action
/// that failed, which may have reached the disk or not, goes to `in_flight`.
fn run(path: &Path, faults: Faults, people: &[Id], actions: &[Action], last: &mut Committed, in_flight: &mut bool) {
    let disk = Disk::new(faults);
    let store = match Store::open_on(path, CACHE, disk.wrap()) {
        Ok(store) => store,
        Err(e) => {
            assert!(disk.fired(), "open failed without a fault: {e}");
            return;
        }
    };
    let mut world = World { people: people.to_vec() };
    for a in actions {
        let fired_before = disk.fired();
        match world.apply(&store, a) {
            Ok(()) => {
                assert!(!fired_before, "{a:?} returned after an earlier write failed");
                *last = Committed::of(&store);
                // Whatever was in flight before is decided now, under this save.
                *in_flight = false;
            }
            Err(_) if disk.fired() => {
                *in_flight = true;
                return;
            }
            Err(Failure::Refused) => {}
            Err(Failure::Store(e)) => panic!("{a:?} failed without a fault: {e}"),
        }
    }
    // Dropping the store closes the database: the cut may fall there too.
}

/// Run `actions`, failing the disk at `at` (in ten-thousandths of the writes or syncs
/// the same actions make without a fault); then, when `again` says so, cut the power a
/// second time during the reopening (redb's recovery) or the save after it; then open
/// normally and check.
fn power_cut_case(actions: &[Action], at: u64, fault: Fault, again: Option<(u64, Cut)>, seed_: u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let (people, mut last) = seed(&path);

    // A dry run of the same actions on a copy, to count what they write.
    let dry = dir.path().join("dry.redb");
    std::fs::copy(&path, &dry).unwrap();
    let counter = Disk::default();
    {
        let store = Store::open_on(&dry, CACHE, counter.wrap()).expect("dry run opens");
        let mut world = World { people: people.clone() };
        for a in actions {
            if let Err(Failure::Store(e)) = world.apply(&store, a) {
                panic!("dry run: {a:?} failed without a fault: {e}");
            }
        }
    }
    let (mutations, syncs) = counter.counts();
    let point = |total: u64| 1 + at * total / 10_000;
    let mut faults = Faults { seed: seed_, ..Faults::default() };
    match fault {
        Fault::Power(how) => faults.cut = Some((point(mutations), how)),
        Fault::Full => faults.full_from = Some(point(mutations)),
        Fault::SyncEio => faults.eio_sync = Some(point(syncs)),
    }

    let mut in_flight = false;
    run(&path, faults, &people, actions, &mut last, &mut in_flight);
    if let Some(cut) = again {
        let save = [Action::AddPerson { first: 0, last: 7, place: 2 }];
        let faults = Faults { cut: Some(cut), seed: !seed_, ..Faults::default() };
        run(&path, faults, &people, &save, &mut last, &mut in_flight);
    }

    let store = Store::open(&path).unwrap_or_else(|e| panic!("the database does not open after the fault: {e}"));
    let problems = store.verify().expect("verify");
    assert!(problems.is_empty(), "doctor after the fault: {problems:?}");
    let now = Committed::of(&store);
    if now.vv == last.vv {
        assert_eq!(now.dump, last.dump, "same version, different data");
        assert_eq!(now.audits, last.audits, "an audit entry without its erasure");
    } else {
        // Only the change in flight may have reached the disk.
        let grew = last.vv.iter().all(|(r, n)| now.vv.get(r).is_some_and(|m| m >= n));
        assert!(grew && in_flight, "a returned save is missing: {:?} before, {:?} after", last.vv, now.vv);
        let missing: Vec<String> = ids(&last.dump).difference(&ids(&now.dump)).cloned().collect();
        assert!(missing.is_empty(), "records gone: {missing:?}");
        assert!(now.audits >= last.audits, "audit entries gone");
    }
    // And it takes saves again.
    edit::create(&store, Entity::Participant, &fields(&[("name", "Jan Po Awarii")])).expect("a save after reopening");
    let problems = store.verify().expect("verify");
    assert!(problems.is_empty(), "doctor after a save on the reopened database: {problems:?}");
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_returned_save_survives_a_power_cut(
        actions in proptest::collection::vec(action(), 5..=15),
        at in 0u64..10_000,
        fault in fault(),
        again in proptest::option::of((1u64..=32, cut())),
        seed in any::<u64>(),
    ) {
        power_cut_case(&actions, at, fault, again, seed);
    }
}

// Plain tests.

/// The seeded database opened through a [`Disk`], with a third participant saved
/// through it: the last good commit.
fn opened_on_disk(path: &Path) -> (Store, Disk, Value) {
    seed(path);
    let disk = Disk::default();
    let store = Store::open_on(path, CACHE, disk.wrap()).expect("opens through the disk");
    edit::create(&store, Entity::Participant, &fields(&[("name", "Łucja Bąk"), ("place", "Osiek")])).unwrap();
    let good = teren::dump::dump(&store).unwrap();
    (store, disk, good)
}

fn trouble(r: Result<Id, EditError>) -> Option<Trouble> {
    match r {
        Err(EditError::Store(e)) => e.trouble(),
        Err(other) => panic!("expected a store error, got {other}"),
        Ok(_) => panic!("the save returned though the disk failed"),
    }
}

/// Reopen normally: the database opens, agrees with its log and holds `good`.
fn reopens_with(path: &Path, good: &Value) -> Store {
    let store = Store::open(path).expect("reopens");
    assert_eq!(store.verify().unwrap(), Vec::<String>::new());
    assert_eq!(&teren::dump::dump(&store).unwrap(), good, "not the last good commit");
    store
}

#[test]
fn eio_from_fsync_fails_the_save_and_keeps_the_last_good_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let (store, disk, good) = opened_on_disk(&path);
    disk.arm(|f, _, syncs| f.eio_sync = Some(syncs + 1));
    let bozena = fields(&[("name", "Bożena Wróbel")]);
    assert_eq!(trouble(edit::create(&store, Entity::Participant, &bozena)), Some(Trouble::Disk));
    // The disk works again, but what redb believed written was lost: it must not go on.
    let after = trouble(edit::create(&store, Entity::Participant, &fields(&[("name", "Jędrzej Gęś")])));
    assert_eq!(after, Some(Trouble::Earlier), "a save after the failed fsync");
    let meeting = CaptureDraft {
        kind: "group".into(),
        date: "2026-12-01".into(),
        attendees: vec![Attendee::New { name: "Żaneta Ślęzak".into() }],
        ..CaptureDraft::default()
    };
    assert!(matches!(capture::save(&store, &meeting), Err(EditError::Store(_))));
    drop(store);
    reopens_with(&path, &good);
}

#[test]
fn a_full_disk_fails_the_save_and_keeps_the_last_good_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let (store, disk, good) = opened_on_disk(&path);
    disk.arm(|f, mutations, _| f.full_from = Some(mutations + 1));
    let r = edit::create(&store, Entity::Participant, &fields(&[("name", "Bożena Wróbel")]));
    assert_eq!(trouble(r), Some(Trouble::DiskFull));
    drop(store);
    let store = reopens_with(&path, &good);
    // Space freed: saves work again.
    edit::create(&store, Entity::Participant, &fields(&[("name", "Bożena Wróbel")])).unwrap();
}

#[test]
fn a_disk_full_past_the_files_end_fails_a_big_import_and_keeps_the_last_good_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let (store, disk, good) = opened_on_disk(&path);
    disk.arm(|f, _, _| f.full_past_end = true);
    let mut csv = "Imię;Nazwisko;Miejscowość;Uwagi\n".to_string();
    for i in 0..3000 {
        csv.push_str(&format!("{} {i};{};{};{}\n", FIRST[i % 8], LAST[i / 8 % 8], PLACES[i % 6], NOTES[i % 4]));
    }
    let plan = import::plan(&store, csv.as_bytes(), &Options::default(), &mut |_, _| {}).unwrap();
    let err = import::apply(&store, plan).expect_err("3000 rows fit in the file as it was");
    assert_eq!(err.trouble(), Some(Trouble::DiskFull), "{err}");
    assert!(err.to_string().contains("the disk is full"), "{err}");
    drop(store);
    reopens_with(&path, &good);
}

#[test]
fn a_full_disk_while_making_a_database_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("teren.redb");
    let disk = Disk::new(Faults { full_from: Some(1), ..Faults::default() });
    let err = Store::open_on(&path, CACHE, disk.wrap()).err().expect("a database made on a full disk");
    assert!(disk.fired());
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("the disk is full"), "{err}");
    assert!(!path.exists(), "a database that could not be made was left behind");
    let store = Store::open(&path).expect("made once there is space");
    assert!(store.verify().unwrap().is_empty());
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_or_file_gives_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("dane");
    std::fs::create_dir(&folder).unwrap();
    let existing = folder.join("stara.redb");
    let good = Committed::of(&Store::open(&existing).unwrap()).dump;
    let set_mode = |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    set_mode(&folder, 0o555);
    // Root writes anyway: then there is nothing to test.
    let probe = folder.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        eprintln!("running as root: a read-only folder cannot be tested");
        set_mode(&folder, 0o755);
        return;
    }

    let new = folder.join("teren.redb");
    let err = Store::open(&new).err().expect("a database in a read-only folder");
    assert!(matches!(&err, StoreError::Open { path, .. } if *path == new), "{err:?}");
    assert!(err.to_string().contains("Permission denied"), "{err}");
    assert!(!new.exists());

    // A database already in the folder only needs its file: it opens and saves.
    let store = reopens_with(&existing, &good);
    edit::create(&store, Entity::Participant, &fields(&[("name", "Gęś Żaneta")])).unwrap();
    drop(store);

    // A file that is read-only itself cannot be opened for writing: said so.
    set_mode(&existing, 0o400);
    let err = Store::open(&existing).err().expect("a read-only database file");
    assert!(matches!(&err, StoreError::Open { path, .. } if *path == existing), "{err:?}");
    assert!(err.to_string().contains("Permission denied"), "{err}");

    set_mode(&folder, 0o755);
    set_mode(&existing, 0o600);
}

#[cfg(unix)]
#[test]
fn a_database_open_through_a_symlink_and_its_real_path_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("teren.redb");
    let link = dir.path().join("skrót.redb");
    std::os::unix::fs::symlink(&real, &link).unwrap();

    let first = Store::open(&real).unwrap();
    let err = Store::open(&link).err().expect("the same file through a symlink");
    assert!(matches!(err, StoreError::InUse(_)), "{err:?}");
    drop(first);

    let first = Store::open(&link).unwrap();
    let err = Store::open(&real).err().expect("the same file through its real path");
    assert!(matches!(err, StoreError::InUse(_)), "{err:?}");
    // Through a backend of our own too: the wrapper keeps redb's locks.
    let err = Store::open_on(&real, CACHE, Disk::default().wrap()).err().expect("the same file through a wrapper");
    assert!(matches!(err, StoreError::InUse(_)), "{err:?}");
    drop(first);
    Store::open(&real).expect("free again once closed");
}
