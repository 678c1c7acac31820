//! The terminal app: terminal set-up and restore, and the event loop. The app itself
//! is `app` (the router) over `panes`, `popups` and `widgets`.
//!
//! One loop, one message enum: key presses from an input thread and the results of
//! jobs run off the UI thread arrive on one channel. The loop blocks for a message, handles it
//! and everything already queued, and only then draws — once, inside a synchronized
//! update, through a buffered writer. There is no redraw timer.

pub mod app;
pub mod backend;
pub mod editor;
pub mod errors;
pub mod form;
pub mod keymap;
pub mod panes;
pub mod popups;
pub mod theme;
pub mod view;
pub mod widgets;

use crate::i18n::Lang;
use crate::store::Store;
use anyhow::{Context as _, Result};
use crossterm::event::{Event, KeyEventKind};
use crossterm::{execute, terminal};
use ratatui::Terminal;
use serde::Deserialize;
use std::io::{BufWriter, Stdout};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;

/// Where teren's config (config.toml, keymap.toml) lives.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("TEREN_CONFIG_DIR") {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("pl", "teren", "teren").map(|d| d.config_dir().to_path_buf())
}

/// `config.toml`: `lang = "en"`, `ascii = true`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub lang: Option<String>,
    pub ascii: Option<bool>,
    /// A folder shared with other offices (Syncthing, Nextcloud, a network share):
    /// the open app imports their bundles as they appear and writes its own.
    pub sync_dir: Option<PathBuf>,
    /// The sync folder's passphrase, on the first line of this file; without it
    /// bundles are encrypted to the keys of the offices met in the folder.
    pub sync_passphrase_file: Option<PathBuf>,
}

/// Read config.toml; a bad file gives a warning and the defaults.
pub fn load_config() -> (Config, Option<String>) {
    let Some(path) = config_dir().map(|d| d.join("config.toml")).filter(|p| p.exists()) else {
        return (Config::default(), None);
    };
    match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str::<Config>(&t).map_err(|e| e.message().to_string()))
    {
        Ok(c) => (c, None),
        Err(e) => (Config::default(), Some(format!("config ignored: {}: {e}", path.display()))),
    }
}

/// Options from the command line.
pub struct Options {
    pub lang: Option<Lang>,
    pub ascii: bool,
}

enum Msg {
    Input(Event),
    /// A job finished (a pane's load, `view::Effect::Job`): its result, for the app.
    Job(view::JobResult),
    /// The terminal went away (SSH dropped, window closed) or we were asked to stop.
    Hangup,
    /// A pass of the live sync folder that did something.
    LiveSync(Result<crate::bundle::folder::Synced, String>),
    /// The capture draft could not be written: the error, and why.
    DraftFailed(String, Option<crate::store::Trouble>),
}

type Term = Terminal<backend::Lean<BufWriter<Stdout>>>;

fn enter(term: &mut Term) -> Result<()> {
    terminal::enable_raw_mode().context("cannot switch the terminal to raw mode (is this a terminal?)")?;
    execute!(term.backend_mut().writer_mut(), terminal::EnterAlternateScreen)
        .context("cannot open the alternate screen")?;
    // Clear and force a full redraw. Not `term.clear()`: it asks the terminal for the
    // cursor position and fails when no answer comes (slow links, terminals without DSR).
    let size = term.size()?;
    term.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
    Ok(())
}

/// Put the terminal back as we found it. Safe to call twice.
pub fn restore() {
    let _ = terminal::disable_raw_mode();
    let mut out = std::io::stdout();
    let _ = execute!(out, terminal::LeaveAlternateScreen, crossterm::cursor::Show);
}

/// Open the app on `store`.
pub fn run(store: Store, opts: Options) -> Result<()> {
    let (config, config_warning) = load_config();
    let lang = opts.lang.or_else(|| config.lang.as_deref().and_then(Lang::parse)).unwrap_or_default();
    let ascii = opts.ascii || config.ascii.unwrap_or(false);
    let (keymap, keymap_warning) = keymap::Keymap::load(keymap::user_path().as_deref());

    let store = Arc::new(store);
    let height = terminal::size().map(|(_, h)| h as usize).unwrap_or(40);
    let mut app = app::App::new(store.clone(), lang, theme::Theme::from_env(ascii), keymap, height)?;
    if let Some(w) = keymap_warning.or(config_warning) {
        app.set_status(w);
    }
    app.sync_dir = config.sync_dir.clone();
    if let Some(dir) = config.sync_dir {
        match popups::sync::live_folder(dir, config.sync_passphrase_file.as_deref()) {
            Ok(live) => app.live_sync = Some(live),
            Err(e) => app.set_status(e),
        }
    }

    // The terminal is restored before a panic message is printed.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));

    let backend = backend::Lean::new(BufWriter::with_capacity(64 * 1024, std::io::stdout())).synchronized();
    let mut term = Terminal::new(backend)?;
    enter(&mut term)?;
    let result = event_loop(&mut term, &mut app, store.clone());
    restore();
    // Every thread has been joined: these are the last handles on the database.
    let (erased, path) = (store.erased_since_open(), store.path().to_path_buf());
    drop(app);
    let last = Arc::try_unwrap(store).is_ok();
    if erased && last {
        // After an erasure, no trace of the values in the file's free pages.
        eprintln!("teren: rewriting the database so that nothing of the erased data is left in it…");
        crate::store::scrub(&path)?;
    }
    result
}

/// Start a job: the part that reads the store on a thread joined at exit (it holds the
/// store); a computation after it on a thread of its own that holds no store, so
/// quitting does not wait for it on a big database and redb still closes cleanly.
fn spawn_job(tx: &mpsc::Sender<Msg>, store: &Arc<Store>, job: view::Job) -> std::thread::JoinHandle<()> {
    let tx = tx.clone();
    let store = store.clone();
    std::thread::spawn(move || match job.run(&store) {
        view::Step::Done(r) => {
            let _ = tx.send(Msg::Job(r));
        }
        view::Step::Then(compute) => {
            drop(store);
            std::thread::spawn(move || {
                let _ = tx.send(Msg::Job(compute()));
            });
        }
    })
}

/// How long typing must pause before a capture draft is written, and the longest a
/// draft waits while typing goes on.
const DRAFT_IDLE: std::time::Duration = std::time::Duration::from_millis(400);
const DRAFT_MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The capture-draft writer: a thread that writes the newest draft after a pause in
/// typing (or at once when a field was left), so typing never waits on the disk.
/// It is a one-shot debounce on its own channel: nothing wakes the UI loop but a
/// failed write, which it reports (`Msg::DraftFailed`). It returns the error of its
/// last write, if that failed: the write at quit has no loop left to report to.
fn spawn_draft_writer(
    store: Arc<Store>,
    report: mpsc::Sender<Msg>,
) -> (mpsc::Sender<popups::capture::DraftMsg>, std::thread::JoinHandle<Option<crate::store::StoreError>>) {
    let (tx, rx) = mpsc::channel::<popups::capture::DraftMsg>();
    let handle = std::thread::spawn(move || {
        let mut last = None;
        while let Ok(mut msg) = rx.recv() {
            let first = std::time::Instant::now();
            while !msg.1 {
                let wait = DRAFT_IDLE.min(DRAFT_MAX_WAIT.saturating_sub(first.elapsed()));
                if wait.is_zero() {
                    break;
                }
                match rx.recv_timeout(wait) {
                    Ok(newer) => msg = newer,
                    Err(_) => break,
                }
            }
            last = store.set_local(crate::capture::DRAFT_KEY, msg.0.as_deref()).err();
            if let Some(e) = &last {
                let detail = match e {
                    crate::store::StoreError::Write { detail, .. } => detail.clone(),
                    other => other.to_string(),
                };
                let _ = report.send(Msg::DraftFailed(detail, e.trouble()));
            }
        }
        last
    });
    (tx, handle)
}

/// Run the loop, then wait for every thread that holds the store, so that the last
/// handle is dropped when the app is, and redb closes the file cleanly (a file left
/// open is repaired at the next start, which takes a while on a big database).
fn event_loop(term: &mut Term, app: &mut app::App, store: Arc<Store>) -> Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>();
    let (sink, writer) = spawn_draft_writer(store.clone(), tx.clone());
    app.env.drafts.sink = Some(sink);
    let mut loaders = Vec::new();
    let mut result = run_loop(term, app, store, (tx, rx), &mut loaders);
    app.env.drafts.sink = None;
    if let Ok(Some(e)) = writer.join()
        && result.is_ok()
    {
        result = Err(anyhow::anyhow!("the unsaved meeting note could not be kept for the next start: {e}"));
    }
    for l in loaders {
        let _ = l.join();
    }
    result
}

fn run_loop(
    term: &mut Term,
    app: &mut app::App,
    store: Arc<Store>,
    (tx, rx): (mpsc::Sender<Msg>, mpsc::Receiver<Msg>),
    loaders: &mut Vec<std::thread::JoinHandle<()>>,
) -> Result<()> {
    // A dropped SSH connection sends SIGHUP, which would kill us mid-way and leave the
    // database for redb to repair at the next start. Quit through the loop instead, so
    // everything is closed properly (a capture draft is already on disk by then).
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM]) {
            let tx = tx.clone();
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    let _ = tx.send(Msg::Hangup);
                }
            });
        }
    }
    // The live sync folder; it stops when `_live_stop` is dropped with this loop.
    let _live_stop = app.live_sync.take().map(|live| {
        let tx = tx.clone();
        let (stop, handle) = popups::sync::spawn_live(store.clone(), live, move |r| tx.send(Msg::LiveSync(r)).is_ok());
        loaders.push(handle);
        stop
    });
    let input_tx = tx.clone();
    // Paused while `$EDITOR` has the terminal.
    let input = editor::InputGate::default();
    let gate = input.clone();
    std::thread::spawn(move || {
        while let Ok(ev) = gate.read() {
            if input_tx.send(Msg::Input(ev)).is_err() {
                break;
            }
        }
    });
    // Everyone loads on two other threads while the first frame (the first page,
    // already read) is drawn.
    app.load();
    let mut draw_first = true;
    loop {
        if draw_first {
            for job in app.take_jobs() {
                loaders.push(spawn_job(&tx, &store, job));
            }
        }
        if app.dirty || draw_first {
            draw(term, app)?;
            app.dirty = false;
            draw_first = false;
        }
        // Jobs (loads, a graph, a report, an import): joined at exit, as they hold the
        // store. Finished threads need no joining: forget them so stepping through
        // months does not pile up handles.
        let jobs = app.take_jobs();
        if !jobs.is_empty() {
            loaders.retain(|h| !h.is_finished());
        }
        for job in jobs {
            loaders.push(spawn_job(&tx, &store, job));
        }
        let Ok(first) = rx.recv() else { return Ok(()) };
        let mut next = Some(first);
        while let Some(msg) = next {
            let req = match msg {
                Msg::Input(Event::Key(k)) if k.kind == KeyEventKind::Press => app.on_key(k),
                Msg::Input(Event::Resize(..)) => {
                    app.dirty = true;
                    app::Request::None
                }
                Msg::Input(Event::Paste(text)) => {
                    for c in text.chars().filter(|c| !c.is_control()) {
                        let ev = crossterm::event::KeyEvent::new(
                            crossterm::event::KeyCode::Char(c),
                            crossterm::event::KeyModifiers::NONE,
                        );
                        app.on_key(ev);
                    }
                    app::Request::None
                }
                Msg::Input(_) => app::Request::None,
                Msg::Hangup => app::Request::Quit,
                Msg::DraftFailed(detail, trouble) => {
                    app.set_status(crate::tui::errors::write_failed(app.env.lang, trouble, &detail));
                    app.dirty = true;
                    app::Request::None
                }
                Msg::Job(result) => app.job_done(result),
                Msg::LiveSync(r) => {
                    let (line, changed) = popups::sync::live_status(app.env.lang, &r);
                    if !line.is_empty() {
                        app.set_status(line);
                        app.dirty = true;
                    }
                    if changed { app::Request::Reload } else { app::Request::None }
                }
            };
            match req {
                app::Request::Quit => return Ok(()),
                app::Request::Reload => app.reload(),
                app::Request::Suspend => {
                    suspend(term)?;
                    app.dirty = true;
                }
                app::Request::Editor => {
                    restore();
                    input.paused(|| app.edit_externally(&editor::command()));
                    enter(term)?;
                }
                app::Request::None => {}
            }
            next = rx.try_recv().ok();
        }
    }
}

fn draw(term: &mut Term, app: &mut app::App) -> Result<()> {
    // The backend wraps a frame that changes something in a synchronized update.
    term.draw(|f| {
        let area = f.area();
        app.render(area, f.buffer_mut());
    })?;
    Ok(())
}

/// Ctrl-Z: give the terminal back, stop until `fg`, then take it again.
fn suspend(term: &mut Term) -> Result<()> {
    restore();
    #[cfg(unix)]
    {
        // SIGTSTP to ourselves without unsafe code: the shell's job control does the rest.
        let _ = std::process::Command::new("kill").args(["-TSTP", &std::process::id().to_string()]).status();
    }
    enter(term)?;
    Ok(())
}
