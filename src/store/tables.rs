//! The materialised tables a write transaction changes when it applies an op: the
//! records and their indexes (`list`, `attend`, `conflicts`), kept per transaction
//! and written back once, in key order.

use super::*;

pub(super) fn record_key(entity: Entity, id: Id) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = entity as u8;
    k[1..].copy_from_slice(id.as_bytes());
    k
}

pub(super) fn id_from_key(k: &[u8]) -> Id {
    let mut b = [0u8; 16];
    b.copy_from_slice(&k[k.len() - 16..]);
    Id::from_bytes(b)
}

pub(super) fn attend_key(participant: Id, meeting: Id) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[..16].copy_from_slice(participant.as_bytes());
    k[16..].copy_from_slice(meeting.as_bytes());
    k
}

/// What the indexes read of a record: a stored [`Doc`], or the [`Fresh`] record an
/// op makes on its own; its fields, and how many of them keep conflicting values.
pub(super) trait Indexable: crate::sync::Fields {
    fn conflict_count(&self) -> usize;
}

impl Indexable for Doc {
    fn conflict_count(&self) -> usize {
        Doc::conflict_count(self)
    }
}

impl Indexable for Fresh<'_> {
    fn conflict_count(&self) -> usize {
        // One op keeps one value per text.
        0
    }
}

/// The sort key of a record in `list`, or None when it is not listed (deleted).
pub(super) fn order_key(entity: Entity, id: Id, doc: &impl Indexable) -> Option<Vec<u8>> {
    if doc.is_deleted() {
        return None;
    }
    let sort = match entity {
        // Straight from the fields: this runs for every op applied, and building the
        // whole participant here was a large part of the cost of an import.
        Entity::Participant => {
            let (_, kind) = model::Participant::category_kind(doc);
            rows::participant_sort_key(&model::Participant::name_in(doc), kind)
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

pub(super) fn attend_entries(entity: Entity, id: Id, doc: &impl Indexable) -> Vec<([u8; 32], String)> {
    if entity != Entity::Meeting || doc.is_deleted() {
        return Vec::new();
    }
    let date = doc.str("date").unwrap_or_default();
    doc.elems("attendees").into_iter().filter_map(Id::parse).map(|p| (attend_key(p, id), date.to_string())).collect()
}

/// What the indexes hold for one record: its `list` key and row, and its `attend`
/// entries.
#[derive(PartialEq)]
pub(super) struct Indexed {
    pub(super) list: Option<(Vec<u8>, Vec<u8>)>,
    pub(super) attend: Vec<([u8; 32], String)>,
    /// Fields with more than one value kept.
    pub(super) conflicts: u32,
}

impl Indexed {
    pub(super) fn of(entity: Entity, id: Id, doc: Option<&impl Indexable>) -> Indexed {
        match doc {
            Some(d) => Indexed {
                list: order_key(entity, id, d).map(|k| (k, rows::row_of(entity, d))),
                attend: attend_entries(entity, id, d),
                conflicts: d.conflict_count() as u32,
            },
            None => Indexed::none(),
        }
    }

    /// A record that is not there.
    pub(super) fn none() -> Indexed {
        Indexed { list: None, attend: Vec::new(), conflicts: 0 }
    }
}

impl Indexed {
    /// Bytes its entries hold on the heap.
    pub(super) fn heap(&self) -> usize {
        self.list.as_ref().map_or(0, |(k, r)| k.capacity() + r.capacity())
            + self.attend.capacity() * std::mem::size_of::<([u8; 32], String)>()
            + self.attend.iter().map(|(_, d)| d.capacity()).sum::<usize>()
    }
}

/// A record changed in this transaction and not written back yet. Kept encoded, not
/// as a `Doc`: tens of thousands of decoded docs freed at once cost more in the
/// allocator than encoding each one as soon as its op is applied.
pub(super) struct Touched {
    /// What the indexes hold for it (as stored before the transaction touched it).
    pub(super) before: Indexed,
    /// What they must hold now.
    pub(super) after: Indexed,
    pub(super) bytes: Vec<u8>,
}

impl Touched {
    /// Memory it holds in [`Tables::touched`], its map entry included (the map keeps
    /// up to twice its entries' room).
    pub(super) fn held(&self) -> usize {
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
pub(super) struct Tables<'t> {
    pub(super) records: redb::Table<'t, &'static [u8; 17], &'static [u8]>,
    pub(super) list: redb::Table<'t, &'static [u8], &'static [u8]>,
    pub(super) counts: redb::Table<'t, u8, u64>,
    pub(super) attend: redb::Table<'t, &'static [u8; 32], &'static str>,
    pub(super) conflicts: redb::Table<'t, &'static [u8; 17], u32>,
    pub(super) touched: HashMap<[u8; 17], Touched>,
    /// Memory held by `touched` ([`Touched::held`]).
    pub(super) touched_bytes: usize,
    /// Participants whose list row or attendance the flushes changed; None past
    /// [`JOURNAL`] of them (a list is then read again, not patched).
    pub(super) people: Option<Vec<Id>>,
}

impl Tables<'_> {
    pub(super) fn open(tx: &redb::WriteTransaction) -> Result<Tables<'_>> {
        Ok(Tables {
            records: tx.open_table(RECORDS)?,
            list: tx.open_table(LIST)?,
            counts: tx.open_table(COUNTS)?,
            attend: tx.open_table(ATTEND)?,
            conflicts: tx.open_table(CONFLICTS)?,
            touched: HashMap::new(),
            touched_bytes: 0,
            people: Some(Vec::new()),
        })
    }

    /// A record as it stands in this transaction.
    pub(super) fn load(&self, entity: Entity, id: Id) -> Result<Option<Doc>> {
        let key = record_key(entity, id);
        if let Some(t) = self.touched.get(&key) {
            return Ok(Some(Doc::decode(&t.bytes).map_err(corrupt)?));
        }
        self.stored(&key)
    }

    pub(super) fn stored(&self, key: &[u8; 17]) -> Result<Option<Doc>> {
        match self.records.get(key)? {
            Some(v) => Ok(Some(Doc::decode(v.value()).map_err(corrupt)?)),
            None => Ok(None),
        }
    }

    /// Apply an op to its record (the indexes follow at [`Tables::flush`]). Returns
    /// whether the record is erased (so the op must be stored redacted).
    pub(super) fn apply(&mut self, op: Op) -> Result<bool> {
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
    pub(super) fn apply_to(&mut self, op: Op, old: Option<Doc>) -> Result<bool> {
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
    pub(super) fn put(&mut self, key: [u8; 17], mut t: Touched) -> Result<()> {
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
    pub(super) fn flush(&mut self) -> Result<()> {
        self.touched_bytes = 0;
        let mut index = IndexChanges::default();
        let mut records = Vec::with_capacity(self.touched.len());
        for (key, t) in self.touched.drain() {
            index.add(key, t.before, t.after);
            records.push((key, t.bytes));
        }
        let people = std::mem::take(&mut index.people);
        if let Some(p) = &mut self.people {
            p.extend(people);
            if p.len() > JOURNAL {
                self.people = None;
            }
        }
        let Tables { records: table, list, counts, attend, conflicts, .. } = self;
        if records.len() < PARALLEL_FLUSH {
            write_records(table, records)?;
            return index.write(list, counts, attend, conflicts);
        }
        // Each thread sorts, writes and frees its own part.
        std::thread::scope(|s| {
            let writer = s.spawn(|| write_records(table, records));
            let indexes = index.write(list, counts, attend, conflicts);
            let records = writer.join().unwrap_or_else(|_| Err(corrupt("the thread writing records stopped".into())));
            records.and(indexes)
        })
    }
}

/// Past this many participants changed in one transaction, the store's journal
/// gives up on naming them: reading the list again is cheaper than patching it.
pub(super) const JOURNAL: usize = 4096;

/// Below this many records a flush stays on one thread: spawning one costs more than
/// a capture's three records take to write.
pub(super) const PARALLEL_FLUSH: usize = 1024;

/// Write records in key order (redb fills its pages best that way).
pub(super) fn write_records(
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
pub(super) struct IndexChanges {
    pub(super) list_out: Vec<Vec<u8>>,
    pub(super) list_in: Vec<(Vec<u8>, Vec<u8>)>,
    pub(super) attend_out: Vec<[u8; 32]>,
    pub(super) attend_in: Vec<([u8; 32], String)>,
    pub(super) conflicts: Vec<([u8; 17], u32)>,
    /// Participants whose list row or attendance changed.
    pub(super) people: Vec<Id>,
}

impl IndexChanges {
    pub(super) fn add(&mut self, key: [u8; 17], before: Indexed, after: Indexed) {
        if after.list != before.list {
            if key[0] == Entity::Participant as u8 {
                self.people.push(id_from_key(&key));
            }
            self.list_out.extend(before.list.map(|(k, _)| k));
            self.list_in.extend(after.list);
        }
        if after.conflicts != before.conflicts {
            self.conflicts.push((key, after.conflicts));
        }
        if after.attend != before.attend {
            let people = |a: &[([u8; 32], String)]| a.iter().map(|(k, _)| id_from_key(&k[..16])).collect::<Vec<_>>();
            self.people.extend(people(&before.attend));
            self.people.extend(people(&after.attend));
            self.attend_out.extend(before.attend.into_iter().map(|(k, _)| k));
            self.attend_in.extend(after.attend);
        }
    }

    /// Write the changes, each table's in key order.
    pub(super) fn write(
        mut self,
        list: &mut redb::Table<&'static [u8], &'static [u8]>,
        counts: &mut redb::Table<u8, u64>,
        attend: &mut redb::Table<&'static [u8; 32], &'static str>,
        conflicts: &mut redb::Table<&'static [u8; 17], u32>,
    ) -> Result<()> {
        self.conflicts.sort_unstable_by_key(|a| a.0);
        self.list_out.sort_unstable();
        self.list_in.sort_unstable();
        self.attend_out.sort_unstable();
        self.attend_in.sort_unstable();
        for (key, n) in &self.conflicts {
            if *n > 0 {
                conflicts.insert(key, *n)?;
            } else {
                conflicts.remove(key)?;
            }
        }
        // Removals first: a record's old and new entries may share a key. Each
        // entity's count follows what the table did.
        let mut delta = [0i64; 256];
        for k in &self.list_out {
            if list.remove(k.as_slice())?.is_some() {
                delta[usize::from(k[0])] -= 1;
            }
        }
        for (k, row) in &self.list_in {
            if list.insert(k.as_slice(), row.as_slice())?.is_none() {
                delta[usize::from(k[0])] += 1;
            }
        }
        for (entity, d) in delta.iter().enumerate().filter(|(_, d)| **d != 0) {
            let entity = entity as u8;
            let n = counts.get(entity)?.map_or(0, |v| v.value());
            counts.insert(entity, n.saturating_add_signed(*d))?;
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
