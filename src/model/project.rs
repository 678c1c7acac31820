//! Projects: the grant-funded work an animator reports on — a period and the numbers
//! promised for it (seed 003: "20 officials in networking meetings and study visits,
//! 10 animators trained, 100 residents in neighbourhood actions").

use super::codes::{Category, MeetingType};
use crate::ids::Id;
use crate::search::fold;
use crate::sync::{Doc, FieldState};
use chrono::NaiveDate;
use std::fmt;

/// What a target counts. Stored in a project's doc as field `target:<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKey {
    /// Unique participants who attended at least one meeting in the period.
    Participants,
    /// Unique participants of one category who attended a meeting in the period.
    Category(Category),
    /// Meetings held in the period.
    Meetings,
    /// Meetings of one type held in the period.
    MeetingType(MeetingType),
    /// Hours of support: the summed duration of the meetings in the period.
    Hours,
    /// Organisations engaged: attended a meeting, or a member of theirs did.
    Organisations,
    /// Partnerships started in the period.
    Partnerships,
    /// Needs answered that were found at a meeting in the period.
    NeedsAnswered,
}

/// The keys that are not a category or a meeting type, with what users type for them.
const SPECIAL: &[(TargetKey, &str, &[&str])] = &[
    (TargetKey::Participants, "participants", &["uczestnicy", "osoby", "uczestnikow"]),
    (TargetKey::Meetings, "meetings", &["spotkania", "spotkan", "dzialania"]),
    (TargetKey::Hours, "hours", &["godziny", "godzin", "godziny wsparcia", "h"]),
    (TargetKey::Organisations, "organisations", &["organizations", "organizacje", "organizacji", "instytucje"]),
    (TargetKey::Partnerships, "partnerships", &["partnerstwa", "partnerstw"]),
    (TargetKey::NeedsAnswered, "needs-answered", &["needs", "potrzeby", "zaspokojone potrzeby"]),
];

impl TargetKey {
    /// The stable code, as typed in `--target CODE=N` and shown in `--json`. A meeting
    /// type whose code is also a category's (`other`) is written `type:other`.
    pub fn code(self) -> String {
        match self {
            TargetKey::Category(c) => c.code().to_string(),
            TargetKey::MeetingType(t) if Category::parse(t.code()).is_ok() => format!("type:{}", t.code()),
            TargetKey::MeetingType(t) => t.code().to_string(),
            other => SPECIAL.iter().find(|s| s.0 == other).map(|s| s.1).unwrap_or("?").to_string(),
        }
    }

    /// Parse a code: a special key, a category (`pes`, `OPS`), a meeting type
    /// (`study-visit`, `wizyta studyjna`); `category:` or `type:` forces the list.
    pub fn parse(input: &str) -> Result<TargetKey, String> {
        let s = input.trim();
        if let Some(rest) = s.strip_prefix("type:").or_else(|| s.strip_prefix("meeting:")) {
            return MeetingType::parse(rest).map(TargetKey::MeetingType).map_err(|e| e.to_string());
        }
        if let Some(rest) = s.strip_prefix("category:") {
            return Category::parse(rest).map(TargetKey::Category).map_err(|e| e.to_string());
        }
        let f = fold(s).replace('_', "-");
        for (key, code, aliases) in SPECIAL {
            if f == *code || aliases.iter().any(|a| f == fold(a)) {
                return Ok(*key);
            }
        }
        if let Ok(c) = Category::parse(s) {
            return Ok(TargetKey::Category(c));
        }
        if let Ok(t) = MeetingType::parse(s) {
            return Ok(TargetKey::MeetingType(t));
        }
        Err(format!(
            "unknown target '{s}'; use participants, meetings, hours, organisations, partnerships, needs-answered, \
             a participant category ({}) or a meeting type ({})",
            Category::ALL.iter().map(|c| c.code()).collect::<Vec<_>>().join(", "),
            MeetingType::ALL.iter().map(|t| TargetKey::MeetingType(*t).code()).collect::<Vec<_>>().join(", "),
        ))
    }

    /// A short label for tables.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Lang;
        let pl = lang == Lang::Pl;
        match self {
            TargetKey::Participants => (if pl { "uczestnicy (unikalni)" } else { "participants (unique)" }).into(),
            TargetKey::Category(c) => format!("{}: {}", if pl { "uczestnicy" } else { "participants" }, c.label(lang)),
            TargetKey::Meetings => (if pl { "spotkania" } else { "meetings" }).into(),
            TargetKey::MeetingType(t) => format!("{}: {}", if pl { "spotkania" } else { "meetings" }, t.label(lang)),
            TargetKey::Hours => (if pl { "godziny wsparcia" } else { "support hours" }).into(),
            TargetKey::Organisations => (if pl { "organizacje zaangażowane" } else { "organisations engaged" }).into(),
            TargetKey::Partnerships => (if pl { "partnerstwa zawiązane" } else { "partnerships formed" }).into(),
            TargetKey::NeedsAnswered => (if pl { "potrzeby zaspokojone" } else { "needs answered" }).into(),
        }
    }

    /// The order targets are listed in: totals, categories, meeting types, the rest.
    pub fn rank(self) -> (u8, u8) {
        match self {
            TargetKey::Participants => (0, 0),
            TargetKey::Category(c) => (1, c as u8),
            TargetKey::Meetings => (2, 0),
            TargetKey::MeetingType(t) => (3, t as u8),
            TargetKey::Hours => (4, 0),
            TargetKey::Organisations => (5, 0),
            TargetKey::Partnerships => (6, 0),
            TargetKey::NeedsAnswered => (7, 0),
        }
    }
}

impl fmt::Display for TargetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// A project: name, period and targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: Id,
    pub name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Targets in listing order.
    pub targets: Vec<(TargetKey, f64)>,
    pub note: Option<String>,
    pub deleted: bool,
}

impl Project {
    pub fn from_doc(id: Id, doc: &Doc) -> Self {
        let date = |f: &str| doc.str(f).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let mut targets: Vec<(TargetKey, f64)> = doc
            .fields
            .iter()
            .filter(|(_, st)| matches!(st, FieldState::Reg { .. }))
            .filter_map(|(f, _)| {
                let key = TargetKey::parse(f.strip_prefix("target:")?).ok()?;
                Some((key, doc.get(f)?.as_f64()?))
            })
            .collect();
        targets.sort_by_key(|(k, _)| k.rank());
        Project {
            id,
            name: doc.string("name").unwrap_or_default(),
            from: date("from"),
            to: date("to"),
            targets,
            note: doc.string("note"),
            deleted: doc.is_deleted(),
        }
    }

    /// Whether a date falls in the project's period (open ends count as unbounded).
    pub fn covers(&self, d: NaiveDate) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }
}

/// Parse `pes=10,meetings=100` (or one `key=value`) into targets; the value is a
/// number at least 0 (hours may have a fraction, `,` or `.`).
pub fn parse_targets(input: &str) -> Result<Vec<(TargetKey, f64)>, String> {
    let mut out: Vec<(TargetKey, f64)> = Vec::new();
    for part in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) =
            part.split_once('=').ok_or_else(|| format!("'{part}' is not a target; write KEY=NUMBER, e.g. pes=10"))?;
        let key = TargetKey::parse(k)?;
        let v = v.trim();
        let n: f64 = v
            .replace(',', ".")
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite() && *n >= 0.0)
            .ok_or_else(|| format!("target {}: '{v}' is not a number of 0 or more", key.code()))?;
        if out.iter().any(|(k, _)| *k == key) {
            return Err(format!("target {} is given twice", key.code()));
        }
        out.push((key, n));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_keys_parse_codes_polish_names_and_round_trip() {
        assert_eq!(TargetKey::parse("pes"), Ok(TargetKey::Category(Category::Pes)));
        assert_eq!(TargetKey::parse("OPS"), Ok(TargetKey::Category(Category::Welfare)));
        assert_eq!(TargetKey::parse("study-visit"), Ok(TargetKey::MeetingType(MeetingType::StudyVisit)));
        assert_eq!(TargetKey::parse("wizyta studyjna"), Ok(TargetKey::MeetingType(MeetingType::StudyVisit)));
        assert_eq!(TargetKey::parse("organizacje"), Ok(TargetKey::Organisations));
        assert_eq!(TargetKey::parse("needs_answered"), Ok(TargetKey::NeedsAnswered));
        assert_eq!(TargetKey::parse("other"), Ok(TargetKey::Category(Category::Other)));
        assert_eq!(TargetKey::parse("type:other"), Ok(TargetKey::MeetingType(MeetingType::Other)));
        assert!(TargetKey::parse("xyz").unwrap_err().contains("unknown target 'xyz'"));
        for c in Category::ALL {
            let k = TargetKey::Category(*c);
            assert_eq!(TargetKey::parse(&k.code()), Ok(k));
        }
        for t in MeetingType::ALL {
            let k = TargetKey::MeetingType(*t);
            assert_eq!(TargetKey::parse(&k.code()), Ok(k), "{}", k.code());
        }
    }

    #[test]
    fn targets_parse_and_refuse_bad_numbers() {
        let t = parse_targets("pes=10, meetings=100,hours=12,5").unwrap_err();
        assert!(t.contains("'5'"), "{t}");
        let t = parse_targets("pes=10, meetings=100, hours=12.5").unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[2], (TargetKey::Hours, 12.5));
        assert!(parse_targets("pes=-1").is_err());
        assert!(parse_targets("pes=ten").is_err());
        assert!(parse_targets("pes=1,PES=2").unwrap_err().contains("twice"));
    }
}
