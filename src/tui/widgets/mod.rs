//! Widgets the panes and popups share: a list's frame and scrolling, and a
//! multi-line text editor.

mod list;
mod textarea;

pub use list::{ListState, list_frame, scroll_offset, split};
pub use textarea::TextArea;
