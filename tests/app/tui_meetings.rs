#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The meetings pane's period and partnership filters, its background load, and the
//! capture form's follow-ups field and `$EDITOR` round trip: driven by keys on a demo
//! database in a temp dir, drawn at 80×24.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use teren::i18n::Lang;
use teren::model::{Entity, FollowUp};
use teren::tui::app::{App, Popup, Request};
use teren::tui::keymap::Keymap;
use teren::tui::meetings::Period;
use teren::tui::theme::Theme;

use crate::support::app::{Fixture, buffer_text, fixture};

/// The meetings pane on the demo data, relative to the demo's own day.
fn pane() -> Fixture {
    let mut f = fixture(Lang::Pl);
    f.app.meetings.today = teren::demo::anchor();
    f.ch('2');
    assert!(f.app.meetings.loaded);
    f
}

fn open_capture(f: &mut Fixture) {
    f.app.meetings.today = teren::demo::anchor();
    f.ch('c');
    assert!(matches!(f.app.popups.last(), Some(Popup::Capture(_))));
}

fn capture(f: &Fixture) -> &teren::tui::capture::Capture {
    match f.app.popups.last() {
        Some(Popup::Capture(c)) => c,
        _ => panic!("no capture form"),
    }
}

fn followups_of(f: &Fixture, meeting: teren::model::Id) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = f
        .store
        .docs(Entity::FollowUp)
        .unwrap()
        .into_iter()
        .map(|(id, d)| FollowUp::from_doc(id, &d))
        .filter(|x| x.meeting == Some(meeting))
        .map(|x| (x.text, x.due.map(|d| d.to_string())))
        .collect();
    out.sort();
    out
}

#[test]
fn period_filter_cycles_through_spans_and_projects() {
    let mut f = pane();
    let all = f.app.meetings.view.len();
    f.ch('d');
    assert_eq!(f.app.meetings.period, Some(Period::Month));
    f.ch('d');
    assert_eq!(f.app.meetings.period, Some(Period::ThreeMonths));
    let (from, to) = f.app.meetings.span(Period::ThreeMonths);
    assert_eq!((from.unwrap().to_string(), to.unwrap().to_string()), ("2026-08-16".into(), "2026-11-16".into()));
    let m = &f.app.meetings;
    assert!(!m.view.is_empty() && m.view.len() < all, "{} of {all}", m.view.len());
    assert!(m.view.iter().all(|&i| m.data.rows[i].meeting.date.is_some_and(|d| from <= Some(d) && Some(d) <= to)));
    insta::assert_snapshot!("meetings_period", f.screen(80, 24));
    f.ch('d');
    assert_eq!(f.app.meetings.period, Some(Period::Year));
    // Then the demo's project, with its dates in the title.
    f.ch('d');
    assert_eq!(f.app.meetings.period, Some(Period::Project(0)));
    assert!(f.screen(80, 24).contains("[MAM – Mobilni Animatorzy]"));
    f.ch('d');
    assert_eq!(f.app.meetings.period, None);
    assert_eq!(f.app.meetings.view.len(), all);
    // The clear key drops it with the other filters.
    f.ch('d');
    f.ch('t');
    f.code(KeyCode::Esc);
    assert_eq!((f.app.meetings.period, f.app.meetings.kind), (None, None));
    assert_eq!(f.app.meetings.view.len(), all);
}

#[test]
fn partnership_filter_cycles_through_partnerships_with_meetings() {
    let mut f = pane();
    let all = f.app.meetings.view.len();
    let partnerships = f.app.meetings.data.partnerships.clone();
    assert!(!partnerships.is_empty(), "the demo has partnership meetings");
    f.ch('p');
    let (id, name) = &partnerships[0];
    assert_eq!(f.app.meetings.partnership, Some(*id));
    let m = &f.app.meetings;
    assert!(!m.view.is_empty() && m.view.len() < all);
    assert!(m.view.iter().all(|&i| m.data.rows[i].meeting.partnership == Some(*id)));
    let screen = f.screen(80, 24);
    let head: String = name.chars().take(20).collect();
    assert!(screen.contains(&format!("[partnerstwo: {head}")), "{screen}");
    insta::assert_snapshot!("meetings_partnership", screen);
    for _ in 1..partnerships.len() {
        f.ch('p');
    }
    assert_eq!(f.app.meetings.partnership, Some(partnerships[partnerships.len() - 1].0));
    f.ch('p');
    assert_eq!(f.app.meetings.partnership, None);
    assert_eq!(f.app.meetings.view.len(), all);
    // Both filters at once, then one clear.
    f.ch('p');
    f.ch('d');
    f.ch('d');
    f.ch('d');
    assert!(f.app.meetings.view.len() <= all);
    f.code(KeyCode::Esc);
    assert_eq!((f.app.meetings.partnership, f.app.meetings.period), (None, None));
}

#[test]
fn capture_form_with_the_follow_ups_field_saves_both_kinds() {
    let mut f = fixture(Lang::Pl);
    open_capture(&mut f);
    let name = f.app.people.rows[0].name.clone();
    f.typ(&teren::search::fold(&name));
    f.code(KeyCode::Enter);
    f.code(KeyCode::Enter); // empty search: on to the notes
    f.typ("Rada sołecka: świetlica potrzebuje nowego dachu.");
    f.code(KeyCode::Enter);
    f.typ("- [ ] zapytać o dotację @2026-12-10");
    f.code(KeyCode::Tab); // notes -> follow-ups
    assert_eq!(capture(&f).focus, teren::tui::capture::FOLLOWUPS);
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
    assert_eq!(capture(&f).focus, teren::tui::capture::NOTES);
    f.code(KeyCode::Down);
    assert_eq!(capture(&f).focus, teren::tui::capture::FOLLOWUPS);
    assert_eq!(f.ctrl('s'), Request::Reload);
    assert!(f.app.popups.is_empty());
    assert!(teren::capture::pending(&f.store).is_none());
    f.ch('2');
    let m = f.app.meetings.selected_row().expect("the new meeting is selected").meeting.clone();
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
    assert_eq!(capture(&f).notes.text(), "zażółć\n- [ ] zadzwonić");
    assert_eq!(f.app.status.as_deref(), Some("Notatka wczytana z edytora."));
    assert_eq!(teren::capture::pending(&f.store).unwrap().notes, "zażółć\n- [ ] zadzwonić", "draft updated");
    // An editor that cannot start, or that fails, leaves the notes as they were.
    f.app.edit_externally("/nonexistent/edytor");
    let c = capture(&f);
    assert_eq!(c.notes.text(), "zażółć\n- [ ] zadzwonić");
    assert!(c.error.as_deref().unwrap().contains("Nie można uruchomić edytora „/nonexistent/edytor”"), "{:?}", c.error);
    assert!(f.screen(80, 24).contains("Nie można uruchomić edytora"));
    f.app.edit_externally("false");
    assert!(capture(&f).error.as_deref().unwrap().contains("zakończył się błędem"));
    assert_eq!(capture(&f).notes.text(), "zażółć\n- [ ] zadzwonić");
    // In the follow-ups field the editor edits that field.
    f.code(KeyCode::Tab);
    f.app.edit_externally(r#"sh -c 'printf "2026-12-01: plakat" > "$1"' --"#);
    assert_eq!(capture(&f).followups.text(), "2026-12-01: plakat");
    f.ctrl('s');
    f.ch('2');
    let id = f.app.meetings.selected_id().unwrap();
    assert_eq!(followups_of(&f, id), vec![("plakat".into(), Some("2026-12-01".into())), ("zadzwonić".into(), None)]);
}

#[test]
fn the_meetings_pane_loads_off_the_ui_thread() {
    let dir = tempfile::tempdir().unwrap();
    let store = teren::store::Store::open(&dir.path().join("t.redb")).unwrap();
    teren::demo::generate(&store, 120, 1, &mut |_, _| {}).unwrap();
    let store = std::sync::Arc::new(store);
    let mut app =
        App::new(store.clone(), Lang::Pl, Theme { color: false, ascii: false }, Keymap::default_map(), 24).unwrap();
    app.loaded(teren::tui::participants::load_all(&store).unwrap());
    app.on_key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
    // Switching asks for a load and shows "loading…" meanwhile; nothing was read yet.
    let mut first = app.take_jobs();
    assert_eq!(first.len(), 1, "a load is asked for");
    assert!(app.meetings.loading && !app.meetings.loaded);
    let area = ratatui::layout::Rect::new(0, 0, 80, 24);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    app.render(area, &mut buf);
    assert!(buffer_text(&buf).contains("wczytywanie…"));
    // Switching back and forth while it runs does not start another.
    app.on_key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
    assert!(app.take_jobs().is_empty());
    // The load runs on another thread, as the loop does it.
    let (s, job) = (store.clone(), first.remove(0));
    let result = std::thread::spawn(move || job.run_here(&s)).join().unwrap();
    app.job_done(result);
    assert!(app.meetings.loaded);
    let n = app.meetings.view.len();
    assert!(n > 10);
    // On a meeting with open follow-ups, `x` marks one done and reloads.
    app.on_key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::NONE));
    let before = app.meetings.selected_row().unwrap().open;
    app.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    assert_eq!(app.meetings.selected_row().unwrap().open, before - 1, "shown before the reload arrives");
    let second = app.take_jobs();
    assert_eq!(second.len(), 1, "toggling reloads");
    // Toggling it back asks for a newer load: the older result is dropped when it comes.
    app.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    let third = app.take_jobs();
    assert_eq!(third.len(), 1);
    for job in second {
        app.job_done(job.run_here(&store));
    }
    assert!(app.meetings.loading, "a stale result does not end the load");
    for job in third {
        app.job_done(job.run_here(&store));
    }
    assert!(!app.meetings.loading && app.meetings.loaded);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    app.render(area, &mut buf);
    assert!(!buffer_text(&buf).contains("wczytywanie…"));
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
    f.ch('c');
    let names: Vec<String> = f.app.people.rows.iter().take(5).map(|r| r.name.clone()).collect();
    for n in &names {
        // A surname's first letters, folded, then Enter on the first hit.
        let surname = n.split_whitespace().last().unwrap();
        let q: String = teren::search::fold(surname).chars().take(5).collect();
        typ(&mut f, &q);
        let hit = capture(&f).candidates.iter().position(|c| &c.name == n);
        for _ in 0..hit.expect("the person is among the hits") {
            f.code(KeyCode::Down);
        }
        f.code(KeyCode::Enter);
    }
    assert_eq!(capture(&f).chips.len(), 5);
    f.code(KeyCode::Enter);
    typ(&mut f, "Spotkanie w remizie o festynie, plan na wiosnę.");
    f.code(KeyCode::Tab);
    typ(&mut f, "2026-12-01: zamówić namiot\nzapytać o scenę");
    assert!(keys < 400, "{keys} keys");
    f.ctrl('s');
    assert!(f.app.popups.is_empty(), "saved");
    f.ch('2');
    f.ch('/');
    f.typ("remiz");
    f.code(KeyCode::Enter);
    let found = f.app.meetings.selected_row().expect("found").meeting.clone();
    assert_eq!(found.note.as_deref(), Some("Spotkanie w remizie o festynie, plan na wiosnę."));
    assert_eq!(found.attendees.len(), 5);
    assert_eq!(followups_of(&f, found.id).len(), 2);
}
