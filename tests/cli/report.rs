#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exports, projects and indicator reports, and the personal-data commands, through
//! the built binary (issue 9).

use crate::support::cli::{Db, with_field};
use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::Value;
use std::path::PathBuf;

fn out_file(db: &Db, name: &str) -> PathBuf {
    db.path().with_file_name(name)
}

fn demo(n: &str) -> Db {
    let db = Db::new();
    db.ok(&["demo", "--participants", n]);
    db
}

/// Every name, phone and e-mail in the database (and each phone's digits as exported).
fn personal_values(db: &Db) -> Vec<String> {
    let all = db.json(&["participant", "list", "--json"]);
    let mut out = Vec::new();
    for p in all.as_array().unwrap() {
        for f in ["name", "phone", "email"] {
            if let Some(s) = p[f].as_str() {
                out.push(s.to_string());
                if let Some(n) = s.strip_prefix("+48 ") {
                    out.push(n.to_string());
                }
            }
        }
    }
    out
}

fn read_csv(path: &PathBuf) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "CSV for Excel starts with a UTF-8 BOM");
    let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[3..]);
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

#[test]
fn csv_export_of_participants_opens_in_polish_excel() {
    let db = demo("120");
    let f = out_file(&db, "uczestnicy.csv");
    let out = db.ok(&["export", "participants", "--format", "csv", "--out", f.to_str().unwrap()]);
    assert!(out.starts_with("exported 120 rows of participants"), "{out}");
    let (headers, rows) = read_csv(&f);
    assert_eq!(headers[2], "Imię i nazwisko / nazwa");
    assert_eq!(rows.len(), 120);
    let anna = rows.iter().find(|r| r[2] == "Anna Kowalska").expect("Anna Kowalska is in every demo");
    assert_eq!(anna[6], "Ługi");
    assert!(rows.iter().all(|r| !r[7].starts_with('+')), "phones must not start with + (a formula to Excel)");
    let en = out_file(&db, "en.csv");
    db.ok(&["--lang", "en", "export", "participants", "--out", en.to_str().unwrap()]);
    assert_eq!(read_csv(&en).0[..4], ["id", "kind", "name", "category"]);
}

#[test]
fn xlsx_exports_read_back_with_dates_and_numbers() {
    let db = demo("120");
    for what in ["participants", "meetings", "attendance", "followups"] {
        let f = out_file(&db, &format!("{what}.xlsx"));
        let out = db.ok(&["export", what, "--out", f.to_str().unwrap()]);
        assert!(out.contains("xlsx"), "the format follows the extension: {out}");
        let mut wb: Xlsx<_> = open_workbook(&f).unwrap();
        let sheet = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&sheet).unwrap();
        assert!(range.height() > 1, "{what}: no rows");
        if what == "attendance" {
            assert_eq!(sheet, "Lista obecności");
            let meetings = db.json(&["meeting", "list", "--json"]);
            let total: usize =
                meetings.as_array().unwrap().iter().map(|m| m["attendees"].as_array().unwrap().len()).sum();
            assert_eq!(range.height() - 1, total, "one row per attendee of each meeting");
            // Date column is a real date, hours a number.
            let row = range.rows().nth(1).unwrap();
            assert!(matches!(row[1], Data::DateTime(_)), "date cell: {:?}", row[1]);
            assert!(matches!(row[5], Data::Float(_)), "hours cell: {:?}", row[5]);
        }
        if what == "participants" {
            let names: Vec<String> = range.rows().skip(1).map(|r| r[2].to_string()).collect();
            assert!(names.contains(&"Grażyna Żółcińska".to_string()), "Polish letters survive XLSX");
        }
    }
}

#[test]
fn a_pseudonymised_export_has_no_name_phone_or_email_and_is_stable() {
    let db = demo("150");
    let personal = personal_values(&db);
    assert!(personal.len() > 200);
    for (what, ext) in [
        ("participants", "csv"),
        ("attendance", "csv"),
        ("followups", "csv"),
        ("meetings", "csv"),
        ("participants", "xlsx"),
    ] {
        let f = out_file(&db, &format!("p-{what}.{ext}"));
        db.ok(&["export", what, "--pseudonymise", "--out", f.to_str().unwrap()]);
        let text = if ext == "csv" {
            String::from_utf8(std::fs::read(&f).unwrap()).unwrap()
        } else {
            let mut wb: Xlsx<_> = open_workbook(&f).unwrap();
            let s = wb.sheet_names()[0].clone();
            wb.worksheet_range(&s)
                .unwrap()
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(";"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for v in &personal {
            assert!(!text.contains(v.as_str()), "{what}.{ext} holds '{v}'");
        }
        if what == "participants" {
            assert!(text.contains("Uczestnik "), "{text}");
        }
    }
    // The same pseudonyms on every run against the same database.
    let a = out_file(&db, "a.csv");
    let b = out_file(&db, "b.csv");
    db.ok(&["export", "participants", "--pseudonymise", "--out", a.to_str().unwrap()]);
    db.ok(&["export", "participants", "--pseudonymise", "--out", b.to_str().unwrap()]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // Exports are in the audit log: kind and count, no data.
    let audit = db.json(&["audit", "--json"]);
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 7);
    assert_eq!(entries[0]["action"], "export");
    assert_eq!(entries[0]["detail"], "participants csv pseudonymised");
    assert_eq!(entries[0]["records"], 150);
    let log = serde_json::to_string(&audit).unwrap();
    for v in &personal {
        assert!(!log.contains(v.as_str()), "the audit log holds '{v}'");
    }
    assert!(db.ok(&["audit"]).contains("participants csv pseudonymised"));
}

#[test]
fn export_errors_are_one_line_and_bad_usage_exits_2() {
    let db = Db::new();
    let r = db.run(&["export", "participants", "--out", "/nonexistent/dir/x.csv"]);
    assert!(r.error_line("unwritable").contains("cannot write /nonexistent/dir/x.csv"));
    assert_eq!(db.run(&["export", "people", "--out", "x.csv"]).code, Some(2));
    assert_eq!(db.run(&["export", "participants", "--format", "ods", "--out", "x.ods"]).code, Some(2));
}

/// The hand-made data set of src/report (same figures), built through the binary.
fn small_project() -> Db {
    let db = Db::new();
    let p = |args: &[&str]| {
        let mut a = vec!["participant", "add"];
        a.extend_from_slice(args);
        db.add(&a)
    };
    p(&["--name", "Anna Kowalska", "--category", "person", "--gmina", "Dobiegniew"]);
    p(&["--name", "Jan Nowak", "--category", "person"]);
    p(&["--name", "Zofia Wiśniewska", "--category", "OPS", "--org", "MGOPS Dobiegniew", "--gmina", "Dobiegniew"]);
    p(&["--name", "Stowarzyszenie Łąka", "--kind", "org", "--category", "pes", "--gmina", "Ługi"]);
    db.ok(&["participant", "edit", "Anna Kowalska", "--set", "consent_data=2024-01-10"]);
    db.ok(&["participant", "edit", "Zofia Wiśniewska", "--set", "consent_data=2024-01-02"]);
    let m = |date: &str, ty: &str, hours: &str, with: &[&str]| {
        let mut a = vec!["meeting", "add", "--date", date, "--type", ty, "--hours", hours];
        for w in with {
            a.extend_from_slice(&["--with", w]);
        }
        db.add(&a)
    };
    m("2024-01-15", "grupowe", "2", &["Anna Kowalska", "Jan Nowak"]);
    m("2024-02-01", "individual", "1.5", &["Zofia Wiśniewska"]);
    m("2024-03-10", "wizyta studyjna", "8", &["Anna Kowalska", "Zofia Wiśniewska", "Stowarzyszenie Łąka"]);
    m("2023-12-31", "group", "3", &["Jan Nowak"]);
    db.ok(&[
        "partnership",
        "add",
        "--name",
        "Partnerstwo Ługi",
        "--started",
        "2024-04-01",
        "--leader",
        "Stowarzyszenie Łąka",
    ]);
    db
}

#[test]
fn project_add_list_and_report_against_targets() {
    let db = small_project();
    let id = db.add(&[
        "project",
        "add",
        "--name",
        "MAM",
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-30",
        "--target",
        "person=3",
        "--target",
        "OPS=1",
        "--target",
        "meetings=4",
        "--target",
        "study-visit=1",
        "--target",
        "hours=10",
        "--target",
        "organisations=3",
        "--target",
        "partnerships=1",
    ]);
    let list = db.json(&["project", "list", "--json"]);
    assert_eq!(list[0]["name"], "MAM");
    assert_eq!(list[0]["targets"]["welfare"], 1);
    assert_eq!(list[0]["targets"]["study-visit"], 1);
    assert!(db.ok(&["project", "list"]).contains(&id));
    assert!(db.ok(&["project", "show", "MAM"]).contains("2024-06-30"));

    let r = db.json(&["report", "--json"]);
    assert_eq!(r["project"]["name"], "MAM", "the only project is the default");
    assert_eq!(r["meetings"]["total"], 3);
    assert_eq!(r["hours"]["total"], 11.5);
    assert_eq!(r["participants"]["total"], 4);
    assert_eq!(r["participants"]["by_category"]["person"], 2);
    assert_eq!(r["organisations"], 2);
    assert_eq!(r["partnerships"], 1);
    let ind = |k: &str| r["indicators"].as_array().unwrap().iter().find(|i| i["key"] == k).cloned().unwrap();
    assert_eq!((ind("person")["value"].clone(), ind("person")["missing"].clone()), (2.into(), 1.into()));
    assert_eq!(ind("meetings")["percent"], 75);
    assert_eq!(ind("hours")["missing"], 0);
    let inc: Vec<&str> = r["incomplete"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(inc, vec!["Jan Nowak"]);

    let text = db.ok(&["--lang", "en", "report", "--project", "mam"]);
    assert!(text.contains("Project MAM (2024-01-01 – 2024-06-30)"), "{text}");
    let line = text.lines().find(|l| l.starts_with("meetings ")).unwrap();
    assert!(line.contains("3") && line.contains("4") && line.contains("75%"), "{line}");
    assert!(text.contains("Jan Nowak") && text.contains("gmina, consent_data"), "{text}");
    let pl = db.ok(&["report"]);
    assert!(pl.contains("WSKAŹNIK") && pl.contains("BRAKUJE"), "{pl}");
}

#[test]
fn project_input_errors_say_what_to_do() {
    let db = Db::new();
    let r = db.run(&["project", "add", "--name", "X", "--target", "foo=1"]);
    assert!(r.error_line("bad target").contains("unknown target 'foo'"));
    let r = db.run(&["project", "add", "--name", "X", "--target", "pes=dużo"]);
    assert!(r.error_line("bad number").contains("'dużo' is not a number"));
    let r = db.run(&["project", "add", "--name", "X", "--from", "2024-05-01", "--to", "2024-01-01"]);
    assert!(r.error_line("bad period").contains("ends (2024-01-01) before it starts"));
    let r = db.run(&["report", "--project", "nope"]);
    assert!(r.error_line("no project").contains("no project matches 'nope'"));
    assert_eq!(db.json(&["project", "list", "--json"]).as_array().unwrap().len(), 0);
}

#[test]
fn the_demo_has_a_project_with_real_figures() {
    let db = demo("300");
    let r = db.json(&["report", "--json"]);
    assert_eq!(r["project"]["name"], "MAM – Mobilni Animatorzy");
    assert!(r["meetings"]["total"].as_u64().unwrap() > 30, "{}", r["meetings"]);
    assert!(r["participants"]["total"].as_u64().unwrap() > 50);
    assert!(r["indicators"].as_array().unwrap().len() >= 8);
    assert!(!db.json(&["participant", "retention", "--on", "2027-01-01", "--json"]).as_array().unwrap().is_empty());
}

#[test]
fn participant_export_holds_everything_about_one_person_and_is_audited() {
    let db = small_project();
    db.ok(&[
        "participant",
        "edit",
        "Zofia Wiśniewska",
        "--set",
        "consent_photos=2024-02-01",
        "--set",
        "retention=2030-12-31",
    ]);
    let m = db.json(&["meeting", "list", "--json"]);
    let first = with_field(&m, "date", "2024-02-01")[0]["id"].as_str().unwrap().to_string();
    db.ok(&["followup", "add", "--meeting", &first[..8], "--text", "Wysłać regulamin", "--owner", "Zofia Wiśniewska"]);
    let v = db.json(&["participant", "export", "Zofia Wiśniewska"]);
    assert_eq!(v["participant"]["name"], "Zofia Wiśniewska");
    assert_eq!(v["participant"]["consent_photos"], "2024-02-01");
    assert_eq!(v["participant"]["retention"], "2030-12-31");
    assert_eq!(v["participant"]["memberships"][0]["org_name"], "MGOPS Dobiegniew");
    assert_eq!(v["meetings_attended"].as_array().unwrap().len(), 2);
    assert_eq!(v["followups_owned"][0]["text"], "Wysłać regulamin");
    let org = db.json(&["participant", "export", "Stowarzyszenie Łąka"]);
    assert_eq!(org["partnerships"][0]["name"], "Partnerstwo Ługi");
    assert_eq!(org["partnerships"][0]["leader"], true);
    let mgops = db.json(&["participant", "export", "MGOPS Dobiegniew"]);
    assert_eq!(mgops["members"][0]["name"], "Zofia Wiśniewska");
    let f = out_file(&db, "zofia.json");
    db.ok(&["participant", "export", "Zofia Wiśniewska", "--out", f.to_str().unwrap()]);
    let from_file: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    assert_eq!(from_file, v);
    let audit = db.json(&["audit", "--json"]);
    assert_eq!(audit.as_array().unwrap().len(), 4);
    assert!(audit.as_array().unwrap().iter().all(|e| e["action"] == "subject-export" && e["records"] == 1));
    assert!(!serde_json::to_string(&audit).unwrap().contains("Zofia"));
}

#[test]
fn retention_lists_records_kept_past_their_date() {
    let db = small_project();
    db.ok(&["participant", "edit", "Jan Nowak", "--set", "retention=2024-01-31"]);
    db.ok(&["participant", "edit", "Anna Kowalska", "--set", "retention=2030-01-31"]);
    let v = db.json(&["participant", "retention", "--on", "2025-01-31", "--json"]);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["name"], "Jan Nowak");
    assert_eq!(v[0]["days_overdue"], 366);
    assert_eq!(db.json(&["participant", "retention", "--on", "2031-01-01", "--json"]).as_array().unwrap().len(), 2);
    assert!(db.ok(&["participant", "retention", "--on", "2020-01-01"]).contains("no records past"));
    let r = db.run(&["participant", "edit", "Jan Nowak", "--set", "retention=jutro"]);
    assert!(r.error_line("bad date").contains("retention: 'jutro' is not a date"));
}

#[test]
fn an_erasure_is_in_the_audit_log_without_the_data_and_leaves_the_retention_list() {
    let db = small_project();
    db.ok(&["participant", "edit", "Jan Nowak", "--set", "retention=2024-01-31"]);
    assert_eq!(db.json(&["participant", "retention", "--on", "2025-01-01", "--json"]).as_array().unwrap().len(), 1);
    db.ok(&["erase", "Jan Nowak"]);
    assert_eq!(db.json(&["participant", "retention", "--on", "2025-01-01", "--json"]).as_array().unwrap().len(), 0);
    let audit = db.json(&["audit", "--json"]);
    assert_eq!(audit.as_array().unwrap().len(), 1);
    assert_eq!((audit[0]["action"].as_str(), audit[0]["records"].as_u64()), (Some("erase"), Some(1)));
    assert!(!serde_json::to_string(&audit).unwrap().contains("Nowak"));
    // The erased person still counts in the report, by category.
    let r = db.json(&["report", "--json"]);
    assert_eq!(r["participants"]["by_category"]["person"], 2);
}

#[test]
fn project_targets_and_dates_are_edited_like_any_field() {
    let db = Db::new();
    db.add(&[
        "project",
        "add",
        "--name",
        "MAM",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--target",
        "pes=10",
        "--target",
        "type:other=2",
    ]);
    db.ok(&["project", "edit", "MAM", "--set", "targets=pes=7,hours=12.5"]);
    let p = db.json(&["project", "list", "--json"]);
    assert_eq!(p[0]["targets"], serde_json::json!({"pes": 7, "hours": 12.5}));
    let r = db.run(&["project", "edit", "MAM", "--set", "from=2026-01-01"]);
    assert!(r.error_line("from after to").starts_with("teren: from: the project ends (2025-12-31) before it starts"));
    db.ok(&["project", "delete", "MAM"]);
    assert!(db.ok(&["project", "list"]).starts_with("no projects"));
    assert!(db.json(&["report", "--json"])["project"].is_null());
}
