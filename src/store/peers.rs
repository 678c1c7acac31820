//! Other offices met through bundles, and keys trusted ahead of their first bundle.
//!
//! Local data: what this database knows of its peers is never sent in a bundle and
//! never printed by `dump`. Keys are plain bytes here; the `bundle` module gives them
//! meaning.

use super::{META, PEERS, Prepared, Remote, Result, Store, StoreError, TRUSTED, apply_remote_in, corrupt};
use crate::sync::{Op, ReplicaId, VersionVector, decode_versioned, encode_versioned};
use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

/// Why [`Store::import_stream`] stopped, with nothing written: its source failed, or
/// the store did.
#[derive(Debug)]
pub enum Streamed<E> {
    Source(E),
    Store(StoreError),
}

/// Another office (replica), as learnt from the headers of its bundles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Peer {
    /// Its office label, as in its last bundle.
    pub label: String,
    /// The ed25519 public key pinned at the first import (or trusted explicitly).
    pub sign_key: [u8; 32],
    /// Its age X25519 recipient (`age1…`), to encrypt bundles to it.
    pub recipient: Option<String>,
    /// Its version vector in the last bundle received from it: what it has.
    pub acked: VersionVector,
    /// When its last bundle was imported here (ms since the epoch), and that bundle's
    /// creation time.
    pub last_import_ms: u64,
    pub last_bundle_ms: u64,
}

impl Store {
    /// A value of the `meta` table.
    pub fn meta_bytes(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let tx = self.db.begin_read()?;
        let meta = tx.open_table(META)?;
        Ok(meta.get(key)?.map(|v| v.value().to_vec()))
    }

    /// A value of the `meta` table, made by `make` and stored if it is not there yet
    /// (this replica's keys are made this way at first use).
    pub fn meta_bytes_or_insert(&self, key: &str, make: impl FnOnce() -> Vec<u8>) -> Result<Vec<u8>> {
        if let Some(v) = self.meta_bytes(key)? {
            return Ok(v);
        }
        let tx = self.db.begin_write()?;
        let value = {
            let mut meta = tx.open_table(META)?;
            let existing = meta.get(key)?.map(|v| v.value().to_vec());
            match existing {
                Some(v) => v,
                None => {
                    let v = make();
                    meta.insert(key, v.as_slice())?;
                    v
                }
            }
        };
        tx.commit()?;
        Ok(value)
    }

    /// Every peer this database has imported from (or trusted), by replica.
    pub fn peers(&self) -> Result<Vec<(ReplicaId, Peer)>> {
        let tx = self.db.begin_read()?;
        let peers = tx.open_table(PEERS)?;
        let mut out = Vec::new();
        for e in peers.iter()? {
            let (k, v) = e?;
            out.push((ReplicaId(k.value()), decode_versioned(v.value()).map_err(corrupt)?));
        }
        Ok(out)
    }

    pub fn peer(&self, replica: ReplicaId) -> Result<Option<Peer>> {
        let tx = self.db.begin_read()?;
        let peers = tx.open_table(PEERS)?;
        match peers.get(replica.0)? {
            Some(v) => Ok(Some(decode_versioned(v.value()).map_err(corrupt)?)),
            None => Ok(None),
        }
    }

    pub fn set_peer(&self, replica: ReplicaId, peer: &Peer) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(PEERS)?.insert(replica.0, encode_versioned(peer).as_slice())?;
        tx.commit()?;
        Ok(())
    }

    /// Signing keys trusted before any bundle of theirs arrived, with a label.
    pub fn trusted_keys(&self) -> Result<Vec<([u8; 32], String)>> {
        let tx = self.db.begin_read()?;
        let trusted = tx.open_table(TRUSTED)?;
        let mut out = Vec::new();
        for e in trusted.iter()? {
            let (k, v) = e?;
            out.push((*k.value(), v.value().to_string()));
        }
        Ok(out)
    }

    pub fn trust_key(&self, key: &[u8; 32], label: &str) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(TRUSTED)?.insert(key, label)?;
        tx.commit()?;
        Ok(())
    }

    /// Apply a bundle's ops and record its sender, in one write transaction: either
    /// both happen or neither does. Returns how many ops were applied.
    pub fn import_ops(&self, ops: &[Op], sender: ReplicaId, peer: &Peer) -> Result<usize> {
        let tx = self.db.begin_write()?;
        let applied = apply_remote_in(&tx, ops)?;
        tx.open_table(PEERS)?.insert(sender.0, encode_versioned(peer).as_slice())?;
        tx.commit()?;
        Ok(applied)
    }

    /// [`Store::import_ops`] for ops that arrive in batches while they are decoded (on
    /// another thread), made ready there ([`Prepared`]); the log keeps their bytes as
    /// they came. Nothing is committed unless every batch arrived: the first `Err` of the
    /// source, or of the store, leaves the database as it was.
    ///
    /// After each batch, the buffers of its ops go to `recycle`, for the decoding
    /// thread to read the next ops into: freed here, memory taken there is freed under
    /// the lock of that thread's heap, and the two threads waited on each other for it.
    pub fn import_stream<E>(
        &self,
        batches: impl IntoIterator<Item = std::result::Result<Vec<Prepared>, E>>,
        mut recycle: impl FnMut(Vec<Vec<u8>>),
        sender: ReplicaId,
        peer: &Peer,
    ) -> std::result::Result<usize, Streamed<E>> {
        let tx = self.db.begin_write().map_err(|e| Streamed::Store(e.into()))?;
        let applied = {
            let mut remote = Remote::open(&tx).map_err(Streamed::Store)?;
            for batch in batches {
                for p in batch.map_err(Streamed::Source)? {
                    remote.take(p).map_err(Streamed::Store)?;
                }
                recycle(std::mem::take(&mut remote.spent));
            }
            remote.finish().map_err(Streamed::Store)?
        };
        let write = move || -> Result<()> {
            tx.open_table(PEERS)?.insert(sender.0, encode_versioned(peer).as_slice())?;
            tx.commit()?;
            Ok(())
        };
        write().map_err(Streamed::Store)?;
        Ok(applied)
    }

    /// The stored bytes (each one `Op::encode`d) of the ops of the log that `known`
    /// does not cover, in (replica, seq) order: what a bundle carries, without decoding
    /// and encoding every op again.
    pub fn op_bytes_since(&self, known: &VersionVector) -> Result<Vec<Vec<u8>>> {
        let tx = self.db.begin_read()?;
        let log = tx.open_table(super::LOG)?;
        let mut out = Vec::new();
        for (replica, head) in self.version_vector()? {
            let from_seq = known.get(&replica).copied().unwrap_or(0) + 1;
            if from_seq > head {
                continue;
            }
            let from = crate::sync::OpId { replica, seq: from_seq }.key();
            let to = crate::sync::OpId { replica, seq: u64::MAX }.key();
            for e in log.range::<&[u8; 24]>(&from..=&to)? {
                let (_, v) = e?;
                out.push(v.value().to_vec());
            }
        }
        Ok(out)
    }
}
