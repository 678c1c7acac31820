//! A record's merged state, built from its ops in any order.

use super::op::{Change, ChangeRef, Hlc, Op, OpId, OpRef, ReplicaId, Value, ValueRef};
use crate::ids::Entity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod encoding;
pub use encoding::{DocView, Fresh};

/// What reading a record's text fields needs, from a decoded [`Doc`] or a stored one
/// read in place ([`DocView`]): the record types read themselves through it.
pub trait Fields {
    /// A field's text (the winning value; None when unset, null or not text).
    fn str(&self, field: &str) -> Option<&str>;
    /// The elements of a set field, sorted.
    fn elems(&self, field: &str) -> Vec<&str>;
    fn is_deleted(&self) -> bool;
    fn erased(&self) -> bool;
    /// A field's value (the winning one; None when unset or a set).
    fn value(&self, field: &str) -> Option<ValueRef<'_>>;
    /// A field's number (an integer too); None when unset or not a number.
    fn num(&self, field: &str) -> Option<f64> {
        match self.value(field)? {
            ValueRef::Num(n) => Some(n),
            ValueRef::Int(i) => Some(i as f64),
            _ => None,
        }
    }
    /// Whether a field is `true`.
    fn flag(&self, field: &str) -> bool {
        matches!(self.value(field), Some(ValueRef::Bool(true)))
    }
}

impl Fields for Doc {
    fn str(&self, field: &str) -> Option<&str> {
        Doc::str(self, field)
    }
    fn elems(&self, field: &str) -> Vec<&str> {
        Doc::elems(self, field)
    }
    fn is_deleted(&self) -> bool {
        Doc::is_deleted(self)
    }
    fn erased(&self) -> bool {
        self.erased
    }
    fn value(&self, field: &str) -> Option<ValueRef<'_>> {
        self.get(field).map(ValueRef::from)
    }
}

impl Fields for Fresh<'_> {
    fn str(&self, field: &str) -> Option<&str> {
        Fresh::str(self, field)
    }
    fn elems(&self, field: &str) -> Vec<&str> {
        self.set(field).to_vec()
    }
    /// The record one op makes is neither deleted nor erased.
    fn is_deleted(&self) -> bool {
        false
    }
    fn erased(&self) -> bool {
        false
    }
    fn value(&self, field: &str) -> Option<ValueRef<'_>> {
        Self::value(self, field).cloned()
    }
}

impl Fields for DocView<'_> {
    fn str(&self, field: &str) -> Option<&str> {
        DocView::str(self, field)
    }
    fn elems(&self, field: &str) -> Vec<&str> {
        DocView::elems(self, field)
    }
    fn is_deleted(&self) -> bool {
        DocView::is_deleted(self)
    }
    fn erased(&self) -> bool {
        DocView::erased(self)
    }
    fn value(&self, field: &str) -> Option<ValueRef<'_>> {
        Self::value(self, field).cloned()
    }
}

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
        let w = super::encoding::wire::DocOut {
            entity: Entity::Participant,
            replicas: vec![[0; 16]],
            stamps: vec![],
            fields: vec![(
                crate::sync::compact::Text("name"),
                super::encoding::wire::FieldOut::Reg { value: ValueRef::Null, stamp: 3 },
            )],
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
