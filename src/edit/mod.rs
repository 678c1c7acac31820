//! Validated, reference-resolving changes to records: the one way the command line and
//! the app change data.
//!
//! Callers give fields as `(name, raw text)` pairs — the names of DESIGN.md §8, the
//! same as `--set FIELD=VALUE` — and get either a committed change or an error that
//! names the field and says what is expected. Nothing is written unless every field
//! is valid.

mod fields;

pub use fields::field_names;
use fields::{Ty, required, spec};

use crate::model::{
    Category, CoopForm, Entity, Id, Kind, MeetingType, NeedStatus, Participant, PartnershipStatus, RelationType,
    ResourceCategory, TaskStatus, validate,
};
use crate::search::fold;
use crate::store::{Draft, Store, StoreError, View};
use crate::sync::{Change, Doc, Value};

/// Why an edit was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    #[error("{field}: {msg}")]
    Invalid { field: String, msg: String },
    #[error("unknown field '{field}' for a {entity}; fields: {accepted}")]
    UnknownField { entity: &'static str, field: String, accepted: String },
    #[error("a {entity} needs {field}")]
    Missing { entity: &'static str, field: &'static str },
    #[error("no {entity} matches '{query}'")]
    NotFound { entity: &'static str, query: String },
    #[error("'{query}' matches {n} {entities}: {list}; give the id instead", n = .candidates.len(), list = .candidates.join(", "))]
    Ambiguous { entities: &'static str, query: String, candidates: Vec<String> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, EditError>;

fn invalid(field: &str, msg: impl ToString) -> EditError {
    EditError::Invalid { field: field.to_string(), msg: msg.to_string() }
}

/// The name a record is known by in lists and messages.
pub fn display_name(entity: Entity, id: Id, doc: &Doc) -> String {
    let s = match entity {
        Entity::Meeting => doc
            .string("title")
            .or_else(|| Some(format!("{} {}", doc.str("date").unwrap_or(""), doc.str("place").unwrap_or("")))),
        Entity::Need => doc.string("description"),
        Entity::FollowUp => doc.string("text"),
        Entity::Relation => doc.string("type"),
        _ => doc.string("name"),
    };
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).unwrap_or_else(|| id.short())
}

/// Find one live record by id prefix (4+ hex digits) or by its unique name.
pub fn resolve(store: &Store, entity: Entity, query: &str) -> Result<Id> {
    let q = query.trim();
    let not_found = || EditError::NotFound { entity: entity.singular(), query: q.to_string() };
    if q.is_empty() {
        return Err(not_found());
    }
    if q.len() >= 4 && q.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        // The prefix index holds tombstones too (restore needs them); a deleted record
        // must not be edited, attended or linked by its id any more than by its name.
        let mut ids = Vec::new();
        for id in store.ids_with_prefix(entity, q)? {
            if store.doc(entity, id)?.is_some_and(|d| !d.is_deleted()) {
                ids.push(id);
            }
        }
        match ids.len() {
            1 => return Ok(ids[0]),
            0 => {}
            _ => {
                return Err(EditError::Ambiguous {
                    entities: entity.plural(),
                    query: q.to_string(),
                    candidates: ids.iter().take(8).map(Id::short).collect(),
                });
            }
        }
    }
    let fq = fold(q);
    let mut hits = Vec::new();
    for (id, doc) in store.docs(entity)? {
        if doc.is_deleted() {
            continue;
        }
        if fold(&display_name(entity, id, &doc)) == fq {
            hits.push((id, doc));
        }
    }
    match hits.len() {
        0 => Err(not_found()),
        1 => Ok(hits[0].0),
        _ => Err(EditError::Ambiguous {
            entities: entity.plural(),
            query: q.to_string(),
            candidates: hits
                .iter()
                .take(8)
                .map(|(id, d)| {
                    let place = d.str("place").map(|p| format!(", {p}")).unwrap_or_default();
                    format!("{} ({}{place})", id.short(), display_name(entity, *id, d))
                })
                .collect(),
        }),
    }
}

/// What the fields of an edit say about the record, for fields that depend on others.
struct Ctx {
    category: Option<Category>,
    gmina: Option<String>,
    place: Option<String>,
}

/// The changes (and any records to create alongside, such as a new organisation named
/// in `org`) for one field of one record.
#[allow(clippy::too_many_arguments)]
fn field_changes(
    store: &Store,
    entity: Entity,
    record: Id,
    current: Option<&Doc>,
    ctx: &Ctx,
    field: &str,
    raw: &str,
    extra: &mut Vec<Draft>,
) -> Result<Vec<Change>> {
    // A partnership member's role and joining date live in `role:ID` and `joined:ID`.
    if entity == Entity::Partnership
        && let Some((kind, member)) = field.split_once(':').filter(|(k, _)| matches!(*k, "role" | "joined"))
    {
        let member = resolve(store, Entity::Participant, member)?;
        let name = format!("{kind}:{member}");
        let v = raw.trim();
        return Ok(vec![match kind {
            "role" => Change::set(&name, Value::from(validate::text(v))),
            _ if v.is_empty() => Change::set(&name, Value::Null),
            _ => Change::set(&name, validate::date(v).map_err(|e| invalid(field, e))?.to_string()),
        }]);
    }
    let ty =
        spec(entity).iter().find(|(n, _)| *n == field).map(|(_, t)| *t).ok_or_else(|| EditError::UnknownField {
            entity: entity.singular(),
            field: field.to_string(),
            accepted: field_names(entity).join(", "),
        })?;
    let v = raw.trim();
    let opt = |s: Option<String>| Value::from(s);
    let code = |r: std::result::Result<&'static str, crate::model::UnknownCode>| {
        r.map(|c| vec![Change::set(field, c)]).map_err(|e| invalid(field, e))
    };
    let empty = v.is_empty();
    Ok(match ty {
        Ty::Name => vec![Change::set(field, validate::name(v).map_err(|e| invalid(field, e))?)],
        Ty::Text => vec![Change::set(field, opt(validate::text(v)))],
        Ty::Note => {
            // A form saves every field: rewriting an unchanged text would make two offices
            // that edited other fields of the record show a conflict of identical notes.
            let value = opt(validate::text(raw));
            let heads = current.map(|d| d.text_heads(field).len()).unwrap_or(0);
            let same = match heads {
                0 => value.is_null(),
                1 if value.is_null() => !d_has_value(current, field),
                1 => current.and_then(|d| d.get(field)) == Some(&value),
                _ => false,
            };
            if same { Vec::new() } else { vec![Change::write(field, value)] }
        }
        Ty::Kind => return code(Kind::parse(v).map(Kind::code)),
        Ty::Category => return code(Category::parse(v).map(Category::code)),
        Ty::MeetingType => return code(MeetingType::parse(v).map(MeetingType::code)),
        Ty::ResourceCategory if empty => vec![Change::set(field, Value::Null)],
        Ty::ResourceCategory => return code(ResourceCategory::parse(v).map(ResourceCategory::code)),
        Ty::NeedStatus => return code(NeedStatus::parse(v).map(NeedStatus::code)),
        Ty::PartnershipStatus => return code(PartnershipStatus::parse(v).map(PartnershipStatus::code)),
        Ty::RelationType => return code(RelationType::parse(v).map(RelationType::code)),
        Ty::TaskStatus => return code(TaskStatus::parse(v).map(TaskStatus::code)),
        Ty::CoopForms => {
            let mut want = Vec::new();
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                want.push(CoopForm::parse(part).map_err(|e| invalid(field, e))?.code().to_string());
            }
            replace_set(field, current, want)
        }
        Ty::Targets => {
            // Every target is its own field, so offices can change different ones at once.
            let want = crate::model::parse_targets(v).map_err(|e| invalid(field, e))?;
            let mut out: Vec<Change> = current
                .map(|d| d.fields.keys().filter(|f| f.starts_with("target:")).cloned().collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .filter(|f| d_has_value(current, f) && !want.iter().any(|(k, _)| format!("target:{}", k.code()) == *f))
                .map(|f| Change::set(&f, Value::Null))
                .collect();
            out.extend(want.iter().map(|(k, n)| Change::set(&format!("target:{}", k.code()), *n)));
            out
        }
        _ if empty => vec![Change::set(field, Value::Null)],
        Ty::Date => vec![Change::set(field, validate::date(v).map_err(|e| invalid(field, e))?.to_string())],
        Ty::Time => {
            vec![Change::set(field, validate::time(v).map_err(|e| invalid(field, e))?.format("%H:%M").to_string())]
        }
        Ty::Hours => vec![Change::set(field, validate::hours(v).map_err(|e| invalid(field, e))?)],
        Ty::Order => {
            let n: i64 = v.parse().map_err(|_| invalid(field, format!("'{v}' is not a whole number")))?;
            vec![Change::set(field, Value::Int(n))]
        }
        Ty::Phone => vec![Change::set(field, validate::phone(v).map_err(|e| invalid(field, e))?)],
        Ty::Email => vec![Change::set(field, validate::email(v).map_err(|e| invalid(field, e))?)],
        Ty::Lat => vec![Change::set(field, validate::coordinate(v, "latitude", 90.0).map_err(|e| invalid(field, e))?)],
        Ty::Lon => {
            vec![Change::set(field, validate::coordinate(v, "longitude", 180.0).map_err(|e| invalid(field, e))?)]
        }
        Ty::Bool => {
            let b = match fold(v).as_str() {
                "true" | "yes" | "tak" | "1" | "done" | "x" => true,
                "false" | "no" | "nie" | "0" | "" => false,
                _ => return Err(invalid(field, format!("'{v}' is not yes/no (tak/nie)"))),
            };
            vec![Change::set(field, b)]
        }
        Ty::Ref(target) => vec![Change::set(field, resolve(store, target, v)?.to_string())],
        Ty::RefSet(target) => {
            let mut want = Vec::new();
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                want.push(resolve(store, target, part)?.to_string());
            }
            replace_set(field, current, want)
        }
        Ty::Tags => {
            let want = v.split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
            replace_set(field, current, want)
        }
        Ty::Orgs => {
            let mut want = Vec::new();
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let org = match resolve(store, Entity::Participant, part) {
                    Ok(id) => id,
                    Err(EditError::NotFound { .. }) => {
                        // A new organisation named on the fly: the person represents it,
                        // so it takes their category (a PES worker's organisation is a PES).
                        let cat = ctx.category.filter(|c| *c != Category::Person).unwrap_or(Category::Other);
                        let id = Id::new();
                        let mut changes = vec![
                            Change::set("kind", Kind::Org.code()),
                            Change::set("name", validate::name(part).map_err(|e| invalid(field, e))?),
                            Change::set("category", cat.code()),
                            Change::set("created_by", store.replica().to_string()),
                        ];
                        for (f, val) in [("gmina", &ctx.gmina), ("place", &ctx.place)] {
                            if let Some(val) = val.clone().filter(|v| !v.is_empty()) {
                                changes.push(Change::set(f, val));
                            }
                        }
                        extra.push(Draft::new(Entity::Participant, id, changes));
                        id
                    }
                    Err(e) => return Err(e),
                };
                if org == record {
                    return Err(invalid(field, "an organisation cannot be its own member"));
                }
                want.push(org.to_string());
            }
            replace_set("memberships", current, want)
        }
    })
}

fn d_has_value(doc: Option<&Doc>, field: &str) -> bool {
    doc.is_some_and(|d| d.get(field).is_some())
}

/// Changes that make set `field` hold exactly `want`.
fn replace_set(field: &str, current: Option<&Doc>, want: Vec<String>) -> Vec<Change> {
    let have = current.map(|d| d.set(field)).unwrap_or_default();
    let mut out: Vec<Change> =
        have.iter().filter(|h| !want.contains(h)).map(|h| Change::remove(field, h.clone())).collect();
    out.extend(want.iter().filter(|w| !have.contains(w)).map(|w| Change::add(field, w.clone())));
    out
}

fn build(
    store: &Store,
    entity: Entity,
    record: Id,
    current: Option<&Doc>,
    fields: &[(String, String)],
) -> Result<Vec<Draft>> {
    let given = |name: &str| fields.iter().find(|(f, _)| f == name).map(|(_, v)| v.trim().to_string());
    let from_doc = |name: &str| current.and_then(|d| d.string(name));
    let ctx = Ctx {
        category: given("category").or_else(|| from_doc("category")).and_then(|c| Category::parse(&c).ok()),
        gmina: given("gmina").or_else(|| from_doc("gmina")),
        place: given("place").or_else(|| from_doc("place")),
    };
    if entity == Entity::Project {
        let date = |name: &str| given(name).or_else(|| from_doc(name)).and_then(|d| validate::date(&d).ok());
        if let (Some(from), Some(to)) = (date("from"), date("to"))
            && to < from
        {
            let field = if given("from").is_some() && given("to").is_none() { "from" } else { "to" };
            return Err(invalid(field, format!("the project ends ({to}) before it starts ({from})")));
        }
    }
    if matches!(entity, Entity::SupportPath | Entity::Plan) {
        check_jst(store, entity, record, given("jst"))?;
    }
    let mut extra = Vec::new();
    let mut changes = Vec::new();
    for (f, v) in fields {
        changes.extend(field_changes(store, entity, record, current, &ctx, f, v, &mut extra)?);
    }
    let mut drafts = extra;
    drafts.push(Draft::new(entity, record, changes));
    Ok(drafts)
}

/// Create a record from fields; returns its id and the ids of records made alongside.
pub fn create(store: &Store, entity: Entity, fields: &[(String, String)]) -> Result<Id> {
    let drafts = plan_create(store, entity, Id::new(), fields)?;
    let id = drafts.last().map(|d| d.record).unwrap_or_default();
    store.commit(drafts)?;
    Ok(id)
}

/// The drafts that create a record with a given id, checked but not written.
pub fn plan_create(store: &Store, entity: Entity, id: Id, fields: &[(String, String)]) -> Result<Vec<Draft>> {
    for req in required(entity) {
        if !fields.iter().any(|(f, v)| f == req && !v.trim().is_empty()) {
            return Err(EditError::Missing { entity: entity.singular(), field: req });
        }
    }
    let mut fields = fields.to_vec();
    if entity == Entity::Participant && !fields.iter().any(|(f, _)| f == "kind") {
        let cat = fields.iter().find(|(f, _)| f == "category").and_then(|(_, v)| Category::parse(v).ok());
        let name = fields.iter().find(|(f, _)| f == "name").map(|(_, v)| v.as_str()).unwrap_or("");
        let has_org = fields.iter().any(|(f, v)| f == "org" && !v.trim().is_empty());
        let kind = match cat {
            None | Some(Category::Person) => Kind::Person,
            Some(_) if has_org => Kind::Person,
            Some(_) if looks_like_org(name) => Kind::Org,
            Some(_) => Kind::Person,
        };
        fields.insert(0, ("kind".into(), kind.code().into()));
    }
    if entity == Entity::Participant && !fields.iter().any(|(f, _)| f == "category") {
        let kind = fields.iter().find(|(f, _)| f == "kind").and_then(|(_, v)| Kind::parse(v).ok());
        let cat = if kind == Some(Kind::Org) { Category::Other } else { Category::Person };
        fields.push(("category".into(), cat.code().into()));
    }
    if entity == Entity::Plan && !fields.iter().any(|(f, v)| (f == "jst" || f == "partnership") && !v.trim().is_empty())
    {
        return Err(EditError::Missing { entity: entity.singular(), field: "jst or partnership" });
    }
    if matches!(entity, Entity::Goal | Entity::Task) && !fields.iter().any(|(f, _)| f == "order") {
        fields.push(("order".into(), next_order(store, entity, &fields)?.to_string()));
    }
    let mut drafts = build(store, entity, id, None, &fields)?;
    if let Some(d) = drafts.last_mut() {
        d.changes.push(Change::set("created_by", store.replica().to_string()));
    }
    Ok(drafts)
}

/// A support path or a municipality's plan is for a participant of category `jst`;
/// and a municipality has one support path.
fn check_jst(store: &Store, entity: Entity, record: Id, jst: Option<String>) -> Result<()> {
    let Some(q) = jst.filter(|q| !q.is_empty()) else { return Ok(()) };
    let id = resolve(store, Entity::Participant, &q)?;
    let doc = live_doc(store, Entity::Participant, id)?;
    // An official of the gmina is a person of category jst; the municipality is the office.
    if doc.str("category") != Some(Category::Jst.code()) || doc.str("kind") != Some(Kind::Org.code()) {
        return Err(invalid("jst", format!("'{q}' is not a municipality (an organisation of category jst)")));
    }
    if entity == Entity::SupportPath {
        let other = store
            .docs(Entity::SupportPath)?
            .into_iter()
            .find(|(pid, d)| *pid != record && !d.is_deleted() && d.str("jst") == Some(id.to_string().as_str()));
        if let Some((pid, _)) = other {
            return Err(invalid("jst", format!("'{q}' already has a support path ({})", pid.short())));
        }
    }
    Ok(())
}

/// The order after the last sibling: goals of the same plan, tasks of the same goal.
fn next_order(store: &Store, entity: Entity, fields: &[(String, String)]) -> Result<i64> {
    let (parent_field, parent_entity) =
        if entity == Entity::Goal { ("plan", Entity::Plan) } else { ("goal", Entity::Goal) };
    let Some(q) = fields.iter().find(|(f, _)| f == parent_field).map(|(_, v)| v.clone()) else { return Ok(1) };
    let parent = resolve(store, parent_entity, &q)?.to_string();
    let mut max = 0;
    for (_, d) in store.docs(entity)? {
        if !d.is_deleted() && d.str(parent_field) == Some(parent.as_str()) {
            max = max.max(d.get("order").and_then(|v| v.as_f64()).map_or(0, |n| n as i64));
        }
    }
    Ok(max + 1)
}

/// Whether a name reads like an organisation's rather than a person's: an institution
/// word, quotes, or more words than a Polish personal name has.
pub fn looks_like_org(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "stowarzyszenie",
        "fundacja",
        "spoldzielnia",
        "urzad",
        "osrodek",
        "ops",
        "gops",
        "mops",
        "mgops",
        "pcpr",
        "pup",
        "gmina",
        "starostwo",
        "szkola",
        "parafia",
        "kolo",
        "klub",
        "grupa",
        "rada",
        "centrum",
        "dom",
        "biblioteka",
        "firma",
        "zaklad",
        "gazeta",
        "radio",
        "portal",
        "lgd",
        "osp",
        "kgw",
        "cis",
        "kis",
        "zaz",
        "wtz",
        "towarzystwo",
        "przedszkole",
        "sklep",
        "piekarnia",
        "gospodarstwo",
        "instytut",
        "zwiazek",
        "siec",
        "partnerstwo",
        "koalicja",
        "przedsiebiorstwo",
        "warsztat",
        "agencja",
        "kancelaria",
        "sp.",
        "s.c.",
    ];
    let f = fold(name);
    let words: Vec<&str> = f.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).collect();
    name.contains(['„', '"', '”']) || words.len() > 4 || words.iter().any(|w| WORDS.contains(w))
}

/// Change fields of an existing record.
pub fn update(store: &Store, entity: Entity, id: Id, fields: &[(String, String)]) -> Result<()> {
    store.commit(plan_update(store, entity, id, fields)?)?;
    Ok(())
}

/// The drafts that change an existing record, checked but not written (to commit them
/// with other changes in one transaction).
pub fn plan_update(store: &Store, entity: Entity, id: Id, fields: &[(String, String)]) -> Result<Vec<Draft>> {
    let doc = live_doc(store, entity, id)?;
    build(store, entity, id, Some(&doc), fields)
}

fn live_doc(store: &Store, entity: Entity, id: Id) -> Result<Doc> {
    store.doc(entity, id)?.ok_or_else(|| EditError::NotFound { entity: entity.singular(), query: id.short() })
}

/// Tombstone a record (it can be restored).
pub fn delete(store: &Store, entity: Entity, id: Id) -> Result<()> {
    live_doc(store, entity, id)?;
    store.commit(vec![Draft::new(entity, id, vec![Change::Delete])])?;
    Ok(())
}

/// Undo a delete.
pub fn restore(store: &Store, entity: Entity, id: Id) -> Result<()> {
    live_doc(store, entity, id)?;
    store.commit(vec![Draft::new(entity, id, vec![Change::Restore])])?;
    Ok(())
}

/// Find a deleted record by id prefix (restore needs to see tombstones).
pub fn resolve_any(store: &Store, entity: Entity, query: &str) -> Result<Id> {
    let ids = store.ids_with_prefix(entity, query.trim())?;
    match ids.len() {
        1 => Ok(ids[0]),
        0 => resolve(store, entity, query),
        _ => Err(EditError::Ambiguous {
            entities: entity.plural(),
            query: query.to_string(),
            candidates: ids.iter().take(8).map(Id::short).collect(),
        }),
    }
}

/// The gmina of a place, from the records that name both: the newest meetings first
/// (an animator meets in the same villages), then the resource map, then participants.
/// Bounded, so a quick capture stays quick on a big database.
pub fn gmina_of(store: &Store, place: &str) -> Result<Option<String>> {
    gmina_in(&store.view()?, place)
}

/// [`gmina_of`] in a snapshot the caller already holds.
pub fn gmina_in(view: &View, place: &str) -> Result<Option<String>> {
    let f = fold(place.trim());
    if f.is_empty() {
        return Ok(None);
    }
    let gmina = |d: &Doc| {
        if d.str("place").map(fold).as_deref() == Some(f.as_str()) { d.string("gmina") } else { None }
    };
    // Newest meetings first, then the map, then people and organisations — each a
    // bounded number, so a save never reads the whole database. A place is mostly
    // typed as it was before (the capture form offers the last one): records holding
    // that exact text are looked at first, without decoding the rest.
    let sources = [(Entity::Meeting, 500, true), (Entity::Resource, 5000, false), (Entity::Participant, 5000, false)];
    for (entity, limit, newest_first) in sources {
        if let Some(g) = view.find_ordered_containing(entity, limit, newest_first, place.trim(), gmina)? {
            return Ok(Some(g));
        }
    }
    for (entity, limit, newest_first) in sources {
        if let Some(g) = view.find_ordered(entity, limit, newest_first, gmina)? {
            return Ok(Some(g));
        }
    }
    Ok(None)
}

/// Live participants whose folded name and place match — likely the same person.
pub fn duplicates_of(store: &Store, name: &str, place: Option<&str>) -> Result<Vec<Participant>> {
    let fname = fold(name);
    let fplace = place.map(fold).unwrap_or_default();
    // Namesakes are found through the list index, not by reading 100 000 records: a
    // person sorts as "family given", anyone else as named (`order_key`).
    let mut ids = store.ids_by_sort_key(Entity::Participant, &fold(&crate::model::sort_name(name, true)))?;
    ids.extend(store.ids_by_sort_key(Entity::Participant, &fname)?);
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let Some(d) = store.doc(Entity::Participant, id)? else { continue };
        let p = Participant::from_doc(id, &d);
        if !p.deleted && fold(&p.name) == fname && p.place.as_deref().map(fold).unwrap_or_default() == fplace {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn add(store: &Store, fields: &[(&str, &str)]) -> Id {
        let f: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        create(store, Entity::Participant, &f).unwrap()
    }

    #[test]
    fn namesakes_are_found_by_the_list_index_whatever_the_letters() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let person = add(&store, &[("name", "Łukasz Żółć"), ("place", "Ługi"), ("kind", "person")]);
        let org = add(&store, &[("name", "Koło Gospodyń"), ("kind", "org"), ("category", "informal")]);
        add(&store, &[("name", "Łukasz Żółć"), ("place", "Osiek"), ("kind", "person")]);
        let gone = add(&store, &[("name", "Łukasz Żółć"), ("place", "Ługi"), ("kind", "person")]);
        delete(&store, Entity::Participant, gone).unwrap();
        let ids = |name: &str, place: Option<&str>| {
            duplicates_of(&store, name, place).unwrap().into_iter().map(|p| p.id).collect::<Vec<_>>()
        };
        assert_eq!(ids("lukasz zolc", Some("lugi")), vec![person]);
        assert_eq!(ids("KOŁO gospodyń", None), vec![org]);
        assert!(ids("Łukasz", Some("Ługi")).is_empty());
    }
}
