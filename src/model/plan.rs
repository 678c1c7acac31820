//! The municipality support path and the action plan (Plan Działania), read from
//! merged docs. A plan belongs to a municipality (a `jst` participant) or to a
//! partnership; goals belong to a plan and tasks to a goal, each a record of its own,
//! so two offices ticking different tasks never touch the same record.

use super::codes::{CoopForm, PathStage, TaskStatus, WorkArea};
use super::records::{date_of, id_of, ids_of};
use crate::ids::Id;
use crate::sync::Doc;
use chrono::NaiveDate;

fn order_of(doc: &Doc) -> i64 {
    doc.get("order").and_then(|v| v.as_f64()).map_or(0, |n| n as i64)
}

/// One stage reached: when, and the document that shows it (a file name, never the file).
#[derive(Debug, Clone, PartialEq)]
pub struct StageEntry {
    pub stage: PathStage,
    pub date: NaiveDate,
    pub document: Option<String>,
}

/// A municipality's support path.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportPath {
    pub id: Id,
    pub jst: Option<Id>,
    pub animator: Option<String>,
    /// The stages reached, in path order.
    pub stages: Vec<StageEntry>,
    /// The forms of cooperation chosen in each area of work.
    pub forms: Vec<(WorkArea, Vec<CoopForm>)>,
    pub note: Option<String>,
    pub deleted: bool,
}

impl SupportPath {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        let stages = PathStage::ALL
            .iter()
            .filter_map(|s| {
                date_of(doc, s.field()).map(|date| StageEntry { stage: *s, date, document: doc.string(s.doc_field()) })
            })
            .collect();
        let forms = WorkArea::ALL
            .iter()
            .map(|a| (*a, doc.set(a.field()).iter().filter_map(|f| CoopForm::parse(f).ok()).collect()))
            .collect();
        SupportPath {
            id,
            jst: id_of(doc, "jst"),
            animator: doc.string("animator"),
            stages,
            forms,
            note: doc.string("note"),
            deleted: doc.is_deleted(),
        }
    }

    /// The furthest stage reached (stages are dated events; a later stage may be
    /// recorded before an earlier one's paperwork).
    pub fn current(&self) -> Option<&StageEntry> {
        self.stages.iter().max_by_key(|s| s.stage)
    }

    pub fn reached(&self, stage: PathStage) -> Option<&StageEntry> {
        self.stages.iter().find(|s| s.stage == stage)
    }
}

/// An action plan: of a municipality (`jst`) or of a partnership.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: Id,
    pub name: String,
    pub jst: Option<Id>,
    pub partnership: Option<Id>,
    pub adopted: Option<NaiveDate>,
    pub meeting: Option<Id>,
    pub note: Option<String>,
    pub deleted: bool,
}

impl Plan {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        Plan {
            id,
            name: doc.string("name").unwrap_or_default(),
            jst: id_of(doc, "jst"),
            partnership: id_of(doc, "partnership"),
            adopted: date_of(doc, "adopted"),
            meeting: id_of(doc, "meeting"),
            note: doc.string("note"),
            deleted: doc.is_deleted(),
        }
    }
}

/// A goal of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: Id,
    pub plan: Option<Id>,
    pub name: String,
    pub order: i64,
    pub deleted: bool,
}

impl Goal {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        Goal {
            id,
            plan: id_of(doc, "plan"),
            name: doc.string("name").unwrap_or_default(),
            order: order_of(doc),
            deleted: doc.is_deleted(),
        }
    }
}

/// A task under a goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: Id,
    pub goal: Option<Id>,
    pub name: String,
    pub owner: Option<Id>,
    pub due: Option<NaiveDate>,
    pub status: TaskStatus,
    /// When it was ticked done: "done on time" compares this with `due`.
    pub done_on: Option<NaiveDate>,
    pub order: i64,
    /// The newest note; `notes_conflict` is true while two offices' edits both stand.
    pub notes: Option<String>,
    pub notes_conflict: bool,
    pub meetings: Vec<Id>,
    pub needs: Vec<Id>,
    pub resources: Vec<Id>,
    pub partnerships: Vec<Id>,
    pub deleted: bool,
}

impl Task {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        Task {
            id,
            goal: id_of(doc, "goal"),
            name: doc.string("name").unwrap_or_default(),
            owner: id_of(doc, "owner"),
            due: date_of(doc, "due"),
            status: doc.str("status").and_then(|s| TaskStatus::parse(s).ok()).unwrap_or(TaskStatus::Todo),
            done_on: date_of(doc, "done_on"),
            order: order_of(doc),
            notes: doc.string("notes"),
            notes_conflict: doc.conflicts().iter().any(|(f, _)| *f == "notes"),
            meetings: ids_of(doc, "meetings"),
            needs: ids_of(doc, "needs"),
            resources: ids_of(doc, "resources"),
            partnerships: ids_of(doc, "partnerships"),
            deleted: doc.is_deleted(),
        }
    }

    /// Open (not done, not dropped) and past its due date.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due.is_some_and(|d| d < today)
    }

    pub fn is_open(&self) -> bool {
        matches!(self.status, TaskStatus::Todo | TaskStatus::InProgress)
    }

    /// Done by its due date (a task without a due date counts as on time).
    pub fn done_on_time(&self) -> bool {
        self.status == TaskStatus::Done
            && match (self.done_on, self.due) {
                (_, None) => true,
                (Some(d), Some(due)) => d <= due,
                (None, Some(_)) => false,
            }
    }
}
