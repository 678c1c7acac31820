#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Pane 5, action plans, on the demo database in a temp dir, driven by keys and drawn
//! at 80×24: the tree of plans, goals and tasks; tick and reorder by keys; filters;
//! a new task through the form; the plan written as Markdown; a municipality's path in
//! its participant detail; overdue tasks on the status line.

use crate::support::app::{Fixture, fixture};
use crossterm::event::KeyCode;
use teren::i18n::Lang;
use teren::model::{Entity, Task, TaskStatus};
use teren::plans::Data;

/// The plans pane on the demo data, counted from the demo's own day (the fixture's
/// today).
fn pane(lang: Lang) -> Fixture {
    let mut f = fixture(lang);
    f.ch('5');
    f
}

/// What a participant's detail panel says under `key` ("plan: …"), drawn wide enough
/// for whole lines.
fn detail(f: &mut Fixture, key: &str) -> String {
    let s = f.screen(300, 40);
    let at = s.find(&format!("│{key}: ")).unwrap_or_else(|| panic!("no {key} in the detail:\n{s}"));
    s[at + '│'.len_utf8()..].lines().next().unwrap().trim_end_matches(['│', ' ']).to_string()
}

fn tasks_of_first_goal(f: &Fixture) -> Vec<Task> {
    let d = Data::load(&f.store).unwrap();
    let plan = d.plans.iter().find(|p| p.jst.is_some()).unwrap();
    let tree = d.tree(plan.id).unwrap();
    tree.goals[0].tasks.iter().map(|t| (*t).clone()).collect()
}

fn down(f: &mut Fixture, n: usize) {
    for _ in 0..n {
        f.code(KeyCode::Down);
    }
}

#[test]
fn the_plan_view_shows_goals_tasks_progress_and_overdue() {
    let mut f = pane(Lang::Pl);
    let s = f.screen(80, 24);
    assert!(s.contains("Plan Działania Gminy Dobiegniew"), "{s}");
    assert!(s.contains("[x] Konsultacje rocznego programu"), "{s}");
    assert!(s.contains("po terminie: 2"), "the status line counts overdue tasks: {s}");
    insta::assert_snapshot!("plans_pane", s);
    // On a task: its detail.
    down(&mut f, 3);
    let s = f.screen(80, 24);
    assert!(s.contains("po terminie") && s.contains("Urząd Miejski w Dobiegniewie"), "{s}");
    insta::assert_snapshot!("plans_task_detail", s);
}

#[test]
fn the_plan_view_in_english() {
    let mut f = pane(Lang::En);
    insta::assert_snapshot!("plans_pane_en", f.screen(80, 24));
}

#[test]
fn x_ticks_a_task_and_again_reopens_it() {
    let mut f = pane(Lang::Pl);
    down(&mut f, 3); // plan, goal 1, task 1 (done), task 2 (overdue)
    let t = tasks_of_first_goal(&f)[1].clone();
    assert_eq!(t.status, TaskStatus::Todo);
    f.ch('x');
    let after = tasks_of_first_goal(&f)[1].clone();
    assert_eq!(after.id, t.id);
    assert_eq!(after.status, TaskStatus::Done);
    assert_eq!(after.done_on, Some(teren::demo::anchor()));
    let s = f.screen(80, 24);
    assert!(s.contains("po terminie: 1"), "one overdue left: {s}");
    insta::assert_snapshot!("plans_after_tick", s);
    f.ch('x');
    assert_eq!(tasks_of_first_goal(&f)[1].status, TaskStatus::Todo);
}

#[test]
fn capital_k_and_j_reorder_tasks() {
    let mut f = pane(Lang::Pl);
    let before: Vec<String> = tasks_of_first_goal(&f).into_iter().map(|t| t.name).collect();
    down(&mut f, 4); // the third task of goal 1
    f.ch('K');
    let after: Vec<String> = tasks_of_first_goal(&f).into_iter().map(|t| t.name).collect();
    assert_eq!(after, [before[0].clone(), before[2].clone(), before[1].clone()]);
    // The selection follows the task: K again makes it first, once more says so.
    f.ch('K');
    assert_eq!(tasks_of_first_goal(&f)[0].name, before[2]);
    f.ch('K');
    assert!(f.screen(80, 24).contains("To już pierwsze miejsce."));
    f.ch('J');
    assert_eq!(tasks_of_first_goal(&f)[1].name, before[2]);
}

#[test]
fn filters_by_due_status_and_owner() {
    let mut f = pane(Lang::Pl);
    f.ch('t'); // overdue only
    let s = f.screen(80, 24);
    assert!(s.contains("termin: po terminie"), "{s}");
    assert!(s.contains("Powołanie Rady") && s.contains("Nabór mikrograntów"), "{s}");
    assert!(!s.contains("Konsultacje rocznego"), "{s}");
    insta::assert_snapshot!("plans_filter_overdue", s);
    f.code(KeyCode::Esc);
    f.ch('s'); // status: to do
    let s = f.screen(80, 24);
    assert!(s.contains("status: do zrobienia") && !s.contains("[x]"), "{s}");
    f.code(KeyCode::Esc);
    f.ch('o'); // the first owner by name
    let s = f.screen(80, 24);
    assert!(s.contains("odpowiedzialny: "), "{s}");
    assert!(!s.contains("[x] Analiza sytuacji"), "{s}");
}

#[test]
fn a_adds_a_task_through_the_form_and_e_edits_it() {
    let mut f = pane(Lang::Pl);
    down(&mut f, 1); // goal 1
    f.ch('a');
    assert_eq!(f.popup(), Some("form"));
    f.typ("Spotkanie z radnymi");
    f.code(KeyCode::Tab);
    f.typ("Urząd Miejski w Dobiegniewie");
    f.code(KeyCode::Tab);
    f.typ("2026-12-10");
    insta::assert_snapshot!("plans_task_form", f.screen(80, 24));
    f.ctrl('s');
    assert_eq!(f.popup(), None, "{}", f.screen(80, 24));
    let tasks = tasks_of_first_goal(&f);
    let t = tasks.last().unwrap();
    assert_eq!(t.name, "Spotkanie z radnymi");
    assert_eq!(t.due.unwrap().to_string(), "2026-12-10");
    assert_eq!(t.order, 4);
    // e on the new task (the selection stays on it after the save): change its status.
    let id = t.id;
    for _ in 0..6 {
        f.code(KeyCode::Up);
    }
    down(&mut f, 5); // plan, goal 1, three tasks, the new one
    f.ch('e');
    assert_eq!(f.popup(), Some("form"));
    for _ in 0..3 {
        f.code(KeyCode::Tab);
    }
    for _ in 0.."do zrobienia".chars().count() {
        f.code(KeyCode::Backspace);
    }
    f.typ("w trakcie");
    f.ctrl('s');
    assert_eq!(f.popup(), None, "{}", f.screen(80, 24));
    let edited = tasks_of_first_goal(&f).into_iter().find(|t| t.id == id).unwrap();
    assert_eq!(edited.status, TaskStatus::InProgress);
    assert_eq!(edited.name, "Spotkanie z radnymi");
    // A bad date is shown in the form and nothing is saved.
    down(&mut f, 10);
    f.ch('a');
    f.typ("Zły termin");
    f.code(KeyCode::Tab);
    f.code(KeyCode::Tab);
    f.typ("10.12.2026");
    f.ctrl('s');
    assert_eq!(f.popup(), Some("form"));
    let s = f.screen(80, 24);
    assert!(s.contains("10.12.2026▏  ✗") && s.contains("Popraw zaznaczone pola"), "{s}");
    f.code(KeyCode::Esc);
    assert_eq!(
        f.store.docs(Entity::Task).unwrap().iter().filter(|(_, d)| d.str("name") == Some("Zły termin")).count(),
        0
    );
}

#[test]
fn m_writes_the_plan_as_markdown_beside_the_database() {
    let mut f = pane(Lang::Pl);
    f.ch('m');
    let dir = f.store.path().parent().unwrap().to_path_buf();
    let file = dir.join("plan-plan-dzialania-gminy-dobiegniew.md");
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.starts_with("# Plan Działania: Plan Działania Gminy Dobiegniew\n"), "{md}");
    assert!(md.contains("## 2. Aktywni mieszkańcy sołectw"), "{md}");
    assert!(f.screen(80, 24).contains("Plan zapisany do"));
}

#[test]
fn a_municipality_detail_shows_its_path_and_plan() {
    let mut f = fixture(Lang::Pl);
    f.ch('/');
    f.typ("Urząd Miejski w Dobiegniewie");
    f.code(KeyCode::Enter);
    assert_eq!(f.selected_name(), "Urząd Miejski w Dobiegniewie");
    assert!(detail(&mut f, "ścieżka").starts_with("ścieżka: realizacja ("));
    // Overdue counted from the demo's own day, which the fixture makes the app's.
    assert_eq!(detail(&mut f, "plan"), "plan: Plan Działania Gminy Dobiegniew — 2/6 zrobione, 2 po terminie");
    assert_eq!(detail(&mut f, "animator"), "animator: Marta Wiśniewska");
}

#[test]
fn n_adds_a_plan_and_p_records_the_path_stages() {
    let mut f = pane(Lang::Pl);
    // n on the Dobiegniew plan: the municipality is filled in.
    f.ch('n');
    f.typ("Plan 2027");
    f.ctrl('s');
    assert_eq!(f.popup(), None, "{}", f.screen(80, 24));
    let d = Data::load(&f.store).unwrap();
    let new = d.plans.iter().find(|p| p.name == "Plan 2027").unwrap();
    let old = d.plans.iter().find(|p| p.name == "Plan Działania Gminy Dobiegniew").unwrap();
    assert_eq!(new.jst, old.jst);
    // p: the path form; the last stage with its document.
    f.ch('p');
    insta::assert_snapshot!("plans_path_form", f.screen(80, 24));
    for _ in 0..12 {
        f.code(KeyCode::Tab);
    }
    f.typ("2026-11-30");
    f.code(KeyCode::Tab);
    f.typ("sprawozdanie_koncowe.pdf");
    f.ctrl('s');
    assert_eq!(f.popup(), None, "{}", f.screen(80, 24));
    let d = Data::load(&f.store).unwrap();
    let path = d.path_of(old.jst.unwrap()).unwrap();
    let last = path.current().unwrap();
    assert_eq!(last.stage, teren::model::PathStage::Closed);
    assert_eq!(last.date.to_string(), "2026-11-30");
    assert_eq!(last.document.as_deref(), Some("sprawozdanie_koncowe.pdf"));
    assert_eq!(path.stages.len(), 7, "the other stages are kept");
}

#[test]
fn an_empty_database_says_how_to_start_a_plan() {
    let mut jst = None;
    let mut f = Fixture::build(Lang::Pl, |store| {
        jst = Some(
            teren::edit::create(
                store,
                Entity::Participant,
                &[
                    ("name".into(), "Urząd Gminy Drawno".into()),
                    ("category".into(), "jst".into()),
                    ("kind".into(), "org".into()),
                ],
            )
            .unwrap(),
        );
    });
    assert_eq!(f.popup(), None);
    f.ch('5');
    let s = f.screen(80, 24);
    assert!(s.contains("Brak planów działania. n: nowy plan"), "{s}");
    // n, a name and the municipality: the first plan.
    f.ch('n');
    f.typ("Plan 2026");
    f.code(KeyCode::Tab);
    f.typ("Urząd Gminy Drawno");
    f.ctrl('s');
    assert_eq!(f.popup(), None);
    let d = Data::load(&f.store).unwrap();
    assert_eq!(d.plans.len(), 1);
    assert_eq!(d.plans[0].jst, jst);
}
