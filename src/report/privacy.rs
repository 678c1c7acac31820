//! Personal-data duties (DESIGN.md §7): everything held about one person (the right
//! of access, art. 15 RODO) and the records kept past their retention date.

use crate::dump::{self, Names};
use crate::model::{Entity, FollowUp, Id, Meeting, Participant, Partnership, Relation, Resource};
use crate::store::{Draft, Result, Store};
use crate::sync::Change;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// Everything the database holds about participant `id`: their record (every field,
/// consents and retention included), the organisations they belong to (or, for an
/// organisation, its members), the meetings they attended, the follow-ups they own,
/// their partnerships, relations and the resources they are the contact of.
///
/// Meeting notes are left out: they are about a meeting and its other attendees, not
/// the person; a request that needs them is answered by reading the meetings listed.
pub fn subject_export(store: &Store, id: Id) -> Result<Option<Value>> {
    let Some(doc) = store.doc(Entity::Participant, id)? else { return Ok(None) };
    let names: Names = dump::participant_names(store)?;
    let p = Participant::from_doc(id, &doc);
    let record = dump::participant_json(&p, &doc, &names);

    let mut members = Vec::new();
    store.for_each_doc(Entity::Participant, |mid, d| {
        if d.is_deleted() {
            return;
        }
        let m = Participant::from_doc(mid, &d);
        if let Some(ms) = m.memberships.iter().find(|ms| ms.org == id) {
            members.push(json!({"id": mid.to_string(), "name": m.name, "role": ms.role}));
        }
    })?;

    let mut meetings = Vec::new();
    for (mid, _date) in store.attended(id)? {
        let Some(d) = store.doc(Entity::Meeting, mid)? else { continue };
        let m = Meeting::from_doc(mid, &d);
        if m.deleted {
            continue;
        }
        meetings.push(json!({
            "id": mid.to_string(),
            "date": m.date.map(|d| d.to_string()),
            "type": m.kind.code(),
            "title": m.title,
            "gmina": m.gmina,
            "place": m.place,
            "hours": m.hours,
        }));
    }

    let mut followups = Vec::new();
    store.for_each_view(Entity::FollowUp, |fid, d| {
        let f = FollowUp::from_doc(fid, &d);
        if !f.deleted && f.owner == Some(id) {
            followups.push(dump::followup_json(&f));
        }
    })?;

    let mut partnerships = Vec::new();
    store.for_each_doc(Entity::Partnership, |pid, d| {
        let p = Partnership::from_doc(pid, &d);
        if p.deleted {
            return;
        }
        let member = p.members.iter().find(|m| m.participant == id);
        if member.is_some() || p.leader == Some(id) {
            partnerships.push(json!({
                "id": pid.to_string(),
                "name": p.name,
                "leader": p.leader == Some(id),
                "role": member.and_then(|m| m.role.clone()),
                "joined": member.and_then(|m| m.joined).map(|d| d.to_string()),
            }));
        }
    })?;

    let mut relations = Vec::new();
    store.for_each_doc(Entity::Relation, |rid, d| {
        let r = Relation::from_doc(rid, &d);
        if r.deleted || (r.from != Some(id) && r.to != Some(id)) {
            return;
        }
        let other = if r.from == Some(id) { r.to } else { r.from };
        relations.push(json!({
            "id": rid.to_string(),
            "type": r.kind.code(),
            "direction": if r.from == Some(id) { "from" } else { "to" },
            "with": other.map(|o| o.to_string()),
            "with_name": other.and_then(|o| names.get(&o)),
            "since": r.since.map(|d| d.to_string()),
            "until": r.until.map(|d| d.to_string()),
        }));
    })?;

    let mut resources = Vec::new();
    store.for_each_doc(Entity::Resource, |rid, d| {
        let r = Resource::from_doc(rid, &d);
        if !r.deleted && r.contact == Some(id) {
            resources.push(json!({"id": rid.to_string(), "name": r.name, "category": r.category.code()}));
        }
    })?;

    Ok(Some(json!({
        "participant": record,
        "members": members,
        "meetings_attended": meetings,
        "followups_owned": followups,
        "partnerships": partnerships,
        "relations": relations,
        "resources_contact": resources,
    })))
}

/// What [`erase`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erased {
    Now,
    /// It was erased before: nothing written, nothing audited.
    Already,
    /// There is no such participant.
    Missing,
}

/// RODO erasure of participant `id`: its personal fields go for good, here and from
/// this database's log (other offices erase them when they import the next bundle);
/// kind, category and gmina stay for the reports. The audit log records that one
/// participant was erased, never who. `teren erase` and the app both come here.
pub fn erase(store: &Store, id: Id) -> Result<Erased> {
    let Some(doc) = store.doc(Entity::Participant, id)? else { return Ok(Erased::Missing) };
    if doc.erased {
        return Ok(Erased::Already);
    }
    store.commit_audited(
        vec![Draft::new(Entity::Participant, id, vec![Change::Erase])],
        "erase",
        "one participant's personal data",
        1,
    )?;
    Ok(Erased::Now)
}

/// A record kept past its retention date.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    pub id: Id,
    pub name: String,
    pub retention: NaiveDate,
    pub days: i64,
}

/// Live, not yet erased participants whose retention date is before `today`, the
/// longest overdue first.
pub fn retention_overdue(store: &Store, today: NaiveDate) -> Result<Vec<Overdue>> {
    let mut out = Vec::new();
    store.for_each_doc(Entity::Participant, |id, d| {
        let p = Participant::from_doc(id, &d);
        if p.deleted || p.erased {
            return;
        }
        if let Some(r) = p.retention.filter(|r| *r < today) {
            out.push(Overdue { id, name: p.name, retention: r, days: (today - r).num_days() });
        }
    })?;
    out.sort_by(|a, b| (a.retention, &a.name, a.id).cmp(&(b.retention, &b.name, b.id)));
    Ok(out)
}
