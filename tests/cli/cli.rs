#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The command line of DESIGN.md §8 through the built binary, on real redb files.

use crate::support::cli::{self, Db, with_field};
use serde_json::Value;
use std::time::Duration;

/// A small database for the tests that do not need the demo: two people, an
/// organisation, nothing else.
fn small() -> Db {
    with_people(Db::new())
}

/// Three participants, one an organisation, in a database.
fn with_people(db: Db) -> Db {
    db.add(&["participant", "add", "--name", "Jan Źdźbło", "--place", "Łódź", "--gmina", "Łódź"]);
    db.add(&["participant", "add", "--name", "Anna Kowalska", "--place", "Ługi", "--gmina", "Dobiegniew"]);
    db.add(&["participant", "add", "--name", "Stowarzyszenie Łąka", "--category", "ngo", "--place", "Ługi"]);
    db
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect()
}

// 1. Every command through the binary.

#[test]
fn demo_fills_the_database_and_lists_show_it() {
    let db = Db::new();
    let out = db.ok(&["demo", "--participants", "200"]);
    assert!(out.starts_with("demo: "), "{out}");
    let all = db.json(&["participant", "list", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 200);
    assert!(all.as_array().unwrap().iter().all(|p| p["id"].is_string() && p["name"].is_string()));
    assert!(!db.json(&["meeting", "list", "--json"]).as_array().unwrap().is_empty());
    assert!(!db.ok(&["meeting", "list"]).is_empty());
    assert!(!db.json(&["followups", "--json"]).as_array().unwrap().is_empty());
    // `lodz` finds the participants of Łódź, diacritics and case folded.
    let lodz = db.json(&["participant", "list", "--search", "lodz", "--json"]);
    let first = &lodz.as_array().unwrap().first().expect("lodz finds someone in the demo");
    assert!(
        ["name", "place", "gmina", "org"].iter().any(|f| first[*f].as_str().is_some_and(|s| s.contains("Łódź"))),
        "first hit of 'lodz' does not mention Łódź: {first}"
    );
    let table = db.ok(&["participant", "list", "--search", "lodz"]);
    assert!(table.contains("Łódź"), "{table}");
}

#[test]
fn participant_add_list_search_show_edit_delete_restore() {
    let db = small();
    let id = db.add(&[
        "participant",
        "add",
        "--name",
        "Zofia Wiśniewska",
        "--category",
        "OPS",
        "--org",
        "Gminny Ośrodek Pomocy Społecznej w Ługach",
        "--place",
        "Ługi",
        "--phone",
        "+48 600 100 200",
        "--email",
        "zofia@gops.pl",
        "--note",
        "Zna wszystkich w gminie",
        "--tag",
        "senior",
    ]);

    let table = db.ok(&["participant", "list"]);
    assert!(table.contains(&id) && table.contains("Zofia Wiśniewska"), "{table}");
    let all = db.json(&["participant", "list", "--json"]);
    // The organisation named with --org was made alongside.
    assert_eq!(all.as_array().unwrap().len(), 5, "{all}");
    let zofia = with_field(&all, "name", "Zofia Wiśniewska");
    assert_eq!(zofia.len(), 1);
    assert_eq!(zofia[0]["category"], "welfare");
    assert_eq!(zofia[0]["org"], "Gminny Ośrodek Pomocy Społecznej w Ługach");
    assert!(zofia[0]["id"].as_str().unwrap().starts_with(&id));

    let lodz = db.json(&["participant", "list", "--search", "lodz", "--json"]);
    assert_eq!(names(&lodz), ["Jan Źdźbło"]);
    let anna = db.json(&["participant", "list", "--search", "kowalska anna", "--json"]);
    assert_eq!(names(&anna).first(), Some(&"Anna Kowalska"), "{anna}");

    let shown = db.ok(&["participant", "show", &id]);
    assert!(shown.contains("Zofia Wiśniewska") && shown.contains("zofia@gops.pl"), "{shown}");
    let shown = db.json(&["participant", "show", &id, "--json"]);
    assert_eq!(shown["name"], "Zofia Wiśniewska");
    assert_eq!(shown["email"], "zofia@gops.pl");
    assert_eq!(shown["note"], "Zna wszystkich w gminie");
    assert_eq!(shown["tags"], serde_json::json!(["senior"]));

    db.ok(&["participant", "edit", &id, "--set", "place=Dobiegniew", "--set", "email=z.w@example.pl"]);
    let shown = db.json(&["participant", "show", &id, "--json"]);
    assert_eq!(shown["place"], "Dobiegniew");
    assert_eq!(shown["email"], "z.w@example.pl");
    // An empty value clears the field.
    db.ok(&["participant", "edit", &id, "--set", "phone="]);
    assert_eq!(db.json(&["participant", "show", &id, "--json"])["phone"], Value::Null);

    let out = db.ok(&["participant", "delete", &id]);
    assert!(out.contains("restore"), "{out}");
    let live = db.json(&["participant", "list", "--json"]);
    assert!(with_field(&live, "name", "Zofia Wiśniewska").is_empty());
    let with_deleted = db.json(&["participant", "list", "--deleted", "--json"]);
    assert_eq!(with_field(&with_deleted, "name", "Zofia Wiśniewska")[0]["deleted"], true);

    db.ok(&["participant", "restore", &id]);
    let live = db.json(&["participant", "list", "--json"]);
    let back = with_field(&live, "name", "Zofia Wiśniewska");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["place"], "Dobiegniew");
    assert!(back[0].get("deleted").is_none(), "{}", back[0]);
}

#[test]
fn meeting_add_with_attendees_note_and_follow_up() {
    let db = small();
    let id = db.add(&[
        "meeting",
        "add",
        "--type",
        "group",
        "--date",
        "2025-03-04",
        "--time",
        "17:30",
        "--place",
        "Ługi",
        "--hours",
        "2",
        "--with",
        "Anna Kowalska",
        "--with",
        "Jan Źdźbło",
        "--note",
        "Zażółć gęślą jaźń — świetlica w Ługach",
        "--follow-up",
        "Zadzwonić do wójta",
        "--due",
        "2026-12-01",
    ]);
    let list = db.json(&["meeting", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let m = &list[0];
    assert!(m["id"].as_str().unwrap().starts_with(&id));
    assert_eq!(m["type"], "group");
    assert_eq!(m["date"], "2025-03-04");
    assert_eq!(m["time"], "17:30");
    assert_eq!(m["hours"], 2.0);
    assert_eq!(m["place"], "Ługi");
    assert_eq!(m["note"], "Zażółć gęślą jaźń — świetlica w Ługach");
    let mut attendees: Vec<&str> =
        m["attendees"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    attendees.sort_unstable();
    assert_eq!(attendees, ["Anna Kowalska", "Jan Źdźbło"]);
    let fups = m["followups"].as_array().unwrap();
    assert_eq!(fups.len(), 1);
    assert_eq!(fups[0]["text"], "Zadzwonić do wójta");
    assert_eq!(fups[0]["due"], "2026-12-01");
    assert_eq!(fups[0]["done"], false);
    assert_eq!(fups[0]["meeting"], m["id"]);

    let table = db.ok(&["meeting", "list"]);
    assert!(table.contains(&id) && table.contains("2025-03-04") && table.contains("Ługi"), "{table}");
    let shown = db.json(&["meeting", "show", &id, "--json"]);
    assert_eq!(shown["note"], m["note"]);
    // The participant remembers the meeting.
    let anna = db.json(&["participant", "show", "Anna Kowalska", "--json"]);
    assert_eq!(anna["meetings_attended"][0]["meeting"], m["id"]);
    assert_eq!(anna["meetings_attended"][0]["date"], "2025-03-04");
}

#[test]
fn followups_list_and_done_undo() {
    // On a fixed day, so that the follow-up due 2099-12-01 is never overdue.
    let db = with_people(Db::on("2026-12-03"));
    db.add(&[
        "meeting",
        "add",
        "--type",
        "individual",
        "--date",
        "2025-05-06",
        "--with",
        "Jan Źdźbło",
        "--follow-up",
        "Wysłać wniosek",
        "--due",
        "2099-12-01",
        "--follow-up",
        "Oddzwonić",
    ]);
    let open = db.json(&["followups", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 2, "{open}");
    let first = with_field(&open, "text", "Wysłać wniosek")[0];
    assert_eq!(first["due"], "2099-12-01");
    assert_eq!(first["done"], false);
    assert_eq!(first["overdue"], false);
    let fid = first["id"].as_str().unwrap()[..8].to_string();
    let table = db.ok(&["followups"]);
    assert!(table.contains("Wysłać wniosek") && table.contains(&fid), "{table}");

    let out = db.ok(&["followup", "done", &fid]);
    assert!(out.contains(&fid), "{out}");
    let open = db.json(&["followups", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["text"], "Oddzwonić");
    let all = db.json(&["followups", "--all", "--json"]);
    assert_eq!(with_field(&all, "text", "Wysłać wniosek")[0]["done"], true);
    let meeting = &db.json(&["meeting", "list", "--json"])[0];
    assert_eq!(with_field(&meeting["followups"], "text", "Wysłać wniosek")[0]["done"], true);

    db.ok(&["followup", "undo", &fid]);
    let open = db.json(&["followups", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 2);
    assert_eq!(with_field(&open, "text", "Wysłać wniosek")[0]["done"], false);
}

#[test]
fn resources_and_needs_add_link_list() {
    let db = small();
    let rid = db.add(&[
        "resource",
        "add",
        "--name",
        "Świetlica wiejska",
        "--category",
        "places",
        "--place",
        "Ługi",
        "--contact",
        "Jan Źdźbło",
        "--description",
        "Sala na 40 osób",
    ]);
    let resources = db.json(&["resource", "list", "--json"]);
    assert_eq!(resources.as_array().unwrap().len(), 1);
    let r = &resources[0];
    assert!(r["id"].as_str().unwrap().starts_with(&rid));
    assert_eq!(r["category"], "places");
    assert_eq!(r["contact_name"], "Jan Źdźbło");
    // The gmina of Ługi is guessed from Anna Kowalska's record.
    assert_eq!(r["gmina"], "Dobiegniew");
    assert!(db.ok(&["resource", "list"]).contains("Świetlica wiejska"));

    let nid = db.add(&[
        "need",
        "add",
        "--description",
        "Brak miejsca na spotkania",
        "--place",
        "Ługi",
        "--category",
        "places",
    ]);
    let needs = db.json(&["need", "list", "--json"]);
    assert_eq!(needs[0]["resources"], serde_json::json!([]));
    assert_eq!(needs[0]["status"], "open");
    let out = db.ok(&["need", "link", &nid, "Świetlica wiejska"]);
    assert!(out.contains(&nid) && out.contains(&rid), "{out}");
    let needs = db.json(&["need", "list", "--json"]);
    assert_eq!(needs.as_array().unwrap().len(), 1);
    assert_eq!(needs[0]["resources"], serde_json::json!([r["id"]]));
    assert!(db.ok(&["need", "list"]).contains("Brak miejsca na spotkania"));
}

#[test]
fn partnerships_and_relations_add_list() {
    let db = small();
    let pid = db.add(&[
        "partnership",
        "add",
        "--name",
        "Partnerstwo Ługi",
        "--leader",
        "Stowarzyszenie Łąka",
        "--member",
        "Jan Źdźbło",
        "--member",
        "Anna Kowalska",
        "--started",
        "2025-01-10",
        "--goals",
        "Świetlica otwarta codziennie",
    ]);
    let list = db.json(&["partnership", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let p = &list[0];
    assert!(p["id"].as_str().unwrap().starts_with(&pid));
    assert_eq!(p["leader_name"], "Stowarzyszenie Łąka");
    assert_eq!(p["started"], "2025-01-10");
    let mut members: Vec<&str> = p["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    members.sort_unstable();
    assert_eq!(members, ["Anna Kowalska", "Jan Źdźbło", "Stowarzyszenie Łąka"]);
    assert!(db.ok(&["partnership", "list"]).contains("Partnerstwo Ługi"));

    let rid = db.add(&["relation", "add", "Jan Źdźbło", "Stowarzyszenie Łąka", "--type", "cooperates"]);
    let list = db.json(&["relation", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = &list[0];
    assert!(r["id"].as_str().unwrap().starts_with(&rid));
    assert_eq!(r["from_name"], "Jan Źdźbło");
    assert_eq!(r["to_name"], "Stowarzyszenie Łąka");
    assert_eq!(r["type"], "cooperates");
    let table = db.ok(&["relation", "list"]);
    assert!(table.contains("cooperates") && table.contains("Jan Źdźbło"), "{table}");
}

#[test]
fn dump_json_is_an_object_of_every_entity() {
    let db = Db::new();
    db.ok(&["demo", "--participants", "100"]);
    let dump: Value = serde_json::from_str(&db.dump()).unwrap();
    let obj = dump.as_object().unwrap();
    for key in ["participants", "meetings", "resources", "needs", "partnerships", "relations"] {
        let list = obj.get(key).unwrap_or_else(|| panic!("dump has no {key}"));
        assert!(!list.as_array().unwrap().is_empty(), "demo made no {key}");
    }
    // Follow-ups live inside their meetings.
    assert!(obj["meetings"].as_array().unwrap().iter().any(|m| !m["followups"].as_array().unwrap().is_empty()));
}

#[test]
fn completions_and_man_page() {
    let out = cli::command().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("teren") && text.contains("participant"), "{text}");
    let out = cli::command().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(".TH teren"), "not roff: {text}");
}

// 2. Ids by prefix, names for ids, ambiguous names.

#[test]
fn ids_by_unique_prefix_and_names_where_ids_are_expected() {
    let db = small();
    let id = db.add(&["participant", "add", "--name", "Krzysztof Żółw", "--place", "Ługi"]);
    assert_eq!(db.json(&["participant", "show", &id, "--json"])["name"], "Krzysztof Żółw");
    // The full id, with or without dashes, and a prefix of it in capitals.
    let full = db.json(&["participant", "show", &id, "--json"])["id"].as_str().unwrap().to_string();
    assert_eq!(db.json(&["participant", "show", &full, "--json"])["id"], full.as_str());
    let dashed = format!("{}-{}", &full[..8], &full[8..12]);
    assert_eq!(db.json(&["participant", "show", &dashed, "--json"])["id"], full.as_str());
    assert_eq!(db.json(&["participant", "show", &id.to_uppercase(), "--json"])["id"], full.as_str());

    // A unique name, with or without diacritics and capitals.
    assert_eq!(db.json(&["participant", "show", "Krzysztof Żółw", "--json"])["id"], full.as_str());
    assert_eq!(db.json(&["participant", "show", "krzysztof zolw", "--json"])["id"], full.as_str());
    db.ok(&["participant", "edit", "Krzysztof Żółw", "--set", "note=przez nazwę"]);
    assert_eq!(db.json(&["participant", "show", &id, "--json"])["note"], "przez nazwę");

    // Names and prefixes mixed in one meeting.
    let mid =
        db.add(&["meeting", "add", "--type", "advice", "--date", "2025-02-03", "--with", &id, "--with", "Jan Źdźbło"]);
    let m = db.json(&["meeting", "show", &mid, "--json"]);
    assert_eq!(m["attendees"].as_array().unwrap().len(), 2);
    db.ok(&["relation", "add", &id, "Stowarzyszenie Łąka", "--type", "knows"]);
    assert_eq!(db.json(&["relation", "list", "--json"])[0]["from"], full.as_str());
}

#[test]
fn an_ambiguous_name_lists_both_candidates() {
    let db = small();
    let first = db.json(&["participant", "show", "Anna Kowalska", "--json"])["id"].as_str().unwrap()[..8].to_string();
    let second = db.add(&["participant", "add", "--name", "Anna Kowalska", "--place", "Dobiegniew"]);
    let before = db.dump();
    for args in [
        &["participant", "show", "Anna Kowalska"][..],
        &["participant", "edit", "anna kowalska", "--set", "note=x"],
        &["meeting", "add", "--type", "group", "--with", "Anna Kowalska"],
    ] {
        let line = db.run(args).error_line(&format!("{args:?}"));
        assert!(line.contains(&first) && line.contains(&second), "{args:?}: both candidates in {line:?}");
        assert!(
            line.contains("Ługi") && line.contains("Dobiegniew"),
            "{args:?}: places help tell them apart: {line:?}"
        );
    }
    assert_eq!(db.dump(), before);
    // Either one is still reachable by its id.
    assert_eq!(db.json(&["participant", "show", &second, "--json"])["place"], "Dobiegniew");
}

#[test]
fn a_deleted_record_is_reachable_by_its_id_only_to_show_and_restore() {
    let db = small();
    let id = db.json(&["participant", "show", "Jan Źdźbło", "--json"])["id"].as_str().unwrap()[..8].to_string();
    db.ok(&["participant", "delete", &id]);
    let before = db.dump();
    for args in [
        &["meeting", "add", "--type", "group", "--with", &id][..],
        &["participant", "edit", &id, "--set", "note=x"],
        &["participant", "delete", &id],
        &["relation", "add", &id, "Anna Kowalska", "--type", "knows"],
        &["resource", "add", "--name", "Las", "--category", "heritage", "--contact", &id],
    ] {
        let line = db.run(args).error_line(&format!("{args:?} on a deleted participant"));
        assert!(line.contains(&id), "{line}");
    }
    assert_eq!(db.dump(), before);
    assert_eq!(db.json(&["participant", "show", &id, "--json"])["deleted"], true);
    db.ok(&["participant", "restore", &id]);
    db.add(&["meeting", "add", "--type", "group", "--with", &id]);
}

#[test]
fn deleting_a_meeting_takes_its_followups_off_the_list() {
    let db = small();
    let mid = db.add(&["meeting", "add", "--type", "group", "--with", "Jan Źdźbło", "--follow-up", "Zrobić zdjęcia"]);
    assert_eq!(db.json(&["followups", "--json"]).as_array().unwrap().len(), 1);
    db.ok(&["meeting", "delete", &mid]);
    assert_eq!(db.json(&["followups", "--json"]), serde_json::json!([]));
    assert_eq!(db.json(&["followups", "--all", "--json"]), serde_json::json!([]));
    assert!(!db.ok(&["followups"]).contains("Zrobić zdjęcia"));
    db.ok(&["meeting", "restore", &mid]);
    assert_eq!(db.json(&["followups", "--json"])[0]["text"], "Zrobić zdjęcia");
}

#[test]
fn teren_db_sets_the_database_and_db_overrides_it() {
    let (a, b) = (Db::new(), Db::new());
    let out =
        cli::command().env("TEREN_DB", a.path()).args(["participant", "add", "--name", "Ewa Nowak"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(names(&a.json(&["participant", "list", "--json"])), ["Ewa Nowak"]);
    let out = cli::command()
        .env("TEREN_DB", a.path())
        .arg("--db")
        .arg(b.path())
        .args(["participant", "add", "--name", "Jan Nowak"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(names(&a.json(&["participant", "list", "--json"])), ["Ewa Nowak"]);
    assert_eq!(names(&b.json(&["participant", "list", "--json"])), ["Jan Nowak"]);
}

// 3. Bad input changes nothing.

#[test]
fn bad_input_exits_1_with_one_line_and_changes_nothing() {
    let db = small();
    db.add(&["participant", "add", "--name", "Anna Kowalska", "--place", "Dobiegniew"]);
    let mid = db.add(&["meeting", "add", "--type", "group", "--date", "2025-01-02", "--with", "Jan Źdźbło"]);
    let cases: &[(&str, &[&str], &str)] = &[
        ("bad e-mail", &["participant", "add", "--name", "Ewa Nowak", "--email", "ewa-at-example"], "email"),
        ("bad phone", &["participant", "add", "--name", "Ewa Nowak", "--phone", "12 34"], "phone"),
        (
            "bad e-mail with a new organisation",
            &["participant", "add", "--name", "Ewa Nowak", "--org", "Fundacja Nowa", "--email", "x@"],
            "email",
        ),
        ("bad e-mail in --set", &["participant", "edit", "Jan Źdźbło", "--set", "email=nope"], "email"),
        (
            "bad date",
            &["meeting", "add", "--type", "group", "--date", "2024-13-45", "--with", "Jan Źdźbło"],
            "2024-13-45",
        ),
        ("hours 0", &["meeting", "add", "--type", "group", "--hours", "0", "--with", "Jan Źdźbło"], "hours"),
        (
            "bad due date of a follow-up",
            &["meeting", "add", "--type", "group", "--with", "Jan Źdźbło", "--follow-up", "x", "--due", "jutro"],
            "due",
        ),
        ("unknown category", &["participant", "add", "--name", "Ewa Nowak", "--category", "kosmos"], "kosmos"),
        ("unknown meeting type", &["meeting", "add", "--type", "party", "--with", "Jan Źdźbło"], "party"),
        ("unknown resource category", &["resource", "add", "--name", "Las", "--category", "trees"], "trees"),
        ("unknown field in --set", &["participant", "edit", "Jan Źdźbło", "--set", "shoe=42"], "shoe"),
        ("--set without =", &["participant", "edit", "Jan Źdźbło", "--set", "note"], "FIELD=VALUE"),
        ("ambiguous name", &["participant", "delete", "Anna Kowalska"], "Anna Kowalska"),
        ("ambiguous attendee", &["meeting", "add", "--type", "group", "--with", "Anna Kowalska"], "Anna Kowalska"),
        ("nonexistent id", &["participant", "show", "deadbeef"], "deadbeef"),
        ("nonexistent id to edit", &["participant", "edit", "deadbeef", "--set", "note=x"], "deadbeef"),
        ("nonexistent id to delete", &["meeting", "delete", "deadbeef"], "deadbeef"),
        ("nonexistent attendee", &["meeting", "add", "--type", "group", "--with", "Nikt Taki"], "Nikt Taki"),
        ("nonexistent follow-up", &["followup", "done", "deadbeef"], "deadbeef"),
        ("nonexistent resource", &["need", "link", "deadbeef", "cafebabe"], "deadbeef"),
        ("relation to nobody", &["relation", "add", "Jan Źdźbło", "Nikt Taki", "--type", "knows"], "Nikt Taki"),
        ("unknown relation type", &["relation", "add", "Jan Źdźbło", "Stowarzyszenie Łąka", "--type", "x"], "type"),
        ("bad hours in --set", &["meeting", "edit", &mid, "--set", "hours=-1"], "hours"),
        ("empty name in --set", &["participant", "edit", "Jan Źdźbło", "--set", "name= "], "name"),
        ("--due without --follow-up", &["meeting", "add", "--type", "group", "--due", "2026-01-01"], "--due"),
    ];
    let before = db.dump();
    for (what, args, mention) in cases {
        let line = db.run(args).error_line(what);
        assert!(line.contains(mention), "{what}: error should mention {mention:?}: {line:?}");
        assert_eq!(db.dump(), before, "{what}: the database changed");
    }
}

#[test]
fn bad_usage_exits_2_and_changes_nothing() {
    let db = small();
    let before = db.dump();
    for args in [
        &["participant", "list", "--no-such-flag"][..],
        &["participant", "add"],
        &["meeting", "frobnicate"],
        &["completions", "tcsh-xyz"],
    ] {
        let r = db.run(args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(!r.stderr.is_empty(), "{args:?}: usage errors say something");
    }
    assert_eq!(db.dump(), before);
}

// 4. Rebuilding the tables from the log.

#[test]
fn doctor_rebuild_keeps_the_dump_identical() {
    let db = Db::new();
    db.ok(&["demo", "--participants", "300", "--seed", "3"]);
    // Edits, deletes and restores on top, so the log holds more than creations.
    let id = db.add(&["participant", "add", "--name", "Jan Źdźbło", "--place", "Łódź", "--note", "pierwsza"]);
    db.ok(&["participant", "edit", &id, "--set", "note=druga", "--set", "tags=a,b"]);
    db.ok(&["participant", "edit", &id, "--set", "tags=b,c"]);
    let mid = db.add(&["meeting", "add", "--type", "forum", "--date", "2025-09-09", "--with", &id]);
    db.ok(&["meeting", "delete", &mid]);
    db.ok(&["participant", "delete", &id]);
    db.ok(&["participant", "restore", &id]);

    let before = db.dump();
    let out = db.ok(&["doctor"]);
    assert!(out.contains("ok: the tables agree with the log"), "{out}");
    let out = db.ok(&["doctor", "--rebuild"]);
    assert!(out.contains("rebuilt the tables from"), "{out}");
    assert!(out.contains("ok: the tables agree with the log"), "{out}");
    assert_eq!(db.dump(), before);
    // Lists, which read the indexes, still agree with the dump.
    let live: Vec<Value> = serde_json::from_str::<Value>(&before).unwrap()["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("deleted").is_none())
        .cloned()
        .collect();
    assert_eq!(db.json(&["participant", "list", "--json"]).as_array().unwrap().len(), live.len());
    let run = db.run(&["doctor"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("ok"), "{run:?}");
}

// 5. Two processes on one file.

#[test]
fn a_second_process_is_refused_while_the_database_is_open() {
    let db = small();
    let before = db.dump();
    {
        let _held = teren::store::Store::open(db.path()).unwrap();
        for args in [&["participant", "list"][..], &["participant", "add", "--name", "Ewa Nowak"], &["doctor"]] {
            let r = db.run(args);
            let line = r.error_line(&format!("{args:?} while the database is open"));
            assert!(line.contains("database is in use by another teren process"), "{line}");
        }
    }
    // Once the other one has closed it, the database is usable and unchanged.
    assert_eq!(db.dump(), before);
}

// 6. A database from a newer teren.

#[test]
fn a_database_from_a_newer_schema_is_refused() {
    const META: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    let db = small();
    {
        let raw = redb::Database::create(db.path()).unwrap();
        let tx = raw.begin_write().unwrap();
        tx.open_table(META).unwrap().insert("schema", 999u32.to_le_bytes().as_slice()).unwrap();
        tx.commit().unwrap();
    }
    for args in [&["participant", "list"][..], &["dump", "--json"], &["participant", "add", "--name", "Ewa Nowak"]] {
        let line = db.run(args).error_line(&format!("{args:?} on a newer database"));
        assert!(line.contains("newer teren"), "{line}");
    }
    // The newer database was not touched: its schema is still the newer one.
    let raw = redb::Database::create(db.path()).unwrap();
    let tx = redb::ReadableDatabase::begin_read(&raw).unwrap();
    let meta = tx.open_table(META).unwrap();
    assert_eq!(meta.get("schema").unwrap().unwrap().value(), 999u32.to_le_bytes().as_slice());
}

/// A database of the previous schema is upgraded at its first open, with a line on
/// stderr first (a big one takes a while); the next open says nothing.
#[test]
fn an_older_database_is_upgraded_once_with_a_notice() {
    const META: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    let db = small();
    let before = db.dump();
    {
        let raw = redb::Database::create(db.path()).unwrap();
        let tx = raw.begin_write().unwrap();
        tx.open_table(META).unwrap().insert("schema", 3u32.to_le_bytes().as_slice()).unwrap();
        tx.commit().unwrap();
    }
    let first = db.run(&["participant", "list"]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(first.stderr.contains(teren::cli::UPGRADING), "{}", first.stderr);
    let again = db.run(&["participant", "list"]);
    assert!(again.stderr.is_empty(), "{}", again.stderr);
    assert_eq!(db.dump(), before);
}

// 7. Where no database can be.

#[test]
fn a_missing_or_unwritable_directory_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let not_redb = dir.path().join("notes.txt");
    std::fs::write(&not_redb, "hello, this is not a database").unwrap();
    let under_file = file.join("x.redb");
    for path in [std::path::Path::new("/proc/teren-nope/x.redb"), under_file.as_path(), not_redb.as_path()] {
        let r = Db::at(path).run(&["participant", "list"]);
        let line = r.error_line(&format!("--db {}", path.display()));
        assert!(line.contains(&*path.parent().unwrap().to_string_lossy()), "{line}");
    }
    assert!(!under_file.exists());
    assert_eq!(std::fs::read_to_string(&not_redb).unwrap(), "hello, this is not a database");
}

// 8. Killed in the middle of writing.

/// After a kill, the database opens, its log and tables agree and the dump parses.
fn assert_consistent(db: &Db) {
    let r = db.run(&["doctor"]);
    assert_eq!(r.code, Some(0), "doctor after a kill: {r:?}");
    assert!(r.stdout.contains("ok: the tables agree with the log"), "{r:?}");
    db.dump();
    let store = teren::store::Store::open(db.path()).unwrap();
    assert_eq!(store.verify().unwrap(), Vec::<String>::new());
}

/// Runs `demo --participants 20000` and kills it once the file has grown past
/// `bytes` (or not at all, if it finished first).
fn demo_killed_past(bytes: u64) -> Db {
    let db = Db::new();
    let mut child = db.spawn(&["demo", "--participants", "20000"]);
    loop {
        let size = std::fs::metadata(db.path()).map(|m| m.len()).unwrap_or(0);
        if size > bytes || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // It may have finished already; then there is nothing to kill and that is fine.
    let _ = child.kill();
    child.wait().unwrap();
    db
}

#[test]
fn a_demo_killed_mid_write_leaves_a_consistent_database() {
    // An empty database is well under 1 MB, so past that the first batch is being
    // written; the demo's file passes 30 MB after it has committed some.
    for bytes in [1_000_000, 30_000_000] {
        let db = demo_killed_past(bytes);
        assert_consistent(&db);
        // Whatever was committed is whole: every participant has a name, every
        // attendee is a participant.
        let dump: Value = serde_json::from_str(&db.dump()).unwrap();
        let ids: std::collections::HashSet<&str> =
            dump["participants"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert!(
            dump["participants"].as_array().unwrap().iter().all(|p| p["name"].as_str().is_some_and(|n| !n.is_empty()))
        );
        for m in dump["meetings"].as_array().unwrap() {
            for a in m["attendees"].as_array().unwrap() {
                assert!(ids.contains(a["id"].as_str().unwrap()), "attendee {a} of {} is missing", m["id"]);
            }
        }
        // And the database takes writes again.
        db.add(&["participant", "add", "--name", "Ewa Nowak"]);
        assert_consistent(&db);
    }
}

#[test]
fn a_burst_of_writes_with_kills_leaves_a_consistent_database() {
    let db = small();
    let mut kept = Vec::new();
    for i in 0..12u32 {
        let name = format!("Seria {i}");
        let mut child = db.spawn(&["participant", "add", "--name", &name, "--org", &format!("Fundacja Seria {i}")]);
        if i % 3 == 1 {
            // Killed at whatever point it has reached: before opening, mid-commit or done.
            std::thread::sleep(Duration::from_millis(u64::from(i)));
            let _ = child.kill();
            child.wait().unwrap();
        } else {
            assert!(child.wait().unwrap().success(), "{name}");
            kept.push(name);
        }
    }
    assert_consistent(&db);
    let all = db.json(&["participant", "list", "--json"]);
    for name in &kept {
        assert_eq!(with_field(&all, "name", name).len(), 1, "{name} was committed");
    }
    // A killed add is all or nothing: the person and their new organisation together.
    for i in (0..12u32).filter(|i| i % 3 == 1) {
        let person = with_field(&all, "name", &format!("Seria {i}")).len();
        let org = with_field(&all, "name", &format!("Fundacja Seria {i}")).len();
        assert_eq!(person, org, "Seria {i}: person and organisation are written together");
    }
}

// 9. The demo is reproducible.

#[test]
fn the_same_demo_seed_gives_the_same_dump() {
    let (a, b, c) = (Db::new(), Db::new(), Db::new());
    a.ok(&["demo", "--participants", "300", "--seed", "7"]);
    b.ok(&["demo", "--participants", "300", "--seed", "7"]);
    c.ok(&["demo", "--participants", "300", "--seed", "8"]);
    let dump = a.dump();
    assert_eq!(dump, b.dump(), "seed 7 twice");
    assert_ne!(dump, c.dump(), "seeds 7 and 8");
}

// 9. Journals an older teren left beside the database (src/store/legacy.rs).

/// A journal as teren 0.1 wrote it: a header saying where the ring starts, then one
/// record per commit (its page writes and the file's length), each hashed.
/// One old journal record: the database file's length, and (offset, bytes) writes.
type OldRecord = (u64, Vec<(u64, Vec<u8>)>);

fn old_journal(records: &[OldRecord]) -> Vec<u8> {
    const BLOCK: usize = 4096;
    let mut out = vec![0u8; BLOCK];
    out[..8].copy_from_slice(b"terenJ02");
    out[8..16].copy_from_slice(&(BLOCK as u64).to_le_bytes());
    out[16..24].copy_from_slice(&7u64.to_le_bytes());
    let hash = blake3::hash(&out[..24]);
    out[24..56].copy_from_slice(hash.as_bytes());
    for (i, (len, writes)) in records.iter().enumerate() {
        let body: usize = writes.iter().map(|(_, d)| 12 + d.len()).sum();
        let mut r = b"terenR02".to_vec();
        r.extend_from_slice(&(7 + i as u64).to_le_bytes());
        r.extend_from_slice(&len.to_le_bytes());
        r.extend_from_slice(&(writes.len() as u32).to_le_bytes());
        r.extend_from_slice(&(body as u64).to_le_bytes());
        for (offset, data) in writes {
            r.extend_from_slice(&offset.to_le_bytes());
            r.extend_from_slice(&(data.len() as u32).to_le_bytes());
            r.extend_from_slice(data);
        }
        let hash = blake3::hash(&r);
        r.extend_from_slice(hash.as_bytes());
        r.resize(r.len().div_ceil(BLOCK) * BLOCK, 0);
        out.extend_from_slice(&r);
    }
    out
}

/// The pages that differ from `old` to `new`, as one journal record.
fn page_diff(old: &[u8], new: &[u8]) -> OldRecord {
    let writes = new
        .chunks(4096)
        .enumerate()
        .filter(|(i, page)| old.get(i * 4096..i * 4096 + page.len()) != Some(*page))
        .map(|(i, page)| ((i * 4096) as u64, page.to_vec()))
        .collect();
    (new.len() as u64, writes)
}

/// A database and a journal of three saves (people added) that its file lacks, as the
/// old app left them when it was killed. Returns the database (without the saves).
fn with_old_journal(names: &[&str; 3]) -> Db {
    let db = small();
    let mut snapshots = vec![std::fs::read(db.path()).unwrap()];
    for name in names {
        db.add(&["participant", "add", "--name", name]);
        snapshots.push(std::fs::read(db.path()).unwrap());
    }
    let records: Vec<_> = snapshots.windows(2).map(|w| page_diff(&w[0], &w[1])).collect();
    std::fs::write(db.path(), &snapshots[0]).unwrap();
    std::fs::write(teren::store::legacy::path_for(db.path()), old_journal(&records)).unwrap();
    db
}

#[test]
fn an_old_journal_with_saves_stops_every_open_until_doctor_recovers_it() {
    let db = with_old_journal(&["Halina Świątek", "Roman Żuk", "Ola Łęcka"]);
    let journal = teren::store::legacy::path_for(db.path());
    let (file, log) = (std::fs::read(db.path()).unwrap(), std::fs::read(&journal).unwrap());
    for args in [&["participant", "list"][..], &["doctor"], &["participant", "add", "--name", "Ewa Nowak"]] {
        let line = db.run(args).error_line(&format!("{args:?} beside an old journal"));
        assert!(line.contains("3 save(s)") && line.contains("teren doctor --journal"), "{line}");
    }
    // Both files untouched.
    assert_eq!(std::fs::read(db.path()).unwrap(), file);
    assert_eq!(std::fs::read(&journal).unwrap(), log);

    let out = db.ok(&["doctor", "--journal"]);
    assert!(out.contains("recovered 3 save(s)"), "{out}");
    let listed = db.json(&["participant", "list", "--json"]);
    for name in ["Halina Świątek", "Roman Żuk", "Ola Łęcka", "Jan Źdźbło"] {
        assert!(names(&listed).contains(&name), "{name} missing: {listed:#}");
    }
    assert!(db.ok(&["doctor"]).contains("ok: the tables agree with the log"));
    // The database as it was, and its journal, kept side by side.
    let before = teren::store::legacy::before_path(db.path());
    assert_eq!(std::fs::read(&before).unwrap(), file);
    assert_eq!(std::fs::read(teren::store::legacy::path_for(&before)).unwrap(), log);
    assert!(!journal.exists());
    // Nothing left to do.
    assert!(db.ok(&["doctor", "--journal"]).contains("nothing to recover"));
}

#[test]
fn a_database_that_only_its_old_journal_makes_whole_is_recovered() {
    // Killed mid-checkpoint: the file's first page (redb's header) is not valid alone.
    let db = with_old_journal(&["Halina Świątek", "Roman Żuk", "Ola Łęcka"]);
    let mut file = std::fs::read(db.path()).unwrap();
    file[..4096].fill(0);
    std::fs::write(db.path(), &file).unwrap();
    let out = db.ok(&["doctor", "--journal"]);
    assert!(out.contains("recovered 3 save(s)"), "{out}");
    assert_eq!(names(&db.json(&["participant", "list", "--json"])).len(), 6);

    // Neither alone nor with the journal: both files are left as they were.
    let db = with_old_journal(&["Halina Świątek", "Roman Żuk", "Ola Łęcka"]);
    let journal = teren::store::legacy::path_for(db.path());
    let mut log = std::fs::read(&journal).unwrap();
    let mut file = std::fs::read(db.path()).unwrap();
    file[..4096].fill(0);
    std::fs::write(db.path(), &file).unwrap();
    log.truncate(4096);
    log.resize(3 * 4096, 0);
    // One damaged record of the sequence the header expects.
    log[4096..4104].copy_from_slice(b"terenR02");
    log[4104..4112].copy_from_slice(&7u64.to_le_bytes());
    std::fs::write(&journal, &log).unwrap();
    let line = db.run(&["doctor", "--journal"]).error_line("a database beyond its journal");
    assert!(line.contains("both files are left as they were"), "{line}");
    assert_eq!(std::fs::read(db.path()).unwrap(), file);
    assert_eq!(std::fs::read(&journal).unwrap(), log);
}

#[test]
fn another_databases_journal_is_never_applied() {
    let theirs = with_old_journal(&["Halina Świątek", "Roman Żuk", "Ola Łęcka"]);
    let ours = Db::new();
    ours.ok(&["demo", "--participants", "120"]);
    let before = ours.dump();
    let file = std::fs::read(ours.path()).unwrap();
    let journal = teren::store::legacy::path_for(ours.path());
    std::fs::copy(teren::store::legacy::path_for(theirs.path()), &journal).unwrap();
    ours.run(&["participant", "list"]).error_line("beside a stray journal");
    assert_eq!(std::fs::read(ours.path()).unwrap(), file);

    let line = ours.run(&["doctor", "--journal"]).error_line("doctor --journal with a stray journal");
    assert!(line.contains("does not fit"), "{line}");
    assert_eq!(std::fs::read(ours.path()).unwrap(), file, "the database was changed");
    assert!(!journal.exists() && teren::store::legacy::rejected_path(ours.path()).exists());
    // The database opens without it, as it was.
    assert_eq!(ours.dump(), before);
}

#[test]
fn a_damaged_old_journal_gives_back_what_it_can_and_says_what_it_could_not() {
    let db = with_old_journal(&["Halina Świątek", "Roman Żuk", "Ola Łęcka"]);
    let journal = teren::store::legacy::path_for(db.path());
    let mut bytes = std::fs::read(&journal).unwrap();
    // One byte of the second record flipped.
    let second = teren::store::legacy::read(&bytes).whole[0].writes.iter().map(|(_, d)| 12 + d.len()).sum::<usize>();
    let at = 4096 + (36 + second + 32).div_ceil(4096) * 4096 + 100;
    bytes[at] ^= 0x55;
    std::fs::write(&journal, &bytes).unwrap();
    let line = db.run(&["participant", "list"]).error_line("beside a damaged journal");
    assert!(line.contains("3 save(s)"), "{line}");
    let out = db.ok(&["doctor", "--journal"]);
    assert!(out.contains("recovered 1 save(s)") && out.contains("2 more save(s)"), "{out}");
    let listed = db.json(&["participant", "list", "--json"]);
    assert!(names(&listed).contains(&"Halina Świątek") && !names(&listed).contains(&"Roman Żuk"), "{listed:#}");
    assert!(db.ok(&["doctor"]).contains("ok"));

    // A damaged header: nothing can be placed in order, and nothing is lost in silence.
    let db = with_old_journal(&["Halina Świątek", "Roman Żuk", "Ola Łęcka"]);
    let journal = teren::store::legacy::path_for(db.path());
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes[9] ^= 1;
    std::fs::write(&journal, &bytes).unwrap();
    let line = db.run(&["participant", "list"]).error_line("beside a journal with a damaged header");
    assert!(line.contains("3 save(s)"), "{line}");
}

#[test]
fn an_empty_old_journal_is_deleted_and_the_database_opens() {
    let db = small();
    let journal = teren::store::legacy::path_for(db.path());
    let mut released = old_journal(&[]);
    released.resize(8 << 20, 0);
    std::fs::write(&journal, released).unwrap();
    assert_eq!(names(&db.json(&["participant", "list", "--json"])).len(), 3);
    assert!(!journal.exists());
}

// 10. Files only their owner can read, and a backup safe while the app writes.

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_are_private_even_with_umask_022() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dane").join("teren.redb");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("umask 022; exec '{}' --db '{}' participant add --name 'Ewa Nowak'", cli::bin(), db.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    assert_eq!(mode(&db), 0o600);

    // A database made readable by others is made private again, with one notice.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = Db::at(&db).run(&["participant", "list"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("readable by you only"), "{r:?}");
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn backup_is_a_checked_copy_even_while_the_database_is_written() {
    let db = Db::new();
    db.ok(&["demo", "--participants", "300"]);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("kopia.redb");
    // The audit log (local, not in `dump`) is copied too.
    let someone = db.json(&["participant", "list", "--json"])[0]["id"].as_str().unwrap().to_string();
    db.ok(&["erase", &someone]);
    let out = db.ok(&["backup", copy.to_str().unwrap()]);
    assert!(out.starts_with("backup: ") && out.contains("checked"), "{out}");
    let copy_db = Db::at(&copy);
    assert_eq!(copy_db.ok(&["dump", "--json"]), db.dump());
    assert_eq!(copy_db.ok(&["audit", "--json"]), db.ok(&["audit", "--json"]));
    // Never over an existing file.
    let line = db.run(&["backup", copy.to_str().unwrap()]).error_line("backup over a file");
    assert!(line.contains("already there"), "{line}");
    // Nor into a folder that is not there.
    let nowhere = dir.path().join("pendrive").join("kopia.redb");
    let line = db.run(&["backup", nowhere.to_str().unwrap()]).error_line("backup into a missing folder");
    assert!(line.contains("no such folder"), "{line}");

    // While another teren (the app, here a thread of this test) holds the database and
    // saves, one after another.
    let store = teren::store::Store::open_app(db.path()).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let saver = s.spawn(|| {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let name = format!("Zapisana Osoba {n}");
                teren::edit::create(&store, teren::model::Entity::Participant, &[("name".into(), name)]).unwrap();
                n += 1;
            }
            n
        });
        for i in 0..3 {
            let into = dir.path().join(format!("w-trakcie-{i}.redb"));
            let out = db.ok(&["backup", into.to_str().unwrap()]);
            assert!(out.contains("checked"), "{out}");
            let r = Db::at(&into).run(&["doctor"]);
            assert!(r.stdout.contains("ok: the tables agree with the log"), "{r:?}");
        }
        // A folder: a dated name inside it.
        let out = db.ok(&["backup", dir.path().to_str().unwrap()]);
        assert!(out.contains("teren-backup-"), "{out}");
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(saver.join().unwrap() > 0);
    });
}

// 11. Erased means gone from the file (RODO).

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn after_erase_no_byte_of_the_person_is_left_in_the_file() {
    let db = Db::new();
    db.ok(&["demo", "--participants", "300"]);
    let (name, phone, email) = ("Zofia Unikatowa-Przykład", "+48 600 123 457", "zofia.unikatowa@example.pl");
    let id = db.add(&["participant", "add", "--name", name, "--phone", phone, "--email", email, "--place", "Ługi"]);
    // Edited a few times: old values sit in the log and in pages freed since.
    db.ok(&["participant", "edit", &id, "--set", "note=Dzwonić po 16:00 (uwaga-7731), Zofia Unikatowa-Przykład"]);
    db.ok(&["participant", "edit", &id, "--set", "phone=+48 600 123 458"]);
    let file = std::fs::read(db.path()).unwrap();
    assert!(contains(&file, name) && contains(&file, email), "the test's values are not in the file to begin with");
    let out = db.ok(&["erase", &id]);
    assert!(out.contains("rewrote the database file"), "{out}");
    let file = std::fs::read(db.path()).unwrap();
    for value in [name, phone, "+48 600 123 458", email, "uwaga-7731"] {
        assert!(!contains(&file, value), "{value:?} is still in the database file");
    }
    assert!(db.ok(&["doctor"]).contains("ok"));
    assert_eq!(db.json(&["audit", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn an_op_on_an_erased_person_that_waits_for_its_predecessor_waits_redacted() {
    use teren::model::Entity;
    use teren::store::{Draft, Store};
    use teren::sync::{Change, Value};
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = (dir.path().join("x.redb"), dir.path().join("y.redb"));
    let x = Store::open(&x).unwrap();
    let person = teren::edit::create(&x, Entity::Participant, &[("name".into(), "Zofia Unikatowa".into())]).unwrap();
    let first = x.ops_since(&Default::default()).unwrap();
    let set =
        |field: &str, v: &str| Draft::new(Entity::Participant, person, vec![Change::set(field, Value::Str(v.into()))]);
    x.commit(vec![set("phone", "+48 600 999 001")]).unwrap();
    let third = x.commit(vec![set("email", "czeka.w.kolejce@example.pl")]).unwrap();
    let ys = Store::open(&y).unwrap();
    ys.apply_remote(&first).unwrap();
    teren::report::privacy::erase(&ys, person).unwrap();
    // The third op comes before the second: it waits, and must wait redacted.
    ys.apply_remote(&third).unwrap();
    assert_eq!(ys.log_len().unwrap().1, 1, "the op should be waiting");
    drop(ys);
    teren::store::scrub(&y).unwrap();
    assert!(!contains(&std::fs::read(&y).unwrap(), "czeka.w.kolejce"), "a waiting op kept the erased e-mail");
}
