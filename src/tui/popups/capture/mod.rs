//! The quick-capture form: type, date, place, hours, attendees picked by fuzzy search
//! (shown as chips; a new name becomes a new participant), and notes in a multi-line
//! editor where `- [ ] text @yyyy-mm-dd` lines are follow-ups, and a follow-ups field
//! (one per line, `yyyy-mm-dd: text` for a due date). Its keys are in `keys.rs`, its
//! drawing in `draw.rs`; the draft is kept in the store as it is typed (`draft.rs`)
//! and saving goes through [`crate::capture::save`].

mod draft;
mod draw;
mod keys;

pub use draft::{DraftMsg, Drafts};

use crate::capture::{Attendee, CaptureDraft};
use crate::i18n::{Lang, t};
use crate::model::{Id, MeetingType, validate};
use crate::tui::form::{self, Field};
pub use crate::tui::panes::participants::Candidate;
use crate::tui::widgets::TextArea;

pub const TYPE: usize = 0;
pub const DATE: usize = 1;
pub const PLACE: usize = 2;
pub const HOURS: usize = 3;
pub const ATTENDEES: usize = 4;
pub const NOTES: usize = 5;
pub const FOLLOWUPS: usize = 6;
pub const FIELDS: usize = 7;

pub struct Capture {
    /// Type, date, place, hours.
    pub fields: Vec<Field>,
    /// The attendee search line.
    pub query: Field,
    pub chips: Vec<Attendee>,
    pub candidates: Vec<Candidate>,
    /// Position in the candidates; `candidates.len()` is "new participant".
    pub cand: usize,
    pub notes: TextArea,
    /// Follow-ups, one per line.
    pub followups: TextArea,
    pub focus: usize,
    pub error: Option<String>,
    pub lang: Lang,
}

fn meeting_type(s: &str, lang: Lang) -> Result<(), String> {
    MeetingType::parse(s).map(|_| ()).map_err(|e| e.message(lang))
}

fn date(s: &str, lang: Lang) -> Result<(), String> {
    validate::date(s).map(|_| ()).map_err(|e| e.message(lang).to_string())
}

fn hours(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { validate::hours(s).map(|_| ()).map_err(|e| e.message(lang).to_string()) }
}

impl Capture {
    pub fn from_draft(d: &CaptureDraft, lang: Lang) -> Capture {
        let l = lang;
        Capture {
            fields: vec![
                Field::new("type", t(l, "type"), &d.kind, meeting_type, l),
                Field::new("date", t(l, "date"), &d.date, date, l),
                Field::new("place", t(l, "place"), &d.place, form::any, l),
                Field::new("hours", t(l, "hours"), &d.hours, hours, l),
            ],
            query: Field::new("attendees", t(l, "attendees"), "", form::any, l),
            chips: d.attendees.clone(),
            candidates: Vec::new(),
            cand: 0,
            notes: TextArea::new(&d.notes),
            followups: TextArea::new(&d.followups),
            // Type, date and place come preset: start where the typing starts.
            focus: ATTENDEES,
            error: None,
            lang,
        }
    }

    pub fn to_draft(&self) -> CaptureDraft {
        CaptureDraft {
            kind: self.fields[TYPE].value.clone(),
            date: self.fields[DATE].value.clone(),
            place: self.fields[PLACE].value.clone(),
            hours: self.fields[HOURS].value.clone(),
            attendees: self.chips.clone(),
            notes: self.notes.text(),
            followups: self.followups.text(),
        }
    }

    pub fn valid(&self) -> bool {
        self.fields.iter().all(|f| f.error.is_none())
    }

    /// The one-line field in focus, if the focus is on one (the attendee search counts).
    pub fn line(&mut self) -> Option<&mut Field> {
        match self.focus {
            ATTENDEES => Some(&mut self.query),
            NOTES | FOLLOWUPS => None,
            i => self.fields.get_mut(i),
        }
    }

    /// The multi-line field in focus (notes or follow-ups), if the focus is on one.
    pub fn text_area(&mut self) -> Option<&mut TextArea> {
        match self.focus {
            NOTES => Some(&mut self.notes),
            FOLLOWUPS => Some(&mut self.followups),
            _ => None,
        }
    }

    /// What an external editor edits: the multi-line field in focus, else the notes.
    pub fn editor_target(&mut self) -> &mut TextArea {
        if self.focus == FOLLOWUPS { &mut self.followups } else { &mut self.notes }
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % FIELDS;
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + FIELDS - 1) % FIELDS;
    }

    /// Left/Right on the type field step through the types.
    pub fn step_type(&mut self, delta: isize) {
        let all = MeetingType::ALL;
        let cur = MeetingType::parse(&self.fields[TYPE].value).ok();
        let i = cur.and_then(|c| all.iter().position(|x| *x == c)).unwrap_or(0) as isize;
        let next = all[(i + delta).rem_euclid(all.len() as isize) as usize];
        self.fields[TYPE] = Field::new("type", t(self.lang, "type"), next.code(), meeting_type, self.lang);
    }

    /// Add the highlighted candidate (or the typed name as a new participant).
    /// Returns false when there was nothing to add.
    pub fn pick(&mut self) -> bool {
        let name = self.query.value.trim().to_string();
        let chip = match self.candidates.get(self.cand) {
            Some(c) => Attendee::Known { id: c.id.to_string(), name: c.name.clone() },
            None if !name.is_empty() => Attendee::New { name },
            None => return false,
        };
        if !self.chips.contains(&chip) {
            self.chips.push(chip);
        }
        self.query = Field::new("attendees", t(self.lang, "attendees"), "", form::any, self.lang);
        self.candidates.clear();
        self.cand = 0;
        true
    }

    pub fn set_candidates(&mut self, c: Vec<Candidate>) {
        self.candidates = c;
        self.cand = 0;
    }

    pub fn chosen(&self, id: Id) -> bool {
        let s = id.to_string();
        self.chips.iter().any(|c| matches!(c, Attendee::Known { id, .. } if *id == s))
    }
}
