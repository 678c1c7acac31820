//! How a [`Doc`] is stored: its compact encoding (replicas and stamps interned per
//! doc, texts compact), and [`Fresh`], the record one op makes written straight from
//! the op's bytes on an import.

use super::*;
use crate::sync::compact::{self, OwnedText, Text};

/// The stored shape of a [`Doc`]: each distinct replica once per doc (16 bytes), each
/// distinct stamp once, and fields pointing at them by index. With a full 128-bit
/// replica id in every field's stamp, stamps were half of a record's bytes, and bytes
/// written are most of what an import costs; a record made by one op now carries one
/// stamp whatever its number of fields.
pub(super) mod wire {
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

    /// A field's name or a set's element, borrowed from the record's bytes when it is
    /// stored as it is written (a word from the table comes out as a `&'static str`).
    #[derive(Deserialize)]
    pub struct Name<'a>(#[serde(borrow, with = "crate::sync::compact::cow")] pub std::borrow::Cow<'a, str>);

    /// [`DocIn`] without owned strings, for reading a few fields of many records.
    #[derive(Deserialize)]
    pub struct DocView<'a> {
        // Read to reach the fields after them (postcard is positional); unused here.
        pub _entity: Entity,
        pub _replicas: Vec<[u8; 16]>,
        pub _stamps: Vec<Stamp>,
        #[serde(borrow)]
        pub fields: Vec<(Name<'a>, FieldView<'a>)>,
        pub deleted: Option<(bool, u32)>,
        pub erased: bool,
    }

    #[derive(Deserialize)]
    pub enum FieldView<'a> {
        Reg {
            #[serde(borrow)]
            value: ValueRef<'a>,
            _stamp: u32,
        },
        Text {
            #[serde(borrow)]
            values: Vec<(u32, ValueRef<'a>)>,
            _gone: Vec<Id>,
        },
        Set {
            #[serde(borrow)]
            adds: Vec<(Name<'a>, Vec<Id>)>,
            _gone: Vec<Id>,
        },
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

/// A stored record read in place: what a list needs from many records (a few fields),
/// without building a [`Doc`] and its owned strings. It answers as [`Doc`] does.
pub struct DocView<'a>(wire::DocView<'a>);

impl<'a> DocView<'a> {
    /// Read bytes written by [`Doc::encode`].
    pub fn read(bytes: &'a [u8]) -> Result<DocView<'a>, String> {
        let rest = match bytes.split_first() {
            Some((&DOC_ENCODING, rest)) => rest,
            // Doc::decode says what is wrong with any other.
            _ => return Doc::decode(bytes).and(Err("record in another encoding".to_string())),
        };
        postcard::from_bytes(rest).map(DocView).map_err(|e| format!("undecodable record: {e}"))
    }

    fn field(&self, name: &str) -> Option<&wire::FieldView<'a>> {
        self.0.fields.iter().find(|(n, _)| n.0 == name).map(|(_, f)| f)
    }

    /// [`Doc::str`].
    pub fn str(&self, field: &str) -> Option<&str> {
        self.value(field)?.as_str()
    }

    /// A field's value as [`Doc::get`] gives it.
    pub fn value(&self, field: &str) -> Option<&ValueRef<'a>> {
        match self.field(field)? {
            wire::FieldView::Reg { value, .. } => Some(value),
            wire::FieldView::Text { values, .. } => Some(&values.last()?.1),
            wire::FieldView::Set { .. } => None,
        }
    }

    /// [`Doc::elems`]: the elements of a set field, sorted.
    pub fn elems(&self, field: &str) -> Vec<&str> {
        match self.field(field) {
            Some(wire::FieldView::Set { adds, .. }) => adds.iter().map(|(n, _)| n.0.as_ref()).collect(),
            _ => Vec::new(),
        }
    }

    pub fn is_deleted(&self) -> bool {
        matches!(self.0.deleted, Some((true, _)))
    }

    pub fn erased(&self) -> bool {
        self.0.erased
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
        self.value(field)?.as_str()
    }

    /// A field's value, as [`Doc::get`] gives it.
    pub fn value(&self, field: &str) -> Option<&'a ValueRef<'a>> {
        match self.field(field)? {
            FreshField::Reg(v) | FreshField::Text(v) => Some(v),
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
