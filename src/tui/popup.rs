//! The popups the app stacks over its panes: help, a record, forms, questions, quick
//! capture and the partnership editor. The app keys and draws the top one.

use super::capture::Capture;
use super::form::Form;
use crate::model::Id;

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

impl Popup {
    /// A short name of the kind, for tests and the README generator.
    pub fn kind(&self) -> &'static str {
        match self {
            Popup::Help { .. } => "help",
            Popup::Record { .. } => "record",
            Popup::Form(_) => "form",
            Popup::Duplicate { .. } => "duplicate",
            Popup::ConfirmDelete { .. } => "confirm_delete",
            Popup::Message(_) => "message",
            Popup::FirstRun => "first_run",
            Popup::Capture(_) => "capture",
            Popup::DiscardCapture(_) => "discard_capture",
            Popup::ResumeDraft(_) => "resume_draft",
            Popup::Partnership(d) if d.is_form() => "partnership",
            Popup::Partnership(_) => "confirm_delete_partnership",
        }
    }
}
