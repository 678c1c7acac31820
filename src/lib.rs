//! teren: a field notebook for local animators.
//!
//! The binary (`main.rs`) runs either the terminal app (`tui`) or a command (`cli`);
//! both sit on the core, which knows nothing of the terminal and never uses them:
//! the domain modules (`edit`, `capture`, `resources`, `plans`, `report`, `graph`,
//! `import`, `demo`, `dump`, `conflicts`, `bundle`) over `store`, over `model` and
//! `sync`, with `ids`, `search`, `sheet` and `i18n` as leaves. `shape` (a test)
//! keeps it so.

pub mod bundle;
pub mod capture;
pub mod cli;
pub mod conflicts;
pub mod demo;
pub mod dump;
pub mod edit;
pub mod graph;
pub mod i18n;
pub mod ids;
pub mod import;
pub mod model;
pub mod plans;
pub mod report;
pub mod resources;
pub mod search;
pub mod sheet;
pub mod store;
pub mod sync;
pub mod tui;

#[cfg(test)]
mod shape;
