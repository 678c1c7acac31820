//! End-to-end: the real binary in a pseudo-terminal, driven by key bytes, its screen
//! read back through a vt100 parser. One test binary, a module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod pty;
mod pty_resources;
mod pty_sync;
