//! What the sync screen's keys do, each returning the one line the screen shows:
//! export, import (asking to pair an office not paired yet), backup, introduce, pair
//! by file or fingerprint, rename the office, a new identity.

use super::*;

/// Export a bundle to `path` (a file, or a folder to name one in): to the passphrase
/// when one is typed (everything: it may reach an office never heard from), else to
/// the keys of the paired offices, what they cannot be proven to have.
/// Returns the one line to show.
pub fn export(store: &Store, path: &Path, passphrase: Option<SecretString>, lang: Lang) -> String {
    let run = || -> anyhow::Result<String> {
        if path.as_os_str().is_empty() {
            anyhow::bail!("{}", t(lang, "sync_path_empty"));
        }
        let keys = Keys::load(store)?;
        let full = passphrase.is_some();
        let encrypt = match passphrase {
            Some(p) => Encrypt::Passphrase(p),
            None => {
                let rs = bundle::paired_recipients(store)?;
                if rs.is_empty() {
                    anyhow::bail!("{}", t(lang, "sync_need_passphrase"));
                }
                Encrypt::Recipients(rs.iter().map(|r| bundle::parse_recipient(r)).collect::<Result<_, _>>()?)
            }
        };
        let since = bundle::since_for(store, None, full)?;
        let (written, b) = bundle::folder::export_to(store, &keys, path, &since, &encrypt)?;
        let how = match &b.header.encryption {
            Encryption::Passphrase => t(lang, "sync_enc_passphrase").to_string(),
            Encryption::Recipients(r) => format!("{} ({})", t(lang, "sync_enc_offices"), r.len()),
            Encryption::None => t(lang, "sync_enc_none").to_string(),
        };
        Ok(format!("{} {}: {} {}, {how}", t(lang, "sync_wrote"), written.display(), b.header.ops, t(lang, "sync_ops")))
    };
    run().unwrap_or_else(|e| format!("{}: {e}", t(lang, "sync_export_failed")))
}

/// Import the bundle at `path`; the line to show, and whether the data changed.
/// A refused bundle changes nothing and gives the command line's one-line reason; a
/// bundle from an office not paired here is held.
pub fn import(store: &Store, path: &Path, passphrase: Option<SecretString>, lang: Lang) -> (String, bool) {
    let (line, changed, _) = import_asking(store, path, passphrase, lang);
    (line, changed)
}

/// [`import`], and when the bundle was held, the question to pair its office.
pub(super) fn import_asking(
    store: &Store,
    path: &Path,
    passphrase: Option<SecretString>,
    lang: Lang,
) -> (String, bool, Option<Ask>) {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| path.display().to_string());
    let opts = ImportOptions { passphrase: passphrase.clone(), ..Default::default() };
    let run = || -> Result<Report, bundle::BundleError> {
        let keys = Keys::load(store)?;
        let bytes = bundle::read_file(path)?;
        bundle::import(store, &keys, &bytes, &opts)
    };
    match run() {
        Ok(r) => {
            let changed = matches!(r.outcome, Outcome::Imported { applied, .. } if applied > 0);
            let ask = match &r.outcome {
                Outcome::NotPaired(np) if np.held => Some(Ask::PairFile {
                    path: path.to_path_buf(),
                    fingerprint: np.fingerprint.clone(),
                    label: r.header.office.clone(),
                    short: r.header.sender.short(),
                    passphrase,
                }),
                _ => None,
            };
            (report_line(lang, &name, &r), changed || r.key != KeyStatus::Paired, ask)
        }
        Err(e) => (format!("{name}: {}: {e}", t(lang, "sync_not_imported")), false, None),
    }
}

/// One line for an imported bundle.
pub fn report_line(lang: Lang, name: &str, r: &Report) -> String {
    format!("{name}: {}", report_text(lang, r))
}

/// What an import did, without the file name (the status line is narrow).
pub fn report_text(lang: Lang, r: &Report) -> String {
    let who = format!("{} \"{}\"", t(lang, "sync_from_office"), r.header.office);
    let key = match r.key {
        KeyStatus::NewlyPaired => format!("; {}", t(lang, "sync_key_paired")),
        _ => String::new(),
    };
    match &r.outcome {
        Outcome::Imported { applied, waiting } => {
            let wait = if *waiting > 0 { format!(", {} {waiting}", t(lang, "sync_waiting")) } else { String::new() };
            let n = r.header.ops as usize;
            let done = if *applied > n {
                // Ops that waited here are applied with this bundle's: not "2 new of 1".
                format!("{n}, {} {}", t(lang, "sync_with_waiting"), applied - n)
            } else {
                format!("{applied} {} {n}", t(lang, "sync_new_of"))
            };
            format!("{} {who}: {done}{wait}{key}", t(lang, "sync_imported"))
        }
        Outcome::UpToDate => format!("{who}: {}{key}", t(lang, "sync_nothing_new")),
        Outcome::Unreadable => format!("{who}: {}{key}", t(lang, "sync_not_for_us")),
        Outcome::NotPaired(np) if np.why == Unpaired::Refused => {
            format!("{who}: {} ({})", t(lang, "sync_refused_earlier"), np.fingerprint)
        }
        Outcome::NotPaired(np) => {
            format!("{who}: {} {}; {}", t(lang, "sync_held"), np.fingerprint, t(lang, "sync_held_hint"))
        }
    }
}

/// Write this office's introduction (keys, no data) to `path`, a file or a folder.
/// Rename this office (`teren office rename`): the line for the screen and whether
/// anything changed.
pub(super) fn rename(store: &Store, name: &str, lang: Lang) -> (String, bool) {
    let name = name.trim();
    if name.is_empty() {
        return (t(lang, "sync_name_empty").to_string(), false);
    }
    match store.set_office(name) {
        Ok(()) => (format!("{}: {name}", t(lang, "sync_renamed")), true),
        Err(e) => (e.to_string(), false),
    }
}

/// A new identity for this database (`teren office new-identity`).
pub(super) fn new_identity(store: &Store, lang: Lang) -> (String, bool) {
    let run = || -> anyhow::Result<String> {
        let (new, moved) = store.new_identity()?;
        let keys = Keys::load(store)?;
        let mut line = format!(
            "{}: {} ({} {})",
            t(lang, "sync_new_identity_done"),
            new.short(),
            t(lang, "sync_fingerprint"),
            fingerprint(&keys.sign_public())
        );
        if moved > 0 {
            line.push_str(&format!("; {} {moved}", t(lang, "sync_moved")));
        }
        Ok(line)
    };
    match run() {
        Ok(line) => (line, true),
        Err(e) => (e.to_string(), false),
    }
}

pub fn introduce(store: &Store, path: &Path, lang: Lang) -> String {
    let run = || -> anyhow::Result<String> {
        if path.as_os_str().is_empty() {
            anyhow::bail!("{}", t(lang, "sync_path_empty"));
        }
        let keys = Keys::load(store)?;
        let b = bundle::introduction(store, &keys)?;
        let path = if path.is_dir() {
            path.join(bundle::file_name(&b.header.office, b.header.created_ms))
        } else {
            path.to_path_buf()
        };
        bundle::write_atomic(&path, &b.bytes)?;
        Ok(format!(
            "{} {} ({} {})",
            t(lang, "sync_introduced"),
            path.display(),
            t(lang, "sync_fingerprint"),
            fingerprint(&keys.sign_public())
        ))
    };
    run().unwrap_or_else(|e| format!("{}: {e}", t(lang, "sync_export_failed")))
}

/// What the pairing line typed leads to: a question (a file: is its fingerprint the
/// one the office reads out?) or a done pairing by a typed fingerprint.
pub(super) enum PairStart {
    Ask(Ask),
    Done(String, bool),
}

/// The pairing line: an existing file is an introduction (asked about), anything else
/// a fingerprint (or signing key) typed as the other office reads it out.
pub(super) fn pair_start(store: &Store, text: &str, lang: Lang) -> Result<PairStart, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", t(lang, "sync_pair_failed"));
    if text.is_empty() {
        return Err(fail(&t(lang, "sync_path_empty")));
    }
    let path = PathBuf::from(text);
    if path.is_file() {
        let bytes = bundle::read_file(&path).map_err(|e| fail(&e))?;
        let header = bundle::parse(&bytes).map_err(|e| fail(&e))?.header;
        return Ok(PairStart::Ask(Ask::PairFile {
            path,
            fingerprint: fingerprint(&header.sign_key),
            label: header.office.clone(),
            short: header.sender.short(),
            passphrase: None,
        }));
    }
    if bundle::parse_fingerprint(text).is_err() && (text.contains('/') || text.contains(std::path::MAIN_SEPARATOR)) {
        return Err(fail(&format!("{}: {text}", t(lang, "sync_no_file"))));
    }
    let (line, changed) = pair_typed(store, text, lang);
    Ok(PairStart::Done(line, changed))
}

/// Pair by a typed fingerprint (as `teren office pair --fingerprint`): the line to
/// show and whether the data changed.
pub fn pair_typed(store: &Store, typed: &str, lang: Lang) -> (String, bool) {
    let run = || -> Result<PairedBy, bundle::BundleError> {
        let keys = Keys::load(store)?;
        bundle::pair_fingerprint(store, &keys, typed, "", &ImportOptions::default())
    };
    match run() {
        Ok(PairedBy::Now { header, imported }) => paired_now(lang, &header, applied(&imported)),
        Ok(PairedBy::Again { office }) => (format!("{} „{office}”", t(lang, "sync_paired_now")), true),
        Ok(PairedBy::Already { office }) => (format!("{}: „{office}”", t(lang, "sync_paired_already")), false),
        Ok(PairedBy::Expected) => (t(lang, "sync_expected").to_string(), true),
        Err(e) => (format!("{}: {e}", t(lang, "sync_pair_failed")), false),
    }
}

/// The operations applied by the imports a pairing ran.
fn applied<T>(done: &[(T, Result<Report, bundle::BundleError>)]) -> usize {
    done.iter()
        .map(|(_, r)| match r {
            Ok(Report { outcome: Outcome::Imported { applied, .. }, .. }) => *applied,
            _ => 0,
        })
        .sum()
}

/// "Paired with „office” (id): N operations", and that the data changed.
fn paired_now(lang: Lang, header: &bundle::Header, applied: usize) -> (String, bool) {
    (
        format!(
            "{} „{}” ({}): {applied} {}",
            t(lang, "sync_paired_now"),
            header.office,
            header.sender.short(),
            t(lang, "sync_ops")
        ),
        true,
    )
}

/// Pair the office whose introduction (or bundle) is at `path`, its fingerprint
/// confirmed on the screen; then import it and what was held from it.
pub fn pair_file(
    store: &Store,
    path: &Path,
    confirmed: &str,
    passphrase: Option<SecretString>,
    lang: Lang,
) -> (String, bool) {
    let run = || -> Result<(bundle::Header, usize), bundle::BundleError> {
        let keys = Keys::load(store)?;
        let bytes = bundle::read_file(path)?;
        let opts = ImportOptions { passphrase, ..Default::default() };
        let (header, done) = bundle::pair_file(store, &keys, &bytes, confirmed, &opts)?;
        Ok((header, applied(&done)))
    };
    match run() {
        Ok((header, applied)) => paired_now(lang, &header, applied),
        Err(e) => (format!("{}: {e}", t(lang, "sync_pair_failed")), false),
    }
}

/// The line after a backup from the app (as `teren backup` says it).
pub(super) fn backup(store: &Store, path: &std::path::Path, lang: Lang) -> String {
    match store.backup(path) {
        Ok(b) => format!(
            "{}: {} ({} MB, {} {})",
            t(lang, "sync_backup_done"),
            b.path.display(),
            b.bytes.div_ceil(1 << 20),
            b.records,
            t(lang, "sync_backup_records")
        ),
        Err(e) => format!("{}: {}", t(lang, "sync_backup_failed"), crate::tui::errors::store_error(lang, &e)),
    }
}

/// One line per bundle file of the live folder.
pub fn file_line(lang: Lang, f: &FileLine) -> String {
    match &f.outcome {
        FileOutcome::Own => format!("{}: {}", f.name, t(lang, "sync_own")),
        FileOutcome::Imported(r) => report_line(lang, &f.name, r),
        FileOutcome::Failed(e) => format!("{}: {}: {e}", f.name, t(lang, "sync_not_imported")),
    }
}

/// The status line after a pass of the live folder, and whether the panes must
/// reload (ops arrived or an office was met).
pub fn live_status(lang: Lang, r: &Result<Synced, String>) -> (String, bool) {
    match r {
        Err(e) => (format!("{}: {e}", t(lang, "sync_folder_failed")), false),
        Ok(s) => {
            let changed = s.applied() > 0
                || s.files.iter().any(|f| matches!(&f.outcome, FileOutcome::Imported(r) if r.key != KeyStatus::Paired));
            // The most telling line: a refusal first, then an import, then our write.
            let line = s
                .files
                .iter()
                .find(|f| matches!(f.outcome, FileOutcome::Failed(_)))
                .map(|f| file_line(lang, f))
                .or_else(|| {
                    s.files.iter().find_map(|f| match &f.outcome {
                        FileOutcome::Imported(r) => Some(report_text(lang, r)),
                        _ => None,
                    })
                })
                .or_else(|| match &s.own {
                    Some(OwnOutcome::Wrote { ops, .. }) => {
                        Some(format!("{} ({ops} {})", t(lang, "sync_wrote_own"), t(lang, "sync_ops")))
                    }
                    _ => None,
                })
                .unwrap_or_default();
            let more = s.files.len().saturating_sub(1);
            let line = if more > 0 { format!("{line} (+{more})") } else { line };
            (line, changed)
        }
    }
}
