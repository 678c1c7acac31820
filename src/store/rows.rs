//! A record's row in `list`: what its pane shows of it, written beside its sort key in
//! the same flush as the record, so a pane loads by scanning one table in list order
//! instead of reading and decoding every record (at 100 000 participants, the records
//! are 50 MB and their rows 9).
//!
//! Only participants have rows so far; other entities keep an empty value.

use crate::model::{Category, Entity, Id, Kind, Participant};
use crate::sync::Fields;

/// A participant's place in the list: the folded name, a person's surname first. The
/// store's `list` keys and a loaded list placing a changed row both sort by it.
pub fn participant_sort_key(name: &str, kind: Kind) -> String {
    crate::search::fold(&crate::model::sort_name(name, kind == Kind::Person))
}

/// The row `list` keeps for a record of `entity` (empty when its pane reads records).
pub fn row_of(entity: Entity, doc: &impl Fields) -> Vec<u8> {
    match entity {
        Entity::Participant => participant_row(doc),
        _ => Vec::new(),
    }
}

fn participant_row(doc: &impl Fields) -> Vec<u8> {
    let (category, kind) = Participant::category_kind(doc);
    let name = Participant::name_in(doc);
    let tags = doc.elems("tags").join(" ");
    let orgs: Vec<Id> = doc.elems("memberships").into_iter().filter_map(Id::parse).collect();
    let texts = [
        category.code(),
        kind.code(),
        name.as_str(),
        doc.str("gmina").unwrap_or(""),
        doc.str("place").unwrap_or(""),
        doc.str("phone").unwrap_or(""),
        tags.as_str(),
    ];
    // The lengths, then the texts in one run (checked as UTF-8 at once when read),
    // then the organisations.
    let mut out = Vec::with_capacity(texts.iter().map(|t| t.len() + 1).sum::<usize>() + 1 + 16 * orgs.len());
    for t in &texts {
        put_len(&mut out, t.len());
    }
    for t in &texts {
        out.extend_from_slice(t.as_bytes());
    }
    let consent = doc.str("consent_data").is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok());
    let flag = |on: bool, f: u8| if on { f } else { 0 };
    out.push(
        flag(doc.erased(), ERASED) | flag(doc.str("category").is_some(), HAS_CATEGORY) | flag(consent, HAS_CONSENT),
    );
    // The organisations, then each one's role (length, text): read only by those
    // who ask for them (the graph), not by the list.
    put_len(&mut out, orgs.len());
    for o in &orgs {
        out.extend_from_slice(o.as_bytes());
    }
    for o in &orgs {
        let role = doc.str(&format!("role:{o}")).unwrap_or("");
        put_len(&mut out, role.len());
        out.extend_from_slice(role.as_bytes());
    }
    out
}

/// [`ParticipantRow::flags`]: the record is erased.
pub const ERASED: u8 = 1;
/// A category is stored (not the default a missing one reads as).
pub const HAS_CATEGORY: u8 = 2;
/// The data-processing consent's date reads as a date.
pub const HAS_CONSENT: u8 = 4;

/// A participant's row, read in place.
#[derive(Debug, Clone, Copy)]
pub struct ParticipantRow<'a> {
    pub category: Category,
    pub kind: Kind,
    /// As [`Participant::name_in`] gives it.
    pub name: &'a str,
    pub gmina: &'a str,
    pub place: &'a str,
    /// Empty when there is none.
    pub phone: &'a str,
    /// Tags joined by spaces.
    pub tags: &'a str,
    /// [`ERASED`], [`HAS_CATEGORY`], [`HAS_CONSENT`].
    pub flags: u8,
    orgs: &'a [u8],
    /// Each organisation's role in the order of `orgs`, as its length and text.
    roles: &'a [u8],
}

impl<'a> ParticipantRow<'a> {
    /// None when the bytes are not a row (a table written by something else).
    pub fn read(b: &'a [u8]) -> Option<ParticipantRow<'a>> {
        let mut r = Reader(b);
        let mut lens = [0usize; 7];
        for l in &mut lens {
            *l = r.len()?;
        }
        let texts = std::str::from_utf8(r.take(lens.iter().try_fold(0usize, |a, l| a.checked_add(*l))?)?).ok()?;
        let mut at = 0;
        let mut next = |n: usize| {
            let t = texts.get(at..at + n);
            at += n;
            t
        };
        let category = Category::parse(next(lens[0])?).ok()?;
        let kind = Kind::parse(next(lens[1])?).ok()?;
        let (name, gmina, place, phone, tags) =
            (next(lens[2])?, next(lens[3])?, next(lens[4])?, next(lens[5])?, next(lens[6])?);
        let flags = *r.take(1)?.first()?;
        let n = r.len()?;
        let orgs = r.take(n.checked_mul(16)?)?;
        Some(ParticipantRow { category, kind, name, gmina, place, phone, tags, flags, orgs, roles: r.0 })
    }

    /// The organisations with the participant's role in each (None for none, or
    /// for a role that cannot be read).
    pub fn memberships(&self) -> impl Iterator<Item = (Id, Option<&'a str>)> + 'a {
        let mut roles = Reader(self.roles);
        self.orgs().map(move |o| {
            let role = roles.len().and_then(|n| roles.take(n)).and_then(|b| std::str::from_utf8(b).ok());
            (o, role.filter(|r| !r.is_empty()))
        })
    }

    /// The organisations the participant belongs to.
    pub fn orgs(&self) -> impl Iterator<Item = Id> + 'a {
        self.orgs.chunks_exact(16).filter_map(|c| <[u8; 16]>::try_from(c).ok()).map(Id::from_bytes)
    }
}

/// Lengths as LEB128: one byte below 128.
fn put_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn len(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            n |= usize::from(b & 0x7f).checked_shl(shift)?;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (a, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(a)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sync::{Change, Doc, Hlc, Op, OpId, ReplicaId};

    #[test]
    fn a_participant_row_reads_back_what_the_record_says() {
        let org = Id::new();
        let mut doc = Doc::new(Entity::Participant);
        let long = "Ż".repeat(200);
        let changes = vec![
            Change::set("name", long.clone()),
            Change::set("category", "ngo"),
            Change::set("gmina", "Dobiegniew"),
            Change::set("phone", "+48 600 100 200"),
            Change::add("tags", "sport"),
            Change::add("tags", "kgw"),
            Change::add("memberships", org.to_string()),
            Change::set(&format!("role:{org}"), "prezeska"),
            Change::set("consent_data", "2026-01-05"),
        ];
        let op = Op {
            id: OpId { replica: ReplicaId(1), seq: 1 },
            clock: Hlc(1),
            entity: Entity::Participant,
            record: Id::new(),
            changes,
        };
        doc.apply(&op, |_| false);
        let bytes = row_of(Entity::Participant, &doc);
        let row = ParticipantRow::read(&bytes).unwrap();
        assert_eq!((row.category, row.kind), Participant::category_kind(&doc));
        assert_eq!(row.name, long);
        assert_eq!((row.gmina, row.place, row.phone), ("Dobiegniew", "", "+48 600 100 200"));
        assert_eq!(row.tags.split(' ').count(), 2);
        assert_eq!(row.orgs().collect::<Vec<_>>(), vec![org]);
        assert_eq!(row.memberships().collect::<Vec<_>>(), vec![(org, Some("prezeska"))]);
        assert_eq!(row.flags, HAS_CATEGORY | HAS_CONSENT);
        // Cut anywhere, it is not a row, or (cut in the roles, which are read only
        // when asked for) its roles are not all there.
        for n in 0..bytes.len() {
            if let Some(r) = ParticipantRow::read(&bytes[..n]) {
                assert_ne!(r.memberships().collect::<Vec<_>>(), vec![(org, Some("prezeska"))], "{n}");
            }
        }
    }
}
