//! The municipality support path and the action plan (Plan Działania): stages,
//! areas and forms of cooperation, goals and tasks with progress, overdue tasks,
//! ticking and reordering, the plan as Markdown and CSV, and the figures for the
//! report. No terminal here: the command line and the app both call this.

pub mod export;

use crate::dump::Names;
use crate::edit::{self, EditError};
use crate::i18n::{Lang, t};
use crate::model::{
    Category, Entity, Goal, Id, Meeting, Need, Participant, Partnership, PathStage, Plan, Resource, SupportPath, Task,
    TaskStatus, WorkArea, validate,
};
use crate::store::{Draft, Result as StoreResult, Store};
use crate::sync::{Change, Doc, Value};
use chrono::NaiveDate;
use serde_json::{Value as Json, json};
use std::collections::HashMap;

/// Everything the plans pane, the command line and the export need, read once.
#[derive(Default)]
pub struct Data {
    pub paths: Vec<SupportPath>,
    pub plans: Vec<Plan>,
    pub goals: Vec<Goal>,
    pub tasks: Vec<Task>,
    /// Participants by id (municipalities, task owners).
    pub names: Names,
    pub categories: HashMap<Id, Category>,
    pub partnerships: HashMap<Id, String>,
    /// Meetings by id: `date title`.
    pub meetings: HashMap<Id, String>,
    pub needs: HashMap<Id, String>,
    pub resources: HashMap<Id, String>,
}

/// A goal with its tasks in order.
pub struct GoalTree<'a> {
    pub goal: &'a Goal,
    pub tasks: Vec<&'a Task>,
}

/// A plan with its goals in order.
pub struct PlanTree<'a> {
    pub plan: &'a Plan,
    pub goals: Vec<GoalTree<'a>>,
}

/// Done, countable (not dropped) and overdue tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub overdue: usize,
}

impl Progress {
    pub fn of<'a>(tasks: impl IntoIterator<Item = &'a Task>, today: NaiveDate) -> Progress {
        let mut p = Progress::default();
        for t in tasks {
            if t.status == TaskStatus::Dropped {
                continue;
            }
            p.total += 1;
            p.done += usize::from(t.status == TaskStatus::Done);
            p.overdue += usize::from(t.overdue(today));
        }
        p
    }

    pub fn percent(&self) -> u32 {
        (self.done * 100).checked_div(self.total).unwrap_or(0) as u32
    }
}

fn by_order<T>(items: &mut [&T], key: impl Fn(&T) -> (i64, String, Id)) {
    items.sort_by_key(|x| key(x));
}

impl Data {
    pub fn load(store: &Store) -> StoreResult<Data> {
        let mut d = Data::load_plans_only(store)?;
        // Names of the participants plans name, one by one: a big database has a
        // hundred thousand participants and a few dozen municipalities and owners.
        let named: std::collections::HashSet<Id> = d
            .paths
            .iter()
            .filter_map(|p| p.jst)
            .chain(d.plans.iter().filter_map(|p| p.jst))
            .chain(d.tasks.iter().filter_map(|t| t.owner))
            .collect();
        for id in named {
            if let Some(doc) = store.doc(Entity::Participant, id)? {
                let p = Participant::from_doc(id, &doc);
                d.categories.insert(id, p.category);
                d.names.insert(id, p.name);
            }
        }
        let live = |v: Vec<(Id, Doc)>| v.into_iter().filter(|(_, doc)| !doc.is_deleted());
        for (id, doc) in live(store.docs(Entity::Partnership)?) {
            d.partnerships.insert(id, Partnership::from_doc(id, &doc).name);
        }
        // Only what plans link to: a big database has many meetings and few plans.
        let linked: std::collections::HashSet<Id> = d
            .tasks
            .iter()
            .flat_map(|t| t.meetings.iter().copied())
            .chain(d.plans.iter().filter_map(|p| p.meeting))
            .collect();
        for id in linked {
            if let Some(doc) = store.doc(Entity::Meeting, id)? {
                let m = Meeting::from_doc(id, &doc);
                let date = m.date.map(|x| x.to_string()).unwrap_or_default();
                d.meetings.insert(id, format!("{date} {}", m.display_title(Lang::Pl)).trim().to_string());
            }
        }
        let needs: std::collections::HashSet<Id> = d.tasks.iter().flat_map(|t| t.needs.iter().copied()).collect();
        for id in needs {
            if let Some(doc) = store.doc(Entity::Need, id)? {
                d.needs.insert(id, Need::from_doc(id, &doc).description);
            }
        }
        let res: std::collections::HashSet<Id> = d.tasks.iter().flat_map(|t| t.resources.iter().copied()).collect();
        for id in res {
            if let Some(doc) = store.doc(Entity::Resource, id)? {
                d.resources.insert(id, Resource::from_doc(id, &doc).name);
            }
        }
        Ok(d)
    }

    /// Only the path and plan records, without names: cheap enough for a detail panel
    /// redrawn on every cursor move.
    pub fn load_plans_only(store: &Store) -> StoreResult<Data> {
        let mut d = Data::default();
        let live = |v: Vec<(Id, Doc)>| v.into_iter().filter(|(_, doc)| !doc.is_deleted());
        d.paths = live(store.docs(Entity::SupportPath)?).map(|(id, doc)| SupportPath::from_doc(id, &doc)).collect();
        d.plans = live(store.docs(Entity::Plan)?).map(|(id, doc)| Plan::from_doc(id, &doc)).collect();
        d.goals = live(store.docs(Entity::Goal)?).map(|(id, doc)| Goal::from_doc(id, &doc)).collect();
        d.tasks = live(store.docs(Entity::Task)?).map(|(id, doc)| Task::from_doc(id, &doc)).collect();
        d.plans.sort_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)));
        Ok(d)
    }

    pub fn name(&self, id: Option<Id>) -> String {
        id.and_then(|i| self.names.get(&i).cloned()).unwrap_or_default()
    }

    /// Whose plan it is: the municipality's or the partnership's name.
    pub fn plan_owner(&self, p: &Plan) -> String {
        match (p.jst, p.partnership) {
            (Some(j), _) => self.names.get(&j).cloned().unwrap_or_else(|| j.short()),
            (None, Some(ps)) => self.partnerships.get(&ps).cloned().unwrap_or_else(|| ps.short()),
            _ => String::new(),
        }
    }

    pub fn plan(&self, id: Id) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    pub fn path_of(&self, jst: Id) -> Option<&SupportPath> {
        self.paths.iter().find(|p| p.jst == Some(jst))
    }

    pub fn plans_of(&self, owner: Id) -> Vec<&Plan> {
        self.plans.iter().filter(|p| p.jst == Some(owner) || p.partnership == Some(owner)).collect()
    }

    /// A plan's goals and tasks in their order (order, then name, then id, so two
    /// offices that gave the same order still agree).
    pub fn tree(&self, plan: Id) -> Option<PlanTree<'_>> {
        let p = self.plan(plan)?;
        let mut goals: Vec<&Goal> = self.goals.iter().filter(|g| g.plan == Some(plan)).collect();
        by_order(&mut goals, |g| (g.order, g.name.clone(), g.id));
        let goals = goals
            .into_iter()
            .map(|g| {
                let mut tasks: Vec<&Task> = self.tasks.iter().filter(|t| t.goal == Some(g.id)).collect();
                by_order(&mut tasks, |t| (t.order, t.name.clone(), t.id));
                GoalTree { goal: g, tasks }
            })
            .collect();
        Some(PlanTree { plan: p, goals })
    }

    pub fn plan_of_task(&self, task: &Task) -> Option<&Plan> {
        let g = self.goals.iter().find(|g| Some(g.id) == task.goal)?;
        self.plans.iter().find(|p| Some(p.id) == g.plan)
    }

    /// Open tasks past their due date, oldest due first, with their plan.
    pub fn overdue(&self, today: NaiveDate) -> Vec<(&Task, &Plan)> {
        let mut out: Vec<(&Task, &Plan)> = self
            .tasks
            .iter()
            .filter(|t| t.overdue(today))
            .filter_map(|t| self.plan_of_task(t).map(|p| (t, p)))
            .collect();
        out.sort_by(|a, b| (a.0.due, &a.0.name, a.0.id).cmp(&(b.0.due, &b.0.name, b.0.id)));
        out
    }

    pub fn plan_progress(&self, plan: Id, today: NaiveDate) -> Progress {
        match self.tree(plan) {
            Some(t) => Progress::of(t.goals.iter().flat_map(|g| g.tasks.iter().copied()), today),
            None => Progress::default(),
        }
    }

    /// Names of linked records, for lists and exports.
    pub fn links(&self, task: &Task) -> Vec<String> {
        let mut out = Vec::new();
        let get = |m: &HashMap<Id, String>, id: &Id| m.get(id).cloned().unwrap_or_else(|| id.short());
        out.extend(task.meetings.iter().map(|i| get(&self.meetings, i)));
        out.extend(task.needs.iter().map(|i| get(&self.needs, i)));
        out.extend(task.resources.iter().map(|i| get(&self.resources, i)));
        out.extend(task.partnerships.iter().map(|i| get(&self.partnerships, i)));
        out
    }
}

/// Which tasks to show by due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DueFilter {
    #[default]
    Any,
    Overdue,
    /// Open and due within 30 days (overdue ones included).
    Within30,
    NoDate,
}

impl DueFilter {
    pub const ALL: [DueFilter; 4] = [DueFilter::Any, DueFilter::Overdue, DueFilter::Within30, DueFilter::NoDate];

    pub fn label(self, lang: Lang) -> &'static str {
        t(
            lang,
            match self {
                DueFilter::Any => "plan_all",
                DueFilter::Overdue => "plan_due_overdue",
                DueFilter::Within30 => "plan_due_30",
                DueFilter::NoDate => "plan_due_none",
            },
        )
    }
}

/// The task filters of the plans pane and `teren plan tasks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filter {
    pub owner: Option<Id>,
    pub status: Option<TaskStatus>,
    pub due: DueFilter,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    pub fn matches(&self, task: &Task, today: NaiveDate) -> bool {
        self.owner.is_none_or(|o| task.owner == Some(o))
            && self.status.is_none_or(|s| task.status == s)
            && match self.due {
                DueFilter::Any => true,
                DueFilter::Overdue => task.overdue(today),
                DueFilter::Within30 => task.is_open() && task.due.is_some_and(|d| d <= today + chrono::Days::new(30)),
                DueFilter::NoDate => task.due.is_none(),
            }
    }
}

/// Today's date for "overdue", default dates and period filters (local time, the
/// animator's day). The one place the app asks the clock for the day.
///
/// `TEREN_TODAY=yyyy-mm-dd` pins it, so that tests and demo screenshots say the same
/// thing whatever the real date is; a value that is not such a date is ignored.
pub fn today() -> NaiveDate {
    std::env::var("TEREN_TODAY")
        .ok()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// Tick a task: an open task becomes done today; a done one is reopened.
pub fn tick(store: &Store, task: Id, today: NaiveDate) -> Result<TaskStatus, EditError> {
    let doc = store
        .doc(Entity::Task, task)?
        .filter(|d| !d.is_deleted())
        .ok_or_else(|| EditError::NotFound { entity: "task", query: task.short() })?;
    let t = Task::from_doc(task, &doc);
    let (status, changes) = if t.status == TaskStatus::Done {
        (TaskStatus::Todo, vec![Change::set("status", TaskStatus::Todo.code()), Change::set("done_on", Value::Null)])
    } else {
        (
            TaskStatus::Done,
            vec![Change::set("status", TaskStatus::Done.code()), Change::set("done_on", today.to_string())],
        )
    };
    store.commit(vec![Draft::new(Entity::Task, task, changes)])?;
    Ok(status)
}

/// Move a goal or a task one place up (`-1`) or down (`+1`) among its siblings. The
/// siblings are renumbered 1.. only where their number changes, in one transaction.
/// Returns false when it is already first or last.
pub fn move_item(store: &Store, entity: Entity, id: Id, delta: i32) -> Result<bool, EditError> {
    let parent_field = match entity {
        Entity::Goal => "plan",
        Entity::Task => "goal",
        _ => return Ok(false),
    };
    let doc = store
        .doc(entity, id)?
        .filter(|d| !d.is_deleted())
        .ok_or_else(|| EditError::NotFound { entity: entity.singular(), query: id.short() })?;
    let parent = doc.string(parent_field);
    let order = |d: &Doc| d.get("order").and_then(|v| v.as_f64()).map_or(0, |n| n as i64);
    let mut sibs: Vec<(i64, String, Id)> = store
        .docs(entity)?
        .into_iter()
        .filter(|(_, d)| !d.is_deleted() && d.string(parent_field) == parent)
        .map(|(i, d)| (order(&d), d.string("name").unwrap_or_default(), i))
        .collect();
    sibs.sort();
    let Some(pos) = sibs.iter().position(|s| s.2 == id) else { return Ok(false) };
    let to = pos as i64 + i64::from(delta);
    if to < 0 || to >= sibs.len() as i64 {
        return Ok(false);
    }
    sibs.swap(pos, to as usize);
    let drafts: Vec<Draft> = sibs
        .iter()
        .enumerate()
        .filter(|(i, s)| s.0 != *i as i64 + 1)
        .map(|(i, s)| Draft::new(entity, s.2, vec![Change::set("order", Value::Int(i as i64 + 1))]))
        .collect();
    store.commit(drafts)?;
    Ok(true)
}

/// Record a stage of a municipality's support path (creating the path at its first
/// stage): the date, and a document reference when given. Returns the path's id.
pub fn set_stage(
    store: &Store,
    jst: Id,
    stage: PathStage,
    date: NaiveDate,
    document: Option<&str>,
) -> Result<Id, EditError> {
    let mut fields = vec![(stage.field().to_string(), date.to_string())];
    if let Some(doc) = document {
        fields.push((stage.doc_field().to_string(), doc.to_string()));
    }
    upsert_path(store, jst, fields)
}

/// Change fields of a municipality's path, creating it when there is none.
pub fn upsert_path(store: &Store, jst: Id, mut fields: Vec<(String, String)>) -> Result<Id, EditError> {
    let existing = store
        .docs(Entity::SupportPath)?
        .into_iter()
        .find(|(_, d)| !d.is_deleted() && d.str("jst") == Some(jst.to_string().as_str()));
    match existing {
        Some((id, _)) => {
            edit::update(store, Entity::SupportPath, id, &fields)?;
            Ok(id)
        }
        None => {
            fields.insert(0, ("jst".into(), jst.to_string()));
            edit::create(store, Entity::SupportPath, &fields)
        }
    }
}

/// Parse `--date` for a stage: empty means today.
pub fn stage_date(raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, EditError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today),
        Some(s) => validate::date(s).map_err(|e| EditError::Invalid { field: "date".into(), msg: e.to_string() }),
    }
}

/// A plan with its goals and tasks nested, progress and overdue marks (for
/// `teren plan show --json`).
pub fn tree_json(data: &Data, tree: &PlanTree, today: NaiveDate) -> Json {
    let p = tree.plan;
    let goals: Vec<Json> = tree
        .goals
        .iter()
        .map(|g| {
            let pr = Progress::of(g.tasks.iter().copied(), today);
            let tasks: Vec<Json> = g
                .tasks
                .iter()
                .map(|t| {
                    json!({
                        "id": t.id.to_string(),
                        "name": t.name,
                        "owner": t.owner.map(|x| x.to_string()),
                        "owner_name": t.owner.and_then(|o| data.names.get(&o)),
                        "due": t.due.map(|x| x.to_string()),
                        "status": t.status.code(),
                        "done_on": t.done_on.map(|x| x.to_string()),
                        "overdue": t.overdue(today),
                        "notes": t.notes,
                        "notes_conflict": t.notes_conflict,
                        "meetings": t.meetings.iter().map(Id::to_string).collect::<Vec<_>>(),
                        "needs": t.needs.iter().map(Id::to_string).collect::<Vec<_>>(),
                        "resources": t.resources.iter().map(Id::to_string).collect::<Vec<_>>(),
                        "partnerships": t.partnerships.iter().map(Id::to_string).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({"id": g.goal.id.to_string(), "name": g.goal.name, "done": pr.done, "total": pr.total,
                   "overdue": pr.overdue, "tasks": tasks})
        })
        .collect();
    let pr = Progress::of(tree.goals.iter().flat_map(|g| g.tasks.iter().copied()), today);
    json!({
        "id": p.id.to_string(),
        "name": p.name,
        "jst": p.jst.map(|x| x.to_string()),
        "partnership": p.partnership.map(|x| x.to_string()),
        "owner_name": data.plan_owner(p),
        "adopted": p.adopted.map(|x| x.to_string()),
        "done": pr.done,
        "total": pr.total,
        "overdue": pr.overdue,
        "goals": goals,
    })
}

/// Open tasks past their due date whose goal and plan are live (the status line).
pub fn overdue_count(store: &Store, today: NaiveDate) -> StoreResult<usize> {
    let d = Data::load_plans_only(store)?;
    Ok(d.tasks.iter().filter(|t| t.overdue(today) && d.plan_of_task(t).is_some()).count())
}

/// The path and plan lines of a municipality's detail panel (empty for others).
pub fn summary_of(store: &Store, jst: Id, lang: Lang, today: NaiveDate) -> StoreResult<Vec<(String, String)>> {
    Ok(summary(&Data::load_plans_only(store)?, jst, lang, today))
}

/// A one-line summary of a municipality's path and plans, for its detail panel.
pub fn summary(data: &Data, jst: Id, lang: Lang, today: NaiveDate) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(path) = data.path_of(jst) {
        let stage = match path.current() {
            Some(s) => format!("{} ({})", s.stage.label(lang), s.date),
            None => t(lang, "plan_no_stage").to_string(),
        };
        out.push((t(lang, "plan_path").to_string(), stage));
        if let Some(a) = &path.animator {
            out.push((t(lang, "plan_animator").to_string(), a.clone()));
        }
        let forms: usize = path.forms.iter().map(|(_, f)| f.len()).sum();
        if forms > 0 {
            let per: Vec<String> = path
                .forms
                .iter()
                .filter(|(_, f)| !f.is_empty())
                .map(|(a, f)| format!("{} {}", area_short(*a, lang), f.len()))
                .collect();
            out.push((t(lang, "plan_forms").to_string(), per.join(", ")));
        }
    }
    for p in data.plans_of(jst) {
        let pr = data.plan_progress(p.id, today);
        let mut v = format!("{} — {}/{} {}", p.name, pr.done, pr.total, t(lang, "plan_done_short"));
        if pr.overdue > 0 {
            v.push_str(&format!(", {} {}", pr.overdue, t(lang, "overdue")));
        }
        out.push((t(lang, "plan_plan").to_string(), v));
    }
    out
}

fn area_short(a: WorkArea, lang: Lang) -> &'static str {
    match a {
        WorkArea::Jst => "JST",
        WorkArea::Ngo => "NGO",
        WorkArea::Residents => t(lang, "plan_area_residents_short"),
    }
}

/// The path and plan figures of `teren report`: municipalities recruited (a
/// recruitment form or meeting in the period), contracts signed, plans adopted, and
/// tasks done — all, and by their due date — in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Figures {
    pub municipalities_recruited: usize,
    pub contracts_signed: usize,
    pub plans_adopted: usize,
    pub tasks_done: usize,
    pub tasks_done_on_time: usize,
}

pub fn figures(data: &Data, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Figures {
    let within = |d: NaiveDate| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t);
    let reached = |p: &SupportPath, s: PathStage| p.reached(s).is_some_and(|e| within(e.date));
    let mut f = Figures::default();
    for p in &data.paths {
        f.municipalities_recruited +=
            usize::from(reached(p, PathStage::FormReceived) || reached(p, PathStage::RecruitmentMeeting));
        f.contracts_signed += usize::from(reached(p, PathStage::Contract));
    }
    f.plans_adopted = data.plans.iter().filter(|p| p.adopted.is_some_and(within)).count();
    for t in &data.tasks {
        if t.status == TaskStatus::Done && t.done_on.is_some_and(within) {
            f.tasks_done += 1;
            f.tasks_done_on_time += usize::from(t.done_on_time());
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(due: Option<&str>, status: TaskStatus, done_on: Option<&str>) -> Task {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        Task {
            id: Id::new(),
            goal: None,
            name: "t".into(),
            owner: None,
            due: due.and_then(d),
            status,
            done_on: done_on.and_then(d),
            order: 0,
            notes: None,
            notes_conflict: false,
            meetings: vec![],
            needs: vec![],
            resources: vec![],
            partnerships: vec![],
            deleted: false,
        }
    }

    #[test]
    fn progress_counts_done_and_overdue_and_skips_dropped() {
        let today = NaiveDate::from_ymd_opt(2025, 5, 1).unwrap_or_default();
        let ts = [
            task(Some("2025-04-01"), TaskStatus::Todo, None),
            task(Some("2025-04-01"), TaskStatus::Done, Some("2025-03-30")),
            task(Some("2025-06-01"), TaskStatus::InProgress, None),
            task(Some("2025-01-01"), TaskStatus::Dropped, None),
        ];
        let p = Progress::of(ts.iter(), today);
        assert_eq!(p, Progress { done: 1, total: 3, overdue: 1 });
        assert_eq!(p.percent(), 33);
        assert!(ts[1].done_on_time());
        assert!(!task(Some("2025-04-01"), TaskStatus::Done, Some("2025-04-02")).done_on_time());
    }
}
