//! Upgrading a database written by an older teren, inside the transaction that opens
//! it: either the whole upgrade is committed or the file stays as it was.
//!
//! - Schema 1 → 2: records (merged docs) are stored in the compact encoding of
//!   [`Doc::encode`](crate::sync::Doc::encode) — replicas and stamps interned per doc —
//!   which halves the bytes an import writes. The log did not change, so the
//!   materialised tables are rebuilt from it.
//! - Schema 2 → 3: a `conflicts` index (records with open conflicts), built by the
//!   same rebuild.
//! - Schema 3 → 4: ops and records with compact texts ([`crate::sync::compact`]):
//!   field names, codes, ids and dates in a few bytes, a third of what they took. The
//!   log's and `pending`'s ops are rewritten in [`OP_ENCODING`] (the same ops: only
//!   their bytes change) and the records rebuilt.
//! - Schema 4 → 5: `list` (sort key → the record's row) replaces `order` (sort key
//!   alone), built by the rebuild, which drops `order`.

use super::{LOG, PENDING, Result, StoreError, corrupt, rebuild_in};
use crate::sync::{OP_ENCODING, Op};
use redb::ReadableTable;
use std::ops::Bound;
use std::path::Path;

/// Rewrite the ops of `def` that are not in [`OP_ENCODING`], a batch at a time (redb
/// does not write a table while it is being read).
fn reencode_ops(tx: &redb::WriteTransaction, def: redb::TableDefinition<&[u8; 24], &[u8]>) -> Result<()> {
    let mut table = tx.open_table(def)?;
    let mut after: Option<[u8; 24]> = None;
    loop {
        let lower = match &after {
            Some(k) => Bound::Excluded(k),
            None => Bound::Unbounded,
        };
        let mut batch = Vec::new();
        let mut last = None;
        for entry in table.range::<&[u8; 24]>((lower, Bound::Unbounded))?.take(4096) {
            let (k, v) = entry?;
            last = Some(*k.value());
            if v.value().first() != Some(&OP_ENCODING) {
                batch.push((*k.value(), Op::decode(v.value()).map_err(corrupt)?.encode()));
            }
        }
        for (k, v) in &batch {
            table.insert(k, v.as_slice())?;
        }
        match last {
            Some(k) => after = Some(k),
            None => return Ok(()),
        }
    }
}

/// Bring the tables of the database at `path`, at schema `from`, up to
/// [`super::SCHEMA_VERSION`]. The caller records the new version in `meta` in the same
/// transaction, and drops the transaction (changing nothing) on an error.
pub(super) fn migrate(tx: &redb::WriteTransaction, path: &Path, from: u32) -> Result<()> {
    // "Run teren doctor" would not help: doctor opens the database the same way.
    let upgrade = |e: StoreError| StoreError::Upgrade {
        path: path.to_path_buf(),
        detail: match e {
            StoreError::Corrupt(d) => d,
            other => other.to_string(),
        },
    };
    if from < 4 {
        reencode_ops(tx, LOG).map_err(upgrade)?;
        reencode_ops(tx, PENDING).map_err(upgrade)?;
    }
    if from < 5 {
        rebuild_in(tx).map_err(upgrade)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::{COUNTS, Draft, LIST, LOG, META, ORDER, RECORDS, SCHEMA_VERSION, Store, StoreError};
    use crate::model::{Entity, Id};
    use crate::sync::{Change, Doc, OP_ENCODING, Op, encode_versioned};
    use redb::{Database, ReadableDatabase, ReadableTable, TableHandle};

    /// Every value of `table` rewritten by `f`.
    fn reencode<const N: usize>(
        table: &mut redb::Table<&'static [u8; N], &'static [u8]>,
        f: impl Fn(&[u8]) -> Vec<u8>,
    ) {
        let new: Vec<([u8; N], Vec<u8>)> = table
            .iter()
            .unwrap()
            .map(|e| {
                let (k, v) = e.unwrap();
                (*k.value(), f(v.value()))
            })
            .collect();
        for (k, v) in new {
            table.insert(&k, v.as_slice()).unwrap();
        }
    }

    /// A database with a few records of every field kind, then turned into what
    /// teren 0.1 at schema 1 wrote: the same log, docs in the old encoding.
    fn schema_1_database(path: &std::path::Path) -> (Id, Id, Id) {
        let store = Store::open(path).unwrap();
        let (anna, ewa, meeting) = (Id::new(), Id::new(), Id::new());
        store
            .commit(vec![
                Draft::new(
                    Entity::Participant,
                    anna,
                    vec![Change::set("name", "Anna Kowalska"), Change::write("note", "v1")],
                ),
                Draft::new(
                    Entity::Participant,
                    ewa,
                    vec![Change::set("name", "Ewa Nowak"), Change::add("tags", "kgw")],
                ),
                Draft::new(
                    Entity::Meeting,
                    meeting,
                    vec![Change::set("date", "2026-11-02"), Change::add("attendees", anna.to_string())],
                ),
            ])
            .unwrap();
        store
            .commit(vec![
                Draft::new(Entity::Participant, anna, vec![Change::write("note", "v2")]),
                Draft::new(Entity::Participant, ewa, vec![Change::Delete]),
            ])
            .unwrap();
        drop(store);
        let raw = Database::create(path).unwrap();
        let tx = raw.begin_write().unwrap();
        {
            // Docs and ops in encoding 1: plain texts, as their types derive them.
            reencode(&mut tx.open_table(RECORDS).unwrap(), |v| encode_versioned(&Doc::decode(v).unwrap()));
            reencode(&mut tx.open_table(LOG).unwrap(), |v| encode_versioned(&Op::decode(v).unwrap()));
            tx.open_table(META).unwrap().insert("schema", 1u32.to_le_bytes().as_slice()).unwrap();
        }
        tx.commit().unwrap();
        (anna, ewa, meeting)
    }

    fn schema(path: &std::path::Path) -> Vec<u8> {
        let raw = Database::create(path).unwrap();
        let tx = raw.begin_read().unwrap();
        let meta = tx.open_table(META).unwrap();
        meta.get("schema").unwrap().unwrap().value().to_vec()
    }

    #[test]
    fn a_schema_1_database_is_migrated_at_open_with_nothing_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.redb");
        let (anna, ewa, meeting) = schema_1_database(&path);
        assert_eq!(schema(&path), 1u32.to_le_bytes());
        // An old-encoded doc is damage for this teren until the upgrade has run.
        let raw = Database::create(&path).unwrap();
        {
            let tx = raw.begin_read().unwrap();
            let records = tx.open_table(RECORDS).unwrap();
            let (_, v) = records.first().unwrap().unwrap();
            assert!(Doc::decode(v.value()).unwrap_err().contains("old encoding"));
        }
        drop(raw);

        let store = Store::open(&path).unwrap();
        assert!(store.verify().unwrap().is_empty(), "{:?}", store.verify());
        let a = store.doc(Entity::Participant, anna).unwrap().unwrap();
        assert_eq!(a.str("name"), Some("Anna Kowalska"));
        assert_eq!(a.str("note"), Some("v2"));
        assert!(store.doc(Entity::Participant, ewa).unwrap().unwrap().is_deleted());
        assert_eq!(store.ordered_ids(Entity::Participant, 0, 10, false).unwrap(), vec![anna]);
        assert_eq!(store.attended(anna).unwrap(), vec![(meeting, "2026-11-02".to_string())]);
        assert_eq!(store.log_len().unwrap(), (5, 0));
        let first_bytes: Vec<u8> = {
            let tx = store.db.begin_read().unwrap();
            let log = tx.open_table(LOG).unwrap();
            log.iter().unwrap().map(|e| e.unwrap().1.value()[0]).collect()
        };
        assert_eq!(first_bytes, [OP_ENCODING; 5]);
        // Still writable, and the upgrade is recorded: the next open does nothing more.
        store.commit(vec![Draft::new(Entity::Participant, ewa, vec![Change::Restore])]).unwrap();
        drop(store);
        assert_eq!(schema(&path), SCHEMA_VERSION.to_le_bytes());
        let store = Store::open(&path).unwrap();
        assert_eq!(store.ordered_ids(Entity::Participant, 0, 10, false).unwrap().len(), 2);
        assert!(store.verify().unwrap().is_empty());
    }

    #[test]
    fn a_schema_4_database_gets_its_list_rows_and_loses_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.redb");
        let (anna, _, _) = schema_1_database(&path);
        drop(Store::open(&path).unwrap());
        // What schema 4 had: `order` with keys alone, no rows, no counts.
        {
            let raw = Database::create(&path).unwrap();
            let tx = raw.begin_write().unwrap();
            let keys: Vec<Vec<u8>> = {
                let list = tx.open_table(LIST).unwrap();
                list.iter().unwrap().map(|e| e.unwrap().0.value().to_vec()).collect()
            };
            tx.delete_table(LIST).unwrap();
            tx.delete_table(COUNTS).unwrap();
            let mut order = tx.open_table(ORDER).unwrap();
            for k in &keys {
                order.insert(k.as_slice(), ()).unwrap();
            }
            drop(order);
            tx.open_table(META).unwrap().insert("schema", 4u32.to_le_bytes().as_slice()).unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert!(store.verify().unwrap().is_empty(), "{:?}", store.verify());
        assert_eq!(store.count(Entity::Participant).unwrap(), 1);
        let mut names = Vec::new();
        store.for_each_participant_row(10, |id, r| names.push((id, r.name.to_string()))).unwrap();
        assert_eq!(names, vec![(anna, "Anna Kowalska".to_string())]);
        let tx = store.db.begin_read().unwrap();
        assert!(!tx.list_tables().unwrap().any(|t| t.name() == "order"), "order is dropped");
    }

    #[test]
    fn a_damaged_schema_1_log_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.redb");
        schema_1_database(&path);
        {
            let raw = Database::create(&path).unwrap();
            let tx = raw.begin_write().unwrap();
            {
                let mut log = tx.open_table(LOG).unwrap();
                let k = *log.first().unwrap().unwrap().0.value();
                log.insert(&k, [1u8, 0xff, 0xff].as_slice()).unwrap();
            }
            tx.commit().unwrap();
        }
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::Upgrade { .. }), "{err}");
        assert!(err.to_string().contains("older teren and cannot be upgraded"), "{err}");
        assert_eq!(schema(&path), 1u32.to_le_bytes());
    }
}
