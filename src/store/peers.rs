//! Other offices paired with this one, and fingerprints expected or refused ahead of
//! their bundles.
//!
//! Local data: what this database knows of its peers is never sent in a bundle and
//! never printed by `dump`. Keys are plain bytes here; the `bundle` module gives them
//! meaning (fingerprints, the pairing policy).

use super::{META, PEERS, Prepared, Remote, Result, Store, StoreError, TRUSTED, apply_remote_in, corrupt};
use crate::sync::{Op, ReplicaId, VersionVector, decode_versioned, encode_versioned};
use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

/// The `meta` key of the fingerprints (as `bundle::fingerprint` writes them) decided
/// on before any peer record exists: expected, with a label (paired by typing the
/// fingerprint; the first bundle signed by that key is paired), or refused (its
/// bundles are ignored). A short list, kept in `meta` so that backups and compacting
/// rewrites carry it with the rest.
const PAIRINGS: &str = "pairings";

type Pairings = Vec<(String, Option<String>)>;

fn read_pairings(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<Pairings> {
    match meta.get(PAIRINGS)? {
        Some(v) => decode_versioned(v.value()).map_err(corrupt),
        None => Ok(Vec::new()),
    }
}

/// Change the list in `tx`: `f` gets it and edits it.
fn edit_pairings(tx: &WriteTransaction, f: impl FnOnce(&mut Pairings)) -> Result<()> {
    let mut meta = tx.open_table(META)?;
    let mut list = read_pairings(&meta)?;
    f(&mut list);
    meta.insert(PAIRINGS, encode_versioned(&list).as_slice())?;
    Ok(())
}
use serde::{Deserialize, Serialize};

/// Why [`Store::import_stream`] stopped, with nothing written: its source failed, or
/// the store did.
#[derive(Debug)]
pub enum Streamed<E> {
    Source(E),
    Store(StoreError),
}

/// Another office (replica) paired with this one, as learnt at pairing and from the
/// headers of its bundles.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Peer {
    /// Its office label, as in its last bundle.
    pub label: String,
    /// The ed25519 public key bound to this office (replica) at pairing.
    pub sign_key: [u8; 32],
    /// Its age X25519 recipient (`age1…`), to encrypt bundles to it.
    pub recipient: Option<String>,
    /// Its version vector in the last bundle received from it: what it has.
    pub acked: VersionVector,
    /// When its last bundle was imported here (ms since the epoch), and that bundle's
    /// creation time.
    pub last_import_ms: u64,
    pub last_bundle_ms: u64,
    /// Paired: its bundles are applied and this office's bundles are encrypted to it.
    /// False once forgotten (`teren office forget`): its acknowledgements no longer
    /// hold bundles back, its bundles are held until it is paired again, and its past
    /// ops stay.
    pub paired: bool,
}

/// A peer as written before pairing existed: its key was pinned at first use, and
/// it counts as paired (it was accepted then; `teren office forget` retires it).
#[derive(Deserialize)]
struct PinnedPeer {
    label: String,
    sign_key: [u8; 32],
    recipient: Option<String>,
    acked: VersionVector,
    last_import_ms: u64,
    last_bundle_ms: u64,
}

fn decode_peer(bytes: &[u8]) -> Result<Peer> {
    match decode_versioned::<Peer>(bytes) {
        Ok(p) => Ok(p),
        Err(e) => match decode_versioned::<PinnedPeer>(bytes) {
            Ok(p) => Ok(Peer {
                label: p.label,
                sign_key: p.sign_key,
                recipient: p.recipient,
                acked: p.acked,
                last_import_ms: p.last_import_ms,
                last_bundle_ms: p.last_bundle_ms,
                paired: true,
            }),
            Err(_) => Err(corrupt(e)),
        },
    }
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
            out.push((ReplicaId(k.value()), decode_peer(v.value())?));
        }
        Ok(out)
    }

    pub fn peer(&self, replica: ReplicaId) -> Result<Option<Peer>> {
        let tx = self.db.begin_read()?;
        let peers = tx.open_table(PEERS)?;
        match peers.get(replica.0)? {
            Some(v) => Ok(Some(decode_peer(v.value())?)),
            None => Ok(None),
        }
    }

    pub fn set_peer(&self, replica: ReplicaId, peer: &Peer) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(PEERS)?.insert(replica.0, encode_versioned(peer).as_slice())?;
        tx.commit()?;
        Ok(())
    }

    /// Signing keys trusted before any bundle of theirs arrived, with a label (written
    /// by `teren office trust` before pairing existed; read as expected fingerprints).
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

    /// Fingerprints decided on ahead of a bundle: (fingerprint, Some(label)) when
    /// expected, (fingerprint, None) when refused.
    pub fn pairings(&self) -> Result<Vec<(String, Option<String>)>> {
        let tx = self.db.begin_read()?;
        read_pairings(&tx.open_table(META)?)
    }

    /// Expect the office with this fingerprint (`Some(label)`), refuse it (`None`).
    pub fn set_pairing(&self, fingerprint: &str, expected: Option<&str>) -> Result<()> {
        let tx = self.db.begin_write()?;
        edit_pairings(&tx, |list| {
            list.retain(|(f, _)| f != fingerprint);
            list.push((fingerprint.to_string(), expected.map(str::to_string)));
        })?;
        tx.commit()?;
        Ok(())
    }

    /// Forget what was decided about a fingerprint (and any key of the old `trusted`
    /// table with it, given as `key`).
    pub fn clear_pairing(&self, fingerprint: &str, key: Option<&[u8; 32]>) -> Result<()> {
        let tx = self.db.begin_write()?;
        edit_pairings(&tx, |list| list.retain(|(f, _)| f != fingerprint))?;
        if let Some(k) = key {
            tx.open_table(TRUSTED)?.remove(k)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Record a peer and forget what was decided about its fingerprint before, in one
    /// transaction: how an office is paired (and forgotten).
    pub fn pair_peer(&self, replica: ReplicaId, peer: &Peer, fingerprint: &str) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(PEERS)?.insert(replica.0, encode_versioned(peer).as_slice())?;
        edit_pairings(&tx, |list| list.retain(|(f, _)| f != fingerprint))?;
        tx.open_table(TRUSTED)?.remove(&peer.sign_key)?;
        tx.commit()?;
        Ok(())
    }

    /// Apply a bundle's ops and record its sender, in one write transaction: either
    /// both happen or neither does. Returns how many ops were applied.
    pub fn import_ops(&self, ops: &[Op], sender: ReplicaId, peer: &Peer) -> Result<usize> {
        let tx = self.db.begin_write()?;
        let (applied, people) = apply_remote_in(&tx, ops)?;
        tx.open_table(PEERS)?.insert(sender.0, encode_versioned(peer).as_slice())?;
        tx.commit()?;
        self.note_people(people);
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
        let (applied, people) = {
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
        self.note_people(people);
        Ok(applied)
    }

    /// The ops of the log that `known` does not cover, streamed from one read
    /// transaction: `start` gets the version vector and how many ops follow, then
    /// `each` gets each op's stored bytes in (replica, seq) order. A bundle is written
    /// this way without holding every op in memory.
    pub fn stream_ops_since<E: From<StoreError>>(
        &self,
        known: &VersionVector,
        start: impl FnOnce(&VersionVector, u64) -> std::result::Result<(), E>,
        mut each: impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let tx = self.db.begin_read().map_err(StoreError::from)?;
        let mut vv = VersionVector::new();
        for e in tx.open_table(super::VV).map_err(StoreError::from)?.iter().map_err(StoreError::from)? {
            let (k, v) = e.map_err(StoreError::from)?;
            vv.insert(ReplicaId(k.value()), v.value());
        }
        // The log holds every op up to each replica's head, and no more.
        let count = vv.iter().map(|(r, head)| head.saturating_sub(known.get(r).copied().unwrap_or(0))).sum();
        start(&vv, count)?;
        let log = tx.open_table(super::LOG).map_err(StoreError::from)?;
        let mut seen = 0u64;
        for (replica, head) in &vv {
            let from_seq = known.get(replica).copied().unwrap_or(0) + 1;
            if from_seq > *head {
                continue;
            }
            let from = crate::sync::OpId { replica: *replica, seq: from_seq }.key();
            let to = crate::sync::OpId { replica: *replica, seq: *head }.key();
            for e in log.range::<&[u8; 24]>(&from..=&to).map_err(StoreError::from)? {
                let (_, v) = e.map_err(StoreError::from)?;
                each(v.value())?;
                seen += 1;
            }
        }
        if seen != count {
            return Err(StoreError::Corrupt(format!("the log holds {seen} of the {count} ops its version says")).into());
        }
        Ok(())
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
