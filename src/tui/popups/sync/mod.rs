//! The sync screen (`S`): this office and its fingerprint, the offices waiting to be
//! paired (their bundles held) and the paired ones with the last exchange, the sync
//! folder; pair an office (its introduction file, or its fingerprint typed), write
//! this office's introduction, pair or refuse a waiting office, forget a paired one;
//! export a bundle to a path, import one from a path; and the open conflicts with both
//! values side by side, resolved by a key.
//!
//! Everything it does goes through the same core calls as the command line
//! (`bundle::folder::export_to`, `bundle::import`, `conflicts::resolve`), so a bundle or
//! a resolution made here is the one `teren bundle` / `teren conflicts` would make.

mod actions;
mod draw;
mod live;

use draw::field_label;

use crate::bundle::folder::{FileLine, FileOutcome, OwnOutcome, Synced};
use crate::bundle::{self, Encrypt, Encryption, ImportOptions, KeyStatus, Keys, Outcome, PairedBy, Report, Unpaired};
use crate::conflicts::{self, Conflict};
use crate::i18n::{Lang, t};
use crate::store::Store;
use crate::tui::keymap::{Action, Context};
use crate::tui::view::{Effect, Env, Job, JobResult, View};
use actions::*;
pub use actions::{export, file_line, import, introduce, live_status, pair_file, pair_typed, report_line, report_text};
use age::secrecy::SecretString;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
pub use live::{live_folder, spawn_live};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
use std::path::{Path, PathBuf};

/// How many outcome lines the screen keeps.
const RESULTS_KEPT: usize = 6;

/// A time in ms since the epoch, as the local date and minute.
fn local_time(ms: u64) -> String {
    if ms == 0 {
        return "—".into();
    }
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// An office's fingerprint, as people read it aloud (`bundle::fingerprint`).
pub fn fingerprint(key: &[u8; 32]) -> String {
    bundle::fingerprint(key)
}

/// One known office as the screen lists it.
struct PeerRow {
    label: String,
    short: String,
    replica: crate::sync::ReplicaId,
    fingerprint: String,
    paired: bool,
    /// When its last bundle was imported here.
    last: u64,
    /// This office's ops it has; its own ops this office has.
    sent: u64,
    received: u64,
}

/// What the offices tab shows, read when the screen opens and after changes.
struct Info {
    office: String,
    replica: String,
    fingerprint: String,
    /// Offices whose bundles are held, waiting to be paired or refused.
    pending: Vec<PendingRow>,
    peers: Vec<PeerRow>,
}

/// An office waiting to be paired.
struct PendingRow {
    label: String,
    short: String,
    fingerprint: String,
    bundles: usize,
    why: Unpaired,
}

/// A question the screen asks before it pairs, refuses or forgets (Enter: yes).
#[derive(Debug, Clone)]
enum Ask {
    /// Pair a waiting office by its fingerprint.
    Pair {
        fingerprint: String,
        label: String,
        short: String,
    },
    /// Pair the office whose introduction (or bundle, with its passphrase) is at `path`.
    PairFile {
        path: PathBuf,
        fingerprint: String,
        label: String,
        short: String,
        passphrase: Option<SecretString>,
    },
    Refuse {
        fingerprint: String,
        label: String,
    },
    Forget {
        replica: crate::sync::ReplicaId,
        label: String,
    },
    /// A new identity for this database (a copy of another office's).
    NewIdentity,
}

/// A conflict with its writers' names and times, ready to draw.
struct Row {
    conflict: Conflict,
    /// (office, local time) of each value.
    by: Vec<(String, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tab {
    Offices,
    Conflicts,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Export,
    Import,
    /// A copy of the database (`teren backup`): a path only.
    Backup,
    /// Pair an office: its introduction file's path, or its fingerprint.
    Pair,
    /// Write this office's introduction: a path only.
    Introduce,
    /// This office's name (in the path line).
    Rename,
}

/// The two lines typed for an export or an import: a path and a passphrase.
struct Fields {
    kind: Kind,
    path: String,
    passphrase: String,
    /// 0: the path, 1: the passphrase.
    focus: usize,
}

pub struct Screen {
    /// `sync_dir` of config.toml, when set: the default export folder.
    sync_dir: Option<PathBuf>,
    tab: Tab,
    info: Option<Info>,
    rows: Vec<Row>,
    selected: usize,
    offset: usize,
    fields: Option<Fields>,
    /// The row picked in the offices tab: the waiting offices, then the paired ones.
    pick: usize,
    ask: Option<Ask>,
    /// One line per bundle exported or imported here, newest last.
    results: Vec<String>,
    /// The conflicts' job: its generation (older results are dropped) and whether
    /// one is under way.
    generation: u64,
    loading: bool,
}

/// The conflicts, read on a worker thread, for a generation of the screen's loads.
struct ConflictRows(u64, Result<Vec<Row>, String>);

/// Every open conflict with its writers' names and times.
fn conflict_rows(store: &Store) -> crate::store::Result<Vec<Row>> {
    let peers = store.peers()?;
    Ok(conflicts::list(store)?
        .into_iter()
        .map(|c| {
            let by = c
                .values
                .iter()
                .map(|(s, _)| {
                    let who = conflicts::writer(store, &peers, s.id.replica).unwrap_or_else(|_| s.id.replica.short());
                    (who, local_time(s.clock.millis()))
                })
                .collect();
            Row { conflict: c, by }
        })
        .collect())
}

impl Screen {
    pub fn new(sync_dir: Option<PathBuf>) -> Screen {
        Screen {
            sync_dir,
            tab: Tab::Offices,
            info: None,
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            fields: None,
            pick: 0,
            ask: None,
            results: Vec::new(),
            generation: 0,
            loading: false,
        }
    }

    /// Read the offices (a few rows: here and now) and start the conflicts' job: they
    /// take every record, seconds on 100 000 participants, so never on the UI thread.
    fn load(&mut self, store: &Store) -> anyhow::Result<Effect> {
        let keys = Keys::load(store)?;
        let ours = store.version_vector()?;
        let me = store.replica();
        let peers = store.peers()?;
        let mut rows: Vec<PeerRow> = peers
            .iter()
            .map(|(r, p)| PeerRow {
                label: p.label.clone(),
                short: r.short(),
                replica: *r,
                fingerprint: fingerprint(&p.sign_key),
                paired: p.paired,
                last: p.last_import_ms,
                sent: p.acked.get(&me).copied().unwrap_or(0),
                received: ours.get(r).copied().unwrap_or(0),
            })
            .collect();
        rows.sort_by(|a, b| b.paired.cmp(&a.paired).then(b.last.cmp(&a.last)).then_with(|| a.label.cmp(&b.label)));
        let pending = bundle::folder::pending(store)?
            .into_iter()
            .map(|p| PendingRow {
                label: p.header.office.clone(),
                short: p.header.sender.short(),
                fingerprint: p.fingerprint,
                bundles: p.bundles,
                why: p.why,
            })
            .collect::<Vec<_>>();
        let total = pending.len() + rows.len();
        self.pick = self.pick.min(total.saturating_sub(1));
        self.info = Some(Info {
            office: store.office()?,
            replica: me.short(),
            fingerprint: fingerprint(&keys.sign_public()),
            pending,
            peers: rows,
        });
        self.generation += 1;
        self.loading = true;
        let generation = self.generation;
        Ok(Effect::Job(Job::new(move |store| {
            ConflictRows(generation, conflict_rows(store).map_err(|e| e.to_string()))
        })))
    }

    fn reload(&mut self, store: &Store) -> Effect {
        match self.load(store) {
            Ok(e) => e,
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    fn push_result(&mut self, line: String) {
        self.results.push(line);
        let extra = self.results.len().saturating_sub(RESULTS_KEPT);
        self.results.drain(..extra);
    }

    /// Where an export goes unless the user types another path: the sync folder, or
    /// the current directory (a bundle name is made there, never from personal data).
    fn default_export(&self) -> String {
        let dir = self.sync_dir.clone().or_else(|| std::env::current_dir().ok()).unwrap_or_else(|| PathBuf::from("."));
        dir.display().to_string()
    }

    fn default_import(&self) -> String {
        match &self.sync_dir {
            Some(d) => format!("{}{}", d.display(), std::path::MAIN_SEPARATOR),
            None => String::new(),
        }
    }

    fn start(&mut self, kind: Kind) {
        let path = match kind {
            Kind::Export | Kind::Backup | Kind::Introduce => self.default_export(),
            Kind::Import => self.default_import(),
            Kind::Pair => String::new(),
            Kind::Rename => self.info.as_ref().map(|i| i.office.clone()).unwrap_or_default(),
        };
        self.fields = Some(Fields { kind, path, passphrase: String::new(), focus: 0 });
    }

    /// Run the export or import typed in the fields.
    fn run(&mut self, env: &Env, f: Fields) -> Effect {
        let path = PathBuf::from(f.path.trim());
        let passphrase = (!f.passphrase.is_empty()).then(|| SecretString::from(f.passphrase.clone()));
        let (line, changed) = match f.kind {
            Kind::Export => (export(&env.store, &path, passphrase, env.lang), false),
            Kind::Import => {
                let (line, changed, held) = import_asking(&env.store, &path, passphrase, env.lang);
                if let Some(ask) = held {
                    // Held: ask at once whether the office's fingerprint is the one
                    // it shows, and pair it with this very file if so.
                    self.push_result(line.clone());
                    self.ask = Some(ask);
                    return Effect::Many(vec![Effect::Changed, Effect::Status(line)]);
                }
                (line, changed)
            }
            Kind::Backup => (backup(&env.store, &path, env.lang), false),
            Kind::Introduce => (introduce(&env.store, &path, env.lang), false),
            Kind::Rename => rename(&env.store, &f.path, env.lang),
            Kind::Pair => match pair_start(&env.store, f.path.trim(), env.lang) {
                Ok(PairStart::Ask(ask)) => {
                    self.ask = Some(ask);
                    return Effect::None;
                }
                Ok(PairStart::Done(line, changed)) => (line, changed),
                Err(line) => (line, false),
            },
        };
        self.push_result(line.clone());
        if changed { Effect::Changed } else { Effect::Status(line) }
    }

    /// The question for the picked row: pair or refuse a waiting office (`pair`
    /// true / false), or forget a paired one.
    fn ask_for(&self, pair: bool) -> Option<Ask> {
        let info = self.info.as_ref()?;
        if let Some(p) = info.pending.get(self.pick) {
            return Some(if pair {
                Ask::Pair { fingerprint: p.fingerprint.clone(), label: p.label.clone(), short: p.short.clone() }
            } else {
                Ask::Refuse { fingerprint: p.fingerprint.clone(), label: p.label.clone() }
            });
        }
        let peer = info.peers.get(self.pick - info.pending.len())?;
        (!pair && peer.paired).then(|| Ask::Forget { replica: peer.replica, label: peer.label.clone() })
    }

    /// The answer yes to the question asked.
    fn answer(&mut self, env: &Env, ask: Ask) -> Effect {
        let lang = env.lang;
        let (line, changed) = match ask {
            Ask::Pair { fingerprint, .. } => pair_typed(&env.store, &fingerprint, lang),
            Ask::PairFile { path, fingerprint, passphrase, .. } => {
                pair_file(&env.store, &path, &fingerprint, passphrase, lang)
            }
            Ask::Refuse { fingerprint, label } => match bundle::refuse(&env.store, &fingerprint) {
                Ok(n) => (
                    format!(
                        "{}: {label} ({fingerprint}), {} {n}",
                        t(lang, "sync_refused"),
                        t(lang, "sync_held_deleted")
                    ),
                    true,
                ),
                Err(e) => (format!("{}: {e}", t(lang, "sync_pair_failed")), false),
            },
            Ask::Forget { replica, label } => match bundle::forget(&env.store, replica) {
                Ok(()) => (format!("{}: {label} ({})", t(lang, "sync_forgot"), replica.short()), true),
                Err(e) => (format!("{}: {e}", t(lang, "sync_pair_failed")), false),
            },
            Ask::NewIdentity => new_identity(&env.store, lang),
        };
        self.push_result(line.clone());
        if changed { Effect::Many(vec![Effect::Changed, Effect::Status(line)]) } else { Effect::Status(line) }
    }

    fn resolve(&mut self, env: &Env, action: Action) -> Effect {
        let Some(row) = self.rows.get(self.selected) else {
            return Effect::Status(t(env.lang, "sync_no_conflicts").to_string());
        };
        let c = &row.conflict;
        let (first, last) = match (c.values.first(), c.values.last()) {
            (Some(a), Some(b)) => (a.1.clone(), b.1.clone()),
            _ => return Effect::None,
        };
        let value = match action {
            Action::KeepLeft => first,
            Action::KeepRight => last,
            _ => conflicts::merged(&c.values),
        };
        match conflicts::resolve(&env.store, c.entity, c.id, &c.field, value) {
            Ok(()) => {
                let line =
                    format!("{}: {} — {}", t(env.lang, "sync_resolved"), c.name, field_label(env.lang, &c.field));
                self.push_result(line);
                Effect::Changed
            }
            Err(e) => Effect::Status(e.to_string()),
        }
    }
}

impl View for Screen {
    fn kind(&self) -> &'static str {
        "sync"
    }

    fn contexts(&self) -> Vec<Context> {
        if self.fields.is_some() {
            vec![Context::Form]
        } else if self.ask.is_some() {
            vec![Context::Popup]
        } else {
            vec![Context::Sync]
        }
    }

    fn typing(&self) -> bool {
        self.fields.is_some()
    }

    fn on_text(&mut self, _env: &Env, ev: KeyEvent) -> Option<Effect> {
        let f = self.fields.as_mut()?;
        let line = if f.focus == 0 { &mut f.path } else { &mut f.passphrase };
        match ev.code {
            KeyCode::Char(c) if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => line.push(c),
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) => line.push(c),
            KeyCode::Backspace => {
                line.pop();
            }
            _ => return None,
        }
        Some(Effect::None)
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        if let Some(ask) = self.ask.take() {
            return Some(match action {
                Action::Confirm | Action::Save => self.answer(env, ask),
                Action::Cancel | Action::Quit => Effect::None,
                _ => {
                    self.ask = Some(ask);
                    Effect::None
                }
            });
        }
        if let Some(f) = self.fields.as_mut() {
            match action {
                Action::Cancel => self.fields = None,
                Action::NextField if f.focus == 0 && matches!(f.kind, Kind::Export | Kind::Import) => f.focus = 1,
                Action::PrevField => f.focus = 0,
                Action::NextField | Action::Save => {
                    let f = self.fields.take()?;
                    return Some(self.run(env, f));
                }
                _ => {}
            }
            return Some(Effect::None);
        }
        // The keys that open the path line, each for its kind of work.
        let starts = match action {
            Action::BundleExport => Some(Kind::Export),
            Action::BundleImport => Some(Kind::Import),
            Action::Backup => Some(Kind::Backup),
            Action::Add => Some(Kind::Pair),
            Action::Export => Some(Kind::Introduce),
            Action::RenameOffice => Some(Kind::Rename),
            _ => None,
        };
        if let Some(kind) = starts {
            self.start(kind);
            return Some(Effect::None);
        }
        let effect = match action {
            Action::NewIdentity => {
                self.ask = Some(Ask::NewIdentity);
                Effect::None
            }
            Action::Confirm | Action::Delete if self.tab == Tab::Offices => {
                match self.ask_for(action == Action::Confirm) {
                    Some(ask) => self.ask = Some(ask),
                    None => return Some(Effect::Status(t(env.lang, "sync_pick_office").to_string())),
                }
                Effect::None
            }
            Action::Down | Action::Up if self.tab == Tab::Offices => {
                let total = self.info.as_ref().map(|i| i.pending.len() + i.peers.len()).unwrap_or(0);
                if total > 0 {
                    self.pick = if action == Action::Down {
                        (self.pick + 1).min(total - 1)
                    } else {
                        self.pick.saturating_sub(1)
                    };
                }
                Effect::None
            }
            Action::ConflictsView => {
                self.tab = if self.tab == Tab::Offices { Tab::Conflicts } else { Tab::Offices };
                Effect::None
            }
            Action::KeepLeft | Action::KeepRight | Action::KeepBoth if self.tab == Tab::Conflicts => {
                self.resolve(env, action)
            }
            Action::Down | Action::Up | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom
                if self.tab == Tab::Conflicts =>
            {
                let delta: isize = match action {
                    Action::Down => 1,
                    Action::Up => -1,
                    Action::PageDown => 10,
                    Action::PageUp => -10,
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                if !self.rows.is_empty() {
                    self.selected = (self.selected as isize + delta).clamp(0, self.rows.len() as isize - 1) as usize;
                }
                Effect::None
            }
            Action::Cancel | Action::Clear => Effect::Close,
            _ => return None,
        };
        Some(effect)
    }

    fn activate(&mut self, env: &Env) -> Effect {
        self.reload(&env.store)
    }

    fn data_changed(&mut self) {
        // The app activates a screen again after a change: that reload is enough.
    }

    fn job_done(&mut self, _env: &Env, result: JobResult) -> Result<Effect, JobResult> {
        let ConflictRows(generation, rows) = *result.downcast::<ConflictRows>()?;
        if generation != self.generation {
            // A newer load is under way: this one is stale.
            return Ok(Effect::None);
        }
        self.loading = false;
        match rows {
            Ok(rows) => {
                self.rows = rows;
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                Ok(Effect::None)
            }
            Err(e) => Ok(Effect::Status(e)),
        }
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let lang = env.lang;
        let title = match self.tab {
            Tab::Offices => format!(" {} ", t(lang, "sync_screen")),
            Tab::Conflicts => format!(" {} — {} ", t(lang, "sync_screen"), t(lang, "sync_conflicts")),
        };
        let block = Block::default().borders(Borders::ALL).border_set(env.theme.border()).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        let field_h = if self.fields.is_some() || self.ask.is_some() { 3 } else { 0 };
        let [body, form] = Layout::vertical([Constraint::Fill(1), Constraint::Length(field_h)]).areas(inner);
        match self.tab {
            Tab::Offices => self.render_offices(body, buf, env),
            Tab::Conflicts => self.render_conflicts(body, buf, env),
        }
        if let Some(f) = &self.fields {
            let th = &env.theme;
            let title = match f.kind {
                Kind::Export => t(lang, "sync_export_title"),
                Kind::Import => t(lang, "sync_import_title"),
                Kind::Backup => t(lang, "sync_backup_title"),
                Kind::Pair => t(lang, "sync_pair_title"),
                Kind::Introduce => t(lang, "sync_introduce_title"),
                Kind::Rename => t(lang, "sync_rename_title"),
            };
            let masked: String = "•".repeat(f.passphrase.chars().count());
            let cursor = |on: bool| if on { "▏" } else { "" };
            let mut lines = vec![
                Line::styled(title, th.header()),
                Line::from(vec![
                    Span::styled(
                        format!("{}: ", t(lang, if f.kind == Kind::Rename { "sync_name" } else { "sync_path" })),
                        th.dim(),
                    ),
                    Span::raw(format!("{}{}", f.path, cursor(f.focus == 0))),
                ]),
                Line::from(vec![
                    Span::styled(format!("{}: ", t(lang, "sync_passphrase")), th.dim()),
                    Span::raw(format!("{masked}{}", cursor(f.focus == 1))),
                    Span::styled(
                        if f.passphrase.is_empty() && f.focus == 1 {
                            format!("  {}", t(lang, "sync_passphrase_hint"))
                        } else {
                            String::new()
                        },
                        th.dim(),
                    ),
                ]),
            ];
            if matches!(f.kind, Kind::Backup | Kind::Pair | Kind::Introduce | Kind::Rename) {
                // A path (or a fingerprint) only.
                lines.truncate(2);
            }
            ratatui::widgets::Clear.render(form, buf);
            Paragraph::new(lines).render(form, buf);
        }
        if let Some(ask) = &self.ask {
            let th = &env.theme;
            // The question, the fingerprint to compare on a line of its own, and
            // what the keys do (with the check to make, when pairing).
            let yes_no = t(lang, "sync_ask_yes_no");
            let (question, fp, last) = match ask {
                Ask::Pair { fingerprint, label, short } | Ask::PairFile { fingerprint, label, short, .. } => (
                    format!("{} „{label}” ({short})?", t(lang, "sync_ask_pair")),
                    format!("{}: {fingerprint}", t(lang, "sync_fingerprint")),
                    format!("{} {yes_no}", t(lang, "sync_ask_fingerprint")),
                ),
                Ask::Refuse { fingerprint, label } => (
                    format!("{} „{label}”?", t(lang, "sync_ask_refuse")),
                    format!("{}: {fingerprint}", t(lang, "sync_fingerprint")),
                    format!("{} {yes_no}", t(lang, "sync_ask_refuse_note")),
                ),
                Ask::Forget { replica, label } => (
                    format!("{} „{label}” ({})?", t(lang, "sync_ask_forget"), replica.short()),
                    String::new(),
                    format!("{} {yes_no}", t(lang, "sync_ask_forget_note")),
                ),
                Ask::NewIdentity => (
                    t(lang, "sync_ask_new_identity").to_string(),
                    t(lang, "sync_ask_new_identity_note").to_string(),
                    yes_no.to_string(),
                ),
            };
            let lines =
                vec![Line::styled(question, th.header()), Line::styled(fp, th.header()), Line::styled(last, th.dim())];
            ratatui::widgets::Clear.render(form, buf);
            Paragraph::new(lines).wrap(Wrap { trim: false }).render(form, buf);
        }
    }

    fn count(&self) -> String {
        match self.tab {
            Tab::Offices => self.info.as_ref().map(|i| i.peers.len()).unwrap_or(0).to_string(),
            Tab::Conflicts if self.rows.is_empty() => "0".into(),
            Tab::Conflicts => format!("{}/{}", self.selected + 1, self.rows.len()),
        }
    }

    fn hints(&self) -> Vec<Action> {
        if self.fields.is_some() {
            return vec![Action::NextField, Action::Save, Action::Cancel];
        }
        if self.ask.is_some() {
            return vec![Action::Confirm, Action::Cancel];
        }
        match self.tab {
            Tab::Offices => {
                let waiting = self.info.as_ref().is_some_and(|i| !i.pending.is_empty());
                let mut h = vec![Action::BundleExport, Action::BundleImport, Action::Backup];
                if waiting {
                    h.extend([Action::Confirm, Action::Delete]);
                }
                h.extend([Action::ConflictsView, Action::Cancel]);
                h
            }
            Tab::Conflicts => vec![Action::KeepLeft, Action::KeepRight, Action::KeepBoth, Action::ConflictsView],
        }
    }
}
