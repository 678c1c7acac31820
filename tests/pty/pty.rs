#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end: the real binary in a pseudo-terminal, driven by key bytes, its screen
//! read back through a vt100 parser.

use crate::support::cli::Db;
use crate::support::pty::*;
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn add_participant_by_keyboard_then_list_it() {
    let (_dir, db) = demo_db();
    let mut s = Session::open(&db);
    s.send(b"a");
    s.wait_for("the add form", |t| t.contains("Nowy uczestnik"));
    s.send("Zenon Źdźbłowski".as_bytes());
    s.wait_for("the typed name", |t| t.contains("Zenon Źdźbłowski"));
    s.send(b"\tpes");
    s.send(&[0x13]); // Ctrl-S
    s.wait_for("the form to close", |t| !t.contains("Nowy uczestnik"));
    s.quit();

    let list = Db::at(&db).json(&["participant", "list", "--json", "--search", "zdzblowski"]);
    let found = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Zenon Źdźbłowski")
        .unwrap_or_else(|| panic!("not found in {list:#}"));
    assert_eq!(found["category"], "pes");
}

#[test]
fn help_opens_and_closes() {
    let (_dir, db) = demo_db();
    let mut s = Session::open(&db);
    s.send(b"?");
    // "? Pomoc" is also a hint on the status line: look for the overlay's own text.
    s.wait_for("the help overlay", |t| t.contains("Pomoc") && t.contains("Pomoc: wszystkie klawisze"));
    s.send(b"\x1b");
    // Esc and q sent together would read as Alt-q: wait for the overlay to go.
    s.wait_for("the help overlay to close", |t| !t.contains("Pomoc: wszystkie klawisze"));
    s.quit();
}

/// The meeting whose note is `note`, as `teren meeting list --json` prints it.
fn meeting_with_note(db: &Path, note: &str) -> Option<serde_json::Value> {
    let list = Db::at(db).json(&["meeting", "list", "--json"]);
    list.as_array().unwrap().iter().find(|m| m["note"] == note).cloned()
}

/// Names of participants of the demo database, from the command line.
fn participant_names(db: &Path) -> Vec<String> {
    let list = Db::at(db).json(&["participant", "list", "--json"]);
    list.as_array().unwrap().iter().filter_map(|p| p["name"].as_str().map(str::to_string)).collect()
}

#[test]
fn quick_capture_two_attendees_note_and_follow_up_then_cli_shows_it() {
    let (_dir, db) = demo_db();
    // Two people with unique names, picked by typing their names without Polish letters.
    let names = participant_names(&db);
    let unique: Vec<&String> =
        names.iter().filter(|n| names.iter().filter(|m| m == n).count() == 1 && n.contains(' ')).take(2).collect();
    let mut s = Session::open(&db);
    s.open_capture();
    for name in &unique {
        s.send(teren::search::fold(name).as_bytes());
        s.wait_for("the person among the candidates", |t| t.contains(name.as_str()));
        s.send(b"\r");
        let chip = format!("[{name}]");
        s.wait_for("the chip", |t| t.contains(&chip));
    }
    s.send(b"\r"); // empty search line: on to the notes
    s.send("Żółta łąka w Łącznicy — ściernisko.\r- [ ] zadzwonić do wójta @2026-12-01".as_bytes());
    s.wait_for("the typed note", |t| t.contains("zadzwonić do wójta"));
    s.send(&[0x13]); // Ctrl-S
    s.wait_for("the form to close", |t| !t.contains("Nowe spotkanie"));
    s.quit();

    let m = meeting_with_note(&db, "Żółta łąka w Łącznicy — ściernisko.").expect("the captured meeting is listed");
    let who: Vec<&str> = m["attendees"].as_array().unwrap().iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(who.len(), 2, "{m:#}");
    for name in &unique {
        assert!(who.contains(&name.as_str()), "{name} missing in {m:#}");
    }
    assert_eq!(m["followups"][0]["text"], "zadzwonić do wójta");
    assert_eq!(m["followups"][0]["due"], "2026-12-01");
    assert_eq!(m["followups"][0]["done"], false);
}

#[test]
fn capture_notes_go_through_the_editor_with_the_terminal_handed_over() {
    let (_dir, db) = demo_db();
    // The "editor" asks for a line on the terminal: it gets the keys only if the app's
    // input thread has let go of them.
    let editor = r#"sh -c 'printf "\nEDYTOR: wpisz\n" > /dev/tty; IFS= read -r line < /dev/tty; old=$(cat "$1"); printf "%s %s\n- [ ] zadzwonić do sołtysa\n" "$old" "$line" > "$1"' --"#;
    let mut s = Session::start_env(&db, &[("VISUAL", editor), ("EDITOR", editor)]);
    s.wait_participants();
    s.open_capture();
    s.send(b"\t"); // attendees -> notes
    s.send("Stara notatka.".as_bytes());
    s.wait_for("the typed note", |t| t.contains("Stara notatka."));
    s.send(&[0x05]); // Ctrl-E
    s.wait_for("the editor on the main screen", |t| t.contains("EDYTOR: wpisz"));
    s.send("zażółć gęślą\r".as_bytes());
    s.wait_for("the note back in the form", |t| {
        t.contains("Nowe spotkanie") && t.contains("Stara notatka. zażółć gęślą") && t.contains("zadzwonić do sołtysa")
    });
    s.send(&[0x13]); // Ctrl-S
    s.wait_for("the form to close", |t| !t.contains("Nowe spotkanie"));
    // Pane 2 loads in the background and selects the new meeting: its note in the panel.
    s.send(b"2");
    s.wait_for("the new meeting in pane 2", |t| t.contains("zażółć gęślą") && !t.contains("wczytywanie"));
    s.quit();
    let m = meeting_with_note(&db, "Stara notatka. zażółć gęślą").expect("the meeting is listed");
    assert_eq!(m["followups"][0]["text"], "zadzwonić do sołtysa");
}

fn modified(p: &Path) -> std::time::SystemTime {
    std::fs::metadata(p).and_then(|m| m.modified()).unwrap()
}

#[test]
fn killed_while_typing_a_note_the_draft_is_offered_at_the_next_start() {
    let (_dir, db) = demo_db();
    let mut s = Session::open(&db);
    s.open_capture();
    s.send(b"\r"); // to the notes
    let before = modified(&db);
    s.send("Notatka przerwana w pół".as_bytes());
    s.wait_for("the typed note", |t| t.contains("Notatka przerwana w pół"));
    // The pause in typing lets the draft reach the disk: the database changes.
    let deadline = Instant::now() + TIMEOUT;
    while modified(&db) == before {
        assert!(Instant::now() < deadline, "the draft was never written");
        std::thread::sleep(Duration::from_millis(20));
    }
    // More typing, then the app dies (SIGKILL) before the next pause.
    s.send(" zdania".as_bytes());
    s.kill_hard();
    drop(s);

    let mut s = Session::start(&db);
    s.wait_for("the draft offered", |t| t.contains("Niezapisana notatka") && t.contains("Notatka przerwana"));
    s.send(b"\r");
    s.wait_for("the resumed capture", |t| t.contains("Nowe spotkanie") && t.contains("Notatka przerwana w pół"));
    s.send(&[0x03]); // Ctrl-C: quit, the draft stays
    assert!(s.wait_exit(), "teren did not exit cleanly");
}

#[test]
fn a_saved_meeting_survives_the_app_killed_right_after() {
    let (_dir, db) = demo_db();
    let mut s = Session::open(&db);
    s.open_capture();
    s.send(b"\t"); // attendees -> notes
    s.send("Spotkanie w remizie, zapisane przed odcięciem prądu.".as_bytes());
    s.wait_for("the typed note", |t| t.contains("przed odcięciem"));
    s.send(&[0x13]); // Ctrl-S
    s.wait_for("the form to close", |t| !t.contains("Nowe spotkanie"));
    // The app dies without closing the database: redb repairs it at the next open.
    s.kill_hard();
    drop(s);
    assert!(
        meeting_with_note(&db, "Spotkanie w remizie, zapisane przed odcięciem prądu.").is_some(),
        "the saved meeting is lost"
    );
}

#[test]
fn graph_pane_computes_in_the_background_steps_a_month_and_quits_cleanly() {
    let (_dir, db) = demo_db();
    let mut s = Session::open(&db);
    s.send(b"4");
    s.wait_for("the graph pane with its metrics", |t| t.contains("sąsiedzi wg wagi") && !t.contains("liczę…"));
    s.send(b"[");
    s.wait_for("the graph a month back", |t| t.contains("stan na") && !t.contains("liczę…"));
    s.send(b"b");
    s.wait_for("bridges and isolated", |t| t.contains("Izolowani"));
    s.quit();
    // The database was closed cleanly: the command line opens it at once.
    Db::at(&db).json(&["graph", "--json"]);
}
