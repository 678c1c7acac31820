//! Importing a bundle: read and check it, decrypt and decompress its body as a stream,
//! decode and check every op, and apply them all in one write transaction.

use super::*;

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
    /// Signed by a key not paired with the office it claims: nothing applied.
    NotPaired(NotPaired),
}

/// Why a bundle's key is not paired here, and whether the bundle was held.
#[derive(Debug, Clone, PartialEq)]
pub struct NotPaired {
    /// The sending key's fingerprint, to compare with the one that office shows.
    pub fingerprint: String,
    pub why: Unpaired,
    /// Kept beside the database (still encrypted) until the office is paired or
    /// refused; a refused office's bundles are not kept.
    pub held: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Unpaired {
    /// An office never paired here.
    New,
    /// The office (database) it claims is paired with another key, whose
    /// fingerprint this is.
    OtherKey(String),
    /// An office forgotten here (`teren office forget`).
    Forgotten,
    /// Refused here (`teren office refuse`): ignored.
    Refused,
}

/// How the sender's signing key stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyStatus {
    /// Paired with the office the bundle claims.
    Paired,
    /// Its fingerprint was expected (`teren office pair --fingerprint`): paired now.
    NewlyPaired,
    /// Not paired: see [`Outcome::NotPaired`].
    NotPaired,
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
    // `parse` verified the signature strictly (ed25519 `verify_strict`, no weak key).
    strong_key(&header.sign_key)?;
    let fp = fingerprint(&header.sign_key);
    let key = match standing(store, &header)? {
        Standing::Paired => KeyStatus::Paired,
        Standing::Expected => KeyStatus::NewlyPaired,
        Standing::Not(why) => {
            let held = why != Unpaired::Refused;
            if held {
                folder::hold(store, bytes)?;
            }
            let outcome = Outcome::NotPaired(NotPaired { fingerprint: fp, why, held });
            return Ok(Report { header, key: KeyStatus::NotPaired, outcome });
        }
    };
    let report = import_paired(store, keys, parsed, opts, key)?;
    if key == KeyStatus::NewlyPaired {
        store.clear_pairing(&fp, Some(&report.header.sign_key))?;
    }
    Ok(report)
}

/// [`import`] once the sender's key is known to be paired with its office (or
/// expected): the peer record is written with the ops, in one transaction.
fn import_paired(
    store: &Store,
    keys: &Keys,
    parsed: Parsed<'_>,
    opts: &ImportOptions,
    key: KeyStatus,
) -> Result<Report> {
    let header = parsed.header.clone();
    let mut peer = store.peer(header.sender)?.unwrap_or_default();
    peer.paired = true;
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
        s.spawn(|| decode_ops(store, body, &header, &ours, tx, spare_rx));
        // Once the decoding thread has stopped, what is handed back is simply dropped.
        let recycle = |buffers| drop(spare_tx.send(buffers));
        store.import_stream(rx, recycle, header.sender, &peer)
    });
    streamed.map_err(|e| match e {
        Streamed::Source(e) => {
            if let BundleError::CopiedDatabase { fork: Some(seq), .. } = &e {
                // Kept for `teren office new-identity` on this side, if it is the copy.
                // The refusal is what the user must see; a failure to keep this only
                // leaves new-identity moving nothing.
                let _ = store.note_fork(*seq);
            }
            e
        }
        Streamed::Store(e) => e.into(),
    })?;
    let waiting = store.log_len()?.1;
    let after = store.version_vector()?;
    let applied = after.iter().map(|(r, s)| s - ours.get(r).copied().unwrap_or(0)).sum::<u64>() as usize;
    Ok(Report { header, key, outcome: Outcome::Imported { applied, waiting } })
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
    store: &Store,
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
                // op the database lacks): checked, but nothing to hand on. Unless the
                // op here under that id was made otherwise: two databases write as one
                // office (a copied file), and taking it as "already here" would drop
                // one of them in silence.
                if store.differs_from_log(&bytes)? {
                    return Err(BundleError::CopiedDatabase {
                        op: format!("{}:{}", r.short(), op.id.seq),
                        office: header.office.clone(),
                        fork: (r == store.replica()).then_some(op.id.seq),
                    });
                }
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
            ChangeRef::Set { field, value } => (&**field, value_ok(value)),
            ChangeRef::Write { field, value, seen } => (&**field, value_ok(value) && seen.len() <= MAX_SEEN),
            ChangeRef::Add { field, elem } => (&**field, elem.len() <= MAX_TEXT),
            ChangeRef::Remove { field, elem, seen } => (&**field, elem.len() <= MAX_TEXT && seen.len() <= MAX_SEEN),
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
