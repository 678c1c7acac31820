//! Records as JSON, under the field names of DESIGN.md §8, and the canonical dump.
//!
//! `dump` is sorted and holds no local-only data (no replica ids, clocks or indexes),
//! so two replicas that have exchanged everything print the same bytes.

use crate::model::{Entity, FollowUp, Id, Meeting, Need, Participant, Partnership, Project, Relation, Resource};
use crate::model::{Goal, Plan, SupportPath, Task};
use crate::store::{Result, Store};
use crate::sync::Doc;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Names of participants by id, to show organisations and attendees by name.
pub type Names = HashMap<Id, String>;

pub fn participant_names(store: &Store) -> Result<Names> {
    let mut names = Names::new();
    store.for_each_view(Entity::Participant, |id, v| {
        names.insert(id, Participant::name_in(&v));
    })?;
    Ok(names)
}

/// [`participant_names`] of the participants `ids` only, each read by its id: a pane
/// that names a few contacts need not read 100 000 records.
pub fn names_of(store: &Store, ids: impl IntoIterator<Item = Id>) -> Result<Names> {
    let view = store.view()?;
    let mut names = Names::new();
    for id in ids {
        if let Some(d) = view.doc(Entity::Participant, id)? {
            names.insert(id, Participant::name_in(&d));
        }
    }
    Ok(names)
}

fn opt<T: ToString>(v: &Option<T>) -> Value {
    v.as_ref().map_or(Value::Null, |x| Value::String(x.to_string()))
}

fn conflicts(doc: &Doc) -> Value {
    let mut m = Map::new();
    for (field, values) in doc.conflicts() {
        m.insert(field.to_string(), values.iter().map(|(_, v)| v.to_json()).collect());
    }
    Value::Object(m)
}

/// Common keys of every record: id, and the tombstone and conflicts when present.
fn finish(mut obj: Map<String, Value>, id: Id, doc: &Doc) -> Value {
    obj.insert("id".into(), id.to_string().into());
    if doc.is_deleted() {
        obj.insert("deleted".into(), true.into());
    }
    if doc.erased {
        obj.insert("erased".into(), true.into());
    }
    if !doc.conflicts().is_empty() {
        obj.insert("conflicts".into(), conflicts(doc));
    }
    Value::Object(obj)
}

/// A record's JSON with the common keys (id, tombstone, conflicts), for record types
/// defined outside this file (the plans module).
pub fn with_common(fields: Value, id: Id, doc: &Doc) -> Value {
    finish(into_map(fields), id, doc)
}

fn into_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The path as JSON (as in `dump --json` and `teren path show --json`).
pub fn path_json(p: &SupportPath, doc: &Doc, names: &Names) -> Value {
    let stages: Vec<Value> = p
        .stages
        .iter()
        .map(|s| json!({"stage": s.stage.code(), "date": s.date.to_string(), "document": s.document}))
        .collect();
    let areas: Map<String, Value> = p
        .forms
        .iter()
        .map(|(a, f)| (a.code().to_string(), json!(f.iter().map(|x| x.code()).collect::<Vec<_>>())))
        .collect();
    with_common(
        json!({
            "jst": p.jst.map(|j| j.to_string()),
            "jst_name": p.jst.and_then(|j| names.get(&j)),
            "animator": p.animator,
            "stage": p.current().map(|s| s.stage.code()),
            "stages": stages,
            "areas": areas,
            "note": p.note,
        }),
        p.id,
        doc,
    )
}

pub fn plan_json(p: &Plan, doc: &Doc) -> Value {
    with_common(
        json!({
            "name": p.name,
            "jst": p.jst.map(|x| x.to_string()),
            "partnership": p.partnership.map(|x| x.to_string()),
            "adopted": p.adopted.map(|x| x.to_string()),
            "meeting": p.meeting.map(|x| x.to_string()),
            "note": p.note,
        }),
        p.id,
        doc,
    )
}

pub fn goal_json(g: &Goal, doc: &Doc) -> Value {
    with_common(json!({"plan": g.plan.map(|x| x.to_string()), "name": g.name, "order": g.order}), g.id, doc)
}

pub fn task_json(t: &Task, doc: &Doc) -> Value {
    let ids = |v: &[Id]| v.iter().map(Id::to_string).collect::<Vec<_>>();
    with_common(
        json!({
            "goal": t.goal.map(|x| x.to_string()),
            "name": t.name,
            "owner": t.owner.map(|x| x.to_string()),
            "due": t.due.map(|x| x.to_string()),
            "status": t.status.code(),
            "done_on": t.done_on.map(|x| x.to_string()),
            "order": t.order,
            "notes": t.notes,
            "meetings": ids(&t.meetings),
            "needs": ids(&t.needs),
            "resources": ids(&t.resources),
            "partnerships": ids(&t.partnerships),
        }),
        t.id,
        doc,
    )
}

pub fn participant_json(p: &Participant, doc: &Doc, names: &Names) -> Value {
    let memberships: Vec<Value> = p
        .memberships
        .iter()
        .map(|m| json!({"org": m.org.to_string(), "org_name": names.get(&m.org), "role": m.role}))
        .collect();
    let org = p.memberships.first().and_then(|m| names.get(&m.org)).cloned();
    finish(
        into_map(json!({
            "kind": p.kind.code(),
            "name": p.name,
            "category": p.category.code(),
            "org": org,
            "gmina": p.gmina,
            "place": p.place,
            "phone": p.phone,
            "email": p.email,
            "note": p.note,
            "tags": p.tags,
            "memberships": memberships,
            "consent_data": opt(&p.consent_data),
            "consent_photos": opt(&p.consent_photos),
            "consent_newsletter": opt(&p.consent_newsletter),
            "retention": opt(&p.retention),
        })),
        p.id,
        doc,
    )
}

pub fn followup_json(f: &FollowUp) -> Value {
    json!({
        "id": f.id.to_string(),
        "meeting": f.meeting.map(|m| m.to_string()),
        "text": f.text,
        "due": opt(&f.due),
        "done": f.done,
        "owner": f.owner.map(|o| o.to_string()),
    })
}

pub fn meeting_json(m: &Meeting, doc: &Doc, followups: &[&FollowUp], names: &Names) -> Value {
    let attendees: Vec<Value> =
        m.attendees.iter().map(|a| json!({"id": a.to_string(), "name": names.get(a)})).collect();
    finish(
        into_map(json!({
            "type": m.kind.code(),
            "date": opt(&m.date),
            "time": m.time.map(|t| t.format("%H:%M").to_string()),
            "hours": m.hours,
            "gmina": m.gmina,
            "place": m.place,
            "title": m.title,
            "attendees": attendees,
            "note": m.note,
            "followups": followups.iter().map(|f| followup_json(f)).collect::<Vec<_>>(),
            "partnership": m.partnership.map(|p| p.to_string()),
            "needs": m.needs.iter().map(Id::to_string).collect::<Vec<_>>(),
        })),
        m.id,
        doc,
    )
}

pub fn resource_json(r: &Resource, doc: &Doc, names: &Names) -> Value {
    finish(
        into_map(json!({
            "category": r.category.code(),
            "name": r.name,
            "description": r.description,
            "gmina": r.gmina,
            "place": r.place,
            "contact": r.contact.map(|c| c.to_string()),
            "contact_name": r.contact.and_then(|c| names.get(&c)),
            "tags": r.tags,
            "lat": r.lat,
            "lon": r.lon,
        })),
        r.id,
        doc,
    )
}

pub fn need_json(n: &Need, doc: &Doc) -> Value {
    finish(
        into_map(json!({
            "description": n.description,
            "category": n.category.map(|c| c.code()),
            "gmina": n.gmina,
            "place": n.place,
            "status": n.status.code(),
            "resources": n.resources.iter().map(Id::to_string).collect::<Vec<_>>(),
            "meeting": n.meeting.map(|m| m.to_string()),
        })),
        n.id,
        doc,
    )
}

pub fn partnership_json(p: &Partnership, doc: &Doc, names: &Names) -> Value {
    let members: Vec<Value> = p
        .members
        .iter()
        .map(|m| {
            json!({"participant": m.participant.to_string(), "name": names.get(&m.participant),
                   "role": m.role, "joined": opt(&m.joined)})
        })
        .collect();
    finish(
        into_map(json!({
            "name": p.name,
            "leader": p.leader.map(|l| l.to_string()),
            "leader_name": p.leader.and_then(|l| names.get(&l)),
            "members": members,
            "started": opt(&p.started),
            "meeting": p.meeting.map(|m| m.to_string()),
            "status": p.status.code(),
            "goals": p.goals,
        })),
        p.id,
        doc,
    )
}

pub fn relation_json(r: &Relation, doc: &Doc, names: &Names) -> Value {
    finish(
        into_map(json!({
            "from": r.from.map(|x| x.to_string()),
            "from_name": r.from.and_then(|x| names.get(&x)),
            "to": r.to.map(|x| x.to_string()),
            "to_name": r.to.and_then(|x| names.get(&x)),
            "type": r.kind.code(),
            "since": opt(&r.since),
            "until": opt(&r.until),
        })),
        r.id,
        doc,
    )
}

pub fn project_json(p: &Project, doc: &Doc) -> Value {
    let targets: Map<String, Value> = p
        .targets
        .iter()
        .map(|(k, n)| (k.code(), if n.fract() == 0.0 && n.abs() < 1e15 { json!(*n as i64) } else { json!(n) }))
        .collect();
    finish(
        into_map(json!({
            "name": p.name,
            "from": opt(&p.from),
            "to": opt(&p.to),
            "targets": targets,
            "note": p.note,
        })),
        p.id,
        doc,
    )
}

/// Follow-ups grouped by meeting.
pub fn followups_by_meeting(store: &Store) -> Result<HashMap<Id, Vec<FollowUp>>> {
    let mut by: HashMap<Id, Vec<FollowUp>> = HashMap::new();
    for (id, d) in store.docs(Entity::FollowUp)? {
        let f = FollowUp::from_doc(id, &d);
        if f.deleted {
            continue;
        }
        if let Some(m) = f.meeting {
            by.entry(m).or_default().push(f);
        }
    }
    for v in by.values_mut() {
        v.sort_by(|a, b| (a.due, &a.text, a.id).cmp(&(b.due, &b.text, b.id)));
    }
    Ok(by)
}

/// JSON of every record of one entity, in id order. Deleted ones are left out unless
/// `with_deleted`.
pub fn entity_json(store: &Store, entity: Entity, names: &Names, with_deleted: bool) -> Result<Vec<Value>> {
    let fups = if entity == Entity::Meeting { followups_by_meeting(store)? } else { HashMap::new() };
    let path_names = if entity == Entity::SupportPath { participant_names(store)? } else { HashMap::new() };
    let mut out = Vec::new();
    for (id, doc) in store.docs(entity)? {
        if doc.is_deleted() && !with_deleted {
            continue;
        }
        out.push(match entity {
            Entity::Participant => participant_json(&Participant::from_doc(id, &doc), &doc, names),
            Entity::Meeting => {
                let f: Vec<&FollowUp> = fups.get(&id).map(|v| v.iter().collect()).unwrap_or_default();
                meeting_json(&Meeting::from_doc(id, &doc), &doc, &f, names)
            }
            Entity::FollowUp => followup_json(&FollowUp::from_doc(id, &doc)),
            Entity::Resource => resource_json(&Resource::from_doc(id, &doc), &doc, names),
            Entity::Need => need_json(&Need::from_doc(id, &doc), &doc),
            Entity::Partnership => partnership_json(&Partnership::from_doc(id, &doc), &doc, names),
            Entity::Relation => relation_json(&Relation::from_doc(id, &doc), &doc, names),
            Entity::Project => project_json(&Project::from_doc(id, &doc), &doc),
            Entity::SupportPath => path_json(&SupportPath::from_doc(id, &doc), &doc, &path_names),
            Entity::Plan => plan_json(&Plan::from_doc(id, &doc), &doc),
            Entity::Goal => goal_json(&Goal::from_doc(id, &doc), &doc),
            Entity::Task => task_json(&Task::from_doc(id, &doc), &doc),
        });
    }
    Ok(out)
}

/// Everything, canonical: one key per entity, records in id order, deleted ones
/// included and marked.
pub fn dump(store: &Store) -> Result<Value> {
    let names = participant_names(store)?;
    let mut m = Map::new();
    for e in Entity::ALL {
        if e == Entity::FollowUp {
            continue; // inside their meetings
        }
        m.insert(e.plural().to_string(), Value::Array(entity_json(store, e, &names, true)?));
    }
    Ok(Value::Object(m))
}
