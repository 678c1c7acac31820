//! Record ids and entity kinds.
//!
//! Ids are random 128-bit UUIDs (v4), unique across offices without coordination.
//! Random rather than time-ordered (v7) so that the short id the interface shows — the
//! first 8 hex digits — is unique in practice: v7 ids made in the same minute share
//! their first 8 digits, which would make every prefix ambiguous.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of a record of any entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Id(pub uuid::Uuid);

impl Id {
    /// A fresh random id.
    pub fn new() -> Self {
        Id(uuid::Uuid::new_v4())
    }

    /// An id made from 16 random bytes of a seeded generator (the demo uses this so
    /// that the same seed gives the same ids).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Id(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Id(uuid::Uuid::from_bytes(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// The 8 hex digits the interface shows.
    pub fn short(&self) -> String {
        let mut s = self.0.simple().to_string();
        s.truncate(8);
        s
    }

    /// Parse a full id (with or without dashes).
    pub fn parse(s: &str) -> Option<Self> {
        uuid::Uuid::try_parse(s.trim()).ok().map(Id)
    }
}

/// Hashes an [`Id`] by its first 8 bytes: they are random already, so the default
/// hasher's work is wasted, and maps of 100 000 ids are hit several times per row
/// when the participant list loads.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8).take(1) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(b);
        }
    }

    /// The length a slice is hashed with says nothing: every id is 16 bytes.
    fn write_usize(&mut self, _: usize) {}

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by ids, with [`IdHasher`].
pub type IdMap<V> = std::collections::HashMap<Id, V, std::hash::BuildHasherDefault<IdHasher>>;

impl Default for Id {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.simple())
    }
}

/// The kinds of record the store holds. The discriminant is part of the storage key:
/// never renumber.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Entity {
    Participant = 1,
    Meeting = 2,
    FollowUp = 3,
    Resource = 4,
    Need = 5,
    Partnership = 6,
    Relation = 7,
    Project = 8,
    /// A municipality's support path (seed 002): stages, areas, forms of cooperation.
    SupportPath = 9,
    /// An action plan (Plan Działania) of a municipality or a partnership.
    Plan = 10,
    Goal = 11,
    Task = 12,
}

impl Entity {
    pub const ALL: [Entity; 12] = [
        Entity::Participant,
        Entity::Meeting,
        Entity::FollowUp,
        Entity::Resource,
        Entity::Need,
        Entity::Partnership,
        Entity::Relation,
        Entity::Project,
        Entity::SupportPath,
        Entity::Plan,
        Entity::Goal,
        Entity::Task,
    ];

    pub fn from_u8(b: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|e| *e as u8 == b)
    }

    /// The name used in messages and in `dump --json` (plural).
    pub fn plural(self) -> &'static str {
        match self {
            Entity::Participant => "participants",
            Entity::Meeting => "meetings",
            Entity::FollowUp => "followups",
            Entity::Resource => "resources",
            Entity::Need => "needs",
            Entity::Partnership => "partnerships",
            Entity::Relation => "relations",
            Entity::Project => "projects",
            Entity::SupportPath => "paths",
            Entity::Plan => "plans",
            Entity::Goal => "goals",
            Entity::Task => "tasks",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Entity::Participant => "participant",
            Entity::Meeting => "meeting",
            Entity::FollowUp => "follow-up",
            Entity::Resource => "resource",
            Entity::Need => "need",
            Entity::Partnership => "partnership",
            Entity::Relation => "relation",
            Entity::Project => "project",
            Entity::SupportPath => "support path",
            Entity::Plan => "plan",
            Entity::Goal => "goal",
            Entity::Task => "task",
        }
    }
}

#[cfg(test)]
mod hasher_tests {
    use super::*;

    #[test]
    fn an_id_map_finds_what_it_holds() {
        let ids: Vec<Id> = (0..1000).map(|_| Id::new()).collect();
        let map: IdMap<usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        assert!(ids.iter().enumerate().all(|(i, id)| map.get(id) == Some(&i)));
        assert_eq!(map.get(&Id::new()), None);
    }
}
