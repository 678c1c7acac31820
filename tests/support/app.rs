//! The app on a database in a temp dir, driven by keys and drawn into a buffer: shared
//! by the app's tests and the README generator.
//!
//! Tests see the app only as a user would, and through the narrow API `App` keeps for
//! them: what is on the screen ([`Fixture::screen`]), the focused pane, the kind of the
//! top popup, the status line, the selected record's id; everything else they learn
//! from the store. So the app's insides can be rebuilt without touching a test.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::path::Path;
use std::sync::Arc;
use teren::i18n::Lang;
use teren::model::{Entity, FollowUp, Id, Meeting, Participant};
use teren::store::Store;
use teren::sync::Doc;
use teren::tui::app::{App, Request};
use teren::tui::keymap::Keymap;
use teren::tui::theme::Theme;
use unicode_width::UnicodeWidthStr;

pub struct Fixture {
    /// The database's folder, kept alive while the test runs (files written beside the
    /// database land here too).
    pub dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub app: App,
}

/// The app on a demo database of 120 participants, with the demo's own day as today.
pub fn fixture(lang: Lang) -> Fixture {
    fixture_sized(lang, 120)
}

/// The app on a demo database of `participants`, with the demo's own day as today.
pub fn fixture_sized(lang: Lang, participants: usize) -> Fixture {
    let f = Fixture::build(lang, |store| {
        teren::demo::generate(store, participants, 1, &mut |_, _| {}).unwrap();
    });
    pinned(f)
}

/// Make the demo's anchor the app's today. The demo's dates are counted from it, so on
/// the real date the screens (overdue counts on the status line, overdue tasks in a
/// municipality's detail) would change as the calendar moves on: the first change comes
/// on 2027-12-22, when a demo task due 400 days after the anchor falls overdue.
fn pinned(mut f: Fixture) -> Fixture {
    f.app.set_today(teren::demo::anchor());
    f
}

impl Fixture {
    /// The app on a new database in a temp dir, filled by `fill` before the app opens
    /// it, and loaded as the event loop loads it at start.
    pub fn build(lang: Lang, fill: impl FnOnce(&Store)) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("teren.redb")).unwrap();
        fill(&store);
        Fixture::open(dir, Arc::new(store), lang)
    }

    /// The app on `store` (in `dir`), loaded as the event loop loads it at start.
    pub fn open(dir: tempfile::TempDir, store: Arc<Store>, lang: Lang) -> Fixture {
        let app = new_app(&store, lang);
        let mut f = Fixture { dir, store, app };
        f.started();
        f
    }

    /// The app goes away (unsaved work and all) and starts again on the same database.
    pub fn restart(&mut self, lang: Lang) {
        self.app = new_app(&self.store, lang);
        self.started();
    }

    /// What the event loop does once the first frame is up: load the list and count
    /// the conflicts.
    fn started(&mut self) {
        self.app.load();
        self.run_jobs();
    }

    /// The app quits and lets go of the database (a command can open it now); the
    /// folder with the file stays while the returned handle lives.
    pub fn close(self) -> tempfile::TempDir {
        let Fixture { dir, store, app } = self;
        drop(app);
        drop(store);
        dir
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// Send one key; do what the app asks its loop to do (a reload, its jobs)
    /// synchronously.
    pub fn key(&mut self, ev: KeyEvent) -> Request {
        let req = self.app.on_key(ev);
        if req == Request::Reload {
            self.app.reload();
        }
        self.run_jobs();
        req
    }

    /// Send one key straight to the app, as if the loop were busy: nothing is done
    /// about the request it returns (no reload) and its jobs wait for
    /// [`Fixture::take_jobs`].
    pub fn key_only(&mut self, code: KeyCode) -> Request {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    /// The jobs waiting: the test runs them when it likes ([`Fixture::finish`]).
    pub fn take_jobs(&mut self) -> Vec<teren::tui::view::Job> {
        self.app.take_jobs()
    }

    /// A job's result handed back to the app, as the loop does when its thread ends.
    pub fn finish(&mut self, job: teren::tui::view::Job) {
        if self.app.job_done(job.run_here(&self.store)) == Request::Reload {
            self.app.reload();
        }
    }

    /// Run the jobs the app asked for (loads, a graph, a report, an import) here and
    /// now, and the ones their results start, as the loop does on threads.
    pub fn run_jobs(&mut self) {
        loop {
            let jobs = self.app.take_jobs();
            if jobs.is_empty() {
                return;
            }
            for job in jobs {
                self.finish(job);
            }
        }
    }

    pub fn code(&mut self, code: KeyCode) -> Request {
        self.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    pub fn ch(&mut self, c: char) -> Request {
        self.code(KeyCode::Char(c))
    }

    pub fn typ(&mut self, text: &str) {
        for c in text.chars() {
            self.ch(c);
        }
    }

    pub fn ctrl(&mut self, c: char) -> Request {
        self.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }

    /// Empty the line being typed (Backspace until nothing is left of any path).
    pub fn clear_line(&mut self) {
        for _ in 0..300 {
            self.code(KeyCode::Backspace);
        }
    }

    /// The app drawn at `w`×`h`, as text ([`buffer_text`]).
    pub fn screen(&mut self, w: u16, h: u16) -> String {
        buffer_text(&self.buffer(w, h))
    }

    /// The app drawn at `w`×`h`, styles and all.
    pub fn buffer(&mut self, w: u16, h: u16) -> Buffer {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        self.app.render(area, &mut buf);
        buf
    }

    /// The focused pane, counted from 0 (the key that shows it is one more).
    pub fn pane(&self) -> usize {
        self.app.pane()
    }

    /// The kind of the top popup or full screen ("form", "record", "sync"…); None
    /// when a pane has the keyboard.
    pub fn popup(&self) -> Option<&'static str> {
        self.app.popup_kind()
    }

    /// The message on the status line.
    pub fn status(&self) -> Option<String> {
        self.app.status().map(str::to_string)
    }

    /// The record selected in the focused pane: a participant (pane 1), a meeting
    /// (pane 2), an organisation or person of the graph (pane 4).
    pub fn selected(&self) -> Option<Id> {
        self.app.selected_id()
    }

    /// The name of the participant selected in the focused pane, from the store.
    pub fn selected_name(&self) -> String {
        let id = self.selected().expect("a record is selected");
        participant(&self.store, id).name
    }

    /// Select a participant (pane 1) or a meeting (pane 2), clearing the filters that
    /// hide it; false when the pane does not list it.
    pub fn select(&mut self, id: Id) -> bool {
        self.app.select(id)
    }

    /// The records the focused list shows, top to bottom, as many as the status line
    /// counts: Home, then each row's selected id on the way down (the selection stays
    /// on the last row).
    pub fn listed(&mut self) -> Vec<Id> {
        let (n, _) = list_count(&self.screen(120, 40));
        self.code(KeyCode::Home);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 {
                self.code(KeyCode::Down);
            }
            out.push(self.selected().expect("a row is selected"));
        }
        out
    }

    /// The names of the participants not deleted, from the store.
    pub fn live_names(&self) -> Vec<String> {
        participants(&self.store).into_iter().map(|p| p.name).collect()
    }
}

fn new_app(store: &Arc<Store>, lang: Lang) -> App {
    App::new(store.clone(), lang, Theme { color: false, ascii: false }, Keymap::default_map(), 24).unwrap()
}

/// Every record of `entity` in the store (deleted ones too), read by `from_doc`.
pub fn records<T>(store: &Store, entity: Entity, from_doc: impl Fn(Id, &Doc) -> T) -> Vec<T> {
    store.docs(entity).unwrap().into_iter().map(|(id, d)| from_doc(id, &d)).collect()
}

/// One record of `entity`, read by `from_doc`; it must be stored.
pub fn record<T>(store: &Store, entity: Entity, id: Id, from_doc: impl Fn(Id, &Doc) -> T) -> T {
    from_doc(id, &store.doc(entity, id).unwrap().unwrap_or_else(|| panic!("no {entity:?} {id}")))
}

/// The participants not deleted, from the store.
pub fn participants(store: &Store) -> Vec<Participant> {
    records(store, Entity::Participant, Participant::from_doc).into_iter().filter(|p| !p.deleted).collect()
}

/// One participant, from the store.
pub fn participant(store: &Store, id: Id) -> Participant {
    record(store, Entity::Participant, id, Participant::from_doc)
}

/// The meetings not deleted, from the store.
pub fn meetings(store: &Store) -> Vec<Meeting> {
    records(store, Entity::Meeting, Meeting::from_doc).into_iter().filter(|m| !m.deleted).collect()
}

/// One meeting, from the store.
pub fn meeting(store: &Store, id: Id) -> Meeting {
    record(store, Entity::Meeting, id, Meeting::from_doc)
}

/// The follow-ups not deleted, from the store.
pub fn follow_ups(store: &Store) -> Vec<FollowUp> {
    records(store, Entity::FollowUp, FollowUp::from_doc).into_iter().filter(|x| !x.deleted).collect()
}

/// The live participant called `name`, from the store.
pub fn participant_named(store: &Store, name: &str) -> Participant {
    participants(store).into_iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no participant {name}"))
}

/// The first line of `screen` that contains `needle`.
pub fn line_with<'s>(screen: &'s str, needle: &str) -> &'s str {
    screen.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle:?}:\n{screen}"))
}

/// The status line: the screen's last line.
pub fn status_line(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

/// The count the status line shows for the focused list, after its mode: "24/24" is
/// (24, Some(24)), the rows shown of all; a graph's "40" is (40, None).
pub fn list_count(screen: &str) -> (usize, Option<usize>) {
    let line = status_line(screen);
    let word = line
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no count on the status line: {line:?}"));
    let mut parts = word.split('/');
    let shown = parts.next().unwrap().parse().unwrap_or_else(|_| panic!("no count in {word:?}"));
    (shown, parts.next().map(|t| t.parse().unwrap_or_else(|_| panic!("no count in {word:?}"))))
}

/// The screen's text with borders and line breaks as single spaces, for lines that
/// wrap.
pub fn flat(screen: &str) -> String {
    screen.replace(['│', '\n'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The line of the field a form has the focus on, from its label (right after the `>`
/// that marks it; a list's selected row has a space there) to the end; None when no
/// field is marked (the cursor is in a row of a list field).
pub fn focused_field(screen: &str) -> Option<&str> {
    screen.lines().find_map(|l| {
        l.trim_start_matches(['│', ' ']).strip_prefix('>').filter(|rest| !rest.starts_with(' ') && !rest.is_empty())
    })
}

/// The buffer as text: one line per row, trailing blanks trimmed. The cells hidden
/// behind a wide character are skipped.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = sym.width().saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
