//! App state and key handling. Handlers change state and mark it dirty; drawing
//! happens in `render`, from state alone.

mod capture;
mod draw;
mod partnership;

pub use super::popup::Popup;

use super::capture::{self as cap, Capture};
use super::form::{self, Field, Form, Target};
pub use super::keymap::action_label;
use super::keymap::{Action, Context, Key, Keymap, Lookup};
use super::theme::Theme;
use super::view::{Effect, Env, Job, JobResult, View};
use super::{graph, meetings, participants, resources};
use crate::edit::{self, EditError};
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Participant};
use crate::store::Store;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use std::sync::Arc;
use std::sync::mpsc;

/// Work the app asks its loop to do (it owns threads and the terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    None,
    Quit,
    Suspend,
    /// Reload the participant rows in the background.
    Reload,
    /// Hand the terminal to `$EDITOR` for the capture notes ([`App::edit_externally`]).
    Editor,
}

/// A capture draft for the background writer: the bytes (None clears it), and whether
/// to write at once (a field was left) or after a pause in typing.
pub type DraftMsg = (Option<Vec<u8>>, bool);

pub struct App {
    pub store: Arc<Store>,
    pub lang: Lang,
    pub theme: Theme,
    pub keymap: Keymap,
    pub pane: usize,
    pub people: participants::Pane,
    /// Panes that implement `View`, by pane index (0 participants, 1 meetings and 3
    /// the graph are built in), with the catalogue key of their name.
    pub views: Vec<(usize, &'static str, Box<dyn View>)>,
    /// A full screen over the panes (sync, import), closed with Esc.
    pub screen: Option<Box<dyn View>>,
    /// Jobs asked for (the panes' loads, `Effect::Job`), taken by the loop
    /// ([`App::take_jobs`]) to run on threads; their results come back to `job_done`.
    jobs: Vec<Job>,
    /// The participant list's load: results of older ones are dropped.
    load_generation: u64,
    pub meetings: meetings::Pane,
    /// Pane 4: the partnership graph.
    pub graph: graph::Pane,
    /// Where capture drafts go to be written off the UI thread; None writes them here
    /// (headless tests).
    pub draft_sink: Option<mpsc::Sender<DraftMsg>>,
    /// Whether a draft may be on disk (so clearing it is worth a write).
    draft_on_disk: bool,
    pub popups: Vec<Popup>,
    pub pending_keys: Vec<Key>,
    pub status: Option<String>,
    pub last_deleted: Option<Id>,
    /// Select this participant when the next reload arrives (after add or undo).
    pub select_after_reload: Option<Id>,
    pub dirty: bool,
    pub total: usize,
    /// Open conflicts, counted off the UI thread after each load (None: not yet).
    pub conflicts: Option<usize>,
    /// Overdue plan tasks as of a day, for the status line: read once per data change
    /// (and day), not on every frame.
    overdue: std::cell::Cell<Option<(chrono::NaiveDate, usize)>>,
    /// `sync_dir` of config.toml: the live sync folder, the sync screen's default.
    pub sync_dir: Option<std::path::PathBuf>,
    /// The live sync folder, handed to the event loop's thread at start.
    pub live_sync: Option<crate::bundle::folder::Live>,
}

impl App {
    pub fn new(
        store: Arc<Store>,
        lang: Lang,
        theme: Theme,
        keymap: Keymap,
        first_rows: usize,
    ) -> crate::store::Result<App> {
        let first = participants::first_page(&store, first_rows)?;
        let total = store.count(Entity::Participant)?;
        let store_conflicts = store.conflict_count().ok();
        let mut app = App {
            store,
            lang,
            theme,
            keymap,
            pane: 0,
            people: participants::Pane::new(first),
            views: vec![
                (2, "resources", Box::new(resources::Pane::new())),
                (5, "report", Box::new(super::report::Pane::new())),
            ],
            screen: None,
            jobs: Vec::new(),
            load_generation: 0,
            meetings: meetings::Pane::new(),
            graph: graph::Pane::new(),
            draft_sink: None,
            draft_on_disk: false,
            popups: Vec::new(),
            pending_keys: Vec::new(),
            status: None,
            last_deleted: None,
            select_after_reload: None,
            dirty: true,
            total,
            // One small table: known for the first frame, so it does not change the
            // status line when the background count confirms it.
            conflicts: store_conflicts,
            overdue: std::cell::Cell::new(None),
            sync_dir: None,
            live_sync: None,
        };
        // Pane 5: action plans.
        app.views.push((4, "plans", Box::new(super::plans::Pane::new())));
        if total == 0 {
            app.popups.push(Popup::FirstRun);
        }
        if let Some(d) = crate::capture::pending(&app.store) {
            app.draft_on_disk = true;
            app.popups.push(Popup::ResumeDraft(d));
        }
        app.refresh_detail();
        Ok(app)
    }

    fn tr(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    /// How many panes the bar shows: the four built in and the views after them.
    pub fn pane_count(&self) -> usize {
        self.views.iter().map(|(i, ..)| i + 1).max().unwrap_or(0).max(4)
    }

    fn pane_name(&self, pane: usize) -> &'static str {
        match pane {
            0 => "participants",
            1 => "meetings",
            3 => "partnerships",
            p => self.views.iter().find(|(i, ..)| *i == p).map(|(_, n, _)| *n).unwrap_or("?"),
        }
    }

    fn view_index(&self, pane: usize) -> Option<usize> {
        self.views.iter().position(|(i, ..)| *i == pane)
    }

    /// Open a full screen (sync, import) over the panes.
    pub fn open_screen(&mut self, mut screen: Box<dyn View>) {
        let effect = {
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            screen.activate(&env)
        };
        self.screen = Some(screen);
        self.apply(effect);
    }

    /// Do what a view asked for.
    pub fn apply(&mut self, effect: Effect) -> Request {
        self.dirty = true;
        match effect {
            Effect::None => {}
            Effect::Status(s) => self.status = Some(s),
            Effect::Popup(p) => self.popups.push(p),
            Effect::OpenParticipant(id) => {
                self.screen = None;
                self.pane = 0;
                if !self.people.select_id(id) {
                    self.people.clear();
                    self.people.select_id(id);
                }
                self.refresh_detail();
            }
            Effect::Changed => return Request::Reload,
            Effect::Close => self.screen = None,
            Effect::Many(effects) => {
                let mut req = Request::None;
                for e in effects {
                    if self.apply(e) == Request::Reload {
                        req = Request::Reload;
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
        if let Some(p) = self.popups.last() {
            return Some(p.kind());
        }
        self.screen.as_ref().map(|s| s.kind())
    }

    /// The message on the status line.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// Open conflicts, once counted.
    pub fn conflicts(&self) -> Option<usize> {
        self.conflicts
    }

    /// The record selected in the focused pane (a participant, a meeting, a node of
    /// the graph).
    pub fn selected_id(&self) -> Option<Id> {
        match self.pane {
            0 => self.people.selected_id(),
            1 => self.meetings.selected_id(),
            3 => {
                let n = self.graph.selected_node()?;
                self.graph.shown.as_ref().map(|c| c.graph.nodes[n].id)
            }
            _ => None,
        }
    }

    /// Select a record in the focused pane (a participant or a meeting), clearing the
    /// filters when they hide it. False when the pane has no such record.
    pub fn select(&mut self, id: Id) -> bool {
        self.dirty = true;
        match self.pane {
            0 => {
                let found = self.people.select_id(id) || {
                    self.people.clear();
                    self.people.select_id(id)
                };
                self.refresh_detail();
                found
            }
            1 => {
                self.meetings.select_id(id) || {
                    self.meetings.clear();
                    self.meetings.select_id(id)
                }
            }
            _ => false,
        }
    }

    /// Make `day` today for the panes that count from it (overdue tasks and
    /// follow-ups, periods), so tests and README screens do not move with the calendar.
    pub fn set_today(&mut self, day: chrono::NaiveDate) {
        self.meetings.today = day;
        self.views.retain(|(i, ..)| *i != 4);
        self.views.push((4, "plans", Box::new(super::plans::Pane::with_today(day))));
        self.overdue.set(None);
        // The detail was counted from the real date.
        self.people.detail = None;
        self.refresh_detail();
        self.dirty = true;
    }

    /// Load the participant list (and count the open conflicts) in the background.
    pub fn load(&mut self) {
        self.load_generation += 1;
        let g = self.load_generation;
        self.jobs.push(Job::new(move |s| PeopleLoaded(g, participants::load_all(s))));
        // A job of its own, after the rows, so the list never waits for it.
        self.jobs.push(Job::new(move |s| ConflictsCounted(g, crate::conflicts::count(s))));
    }

    /// The store changed (a write of ours, a sync): load the list again and tell
    /// every pane that what it holds is stale.
    pub fn reload(&mut self) {
        self.load();
        if self.pane != 1 {
            self.meetings.loaded = false;
        }
        self.data_changed();
    }

    /// The work waiting to be done off the UI thread; the loop runs each job on a
    /// thread and hands its result to [`App::job_done`].
    pub fn take_jobs(&mut self) -> Vec<Job> {
        let mut jobs = std::mem::take(&mut self.jobs);
        for job in std::mem::take(&mut self.graph.jobs) {
            jobs.push(Job::then(
                move |s| {
                    let data = job.load(s);
                    (job, data)
                },
                |(job, data)| match data {
                    Ok(data) => {
                        let computed = job.compute(data);
                        GraphDone(job, Ok(computed))
                    }
                    Err(e) => GraphDone(job, Err(e)),
                },
            ));
        }
        if let Some(g) = self.meetings.load_job.take() {
            let lang = self.lang;
            jobs.push(Job::new(move |s| MeetingsDone(g, meetings::load(s, lang))));
        }
        jobs
    }

    /// A job finished: the pane that knows the result's type takes it.
    pub fn job_done(&mut self, result: JobResult) -> Request {
        self.dirty = true;
        let result = match result.downcast::<PeopleLoaded>() {
            Ok(r) => {
                let PeopleLoaded(g, r) = *r;
                match r {
                    Ok(l) if g == self.load_generation => self.loaded(l),
                    Ok(_) => {}
                    Err(e) => self.status = Some(e.to_string()),
                }
                return Request::None;
            }
            Err(r) => r,
        };
        let result = match result.downcast::<ConflictsCounted>() {
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
        let result = match result.downcast::<GraphDone>() {
            Ok(r) => {
                let GraphDone(job, r) = *r;
                self.graph_ready(job, r);
                return Request::None;
            }
            Err(r) => r,
        };
        let mut result = match result.downcast::<MeetingsDone>() {
            Ok(r) => {
                let MeetingsDone(g, r) = *r;
                self.meetings_loaded(g, r);
                return Request::None;
            }
            Err(r) => r,
        };
        let views = self.screen.iter_mut().chain(self.views.iter_mut().map(|(_, _, v)| v));
        let mut taken = None;
        for v in views {
            match v.job_done(result) {
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

    pub fn loaded(&mut self, loaded: participants::Loaded) {
        self.total = loaded.rows.len();
        self.people.set_loaded(loaded);
        if let Some(id) = self.select_after_reload.take()
            && !self.people.select_id(id)
        {
            self.people.clear();
            self.people.select_id(id);
        }
        self.refresh_detail();
        self.dirty = true;
    }

    /// The data changed (the loop's reload): cached graphs are stale; the graph pane,
    /// if shown, asks for a new one.
    pub fn data_changed(&mut self) {
        self.overdue.set(None);
        for (_, _, v) in self.views.iter_mut() {
            v.data_changed();
        }
        if let Some(s) = self.screen.as_mut() {
            s.data_changed();
            // A screen shows what is there now (a live sync may have brought more).
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            let effect = s.activate(&env);
            self.apply(effect);
        }
        if let Some(i) = self.view_index(self.pane) {
            let effect = {
                let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
                self.views[i].2.activate(&env)
            };
            self.apply(effect);
        }
        self.graph.data_changed();
        if self.pane == 3 {
            self.graph.ensure();
        }
        if self.pane == 1 {
            self.meetings.request_load();
        } else {
            self.meetings.invalidate();
        }
    }

    /// A graph job finished.
    pub fn graph_ready(&mut self, job: graph::Job, result: crate::store::Result<graph::Computed>) {
        if self.graph.ready(job, result) {
            self.dirty = true;
        }
    }

    pub(crate) fn refresh_detail(&mut self) {
        let Some(id) = self.people.selected_id() else {
            self.people.detail = None;
            return;
        };
        if self.people.detail.as_ref().is_some_and(|d| d.id == id) {
            return;
        }
        match participants::detail(&self.store, id, self.lang, false, self.meetings.today) {
            Ok(d) => self.people.detail = d,
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    fn contexts(&self) -> Vec<Context> {
        let view = self.screen.as_deref().or_else(|| self.view_index(self.pane).map(|i| &*self.views[i].2));
        match self.popups.last() {
            Some(Popup::Partnership(d)) if !d.is_form() => vec![Context::Popup],
            Some(Popup::Form(_) | Popup::Capture(_) | Popup::Partnership(_)) => vec![Context::Form],
            Some(_) => vec![Context::Popup],
            None if view.is_some_and(|v| v.typing()) => view.map(|v| v.contexts()).unwrap_or_default(),
            None if view.is_some() => {
                let mut c = view.map(|v| v.contexts()).unwrap_or_default();
                c.extend([Context::List, Context::Global]);
                c
            }
            None if self.people.searching && self.pane == 0 => vec![Context::Search],
            None if self.meetings.searching && self.pane == 1 => vec![Context::Search],
            None if self.graph.searching && self.pane == 3 => vec![Context::Search],
            None if self.pane == 0 => vec![Context::Participants, Context::List, Context::Global],
            None if self.pane == 1 => vec![Context::Meetings, Context::List, Context::Global],
            None if self.pane == 3 => vec![Context::Graph, Context::List, Context::Global],
            None => vec![Context::List, Context::Global],
        }
    }

    /// Handle one key press.
    pub fn on_key(&mut self, ev: KeyEvent) -> Request {
        self.dirty = true;
        let printable = match ev.code {
            KeyCode::Char(c)
                if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    || ev.modifiers.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        };
        if let Some(Popup::Capture(_)) = self.popups.last() {
            return self.capture_key(ev, printable);
        }
        if let Some(Popup::Partnership(_)) = self.popups.last() {
            return self.partnership_key(ev, printable);
        }
        // Pane 4's `/`: letters go to the query.
        if self.popups.is_empty()
            && self.pane == 3
            && self.graph.searching
            && self.graph.search_key(printable, ev.code == KeyCode::Backspace)
        {
            return Request::None;
        }
        if self.popups.is_empty() {
            let vi = self.view_index(self.pane);
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            let effect = match (self.screen.as_mut(), vi) {
                (Some(s), _) if s.typing() => s.on_text(&env, ev),
                (None, Some(i)) if self.views[i].2.typing() => self.views[i].2.on_text(&env, ev),
                _ => None,
            };
            if let Some(e) = effect {
                return self.apply(e);
            }
        }
        if self.popups.is_empty() && self.pane == 1 && self.meetings.searching {
            match (printable, ev.code) {
                (Some(c), _) => {
                    self.meetings.query.push(c);
                    self.meetings.refilter();
                    return Request::None;
                }
                (_, KeyCode::Backspace) => {
                    self.meetings.query.pop();
                    self.meetings.refilter();
                    return Request::None;
                }
                _ => {}
            }
        }
        // A focused text field sees keys before the keymap: every printable key types.
        if let Some(Popup::Form(f)) = self.popups.last_mut()
            && let Some(field) = f.focused()
        {
            match (printable, ev.code) {
                (Some(c), _) => {
                    field.insert(c);
                    f.dirty = true;
                    return Request::None;
                }
                (_, KeyCode::Backspace) => {
                    field.backspace();
                    return Request::None;
                }
                (_, KeyCode::Delete) => {
                    field.delete();
                    return Request::None;
                }
                (_, KeyCode::Left) => {
                    field.left();
                    return Request::None;
                }
                (_, KeyCode::Right) => {
                    field.right();
                    return Request::None;
                }
                _ => {}
            }
        }
        if self.popups.is_empty() && self.pane == 0 && self.people.searching {
            match (printable, ev.code) {
                (Some(c), _) => {
                    self.people.query.push(c);
                    self.after_search();
                    return Request::None;
                }
                (_, KeyCode::Backspace) => {
                    self.people.query.pop();
                    self.after_search();
                    return Request::None;
                }
                _ => {}
            }
        }
        if let Some(Popup::Duplicate { .. } | Popup::FirstRun | Popup::ResumeDraft(_)) = self.popups.last()
            && let Some(c) = printable
        {
            return self.popup_char(c);
        }
        let contexts = self.contexts();
        self.pending_keys.push(Key::from_event(&ev));
        match self.keymap.lookup(&contexts, &self.pending_keys) {
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
                    && let Lookup::Run(a) = self.keymap.lookup(&contexts, &[k])
                {
                    return self.run(a);
                }
                Request::None
            }
        }
    }

    fn after_search(&mut self) {
        self.people.selected = 0;
        self.people.refilter();
        self.refresh_detail();
    }

    fn popup_char(&mut self, c: char) -> Request {
        match self.popups.last() {
            Some(Popup::FirstRun) => match c {
                'd' | 'D' => {
                    self.popups.pop();
                    match crate::demo::generate(&self.store, 300, 1, &mut |_, _| {}) {
                        Ok(_) => {
                            self.status = Some(self.tr("demo_loaded").to_string());
                            // A neighbouring office and two conflicts, for the sync screen.
                            if let Err(e) = crate::demo::office::neighbour(&self.store) {
                                self.status = Some(e.to_string());
                            }
                            return Request::Reload;
                        }
                        Err(e) => self.popups.push(Popup::Message(e.to_string())),
                    }
                }
                'a' | 'A' => {
                    self.popups.pop();
                    self.open_form(None);
                }
                _ => {}
            },
            Some(Popup::ResumeDraft(_)) if c == 'd' || c == 'D' => {
                self.popups.pop();
                self.write_draft(None, true);
            }
            Some(Popup::Duplicate { .. }) if c == 'a' || c == 'A' => {
                if let Some(Popup::Duplicate { mut form, .. }) = self.popups.pop() {
                    form.duplicate_ok = true;
                    self.popups.push(Popup::Form(form));
                    return self.save_form();
                }
            }
            _ => {}
        }
        Request::None
    }

    fn run(&mut self, action: Action) -> Request {
        use Action::*;
        // Popups first.
        if let Some(top) = self.popups.last_mut() {
            match (top, action) {
                (Popup::Form(_), Save) => return self.save_form(),
                (Popup::Form(f), NextField) => {
                    if f.focus + 1 == f.fields.len() {
                        return self.save_form();
                    }
                    f.next();
                }
                (Popup::Form(f), PrevField) => f.prev(),
                (Popup::Form(_), Cancel) => {
                    self.popups.pop();
                }
                (Popup::Help { scroll } | Popup::Record { scroll, .. }, Down) => *scroll += 1,
                (Popup::Help { scroll } | Popup::Record { scroll, .. }, Up) => *scroll = scroll.saturating_sub(1),
                (Popup::Help { scroll } | Popup::Record { scroll, .. }, PageDown) => *scroll += 10,
                (Popup::Help { scroll } | Popup::Record { scroll, .. }, PageUp) => *scroll = scroll.saturating_sub(10),
                (Popup::Duplicate { .. }, Confirm) => {
                    if let Some(Popup::Duplicate { existing, .. }) = self.popups.pop()
                        && let Some((id, _)) = existing.first()
                    {
                        self.people.clear();
                        self.people.select_id(*id);
                        self.refresh_detail();
                    }
                }
                (Popup::Duplicate { .. }, Cancel) => {
                    if let Some(Popup::Duplicate { form, .. }) = self.popups.pop() {
                        self.popups.push(Popup::Form(form));
                    }
                }
                (Popup::ConfirmDelete { id, .. }, Confirm) => {
                    let id = *id;
                    self.popups.pop();
                    return match edit::delete(&self.store, Entity::Participant, id) {
                        Ok(()) => {
                            self.last_deleted = Some(id);
                            self.status = Some(format!(
                                "{} ({} {})",
                                self.tr("deleted"),
                                self.keymap.key_for(&[Context::Participants], Undo).unwrap_or_default(),
                                self.tr("undo")
                            ));
                            Request::Reload
                        }
                        Err(e) => {
                            self.popups.push(Popup::Message(e.to_string()));
                            Request::None
                        }
                    };
                }
                (Popup::ResumeDraft(_), Confirm) => {
                    if let Some(Popup::ResumeDraft(d)) = self.popups.pop() {
                        self.popups.push(Popup::Capture(Box::new(cap::Capture::from_draft(&d, self.lang))));
                    }
                }
                (Popup::DiscardCapture(_), Confirm) => {
                    self.popups.pop();
                    self.write_draft(None, true);
                }
                (Popup::DiscardCapture(_), Cancel) => {
                    if let Some(Popup::DiscardCapture(c)) = self.popups.pop() {
                        self.popups.push(Popup::Capture(c));
                    }
                }
                (_, Cancel | Confirm | Help) => {
                    self.popups.pop();
                }
                (_, Quit) => return Request::Quit,
                _ => {}
            }
            return Request::None;
        }
        {
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            if let Some(screen) = self.screen.as_mut() {
                let effect = screen.on_action(&env, action);
                match (effect, action) {
                    (Some(e), _) => return self.apply(e),
                    (None, Cancel) => {
                        self.screen = None;
                        return Request::None;
                    }
                    _ => {}
                }
            } else if let Some(i) = self.view_index(self.pane)
                && let Some(e) = self.views[i].2.on_action(&env, action)
            {
                return self.apply(e);
            }
        }
        if self.pane == 1 && self.meetings.searching {
            match action {
                Confirm => self.meetings.searching = false,
                Cancel => {
                    self.meetings.searching = false;
                    self.meetings.query.clear();
                    self.meetings.refilter();
                }
                Down => self.meetings.move_by(1),
                Up => self.meetings.move_by(-1),
                _ => {}
            }
            return Request::None;
        }
        if self.pane == 3 && self.graph.searching {
            match action {
                Confirm => self.graph.end_search(true),
                Cancel => self.graph.end_search(false),
                Down => self.graph.move_by(1),
                Up => self.graph.move_by(-1),
                _ => {}
            }
            return Request::None;
        }
        if self.pane == 0 && self.people.searching {
            match action {
                Confirm => self.people.searching = false,
                Cancel => {
                    self.people.searching = false;
                    self.people.query.clear();
                    self.after_search();
                }
                Down => self.people.move_by(1),
                Up => self.people.move_by(-1),
                _ => {}
            }
            self.refresh_detail();
            return Request::None;
        }
        match action {
            Quit => return Request::Quit,
            Suspend => return Request::Suspend,
            Help => self.popups.push(Popup::Help { scroll: 0 }),
            PaneParticipants => self.switch(0),
            PaneMeetings => self.switch(1),
            PaneResources => self.switch(2),
            PanePartnerships => self.switch(3),
            PanePlans => self.switch(4),
            PaneReport => self.switch(5),
            ImportScreen if self.pane == 0 => self.open_screen(Box::new(super::import::Screen::new())),
            Erase if self.pane == 0 => {
                if let Some(id) = self.people.selected_id() {
                    let name = self.people.rows.iter().find(|r| r.id == id).map(|r| r.name.clone()).unwrap_or_default();
                    self.open_screen(Box::new(super::erase::Screen::new(id, &name)));
                }
            }
            SyncScreen => self.open_screen(Box::new(super::sync::Screen::new(self.sync_dir.clone()))),
            NextPane => self.switch((self.pane + 1) % self.pane_count()),
            PrevPane => self.switch((self.pane + self.pane_count() - 1) % self.pane_count()),
            Capture => self.open_capture(),
            Down | Up | PageDown | PageUp | Top | Bottom => {
                let page = match self.pane {
                    0 => self.people.page,
                    1 => self.meetings.page,
                    3 => self.graph.page,
                    _ => 10,
                } as isize;
                let delta = match action {
                    Down => 1,
                    Up => -1,
                    PageDown => page,
                    PageUp => -page,
                    Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                if self.pane == 0 {
                    self.people.move_by(delta);
                    self.refresh_detail();
                } else if self.pane == 1 {
                    self.meetings.move_by(delta);
                } else if self.pane == 3 {
                    self.graph.move_by(delta);
                }
            }
            Open if self.pane == 1 => self.open_meeting_item(),
            Search if self.pane == 1 => self.meetings.searching = true,
            Clear if self.pane == 1 => self.meetings.clear(),
            FilterType if self.pane == 1 => self.meetings.next_kind(),
            FilterGmina if self.pane == 1 => self.meetings.next_gmina(),
            FilterOpen if self.pane == 1 => self.meetings.toggle_open(),
            FilterPeriod if self.pane == 1 => self.meetings.next_period(),
            FilterPartnership if self.pane == 1 => self.meetings.next_partnership(),
            Followups if self.pane == 1 => {
                self.meetings.show_followups = !self.meetings.show_followups;
            }
            NextItem if self.pane == 1 => self.meetings.move_item(1),
            PrevItem if self.pane == 1 => self.meetings.move_item(-1),
            ToggleDone if self.pane == 1 => self.toggle_done(),
            RecordNeed if self.pane == 1 => {
                if let Some(id) = self.meetings.selected_id() {
                    self.popups.push(Popup::Form(resources::need_form_for_meeting(&self.store, id, self.lang)));
                }
            }
            Sort if self.pane == 3 => self.graph.toggle_sort(),
            Hops if self.pane == 3 => self.graph.toggle_hops(),
            Structure if self.pane == 3 => self.graph.structure = !self.graph.structure,
            MonthBack if self.pane == 3 => self.graph.step(true),
            MonthForward if self.pane == 3 => self.graph.step(false),
            FilterPartnership if self.pane == 3 => self.graph.next_partnership(),
            Search if self.pane == 3 => self.graph.start_search(),
            OrgsOnly if self.pane == 3 => self.graph.toggle_orgs(),
            FilterGmina if self.pane == 3 => self.graph.next_gmina(),
            Add if self.pane == 3 => self.open_partnership(None),
            Edit if self.pane == 3 => self.edit_partnership(),
            Delete if self.pane == 3 => self.ask_delete_partnership(),
            Clear if self.pane == 3 => self.graph.clear(),
            Open if self.pane == 3 => {
                if let Some((title, lines)) = self.graph.record(self.lang) {
                    self.popups.push(Popup::Record { title, lines, scroll: 0 });
                }
            }
            Open => self.open_record(),
            Search if self.pane == 0 => {
                self.people.searching = true;
            }
            Clear if self.pane == 0 => {
                self.people.clear();
                self.refresh_detail();
            }
            Add if self.pane == 0 => self.open_form(None),
            Edit if self.pane == 0 => {
                if let Some(id) = self.people.selected_id() {
                    self.open_form(Some(id));
                }
            }
            Delete if self.pane == 0 => {
                if let Some(id) = self.people.selected_id() {
                    let name = self.people.rows.iter().find(|r| r.id == id).map(|r| r.name.clone()).unwrap_or_default();
                    self.popups.push(Popup::ConfirmDelete { id, name });
                }
            }
            Undo if self.pane == 0 => {
                if let Some(id) = self.last_deleted.take() {
                    return match edit::restore(&self.store, Entity::Participant, id) {
                        Ok(()) => {
                            self.status = Some(self.tr("restored").to_string());
                            self.people.detail = None;
                            self.select_after_reload = Some(id);
                            Request::Reload
                        }
                        Err(e) => {
                            self.status = Some(crate::tui::errors::save_error(self.lang, &e));
                            Request::None
                        }
                    };
                }
            }
            Sort if self.pane == 0 => self.people.toggle_sort(),
            FilterCategory if self.pane == 0 => {
                self.people.next_category();
                self.refresh_detail();
            }
            FilterGmina if self.pane == 0 => {
                self.people.next_gmina();
                self.refresh_detail();
            }
            _ => {}
        }
        Request::None
    }

    /// Enter: the selected record, whole, in a scrollable window.
    fn open_record(&mut self) {
        if self.pane != 0 {
            return;
        }
        let Some(i) = self.people.view.get(self.people.selected).copied() else { return };
        let row = &self.people.rows[i];
        let lines = match participants::detail(&self.store, row.id, self.lang, true, self.meetings.today) {
            Ok(Some(d)) => d.full,
            Ok(None) => return,
            Err(e) => {
                self.status = Some(e.to_string());
                return;
            }
        };
        self.popups.push(Popup::Record { title: row.name.clone(), lines, scroll: 0 });
    }

    fn switch(&mut self, pane: usize) {
        if pane >= self.pane_count() {
            return;
        }
        self.screen = None;
        self.pane = pane;
        if pane == 1 {
            if !self.meetings.loaded && !self.meetings.loading {
                self.load_meetings();
            }
            return;
        }
        if pane == 3 {
            self.graph.ensure();
            return;
        }
        if let Some(i) = self.view_index(pane) {
            let effect = {
                let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
                self.views[i].2.activate(&env)
            };
            self.apply(effect);
        }
    }

    fn open_form(&mut self, edit_id: Option<Id>) {
        let p = edit_id.and_then(|id| {
            self.store.doc(Entity::Participant, id).ok().flatten().map(|d| Participant::from_doc(id, &d))
        });
        let v = |f: &dyn Fn(&Participant) -> String| p.as_ref().map(f).unwrap_or_default();
        let org = p
            .as_ref()
            .map(|p| {
                p.memberships
                    .iter()
                    .filter_map(|m| {
                        self.store.doc(Entity::Participant, m.org).ok().flatten().and_then(|d| d.string("name"))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let l = self.lang;
        let fields = vec![
            Field::new("name", t(l, "name"), &v(&|p| p.name.clone()), form::required_name, l),
            Field::new("category", t(l, "category"), &v(&|p| p.category.code().to_string()), form::category, l),
            Field::new("kind", t(l, "kind"), &v(&|p| p.kind.code().to_string()), form::kind, l),
            Field::new("org", t(l, "org"), &org, form::any, l),
            Field::new("gmina", t(l, "gmina"), &v(&|p| p.gmina.clone().unwrap_or_default()), form::any, l),
            Field::new("place", t(l, "place"), &v(&|p| p.place.clone().unwrap_or_default()), form::any, l),
            Field::new("phone", t(l, "phone"), &v(&|p| p.phone.clone().unwrap_or_default()), form::phone, l),
            Field::new("email", t(l, "email"), &v(&|p| p.email.clone().unwrap_or_default()), form::email, l),
            Field::new("tags", t(l, "tags"), &v(&|p| p.tags.join(", ")), form::any, l),
            Field::new("note", t(l, "note"), &v(&|p| p.note.clone().unwrap_or_default()), form::any, l),
        ];
        let (title, target) = match edit_id {
            Some(id) => (self.tr("edit_participant"), Target::Edit(Entity::Participant, id)),
            None => (self.tr("new_participant"), Target::Create(Entity::Participant)),
        };
        self.popups.push(Popup::Form(Form {
            title: title.to_string(),
            target,
            fields,
            focus: 0,
            error: None,
            duplicate_ok: false,
            dirty: false,
        }));
    }

    fn save_form(&mut self) -> Request {
        let Some(Popup::Form(f)) = self.popups.last_mut() else { return Request::None };
        if !f.valid() {
            f.error = Some(t(self.lang, "fix_errors").to_string());
            return Request::None;
        }
        let pairs = f.pairs();
        let f_target = f.target;
        let result = match f.target {
            Target::Create(entity) => {
                // Only people are checked for duplicates; resources and needs repeat names.
                if entity == Entity::Participant && !f.duplicate_ok {
                    let place = Some(f.value("place")).filter(|p| !p.trim().is_empty());
                    let dups = edit::duplicates_of(&self.store, f.value("name"), place).unwrap_or_default();
                    if !dups.is_empty() {
                        let existing = dups
                            .iter()
                            .map(|p| (p.id, format!("{} ({})", p.name, p.place.clone().unwrap_or_default())))
                            .collect();
                        if let Some(Popup::Form(form)) = self.popups.pop() {
                            self.popups.push(Popup::Duplicate { form, existing });
                        }
                        return Request::None;
                    }
                }
                edit::create(&self.store, entity, &pairs)
            }
            Target::Edit(entity, id) => edit::update(&self.store, entity, id, &pairs).map(|()| id),
        };
        match result {
            Ok(id) => {
                self.popups.pop();
                self.status = Some(self.tr("saved").to_string());
                if matches!(f_target, Target::Create(Entity::Participant) | Target::Edit(Entity::Participant, _)) {
                    self.select_after_reload = Some(id);
                }
                self.people.detail = None;
                Request::Reload
            }
            Err(e) => {
                let field = match &e {
                    EditError::Invalid { field, .. } => Some(field.clone()),
                    // A name that finds no one (or several) sits in the form's reference field.
                    EditError::NotFound { .. } | EditError::Ambiguous { .. } => Some(
                        match f_target {
                            Target::Create(Entity::Resource) | Target::Edit(Entity::Resource, _) => "contact",
                            Target::Create(Entity::Need) | Target::Edit(Entity::Need, _) => "meeting",
                            _ => "org",
                        }
                        .to_string(),
                    ),
                    _ => None,
                };
                let msg = crate::tui::errors::save_error(self.lang, &e);
                if matches!(e, EditError::Store(_)) {
                    self.status = Some(msg.clone());
                }
                if let Some(Popup::Form(f)) = self.popups.last_mut() {
                    f.set_error(field.as_deref(), msg);
                }
                Request::None
            }
        }
    }
}

/// Results of the app's own jobs.
struct PeopleLoaded(u64, crate::store::Result<participants::Loaded>);
struct ConflictsCounted(u64, crate::store::Result<usize>);
struct GraphDone(graph::Job, crate::store::Result<graph::Computed>);
struct MeetingsDone(u64, crate::store::Result<meetings::Loaded>);

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}
