//! Bundle files: how offices exchange ops (DESIGN.md §4).
//!
//! A bundle is `magic | format version | header | body | trailer` (see [`format`]):
//! a plain header with no personal data, the ops zstd-compressed and age-encrypted,
//! a BLAKE3 hash and an ed25519 signature by the sending office. Import checks the
//! hash, the signature and the keys before it reads the body, then applies the ops as
//! they are decoded and checked, all of them and the news about the sender in one
//! write transaction that is committed only when every op has passed: a bad file
//! never damages a database.

mod error;
pub mod folder;
pub mod format;
mod keys;

pub use error::{BundleError, Result};
pub use format::{Encryption, FORMAT_VERSION, Header, MAGIC, Parsed, assemble, parse};
pub use keys::{Keys, format_sign_key, parse_identities, parse_recipient, parse_sign_key};

use crate::search::fold;
use crate::store::{Prepared, Store, Streamed};
use crate::sync::{ChangeRef, Hlc, OpRef, ReplicaId, ValueRef, VersionVector};
use age::secrecy::SecretString;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

/// No bundle may decompress to more than this.
pub const MAX_PLAIN: u64 = 1 << 30;
/// Nor to more than this many times its compressed size (plus 1 MiB): real ops
/// compress 3–10×, a bomb thousands of times.
pub const MAX_RATIO: u64 = 1000;
/// zstd level of the body: the `zstd -3` default.
pub const ZSTD_LEVEL: i32 = 3;

/// How to encrypt a bundle being written.
pub enum Encrypt {
    /// Plain: only with an explicit `--no-encrypt`.
    None,
    /// age with a passphrase (scrypt).
    Passphrase(SecretString),
    /// age to the X25519 recipients of the destination offices.
    Recipients(Vec<age::x25519::Recipient>),
}

/// A bundle made in memory, ready to be written.
pub struct Bundle {
    pub header: Header,
    pub bytes: Vec<u8>,
}

/// What the destination has not acknowledged: everything with `full`; else what the
/// office `to` acknowledged; else the least any known office acknowledged (nothing
/// known: everything).
pub fn since_for(store: &Store, to: Option<ReplicaId>, full: bool) -> Result<VersionVector> {
    if full {
        return Ok(VersionVector::new());
    }
    let peers = store.peers()?;
    if let Some(to) = to {
        return Ok(peers.into_iter().find(|(r, _)| *r == to).map(|(_, p)| p.acked).unwrap_or_default());
    }
    let mut acks = peers.iter().map(|(_, p)| &p.acked);
    let Some(first) = acks.next() else {
        return Ok(VersionVector::new());
    };
    let mut min = first.clone();
    for a in acks {
        min.retain(|r, seq| {
            *seq = (*seq).min(a.get(r).copied().unwrap_or(0));
            *seq > 0
        });
    }
    Ok(min)
}

/// Make a bundle of the ops `since` does not cover.
pub fn export(store: &Store, keys: &Keys, since: &VersionVector, encrypt: &Encrypt) -> Result<Bundle> {
    let vv = store.version_vector()?;
    let ops = store.op_bytes_since(since)?;
    let plain = format::frame_ops(&ops);
    let compressed = zstd::bulk::compress(&plain, ZSTD_LEVEL)
        .map_err(|e| BundleError::Encrypt(format!("compression failed: {e}")))?;
    let (encryption, body) = match encrypt {
        Encrypt::None => (Encryption::None, compressed),
        Encrypt::Passphrase(p) => {
            (Encryption::Passphrase, age_encrypt(age::Encryptor::with_user_passphrase(p.clone()), &compressed)?)
        }
        Encrypt::Recipients(rs) => {
            let enc = age::Encryptor::with_recipients(rs.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| BundleError::Encrypt(e.to_string()))?;
            (Encryption::Recipients(rs.iter().map(ToString::to_string).collect()), age_encrypt(enc, &compressed)?)
        }
    };
    let since: VersionVector = since.iter().filter(|(_, s)| **s > 0).map(|(r, s)| (*r, *s)).collect();
    let header = Header {
        format: FORMAT_VERSION,
        sender: store.replica(),
        office: store.office()?,
        sign_key: keys.sign_public(),
        recipient: keys.recipient().to_string(),
        created_ms: Hlc::now_millis(),
        vv,
        since,
        ops: ops.len() as u64,
        plain_len: plain.len() as u64,
        encryption,
    };
    let bytes = assemble(&header, &body, &keys.signing);
    Ok(Bundle { header, bytes })
}

fn age_encrypt(enc: age::Encryptor, data: &[u8]) -> Result<Vec<u8>> {
    let err = |e: std::io::Error| BundleError::Encrypt(e.to_string());
    let mut w = enc.wrap_output(Vec::with_capacity(data.len() + 256)).map_err(err)?;
    w.write_all(data).map_err(err)?;
    w.finish().map_err(err)
}

/// `teren-<office>-<yyyymmdd-hhmm>-<6 hex>.teren`: the office label folded to ASCII,
/// the local time, and 6 random hex digits so two bundles never share a name.
pub fn file_name(office: &str, created_ms: u64) -> String {
    let mut label = String::new();
    for c in fold(office).chars() {
        if c.is_ascii_alphanumeric() {
            label.push(c.to_ascii_lowercase());
        } else if !label.ends_with('-') && !label.is_empty() {
            label.push('-');
        }
    }
    let mut label: String = label.trim_end_matches('-').chars().take(40).collect();
    label = label.trim_end_matches('-').to_string();
    if label.is_empty() {
        label = "office".into();
    }
    let when = chrono::DateTime::from_timestamp_millis(created_ms as i64)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y%m%d-%H%M").to_string())
        .unwrap_or_else(|| "00000000-0000".into());
    let rand = uuid::Uuid::new_v4();
    let r = rand.as_bytes();
    format!("teren-{label}-{when}-{:02x}{:02x}{:02x}.teren", r[0], r[1], r[2])
}

/// Write a file safely: `NAME.tmp`, fsync, rename, fsync the directory. A reader
/// never sees a half-written bundle under its final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let werr = |p: &Path| {
        let p = p.to_path_buf();
        move |source| BundleError::Write { path: p, source }
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(werr(path)(e));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Read a bundle file, refusing anything too large to be one.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    let rerr = |source| BundleError::Read { path: path.to_path_buf(), source };
    let f = std::fs::File::open(path).map_err(rerr)?;
    let mut bytes = Vec::new();
    f.take(MAX_PLAIN + 1).read_to_end(&mut bytes).map_err(rerr)?;
    if bytes.len() as u64 > MAX_PLAIN {
        return Err(BundleError::TooLarge(format!("the file is larger than {} MiB", MAX_PLAIN >> 20)));
    }
    Ok(bytes)
}

/// How to import.
#[derive(Default)]
pub struct ImportOptions {
    pub passphrase: Option<SecretString>,
    /// age identities to try besides this office's own.
    pub identities: Vec<age::x25519::Identity>,
    /// Accept a changed or unknown signing key and pin it.
    pub trust: bool,
    /// Shared-folder mode: when the header shows nothing new, or the body is not
    /// encrypted for this office, still learn the sender from the header (its key,
    /// its encryption key, what it has) instead of decrypting or failing.
    pub learn_from_header: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Ops applied; `waiting` more wait for their predecessors.
    Imported { applied: usize, waiting: u64 },
    /// The header showed nothing new (shared-folder mode only).
    UpToDate,
    /// Not encrypted for this office; only the header was used (shared-folder mode).
    Unreadable,
}

/// How the sender's signing key stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyStatus {
    Pinned,
    /// First bundle from this office: its key is now pinned.
    NewlyPinned,
    /// A changed key, accepted because it was trusted explicitly.
    Repinned,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub header: Header,
    pub key: KeyStatus,
    pub outcome: Outcome,
}

/// Import a bundle. On any error the database is unchanged.
pub fn import(store: &Store, keys: &Keys, bytes: &[u8], opts: &ImportOptions) -> Result<Report> {
    let parsed = parse(bytes)?;
    let header = parsed.header.clone();
    if header.sender == store.replica() {
        return Err(BundleError::OwnBundle { office: header.office });
    }
    let key = check_key(store, &header, opts.trust)?;
    let mut peer = store.peer(header.sender)?.unwrap_or_default();
    peer.label = header.office.clone();
    peer.sign_key = header.sign_key;
    peer.recipient = Some(header.recipient.clone()).filter(|r| parse_recipient(r).is_ok());
    for (r, s) in &header.vv {
        let e = peer.acked.entry(*r).or_default();
        *e = (*e).max(*s);
    }
    peer.last_import_ms = Hlc::now_millis();
    peer.last_bundle_ms = peer.last_bundle_ms.max(header.created_ms);
    let ours = store.version_vector()?;
    if opts.learn_from_header && header.vv.iter().all(|(r, s)| ours.get(r).copied().unwrap_or(0) >= *s) {
        store.import_ops(&[], header.sender, &peer)?;
        return Ok(Report { header, key, outcome: Outcome::UpToDate });
    }
    let mine = ours.get(&store.replica()).copied().unwrap_or(0);
    if let Some(theirs) = header.vv.get(&store.replica()).copied().filter(|t| *t > mine) {
        return Err(BundleError::OwnFuture { ours: mine, theirs });
    }
    let body = match open_body(parsed.body, &header, keys, opts) {
        Err(BundleError::NotForUs { .. }) if opts.learn_from_header => {
            store.import_ops(&[], header.sender, &peer)?;
            return Ok(Report { header, key, outcome: Outcome::Unreadable });
        }
        other => other?,
    };
    // The ops are decoded and checked on another thread while this one applies them:
    // on two cores the import takes about as long as applying alone. A bad op found
    // late still leaves the database unchanged (nothing is committed until the end).
    let (tx, rx) = std::sync::mpsc::sync_channel(8);
    let (spare_tx, spare_rx) = std::sync::mpsc::channel();
    let streamed = std::thread::scope(|s| {
        s.spawn(|| decode_ops(body, &header, &ours, tx, spare_rx));
        // Once the decoding thread has stopped, what is handed back is simply dropped.
        let recycle = |buffers| drop(spare_tx.send(buffers));
        store.import_stream(rx, recycle, header.sender, &peer)
    });
    streamed.map_err(|e| match e {
        Streamed::Source(e) => e,
        Streamed::Store(e) => e.into(),
    })?;
    let waiting = store.log_len()?.1;
    let after = store.version_vector()?;
    let applied = after.iter().map(|(r, s)| s - ours.get(r).copied().unwrap_or(0)).sum::<u64>() as usize;
    Ok(Report { header, key, outcome: Outcome::Imported { applied, waiting } })
}

/// The key policy: pinned keys must match; a first key is pinned (trust on first use)
/// unless another database already uses this office's name with another key.
fn check_key(store: &Store, header: &Header, trust: bool) -> Result<KeyStatus> {
    let key = header.sign_key;
    let trusted = trust || store.trusted_keys()?.iter().any(|(k, _)| *k == key);
    match store.peer(header.sender)? {
        Some(p) if p.sign_key == key => Ok(KeyStatus::Pinned),
        Some(_) if trusted => Ok(KeyStatus::Repinned),
        Some(p) => Err(BundleError::ChangedKey {
            office: header.office.clone(),
            replica: header.sender.to_string(),
            pinned: format_sign_key(&p.sign_key),
            key: format_sign_key(&key),
        }),
        None if trusted => Ok(KeyStatus::NewlyPinned),
        None => {
            let label = fold(header.office.trim());
            let peers = store.peers()?;
            if let Some((r, _)) = peers.iter().find(|(_, p)| fold(p.label.trim()) == label && p.sign_key != key) {
                return Err(BundleError::UnknownKey {
                    office: header.office.clone(),
                    known: r.to_string(),
                    replica: header.sender.to_string(),
                    key: format_sign_key(&key),
                });
            }
            Ok(KeyStatus::NewlyPinned)
        }
    }
}

/// The plain body as a stream: decrypted and decompressed as it is read, never past
/// the size caps. Keys and passphrase are checked here, before anything is read.
fn open_body<'a>(
    body: &'a [u8],
    header: &Header,
    keys: &Keys,
    opts: &ImportOptions,
) -> Result<Box<dyn Read + Send + 'a>> {
    let limit = header.plain_len;
    if limit > MAX_PLAIN || limit > (body.len() as u64).saturating_mul(MAX_RATIO) + (1 << 20) {
        return Err(BundleError::TooLarge(format!(
            "the header says the body expands from {} to {} bytes",
            body.len(),
            header.plain_len
        )));
    }
    match header.encryption {
        Encryption::None => decompress(body),
        Encryption::Passphrase | Encryption::Recipients(_) => {
            let dec = age::Decryptor::new_buffered(body)
                .map_err(|e| BundleError::Damaged(format!("unreadable encrypted body ({e})")))?;
            let reader = if dec.is_scrypt() {
                let Some(p) = &opts.passphrase else {
                    return Err(BundleError::NeedPassphrase);
                };
                let id = age::scrypt::Identity::new(p.clone());
                dec.decrypt(std::iter::once(&id as &dyn age::Identity)).map_err(|e| match e {
                    age::DecryptError::ExcessiveWork { required, target } => BundleError::ExcessiveWork(format!(
                        "the passphrase needs more work than this computer allows (2^{required}, here 2^{target}); ask for a bundle encrypted to this office's key"
                    )),
                    age::DecryptError::Io(e) => BundleError::Damaged(e.to_string()),
                    _ => BundleError::WrongPassphrase,
                })?
            } else {
                let ids = std::iter::once(&keys.identity as &dyn age::Identity)
                    .chain(opts.identities.iter().map(|i| i as &dyn age::Identity));
                dec.decrypt(ids).map_err(|e| match e {
                    age::DecryptError::NoMatchingKeys => BundleError::NotForUs {
                        recipients: match &header.encryption {
                            Encryption::Recipients(r) => r.len(),
                            _ => 0,
                        },
                        ours: keys.recipient().to_string(),
                    },
                    other => BundleError::Damaged(format!("the encrypted body does not decrypt ({other})")),
                })?
            };
            decompress(reader)
        }
    }
}

fn decompress<'a>(input: impl Read + Send + 'a) -> Result<Box<dyn Read + Send + 'a>> {
    let dec = zstd::stream::read::Decoder::new(input)
        .map_err(|e| BundleError::Damaged(format!("cannot start decompression ({e})")))?;
    Ok(Box::new(dec))
}

/// Decoded and checked ops, made ready for the applying thread.
type Batch = Vec<Prepared>;

/// Ops per batch handed from the decoding thread to the applying one.
const BATCH: usize = 512;

/// Read, decode and check every op of the body against the header, and hand on in
/// batches those that `ours` does not have yet; the first error is handed on instead,
/// and ends it. Ops are read into the buffers that come back through `spare` (see
/// [`Store::import_stream`]) when there are any.
fn decode_ops(
    body: impl Read,
    header: &Header,
    ours: &VersionVector,
    out: SyncSender<Result<Batch>>,
    spare: Receiver<Vec<Vec<u8>>>,
) {
    let mut input = Counted { inner: body, read: 0 };
    let result = (|| {
        let mut frames = format::Frames::new(&mut input, header.plain_len)?;
        if frames.remaining() != header.ops {
            return Err(BundleError::Damaged(format!(
                "{} ops inside, the header says {}",
                frames.remaining(),
                header.ops
            )));
        }
        let mut seen = std::collections::HashSet::new();
        let horizon = Hlc::now_millis() + 366 * 24 * 3600 * 1000;
        let mut batch = Vec::with_capacity(BATCH);
        let mut buffers: Vec<Vec<u8>> = Vec::new();
        loop {
            if buffers.is_empty() {
                buffers.extend(spare.try_iter().flatten());
            }
            let mut bytes = buffers.pop().unwrap_or_default();
            match frames.next_into(&mut bytes) {
                Some(read) => read?,
                None => break,
            }
            let op = OpRef::decode(&bytes).map_err(|e| {
                if e.contains("newer") { BundleError::NewerOps(e) } else { BundleError::Damaged(format!("an op: {e}")) }
            })?;
            let invalid =
                |msg: String| BundleError::InvalidOp { op: format!("{}:{}", op.id.replica.short(), op.id.seq), msg };
            validate_op(&op).map_err(invalid)?;
            let r = op.id.replica;
            let lo = header.since.get(&r).copied().unwrap_or(0);
            let hi = header.vv.get(&r).copied().unwrap_or(0);
            if op.id.seq <= lo || op.id.seq > hi {
                return Err(invalid(format!("outside the range the header declares ({}..={hi})", lo + 1)));
            }
            if op.clock.millis() > horizon {
                return Err(invalid(
                    "its clock is more than a year ahead; check the date of the sending computer".into(),
                ));
            }
            if !seen.insert(op.id) {
                return Err(invalid("it appears twice".into()));
            }
            if op.id.seq <= ours.get(&r).copied().unwrap_or(0) {
                // Already here (the version vector only grows, so this never skips an
                // op the database lacks): checked, but nothing to hand on.
                buffers.push(bytes);
                continue;
            }
            // Building the op's record here takes that work off the applying thread.
            let prepared = Prepared::of(&op);
            batch.push(prepared.with_bytes(bytes));
            if batch.len() == BATCH && out.send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))).is_err() {
                // The applying side stopped (its own error): nothing more to do.
                return Ok(());
            }
        }
        if !batch.is_empty() {
            let _ = out.send(Ok(batch));
        }
        Ok(())
    })();
    if let Err(e) = result {
        // A body that does not make sense may be a bomb: say so if it expands past
        // what the header declares (reading on no further than that).
        let limit = header.plain_len;
        let e = match e {
            BundleError::Damaged(_) => {
                let rest = (limit + 1).saturating_sub(input.read);
                let _ = std::io::copy(&mut (&mut input).take(rest), &mut std::io::sink());
                if input.read > limit {
                    BundleError::TooLarge(format!("the body expands past the {limit} bytes its header declares"))
                } else {
                    e
                }
            }
            e => e,
        };
        let _ = out.send(Err(e));
    }
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

const MAX_TEXT: usize = 1 << 20;
const MAX_SEEN: usize = 100_000;

/// The shape rules every op must keep, whoever made it.
pub fn validate_op(op: &OpRef<'_>) -> std::result::Result<(), String> {
    if op.id.seq == 0 {
        return Err("seq 0 (seqs count from 1)".into());
    }
    if op.changes.is_empty() || op.changes.len() > 10_000 {
        return Err(format!("{} changes", op.changes.len()));
    }
    let field_ok = |f: &str| {
        !f.is_empty()
            && f.len() <= 64
            && f.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.:-".contains(&b))
    };
    let value_ok = |v: &ValueRef| match v {
        ValueRef::Str(s) => s.len() <= MAX_TEXT,
        ValueRef::Num(n) => n.is_finite(),
        _ => true,
    };
    for c in &op.changes {
        let (field, ok) = match c {
            ChangeRef::Set { field, value } => (*field, value_ok(value)),
            ChangeRef::Write { field, value, seen } => (*field, value_ok(value) && seen.len() <= MAX_SEEN),
            ChangeRef::Add { field, elem } => (*field, elem.len() <= MAX_TEXT),
            ChangeRef::Remove { field, elem, seen } => (*field, elem.len() <= MAX_TEXT && seen.len() <= MAX_SEEN),
            ChangeRef::Delete | ChangeRef::Restore | ChangeRef::Erase => ("x", true),
        };
        if !field_ok(field) {
            return Err(format!("bad field name {field:?}"));
        }
        if !ok {
            return Err(format!("bad value for field {field}"));
        }
    }
    Ok(())
}
