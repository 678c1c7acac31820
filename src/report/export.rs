//! Exports for spreadsheets: participants, meetings, attendance (one row per attendee
//! of a meeting — the attendance list a project report asks for) and follow-ups, as
//! CSV that Polish Excel opens as it is (UTF-8 with a BOM, `;` between fields, decimal
//! comma) or as XLSX.
//!
//! A pseudonymised export replaces every name with a stable pseudonym ("Uczestnik
//! 7f3a2b1c9d", the same for the same record on every run against this database, keyed
//! by a secret only this database holds), phones and e-mails with keyed tags, and drops
//! free text (notes, follow-up texts, meeting titles — which are often names).

use crate::dump::followups_by_meeting;
use crate::i18n::Lang;
use crate::model::{Entity, FollowUp, Id, Kind, Meeting, Participant, Partnership};
pub use crate::sheet::{Cell, Sheet, XLSX_MAX_ROWS, to_csv, to_xlsx};
use crate::store::{Result, Store};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Participants,
    Meetings,
    Attendance,
    Followups,
}

impl What {
    pub fn code(self) -> &'static str {
        match self {
            What::Participants => "participants",
            What::Meetings => "meetings",
            What::Attendance => "attendance",
            What::Followups => "followups",
        }
    }
}

/// Stable pseudonyms keyed by this database's secret: HMAC-SHA256 of the id.
pub struct Pseudonyms {
    key: [u8; 32],
}

impl Pseudonyms {
    pub fn new(key: [u8; 32]) -> Self {
        Pseudonyms { key }
    }

    /// 10 hex digits of HMAC-SHA256(key, domain ‖ data): 40 bits, so 100 000 records
    /// share one only by a 1-in-200 chance.
    pub fn tag(&self, domain: &str, data: &[u8]) -> String {
        let mut k = [0u8; 64];
        k[..32].copy_from_slice(&self.key);
        let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(domain.as_bytes())
            .chain_update([0])
            .chain_update(data)
            .finalize();
        let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
        outer.iter().take(5).map(|b| format!("{b:02x}")).collect()
    }

    /// "Uczestnik 7f3a2b1c9d" / "Organizacja 03be6d8a11".
    pub fn participant(&self, id: Id, kind: Kind, lang: Lang) -> String {
        let word = match (kind, lang) {
            (Kind::Person, Lang::Pl) => "Uczestnik",
            (Kind::Person, Lang::En) => "Participant",
            (Kind::Org, Lang::Pl) => "Organizacja",
            (Kind::Org, Lang::En) => "Organisation",
        };
        format!("{word} {}", self.tag("participant", id.as_bytes()))
    }

    pub fn phone(&self, phone: &str) -> String {
        format!("tel-{}", self.tag("phone", phone.as_bytes()))
    }

    pub fn email(&self, email: &str) -> String {
        format!("{}@pseudonim.invalid", self.tag("email", email.to_lowercase().as_bytes()))
    }
}

struct Ctx<'a> {
    people: HashMap<Id, Participant>,
    pseudo: Option<&'a Pseudonyms>,
    lang: Lang,
}

impl Ctx<'_> {
    fn name(&self, id: Id) -> String {
        match (self.people.get(&id), self.pseudo) {
            (Some(p), Some(ps)) => ps.participant(id, p.kind, self.lang),
            (Some(p), None) => p.name.clone(),
            (None, _) => String::new(),
        }
    }
    fn pl(&self) -> bool {
        self.lang == Lang::Pl
    }
    fn headers(&self, pl: &[&str], en: &[&str]) -> Vec<String> {
        (if self.pl() { pl } else { en }).iter().map(|s| s.to_string()).collect()
    }
}

/// Build the sheet of `what`. With `pseudo`, no name, phone, e-mail or free text of a
/// participant is in it.
pub fn sheet(store: &Store, what: What, pseudo: Option<&Pseudonyms>, lang: Lang) -> Result<Sheet> {
    let mut people = HashMap::new();
    store.for_each_doc(Entity::Participant, |id, doc| {
        people.insert(id, Participant::from_doc(id, &doc));
    })?;
    let cx = Ctx { people, pseudo, lang };
    let mut meetings: Vec<Meeting> = store
        .docs(Entity::Meeting)?
        .into_iter()
        .map(|(id, d)| Meeting::from_doc(id, &d))
        .filter(|m| !m.deleted)
        .collect();
    meetings.sort_by_key(|m| (m.date, m.time, m.id));
    let title = |m: &Meeting| -> String {
        match cx.pseudo {
            // Titles are free text and often name people: the type and place stand in.
            Some(_) => match &m.place {
                Some(p) => format!("{} — {p}", m.kind.label(lang)),
                None => m.kind.label(lang).to_string(),
            },
            None => m.display_title(lang),
        }
    };
    Ok(match what {
        What::Participants => {
            let mut attended: HashMap<Id, usize> = HashMap::new();
            for m in &meetings {
                for a in &m.attendees {
                    *attended.entry(*a).or_default() += 1;
                }
            }
            let mut list: Vec<&Participant> = cx.people.values().filter(|p| !p.deleted).collect();
            list.sort_by_cached_key(|p| (crate::search::fold(&p.sort_name()), p.id));
            let rows = list
                .iter()
                .map(|p| {
                    let org = p.memberships.first().map(|m| cx.name(m.org));
                    let (phone, email, note) = match pseudo {
                        Some(ps) => {
                            (p.phone.as_deref().map(|x| ps.phone(x)), p.email.as_deref().map(|x| ps.email(x)), None)
                        }
                        None => (p.phone.as_deref().map(national), p.email.clone(), p.note.clone()),
                    };
                    vec![
                        Cell::from(p.id.to_string()),
                        p.kind.code().into(),
                        cx.name(p.id).into(),
                        p.category.code().into(),
                        org.into(),
                        p.gmina.clone().into(),
                        p.place.clone().into(),
                        phone.into(),
                        email.into(),
                        note.into(),
                        p.tags.join(", ").into(),
                        p.consent_data.into(),
                        p.consent_photos.into(),
                        p.consent_newsletter.into(),
                        p.retention.into(),
                        Cell::Num(attended.get(&p.id).copied().unwrap_or(0) as f64),
                    ]
                })
                .collect();
            Sheet {
                name: if cx.pl() { "Uczestnicy" } else { "Participants" }.into(),
                headers: cx.headers(
                    &[
                        "id",
                        "Rodzaj",
                        "Imię i nazwisko / nazwa",
                        "Kategoria",
                        "Organizacja",
                        "Gmina",
                        "Miejscowość",
                        "Telefon",
                        "E-mail",
                        "Uwagi",
                        "Tagi",
                        "Oświadczenie uczestnika",
                        "Zgoda na zdjęcia",
                        "Zgoda na newsletter",
                        "Przechowywać do",
                        "Spotkania",
                    ],
                    &[
                        "id",
                        "kind",
                        "name",
                        "category",
                        "org",
                        "gmina",
                        "place",
                        "phone",
                        "email",
                        "note",
                        "tags",
                        "consent_data",
                        "consent_photos",
                        "consent_newsletter",
                        "retention",
                        "meetings",
                    ],
                ),
                rows,
            }
        }
        What::Meetings => {
            let partnerships: HashMap<Id, String> = store
                .docs(Entity::Partnership)?
                .into_iter()
                .map(|(id, d)| (id, Partnership::from_doc(id, &d).name))
                .collect();
            let rows = meetings
                .iter()
                .map(|m| {
                    vec![
                        Cell::from(m.id.to_string()),
                        m.date.into(),
                        m.time.map(|t| t.format("%H:%M").to_string()).into(),
                        m.kind.code().into(),
                        m.hours.into(),
                        m.gmina.clone().into(),
                        m.place.clone().into(),
                        title(m).into(),
                        Cell::Num(m.attendees.len() as f64),
                        m.partnership.and_then(|p| partnerships.get(&p).cloned()).into(),
                        if pseudo.is_some() { Cell::Empty } else { m.note.clone().into() },
                    ]
                })
                .collect();
            Sheet {
                name: if cx.pl() { "Spotkania" } else { "Meetings" }.into(),
                headers: cx.headers(
                    &[
                        "id",
                        "Data",
                        "Godzina",
                        "Typ",
                        "Godziny",
                        "Gmina",
                        "Miejscowość",
                        "Tytuł",
                        "Uczestnicy",
                        "Partnerstwo",
                        "Notatka",
                    ],
                    &[
                        "id",
                        "date",
                        "time",
                        "type",
                        "hours",
                        "gmina",
                        "place",
                        "title",
                        "attendees",
                        "partnership",
                        "note",
                    ],
                ),
                rows,
            }
        }
        What::Attendance => {
            let mut rows = Vec::new();
            for m in &meetings {
                let mut who: Vec<&Participant> =
                    m.attendees.iter().filter_map(|a| cx.people.get(a)).filter(|p| !p.deleted).collect();
                who.sort_by_cached_key(|p| (crate::search::fold(&p.sort_name()), p.id));
                for p in who {
                    rows.push(vec![
                        Cell::from(m.id.to_string()),
                        m.date.into(),
                        m.kind.code().into(),
                        m.place.clone().into(),
                        title(m).into(),
                        m.hours.into(),
                        p.id.to_string().into(),
                        cx.name(p.id).into(),
                        p.kind.code().into(),
                        p.category.code().into(),
                        p.memberships.first().map(|o| cx.name(o.org)).into(),
                        p.gmina.clone().into(),
                    ]);
                }
            }
            Sheet {
                name: if cx.pl() { "Lista obecności" } else { "Attendance" }.into(),
                headers: cx.headers(
                    &[
                        "Spotkanie",
                        "Data",
                        "Typ",
                        "Miejscowość",
                        "Tytuł",
                        "Godziny",
                        "Uczestnik id",
                        "Uczestnik",
                        "Rodzaj",
                        "Kategoria",
                        "Organizacja",
                        "Gmina",
                    ],
                    &[
                        "meeting",
                        "date",
                        "type",
                        "place",
                        "title",
                        "hours",
                        "participant",
                        "name",
                        "kind",
                        "category",
                        "org",
                        "gmina",
                    ],
                ),
                rows,
            }
        }
        What::Followups => {
            let by_meeting = followups_by_meeting(store)?;
            let mut rows = Vec::new();
            for m in &meetings {
                let Some(fs) = by_meeting.get(&m.id) else { continue };
                for f in fs {
                    rows.push(followup_row(&cx, m, f, &title(m)));
                }
            }
            Sheet {
                name: if cx.pl() { "Zadania" } else { "Follow-ups" }.into(),
                headers: cx.headers(
                    &[
                        "id",
                        "Spotkanie",
                        "Data spotkania",
                        "Tytuł spotkania",
                        "Zadanie",
                        "Termin",
                        "Zrobione",
                        "Odpowiada",
                    ],
                    &["id", "meeting", "meeting_date", "meeting_title", "text", "due", "done", "owner"],
                ),
                rows,
            }
        }
    })
}

fn followup_row(cx: &Ctx<'_>, m: &Meeting, f: &FollowUp, title: &str) -> Vec<Cell> {
    let yes = if cx.pl() { "tak" } else { "yes" };
    let no = if cx.pl() { "nie" } else { "no" };
    vec![
        Cell::from(f.id.to_string()),
        m.id.to_string().into(),
        m.date.into(),
        title.into(),
        if cx.pseudo.is_some() { Cell::Empty } else { f.text.as_str().into() },
        f.due.into(),
        (if f.done { yes } else { no }).into(),
        f.owner.map(|o| cx.name(o)).into(),
    ]
}

/// `+48 600 100 200` → `600 100 200`: every stored phone is Polish, and a cell that
/// starts with `+` is a formula to Excel.
fn national(phone: &str) -> String {
    phone.strip_prefix("+48 ").unwrap_or(phone).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn pseudonyms_are_stable_per_key_and_reveal_nothing() {
        let a = Pseudonyms::new([1; 32]);
        let b = Pseudonyms::new([2; 32]);
        let id = Id::from_bytes([7; 16]);
        assert_eq!(a.participant(id, Kind::Person, Lang::Pl), a.participant(id, Kind::Person, Lang::Pl));
        assert_ne!(a.participant(id, Kind::Person, Lang::Pl), b.participant(id, Kind::Person, Lang::Pl));
        assert!(a.participant(id, Kind::Person, Lang::Pl).starts_with("Uczestnik "));
        assert_eq!(a.tag("x", b"y").len(), 10);
        assert!(!a.phone("+48 600 100 200").contains("600"));
        assert_eq!(a.email("Anna@X.pl"), a.email("anna@x.pl"));
    }

    #[test]
    fn csv_is_bom_semicolon_crlf_with_decimal_commas_and_no_formulas() {
        let sheet = Sheet {
            name: "t".into(),
            headers: vec!["Nazwa".into(), "Godziny".into(), "Data".into()],
            rows: vec![
                vec![
                    Cell::from("Łucja; \"Ł\"\nx"),
                    Cell::Num(1.5),
                    Cell::Date(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()),
                ],
                vec![Cell::from("=HYPERLINK(\"x\")"), Cell::Num(2.0), Cell::Empty],
            ],
        };
        let bytes = to_csv(&sheet);
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "Nazwa;Godziny;Data\r\n\"Łucja; \"\"Ł\"\"\nx\";1,5;2024-03-05\r\n\"'=HYPERLINK(\"\"x\"\")\";2;\r\n"
        );
    }

    #[test]
    fn xlsx_refuses_more_rows_than_a_sheet_holds() {
        let sheet = Sheet { name: "t".into(), headers: vec!["a".into()], rows: vec![vec![]; XLSX_MAX_ROWS] };
        assert!(to_xlsx(&sheet).unwrap_err().contains("export as CSV"));
    }
}
