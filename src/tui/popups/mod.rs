//! Everything the app stacks over its panes, one component a file: popups that hold
//! the keyboard (help, a record, a message, questions, forms, quick capture, the
//! partnership editor) and full screens (sync, import, erase).
//!
//! Each implements [`View`]; the app keeps them on a stack, sends keys to the top one
//! and applies the `Effect` it returns. To add one, copy the simplest
//! ([`message`](message::Message)), and open it from a pane with `Effect::Popup`.

pub mod capture;
mod confirm_delete;
mod discard;
mod duplicate;
pub mod erase;
mod first_run;
pub mod form;
mod help;
pub mod import;
mod message;
pub mod partnership;
mod record;
mod resume_draft;
pub mod sync;

use super::keymap::{Action, Context, action_label};
use super::theme::Theme;
use super::view::{Env, View};
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders};

pub use confirm_delete::ConfirmDelete;
pub use first_run::FirstRun;
pub use help::Help;
pub use message::Message;
pub use record::Record;
pub use resume_draft::ResumeDraft;

/// A record, whole, in a scrollable window.
pub fn record(title: String, lines: Vec<(String, String)>) -> Box<dyn View> {
    Box::new(Record::new(title, lines))
}

/// A form of one-line fields (a resource, a need, a plan's task).
pub fn form(f: super::form::Form) -> Box<dyn View> {
    Box::new(form::FormPopup::new(f))
}

/// A message to read and dismiss.
pub fn message(text: String) -> Box<dyn View> {
    Box::new(Message(text))
}

/// A rectangle `w`×`h` centred in `area`, cut to fit.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// A popup's bordered frame with its title.
pub(crate) fn frame(theme: &Theme, title: &str) -> Block<'static> {
    Block::default().borders(Borders::ALL).border_set(theme.border()).title(format!(" {title} "))
}

/// "Ctrl-S: zapisz   Tab: następne pole …" from the live keymap, so the hints stay
/// right after a user remaps keys.
pub(crate) fn form_hints(env: &Env, actions: &[Action]) -> String {
    actions
        .iter()
        .filter_map(|a| {
            env.keymap.key_for(&[Context::Form], *a).map(|k| format!("{k}: {}", action_label(*a, env.lang)))
        })
        .collect::<Vec<_>>()
        .join("   ")
}

/// How far a scrollable popup moves for an action, if it is a scrolling one.
pub(crate) fn scrolled(scroll: usize, action: Action) -> Option<usize> {
    match action {
        Action::Down => Some(scroll + 1),
        Action::Up => Some(scroll.saturating_sub(1)),
        Action::PageDown => Some(scroll + 10),
        Action::PageUp => Some(scroll.saturating_sub(10)),
        _ => None,
    }
}
