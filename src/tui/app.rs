//! App state and key handling. Handlers change state and mark it dirty; drawing
//! happens in `render`, from state alone.

use super::capture::{self as cap, Capture};
use super::form::{self, Field, Form, Target};
pub use super::keymap::action_label;
use super::keymap::{Action, Context, Key, Keymap, Lookup};
use super::theme::Theme;
use super::view::{Effect, Env, View};
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

pub enum Popup {
    Help {
        scroll: usize,
    },
    /// Everything about one record, scrollable.
    Record {
        title: String,
        lines: Vec<(String, String)>,
        scroll: usize,
    },
    Form(Form),
    /// A new participant looks like an existing one.
    Duplicate {
        form: Form,
        existing: Vec<(Id, String)>,
    },
    ConfirmDelete {
        id: Id,
        name: String,
    },
    Message(String),
    FirstRun,
    /// Quick capture of a meeting.
    Capture(Box<Capture>),
    /// Esc in a capture with something typed: discard it?
    DiscardCapture(Box<Capture>),
    /// A capture draft left by a run that did not save it.
    ResumeDraft(crate::capture::CaptureDraft),
    /// Pane 4: a partnership's editor, or "delete it?" (keys go to `partnership_key`).
    Partnership(Box<super::partnership::Dialog>),
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
    /// Jobs views asked for (`Effect::Job`), taken by the loop to run on threads.
    pub view_jobs: Vec<super::view::Job>,
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
            view_jobs: Vec::new(),
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
            Effect::Job(job) => self.view_jobs.push(job),
        }
        Request::None
    }

    /// A view's job finished: the view that knows the result's type takes it.
    pub fn job_done(&mut self, result: Box<dyn std::any::Any + Send>) -> Request {
        let mut result = result;
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

impl App {
    /// Draw the whole screen from state.
    pub fn render(&mut self, area: Rect, buf: &mut Buffer) {
        if area.width < 40 || area.height < 10 {
            let msg = self.tr("too_small");
            let p =
                Paragraph::new(vec![Line::from(msg), Line::from(format!("{}×{} < 40×10", area.width, area.height))])
                    .wrap(Wrap { trim: true });
            p.render(area, buf);
            return;
        }
        let [bar, main, status] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        self.render_bar(bar, buf);
        let (list, detail) = super::split(main);
        if self.pane == 3 {
            self.graph.render(main, buf, &self.theme, self.lang);
        } else if self.pane == 0 {
            self.people.render_list(list, buf, &self.theme, self.lang);
            self.people.render_detail(detail, buf, &self.theme, self.lang);
        } else if self.pane == 1 {
            self.meetings.render_list(list, buf, &self.theme, self.lang);
            self.meetings.render_detail(detail, buf, &self.theme, self.lang);
        } else if let Some(i) = self.view_index(self.pane) {
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            self.views[i].2.render(main, buf, &env);
        }
        if let Some(screen) = self.screen.as_mut() {
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            ratatui::widgets::Clear.render(main, buf);
            screen.render(main, buf, &env);
        }
        self.render_status(status, buf);
        if matches!(self.popups.last(), Some(Popup::Capture(_))) {
            // The editor scrolls while drawing, so it is drawn from a mutable borrow.
            if let Some(Popup::Capture(mut c)) = self.popups.pop() {
                self.render_capture(&mut c, main, buf);
                self.popups.push(Popup::Capture(c));
            }
        } else if let Some(popup) = self.popups.last() {
            self.render_popup(popup, main, buf);
        }
    }

    fn render_bar(&self, area: Rect, buf: &mut Buffer) {
        let mut spans = vec![Span::styled(" teren ", self.theme.header())];
        for i in 0..self.pane_count() {
            let label = format!(" {} {} ", i + 1, self.tr(self.pane_name(i)));
            let style = if i == self.pane { self.theme.active_tab() } else { Style::default() };
            spans.push(Span::styled(label, style));
        }
        // The pane names matter more than the brand: drop it when they would not fit
        // (six English names need 83 columns with it, 76 without).
        if Line::from(spans.clone()).width() > area.width as usize {
            spans.remove(0);
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    /// Overdue plan tasks, from the memo while the data and the day are the same.
    fn overdue_count(&self) -> crate::store::Result<usize> {
        let today = self.meetings.today;
        if let Some((_, n)) = self.overdue.get().filter(|(day, _)| *day == today) {
            return Ok(n);
        }
        let n = crate::plans::overdue_count(&self.store, today)?;
        self.overdue.set(Some((today, n)));
        Ok(n)
    }

    fn render_status(&self, area: Rect, buf: &mut Buffer) {
        let ctx = self.contexts();
        let mode = match self.popups.last() {
            Some(Popup::Partnership(d)) if !d.is_form() => self.tr("mode_popup"),
            Some(Popup::Form(_) | Popup::Capture(_) | Popup::Partnership(_)) => self.tr("mode_form"),
            Some(_) => self.tr("mode_popup"),
            None if self.people.searching && self.pane == 0 => self.tr("mode_search"),
            None if self.meetings.searching && self.pane == 1 => self.tr("mode_search"),
            None if self.graph.searching && self.pane == 3 => self.tr("mode_search"),
            None if self.screen.as_ref().is_some_and(|s| s.typing()) => self.tr("mode_search"),
            None if self.screen.is_none() && self.view_index(self.pane).is_some_and(|i| self.views[i].2.typing()) => {
                self.tr("mode_search")
            }
            None => self.tr("mode_list"),
        };
        let mut spans = vec![Span::styled(format!(" {mode} "), self.theme.active_tab()), Span::raw(" ")];
        if self.pane == 0 && self.people.searching {
            spans.push(Span::raw(format!("/{}▏ ", self.people.query)));
        }
        if self.pane == 1 && self.meetings.searching {
            spans.push(Span::raw(format!("/{}▏ ", self.meetings.query)));
        }
        let count = if let Some(s) = &self.screen {
            format!("{} ", s.count())
        } else if self.pane == 0 {
            if self.people.complete {
                format!("{}/{} ", self.people.view.len(), self.people.rows.len())
            } else {
                // Only the first page is here; the count says so until the rest arrives
                // (and `benches/peers.sh` waits for the full count to type a search).
                format!("{}/{} ", self.people.view.len().min(self.total), self.total)
            }
        } else if self.pane == 1 {
            format!("{}/{} ", self.meetings.view.len(), self.meetings.data.rows.len())
        } else if self.pane == 3 {
            format!("{} ", self.graph.view.len())
        } else if let Some(i) = self.view_index(self.pane) {
            format!("{} ", self.views[i].2.count())
        } else {
            String::new()
        };
        spans.push(Span::raw(count));
        // Overdue tasks of action plans where the day starts (pane 1) and on the plans
        // pane: what the animator must chase.
        let overdue = match (self.pane, &self.screen) {
            (0 | 4, None) => self.overdue_count(),
            _ => Ok(0),
        };
        if let Ok(n @ 1..) = overdue {
            let msg = self.tr("plan_overdue_status").replace("{n}", &n.to_string());
            spans.push(Span::styled(format!("{msg} "), self.theme.error()));
        }
        if let Some(n) = self.conflicts.filter(|n| *n > 0) {
            spans.push(Span::styled(format!("{}: {n} ", self.tr("status_conflicts")), self.theme.error()));
        }
        if let Some(s) = &self.status {
            spans.push(Span::styled(format!("{s} "), self.theme.key()));
        }
        let view_hints = match (&self.screen, self.view_index(self.pane)) {
            (Some(s), _) => s.hints(),
            (None, Some(i)) => self.views[i].2.hints(),
            _ => Vec::new(),
        };
        let hints: &[Action] = match self.popups.last() {
            None if !view_hints.is_empty() => &view_hints,
            Some(Popup::Partnership(d)) if !d.is_form() => &[Action::Confirm, Action::Cancel],
            Some(Popup::Form(_) | Popup::Capture(_) | Popup::Partnership(_)) => {
                &[Action::Save, Action::NextField, Action::Cancel]
            }
            Some(_) => &[Action::Confirm, Action::Cancel],
            None if self.people.searching && self.pane == 0 => &[Action::Confirm, Action::Cancel],
            None if self.meetings.searching && self.pane == 1 => &[Action::Confirm, Action::Cancel],
            None if self.graph.searching && self.pane == 3 => &[Action::Confirm, Action::Cancel],
            None if self.pane == 0 => &[Action::Search, Action::Add, Action::Edit, Action::Help],
            None if self.pane == 1 => &[Action::Capture, Action::Search, Action::ToggleDone, Action::Followups],
            None if self.pane == 3 => &[Action::Search, Action::Add, Action::OrgsOnly, Action::Hops, Action::Structure],
            None => &[Action::Help, Action::Quit],
        };
        for a in hints {
            if let Some(k) = self.keymap.key_for(&ctx, *a) {
                spans.push(Span::styled(k, self.theme.key()));
                spans.push(Span::raw(format!(" {}  ", action_label(*a, self.lang))));
            }
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    fn render_popup(&self, popup: &Popup, area: Rect, buf: &mut Buffer) {
        let centered = |w: u16, h: u16| {
            let w = w.min(area.width);
            let h = h.min(area.height);
            Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
        };
        let block = |title: &str| {
            Block::default().borders(Borders::ALL).border_set(self.theme.border()).title(format!(" {title} "))
        };
        match popup {
            Popup::Help { scroll } => {
                let r = centered(76, area.height);
                let mut lines = Vec::new();
                for ctx in Context::ALL {
                    let bs = self.keymap.bindings(ctx);
                    if bs.is_empty() {
                        continue;
                    }
                    lines.push(Line::from(Span::styled(
                        self.tr(&format!("ctx_{}", ctx.name())).to_string(),
                        self.theme.header(),
                    )));
                    for b in bs.iter().filter(|b| b.action != Action::Noop) {
                        let desc = if self.lang == Lang::Pl && !b.desc.is_empty() {
                            b.desc.clone()
                        } else {
                            action_label(b.action, self.lang).to_string()
                        };
                        lines.push(Line::from(vec![
                            Span::styled(format!("  {:<10}", b.label()), self.theme.key()),
                            Span::raw(desc),
                        ]));
                    }
                }
                Clear.render(r, buf);
                Paragraph::new(lines).block(block(self.tr("help"))).scroll((*scroll as u16, 0)).render(r, buf);
            }
            Popup::Record { title, lines, scroll } => {
                let r = centered(area.width.saturating_sub(4).max(20), area.height);
                let text: Vec<Line> = lines
                    .iter()
                    .map(|(k, v)| {
                        Line::from(vec![Span::styled(format!("{k}: "), self.theme.dim()), Span::raw(v.clone())])
                    })
                    .collect();
                Clear.render(r, buf);
                Paragraph::new(text)
                    .block(block(title))
                    .wrap(Wrap { trim: true })
                    .scroll((*scroll as u16, 0))
                    .render(r, buf);
            }
            Popup::Form(f) => self.render_form(f, centered(76, (f.fields.len() as u16) + 6), buf),
            Popup::Duplicate { existing, .. } => {
                let r = centered(64, 9);
                let mut lines = vec![Line::from(self.tr("duplicate_warning"))];
                for (_, n) in existing.iter().take(3) {
                    lines.push(Line::from(format!("  • {n}")));
                }
                lines.push(Line::from(""));
                lines.push(Line::from(self.tr("duplicate_keys")));
                Clear.render(r, buf);
                Paragraph::new(lines).block(block(self.tr("duplicate"))).wrap(Wrap { trim: false }).render(r, buf);
            }
            Popup::ConfirmDelete { name, .. } => {
                let r = centered(60, 5);
                Clear.render(r, buf);
                Paragraph::new(vec![
                    Line::from(format!("{} {name}?", self.tr("delete_q"))),
                    Line::from(self.tr("confirm_keys")),
                ])
                .block(block(self.tr("delete")))
                .wrap(Wrap { trim: false })
                .render(r, buf);
            }
            Popup::Message(m) => {
                let r = centered(60, 6);
                Clear.render(r, buf);
                Paragraph::new(m.as_str()).block(block("!")).wrap(Wrap { trim: false }).render(r, buf);
            }
            Popup::Capture(_) => {}
            Popup::Partnership(d) => self.render_partnership(d, area, buf),
            Popup::DiscardCapture(_) => {
                let r = centered(60, 5);
                Clear.render(r, buf);
                Paragraph::new(vec![Line::from(self.tr("discard_q")), Line::from(self.tr("discard_keys"))])
                    .block(block(self.tr("discard")))
                    .wrap(Wrap { trim: false })
                    .render(r, buf);
            }
            Popup::ResumeDraft(d) => {
                let r = centered(64, 8);
                let who = d.attendees.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ");
                let first = d.notes.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                Clear.render(r, buf);
                Paragraph::new(vec![
                    Line::from(format!("{} · {} · {}", d.date, d.place, who)),
                    Line::from(Span::styled(first.to_string(), self.theme.dim())),
                    Line::from(""),
                    Line::from(self.tr("draft_keys")),
                ])
                .block(block(self.tr("draft_found")))
                .wrap(Wrap { trim: false })
                .render(r, buf);
            }
            Popup::FirstRun => {
                let r = centered(60, 8);
                Clear.render(r, buf);
                Paragraph::new(vec![
                    Line::from(self.tr("first_run")),
                    Line::from(""),
                    Line::from(self.tr("first_run_keys")),
                ])
                .block(block(self.tr("welcome")))
                .wrap(Wrap { trim: false })
                .render(r, buf);
            }
        }
    }

    fn render_form(&self, f: &Form, r: Rect, buf: &mut Buffer) {
        Clear.render(r, buf);
        let block =
            Block::default().borders(Borders::ALL).border_set(self.theme.border()).title(format!(" {} ", f.title));
        let inner = block.inner(r);
        block.render(r, buf);
        let label_w = f.fields.iter().map(|x| x.label.chars().count()).max().unwrap_or(8) as u16 + 2;
        for (i, field) in f.fields.iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.y + inner.height {
                break;
            }
            let focused = i == f.focus;
            let marker = if focused { ">" } else { " " };
            let mut spans = vec![
                Span::raw(marker),
                Span::styled(format!("{:<w$}", field.label, w = label_w as usize - 1), self.theme.dim()),
            ];
            if focused {
                let (a, b): (String, String) = (
                    field.value.chars().take(field.cursor).collect(),
                    field.value.chars().skip(field.cursor).collect(),
                );
                spans.push(Span::raw(a));
                spans.push(Span::styled("▏", self.theme.key()));
                spans.push(Span::raw(b));
            } else {
                spans.push(Span::raw(field.value.clone()));
            }
            if field.error.is_some() {
                // The message itself goes under the fields, where it has the full width.
                spans.push(Span::styled("  ✗", self.theme.error()));
            }
            let line = Line::from(spans);
            let style =
                if focused { Style::default().add_modifier(ratatui::style::Modifier::BOLD) } else { Style::default() };
            Paragraph::new(line).style(style).render(Rect { x: inner.x, y, width: inner.width, height: 1 }, buf);
        }
        let y = inner.y + f.fields.len() as u16 + 1;
        if y < inner.y + inner.height {
            let focused_error =
                f.fields.get(f.focus).and_then(|x| x.error.as_ref().map(|e| format!("{}: {e}", x.label)));
            let first_error = f.fields.iter().find_map(|x| x.error.as_ref().map(|e| format!("{}: {e}", x.label)));
            let error = f.error.clone().or(focused_error).or(if f.error.is_some() { first_error } else { None });
            let msg = error.clone().unwrap_or_else(|| {
                // Hints from the live keymap, so they stay right after a user remaps keys.
                [Action::Save, Action::NextField, Action::Cancel]
                    .iter()
                    .filter_map(|a| {
                        self.keymap
                            .key_for(&[Context::Form], *a)
                            .map(|k| format!("{k}: {}", action_label(*a, self.lang)))
                    })
                    .collect::<Vec<_>>()
                    .join("   ")
            });
            let style = if error.is_some() { self.theme.error() } else { self.theme.dim() };
            let height = (inner.y + inner.height - y).min(2);
            Paragraph::new(Span::styled(msg, style))
                .wrap(Wrap { trim: true })
                .render(Rect { x: inner.x, y, width: inner.width, height }, buf);
        }
    }
}

/// The meetings pane and quick capture.
impl App {
    /// Ask the loop to load the meetings pane on a background thread.
    pub fn load_meetings(&mut self) {
        self.meetings.request_load();
    }

    /// A meetings load finished (the loop's `Msg`, or a test running the job itself).
    pub fn meetings_loaded(&mut self, generation: u64, result: crate::store::Result<meetings::Loaded>) {
        match self.meetings.load_done(generation, result) {
            Ok(true) => self.dirty = true,
            Ok(false) => {}
            Err(e) => {
                self.status = Some(e.to_string());
                self.dirty = true;
            }
        }
    }

    /// Enter in the meetings pane: an attendee under the cursor opens in pane 1, a
    /// follow-up toggles, otherwise the whole meeting opens in a window.
    fn open_meeting_item(&mut self) {
        if self.meetings.show_followups {
            if let Some(m) = self.meetings.target_followup().and_then(|f| f.meeting) {
                self.meetings.show_followups = false;
                if !self.meetings.select_id(m) {
                    self.meetings.clear();
                    self.meetings.select_id(m);
                }
            }
            return;
        }
        match self.meetings.current_item() {
            Some(meetings::Item::Attendee(id)) => {
                self.pane = 0;
                if !self.people.select_id(id) {
                    self.people.clear();
                    self.people.select_id(id);
                }
                self.refresh_detail();
            }
            Some(meetings::Item::FollowUp(_)) => self.toggle_done(),
            None => {
                let Some(r) = self.meetings.selected_row() else { return };
                let m = &r.meeting;
                let l = |k: &str| self.tr(k).to_string();
                let mut lines = vec![
                    (
                        l("date"),
                        format!(
                            "{} {}",
                            opt(&m.date),
                            m.time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
                        ),
                    ),
                    (l("type"), m.kind.label(self.lang).to_string()),
                    (l("place"), m.place.clone().unwrap_or_default()),
                    (l("gmina"), m.gmina.clone().unwrap_or_default()),
                    (l("hours"), m.hours.map(meetings::hours).unwrap_or_default()),
                ];
                if let Some(t) = &m.title {
                    lines.push((l("title"), t.clone()));
                }
                let names: Vec<String> = m
                    .attendees
                    .iter()
                    .map(|a| self.meetings.data.names.get(a).cloned().unwrap_or_else(|| a.short()))
                    .collect();
                lines.push((format!("{} ({})", l("attendees"), names.len()), names.join(", ")));
                for &i in &r.followups {
                    let f = &self.meetings.data.followups[i];
                    let mark = if f.done { "[x]" } else { "[ ]" };
                    lines.push((l("followups"), format!("{mark} {} {}", f.text, opt(&f.due))));
                }
                for line in m.note.as_deref().unwrap_or("").lines() {
                    lines.push((l("note"), line.to_string()));
                }
                let title = m.display_title(self.lang);
                self.popups.push(Popup::Record { title, lines, scroll: 0 });
            }
        }
    }

    fn toggle_done(&mut self) {
        let Some(f) = self.meetings.target_followup() else { return };
        let (id, done) = (f.id, !f.done);
        match edit::update(&self.store, Entity::FollowUp, id, &[("done".into(), done.to_string())]) {
            Ok(()) => {
                self.status = Some(self.tr(if done { "followup_done" } else { "followup_reopened" }).to_string());
                // Shown at once; the background reload that follows confirms it.
                self.meetings.mark_done(id, done);
                self.load_meetings();
            }
            Err(e) => self.status = Some(crate::tui::errors::save_error(self.lang, &e)),
        }
    }

    /// `c`: the capture form, with the unsaved draft if there is one.
    fn open_capture(&mut self) {
        let d = crate::capture::pending(&self.store)
            .unwrap_or_else(|| crate::capture::fresh(&self.store, self.meetings.today));
        self.popups.push(Popup::Capture(Box::new(cap::Capture::from_draft(&d, self.lang))));
    }

    /// Write (Some) or clear (None) the capture draft: through the background writer
    /// when there is one, else here.
    fn write_draft(&mut self, bytes: Option<Vec<u8>>, now: bool) {
        if bytes.is_none() && !self.draft_on_disk {
            return;
        }
        self.draft_on_disk = bytes.is_some();
        let bytes = match &self.draft_sink {
            Some(tx) => match tx.send((bytes, now)) {
                Ok(()) => return,
                Err(mpsc::SendError((b, _))) => b,
            },
            None => bytes,
        };
        if let Err(e) = self.store.set_local(crate::capture::DRAFT_KEY, bytes.as_deref()) {
            self.status = Some(crate::tui::errors::store_error(self.lang, &e));
        }
    }

    fn draft_changed(&mut self, now: bool) {
        let Some(Popup::Capture(c)) = self.popups.last() else { return };
        let d = c.to_draft();
        let bytes = d.has_content().then(|| d.to_bytes());
        self.write_draft(bytes, now);
    }

    fn update_candidates(&mut self) {
        let Some(Popup::Capture(c)) = self.popups.last() else { return };
        let q = c.query.value.trim().to_string();
        let out = self.participant_candidates(&q, &|r| !c.chosen(r.id), 4);
        if let Some(Popup::Capture(c)) = self.popups.last_mut() {
            c.set_candidates(out);
        }
    }

    /// Participants matching `q` (the participants search, folded and fuzzy), best
    /// first, at most `limit` of those `keep` accepts: the capture's attendees and the
    /// partnership editor's leader and members.
    pub(crate) fn participant_candidates(
        &self,
        q: &str,
        keep: &dyn Fn(&participants::Row) -> bool,
        limit: usize,
    ) -> Vec<cap::Candidate> {
        let mut out = Vec::new();
        if q.trim().is_empty() {
            return out;
        }
        let hits: Vec<usize> = if self.people.index.len() == self.people.rows.len() && !self.people.index.is_empty() {
            self.people.index.search(q, None).into_iter().map(|h| h.index).collect()
        } else {
            let fq = crate::search::fold(q);
            (0..self.people.rows.len())
                .filter(|&i| crate::search::fold(&self.people.rows[i].name).contains(&fq))
                .collect()
        };
        for i in hits {
            let Some(r) = self.people.rows.get(i) else { continue };
            if !keep(r) {
                continue;
            }
            let hint = [self.people.text(r.org), self.people.text(r.place)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            out.push(cap::Candidate { id: r.id, name: r.name.clone(), hint });
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// Keys in the capture form: text goes to the focused field or the notes; Enter in
    /// the attendee search adds the highlighted person; the keymap's form keys save,
    /// move between fields and cancel.
    fn capture_key(&mut self, ev: KeyEvent, printable: Option<char>) -> Request {
        let Some(Popup::Capture(c)) = self.popups.last_mut() else { return Request::None };
        c.error = None;
        let (mut changed, mut left, mut search) = (false, false, false);
        let empty_query = c.query.value.is_empty();
        let text_key = matches!(c.focus, cap::NOTES | cap::FOLLOWUPS)
            && (printable.is_some()
                || matches!(
                    ev.code,
                    KeyCode::Enter
                        | KeyCode::Backspace
                        | KeyCode::Delete
                        | KeyCode::Left
                        | KeyCode::Right
                        | KeyCode::Home
                        | KeyCode::End
                        | KeyCode::Up
                        | KeyCode::Down
                ));
        match (c.focus, printable, ev.code) {
            // Notes and follow-ups: multi-line; Up/Down leave them at the first/last line.
            _ if text_key => {
                let (mut up_out, mut down_out) = (false, false);
                if let Some(a) = c.text_area() {
                    match (printable, ev.code) {
                        (Some(ch), _) => a.insert(ch),
                        (_, KeyCode::Enter) => a.newline(),
                        (_, KeyCode::Backspace) => a.backspace(),
                        (_, KeyCode::Delete) => a.delete(),
                        (_, KeyCode::Left) => a.left(),
                        (_, KeyCode::Right) => a.right(),
                        (_, KeyCode::Home) => a.home(),
                        (_, KeyCode::End) => a.end(),
                        (_, KeyCode::Up) => up_out = !a.up(),
                        _ => down_out = !a.down(),
                    }
                }
                changed =
                    printable.is_some() || matches!(ev.code, KeyCode::Enter | KeyCode::Backspace | KeyCode::Delete);
                if up_out {
                    c.prev();
                    left = true;
                } else if down_out && c.focus == cap::NOTES {
                    c.next();
                    left = true;
                }
            }
            (cap::ATTENDEES, _, KeyCode::Up) if !empty_query => c.cand = c.cand.saturating_sub(1),
            (cap::ATTENDEES, _, KeyCode::Down) if !empty_query => c.cand = (c.cand + 1).min(c.candidates.len()),
            (cap::ATTENDEES, _, KeyCode::Enter) => {
                if c.pick() {
                    changed = true;
                    left = true;
                } else {
                    c.next();
                    left = true;
                }
            }
            (cap::ATTENDEES, _, KeyCode::Backspace) if empty_query => {
                changed = c.chips.pop().is_some();
                left = changed;
            }
            (cap::TYPE, _, KeyCode::Left | KeyCode::Right) => {
                c.step_type(if ev.code == KeyCode::Left { -1 } else { 1 });
                changed = true;
            }
            (focus, Some(ch), _) => {
                if let Some(f) = c.line() {
                    f.insert(ch);
                    changed = true;
                    search = focus == cap::ATTENDEES;
                }
            }
            (focus, _, KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right) => {
                if let Some(f) = c.line() {
                    match ev.code {
                        KeyCode::Backspace => f.backspace(),
                        KeyCode::Delete => f.delete(),
                        KeyCode::Left => f.left(),
                        _ => f.right(),
                    }
                    changed = true;
                    search = focus == cap::ATTENDEES;
                }
            }
            (_, _, KeyCode::Enter | KeyCode::Down) => {
                c.next();
                left = true;
            }
            (_, _, KeyCode::Up) => {
                c.prev();
                left = true;
            }
            _ => match self.keymap.lookup(&[Context::Form, Context::Global], &[Key::from_event(&ev)]) {
                Lookup::Run(Action::Save) => return self.save_capture(),
                Lookup::Run(Action::NextField) => {
                    c.next();
                    left = true;
                }
                Lookup::Run(Action::PrevField) => {
                    c.prev();
                    left = true;
                }
                Lookup::Run(Action::Cancel) => {
                    if let Some(Popup::Capture(c)) = self.popups.pop() {
                        if c.to_draft().has_content() {
                            self.popups.push(Popup::DiscardCapture(c));
                        } else {
                            self.write_draft(None, true);
                        }
                    }
                    return Request::None;
                }
                Lookup::Run(Action::Quit) => {
                    // Whatever was typed is on disk before the app goes.
                    let sink = self.draft_sink.take();
                    self.draft_changed(true);
                    self.draft_sink = sink;
                    return Request::Quit;
                }
                Lookup::Run(Action::Suspend) => return Request::Suspend,
                Lookup::Run(Action::ExternalEditor) => {
                    // The draft is on disk before the terminal is handed over.
                    self.draft_changed(true);
                    return Request::Editor;
                }
                _ => {}
            },
        }
        if search {
            self.update_candidates();
        }
        if changed || left {
            self.draft_changed(left);
        }
        Request::None
    }

    /// Run the external editor `cmd` on the notes (or the follow-ups, when in focus) of
    /// the open capture and take back what it wrote. The loop hands the terminal over
    /// around this; tests call it directly with a script as the editor.
    pub fn edit_externally(&mut self, cmd: &str) {
        self.dirty = true;
        let Some(Popup::Capture(c)) = self.popups.last_mut() else { return };
        let text = c.editor_target().text();
        let msg = match super::editor::edit_text(cmd, &text) {
            Ok(new) => {
                *c.editor_target() = super::textarea::TextArea::new(&new);
                self.draft_changed(true);
                self.status = Some(t(self.lang, "editor_done").to_string());
                return;
            }
            Err(super::editor::EditorError::Start(why)) => {
                t(self.lang, "editor_cannot_start").replace("{cmd}", cmd).replace("{why}", &why)
            }
            Err(super::editor::EditorError::Exit(code)) => {
                t(self.lang, "editor_exit").replace("{cmd}", cmd).replace("{code}", &code.to_string())
            }
            Err(super::editor::EditorError::Io(e)) => t(self.lang, "editor_io").replace("{why}", &e.to_string()),
        };
        // Shown in the form, where the user is looking; the notes stay as they were.
        c.error = Some(msg);
    }

    fn save_capture(&mut self) -> Request {
        let Some(Popup::Capture(c)) = self.popups.last_mut() else { return Request::None };
        if !c.valid() {
            c.error = Some(t(self.lang, "fix_errors").to_string());
            return Request::None;
        }
        // A name typed but not yet added counts: Ctrl-S means "that's everyone".
        if !c.query.value.trim().is_empty() {
            c.pick();
        }
        let d = c.to_draft();
        match crate::capture::save(&self.store, &d) {
            Ok(id) => {
                self.popups.pop();
                if let Some(tx) = &self.draft_sink {
                    // Anything the writer still holds is older than the save.
                    let _ = tx.send((None, true));
                }
                self.status = Some(self.tr("meeting_saved").to_string());
                self.meetings.select_after_load = Some(id);
                self.load_meetings();
                Request::Reload
            }
            Err(e) => {
                let msg = crate::tui::errors::save_error(self.lang, &e);
                if let Some(Popup::Capture(c)) = self.popups.last_mut() {
                    c.error = Some(msg.clone());
                }
                // Also on the status line, where every failed save shows.
                self.status = Some(msg);
                Request::None
            }
        }
    }

    fn render_capture(&self, c: &mut Capture, area: Rect, buf: &mut Buffer) {
        let w = area.width.min(100);
        let r = Rect { x: area.x + (area.width - w) / 2, y: area.y, width: w, height: area.height };
        Clear.render(r, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(self.theme.border())
            .title(format!(" {} ", self.tr("new_meeting")));
        let inner = block.inner(r);
        block.render(r, buf);
        if inner.height < 8 {
            return;
        }
        let bottom = inner.y + inner.height;
        let row = |y: u16| Rect { x: inner.x, y, width: inner.width, height: 1 };
        let label_w = 16;
        let head = |focused: bool, label: &str| {
            vec![
                Span::raw(if focused { ">" } else { " " }),
                Span::styled(format!("{label:<w$}", w = label_w - 1), self.theme.dim()),
            ]
        };
        let cursor_line = |f: &form::Field, focused: bool| -> Vec<Span<'static>> {
            if focused {
                let a: String = f.value.chars().take(f.cursor).collect();
                let b: String = f.value.chars().skip(f.cursor).collect();
                vec![Span::raw(a), Span::styled("▏", self.theme.key()), Span::raw(b)]
            } else {
                vec![Span::raw(f.value.clone())]
            }
        };
        let mut y = inner.y;
        for (i, f) in c.fields.iter().enumerate() {
            let focused = c.focus == i;
            let mut spans = head(focused, &f.label);
            spans.extend(cursor_line(f, focused));
            if i == cap::TYPE {
                if let Ok(k) = crate::model::MeetingType::parse(&f.value) {
                    spans.push(Span::styled(format!("  {}", k.label(self.lang)), self.theme.dim()));
                }
                if focused {
                    spans.push(Span::styled(format!("   {}", self.tr("type_keys")), self.theme.dim()));
                }
            }
            if f.error.is_some() {
                spans.push(Span::styled("  ✗", self.theme.error()));
            }
            Paragraph::new(Line::from(spans)).render(row(y), buf);
            y += 1;
        }
        // Attendees: chips, then the search line and what it finds.
        let focused = c.focus == cap::ATTENDEES;
        let mut spans = head(focused, &format!("{} ({})", self.tr("attendees"), c.chips.len()));
        for (i, a) in c.chips.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            let text = match a {
                crate::capture::Attendee::Known { name, .. } => format!("[{name}]"),
                crate::capture::Attendee::New { name } => format!("[+{name} ({})]", self.tr("new_person")),
            };
            spans.push(Span::styled(text, self.theme.key()));
        }
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: false }).render(Rect { height: 2, ..row(y) }, buf);
        y += 2;
        let mut spans = vec![
            Span::raw(" "),
            Span::styled(format!("  {:<w$}", self.tr("attendee_search"), w = label_w - 3), self.theme.dim()),
        ];
        spans.extend(cursor_line(&c.query, focused));
        if focused {
            spans.push(Span::styled(format!("   {}", self.tr("attendee_keys")), self.theme.dim()));
        }
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        y += 1;
        if focused && !c.query.value.trim().is_empty() {
            let n = c.candidates.len();
            for (i, cand) in c.candidates.iter().enumerate() {
                let style = if i == c.cand { self.theme.selected() } else { Style::default() };
                let line = Line::from(vec![
                    Span::raw(format!("{:w$}", "", w = label_w)),
                    Span::styled(cand.name.clone(), style),
                    Span::styled(format!("  {}", cand.hint), self.theme.dim()),
                ]);
                Paragraph::new(line).render(row(y), buf);
                y += 1;
            }
            let style = if c.cand == n { self.theme.selected() } else { Style::default() };
            let line = Line::from(vec![
                Span::raw(format!("{:w$}", "", w = label_w)),
                Span::styled(format!("+ {}: {}", self.tr("new_person"), c.query.value.trim()), style),
            ]);
            Paragraph::new(line).render(row(y), buf);
            y += 1;
        }
        // Notes fill the rest, above the follow-ups field and two lines of hints or errors.
        let focused = c.focus == cap::NOTES;
        let mut spans = head(focused, self.tr("note"));
        spans.push(Span::styled(self.tr("notes_help"), self.theme.dim()));
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        y += 1;
        let free = bottom.saturating_sub(y + 2);
        let fups_h = 3.min(free.saturating_sub(2) / 2);
        let notes_h = free.saturating_sub(fups_h + 1);
        let notes = Rect { x: inner.x + 1, y, width: inner.width.saturating_sub(1), height: notes_h };
        c.notes.render(notes, buf, focused, self.theme.key());
        y += notes_h;
        let focused = c.focus == cap::FOLLOWUPS;
        let mut spans = head(focused, self.tr("followups"));
        spans.push(Span::styled(self.tr("followups_help"), self.theme.dim()));
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        let fups = Rect { x: inner.x + 1, y: y + 1, width: inner.width.saturating_sub(1), height: fups_h };
        c.followups.render(fups, buf, focused, self.theme.key());
        let y = bottom.saturating_sub(2);
        let error = c.error.clone().or_else(|| {
            let f = c.fields.iter().find(|f| f.error.is_some())?;
            Some(format!("{}: {}", f.label, f.error.clone().unwrap_or_default()))
        });
        let msg = error.clone().unwrap_or_else(|| {
            [Action::Save, Action::NextField, Action::ExternalEditor, Action::Cancel]
                .iter()
                .filter_map(|a| {
                    self.keymap.key_for(&[Context::Form], *a).map(|k| format!("{k}: {}", action_label(*a, self.lang)))
                })
                .collect::<Vec<_>>()
                .join("   ")
        });
        let style = if error.is_some() { self.theme.error() } else { self.theme.dim() };
        Paragraph::new(Span::styled(msg, style))
            .wrap(Wrap { trim: true })
            .render(Rect { x: inner.x, y, width: inner.width, height: 2 }, buf);
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}
