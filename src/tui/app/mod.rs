//! App state and key handling. Handlers change state and mark it dirty; drawing
//! happens in `render`, from state alone.

mod draw;
mod meetings;

pub use super::keymap::action_label;
use super::keymap::{Action, Context, Key, Keymap, Lookup};
use super::participants::{Deleted, Directory, SelectAfterReload};
use super::popups::capture::{Capture, Drafts};
use super::popups::{self, ConfirmDelete, FirstRun, ResumeDraft};
use super::theme::Theme;
use super::view::{Effect, Env, Job, JobResult, View};
use super::{graph, participants};
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id};
use crate::store::Store;
use crossterm::event::{KeyCode, KeyEvent};
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
    /// Reload the participant rows in the background.
    Reload,
    /// Hand the terminal to `$EDITOR` for the capture notes ([`App::edit_externally`]).
    Editor,
}

pub struct App {
    /// What every pane and popup works with (store, language, keys, today, everyone).
    pub env: Env,
    pane: usize,
    pub people: participants::Pane,
    /// Panes that implement `View`, by pane index (0 participants, 1 meetings and 3
    /// the graph are built in), with the catalogue key of their name.
    pub views: Vec<(usize, &'static str, Box<dyn View>)>,
    /// Popups and full screens over the panes, the top one last.
    stack: Vec<Box<dyn View>>,
    /// Jobs asked for (the panes' loads, `Effect::Job`), taken by the loop
    /// ([`App::take_jobs`]) to run on threads; their results come back to `job_done`.
    jobs: Vec<Job>,
    /// The participant list's load: results of older ones are dropped.
    load_generation: u64,
    pub meetings: super::meetings::Pane,
    /// Pane 4: the partnership graph.
    pub graph: graph::Pane,
    pub pending_keys: Vec<Key>,
    pub status: Option<String>,
    pub last_deleted: Option<Id>,
    /// Select this participant when the next reload arrives (after add or undo).
    pub select_after_reload: Option<Id>,
    pub dirty: bool,
    pub total: usize,
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

impl App {
    pub fn new(
        store: Arc<Store>,
        lang: Lang,
        theme: Theme,
        keymap: Keymap,
        first_rows: usize,
    ) -> crate::store::Result<App> {
        let first = Arc::new(participants::first_page(&store, first_rows)?);
        let total = store.count(Entity::Participant)?;
        let store_conflicts = store.conflict_count().ok();
        let pending_draft = crate::capture::pending(&store);
        let env = Env {
            store,
            lang,
            keymap,
            theme,
            today: chrono::Local::now().date_naive(),
            people: first.clone(),
            drafts: Drafts { lang, ..Default::default() },
        };
        let mut app = App {
            env,
            pane: 0,
            people: participants::Pane::new(first),
            views: vec![
                (2, "resources", Box::new(super::resources::Pane::new())),
                (4, "plans", Box::new(super::plans::Pane::new())),
                (5, "report", Box::new(super::report::Pane::new())),
            ],
            stack: Vec::new(),
            jobs: Vec::new(),
            load_generation: 0,
            meetings: super::meetings::Pane::new(),
            graph: graph::Pane::new(),
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
        if total == 0 {
            app.stack.push(Box::new(FirstRun));
        }
        if let Some(d) = pending_draft {
            app.env.drafts.on_disk.set(true);
            app.stack.push(Box::new(ResumeDraft(d)));
        }
        app.refresh_detail();
        Ok(app)
    }

    fn tr(&self, key: &str) -> &'static str {
        t(self.env.lang, key)
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
                self.stack.clear();
                self.pane = 0;
                if !self.people.select_id(id) {
                    self.people.clear();
                    self.people.select_id(id);
                }
                self.refresh_detail();
            }
            Effect::Changed => return Request::Reload,
            Effect::Close => {
                self.stack.pop();
            }
            Effect::Tell(word) => return self.tell(word),
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

    /// A word for the panes (`Effect::Tell`): the one that knows it takes it.
    fn tell(&mut self, word: JobResult) -> Request {
        let word = match word.downcast::<Deleted>() {
            Ok(d) => {
                self.last_deleted = Some(d.0);
                return Request::None;
            }
            Err(w) => w,
        };
        let word = match word.downcast::<SelectAfterReload>() {
            Ok(s) => {
                self.select_after_reload = Some(s.0);
                self.people.detail = None;
                return Request::None;
            }
            Err(w) => w,
        };
        let word = match word.downcast::<super::meetings::MeetingSaved>() {
            Ok(m) => {
                self.meetings.select_after_load = Some(m.0);
                self.load_meetings();
                return Request::None;
            }
            Err(w) => w,
        };
        let word = match word.downcast::<graph::PartnershipDeleted>() {
            Ok(_) => {
                self.graph.partnership = None;
                return Request::None;
            }
            Err(w) => w,
        };
        self.job_done(word)
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
        self.env.today = day;
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
            let lang = self.env.lang;
            jobs.push(Job::new(move |s| MeetingsDone(g, super::meetings::load(s, lang))));
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
        let views = self.stack.iter_mut().rev().chain(self.views.iter_mut().map(|(_, _, v)| v));
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

    pub fn loaded(&mut self, loaded: Directory) {
        self.total = loaded.rows.len();
        self.env.people = Arc::new(loaded);
        self.people.set_loaded(self.env.people.clone());
        for v in self.stack.iter_mut().chain(self.views.iter_mut().map(|(_, _, v)| v)) {
            v.people_changed(&self.env);
        }
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
        for i in 0..self.stack.len() {
            self.stack[i].data_changed();
            // A screen shows what is there now (a live sync may have brought more).
            if !self.stack[i].modal() {
                let effect = self.stack[i].activate(&self.env);
                self.apply(effect);
            }
        }
        if let Some(i) = self.view_index(self.pane) {
            let effect = self.views[i].2.activate(&self.env);
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
        match participants::detail(&self.env.store, id, self.env.lang, false, self.env.today) {
            Ok(d) => self.people.detail = d,
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    fn contexts(&self) -> Vec<Context> {
        if let Some(top) = self.stack.last() {
            let mut c = top.contexts();
            if !top.modal() && !top.typing() {
                c.extend([Context::List, Context::Global]);
            }
            return c;
        }
        let view = self.view_index(self.pane).map(|i| &*self.views[i].2);
        match view {
            Some(v) if v.typing() => v.contexts(),
            Some(v) => {
                let mut c = v.contexts();
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

    /// Handle one key press: the top popup or screen while it types, else the
    /// focused pane's text line, then the keymap.
    pub fn on_key(&mut self, ev: KeyEvent) -> Request {
        self.dirty = true;
        let printable = popups::form::printable(&ev);
        if let Some(top) = self.stack.last_mut() {
            if top.typing()
                && let Some(e) = top.on_text(&self.env, ev)
            {
                return self.apply(e);
            }
        } else if let Some(r) = self.pane_text(ev, printable) {
            return r;
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

    /// A key while a pane's search line (or a view's text line) has the keyboard.
    fn pane_text(&mut self, ev: KeyEvent, printable: Option<char>) -> Option<Request> {
        let backspace = ev.code == KeyCode::Backspace;
        // Pane 4's `/`: letters go to the query.
        if self.pane == 3 && self.graph.searching && self.graph.search_key(printable, backspace) {
            return Some(Request::None);
        }
        if let Some(i) = self.view_index(self.pane)
            && self.views[i].2.typing()
            && let Some(e) = self.views[i].2.on_text(&self.env, ev)
        {
            return Some(self.apply(e));
        }
        if self.pane == 1 && self.meetings.searching {
            match (printable, backspace) {
                (Some(c), _) => self.meetings.query.push(c),
                (_, true) => {
                    self.meetings.query.pop();
                }
                _ => return None,
            }
            self.meetings.refilter();
            return Some(Request::None);
        }
        if self.pane == 0 && self.people.searching {
            match (printable, backspace) {
                (Some(c), _) => self.people.query.push(c),
                (_, true) => {
                    self.people.query.pop();
                }
                _ => return None,
            }
            self.after_search();
            return Some(Request::None);
        }
        None
    }

    fn after_search(&mut self) {
        self.people.selected = 0;
        self.people.refilter();
        self.refresh_detail();
    }

    fn run(&mut self, action: Action) -> Request {
        use Action::*;
        // The top popup or screen first.
        if let Some(top) = self.stack.last_mut() {
            let modal = top.modal();
            return match top.on_action(&self.env, action) {
                Some(e) => self.apply(e),
                // A popup's own keys end here: Esc, Enter and `?` close it.
                None if modal => {
                    match action {
                        Quit => return Request::Quit,
                        Cancel | Confirm | Help => {
                            self.stack.pop();
                        }
                        _ => {}
                    }
                    Request::None
                }
                None if action == Cancel => {
                    self.stack.pop();
                    Request::None
                }
                // A screen: the app's own keys still work.
                None => self.global(action).unwrap_or(Request::None),
            };
        }
        if let Some(i) = self.view_index(self.pane)
            && let Some(e) = self.views[i].2.on_action(&self.env, action)
        {
            return self.apply(e);
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
        if let Some(r) = self.global(action) {
            return r;
        }
        match action {
            ImportScreen if self.pane == 0 => return self.push(Box::new(popups::import::Screen::new())),
            Erase if self.pane == 0 => {
                if let Some(id) = self.people.selected_id() {
                    let name = self.selected_name(id);
                    return self.push(Box::new(popups::erase::Screen::new(id, &name)));
                }
            }
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
                    let form = super::resources::need_form_for_meeting(&self.env.store, id, self.env.lang);
                    return self.push(popups::form(form));
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
            Add if self.pane == 3 => return self.apply(popups::partnership::open(&self.env, None)),
            Edit if self.pane == 3 => {
                let effect = match self.graph.partnership_to_edit() {
                    Some(id) => popups::partnership::open(&self.env, Some(id)),
                    None => Effect::Status(self.tr("choose_partnership").to_string()),
                };
                return self.apply(effect);
            }
            Delete if self.pane == 3 => {
                return self.apply(popups::partnership::ask_delete(&self.env, self.graph.partnership_to_edit()));
            }
            Clear if self.pane == 3 => self.graph.clear(),
            Open if self.pane == 3 => {
                if let Some((title, lines)) = self.graph.record(self.env.lang) {
                    self.stack.push(popups::record(title, lines));
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
            Add if self.pane == 0 => return self.push(popups::form(popups::form::participant_form(&self.env, None))),
            Edit if self.pane == 0 => {
                if let Some(id) = self.people.selected_id() {
                    return self.push(popups::form(popups::form::participant_form(&self.env, Some(id))));
                }
            }
            Delete if self.pane == 0 => {
                if let Some(id) = self.people.selected_id() {
                    let name = self.selected_name(id);
                    return self.push(Box::new(ConfirmDelete::new(id, name)));
                }
            }
            Undo if self.pane == 0 => {
                if let Some(id) = self.last_deleted.take() {
                    return match edit::restore(&self.env.store, Entity::Participant, id) {
                        Ok(()) => {
                            self.status = Some(self.tr("restored").to_string());
                            self.people.detail = None;
                            self.select_after_reload = Some(id);
                            Request::Reload
                        }
                        Err(e) => {
                            self.status = Some(crate::tui::errors::save_error(self.env.lang, &e));
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
        let row = &self.people.dir.rows[i];
        let lines = match participants::detail(&self.env.store, row.id, self.env.lang, true, self.env.today) {
            Ok(Some(d)) => d.full,
            Ok(None) => return,
            Err(e) => {
                self.status = Some(e.to_string());
                return;
            }
        };
        self.stack.push(popups::record(row.name.clone(), lines));
    }

    fn switch(&mut self, pane: usize) {
        if pane >= self.pane_count() {
            return;
        }
        self.stack.clear();
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
            let effect = self.views[i].2.activate(&self.env);
            self.apply(effect);
        }
    }

    /// The name of a participant in the list.
    fn selected_name(&self, id: Id) -> String {
        self.people.dir.rows.iter().find(|r| r.id == id).map(|r| r.name.clone()).unwrap_or_default()
    }

    /// The app's own keys, wherever the focus is: quit, help, panes, sync, capture.
    fn global(&mut self, action: Action) -> Option<Request> {
        use Action::*;
        match action {
            Quit => return Some(Request::Quit),
            Suspend => return Some(Request::Suspend),
            Help => return Some(self.push(Box::new(popups::Help::default()))),
            PaneParticipants => self.switch(0),
            PaneMeetings => self.switch(1),
            PaneResources => self.switch(2),
            PanePartnerships => self.switch(3),
            PanePlans => self.switch(4),
            PaneReport => self.switch(5),
            SyncScreen => return Some(self.push(Box::new(popups::sync::Screen::new(self.sync_dir.clone())))),
            NextPane => self.switch((self.pane + 1) % self.pane_count()),
            PrevPane => self.switch((self.pane + self.pane_count() - 1) % self.pane_count()),
            Capture => self.open_capture(),
            _ => return None,
        }
        Some(Request::None)
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

/// Results of the app's own jobs.
struct PeopleLoaded(u64, crate::store::Result<Directory>);
struct ConflictsCounted(u64, crate::store::Result<usize>);
struct GraphDone(graph::Job, crate::store::Result<graph::Computed>);
struct MeetingsDone(u64, crate::store::Result<super::meetings::Loaded>);

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}
