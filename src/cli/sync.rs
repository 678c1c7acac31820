//! Sync between offices: `bundle export|import`, `office`, `sync DIR`, `conflicts`
//! and `erase`.

use super::output::{Table, json};
use crate::bundle::folder::{self, FileOutcome, OwnOutcome};
use crate::bundle::{
    self, Encrypt, Encryption, ImportOptions, KeyStatus, Keys, NotPaired, Outcome, PairedBy, Report, Unpaired,
};
use crate::conflicts;
use crate::edit;
use crate::model::Entity;
use crate::search::fold;
use crate::store::Store;
use crate::sync::{ReplicaId, Value, VersionVector};
use age::secrecy::SecretString;
use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum BundleCmd {
    /// Write this office's changes into a bundle file for other offices.
    Export(ExportArgs),
    /// Import a bundle made by another office.
    Import(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The bundle file, or a folder to put `teren-<office>-<time>-<hex>.teren` in.
    #[arg(long, value_name = "FILE|DIR")]
    pub out: PathBuf,
    /// Everything, not only what the destination cannot be proven to have.
    #[arg(long)]
    pub full: bool,
    /// The destination, a paired office (name or database id): what it cannot be
    /// proven to have, encrypted to its key unless a passphrase is given. Without
    /// --to and a passphrase: to every paired office.
    #[arg(long, value_name = "OFFICE")]
    pub to: Option<String>,
    /// Encrypt with the passphrase on the first line of this file instead: for a
    /// first exchange (USB stick, e-mail) or a --full backup. Holds everything unless
    /// --to names an office.
    #[arg(long, value_name = "F")]
    pub passphrase_file: Option<PathBuf>,
    /// Tests only: write the bundle unencrypted.
    #[arg(long, hide = true, conflicts_with = "passphrase_file")]
    pub no_encrypt: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The bundle file.
    pub file: PathBuf,
    /// The passphrase, on the first line of this file.
    #[arg(long, value_name = "F", conflicts_with = "identity")]
    pub passphrase_file: Option<PathBuf>,
    /// An age identity file (AGE-SECRET-KEY-1…) to try besides this office's key.
    #[arg(long, value_name = "F")]
    pub identity: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct OfficeArgs {
    #[command(subcommand)]
    pub cmd: Option<OfficeCmd>,
    /// Print JSON (this office and its peers; `pending`: the offices waiting).
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum OfficeCmd {
    /// Rename this office (the name other offices see; not personal data).
    Rename { name: String },
    /// Write this office's introduction: its keys, database id and name, no data; the
    /// other office pairs with it by `teren office pair FILE`.
    Introduce {
        /// The file, or a folder to put it in.
        #[arg(long, value_name = "FILE|DIR")]
        out: PathBuf,
    },
    /// Pair another office: import its introduction (or any bundle of it) and confirm
    /// the fingerprint that office reads out, or type its fingerprint.
    #[command(group(ArgGroup::new("who").required(true).multiple(true).args(["file", "fingerprint"])))]
    Pair {
        /// Its introduction (`teren office introduce` there) or a bundle of it.
        file: Option<PathBuf>,
        /// Its fingerprint, as `teren office` shows it there (ABCD-EFGH-…), or its
        /// signing key (ed25519:…). With FILE, the confirmation; asked for when
        /// omitted and the input is a terminal.
        #[arg(long, value_name = "FINGERPRINT")]
        fingerprint: Option<String>,
        /// A name for an office not heard from yet (until its first bundle says its own).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// FILE's passphrase, when it is a bundle encrypted with one.
        #[arg(long, value_name = "F")]
        passphrase_file: Option<PathBuf>,
    },
    /// Offices whose bundles are held here, not applied, until paired or refused.
    Pending,
    /// Refuse an office waiting here: its held bundles are deleted, its bundles ignored.
    Refuse {
        /// Its fingerprint, as `teren office pending` shows it.
        fingerprint: String,
    },
    /// Forget a paired office: it no longer holds this office's bundles back nor can
    /// read them, its bundles are held until it is paired again; its past changes stay.
    Forget {
        /// The office's name or database id (as `teren office` lists them).
        name: String,
    },
    /// Give this database a new identity (a new database id and new keys): for a copy
    /// of another office's database, which other offices refuse as a copy. Its past
    /// changes stay under the old id; other offices pair it as a new office.
    NewIdentity,
    /// Pair an office by its signing key (ed25519:…): `pair --fingerprint KEY --name NAME`.
    Trust {
        /// A name for the office until its first bundle.
        name: String,
        /// Its signing key (ed25519:…), or its fingerprint.
        key: String,
    },
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The shared folder (Syncthing, Nextcloud, a network share, a USB stick).
    pub dir: PathBuf,
    /// The folder's passphrase, on the first line of this file; without it bundles
    /// are encrypted to the keys of the paired offices.
    #[arg(long, value_name = "F")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ConflictsArgs {
    #[command(subcommand)]
    pub cmd: Option<ConflictsCmd>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ConflictsCmd {
    /// Resolve a conflict: keep one of the values, or write a new one.
    #[command(group(ArgGroup::new("choice").required(true).args(["keep", "value"])))]
    Resolve {
        /// The record's id (or a unique prefix).
        id: String,
        /// The field in conflict (e.g. note).
        field: String,
        /// Keep value number N of `teren conflicts`.
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
        /// Write this text instead (e.g. both values merged by hand).
        #[arg(long, value_name = "TEXT")]
        value: Option<String>,
    },
}

fn read_passphrase(path: &Path) -> Result<SecretString> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let line = text.lines().next().unwrap_or("").trim_end_matches(['\r', '\n']);
    if line.is_empty() {
        bail!("the passphrase file {} is empty", path.display());
    }
    Ok(SecretString::from(line.to_string()))
}

fn ms_to_local(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn vv_ops(vv: &VersionVector) -> u64 {
    vv.values().sum()
}

/// Find a known office by name (folded) or database id prefix.
fn find_peer(store: &Store, query: &str) -> Result<Option<(ReplicaId, crate::store::Peer)>> {
    let q = query.trim();
    let fq = fold(q);
    let hex = q.to_ascii_lowercase();
    let found: Vec<_> = store
        .peers()?
        .into_iter()
        .filter(|(r, p)| {
            fold(p.label.trim()) == fq
                || (hex.len() >= 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) && r.to_string().starts_with(&hex))
        })
        .collect();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.into_iter().next()),
        _ => bail!(
            "'{q}' matches {} offices ({}); give the database id instead",
            found.len(),
            found.iter().map(|(r, p)| format!("{} {}", p.label, r.short())).collect::<Vec<_>>().join(", ")
        ),
    }
}

pub fn bundle(store: &Store, cmd: BundleCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        BundleCmd::Export(a) => export(store, a, out),
        BundleCmd::Import(a) => import(store, a, out),
    }
}

fn export(store: &Store, a: ExportArgs, out: &mut impl Write) -> Result<()> {
    let keys = Keys::load(store)?;
    let to = match &a.to {
        Some(name) => Some(find_peer(store, name)?.filter(|(_, p)| p.paired).ok_or_else(|| {
            anyhow!(
                "no office '{name}' is paired with this one; pair it first (`teren office pair`), or export with --passphrase-file"
            )
        })?),
        None => None,
    };
    let passphrase = a.passphrase_file.as_deref().map(read_passphrase).transpose()?;
    let encrypt = if a.no_encrypt {
        Encrypt::None
    } else if let Some(p) = passphrase.clone() {
        Encrypt::Passphrase(p)
    } else if let Some((_, peer)) = &to {
        let r = peer.recipient.as_deref().ok_or_else(|| {
            anyhow!("the encryption key of office '{}' is not known; export with --passphrase-file", peer.label)
        })?;
        Encrypt::Recipients(vec![bundle::parse_recipient(r)?])
    } else {
        let rs = bundle::paired_recipients(store)?;
        if rs.is_empty() {
            bail!(
                "no office is paired with this one yet: pair one (`teren office pair`), or give --passphrase-file for a first exchange"
            );
        }
        Encrypt::Recipients(rs.iter().map(|r| bundle::parse_recipient(r)).collect::<Result<_, _>>()?)
    };
    // A passphrase bundle may reach an office never heard from: everything.
    let full = a.full || (to.is_none() && !matches!(encrypt, Encrypt::Recipients(_)));
    let since = bundle::since_for(store, to.as_ref().map(|(r, _)| *r), full)?;
    let (path, b) = bundle::folder::export_to(store, &keys, &a.out, &since, &encrypt)?;
    if a.json {
        json(
            out,
            &json!({"file": path.display().to_string(), "ops": b.header.ops, "bytes": b.bytes.len(),
                    "encryption": encryption_name(&b.header.encryption), "full": since.is_empty()}),
        )?;
    } else {
        writeln!(
            out,
            "wrote {}: {} ops, {} bytes, {}{}",
            path.display(),
            b.header.ops,
            b.bytes.len(),
            encryption_name(&b.header.encryption),
            if since.is_empty() { ", everything" } else { ", what the destination cannot be proven to have" }
        )?;
        if matches!(b.header.encryption, Encryption::None) {
            writeln!(out, "warning: the bundle is not encrypted; anyone who finds the file can read it")?;
        }
    }
    Ok(())
}

fn encryption_name(e: &Encryption) -> String {
    match e {
        Encryption::None => "not encrypted".into(),
        Encryption::Passphrase => "encrypted with a passphrase".into(),
        Encryption::Recipients(r) => format!("encrypted to {} office key(s)", r.len()),
    }
}

fn import(store: &Store, a: ImportArgs, out: &mut impl Write) -> Result<()> {
    let keys = Keys::load(store)?;
    let opts = import_options(a.passphrase_file.as_deref(), a.identity.as_deref())?;
    let name = a.file.display().to_string();
    let bytes = bundle::read_file(&a.file)?;
    let report = bundle::import(store, &keys, &bytes, &opts).with_context(|| format!("import {name}"))?;
    if matches!(report.outcome, Outcome::NotPaired(_)) {
        bail!("import {}", report_line(&name, &report));
    }
    if a.json {
        let (applied, waiting) = match report.outcome {
            Outcome::Imported { applied, waiting } => (applied, waiting),
            _ => (0, 0),
        };
        json(
            out,
            &json!({"file": name, "office": report.header.office, "replica": report.header.sender.to_string(),
                    "ops": report.header.ops, "applied": applied, "waiting": waiting,
                    "key": key_status_name(report.key)}),
        )?;
    } else {
        writeln!(out, "{}", report_line(&name, &report))?;
    }
    Ok(())
}

fn import_options(passphrase_file: Option<&Path>, identity: Option<&Path>) -> Result<ImportOptions> {
    let mut opts = ImportOptions::default();
    if let Some(f) = passphrase_file {
        opts.passphrase = Some(read_passphrase(f)?);
    }
    if let Some(f) = identity {
        let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        opts.identities = bundle::parse_identities(&text).with_context(|| format!("identity file {}", f.display()))?;
    }
    Ok(opts)
}

fn key_status_name(k: KeyStatus) -> &'static str {
    match k {
        KeyStatus::Paired => "paired",
        KeyStatus::NewlyPaired => "newly-paired",
        KeyStatus::NotPaired => "not-paired",
    }
}

/// What to do about an office not paired here, after its fingerprint.
fn unpaired_text(np: &NotPaired) -> String {
    let fp = &np.fingerprint;
    match &np.why {
        Unpaired::Refused => format!(
            "refused here earlier (fingerprint {fp}): ignored; `teren office pair --fingerprint {fp}` accepts it after all"
        ),
        why => {
            let what = match why {
                Unpaired::OtherKey(paired) => {
                    format!("signed by a key with fingerprint {fp}, but that office is paired with the key {paired}")
                }
                Unpaired::Forgotten => format!("that office was forgotten here; its key's fingerprint is {fp}"),
                _ => format!("that office is not paired with this one; its key's fingerprint is {fp}"),
            };
            format!(
                "held, not applied: {what}; if the office shows that fingerprint (`teren office` there), run `teren office pair --fingerprint {fp}`, else `teren office refuse {fp}`"
            )
        }
    }
}

fn report_line(name: &str, r: &Report) -> String {
    let who = format!("office \"{}\" ({})", r.header.office, r.header.sender.short());
    let key = match r.key {
        KeyStatus::NewlyPaired => {
            format!("; paired now: its fingerprint {} was expected", bundle::fingerprint(&r.header.sign_key))
        }
        _ => String::new(),
    };
    match &r.outcome {
        Outcome::Imported { applied, waiting } => {
            let wait = if *waiting > 0 { format!(", {waiting} waiting for earlier changes") } else { String::new() };
            // Ops that waited here for this bundle's are applied with them: say so, rather
            // than "2 new of 1".
            let n = r.header.ops as usize;
            let done = if *applied > n {
                format!("{n} ops, {applied} applied with {} that were waiting for them", applied - n)
            } else {
                format!("{applied} new of {n} ops")
            };
            format!("{name}: imported from {who}: {done}{wait}{key}")
        }
        Outcome::UpToDate => format!("{name}: from {who}: nothing new{key}"),
        Outcome::Unreadable => format!(
            "{name}: from {who}: not encrypted for this office yet; it will be once that office syncs again{key}"
        ),
        Outcome::NotPaired(np) => format!("{name}: from {who}: {}", unpaired_text(np)),
    }
}

pub fn office(store: Store, a: OfficeArgs, out: &mut impl Write) -> Result<()> {
    let store = &store;
    match a.cmd {
        Some(OfficeCmd::NewIdentity) => {
            let old = store.replica();
            let (new, moved) = store.new_identity()?;
            let keys = Keys::load(store)?;
            let past = match moved {
                0 => "its past changes stay under the old id".to_string(),
                n => format!(
                    "the {n} changes it made since it parted from the original moved to the new id, the ones they share stay under the old id"
                ),
            };
            writeln!(
                out,
                "this database is now {new} (was {old}), fingerprint {}; {past}. Other offices pair it as a new office (`teren office introduce`)",
                bundle::fingerprint(&keys.sign_public())
            )?;
            Ok(())
        }
        Some(OfficeCmd::Rename { name }) => {
            let n = name.trim();
            if n.is_empty() || n.chars().count() > 80 || n.chars().any(char::is_control) {
                bail!("an office name needs 1 to 80 characters and no control characters");
            }
            store.set_office(n)?;
            writeln!(out, "this office is now \"{n}\"")?;
            Ok(())
        }
        Some(OfficeCmd::Introduce { out: path }) => {
            let keys = Keys::load(store)?;
            let b = bundle::introduction(store, &keys)?;
            let path =
                if path.is_dir() { path.join(bundle::file_name(&b.header.office, b.header.created_ms)) } else { path };
            bundle::write_atomic(&path, &b.bytes)?;
            writeln!(
                out,
                "wrote {}: this office's introduction (keys, no data); the other office pairs with `teren office pair FILE` and checks the fingerprint {}",
                path.display(),
                bundle::fingerprint(&keys.sign_public())
            )?;
            Ok(())
        }
        Some(OfficeCmd::Pair { file: Some(file), fingerprint, name: _, passphrase_file }) => {
            pair_file(store, &file, fingerprint, passphrase_file.as_deref(), out)
        }
        Some(OfficeCmd::Pair { file: None, fingerprint: Some(fp), name, passphrase_file }) => {
            let opts = import_options(passphrase_file.as_deref(), None)?;
            pair_typed(store, &fp, name.as_deref().unwrap_or(""), &opts, out)
        }
        Some(OfficeCmd::Pair { file: None, fingerprint: None, .. }) => {
            bail!("give the other office's introduction file, or --fingerprint as that office reads it out")
        }
        Some(OfficeCmd::Trust { name, key }) => pair_typed(store, &key, &name, &ImportOptions::default(), out),
        Some(OfficeCmd::Pending) => show_pending(store, a.json, out),
        Some(OfficeCmd::Refuse { fingerprint }) => {
            let n = bundle::refuse(store, &fingerprint)?;
            writeln!(
                out,
                "refused the office with fingerprint {}: {n} held bundle(s) deleted; its bundles are ignored from now on",
                bundle::parse_fingerprint(&fingerprint)?
            )?;
            Ok(())
        }
        Some(OfficeCmd::Forget { name }) => {
            let (r, p) = find_peer(store, &name)?
                .ok_or_else(|| anyhow!("no office '{}' is known here; `teren office` lists them", name.trim()))?;
            bundle::forget(store, r)?;
            writeln!(
                out,
                "forgot office \"{}\" ({}): it no longer holds bundles back nor receives them; its changes stay; pair it again to hear from it",
                p.label,
                r.short()
            )?;
            Ok(())
        }
        None => show_office(store, a.json, out),
    }
}

/// Is this a yes (in English or Polish)?
fn yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "t" | "tak")
}

/// `teren office pair FILE`: show the sender's fingerprint, have it confirmed (the
/// flag, or a question when the input is a terminal), pair, import.
fn pair_file(
    store: &Store,
    file: &Path,
    fingerprint: Option<String>,
    passphrase_file: Option<&Path>,
    out: &mut impl Write,
) -> Result<()> {
    use std::io::IsTerminal;
    let keys = Keys::load(store)?;
    let opts = import_options(passphrase_file, None)?;
    let bytes = bundle::read_file(file)?;
    let header = bundle::parse(&bytes).with_context(|| format!("pair {}", file.display()))?.header;
    let actual = bundle::fingerprint(&header.sign_key);
    let confirmed = match fingerprint {
        Some(f) => f,
        None if std::io::stdin().is_terminal() => {
            write!(
                out,
                "office \"{}\" (database {}) has the fingerprint\n  {actual}\nIs it the one that office reads out to you (`teren office` there)? [y/N] ",
                header.office,
                header.sender.short()
            )?;
            out.flush()?;
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer)?;
            if !yes(&answer) {
                bail!("not paired: the fingerprints differ or were not confirmed; nothing changed");
            }
            actual.clone()
        }
        None => bail!(
            "confirm the fingerprint: compare it with the other office and give --fingerprint {actual} (the input is not a terminal, so teren cannot ask)"
        ),
    };
    let (header, done) = bundle::pair_file(store, &keys, &bytes, &confirmed, &opts)
        .with_context(|| format!("pair {}", file.display()))?;
    writeln!(
        out,
        "paired with office \"{}\" (database {}, fingerprint {actual}): its bundles are applied and this office's are encrypted to it",
        header.office,
        header.sender.short()
    )?;
    let name = file.display().to_string();
    write_imports(&name, &done, out)
}

fn write_imports(
    first: &str,
    done: &[(String, Result<Report, bundle::BundleError>)],
    out: &mut impl Write,
) -> Result<()> {
    for (n, r) in done {
        let n = if n.is_empty() { first } else { n.as_str() };
        match r {
            // An introduction carries keys, no changes: "0 new of 0 ops" says nothing.
            Ok(r) if r.header.ops == 0 && matches!(r.outcome, Outcome::Imported { applied: 0, .. }) => {}
            Ok(r) => writeln!(out, "{}", report_line(n, r))?,
            Err(e) => writeln!(out, "{n}: not imported: {e}")?,
        }
    }
    Ok(())
}

fn pair_typed(store: &Store, typed: &str, name: &str, opts: &ImportOptions, out: &mut impl Write) -> Result<()> {
    let keys = Keys::load(store)?;
    let fp = bundle::parse_fingerprint(typed)?;
    match bundle::pair_fingerprint(store, &keys, typed, name, opts)? {
        PairedBy::Now { header, imported } => {
            writeln!(
                out,
                "paired with office \"{}\" (database {}, fingerprint {fp}): its held bundles are applied",
                header.office,
                header.sender.short()
            )?;
            write_imports("", &imported, out)
        }
        PairedBy::Again { office } => {
            writeln!(
                out,
                "paired with office \"{office}\" again (fingerprint {fp}): its bundles are applied and this office's are encrypted to it"
            )?;
            Ok(())
        }
        PairedBy::Already { office } => {
            writeln!(out, "office \"{office}\" (fingerprint {fp}) is paired already")?;
            Ok(())
        }
        PairedBy::Expected => {
            writeln!(
                out,
                "no bundle from fingerprint {fp} yet: its office is paired with its first bundle (by `teren sync` or `teren bundle import`)"
            )?;
            Ok(())
        }
    }
}

fn show_pending(store: &Store, as_json: bool, out: &mut impl Write) -> Result<()> {
    let pending = folder::pending(store)?;
    if as_json {
        let ps: Vec<_> = pending
            .iter()
            .map(|p| {
                json!({"office": p.header.office, "replica": p.header.sender.to_string(), "fingerprint": p.fingerprint,
                       "bundles": p.bundles, "ops": p.header.ops, "made": ms_to_local(p.header.created_ms),
                       "why": why_name(&p.why)})
            })
            .collect();
        return json(out, &serde_json::Value::Array(ps)).map_err(Into::into);
    }
    if pending.is_empty() {
        writeln!(out, "no office is waiting to be paired")?;
        return Ok(());
    }
    let mut t = Table::new(&["office", "database", "fingerprint", "bundles", "newest", "note"]);
    for p in &pending {
        t.row(vec![
            p.header.office.clone(),
            p.header.sender.short(),
            p.fingerprint.clone(),
            p.bundles.to_string(),
            ms_to_local(p.header.created_ms),
            match &p.why {
                Unpaired::OtherKey(_) => "claims a paired office, another key".into(),
                Unpaired::Forgotten => "forgotten here".into(),
                _ => String::new(),
            },
        ]);
    }
    t.write(out)?;
    writeln!(
        out,
        "compare each fingerprint with the one that office shows (`teren office`), then `teren office pair --fingerprint FINGERPRINT` or `teren office refuse FINGERPRINT`"
    )?;
    Ok(())
}

fn why_name(w: &Unpaired) -> &'static str {
    match w {
        Unpaired::New => "new",
        Unpaired::OtherKey(_) => "other-key",
        Unpaired::Forgotten => "forgotten",
        Unpaired::Refused => "refused",
    }
}

fn show_office(store: &Store, as_json: bool, out: &mut impl Write) -> Result<()> {
    let keys = Keys::load(store)?;
    let label = store.office()?;
    let fp = bundle::fingerprint(&keys.sign_public());
    let sign = bundle::format_sign_key(&keys.sign_public());
    let recipient = keys.recipient().to_string();
    let peers = store.peers()?;
    let pending = folder::pending(store)?;
    let expected: Vec<(String, String)> = store
        .pairings()?
        .into_iter()
        .filter_map(|(f, s)| s.map(|l| (f, l)))
        .chain(store.trusted_keys()?.into_iter().map(|(k, l)| (bundle::fingerprint(&k), l)))
        .collect();
    if as_json {
        let ps: Vec<_> = peers
            .iter()
            .map(|(r, p)| {
                json!({"office": p.label, "replica": r.to_string(), "fingerprint": bundle::fingerprint(&p.sign_key),
                       "sign_key": bundle::format_sign_key(&p.sign_key), "paired": p.paired,
                       "recipient": p.recipient, "acknowledged_ops": vv_ops(&p.acked),
                       "last_bundle": (p.last_bundle_ms > 0).then(|| ms_to_local(p.last_bundle_ms)),
                       "last_import": (p.last_import_ms > 0).then(|| ms_to_local(p.last_import_ms))})
            })
            .collect();
        let expected: Vec<_> = expected.iter().map(|(f, l)| json!({"office": l, "fingerprint": f})).collect();
        return json(
            out,
            &json!({"office": label, "replica": store.replica().to_string(), "fingerprint": fp, "sign_key": sign,
                    "recipient": recipient, "peers": ps, "pending": pending.len(), "expected": expected}),
        )
        .map_err(Into::into);
    }
    writeln!(out, "office:         {label}")?;
    writeln!(out, "fingerprint:    {fp}")?;
    writeln!(out, "database:       {}", store.replica())?;
    writeln!(out, "signing key:    {sign}")?;
    writeln!(out, "encryption key: {recipient}")?;
    if peers.is_empty() {
        writeln!(
            out,
            "no office paired yet: `teren office introduce --out FILE` here and `teren office pair FILE` there, or compare fingerprints by phone"
        )?;
    } else {
        writeln!(out)?;
        let mut t = Table::new(&["office", "database", "fingerprint", "state", "last bundle", "ops it has"]);
        for (r, p) in &peers {
            t.row(vec![
                p.label.clone(),
                r.short(),
                bundle::fingerprint(&p.sign_key),
                if p.paired { "paired".into() } else { "forgotten".into() },
                ms_to_local(p.last_bundle_ms),
                vv_ops(&p.acked).to_string(),
            ]);
        }
        t.write(out)?;
    }
    for (f, l) in &expected {
        let l = if l.is_empty() { String::new() } else { format!(" (\"{l}\")") };
        writeln!(out, "expected: the office with fingerprint {f}{l}, paired with its first bundle")?;
    }
    if !pending.is_empty() {
        writeln!(out, "{} office(s) waiting to be paired or refused: `teren office pending`", pending.len())?;
    }
    Ok(())
}

/// Shared-folder mode.
pub fn sync(store: &Store, a: SyncArgs, out: &mut impl Write) -> Result<()> {
    let dir = &a.dir;
    if !dir.is_dir() {
        bail!("the sync folder {} does not exist or is not a folder", dir.display());
    }
    let keys = Keys::load(store)?;
    let passphrase = a.passphrase_file.as_deref().map(read_passphrase).transpose()?;
    let done = folder::sync(store, &keys, dir, passphrase.as_ref())
        .with_context(|| format!("cannot sync with the folder {}", dir.display()))?;
    for f in &done.files {
        writeln!(out, "{}", file_line(f))?;
    }
    match &done.own {
        Some(OwnOutcome::UpToDate { name, ops }) => {
            writeln!(out, "{name}: this office's bundle is up to date ({ops} ops)")?
        }
        Some(OwnOutcome::Wrote { name, ops, encryption }) => {
            writeln!(out, "{name}: wrote this office's bundle: {ops} ops, {}", encryption_name(encryption))?
        }
        None => {}
    }
    let waiting = done
        .files
        .iter()
        .filter(
            |f| matches!(&f.outcome, FileOutcome::Imported(Report { outcome: Outcome::NotPaired(np), .. }) if np.held),
        )
        .count();
    if waiting > 0 {
        writeln!(
            out,
            "{waiting} bundle(s) held from offices not paired with this one: `teren office pending` lists them with their fingerprints"
        )?;
    }
    let failed = done.failed();
    if failed > 0 {
        let others = done.files.iter().filter(|f| !matches!(f.outcome, FileOutcome::Own)).count();
        bail!("{failed} of {others} bundles in {} could not be imported (see above)", dir.display());
    }
    Ok(())
}

/// One line per bundle file of `teren sync`.
fn file_line(f: &folder::FileLine) -> String {
    match &f.outcome {
        FileOutcome::Own => format!("{}: this office's own bundle", f.name),
        FileOutcome::Imported(r) => report_line(&f.name, r),
        FileOutcome::Failed(e) => format!("{}: not imported: {e}", f.name),
    }
}

pub fn conflicts(store: &Store, a: ConflictsArgs, out: &mut impl Write) -> Result<()> {
    if let Some(ConflictsCmd::Resolve { id, field, keep, value }) = a.cmd {
        return resolve(store, &id, &field, keep, value, out);
    }
    let list = conflicts::list(store)?;
    let peers = store.peers()?;
    if a.json {
        let mut arr = Vec::new();
        for c in &list {
            let mut vals = Vec::new();
            for (i, (s, v)) in c.values.iter().enumerate() {
                vals.push(
                    json!({"n": i + 1, "value": v.to_json(), "office": conflicts::writer(store, &peers, s.id.replica)?,
                                 "replica": s.id.replica.to_string(), "at": ms_to_local(s.clock.millis()),
                                 "shown": i + 1 == c.values.len()}),
                );
            }
            arr.push(json!({"id": c.id.to_string(), "entity": c.entity.singular(), "name": c.name,
                            "field": c.field, "values": vals}));
        }
        return json(out, &serde_json::Value::Array(arr)).map_err(Into::into);
    }
    if list.is_empty() {
        writeln!(out, "no conflicts")?;
        return Ok(());
    }
    for c in &list {
        writeln!(
            out,
            "{} {} \"{}\" — {}: {} values",
            c.entity.singular(),
            c.id.short(),
            c.name,
            c.field,
            c.values.len()
        )?;
        for (i, (s, v)) in c.values.iter().enumerate() {
            let text = conflicts::value_text(v);
            let shown = if i + 1 == c.values.len() { " (shown)" } else { "" };
            writeln!(
                out,
                "  {}. [{}, {}]{shown} {text}",
                i + 1,
                conflicts::writer(store, &peers, s.id.replica)?,
                ms_to_local(s.clock.millis())
            )?;
        }
    }
    writeln!(out, "resolve with: teren conflicts resolve ID FIELD --keep N | --value TEXT")?;
    Ok(())
}

fn find_record(store: &Store, query: &str) -> Result<(Entity, crate::model::Id)> {
    let mut found = Vec::new();
    for e in Entity::ALL {
        for id in store.ids_with_prefix(e, query.trim())? {
            found.push((e, id));
        }
    }
    match found.len() {
        1 => Ok(found[0]),
        0 => bail!("no record has an id starting with '{}'", query.trim()),
        n => bail!("'{}' matches {n} records; give more of the id", query.trim()),
    }
}

fn resolve(
    store: &Store,
    query: &str,
    field: &str,
    keep: Option<usize>,
    value: Option<String>,
    out: &mut impl Write,
) -> Result<()> {
    let (entity, id) = find_record(store, query)?;
    let values = conflicts::values(store, entity, id, field)?;
    let chosen = match (keep, value) {
        (Some(n), _) => values
            .get(n.wrapping_sub(1))
            .cloned()
            .ok_or_else(|| anyhow!("--keep {n}: there are values 1 to {}", values.len()))?,
        (None, Some(text)) => Value::Str(text),
        (None, None) => bail!("give --keep N or --value TEXT"),
    };
    conflicts::resolve(store, entity, id, field, chosen)?;
    writeln!(
        out,
        "resolved {field} of {} {}: one value now; the resolution goes to other offices with the next bundle",
        entity.singular(),
        id.short()
    )?;
    Ok(())
}

pub fn erase(store: &Store, query: &str, out: &mut impl Write) -> Result<()> {
    let id = edit::resolve_any(store, Entity::Participant, query)?;
    match crate::report::privacy::erase(store, id)? {
        crate::report::privacy::Erased::Missing => bail!("participant {query} is gone"),
        crate::report::privacy::Erased::Already => {
            writeln!(out, "participant {} was already erased", id.short())?;
            return Ok(());
        }
        crate::report::privacy::Erased::Now => {}
    }
    writeln!(
        out,
        "erased participant {}: personal data removed here and from this database's log; other offices erase it when they import this office's next bundle",
        id.short()
    )?;
    Ok(())
}
