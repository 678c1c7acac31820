//! `teren demo`: realistic Polish data for trying the app and for benchmarks.
//!
//! Deterministic: the same seed and size give the same records, ids included (ids come
//! from the seeded generator, dates from a fixed anchor), so benchmarks and bug reports
//! can name a data set by its seed.

mod data;
pub mod office;
mod plans;

use crate::model::{Category, Entity, Id, Kind, MeetingType};
use crate::search::fold;
use crate::store::{Draft, Result, Store};
use crate::sync::Change;
use chrono::{Duration, NaiveDate};
use data::*;
use std::collections::HashSet;

/// The day the demo's calendar is built around.
pub fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 16).unwrap_or_default()
}

/// How many records of each kind the demo wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub people: usize,
    pub organisations: usize,
    pub meetings: usize,
    pub followups: usize,
    pub resources: usize,
    pub needs: usize,
    pub partnerships: usize,
    pub relations: usize,
}

/// splitmix64: small, fast and good enough for made-up data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn id(&mut self) -> Id {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next().to_le_bytes());
        b[8..].copy_from_slice(&self.next().to_le_bytes());
        Id::from_random_bytes(b)
    }
}

fn feminine(family: &str) -> String {
    for (m, f) in [("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")] {
        if let Some(stem) = family.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    family.to_string()
}

/// A place: gmina, miejscowość, and its gmina's index (None outside the powiat).
#[derive(Clone)]
struct Place {
    gmina: &'static str,
    place: &'static str,
    g: Option<usize>,
}

struct Org {
    id: Id,
    category: Category,
    g: Option<usize>,
}

struct Gen<'s> {
    store: &'s Store,
    rng: Rng,
    drafts: Vec<Draft>,
    written: usize,
    total: usize,
    progress: &'s mut dyn FnMut(usize, usize),
    replica: String,
}

impl Gen<'_> {
    fn push(&mut self, entity: Entity, id: Id, mut changes: Vec<Change>) -> Result<()> {
        changes.push(Change::set("created_by", self.replica.clone()));
        self.drafts.push(Draft::new(entity, id, changes));
        if self.drafts.len() >= 20_000 {
            self.flush()?;
        }
        Ok(())
    }
    fn flush(&mut self) -> Result<()> {
        let batch = std::mem::take(&mut self.drafts);
        self.written += batch.len();
        self.store.commit(batch)?;
        (self.progress)(self.written.min(self.total), self.total);
        Ok(())
    }
    fn place(&mut self) -> Place {
        if self.rng.chance(0.06) {
            let (g, p) = *self.rng.pick(OUTSIDE);
            return Place { gmina: g, place: p, g: None };
        }
        let g = self.rng.below(GMINY.len());
        let p = *self.rng.pick(GMINY[g].1);
        Place { gmina: GMINY[g].0, place: p, g: Some(g) }
    }
    fn place_in(&mut self, g: usize) -> Place {
        Place { gmina: GMINY[g].0, place: GMINY[g].1[self.rng.below(GMINY[g].1.len())], g: Some(g) }
    }
}

fn located(changes: &mut Vec<Change>, p: &Place) {
    changes.push(Change::set("gmina", p.gmina));
    changes.push(Change::set("place", p.place));
}

/// The organisations every demo has, whatever its size: the partners of the
/// Dobiegniew partnership (seed 004) and one of each category.
const FIXED_ORGS: &[(&str, &str, usize, &str)] = &[
    ("Stowarzyszenie Wspierania Małej Przedsiębiorczości", "pes", 0, "Dobiegniew"),
    ("Miejsko-Gminny Ośrodek Pomocy Społecznej w Dobiegniewie", "welfare", 0, "Dobiegniew"),
    ("Powiatowy Urząd Pracy w Strzelcach Krajeńskich", "labour", 1, "Strzelce Krajeńskie"),
    ("Urząd Miejski w Dobiegniewie", "jst", 0, "Dobiegniew"),
    ("Środowiskowy Dom Samopomocy w Dobiegniewie", "jst", 0, "Dobiegniew"),
    ("Spółdzielnia Socjalna „Pod Lipami”", "ps", 2, "Drezdenko"),
    ("Lokalna Grupa Działania „Puszcza Notecka”", "ngo", 2, "Drezdenko"),
    ("Koło Gospodyń Wiejskich w Osieku", "informal", 0, "Osiek"),
    ("Gazeta Strzelecka", "media", 1, "Strzelce Krajeńskie"),
    ("Piekarnia „Złoty Kłos”", "business", 3, "Stare Kurowo"),
    ("Parafia pw. św. Jana Chrzciciela w Zwierzynie", "other", 4, "Zwierzyn"),
    ("Fundacja Rozwoju Ekonomii Społecznej", "pes", 99, "Łódź"),
];

/// Fill `store` with about `participants` participants (people and organisations)
/// and everything around them. `progress(done, total)` is called between batches.
pub fn generate(
    store: &Store,
    participants: usize,
    seed: u64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Summary> {
    let n = participants.max(FIXED_ORGS.len() + 6);
    let n_orgs = if n < 120 { (n / 3).max(FIXED_ORGS.len()) } else { (n / 8).max(40) };
    let n_people = n - n_orgs;
    let n_meetings = (n / 5).max(12);
    let total_estimate = n + n_meetings * 2 + GMINY.iter().map(|g| g.1.len()).sum::<usize>() * 7 + n_orgs / 2;
    let mut g = Gen {
        store,
        rng: Rng(seed ^ 0x7465_7265_6e00_0000),
        drafts: Vec::new(),
        written: 0,
        total: total_estimate,
        progress,
        replica: store.replica().to_string(),
    };
    let mut sum = Summary::default();
    let anchor = anchor();

    // Organisations.
    let mut orgs: Vec<Org> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    for (name, cat, gi, place) in FIXED_ORGS.iter().take(n_orgs) {
        let id = g.rng.id();
        let cat = Category::parse(cat).unwrap_or(Category::Other);
        let p = if *gi < GMINY.len() {
            Place { gmina: GMINY[*gi].0, place, g: Some(*gi) }
        } else {
            Place { gmina: place, place, g: None }
        };
        org_record(&mut g, id, name, cat, &p)?;
        names.insert(name.to_string());
        orgs.push(Org { id, category: cat, g: p.g });
    }
    while orgs.len() < n_orgs {
        let (cat, types, mottos) = *g.rng.pick(ORG_TYPES);
        let p = g.place();
        let ty = g.rng.pick(types);
        let base = if mottos.is_empty() {
            format!("{ty} – {}", p.place)
        } else {
            format!("{ty} „{}” – {}", g.rng.pick(mottos), p.place)
        };
        let mut name = base.clone();
        let mut k = 2;
        while !names.insert(name.clone()) {
            name = format!("{base} ({k})");
            k += 1;
        }
        let id = g.rng.id();
        let cat = Category::parse(cat).unwrap_or(Category::Other);
        org_record(&mut g, id, &name, cat, &p)?;
        orgs.push(Org { id, category: cat, g: p.g });
    }
    sum.organisations = orgs.len();
    let orgs_in: Vec<Vec<usize>> = (0..GMINY.len())
        .map(|gi| orgs.iter().enumerate().filter(|(_, o)| o.g == Some(gi)).map(|(i, _)| i).collect())
        .collect();

    // People. A few fixed ones first, so the README's examples work on any demo.
    let fixed_people: &[(&str, &str, Option<usize>, &str, usize)] = &[
        ("Anna", "Kowalska", Some(1), "pracownik socjalny", 0),
        ("Jan", "Nowak", None, "sołtys", 0),
        ("Grażyna", "Żółcińska", Some(7), "przewodnicząca", 0),
        ("Barbara", "Sadowska", Some(11), "koordynatorka", 99),
        ("Tomasz", "Sadowski", Some(11), "trener", 99),
        ("Łucja", "Kowalska", None, "", 1),
    ];
    let mut people: Vec<(Id, Option<usize>)> = Vec::new();
    for (given, family, org, role, gi) in fixed_people {
        let p = if *gi < GMINY.len() {
            let place = if *gi == 0 { "Ługi" } else { GMINY[*gi].1[0] };
            Place { gmina: GMINY[*gi].0, place, g: Some(*gi) }
        } else {
            Place { gmina: "Łódź", place: "Łódź", g: None }
        };
        let org = org.filter(|o| *o < orgs.len());
        let id = g.rng.id();
        person_record(&mut g, id, &format!("{given} {family}"), org.map(|o| (&orgs[o], *role)), &p)?;
        people.push((id, p.g));
    }
    while people.len() < n_people {
        let female = g.rng.chance(0.55);
        let given = if female { *g.rng.pick(FEMALE) } else { *g.rng.pick(MALE) };
        let fam = *g.rng.pick(FAMILY);
        let family = if female { feminine(fam) } else { fam.to_string() };
        let p = g.place();
        let org = match p.g {
            Some(gi) if g.rng.chance(0.55) && !orgs_in[gi].is_empty() => {
                Some(orgs_in[gi][g.rng.below(orgs_in[gi].len())])
            }
            None if g.rng.chance(0.3) && orgs.len() >= FIXED_ORGS.len() => Some(FIXED_ORGS.len() - 1),
            _ => None,
        };
        let role = *g.rng.pick(ROLES);
        let id = g.rng.id();
        person_record(&mut g, id, &format!("{given} {family}"), org.map(|o| (&orgs[o], role)), &p)?;
        people.push((id, p.g));
    }
    sum.people = people.len();
    let people_in: Vec<Vec<Id>> = (0..GMINY.len())
        .map(|gi| people.iter().filter(|(_, pg)| *pg == Some(gi)).map(|(id, _)| *id).collect())
        .collect();

    // Partnerships (made before meetings so workshops can belong to them).
    let mut partnerships: Vec<(Id, Vec<Id>)> = Vec::new();
    let core: Vec<Id> = orgs.iter().take(7).map(|o| o.id).collect();
    let six_tasks = "Sześć kluczowych zadań:\n1. Centrum Ekonomii Solidarnej z Ośrodkiem Wsparcia Ekonomii Społecznej\n2. Fundusz pożyczkowy i poręczeniowy dla PES\n3. Centrum Integracji Społecznej w Dobiegniewie\n4. Spółdzielnie socjalne z udziałem osób wykluczonych\n5. Szkolenia i wizyty studyjne dla partnerów\n6. Promocja marki ekonomii społecznej w powiecie";
    let plans: Vec<(String, Vec<Id>, &str, &str, &str)> = vec![
        (
            "Partnerstwo na rzecz Ekonomii Społecznej Powiatu Strzelecko-Drezdeneckiego".into(),
            core.clone(),
            "2010-12-15",
            "active",
            six_tasks,
        ),
        (
            "Koalicja na rzecz Seniorów Gminy Drezdenko".into(),
            pick_orgs(&mut g.rng, &orgs, &orgs_in[2], 5),
            "2024-03-12",
            "active",
            "Klub seniora w każdym sołectwie; wolontariat międzypokoleniowy; transport na zajęcia.",
        ),
        (
            "Partnerstwo Lokalne Stare Kurowo – Zwierzyn".into(),
            {
                let mut v = pick_orgs(&mut g.rng, &orgs, &orgs_in[3], 3);
                v.extend(pick_orgs(&mut g.rng, &orgs, &orgs_in[4], 3));
                v
            },
            "2025-02-20",
            "forming",
            "Wspólny produkt turystyczny nad Notecią; inkubator dla grup nieformalnych.",
        ),
        (
            "Sieć Kół Gospodyń Wiejskich Powiatu".into(),
            orgs.iter().filter(|o| o.category == Category::Informal).take(8).map(|o| o.id).collect(),
            "2023-06-01",
            "active",
            "Wymiana przepisów, wspólne stoisko na targach, szkolenia z rękodzieła.",
        ),
    ];
    for (name, members, started, status, goals) in plans {
        let members: Vec<Id> = members.into_iter().collect::<Vec<_>>();
        if members.is_empty() {
            continue;
        }
        let id = g.rng.id();
        let mut ch = vec![
            Change::set("name", name),
            Change::set("leader", members[0].to_string()),
            Change::set("started", started),
            Change::set("status", status),
            Change::write("goals", goals),
        ];
        let start = NaiveDate::parse_from_str(started, "%Y-%m-%d").unwrap_or(anchor);
        for (i, m) in members.iter().enumerate() {
            ch.push(Change::add("members", m.to_string()));
            ch.push(Change::set(&format!("role:{m}"), if i == 0 { "lider" } else { "partner" }));
            let joined = start + Duration::days(if i < 3 { 0 } else { g.rng.range(0, 400) as i64 });
            ch.push(Change::set(&format!("joined:{m}"), joined.to_string()));
        }
        g.push(Entity::Partnership, id, ch)?;
        partnerships.push((id, members));
        sum.partnerships += 1;
    }

    // Meetings and follow-ups.
    let weights: &[(MeetingType, usize)] = &[
        (MeetingType::Individual, 30),
        (MeetingType::Group, 22),
        (MeetingType::Diagnosis, 8),
        (MeetingType::Workshop, 8),
        (MeetingType::StudyVisit, 3),
        (MeetingType::Consultation, 6),
        (MeetingType::Training, 8),
        (MeetingType::Advice, 7),
        (MeetingType::Neighbourhood, 5),
        (MeetingType::Forum, 2),
        (MeetingType::Other, 1),
    ];
    let wsum: usize = weights.iter().map(|w| w.1).sum();
    let mut meetings: Vec<(Id, usize, NaiveDate)> = Vec::new();
    for i in 0..n_meetings {
        // The first eleven cover every type, so a small demo shows them all.
        let kind = if i < weights.len() {
            weights[i].0
        } else {
            let mut r = g.rng.below(wsum);
            let mut k = MeetingType::Other;
            for (t, w) in weights {
                if r < *w {
                    k = *t;
                    break;
                }
                r -= w;
            }
            k
        };
        let gi = g.rng.below(GMINY.len());
        let p = g.place_in(gi);
        let date =
            anchor - Duration::days(g.rng.range(0, 720) as i64) + Duration::days(if i % 25 == 0 { 10 } else { 0 });
        let (lo, hi, hours): (usize, usize, f64) = match kind {
            MeetingType::Individual | MeetingType::Advice => (1, 2, [1.0, 1.5, 2.0][g.rng.below(3)]),
            MeetingType::Group | MeetingType::Consultation => (3, 12, [2.0, 2.5, 3.0][g.rng.below(3)]),
            MeetingType::Training | MeetingType::Workshop => (6, 16, [4.0, 6.0, 8.0][g.rng.below(3)]),
            MeetingType::StudyVisit => (8, 20, 8.0),
            MeetingType::Forum => (15, 30, 5.0),
            _ => (3, 10, 3.0),
        };
        let id = g.rng.id();
        let mut ch = vec![
            Change::set("type", kind.code()),
            Change::set("date", date.to_string()),
            Change::set("time", format!("{:02}:{}", g.rng.range(8, 17), ["00", "30"][g.rng.below(2)])),
            Change::set("hours", hours),
        ];
        located(&mut ch, &p);
        if g.rng.chance(0.4) || kind == MeetingType::Forum {
            let title = match kind {
                MeetingType::Forum => "Forum Ekonomii Społecznej Powiatu".to_string(),
                MeetingType::StudyVisit => format!("Wizyta studyjna – {}", p.place),
                MeetingType::Diagnosis => format!("Diagnoza zasobów – {}", p.place),
                MeetingType::Consultation => format!("Konsultacje programu współpracy – {}", p.gmina),
                _ => format!("{} – {}", kind.label(crate::i18n::Lang::Pl), p.place),
            };
            ch.push(Change::set("title", title));
        }
        let mut who: Vec<Id> = Vec::new();
        let count = g.rng.range(lo, hi);
        for _ in 0..count * 2 {
            if who.len() >= count {
                break;
            }
            let pool = &people_in[gi];
            let a = if !pool.is_empty() && g.rng.chance(0.85) {
                pool[g.rng.below(pool.len())]
            } else {
                people[g.rng.below(people.len())].0
            };
            if !who.contains(&a) {
                who.push(a);
            }
        }
        if kind == MeetingType::Workshop && !partnerships.is_empty() {
            let (pid, members) = &partnerships[g.rng.below(partnerships.len())];
            ch.push(Change::set("partnership", pid.to_string()));
            who.extend(members.iter().take(4).copied());
        }
        for a in &who {
            ch.push(Change::add("attendees", a.to_string()));
        }
        if g.rng.chance(0.8) {
            ch.push(Change::write("note", *g.rng.pick(NOTES)));
        }
        g.push(Entity::Meeting, id, ch)?;
        for _ in 0..g.rng.range(0, 2) {
            let fid = g.rng.id();
            let due = date + Duration::days(g.rng.range(3, 21) as i64);
            let done = due < anchor - Duration::days(7) && g.rng.chance(0.75);
            let mut fc = vec![
                Change::set("meeting", id.to_string()),
                Change::set("text", *g.rng.pick(FOLLOWUPS)),
                Change::set("due", due.to_string()),
                Change::set("done", done),
            ];
            if let Some(o) = who.first() {
                fc.push(Change::set("owner", o.to_string()));
            }
            g.push(Entity::FollowUp, fid, fc)?;
            sum.followups += 1;
        }
        meetings.push((id, gi, date));
        sum.meetings += 1;
    }

    // The resource map and needs, village by village.
    for (gi, (gmina, places, lat, lon)) in GMINY.iter().enumerate() {
        for (pi, place) in places.iter().enumerate() {
            let plat = lat + (pi as f64 * 0.013) - 0.03;
            let plon = lon + ((pi * 7 % 5) as f64 * 0.017) - 0.04;
            let mut village_resources: Vec<(Id, &str)> = Vec::new();
            let k = g.rng.range(3, 6);
            let start = g.rng.below(RESOURCES.len());
            for j in 0..k {
                let (cat, name, desc, tags) = RESOURCES[(start + j * 5) % RESOURCES.len()];
                let id = g.rng.id();
                let mut ch = vec![
                    Change::set("category", cat),
                    Change::set("name", name.replace("{place}", place)),
                    Change::write("description", desc),
                    Change::set("gmina", *gmina),
                    Change::set("place", *place),
                    Change::set("lat", ((plat + g.rng.below(100) as f64 * 0.0001) * 1e4).round() / 1e4),
                    Change::set("lon", ((plon + g.rng.below(100) as f64 * 0.0001) * 1e4).round() / 1e4),
                ];
                for t in tags.split(',') {
                    ch.push(Change::add("tags", t));
                }
                if !people_in[gi].is_empty() && g.rng.chance(0.6) {
                    ch.push(Change::set("contact", people_in[gi][g.rng.below(people_in[gi].len())].to_string()));
                }
                g.push(Entity::Resource, id, ch)?;
                village_resources.push((id, cat));
                sum.resources += 1;
            }
            let diag = meetings.iter().find(|(_, mg, _)| *mg == gi).map(|m| m.0);
            for j in 0..g.rng.range(1, 3) {
                let (cat, desc) = NEEDS[(pi + j * 2) % NEEDS.len()];
                let id = g.rng.id();
                let answered = village_resources.iter().find(|(_, c)| *c == cat).map(|r| r.0);
                let status = match (answered, g.rng.below(3)) {
                    (Some(_), 0) => "answered",
                    (Some(_), _) => "in-progress",
                    (None, _) => "open",
                };
                let mut ch = vec![
                    Change::write("description", desc.replace("{place}", place)),
                    Change::set("category", cat),
                    Change::set("gmina", *gmina),
                    Change::set("place", *place),
                    Change::set("status", status),
                ];
                if let Some(r) = answered.filter(|_| status != "open") {
                    ch.push(Change::add("resources", r.to_string()));
                }
                if let Some(m) = diag {
                    ch.push(Change::set("meeting", m.to_string()));
                }
                g.push(Entity::Need, id, ch)?;
                sum.needs += 1;
            }
        }
    }

    // Relations between organisations of one gmina, and funding from the gmina.
    for _ in 0..(n_orgs / 2).max(6) {
        let gi = g.rng.below(GMINY.len());
        let pool = &orgs_in[gi];
        if pool.len() < 2 {
            continue;
        }
        let a = pool[g.rng.below(pool.len())];
        let b = pool[g.rng.below(pool.len())];
        if a == b {
            continue;
        }
        let kind = if orgs[a].category == Category::Jst && g.rng.chance(0.5) { "funds" } else { "cooperates" };
        let id = g.rng.id();
        let since = anchor - Duration::days(g.rng.range(30, 1500) as i64);
        g.push(
            Entity::Relation,
            id,
            vec![
                Change::set("from", orgs[a].id.to_string()),
                Change::set("to", orgs[b].id.to_string()),
                Change::set("type", kind),
                Change::set("since", since.to_string()),
            ],
        )?;
        sum.relations += 1;
    }
    project_record(&mut g, seed)?;
    plans::records(&mut g, seed, anchor, &orgs, &meetings, partnerships.first().map(|p| p.0))?;
    g.total = g.written + g.drafts.len();
    g.flush()?;
    Ok(sum)
}

/// The project the demo reports on (seed 003, "Aktywni Mieszkańcy Mają Swoje
/// Miejsce"), dated to cover most demo meetings, with its kind of targets. Its id comes
/// from its own generator so that the other records stay as they were.
fn project_record(g: &mut Gen<'_>, seed: u64) -> Result<()> {
    let id = Rng(seed ^ 0x7072_6f6a_6563_7400).id();
    let mut ch = vec![
        Change::set("name", "MAM – Mobilni Animatorzy"),
        Change::set("from", "2025-01-01"),
        Change::set("to", "2026-12-31"),
        Change::write(
            "note",
            "Urzędnicy i samorządowcy w spotkaniach sieciujących i wizytach studyjnych, animatorzy z NGO \
             i instytucji w szkoleniach, mieszkańcy w akcjach sąsiedzkich, forum regionalne animatorów.",
        ),
    ];
    for (key, n) in [
        ("participants", 200.0),
        ("person", 100.0),
        ("jst", 30.0),
        ("pes", 10.0),
        ("ngo", 10.0),
        ("welfare", 10.0),
        ("meetings", 100.0),
        ("study-visit", 2.0),
        ("training", 8.0),
        ("neighbourhood", 4.0),
        ("forum", 1.0),
        ("hours", 400.0),
        ("organisations", 40.0),
        ("partnerships", 2.0),
        ("needs-answered", 10.0),
    ] {
        ch.push(Change::set(&format!("target:{key}"), n));
    }
    g.push(Entity::Project, id, ch)
}

/// Consents and retention of a demo person, from a generator of their own (seeded by
/// their id) so that adding them changed no other record: most gave the participant's
/// declaration, fewer agreed to photos or the newsletter; records of an older project
/// were due for erasure in mid-2026, the rest are kept to the end of 2031.
fn consents(id: Id, ch: &mut Vec<Change>) {
    let b = id.as_bytes();
    let mut r = Rng(u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) ^ 0x636f_6e73_656e_7400);
    let anchor = anchor();
    let given = anchor - Duration::days(r.range(20, 700) as i64);
    if r.chance(0.8) {
        ch.push(Change::set("consent_data", given.to_string()));
        if r.chance(0.5) {
            ch.push(Change::set("consent_photos", given.to_string()));
        }
        if r.chance(0.3) {
            ch.push(Change::set("consent_newsletter", given.to_string()));
        }
    }
    let retention = if r.chance(0.05) { "2026-06-30" } else { "2031-12-31" };
    if r.chance(0.9) {
        ch.push(Change::set("retention", retention));
    }
}

fn pick_orgs(rng: &mut Rng, orgs: &[Org], pool: &[usize], k: usize) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::new();
    for _ in 0..k * 3 {
        if out.len() >= k || pool.is_empty() {
            break;
        }
        let o = orgs[pool[rng.below(pool.len())]].id;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    out
}

fn org_record(g: &mut Gen<'_>, id: Id, name: &str, cat: Category, p: &Place) -> Result<()> {
    let mut ch =
        vec![Change::set("kind", Kind::Org.code()), Change::set("name", name), Change::set("category", cat.code())];
    located(&mut ch, p);
    if g.rng.chance(0.8) {
        ch.push(Change::set("phone", phone(&mut g.rng)));
    }
    if g.rng.chance(0.6) {
        let domain: String = fold(p.place).chars().filter(char::is_ascii_alphanumeric).collect();
        ch.push(Change::set("email", format!("biuro@{}.{domain}.pl", cat.code())));
    }
    g.push(Entity::Participant, id, ch)
}

fn person_record(g: &mut Gen<'_>, id: Id, name: &str, org: Option<(&Org, &str)>, p: &Place) -> Result<()> {
    let cat = org.map_or(Category::Person, |(o, _)| match o.category {
        Category::Informal | Category::Other => Category::Person,
        c => c,
    });
    let mut ch =
        vec![Change::set("kind", Kind::Person.code()), Change::set("name", name), Change::set("category", cat.code())];
    located(&mut ch, p);
    if let Some((o, role)) = org {
        ch.push(Change::add("memberships", o.id.to_string()));
        if !role.is_empty() {
            ch.push(Change::set(&format!("role:{}", o.id), role));
        }
    }
    if g.rng.chance(0.7) {
        ch.push(Change::set("phone", phone(&mut g.rng)));
    }
    if g.rng.chance(0.4) {
        let local: String =
            fold(name).replace(' ', ".").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
        ch.push(Change::set(
            "email",
            format!("{local}@{}", g.rng.pick(&["wp.pl", "onet.pl", "gmail.com", "o2.pl", "interia.pl"])),
        ));
    }
    if g.rng.chance(0.15) {
        ch.push(Change::add(
            "tags",
            *g.rng.pick(&["lider", "wolontariusz", "senior", "młodzież", "rękodzieło", "rada sołecka"]),
        ));
    }
    consents(id, &mut ch);
    if g.rng.chance(0.08) {
        ch.push(Change::write(
            "note",
            *g.rng.pick(&[
                "Chętnie pomaga przy festynach; dzwonić po 16.",
                "Zainteresowana założeniem spółdzielni socjalnej.",
                "Prosi o kontakt mailowy, rzadko odbiera telefon.",
                "Zna wszystkich w sołectwie — dobry punkt wejścia.",
            ]),
        ));
    }
    g.push(Entity::Participant, id, ch)
}

fn phone(rng: &mut Rng) -> String {
    let first = [5, 6, 7, 8][rng.below(4)];
    format!("+48 {first}{:02} {:03} {:03}", rng.below(100), rng.below(1000), rng.below(1000))
}
