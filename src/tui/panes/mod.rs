//! The six panes of the app, one component each: participants, meetings, the
//! resource map, the partnership graph, action plans and the report. Each implements
//! [`View`](crate::tui::view::View); the app lists them in its pane bar's order.

pub mod graph;
pub mod meetings;
pub mod participants;
pub mod plans;
pub mod report;
pub mod resources;
