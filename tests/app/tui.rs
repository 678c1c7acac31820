#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Headless tests of the terminal app: state driven by key events, drawn into a
//! ratatui `Buffer` and compared as text with insta snapshots.

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;
use teren::i18n::Lang;
use teren::model::Entity;
use teren::store::Store;
use teren::tui::app::{App, Popup, Request};
use teren::tui::keymap::Keymap;
use teren::tui::participants::load_all;
use teren::tui::theme::Theme;

use crate::support::app::{Fixture, buffer_text, fixture};

#[test]
fn participants_list_with_detail() {
    let mut f = fixture(Lang::Pl);
    let s = f.screen(80, 24);
    assert!(s.contains("uczestnicy"), "{s}");
    insta::assert_snapshot!("participants_list", s);
}

#[test]
fn participants_list_second_row_detail() {
    let mut f = fixture(Lang::Pl);
    f.code(KeyCode::Down);
    f.code(KeyCode::Down);
    insta::assert_snapshot!("participants_detail_third", f.screen(80, 24));
}

#[test]
fn search_lodz_finds_lodz_first() {
    let mut f = fixture(Lang::Pl);
    f.ch('/');
    f.typ("lodz");
    assert!(f.app.people.searching);
    assert!(!f.app.people.view.is_empty(), "lodz finds nobody");
    let first = &f.app.people.rows[f.app.people.view[0]];
    assert!(
        [
            f.app.people.text(first.place),
            f.app.people.text(first.gmina),
            first.name.as_str(),
            f.app.people.text(first.org)
        ]
        .iter()
        .any(|s| s.contains("Łódź")),
        "first hit is not of Łódź: {first:?}"
    );
    let s = f.screen(80, 24);
    assert!(s.contains("/lodz"), "{s}");
    assert!(s.contains("Łódź"), "{s}");
    insta::assert_snapshot!("search_lodz", s);
}

#[test]
fn search_highlights_matched_characters() {
    let mut f = fixture(Lang::Pl);
    // Search for the first letters of a name that is on the list: they get styled.
    let name = f.app.people.rows[0].name.clone();
    let word: String = name.split_whitespace().next().unwrap().chars().take(4).collect();
    f.ch('/');
    f.typ(&teren::search::fold(&word));
    let area = Rect::new(0, 0, 80, 24);
    let mut buf = Buffer::empty(area);
    f.app.render(area, &mut buf);
    let styled = buf.content().iter().any(|c| c.modifier.contains(ratatui::style::Modifier::UNDERLINED));
    assert!(styled, "no matched character is highlighted:\n{}", buffer_text(&buf));
}

#[test]
fn add_form_shows_validation_error() {
    let mut f = fixture(Lang::Pl);
    f.ch('a');
    assert!(matches!(f.app.popups.last(), Some(Popup::Form(_))));
    f.typ("Jan Testowy");
    for _ in 0..6 {
        f.code(KeyCode::Tab);
    }
    f.typ("12ab");
    let s = f.screen(80, 24);
    assert!(s.contains("✗"), "{s}");
    insta::assert_snapshot!("form_bad_phone", s);
}

#[test]
fn help_overlay() {
    let mut f = fixture(Lang::Pl);
    f.ch('?');
    let s = f.screen(80, 24);
    assert!(s.contains("Pomoc"), "{s}");
    insta::assert_snapshot!("help", s);
    f.code(KeyCode::Esc);
    assert!(f.app.popups.is_empty());
}

#[test]
fn too_small_screen() {
    let mut f = fixture(Lang::Pl);
    let s = f.screen(30, 8);
    insta::assert_snapshot!("too_small", s);
    // It recovers once the terminal is big enough again.
    assert!(f.screen(80, 24).contains("uczestnicy"));
}

#[test]
fn panes_two_three_four() {
    let mut f = fixture(Lang::Pl);
    for (key, name) in [('2', "pane_meetings"), ('3', "pane_resources"), ('4', "pane_partnerships")] {
        f.ch(key);
        let s = f.screen(80, 24);
        insta::assert_snapshot!(name, s);
    }
    f.ch('1');
    assert_eq!(f.app.pane, 0);
}

#[test]
fn english_list() {
    let mut f = fixture(Lang::En);
    let s = f.screen(80, 24);
    assert!(s.contains("participants"), "{s}");
    insta::assert_snapshot!("participants_list_en", s);
}

#[test]
fn no_panic_at_small_sizes() {
    let mut f = fixture(Lang::Pl);
    let states: [&dyn Fn(&mut Fixture); 9] = [
        &|_| {},
        &|f| {
            f.ch('/');
            f.typ("lodz");
        },
        &|f| {
            f.code(KeyCode::Esc);
            f.ch('?');
        },
        &|f| {
            f.code(KeyCode::Esc);
            f.ch('a');
            f.typ("Żółć");
        },
        &|f| {
            f.code(KeyCode::Esc);
            f.ch('d');
        },
        &|f| {
            f.code(KeyCode::Esc);
            f.ch('2');
        },
        &|f| {
            f.ch('4');
        },
        &|f| {
            f.ch('h');
        },
        &|f| {
            f.ch('b');
        },
    ];
    for set_up in states {
        set_up(&mut f);
        for w in 1..=45 {
            for h in 1..=12 {
                f.screen(w, h);
            }
        }
    }
}

#[test]
fn add_participant_by_keys() {
    let mut f = fixture(Lang::Pl);
    let before = f.store.count(Entity::Participant).unwrap();
    f.ch('a');
    f.typ("Zenon Źdźbłowski");
    let req = f.ctrl('s');
    assert_eq!(req, Request::Reload);
    assert!(f.app.popups.is_empty(), "the form is still open");
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before + 1);
    assert!(f.live_names().iter().any(|n| n == "Zenon Źdźbłowski"));
    // The new participant is selected.
    let sel = f.app.people.selected_id().unwrap();
    let row = f.app.people.rows.iter().find(|r| r.id == sel).unwrap();
    assert_eq!(row.name, "Zenon Źdźbłowski");
}

#[test]
fn duplicate_warning_on_same_name_and_place() {
    let mut f = fixture(Lang::Pl);
    let existing = f.app.people.rows.iter().find(|r| r.place != 0).unwrap().clone();
    let before = f.store.count(Entity::Participant).unwrap();
    f.ch('a');
    f.typ(&existing.name);
    // name, category, kind, org, gmina, place
    for _ in 0..5 {
        f.code(KeyCode::Tab);
    }
    let place = f.app.people.text(existing.place).to_string();
    f.typ(&place);
    assert_eq!(f.ctrl('s'), Request::None);
    assert!(matches!(f.app.popups.last(), Some(Popup::Duplicate { .. })), "no duplicate warning");
    let s = f.screen(80, 24);
    assert!(s.contains(&existing.name), "{s}");
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before);
    // Enter opens the existing one instead.
    f.code(KeyCode::Enter);
    assert!(f.app.popups.is_empty());
    assert_eq!(f.app.people.selected_id(), Some(existing.id));
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before);
}

#[test]
fn delete_then_undo_restores() {
    let mut f = fixture(Lang::Pl);
    f.code(KeyCode::Down);
    let id = f.app.people.selected_id().unwrap();
    let name = f.app.people.rows.iter().find(|r| r.id == id).unwrap().name.clone();
    let before = f.store.count(Entity::Participant).unwrap();
    f.ch('d');
    assert!(matches!(f.app.popups.last(), Some(Popup::ConfirmDelete { .. })));
    assert_eq!(f.code(KeyCode::Enter), Request::Reload);
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before - 1);
    assert!(!f.app.people.rows.iter().any(|r| r.id == id));
    assert_eq!(f.ch('u'), Request::Reload);
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before);
    assert!(f.app.people.rows.iter().any(|r| r.id == id && r.name == name));
    assert_eq!(f.app.people.selected_id(), Some(id));
}

#[test]
fn duplicate_warning_add_anyway() {
    let mut f = fixture(Lang::Pl);
    let existing = f.app.people.rows.iter().find(|r| r.place != 0).unwrap().clone();
    let before = f.store.count(Entity::Participant).unwrap();
    f.ch('a');
    f.typ(&existing.name);
    for _ in 0..5 {
        f.code(KeyCode::Tab);
    }
    let place = f.app.people.text(existing.place).to_string();
    f.typ(&place);
    f.ctrl('s');
    // Esc goes back to the form, with what was typed.
    f.code(KeyCode::Esc);
    assert!(matches!(f.app.popups.last(), Some(Popup::Form(_))));
    f.ctrl('s');
    assert!(matches!(f.app.popups.last(), Some(Popup::Duplicate { .. })));
    // 'a' adds it anyway.
    assert_eq!(f.ch('a'), Request::Reload);
    assert!(f.app.popups.is_empty());
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before + 1);
}

#[test]
fn first_run_offers_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("empty.redb")).unwrap());
    let app =
        App::new(store.clone(), Lang::Pl, Theme { color: false, ascii: false }, Keymap::default_map(), 24).unwrap();
    let mut f = Fixture { _dir: dir, store, app };
    f.app.loaded(load_all(&f.store).unwrap());
    assert!(matches!(f.app.popups.last(), Some(Popup::FirstRun)));
    insta::assert_snapshot!("first_run", f.screen(80, 24));
    for w in 1..=45 {
        for h in 1..=12 {
            f.screen(w, h);
        }
    }
    assert_eq!(f.ch('d'), Request::Reload);
    assert!(f.app.popups.is_empty());
    assert!(f.store.count(Entity::Participant).unwrap() > 0);
    assert_eq!(f.app.people.rows.len(), f.store.count(Entity::Participant).unwrap());
}

#[test]
fn enter_opens_everything_about_the_participant() {
    let mut f = fixture(Lang::Pl);
    // The participant with the most meetings: the panel lists three, the full view all.
    let (id, n) = f
        .app
        .people
        .rows
        .iter()
        .map(|r| (r.id, f.store.attended(r.id).unwrap().len()))
        .max_by_key(|(_, n)| *n)
        .unwrap();
    assert!(n > 3, "the demo has someone with more than three meetings");
    f.app.people.clear();
    assert!(f.app.people.select_id(id));
    f.code(KeyCode::Down);
    f.code(KeyCode::Up);
    let detail = f.app.people.detail.as_ref().unwrap();
    assert!(detail.lines.iter().any(|(k, _)| k == "ostatni kontakt"), "{:?}", detail.lines);
    assert!(detail.lines.iter().any(|(_, v)| v.contains("Enter")), "{:?}", detail.lines);
    f.code(KeyCode::Enter);
    let Some(Popup::Record { lines, .. }) = f.app.popups.last() else { panic!("Enter opened nothing") };
    assert_eq!(lines.iter().filter(|(k, _)| k == "spotkanie").count(), n);
    f.code(KeyCode::Esc);
    assert!(f.app.popups.is_empty());
}

/// The meetings pane on the demo data, with "overdue" relative to the demo's own day.
fn meetings_fixture() -> Fixture {
    let mut f = fixture(Lang::Pl);
    f.app.meetings.today = teren::demo::anchor();
    f
}

#[test]
fn meetings_pane_lists_newest_first_with_counts() {
    let mut f = meetings_fixture();
    f.ch('2');
    let rows = &f.app.meetings.data.rows;
    assert!(rows.len() > 10, "demo has meetings");
    assert!(rows.windows(2).all(|w| w[0].meeting.date >= w[1].meeting.date), "newest first");
    insta::assert_snapshot!("meetings_pane", f.screen(80, 24));
}

#[test]
fn meetings_detail_cursor_and_enter_jumps_to_the_attendee() {
    let mut f = meetings_fixture();
    f.ch('2');
    // A meeting with follow-ups, so the panel shows them.
    let pos = f.app.meetings.view.iter().position(|&i| !f.app.meetings.data.rows[i].followups.is_empty()).unwrap();
    f.app.meetings.move_by(pos as isize);
    f.ch(']');
    insta::assert_snapshot!("meetings_detail", f.screen(80, 24));
    let want = f.app.meetings.selected_row().unwrap().meeting.attendees[0];
    f.code(KeyCode::Enter);
    assert_eq!(f.app.pane, 0);
    assert_eq!(f.app.people.selected_id(), Some(want));
}

#[test]
fn meetings_filters_and_search_over_notes() {
    let mut f = meetings_fixture();
    f.ch('2');
    let all = f.app.meetings.view.len();
    f.ch('o');
    assert!(f.app.meetings.view.iter().all(|&i| f.app.meetings.data.rows[i].open > 0));
    assert!(f.app.meetings.view.len() < all);
    f.ch('t');
    let k = f.app.meetings.kind.unwrap();
    assert!(f.app.meetings.view.iter().all(|&i| f.app.meetings.data.rows[i].meeting.kind == k));
    f.code(KeyCode::Esc);
    assert_eq!(f.app.meetings.view.len(), all);
    // A word of a note, typed without Polish letters, finds that meeting.
    let (id, word) = f
        .app
        .meetings
        .data
        .rows
        .iter()
        .find_map(|r| {
            let n = r.meeting.note.as_deref()?;
            let w = n.split_whitespace().find(|w| w.chars().count() >= 8 && w.chars().all(char::is_alphabetic))?;
            Some((r.meeting.id, teren::search::fold(w)))
        })
        .unwrap();
    f.ch('/');
    f.typ(&word);
    assert!(f.app.meetings.searching);
    let found: Vec<_> = f.app.meetings.view.iter().map(|&i| f.app.meetings.data.rows[i].meeting.id).collect();
    assert!(found.contains(&id), "'{word}' does not find its meeting");
    assert!(found.len() < all, "'{word}' matches everything");
}

#[test]
fn follow_ups_list_done_and_undo_by_key() {
    let mut f = meetings_fixture();
    f.ch('2');
    f.ch('f');
    assert!(f.app.meetings.show_followups);
    let open = f.app.meetings.fup_view.len();
    assert!(open > 0);
    let fups = &f.app.meetings.data.followups;
    assert!(f.app.meetings.fup_view.windows(2).all(|w| fups[w[0]].due <= fups[w[1]].due), "by due date");
    insta::assert_snapshot!("meetings_followups", f.screen(80, 24));
    let id = f.app.meetings.target_followup().unwrap().id;
    f.ch('x');
    let done =
        |f: &Fixture| teren::model::FollowUp::from_doc(id, &f.store.doc(Entity::FollowUp, id).unwrap().unwrap()).done;
    assert!(done(&f));
    assert_eq!(f.app.meetings.fup_view.len(), open - 1);
    // Undo from the meeting's own panel: Enter on the follow-up goes to its meeting.
    f.ch('f');
    let m = f.app.meetings.data.followups.iter().find(|x| x.id == id).unwrap().meeting.unwrap();
    assert!(f.app.meetings.select_id(m));
    let items = f.app.meetings.items();
    let at = items
        .iter()
        .position(
            |it| matches!(it, teren::tui::meetings::Item::FollowUp(i) if f.app.meetings.data.followups[*i].id == id),
        )
        .unwrap();
    for _ in 0..=at {
        f.ch(']');
    }
    f.ch('x');
    assert!(!done(&f));
}

#[test]
fn capture_form_picks_attendees_and_saves_meeting_with_follow_up() {
    let mut f = meetings_fixture();
    let before = f.store.count(Entity::Meeting).unwrap();
    f.ch('c');
    assert!(matches!(f.app.popups.last(), Some(Popup::Capture(_))));
    let names: Vec<String> = f.app.people.rows.iter().take(2).map(|r| r.name.clone()).collect();
    for n in &names {
        f.typ(&teren::search::fold(n));
        f.code(KeyCode::Enter);
    }
    f.typ("Nowak Zdzisław");
    f.code(KeyCode::Down);
    f.code(KeyCode::Down);
    f.code(KeyCode::Down);
    f.code(KeyCode::Down);
    f.code(KeyCode::Down);
    f.code(KeyCode::Enter); // "+ new: ..."
    f.code(KeyCode::Enter); // empty search: on to the notes
    f.typ("Świetlica w Łącznicy: zebranie KGW.");
    f.code(KeyCode::Enter);
    f.typ("- [ ] wysłać regulamin @2026-12-04");
    insta::assert_snapshot!("capture_form", f.screen(80, 24));
    let Some(Popup::Capture(c)) = f.app.popups.last() else { panic!() };
    assert_eq!(c.chips.len(), 3, "{:?}", c.chips);
    assert!(matches!(&c.chips[2], teren::capture::Attendee::New { name } if name == "Nowak Zdzisław"));
    f.ctrl('s');
    assert!(f.app.popups.is_empty(), "form closed");
    assert_eq!(f.store.count(Entity::Meeting).unwrap(), before + 1);
    let m = f.app.meetings.selected_row().unwrap();
    assert_eq!(m.meeting.note.as_deref(), Some("Świetlica w Łącznicy: zebranie KGW."));
    assert_eq!(m.meeting.attendees.len(), 3);
    assert_eq!(m.followups.len(), 1);
    assert_eq!(f.app.meetings.data.followups[m.followups[0]].text, "wysłać regulamin");
    assert!(teren::capture::pending(&f.store).is_none(), "saved: no draft left");
}

#[test]
fn capture_draft_is_offered_at_the_next_start() {
    let mut f = meetings_fixture();
    f.ch('c');
    f.code(KeyCode::Tab); // attendees -> notes
    f.typ("Notatka, której nie zapisano");
    // The app goes away without saving (in the real app: a killed terminal).
    let d = teren::capture::pending(&f.store).expect("draft written while typing");
    assert_eq!(d.notes, "Notatka, której nie zapisano");
    let mut app =
        App::new(f.store.clone(), Lang::Pl, Theme { color: false, ascii: false }, Keymap::default_map(), 24).unwrap();
    assert!(matches!(app.popups.last(), Some(Popup::ResumeDraft(_))));
    app.on_key(crossterm::event::KeyEvent::new(KeyCode::Enter, crossterm::event::KeyModifiers::NONE));
    let Some(Popup::Capture(c)) = app.popups.last() else { panic!("not resumed") };
    assert_eq!(c.notes.text(), "Notatka, której nie zapisano");
    // Esc asks; Enter discards.
    app.on_key(crossterm::event::KeyEvent::new(KeyCode::Esc, crossterm::event::KeyModifiers::NONE));
    assert!(matches!(app.popups.last(), Some(Popup::DiscardCapture(_))));
    app.on_key(crossterm::event::KeyEvent::new(KeyCode::Enter, crossterm::event::KeyModifiers::NONE));
    assert!(teren::capture::pending(&f.store).is_none());
}

#[test]
fn graph_pane_ego_view_metrics_and_neighbours() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    assert!(!f.app.graph.computing());
    assert!(!f.app.graph.view.is_empty(), "no organisations in the graph");
    let s = f.screen(80, 24);
    assert!(s.contains("sąsiedzi"), "{s}");
    assert!(s.contains("st. "), "{s}");
    insta::assert_snapshot!("graph_ego", s);
    // Two hops, then by betweenness.
    f.ch('h');
    f.ch('s');
    let s = f.screen(80, 24);
    assert!(s.contains("2 kroki"), "{s}");
    insta::assert_snapshot!("graph_ego_two_hops", s);
}

#[test]
fn graph_pane_bridges_isolated_and_groups() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    f.ch('b');
    let s = f.screen(80, 24);
    assert!(s.contains("Mosty"), "{s}");
    assert!(s.contains("Izolowani"), "{s}");
    assert!(s.contains("Grupy"), "{s}");
    insta::assert_snapshot!("graph_structure", s);
}

#[test]
fn graph_pane_computes_off_the_loop_and_shows_computing_meanwhile() {
    let mut f = fixture(Lang::Pl);
    // Straight to the app, so the job is not run yet: the pane says it is computing.
    f.app.on_key(crossterm::event::KeyEvent::new(KeyCode::Char('4'), crossterm::event::KeyModifiers::NONE));
    let jobs = f.app.take_jobs();
    assert_eq!(jobs.len(), 1);
    assert!(f.screen(80, 24).contains("liczę…"));
    // Keys still work meanwhile.
    f.app.on_key(crossterm::event::KeyEvent::new(KeyCode::Down, crossterm::event::KeyModifiers::NONE));
    for job in jobs {
        f.app.job_done(job.run_here(&f.store));
    }
    assert!(!f.screen(80, 24).contains("liczę…"));
    // Cached: coming back asks for nothing.
    f.ch('1');
    f.ch('4');
    assert!(f.app.take_jobs().is_empty());
    assert!(!f.app.graph.computing());
    // A stale result (older data generation) is dropped.
    let job = teren::tui::graph::Job { generation: f.app.graph.generation + 7, ..Default::default() };
    assert!(!f.app.graph.ready(job, Ok(Default::default())));
}

#[test]
fn graph_pane_steps_back_month_by_month_and_forward_to_now() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    let edges_now = f.app.graph.shown.as_ref().unwrap().graph.edges.len();
    let months = f.app.graph.shown.as_ref().unwrap().months.len();
    assert!(months > 3, "the demo spans months");
    for _ in 0..3 {
        f.ch('[');
    }
    let at = f.app.graph.at.unwrap();
    let s = f.screen(80, 24);
    assert!(s.contains(&format!("stan na {}", at.format("%Y-%m"))), "{s}");
    let earlier = f.app.graph.shown.as_ref().unwrap().graph.edges.len();
    assert!(earlier <= edges_now);
    for _ in 0..months + 2 {
        f.ch('[');
    }
    let first = f.app.graph.shown.as_ref().unwrap().graph.edges.len();
    assert!(first < edges_now, "{first} < {edges_now}");
    for _ in 0..months + 2 {
        f.ch(']');
    }
    assert_eq!(f.app.graph.at, None);
    assert_eq!(f.app.graph.shown.as_ref().unwrap().graph.edges.len(), edges_now);
}

#[test]
fn graph_pane_recomputes_after_an_edit_and_opens_the_ties() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    let g0 = f.app.graph.generation;
    f.code(KeyCode::Enter);
    assert!(matches!(f.app.popups.last(), Some(Popup::Record { .. })));
    f.code(KeyCode::Esc);
    // Delete a participant in pane 1: the graph is stale and is computed again.
    f.ch('1');
    f.ch('d');
    f.code(KeyCode::Enter);
    assert!(f.app.graph.generation > g0);
    f.ch('4');
    assert!(!f.app.graph.computing());
    // The partnership filter narrows the list to its organisations.
    let all = f.app.graph.view.len();
    f.ch('p');
    assert!(f.app.graph.partnership.is_some());
    assert!(f.app.graph.view.len() < all);
    f.code(KeyCode::Esc);
    assert_eq!(f.app.graph.view.len(), all);
}

#[test]
fn graph_ego_layout_is_deterministic_in_bounds_and_labels_do_not_overlap() {
    use teren::tui::graph::{compute, ego_layout};
    use unicode_width::UnicodeWidthStr;
    let f = crate::support::app::fixture_sized(Lang::Pl, 300);
    let c = compute(&f.store, None).unwrap();
    let orgs: Vec<usize> =
        (0..c.graph.nodes.len()).filter(|&i| c.graph.nodes[i].kind == teren::model::Kind::Org).collect();
    for &center in orgs.iter().take(10) {
        for hops in [1, 2] {
            for (w, h) in [(48u16, 10u16), (62, 12), (8, 3)] {
                let a = ego_layout(&c.graph, center, hops, w, h);
                assert_eq!(a, ego_layout(&c.graph, center, hops, w, h));
                assert_eq!(a.nodes[0].node, center);
                let mut spans: Vec<(i64, i64, i64)> = Vec::new();
                for n in &a.nodes {
                    assert!(n.x >= 0.0 && n.x <= w as f64 && n.y >= 0.0 && n.y <= h as f64, "{n:?}");
                    if n.label.is_empty() {
                        continue;
                    }
                    let lw = n.label.width() as i64;
                    assert!(n.label_x >= 0.0 && n.label_x + lw as f64 <= w as f64 + 0.01, "{n:?} in {w}");
                    let col = (n.label_x * (w as f64 - 1.0) / w as f64).floor() as i64;
                    let row = ((h as f64 - n.y) * (h as f64 - 1.0) / h as f64).floor() as i64;
                    assert!(
                        !spans.iter().any(|&(r, s, e)| r == row && col < e && s < col + lw),
                        "labels overlap: {n:?}"
                    );
                    spans.push((row, col, col + lw));
                }
                for (x, y) in &a.lines {
                    assert!(*x < a.nodes.len() && *y < a.nodes.len());
                }
            }
        }
    }
}

#[test]
fn graph_pane_in_english() {
    let mut f = fixture(Lang::En);
    f.ch('4');
    let s = f.screen(80, 24);
    assert!(s.contains("organisations") && s.contains("neighbours by weight") && s.contains("deg "), "{s}");
    f.ch('b');
    let s = f.screen(80, 24);
    assert!(s.contains("Bridges") && s.contains("Isolated") && s.contains("Groups"), "{s}");
}
