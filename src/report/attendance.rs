//! A meeting's attendance sheet (lista obecności): participant, organisation,
//! category and hours, as CSV for spreadsheets and as a printable Markdown sheet with a
//! signature column; and support hours per participant and per category over a period.

use crate::i18n::{Lang, t};
use crate::model::{Category, Entity, Id, Meeting, Participant};
use crate::store::{Result, Store};
use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub name: String,
    pub org: String,
    pub category: Category,
    pub hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub meeting: Meeting,
    /// Family name first order, as on paper lists.
    pub rows: Vec<SheetRow>,
}

/// The attendance of one meeting. None when there is no such meeting.
pub fn attendance(store: &Store, meeting: Id) -> Result<Option<Attendance>> {
    let Some(doc) = store.doc(Entity::Meeting, meeting)? else { return Ok(None) };
    let m = Meeting::from_doc(meeting, &doc);
    let mut rows = Vec::new();
    for a in &m.attendees {
        let Some(d) = store.doc(Entity::Participant, *a)? else { continue };
        let p = Participant::from_doc(*a, &d);
        let mut orgs = Vec::new();
        for ms in &p.memberships {
            if let Some(o) = store.doc(Entity::Participant, ms.org)? {
                orgs.push(o.string("name").unwrap_or_default());
            }
        }
        rows.push((
            p.sort_name(),
            SheetRow { name: p.name, org: orgs.join(", "), category: p.category, hours: m.hours },
        ));
    }
    rows.sort_by_cached_key(|r| crate::search::fold(&r.0));
    Ok(Some(Attendance { meeting: m, rows: rows.into_iter().map(|r| r.1).collect() }))
}

fn hours(h: Option<f64>) -> String {
    h.map(|h| if h.fract() == 0.0 { format!("{h:.0}") } else { format!("{h}").replace('.', ",") }).unwrap_or_default()
}

fn headers(lang: Lang) -> [&'static str; 4] {
    [t(lang, "participant"), t(lang, "org"), t(lang, "category"), t(lang, "hours")]
}

/// CSV as Polish spreadsheets open it: UTF-8 with a BOM, `;` between fields, decimal
/// commas.
pub fn to_csv(a: &Attendance, lang: Lang) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    let _ = w.write_record(headers(lang));
    for r in &a.rows {
        let _ = w.write_record([r.name.as_str(), &r.org, r.category.label(lang), &hours(r.hours)]);
    }
    w.into_inner().unwrap_or_default()
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A printable sheet: the meeting, then a numbered table with an empty signature column.
pub fn to_markdown(a: &Attendance, lang: Lang) -> String {
    let m = &a.meeting;
    let mut out = format!("# {} — {}\n\n", t(lang, "attendance_sheet"), m.display_title(lang));
    let line = |k: &str, v: String| if v.is_empty() { String::new() } else { format!("- {}: {v}\n", t(lang, k)) };
    out.push_str(&line("date", m.date.map(|d| d.to_string()).unwrap_or_default()));
    out.push_str(&line("type", m.kind.label(lang).to_string()));
    out.push_str(&line(
        "place",
        [m.place.as_deref(), m.gmina.as_deref().filter(|g| Some(*g) != m.place.as_deref())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", gm. "),
    ));
    out.push_str(&line("hours", hours(m.hours)));
    out.push('\n');
    let [p, o, c, h] = headers(lang);
    out.push_str(&format!("| {} | {p} | {o} | {c} | {h} | {} |\n", t(lang, "number"), t(lang, "signature")));
    out.push_str("|---:|---|---|---|---:|---|\n");
    for (i, r) in a.rows.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            i + 1,
            cell(&r.name),
            cell(&r.org),
            r.category.label(lang),
            hours(r.hours),
            " ".repeat(24)
        ));
    }
    out
}

/// Support hours over a period (inclusive; None = open): each live meeting's hours
/// counted once per attendee, summed per participant and per participant category.
/// Organisations attending count like people.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupportHours {
    pub by_participant: BTreeMap<Id, f64>,
    pub by_category: BTreeMap<Category, f64>,
    /// Meeting hours, each meeting once.
    pub meetings: f64,
}

pub fn support_hours(store: &Store, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<SupportHours> {
    let mut cats: crate::ids::IdMap<Category> = crate::ids::IdMap::default();
    store.for_each_view(Entity::Participant, |id, d| {
        if !d.is_deleted() {
            // Only the category, read in place as `Participant::from_doc` reads it:
            // decoding whole records was most of the cost at 100 000 of them.
            cats.insert(id, Participant::category_kind(&d).0);
        }
    })?;
    let mut out = SupportHours::default();
    store.for_each_view(Entity::Meeting, |id, d| {
        let m = Meeting::from_doc(id, &d);
        let in_period = m.date.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t));
        let Some(h) = m.hours.filter(|_| !m.deleted && in_period) else { return };
        out.meetings += h;
        for a in &m.attendees {
            let Some(c) = cats.get(a) else { continue };
            *out.by_participant.entry(*a).or_default() += h;
            *out.by_category.entry(*c).or_default() += h;
        }
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::edit;

    fn s(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn sheet_as_csv_and_markdown_and_hours_over_a_period() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let p = |v: &[(&str, &str)]| edit::create(&store, Entity::Participant, &s(v)).unwrap();
        let zofia = p(&[("name", "Zofia Żak"), ("category", "welfare"), ("org", "GOPS Dobiegniew")]);
        let adam = p(&[("name", "Adam Bąk"), ("category", "person")]);
        let ids = format!("{zofia},{adam}");
        let m = edit::create(
            &store,
            Entity::Meeting,
            &s(&[("type", "group"), ("date", "2026-03-02"), ("place", "Ługi"), ("hours", "2.5"), ("attendees", &ids)]),
        )
        .unwrap();
        edit::create(
            &store,
            Entity::Meeting,
            &s(&[("type", "advice"), ("date", "2026-05-01"), ("hours", "1"), ("attendees", &zofia.to_string())]),
        )
        .unwrap();
        let a = attendance(&store, m).unwrap().unwrap();
        assert_eq!(a.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Adam Bąk", "Zofia Żak"]);
        let csv = String::from_utf8(to_csv(&a, Lang::Pl)).unwrap();
        assert_eq!(
            csv,
            "\u{feff}uczestnik;organizacja;kategoria;godz.\nAdam Bąk;;osoba fizyczna;2,5\nZofia Żak;GOPS Dobiegniew;OPS / PCPR;2,5\n"
        );
        let md = to_markdown(&a, Lang::Pl);
        assert!(md.contains("| 2 | Zofia Żak | GOPS Dobiegniew | OPS / PCPR | 2,5 |"), "{md}");
        assert!(md.contains("podpis"), "{md}");
        let march =
            support_hours(&store, NaiveDate::from_ymd_opt(2026, 3, 1), NaiveDate::from_ymd_opt(2026, 3, 31)).unwrap();
        assert_eq!(march.meetings, 2.5);
        assert_eq!(march.by_participant[&zofia], 2.5);
        assert_eq!(march.by_category[&Category::Welfare], 2.5);
        let all = support_hours(&store, None, None).unwrap();
        assert_eq!(all.by_participant[&zofia], 3.5);
        assert_eq!(all.by_category[&Category::Person], 2.5);
    }
}
