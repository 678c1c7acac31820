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
//! - `order`: `(entity, sort key, id)` → () — names A–Z, meetings by date — so a
//!   screenful of a list is read without loading the rest;
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

mod audit;
mod backup;
mod error;
pub mod files;
pub mod legacy;
mod migrate;
mod peers;

pub use audit::AuditEntry;
pub use backup::{Backup, TableSize, backup_running, scrub};
pub use error::{Result, StoreError, Trouble};
pub use peers::{Peer, Streamed};

use crate::model::{self, Entity, Id};
use crate::search::fold;
use crate::sync::{Change, Doc, Fresh, Hlc, Op, OpId, OpRef, ReplicaId, VersionVector};
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
/// 3: the `conflicts` index; 4: compact texts in ops and records (`migrate`).
pub const SCHEMA_VERSION: u32 = 4;
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
}

fn record_key(entity: Entity, id: Id) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = entity as u8;
    k[1..].copy_from_slice(id.as_bytes());
    k
}

fn id_from_key(k: &[u8]) -> Id {
    let mut b = [0u8; 16];
    b.copy_from_slice(&k[k.len() - 16..]);
    Id::from_bytes(b)
}

fn attend_key(participant: Id, meeting: Id) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[..16].copy_from_slice(participant.as_bytes());
    k[16..].copy_from_slice(meeting.as_bytes());
    k
}

/// What the indexes read of a record: a stored [`Doc`], or the [`Fresh`] record an
/// op makes on its own.
trait Indexable {
    fn is_deleted(&self) -> bool;
    fn str(&self, field: &str) -> Option<&str>;
    /// The elements of a set field, sorted.
    fn elems(&self, field: &str) -> Vec<&str>;
    fn conflict_count(&self) -> usize;
}

impl Indexable for Doc {
    fn is_deleted(&self) -> bool {
        Doc::is_deleted(self)
    }
    fn str(&self, field: &str) -> Option<&str> {
        Doc::str(self, field)
    }
    fn elems(&self, field: &str) -> Vec<&str> {
        Doc::elems(self, field)
    }
    fn conflict_count(&self) -> usize {
        Doc::conflict_count(self)
    }
}

impl Indexable for Fresh<'_> {
    fn is_deleted(&self) -> bool {
        false
    }
    fn str(&self, field: &str) -> Option<&str> {
        Fresh::str(self, field)
    }
    fn elems(&self, field: &str) -> Vec<&str> {
        self.set(field).to_vec()
    }
    fn conflict_count(&self) -> usize {
        // One op keeps one value per text.
        0
    }
}

/// The sort key of a record in `order`, or None when it is not listed (deleted).
fn order_key(entity: Entity, id: Id, doc: &impl Indexable) -> Option<Vec<u8>> {
    if doc.is_deleted() {
        return None;
    }
    let sort = match entity {
        // Straight from the fields: this runs for every op applied, and building the
        // whole participant here was a large part of the cost of an import.
        Entity::Participant => {
            let person = match doc.str("kind") {
                Some(k) => k == model::Kind::Person.code(),
                None => doc.str("category") == Some(model::Category::Person.code()),
            };
            fold(&model::sort_name(doc.str("name").unwrap_or(""), person))
        }
        Entity::Meeting | Entity::FollowUp => {
            let date = doc.str(if entity == Entity::Meeting { "date" } else { "due" }).unwrap_or("9999-99-99");
            format!("{date}T{}", doc.str("time").unwrap_or("99:99"))
        }
        Entity::Need => fold(doc.str("description").unwrap_or("")),
        _ => fold(doc.str("name").unwrap_or("")),
    };
    let mut k = Vec::with_capacity(1 + sort.len() + 17);
    k.push(entity as u8);
    k.extend_from_slice(sort.as_bytes());
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    Some(k)
}

fn attend_entries(entity: Entity, id: Id, doc: &impl Indexable) -> Vec<([u8; 32], String)> {
    if entity != Entity::Meeting || doc.is_deleted() {
        return Vec::new();
    }
    let date = doc.str("date").unwrap_or_default();
    doc.elems("attendees").into_iter().filter_map(Id::parse).map(|p| (attend_key(p, id), date.to_string())).collect()
}

fn corrupt(e: String) -> StoreError {
    StoreError::Corrupt(e)
}

/// What the indexes hold for one record: its `order` key and its `attend` entries.
#[derive(PartialEq)]
struct Indexed {
    order: Option<Vec<u8>>,
    attend: Vec<([u8; 32], String)>,
    /// Fields with more than one value kept.
    conflicts: u32,
}

impl Indexed {
    fn of(entity: Entity, id: Id, doc: Option<&impl Indexable>) -> Indexed {
        match doc {
            Some(d) => Indexed {
                order: order_key(entity, id, d),
                attend: attend_entries(entity, id, d),
                conflicts: d.conflict_count() as u32,
            },
            None => Indexed::none(),
        }
    }

    /// A record that is not there.
    fn none() -> Indexed {
        Indexed { order: None, attend: Vec::new(), conflicts: 0 }
    }
}

/// A record changed in this transaction and not written back yet. Kept encoded, not
/// as a `Doc`: tens of thousands of decoded docs freed at once cost more in the
/// allocator than encoding each one as soon as its op is applied.
struct Touched {
    /// What the indexes hold for it (as stored before the transaction touched it).
    before: Indexed,
    /// What they must hold now.
    after: Indexed,
    bytes: Vec<u8>,
}

impl Indexed {
    /// Bytes its entries hold on the heap.
    fn heap(&self) -> usize {
        self.order.as_ref().map_or(0, Vec::capacity)
            + self.attend.capacity() * std::mem::size_of::<([u8; 32], String)>()
            + self.attend.iter().map(|(_, d)| d.capacity()).sum::<usize>()
    }
}

impl Touched {
    /// Memory it holds in [`Tables::touched`], its map entry included (the map keeps
    /// up to twice its entries' room).
    fn held(&self) -> usize {
        2 * std::mem::size_of::<([u8; 17], Touched)>() + self.bytes.capacity() + self.before.heap() + self.after.heap()
    }
}

/// The tables a write transaction changes when it applies an op.
///
/// Changed records wait in `touched` and are written back by [`Tables::flush`] — once
/// each, in key order, with their index entries — instead of each op rewriting its
/// record and index entries at once in random key order, which made redb split,
/// spill and re-read pages for most of an import's time. Every user of `Tables` calls
/// `flush` before committing.
struct Tables<'t> {
    records: redb::Table<'t, &'static [u8; 17], &'static [u8]>,
    order: redb::Table<'t, &'static [u8], ()>,
    attend: redb::Table<'t, &'static [u8; 32], &'static str>,
    conflicts: redb::Table<'t, &'static [u8; 17], u32>,
    touched: HashMap<[u8; 17], Touched>,
    /// Memory held by `touched` ([`Touched::held`]).
    touched_bytes: usize,
}

impl Tables<'_> {
    fn open(tx: &redb::WriteTransaction) -> Result<Tables<'_>> {
        Ok(Tables {
            records: tx.open_table(RECORDS)?,
            order: tx.open_table(ORDER)?,
            attend: tx.open_table(ATTEND)?,
            conflicts: tx.open_table(CONFLICTS)?,
            touched: HashMap::new(),
            touched_bytes: 0,
        })
    }

    /// A record as it stands in this transaction.
    fn load(&self, entity: Entity, id: Id) -> Result<Option<Doc>> {
        let key = record_key(entity, id);
        if let Some(t) = self.touched.get(&key) {
            return Ok(Some(Doc::decode(&t.bytes).map_err(corrupt)?));
        }
        self.stored(&key)
    }

    fn stored(&self, key: &[u8; 17]) -> Result<Option<Doc>> {
        match self.records.get(key)? {
            Some(v) => Ok(Some(Doc::decode(v.value()).map_err(corrupt)?)),
            None => Ok(None),
        }
    }

    /// Apply an op to its record (the indexes follow at [`Tables::flush`]). Returns
    /// whether the record is erased (so the op must be stored redacted).
    fn apply(&mut self, op: Op) -> Result<bool> {
        let key = record_key(op.entity, op.record);
        let old = match self.touched.get(&key) {
            Some(t) => Some(Doc::decode(&t.bytes).map_err(corrupt)?),
            None => self.stored(&key)?,
        };
        self.apply_to(op, old)
    }

    /// [`Tables::apply`] to the record as already loaded by [`Tables::load`] (`old`): a
    /// local commit has read it to fill `seen`, and reading it twice was a tenth of an
    /// import's time.
    fn apply_to(&mut self, op: Op, old: Option<Doc>) -> Result<bool> {
        let (entity, record) = (op.entity, op.record);
        let key = record_key(entity, record);
        let before = match self.touched.remove(&key) {
            Some(t) => {
                self.touched_bytes -= t.held();
                t.before
            }
            None => Indexed::of(entity, record, old.as_ref()),
        };
        let mut doc = old.unwrap_or_else(|| Doc::new(entity));
        check_kind(&op, &doc)?;
        doc.apply_owned(op, |f| model::is_personal(entity, f));
        let after = Indexed::of(entity, record, Some(&doc));
        self.put(key, Touched { before, after, bytes: doc.encode() })?;
        Ok(doc.erased)
    }

    /// Keep a changed record until [`Tables::flush`] (sooner past the memory budget).
    fn put(&mut self, key: [u8; 17], mut t: Touched) -> Result<()> {
        // Encoded records grow by doubling: without this a record of 345 bytes held
        // 512, and the budget below counted half of what it held (massif, a first
        // import of 146 368 ops: 62 MB of records for a 32 MB budget).
        t.bytes.shrink_to_fit();
        self.touched_bytes += t.held();
        self.touched.insert(key, t);
        if self.touched_bytes >= TOUCHED_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Write the touched records and their index entries, in key order. A large batch
    /// (an import) writes `records` on a second thread while this one writes the
    /// indexes: redb lets the tables of one write transaction change concurrently.
    fn flush(&mut self) -> Result<()> {
        self.touched_bytes = 0;
        let mut index = IndexChanges::default();
        let mut records = Vec::with_capacity(self.touched.len());
        for (key, t) in self.touched.drain() {
            index.add(key, t.before, t.after);
            records.push((key, t.bytes));
        }
        let Tables { records: table, order, attend, conflicts, .. } = self;
        if records.len() < PARALLEL_FLUSH {
            write_records(table, records)?;
            return index.write(order, attend, conflicts);
        }
        // Each thread sorts, writes and frees its own part.
        std::thread::scope(|s| {
            let writer = s.spawn(|| write_records(table, records));
            let indexes = index.write(order, attend, conflicts);
            let records = writer.join().unwrap_or_else(|_| Err(corrupt("the thread writing records stopped".into())));
            records.and(indexes)
        })
    }
}

/// Below this many records a flush stays on one thread: spawning one costs more than
/// a capture's three records take to write.
const PARALLEL_FLUSH: usize = 1024;

/// Write records in key order (redb fills its pages best that way).
fn write_records(
    table: &mut redb::Table<&'static [u8; 17], &'static [u8]>,
    mut records: Vec<([u8; 17], Vec<u8>)>,
) -> Result<()> {
    records.sort_unstable_by_key(|a| a.0);
    for (key, bytes) in &records {
        table.insert(key, bytes.as_slice())?;
    }
    Ok(())
}

/// The index entries a flush removes and adds, and the records whose conflict count
/// changed.
#[derive(Default)]
struct IndexChanges {
    order_out: Vec<Vec<u8>>,
    order_in: Vec<Vec<u8>>,
    attend_out: Vec<[u8; 32]>,
    attend_in: Vec<([u8; 32], String)>,
    conflicts: Vec<([u8; 17], u32)>,
}

impl IndexChanges {
    fn add(&mut self, key: [u8; 17], before: Indexed, after: Indexed) {
        if after.order != before.order {
            self.order_out.extend(before.order);
            self.order_in.extend(after.order);
        }
        if after.conflicts != before.conflicts {
            self.conflicts.push((key, after.conflicts));
        }
        if after.attend != before.attend {
            self.attend_out.extend(before.attend.into_iter().map(|(k, _)| k));
            self.attend_in.extend(after.attend);
        }
    }

    /// Write the changes, each table's in key order.
    fn write(
        mut self,
        order: &mut redb::Table<&'static [u8], ()>,
        attend: &mut redb::Table<&'static [u8; 32], &'static str>,
        conflicts: &mut redb::Table<&'static [u8; 17], u32>,
    ) -> Result<()> {
        self.conflicts.sort_unstable_by_key(|a| a.0);
        self.order_out.sort_unstable();
        self.order_in.sort_unstable();
        self.attend_out.sort_unstable();
        self.attend_in.sort_unstable();
        for (key, n) in &self.conflicts {
            if *n > 0 {
                conflicts.insert(key, *n)?;
            } else {
                conflicts.remove(key)?;
            }
        }
        // Removals first: a record's old and new entries may share a key.
        for k in &self.order_out {
            order.remove(k.as_slice())?;
        }
        for k in &self.order_in {
            order.insert(k.as_slice(), ())?;
        }
        for k in &self.attend_out {
            attend.remove(k)?;
        }
        for (k, v) in &self.attend_in {
            attend.insert(k, v.as_str())?;
        }
        Ok(())
    }
}

/// Whether an op erases its record (RODO): its log entries must then be redacted.
fn erases(op: &Op) -> bool {
    op.changes.iter().any(|c| matches!(c, Change::Erase))
}

/// An op must not change the kind of its record.
fn check_kind(op: &Op, doc: &Doc) -> Result<()> {
    if doc.entity != op.entity {
        return Err(corrupt(format!("op {}:{} changes the kind of record {}", op.id.replica, op.id.seq, op.record)));
    }
    Ok(())
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
                let mut store = Store { db, path: path.to_path_buf(), replica, tightened, erased: Default::default() };
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

    /// Whether the log holds the op encoded in `incoming` (by its id) made otherwise:
    /// at another time, on another record, or with other changes. Two sources of one
    /// replica id (a copied database) write different ops under the same ids; an
    /// importer that took "already here" on trust would drop one of them in silence.
    /// Both sides are compared redacted, so an erased op here still matches its
    /// original.
    pub fn differs_from_log(&self, incoming: &[u8]) -> Result<bool> {
        let theirs = Op::decode(incoming).map_err(corrupt)?;
        let tx = self.db.begin_read()?;
        let log = tx.open_table(LOG)?;
        let Some(v) = log.get(&theirs.id.key())? else { return Ok(false) };
        let ours = Op::decode(v.value()).map_err(corrupt)?;
        let plain = |op: Op| redact(&op).unwrap_or(op);
        Ok(plain(ours) != plain(theirs))
    }

    /// Keep the file's identity (device and inode) in `meta`. A file found under another
    /// identity than the one it kept is a copy (or a backup put back): what it writes
    /// from now on may part from what the original writes under the same id, so the
    /// next seq is noted as a possible fork ([`Store::note_fork`]; the first one noted
    /// stays). Only `teren office new-identity` reads it.
    fn check_file(&self) -> Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let Ok(m) = std::fs::metadata(&self.path) else { return Ok(()) };
            let mut here = [0u8; 16];
            here[..8].copy_from_slice(&m.dev().to_le_bytes());
            here[8..].copy_from_slice(&m.ino().to_le_bytes());
            let kept = {
                let tx = self.db.begin_read()?;
                tx.open_table(META)?.get(FILE)?.map(|v| v.value().to_vec())
            };
            if kept.as_deref() == Some(here.as_slice()) {
                return Ok(());
            }
            let tx = self.db.begin_write()?;
            {
                let mut meta = tx.open_table(META)?;
                if kept.is_some() {
                    let next = tx.open_table(VV)?.get(self.replica().0)?.map_or(0, |v| v.value()) + 1;
                    if read_meta_u64(&meta, FORK)?.is_none_or(|k| next < k) {
                        meta.insert(FORK, next.to_le_bytes().as_slice())?;
                    }
                }
                meta.insert(FILE, here.as_slice())?;
            }
            tx.commit()?;
        }
        Ok(())
    }

    /// Set (or clear) what [`Store::fork`] says: a scrubbed copy keeps its original's.
    pub(super) fn set_fork(&self, fork: Option<u64>) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            match fork {
                Some(f) => meta.insert(FORK, f.to_le_bytes().as_slice())?,
                None => meta.remove(FORK)?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// Note that another database wrote ops under this database's own id from `seq` on
    /// (an import found one of them differing from ours: one of the two is a copy).
    /// [`Store::new_identity`] moves this database's ops from there on to its new id.
    pub fn note_fork(&self, seq: u64) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            let known = read_meta_u64(&meta, FORK)?;
            if known.is_none_or(|k| seq < k) {
                meta.insert(FORK, seq.to_le_bytes().as_slice())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The first of this database's own seqs that another database also wrote, when an
    /// import has seen one ([`Store::note_fork`]).
    pub fn fork(&self) -> Result<Option<u64>> {
        let tx = self.db.begin_read()?;
        read_meta_u64(&tx.open_table(META)?, FORK)
    }

    /// Give this database a new identity: a new replica id and new keys, for a copy of
    /// another office's database (`teren office new-identity`). The ops both databases
    /// share stay under the old id, so nothing is lost and other offices still relay
    /// them. When an import has shown where the two parted ([`Store::fork`]), this
    /// database's own ops from there on are moved to the new id — the same changes with
    /// the same clocks, `seen` lists following them — so that they reach other offices
    /// as this new office's, and the original's ops under those ids can be imported.
    /// What it writes from now on is its own. Returns the new id and the ops moved.
    pub fn new_identity(&self) -> Result<(ReplicaId, usize)> {
        let (old, replica) = (self.replica(), ReplicaId::random());
        let tx = self.db.begin_write()?;
        let moved;
        {
            let mut meta = tx.open_table(META)?;
            let fork = read_meta_u64(&meta, FORK)?;
            meta.insert("replica", replica.0.to_le_bytes().as_slice())?;
            meta.remove(FORK)?;
            // Made anew by the next `Keys::load`: the copy must not sign as the original.
            meta.remove("sign_key")?;
            meta.remove("age_identity")?;
            moved = match fork {
                Some(from) => move_ops(&tx, old, from, replica)?,
                None => 0,
            };
        }
        if moved > 0 {
            rebuild_in(&tx)?;
        }
        tx.commit()?;
        *self.replica.write().unwrap_or_else(std::sync::PoisonError::into_inner) = replica;
        Ok((replica, moved))
    }

    /// Whether a record was erased here since the database was opened (see [`scrub`]).
    pub fn erased_since_open(&self) -> bool {
        self.erased.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn replica(&self) -> ReplicaId {
        *self.replica.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The office label (set with `teren office`); defaults to the replica's short id.
    pub fn office(&self) -> Result<String> {
        let tx = self.db.begin_read()?;
        let meta = tx.open_table(META)?;
        Ok(meta
            .get("office")?
            .and_then(|v| String::from_utf8(v.value().to_vec()).ok())
            .unwrap_or_else(|| self.replica().short()))
    }

    pub fn set_office(&self, label: &str) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(META)?.insert("office", label.as_bytes())?;
        tx.commit()?;
        Ok(())
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

    /// Turn drafts into ops of this replica and apply them, all in one transaction.
    /// Returns the ops written.
    pub fn commit(&self, drafts: Vec<Draft>) -> Result<Vec<Op>> {
        let mut ops = Vec::with_capacity(drafts.len());
        self.write_drafts(drafts, &[], Some(&mut ops), None)?;
        Ok(ops)
    }

    /// [`Store::commit`] with an encoded audit entry in the same transaction.
    fn write_drafts_audited(&self, drafts: Vec<Draft>, audit: &[u8]) -> Result<()> {
        self.write_drafts(drafts, &[], None, Some(audit)).map(drop)
    }

    /// [`Store::commit`], also setting (Some) or removing (None) local keys in the same
    /// transaction: a saved capture clears its draft atomically. Returns how many ops
    /// were written.
    pub fn commit_with_local(&self, drafts: Vec<Draft>, local: &[(&str, Option<&[u8]>)]) -> Result<usize> {
        self.write_drafts(drafts, local, None, None)
    }

    /// [`Store::commit`] for bulk writes (imports): the ops are not kept, so each one's
    /// memory is reused by the next instead of 100 000 of them living to the end.
    /// Returns how many ops were written.
    pub fn commit_bulk(&self, drafts: Vec<Draft>) -> Result<usize> {
        self.write_drafts(drafts, &[], None, None)
    }

    fn write_drafts(
        &self,
        drafts: Vec<Draft>,
        local: &[(&str, Option<&[u8]>)],
        mut keep: Option<&mut Vec<Op>>,
        audit: Option<&[u8]>,
    ) -> Result<usize> {
        let mut written = 0;
        let tx = self.db.begin_write()?;
        if let Some(entry) = audit {
            audit::append_audit(&tx, entry)?;
        }
        {
            let mut table = tx.open_table(LOCAL)?;
            for (k, v) in local {
                match v {
                    Some(v) => {
                        table.insert(*k, *v)?;
                    }
                    None => {
                        table.remove(*k)?;
                    }
                }
            }
        }
        {
            let mut meta = tx.open_table(META)?;
            let mut log = tx.open_table(LOG)?;
            let mut vv = tx.open_table(VV)?;
            let mut tables = Tables::open(&tx)?;
            let me = self.replica();
            let mut seq = vv.get(me.0)?.map_or(0, |v| v.value());
            let mut clock = Hlc(read_meta_u64(&meta, "clock")?.unwrap_or(0));
            let now = Hlc::now_millis();
            let mut erased = BTreeSet::new();
            for draft in drafts {
                if draft.changes.is_empty() {
                    continue;
                }
                let current = tables.load(draft.entity, draft.record)?;
                let changes = draft.changes.into_iter().map(|c| fill_seen(c, current.as_ref())).collect();
                seq += 1;
                clock = clock.tick(now);
                let op =
                    Op { id: OpId { replica: me, seq }, clock, entity: draft.entity, record: draft.record, changes };
                if erases(&op) {
                    erased.insert((op.entity, op.record));
                    self.erased.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                if let Some(ops) = keep.as_deref_mut() {
                    ops.push(op.clone());
                }
                let (key, bytes) = (op.id.key(), op.encode());
                let is_erased = tables.apply_to(op, current)?;
                log.insert(&key, log_bytes(bytes, is_erased)?.as_slice())?;
                written += 1;
            }
            tables.flush()?;
            vv.insert(me.0, seq)?;
            meta.insert("clock", clock.0.to_le_bytes().as_slice())?;
            redact_records(&mut log, &erased)?;
            if !erased.is_empty() {
                redact_records(&mut tx.open_table(PENDING)?, &erased)?;
            }
        }
        tx.commit()?;
        Ok(written)
    }

    /// Apply ops that came from elsewhere (a bundle), in one transaction. Ops already
    /// here are skipped; an op whose predecessor from its replica is missing waits in
    /// `pending` until that predecessor arrives. Returns how many ops were applied.
    pub fn apply_remote(&self, incoming: &[Op]) -> Result<usize> {
        let tx = self.db.begin_write()?;
        let applied = apply_remote_in(&tx, incoming)?;
        tx.commit()?;
        Ok(applied)
    }

    /// Rebuild every materialised table from the log, in one transaction.
    pub fn rebuild(&self) -> Result<usize> {
        let tx = self.db.begin_write()?;
        let n = rebuild_in(&tx)?;
        tx.commit()?;
        Ok(n)
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
        Ok(problems)
    }

    pub fn version_vector(&self) -> Result<VersionVector> {
        let tx = self.db.begin_read()?;
        let vv = tx.open_table(VV)?;
        let mut out = VersionVector::new();
        for e in vv.iter()? {
            let (k, v) = e?;
            out.insert(ReplicaId(k.value()), v.value());
        }
        Ok(out)
    }

    /// Number of ops in the log and waiting in pending.
    pub fn log_len(&self) -> Result<(u64, u64)> {
        let tx = self.db.begin_read()?;
        Ok((tx.open_table(LOG)?.len()?, tx.open_table(PENDING)?.len()?))
    }

    /// Ops of the log that `known` does not cover, in (replica, seq) order.
    pub fn ops_since(&self, known: &VersionVector) -> Result<Vec<Op>> {
        let tx = self.db.begin_read()?;
        let log = tx.open_table(LOG)?;
        let mut out = Vec::new();
        for (replica, _) in self.version_vector()? {
            let from = OpId { replica, seq: known.get(&replica).copied().unwrap_or(0) + 1 }.key();
            let to = OpId { replica, seq: u64::MAX }.key();
            for e in log.range::<&[u8; 24]>(&from..=&to)? {
                let (_, v) = e?;
                out.push(Op::decode(v.value()).map_err(corrupt)?);
            }
        }
        Ok(out)
    }

    pub fn doc(&self, entity: Entity, id: Id) -> Result<Option<Doc>> {
        self.view()?.doc(entity, id)
    }

    /// One read transaction for several lookups: what a save checks before it writes
    /// (attendees, the gmina of a place) costs one snapshot instead of one each.
    pub fn view(&self) -> Result<View> {
        let tx = self.db.begin_read()?;
        Ok(View { records: tx.open_table(RECORDS)?, order: tx.open_table(ORDER)? })
    }

    /// Visit every record of one entity in id order without holding them all: the
    /// list of 100 000 participants is built from this at a fraction of the memory.
    pub fn for_each_doc(&self, entity: Entity, mut f: impl FnMut(Id, Doc)) -> Result<()> {
        let tx = self.db.begin_read()?;
        let records = tx.open_table(RECORDS)?;
        let lo = record_key(entity, Id::from_bytes([0; 16]));
        let hi = record_key(entity, Id::from_bytes([0xff; 16]));
        for e in records.range::<&[u8; 17]>(&lo..=&hi)? {
            let (k, v) = e?;
            f(id_from_key(k.value()), Doc::decode(v.value()).map_err(corrupt)?);
        }
        Ok(())
    }

    /// Every record of one entity, deleted ones included, in id order.
    pub fn docs(&self, entity: Entity) -> Result<Vec<(Id, Doc)>> {
        let tx = self.db.begin_read()?;
        let records = tx.open_table(RECORDS)?;
        let lo = record_key(entity, Id::from_bytes([0; 16]));
        let hi = record_key(entity, Id::from_bytes([0xff; 16]));
        let mut out = Vec::new();
        for e in records.range::<&[u8; 17]>(&lo..=&hi)? {
            let (k, v) = e?;
            out.push((id_from_key(k.value()), Doc::decode(v.value()).map_err(corrupt)?));
        }
        Ok(out)
    }

    /// Ids of records of `entity`, deleted ones included, whose hex id starts with `prefix`.
    pub fn ids_with_prefix(&self, entity: Entity, prefix: &str) -> Result<Vec<Id>> {
        let p = prefix.to_ascii_lowercase().replace('-', "");
        if p.is_empty() || p.len() > 32 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let mut lo = [0u8; 16];
        let mut hi = [0xffu8; 16];
        let full = format!("{p:0<32}");
        let full_hi = format!("{p:f<32}");
        for i in 0..16 {
            lo[i] = u8::from_str_radix(&full[2 * i..2 * i + 2], 16).unwrap_or(0);
            hi[i] = u8::from_str_radix(&full_hi[2 * i..2 * i + 2], 16).unwrap_or(0xff);
        }
        let tx = self.db.begin_read()?;
        let records = tx.open_table(RECORDS)?;
        let mut out = Vec::new();
        let (lo, hi) = (record_key(entity, Id::from_bytes(lo)), record_key(entity, Id::from_bytes(hi)));
        for e in records.range::<&[u8; 17]>(&lo..=&hi)? {
            let (k, _) = e?;
            out.push(id_from_key(k.value()));
        }
        Ok(out)
    }

    /// A page of live records in list order: `offset` rows in, at most `limit`.
    /// `newest_first` walks the index backwards (meetings by date).
    pub fn ordered_ids(&self, entity: Entity, offset: usize, limit: usize, newest_first: bool) -> Result<Vec<Id>> {
        let tx = self.db.begin_read()?;
        let order = tx.open_table(ORDER)?;
        let lo = [entity as u8];
        let hi = [entity as u8 + 1];
        let range = order.range::<&[u8]>(lo.as_slice()..hi.as_slice())?;
        let keys: Box<dyn Iterator<Item = _>> = if newest_first { Box::new(range.rev()) } else { Box::new(range) };
        let mut out = Vec::new();
        for e in keys.skip(offset).take(limit) {
            let (k, _) = e?;
            out.push(id_from_key(k.value()));
        }
        Ok(out)
    }

    /// The first answer `f` gives over live records of `entity` in list order (at most
    /// `limit` of them): lookups that stop early (the gmina of a place).
    pub fn find_ordered<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        self.view()?.find_ordered(entity, limit, newest_first, f)
    }

    /// The records with open conflicts, by entity then id.
    pub fn conflicted(&self) -> Result<Vec<(Entity, Id)>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(CONFLICTS)?;
        let mut out = Vec::new();
        for e in table.iter()? {
            let (k, _) = e?;
            if let Some(entity) = Entity::from_u8(k.value()[0]) {
                out.push((entity, id_from_key(k.value())));
            }
        }
        Ok(out)
    }

    /// How many fields hold conflicting values, over all records.
    pub fn conflict_count(&self) -> Result<usize> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(CONFLICTS)?;
        let mut n = 0usize;
        for e in table.iter()? {
            n += e?.1.value() as usize;
        }
        Ok(n)
    }

    /// Number of live records of an entity.
    pub fn count(&self, entity: Entity) -> Result<usize> {
        let tx = self.db.begin_read()?;
        let order = tx.open_table(ORDER)?;
        let lo = [entity as u8];
        let hi = [entity as u8 + 1];
        Ok(order.range::<&[u8]>(lo.as_slice()..hi.as_slice())?.count())
    }

    /// The meetings a participant attended, with their dates, newest first.
    pub fn attended(&self, participant: Id) -> Result<Vec<(Id, String)>> {
        let tx = self.db.begin_read()?;
        let attend = tx.open_table(ATTEND)?;
        let lo = attend_key(participant, Id::from_bytes([0; 16]));
        let hi = attend_key(participant, Id::from_bytes([0xff; 16]));
        let mut out = Vec::new();
        for e in attend.range::<&[u8; 32]>(&lo..=&hi)? {
            let (k, v) = e?;
            out.push((id_from_key(k.value()), v.value().to_string()));
        }
        out.sort_by(|a, b| b.1.cmp(&a.1));
        Ok(out)
    }

    /// For every participant who attended anything: the date of their last meeting.
    pub fn last_contacts(&self) -> Result<HashMap<Id, chrono::NaiveDate>> {
        let tx = self.db.begin_read()?;
        let attend = tx.open_table(ATTEND)?;
        let mut out: HashMap<Id, chrono::NaiveDate> = HashMap::new();
        for e in attend.iter()? {
            let (k, v) = e?;
            let mut p = [0u8; 16];
            p.copy_from_slice(&k.value()[..16]);
            let Ok(d) = chrono::NaiveDate::parse_from_str(v.value(), "%Y-%m-%d") else { continue };
            let entry = out.entry(Id::from_bytes(p)).or_insert(d);
            if d > *entry {
                *entry = d;
            }
        }
        Ok(out)
    }
}

/// A snapshot of the records for reading (see [`Store::view`]).
pub struct View {
    records: redb::ReadOnlyTable<&'static [u8; 17], &'static [u8]>,
    order: redb::ReadOnlyTable<&'static [u8], ()>,
}

impl View {
    pub fn doc(&self, entity: Entity, id: Id) -> Result<Option<Doc>> {
        match self.records.get(&record_key(entity, id))? {
            Some(v) => Ok(Some(Doc::decode(v.value()).map_err(corrupt)?)),
            None => Ok(None),
        }
    }

    /// The first answer `f` gives over live records of `entity` in list order, at most
    /// `limit` of them (newest first walks the index backwards).
    pub fn find_ordered<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        self.find_ordered_where(entity, limit, newest_first, None, f)
    }

    /// [`View::find_ordered`] over the records whose stored bytes contain `text`; the
    /// others are skipped without decoding them (stored strings are plain UTF-8).
    pub fn find_ordered_containing<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        text: &str,
        f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        self.find_ordered_where(entity, limit, newest_first, Some(&memchr::memmem::Finder::new(text)), f)
    }

    fn find_ordered_where<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        containing: Option<&memchr::memmem::Finder>,
        mut f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        let lo = [entity as u8];
        let hi = [entity as u8 + 1];
        let range = self.order.range::<&[u8]>(lo.as_slice()..hi.as_slice())?;
        let keys: Box<dyn Iterator<Item = _>> = if newest_first { Box::new(range.rev()) } else { Box::new(range) };
        for e in keys.take(limit) {
            let (k, _) = e?;
            let Some(v) = self.records.get(&record_key(entity, id_from_key(k.value())))? else { continue };
            if containing.is_some_and(|c| c.find(v.value()).is_none()) {
                continue;
            }
            if let Some(t) = f(&Doc::decode(v.value()).map_err(corrupt)?) {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }
}

/// An op from elsewhere made ready off the writing thread (a bundle's decoding thread
/// calls [`Prepared::new`]): its bytes as they came, and the record it makes on its
/// own, encoded with its index entries. Most ops of an import create their record, so
/// the writing thread only checks that the record is new and inserts bytes; the rest
/// are merged into their record there as usual.
pub struct Prepared {
    id: OpId,
    clock: Hlc,
    entity: Entity,
    record: Id,
    erases: bool,
    bytes: Vec<u8>,
    after: Indexed,
    doc: Vec<u8>,
}

impl Prepared {
    /// The record `op` makes on its own, with its index entries. The op's bytes follow
    /// with [`Prepared::with_bytes`]: `op` borrows them until then.
    pub fn of(op: &OpRef<'_>) -> Prepared {
        let (entity, record) = (op.entity, op.record);
        let (after, doc) = match Fresh::of(op) {
            Some(fresh) => (Indexed::of(entity, record, Some(&fresh)), fresh.encode()),
            None => {
                let mut doc = Doc::new(entity);
                doc.apply_owned(op.to_op(), |f| model::is_personal(entity, f));
                (Indexed::of(entity, record, Some(&doc)), doc.encode())
            }
        };
        Prepared { id: op.id, clock: op.clock, entity, record, erases: op.erases(), bytes: Vec::new(), after, doc }
    }

    /// `bytes` must be the op given to [`Prepared::of`], encoded (as it came).
    pub fn with_bytes(mut self, bytes: Vec<u8>) -> Prepared {
        self.bytes = bytes;
        self
    }
}

/// Ops from elsewhere being applied in a caller's write transaction (an import also
/// records the sending office in the same transaction), one at a time as they arrive:
/// a bundle's ops are applied while the rest of it is still being decoded.
///
/// The next op expected from its replica is applied at once; a later one waits in
/// `pending`, and what waited is drained as soon as its predecessor is applied. The
/// result depends only on the set of ops, not on their order (DESIGN.md §4).
struct Remote<'t> {
    meta: redb::Table<'t, &'static str, &'static [u8]>,
    log: redb::Table<'t, &'static [u8; 24], &'static [u8]>,
    vv: redb::Table<'t, u128, u64>,
    pending: redb::Table<'t, &'static [u8; 24], &'static [u8]>,
    /// Whether `pending` may hold anything: an empty one (the usual case) is not
    /// looked up for every op.
    pending_used: bool,
    tables: Tables<'t>,
    clock: Hlc,
    erased: BTreeSet<(Entity, Id)>,
    /// Per replica: the head when the transaction began, and now.
    heads: HashMap<ReplicaId, (u64, u64)>,
    /// Op bytes written to the log: [`Store::import_stream`] hands them back to the
    /// decoding thread, which reads the next ops into them.
    spent: Vec<Vec<u8>>,
}

impl<'t> Remote<'t> {
    fn open(tx: &'t redb::WriteTransaction) -> Result<Remote<'t>> {
        let meta = tx.open_table(META)?;
        let pending = tx.open_table(PENDING)?;
        let clock = Hlc(read_meta_u64(&meta, "clock")?.unwrap_or(0));
        Ok(Remote {
            pending_used: !pending.is_empty()?,
            meta,
            log: tx.open_table(LOG)?,
            vv: tx.open_table(VV)?,
            pending,
            tables: Tables::open(tx)?,
            clock,
            erased: BTreeSet::new(),
            heads: HashMap::new(),
            spent: Vec::new(),
        })
    }

    /// Take one op from elsewhere.
    fn take(&mut self, p: Prepared) -> Result<()> {
        let replica = p.id.replica;
        let head = match self.heads.get(&replica) {
            Some(h) => h.1,
            None => {
                let h = self.vv.get(replica.0)?.map_or(0, |v| v.value());
                self.heads.insert(replica, (h, h));
                h
            }
        };
        let seq = p.id.seq;
        if seq <= head {
            return Ok(());
        }
        if seq > head + 1 {
            if self.pending.get(&p.id.key())?.is_none() {
                // An op on an erased record waits redacted, as it would be stored.
                let erased = self.erased.contains(&(p.entity, p.record))
                    || self.tables.load(p.entity, p.record)?.is_some_and(|d| d.erased);
                let bytes = log_bytes(p.bytes, erased)?;
                self.pending.insert(&p.id.key(), bytes.as_slice())?;
                self.pending_used = true;
            }
            return Ok(());
        }
        if self.pending_used {
            self.pending.remove(&p.id.key())?;
        }
        self.apply(p)?;
        let mut head = seq;
        // Drain what waited for this one.
        while self.pending_used {
            let key = OpId { replica, seq: head + 1 }.key();
            let bytes = match self.pending.remove(&key)? {
                Some(v) => v.value().to_vec(),
                None => break,
            };
            let p = Prepared::of(&OpRef::decode(&bytes).map_err(corrupt)?);
            self.apply(p.with_bytes(bytes))?;
            head += 1;
        }
        if let Some(h) = self.heads.get_mut(&replica) {
            h.1 = head;
        }
        Ok(())
    }

    fn apply(&mut self, p: Prepared) -> Result<()> {
        if p.erases {
            self.erased.insert((p.entity, p.record));
        }
        self.clock = self.clock.observe(p.clock);
        let is_erased = match self.tables.load(p.entity, p.record)? {
            // The record is here already: merge the op into it.
            Some(old) => self.tables.apply_to(Op::decode(&p.bytes).map_err(corrupt)?, Some(old))?,
            // A new record: it is the one the op made on its own.
            None => {
                let before = Indexed::none();
                self.tables.put(record_key(p.entity, p.record), Touched { before, after: p.after, bytes: p.doc })?;
                p.erases
            }
        };
        let bytes = log_bytes(p.bytes, is_erased)?;
        self.log.insert(&p.id.key(), bytes.as_slice())?;
        self.spent.push(bytes);
        Ok(())
    }

    /// Write the records, version vector and clock; redact what was erased. Returns
    /// how many ops were applied.
    fn finish(mut self) -> Result<usize> {
        self.tables.flush()?;
        let mut applied = 0;
        for (replica, (start, head)) in &self.heads {
            if head > start {
                self.vv.insert(replica.0, *head)?;
                applied += (head - start) as usize;
            }
        }
        self.meta.insert("clock", self.clock.0.to_le_bytes().as_slice())?;
        redact_records(&mut self.log, &self.erased)?;
        redact_records(&mut self.pending, &self.erased)?;
        Ok(applied)
    }
}

/// The body of [`Store::apply_remote`]: every op of a slice, per replica in seq order.
fn apply_remote_in(tx: &redb::WriteTransaction, incoming: &[Op]) -> Result<usize> {
    let mut sorted: Vec<&Op> = incoming.iter().collect();
    sorted.sort_by_key(|op| op.id);
    let mut remote = Remote::open(tx)?;
    for op in sorted {
        let bytes = op.encode();
        remote.take(Prepared::of(&OpRef::from(op)).with_bytes(bytes))?;
        remote.spent.clear();
    }
    remote.finish()
}

/// Empty the materialised tables and apply the whole log again (`rebuild`, and the
/// upgrade of a database whose records changed encoding).
fn rebuild_in(tx: &redb::WriteTransaction) -> Result<usize> {
    tx.delete_table(RECORDS)?;
    tx.delete_table(ORDER)?;
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

/// Move the ops of replica `old` from seq `from` on to replica `new` (seqs from 1, in
/// order), in the log and the version vector. Their clocks and changes stay; ids in
/// `seen` lists that were moved follow them. The caller rebuilds the records.
fn move_ops(tx: &redb::WriteTransaction, old: ReplicaId, from: u64, new: ReplicaId) -> Result<usize> {
    let mut log = tx.open_table(LOG)?;
    let lo = OpId { replica: old, seq: from }.key();
    let hi = OpId { replica: old, seq: u64::MAX }.key();
    let mut ops = Vec::new();
    for entry in log.range::<&[u8; 24]>(&lo..=&hi)? {
        ops.push(Op::decode(entry?.1.value()).map_err(corrupt)?);
    }
    let renamed: HashMap<OpId, OpId> =
        ops.iter().enumerate().map(|(i, op)| (op.id, OpId { replica: new, seq: i as u64 + 1 })).collect();
    let follow = |seen: &mut Vec<OpId>| {
        for id in seen.iter_mut() {
            if let Some(n) = renamed.get(id) {
                *id = *n;
            }
        }
    };
    for (i, mut op) in std::mem::take(&mut ops).into_iter().enumerate() {
        log.remove(&op.id.key())?;
        op.id = OpId { replica: new, seq: i as u64 + 1 };
        for c in &mut op.changes {
            if let Change::Write { seen, .. } | Change::Remove { seen, .. } = c {
                follow(seen);
            }
        }
        log.insert(&op.id.key(), op.encode().as_slice())?;
    }
    let mut vv = tx.open_table(VV)?;
    vv.insert(old.0, from.saturating_sub(1))?;
    if !renamed.is_empty() {
        vv.insert(new.0, renamed.len() as u64)?;
    }
    Ok(renamed.len())
}

/// The log entry of an op encoded as `bytes`: as it is, or with its personal values
/// replaced by nulls when its record is erased.
fn log_bytes(bytes: Vec<u8>, erased: bool) -> Result<Vec<u8>> {
    if erased && let Some(r) = redact(&Op::decode(&bytes).map_err(corrupt)?) {
        return Ok(r.encode());
    }
    Ok(bytes)
}

/// The op with every personal value replaced by a null (set elements by ""), or None
/// when it holds none. Op ids, clocks, fields and `seen` lists stay, so version
/// vectors stay contiguous and the op can still be relayed.
pub fn redact(op: &Op) -> Option<Op> {
    let personal = |f: &str| model::is_personal(op.entity, f);
    let mut out = op.clone();
    let mut changed = false;
    for c in &mut out.changes {
        match c {
            Change::Set { field, value } | Change::Write { field, value, .. }
                if personal(field) && !value.is_null() =>
            {
                *value = crate::sync::Value::Null;
                changed = true;
            }
            Change::Add { field, elem } | Change::Remove { field, elem, .. } if personal(field) && !elem.is_empty() => {
                elem.clear();
                changed = true;
            }
            _ => {}
        }
    }
    changed.then_some(out)
}

/// Redact, in a log-shaped table, every op on the given records.
fn redact_records(
    table: &mut redb::Table<&'static [u8; 24], &'static [u8]>,
    records: &BTreeSet<(Entity, Id)>,
) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let mut rewrite = Vec::new();
    for e in table.iter()? {
        let (k, v) = e?;
        let op = Op::decode(v.value()).map_err(corrupt)?;
        if records.contains(&(op.entity, op.record))
            && let Some(r) = redact(&op)
        {
            rewrite.push((*k.value(), r.encode()));
        }
    }
    for (k, v) in rewrite {
        table.insert(&k, v.as_slice())?;
    }
    Ok(())
}

/// Fill in what a text write or a set remove has seen: the values present now.
fn fill_seen(change: Change, current: Option<&Doc>) -> Change {
    match change {
        Change::Write { field, value, seen } if seen.is_empty() => {
            let seen = current.map(|d| d.text_heads(&field)).unwrap_or_default();
            Change::Write { field, value, seen }
        }
        Change::Remove { field, elem, seen } if seen.is_empty() => {
            let seen = current.map(|d| d.set_tags(&field, &elem)).unwrap_or_default();
            Change::Remove { field, elem, seen }
        }
        other => other,
    }
}
