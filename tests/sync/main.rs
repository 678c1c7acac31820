//! Sync between offices: bundles exchanged in-process between replicas (`sync`,
//! `plan_sync`, with proptest), and two real Syncthing daemons carrying the folder
//! (`syncthing`, skipped with a message when the program is not installed). One test
//! binary, a module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod plan_sync;
mod sync;
mod syncthing;
