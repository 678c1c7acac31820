//! Local changes: drafts made into ops, applied and logged in one transaction; erasure
//! redacts the log.

use super::*;

/// Whether an op erases its record (RODO): its log entries must then be redacted.
pub(super) fn erases(op: &Op) -> bool {
    op.changes.iter().any(|c| matches!(c, Change::Erase))
}

/// An op must not change the kind of its record.
pub(super) fn check_kind(op: &Op, doc: &Doc) -> Result<()> {
    if doc.entity != op.entity {
        return Err(corrupt(format!("op {}:{} changes the kind of record {}", op.id.replica, op.id.seq, op.record)));
    }
    Ok(())
}

/// The log entry of an op encoded as `bytes`: as it is, or with its personal values
/// replaced by nulls when its record is erased.
pub(super) fn log_bytes(bytes: Vec<u8>, erased: bool) -> Result<Vec<u8>> {
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
pub(super) fn redact_records(
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
pub(super) fn fill_seen(change: Change, current: Option<&Doc>) -> Change {
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

impl Store {
    /// Turn drafts into ops of this replica and apply them, all in one transaction.
    /// Returns the ops written.
    pub fn commit(&self, drafts: Vec<Draft>) -> Result<Vec<Op>> {
        let mut ops = Vec::with_capacity(drafts.len());
        self.write_drafts(drafts, &[], Some(&mut ops), None)?;
        Ok(ops)
    }

    /// [`Store::commit`] with an encoded audit entry in the same transaction.
    pub(super) fn write_drafts_audited(&self, drafts: Vec<Draft>, audit: &[u8]) -> Result<()> {
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

    pub(super) fn write_drafts(
        &self,
        drafts: Vec<Draft>,
        local: &[(&str, Option<&[u8]>)],
        mut keep: Option<&mut Vec<Op>>,
        audit: Option<&[u8]>,
    ) -> Result<usize> {
        let mut written = 0;
        let people;
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
            people = tables.people.take();
            vv.insert(me.0, seq)?;
            meta.insert("clock", clock.0.to_le_bytes().as_slice())?;
            redact_records(&mut log, &erased)?;
            if !erased.is_empty() {
                redact_records(&mut tx.open_table(PENDING)?, &erased)?;
            }
        }
        tx.commit()?;
        self.note_people(people);
        Ok(written)
    }
}
