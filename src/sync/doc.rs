//! A record's merged state, built from its ops in any order.

use super::compact::{self, OwnedText, Text};
use super::op::{Change, ChangeRef, Hlc, Op, OpId, OpRef, ReplicaId, Value, ValueRef};
use crate::ids::Entity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Encoding version of a stored [`Doc`] (the leading byte of a `records` value). Ops
/// keep [`super::ENCODING_VERSION`]; docs never leave the database, so they can change
/// shape with a schema bump and a rebuild from the log.
pub const DOC_ENCODING: u8 = 3;

/// The order of writes: clock first, then replica and seq to break ties the same way
/// on every replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub clock: Hlc,
    pub id: OpId,
}

/// The merged state of one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldState {
    /// Last writer wins.
    Reg { value: Value, stamp: Stamp },
    /// Multi-value register: the values no write has replaced yet, oldest first, and
    /// the ids of the values that were replaced (so a late copy stays replaced).
    Text { values: Vec<(Stamp, Value)>, gone: Vec<OpId> },
    /// Add-wins set: each element with the ids of the adds that no remove saw.
    Set { adds: BTreeMap<String, Vec<OpId>>, gone: Vec<OpId> },
}

/// A record: its fields, its tombstone and its erasure marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    pub entity: Entity,
    pub fields: BTreeMap<String, FieldState>,
    pub deleted: Option<(bool, Stamp)>,
    pub erased: bool,
}

impl Doc {
    pub fn new(entity: Entity) -> Self {
        Doc { entity, fields: BTreeMap::new(), deleted: None, erased: false }
    }

    pub fn is_deleted(&self) -> bool {
        matches!(self.deleted, Some((true, _)))
    }

    /// Apply one op. `personal` tells which fields an erasure removes.
    pub fn apply(&mut self, op: &Op, personal: impl Fn(&str) -> bool) {
        self.apply_owned(op.clone(), personal);
    }

    /// [`Doc::apply`], moving the op's names and values into the doc instead of copying
    /// them: an import allocates and frees every string once instead of twice.
    pub fn apply_owned(&mut self, op: Op, personal: impl Fn(&str) -> bool) {
        let stamp = Stamp { clock: op.clock, id: op.id };
        for change in op.changes {
            match change {
                Change::Set { field, value } => {
                    if self.erased && personal(&field) {
                        continue;
                    }
                    let newer = match self.fields.get(&field) {
                        Some(FieldState::Reg { stamp: old, .. }) => stamp > *old,
                        _ => true,
                    };
                    if newer {
                        self.fields.insert(field, FieldState::Reg { value, stamp });
                    }
                }
                Change::Write { field, value, seen } => {
                    if self.erased && personal(&field) {
                        continue;
                    }
                    let entry = self
                        .fields
                        .entry(field)
                        .or_insert_with(|| FieldState::Text { values: Vec::new(), gone: Vec::new() });
                    if !matches!(entry, FieldState::Text { .. }) {
                        *entry = FieldState::Text { values: Vec::new(), gone: Vec::new() };
                    }
                    if let FieldState::Text { values, gone } = entry {
                        for s in seen {
                            if !gone.contains(&s) {
                                gone.push(s);
                            }
                        }
                        gone.sort();
                        if !gone.contains(&op.id) && !values.iter().any(|(s, _)| s.id == op.id) {
                            values.push((stamp, value));
                        }
                        values.retain(|(s, _)| !gone.contains(&s.id));
                        values.sort_by_key(|a| a.0);
                    }
                }
                Change::Add { field, elem } => {
                    if self.erased && personal(&field) {
                        continue;
                    }
                    let entry = self.set_entry(field);
                    if let FieldState::Set { adds, gone } = entry
                        && !gone.contains(&op.id)
                    {
                        let tags = adds.entry(elem).or_default();
                        if !tags.contains(&op.id) {
                            tags.push(op.id);
                            tags.sort();
                        }
                    }
                }
                Change::Remove { field, elem, seen } => {
                    // Like the writes: after an erasure a personal field stays absent,
                    // whichever of the remove and the erase came first.
                    if self.erased && personal(&field) {
                        continue;
                    }
                    let entry = self.set_entry(field);
                    if let FieldState::Set { adds, gone } = entry {
                        for s in seen {
                            if !gone.contains(&s) {
                                gone.push(s);
                            }
                        }
                        gone.sort();
                        if let Some(tags) = adds.get_mut(&elem) {
                            tags.retain(|t| !gone.contains(t));
                            if tags.is_empty() {
                                adds.remove(&elem);
                            }
                        }
                    }
                }
                Change::Delete | Change::Restore => {
                    let del = matches!(change, Change::Delete);
                    let newer = self.deleted.is_none_or(|(_, old)| stamp > old);
                    if newer {
                        self.deleted = Some((del, stamp));
                    }
                }
                Change::Erase => {
                    self.erased = true;
                    self.fields.retain(|f, _| !personal(f));
                }
            }
        }
    }

    fn set_entry(&mut self, field: String) -> &mut FieldState {
        let entry =
            self.fields.entry(field).or_insert_with(|| FieldState::Set { adds: BTreeMap::new(), gone: Vec::new() });
        if !matches!(entry, FieldState::Set { .. }) {
            *entry = FieldState::Set { adds: BTreeMap::new(), gone: Vec::new() };
        }
        entry
    }

    /// The current value of a field: a register's value, or a text's newest value.
    pub fn get(&self, field: &str) -> Option<&Value> {
        match self.fields.get(field)? {
            FieldState::Reg { value, .. } => Some(value).filter(|v| !v.is_null()),
            FieldState::Text { values, .. } => values.last().map(|(_, v)| v).filter(|v| !v.is_null()),
            FieldState::Set { .. } => None,
        }
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(Value::as_str)
    }

    pub fn string(&self, field: &str) -> Option<String> {
        self.str(field).map(str::to_string)
    }

    /// The elements of a set field, sorted.
    pub fn set(&self, field: &str) -> Vec<String> {
        self.elems(field).into_iter().map(str::to_string).collect()
    }

    /// [`Doc::set`], borrowed.
    pub fn elems(&self, field: &str) -> Vec<&str> {
        match self.fields.get(field) {
            Some(FieldState::Set { adds, .. }) => adds.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// The op ids of a text field's current values: what a new write has seen.
    pub fn text_heads(&self, field: &str) -> Vec<OpId> {
        match self.fields.get(field) {
            Some(FieldState::Text { values, .. }) => values.iter().map(|(s, _)| s.id).collect(),
            _ => Vec::new(),
        }
    }

    /// The op ids of the adds of a set element: what a remove has seen.
    pub fn set_tags(&self, field: &str, elem: &str) -> Vec<OpId> {
        match self.fields.get(field) {
            Some(FieldState::Set { adds, .. }) => adds.get(elem).cloned().unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// How many text fields hold more than one value (what [`Doc::conflicts`] lists).
    pub fn conflict_count(&self) -> usize {
        self.fields.values().filter(|s| matches!(s, FieldState::Text { values, .. } if values.len() > 1)).count()
    }

    /// Text fields that hold more than one value: `(field, values oldest first)`.
    pub fn conflicts(&self) -> Vec<(&str, Vec<(Stamp, &Value)>)> {
        self.fields
            .iter()
            .filter_map(|(f, s)| match s {
                FieldState::Text { values, .. } if values.len() > 1 => {
                    Some((f.as_str(), values.iter().map(|(st, v)| (*st, v)).collect()))
                }
                _ => None,
            })
            .collect()
    }
}

/// The stored shape of a [`Doc`]: each distinct replica once per doc (16 bytes), each
/// distinct stamp once, and fields pointing at them by index. With a full 128-bit
/// replica id in every field's stamp, stamps were half of a record's bytes, and bytes
/// written are most of what an import costs; a record made by one op now carries one
/// stamp whatever its number of fields.
mod wire {
    use super::{Entity, OwnedText, Text, ValueRef};
    use serde::{Deserialize, Serialize};

    /// An op id: `(index into replicas, seq)`.
    pub type Id = (u32, u64);
    /// A stamp: `(clock, index into replicas, seq)`.
    pub type Stamp = (u64, u32, u64);

    #[derive(Serialize)]
    pub struct DocOut<'a> {
        pub entity: Entity,
        pub replicas: Vec<[u8; 16]>,
        pub stamps: Vec<Stamp>,
        pub fields: Vec<(Text<'a>, FieldOut<'a>)>,
        /// `(deleted, index into stamps)`.
        pub deleted: Option<(bool, u32)>,
        pub erased: bool,
    }

    #[derive(Serialize)]
    pub enum FieldOut<'a> {
        Reg { value: ValueRef<'a>, stamp: u32 },
        Text { values: Vec<(u32, ValueRef<'a>)>, gone: Vec<Id> },
        Set { adds: Vec<(Text<'a>, Vec<Id>)>, gone: Vec<Id> },
    }

    #[derive(Deserialize)]
    pub struct DocIn<'a> {
        pub entity: Entity,
        pub replicas: Vec<[u8; 16]>,
        pub stamps: Vec<Stamp>,
        #[serde(borrow)]
        pub fields: Vec<(OwnedText, FieldIn<'a>)>,
        pub deleted: Option<(bool, u32)>,
        pub erased: bool,
    }

    #[derive(Deserialize)]
    pub enum FieldIn<'a> {
        Reg {
            #[serde(borrow)]
            value: ValueRef<'a>,
            stamp: u32,
        },
        Text {
            #[serde(borrow)]
            values: Vec<(u32, ValueRef<'a>)>,
            gone: Vec<Id>,
        },
        Set {
            adds: Vec<(OwnedText, Vec<Id>)>,
            gone: Vec<Id>,
        },
    }
}

/// Builds the replica and stamp tables of one doc being encoded.
#[derive(Default)]
struct Interner {
    replicas: Vec<ReplicaId>,
    stamps: Vec<wire::Stamp>,
}

impl Interner {
    fn replica(&mut self, r: ReplicaId) -> u32 {
        // A record is touched by a few offices: a linear scan beats hashing.
        match self.replicas.iter().position(|x| *x == r) {
            Some(i) => i as u32,
            None => {
                self.replicas.push(r);
                (self.replicas.len() - 1) as u32
            }
        }
    }
    fn id(&mut self, id: OpId) -> wire::Id {
        (self.replica(id.replica), id.seq)
    }
    fn ids(&mut self, ids: &[OpId]) -> Vec<wire::Id> {
        ids.iter().map(|i| self.id(*i)).collect()
    }
    fn stamp(&mut self, s: Stamp) -> u32 {
        let w = (s.clock.0, self.replica(s.id.replica), s.id.seq);
        match self.stamps.iter().rposition(|x| *x == w) {
            Some(i) => i as u32,
            None => {
                self.stamps.push(w);
                (self.stamps.len() - 1) as u32
            }
        }
    }
}

impl Doc {
    /// The stored bytes: [`DOC_ENCODING`], then the interned shape (see `wire`).
    pub fn encode(&self) -> Vec<u8> {
        let mut t = Interner::default();
        let fields = self
            .fields
            .iter()
            .map(|(name, state)| {
                let f = match state {
                    FieldState::Reg { value, stamp } => {
                        wire::FieldOut::Reg { value: value.into(), stamp: t.stamp(*stamp) }
                    }
                    FieldState::Text { values, gone } => wire::FieldOut::Text {
                        values: values.iter().map(|(s, v)| (t.stamp(*s), v.into())).collect(),
                        gone: t.ids(gone),
                    },
                    FieldState::Set { adds, gone } => wire::FieldOut::Set {
                        adds: adds.iter().map(|(e, ids)| (Text(e), t.ids(ids))).collect(),
                        gone: t.ids(gone),
                    },
                };
                (Text(name), f)
            })
            .collect();
        let deleted = self.deleted.map(|(d, s)| (d, t.stamp(s)));
        let out = wire::DocOut {
            entity: self.entity,
            replicas: t.replicas.iter().map(|r| r.0.to_le_bytes()).collect(),
            stamps: t.stamps,
            fields,
            deleted,
            erased: self.erased,
        };
        // Most records take a few hundred bytes: room for them up front saves the
        // half dozen reallocations of a growing Vec (an import encodes 100 000).
        let mut bytes = Vec::with_capacity(256);
        bytes.push(DOC_ENCODING);
        // postcard only fails on writer errors, and a Vec writer cannot fail.
        postcard::to_extend(&out, bytes).unwrap_or_else(|_| vec![DOC_ENCODING])
    }

    /// Read bytes written by [`Doc::encode`]; any index out of its table is damage.
    pub fn decode(bytes: &[u8]) -> Result<Doc, String> {
        let rest = match bytes.split_first() {
            Some((&DOC_ENCODING, rest)) => rest,
            Some((v, _)) if *v > DOC_ENCODING => {
                return Err(format!("record encoded by a newer teren (encoding {v}); upgrade teren"));
            }
            Some((v, _)) => return Err(format!("record in an old encoding ({v}) left after an upgrade")),
            None => return Err("empty record".into()),
        };
        let w: wire::DocIn = postcard::from_bytes(rest).map_err(|e| format!("undecodable record: {e}"))?;
        let replicas: Vec<ReplicaId> = w.replicas.iter().map(|b| ReplicaId(u128::from_le_bytes(*b))).collect();
        let bad = || "undecodable record: an index past its table".to_string();
        let id = |(r, seq): wire::Id| -> Result<OpId, String> {
            Ok(OpId { replica: *replicas.get(r as usize).ok_or_else(bad)?, seq })
        };
        let ids = |v: Vec<wire::Id>| v.into_iter().map(id).collect::<Result<Vec<_>, _>>();
        let stamps = w
            .stamps
            .iter()
            .map(|&(clock, r, seq)| Ok(Stamp { clock: Hlc(clock), id: id((r, seq))? }))
            .collect::<Result<Vec<_>, String>>()?;
        let stamp = |i: u32| stamps.get(i as usize).copied().ok_or_else(bad);
        let mut fields = BTreeMap::new();
        for (OwnedText(name), f) in w.fields {
            let state = match f {
                wire::FieldIn::Reg { value, stamp: s } => {
                    FieldState::Reg { value: value.into_value(), stamp: stamp(s)? }
                }
                wire::FieldIn::Text { values, gone } => FieldState::Text {
                    values: values
                        .into_iter()
                        .map(|(s, v)| Ok((stamp(s)?, v.into_value())))
                        .collect::<Result<_, String>>()?,
                    gone: ids(gone)?,
                },
                wire::FieldIn::Set { adds, gone } => FieldState::Set {
                    adds: adds.into_iter().map(|(OwnedText(e), v)| Ok((e, ids(v)?))).collect::<Result<_, String>>()?,
                    gone: ids(gone)?,
                },
            };
            fields.insert(name, state);
        }
        let deleted = match w.deleted {
            Some((d, s)) => Some((d, stamp(s)?)),
            None => None,
        };
        Ok(Doc { entity: w.entity, fields, deleted, erased: w.erased })
    }
}

/// postcard's unsigned integers: 7 bits a byte, low first.
fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Texts as [`Text`] serialises them: the length, then the compact bytes.
fn text(out: &mut Vec<u8>, s: &str) {
    compact::put(out, s);
}

/// A [`ValueRef`] as postcard writes it: the variant, then its content.
fn value(out: &mut Vec<u8>, v: &ValueRef) {
    match v {
        ValueRef::Null => varint(out, 0),
        ValueRef::Bool(b) => out.extend_from_slice(&[1, u8::from(*b)]),
        ValueRef::Int(i) => {
            varint(out, 2);
            // Zigzag: small magnitudes of either sign stay short.
            varint(out, ((i << 1) ^ (i >> 63)) as u64);
        }
        ValueRef::Num(n) => {
            varint(out, 3);
            out.extend_from_slice(&n.to_le_bytes());
        }
        ValueRef::Str(s) => {
            varint(out, 4);
            text(out, s);
        }
    }
}

/// The record one op makes on its own, read in place from the op ([`OpRef`]), for the
/// common case of an import: an op that creates its record with plain values, texts and
/// set elements. Building a [`Doc`] of owned strings only to encode it was most of the
/// time of a bundle's decoding thread. [`Fresh::of`] gives `None` for what it does not
/// cover (removes, deletes, erasures, a write that replaces values, a field changed
/// twice); those go through [`Doc`], which encodes to the same bytes.
pub struct Fresh<'a> {
    entity: Entity,
    stamp: Stamp,
    /// Sorted by name, each name once.
    fields: Vec<(&'a str, FreshField<'a>)>,
}

enum FreshField<'a> {
    Reg(&'a ValueRef<'a>),
    Text(&'a ValueRef<'a>),
    /// Elements sorted, each once.
    Set(Vec<&'a str>),
}

impl<'a> Fresh<'a> {
    pub fn of(op: &'a OpRef<'_>) -> Option<Fresh<'a>> {
        let mut fields = Vec::with_capacity(op.changes.len());
        for c in &op.changes {
            fields.push(match c {
                ChangeRef::Set { field, value } => (&**field, FreshField::Reg(value)),
                ChangeRef::Write { field, value, seen } if seen.is_empty() => (&**field, FreshField::Text(value)),
                ChangeRef::Add { field, elem } => (&**field, FreshField::Set(vec![&**elem])),
                _ => return None,
            });
        }
        // Stable: the adds to one set stay together, in the op's order.
        fields.sort_by(|a, b| a.0.cmp(b.0));
        let mut merged: Vec<(&'a str, FreshField<'a>)> = Vec::with_capacity(fields.len());
        for (name, f) in fields {
            match (merged.last_mut(), f) {
                (Some((last, FreshField::Set(elems))), FreshField::Set(more)) if *last == name => elems.extend(more),
                (Some((last, _)), _) if *last == name => return None,
                (_, f) => merged.push((name, f)),
            }
        }
        for (_, f) in &mut merged {
            if let FreshField::Set(elems) = f {
                elems.sort_unstable();
                elems.dedup();
            }
        }
        Some(Fresh { entity: op.entity, stamp: Stamp { clock: op.clock, id: op.id }, fields: merged })
    }

    /// The stored bytes, as [`Doc::encode`] of the same record (the tests hold them to
    /// it). Written out by hand in postcard's format, which is stable: through serde it
    /// was a quarter of the decoding thread's time.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.push(DOC_ENCODING);
        // postcard only fails on writer errors, and a Vec writer cannot fail.
        let mut out = postcard::to_extend(&self.entity, out).unwrap_or_else(|_| vec![DOC_ENCODING]);
        // One op, so one replica and one stamp, both at index 0 of their tables; the
        // stamp table is empty when only sets (which keep op ids) use it.
        let s = self.stamp;
        if self.fields.is_empty() {
            varint(&mut out, 0);
        } else {
            varint(&mut out, 1);
            out.extend_from_slice(&s.id.replica.0.to_le_bytes());
        }
        if self.fields.iter().any(|(_, f)| !matches!(f, FreshField::Set(_))) {
            varint(&mut out, 1);
            varint(&mut out, s.clock.0);
            varint(&mut out, 0);
            varint(&mut out, s.id.seq);
        } else {
            varint(&mut out, 0);
        }
        varint(&mut out, self.fields.len() as u64);
        for (name, f) in &self.fields {
            text(&mut out, name);
            match f {
                // Reg { value, stamp 0 }
                FreshField::Reg(v) => {
                    varint(&mut out, 0);
                    value(&mut out, v);
                    varint(&mut out, 0);
                }
                // Text { values: [(stamp 0, value)], gone: [] }
                FreshField::Text(v) => {
                    out.extend_from_slice(&[1, 1, 0]);
                    value(&mut out, v);
                    varint(&mut out, 0);
                }
                // Set { adds: [(elem, [(replica 0, seq)])], gone: [] }
                FreshField::Set(elems) => {
                    varint(&mut out, 2);
                    varint(&mut out, elems.len() as u64);
                    for e in elems {
                        text(&mut out, e);
                        out.extend_from_slice(&[1, 0]);
                        varint(&mut out, s.id.seq);
                    }
                    varint(&mut out, 0);
                }
            }
        }
        // deleted: None, erased: false
        out.extend_from_slice(&[0, 0]);
        out
    }

    fn field(&self, name: &str) -> Option<&FreshField<'a>> {
        let i = self.fields.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
        self.fields.get(i).map(|(_, f)| f)
    }

    /// As [`Doc::str`].
    pub fn str(&self, field: &str) -> Option<&'a str> {
        match self.field(field)? {
            FreshField::Reg(v) | FreshField::Text(v) => v.as_str(),
            FreshField::Set(_) => None,
        }
    }

    /// As [`Doc::set`].
    pub fn set(&self, field: &str) -> &[&'a str] {
        match self.field(field) {
            Some(FreshField::Set(elems)) => elems,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use crate::sync::ReplicaId;

    fn op(replica: u128, seq: u64, ms: u64, changes: Vec<Change>) -> Op {
        Op {
            id: OpId { replica: ReplicaId(replica), seq },
            clock: Hlc::from_millis(ms),
            entity: Entity::Participant,
            record: Id::from_bytes([0; 16]),
            changes,
        }
    }

    fn apply_all(ops: &[&Op]) -> Doc {
        let mut d = Doc::new(Entity::Participant);
        for o in ops {
            d.apply(o, |f| f != "category");
        }
        d
    }

    #[test]
    fn last_writer_wins_in_any_order() {
        let a = op(1, 1, 10, vec![Change::set("place", "Dobiegniew")]);
        let b = op(2, 1, 20, vec![Change::set("place", "Strzelce")]);
        assert_eq!(apply_all(&[&a, &b]), apply_all(&[&b, &a]));
        assert_eq!(apply_all(&[&a, &b]).str("place"), Some("Strzelce"));
    }

    #[test]
    fn concurrent_text_edits_are_both_kept() {
        let base = op(1, 1, 10, vec![Change::write("note", "v0")]);
        let seen = vec![base.id];
        let a = op(1, 2, 20, vec![Change::Write { field: "note".into(), value: "A".into(), seen: seen.clone() }]);
        let b = op(2, 1, 15, vec![Change::Write { field: "note".into(), value: "B".into(), seen }]);
        let d1 = apply_all(&[&base, &a, &b]);
        let d2 = apply_all(&[&b, &a, &base]);
        assert_eq!(d1, d2);
        assert_eq!(d1.conflicts().len(), 1);
        assert_eq!(d1.str("note"), Some("A"));
        // A resolution that saw both clears the conflict.
        let r =
            op(2, 2, 30, vec![Change::Write { field: "note".into(), value: "AB".into(), seen: d1.text_heads("note") }]);
        let d3 = apply_all(&[&base, &a, &b, &r]);
        assert!(d3.conflicts().is_empty());
        assert_eq!(d3.str("note"), Some("AB"));
    }

    #[test]
    fn add_wins_over_a_concurrent_remove() {
        let add1 = op(1, 1, 10, vec![Change::add("tags", "kgw")]);
        let rm = op(2, 1, 20, vec![Change::Remove { field: "tags".into(), elem: "kgw".into(), seen: vec![add1.id] }]);
        let add2 = op(3, 1, 15, vec![Change::add("tags", "kgw")]);
        let d1 = apply_all(&[&add1, &rm, &add2]);
        let d2 = apply_all(&[&rm, &add2, &add1]);
        assert_eq!(d1, d2);
        assert_eq!(d1.set("tags"), vec!["kgw".to_string()]);
        assert!(apply_all(&[&add1, &rm]).set("tags").is_empty());
        assert!(apply_all(&[&rm, &add1]).set("tags").is_empty());
    }

    #[test]
    fn erase_dominates_earlier_and_later_writes() {
        let w = op(1, 1, 10, vec![Change::set("name", "Anna"), Change::set("category", "pes")]);
        let e = op(2, 1, 5, vec![Change::Erase]);
        let late = op(1, 2, 50, vec![Change::set("name", "Anna K")]);
        let d1 = apply_all(&[&w, &e, &late]);
        let d2 = apply_all(&[&late, &e, &w]);
        assert_eq!(d1, d2);
        assert_eq!(d1.str("name"), None);
        assert_eq!(d1.str("category"), Some("pes"));
    }

    #[test]
    fn erase_and_a_set_remove_commute() {
        let add = op(1, 1, 10, vec![Change::add("tags", "kgw")]);
        let rm = op(1, 2, 20, vec![Change::Remove { field: "tags".into(), elem: "kgw".into(), seen: vec![add.id] }]);
        let e = op(2, 1, 15, vec![Change::Erase]);
        assert_eq!(apply_all(&[&add, &rm, &e]), apply_all(&[&add, &e, &rm]));
    }

    #[test]
    fn encoding_round_trips_every_field_kind() {
        let base =
            op(1, 1, 10, vec![Change::set("name", "Anna"), Change::set("place", "Osiek"), Change::write("note", "v0")]);
        let a =
            op(1 << 100, 2, 20, vec![Change::Write { field: "note".into(), value: "A".into(), seen: vec![base.id] }]);
        let b =
            op(u128::MAX, 7, 15, vec![Change::Write { field: "note".into(), value: "B".into(), seen: vec![base.id] }]);
        let tags = op(2, 1, 30, vec![Change::add("tags", "kgw"), Change::add("tags", "pes"), Change::Delete]);
        let rm = op(3, 1, 40, vec![Change::Remove { field: "tags".into(), elem: "pes".into(), seen: vec![tags.id] }]);
        let d = apply_all(&[&base, &a, &b, &tags, &rm]);
        assert_eq!(d.conflicts().len(), 1);
        assert!(d.is_deleted());
        assert_eq!(Doc::decode(&d.encode()).unwrap(), d);
        let empty = Doc::new(Entity::Meeting);
        assert_eq!(Doc::decode(&empty.encode()).unwrap(), empty);
    }

    #[test]
    fn one_op_record_stores_its_stamp_once() {
        let changes = (0..12).map(|i| Change::set(&format!("f{i}"), "x")).collect();
        let d = apply_all(&[&op(u128::MAX - 5, 123_456, 1_764_000_000_000, changes)]);
        let old = crate::sync::encode_versioned(&d).len();
        let new = d.encode().len();
        // 12 fields of about 9 bytes (name, tag, value, stamp index), one 16-byte
        // replica, one 13-byte stamp, a few bytes of framing.
        assert!(new < 150, "{new} bytes");
        assert!(new * 3 < old, "{new} bytes against {old}");
    }

    #[test]
    fn damaged_or_foreign_encodings_are_refused() {
        let d = apply_all(&[&op(1, 1, 10, vec![Change::set("name", "Anna")])]);
        let mut bytes = d.encode();
        assert!(Doc::decode(&crate::sync::encode_versioned(&d)).unwrap_err().contains("old encoding"));
        bytes[0] = DOC_ENCODING + 1;
        assert!(Doc::decode(&bytes).unwrap_err().contains("newer"));
        assert!(Doc::decode(&[]).is_err());
        // A stamp index past the stamp table.
        let w = wire::DocOut {
            entity: Entity::Participant,
            replicas: vec![[0; 16]],
            stamps: vec![],
            fields: vec![(Text("name"), wire::FieldOut::Reg { value: ValueRef::Null, stamp: 3 })],
            deleted: None,
            erased: false,
        };
        let mut bad = vec![DOC_ENCODING];
        bad.extend(postcard::to_allocvec(&w).unwrap());
        assert!(Doc::decode(&bad).unwrap_err().contains("index"));
    }

    #[test]
    fn delete_and_restore_by_clock() {
        let del = op(1, 1, 10, vec![Change::Delete]);
        let res = op(2, 1, 20, vec![Change::Restore]);
        assert!(!apply_all(&[&res, &del]).is_deleted());
        assert!(apply_all(&[&del]).is_deleted());
    }

    const FIELDS: [&str; 6] = ["name", "place", "date", "attendees", "tags", "note"];

    fn a_change() -> impl proptest::strategy::Strategy<Value = Change> {
        use proptest::prelude::*;
        let field = proptest::sample::select(FIELDS.to_vec()).prop_map(str::to_string);
        let value = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            (-1e6f64..1e6).prop_map(Value::Num),
            "[a-zżółćŁ ]{0,8}".prop_map(Value::Str),
            "[a-z]{120,200}".prop_map(Value::Str),
        ];
        let elem = proptest::sample::select(vec!["b", "a", "c"]).prop_map(str::to_string);
        let seen = proptest::collection::vec((1u128..3, 1u64..4), 0..2)
            .prop_map(|v| v.into_iter().map(|(r, seq)| OpId { replica: ReplicaId(r), seq }).collect::<Vec<_>>());
        prop_oneof![
            4 => (field.clone(), value.clone()).prop_map(|(field, value)| Change::Set { field, value }),
            2 => (field.clone(), value, seen.clone()).prop_map(|(field, value, seen)| Change::Write { field, value, seen }),
            3 => (field.clone(), elem.clone()).prop_map(|(field, elem)| Change::Add { field, elem }),
            1 => (field, elem, seen).prop_map(|(field, elem, seen)| Change::Remove { field, elem, seen }),
            1 => Just(Change::Delete),
            1 => Just(Change::Erase),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The short path of an import ([`Fresh`]) stores exactly what [`Doc`] would,
        /// and the indexes read the same fields from it.
        #[test]
        fn a_record_made_by_one_op_is_the_same_either_way(
            changes in proptest::collection::vec(a_change(), 1..6),
            entity in proptest::sample::select(vec![Entity::Participant, Entity::Meeting, Entity::Task]),
            (clock, seq) in (0u64..1 << 60, 1u64..1 << 40),
        ) {
            let mut op = op(2, seq, 0, changes);
            op.entity = entity;
            op.clock = Hlc(clock);
            let mut doc = Doc::new(op.entity);
            doc.apply(&op, |f| f == "name");
            let bytes = op.encode();
            let read = OpRef::decode(&bytes).unwrap();
            proptest::prop_assert_eq!(read.to_op(), op.clone());
            proptest::prop_assert_eq!(&read, &OpRef::from(&op));
            if let Some(fresh) = Fresh::of(&read) {
                proptest::prop_assert_eq!(fresh.encode(), doc.encode());
                for f in FIELDS {
                    proptest::prop_assert_eq!(fresh.str(f), doc.str(f));
                    proptest::prop_assert_eq!(fresh.set(f).to_vec(), doc.set(f));
                }
            }
        }
    }

    #[test]
    fn a_new_participant_or_meeting_takes_the_short_path() {
        let person = op(
            2,
            1,
            5,
            vec![
                Change::set("name", "Łucja Wiśniewska"),
                Change::set("category", "person"),
                Change::write("note", "sołtyska"),
                Change::add("tags", "kgw"),
                Change::add("tags", "festyn"),
                Change::add("tags", "kgw"),
            ],
        );
        let bytes = person.encode();
        let read = OpRef::decode(&bytes).unwrap();
        let fresh = Fresh::of(&read).unwrap();
        let mut doc = Doc::new(Entity::Participant);
        doc.apply(&person, |_| false);
        assert_eq!(fresh.encode(), doc.encode());
        assert_eq!(fresh.set("tags"), ["festyn", "kgw"]);
        assert_eq!(fresh.str("note"), Some("sołtyska"));
        // A field set twice, a remove or an erasure go through `Doc`.
        for extra in [Change::set("name", "x"), Change::remove("tags", "kgw"), Change::Erase] {
            let mut twice = person.clone();
            twice.changes.push(extra);
            let bytes = twice.encode();
            assert!(Fresh::of(&OpRef::decode(&bytes).unwrap()).is_none());
        }
    }
}
