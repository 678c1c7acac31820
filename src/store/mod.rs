//! The only code that touches redb.
//!
//! Every change is an op appended to `log` and applied to the materialised tables in
//! the same write transaction, so the tables never disagree with the log: a process
//! killed mid-write leaves the last committed state, and `rebuild` can always make the
//! tables again from the log alone.
//!
//! Tables (keys big-endian so that byte order is the order we want):
//! - `meta`: schema version, replica id, office label, clock;
//! - `log`: `(replica, seq)` → op;  `vv`: replica → highest contiguous seq;
//! - `pending`: ops from another replica whose predecessor has not arrived yet;
//! - `records`: `(entity, id)` → merged [`Doc`];
//! - `list`: `(entity, sort key, id)` → the record's row (`rows`) — names A–Z,
//!   meetings by date — so a pane reads its list, or a screenful of it, without
//!   loading the records; `counts`: entity → how many rows it has there;
//! - `attend`: `(participant, meeting)` → meeting date, for "meetings attended" and
//!   "last contact";
//! - `peers`: other offices met through bundles — pinned signing key, encryption key,
//!   what they acknowledged; `trusted`: signing keys trusted before their first bundle
//!   (see [`peers`]). Both are local: never in a bundle or in `dump`.
//! - `local`: key → bytes for this machine only (the quick-capture draft, the last
//!   meeting type and place used); never an op, never in a bundle or in `dump`.
//!
//! How the file is written: only by redb, through its own file backend, each commit
//! `Durability::Immediate` (synced before it returns). Nothing of ours sits under redb:
//! a page journal once did, and could destroy a database when a stray one lay beside it
//! (`legacy` recovers what such a journal holds). The file is private to its owner
//! (`files`); `backup` copies it from one read transaction, even while the app writes.
//!
//! Erasure (RODO) also redacts the log: when a record is erased, the personal values
//! of every op on it here (log and pending) are replaced by nulls, keeping the op ids,
//! and ops on it that arrive later are stored redacted.
//!
//! Here: opening, the schema and its upgrades (`migrate`), local values, rebuild and
//! verify. Beside it: `tables` (records and indexes per transaction), `commit` (local
//! changes), `remote` (ops from other offices), `query` (reading), `identity` (who this
//! database is), `peers`, `audit`, `backup` (copies, sizes, compaction), `files`
//! (permissions) and `legacy` (old journals).

mod audit;
mod backup;
mod commit;
mod error;
pub mod files;
mod identity;
pub mod legacy;
mod migrate;
mod peers;
mod query;
mod remote;
pub mod rows;
mod tables;

pub use audit::AuditEntry;
pub use backup::{Backup, TableSize, backup_running, scrub};
pub use commit::redact;
use commit::*;
pub use error::{Result, StoreError, Trouble};
pub use peers::{Peer, Streamed};
pub use query::View;
pub use remote::Prepared;
use remote::*;
use tables::*;

use crate::model::{self, Entity, Id};
use crate::search::fold;
use crate::sync::{Change, Doc, DocView, Fresh, Hlc, Op, OpId, OpRef, ReplicaId, VersionVector};
use redb::backends::FileBackend;
use redb::{
    ConcurrencyMode, Database, DatabaseError, ReadableDatabase, ReadableTable, ReadableTableMetadata, StorageBackend,
    TableDefinition,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Page cache for command-line work.
pub const BULK_CACHE: usize = 64 * 1024 * 1024;
/// Page cache for commands that write in bulk (bundle import, sync, CSV import, demo,
/// rebuild). 100 000 imported ops dirty about 160 MB of pages; past the cache redb
/// writes them out early and reads them back to checksum them at commit, which was a
/// fifth of an import. Memory is only taken as pages are touched.
pub const WRITE_CACHE: usize = 256 * 1024 * 1024;
/// Page cache for the app: RSS matters on old laptops, and the OS caches the file anyway.
pub const APP_CACHE: usize = 2 * 1024 * 1024;
/// Page cache for bundle export, import and sync: an office's everyday exchange is
/// small, and a first full one (100 000 people, ~146 000 ops) must fit in 150 MB of
/// memory on an old laptop; past the cache redb writes dirty pages early, which costs
/// a little time, not correctness. Measured on a first import of 146 368 ops
/// (BENCHMARKS.md): a 256 MB cache took 310 MB RSS, 16 MB about half, no slower.
pub const SYNC_CACHE: usize = 16 * 1024 * 1024;

/// The schema this teren reads and writes. Bump with a migration in `migrate`.
/// 2: records in the compact [`Doc::encode`] form (1 had postcard of the whole doc);
/// 3: the `conflicts` index; 4: compact texts in ops and records; 5: `list` with
/// each record's row in place of `order` (`migrate`).
pub const SCHEMA_VERSION: u32 = 5;
/// Records changed in one transaction are kept encoded and written back once, in key
/// order; past this much memory held by them (`Touched::held`: the encoded record, its
/// index entries, its map slot), they are written out and the cache starts again.
/// Written in one sorted pass redb fills its pages, where a second pass between the
/// first one's keys splits them. A first import of 146 368 ops: 1.43–1.49 s and
/// 103 MB RSS with 32 MB, 1.43–1.48 s and 125–133 MB with 64, 1.35–1.43 s and 167 MB
/// with 96.
const TOUCHED_BYTES: usize = 64 << 20;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Meta key of [`Store::fork`].
const FORK: &str = "fork";
/// Meta key of the file's identity ([`Store::check_file`]).
const FILE: &str = "file";
const LOG: TableDefinition<&[u8; 24], &[u8]> = TableDefinition::new("log");
const VV: TableDefinition<u128, u64> = TableDefinition::new("vv");
const PENDING: TableDefinition<&[u8; 24], &[u8]> = TableDefinition::new("pending");
const RECORDS: TableDefinition<&[u8; 17], &[u8]> = TableDefinition::new("records");
const LIST: TableDefinition<&[u8], &[u8]> = TableDefinition::new("list");
/// How many rows `list` holds per entity: the list's total for the first frame,
/// without counting 100 000 keys.
const COUNTS: TableDefinition<u8, u64> = TableDefinition::new("counts");
/// What `list` was before schema 5: the keys alone.
const ORDER: TableDefinition<&[u8], ()> = TableDefinition::new("order");
const ATTEND: TableDefinition<&[u8; 32], &str> = TableDefinition::new("attend");
/// Records with open conflicts (record key → how many fields): so the status line and
/// `teren conflicts` read a handful of entries instead of every record.
const CONFLICTS: TableDefinition<&[u8; 17], u32> = TableDefinition::new("conflicts");
const PEERS: TableDefinition<u128, &[u8]> = TableDefinition::new("peers");
const TRUSTED: TableDefinition<&[u8; 32], &str> = TableDefinition::new("trusted");
const LOCAL: TableDefinition<&str, &[u8]> = TableDefinition::new("local");

/// A change to make to one record; the store turns it into an op.
#[derive(Debug, Clone)]
pub struct Draft {
    pub entity: Entity,
    pub record: Id,
    pub changes: Vec<Change>,
}

impl Draft {
    pub fn new(entity: Entity, record: Id, changes: Vec<Change>) -> Self {
        Draft { entity, record, changes }
    }
}

/// An open teren database.
pub struct Store {
    db: Database,
    path: PathBuf,
    /// Changed only by [`Store::new_identity`], which the app calls with the store
    /// shared with its jobs.
    replica: std::sync::RwLock<ReplicaId>,
    /// The file was readable by others and was made private at open (see `files`).
    tightened: bool,
    /// A record was erased since the database was opened: its values may still sit in
    /// free pages until [`scrub`] rewrites the file after it is closed.
    erased: std::sync::atomic::AtomicBool,
    /// Participants changed by this process's commits ([`Store::people_changed_since`]).
    journal: std::sync::Mutex<Journal>,
}

/// Which participants each commit of this process changed, newest last, so a loaded
/// list is patched instead of read again. Only this process writes the file while it
/// is open (redb locks it), so nothing is missed.
#[derive(Default)]
struct Journal {
    /// Commits so far.
    generation: u64,
    /// Commits after this one are all named in `entries`.
    floor: u64,
    entries: std::collections::VecDeque<(u64, Id)>,
}

fn corrupt(e: String) -> StoreError {
    StoreError::Corrupt(e)
}

fn read_meta_u64(meta: &impl ReadableTable<&'static str, &'static [u8]>, key: &str) -> Result<Option<u64>> {
    Ok(meta.get(key)?.and_then(|v| v.value().try_into().ok()).map(u64::from_le_bytes))
}

impl Store {
    /// Open (or create) the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with_cache(path, BULK_CACHE)
    }

    /// Open with a given page cache. Commands that write many records at once (demo,
    /// import, bundles) go faster with a big one (BENCHMARKS.md).
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> Result<Store> {
        Self::open_on(path, cache_bytes, Ok)
    }

    /// Open for a command that writes in bulk (bundle import, sync, CSV import, demo,
    /// rebuild), with a [`WRITE_CACHE`].
    pub fn open_bulk(path: &Path) -> Result<Store> {
        Self::open_with_cache(path, WRITE_CACHE)
    }

    /// Open for the app, with the [`APP_CACHE`]: RSS matters on old laptops, and the OS
    /// caches the file anyway.
    pub fn open_app(path: &Path) -> Result<Store> {
        Self::open_with_cache(path, APP_CACHE)
    }

    /// Open through a wrapper around redb's file backend. Only the power-cut tests
    /// wrap it (to record writes and cut the power); everything else passes `Ok`, so
    /// that redb's own backend is the only thing that writes the file.
    #[doc(hidden)]
    pub fn open_on<B: StorageBackend>(
        path: &Path,
        cache_bytes: usize,
        wrap: impl FnOnce(FileBackend) -> std::io::Result<B>,
    ) -> Result<Store> {
        let open_err = |detail: String| StoreError::Open { path: path.to_path_buf(), detail };
        files::make_dir(path)?;
        legacy::refuse_pending(path)?;
        let existed = path.exists();
        let file = files::open_private(path).map_err(|e| open_err(files::io_detail(&e)))?;
        let backend = FileBackend::new(file).map_err(|e| open_err(e.to_string()))?;
        let backend = wrap(backend).map_err(|e| open_err(e.to_string()))?;
        let mut builder = Database::builder();
        builder.set_cache_size(cache_bytes);
        // One process writes; `teren backup` may read a snapshot beside it.
        builder.set_concurrency_mode(ConcurrencyMode::SingleWriter);
        let opened = builder.create_with_backend(backend).map_err(|e| match e {
            DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(path.to_path_buf()),
            DatabaseError::Storage(redb::StorageError::Io(io)) => open_err(files::io_detail(&io)),
            other => open_err(format!("not a teren database or damaged ({other})")),
        });
        let made = opened.and_then(|db| {
            Self::init(&db, path).map(|init| (db, init)).map_err(|e| match e {
                // Not "not saved": nothing was being saved, the database was being opened.
                StoreError::Write { trouble, detail } => open_err(format!("{detail}{}", trouble.advice())),
                other => other,
            })
        });
        // Only a file that proved to be a teren database has its permissions changed.
        let made = made.and_then(|(db, init)| {
            let tightened = files::tighten(path).map_err(|e| open_err(e.to_string()))?;
            Ok((db, init, tightened))
        });
        match made {
            Ok((db, (replica, upgraded), tightened)) => {
                let replica = std::sync::RwLock::new(replica);
                let mut store = Store {
                    db,
                    path: path.to_path_buf(),
                    replica,
                    tightened,
                    erased: Default::default(),
                    journal: Default::default(),
                };
                store.check_file()?;
                if upgraded {
                    // An upgrade rewrote the log and the records: the pages they were
                    // on are free (the 100 000-person demo grew from 157 to 299 MB). Only
                    // the size depends on it: the upgrade is committed whatever happens
                    // here, and a compaction that fails leaves the file as it was.
                    let _ = store.compact_if_loose();
                }
                Ok(store)
            }
            Err(e) => {
                // A database that could not be made (a full disk) must not stay behind as
                // a file that no later open can read.
                if !existed {
                    let _ = std::fs::remove_file(path);
                }
                Err(e)
            }
        }
    }

    /// The schema of the database at `path`, read without opening it for writing; None
    /// when it cannot be read that way (no file yet, a writer mid-commit, damage).
    pub fn schema_at(path: &Path) -> Option<u32> {
        if !path.exists() {
            return None;
        }
        let mut builder = Database::builder();
        builder.set_concurrency_mode(ConcurrencyMode::SingleWriter);
        let db = builder.open_read_only(path).ok()?;
        let tx = db.begin_read().ok()?;
        let meta = tx.open_table(META).ok()?;
        let v = meta.get("schema").ok()??;
        Some(u32::from_le_bytes(v.value().try_into().ok()?))
    }

    /// Check the schema, make the tables and this replica's identity on first open.
    /// Returns the replica and whether the database was upgraded.
    fn init(db: &Database, path: &Path) -> Result<(ReplicaId, bool)> {
        let tx = db.begin_write()?;
        let mut upgrade_from = None;
        let replica = {
            let mut meta = tx.open_table(META)?;
            let schema = meta.get("schema")?.and_then(|v| v.value().try_into().ok()).map(u32::from_le_bytes);
            match schema {
                Some(v) if v > SCHEMA_VERSION => {
                    return Err(StoreError::NewerSchema { path: path.to_path_buf(), found: v, known: SCHEMA_VERSION });
                }
                Some(v) if v < SCHEMA_VERSION => upgrade_from = Some(v),
                Some(_) => {}
                None => {
                    meta.insert("schema", SCHEMA_VERSION.to_le_bytes().as_slice())?;
                }
            }
            let existing = meta.get("replica")?.and_then(|v| v.value().try_into().ok()).map(u128::from_le_bytes);
            match existing {
                Some(r) => ReplicaId(r),
                None => {
                    let r = ReplicaId::random();
                    meta.insert("replica", r.0.to_le_bytes().as_slice())?;
                    r
                }
            }
        };
        tx.open_table(LOG)?;
        tx.open_table(VV)?;
        tx.open_table(PENDING)?;
        tx.open_table(PEERS)?;
        tx.open_table(TRUSTED)?;
        tx.open_table(LOCAL)?;
        Tables::open(&tx)?;
        if let Some(from) = upgrade_from {
            migrate::migrate(&tx, path, from)?;
            tx.open_table(META)?.insert("schema", SCHEMA_VERSION.to_le_bytes().as_slice())?;
        }
        tx.commit()?;
        Ok((replica, upgrade_from.is_some()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database file was readable by others and was made private when it
    /// was opened: the caller tells the user once ([`files::TIGHTENED`]).
    pub fn tightened(&self) -> bool {
        self.tightened
    }

    /// A local-only value (see `local` in the module doc).
    pub fn local(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(LOCAL)?;
        Ok(table.get(key)?.map(|v| v.value().to_vec()))
    }

    /// Set (Some) or remove (None) a local-only value, in its own small transaction.
    pub fn set_local(&self, key: &str, value: Option<&[u8]>) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            let mut table = tx.open_table(LOCAL)?;
            match value {
                Some(v) => {
                    table.insert(key, v)?;
                }
                None => {
                    table.remove(key)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Rebuild every materialised table from the log, in one transaction.
    pub fn rebuild(&self) -> Result<usize> {
        let tx = self.db.begin_write()?;
        let n = rebuild_in(&tx)?;
        tx.commit()?;
        self.note_people(None);
        Ok(n)
    }

    /// How many commits this process has made: read before a list is loaded, and
    /// given back to [`Store::people_changed_since`] to patch it later.
    pub fn generation(&self) -> u64 {
        self.journal.lock().map_or(u64::MAX, |j| j.generation)
    }

    /// The participants whose list row or last contact changed in the commits after
    /// `generation` (perhaps with some that did not); None when they are not known
    /// (too many, too long ago): then read the list again.
    pub fn people_changed_since(&self, generation: u64) -> Option<Vec<Id>> {
        let j = self.journal.lock().ok()?;
        if generation < j.floor || generation > j.generation {
            return None;
        }
        let mut ids: Vec<Id> = j.entries.iter().filter(|(g, _)| *g > generation).map(|(_, id)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }

    /// A commit changed these participants (None: too many to name).
    fn note_people(&self, people: Option<Vec<Id>>) {
        let Ok(mut j) = self.journal.lock() else { return };
        j.generation += 1;
        let g = j.generation;
        match people {
            Some(ids) => j.entries.extend(ids.into_iter().map(|id| (g, id))),
            None => {
                j.entries.clear();
                j.floor = g;
            }
        }
        while j.entries.len() > tables::JOURNAL {
            if let Some((old, _)) = j.entries.pop_front() {
                j.floor = j.floor.max(old);
            }
        }
    }

    /// Check that the tables agree with the log: rebuild into memory and compare.
    pub fn verify(&self) -> Result<Vec<String>> {
        let tx = self.db.begin_read()?;
        let log = tx.open_table(LOG)?;
        let records = tx.open_table(RECORDS)?;
        let mut built: BTreeMap<[u8; 17], Doc> = BTreeMap::new();
        let mut problems = Vec::new();
        let vv = self.version_vector()?;
        let mut counts: BTreeMap<ReplicaId, u64> = BTreeMap::new();
        for entry in log.iter()? {
            let (k, v) = entry?;
            let op = match Op::decode(v.value()) {
                Ok(op) => op,
                Err(e) => {
                    problems.push(format!("log entry {:?}: {e}", OpId::from_key(k.value())));
                    continue;
                }
            };
            *counts.entry(op.id.replica).or_default() += 1;
            let doc = built.entry(record_key(op.entity, op.record)).or_insert_with(|| Doc::new(op.entity));
            doc.apply(&op, |f| model::is_personal(op.entity, f));
        }
        for (r, n) in &counts {
            if vv.get(r).copied().unwrap_or(0) != *n {
                problems.push(format!(
                    "replica {} has {n} ops in the log but version {}",
                    r.short(),
                    vv.get(r).copied().unwrap_or(0)
                ));
            }
        }
        if records.len()? != built.len() as u64 {
            problems.push(format!("{} records in the tables, {} in the log", records.len()?, built.len()));
        }
        for (k, doc) in &built {
            match records.get(k)? {
                Some(v) if Doc::decode(v.value()).as_ref() == Ok(doc) => {}
                _ => problems.push(format!("record {} differs from its log", id_from_key(k))),
            }
        }
        let conflicts = tx.open_table(CONFLICTS)?;
        let expected = built.values().filter(|d| d.conflict_count() > 0).count() as u64;
        if conflicts.len()? != expected {
            problems.push(format!("{} records marked with conflicts, {expected} in the log", conflicts.len()?));
        }
        for (k, doc) in built.iter().filter(|(_, d)| d.conflict_count() > 0) {
            if conflicts.get(k)?.map(|v| v.value()) != Some(doc.conflict_count() as u32) {
                problems.push(format!("record {} has conflicts the index does not show", id_from_key(k)));
            }
        }
        // The lists and the attendance index: what the records say, entry for entry.
        let mut list = BTreeMap::new();
        let mut attend = BTreeMap::new();
        for (k, doc) in &built {
            let Some(entity) = Entity::from_u8(k[0]) else { continue };
            let ix = Indexed::of(entity, id_from_key(k), Some(doc));
            list.extend(ix.list);
            attend.extend(ix.attend);
        }
        let stored_list = tx.open_table(LIST)?;
        let mut found = BTreeMap::new();
        for e in stored_list.iter()? {
            let (k, v) = e?;
            found.insert(k.value().to_vec(), v.value().to_vec());
        }
        if found != list {
            let differ =
                found.len().abs_diff(list.len()).max(found.iter().filter(|(k, v)| list.get(*k) != Some(v)).count());
            problems.push(format!(
                "{differ} list rows differ from the records ({} stored, {} expected)",
                found.len(),
                list.len()
            ));
        }
        let counts = tx.open_table(COUNTS)?;
        for e in Entity::ALL {
            let listed = list.keys().filter(|k| k.first() == Some(&(e as u8))).count() as u64;
            let counted = counts.get(e as u8)?.map_or(0, |v| v.value());
            if listed != counted {
                problems.push(format!("{counted} {e:?} records counted, {listed} listed"));
            }
        }
        let stored_attend = tx.open_table(ATTEND)?;
        let mut found = BTreeMap::new();
        for e in stored_attend.iter()? {
            let (k, v) = e?;
            found.insert(*k.value(), v.value().to_string());
        }
        if found != attend {
            problems.push(format!("{} attendances indexed, {} in the records", found.len(), attend.len()));
        }
        Ok(problems)
    }
}

/// Empty the materialised tables and apply the whole log again (`rebuild`, and the
/// upgrade of a database whose records changed encoding).
fn rebuild_in(tx: &redb::WriteTransaction) -> Result<usize> {
    tx.delete_table(RECORDS)?;
    tx.delete_table(ORDER)?;
    tx.delete_table(LIST)?;
    tx.delete_table(COUNTS)?;
    tx.delete_table(ATTEND)?;
    tx.delete_table(CONFLICTS)?;
    let log = tx.open_table(LOG)?;
    let mut tables = Tables::open(tx)?;
    let mut n = 0;
    for entry in log.iter()? {
        let (_, v) = entry?;
        let op = Op::decode(v.value()).map_err(corrupt)?;
        let _ = tables.apply(op)?;
        n += 1;
    }
    tables.flush()?;
    Ok(n)
}
