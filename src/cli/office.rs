//! `teren office`: this office's name, fingerprint and keys; pairing other offices
//! (by introduction file or fingerprint), the offices waiting, refusing, forgetting,
//! trusting a key, and a new identity for a copied database.

use super::output::{Table, json};
use super::sync::{find_peer, import_options, ms_to_local, report_line, vv_ops};
use crate::bundle::folder;
use crate::bundle::{self, ImportOptions, Keys, Outcome, PairedBy, Report, Unpaired};
use crate::store::Store;
use anyhow::{Context, Result, anyhow, bail};
use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

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
