//! The app without a terminal: driven by key events, drawn into a ratatui `Buffer` and
//! read back as text (insta snapshots in `snapshots/`), on real redb files; and the
//! README's pictures and keys table, made from the same app (`readme`). One test
//! binary, a module per pane or screen: `cargo test --test app tui_graph` runs one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod readme;
mod tui;
mod tui_graph;
mod tui_import;
mod tui_meetings;
mod tui_plans;
mod tui_report;
mod tui_resources;
mod tui_sync;
