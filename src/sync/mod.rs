//! Operations, the hybrid logical clock, version vectors and the merge rules.
//!
//! Every change is an [`Op`]: one record, one or more field-level changes, stamped with
//! `(replica, seq)` and a hybrid logical clock. A record's state ([`Doc`]) is a function
//! of the *set* of ops applied to it, not of their order, so replicas that have the
//! same ops show the same data:
//! - plain fields are last-writer-wins registers ordered by `(clock, replica, seq)`;
//! - text fields are multi-value registers: a write names the values it saw and
//!   replaces only those, so two offices that edit a note without seeing each other
//!   both keep their text and the field shows a conflict;
//! - sets (attendees, members, tags) are add-wins sets: a remove takes away only the
//!   adds it saw;
//! - erase is a permanent marker that wins over every write to a personal field.

pub mod compact;
mod doc;
mod op;

pub use doc::{Doc, DocView, FieldState, Fields, Fresh, Stamp};
pub use op::{
    Change, ChangeRef, ENCODING_VERSION, Hlc, OP_ENCODING, Op, OpId, OpRef, ReplicaId, Value, ValueRef, VersionVector,
    decode_versioned, encode_versioned,
};
