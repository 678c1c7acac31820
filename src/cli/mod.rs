//! The command line of DESIGN.md §8: clap definitions and one module per command
//! group, with what the groups share in `args` (clap arguments), `list` (list
//! output), `record` (show, edit, delete, restore) and `output` (tables, JSON).
//! Doc comments here are the help text, the man page and the completions.

mod args;
mod data;
mod followups;
mod graph;
mod list;
mod map;
mod meetings;
mod misc;
mod needs;
mod office;
pub mod output;
mod participants;
mod partnerships;
mod plan;
mod record;
mod relations;
mod resources;
mod sync;

use crate::i18n::Lang;
use crate::store::Store;
use anyhow::{Context, Result};
pub use args::ListArgs;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// teren — field notebook for local animators: participants, meetings, the local
/// resource map and partnerships, synced between offices by bundle files.
#[derive(Parser, Debug)]
#[command(name = "teren", version, about, long_about = None, after_help = "Run without a command to open the app.")]
pub struct Cli {
    /// Database file (default: teren.redb in the user's data directory).
    #[arg(long, global = true, env = "TEREN_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Interface language: pl (default) or en.
    #[arg(long, global = true, value_name = "pl|en", value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Draw borders with plain ASCII (old consoles).
    #[arg(long, global = true)]
    pub ascii: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_lang(s: &str) -> std::result::Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("'{s}' is not a language; use pl or en"))
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fill the database with realistic Polish demo data.
    Demo {
        /// How many participants (people and organisations).
        #[arg(long, default_value_t = 300)]
        participants: usize,
        /// Seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// People and organisations.
    #[command(subcommand)]
    Participant(participants::ParticipantCmd),
    /// Meetings, visits and other activities.
    #[command(subcommand)]
    Meeting(meetings::MeetingCmd),
    /// Open follow-ups of all meetings, by due date.
    Followups {
        /// Include the ones already done.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// A follow-up: mark done or undo.
    #[command(subcommand)]
    Followup(followups::FollowupCmd),
    /// The local resource map (mapa zasobów).
    #[command(subcommand)]
    Resource(resources::ResourceCmd),
    /// Needs found by a diagnosis.
    #[command(subcommand)]
    Need(needs::NeedCmd),
    /// The resource map as a tree with counts (gmina → place → category); the gap;
    /// a place's map as Markdown or CSV.
    Map(map::MapArgs),
    /// Local partnerships.
    #[command(subcommand)]
    Partnership(partnerships::PartnershipCmd),
    /// Typed links between participants.
    #[command(subcommand)]
    Relation(relations::RelationCmd),
    /// A municipality's support path: stages with dates and documents, areas and
    /// forms of cooperation, the responsible animator.
    #[command(subcommand)]
    Path(plan::PathCmd),
    /// Action plans (Plan Działania): goals, tasks, ticking, overdue, export.
    #[command(subcommand)]
    Plan(plan::PlanCmd),
    /// Who works with whom: bridges, isolated participants, groups; export, growth.
    Graph(graph::GraphArgs),
    /// Import participants from a spreadsheet (CSV).
    #[command(subcommand)]
    Import(data::ImportCmd),
    /// Export participants, meetings, attendance or follow-ups as CSV or XLSX.
    Export(data::ExportArgs),
    /// Projects: period and targets to report against.
    #[command(subcommand)]
    Project(data::ProjectCmd),
    /// Indicators of a project against its targets, and what records lack for it.
    Report(data::ReportArgs),
    /// The audit log of exports and erasures (who, when, what kind — never the data).
    Audit {
        #[arg(long)]
        json: bool,
    },
    /// Print the whole database.
    Dump {
        /// Canonical JSON (sorted, no local-only data).
        #[arg(long)]
        json: bool,
    },
    /// Check the database; --rebuild remakes every table from the operation log.
    Doctor {
        /// Remake every table from the operation log.
        #[arg(long)]
        rebuild: bool,
        /// Recover the saves an older teren left in `teren.redb.journal`: replayed into a
        /// copy, checked, then swapped in (the original kept as `teren.redb.before-journal`).
        #[arg(long, conflicts_with_all = ["rebuild", "stats", "compact"])]
        journal: bool,
        /// Bytes on disk by table, and the free pages.
        #[arg(long)]
        stats: bool,
        /// Give the free pages back to the disk (redb's compaction).
        #[arg(long)]
        compact: bool,
    },
    /// A consistent copy of the database, safe while the app runs; checked before it is
    /// named. PATH is a new file, or a folder to put a dated copy in.
    Backup { path: PathBuf },
    /// Keymaps: where the user's file goes, and checking one.
    #[command(subcommand)]
    Keymap(KeymapCmd),
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Bundle files: exchange changes with other offices.
    #[command(subcommand)]
    Bundle(sync::BundleCmd),
    /// This office: its name, fingerprint and keys; pair, refuse and forget other offices.
    Office(office::OfficeArgs),
    /// Shared-folder mode: write this office's bundle into DIR and import the others'.
    Sync(sync::SyncArgs),
    /// Text fields two offices edited at once; resolve them.
    Conflicts(sync::ConflictsArgs),
    /// Erase a person's personal data (RODO): here now, at other offices with the next bundle.
    Erase {
        /// The participant's id (or a unique prefix).
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeymapCmd {
    /// Print where the user's keymap.toml goes.
    Path,
    /// Check a keymap file: exit 0 if it loads, 1 with the first problem if not.
    Check { file: PathBuf },
    /// Print the default keymap (a starting point for your own).
    Default,
    /// Print the vim-style preset.
    Vim,
}

/// Where the database is: --db, TEREN_DB, or the user's data directory.
pub fn db_path(cli_db: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = cli_db {
        return Ok(p);
    }
    let dirs = directories::ProjectDirs::from("pl", "teren", "teren")
        .context("cannot find the user's data directory; give the database with --db PATH or TEREN_DB")?;
    Ok(dirs.data_dir().join("teren.redb"))
}

/// Open the database for a command.
pub fn open(cli_db: Option<PathBuf>) -> Result<Store> {
    let path = before_open(cli_db)?;
    notice(Store::open(&path)?)
}

/// Open the database for a command that writes in bulk ([`Store::open_bulk`]).
pub fn open_bulk(cli_db: Option<PathBuf>) -> Result<Store> {
    let path = before_open(cli_db)?;
    notice(Store::open_bulk(&path)?)
}

/// Open the database for bundle export, import and sync ([`crate::store::SYNC_CACHE`]).
pub fn open_sync(cli_db: Option<PathBuf>) -> Result<Store> {
    let path = before_open(cli_db)?;
    notice(Store::open_with_cache(&path, crate::store::SYNC_CACHE)?)
}

/// Open the database for the app ([`Store::open_app`]).
pub fn open_app(cli_db: Option<PathBuf>) -> Result<Store> {
    let path = before_open(cli_db)?;
    notice(Store::open_app(&path)?)
}

/// The database's path, after telling the user (on stderr) when opening it will
/// upgrade it: a big database takes a while, once, and a silent wait looks like a hang.
fn before_open(cli_db: Option<PathBuf>) -> Result<PathBuf> {
    let path = db_path(cli_db)?;
    if Store::schema_at(&path).is_some_and(|v| v < crate::store::SCHEMA_VERSION) {
        eprintln!("teren: {}", UPGRADING);
    }
    Ok(path)
}

/// The notice of [`before_open`].
pub const UPGRADING: &str =
    "upgrading the database to this version of teren (once; about a minute per million participants)";

/// Tell the user (on stderr, beside the command's output) what opening changed.
fn notice(store: Store) -> Result<Store> {
    if store.tightened() {
        eprintln!("teren: {}", crate::store::files::TIGHTENED);
    }
    Ok(store)
}

/// Run a parsed command. The app (no command) and `teren keymap` are the terminal
/// app's: `main` sends them to [`crate::tui`].
pub fn run(cli: Cli, out: &mut impl std::io::Write) -> Result<()> {
    let lang = cli.lang.unwrap_or_default();
    let Some(command) = cli.command else {
        return misc::guide(cli.db, out);
    };
    match command {
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // clap_complete panics on a write error (a closed pipe), so render to memory.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "teren", &mut buf);
            out.write_all(&buf).map_err(Into::into)
        }
        Command::Man => misc::man(out),
        Command::Keymap(k) => {
            Err(anyhow::anyhow!("`teren keymap {k:?}` is run by the binary (tui::keymap::keymap_command)"))
        }
        Command::Demo { participants, seed } => misc::demo(open_bulk(cli.db)?, participants, seed, out),
        Command::Participant(c) => participants::participant(&open(cli.db)?, c, lang, out),
        Command::Meeting(c) => meetings::meeting(&open(cli.db)?, c, lang, out),
        Command::Followups { all, json } => followups::followups(&open(cli.db)?, all, json, out),
        Command::Followup(c) => followups::followup(&open(cli.db)?, c, out),
        Command::Resource(c) => resources::resource(&open(cli.db)?, c, lang, out),
        Command::Need(c) => needs::need(&open(cli.db)?, c, lang, out),
        Command::Map(a) => map::run(&open(cli.db)?, a, lang, out),
        Command::Partnership(c) => partnerships::partnership(&open(cli.db)?, c, lang, out),
        Command::Relation(c) => relations::relation(&open(cli.db)?, c, lang, out),
        Command::Path(c) => plan::path(&open(cli.db)?, c, lang, out),
        Command::Plan(c) => plan::plan(&open(cli.db)?, c, lang, out),
        Command::Graph(a) => graph::run(&open(cli.db)?, a, lang, out),
        Command::Import(c) => {
            let mut store = open_bulk(cli.db)?;
            data::import(&store, c, out)?;
            Ok(store.compact_if_loose()?)
        }
        Command::Export(a) => data::export(&open(cli.db)?, a, lang, out),
        Command::Project(c) => data::project(&open(cli.db)?, c, lang, out),
        Command::Report(a) => data::report(&open(cli.db)?, a, lang, out),
        Command::Audit { json } => data::audit(&open(cli.db)?, json, out),
        Command::Dump { json: _ } => output::json(out, &crate::dump::dump(&open(cli.db)?)?).map_err(Into::into),
        Command::Doctor { journal: true, .. } => misc::recover_journal(&db_path(cli.db)?, out),
        Command::Doctor { rebuild, stats, compact, .. } => {
            misc::doctor(open_bulk(cli.db)?, misc::DoctorAsk { rebuild, stats, compact }, out)
        }
        Command::Backup { path } => misc::backup(&db_path(cli.db)?, &path, out),
        Command::Bundle(c) => sync::bundle(&open_sync(cli.db)?, c, out),
        Command::Office(a) => office::office(open(cli.db)?, a, out),
        Command::Sync(a) => sync::sync(&open_sync(cli.db)?, a, out),
        Command::Conflicts(a) => sync::conflicts(&open(cli.db)?, a, out),
        Command::Erase { id } => {
            let store = open(cli.db)?;
            sync::erase(&store, &id, out)?;
            let erased = store.erased_since_open();
            let path = store.path().to_path_buf();
            drop(store);
            if erased {
                // No trace of the erased values in the file's free pages.
                crate::store::scrub(&path)?;
                writeln!(out, "rewrote the database file: nothing of the erased data is left in it")?;
            }
            Ok(())
        }
    }
}
