//! Quick capture of a meeting: the draft kept while typing, the follow-ups written as
//! `- [ ] text @yyyy-mm-dd` lines in the notes or one per line in their own field
//! (`yyyy-mm-dd: text` for a due date), and saving it all in one transaction.
//!
//! No terminal here: the app's capture form holds a [`CaptureDraft`], writes it to the
//! store's local table as the user types, and calls [`save`] on Ctrl-S.

use crate::edit::{self, EditError};
use crate::model::{Entity, Id, MeetingType, validate};
use crate::store::{Draft, Store};
use crate::sync::Change;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Local keys (the store's `local` table: this machine only, never synced).
pub const DRAFT_KEY: &str = "capture.draft";
pub const LAST_TYPE_KEY: &str = "capture.last_type";
pub const LAST_PLACE_KEY: &str = "capture.last_place";

/// Who attended: someone already known, or a new participant named in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attendee {
    Known { id: String, name: String },
    New { name: String },
}

impl Attendee {
    pub fn name(&self) -> &str {
        match self {
            Attendee::Known { name, .. } | Attendee::New { name } => name,
        }
    }
}

/// Everything typed into the capture form, as text: what is stored as the draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureDraft {
    #[serde(rename = "type")]
    pub kind: String,
    pub date: String,
    pub place: String,
    pub hours: String,
    pub attendees: Vec<Attendee>,
    pub notes: String,
    /// The follow-ups field: one per line (older drafts lack it).
    #[serde(default)]
    pub followups: String,
}

impl CaptureDraft {
    /// Whether anything worth keeping was typed (presets alone are not a draft).
    pub fn has_content(&self) -> bool {
        !self.attendees.is_empty() || !self.notes.trim().is_empty() || !self.followups.trim().is_empty()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// A stored draft; None when there is none or it cannot be read (an older format
    /// is dropped rather than crashing the start).
    pub fn from_bytes(b: &[u8]) -> Option<CaptureDraft> {
        serde_json::from_slice(b).ok()
    }
}

/// A follow-up written in the notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteFollowUp {
    pub text: String,
    pub due: Option<NaiveDate>,
}

/// Split notes into the note proper and the follow-ups: lines that start with `- [ ]`
/// (or `[ ]`, `- []`), with an optional ` @yyyy-mm-dd` (or `@dd.mm.yyyy`) due date at
/// the end. A date that does not parse stays part of the text.
pub fn split_notes(notes: &str) -> (String, Vec<NoteFollowUp>) {
    let mut keep = Vec::new();
    let mut fups = Vec::new();
    for line in notes.lines() {
        let t = line.trim_start();
        let rest = ["- [ ]", "- []", "-[ ]", "[ ]", "* [ ]"].iter().find_map(|p| t.strip_prefix(p));
        let Some(rest) = rest else {
            keep.push(line);
            continue;
        };
        let rest = rest.trim();
        if rest.is_empty() {
            continue;
        }
        let (text, due) = match rest.rsplit_once(" @") {
            Some((text, d)) => match validate::date(d.trim()) {
                Ok(d) if !text.trim().is_empty() => (text.trim().to_string(), Some(d)),
                _ => (rest.to_string(), None),
            },
            None => (rest.to_string(), None),
        };
        fups.push(NoteFollowUp { text, due });
    }
    while keep.last().is_some_and(|l| l.trim().is_empty()) {
        keep.pop();
    }
    (keep.join("\n").trim_start_matches('\n').to_string(), fups)
}

/// The follow-ups field: every non-empty line is one follow-up. A due date goes first,
/// `2026-12-05: text`; a line written as in the notes (`- [ ] text @2026-12-05`) is
/// read the same way, so pasting between the two never loses the date. A prefix that
/// is not a date stays part of the text.
pub fn split_followups(field: &str) -> Vec<NoteFollowUp> {
    let mut out = Vec::new();
    for line in field.lines() {
        let t = line.trim();
        let t =
            ["- [ ]", "- []", "-[ ]", "[ ]", "* [ ]", "- "].iter().find_map(|p| t.strip_prefix(p)).unwrap_or(t).trim();
        if t.is_empty() {
            continue;
        }
        if let Some((d, text)) = t.split_once(':')
            && let Ok(due) = validate::date(d)
            && !text.trim().is_empty()
        {
            out.push(NoteFollowUp { text: text.trim().to_string(), due: Some(due) });
            continue;
        }
        // The notes' own syntax: `text @date` at the end.
        let (_, mut f) = split_notes(&format!("- [ ] {t}"));
        out.append(&mut f);
    }
    out
}

/// The drafts that save a capture: new participants, the meeting, its follow-ups.
/// Checked, not written. Returns them with the meeting's id.
pub fn plan(store: &Store, d: &CaptureDraft) -> Result<(Id, Vec<Draft>), EditError> {
    let (note, mut fups) = split_notes(&d.notes);
    fups.extend(split_followups(&d.followups));
    let mut fields: Vec<(String, String)> = vec![("type".into(), d.kind.clone()), ("date".into(), d.date.clone())];
    for (k, v) in [("place", &d.place), ("hours", &d.hours), ("note", &note)] {
        if !v.trim().is_empty() {
            fields.push((k.into(), v.clone()));
        }
    }
    // The place is typed in a hurry; its gmina comes from earlier records, so that
    // filters and reports by gmina see the meeting.
    let view = store.view()?;
    let gmina = edit::gmina_in(&view, &d.place)?;
    if let Some(g) = &gmina {
        fields.push(("gmina".into(), g.clone()));
    }
    let mut drafts = Vec::new();
    let mut attendees = Vec::new();
    for a in &d.attendees {
        match a {
            Attendee::Known { id, .. } => {
                // The form keeps whole ids: one look in the snapshot, unless the
                // participant is gone (then `resolve` says what is wrong).
                let live = Id::parse(id)
                    .filter(|i| matches!(view.doc(Entity::Participant, *i), Ok(Some(d)) if !d.is_deleted()));
                attendees.push(match live {
                    Some(i) => i,
                    None => edit::resolve(store, Entity::Participant, id)?,
                });
            }
            Attendee::New { name } => {
                let id = Id::new();
                let mut f = vec![("name".to_string(), name.clone())];
                if !d.place.trim().is_empty() {
                    f.push(("place".into(), d.place.clone()));
                }
                if let Some(g) = &gmina {
                    f.push(("gmina".into(), g.clone()));
                }
                drafts.extend(edit::plan_create(store, Entity::Participant, id, &f)?);
                attendees.push(id);
            }
        }
    }
    let id = Id::new();
    let mut meeting = edit::plan_create(store, Entity::Meeting, id, &fields)?;
    if let Some(m) = meeting.last_mut() {
        let mut seen = std::collections::HashSet::new();
        for a in attendees.iter().filter(|a| seen.insert(**a)) {
            m.changes.push(Change::add("attendees", a.to_string()));
        }
    }
    drafts.extend(meeting);
    for f in fups {
        let fid = Id::new();
        let mut fields = vec![("text".to_string(), f.text)];
        if let Some(due) = f.due {
            fields.push(("due".into(), due.to_string()));
        }
        let mut fd = edit::plan_create(store, Entity::FollowUp, fid, &fields)?;
        if let Some(last) = fd.last_mut() {
            last.changes.push(Change::set("meeting", id.to_string()));
            last.changes.push(Change::set("done", false));
        }
        drafts.extend(fd);
    }
    Ok((id, drafts))
}

/// Save a capture: the meeting, new participants and follow-ups in one transaction,
/// which also clears the draft and remembers the type and place for the next capture.
pub fn save(store: &Store, d: &CaptureDraft) -> Result<Id, EditError> {
    let (id, drafts) = plan(store, d)?;
    let kind = MeetingType::parse(&d.kind).map(|k| k.code()).unwrap_or("other");
    let place = d.place.trim();
    store.commit_with_local(
        drafts,
        &[
            (DRAFT_KEY, None),
            (LAST_TYPE_KEY, Some(kind.as_bytes())),
            (LAST_PLACE_KEY, (!place.is_empty()).then_some(place.as_bytes())),
        ],
    )?;
    Ok(id)
}

/// A fresh capture: type and place as last used, today's date.
pub fn fresh(store: &Store, today: NaiveDate) -> CaptureDraft {
    let text = |k: &str| store.local(k).ok().flatten().and_then(|b| String::from_utf8(b).ok());
    CaptureDraft {
        kind: text(LAST_TYPE_KEY).unwrap_or_else(|| MeetingType::Individual.code().to_string()),
        date: today.to_string(),
        place: text(LAST_PLACE_KEY).unwrap_or_default(),
        ..CaptureDraft::default()
    }
}

/// The draft left by a capture that was not saved (a killed terminal), if any.
pub fn pending(store: &Store) -> Option<CaptureDraft> {
    store.local(DRAFT_KEY).ok().flatten().and_then(|b| CaptureDraft::from_bytes(&b)).filter(CaptureDraft::has_content)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{FollowUp, Meeting};

    #[test]
    fn follow_up_lines_leave_the_note() {
        let (note, f) = split_notes(
            "Spotkanie w świetlicy.\n- [ ] wysłać regulamin wójtowi @2026-12-04\n  - [ ] zadzwonić do GOPS\nDalej notatka\n- [ ] zła data @jutro\n- [ ]   \n",
        );
        assert_eq!(note, "Spotkanie w świetlicy.\nDalej notatka");
        assert_eq!(
            f,
            vec![
                NoteFollowUp { text: "wysłać regulamin wójtowi".into(), due: NaiveDate::from_ymd_opt(2026, 12, 4) },
                NoteFollowUp { text: "zadzwonić do GOPS".into(), due: None },
                NoteFollowUp { text: "zła data @jutro".into(), due: None },
            ]
        );
        assert_eq!(split_notes(""), (String::new(), vec![]));
    }

    #[test]
    fn the_follow_ups_field_takes_a_date_first_or_as_in_the_notes() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        let f = split_followups(
            "2026-12-05: zadzwonić do sołtysa\n\n  wysłać zdjęcia  \n- [ ] plakat @2026-12-01\njutro: zła data\n2026-12-05:\n",
        );
        assert_eq!(
            f,
            vec![
                NoteFollowUp { text: "zadzwonić do sołtysa".into(), due: d(2026, 12, 5) },
                NoteFollowUp { text: "wysłać zdjęcia".into(), due: None },
                NoteFollowUp { text: "plakat".into(), due: d(2026, 12, 1) },
                NoteFollowUp { text: "jutro: zła data".into(), due: None },
                NoteFollowUp { text: "2026-12-05:".into(), due: None },
            ]
        );
        // A draft from before the field existed still loads, and the field alone is content.
        let old = br#"{"type":"group","date":"2026-11-20","place":"","hours":"","attendees":[],"notes":"x"}"#;
        assert_eq!(CaptureDraft::from_bytes(old).map(|d| d.followups), Some(String::new()));
        assert!(CaptureDraft { followups: "plakat".into(), ..CaptureDraft::default() }.has_content());
    }

    #[test]
    fn save_writes_meeting_people_and_follow_ups_and_clears_the_draft() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let anna = edit::create(
            &store,
            Entity::Participant,
            &[
                ("name".into(), "Anna Kowalska".into()),
                ("place".into(), "Dobiegniew".into()),
                ("gmina".into(), "Dobiegniew".into()),
            ],
        )
        .unwrap();
        let d = CaptureDraft {
            kind: "grupowe".into(),
            date: "2026-11-20".into(),
            place: "dobiegniew".into(),
            hours: "1,5".into(),
            attendees: vec![
                Attendee::Known { id: anna.to_string(), name: "Anna Kowalska".into() },
                Attendee::New { name: "Zenon Źdźbło".into() },
            ],
            notes: "Żółć i łąka.\n- [ ] plakat @2026-11-27".into(),
            followups: "2026-12-05: zadzwonić do wójta\n\nwysłać zdjęcia".into(),
        };
        store.set_local(DRAFT_KEY, Some(&d.to_bytes())).unwrap();
        assert_eq!(pending(&store), Some(d.clone()));
        let id = save(&store, &d).unwrap();
        assert_eq!(pending(&store), None);
        let m = Meeting::from_doc(id, &store.doc(Entity::Meeting, id).unwrap().unwrap());
        assert_eq!(m.kind, MeetingType::Group);
        assert_eq!(m.note.as_deref(), Some("Żółć i łąka."));
        assert_eq!(m.hours, Some(1.5));
        // The gmina, never typed at capture, comes from the records of the place.
        assert_eq!(m.gmina.as_deref(), Some("Dobiegniew"));
        assert_eq!(m.attendees.len(), 2);
        assert!(m.attendees.contains(&anna));
        let mut f: Vec<FollowUp> =
            store.docs(Entity::FollowUp).unwrap().into_iter().map(|(id, d)| FollowUp::from_doc(id, &d)).collect();
        f.sort_by(|a, b| a.text.cmp(&b.text));
        let got: Vec<_> =
            f.iter().map(|f| (f.meeting, f.text.as_str(), f.due.map(|d| d.to_string()), f.done)).collect();
        assert_eq!(
            got,
            vec![
                (Some(id), "plakat", Some("2026-11-27".to_string()), false),
                (Some(id), "wysłać zdjęcia", None, false),
                (Some(id), "zadzwonić do wójta", Some("2026-12-05".to_string()), false),
            ]
        );
        let next = fresh(&store, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        assert_eq!((next.kind.as_str(), next.place.as_str()), ("group", "dobiegniew"));
        assert_eq!(store.count(Entity::Participant).unwrap(), 2);
    }

    #[test]
    fn a_bad_field_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let d = CaptureDraft {
            kind: "group".into(),
            date: "2026-11-20".into(),
            hours: "lots".into(),
            attendees: vec![Attendee::New { name: "Ewa Nowak".into() }],
            ..CaptureDraft::default()
        };
        assert!(matches!(save(&store, &d), Err(EditError::Invalid { .. })));
        assert_eq!(store.count(Entity::Participant).unwrap(), 0);
        assert_eq!(store.log_len().unwrap(), (0, 0));
    }

    #[test]
    fn the_gmina_of_a_place_is_checked_on_every_record_that_holds_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let person = |name: &str, place: &str, gmina: &str| {
            let f = [("name", name), ("place", place), ("gmina", gmina)];
            edit::create(&store, Entity::Participant, &f.map(|(k, v)| (k.to_string(), v.to_string()))).unwrap();
        };
        // "Łódź" appears in this record, but not as its place.
        person("Łódź Kaliska (zespół)", "Zgierz", "Zgierz");
        person("Jan Nowak", "Łódź", "Łódź");
        let gmina = |place: &str| edit::gmina_in(&store.view().unwrap(), place).unwrap();
        assert_eq!(gmina("Łódź").as_deref(), Some("Łódź"));
        // Typed without Polish letters: no record holds that text; the folded search finds it.
        assert_eq!(gmina("lodz").as_deref(), Some("Łódź"));
        assert_eq!(gmina("Kalisz"), None);
    }
}
