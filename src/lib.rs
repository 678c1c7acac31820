//! teren: a field notebook for local animators.
//!
//! The core (`model`, `store`, `sync`, `search`, `demo`, `edit`) knows nothing of the
//! terminal; `cli` sits on top of it.

pub mod bundle;
pub mod capture;
pub mod cli;
pub mod conflicts;
pub mod demo;
pub mod dump;
pub mod edit;
pub mod graph;
pub mod i18n;
pub mod import;
pub mod model;
pub mod plans;
pub mod report;
pub mod resources;
pub mod search;
pub mod store;
pub mod sync;
pub mod tui;
