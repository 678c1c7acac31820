//! Bundle files: how offices exchange ops (DESIGN.md §4).
//!
//! A bundle is `magic | format version | header | body | trailer` (see [`format`]):
//! a plain header with no personal data, the ops zstd-compressed and age-encrypted,
//! a BLAKE3 hash and an ed25519 signature by the sending office. Import checks the
//! hash, the signature and the keys before it reads the body, then applies the ops as
//! they are decoded and checked, all of them and the news about the sender in one
//! write transaction that is committed only when every op has passed: a bad file
//! never damages a database.
//!
//! Trust is paired, never found (DESIGN.md §4): a bundle is applied only when its
//! signing key is paired with the office (replica) it claims to come from. A bundle
//! from a key not paired here is held, not applied ([`folder::hold`]): listed with its
//! fingerprint until the user pairs that office ([`pair_header`], [`pair_fingerprint`])
//! or refuses it ([`refuse`]). A paired key claiming another office is refused.

mod error;
pub mod folder;
pub mod format;
mod keys;

pub use error::{BundleError, Result};
pub use format::{Encryption, FORMAT_VERSION, Header, MAGIC, Parsed, assemble, parse};
pub use keys::{
    Keys, fingerprint, format_sign_key, parse_fingerprint, parse_identities, parse_recipient, parse_sign_key,
    strong_key,
};

use crate::search::fold;
use crate::store::{Peer, Prepared, Store, Streamed};
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

/// What the destination cannot be proven to have: everything with `full`; else what
/// the office `to` acknowledged (an office never heard from: everything); else the
/// least any paired office acknowledged (none paired: everything). Acknowledgements
/// are the version vectors in the signed headers of an office's own bundles, so an
/// export holds every office's ops the destination lacks, relayed ones and erasures
/// included. Forgotten offices do not count.
pub fn since_for(store: &Store, to: Option<ReplicaId>, full: bool) -> Result<VersionVector> {
    if full {
        return Ok(VersionVector::new());
    }
    let peers: Vec<(ReplicaId, Peer)> = store.peers()?.into_iter().filter(|(_, p)| p.paired).collect();
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

/// The age recipients of every paired office, sorted: the only keys this office
/// encrypts to besides its own (never keys merely found in a folder).
pub fn paired_recipients(store: &Store) -> Result<Vec<String>> {
    let mut rs: Vec<String> = store
        .peers()?
        .into_iter()
        .filter(|(_, p)| p.paired)
        .filter_map(|(_, p)| p.recipient)
        .filter(|r| parse_recipient(r).is_ok())
        .collect();
    rs.sort();
    rs.dedup();
    Ok(rs)
}

/// This office's introduction: a bundle with its keys, office id and label and no
/// ops, to be imported by `teren office pair FILE` at another office. Not encrypted:
/// it holds no data.
pub fn introduction(store: &Store, keys: &Keys) -> Result<Bundle> {
    let vv = store.version_vector()?;
    export(store, keys, &vv, &Encrypt::None)
}

/// Make a bundle of the ops `since` does not cover.
pub fn export(store: &Store, keys: &Keys, since: &VersionVector, encrypt: &Encrypt) -> Result<Bundle> {
    // The ops are framed straight into the compressor, one at a time: a first bundle
    // of 146 000 ops held them all, then the framed body, then the compressed one
    // (214 MB of memory); now only the compressed body is kept.
    let zerr = |e: std::io::Error| BundleError::Encrypt(format!("compression failed: {e}"));
    // Both steps write to the compressor: it is shared between them.
    let z = std::cell::RefCell::new(zstd::stream::write::Encoder::new(Vec::new(), ZSTD_LEVEL).map_err(zerr)?);
    let (mut vv, mut ops, mut plain_len) = (VersionVector::new(), 0u64, 8u64);
    store.stream_ops_since(
        since,
        |v, count| {
            vv = v.clone();
            ops = count;
            z.borrow_mut().write_all(&count.to_le_bytes()).map_err(zerr)
        },
        |op| {
            plain_len += 4 + op.len() as u64;
            let mut z = z.borrow_mut();
            z.write_all(&(op.len() as u32).to_le_bytes()).map_err(zerr)?;
            z.write_all(op).map_err(zerr)
        },
    )?;
    let compressed = z.into_inner().finish().map_err(zerr)?;
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
        ops,
        plain_len,
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

/// How a bundle's key stands here.
pub(crate) enum Standing {
    Paired,
    /// Not paired yet, but its fingerprint was expected: paired by this import.
    Expected,
    Not(Unpaired),
}

/// The pairing policy: a key paired with the office it claims is applied; a paired
/// key claiming another office is refused (an error); anything else is not paired.
pub(crate) fn standing(store: &Store, header: &Header) -> Result<Standing> {
    let key = header.sign_key;
    let peers = store.peers()?;
    if let Some((r, p)) = peers.iter().find(|(r, p)| p.paired && p.sign_key == key && *r != header.sender) {
        return Err(BundleError::WrongOffice {
            office: header.office.clone(),
            replica: header.sender.to_string(),
            paired: p.label.clone(),
            paired_replica: r.to_string(),
        });
    }
    let known = peers.iter().find(|(r, _)| *r == header.sender).map(|(_, p)| p);
    match known {
        Some(p) if p.paired && p.sign_key == key => return Ok(Standing::Paired),
        Some(p) if p.paired => return Ok(Standing::Not(Unpaired::OtherKey(fingerprint(&p.sign_key)))),
        _ => {}
    }
    Ok(match decided(store, &key)? {
        Some(Some(_)) => Standing::Expected,
        Some(None) => Standing::Not(Unpaired::Refused),
        None if known.is_some() => Standing::Not(Unpaired::Forgotten),
        None => Standing::Not(Unpaired::New),
    })
}

/// What was decided about a key before any bundle: `Some(Some(label))` expected,
/// `Some(None)` refused, `None` nothing. Keys trusted by `teren office trust` before
/// pairing existed count as expected.
fn decided(store: &Store, key: &[u8; 32]) -> Result<Option<Option<String>>> {
    let fp = fingerprint(key);
    if let Some((_, state)) = store.pairings()?.into_iter().find(|(f, _)| *f == fp) {
        return Ok(Some(state));
    }
    Ok(store.trusted_keys()?.into_iter().find(|(k, _)| k == key).map(|(_, label)| Some(label)))
}

/// Pair the office that signed `header` (an introduction, a bundle held here or one
/// being imported): bind its key, office id (replica) and label, so that its bundles
/// are applied and this office's bundles are encrypted to it. The caller has made sure
/// the key is the office's: its fingerprint was compared with the one the office
/// shows. A key already paired with another office, or an office paired with another
/// key, is refused.
pub fn pair_header(store: &Store, header: &Header) -> Result<()> {
    if header.sender == store.replica() {
        return Err(BundleError::OwnBundle { office: header.office.clone() });
    }
    strong_key(&header.sign_key)?;
    let fp = fingerprint(&header.sign_key);
    let peers = store.peers()?;
    if let Some((r, p)) = peers.iter().find(|(r, p)| p.paired && p.sign_key == header.sign_key && *r != header.sender) {
        return Err(BundleError::KeyTaken { fingerprint: fp, office: p.label.clone(), replica: r.to_string() });
    }
    let mut peer = match peers.into_iter().find(|(r, _)| *r == header.sender) {
        Some((_, p)) if p.paired && p.sign_key != header.sign_key => {
            return Err(BundleError::OtherKey {
                office: p.label.clone(),
                replica: header.sender.to_string(),
                paired: fingerprint(&p.sign_key),
            });
        }
        Some((_, p)) => p,
        None => Peer::default(),
    };
    peer.label = header.office.clone();
    peer.sign_key = header.sign_key;
    if parse_recipient(&header.recipient).is_ok() {
        peer.recipient = Some(header.recipient.clone());
    }
    peer.paired = true;
    store.pair_peer(header.sender, &peer, &fp)?;
    Ok(())
}

/// Pair the office that signed `bytes` (its introduction, or any bundle of it) once
/// the user confirmed `confirmed`, the fingerprint that office reads out; then import
/// the file and every bundle held from that key. Returns the file's header and one
/// result per bundle imported (the file first).
pub fn pair_file(
    store: &Store,
    keys: &Keys,
    bytes: &[u8],
    confirmed: &str,
    opts: &ImportOptions,
) -> Result<(Header, Imports)> {
    let header = parse(bytes)?.header;
    let actual = fingerprint(&header.sign_key);
    let given = parse_fingerprint(confirmed)?;
    if given != actual {
        return Err(BundleError::FingerprintMismatch { given, actual });
    }
    pair_header(store, &header)?;
    let mut done = vec![(String::new(), import(store, keys, bytes, opts))];
    done.extend(folder::apply_held(store, keys, &actual, opts)?);
    Ok((header, done))
}

/// What became of each bundle imported at pairing: the file's name and its result.
pub type Imports = Vec<(String, Result<Report>)>;

/// What pairing by a typed fingerprint did.
#[derive(Debug)]
pub enum PairedBy {
    /// An office waiting here (its bundles held) is paired now, and its held bundles
    /// were imported: one result each, by held file name.
    Now { header: Box<Header>, imported: Imports },
    /// That office was paired already.
    Already { office: String },
    /// A forgotten office with that key, paired again: its key, database id and name
    /// are known from before.
    Again { office: String },
    /// No bundle from that key yet: the first one will be paired and applied.
    Expected,
}

/// Pair the office whose key has this fingerprint (typed as the office reads it out,
/// or its full key): an office waiting here is paired at once and its held bundles
/// applied; otherwise the fingerprint is expected. `label` names an expected office
/// until its first bundle tells its own.
pub fn pair_fingerprint(
    store: &Store,
    keys: &Keys,
    typed: &str,
    label: &str,
    opts: &ImportOptions,
) -> Result<PairedBy> {
    let fp = parse_fingerprint(typed)?;
    if let Some((_, p)) = store.peers()?.into_iter().find(|(_, p)| p.paired && fingerprint(&p.sign_key) == fp) {
        return Ok(PairedBy::Already { office: p.label });
    }
    if let Some(waiting) = folder::pending(store)?.into_iter().find(|p| p.fingerprint == fp) {
        pair_header(store, &waiting.header)?;
        let imported = folder::apply_held(store, keys, &fp, opts)?;
        return Ok(PairedBy::Now { header: Box::new(waiting.header), imported });
    }
    if let Some((r, mut p)) = store.peers()?.into_iter().find(|(_, p)| fingerprint(&p.sign_key) == fp) {
        p.paired = true;
        store.pair_peer(r, &p, &fp)?;
        return Ok(PairedBy::Again { office: p.label });
    }
    store.set_pairing(&fp, Some(label.trim()))?;
    Ok(PairedBy::Expected)
}

/// Refuse the office with this fingerprint: its held bundles are deleted and its
/// bundles ignored from now on (until it is paired after all). Returns how many held
/// bundles were deleted. A paired office is forgotten instead ([`forget`]).
pub fn refuse(store: &Store, typed: &str) -> Result<usize> {
    let fp = parse_fingerprint(typed)?;
    if let Some((r, p)) = store.peers()?.into_iter().find(|(_, p)| p.paired && fingerprint(&p.sign_key) == fp) {
        return Err(BundleError::Key(format!(
            "office \"{}\" ({}) is paired; to stop applying its bundles run `teren office forget {}`",
            p.label,
            r.short(),
            r
        )));
    }
    store.set_pairing(&fp, None)?;
    folder::drop_held(store, &fp)
}

/// Forget a paired office: its acknowledgements no longer hold this office's bundles
/// back, bundles are no longer encrypted to it, and its bundles are held until it is
/// paired again. Its past ops stay.
pub fn forget(store: &Store, replica: ReplicaId) -> Result<()> {
    if let Some(mut p) = store.peer(replica)? {
        p.paired = false;
        // Whatever was decided about its key before (expected: it would be paired
        // again with its next bundle) goes too.
        store.pair_peer(replica, &p, &fingerprint(&p.sign_key))?;
    }
    Ok(())
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
