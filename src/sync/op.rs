//! The operation log entry and its identifiers.

use super::compact;
use crate::ids::{Entity, Id};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A database (an office's, or one animator's) in the sync network: random 128 bits
/// made at first start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReplicaId(pub u128);

impl ReplicaId {
    pub fn random() -> Self {
        ReplicaId(uuid::Uuid::new_v4().as_u128())
    }
    pub fn short(&self) -> String {
        format!("{:032x}", self.0)[..8].to_string()
    }
}

impl fmt::Display for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// `(replica, seq)`: seq counts from 1 without gaps for each replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId {
    pub replica: ReplicaId,
    pub seq: u64,
}

impl OpId {
    /// Storage key: replica then seq, both big-endian, so a replica's ops sort by seq.
    pub fn key(&self) -> [u8; 24] {
        let mut k = [0u8; 24];
        k[..16].copy_from_slice(&self.replica.0.to_be_bytes());
        k[16..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }
    pub fn from_key(k: &[u8; 24]) -> Self {
        let mut r = [0u8; 16];
        r.copy_from_slice(&k[..16]);
        let mut s = [0u8; 8];
        s.copy_from_slice(&k[16..]);
        OpId { replica: ReplicaId(u128::from_be_bytes(r)), seq: u64::from_be_bytes(s) }
    }
}

/// Hybrid logical clock: milliseconds since the epoch in the high 48 bits, a logical
/// counter in the low 16. Packing them in one integer makes "advance" a plain `+1`
/// (an exhausted counter rolls into the next millisecond), and keeps the clock ahead
/// of every clock it has seen, so a laptop whose wall clock is hours behind still
/// orders its new edits after the ones it received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Hlc(pub u64);

impl Hlc {
    pub fn from_millis(ms: u64) -> Self {
        Hlc(ms << 16)
    }
    pub fn millis(self) -> u64 {
        self.0 >> 16
    }
    /// The next local timestamp after `self`, given the wall clock `now_ms`.
    pub fn tick(self, now_ms: u64) -> Hlc {
        Hlc((now_ms << 16).max(self.0.saturating_add(1)))
    }
    /// The clock after receiving a remote timestamp.
    pub fn observe(self, remote: Hlc) -> Hlc {
        self.max(remote)
    }
    pub fn now_millis() -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }
}

/// A field value. Dates are stored as `yyyy-mm-dd` strings and ids as 32 hex digits,
/// so the log reads the same as `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Num(n) => serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, Into::into),
            Value::Str(s) => s.clone().into(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        s.map_or(Value::Null, Value::Str)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Num(n)
    }
}

/// One field-level change inside an op.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// Last-writer-wins assignment.
    Set { field: String, value: Value },
    /// Multi-value (text) assignment that replaces the values whose ops it names.
    /// The store fills `seen` with the values present when the write is made.
    Write { field: String, value: Value, seen: Vec<OpId> },
    /// Add an element to an add-wins set.
    Add { field: String, elem: String },
    /// Remove the adds of an element that this op saw (`seen`, filled by the store).
    Remove { field: String, elem: String, seen: Vec<OpId> },
    /// Tombstone the record (restorable).
    Delete,
    /// Undo a delete.
    Restore,
    /// RODO erasure: personal fields are gone for good on every replica.
    Erase,
}

impl Change {
    pub fn set(field: &str, value: impl Into<Value>) -> Change {
        Change::Set { field: field.to_string(), value: value.into() }
    }
    pub fn write(field: &str, value: impl Into<Value>) -> Change {
        Change::Write { field: field.to_string(), value: value.into(), seen: Vec::new() }
    }
    pub fn add(field: &str, elem: impl Into<String>) -> Change {
        Change::Add { field: field.to_string(), elem: elem.into() }
    }
    pub fn remove(field: &str, elem: impl Into<String>) -> Change {
        Change::Remove { field: field.to_string(), elem: elem.into(), seen: Vec::new() }
    }
}

/// An entry of the operation log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    pub id: OpId,
    pub clock: Hlc,
    pub entity: Entity,
    pub record: Id,
    pub changes: Vec<Change>,
}

/// An [`Op`] read in place from its encoded bytes: plain texts borrow the bytes instead
/// of being copied into strings of their own (see [`super::compact`] for the texts that
/// are built). An import reads 100 000 ops and most of them only make a new record, so
/// it reads them this way; the shape is the [`Op`]'s, field for field. This is also the
/// shape [`Op::encode`] writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpRef<'a> {
    pub id: OpId,
    pub clock: Hlc,
    pub entity: Entity,
    pub record: Id,
    #[serde(borrow)]
    pub changes: Vec<ChangeRef<'a>>,
}

/// A [`Change`] borrowing its names and texts (see [`OpRef`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ChangeRef<'a> {
    Set {
        #[serde(borrow, with = "compact::cow")]
        field: Cow<'a, str>,
        #[serde(borrow)]
        value: ValueRef<'a>,
    },
    Write {
        #[serde(borrow, with = "compact::cow")]
        field: Cow<'a, str>,
        #[serde(borrow)]
        value: ValueRef<'a>,
        seen: Vec<OpId>,
    },
    Add {
        #[serde(borrow, with = "compact::cow")]
        field: Cow<'a, str>,
        #[serde(borrow, with = "compact::cow")]
        elem: Cow<'a, str>,
    },
    Remove {
        #[serde(borrow, with = "compact::cow")]
        field: Cow<'a, str>,
        #[serde(borrow, with = "compact::cow")]
        elem: Cow<'a, str>,
        seen: Vec<OpId>,
    },
    Delete,
    Restore,
    Erase,
}

/// A [`Value`] borrowing its text, in the [`Value`]'s variants with compact text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ValueRef<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(#[serde(borrow, with = "compact::cow")] Cow<'a, str>),
}

impl<'a> ValueRef<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ValueRef::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, ValueRef::Null)
    }

    pub fn to_value(&self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Bool(b) => Value::Bool(*b),
            ValueRef::Int(i) => Value::Int(*i),
            ValueRef::Num(n) => Value::Num(*n),
            ValueRef::Str(s) => Value::Str(s.to_string()),
        }
    }

    /// The value with strings of its own, taking them where they are already owned.
    pub fn into_value(self) -> Value {
        match self {
            ValueRef::Str(s) => Value::Str(s.into_owned()),
            other => other.to_value(),
        }
    }
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    fn from(v: &'a Value) -> Self {
        match v {
            Value::Null => ValueRef::Null,
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Int(i) => ValueRef::Int(*i),
            Value::Num(n) => ValueRef::Num(*n),
            Value::Str(s) => ValueRef::Str(Cow::Borrowed(s)),
        }
    }
}

impl From<Value> for ValueRef<'static> {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => ValueRef::Null,
            Value::Bool(b) => ValueRef::Bool(b),
            Value::Int(i) => ValueRef::Int(i),
            Value::Num(n) => ValueRef::Num(n),
            Value::Str(s) => ValueRef::Str(Cow::Owned(s)),
        }
    }
}

impl<'a> From<&'a Change> for ChangeRef<'a> {
    fn from(c: &'a Change) -> Self {
        let b = |s: &'a String| Cow::Borrowed(s.as_str());
        match c {
            Change::Set { field, value } => ChangeRef::Set { field: b(field), value: value.into() },
            Change::Write { field, value, seen } => {
                ChangeRef::Write { field: b(field), value: value.into(), seen: seen.clone() }
            }
            Change::Add { field, elem } => ChangeRef::Add { field: b(field), elem: b(elem) },
            Change::Remove { field, elem, seen } => {
                ChangeRef::Remove { field: b(field), elem: b(elem), seen: seen.clone() }
            }
            Change::Delete => ChangeRef::Delete,
            Change::Restore => ChangeRef::Restore,
            Change::Erase => ChangeRef::Erase,
        }
    }
}

impl From<Change> for ChangeRef<'static> {
    fn from(c: Change) -> Self {
        match c {
            Change::Set { field, value } => ChangeRef::Set { field: Cow::Owned(field), value: value.into() },
            Change::Write { field, value, seen } => {
                ChangeRef::Write { field: Cow::Owned(field), value: value.into(), seen }
            }
            Change::Add { field, elem } => ChangeRef::Add { field: Cow::Owned(field), elem: Cow::Owned(elem) },
            Change::Remove { field, elem, seen } => {
                ChangeRef::Remove { field: Cow::Owned(field), elem: Cow::Owned(elem), seen }
            }
            Change::Delete => ChangeRef::Delete,
            Change::Restore => ChangeRef::Restore,
            Change::Erase => ChangeRef::Erase,
        }
    }
}

impl<'a> From<&'a Op> for OpRef<'a> {
    fn from(op: &'a Op) -> Self {
        OpRef {
            id: op.id,
            clock: op.clock,
            entity: op.entity,
            record: op.record,
            changes: op.changes.iter().map(ChangeRef::from).collect(),
        }
    }
}

impl From<Op> for OpRef<'static> {
    fn from(op: Op) -> Self {
        OpRef {
            id: op.id,
            clock: op.clock,
            entity: op.entity,
            record: op.record,
            changes: op.changes.into_iter().map(ChangeRef::from).collect(),
        }
    }
}

impl<'a> OpRef<'a> {
    /// Read bytes written by [`Op::encode`] (or by a teren of op encoding 1), in place.
    pub fn decode(bytes: &'a [u8]) -> Result<OpRef<'a>, String> {
        match bytes.split_first() {
            Some((&OP_ENCODING, rest)) => postcard::from_bytes(rest).map_err(|e| format!("undecodable record: {e}")),
            Some((&ENCODING_VERSION, _)) => decode_versioned::<Op>(bytes).map(OpRef::from),
            Some((v, _)) => Err(format!("record encoded by a newer teren (encoding {v}); upgrade teren")),
            None => Err("empty record".into()),
        }
    }

    /// The op with strings of its own.
    pub fn to_op(&self) -> Op {
        self.clone().into_op()
    }

    /// [`OpRef::to_op`], taking the strings that are already owned.
    pub fn into_op(self) -> Op {
        let s = |x: Cow<'_, str>| x.into_owned();
        let changes = self
            .changes
            .into_iter()
            .map(|c| match c {
                ChangeRef::Set { field, value } => Change::Set { field: s(field), value: value.into_value() },
                ChangeRef::Write { field, value, seen } => {
                    Change::Write { field: s(field), value: value.into_value(), seen }
                }
                ChangeRef::Add { field, elem } => Change::Add { field: s(field), elem: s(elem) },
                ChangeRef::Remove { field, elem, seen } => Change::Remove { field: s(field), elem: s(elem), seen },
                ChangeRef::Delete => Change::Delete,
                ChangeRef::Restore => Change::Restore,
                ChangeRef::Erase => Change::Erase,
            })
            .collect();
        Op { id: self.id, clock: self.clock, entity: self.entity, record: self.record, changes }
    }

    /// Whether the op erases its record (RODO).
    pub fn erases(&self) -> bool {
        self.changes.iter().any(|c| matches!(c, ChangeRef::Erase))
    }
}

/// Encoding version of the generic values of [`encode_versioned`] (peers, pairings),
/// and of ops written by teren before [`OP_ENCODING`]. Decoders refuse versions they do
/// not know.
pub const ENCODING_VERSION: u8 = 1;

/// Encoding version of ops in storage and in bundles: [`OpRef`]'s shape with compact
/// texts ([`super::compact`]). Ops of encoding 1 (plain texts) are still read, from old
/// logs and from bundles of an older teren.
pub const OP_ENCODING: u8 = 2;

impl Op {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.push(OP_ENCODING);
        // postcard only fails on writer errors, and a Vec writer cannot fail.
        postcard::to_extend(&OpRef::from(self), out).unwrap_or_else(|_| vec![OP_ENCODING])
    }
    pub fn decode(bytes: &[u8]) -> Result<Op, String> {
        match bytes.first() {
            // Plain texts decode straight into the owned shape.
            Some(&ENCODING_VERSION) => decode_versioned(bytes),
            _ => OpRef::decode(bytes).map(OpRef::into_op),
        }
    }
}

/// Serialise with a leading version byte.
pub fn encode_versioned<T: Serialize>(value: &T) -> Vec<u8> {
    // Straight into one buffer sized for a typical record: growing from empty and
    // copying over was a fifth of the allocations of a bulk write.
    let mut out = Vec::with_capacity(512);
    out.push(ENCODING_VERSION);
    // postcard only fails on writer errors, and a Vec writer cannot fail.
    postcard::to_extend(value, out).unwrap_or_else(|_| vec![ENCODING_VERSION])
}

/// Deserialise bytes written by [`encode_versioned`].
pub fn decode_versioned<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, String> {
    match bytes.split_first() {
        Some((&ENCODING_VERSION, rest)) => postcard::from_bytes(rest).map_err(|e| format!("undecodable record: {e}")),
        Some((v, _)) => Err(format!("record encoded by a newer teren (encoding {v}); upgrade teren")),
        None => Err("empty record".into()),
    }
}

/// What a database has: for each replica, the highest seq applied with no gap before it.
pub type VersionVector = BTreeMap<ReplicaId, u64>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hlc_stays_ahead_of_a_slow_wall_clock() {
        let remote = Hlc::from_millis(10_000);
        let local = Hlc::from_millis(5_000).observe(remote);
        let next = local.tick(5_001);
        assert!(next > remote);
        assert_eq!(Hlc(u64::from(u16::MAX)).tick(0), Hlc(1 << 16));
    }

    #[test]
    fn op_round_trips_through_encoding() {
        let op = Op {
            id: OpId { replica: ReplicaId(7), seq: 3 },
            clock: Hlc::from_millis(1),
            entity: Entity::Meeting,
            record: Id::from_bytes([1; 16]),
            changes: vec![Change::set("hours", 1.5), Change::add("attendees", "x"), Change::write("note", "Żółć")],
        };
        assert_eq!(Op::decode(&op.encode()).unwrap(), op);
        assert!(Op::decode(&[9, 1, 2]).unwrap_err().contains("newer"));
        // Encoding 1 (plain texts) from an older teren reads as the same op.
        let old = encode_versioned(&op);
        assert_eq!(old[0], ENCODING_VERSION);
        assert_eq!(Op::decode(&old).unwrap(), op);
        assert_eq!(OpRef::decode(&old).unwrap(), OpRef::from(&op));
        assert!(op.encode().len() < old.len());
        let k = op.id.key();
        assert_eq!(OpId::from_key(&k), op.id);
    }
}
