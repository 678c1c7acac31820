//! Entering a partnership: its leader, members with role and joining date, the
//! inaugural meeting, status, goals, and the meetings that belong to it. One path for
//! `teren partnership add` and the app's editor; the checks are crate::edit's, and the
//! partnership and the meetings it claims are written in one commit.

use crate::edit::{self, Result};
use crate::model::{Entity, Id};
use crate::store::{Draft, Store};
use crate::sync::{Change, Value};

/// One member as typed: a name or id, and the role and joining date when given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemberSpec {
    pub who: String,
    pub role: Option<String>,
    pub joined: Option<String>,
}

impl MemberSpec {
    /// `NAME[:ROLE[:JOINED]]` (the CLI's `--member`).
    pub fn parse(s: &str) -> MemberSpec {
        let mut parts = s.splitn(3, ':').map(str::trim);
        let who = parts.next().unwrap_or_default().to_string();
        let role = parts.next().filter(|r| !r.is_empty()).map(str::to_string);
        let joined = parts.next().filter(|j| !j.is_empty()).map(str::to_string);
        MemberSpec { who, role, joined }
    }
}

/// A partnership as entered. `None` leaves a field out (on create) or as it is (on
/// update); `Some("")` clears it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Input {
    pub name: String,
    /// The leader organisation (name or id); it is a member too.
    pub leader: Option<String>,
    pub members: Vec<MemberSpec>,
    pub started: Option<String>,
    pub status: Option<String>,
    pub goals: Option<String>,
    /// The inaugural meeting (title, date and place, or id); it belongs to the
    /// partnership.
    pub meeting: Option<String>,
    /// Meetings that belong to the partnership (ids or titles); None leaves the
    /// meetings as they are, Some replaces the set.
    pub meetings: Option<Vec<String>>,
}

/// The `(field, value)` pairs crate::edit takes: members resolved to ids (the leader
/// among them), each one's role and joining date as `role:ID` / `joined:ID`. Members in
/// `before` (stored now) that are no longer listed have their details cleared.
pub fn fields(store: &Store, input: &Input, before: &[Id], update: bool) -> Result<Vec<(String, String)>> {
    let mut ids: Vec<Id> = Vec::new();
    let mut details = Vec::new();
    let leader = match input.leader.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => Some(edit::resolve(store, Entity::Participant, l)?),
        None => None,
    };
    for m in &input.members {
        if m.who.trim().is_empty() {
            continue;
        }
        let id = edit::resolve(store, Entity::Participant, &m.who)?;
        // On update an empty role or date clears it; on create there is nothing to clear.
        for (kind, v) in [("role", &m.role), ("joined", &m.joined)] {
            match v {
                Some(v) if update || !v.trim().is_empty() => details.push((format!("{kind}:{id}"), v.clone())),
                None if update => details.push((format!("{kind}:{id}"), String::new())),
                _ => {}
            }
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if let Some(l) = leader.filter(|l| !ids.contains(l)) {
        ids.insert(0, l);
    }
    for gone in before.iter().filter(|b| !ids.contains(b)) {
        details.push((format!("role:{gone}"), String::new()));
        details.push((format!("joined:{gone}"), String::new()));
    }
    let mut out = vec![("name".to_string(), input.name.clone())];
    let opt = |out: &mut Vec<(String, String)>, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.push((k.to_string(), v.clone()));
        }
    };
    opt(&mut out, "leader", &leader.map(|l| l.to_string()).or_else(|| input.leader.clone()));
    if update || !ids.is_empty() {
        out.push(("members".into(), ids.iter().map(Id::to_string).collect::<Vec<_>>().join(",")));
    }
    opt(&mut out, "started", &input.started);
    opt(&mut out, "status", &input.status);
    opt(&mut out, "goals", &input.goals);
    opt(&mut out, "meeting", &input.meeting);
    out.extend(details);
    Ok(out)
}

/// Meetings whose `partnership` is `id`.
pub fn meetings_of(store: &Store, id: Id) -> crate::store::Result<Vec<Id>> {
    let want = id.to_string();
    let mut out = Vec::new();
    store.for_each_view(Entity::Meeting, |mid, doc| {
        if !doc.is_deleted() && doc.str("partnership") == Some(want.as_str()) {
            out.push(mid);
        }
    })?;
    Ok(out)
}

/// Create (`id` None) or update a partnership, and point its meetings at it, in one
/// commit. Nothing is written when any field is wrong.
pub fn save(store: &Store, id: Option<Id>, input: &Input) -> Result<Id> {
    let before: Vec<Id> = match id {
        Some(id) => store
            .doc(Entity::Partnership, id)?
            .map(|d| d.set("members").iter().filter_map(|s| Id::parse(s)).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let pairs = fields(store, input, &before, id.is_some())?;
    let (pid, mut drafts) = match id {
        Some(id) => (id, edit::plan_update(store, Entity::Partnership, id, &pairs)?),
        None => {
            let id = Id::new();
            (id, edit::plan_create(store, Entity::Partnership, id, &pairs)?)
        }
    };
    // The meetings that belong: the inaugural one and those listed.
    let mut want: Vec<Id> = Vec::new();
    if let Some(m) = input.meeting.as_deref().filter(|m| !m.trim().is_empty()) {
        want.push(edit::resolve(store, Entity::Meeting, m)?);
    }
    for m in input.meetings.iter().flatten() {
        let mid = edit::resolve(store, Entity::Meeting, m)?;
        if !want.contains(&mid) {
            want.push(mid);
        }
    }
    let have = if id.is_some() { meetings_of(store, pid)? } else { Vec::new() };
    for mid in &want {
        if !have.contains(mid) {
            drafts.push(Draft::new(Entity::Meeting, *mid, vec![Change::set("partnership", pid.to_string())]));
        }
    }
    if input.meetings.is_some() {
        for mid in have.iter().filter(|m| !want.contains(m)) {
            drafts.push(Draft::new(Entity::Meeting, *mid, vec![Change::set("partnership", Value::Null)]));
        }
    }
    store.commit(drafts)?;
    Ok(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_specs_split_name_role_and_date() {
        let m = MemberSpec::parse("Fundacja Barka : partner : 2010-12-15");
        assert_eq!(
            m,
            MemberSpec {
                who: "Fundacja Barka".into(),
                role: Some("partner".into()),
                joined: Some("2010-12-15".into())
            }
        );
        assert_eq!(MemberSpec::parse("GOPS").role, None);
        assert_eq!(MemberSpec::parse("GOPS::2011-01-13").joined.as_deref(), Some("2011-01-13"));
    }
}
