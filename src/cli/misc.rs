//! `demo`, `doctor`, `man` and the short guide shown before the app exists.

use super::output::Progress;
use crate::store::Store;
use anyhow::Result;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn guide(db: Option<PathBuf>, out: &mut impl Write) -> Result<()> {
    let path = super::db_path(db)?;
    writeln!(out, "teren — field notebook for local animators\n")?;
    writeln!(out, "Database: {}", path.display())?;
    writeln!(out, "\nTo start:")?;
    writeln!(out, "  teren demo                       fill the database with demo data")?;
    writeln!(out, "  teren participant list --search lodz")?;
    writeln!(out, "  teren participant add --name \"Anna Nowak\" --category OPS --place Dobiegniew")?;
    writeln!(out, "  teren meeting add --type group --place Ługi --with \"Anna Kowalska\" --hours 2")?;
    writeln!(out, "  teren --help                     every command")?;
    Ok(())
}

pub fn man(out: &mut impl Write) -> Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(super::Cli::command()).render(out)?;
    Ok(())
}

pub fn demo(mut store: Store, participants: usize, seed: u64, out: &mut impl Write) -> Result<()> {
    let mut bar = Progress::new("demo");
    let sum = crate::demo::generate(&store, participants, seed, &mut |d, t| bar.update(d, t))?;
    bar.finish();
    // A demo office has a name, so that `teren office` and bundle names mean something.
    if store.meta_bytes("office")?.is_none() {
        store.set_office("Biuro Strzelce Krajeńskie")?;
    }
    // A neighbouring office met through a bundle, with two conflicting notes.
    crate::demo::office::neighbour(&store)?;
    store.compact_if_loose()?;
    writeln!(
        out,
        "demo: {} people, {} organisations, {} meetings, {} follow-ups, {} resources, {} needs, {} partnerships, {} relations",
        sum.people,
        sum.organisations,
        sum.meetings,
        sum.followups,
        sum.resources,
        sum.needs,
        sum.partnerships,
        sum.relations
    )?;
    Ok(())
}

/// What `teren doctor` is asked to do besides checking.
pub struct DoctorAsk {
    pub rebuild: bool,
    pub stats: bool,
    pub compact: bool,
}

pub fn doctor(mut store: Store, ask: DoctorAsk, out: &mut impl Write) -> Result<()> {
    if ask.rebuild {
        let n = store.rebuild()?;
        writeln!(out, "rebuilt the tables from {n} ops")?;
    }
    if ask.compact {
        let (before, after) = store.compact()?;
        writeln!(out, "compacted: {} -> {}", human_bytes(before), human_bytes(after))?;
    }
    let (ops, pending) = store.log_len()?;
    writeln!(out, "database: {}", store.path().display())?;
    writeln!(out, "office: {} (replica {})", store.office()?, store.replica())?;
    writeln!(out, "ops: {ops} in the log, {pending} waiting for predecessors")?;
    if ask.stats {
        let (tables, free) = store.sizes()?;
        let file = std::fs::metadata(store.path()).map(|m| m.len()).unwrap_or(0);
        writeln!(out, "file: {}", human_bytes(file))?;
        writeln!(out, "{:<10} {:>10} {:>10} {:>10} {:>10}", "table", "entries", "stored", "pages", "unused")?;
        for t in &tables {
            writeln!(
                out,
                "{:<10} {:>10} {:>10} {:>10} {:>10}",
                t.table,
                t.entries,
                human_bytes(t.stored),
                human_bytes(t.pages),
                human_bytes(t.fragmented)
            )?;
        }
        writeln!(out, "{:<10} {:>10} {:>10} {:>10}", "free pages", "", "", human_bytes(free))?;
    }
    let problems = store.verify()?;
    if problems.is_empty() {
        writeln!(out, "ok: the tables agree with the log")?;
        Ok(())
    } else {
        for p in &problems {
            writeln!(out, "problem: {p}")?;
        }
        anyhow::bail!("{} problems found; run `teren doctor --rebuild`", problems.len())
    }
}

/// `teren doctor --journal` (see `store::legacy`).
pub fn recover_journal(db: &Path, out: &mut impl Write) -> Result<()> {
    use crate::store::legacy::{self, Recovery};
    match legacy::recover(db)? {
        Recovery::Nothing => writeln!(out, "no old journal with saves beside {}: nothing to recover", db.display())?,
        Recovery::Replayed { saves, damaged, before } => {
            writeln!(
                out,
                "recovered {saves} save(s) from the old journal; the database as it was is kept as {}",
                before.display()
            )?;
            if damaged > 0 {
                writeln!(
                    out,
                    "warning: {damaged} more save(s) in the journal were damaged and could not be recovered"
                )?;
            }
        }
    }
    Ok(())
}

/// `teren backup PATH`: from this process, or beside the app when it has the database
/// open.
pub fn backup(db: &Path, dest: &Path, out: &mut impl Write) -> Result<()> {
    use crate::store::StoreError;
    let done = match Store::open(db) {
        Ok(store) => store.backup(dest)?,
        Err(StoreError::InUse(_)) => crate::store::backup_running(db, dest)?,
        Err(e) => return Err(e.into()),
    };
    writeln!(
        out,
        "backup: {} ({}, {} records, {} ops), checked: it opens and agrees with its log",
        done.path.display(),
        human_bytes(done.bytes),
        done.records,
        done.ops
    )?;
    Ok(())
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 10 << 30 => format!("{} GB", n >> 30),
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 10 << 20 => format!("{} MB", n >> 20),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{} KB", n >> 10),
        n => format!("{n} B"),
    }
}
