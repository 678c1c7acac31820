//! The contract between the app and its panes, screens and popups.
//!
//! A `View` owns its state, maps the actions it understands and draws itself; what it
//! needs from the rest of the app (another popup, a status line message, a jump to a
//! participant, a reload after a write) it returns as an `Effect`. The app stays a
//! router: it never reaches into a view's state, so each view lives in one file.

use super::keymap::{Action, Context, Keymap};
use super::popups::capture::Drafts;
use super::theme::Theme;
use crate::i18n::Lang;
use crate::model::Id;
use crate::store::Store;
use crate::tui::panes::participants::Directory;
use chrono::NaiveDate;
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;

/// What every view works with: the store, the interface's language, keys and colours,
/// today, everyone's names for the pickers, and where capture drafts are written.
pub struct Env {
    pub store: Arc<Store>,
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The day overdue tasks and periods count from (pinned by tests).
    pub today: NaiveDate,
    /// The participants, loaded in the background after the first frame.
    pub people: Arc<Directory>,
    pub drafts: Drafts,
}

/// What a view asks of the app after handling a key.
pub enum Effect {
    None,
    /// A one-line message on the status line.
    Status(String),
    /// Open a popup over everything (a form, a record, a message, a screen).
    Popup(Box<dyn View>),
    /// Close this popup and open another in its place (a form after its warning).
    Replace(Box<dyn View>),
    /// Show this participant in pane 1.
    OpenParticipant(Id),
    /// The view wrote to the store: every pane reloads what it shows.
    Changed,
    /// Close this popup or screen (panes ignore it).
    Close,
    /// A word for the panes (a participant was deleted, a meeting saved): offered to
    /// each pane's `job_done` like a job's result, until the one that knows it takes it.
    Tell(JobResult),
    /// Leave the app; stop it (Ctrl-Z); hand the terminal to `$EDITOR`.
    Quit,
    Suspend,
    Editor,
    /// Several at once, in order (close, reload, then say what was done).
    Many(Vec<Effect>),
    /// Work to do off the UI thread; its result comes back through `job_done`.
    Job(Job),
}

/// Work a view wants done on a worker thread (a report over 100 000 participants):
/// `run` gets the store there, and what it returns is offered to the views'
/// [`View::job_done`] until the one that knows its type takes it.
pub struct Job {
    run: Box<dyn FnOnce(&Store) -> Step + Send>,
}

/// What a job returns, for the view that knows its type.
pub type JobResult = Box<dyn std::any::Any + Send>;

/// A job after its part that reads the store: done, or a computation left to do that
/// needs no store (the loop runs it on a thread it does not wait for at exit, so
/// quitting on a big database is not held up and redb still closes cleanly).
pub enum Step {
    Done(JobResult),
    Then(Box<dyn FnOnce() -> JobResult + Send>),
}

impl Job {
    pub fn new<T: Send + 'static>(f: impl FnOnce(&Store) -> T + Send + 'static) -> Job {
        Job { run: Box::new(move |s| Step::Done(Box::new(f(s)) as JobResult)) }
    }

    /// A job in two steps: `load` reads the store, `compute` works on what it read.
    pub fn then<A: Send + 'static, T: Send + 'static>(
        load: impl FnOnce(&Store) -> A + Send + 'static,
        compute: impl FnOnce(A) -> T + Send + 'static,
    ) -> Job {
        Job {
            run: Box::new(move |s| {
                let a = load(s);
                Step::Then(Box::new(move || Box::new(compute(a)) as JobResult))
            }),
        }
    }

    /// The part that reads the store.
    pub fn run(self, store: &Store) -> Step {
        (self.run)(store)
    }

    /// Both parts, here and now (tests and the README generator run jobs this way).
    pub fn run_here(self, store: &Store) -> JobResult {
        match self.run(store) {
            Step::Done(r) => r,
            Step::Then(f) => f(),
        }
    }
}

/// Where a view sits, which gives it its defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A pane, or a full screen over the panes: the app's own keys still work.
    Pane,
    /// A question or a window to read: it holds the keyboard, Enter and Esc answer.
    Popup,
    /// A form: it holds the keyboard, and text goes to its fields first.
    Form,
}

pub trait View {
    /// What it is: a pane, a popup or a form.
    fn layer(&self) -> Layer {
        Layer::Pane
    }

    /// Key contexts of this view, most specific first. The app appends `List` and
    /// `Global` unless `typing` is true or the view is modal.
    fn contexts(&self) -> Vec<Context> {
        match self.layer() {
            Layer::Pane => Vec::new(),
            Layer::Popup => vec![Context::Popup],
            Layer::Form => vec![Context::Form],
        }
    }

    /// A popup or form holds the keyboard: only its own contexts apply, and the
    /// screen under it stays as it is. Panes and full screens are not modal.
    fn modal(&self) -> bool {
        self.layer() != Layer::Pane
    }

    /// The record selected in it, if any.
    fn selected(&self) -> Option<Id> {
        None
    }

    /// Select a record (clearing filters that hide it); false when it has no such one.
    fn select(&mut self, _env: &Env, _id: Id) -> bool {
        false
    }

    /// The search line being typed, shown on the status line.
    fn search_line(&self) -> Option<String> {
        None
    }

    /// Today is another day (at midnight, or pinned by a test).
    fn day_changed(&mut self, _today: NaiveDate) {}

    /// True while a text line of the view (a search, a path, a form's field) has the
    /// keyboard: the app then sends every key to `on_text` before the keymap sees it.
    fn typing(&self) -> bool {
        self.layer() == Layer::Form
    }

    /// A key while `typing`; return None to let the keymap have it (Enter, Esc).
    fn on_text(&mut self, _env: &Env, _ev: KeyEvent) -> Option<Effect> {
        None
    }

    /// An action from the keymap; None when the view does not handle it.
    fn on_action(&mut self, _env: &Env, _action: Action) -> Option<Effect> {
        None
    }

    /// The view is about to be shown: load what it needs (cheaply, or start a job).
    fn activate(&mut self, _env: &Env) -> Effect {
        Effect::None
    }

    /// The store changed: what the view holds is stale.
    fn data_changed(&mut self) {}

    /// The participants were loaded again (`env.people` is new).
    fn people_changed(&mut self, _env: &Env) {}

    /// Draw into `area` (the whole space between the pane bar and the status line).
    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env);

    /// The count shown on the status line ("12/40").
    fn count(&self) -> String {
        String::new()
    }

    /// Actions whose keys the status line shows for this view.
    fn hints(&self) -> Vec<Action> {
        match self.layer() {
            Layer::Pane => Vec::new(),
            Layer::Popup => vec![Action::Confirm, Action::Cancel],
            Layer::Form => vec![Action::Save, Action::NextField, Action::Cancel],
        }
    }

    /// A short name of the view ("sync", "import"), for tests and the README generator.
    fn kind(&self) -> &'static str;

    /// The terminal is handed to the external editor `cmd` for this view's text.
    fn editor(&mut self, _env: &Env, _cmd: &str) -> Effect {
        Effect::None
    }

    /// A job's result: take it (Ok) when it is this view's, else hand it back.
    fn job_done(&mut self, _env: &Env, result: JobResult) -> Result<Effect, JobResult> {
        Err(result)
    }
}
