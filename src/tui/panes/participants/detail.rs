//! The detail panel of one participant: who they are, their organisation's people,
//! meetings, partnerships, and a municipality's support path and plans.

use super::*;

/// The detail panel of the selected participant.
pub struct Detail {
    pub id: Id,
    /// What the panel shows: contact data, the last few meetings, partnerships.
    pub lines: Vec<(String, String)>,
    /// Everything, for the full view (Enter).
    pub full: Vec<(String, String)>,
}

/// The detail of one participant. `all_meetings` reads every meeting attended for the
/// full view (Enter); the panel, redrawn on every cursor move and search result, reads
/// only the last one. `today` is the app's day, for a municipality's overdue tasks.
pub fn detail(store: &Store, id: Id, lang: Lang, all_meetings: bool, today: NaiveDate) -> Result<Option<Detail>> {
    let Some(doc) = store.doc(Entity::Participant, id)? else { return Ok(None) };
    let p = Participant::from_doc(id, &doc);
    let label = |k: &str| t(lang, k).to_string();
    let dash = |v: Option<&String>| v.cloned().unwrap_or_else(|| "—".into());
    let attended = store.attended(id)?;
    let mut meetings = Vec::new();
    for (mid, date) in attended.iter().take(if all_meetings { 200 } else { 1 }) {
        let title = store
            .doc(Entity::Meeting, *mid)?
            .map(|d| Meeting::from_doc(*mid, &d).display_title(lang))
            .unwrap_or_default();
        meetings.push((label("meeting"), format!("{date} {title}")));
    }
    // The first lines are the same labels in the same rows for everyone, empty or not,
    // so a cursor move rewrites only the values that differ (BENCHMARKS.md); lines
    // that some participants have and others do not come after them.
    let mut lines: Vec<(String, String)> = vec![
        (label("category"), format!("{} ({})", p.category.label(lang), p.category.code())),
        (label("gmina"), dash(p.gmina.as_ref())),
        (label("place"), dash(p.place.as_ref())),
        (label("phone"), dash(p.phone.as_ref())),
        (label("email"), dash(p.email.as_ref())),
        (label("last_contact"), meetings.first().map_or_else(|| "—".into(), |m| m.1.clone())),
        (
            label("meetings"),
            if attended.len() > 1 {
                format!("{} — {}", attended.len(), t(lang, "enter_more"))
            } else {
                attended.len().to_string()
            },
        ),
    ];
    let mut extra = Vec::new();
    for m in &p.memberships {
        let org =
            store.doc(Entity::Participant, m.org)?.and_then(|d| d.string("name")).unwrap_or_else(|| m.org.short());
        let role = m.role.as_ref().map(|r| format!(" — {r}")).unwrap_or_default();
        extra.push((label("org"), format!("{org}{role}")));
    }
    for (pid, d) in store.docs(Entity::Partnership)? {
        let ps = Partnership::from_doc(pid, &d);
        if !ps.deleted && (ps.leader == Some(id) || ps.members.iter().any(|m| m.participant == id)) {
            let role = if ps.leader == Some(id) { format!(" ({})", t(lang, "leader")) } else { String::new() };
            extra.push((label("partnership"), format!("{}{role}", ps.name)));
        }
    }
    if p.category == crate::model::Category::Jst && p.kind == crate::model::Kind::Org {
        // A municipality: where it is on the support path, and its plans' progress.
        extra.extend(crate::plans::summary_of(store, id, lang, today)?);
    }
    if !p.tags.is_empty() {
        extra.push((label("tags"), p.tags.join(", ")));
    }
    if let Some(n) = &p.note {
        extra.push((label("note"), n.clone()));
    }
    lines.extend(extra);
    let mut full = lines.clone();
    full.push((label("kind"), p.kind.label(lang).to_string()));
    full.extend(meetings);
    Ok(Some(Detail { id, lines, full }))
}
