//! The forms of pane 3: a resource, a need (also from a meeting), with their checks.

use super::*;

pub(super) fn required_category(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() {
        let all: Vec<&str> = ResourceCategory::ALL.iter().map(|c| c.code()).collect();
        return Err(format!("{}: {}", t(lang, "res_required_one_of"), all.join(", ")));
    }
    ResourceCategory::parse(s).map(|_| ()).map_err(|e| e.message(lang))
}

pub(super) fn optional_category(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { required_category(s, lang) }
}

pub(super) fn need_status(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { NeedStatus::parse(s).map(|_| ()).map_err(|e| e.message(lang)) }
}

pub(super) fn required_text(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() { Err(t(lang, "res_required").to_string()) } else { Ok(()) }
}

pub(super) fn latitude(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() {
        return Ok(());
    }
    validate::coordinate(s, "latitude", 90.0).map(|_| ()).map_err(|e| e.message(lang).to_string())
}

pub(super) fn longitude(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() {
        return Ok(());
    }
    validate::coordinate(s, "longitude", 180.0).map(|_| ()).map_err(|e| e.message(lang).to_string())
}

/// How a participant is written in a form's reference field: the name when it finds
/// them alone, else the short id (which always does).
pub(super) fn participant_ref(store: &Store, id: Id) -> String {
    let name = store.doc(Entity::Participant, id).ok().flatten().and_then(|d| d.string("name"));
    match name {
        Some(n) if edit::resolve(store, Entity::Participant, &n).ok() == Some(id) => n,
        _ => id.short(),
    }
}

/// The form to add a resource (in `scope`, of `category`) or edit `existing`.
pub fn resource_form(
    store: &Store,
    l: Lang,
    existing: Option<&Resource>,
    scope: &Scope,
    category: Option<ResourceCategory>,
) -> Form {
    let r = existing;
    let s = |f: &dyn Fn(&Resource) -> Option<String>| r.and_then(f).unwrap_or_default();
    let cat = r.map(|r| r.category).or(category).map(|c| c.label(l).to_string()).unwrap_or_default();
    let gmina = r.map_or(scope.gmina.clone(), |r| r.gmina.clone()).unwrap_or_default();
    let place = r.map_or(scope.place.clone(), |r| r.place.clone()).unwrap_or_default();
    let contact = r.and_then(|r| r.contact).map(|c| participant_ref(store, c)).unwrap_or_default();
    let fields = vec![
        Field::new("name", t(l, "name"), &s(&|r| Some(r.name.clone())), form::required_name, l),
        Field::new("category", t(l, "category"), &cat, required_category, l),
        Field::new("description", t(l, "description"), &s(&|r| r.description.clone()), form::any, l),
        Field::new("gmina", t(l, "gmina"), &gmina, form::any, l),
        Field::new("place", t(l, "place"), &place, form::any, l),
        Field::new("contact", t(l, "contact"), &contact, form::any, l),
        Field::new("tags", t(l, "tags"), &s(&|r| Some(r.tags.join(", "))), form::any, l),
        Field::new("lat", t(l, "res_lat"), &s(&|r| r.lat.map(|v| v.to_string())), latitude, l),
        Field::new("lon", t(l, "res_lon"), &s(&|r| r.lon.map(|v| v.to_string())), longitude, l),
    ];
    let (title, target) = match r {
        Some(r) => (t(l, "res_edit_resource"), Target::Edit(Entity::Resource, r.id)),
        None => (t(l, "res_new_resource"), Target::Create(Entity::Resource)),
    };
    Form { title: title.to_string(), target, fields, focus: 0, error: None, duplicate_ok: false, dirty: false }
}

/// The form to record a need (in `scope`, from `meeting`) or edit `existing`.
pub fn need_form(l: Lang, existing: Option<&Need>, scope: &Scope, meeting: Option<Id>) -> Form {
    let n = existing;
    let cat = n.and_then(|n| n.category).map(|c| c.label(l).to_string()).unwrap_or_default();
    let status = n.map_or(NeedStatus::Open, |n| n.status).label(l);
    let gmina = n.map_or(scope.gmina.clone(), |n| n.gmina.clone()).unwrap_or_default();
    let place = n.map_or(scope.place.clone(), |n| n.place.clone()).unwrap_or_default();
    let meeting = n.and_then(|n| n.meeting).or(meeting).map(|m| m.short()).unwrap_or_default();
    let fields = vec![
        Field::new(
            "description",
            t(l, "description"),
            &n.map(|n| n.description.clone()).unwrap_or_default(),
            required_text,
            l,
        ),
        Field::new("category", t(l, "category"), &cat, optional_category, l),
        Field::new("gmina", t(l, "gmina"), &gmina, form::any, l),
        Field::new("place", t(l, "place"), &place, form::any, l),
        Field::new("status", t(l, "status"), status, need_status, l),
        Field::new("meeting", t(l, "res_meeting_id"), &meeting, form::any, l),
    ];
    let (title, target) = match n {
        Some(n) => (t(l, "res_edit_need"), Target::Edit(Entity::Need, n.id)),
        None => (t(l, "res_new_need"), Target::Create(Entity::Need)),
    };
    Form { title: title.to_string(), target, fields, focus: 0, error: None, duplicate_ok: false, dirty: false }
}

/// The need form for a meeting: its place and gmina filled in, the meeting referenced.
pub fn need_form_for_meeting(store: &Store, meeting: Id, lang: Lang) -> Form {
    let m = store.doc(Entity::Meeting, meeting).ok().flatten().map(|d| Meeting::from_doc(meeting, &d));
    let scope = m.as_ref().map(|m| Scope::new(m.gmina.clone(), m.place.clone())).unwrap_or_default();
    need_form(lang, None, &scope, Some(meeting))
}
