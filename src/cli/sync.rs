//! Sync between offices: `bundle export|import`, `sync DIR`, `conflicts` and `erase`
//! (`office` is in `office.rs`).

use super::output::json;
use crate::bundle::folder::{self, FileOutcome, OwnOutcome};
use crate::bundle::{self, Encrypt, Encryption, ImportOptions, KeyStatus, Keys, NotPaired, Outcome, Report, Unpaired};
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

pub(super) fn read_passphrase(path: &Path) -> Result<SecretString> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let line = text.lines().next().unwrap_or("").trim_end_matches(['\r', '\n']);
    if line.is_empty() {
        bail!("the passphrase file {} is empty", path.display());
    }
    Ok(SecretString::from(line.to_string()))
}

pub(super) fn ms_to_local(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub(super) fn vv_ops(vv: &VersionVector) -> u64 {
    vv.values().sum()
}

/// Find a known office by name (folded) or database id prefix.
pub(super) fn find_peer(store: &Store, query: &str) -> Result<Option<(ReplicaId, crate::store::Peer)>> {
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

pub(super) fn encryption_name(e: &Encryption) -> String {
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

pub(super) fn import_options(passphrase_file: Option<&Path>, identity: Option<&Path>) -> Result<ImportOptions> {
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

pub(super) fn key_status_name(k: KeyStatus) -> &'static str {
    match k {
        KeyStatus::Paired => "paired",
        KeyStatus::NewlyPaired => "newly-paired",
        KeyStatus::NotPaired => "not-paired",
    }
}

/// What to do about an office not paired here, after its fingerprint.
pub(super) fn unpaired_text(np: &NotPaired) -> String {
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

pub(super) fn report_line(name: &str, r: &Report) -> String {
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
