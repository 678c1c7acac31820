//! Compact text in stored ops (op encoding 2) and records (doc encoding 3).
//!
//! A record's bytes were mostly words the program wrote, not the user: every field's
//! name (`consent_newsletter`), the codes of closed vocabularies (`person`, `welfare`),
//! ids of other records as 32 hex digits (attendees, members, `created_by`) and dates
//! as `yyyy-mm-dd`. Each text is still framed as postcard frames a string (its length,
//! then its bytes), but what is inside may start with a tag byte:
//!
//! | first byte | then | stands for |
//! |---|---|---|
//! | [`WORD`] | a code | a word of [`WORDS`] |
//! | [`HEX`] | 16 bytes | 32 lowercase hex digits |
//! | [`WORD_HEX`] | a code, 16 bytes | a word (`role:`), then 32 hex digits |
//! | [`WORD_TEXT`] | a code, text | a word (`target:`), then plain text |
//! | [`DATE`] | a varint | a `yyyy-mm-dd` date (days from 1 January of year 1) |
//! | [`LITERAL`] | text | the text (one that starts with a byte below [`TAGS`]) |
//! | anything else | | the text itself |
//!
//! Decoding gives back the very same string, so the merge rules, the indexes and the
//! `--json` output never see the difference. A text that is a plain string is read in
//! place; the others are built (a word is a `&'static str`).

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// Words with a one-byte code: the index in this list. **Append only**: a stored code
/// must mean the same word forever. Field names first, then the codes of the closed
/// vocabularies (`model::codes`), then prefixes of per-member fields.
pub const WORDS: &[&str] = &[
    // Field names.
    "adopted",
    "animator",
    "attendees",
    "category",
    "consent_data",
    "consent_newsletter",
    "consent_photos",
    "contact",
    "contract",
    "contract_doc",
    "created_by",
    "date",
    "description",
    "diagnosis",
    "diagnosis_doc",
    "done",
    "done_on",
    "due",
    "email",
    "form_received",
    "form_received_doc",
    "forms_jst",
    "forms_ngo",
    "forms_residents",
    "from",
    "gmina",
    "goal",
    "goals",
    "hours",
    "implementation",
    "implementation_doc",
    "jst",
    "kind",
    "lat",
    "leader",
    "lon",
    "meeting",
    "meetings",
    "members",
    "memberships",
    "name",
    "note",
    "notes",
    "order",
    "owner",
    "partnership",
    "phone",
    "place",
    "plan",
    "plan_adopted",
    "plan_adopted_doc",
    "recruitment_meeting",
    "recruitment_meeting_doc",
    "resources",
    "retention",
    "since",
    "started",
    "status",
    "tags",
    "text",
    "time",
    "title",
    "to",
    "type",
    "closed",
    "closed_doc",
    // Codes of the closed vocabularies.
    "active",
    "advice",
    "animator-meetings",
    "annual-programme",
    "answered",
    "business",
    "citizen-budget",
    "consultation",
    "consultations",
    "cooperates",
    "dropped",
    "form-received",
    "forming",
    "forum",
    "funding",
    "funds",
    "group",
    "heritage",
    "in-progress",
    "individual",
    "informal",
    "knows",
    "labour",
    "leads",
    "local-initiative",
    "local-partnership",
    "media",
    "member-of",
    "microgrants",
    "model-diagnosis",
    "multi-year-programme",
    "neighbourhood",
    "ngo",
    "ngo-centre",
    "open",
    "open-competitions",
    "org",
    "organisations",
    "other",
    "partnership-projects",
    "paused",
    "people",
    "person",
    "pes",
    "places",
    "plan-adopted",
    "premises-policy",
    "products",
    "ps",
    "rdpp",
    "recruitment-meeting",
    "regranting",
    "residents",
    "resource-map",
    "seniors-council",
    "specialist-advice",
    "study-visit",
    "study-visits",
    "supports",
    "todo",
    "tourism-product",
    "training",
    "trainings",
    "welfare",
    "workshop",
    "youth-council",
    "true",
    "false",
    // Prefixes of per-member and per-indicator fields.
    "role:",
    "joined:",
    "target:",
    "type:",
];

/// The rest is plain text (it starts with a byte below [`TAGS`]).
pub const LITERAL: u8 = 0;
/// A code into [`WORDS`].
pub const WORD: u8 = 1;
/// 16 bytes: 32 lowercase hex digits.
pub const HEX: u8 = 2;
/// A code into [`WORDS`], then 16 bytes of hex digits.
pub const WORD_HEX: u8 = 3;
/// A code into [`WORDS`], then plain text.
pub const WORD_TEXT: u8 = 4;
/// A varint: days from 1 January of year 1, shown as `yyyy-mm-dd`.
pub const DATE: u8 = 5;
/// Texts that start with a byte below this are tagged; no teren text does, but a user
/// may type anything, so such a text is kept behind [`LITERAL`].
pub const TAGS: u8 = 8;

fn code(word: &str) -> Option<u8> {
    static INDEX: OnceLock<HashMap<&'static str, u8>> = OnceLock::new();
    // The longest word is 23 bytes: a longer text (most names and notes) is not looked up.
    if word.len() > 23 {
        return None;
    }
    INDEX.get_or_init(|| WORDS.iter().enumerate().map(|(i, w)| (*w, i as u8)).collect()).get(word).copied()
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// The 16 bytes of 32 lowercase hex digits.
fn unhex(s: &str) -> Option<[u8; 16]> {
    let b = s.as_bytes();
    if b.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
    }
    Some(out)
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
}

/// Days from 1 January of year 1 for a `yyyy-mm-dd` that prints back the same (years
/// 1000–9999, so four digits and no sign).
fn days(s: &str) -> Option<u32> {
    use chrono::Datelike;
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if y < 1000 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(y as i32, m, d)?;
    u32::try_from(date.num_days_from_ce()).ok()
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A text's compact bytes: built on the stack for the tagged forms, borrowed for plain
/// text (most names and notes).
enum Packed<'a> {
    Inline([u8; 20], usize),
    Plain(&'a [u8]),
    Built(Vec<u8>),
}

impl Packed<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Packed::Inline(b, n) => &b[..*n],
            Packed::Plain(b) => b,
            Packed::Built(v) => v,
        }
    }
}

fn inline(parts: &[&[u8]]) -> Packed<'static> {
    let mut b = [0u8; 20];
    let mut n = 0;
    for p in parts {
        b[n..n + p.len()].copy_from_slice(p);
        n += p.len();
    }
    Packed::Inline(b, n)
}

fn pack(s: &str) -> Packed<'_> {
    if let Some(c) = code(s) {
        return inline(&[&[WORD, c]]);
    }
    if let Some(h) = unhex(s) {
        return inline(&[&[HEX], &h]);
    }
    if let Some(d) = days(s) {
        let mut v = Vec::with_capacity(5);
        varint(&mut v, u64::from(d));
        return inline(&[&[DATE], &v]);
    }
    if let Some(i) = s.find(':')
        && let Some(c) = code(&s[..=i])
    {
        let tail = &s[i + 1..];
        if let Some(h) = unhex(tail) {
            return inline(&[&[WORD_HEX, c], &h]);
        }
        let mut v = Vec::with_capacity(2 + tail.len());
        v.extend_from_slice(&[WORD_TEXT, c]);
        v.extend_from_slice(tail.as_bytes());
        return Packed::Built(v);
    }
    match s.as_bytes().first() {
        Some(&b) if b < TAGS => {
            let mut v = Vec::with_capacity(1 + s.len());
            v.push(LITERAL);
            v.extend_from_slice(s.as_bytes());
            Packed::Built(v)
        }
        _ => Packed::Plain(s.as_bytes()),
    }
}

/// Write `s` as postcard writes a string (length, then bytes), compacted.
pub fn put(out: &mut Vec<u8>, s: &str) {
    let p = pack(s);
    let b = p.bytes();
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn word(c: u8) -> Result<&'static str, String> {
    WORDS.get(usize::from(c)).copied().ok_or_else(|| format!("word {c} unknown to this teren; upgrade teren"))
}

fn utf8(b: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(b).map_err(|_| "a text that is not UTF-8".to_string())
}

fn hex16(b: &[u8], prefix: &str) -> Result<String, String> {
    if b.len() != 16 {
        return Err("a damaged id".into());
    }
    let mut s = String::with_capacity(prefix.len() + 32);
    s.push_str(prefix);
    push_hex(&mut s, b);
    Ok(s)
}

/// Read the bytes of one text written by [`put`] (without the length).
pub fn unpack(b: &[u8]) -> Result<Cow<'_, str>, String> {
    let Some((&tag, rest)) = b.split_first() else { return Ok(Cow::Borrowed("")) };
    Ok(match tag {
        t if t >= TAGS => Cow::Borrowed(utf8(b)?),
        LITERAL => Cow::Borrowed(utf8(rest)?),
        WORD => match rest {
            [c] => Cow::Borrowed(word(*c)?),
            _ => return Err("a damaged word".into()),
        },
        HEX => Cow::Owned(hex16(rest, "")?),
        WORD_HEX => match rest.split_first() {
            Some((c, h)) => Cow::Owned(hex16(h, word(*c)?)?),
            None => return Err("a damaged id".into()),
        },
        WORD_TEXT => match rest.split_first() {
            Some((c, t)) => Cow::Owned(format!("{}{}", word(*c)?, utf8(t)?)),
            None => return Err("a damaged word".into()),
        },
        DATE => {
            let mut n: u64 = 0;
            for (i, byte) in rest.iter().enumerate() {
                if i >= 5 || (i + 1 < rest.len()) != (byte & 0x80 != 0) {
                    return Err("a damaged date".into());
                }
                n |= u64::from(byte & 0x7f) << (7 * i);
            }
            let date = i32::try_from(n)
                .ok()
                .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| "a damaged date".to_string())?;
            // By hand: chrono's formatter took longer than the rest of a record.
            use chrono::Datelike;
            let (y, m, d) = (date.year() as u32, date.month(), date.day());
            let mut s = String::with_capacity(10);
            for (n, width) in [(y, 4), (m, 2), (d, 2)] {
                if !s.is_empty() {
                    s.push('-');
                }
                for p in (0..width).rev() {
                    s.push(char::from(b'0' + (n / 10u32.pow(p) % 10) as u8));
                }
            }
            Cow::Owned(s)
        }
        t => return Err(format!("text tag {t} unknown to this teren; upgrade teren")),
    })
}

/// A text serialised compactly (`#[serde(serialize_with)]` and by hand).
pub struct Text<'a>(pub &'a str);

impl serde::Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(pack(self.0).bytes())
    }
}

/// A text read from its compact form into a string of its own.
pub struct OwnedText(pub String);

impl<'de> serde::Deserialize<'de> for OwnedText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        owned::deserialize(d).map(OwnedText)
    }
}

struct CowVisitor;

impl<'de> Visitor<'de> for CowVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a compact text")
    }
    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
        unpack(v).map_err(E::custom)
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        unpack(v).map(|c| Cow::Owned(c.into_owned())).map_err(E::custom)
    }
}

/// `#[serde(with = "compact::cow")]` for a `Cow<str>` field.
pub mod cow {
    use super::*;
    pub fn serialize<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&Text(v), s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_bytes(CowVisitor)
    }
}

/// `#[serde(with = "compact::owned")]` for a `String` field.
pub mod owned {
    use super::*;
    pub fn serialize<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&Text(v), s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        d.deserialize_bytes(CowVisitor).map(Cow::into_owned)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn round(s: &str) -> (usize, String) {
        let mut out = Vec::new();
        put(&mut out, s);
        // One length byte for the texts here.
        (out.len(), unpack(&out[1..]).unwrap().into_owned())
    }

    #[test]
    fn every_form_gives_back_the_same_text() {
        for (s, len) in [
            ("consent_newsletter", 3),
            ("person", 3),
            ("1ce88d51b1aa42928d6251802e7872d2", 18),
            ("role:1ce88d51b1aa42928d6251802e7872d2", 19),
            ("target:participants", 15),
            ("2026-09-06", 5),
            ("0001-01-01", 11),
            ("2026-02-30", 11),
            ("1CE88D51B1AA42928D6251802E7872D2", 33),
            ("\u{1}odd", 6),
            ("", 1),
            ("Łucja Wiśniewska", 19),
            ("a:b", 4),
        ] {
            assert_eq!(round(s), (len, s.to_string()), "{s}");
        }
    }

    #[test]
    fn damaged_or_newer_forms_are_errors() {
        for bad in [&[WORD, 250][..], &[HEX, 1, 2], &[DATE, 0x80], &[7, 1], &[WORD], &[WORD_HEX, 0, 1]] {
            assert!(unpack(bad).is_err(), "{bad:?}");
        }
        assert!(unpack(&[WORD, 250]).unwrap_err().contains("upgrade"));
    }

    #[test]
    fn the_words_are_distinct_and_short() {
        let mut seen = std::collections::HashSet::new();
        assert!(WORDS.len() <= 256);
        for w in WORDS {
            assert!(seen.insert(w), "{w} twice");
            assert!(w.len() <= 23 && w.len() > 1 && w.as_bytes()[0] >= TAGS, "{w}");
        }
    }

    #[test]
    fn stored_codes_never_change_meaning() {
        // The words of op encoding 2 and doc encoding 3, in order: codes already on disk and
        // in bundles. Append new words after them; never edit this list.
        const FIRST: usize = 138;
        const PINNED: &str = "adf8a7de8cfa08cec1368c6322157ed052d07069c4a8fd9d401c25af93cadf22";
        let first: Vec<&str> = WORDS[..FIRST].to_vec();
        let text = first.join("\n");
        assert_eq!(blake3::hash(text.as_bytes()).to_hex().as_str(), PINNED, "WORDS[..{FIRST}] changed");
        assert_eq!(code("consent_newsletter"), Some(5));
        assert_eq!(code("role:"), Some(134));
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips(s in "\\PC{0,40}|[0-9a-f]{32}|role:[0-9a-f]{32}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[\\x00-\\x09].{0,5}") {
            let mut out = Vec::new();
            put(&mut out, &s);
            let n = out.len();
            let mut de = postcard::Deserializer::from_bytes(&out);
            let back = cow::deserialize(&mut de).unwrap();
            proptest::prop_assert_eq!(&*back, s.as_str());
            proptest::prop_assert!(n <= s.len() + 2);
        }
    }
}
