//! The record types, read from merged docs.

use super::codes::*;
use crate::ids::{Entity, Id};
use crate::sync::{Doc, Fields};
use chrono::{NaiveDate, NaiveTime};

/// Fields an erasure (RODO) removes. What stays is what unique-participant counts per
/// category and gmina need, and nothing that names the person.
pub fn is_personal(entity: Entity, field: &str) -> bool {
    match entity {
        Entity::Participant => !matches!(field, "kind" | "category" | "gmina" | "created_by"),
        _ => false,
    }
}

pub(super) fn id_of(doc: &impl Fields, field: &str) -> Option<Id> {
    doc.str(field).and_then(Id::parse)
}

pub(super) fn ids_of(doc: &impl Fields, field: &str) -> Vec<Id> {
    doc.elems(field).into_iter().filter_map(Id::parse).collect()
}

pub(super) fn date_of(doc: &impl Fields, field: &str) -> Option<NaiveDate> {
    doc.str(field).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// The key a participant's name sorts by: family name first for people.
pub fn sort_name(name: &str, person: bool) -> String {
    match name.rsplit_once(' ') {
        Some((given, family)) if person => format!("{family} {given}"),
        _ => name.to_string(),
    }
}

/// A person's membership of an organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub org: Id,
    pub role: Option<String>,
}

/// A person or an organisation the animator works with.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub id: Id,
    pub kind: Kind,
    pub name: String,
    pub category: Category,
    pub memberships: Vec<Membership>,
    pub gmina: Option<String>,
    pub place: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    /// RODO (DESIGN.md §7): the date each consent was given; `None` = not given.
    /// `consent_data` is the participant's declaration (oświadczenie uczestnika) that
    /// project reporting needs; photos and newsletter are optional uses.
    pub consent_data: Option<NaiveDate>,
    pub consent_photos: Option<NaiveDate>,
    pub consent_newsletter: Option<NaiveDate>,
    /// Keep the record until this date (then erase it, or renew the date).
    pub retention: Option<NaiveDate>,
    pub deleted: bool,
    pub erased: bool,
}

impl Participant {
    /// A participant known only by name, kind and category (tests, benches, graphs
    /// built by hand).
    pub fn new(id: Id, kind: Kind, name: impl Into<String>, category: Category) -> Self {
        Participant {
            id,
            kind,
            name: name.into(),
            category,
            memberships: Vec::new(),
            gmina: None,
            place: None,
            phone: None,
            email: None,
            note: None,
            tags: Vec::new(),
            consent_data: None,
            consent_photos: None,
            consent_newsletter: None,
            retention: None,
            deleted: false,
            erased: false,
        }
    }

    /// Read from a decoded record or one read in place.
    pub fn from_doc(id: Id, doc: &impl Fields) -> Self {
        let string = |f: &str| doc.str(f).map(str::to_string);
        let (category, kind) = Participant::category_kind(doc);
        let memberships = ids_of(doc, "memberships")
            .into_iter()
            .map(|org| Membership { org, role: string(&format!("role:{org}")) })
            .collect();
        Participant {
            id,
            kind,
            name: Participant::name_in(doc),
            category,
            memberships,
            gmina: string("gmina"),
            place: string("place"),
            phone: string("phone"),
            email: string("email"),
            note: string("note"),
            tags: doc.elems("tags").into_iter().map(str::to_string).collect(),
            consent_data: date_of(doc, "consent_data"),
            consent_photos: date_of(doc, "consent_photos"),
            consent_newsletter: date_of(doc, "consent_newsletter"),
            retention: date_of(doc, "retention"),
            deleted: doc.is_deleted(),
            erased: doc.erased(),
        }
    }

    /// The category and kind [`Participant::from_doc`] gives: a list of everyone reads
    /// only these few fields of each record.
    pub fn category_kind(doc: &impl Fields) -> (Category, Kind) {
        let category = doc.str("category").and_then(|c| Category::parse(c).ok()).unwrap_or(Category::Other);
        let kind = doc.str("kind").and_then(|k| Kind::parse(k).ok()).unwrap_or_else(|| category.default_kind());
        (category, kind)
    }

    /// The name [`Participant::from_doc`] gives.
    pub fn name_in(v: &impl Fields) -> String {
        match v.str("name") {
            Some(n) => n.to_string(),
            None if v.erased() => "[usunięto]".to_string(),
            None => String::new(),
        }
    }

    /// The key lists sort by: family name first for people ("Kowalska Anna").
    pub fn sort_name(&self) -> String {
        sort_name(&self.name, self.kind == Kind::Person)
    }
}

/// A follow-up agreed at a meeting ("send the regranting rules to the mayor").
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub id: Id,
    pub meeting: Option<Id>,
    pub text: String,
    pub due: Option<NaiveDate>,
    pub done: bool,
    pub owner: Option<Id>,
    pub deleted: bool,
}

impl FollowUp {
    pub fn from_doc(id: Id, doc: &impl Fields) -> Self {
        FollowUp {
            id,
            meeting: id_of(doc, "meeting"),
            text: doc.str("text").unwrap_or_default().to_string(),
            due: date_of(doc, "due"),
            done: doc.flag("done"),
            owner: id_of(doc, "owner"),
            deleted: doc.is_deleted(),
        }
    }
}

/// A meeting, visit or other activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: Id,
    pub kind: MeetingType,
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub hours: Option<f64>,
    pub gmina: Option<String>,
    pub place: Option<String>,
    pub title: Option<String>,
    pub attendees: Vec<Id>,
    pub note: Option<String>,
    pub partnership: Option<Id>,
    pub needs: Vec<Id>,
    pub deleted: bool,
}

impl Meeting {
    pub fn from_doc(id: Id, doc: &impl Fields) -> Self {
        let string = |f| doc.str(f).map(str::to_string);
        Meeting {
            id,
            kind: doc.str("type").and_then(|t| MeetingType::parse(t).ok()).unwrap_or(MeetingType::Other),
            date: date_of(doc, "date"),
            time: doc.str("time").and_then(|s| NaiveTime::parse_from_str(s, "%H:%M").ok()),
            hours: doc.num("hours"),
            gmina: string("gmina"),
            place: string("place"),
            title: string("title"),
            attendees: ids_of(doc, "attendees"),
            note: string("note"),
            partnership: id_of(doc, "partnership"),
            needs: ids_of(doc, "needs"),
            deleted: doc.is_deleted(),
        }
    }

    /// Collects the live meetings among records read in place (each half of
    /// `Store::for_each_view_halves`).
    pub fn collect_live(out: &mut Vec<Meeting>) -> impl FnMut(Id, crate::sync::DocView<'_>) + Send + '_ {
        move |id, d| {
            if !d.is_deleted() {
                out.push(Meeting::from_doc(id, &d));
            }
        }
    }

    /// A title for lists: the given one, else type and place.
    pub fn display_title(&self, lang: crate::i18n::Lang) -> String {
        match &self.title {
            Some(t) => t.clone(),
            None => match &self.place {
                Some(p) => format!("{} — {p}", self.kind.label(lang)),
                None => self.kind.label(lang).to_string(),
            },
        }
    }
}

/// Something a locality has (mapa zasobów).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: Id,
    pub category: ResourceCategory,
    pub name: String,
    pub description: Option<String>,
    pub gmina: Option<String>,
    pub place: Option<String>,
    pub contact: Option<Id>,
    pub tags: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub deleted: bool,
}

impl Resource {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        Resource {
            id,
            category: doc
                .str("category")
                .and_then(|c| ResourceCategory::parse(c).ok())
                .unwrap_or(ResourceCategory::Places),
            name: doc.string("name").unwrap_or_default(),
            description: doc.string("description"),
            gmina: doc.string("gmina"),
            place: doc.string("place"),
            contact: id_of(doc, "contact"),
            tags: doc.set("tags"),
            lat: doc.get("lat").and_then(|v| v.as_f64()),
            lon: doc.get("lon").and_then(|v| v.as_f64()),
            deleted: doc.is_deleted(),
        }
    }
}

/// A need that a diagnosis found.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    pub id: Id,
    pub description: String,
    pub category: Option<ResourceCategory>,
    pub gmina: Option<String>,
    pub place: Option<String>,
    pub status: NeedStatus,
    pub resources: Vec<Id>,
    pub meeting: Option<Id>,
    pub deleted: bool,
}

impl Need {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        Need {
            id,
            description: doc.string("description").unwrap_or_default(),
            category: doc.str("category").and_then(|c| ResourceCategory::parse(c).ok()),
            gmina: doc.string("gmina"),
            place: doc.string("place"),
            status: doc.str("status").and_then(|s| NeedStatus::parse(s).ok()).unwrap_or(NeedStatus::Open),
            resources: ids_of(doc, "resources"),
            meeting: id_of(doc, "meeting"),
            deleted: doc.is_deleted(),
        }
    }
}

/// A member of a partnership.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub participant: Id,
    pub role: Option<String>,
    pub joined: Option<NaiveDate>,
}

/// A local partnership or coalition.
#[derive(Debug, Clone, PartialEq)]
pub struct Partnership {
    pub id: Id,
    pub name: String,
    pub leader: Option<Id>,
    pub members: Vec<Member>,
    pub started: Option<NaiveDate>,
    pub meeting: Option<Id>,
    pub status: PartnershipStatus,
    pub goals: Option<String>,
    pub deleted: bool,
}

impl Partnership {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        let members = ids_of(doc, "members")
            .into_iter()
            .map(|p| Member {
                participant: p,
                role: doc.string(&format!("role:{p}")),
                joined: date_of(doc, &format!("joined:{p}")),
            })
            .collect();
        Partnership {
            id,
            name: doc.string("name").unwrap_or_default(),
            leader: id_of(doc, "leader"),
            members,
            started: date_of(doc, "started"),
            meeting: id_of(doc, "meeting"),
            status: doc
                .str("status")
                .and_then(|s| PartnershipStatus::parse(s).ok())
                .unwrap_or(PartnershipStatus::Active),
            goals: doc.string("goals"),
            deleted: doc.is_deleted(),
        }
    }
}

/// A typed link between two participants.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub id: Id,
    pub from: Option<Id>,
    pub to: Option<Id>,
    pub kind: RelationType,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub deleted: bool,
}

impl Relation {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        Relation {
            id,
            from: id_of(doc, "from"),
            to: id_of(doc, "to"),
            kind: doc.str("type").and_then(|t| RelationType::parse(t).ok()).unwrap_or(RelationType::Other),
            since: date_of(doc, "since"),
            until: date_of(doc, "until"),
            deleted: doc.is_deleted(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sync::{Change, DocView, Hlc, Op, OpId, ReplicaId};

    /// Meetings and follow-ups read in place (numbers, flags, texts, sets) equal the
    /// ones read from decoded records.
    #[test]
    fn meetings_and_followups_read_in_place_equal_decoded() {
        let doc = |entity, changes: Vec<Change>| {
            let mut d = Doc::new(entity);
            let op =
                Op { id: OpId { replica: ReplicaId(1), seq: 1 }, clock: Hlc(1), entity, record: Id::new(), changes };
            d.apply(&op, |_| false);
            d
        };
        let m = doc(
            Entity::Meeting,
            vec![
                Change::set("type", "workshop"),
                Change::set("date", "2026-03-02"),
                Change::set("time", "17:30"),
                Change::set("hours", 2.5),
                Change::set("place", "Świetlica w Ługach"),
                Change::write("note", "Długa notatka"),
                Change::add("attendees", Id::new().to_string()),
            ],
        );
        let bytes = m.encode();
        let (id, view) = (Id::new(), DocView::read(&bytes).unwrap());
        assert_eq!(Meeting::from_doc(id, &view), Meeting::from_doc(id, &m));
        assert_eq!(Meeting::from_doc(id, &view).hours, Some(2.5));
        let f = doc(
            Entity::FollowUp,
            vec![Change::set("text", "Wysłać regulamin"), Change::set("done", true), Change::set("due", "2026-03-09")],
        );
        let bytes = f.encode();
        let view = DocView::read(&bytes).unwrap();
        assert_eq!(FollowUp::from_doc(id, &view), FollowUp::from_doc(id, &f));
        assert!(FollowUp::from_doc(id, &view).done);
    }
}
