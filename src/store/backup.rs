//! A consistent copy of the database (`teren backup`), its size by table
//! (`teren doctor --stats`) and compaction (`teren doctor --compact`).
//!
//! The copy is made from one read transaction: every table as it stood at one commit,
//! copied entry by entry into a new database that redb writes. It works while the app
//! writes the database, because teren opens the file in redb's single-writer mode: a
//! second process may open it read-only and read a snapshot (a copy of the file's
//! bytes made meanwhile could catch a commit half-written).

use super::*;
use files::suffixed;
use redb::{ReadOnlyDatabase, ReadTransaction, TableHandle};

/// What `teren backup` wrote.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    pub records: u64,
    pub ops: u64,
}

/// One table's share of the file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableSize {
    pub table: String,
    pub entries: u64,
    /// Bytes of keys and values stored.
    pub stored: u64,
    /// Bytes of its pages (leaf and branch).
    pub pages: u64,
    /// Bytes of its pages not used by entries.
    pub fragmented: u64,
}

/// Copy every entry of one table; a table the source does not have is skipped.
fn copy_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    from: &ReadTransaction,
    to: &redb::WriteTransaction,
    def: TableDefinition<K, V>,
) -> Result<()> {
    let source = match from.open_table(def) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let mut target = to.open_table(def)?;
    for entry in source.iter()? {
        let (k, v) = entry?;
        target.insert(k.value(), v.value())?;
    }
    Ok(())
}

/// Copy what `from` sees into a new database at `dest`.
fn copy_all(from: &ReadTransaction, dest: &Path) -> Result<()> {
    let file = files::open_private(dest)
        .map_err(|e| StoreError::Open { path: dest.to_path_buf(), detail: files::io_detail(&e) })?;
    let backend =
        FileBackend::new(file).map_err(|e| StoreError::Open { path: dest.to_path_buf(), detail: e.to_string() })?;
    let mut builder = Database::builder();
    builder.set_cache_size(WRITE_CACHE);
    let db = builder
        .create_with_backend(backend)
        .map_err(|e| StoreError::Open { path: dest.to_path_buf(), detail: e.to_string() })?;
    let tx = db.begin_write()?;
    copy_table(from, &tx, META)?;
    copy_table(from, &tx, LOG)?;
    copy_table(from, &tx, VV)?;
    copy_table(from, &tx, PENDING)?;
    copy_table(from, &tx, RECORDS)?;
    copy_table(from, &tx, LIST)?;
    copy_table(from, &tx, COUNTS)?;
    copy_table(from, &tx, ATTEND)?;
    copy_table(from, &tx, CONFLICTS)?;
    copy_table(from, &tx, PEERS)?;
    copy_table(from, &tx, TRUSTED)?;
    copy_table(from, &tx, LOCAL)?;
    copy_table(from, &tx, audit::AUDIT)?;
    // A table added to the store and forgotten here must not make a silent partial copy.
    let copied = tx.list_tables()?.count();
    let source = from.list_tables()?.count();
    if copied != source {
        return Err(StoreError::Db(format!(
            "the backup copied {copied} of {source} tables; this teren cannot back up this database"
        )));
    }
    tx.commit()?;
    Ok(())
}

/// Where a backup goes: `dest` itself, or a dated name inside it when it is a folder.
fn target(dest: &Path) -> Result<PathBuf> {
    if dest.is_dir() {
        return Ok(dest.join(format!("teren-backup-{}.redb", chrono::Local::now().format("%Y%m%d-%H%M%S"))));
    }
    let folder = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let named_as_folder = dest.as_os_str().to_string_lossy().ends_with(std::path::MAIN_SEPARATOR);
    if named_as_folder || !folder.is_dir() {
        let missing = if named_as_folder { dest } else { folder };
        return Err(StoreError::Open {
            path: missing.to_path_buf(),
            detail: "no such folder; give an existing folder (a USB stick, say) or a new file in one".into(),
        });
    }
    Ok(dest.to_path_buf())
}

/// Copy what `from` sees into a new database at `tmp` and check it opens and agrees
/// with its log. Returns its records and ops; on failure nothing is left at `tmp`.
fn checked_copy(from: &ReadTransaction, tmp: &Path) -> Result<(u64, u64)> {
    let _ = std::fs::remove_file(tmp);
    let result = (|| {
        copy_all(from, tmp)?;
        let store = Store::open_with_cache(tmp, BULK_CACHE)?;
        if let Some(p) = store.verify()?.first() {
            return Err(StoreError::Corrupt(format!("the copy does not check out ({p})")));
        }
        let records = store.db.begin_read()?.open_table(RECORDS)?.len()?;
        Ok((records, store.log_len()?.0))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    result
}

/// Give a checked copy its name, and make the name survive a power cut.
fn put_in_place(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::rename(tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        StoreError::Open { path: path.to_path_buf(), detail: files::io_detail(&e) }
    })?;
    files::sync_dir(path);
    Ok(())
}

/// Write the copy beside its final name, check it, then give it its name.
fn write_checked(from: &ReadTransaction, dest: &Path) -> Result<Backup> {
    let path = target(dest)?;
    if path.exists() {
        return Err(StoreError::Open {
            path: path.clone(),
            detail: "a file of that name is already there; give a new name (a backup never overwrites)".into(),
        });
    }
    let tmp = suffixed(&path, ".tmp");
    let (records, ops) = checked_copy(from, &tmp)?;
    put_in_place(&tmp, &path)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(Backup { path, bytes, records, ops })
}

impl Store {
    /// A consistent copy of this database at `dest` (a new file, or a folder to put a
    /// dated one in), checked to open and to agree with its log.
    pub fn backup(&self, dest: &Path) -> Result<Backup> {
        let tx = self.db.begin_read()?;
        write_checked(&tx, dest)
    }

    /// Bytes of the file by table, and the free pages.
    pub fn sizes(&self) -> Result<(Vec<TableSize>, u64)> {
        let write = self.db.begin_write()?;
        let stats = write.stats()?;
        write.abort()?;
        let page = stats.page_size() as u64;
        let read = self.db.begin_read()?;
        let mut out = Vec::new();
        for handle in read.list_tables()? {
            let name = handle.name().to_string();
            let table = read.open_untyped_table(handle)?;
            let s = table.stats()?;
            out.push(TableSize {
                table: name,
                entries: table.len()?,
                stored: s.stored_bytes(),
                pages: (s.leaf_pages() + s.branch_pages()) * page,
                fragmented: s.fragmented_bytes(),
            });
        }
        let file = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        out.sort_by_key(|t| std::cmp::Reverse(t.pages));
        Ok((out, file.saturating_sub(stats.allocated_pages() * page)))
    }

    /// After a bulk write (the demo, an import): repack the tables that grew loose and
    /// compact when free pages are over a quarter of a file past 16 MB. A big
    /// transaction leaves the pages it rewrote free: the 100 000-person demo was 258 MB
    /// with 108 MB of them, 149 MB compacted.
    pub fn compact_if_loose(&mut self) -> Result<()> {
        let repacked = self.repack()?;
        // A quarter: the 1 000 000-person demo left 29 % of its 2.1 GB free (1.5 GB
        // compacted, in a minute).
        let write = self.db.begin_write()?;
        let stats = write.stats()?;
        write.abort()?;
        let used = stats.allocated_pages() * stats.page_size() as u64;
        let file = std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        if repacked || (file > 16 << 20 && file.saturating_sub(used) > file / 4) {
            self.compact()?;
        }
        Ok(())
    }

    /// Compact the file (redb's own compaction), after repacking loose tables.
    /// Returns the bytes before and after.
    pub fn compact(&mut self) -> Result<(u64, u64)> {
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let before = size(&self.path);
        self.repack()?;
        while self.db.compact().map_err(|e| StoreError::Db(e.to_string()))? {}
        Ok((before, size(&self.path)))
    }

    /// Rewrite in key order the tables keyed by record id whose pages are less than
    /// [`LOOSE`] full. Random keys split pages as they arrive and leave them about two
    /// thirds full (the 1 000 000-person demo's records took 773 MB of pages for 506
    /// MB); written in key order, redb fills them. Each table is rewritten in one
    /// transaction from a snapshot of itself: all of it or none. Returns whether any was.
    fn repack(&mut self) -> Result<bool> {
        // The log grows in key order and stays dense, but an upgrade rewrites its ops.
        // `|`, not `||`: every loose table is repacked.
        let page = self.page_size()?;
        Ok(self.repack_table(LOG, page)?
            | self.repack_table(RECORDS, page)?
            | self.repack_table(LIST, page)?
            | self.repack_table(ATTEND, page)?)
    }

    /// Rewrite one table when it is loose; returns whether it was.
    fn repack_table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: TableDefinition<K, V>,
        page: u64,
    ) -> Result<bool> {
        let read = self.db.begin_read()?;
        let Some(handle) = read.list_tables()?.find(|t| t.name() == def.name()) else { return Ok(false) };
        let s = read.open_untyped_table(handle)?.stats()?;
        drop(read);
        let pages = s.leaf_pages() * page;
        if pages <= 1 << 20 || (s.stored_bytes() as f64) >= pages as f64 * LOOSE {
            return Ok(false);
        }
        self.rewrite(def)?;
        Ok(true)
    }

    fn page_size(&self) -> Result<u64> {
        let write = self.db.begin_write()?;
        let size = write.stats()?.page_size() as u64;
        write.abort()?;
        Ok(size)
    }

    fn rewrite<K: redb::Key + 'static, V: redb::Value + 'static>(&self, def: TableDefinition<K, V>) -> Result<()> {
        let snapshot = self.db.begin_read()?;
        let tx = self.db.begin_write()?;
        tx.delete_table(def)?;
        copy_table(&snapshot, &tx, def)?;
        tx.commit()?;
        Ok(())
    }
}

/// Below this share of their pages used, [`Store::repack`] rewrites a table.
const LOOSE: f64 = 0.8;

/// `teren backup` of a database another teren (the app) has open for writing: a
/// read-only snapshot beside the writer.
pub fn backup_running(db: &Path, dest: &Path) -> Result<Backup> {
    let mut builder = Database::builder();
    builder.set_concurrency_mode(ConcurrencyMode::SingleWriter);
    let ro: ReadOnlyDatabase = builder.open_read_only(db).map_err(|e| match e {
        DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(db.to_path_buf()),
        other => StoreError::Open { path: db.to_path_buf(), detail: other.to_string() },
    })?;
    let tx = ro.begin_read()?;
    write_checked(&tx, dest)
}

/// Rewrite the (closed) database at `path` into a new file holding only what is live,
/// then put it in place: after an erasure, no byte of the erased values is left in the
/// file's free pages (redb reuses pages, it does not wipe them). The copy is checked
/// before it replaces the original; on any failure the original stays.
pub fn scrub(path: &Path) -> Result<()> {
    let tmp = suffixed(path, ".scrub");
    {
        let store = Store::open_with_cache(path, BULK_CACHE)?;
        let fork = store.fork()?;
        checked_copy(&store.db.begin_read()?, &tmp)?;
        // The copy takes the original's place, not a copy's: it keeps what the
        // original knew of a fork, not one noted because its file is new.
        if let Err(e) = Store::open_with_cache(&tmp, BULK_CACHE).and_then(|copy| copy.set_fork(fork)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    }
    put_in_place(&tmp, path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sync::Change;

    fn fill(store: &Store, table: &str) -> f64 {
        let (sizes, _) = store.sizes().unwrap();
        let t = sizes.iter().find(|t| t.table == table).unwrap();
        t.stored as f64 / t.pages as f64
    }

    #[test]
    fn compaction_rewrites_loose_tables_in_key_order_and_keeps_every_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.redb");
        let mut store = Store::open(&path).unwrap();
        // Random ids arriving over many commits split pages, as an office's work does.
        let mut ids = Vec::new();
        for batch in 0..40 {
            let drafts: Vec<Draft> = (0..250)
                .map(|i| {
                    let id = Id::new();
                    ids.push(id);
                    let name = format!("Osoba {batch} {i} z gminy Strzelce Krajeńskie, ul. Długa {i}");
                    Draft::new(Entity::Participant, id, vec![Change::set("name", name), Change::set("kind", "person")])
                })
                .collect();
            store.commit(drafts).unwrap();
        }
        assert!(fill(&store, "records") < LOOSE, "{}", fill(&store, "records"));
        let (before, after) = store.compact().unwrap();
        assert!(fill(&store, "records") > 0.85, "{}", fill(&store, "records"));
        assert!(after < before, "{before} -> {after}");
        assert!(store.verify().unwrap().is_empty());
        for id in ids.iter().step_by(97) {
            assert!(store.doc(Entity::Participant, *id).unwrap().is_some());
        }
        assert_eq!(store.ordered_ids(Entity::Participant, 0, 20_000, false).unwrap().len(), ids.len());
        // A dense table is left as it is.
        assert!(!store.repack().unwrap());
    }

    #[test]
    fn the_first_fork_noted_stays_and_a_scrub_keeps_the_originals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.redb");
        {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.fork().unwrap(), None);
            store.note_fork(5).unwrap();
            store.note_fork(3).unwrap();
            store.note_fork(7).unwrap();
            assert_eq!(store.fork().unwrap(), Some(3));
            store.set_fork(None).unwrap();
        }
        // Rewritten under a new file by a scrub: not taken for a copy.
        scrub(&path).unwrap();
        assert_eq!(Store::open(&path).unwrap().fork().unwrap(), None);
        // A copy of the file is: what it writes from its next seq may part.
        let copy = dir.path().join("kopia.redb");
        std::fs::copy(&path, &copy).unwrap();
        let store = Store::open(&copy).unwrap();
        assert_eq!(store.fork().unwrap(), Some(1));
        store.commit(vec![Draft::new(Entity::Meeting, Id::new(), vec![Change::set("title", "x")])]).unwrap();
        drop(store);
        assert_eq!(Store::open(&copy).unwrap().fork().unwrap(), Some(1));
    }
}
