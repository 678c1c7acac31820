//! Shared-folder mode (DESIGN.md §4): `teren sync DIR`, and the open app's live sync
//! folder, which calls [`Live::poll`] every few seconds on a thread of its own.
//!
//! Paired offices' bundles are imported; a bundle from a key not paired here is held
//! (copied beside the database, still encrypted: [`hold`]) and listed with its
//! fingerprint until the user pairs or refuses that office. This office's bundle is
//! written with what the paired offices cannot be proven to have, encrypted to their
//! keys and this office's own (or the folder's passphrase), and replaces this office's
//! older bundles. Half-written files (`*.tmp`, hidden files such as Syncthing's
//! `.syncthing.*.tmp`) are never read.

use super::{BundleError, Encrypt, Encryption, Header, ImportOptions, Keys, Report, Result};
use crate::store::Store;
use crate::sync::VersionVector;
use age::secrecy::SecretString;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What happened to one bundle file of the folder.
#[derive(Debug)]
pub enum FileOutcome {
    /// This office's own bundle: left alone.
    Own,
    Imported(Report),
    /// Refused; the database is unchanged.
    Failed(BundleError),
}

/// One file and what happened to it.
#[derive(Debug)]
pub struct FileLine {
    /// The file name only (never a path with personal data: names carry none).
    pub name: String,
    pub outcome: FileOutcome,
}

/// What became of this office's own bundle.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnOutcome {
    /// An own bundle in the folder already holds everything, for the same readers.
    UpToDate {
        name: String,
        ops: u64,
    },
    Wrote {
        name: String,
        ops: u64,
        encryption: Encryption,
    },
}

/// The bundle files of a folder, by name: `*.teren`, not hidden, not `*.tmp`.
pub fn bundle_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let rerr = |source| BundleError::Read { path: dir.to_path_buf(), source };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(rerr)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".teren") && !n.starts_with('.') && p.is_file())
        })
        .collect();
    files.sort();
    Ok(files)
}

fn file_name_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
}

/// The folder's import options: learn other offices from headers even when a body is
/// not (yet) for this office.
fn options(passphrase: Option<&SecretString>) -> ImportOptions {
    ImportOptions { passphrase: passphrase.cloned(), learn_from_header: true, ..Default::default() }
}

/// Import one file of the folder; `own` collects this office's bundles.
fn import_one(
    store: &Store,
    keys: &Keys,
    path: &Path,
    opts: &ImportOptions,
    own: &mut Vec<(PathBuf, Header)>,
) -> FileLine {
    let name = file_name_of(path);
    let bytes = match super::read_file(path) {
        Ok(b) => b,
        Err(e) => return FileLine { name, outcome: FileOutcome::Failed(e) },
    };
    // This office's own bundle: its database id and its key (a file claiming this
    // office under another key goes to the importer, which refuses it).
    if let Ok(p) = super::parse(&bytes)
        && p.header.sender == store.replica()
        && p.header.sign_key == keys.sign_public()
    {
        // This office never wrote past its own version vector: a bundle that did comes
        // from a copy of this database (same id, same keys). It is not this office's
        // to replace, and it is refused.
        let mine = store.version_vector().ok().and_then(|v| v.get(&store.replica()).copied()).unwrap_or(0);
        if let Some(theirs) = p.header.vv.get(&store.replica()).copied().filter(|t| *t > mine) {
            // Where the two parted is not known from a header: at or before `mine + 1`.
            let e = BundleError::CopiedDatabase {
                op: format!("{}:{theirs}", store.replica().short()),
                office: p.header.office.clone(),
                fork: None,
            };
            return FileLine { name, outcome: FileOutcome::Failed(e) };
        }
        own.push((path.to_path_buf(), p.header));
        return FileLine { name, outcome: FileOutcome::Own };
    }
    let outcome = match super::import(store, keys, &bytes, opts) {
        Ok(r) => FileOutcome::Imported(r),
        Err(e) => FileOutcome::Failed(e),
    };
    FileLine { name, outcome }
}

/// The readers of this office's folder bundle: the age recipients of the paired
/// offices and this office's own (so that the bundle announces this office's keys to
/// offices about to pair, and readable by this office only when none is paired),
/// sorted. Never a key merely found in the folder.
pub fn peer_recipients(store: &Store, keys: &Keys) -> Result<Vec<String>> {
    let mut rs = super::paired_recipients(store)?;
    rs.push(keys.recipient().to_string());
    rs.sort();
    rs.dedup();
    Ok(rs)
}

/// Write this office's bundle into `dir` unless one of `own` is already up to date;
/// older own bundles are removed (the new one holds what they held that another
/// office may still lack).
pub fn write_own(
    store: &Store,
    keys: &Keys,
    dir: &Path,
    passphrase: Option<&SecretString>,
    own: &[(PathBuf, Header)],
) -> Result<OwnOutcome> {
    let since = super::since_for(store, None, false)?;
    let vv = store.version_vector()?;
    let (encrypt, kind) = match passphrase {
        Some(p) => (Encrypt::Passphrase(p.clone()), Encryption::Passphrase),
        None => {
            let rs = peer_recipients(store, keys)?;
            let parsed = rs.iter().map(|r| super::parse_recipient(r)).collect::<Result<Vec<_>>>()?;
            (Encrypt::Recipients(parsed), Encryption::Recipients(rs))
        }
    };
    let covers = |old: &VersionVector| old.iter().all(|(r, s)| since.get(r).copied().unwrap_or(0) >= *s);
    let same_kind = |e: &Encryption| match (e, &kind) {
        (Encryption::Recipients(a), Encryption::Recipients(b)) => {
            let mut a = a.clone();
            a.sort();
            a == *b
        }
        (a, b) => a == b,
    };
    if let Some((path, h)) = own.iter().find(|(_, h)| h.vv == vv && covers(&h.since) && same_kind(&h.encryption)) {
        for (p, _) in own.iter().filter(|(p, _)| p != path) {
            let _ = std::fs::remove_file(p);
        }
        return Ok(OwnOutcome::UpToDate { name: file_name_of(path), ops: h.ops });
    }
    let b = super::export(store, keys, &since, &encrypt)?;
    let path = dir.join(super::file_name(&b.header.office, b.header.created_ms));
    super::write_atomic(&path, &b.bytes)?;
    for (p, _) in own {
        let _ = std::fs::remove_file(p);
    }
    Ok(OwnOutcome::Wrote { name: file_name_of(&path), ops: b.header.ops, encryption: b.header.encryption })
}

/// What one pass over the folder did.
#[derive(Debug)]
pub struct Synced {
    pub files: Vec<FileLine>,
    pub own: Option<OwnOutcome>,
}

impl Synced {
    /// Bundles that were refused.
    pub fn failed(&self) -> usize {
        self.files.iter().filter(|f| matches!(f.outcome, FileOutcome::Failed(_))).count()
    }

    /// Ops applied from other offices.
    pub fn applied(&self) -> usize {
        self.files
            .iter()
            .map(|f| match &f.outcome {
                FileOutcome::Imported(Report { outcome: super::Outcome::Imported { applied, .. }, .. }) => *applied,
                _ => 0,
            })
            .sum()
    }
}

/// `teren sync DIR`: import every other office's bundle, then write this office's.
pub fn sync(store: &Store, keys: &Keys, dir: &Path, passphrase: Option<&SecretString>) -> Result<Synced> {
    let opts = options(passphrase);
    let mut own = Vec::new();
    let files: Vec<FileLine> = bundle_files(dir)?.iter().map(|p| import_one(store, keys, p, &opts, &mut own)).collect();
    let own = write_own(store, keys, dir, passphrase, &own)?;
    Ok(Synced { files, own: Some(own) })
}

/// How long the data must stay unchanged before the live folder writes this
/// office's bundle: a burst of edits makes one bundle, not one per keystroke.
pub const WRITE_DELAY: Duration = Duration::from_secs(10);
/// How often the app looks into the folder.
pub const POLL_EVERY: Duration = Duration::from_secs(3);

/// The open app's live sync folder. Each [`poll`](Live::poll) imports the bundles
/// that appeared or changed since the last one (each file once, until it changes:
/// a refused file is reported once, not every few seconds) and writes this office's
/// bundle once the data has been still for [`WRITE_DELAY`].
pub struct Live {
    pub dir: PathBuf,
    passphrase: Option<SecretString>,
    /// Files already handled, with their size and modification time.
    seen: HashMap<PathBuf, (u64, Option<SystemTime>)>,
    /// Files held (their office not paired): read again once it is paired.
    held: HashMap<PathBuf, Header>,
    own: Vec<(PathBuf, Header)>,
    /// What the last own bundle covered (version vector and readers).
    written: Option<(VersionVector, Vec<String>)>,
    /// What the data looked like at the last poll, and since when.
    pending: Option<((VersionVector, Vec<String>), Instant)>,
    pub delay: Duration,
}

impl Live {
    pub fn new(dir: PathBuf, passphrase: Option<SecretString>) -> Live {
        Live {
            dir,
            passphrase,
            seen: HashMap::new(),
            held: HashMap::new(),
            own: Vec::new(),
            written: None,
            pending: None,
            delay: WRITE_DELAY,
        }
    }

    /// One look at the folder at time `now`. Errors are about the folder itself (it
    /// vanished, a bundle cannot be written); a refused bundle is a `Failed` line.
    pub fn poll(&mut self, store: &Store, keys: &Keys, now: Instant) -> Result<Synced> {
        if !self.dir.is_dir() {
            return Err(BundleError::Read {
                path: self.dir.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "the sync folder is not there"),
            });
        }
        let files = bundle_files(&self.dir)?;
        self.seen.retain(|p, _| files.contains(p));
        self.own.retain(|(p, _)| files.contains(p));
        self.held.retain(|p, _| files.contains(p));
        // A held file whose office was paired meanwhile (on the sync screen) is read
        // again: this pass imports it.
        let paired: Vec<PathBuf> = self
            .held
            .iter()
            .filter(|(_, h)| !matches!(super::standing(store, h), Ok(super::Standing::Not(_))))
            .map(|(p, _)| p.clone())
            .collect();
        for p in paired {
            self.held.remove(&p);
            self.seen.remove(&p);
        }
        let opts = options(self.passphrase.as_ref());
        let mut lines = Vec::new();
        for path in files {
            let stamp = std::fs::metadata(&path).map(|m| (m.len(), m.modified().ok())).ok();
            let Some(stamp) = stamp else { continue };
            if self.seen.get(&path) == Some(&stamp) {
                continue;
            }
            let mut own = Vec::new();
            let line = import_one(store, keys, &path, &opts, &mut own);
            if let FileOutcome::Imported(Report { outcome: super::Outcome::NotPaired(_), header, .. }) = &line.outcome {
                self.held.insert(path.clone(), header.clone());
            }
            self.seen.insert(path, stamp);
            self.own.extend(own);
            if !matches!(line.outcome, FileOutcome::Own) {
                lines.push(line);
            }
        }
        // Write when the data (or who can read it) changed and then stayed still.
        let state = (store.version_vector()?, self.readers(store, keys)?);
        let mut own = None;
        if self.written.as_ref() != Some(&state) {
            match &self.pending {
                Some((s, since)) if *s == state && now.saturating_duration_since(*since) >= self.delay => {
                    let out = write_own(store, keys, &self.dir, self.passphrase.as_ref(), &self.own)?;
                    // The old own bundles are gone; the new one is seen at the next
                    // poll as this office's own.
                    self.own.clear();
                    self.written = Some(state);
                    self.pending = None;
                    own = Some(out);
                }
                Some((s, _)) if *s == state => {}
                _ => self.pending = Some((state, now)),
            }
        }
        Ok(Synced { files: lines, own })
    }

    fn readers(&self, store: &Store, keys: &Keys) -> Result<Vec<String>> {
        if self.passphrase.is_some() {
            return Ok(Vec::new());
        }
        peer_recipients(store, keys)
    }
}

/// Export into `out`: a file, or a folder to put a bundle named by [`super::file_name`]
/// in (office and time only, never personal data). Returns where it went.
pub fn export_to(
    store: &Store,
    keys: &Keys,
    out: &Path,
    since: &VersionVector,
    encrypt: &Encrypt,
) -> Result<(PathBuf, super::Bundle)> {
    let b = super::export(store, keys, since, encrypt)?;
    let path = if out.is_dir() {
        out.join(super::file_name(&b.header.office, b.header.created_ms))
    } else {
        out.to_path_buf()
    };
    super::write_atomic(&path, &b.bytes)?;
    Ok((path, b))
}

/// How many bundles are held from one key at most: the newest are kept.
pub const HELD_PER_KEY: usize = 4;
/// How many bundles are held in all at most.
pub const HELD_MAX: usize = 64;

/// Where bundles from keys not paired here are held: a folder beside the database
/// (`teren.redb.held`), private to the user, its files named by their BLAKE3 hash.
pub fn held_dir(store: &Store) -> PathBuf {
    let mut p = store.path().as_os_str().to_owned();
    p.push(".held");
    PathBuf::from(p)
}

/// Hold a bundle (already checked: it parses and its signature holds) from a key not
/// paired here: copied as it is, still encrypted, named by its hash (no personal
/// data), until its office is paired ([`apply_held`]) or refused ([`drop_held`]). Only
/// the newest [`HELD_PER_KEY`] bundles of a key are kept.
pub fn hold(store: &Store, bytes: &[u8]) -> Result<()> {
    let dir = held_dir(store);
    let werr = |p: &Path| {
        let p = p.to_path_buf();
        move |source| BundleError::Write { path: p, source }
    };
    std::fs::create_dir_all(&dir).map_err(werr(&dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(werr(&dir))?;
    }
    let hash = blake3::hash(bytes).to_hex();
    let path = dir.join(format!("{}.teren", &hash[..32]));
    if path.exists() {
        // Held already (the same file seen again at the next sync).
        return Ok(());
    }
    super::write_atomic(&path, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    let key = super::parse(bytes)?.header.sign_key;
    let all = held(store)?;
    let mut same: Vec<&(PathBuf, Header)> = all.iter().filter(|(_, h)| h.sign_key == key).collect();
    same.sort_by_key(|(_, h)| std::cmp::Reverse(h.created_ms));
    for (p, _) in same.into_iter().skip(HELD_PER_KEY) {
        let _ = std::fs::remove_file(p);
    }
    // A folder flooded with strangers' keys: the oldest go first (`held` is oldest
    // first), so the folder never grows past HELD_MAX files.
    let left: Vec<&PathBuf> = all.iter().map(|(p, _)| p).filter(|p| p.exists()).collect();
    for p in left.iter().take(left.len().saturating_sub(HELD_MAX)) {
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}

/// Every held bundle that still parses, with its header, oldest first. A held file
/// that does not parse any more (damaged on disk) is deleted.
pub fn held(store: &Store) -> Result<Vec<(PathBuf, Header)>> {
    let dir = held_dir(store);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for path in bundle_files(&dir)? {
        let Ok(bytes) = super::read_file(&path) else { continue };
        match super::parse(&bytes) {
            Ok(p) => out.push((path, p.header)),
            Err(_) => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    out.sort_by(|a, b| a.1.created_ms.cmp(&b.1.created_ms).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// An office whose bundles are held here: not paired.
#[derive(Debug, Clone)]
pub struct Pending {
    pub fingerprint: String,
    /// The newest held bundle's header: its office label, database id and keys.
    pub header: Header,
    pub bundles: usize,
    pub why: super::Unpaired,
}

/// The offices waiting to be paired or refused, one per key, newest bundle first.
/// Held bundles of keys paired meanwhile are not listed.
pub fn pending(store: &Store) -> Result<Vec<Pending>> {
    let mut out: Vec<Pending> = Vec::new();
    for (_, h) in held(store)?.into_iter().rev() {
        let fp = super::fingerprint(&h.sign_key);
        if let Some(p) = out.iter_mut().find(|p| p.fingerprint == fp) {
            p.bundles += 1;
            continue;
        }
        let why = match super::standing(store, &h) {
            Ok(super::Standing::Not(why)) if why != super::Unpaired::Refused => why,
            _ => continue,
        };
        out.push(Pending { fingerprint: fp, header: h, bundles: 1, why });
    }
    Ok(out)
}

/// Import every bundle held from the key with this fingerprint (its office has just
/// been paired), oldest first, and delete them. One result per held file.
pub fn apply_held(store: &Store, keys: &Keys, fingerprint: &str, opts: &ImportOptions) -> Result<super::Imports> {
    let opts = ImportOptions {
        passphrase: opts.passphrase.clone(),
        identities: opts.identities.clone(),
        learn_from_header: true,
    };
    let mut out = Vec::new();
    for (path, h) in held(store)? {
        if super::fingerprint(&h.sign_key) != fingerprint {
            continue;
        }
        let result = super::read_file(&path).and_then(|bytes| super::import(store, keys, &bytes, &opts));
        let _ = std::fs::remove_file(&path);
        out.push((file_name_of(&path), result));
    }
    Ok(out)
}

/// Delete every bundle held from the key with this fingerprint; how many.
pub fn drop_held(store: &Store, fingerprint: &str) -> Result<usize> {
    let mut n = 0;
    for (path, h) in held(store)? {
        if super::fingerprint(&h.sign_key) == fingerprint && std::fs::remove_file(&path).is_ok() {
            n += 1;
        }
    }
    Ok(n)
}
