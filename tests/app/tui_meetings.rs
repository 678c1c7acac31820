#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The meetings pane's period and partnership filters, its background load, and the
//! capture form's follow-ups field and `$EDITOR` round trip: driven by keys on a demo
//! database in a temp dir, drawn at 80×24.

use crate::support::app::{
    Fixture, fixture, flat, focused_field, line_with, list_count, meeting, meetings, record, records,
};
use crossterm::event::KeyCode;
use std::collections::BTreeSet;
use teren::i18n::Lang;
use teren::model::{Entity, FollowUp, Id, Partnership};
use teren::tui::app::Request;

/// The meetings pane on the demo data, relative to the demo's own day.
fn pane() -> Fixture {
    let mut f = fixture(Lang::Pl);
    f.ch('2');
    let s = f.screen(80, 24);
    assert!(!s.contains("wczytywanie…") && list_count(&s).0 > 0, "{s}");
    f
}

fn open_capture(f: &mut Fixture) {
    f.ch('c');
    assert_eq!(f.popup(), Some("capture"));
}

/// The title of the list, where the filters are named.
fn title(f: &mut Fixture) -> String {
    f.screen(80, 24).lines().nth(1).unwrap().to_string()
}

fn followups_of(f: &Fixture, meeting: teren::model::Id) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = records(&f.store, Entity::FollowUp, FollowUp::from_doc)
        .into_iter()
        .filter(|x| x.meeting == Some(meeting))
        .map(|x| (x.text, x.due.map(|d| d.to_string())))
        .collect();
    out.sort();
    out
}

#[test]
fn period_filter_cycles_through_spans_and_projects() {
    let mut f = pane();
    let all = list_count(&f.screen(80, 24)).0;
    f.ch('d');
    assert!(title(&mut f).contains("[ten miesiąc]"), "{}", title(&mut f));
    f.ch('d');
    assert!(title(&mut f).contains("[3 miesiące]"), "{}", title(&mut f));
    // Three months back from the demo's day: the meetings of the store in that span.
    let (from, to) = ("2026-08-16", "2026-11-16");
    let listed: BTreeSet<Id> = f.listed().into_iter().collect();
    let within: BTreeSet<Id> = meetings(&f.store)
        .into_iter()
        .filter(|m| {
            !m.deleted && m.date.is_some_and(|d| from <= d.to_string().as_str() && d.to_string().as_str() <= to)
        })
        .map(|m| m.id)
        .collect();
    assert!(!listed.is_empty() && listed.len() < all, "{} of {all}", listed.len());
    assert_eq!(listed, within);
    f.code(KeyCode::Home);
    insta::assert_snapshot!("meetings_period", f.screen(80, 24));
    f.ch('d');
    assert!(title(&mut f).contains("[ten rok]"), "{}", title(&mut f));
    // Then the demo's project, with its dates in the title.
    f.ch('d');
    assert!(f.screen(80, 24).contains("[MAM – Mobilni Animatorzy]"));
    f.ch('d');
    assert!(!title(&mut f).contains('['), "{}", title(&mut f));
    assert_eq!(list_count(&f.screen(80, 24)).0, all);
    // The clear key drops it with the other filters.
    f.ch('d');
    f.ch('t');
    assert_eq!(title(&mut f).matches('[').count(), 2, "{}", title(&mut f));
    f.code(KeyCode::Esc);
    assert!(!title(&mut f).contains('['), "{}", title(&mut f));
    assert_eq!(list_count(&f.screen(80, 24)).0, all);
}

#[test]
fn partnership_filter_cycles_through_partnerships_with_meetings() {
    let mut f = pane();
    let all = list_count(&f.screen(80, 24)).0;
    // The partnerships that have meetings, from the store.
    let with_meetings: BTreeSet<Id> = meetings(&f.store).iter().filter_map(|m| m.partnership).collect();
    assert!(!with_meetings.is_empty(), "the demo has partnership meetings");
    let mut seen = BTreeSet::new();
    for step in 0..with_meetings.len() {
        f.ch('p');
        // Every meeting listed is of one partnership, named in the title.
        let listed = f.listed();
        assert!(!listed.is_empty() && listed.len() < all);
        let id = meeting(&f.store, listed[0]).partnership.expect("a partnership's meeting");
        assert!(listed.iter().all(|&m| meeting(&f.store, m).partnership == Some(id)));
        assert!(seen.insert(id), "{id} twice");
        f.code(KeyCode::Home);
        let screen = f.screen(80, 24);
        let name = record(&f.store, Entity::Partnership, id, Partnership::from_doc).name;
        let head: String = name.chars().take(20).collect();
        assert!(screen.contains(&format!("[partnerstwo: {head}")), "{screen}");
        if step == 0 {
            insta::assert_snapshot!("meetings_partnership", screen);
        }
    }
    assert_eq!(seen, with_meetings);
    f.ch('p');
    assert!(!title(&mut f).contains("[partnerstwo"), "{}", title(&mut f));
    assert_eq!(list_count(&f.screen(80, 24)).0, all);
    // Both filters at once, then one clear.
    f.ch('p');
    f.ch('d');
    f.ch('d');
    f.ch('d');
    assert!(list_count(&f.screen(80, 24)).0 <= all);
    assert!(title(&mut f).contains("[partnerstwo") && title(&mut f).contains("[ten rok]"), "{}", title(&mut f));
    f.code(KeyCode::Esc);
    assert!(!title(&mut f).contains('['), "{}", title(&mut f));
}

#[test]
fn capture_form_with_the_follow_ups_field_saves_both_kinds() {
    let mut f = fixture(Lang::Pl);
    let name = f.selected_name();
    open_capture(&mut f);
    f.typ(&teren::search::fold(&name));
    f.code(KeyCode::Enter);
    f.code(KeyCode::Enter); // empty search: on to the notes
    f.typ("Rada sołecka: świetlica potrzebuje nowego dachu.");
    f.code(KeyCode::Enter);
    f.typ("- [ ] zapytać o dotację @2026-12-10");
    f.code(KeyCode::Tab); // notes -> follow-ups
    assert!(focused_field(&f.screen(80, 24)).unwrap().starts_with("zadania "));
    f.typ("2026-12-05: wysłać zdjęcia dachu");
    f.code(KeyCode::Enter);
    f.typ("zadzwonić do sołtysa");
    insta::assert_snapshot!("capture_followups_field", f.screen(80, 24));
    // The draft keeps the field.
    let d = teren::capture::pending(&f.store).expect("draft written");
    assert_eq!(d.followups, "2026-12-05: wysłać zdjęcia dachu\nzadzwonić do sołtysa");
    // Up at the first line of the field goes back to the notes; Down at the notes' last line returns.
    f.code(KeyCode::Up);
    f.code(KeyCode::Up);
    assert!(focused_field(&f.screen(80, 24)).unwrap().starts_with("notatka "));
    f.code(KeyCode::Down);
    assert!(focused_field(&f.screen(80, 24)).unwrap().starts_with("zadania "));
    assert_eq!(f.ctrl('s'), Request::Reload);
    assert_eq!(f.popup(), None);
    assert!(teren::capture::pending(&f.store).is_none());
    f.ch('2');
    let m = meeting(&f.store, f.selected().expect("the new meeting is selected"));
    assert_eq!(m.note.as_deref(), Some("Rada sołecka: świetlica potrzebuje nowego dachu."));
    assert_eq!(
        followups_of(&f, m.id),
        vec![
            ("wysłać zdjęcia dachu".into(), Some("2026-12-05".into())),
            ("zadzwonić do sołtysa".into(), None),
            ("zapytać o dotację".into(), Some("2026-12-10".into())),
        ]
    );
}

#[test]
fn editor_round_trip_fills_the_notes_and_failures_leave_them() {
    let mut f = fixture(Lang::Pl);
    open_capture(&mut f);
    f.code(KeyCode::Tab); // attendees -> notes
    f.typ("stara notatka");
    // The key asks the loop for the editor; the loop then calls edit_externally.
    assert_eq!(f.ctrl('e'), Request::Editor);
    f.app.edit_externally(
        r#"sh -c 'test "$(cat "$1")" = "stara notatka" && printf "zażółć\n- [ ] zadzwonić\n" > "$1"' --"#,
    );
    // The form shows what the editor wrote; the draft holds it to the letter.
    let notes = |f: &mut Fixture| {
        let s = f.screen(80, 24);
        assert!(s.contains("│ zażółć ") && s.contains("│ - [ ] zadzwonić"), "{s}");
        assert_eq!(teren::capture::pending(&f.store).unwrap().notes, "zażółć\n- [ ] zadzwonić", "draft updated");
    };
    notes(&mut f);
    assert_eq!(f.status().as_deref(), Some("Notatka wczytana z edytora."));
    // An editor that cannot start, or that fails, leaves the notes as they were.
    f.app.edit_externally("/nonexistent/edytor");
    notes(&mut f);
    assert!(flat(&f.screen(160, 30)).contains("Nie można uruchomić edytora „/nonexistent/edytor”"));
    assert!(f.screen(80, 24).contains("Nie można uruchomić edytora"));
    f.app.edit_externally("false");
    assert!(flat(&f.screen(160, 30)).contains("zakończył się błędem"));
    notes(&mut f);
    // In the follow-ups field the editor edits that field.
    f.code(KeyCode::Tab);
    f.app.edit_externally(r#"sh -c 'printf "2026-12-01: plakat" > "$1"' --"#);
    assert!(f.screen(80, 24).contains("│ 2026-12-01: plakat"));
    assert_eq!(teren::capture::pending(&f.store).unwrap().followups, "2026-12-01: plakat");
    f.ctrl('s');
    f.ch('2');
    let id = f.selected().unwrap();
    assert_eq!(followups_of(&f, id), vec![("plakat".into(), Some("2026-12-01".into())), ("zadzwonić".into(), None)]);
}

/// The open follow-ups the selected row of the meetings list counts ("zad.").
fn open_on_selected_row(screen: &str) -> usize {
    let header = line_with(screen, "zad.");
    let col = header[..header.find("zad.").unwrap()].chars().count();
    let row = line_with(screen, "│> ");
    let cell: String = row.chars().skip(col).take(4).collect();
    cell.trim().parse().unwrap_or(0)
}

#[test]
fn the_meetings_pane_loads_off_the_ui_thread() {
    let mut f = fixture(Lang::Pl);
    f.key_only(KeyCode::Char('2'));
    // Switching asks for a load and shows "loading…" meanwhile; nothing was read yet.
    let mut first = f.take_jobs();
    assert_eq!(first.len(), 1, "a load is asked for");
    assert!(f.screen(80, 24).contains("wczytywanie…"));
    // Switching back and forth while it runs does not start another.
    f.key_only(KeyCode::Char('1'));
    f.key_only(KeyCode::Char('2'));
    assert!(f.take_jobs().is_empty());
    // The load runs on another thread, as the loop does it.
    let (s, job) = (f.store.clone(), first.remove(0));
    let result = std::thread::spawn(move || job.run_here(&s)).join().unwrap();
    f.app.job_done(result);
    let s = f.screen(80, 24);
    assert!(!s.contains("wczytywanie…"), "{s}");
    assert!(list_count(&s).0 > 10);
    // On a meeting with open follow-ups, `x` marks one done and reloads.
    f.key_only(KeyCode::Char('o'));
    let before = open_on_selected_row(&f.screen(80, 24));
    assert!(before > 0);
    f.key_only(KeyCode::Char('x'));
    assert_eq!(open_on_selected_row(&f.screen(80, 24)), before - 1, "shown before the reload arrives");
    let second = f.take_jobs();
    assert_eq!(second.len(), 1, "toggling reloads");
    // That load reads the data with the follow-up done…
    let stale: Vec<_> = second.into_iter().map(|j| j.run_here(&f.store)).collect();
    // …but toggling it back asks for a newer load: the older result is dropped when it
    // comes.
    f.key_only(KeyCode::Char('x'));
    assert_eq!(open_on_selected_row(&f.screen(80, 24)), before);
    let third = f.take_jobs();
    assert_eq!(third.len(), 1);
    for r in stale {
        f.app.job_done(r);
    }
    assert_eq!(open_on_selected_row(&f.screen(80, 24)), before, "the stale load was shown");
    for job in third {
        f.finish(job);
    }
    let s = f.screen(80, 24);
    assert!(!s.contains("wczytywanie…"));
    assert_eq!(open_on_selected_row(&s), before);
}

/// The names the capture form offers for what was typed, in order.
fn candidates(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines.iter().position(|l| l.contains("   szukaj ")).unwrap();
    lines[at + 1..]
        .iter()
        .map(|l| l.trim_matches('│').trim())
        .take_while(|l| !l.is_empty() && !l.starts_with("+ ") && !l.starts_with("notatka"))
        .map(|l| l.split("  ").next().unwrap().to_string())
        .collect()
}

/// The "done when" of the issue: a five-person meeting with notes and two follow-ups
/// by keyboard from a cold start, then found again by a word of the note.
#[test]
fn five_person_meeting_by_keyboard_then_found_by_a_word_of_the_note() {
    let mut f = fixture(Lang::Pl);
    let mut keys = 0usize;
    let mut typ = |f: &mut Fixture, s: &str| {
        keys += s.chars().count();
        f.typ(s);
    };
    // The first five on the list.
    let mut names = Vec::new();
    for _ in 0..5 {
        names.push(f.selected_name());
        f.code(KeyCode::Down);
    }
    f.code(KeyCode::Home);
    f.ch('c');
    for n in &names {
        // A surname's first letters, folded, then Enter on the first hit.
        let surname = n.split_whitespace().last().unwrap();
        let q: String = teren::search::fold(surname).chars().take(5).collect();
        typ(&mut f, &q);
        let hit = candidates(&f.screen(80, 24)).iter().position(|c| c == n);
        for _ in 0..hit.expect("the person is among the hits") {
            f.code(KeyCode::Down);
        }
        f.code(KeyCode::Enter);
    }
    assert!(f.screen(80, 24).contains("uczestnicy (5)"));
    f.code(KeyCode::Enter);
    typ(&mut f, "Spotkanie w remizie o festynie, plan na wiosnę.");
    f.code(KeyCode::Tab);
    typ(&mut f, "2026-12-01: zamówić namiot\nzapytać o scenę");
    assert!(keys < 400, "{keys} keys");
    f.ctrl('s');
    assert_eq!(f.popup(), None, "saved");
    f.ch('2');
    f.ch('/');
    f.typ("remiz");
    f.code(KeyCode::Enter);
    let found = meeting(&f.store, f.selected().expect("found"));
    assert_eq!(found.note.as_deref(), Some("Spotkanie w remizie o festynie, plan na wiosnę."));
    assert_eq!(found.attendees.len(), 5);
    let mut want: Vec<String> = names.clone();
    want.sort();
    let mut got: Vec<String> =
        found.attendees.iter().map(|&a| crate::support::app::participant(&f.store, a).name).collect();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(followups_of(&f, found.id).len(), 2);
}
