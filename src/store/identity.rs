//! Who this database is: its replica id and office name, the file it was made in, and
//! where a copy of it parted from the original (`teren office new-identity`).

use super::*;

/// Move the ops of replica `old` from seq `from` on to replica `new` (seqs from 1, in
/// order), in the log and the version vector. Their clocks and changes stay; ids in
/// `seen` lists that were moved follow them. The caller rebuilds the records.
pub(super) fn move_ops(tx: &redb::WriteTransaction, old: ReplicaId, from: u64, new: ReplicaId) -> Result<usize> {
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

impl Store {
    /// Keep the file's identity (device and inode) in `meta`. A file found under another
    /// identity than the one it kept is a copy (or a backup put back): what it writes
    /// from now on may part from what the original writes under the same id, so the
    /// next seq is noted as a possible fork ([`Store::note_fork`]; the first one noted
    /// stays). Only `teren office new-identity` reads it.
    pub(super) fn check_file(&self) -> Result<()> {
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
                    keep_first_fork(&mut meta, next)?;
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
            keep_first_fork(&mut tx.open_table(META)?, seq)?;
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
        if moved > 0 {
            self.note_people(None);
        }
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
}

/// Note a fork at `seq` unless an earlier one is noted: the first place the two
/// databases parted is where the copy's own changes begin.
fn keep_first_fork(meta: &mut redb::Table<&'static str, &'static [u8]>, seq: u64) -> Result<()> {
    if read_meta_u64(meta, FORK)?.is_none_or(|k| seq < k) {
        meta.insert(FORK, seq.to_le_bytes().as_slice())?;
    }
    Ok(())
}
