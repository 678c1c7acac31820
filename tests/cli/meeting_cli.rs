#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Meetings on the command line: `meeting add` with follow-ups, `followups`, and the
//! attendance sheet `meeting sheet` (issue 5).

use crate::support::cli::Db;

fn meeting_with_two(db: &Db) -> String {
    db.add(&["participant", "add", "--name", "Zofia Żak", "--category", "OPS", "--org", "GOPS Dobiegniew"]);
    db.add(&["participant", "add", "--name", "Adam Bąk"]);
    db.add(&[
        "meeting",
        "add",
        "--type",
        "grupowe",
        "--date",
        "2026-03-02",
        "--place",
        "Ługi",
        "--hours",
        "2,5",
        "--with",
        "Zofia Żak",
        "--with",
        "Adam Bąk",
        "--follow-up",
        "Wysłać regulamin",
        "--due",
        "2026-03-09",
    ])
}

#[test]
fn meeting_add_then_followups_lists_the_follow_up() {
    let db = Db::new();
    let id = meeting_with_two(&db);
    let list = db.json(&["meeting", "list", "--json"]);
    let m = &list.as_array().unwrap()[0];
    assert!(m["id"].as_str().unwrap().starts_with(&id[..4]));
    assert_eq!(m["attendees"].as_array().unwrap().len(), 2);
    let f = db.json(&["followups", "--json"]);
    assert_eq!(f[0]["text"], "Wysłać regulamin");
    assert_eq!(f[0]["due"], "2026-03-09");
    assert_eq!(f[0]["overdue"], true);
}

#[test]
fn meeting_sheet_csv_has_bom_semicolons_and_decimal_commas() {
    let db = Db::new();
    let id = meeting_with_two(&db);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lista.csv");
    let said = db.ok(&["meeting", "sheet", &id, "--format", "csv", "--out", out.to_str().unwrap()]);
    assert!(said.contains("lista.csv"), "{said}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text,
        "uczestnik;organizacja;kategoria;godz.\nAdam Bąk;;osoba fizyczna;2,5\nZofia Żak;GOPS Dobiegniew;OPS / PCPR;2,5\n"
    );
}

#[test]
fn meeting_sheet_markdown_is_printable_with_a_signature_column() {
    let db = Db::new();
    let id = meeting_with_two(&db);
    let md = db.ok(&["meeting", "sheet", &id]);
    assert!(md.starts_with("# Lista obecności — spotkanie grupowe — Ługi\n"), "{md}");
    assert!(md.contains("- data: 2026-03-02\n"), "{md}");
    assert!(md.contains("| Lp. | uczestnik | organizacja | kategoria | godz. | podpis |"), "{md}");
    assert!(md.contains("| 1 | Adam Bąk |  | osoba fizyczna | 2,5 |"), "{md}");
    assert!(md.contains("| 2 | Zofia Żak | GOPS Dobiegniew | OPS / PCPR | 2,5 |"), "{md}");
    let en = db.ok(&["--lang", "en", "meeting", "sheet", &id, "--format", "md"]);
    assert!(en.contains("| No. | participant |"), "{en}");
}

#[test]
fn meeting_sheet_of_an_unknown_meeting_is_one_error_line() {
    let db = Db::new();
    meeting_with_two(&db);
    let r = db.run(&["meeting", "sheet", "ffffffff"]);
    let line = r.error_line("unknown meeting");
    assert!(line.contains("ffffffff"), "{line}");
    let r = db.run(&["meeting", "sheet", "x", "--format", "xls"]);
    assert_eq!(r.code, Some(2), "bad format is bad usage: {r:?}");
}
