//! `teren followups` (the open follow-ups of all meetings, by due date, then the
//! overdue plan tasks) and `teren followup …` (add, done, undo, and the shared show,
//! edit, delete, restore).

use super::args::Common;
use super::list::table;
use super::output::json;
use super::record::{Fields, common, created, today};
use crate::dump;
use crate::edit::{self, EditError};
use crate::i18n::Lang;
use crate::model::{Entity, FollowUp, Id};
use crate::store::{Draft, Store};
use crate::sync::Change;
use anyhow::Result;
use clap::Subcommand;
use serde_json::Value;
use std::io::Write;

#[derive(Subcommand, Debug)]
pub enum FollowupCmd {
    /// Add a follow-up to a meeting.
    Add {
        #[arg(long)]
        meeting: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        owner: Option<String>,
    },
    /// Mark a follow-up done.
    Done { id: String },
    /// Mark a follow-up not done.
    Undo { id: String },
    #[command(flatten)]
    Common(Common),
}

/// The drafts that make a follow-up of `meeting`.
pub(super) fn plan_followup(
    store: &Store,
    fields: &[(String, String)],
    meeting: Option<Id>,
) -> Result<Vec<Draft>, EditError> {
    // The meeting may not be committed yet (same transaction), so it is set directly.
    let rest: Vec<(String, String)> = fields.iter().filter(|(f, _)| f != "meeting").cloned().collect();
    let id = Id::new();
    let mut drafts = edit::plan_create(store, Entity::FollowUp, id, &rest)?;
    if let (Some(m), Some(d)) = (meeting, drafts.last_mut()) {
        d.changes.push(Change::set("meeting", m.to_string()));
        d.changes.push(Change::set("done", false));
    }
    Ok(drafts)
}

pub fn followups(store: &Store, all: bool, as_json: bool, out: &mut impl Write) -> Result<()> {
    // A deleted meeting takes its follow-ups with it (restoring it brings them back).
    let meetings = store.docs(Entity::Meeting)?;
    let deleted_meetings: std::collections::HashSet<Id> =
        meetings.iter().filter(|(_, d)| d.is_deleted()).map(|(id, _)| *id).collect();
    let mut items: Vec<FollowUp> = store
        .docs(Entity::FollowUp)?
        .into_iter()
        .map(|(id, d)| FollowUp::from_doc(id, &d))
        .filter(|f| !f.deleted && (all || !f.done))
        .filter(|f| f.meeting.is_none_or(|m| !deleted_meetings.contains(&m)))
        .collect();
    items.sort_by(|a, b| (a.due.is_none(), a.due, &a.text, a.id).cmp(&(b.due.is_none(), b.due, &b.text, b.id)));
    let today = today();
    if as_json {
        let mut v: Vec<Value> = items
            .iter()
            .map(|f| {
                let mut j = dump::followup_json(f);
                j["overdue"] = (!f.done && f.due.is_some_and(|d| d < today)).into();
                j
            })
            .collect();
        // Overdue tasks of action plans follow, marked "kind": "plan-task".
        if let Some(Value::Array(tasks)) = super::plan::followups_section(store, true, out)? {
            v.extend(tasks);
        }
        json(out, &Value::Array(v))?;
        return Ok(());
    }
    let mut places = std::collections::HashMap::new();
    for (id, d) in &meetings {
        places.insert(*id, format!("{} {}", d.str("date").unwrap_or(""), d.str("place").unwrap_or("")));
    }
    table(
        out,
        &items,
        &["id", "due", "", "follow-up", "meeting"],
        |f| {
            let mark = if f.done {
                "done"
            } else if f.due.is_some_and(|d| d < today) {
                "OVERDUE"
            } else {
                ""
            };
            vec![
                f.id.short(),
                f.due.map(|d| d.to_string()).unwrap_or_default(),
                mark.into(),
                f.text.clone(),
                f.meeting.and_then(|m| places.get(&m).cloned()).unwrap_or_default(),
            ]
        },
        Some("no open follow-ups"),
    )?;
    super::plan::followups_section(store, false, out)?;
    Ok(())
}

pub fn followup(store: &Store, cmd: FollowupCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        FollowupCmd::Add { meeting, text, due, owner } => {
            let m = edit::resolve(store, Entity::Meeting, &meeting)?;
            let f = Fields::default().opt("text", Some(text)).opt("due", due).opt("owner", owner);
            let drafts = plan_followup(store, &f.0, Some(m))?;
            let id = drafts.last().map(|d| d.record).unwrap_or_default();
            store.commit(drafts)?;
            created(out, Entity::FollowUp, id)
        }
        FollowupCmd::Done { id } => set_done(store, &id, true, out),
        FollowupCmd::Undo { id } => set_done(store, &id, false, out),
        FollowupCmd::Common(c) => common(store, Entity::FollowUp, c, Lang::Pl, out),
    }
}

fn set_done(store: &Store, id: &str, done: bool, out: &mut impl Write) -> Result<()> {
    let id = edit::resolve(store, Entity::FollowUp, id)?;
    edit::update(store, Entity::FollowUp, id, &[("done".into(), done.to_string())])?;
    writeln!(out, "{} {}", if done { "done" } else { "reopened" }, id.short())?;
    Ok(())
}
