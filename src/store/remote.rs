//! Ops from other offices: prepared off the writing thread, applied in order, waiting
//! in `pending` for their predecessors.

use super::*;

/// An op from elsewhere made ready off the writing thread (a bundle's decoding thread
/// calls [`Prepared::new`]): its bytes as they came, and the record it makes on its
/// own, encoded with its index entries. Most ops of an import create their record, so
/// the writing thread only checks that the record is new and inserts bytes; the rest
/// are merged into their record there as usual.
pub struct Prepared {
    pub(super) id: OpId,
    pub(super) clock: Hlc,
    pub(super) entity: Entity,
    pub(super) record: Id,
    pub(super) erases: bool,
    pub(super) bytes: Vec<u8>,
    pub(super) after: Indexed,
    pub(super) doc: Vec<u8>,
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
pub(super) struct Remote<'t> {
    pub(super) meta: redb::Table<'t, &'static str, &'static [u8]>,
    pub(super) log: redb::Table<'t, &'static [u8; 24], &'static [u8]>,
    pub(super) vv: redb::Table<'t, u128, u64>,
    pub(super) pending: redb::Table<'t, &'static [u8; 24], &'static [u8]>,
    /// Whether `pending` may hold anything: an empty one (the usual case) is not
    /// looked up for every op.
    pub(super) pending_used: bool,
    pub(super) tables: Tables<'t>,
    pub(super) clock: Hlc,
    pub(super) erased: BTreeSet<(Entity, Id)>,
    /// Per replica: the head when the transaction began, and now.
    pub(super) heads: HashMap<ReplicaId, (u64, u64)>,
    /// Op bytes written to the log: [`Store::import_stream`] hands them back to the
    /// decoding thread, which reads the next ops into them.
    pub(super) spent: Vec<Vec<u8>>,
}

impl<'t> Remote<'t> {
    pub(super) fn open(tx: &'t redb::WriteTransaction) -> Result<Remote<'t>> {
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
    pub(super) fn take(&mut self, p: Prepared) -> Result<()> {
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

    pub(super) fn apply(&mut self, p: Prepared) -> Result<()> {
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
    /// how many ops were applied, and the participants they changed (for
    /// [`Store::note_people`] once committed).
    pub(super) fn finish(mut self) -> Result<(usize, Option<Vec<Id>>)> {
        self.tables.flush()?;
        let people = self.tables.people.take();
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
        Ok((applied, people))
    }
}

/// The body of [`Store::apply_remote`]: every op of a slice, per replica in seq order.
pub(super) fn apply_remote_in(tx: &redb::WriteTransaction, incoming: &[Op]) -> Result<(usize, Option<Vec<Id>>)> {
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

impl Store {
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

    /// Apply ops that came from elsewhere (a bundle), in one transaction. Ops already
    /// here are skipped; an op whose predecessor from its replica is missing waits in
    /// `pending` until that predecessor arrives. Returns how many ops were applied.
    pub fn apply_remote(&self, incoming: &[Op]) -> Result<usize> {
        let tx = self.db.begin_write()?;
        let (applied, people) = apply_remote_in(&tx, incoming)?;
        tx.commit()?;
        self.note_people(people);
        Ok(applied)
    }
}
