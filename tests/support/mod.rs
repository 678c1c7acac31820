//! What the test binaries share: the built `teren` on a database file ([`cli`]), the
//! app drawn into a buffer and driven by keys ([`app`]), the real binary in a
//! pseudo-terminal ([`pty`]), and offices paired through the core ([`offices`]). Each
//! binary uses only part of it.
#![allow(dead_code)]

pub mod app;
pub mod cli;
pub mod offices;
pub mod pty;
