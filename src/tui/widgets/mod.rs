//! Widgets the panes and popups share: a list's frame, state and scrolling, a
//! one-line text input and a multi-line text editor.

mod input;
mod list;
mod search;
mod textarea;

pub use input::{Check, Field, is_edit, printable};
pub use list::{ListState, list_frame, scroll_offset, split};
pub use search::SearchLine;
pub use textarea::TextArea;
