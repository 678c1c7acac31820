//! Widgets the panes and popups share: a list's frame and scrolling.

mod list;

pub use list::{list_frame, scroll_offset, split};
