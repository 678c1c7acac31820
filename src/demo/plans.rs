//! The demo's support paths and action plans (issue 11): the Dobiegniew office on the
//! path since the recruitment form, with an adopted plan of two goals and six tasks
//! (two overdue at the anchor date); a second municipality just recruited; and the
//! Dobiegniew partnership's plan with the six key tasks of seed 004. Ids come from a
//! generator of their own, so the rest of the demo stays as it was.

use super::{Gen, Org, Rng};
use crate::model::{Category, Entity, Id};
use crate::store::Result;
use crate::sync::Change;
use chrono::{Duration, NaiveDate};

/// The name a demo record was given (its drafts are not written yet).
fn draft_name(g: &Gen<'_>, id: Id) -> Option<String> {
    g.drafts.iter().filter(|d| d.record == id).flat_map(|d| &d.changes).find_map(|c| match c {
        Change::Set { field, value } if field == "name" => value.as_str().map(str::to_string),
        _ => None,
    })
}

fn ymd(y: i32, m: u32, d: u32) -> String {
    NaiveDate::from_ymd_opt(y, m, d).map(|d| d.to_string()).unwrap_or_default()
}

struct TaskSpec<'a> {
    name: &'a str,
    owner: Option<Id>,
    due: String,
    status: &'a str,
    done_on: Option<String>,
    notes: Option<&'a str>,
    meeting: Option<Id>,
}

fn task(g: &mut Gen<'_>, rng: &mut Rng, goal: Id, order: i64, t: TaskSpec<'_>) -> Result<()> {
    let mut ch = vec![
        Change::set("goal", goal.to_string()),
        Change::set("name", t.name),
        Change::set("due", t.due),
        Change::set("status", t.status),
        Change::set("order", crate::sync::Value::Int(order)),
    ];
    if let Some(o) = t.owner {
        ch.push(Change::set("owner", o.to_string()));
    }
    if let Some(d) = t.done_on {
        ch.push(Change::set("done_on", d));
    }
    if let Some(n) = t.notes {
        ch.push(Change::write("notes", n));
    }
    if let Some(m) = t.meeting {
        ch.push(Change::add("meetings", m.to_string()));
    }
    g.push(Entity::Task, rng.id(), ch)
}

fn goal(g: &mut Gen<'_>, rng: &mut Rng, plan: Id, order: i64, name: &str) -> Result<Id> {
    let id = rng.id();
    g.push(
        Entity::Goal,
        id,
        vec![
            Change::set("plan", plan.to_string()),
            Change::set("name", name),
            Change::set("order", crate::sync::Value::Int(order)),
        ],
    )?;
    Ok(id)
}

/// `orgs` in demo order (the fixed ones first), `meetings` as `(id, gmina index, date)`,
/// `partnership` the Dobiegniew partnership of seed 004 when the demo made it.
pub(super) fn records(
    g: &mut Gen<'_>,
    seed: u64,
    anchor: NaiveDate,
    orgs: &[Org],
    meetings: &[(Id, usize, NaiveDate)],
    partnership: Option<Id>,
) -> Result<()> {
    let mut rng = Rng(seed ^ 0x706c_616e_7300_0000);
    let day = |n: i64| (anchor + Duration::days(n)).to_string();
    // The municipalities: the Dobiegniew office (fixed), and the office of another gmina.
    let jst: Vec<(usize, &Org)> = orgs.iter().enumerate().filter(|(_, o)| o.category == Category::Jst).collect();
    let Some(&(_, dobiegniew)) = jst.iter().find(|(_, o)| o.g == Some(0)) else { return Ok(()) };
    let second = jst
        .iter()
        .filter(|(_, o)| o.g.is_some_and(|x| x != 0))
        .find(|(_, o)| draft_name(g, o.id).is_some_and(|n| n.starts_with("Urząd")))
        .or_else(|| jst.iter().find(|(_, o)| o.g.is_some_and(|x| x != 0)))
        .map(|(_, o)| o.id);
    let owner = |i: usize| orgs.get(i).map(|o| o.id);
    let meeting_in = |gi: usize, before: NaiveDate| {
        meetings.iter().filter(|(_, mg, d)| *mg == gi && *d <= before).max_by_key(|m| m.2).map(|m| m.0)
    };

    // Dobiegniew: the whole path up to implementation, with its documents.
    let path = rng.id();
    let mut ch = vec![
        Change::set("jst", dobiegniew.id.to_string()),
        Change::set("animator", "Marta Wiśniewska"),
        Change::set("form_received", day(-300)),
        Change::set("form_received_doc", "formularz_rekrutacyjny_Dobiegniew.pdf"),
        Change::set("recruitment_meeting", day(-280)),
        Change::set("contract", day(-250)),
        Change::set("contract_doc", "umowy/umowa_uczestnictwa_Dobiegniew.pdf"),
        Change::set("diagnosis", day(-200)),
        Change::set("diagnosis_doc", "diagnoza_Model_Wspolpracy_Dobiegniew.docx"),
        Change::set("plan_adopted", day(-150)),
        Change::set("plan_adopted_doc", "Plan_Dzialania_Dobiegniew.docx"),
        Change::set("implementation", day(-140)),
    ];
    for (field, forms) in [
        ("forms_jst", &["model-diagnosis", "annual-programme", "regranting", "seniors-council"][..]),
        ("forms_ngo", &["consultations", "trainings"]),
        ("forms_residents", &["resource-map", "microgrants"]),
    ] {
        ch.extend(forms.iter().map(|f| Change::add(field, *f)));
    }
    g.push(Entity::SupportPath, path, ch)?;

    let plan = rng.id();
    let mut ch = vec![
        Change::set("name", "Plan Działania Gminy Dobiegniew"),
        Change::set("jst", dobiegniew.id.to_string()),
        Change::set("adopted", day(-150)),
    ];
    if let Some(m) = meeting_in(0, anchor - Duration::days(150)) {
        ch.push(Change::set("meeting", m.to_string()));
    }
    g.push(Entity::Plan, plan, ch)?;
    let g1 = goal(g, &mut rng, plan, 1, "Lepsza współpraca urzędu z organizacjami")?;
    let g2 = goal(g, &mut rng, plan, 2, "Aktywni mieszkańcy sołectw")?;
    let recent = meeting_in(0, anchor);
    let spec = |name, owner, due, status, done_on, notes, meeting| TaskSpec {
        name,
        owner,
        due,
        status,
        done_on,
        notes,
        meeting,
    };
    let tasks = [
        (
            g1,
            spec(
                "Konsultacje rocznego programu współpracy",
                Some(dobiegniew.id),
                day(-120),
                "done",
                Some(day(-125)),
                None,
                meeting_in(0, anchor - Duration::days(120)),
            ),
        ),
        (
            g1,
            spec(
                "Powołanie Rady Działalności Pożytku Publicznego",
                Some(dobiegniew.id),
                day(-30),
                "todo",
                None,
                None,
                recent,
            ),
        ),
        (
            g1,
            spec(
                "Regulamin regrantingu dla małych organizacji",
                owner(0),
                day(400),
                "in-progress",
                None,
                Some("Wzór regulaminu z Gorzowa; do uzgodnienia ze skarbnikiem."),
                None,
            ),
        ),
        (g2, spec("Mapa zasobów w pięciu sołectwach", owner(7), day(-60), "done", Some(day(-50)), None, None)),
        (
            g2,
            spec("Nabór mikrograntów dla grup nieformalnych", Some(dobiegniew.id), day(-10), "todo", None, None, None),
        ),
        (g2, spec("Rada Seniorów: pierwsze posiedzenie", owner(1), day(420), "todo", None, None, None)),
    ];
    let mut order = [0i64; 2];
    for (goal_id, t) in tasks {
        let k = usize::from(goal_id == g2);
        order[k] += 1;
        task(g, &mut rng, goal_id, order[k], t)?;
    }

    // A second gmina: recruited, not yet under contract.
    if let Some(j) = second {
        g.push(
            Entity::SupportPath,
            rng.id(),
            vec![
                Change::set("jst", j.to_string()),
                Change::set("animator", "Paweł Zieliński"),
                Change::set("form_received", day(-40)),
                Change::set("form_received_doc", "formularz_rekrutacyjny.pdf"),
                Change::set("recruitment_meeting", day(-20)),
            ],
        )?;
    }

    // Seed 004: the partnership's plan of the project 1.19, its six key tasks.
    if let Some(p) = partnership {
        let plan = rng.id();
        g.push(
            Entity::Plan,
            plan,
            vec![
                Change::set("name", "Zintegrowany System Wsparcia Ekonomii Społecznej — 6 kluczowych zadań"),
                Change::set("partnership", p.to_string()),
                Change::set("adopted", ymd(2011, 1, 14)),
            ],
        )?;
        let goal_id = goal(g, &mut rng, plan, 1, "Centrum Ekonomii Solidarnej w Dobiegniewie")?;
        let six = [
            ("Analiza sytuacji ekonomii społecznej", ymd(2011, 6, 30), ymd(2011, 6, 20)),
            ("Infrastruktura wsparcia dla podmiotów ekonomii społecznej", ymd(2012, 6, 30), ymd(2012, 9, 1)),
            ("Programy edukacji i kształcenia w ekonomii społecznej", ymd(2012, 12, 31), ymd(2012, 11, 30)),
            ("Pozytywny wizerunek marki ekonomii społecznej", ymd(2013, 6, 30), ymd(2013, 6, 28)),
            ("Promocja sektora ekonomii społecznej", ymd(2013, 9, 30), ymd(2013, 9, 15)),
            ("Standaryzacja tworzenia i funkcjonowania PES", ymd(2013, 12, 31), ymd(2013, 12, 20)),
        ];
        for (i, (name, due, done)) in six.into_iter().enumerate() {
            let t = TaskSpec {
                name,
                owner: owner(0),
                due,
                status: "done",
                done_on: Some(done),
                notes: None,
                meeting: None,
            };
            task(g, &mut rng, goal_id, i as i64 + 1, t)?;
        }
    }
    Ok(())
}
