//! The app on a demo database, driven by keys and drawn into a buffer: shared by the
//! TUI tests and the README generator.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;
use teren::i18n::Lang;
use teren::store::Store;
use teren::tui::app::{App, Request};
use teren::tui::keymap::Keymap;
use teren::tui::theme::Theme;
use unicode_width::UnicodeWidthStr;

pub struct Fixture {
    // Kept alive so the database file stays while the test runs.
    pub _dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub app: App,
}

pub fn fixture(lang: Lang) -> Fixture {
    fixture_sized(lang, 120)
}

pub fn fixture_sized(lang: Lang, participants: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("teren.redb")).unwrap();
    teren::demo::generate(&store, participants, 1, &mut |_, _| {}).unwrap();
    let store = Arc::new(store);
    let mut app =
        App::new(store.clone(), lang, Theme { color: false, ascii: false }, Keymap::default_map(), 24).unwrap();
    pin_today(&mut app, teren::demo::anchor());
    app.load();
    let mut f = Fixture { _dir: dir, store, app };
    f.run_jobs();
    f
}

/// Make `day` the app's today. The demo's dates are counted from its anchor, so on the
/// real date the screens (overdue counts on the status line, overdue tasks in a
/// municipality's detail) would change as the calendar moves on: the first change
/// comes on 2027-12-22, when a demo task due 400 days after the anchor falls overdue.
pub fn pin_today(app: &mut App, day: chrono::NaiveDate) {
    app.set_today(day);
}

impl Fixture {
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

    /// Run the jobs the app asked for (loads, a graph, a report, an import) here and
    /// now, and the ones their results start, as the loop does on threads.
    pub fn run_jobs(&mut self) {
        loop {
            let jobs = self.app.take_jobs();
            if jobs.is_empty() {
                return;
            }
            for job in jobs {
                if self.app.job_done(job.run_here(&self.store)) == Request::Reload {
                    self.app.reload();
                }
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

    pub fn screen(&mut self, w: u16, h: u16) -> String {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        self.app.render(area, &mut buf);
        buffer_text(&buf)
    }

    pub fn live_names(&self) -> Vec<String> {
        teren::tui::panes::participants::load_all(&self.store).unwrap().rows.into_iter().map(|r| r.name).collect()
    }
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
