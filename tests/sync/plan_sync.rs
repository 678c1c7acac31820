#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Two offices and one action plan, through real bundle files: each ticks a different
//! task, one reorders, both edit the same task's notes; after the exchange both have
//! the same `dump --json`, both ticks stand, and the notes show a conflict with both
//! texts, which a resolution clears everywhere.

use crate::support::offices::{self, Replica as Office, replica};
use teren::bundle::{self, Encrypt, ImportOptions};
use teren::edit;
use teren::model::{Entity, Id, Task, TaskStatus};
use teren::plans;
use teren::store::Draft;
use teren::sync::Change;

/// Two offices paired both ways, as `teren office pair` does with each other's
/// introduction and confirmed fingerprint: only paired offices' bundles are applied.
fn paired(a: &str, b: &str) -> (Office, Office) {
    let (a, b) = (replica(a), replica(b));
    offices::pair(&a.store, &b.store);
    offices::pair(&b.store, &a.store);
    (a, b)
}

/// Everything `from` has, as a bundle file encrypted to `to`, imported by `to`.
fn send(from: &Office, to: &Office, dir: &std::path::Path) {
    let since = bundle::since_for(&from.store, Some(to.store.replica()), true).unwrap();
    let b = bundle::export(&from.store, &from.keys, &since, &Encrypt::Recipients(vec![to.keys.recipient()])).unwrap();
    let path = dir.join(bundle::file_name(&b.header.office, b.header.created_ms));
    bundle::write_atomic(&path, &b.bytes).unwrap();
    let bytes = bundle::read_file(&path).unwrap();
    bundle::import(&to.store, &to.keys, &bytes, &ImportOptions::default()).unwrap();
}

fn dump(o: &Office) -> String {
    offices::dump(&o.store)
}

fn f(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

fn task(o: &Office, id: Id) -> Task {
    Task::from_doc(id, &o.store.doc(Entity::Task, id).unwrap().unwrap())
}

#[test]
fn two_offices_tick_different_tasks_of_one_plan_and_end_identical() {
    let (a, b) = paired("Biuro Gorzów", "Biuro Strzelce");
    let dir = tempfile::tempdir().unwrap();
    let jst = edit::create(
        &a.store,
        Entity::Participant,
        &[f("name", "Urząd Miejski w Dobiegniewie"), f("category", "jst"), f("kind", "org")],
    )
    .unwrap();
    let plan =
        edit::create(&a.store, Entity::Plan, &[f("name", "Plan Działania"), f("jst", &jst.to_string())]).unwrap();
    let goal = edit::create(&a.store, Entity::Goal, &[f("plan", &plan.to_string()), f("name", "Dialog")]).unwrap();
    let tasks: Vec<Id> = ["Rada Seniorów", "Regranting", "Konsultacje"]
        .iter()
        .map(|n| {
            edit::create(
                &a.store,
                Entity::Task,
                &[f("goal", &goal.to_string()), f("name", n), f("due", "2026-03-31"), f("notes", "start")],
            )
            .unwrap()
        })
        .collect();
    send(&a, &b, dir.path());
    assert_eq!(dump(&a), dump(&b));

    // Offline at the same time: A ticks the first task, B the second and moves the third up;
    // both rewrite the notes of the first.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
    assert_eq!(plans::tick(&a.store, tasks[0], day).unwrap(), TaskStatus::Done);
    assert_eq!(plans::tick(&b.store, tasks[1], day).unwrap(), TaskStatus::Done);
    assert!(plans::move_item(&b.store, Entity::Task, tasks[2], -1).unwrap());
    edit::update(&a.store, Entity::Task, tasks[0], &[f("notes", "Uchwała podjęta")]).unwrap();
    edit::update(&b.store, Entity::Task, tasks[0], &[f("notes", "Czekamy na radnych")]).unwrap();

    send(&a, &b, dir.path());
    send(&b, &a, dir.path());
    assert_eq!(dump(&a), dump(&b), "both offices show the same plan");
    for o in [&a, &b] {
        assert_eq!(task(o, tasks[0]).status, TaskStatus::Done);
        assert_eq!(task(o, tasks[1]).status, TaskStatus::Done);
        assert_eq!(task(o, tasks[2]).status, TaskStatus::Todo);
        assert!(task(o, tasks[0]).notes_conflict, "concurrent notes are kept as a conflict");
        let data = plans::Data::load(&o.store).unwrap();
        let tree = data.tree(plan).unwrap();
        let names: Vec<&str> = tree.goals[0].tasks.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Rada Seniorów", "Konsultacje", "Regranting"]);
        assert_eq!(plans::Progress::of(tree.goals[0].tasks.iter().copied(), day).done, 2);
    }
    let doc = a.store.doc(Entity::Task, tasks[0]).unwrap().unwrap();
    let values: Vec<String> =
        doc.conflicts()[0].1.iter().map(|(_, v)| v.as_str().unwrap_or_default().to_string()).collect();
    assert!(values.contains(&"Uchwała podjęta".to_string()) && values.contains(&"Czekamy na radnych".to_string()));
    let json = dump(&a);
    assert!(json.contains("\"conflicts\"") && json.contains("Czekamy na radnych"), "dump marks the conflict");

    // B resolves with a text that saw both: the conflict is gone at both offices.
    b.store
        .commit(vec![Draft::new(Entity::Task, tasks[0], vec![Change::write("notes", "Uchwała podjęta; radni za")])])
        .unwrap();
    send(&b, &a, dir.path());
    assert_eq!(dump(&a), dump(&b));
    assert!(!task(&a, tasks[0]).notes_conflict);
    assert_eq!(task(&a, tasks[0]).notes.as_deref(), Some("Uchwała podjęta; radni za"));
    assert!(a.store.verify().unwrap().is_empty(), "doctor finds the tables agree with the log");
}

#[test]
fn a_form_save_that_leaves_the_notes_alone_makes_no_conflict() {
    let (a, b) = paired("Biuro Gorzów", "Biuro Strzelce");
    let dir = tempfile::tempdir().unwrap();
    let jst = edit::create(
        &a.store,
        Entity::Participant,
        &[f("name", "Urząd Gminy Drawno"), f("category", "jst"), f("kind", "org")],
    )
    .unwrap();
    let plan = edit::create(&a.store, Entity::Plan, &[f("name", "Plan"), f("jst", &jst.to_string())]).unwrap();
    let goal = edit::create(&a.store, Entity::Goal, &[f("plan", &plan.to_string()), f("name", "Cel")]).unwrap();
    let task =
        edit::create(&a.store, Entity::Task, &[f("goal", &goal.to_string()), f("name", "Nabór"), f("notes", "stare")])
            .unwrap();
    send(&a, &b, dir.path());
    // Both offices save the whole task form, changing other fields; the notes stay.
    let form = |due: &str, status: &str| {
        vec![f("goal", &goal.to_string()), f("name", "Nabór"), f("due", due), f("status", status), f("notes", "stare")]
    };
    edit::update(&a.store, Entity::Task, task, &form("2026-05-01", "todo")).unwrap();
    edit::update(&b.store, Entity::Task, task, &form("", "w trakcie")).unwrap();
    send(&a, &b, dir.path());
    send(&b, &a, dir.path());
    assert_eq!(dump(&a), dump(&b));
    let t = Task::from_doc(task, &a.store.doc(Entity::Task, task).unwrap().unwrap());
    assert!(!t.notes_conflict, "unchanged notes are not rewritten");
    assert_eq!(t.notes.as_deref(), Some("stare"));
}
