//! The app as a router: a key goes to the top popup or screen, then to the focused
//! pane, then to the app's own keys; what they ask for comes back as an [`Effect`]
//! and is applied here. Drawing is in `draw.rs`, from state alone.
//!
//! The panes are a list ([`App::new`]), the popups and screens a stack; every one is
//! a [`View`] in its own file under `tui/panes/` or `tui/popups/`. To add a pane, add
//! a line to the list; to add a popup, return it from a view as `Effect::Popup`.

mod draw;

pub use super::keymap::action_label;
use super::keymap::{Action, Context, Key, Keymap, Lookup};
use super::panes::participants::{self, Directory};
use super::panes::{graph, meetings, plans, report, resources};
use super::popups::capture::Drafts;
use super::popups::{self, FirstRun, ResumeDraft};
use super::theme::Theme;
use super::view::{Effect, Env, Job, JobResult, View};
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id};
use crate::store::Store;
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use std::sync::Arc;

/// Work the app asks its loop to do (it owns threads and the terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    None,
    Quit,
    Suspend,
    /// The store changed: load the participants again and tell every pane.
    Reload,
    /// Hand the terminal to `$EDITOR` for the top popup ([`App::edit_externally`]).
    Editor,
}

pub struct App {
    /// What every pane and popup works with (store, language, keys, today, everyone).
    pub env: Env,
    /// The panes, in the order of the pane bar, with the catalogue key of their name.
    panes: Vec<(&'static str, Box<dyn View>)>,
    /// The focused pane.
    pane: usize,
    /// Popups and full screens over the panes, the top one last.
    stack: Vec<Box<dyn View>>,
    /// Jobs asked for (`Effect::Job`), taken by the loop ([`App::take_jobs`]) to run on
    /// threads; their results come back to [`App::job_done`].
    jobs: Vec<Job>,
    /// The participants' load: results of older ones are dropped.
    load_generation: u64,
    /// The store's generation ([`Store::generation`]) everyone was read at, once all
    /// of them are here: the next load patches the changes since.
    people_generation: Option<u64>,
    /// Keys of a sequence being typed (`g g`).
    pending_keys: Vec<Key>,
    status: Option<String>,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// Open conflicts, counted off the UI thread after each load (None: not yet).
    conflicts: Option<usize>,
    /// Overdue plan tasks as of a day, for the status line: read once per data change
    /// (and day), not on every frame.
    overdue: std::cell::Cell<Option<(chrono::NaiveDate, usize)>>,
    /// `sync_dir` of config.toml: the live sync folder, the sync screen's default.
    pub sync_dir: Option<std::path::PathBuf>,
    /// The live sync folder, handed to the event loop's thread at start.
    pub live_sync: Option<crate::bundle::folder::Live>,
}

/// Results of the app's own jobs: everyone, and the open conflicts.
struct PeopleLoaded(u64, u64, crate::store::Result<Arc<Directory>>);
struct ConflictsCounted(u64, crate::store::Result<usize>);

impl App {
    /// The app on `store`, showing the first `first_rows` participants at once (the
    /// rest is loaded after the first frame).
    pub fn new(
        store: Arc<Store>,
        lang: Lang,
        theme: Theme,
        keymap: Keymap,
        first_rows: usize,
    ) -> crate::store::Result<App> {
        let first = Arc::new(participants::first_page(&store, first_rows)?);
        let total = store.count(Entity::Participant)?;
        // One small table: known for the first frame, so it does not change the
        // status line when the background count confirms it.
        let conflicts = store.conflict_count().ok();
        let draft = crate::capture::pending(&store);
        let today = crate::plans::today();
        let env = Env { store, lang, keymap, theme, today, people: first.clone(), drafts: Drafts::new(lang) };
        let panes: Vec<(&'static str, Box<dyn View>)> = vec![
            ("participants", Box::new(participants::Pane::new(first, total))),
            ("meetings", Box::new(meetings::Pane::new())),
            ("resources", Box::new(resources::Pane::new())),
            ("partnerships", Box::new(graph::Pane::new())),
            ("plans", Box::new(plans::Pane::new())),
            ("report", Box::new(report::Pane::new())),
        ];
        let mut app = App {
            env,
            panes,
            pane: 0,
            stack: Vec::new(),
            jobs: Vec::new(),
            load_generation: 0,
            people_generation: None,
            pending_keys: Vec::new(),
            status: None,
            dirty: true,
            conflicts,
            overdue: std::cell::Cell::new(None),
            sync_dir: None,
            live_sync: None,
        };
        if total == 0 {
            app.stack.push(Box::new(FirstRun));
        }
        if let Some(d) = draft {
            app.env.drafts.on_disk.set(true);
            app.stack.push(Box::new(ResumeDraft(d)));
        }
        let effect = app.panes[0].1.activate(&app.env);
        app.apply(effect);
        Ok(app)
    }

    fn tr(&self, key: &str) -> &'static str {
        t(self.env.lang, key)
    }

    fn focused(&self) -> &dyn View {
        &*self.panes[self.pane].1
    }

    /// Every view the app holds: the stack, top first, then the panes.
    fn views_mut(&mut self) -> impl Iterator<Item = &mut Box<dyn View>> {
        self.stack.iter_mut().rev().chain(self.panes.iter_mut().map(|(_, v)| v))
    }

    /// Put a popup or a screen on top, and let it load what it shows.
    fn push(&mut self, mut view: Box<dyn View>) -> Request {
        let effect = view.activate(&self.env);
        self.stack.push(view);
        self.apply(effect)
    }

    /// Do what a view asked for.
    pub fn apply(&mut self, effect: Effect) -> Request {
        self.dirty = true;
        match effect {
            Effect::None => {}
            Effect::Status(s) => self.status = Some(s),
            Effect::Popup(v) => return self.push(v),
            Effect::Replace(v) => {
                self.stack.pop();
                return self.push(v);
            }
            Effect::OpenParticipant(id) => {
                self.switch(0);
                self.panes[0].1.select(&self.env, id);
            }
            Effect::Changed => return Request::Reload,
            Effect::Close => {
                self.stack.pop();
            }
            Effect::Tell(word) => return self.job_done(word),
            Effect::Quit => return Request::Quit,
            Effect::Suspend => return Request::Suspend,
            Effect::Editor => return Request::Editor,
            Effect::Many(effects) => {
                let mut req = Request::None;
                for e in effects {
                    match self.apply(e) {
                        Request::None => {}
                        Request::Quit => return Request::Quit,
                        r => req = r,
                    }
                }
                return req;
            }
            Effect::Job(job) => self.jobs.push(job),
        }
        Request::None
    }

    /// The focused pane, counted from 0.
    pub fn pane(&self) -> usize {
        self.pane
    }

    /// What is on top: the top popup or full screen ("form", "record", "sync"…), for
    /// tests and the README generator; None when a pane has the keyboard.
    pub fn popup_kind(&self) -> Option<&'static str> {
        self.stack.last().map(|v| v.kind())
    }

    /// The message on the status line.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// Say something on the status line (the loop's news: a live sync, a failed draft).
    pub fn set_status(&mut self, message: String) {
        self.status = Some(message);
        self.dirty = true;
    }

    /// Open conflicts, once counted.
    pub fn conflicts(&self) -> Option<usize> {
        self.conflicts
    }

    /// The record selected in the focused pane (a participant, a meeting, a node of
    /// the graph).
    pub fn selected_id(&self) -> Option<Id> {
        self.focused().selected()
    }

    /// Select a record in the focused pane (a participant or a meeting), clearing the
    /// filters when they hide it. False when the pane has no such record.
    pub fn select(&mut self, id: Id) -> bool {
        self.dirty = true;
        self.panes[self.pane].1.select(&self.env, id)
    }

    /// Make `day` today for the panes that count from it (overdue tasks and
    /// follow-ups, periods), so tests and README screens do not move with the calendar.
    pub fn set_today(&mut self, day: chrono::NaiveDate) {
        self.env.today = day;
        self.overdue.set(None);
        for v in self.views_mut() {
            v.day_changed(day);
        }
        let effect = self.panes[self.pane].1.activate(&self.env);
        self.apply(effect);
    }

    /// Load the participant list (and count the open conflicts) in the background.
    pub fn load(&mut self) {
        self.load_generation += 1;
        let g = self.load_generation;
        let (old, since) = (self.env.people.clone(), self.people_generation);
        self.jobs.push(Job::new(move |s| {
            // Read before the rows: a change made meanwhile is patched again next time.
            let now = s.generation();
            let patched = match since.and_then(|since| s.people_changed_since(since)) {
                Some(ids) if ids.is_empty() => Ok(Some(old)),
                Some(ids) => old.patched(s, &ids).map(|d| d.map(Arc::new)),
                None => Ok(None),
            };
            let people = match patched {
                Ok(Some(d)) => Ok(d),
                Ok(None) => participants::load_all(s).map(Arc::new),
                Err(e) => Err(e),
            };
            PeopleLoaded(g, now, people)
        }));
        // A job of its own, after the rows, so the list never waits for it.
        self.jobs.push(Job::new(move |s| ConflictsCounted(g, crate::conflicts::count(s))));
    }

    /// The store changed (a write of ours, a sync): load everyone again and tell every
    /// pane and screen that what it holds is stale; the focused pane and the screens
    /// load what they show now.
    pub fn reload(&mut self) {
        self.load();
        self.overdue.set(None);
        for v in self.views_mut() {
            v.data_changed();
        }
        for i in 0..self.stack.len() {
            // A screen shows what is there now (a live sync may have brought more).
            if !self.stack[i].modal() {
                let effect = self.stack[i].activate(&self.env);
                self.apply(effect);
            }
        }
        let effect = self.panes[self.pane].1.activate(&self.env);
        self.apply(effect);
    }

    /// The work waiting to be done off the UI thread; the loop runs each job on a
    /// thread and hands its result to [`App::job_done`].
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.jobs)
    }

    /// A job finished (or a view told the others something): the view that knows the
    /// result's type takes it.
    pub fn job_done(&mut self, result: JobResult) -> Request {
        self.dirty = true;
        let result = match result.downcast::<PeopleLoaded>() {
            Ok(r) => {
                let PeopleLoaded(g, at, r) = *r;
                match r {
                    Ok(dir) if g == self.load_generation => {
                        self.people_generation = Some(at);
                        self.people_loaded(dir)
                    }
                    Ok(_) => {}
                    Err(e) => self.status = Some(e.to_string()),
                }
                return Request::None;
            }
            Err(r) => r,
        };
        let mut result = match result.downcast::<ConflictsCounted>() {
            Ok(r) => {
                let ConflictsCounted(g, r) = *r;
                match r {
                    Ok(n) if g == self.load_generation => self.conflicts = Some(n),
                    Ok(_) => {}
                    Err(e) => self.status = Some(e.to_string()),
                }
                return Request::None;
            }
            Err(r) => r,
        };
        let mut taken = None;
        let env = &self.env;
        for v in self.stack.iter_mut().rev().chain(self.panes.iter_mut().map(|(_, v)| v)) {
            match v.job_done(env, result) {
                Ok(effect) => {
                    taken = Some(effect);
                    break;
                }
                Err(r) => result = r,
            }
        }
        match taken {
            Some(effect) => self.apply(effect),
            None => Request::None,
        }
    }

    /// Everyone, loaded again: every view that shows or picks participants follows.
    fn people_loaded(&mut self, dir: Arc<Directory>) {
        self.env.people = dir;
        let env = &self.env;
        for v in self.stack.iter_mut().chain(self.panes.iter_mut().map(|(_, v)| v)) {
            v.people_changed(env);
        }
    }

    /// The key contexts now, most specific first.
    fn contexts(&self) -> Vec<Context> {
        let (view, modal) = match self.stack.last() {
            Some(top) => (&**top, top.modal()),
            None => (self.focused(), false),
        };
        let mut c = view.contexts();
        if !modal && !view.typing() {
            c.extend([Context::List, Context::Global]);
        }
        c
    }

    /// Handle one key press: the top popup or screen, or the focused pane, while it
    /// types; then the keymap.
    pub fn on_key(&mut self, ev: KeyEvent) -> Request {
        self.dirty = true;
        let view = match self.stack.last_mut() {
            Some(top) => top,
            None => &mut self.panes[self.pane].1,
        };
        if view.typing()
            && let Some(e) = view.on_text(&self.env, ev)
        {
            return self.apply(e);
        }
        let contexts = self.contexts();
        self.pending_keys.push(Key::from_event(&ev));
        match self.env.keymap.lookup(&contexts, &self.pending_keys) {
            Lookup::Pending => Request::None,
            Lookup::Run(a) => {
                self.pending_keys.clear();
                self.run(a)
            }
            Lookup::None => {
                let retry = self.pending_keys.len() > 1;
                let last = self.pending_keys.pop();
                self.pending_keys.clear();
                if let (true, Some(k)) = (retry, last)
                    && let Lookup::Run(a) = self.env.keymap.lookup(&contexts, &[k])
                {
                    return self.run(a);
                }
                Request::None
            }
        }
    }

    /// An action: the top popup or screen first, else the focused pane, then the
    /// app's own keys.
    fn run(&mut self, action: Action) -> Request {
        if let Some(top) = self.stack.last_mut() {
            let modal = top.modal();
            return match top.on_action(&self.env, action) {
                Some(e) => self.apply(e),
                // A popup's own keys end here: Esc, Enter and `?` close it.
                None if modal => {
                    match action {
                        Action::Quit => return Request::Quit,
                        Action::Cancel | Action::Confirm | Action::Help => {
                            self.stack.pop();
                        }
                        _ => {}
                    }
                    Request::None
                }
                None if action == Action::Cancel => {
                    self.stack.pop();
                    Request::None
                }
                // A screen: the app's own keys still work.
                None => self.global(action),
            };
        }
        match self.panes[self.pane].1.on_action(&self.env, action) {
            Some(e) => self.apply(e),
            None => self.global(action),
        }
    }

    /// The app's own keys, wherever the focus is: quit, help, panes, sync, capture.
    fn global(&mut self, action: Action) -> Request {
        use Action::*;
        let count = self.panes.len();
        match action {
            Quit => return Request::Quit,
            Suspend => return Request::Suspend,
            Help => return self.push(Box::new(popups::Help::default())),
            PaneParticipants => self.switch(0),
            PaneMeetings => self.switch(1),
            PaneResources => self.switch(2),
            PanePartnerships => self.switch(3),
            PanePlans => self.switch(4),
            PaneReport => self.switch(5),
            SyncScreen => return self.push(Box::new(popups::sync::Screen::new(self.sync_dir.clone()))),
            NextPane => self.switch((self.pane + 1) % count),
            PrevPane => self.switch((self.pane + count - 1) % count),
            Capture => {
                let d = crate::capture::pending(&self.env.store)
                    .unwrap_or_else(|| crate::capture::fresh(&self.env.store, self.env.today));
                return self.push(Box::new(popups::capture::Capture::from_draft(&d, self.env.lang)));
            }
            _ => {}
        }
        Request::None
    }

    /// Show another pane (closing any screen); it loads what it needs.
    fn switch(&mut self, pane: usize) {
        if pane >= self.panes.len() {
            return;
        }
        self.stack.clear();
        self.pane = pane;
        let effect = self.panes[pane].1.activate(&self.env);
        self.apply(effect);
    }

    /// Run the external editor `cmd` for the top popup (the capture's notes) and take
    /// back what it wrote. The loop hands the terminal over around this; tests call it
    /// directly with a script as the editor.
    pub fn edit_externally(&mut self, cmd: &str) {
        self.dirty = true;
        if let Some(top) = self.stack.last_mut() {
            let effect = top.editor(&self.env, cmd);
            self.apply(effect);
        }
    }
}
