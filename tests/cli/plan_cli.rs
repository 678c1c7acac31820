//! The support path and the action plan from the command line: a municipality through
//! every stage with documents; areas and forms; a plan with two goals and five tasks,
//! two linked to meetings; tick, reorder, filters, overdue in `followups`; Markdown
//! and CSV export; the report figures; errors that leave the store unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::cli::Db;
use serde_json::Value;

/// The day the plan tests run on: tasks due in 2020 are overdue, those due in 2099 are
/// not, and a tick is done on it, whatever the real date.
const TODAY: &str = "2026-11-16";

fn gmina() -> Db {
    let db = Db::on(TODAY);
    db.add(&["participant", "add", "--name", "Gmina Dobiegniew", "--category", "jst", "--gmina", "Dobiegniew"]);
    db.add(&[
        "participant",
        "add",
        "--name",
        "Stowarzyszenie Wspierania Małej Przedsiębiorczości",
        "--category",
        "ngo",
        "--gmina",
        "Dobiegniew",
    ]);
    db.add(&["participant", "add", "--name", "Ewa Sekretarz", "--category", "jst", "--org", "Gmina Dobiegniew"]);
    db
}

#[test]
fn a_municipality_goes_through_every_stage() {
    let db = gmina();
    let stages = [
        ("formularz rekrutacyjny", "2026-01-05", Some("formularz_dobiegniew.pdf")),
        ("recruitment-meeting", "2026-01-20", None),
        ("umowa", "2026-02-01", Some("umowy/kontrakt-dobiegniew.pdf")),
        ("diagnosis", "2026-03-10", Some("diagnoza.docx")),
        ("plan-adopted", "2026-04-02", Some("plan.docx")),
        ("realizacja", "2026-04-03", None),
        ("closed", "2026-12-15", Some("sprawozdanie.pdf")),
    ];
    let codes =
        ["form-received", "recruitment-meeting", "contract", "diagnosis", "plan-adopted", "implementation", "closed"];
    for (i, (stage, date, doc)) in stages.iter().enumerate() {
        let mut args = vec!["path", "stage", "Gmina Dobiegniew", stage, "--date", date];
        if let Some(d) = doc {
            args.extend(["--doc", d]);
        }
        db.ok(&args);
        let v = db.json(&["path", "show", "Gmina Dobiegniew", "--json"]);
        assert_eq!(v["stage"], codes[i], "after {stage}");
        assert_eq!(v["stages"].as_array().unwrap().len(), i + 1);
    }
    let v = db.json(&["path", "show", "Gmina Dobiegniew", "--json"]);
    assert_eq!(v["jst_name"], "Gmina Dobiegniew");
    assert_eq!(v["stages"][2]["document"], "umowy/kontrakt-dobiegniew.pdf");
    assert_eq!(v["stages"][1]["document"], Value::Null);
    assert_eq!(v["stages"][6]["date"], "2026-12-15");

    db.ok(&["path", "set", "Gmina Dobiegniew", "--animator", "Marta Animatorka"]);
    db.ok(&["path", "set", "Gmina Dobiegniew", "--area", "jst", "--forms", "regranting,mikrogranty,Rada Seniorów"]);
    db.ok(&["path", "set", "Gmina Dobiegniew", "--area", "mieszkańcy", "--forms", "mapa zasobów"]);
    let v = db.json(&["path", "show", "Gmina Dobiegniew", "--json"]);
    assert_eq!(v["animator"], "Marta Animatorka");
    let jst: Vec<&str> = v["areas"]["jst"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    assert_eq!(jst, ["microgrants", "regranting", "seniors-council"]);
    assert_eq!(v["areas"]["residents"][0], "resource-map");
    assert!(v["areas"]["ngo"].as_array().unwrap().is_empty());

    // One path per municipality: the list shows it once, at its last stage.
    let list = db.json(&["path", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["stage"], "closed");
    let human = db.ok(&["path", "show", "Gmina Dobiegniew"]);
    assert!(human.contains("umowa uczestnictwa") && human.contains("kontrakt-dobiegniew.pdf"), "{human}");
    assert!(human.contains("regranting") && human.contains("Marta Animatorka"), "{human}");
    // dump --json and doctor cover the path.
    let dump: Value = serde_json::from_str(&db.dump()).unwrap();
    assert_eq!(dump["paths"].as_array().unwrap().len(), 1);
    assert!(db.ok(&["doctor"]).to_lowercase().contains("ok"));
}

#[test]
fn bad_path_input_is_one_line_and_changes_nothing() {
    let db = gmina();
    let before = db.dump();
    let e =
        db.run(&["path", "stage", "Stowarzyszenie Wspierania Małej Przedsiębiorczości", "contract"]).error_line("ngo");
    assert!(e.contains("not a municipality"), "{e}");
    let e = db.run(&["path", "stage", "Gmina Dobiegniew", "podpisanie"]).error_line("stage");
    assert!(e.contains("podpisanie") && e.contains("form-received"), "{e}");
    let e = db.run(&["path", "stage", "Gmina Dobiegniew", "contract", "--date", "1.02.2026"]).error_line("date");
    assert!(e.contains("rrrr-mm-dd") || e.contains("yyyy-mm-dd"), "{e}");
    let e = db.run(&["path", "set", "Gmina Dobiegniew", "--area", "jst", "--forms", "dotacje"]).error_line("form");
    assert!(e.contains("dotacje") && e.contains("regranting"), "{e}");
    assert_eq!(db.dump(), before);
}

/// A plan with two goals and five tasks (two linked to meetings), as written with the
/// mayor's secretary; returns (db, plan id, task ids).
fn plan() -> (Db, String, Vec<String>) {
    let db = gmina();
    let m1 = db.add(&[
        "meeting",
        "add",
        "--type",
        "individual",
        "--date",
        "2026-02-01",
        "--place",
        "Dobiegniew",
        "--title",
        "Plan z sekretarz",
    ]);
    let m2 = db.add(&[
        "meeting",
        "add",
        "--type",
        "consultation",
        "--date",
        "2026-03-01",
        "--place",
        "Dobiegniew",
        "--title",
        "Konsultacje programu",
    ]);
    let plan = db.ok(&[
        "plan",
        "add",
        "--name",
        "Plan Działania Dobiegniew 2026",
        "--jst",
        "Gmina Dobiegniew",
        "--adopted",
        "2026-02-01",
        "--meeting",
        &m1,
    ]);
    let plan = plan.trim().to_string();
    let g1 = db.ok(&["plan", "goal", &plan, "Dialog z organizacjami"]).trim().to_string();
    let g2 = db.ok(&["plan", "goal", &plan, "Aktywni mieszkańcy"]).trim().to_string();
    let mut tasks = Vec::new();
    for args in [
        vec![&g1[..], "Powołać Radę Seniorów", "--owner", "Gmina Dobiegniew", "--due", "2020-03-31", "--meeting", &m1],
        vec![
            &g1,
            "Konsultacje programu współpracy",
            "--owner",
            "Ewa Sekretarz",
            "--due",
            "2020-05-31",
            "--meeting",
            &m2,
        ],
        vec![&g1, "Regulamin regrantingu", "--due", "2099-09-30", "--notes", "wzór z Gorzowa"],
        vec![
            &g2,
            "Nabór mikrograntów",
            "--owner",
            "Stowarzyszenie Wspierania Małej Przedsiębiorczości",
            "--due",
            "2099-06-30",
        ],
        vec![&g2, "Mapa zasobów sołectw"],
    ] {
        let mut a = vec!["plan", "task"];
        a.extend(args);
        tasks.push(db.ok(&a).trim().to_string());
    }
    (db, plan, tasks)
}

#[test]
fn a_plan_with_two_goals_and_five_tasks_exports_to_markdown_and_csv() {
    let (db, plan, tasks) = plan();
    let v = db.json(&["plan", "show", &plan, "--json"]);
    assert_eq!(v["owner_name"], "Gmina Dobiegniew");
    assert_eq!(v["goals"].as_array().unwrap().len(), 2);
    assert_eq!(v["total"], 5);
    assert_eq!(v["overdue"], 2);
    let g1 = &v["goals"][0];
    assert_eq!(g1["name"], "Dialog z organizacjami");
    assert_eq!(g1["tasks"][0]["meetings"].as_array().unwrap().len(), 1);
    assert_eq!(g1["tasks"][1]["meetings"].as_array().unwrap().len(), 1);
    assert_eq!(g1["tasks"][0]["overdue"], true);

    // Tick the first task: done today, the goal's progress moves.
    db.ok(&["plan", "tick", &tasks[0][..8]]);
    let v = db.json(&["plan", "show", &plan, "--json"]);
    assert_eq!(v["goals"][0]["done"], 1);
    assert_eq!(v["goals"][0]["tasks"][0]["status"], "done");
    assert_eq!(v["goals"][0]["tasks"][0]["done_on"], TODAY);
    assert_eq!(v["overdue"], 1);

    let md = db.ok(&["plan", "export", &plan, "--format", "md"]);
    assert!(md.starts_with("# Plan Działania: Plan Działania Dobiegniew 2026\n"), "{md}");
    assert!(md.contains("- Gmina (JST): Gmina Dobiegniew"), "{md}");
    assert!(md.contains("## 1. Dialog z organizacjami (1/3 zrobione)"), "{md}");
    assert!(md.contains("## 2. Aktywni mieszkańcy (0/2 zrobione)"), "{md}");
    assert!(md.contains("| 1.2 | Konsultacje programu współpracy | Ewa Sekretarz | 2020-05-31 | do zrobienia — po terminie | 2026-03-01 Konsultacje programu |"), "{md}");
    assert!(md.contains("| 1.3 | Regulamin regrantingu |  | 2099-09-30 | do zrobienia |  | wzór z Gorzowa |"), "{md}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.csv");
    db.ok(&["plan", "export", &plan, "--format", "csv", "--out", file.to_str().unwrap()]);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "CSV for Excel starts with a BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 6, "a header and five tasks: {text}");
    assert!(lines[0].starts_with("Lp.;cel;zadanie;odpowiedzialny;termin;status"), "{}", lines[0]);
    assert!(lines[4].starts_with("2.1;Aktywni mieszkańcy;Nabór mikrograntów;Stowarzyszenie Wspierania Małej Przedsiębiorczości;2099-06-30;do zrobienia"), "{}", lines[4]);
    assert!(lines[2].contains(";tak;2026-03-01 Konsultacje programu;"), "overdue and linked meeting: {}", lines[2]);
}

#[test]
fn tasks_reorder_filter_and_show_in_followups() {
    let (db, plan, tasks) = plan();
    // Move the third task of goal 1 up twice: it becomes first; once more is refused.
    db.ok(&["plan", "move", &tasks[2][..8], "--up"]);
    db.ok(&["plan", "move", &tasks[2][..8], "--up"]);
    assert!(db.ok(&["plan", "move", &tasks[2][..8], "--up"]).contains("pierwsze"));
    let v = db.json(&["plan", "show", &plan, "--json"]);
    let names: Vec<&str> =
        v["goals"][0]["tasks"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Regulamin regrantingu", "Powołać Radę Seniorów", "Konsultacje programu współpracy"]);
    // Goals move too.
    db.ok(&["plan", "move", "Aktywni mieszkańcy", "--up"]);
    assert_eq!(db.json(&["plan", "show", &plan, "--json"])["goals"][0]["name"], "Aktywni mieszkańcy");

    let owner = db.json(&["plan", "tasks", "--owner", "Ewa Sekretarz", "--json"]);
    assert_eq!(owner.as_array().unwrap().len(), 1);
    assert_eq!(db.json(&["plan", "tasks", "--due", "overdue", "--json"]).as_array().unwrap().len(), 2);
    assert_eq!(db.json(&["plan", "tasks", "--due", "none", "--json"]).as_array().unwrap().len(), 1);
    db.ok(&["plan", "edit", &tasks[3][..8], "--set", "status=w trakcie"]);
    assert_eq!(db.json(&["plan", "tasks", "--status", "in-progress", "--json"])[0]["name"], "Nabór mikrograntów");

    let f = db.json(&["followups", "--json"]);
    let plan_tasks: Vec<&Value> = f.as_array().unwrap().iter().filter(|x| x["kind"] == "plan-task").collect();
    assert_eq!(plan_tasks.len(), 2);
    assert_eq!(plan_tasks[0]["text"], "Powołać Radę Seniorów");
    let human = db.ok(&["followups"]);
    assert!(human.contains("overdue plan tasks (2)") && human.contains("Konsultacje programu współpracy"), "{human}");
    assert_eq!(db.json(&["plan", "overdue", "--json"]).as_array().unwrap().len(), 2);
}

#[test]
fn bad_plan_input_is_refused() {
    let (db, plan, tasks) = plan();
    let before = db.dump();
    let e = db.run(&["plan", "task", "Dialog z organizacjami", "X", "--due", "jutro"]).error_line("due");
    assert!(e.contains("due") && e.contains("jutro"), "{e}");
    let e = db.run(&["plan", "task", "Nie ma takiego celu", "X"]).error_line("goal");
    assert!(e.contains("no goal matches"), "{e}");
    let e = db.run(&["plan", "edit", &tasks[0][..8], "--set", "status=gotowe do druku"]).error_line("status");
    assert!(e.contains("todo"), "{e}");
    let e = db.run(&["plan", "add", "--name", "X", "--jst", "Ewa Sekretarz"]).error_line("person");
    assert!(e.contains("not a municipality"), "{e}");
    assert_eq!(db.dump(), before);
    let _ = plan;
}

#[test]
fn report_counts_paths_and_plans() {
    let (db, _plan, tasks) = plan();
    db.ok(&["path", "stage", "Gmina Dobiegniew", "form-received", "--date", "2026-01-05"]);
    db.ok(&["path", "stage", "Gmina Dobiegniew", "contract", "--date", "2026-02-01"]);
    db.ok(&["participant", "add", "--name", "Gmina Drawno", "--category", "jst"]);
    db.ok(&["path", "stage", "Gmina Drawno", "recruitment-meeting", "--date", "2026-03-01"]);
    db.ok(&["plan", "tick", &tasks[2][..8]]);
    db.ok(&["plan", "tick", &tasks[0][..8]]);
    let r = db.json(&["report", "--json"]);
    let p = &r["plans"];
    assert_eq!(p["municipalities_recruited"], 2, "{r}");
    assert_eq!(p["contracts_signed"], 1);
    assert_eq!(p["plans_adopted"], 1);
    assert_eq!(p["tasks_done"], 2);
    // Ticked today: the one due in 2099 is on time, the one due in 2020 is late.
    assert_eq!(p["tasks_done_on_time"], 1);
}
