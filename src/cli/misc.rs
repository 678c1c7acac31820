//! `demo`, `doctor`, `man` and the short guide shown before the app exists.

use super::output::Progress;
use crate::store::Store;
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;

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

pub fn demo(store: &Store, participants: usize, seed: u64, out: &mut impl Write) -> Result<()> {
    let mut bar = Progress::new("demo");
    let sum = crate::demo::generate(store, participants, seed, &mut |d, t| bar.update(d, t))?;
    bar.finish();
    // A demo office has a name, so that `teren office` and bundle names mean something.
    if store.meta_bytes("office")?.is_none() {
        store.set_office("Biuro Strzelce Krajeńskie")?;
    }
    // A neighbouring office met through a bundle, with two conflicting notes.
    crate::demo::office::neighbour(store)?;
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

pub fn doctor(store: &Store, rebuild: bool, out: &mut impl Write) -> Result<()> {
    if rebuild {
        let n = store.rebuild()?;
        writeln!(out, "rebuilt the tables from {n} ops")?;
    }
    let (ops, pending) = store.log_len()?;
    writeln!(out, "database: {}", store.path().display())?;
    writeln!(out, "office: {} (replica {})", store.office()?, store.replica())?;
    writeln!(out, "ops: {ops} in the log, {pending} waiting for predecessors")?;
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

pub fn keymap(cmd: super::KeymapCmd, out: &mut impl Write) -> Result<()> {
    use crate::tui::keymap;
    match cmd {
        super::KeymapCmd::Path => {
            let p = keymap::user_path().ok_or_else(|| anyhow::anyhow!("cannot find the user's config directory"))?;
            writeln!(out, "{}", p.display())?;
        }
        super::KeymapCmd::Check { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let n = keymap::check(&text, &file.display().to_string()).map_err(|e| anyhow::anyhow!(e))?;
            writeln!(out, "ok: {} loads ({n} bindings with the defaults)", file.display())?;
        }
        super::KeymapCmd::Default => write!(out, "{}", keymap::DEFAULT)?,
        super::KeymapCmd::Vim => write!(out, "{}", keymap::VIM)?,
    }
    Ok(())
}
