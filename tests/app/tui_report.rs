#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The report pane (6), the erase guard in pane 1, and support hours in
//! `teren report` (issue 9), on a hand-made project.

use crate::support::app::Fixture;
use crate::support::cli;
use crossterm::event::KeyCode;
use teren::edit;
use teren::i18n::Lang;
use teren::model::{Entity, Id, Participant};
use teren::store::Store;

fn s(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

struct Data {
    jan: Id,
    piotr: Id,
}

/// Project MAM (first half of 2024) with targets; three meetings in it and one after.
/// Support hours in MAM: Anna 3 + 2, Jan 3, GOPS 3, Piotr 1.5 + 2 = 14.5 participant
/// hours (persons 11.5, welfare 3); Ewa's meeting is outside the period.
fn hand_made(store: &Store) -> Data {
    let p = |v: &[(&str, &str)]| edit::create(store, Entity::Participant, &s(v)).unwrap();
    let anna = p(&[
        ("name", "Anna Kowalska"),
        ("category", "person"),
        ("gmina", "Dobiegniew"),
        ("consent_data", "2024-01-10"),
    ]);
    let jan = p(&[("name", "Jan Nowak"), ("category", "person")]);
    let piotr = p(&[("name", "Piotr Zając"), ("category", "person"), ("gmina", "Osiek")]);
    let gops = p(&[("name", "GOPS Dobiegniew"), ("kind", "org"), ("category", "welfare"), ("gmina", "Dobiegniew")]);
    let ewa = p(&[("name", "Ewa Bąk"), ("category", "pes"), ("gmina", "Osiek"), ("consent_data", "2024-01-10")]);
    let m = |date: &str, kind: &str, hours: &str, who: &[Id]| {
        let ids: Vec<String> = who.iter().map(Id::to_string).collect();
        edit::create(
            store,
            Entity::Meeting,
            &s(&[("type", kind), ("date", date), ("hours", hours), ("attendees", &ids.join(","))]),
        )
        .unwrap();
    };
    m("2024-02-01", "group", "3", &[anna, jan, gops]);
    m("2024-03-05", "advice", "1.5", &[piotr]);
    m("2024-04-10", "group", "2", &[anna, piotr]);
    m("2024-08-01", "group", "4", &[ewa]);
    edit::create(
        store,
        Entity::Project,
        &s(&[
            ("name", "MAM"),
            ("from", "2024-01-01"),
            ("to", "2024-06-30"),
            ("targets", "participants=5,meetings=4,hours=5,person=2,welfare=2"),
        ]),
    )
    .unwrap();
    Data { jan, piotr }
}

fn fixture() -> (Fixture, Data) {
    let mut data = None;
    let f = Fixture::build(Lang::Pl, |store| data = Some(hand_made(store)));
    (f, data.unwrap())
}

#[test]
fn report_pane_shows_targets_support_hours_and_what_records_lack() {
    let (mut f, d) = fixture();
    f.ch('6');
    assert_eq!(f.pane(), 5);
    let s = f.screen(80, 24);
    assert!(s.contains("raport: MAM (2024-01-01 – 2024-06-30)"), "{s}");
    assert!(s.contains("[###############.....]  75%"), "meetings 3 of 4: {s}");
    assert!(s.contains("Godziny wsparcia uczestników: 14.5 (4 os.)"), "{s}");
    assert!(s.contains("Do uzupełnienia: 2 / 4"), "{s}");
    insta::assert_snapshot!("report_pane", s);

    // The second incomplete record, Enter: pane 1 with that participant selected.
    f.code(KeyCode::Down);
    f.code(KeyCode::Enter);
    assert_eq!(f.pane(), 0);
    assert_eq!(f.selected(), Some(d.piotr));
}

#[test]
fn p_cycles_from_the_project_to_all_records() {
    let (mut f, _) = fixture();
    f.ch('6');
    f.ch('p');
    let s = f.screen(80, 24);
    assert!(s.contains("raport: wszystkie dane (bez projektu)"), "{s}");
    // All time: four meetings, Ewa's included; no targets, so no bars.
    assert!(s.lines().any(|l| l.starts_with("│spotkania ") && l.contains(" 4 ")), "{s}");
    assert!(!s.contains('%'), "{s}");
    f.ch('p');
    assert!(f.screen(80, 24).contains("raport: MAM"));
}

#[test]
fn the_report_follows_a_change_to_the_data() {
    let (mut f, d) = fixture();
    f.ch('6');
    edit::update(&f.store, Entity::Participant, d.jan, &s(&[("gmina", "Dobiegniew"), ("consent_data", "2024-02-01")]))
        .unwrap();
    // What the loop does when the data changes under the app (a sync, another window).
    f.app.reload();
    f.run_jobs();
    let s = f.screen(80, 24);
    assert!(s.contains("Do uzupełnienia: 1 / 4"), "{s}");
}

#[test]
fn erase_guard_refuses_a_wrong_name_and_erases_on_the_right_one() {
    let (mut f, d) = fixture();
    assert!(f.select(d.jan));
    f.ch('X');
    assert_eq!(f.popup(), Some("erase"), "X opens the erase guard");
    f.typ("Nowak");
    let s = f.screen(80, 24);
    assert!(s.contains("Tego nie da się cofnąć."), "{s}");
    insta::assert_snapshot!("erase_guard", s);
    f.code(KeyCode::Enter);
    assert_eq!(f.status().as_deref(), Some("nazwa się nie zgadza: nic nie usunięto"));
    assert_eq!(f.popup(), Some("erase"));
    let doc = f.store.doc(Entity::Participant, d.jan).unwrap().unwrap();
    assert!(!doc.erased);
    assert!(f.store.audit_log().unwrap().is_empty());

    for _ in 0.."Nowak".len() {
        f.code(KeyCode::Backspace);
    }
    f.typ("jan");
    f.code(KeyCode::Enter);
    assert_eq!(f.popup(), None);
    assert_eq!(f.status().as_deref(), Some("dane osobowe usunięte (zapisane w dzienniku audytu)"));
    let doc = f.store.doc(Entity::Participant, d.jan).unwrap().unwrap();
    assert!(doc.erased);
    let p = Participant::from_doc(d.jan, &doc);
    assert_ne!(p.name, "Jan Nowak");
    assert_eq!(p.category.code(), "person", "category stays for the reports");
    let log = f.store.audit_log().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].action.as_str(), log[0].records), ("erase", 1));
    assert!(!log[0].detail.contains("Nowak"), "the audit log holds no personal data");
    assert!(!f.live_names().iter().any(|n| n == "Jan Nowak"));
}

#[test]
fn esc_leaves_the_erase_guard_without_erasing() {
    let (mut f, d) = fixture();
    assert!(f.select(d.jan));
    f.ch('X');
    f.typ("Jan");
    f.code(KeyCode::Esc);
    assert_eq!(f.popup(), None);
    assert!(!f.store.doc(Entity::Participant, d.jan).unwrap().unwrap().erased);
}

#[test]
fn report_json_and_text_carry_support_hours_per_category() {
    let db = cli::Db::new();
    {
        let store = Store::open(db.path()).unwrap();
        hand_made(&store);
    }
    let j = db.json(&["report", "--json"]);
    let sh = &j["support_hours"];
    assert_eq!(sh["participant_hours"], 14.5, "{j}");
    assert_eq!(sh["participants"], 4, "{j}");
    assert_eq!(sh["by_category"]["person"], 11.5, "{j}");
    assert_eq!(sh["by_category"]["welfare"], 3, "{j}");
    assert!(sh["by_category"].get("pes").is_none(), "Ewa's meeting is outside MAM: {j}");
    assert_eq!(j["hours"]["by_category"]["person"], 11.5, "{j}");
    let text = db.ok(&["report"]);
    assert!(text.contains("Godziny wsparcia uczestników: 14.5 (4 osób i organizacji)"), "{text}");
    let en = db.ok(&["--lang", "en", "report"]);
    assert!(en.contains("Participant support hours: 14.5 (4 people and organisations)"), "{en}");
}
