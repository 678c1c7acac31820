//! Domain types: what the animator records. No storage and no terminal here.
//!
//! Each record type is read from a merged [`Doc`](crate::sync::Doc) and written as
//! field-level [`Change`](crate::sync::Change)s; the field names are those of
//! DESIGN.md §8, the same in the log, in `--json` and in `--set FIELD=VALUE`.

mod codes;
mod plan;
mod project;
mod records;
pub mod validate;

pub use crate::ids::{Entity, Id};
pub use codes::{
    Category, Kind, MeetingType, NeedStatus, PartnershipStatus, RelationType, ResourceCategory, UnknownCode,
};
pub use codes::{CoopForm, PathStage, TaskStatus, WorkArea};
pub use plan::{Goal, Plan, StageEntry, SupportPath, Task};
pub use project::{Project, TargetKey, parse_targets};
pub use records::{
    FollowUp, Meeting, Member, Membership, Need, Participant, Partnership, Relation, Resource, is_personal, sort_name,
};
