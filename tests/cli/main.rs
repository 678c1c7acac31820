//! The command line through the built binary, on real redb files: one test binary,
//! a module per topic. `cargo test --test cli` runs them; add a name to run a part
//! (`cargo test --test cli bundle_cli`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod bundle_cli;
mod cli;
mod graph_cli;
mod import;
mod map_cli;
mod meeting_cli;
mod meeting_filters_cli;
mod plan_cli;
mod report;
