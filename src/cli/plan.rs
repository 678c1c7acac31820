//! `teren path …` (a municipality's support path: stages, areas and forms of
//! cooperation, the animator) and `teren plan …` (action plans: goals, tasks, ticking,
//! reordering, overdue tasks, Markdown and CSV export).

use super::args::{Common, EditArgs, IdArg};
use super::list::{json_rows, table};
use super::map::Format;
use super::output::{Table, json};
use super::record::common;
use crate::edit::{self, EditError};
use crate::i18n::{Lang, t};
use crate::model::{Category, CoopForm, Entity, Id, Kind, Participant, PathStage, TaskStatus, WorkArea};
use crate::plans::{self, Data, DueFilter, Filter, Progress, export};
use crate::store::Store;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json as j};
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum PathCmd {
    /// Record a stage: form-received, recruitment-meeting, contract, diagnosis,
    /// plan-adopted, implementation, closed (Polish names work too). Starts the path
    /// at its first stage.
    Stage {
        /// The municipality (a participant of category jst): name or id.
        gmina: String,
        stage: String,
        /// yyyy-mm-dd; today when not given.
        #[arg(long)]
        date: Option<String>,
        /// The document that shows it: a file name or path (the file itself stays where it is).
        #[arg(long, value_name = "FILE")]
        doc: Option<String>,
    },
    /// Set the responsible animator, the forms of cooperation of an area, a note.
    Set {
        gmina: String,
        #[arg(long)]
        animator: Option<String>,
        /// jst, ngo or residents; with --forms.
        #[arg(long, requires = "forms")]
        area: Option<String>,
        /// Forms of cooperation of the area, comma-separated (replaces them): e.g.
        /// regranting,microgrants,rdpp. An empty value clears the area.
        #[arg(long, requires = "area")]
        forms: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// A municipality's path: stages with dates and documents, forms, plans.
    Show {
        gmina: String,
        #[arg(long)]
        json: bool,
    },
    /// Every municipality on the path, with its stage.
    List {
        #[arg(long)]
        json: bool,
    },
    /// The forms of cooperation of the offer, by code.
    Forms,
}

#[derive(Subcommand, Debug)]
pub enum PlanCmd {
    /// Add an action plan for a municipality or a partnership.
    Add {
        #[arg(long)]
        name: String,
        /// The municipality (category jst).
        #[arg(long, conflicts_with = "partnership", required_unless_present = "partnership")]
        jst: Option<String>,
        #[arg(long)]
        partnership: Option<String>,
        /// The date the plan was adopted (yyyy-mm-dd).
        #[arg(long)]
        adopted: Option<String>,
        /// The meeting where it was written.
        #[arg(long)]
        meeting: Option<String>,
    },
    /// Plans with their progress.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A plan's goals and tasks, with progress and overdue marks.
    Show {
        plan: String,
        #[arg(long)]
        json: bool,
    },
    /// Add a goal to a plan.
    Goal { plan: String, name: String },
    /// Add a task to a goal.
    Task(TaskAdd),
    /// Tasks across plans, filtered by plan, owner, status and due date.
    Tasks {
        #[arg(long)]
        plan: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        /// todo, in-progress, done, dropped.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_enum)]
        due: Option<DueArg>,
        #[arg(long)]
        json: bool,
    },
    /// Tick a task done today (or reopen a done one).
    Tick { task: String },
    /// Move a goal or a task one place up or down.
    Move {
        /// A goal or a task (id prefix or unique name).
        item: String,
        #[arg(long, conflicts_with = "down", required_unless_present = "down")]
        up: bool,
        #[arg(long)]
        down: bool,
    },
    /// Open tasks past their due date, across plans.
    Overdue {
        #[arg(long)]
        json: bool,
    },
    /// The plan as Markdown or CSV for the mayor's office.
    Export {
        plan: String,
        #[arg(long, value_enum)]
        format: Format,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Change fields of a plan, goal or task: --set FIELD=VALUE, repeatable.
    // The shared arguments, with this command's own help for the id.
    #[command(mut_arg("id", |a| a.help("A plan, goal or task (id prefix or unique name)")))]
    Edit(EditArgs),
    /// Delete a plan, goal or task (it can be restored).
    Delete(IdArg),
    /// Restore a deleted plan, goal or task.
    Restore(IdArg),
}

#[derive(Args, Debug)]
pub struct TaskAdd {
    /// The goal (id prefix or unique name).
    goal: String,
    name: String,
    /// Who does it: a participant or organisation.
    #[arg(long)]
    owner: Option<String>,
    #[arg(long)]
    due: Option<String>,
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// A meeting it comes from or serves; repeatable.
    #[arg(long = "meeting")]
    meetings: Vec<String>,
    #[arg(long = "need")]
    needs: Vec<String>,
    #[arg(long = "resource")]
    resources: Vec<String>,
    #[arg(long = "partnership")]
    partnerships: Vec<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DueArg {
    Overdue,
    /// Open and due within 30 days.
    Soon,
    /// Without a due date.
    None,
}

fn jst_of(store: &Store, q: &str) -> Result<Id> {
    let id = edit::resolve(store, Entity::Participant, q)?;
    let p = store.doc(Entity::Participant, id)?.map(|d| Participant::from_doc(id, &d));
    match p {
        Some(p) if p.category == Category::Jst && p.kind == Kind::Org => Ok(id),
        Some(p) => bail!(
            "'{}' is a {} ({}), not a municipality (an organisation of category jst)",
            p.name,
            p.kind.code(),
            p.category.code()
        ),
        None => bail!("no participant matches '{q}'"),
    }
}

/// A plan, goal or task by id prefix or unique name (ids first: they are unique).
fn find_item(store: &Store, q: &str, kinds: &[Entity]) -> Result<(Entity, Id)> {
    let mut found = Vec::new();
    let mut last_err = None;
    for e in kinds {
        match edit::resolve(store, *e, q) {
            Ok(id) => found.push((*e, id)),
            Err(err @ EditError::Ambiguous { .. }) => return Err(err.into()),
            Err(err) => last_err = Some(err),
        }
    }
    match found.len() {
        1 => Ok(found[0]),
        0 => match last_err {
            Some(e) => Err(e.into()),
            None => bail!("nothing matches '{q}'"),
        },
        _ => bail!("'{q}' names more than one of plan, goal, task; give the id"),
    }
}

pub fn path(store: &Store, cmd: PathCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    let today = plans::today();
    match cmd {
        PathCmd::Stage { gmina, stage, date, doc } => {
            let jst = jst_of(store, &gmina)?;
            let stage = PathStage::parse(&stage).map_err(|e| anyhow::anyhow!(e.message(lang)))?;
            let date = plans::stage_date(date.as_deref(), today)?;
            let id = plans::set_stage(store, jst, stage, date, doc.as_deref())?;
            writeln!(
                out,
                "{} {}: {} {date} (path {})",
                t(lang, "plan_path"),
                gmina.trim(),
                stage.label(lang),
                id.short()
            )?;
        }
        PathCmd::Set { gmina, animator, area, forms, note } => {
            let jst = jst_of(store, &gmina)?;
            let mut fields = Vec::new();
            if let Some(a) = animator {
                fields.push(("animator".to_string(), a));
            }
            if let (Some(area), Some(forms)) = (area, forms) {
                let area = WorkArea::parse(&area).map_err(|e| anyhow::anyhow!(e.message(lang)))?;
                fields.push((area.field().to_string(), forms));
            }
            if let Some(n) = note {
                fields.push(("note".to_string(), n));
            }
            if fields.is_empty() {
                bail!("nothing to set: give --animator, --area with --forms, or --note");
            }
            let id = plans::upsert_path(store, jst, fields)?;
            writeln!(out, "path {} saved", id.short())?;
        }
        PathCmd::Show { gmina, json: as_json } => {
            let jst = jst_of(store, &gmina)?;
            let data = Data::load(store)?;
            let Some(p) = data.path_of(jst) else {
                bail!("{} has no support path yet; start it with: teren path stage \"{}\" form-received", gmina, gmina)
            };
            if as_json {
                let doc = store.doc(Entity::SupportPath, p.id)?.context("the path vanished")?;
                let mut v = crate::dump::path_json(p, &doc, &data.names);
                v["plans"] = data
                    .plans_of(jst)
                    .iter()
                    .filter_map(|pl| data.tree(pl.id).map(|tr| plans::tree_json(&data, &tr, today)))
                    .collect::<Vec<_>>()
                    .into();
                json(out, &v)?;
                return Ok(());
            }
            writeln!(out, "{} — {}", data.name(Some(jst)), t(lang, "plan_path"))?;
            if let Some(a) = &p.animator {
                writeln!(out, "{}: {a}", t(lang, "plan_animator"))?;
            }
            let mut tab = Table::new(&["", t(lang, "plan_stage"), t(lang, "date"), t(lang, "plan_document")]);
            for s in PathStage::ALL {
                let e = p.reached(*s);
                tab.row(vec![
                    if e.is_some() { "✓".into() } else { String::new() },
                    s.label(lang).to_string(),
                    e.map(|e| e.date.to_string()).unwrap_or_default(),
                    e.and_then(|e| e.document.clone()).unwrap_or_default(),
                ]);
            }
            tab.write(out)?;
            for (area, forms) in &p.forms {
                let list: Vec<&str> = forms.iter().map(|f| f.label(lang)).collect();
                writeln!(out, "{}: {}", area.label(lang), if list.is_empty() { "—".into() } else { list.join(", ") })?;
            }
            for pl in data.plans_of(jst) {
                let pr = data.plan_progress(pl.id, today);
                writeln!(
                    out,
                    "{}: {} ({}) {}/{} {}, {} {}",
                    t(lang, "plan_plan"),
                    pl.name,
                    pl.id.short(),
                    pr.done,
                    pr.total,
                    t(lang, "plan_done_short"),
                    pr.overdue,
                    t(lang, "overdue")
                )?;
            }
        }
        PathCmd::List { json: as_json } => {
            let data = Data::load(store)?;
            let mut paths: Vec<_> = data.paths.iter().collect();
            paths.sort_by_key(|p| (data.name(p.jst), p.id));
            if as_json {
                return json_rows(out, &paths, |p| {
                    j!({"id": p.id.to_string(), "jst": p.jst.map(|x| x.to_string()), "jst_name": data.name(p.jst),
                        "stage": p.current().map(|s| s.stage.code()),
                        "stage_date": p.current().map(|s| s.date.to_string()),
                        "animator": p.animator,
                        "plans": p.jst.map(|x| data.plans_of(x).len()).unwrap_or(0)})
                });
            }
            table(
                out,
                &paths,
                &["id", t(lang, "gmina"), t(lang, "plan_stage"), t(lang, "date"), t(lang, "plan_animator")],
                |p| {
                    let cur = p.current();
                    vec![
                        p.id.short(),
                        data.name(p.jst),
                        cur.map(|s| s.stage.label(lang).to_string()).unwrap_or_default(),
                        cur.map(|s| s.date.to_string()).unwrap_or_default(),
                        p.animator.clone().unwrap_or_default(),
                    ]
                },
                Some("no municipality is on the path yet; start one with: teren path stage GMINA form-received"),
            )?;
        }
        PathCmd::Forms => {
            let mut tab = Table::new(&["code", "nazwa", "name"]);
            for f in CoopForm::ALL {
                tab.row(vec![f.code().into(), f.label(Lang::Pl).into(), f.label(Lang::En).into()]);
            }
            tab.write(out)?;
        }
    }
    Ok(())
}

pub fn plan(store: &Store, cmd: PlanCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    let today = plans::today();
    match cmd {
        PlanCmd::Add { name, jst, partnership, adopted, meeting } => {
            let mut fields = vec![("name".to_string(), name)];
            if let Some(g) = jst {
                fields.push(("jst".into(), jst_of(store, &g)?.to_string()));
            }
            for (f, v) in [("partnership", partnership), ("adopted", adopted), ("meeting", meeting)] {
                if let Some(v) = v {
                    fields.push((f.into(), v));
                }
            }
            let id = edit::create(store, Entity::Plan, &fields)?;
            writeln!(out, "{id}")?;
        }
        PlanCmd::List { json: as_json } => {
            let data = Data::load(store)?;
            if as_json {
                let v: Vec<Value> = data
                    .plans
                    .iter()
                    .filter_map(|p| data.tree(p.id).map(|tr| plans::tree_json(&data, &tr, today)))
                    .collect();
                json(out, &Value::Array(v))?;
                return Ok(());
            }
            table(
                out,
                &data.plans,
                &[
                    "id",
                    t(lang, "plan_plan"),
                    t(lang, "plan_owner"),
                    t(lang, "plan_adopted"),
                    t(lang, "plan_done_short"),
                    t(lang, "overdue"),
                ],
                |p| {
                    let pr = data.plan_progress(p.id, today);
                    vec![
                        p.id.short(),
                        p.name.clone(),
                        data.plan_owner(p),
                        p.adopted.map(|d| d.to_string()).unwrap_or_default(),
                        format!("{}/{}", pr.done, pr.total),
                        pr.overdue.to_string(),
                    ]
                },
                Some(t(lang, "plan_none")),
            )?;
        }
        PlanCmd::Show { plan, json: as_json } => {
            let id = edit::resolve(store, Entity::Plan, &plan)?;
            let data = Data::load(store)?;
            let tree = data.tree(id).context("the plan vanished")?;
            if as_json {
                json(out, &plans::tree_json(&data, &tree, today))?;
                return Ok(());
            }
            let pr = Progress::of(tree.goals.iter().flat_map(|g| g.tasks.iter().copied()), today);
            writeln!(
                out,
                "{} ({}) — {} — {}/{} {} ({}%)",
                tree.plan.name,
                id.short(),
                data.plan_owner(tree.plan),
                pr.done,
                pr.total,
                t(lang, "plan_done_short"),
                pr.percent()
            )?;
            for (gi, g) in tree.goals.iter().enumerate() {
                let gp = Progress::of(g.tasks.iter().copied(), today);
                writeln!(out, "\n{}. {} ({}) {}/{}", gi + 1, g.goal.name, g.goal.id.short(), gp.done, gp.total)?;
                let mut tab = Table::new(&[
                    "",
                    "id",
                    t(lang, "plan_task"),
                    t(lang, "plan_owner"),
                    t(lang, "due"),
                    t(lang, "status"),
                ]);
                for task in &g.tasks {
                    tab.row(vec![
                        tick_mark(task, today).into(),
                        task.id.short(),
                        task.name.clone(),
                        data.name(task.owner),
                        task.due.map(|d| d.to_string()).unwrap_or_default(),
                        task.status.label(lang).to_string(),
                    ]);
                }
                if !tab.is_empty() {
                    tab.write(out)?;
                }
            }
        }
        PlanCmd::Goal { plan, name } => {
            let p = edit::resolve(store, Entity::Plan, &plan)?;
            let id = edit::create(store, Entity::Goal, &[("plan".into(), p.to_string()), ("name".into(), name)])?;
            writeln!(out, "{id}")?;
        }
        PlanCmd::Task(a) => {
            let g = edit::resolve(store, Entity::Goal, &a.goal)?;
            let mut fields = vec![("goal".to_string(), g.to_string()), ("name".to_string(), a.name)];
            for (f, v) in [("owner", a.owner), ("due", a.due), ("status", a.status), ("notes", a.notes)] {
                if let Some(v) = v {
                    fields.push((f.into(), v));
                }
            }
            for (f, v) in [
                ("meetings", a.meetings),
                ("needs", a.needs),
                ("resources", a.resources),
                ("partnerships", a.partnerships),
            ] {
                if !v.is_empty() {
                    fields.push((f.into(), v.join(",")));
                }
            }
            let id = edit::create(store, Entity::Task, &fields)?;
            writeln!(out, "{id}")?;
        }
        PlanCmd::Tasks { plan, owner, status, due, json: as_json } => {
            let data = Data::load(store)?;
            let plan = plan.map(|p| edit::resolve(store, Entity::Plan, &p)).transpose()?;
            let filter = Filter {
                owner: owner.map(|o| edit::resolve(store, Entity::Participant, &o)).transpose()?,
                status: status
                    .map(|s| TaskStatus::parse(&s).map_err(|e| anyhow::anyhow!(e.message(lang))))
                    .transpose()?,
                due: match due {
                    None => DueFilter::Any,
                    Some(DueArg::Overdue) => DueFilter::Overdue,
                    Some(DueArg::Soon) => DueFilter::Within30,
                    Some(DueArg::None) => DueFilter::NoDate,
                },
            };
            let mut rows = Vec::new();
            for p in data.plans.iter().filter(|p| plan.is_none_or(|x| x == p.id)) {
                if let Some(tree) = data.tree(p.id) {
                    for g in &tree.goals {
                        for task in g.tasks.iter().filter(|t| filter.matches(t, today)) {
                            rows.push((p, g.goal, *task));
                        }
                    }
                }
            }
            task_rows(&data, &rows, as_json, lang, today, out)?;
        }
        PlanCmd::Tick { task } => {
            let id = edit::resolve(store, Entity::Task, &task)?;
            let s = plans::tick(store, id, today)?;
            writeln!(out, "{} {}: {}", t(lang, "plan_task"), id.short(), s.label(lang))?;
        }
        PlanCmd::Move { item, up, down: _ } => {
            let (e, id) = find_item(store, &item, &[Entity::Goal, Entity::Task])?;
            let moved = plans::move_item(store, e, id, if up { -1 } else { 1 })?;
            let msg = match (moved, up) {
                (true, _) => "moved",
                (false, true) => t(lang, "plan_first"),
                (false, false) => t(lang, "plan_last"),
            };
            writeln!(out, "{msg}")?;
        }
        PlanCmd::Overdue { json: as_json } => {
            let data = Data::load(store)?;
            let rows: Vec<_> = data
                .overdue(today)
                .into_iter()
                .filter_map(|(task, p)| data.goals.iter().find(|g| Some(g.id) == task.goal).map(|g| (p, g, task)))
                .collect();
            task_rows(&data, &rows, as_json, lang, today, out)?;
        }
        PlanCmd::Export { plan, format, out: file } => {
            let id = edit::resolve(store, Entity::Plan, &plan)?;
            let data = Data::load(store)?;
            let tree = data.tree(id).context("the plan vanished")?;
            let bytes = match format {
                Format::Md => export::markdown(&data, &tree, lang, today).into_bytes(),
                Format::Csv => export::csv(&data, &tree, lang, today),
            };
            match file {
                Some(f) => {
                    std::fs::write(&f, &bytes).with_context(|| format!("cannot write {}", f.display()))?;
                    writeln!(out, "{}", t(lang, "plan_exported").replace("{file}", &f.display().to_string()))?;
                }
                None => out.write_all(&bytes)?,
            }
        }
        PlanCmd::Edit(a) => {
            let (e, _) = find_item(store, &a.id, &[Entity::Plan, Entity::Goal, Entity::Task])?;
            common(store, e, Common::Edit(a), lang, out)?;
        }
        PlanCmd::Delete(a) => {
            let (e, _) = find_item(store, &a.id, &[Entity::Plan, Entity::Goal, Entity::Task])?;
            common(store, e, Common::Delete(a), lang, out)?;
        }
        PlanCmd::Restore(a) => {
            let (e, _) = find_deleted(store, &a.id)?;
            common(store, e, Common::Restore(a), lang, out)?;
        }
    }
    Ok(())
}

/// Restore needs to find a deleted plan, goal or task by its id prefix.
fn find_deleted(store: &Store, q: &str) -> Result<(Entity, Id)> {
    let mut found = Vec::new();
    for e in [Entity::Plan, Entity::Goal, Entity::Task] {
        for id in store.ids_with_prefix(e, q.trim())? {
            found.push((e, id));
        }
    }
    match found.len() {
        1 => Ok(found[0]),
        0 => bail!("no plan, goal or task matches '{}'", q.trim()),
        _ => bail!("'{}' matches more than one record; give more of the id", q.trim()),
    }
}

fn tick_mark(task: &crate::model::Task, today: chrono::NaiveDate) -> &'static str {
    match task.status {
        TaskStatus::Done => "[x]",
        TaskStatus::Dropped => "[-]",
        _ if task.overdue(today) => "[!]",
        _ => "[ ]",
    }
}

fn task_rows(
    data: &Data,
    rows: &[(&crate::model::Plan, &crate::model::Goal, &crate::model::Task)],
    as_json: bool,
    lang: Lang,
    today: chrono::NaiveDate,
    out: &mut impl Write,
) -> Result<()> {
    if as_json {
        return json_rows(out, rows, |(p, g, task)| {
            j!({"id": task.id.to_string(), "name": task.name, "plan": p.id.to_string(), "plan_name": p.name,
                "goal": g.id.to_string(), "goal_name": g.name,
                "owner": task.owner.map(|o| o.to_string()), "owner_name": data.name(task.owner),
                "due": task.due.map(|d| d.to_string()), "status": task.status.code(),
                "overdue": task.overdue(today)})
        });
    }
    table(
        out,
        rows,
        &["", "id", t(lang, "due"), t(lang, "plan_task"), t(lang, "plan_owner"), t(lang, "plan_plan")],
        |(p, _, task)| {
            vec![
                tick_mark(task, today).into(),
                task.id.short(),
                task.due.map(|d| d.to_string()).unwrap_or_default(),
                task.name.clone(),
                data.name(task.owner),
                format!("{} — {}", p.name, data.plan_owner(p)),
            ]
        },
        Some(t(lang, "nothing_found")),
    )
}

/// Overdue plan tasks for `teren followups`: a section after the follow-ups.
pub fn followups_section(store: &Store, as_json: bool, out: &mut impl Write) -> Result<Option<Value>> {
    let data = Data::load(store)?;
    let today = plans::today();
    let rows = data.overdue(today);
    if as_json {
        let v: Vec<Value> = rows
            .iter()
            .map(|(task, p)| {
                let mut v = j!({"id": task.id.to_string(), "text": task.name, "due": task.due.map(|d| d.to_string()),
                    "done": false, "owner": task.owner.map(|o| o.to_string()), "overdue": true,
                    "plan": p.id.to_string(), "plan_name": p.name});
                v["kind"] = "plan-task".into();
                v
            })
            .collect();
        return Ok(Some(Value::Array(v)));
    }
    if rows.is_empty() {
        return Ok(None);
    }
    writeln!(out, "\noverdue plan tasks ({}):", rows.len())?;
    let mut tab = Table::new(&["id", "due", "task", "owner", "plan"]);
    for (task, p) in rows {
        tab.row(vec![
            task.id.short(),
            task.due.map(|d| d.to_string()).unwrap_or_default(),
            task.name.clone(),
            data.name(task.owner),
            format!("{} — {}", p.name, data.plan_owner(p)),
        ]);
    }
    tab.write(out)?;
    Ok(None)
}
