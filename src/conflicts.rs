//! Open conflicts: text fields that two offices wrote without seeing each other's
//! value (DESIGN.md §4). `teren conflicts` and the app's sync screen both list and
//! resolve them through here, so a resolution is the same op whichever made it.

use crate::edit;
use crate::model::{Entity, Id};
use crate::store::{Draft, Peer, Result, Store};
use crate::sync::{Change, ReplicaId, Stamp, Value};

/// One field of one record with more than one value left.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub entity: Entity,
    pub id: Id,
    /// The record's display name (as lists show it).
    pub name: String,
    pub field: String,
    /// The values, oldest first; the last one is the one shown meanwhile.
    pub values: Vec<(Stamp, Value)>,
}

/// Every open conflict, by entity then record id. Reads only the records the
/// store's conflict index names.
pub fn list(store: &Store) -> Result<Vec<Conflict>> {
    let mut out = Vec::new();
    for (e, id) in store.conflicted()? {
        let Some(doc) = store.doc(e, id)? else { continue };
        for (field, values) in doc.conflicts() {
            out.push(Conflict {
                entity: e,
                id,
                name: edit::display_name(e, id, &doc),
                field: field.to_string(),
                values: values.into_iter().map(|(s, v)| (s, v.clone())).collect(),
            });
        }
    }
    Ok(out)
}

/// How many conflicts are open (from the index: no record is read).
pub fn count(store: &Store) -> Result<usize> {
    store.conflict_count()
}

/// Who wrote a value: this office, a known office, or a database id.
pub fn writer(store: &Store, peers: &[(ReplicaId, Peer)], r: ReplicaId) -> Result<String> {
    if r == store.replica() {
        return store.office();
    }
    Ok(peers.iter().find(|(p, _)| *p == r).map(|(_, p)| p.label.clone()).unwrap_or_else(|| r.short()))
}

/// A value as one line of text (line breaks as spaces), for lists.
pub fn value_text(v: &Value) -> String {
    v.as_str().map(|s| s.replace('\n', " ")).unwrap_or_else(|| v.to_json().to_string())
}

/// Every value kept in one text, oldest first, separated by a blank line: for the
/// user who wants both versions and will tidy them later.
pub fn merged(values: &[(Stamp, Value)]) -> Value {
    let parts: Vec<String> = values
        .iter()
        .map(|(_, v)| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_json().to_string()))
        .filter(|s| !s.trim().is_empty())
        .collect();
    Value::Str(parts.join("\n\n"))
}

/// Why a resolution was refused.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("record {0} is gone")]
    Gone(String),
    #[error("{field} of {entity} {id} has no conflict (resolved already, or by another office)")]
    NoConflict { field: String, entity: &'static str, id: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The values of an open conflict, oldest first.
pub fn values(store: &Store, entity: Entity, id: Id, field: &str) -> std::result::Result<Vec<Value>, ResolveError> {
    let doc = store.doc(entity, id)?.ok_or_else(|| ResolveError::Gone(id.short()))?;
    doc.conflicts()
        .into_iter()
        .find(|(f, _)| *f == field)
        .map(|(_, vs)| vs.into_iter().map(|(_, v)| v.clone()).collect())
        .ok_or_else(|| ResolveError::NoConflict { field: field.to_string(), entity: entity.singular(), id: id.short() })
}

/// Resolve a conflict with `value`: a write that saw every value (the store fills
/// `seen` with all of them), so it clears the conflict here and, once the next bundle
/// carries it, at every other office.
pub fn resolve(
    store: &Store,
    entity: Entity,
    id: Id,
    field: &str,
    value: Value,
) -> std::result::Result<(), ResolveError> {
    values(store, entity, id, field)?;
    store.commit(vec![Draft::new(entity, id, vec![Change::write(field, value)])])?;
    Ok(())
}
