//! Project indicators: the figures a project reports, counted from the records, each
//! against its target.
//!
//! What is counted, within the project's period (all time without a project):
//! - **participants**: unique participants who attended at least one meeting, in
//!   total and per category (a person counts once however many meetings they came to;
//!   erased participants still count — erasure keeps category and gmina for this);
//! - **meetings**: meetings held, in total and per type;
//! - **hours**: support hours — the summed duration of the meetings; per category, the
//!   participant-hours of that category's attendees;
//! - **organisations engaged**: organisations that attended a meeting, or one of whose
//!   members did;
//! - **partnerships formed**: partnerships started in the period;
//! - **needs answered**: needs marked answered that were found at a meeting in the
//!   period (a need with no source meeting has no date and counts only without a
//!   project).
//!
//! Deleted records count nowhere. The completeness check lists the participants counted
//! whose records lack what the report needs: category, gmina, and for a person the
//! participant's declaration (`consent_data`).

use super::attendance::{SupportHours, support_hours};
use crate::i18n::Lang;
use crate::model::{
    Category, Entity, Id, Kind, Meeting, MeetingType, Need, NeedStatus, Partnership, Project, TargetKey,
};
use crate::store::{Result, Store};
use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;

/// The figures of one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub participants: usize,
    pub by_category: BTreeMap<Category, usize>,
    pub meetings: usize,
    pub by_type: BTreeMap<MeetingType, usize>,
    pub hours: f64,
    pub hours_by_category: BTreeMap<Category, f64>,
    pub organisations: usize,
    pub partnerships: usize,
    pub needs_answered: usize,
    /// Meetings with no date: they cannot be placed in a period and count nowhere.
    pub undated_meetings: usize,
}

impl Figures {
    /// The value a target is measured by.
    pub fn value(&self, key: TargetKey) -> f64 {
        match key {
            TargetKey::Participants => self.participants as f64,
            TargetKey::Category(c) => self.by_category.get(&c).copied().unwrap_or(0) as f64,
            TargetKey::Meetings => self.meetings as f64,
            TargetKey::MeetingType(t) => self.by_type.get(&t).copied().unwrap_or(0) as f64,
            TargetKey::Hours => self.hours,
            TargetKey::Organisations => self.organisations as f64,
            TargetKey::Partnerships => self.partnerships as f64,
            TargetKey::NeedsAnswered => self.needs_answered as f64,
        }
    }
}

/// One figure against its target.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub key: TargetKey,
    pub value: f64,
    pub target: Option<f64>,
}

impl Indicator {
    /// What is still missing to reach the target (0 when reached or without one).
    pub fn missing(&self) -> f64 {
        self.target.map_or(0.0, |t| (t - self.value).max(0.0))
    }
    /// Percent of the target reached, capped at 100; `None` without a target.
    pub fn percent(&self) -> Option<u32> {
        self.target.map(|t| if t <= 0.0 { 100 } else { ((self.value / t) * 100.0).floor().min(100.0) as u32 })
    }
}

/// A counted participant whose record lacks something the report needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Incomplete {
    pub id: Id,
    pub name: String,
    pub kind: Kind,
    pub missing: Vec<&'static str>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub project: Option<Project>,
    pub figures: Figures,
    pub indicators: Vec<Indicator>,
    pub incomplete: Vec<Incomplete>,
    /// Support hours per participant and per category over the project's period
    /// (dated meetings only): the source of `figures.hours_by_category`.
    pub support: SupportHours,
}

/// Count the figures of `project`'s period (all time with `None`) and set them against
/// its targets.
pub fn report(store: &Store, project: Option<&Project>) -> Result<Report> {
    let covers = |d: Option<NaiveDate>| match (project, d) {
        (None, _) => true,
        (Some(p), Some(d)) => p.covers(d),
        (Some(_), None) => false,
    };
    // What the figures need of each participant, read in place: decoding 100 000
    // whole records was most of this report's time.
    let mut participants: crate::ids::IdMap<Counted> = crate::ids::IdMap::default();
    store.for_each_participant_row(usize::MAX, |id, r| {
        participants.insert(id, Counted::of(id, &r));
    })?;

    let mut f = Figures::default();
    let mut counted: HashSet<Id> = HashSet::new();
    let mut meetings_in: HashSet<Id> = HashSet::new();
    store.for_each_view(Entity::Meeting, |id, doc| {
        let m = Meeting::from_doc(id, &doc);
        if m.deleted {
            return;
        }
        if m.date.is_none() {
            f.undated_meetings += 1;
        }
        if !covers(m.date) {
            return;
        }
        meetings_in.insert(id);
        f.meetings += 1;
        *f.by_type.entry(m.kind).or_default() += 1;
        let hours = m.hours.unwrap_or(0.0);
        f.hours += hours;
        for a in &m.attendees {
            if participants.contains_key(a) {
                counted.insert(*a);
            }
        }
    })?;
    f.participants = counted.len();
    let mut orgs: HashSet<Id> = HashSet::new();
    for id in &counted {
        let p = &participants[id];
        *f.by_category.entry(p.category).or_default() += 1;
        if p.kind == Kind::Org {
            orgs.insert(*id);
        }
        for org in &p.orgs {
            if participants.get(org).is_some_and(|o| o.kind == Kind::Org) {
                orgs.insert(*org);
            }
        }
    }
    f.organisations = orgs.len();
    store.for_each_doc(Entity::Partnership, |id, doc| {
        let p = Partnership::from_doc(id, &doc);
        if !p.deleted && (project.is_none() || covers(p.started)) {
            f.partnerships += 1;
        }
    })?;
    store.for_each_doc(Entity::Need, |id, doc| {
        let n = Need::from_doc(id, &doc);
        if n.deleted || n.status != NeedStatus::Answered {
            return;
        }
        let found_in_period = n.meeting.is_some_and(|m| meetings_in.contains(&m));
        if project.is_none() || found_in_period {
            f.needs_answered += 1;
        }
    })?;
    let (from, to) = project.map_or((None, None), |p| (p.from, p.to));
    let support = support_hours(store, from, to)?;
    f.hours_by_category = support.by_category.clone();
    for h in f.hours_by_category.values_mut() {
        *h = (*h * 100.0).round() / 100.0;
    }
    f.hours = (f.hours * 100.0).round() / 100.0;

    let indicators = match project {
        Some(p) => p.targets.iter().map(|(k, t)| Indicator { key: *k, value: f.value(*k), target: Some(*t) }).collect(),
        None => {
            let mut keys = vec![TargetKey::Participants];
            keys.extend(f.by_category.keys().map(|c| TargetKey::Category(*c)));
            keys.push(TargetKey::Meetings);
            keys.extend(f.by_type.keys().map(|t| TargetKey::MeetingType(*t)));
            keys.extend([
                TargetKey::Hours,
                TargetKey::Organisations,
                TargetKey::Partnerships,
                TargetKey::NeedsAnswered,
            ]);
            keys.into_iter().map(|k| Indicator { key: k, value: f.value(k), target: None }).collect()
        }
    };

    let mut incomplete: Vec<Incomplete> = counted
        .iter()
        .map(|id| &participants[id])
        .filter(|p| !p.erased)
        .filter_map(|p| {
            let mut missing = Vec::new();
            if !p.has_category {
                missing.push("category");
            }
            if !p.has_gmina {
                missing.push("gmina");
            }
            if p.kind == Kind::Person && !p.has_consent {
                missing.push("consent_data");
            }
            (!missing.is_empty()).then(|| Incomplete { id: p.id, name: p.name.clone(), kind: p.kind, missing })
        })
        .collect();
    incomplete.sort_by_cached_key(|i| (crate::search::fold(&i.name), i.id));
    Ok(Report { project: project.cloned(), figures: f, indicators, incomplete, support })
}

/// What the report needs of a participant, read as [`Participant::from_doc`] reads it.
struct Counted {
    id: Id,
    name: String,
    kind: Kind,
    category: Category,
    orgs: Vec<Id>,
    erased: bool,
    /// A category stored (not the default `from_doc` falls back to).
    has_category: bool,
    has_gmina: bool,
    /// A consent date that reads as a date.
    has_consent: bool,
}

impl Counted {
    /// From the participant's list row: what the figures need is all there.
    fn of(id: Id, r: &crate::store::rows::ParticipantRow) -> Counted {
        use crate::store::rows::{ERASED, HAS_CATEGORY, HAS_CONSENT};
        Counted {
            id,
            name: r.name.to_string(),
            kind: r.kind,
            category: r.category,
            orgs: r.orgs().collect(),
            erased: r.flags & ERASED != 0,
            has_category: r.flags & HAS_CATEGORY != 0,
            has_gmina: !r.gmina.is_empty(),
            has_consent: r.flags & HAS_CONSENT != 0,
        }
    }
}

/// A number as people write it: no `.0` on whole numbers.
pub use crate::sheet::num;

fn round2(n: f64) -> f64 {
    (n * 100.0).round() / 100.0
}

fn num_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 { json!(n as i64) } else { json!(n) }
}

/// `[##########...............]  40%` for a value against a target.
pub fn bar(value: f64, target: f64, width: usize) -> String {
    let frac = if target <= 0.0 { 1.0 } else { (value / target).clamp(0.0, 1.0) };
    let full = (frac * width as f64).floor() as usize;
    format!("[{}{}]", "#".repeat(full), ".".repeat(width - full))
}

impl Report {
    /// The report as JSON (`teren report --json`).
    pub fn to_json(&self, lang: Lang) -> Value {
        let f = &self.figures;
        let by_cat = |m: &BTreeMap<Category, usize>| -> Map<String, Value> {
            m.iter().map(|(k, v)| (k.code().to_string(), json!(v))).collect()
        };
        json!({
            "project": self.project.as_ref().map(|p| json!({
                "id": p.id.to_string(), "name": p.name,
                "from": p.from.map(|d| d.to_string()), "to": p.to.map(|d| d.to_string()),
            })),
            "indicators": self.indicators.iter().map(|i| json!({
                "key": i.key.code(),
                "label": i.key.label(lang),
                "value": num_json(i.value),
                "target": i.target.map(num_json),
                "missing": i.target.map(|_| num_json(i.missing())),
                "percent": i.percent(),
            })).collect::<Vec<_>>(),
            "participants": {"total": f.participants, "by_category": by_cat(&f.by_category)},
            "meetings": {
                "total": f.meetings,
                "by_type": f.by_type.iter().map(|(k, v)| (k.code().to_string(), json!(v))).collect::<Map<_, _>>(),
                "undated": f.undated_meetings,
            },
            "hours": {
                "total": num_json(f.hours),
                "by_category": f.hours_by_category.iter().map(|(k, v)| (k.code().to_string(), num_json(*v))).collect::<Map<_, _>>(),
            },
            "support_hours": {
                "participant_hours": num_json(round2(self.support.by_participant.values().sum())),
                "participants": self.support.by_participant.len(),
                "by_category": self.support.by_category.iter().map(|(k, v)| (k.code().to_string(), num_json(round2(*v)))).collect::<Map<_, _>>(),
            },
            "organisations": f.organisations,
            "partnerships": f.partnerships,
            "needs_answered": f.needs_answered,
            "incomplete": self.incomplete.iter().map(|i| json!({
                "id": i.id.to_string(), "name": i.name, "kind": i.kind.code(), "missing": i.missing,
            })).collect::<Vec<_>>(),
        })
    }

    /// The report as text: the indicator table, the breakdowns, the completeness check.
    /// At most `list` incomplete records are listed by name.
    pub fn write_text(&self, out: &mut impl Write, lang: Lang, list: usize) -> std::io::Result<()> {
        let pl = lang == Lang::Pl;
        let f = &self.figures;
        match &self.project {
            Some(p) => {
                let d = |d: Option<NaiveDate>| d.map_or_else(|| "…".to_string(), |d| d.to_string());
                writeln!(out, "{} {} ({} – {})", if pl { "Projekt" } else { "Project" }, p.name, d(p.from), d(p.to))?;
            }
            None => writeln!(out, "{}", if pl { "Wszystkie dane (bez projektu)" } else { "All records (no project)" })?,
        }
        writeln!(out)?;
        let rows: Vec<[String; 5]> = self
            .indicators
            .iter()
            .map(|i| {
                let label = i.key.label(lang);
                match i.target {
                    Some(t) => [
                        label,
                        num(i.value),
                        num(t),
                        format!("{} {:>3}%", bar(i.value, t, 20), i.percent().unwrap_or(0)),
                        if i.missing() > 0.0 { num(i.missing()) } else { "✓".to_string() },
                    ],
                    None => [label, num(i.value), String::new(), String::new(), String::new()],
                }
            })
            .collect();
        let header: [&str; 5] = if pl {
            ["WSKAŹNIK", "WYNIK", "CEL", "POSTĘP", "BRAKUJE"]
        } else {
            ["INDICATOR", "ACHIEVED", "TARGET", "PROGRESS", "MISSING"]
        };
        let w =
            |i: usize| rows.iter().map(|r| r[i].chars().count()).chain([header[i].chars().count()]).max().unwrap_or(0);
        let widths = [w(0), w(1), w(2), w(3), w(4)];
        let line = |c: [&str; 5]| {
            let s = format!(
                "{:<w0$}  {:>w1$}  {:>w2$}  {:<w3$}  {:>w4$}",
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
                w4 = widths[4]
            );
            s.trim_end().to_string()
        };
        writeln!(out, "{}", line(header))?;
        for r in &rows {
            writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]))?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{}: {}",
            if pl {
                "Uczestnicy (unikalni, byli na spotkaniu w okresie)"
            } else {
                "Participants (unique, attended a meeting in the period)"
            },
            f.participants
        )?;
        for (c, n) in &f.by_category {
            let h = f.hours_by_category.get(c).copied().unwrap_or(0.0);
            writeln!(
                out,
                "  {:<32} {:>6}   {} {}",
                c.label(lang),
                n,
                num(h),
                if pl { "godz. uczestników" } else { "participant-hours" }
            )?;
        }
        writeln!(
            out,
            "{}: {} ({} {})",
            if pl { "Godziny wsparcia uczestników" } else { "Participant support hours" },
            num(round2(self.support.by_participant.values().sum())),
            self.support.by_participant.len(),
            if pl { "osób i organizacji" } else { "people and organisations" }
        )?;
        writeln!(
            out,
            "{}: {}   {}: {}",
            if pl { "Spotkania" } else { "Meetings" },
            f.meetings,
            if pl { "godziny wsparcia" } else { "support hours" },
            num(f.hours)
        )?;
        for (t, n) in &f.by_type {
            writeln!(out, "  {:<32} {:>6}", t.label(lang), n)?;
        }
        if f.undated_meetings > 0 {
            writeln!(
                out,
                "  ({} {})",
                f.undated_meetings,
                if pl { "spotkań bez daty nie liczy się" } else { "meetings without a date are not counted" }
            )?;
        }
        writeln!(out, "{}: {}", TargetKey::Organisations.label(lang), f.organisations)?;
        writeln!(out, "{}: {}", TargetKey::Partnerships.label(lang), f.partnerships)?;
        writeln!(out, "{}: {}", TargetKey::NeedsAnswered.label(lang), f.needs_answered)?;
        writeln!(out)?;
        if self.incomplete.is_empty() {
            writeln!(
                out,
                "{}",
                if pl {
                    "Kompletność: wszystkie liczone rekordy mają kategorię, gminę i oświadczenie."
                } else {
                    "Completeness: every counted record has category, gmina and declaration."
                }
            )?;
        } else {
            writeln!(
                out,
                "{}: {} / {}",
                if pl { "Kompletność: brakuje danych w rekordach" } else { "Completeness: records lacking data" },
                self.incomplete.len(),
                f.participants
            )?;
            for i in self.incomplete.iter().take(list) {
                writeln!(out, "  {}  {:<40} {}", i.id.short(), i.name, i.missing.join(", "))?;
            }
            if self.incomplete.len() > list {
                writeln!(
                    out,
                    "  … {} {}",
                    self.incomplete.len() - list,
                    if pl { "więcej (--json podaje wszystkie)" } else { "more (--json lists them all)" }
                )?;
            }
        }
        Ok(())
    }
}

// The municipality path and action plans (issue 11): a section of its own, counted
// from the path stages and tasks dated in the project's period.

/// Municipalities recruited, contracts signed, plans adopted and tasks done (on time)
/// in `project`'s period (all time with `None`).
pub fn plan_figures(store: &Store, project: Option<&Project>) -> Result<crate::plans::Figures> {
    let data = crate::plans::Data::load(store)?;
    Ok(crate::plans::figures(&data, project.and_then(|p| p.from), project.and_then(|p| p.to)))
}

/// The section as text, after the rest of the report.
pub fn write_plan_figures(f: &crate::plans::Figures, out: &mut impl Write, lang: Lang) -> std::io::Result<()> {
    use crate::i18n::t;
    writeln!(out)?;
    writeln!(out, "{}", t(lang, "plans_section"))?;
    for (key, n) in [
        ("plan_recruited", f.municipalities_recruited),
        ("plan_contracts", f.contracts_signed),
        ("plans_adopted", f.plans_adopted),
        ("plan_tasks_done", f.tasks_done),
        ("plan_tasks_on_time", f.tasks_done_on_time),
    ] {
        writeln!(out, "  {:<32} {n:>6}", t(lang, key))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit;

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    /// A hand-made data set whose figures are worked out by hand in the comments.
    pub(crate) fn data_set() -> (tempfile::TempDir, Store, Project) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.redb")).unwrap();
        let add = |e: Entity, p: &[(&str, &str)]| edit::create(&s, e, &f(p)).unwrap();
        let person = |name: &str, rest: &[(&str, &str)]| {
            let mut p = vec![("name", name)];
            p.extend_from_slice(rest);
            add(Entity::Participant, &p)
        };
        person("Anna Kowalska", &[("category", "person"), ("gmina", "Dobiegniew"), ("consent_data", "2024-01-10")]);
        person("Jan Nowak", &[("category", "person")]);
        add(
            Entity::Participant,
            &[("name", "MGOPS Dobiegniew"), ("kind", "org"), ("category", "OPS"), ("gmina", "Dobiegniew")],
        );
        person(
            "Zofia Wiśniewska",
            &[
                ("category", "welfare"),
                ("org", "MGOPS Dobiegniew"),
                ("gmina", "Dobiegniew"),
                ("consent_data", "2024-01-02"),
            ],
        );
        add(
            Entity::Participant,
            &[("name", "Stowarzyszenie Łąka"), ("kind", "org"), ("category", "pes"), ("gmina", "Ługi")],
        );
        person("Piotr Zając", &[("category", "pes"), ("org", "Stowarzyszenie Łąka"), ("gmina", "Ługi")]);
        let ewa = person("Ewa Usunięta", &[("category", "person"), ("gmina", "Ługi")]);
        person("Franciszek Poza", &[("category", "person"), ("gmina", "Ługi")]);
        let m = |date: &str, ty: &str, hours: &str, who: &str| {
            add(Entity::Meeting, &[("date", date), ("type", ty), ("hours", hours), ("attendees", who)])
        };
        let m1 = m("2024-01-15", "group", "2", &format!("Anna Kowalska,Jan Nowak,{ewa}"));
        let m2 = m("2024-02-01", "individual", "1,5", "Zofia Wiśniewska");
        m("2024-03-10", "study-visit", "8", "Anna Kowalska,Zofia Wiśniewska,Stowarzyszenie Łąka,Piotr Zając");
        let m4 = m("2023-12-31", "group", "3", "Franciszek Poza");
        m("2024-07-01", "workshop", "4", "Anna Kowalska");
        let m6 = m("2024-05-05", "group", "2", "Franciszek Poza");
        edit::delete(&s, Entity::Meeting, m6).unwrap();
        edit::delete(&s, Entity::Participant, ewa).unwrap();
        add(Entity::Partnership, &[("name", "Partnerstwo Ługi"), ("started", "2024-04-01")]);
        add(Entity::Partnership, &[("name", "Stare partnerstwo"), ("started", "2023-01-01")]);
        let need = |d: &str, status: &str, meeting: Option<Id>| {
            let ms = meeting.map(|m| m.to_string());
            let mut p = vec![("description", d), ("status", status)];
            if let Some(ms) = &ms {
                p.push(("meeting", ms.as_str()));
            }
            add(Entity::Need, &p)
        };
        need("Sala", "answered", Some(m1));
        need("Transport", "answered", Some(m4));
        need("Kurs", "open", Some(m2));
        need("Bez spotkania", "answered", None);
        let pid = add(
            Entity::Project,
            &[
                ("name", "MAM"),
                ("from", "2024-01-01"),
                ("to", "2024-06-30"),
                (
                    "targets",
                    "participants=5,person=3,OPS=1,pes=2,meetings=4,group=2,study-visit=1,hours=10,organisations=2,partnerships=1,needs-answered=1",
                ),
            ],
        );
        let project = Project::from_doc(pid, &s.doc(Entity::Project, pid).unwrap().unwrap());
        (dir, s, project)
    }

    #[test]
    fn figures_of_a_hand_made_data_set() {
        let (_d, s, project) = data_set();
        assert_eq!(project.targets.len(), 11);
        let r = report(&s, Some(&project)).unwrap();
        let f = &r.figures;
        // M1, M2, M3 are in the period; M4 before, M5 after, M6 deleted.
        assert_eq!(f.meetings, 3);
        assert_eq!(f.by_type.get(&MeetingType::Group), Some(&1));
        assert_eq!(f.by_type.get(&MeetingType::StudyVisit), Some(&1));
        assert_eq!(f.hours, 11.5);
        // Anna, Jan, Zofia, the association and Piotr; Ewa is deleted, Franciszek outside.
        assert_eq!(f.participants, 5);
        assert_eq!(f.by_category.get(&Category::Person), Some(&2));
        assert_eq!(f.by_category.get(&Category::Welfare), Some(&1));
        assert_eq!(f.by_category.get(&Category::Pes), Some(&2));
        // Person: Anna 2 + 8, Jan 2; welfare: Zofia 1.5 + 8; pes: the association 8, Piotr 8.
        assert_eq!(f.hours_by_category.get(&Category::Person), Some(&12.0));
        assert_eq!(f.hours_by_category.get(&Category::Welfare), Some(&9.5));
        assert_eq!(f.hours_by_category.get(&Category::Pes), Some(&16.0));
        // The association came itself; MGOPS through Zofia.
        assert_eq!(f.organisations, 2);
        assert_eq!(f.partnerships, 1);
        assert_eq!(f.needs_answered, 1);
        let ind = |k: &str| r.indicators.iter().find(|i| i.key.code() == k).cloned().unwrap();
        assert_eq!((ind("meetings").value, ind("meetings").missing(), ind("meetings").percent()), (3.0, 1.0, Some(75)));
        assert_eq!((ind("person").value, ind("person").missing()), (2.0, 1.0));
        assert_eq!((ind("welfare").value, ind("welfare").missing(), ind("welfare").percent()), (1.0, 0.0, Some(100)));
        assert_eq!((ind("group").value, ind("group").missing()), (1.0, 1.0));
        assert_eq!((ind("hours").value, ind("hours").missing(), ind("hours").percent()), (11.5, 0.0, Some(100)));
        assert_eq!(r.indicators[0].key, TargetKey::Participants);
        let inc: Vec<(&str, Vec<&str>)> = r.incomplete.iter().map(|i| (i.name.as_str(), i.missing.clone())).collect();
        assert_eq!(inc, vec![("Jan Nowak", vec!["gmina", "consent_data"]), ("Piotr Zając", vec!["consent_data"])]);

        let all = report(&s, None).unwrap();
        assert_eq!(all.figures.meetings, 5);
        assert_eq!(all.figures.participants, 6);
        assert_eq!(all.figures.partnerships, 2);
        assert_eq!(all.figures.needs_answered, 3);
        assert!(all.indicators.iter().all(|i| i.target.is_none()));

        let j = r.to_json(Lang::En);
        assert_eq!(j["participants"]["by_category"]["pes"], 2);
        assert_eq!(j["hours"]["total"], 11.5);
        assert_eq!(j["indicators"][0]["key"], "participants");
        assert_eq!(j["indicators"][0]["value"], 5);
        let mut text = Vec::new();
        r.write_text(&mut text, Lang::En, 10).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("Project MAM (2024-01-01 – 2024-06-30)"), "{text}");
        assert!(
            text.lines().any(|l| l.starts_with("meetings ") && l.contains("[###############.....]  75%")),
            "{text}"
        );
    }

    #[test]
    fn bars_and_numbers() {
        assert_eq!(bar(5.0, 10.0, 10), "[#####.....]");
        assert_eq!(bar(15.0, 10.0, 4), "[####]");
        assert_eq!(bar(0.0, 0.0, 2), "[##]");
        assert_eq!(num(10.0), "10");
        assert_eq!(num(11.5), "11.5");
        assert_eq!(num(2.25), "2.25");
    }
}
