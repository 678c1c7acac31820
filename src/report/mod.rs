//! Reports: project indicators against targets, exports for spreadsheets, and the
//! personal-data duties (everything held about a person, retention).

pub mod attendance;
pub mod export;
mod indicators;
pub mod privacy;

pub use indicators::{Figures, Incomplete, Indicator, Report, bar, num, report};
pub use indicators::{plan_figures, write_plan_figures};
