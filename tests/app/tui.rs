#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Headless tests of the terminal app: state driven by key events, drawn into a
//! ratatui `Buffer` and compared as text with insta snapshots.

use crate::support::app::{
    Fixture, fixture, follow_ups, line_with, list_count, meeting, meetings, participant, participants, record,
    status_line,
};
use crossterm::event::KeyCode;
use teren::i18n::Lang;
use teren::model::{Entity, FollowUp, Id, Kind};
use teren::store::Store;
use teren::tui::app::Request;

/// The dates of the list rows on `screen` ("│> 2026-11-10 …"), top to bottom.
fn row_dates(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let d: String = l.chars().skip(3).take(10).collect();
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_ok().then_some(d)
        })
        .collect()
}

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
    let s = f.screen(80, 24);
    assert!(status_line(&s).contains("SZUKAJ  /lodz"), "still searching: {s}");
    assert!(list_count(&s).0 > 0, "lodz finds nobody: {s}");
    // The first hit, selected, is of Łódź: by name, place, gmina or organisation.
    let first = participant(&f.store, f.selected().unwrap());
    let orgs: Vec<String> = first.memberships.iter().map(|m| participant(&f.store, m.org).name).collect();
    assert!(
        [first.place.as_deref(), first.gmina.as_deref(), Some(first.name.as_str())]
            .into_iter()
            .flatten()
            .chain(orgs.iter().map(String::as_str))
            .any(|s| s.contains("Łódź")),
        "first hit is not of Łódź: {first:?}"
    );
    assert!(s.contains("/lodz"), "{s}");
    assert!(s.contains("Łódź"), "{s}");
    insta::assert_snapshot!("search_lodz", s);
}

#[test]
fn search_highlights_matched_characters() {
    let mut f = fixture(Lang::Pl);
    // Search for the first letters of a name that is on the list: they get styled.
    let name = f.selected_name();
    let word: String = name.split_whitespace().next().unwrap().chars().take(4).collect();
    f.ch('/');
    f.typ(&teren::search::fold(&word));
    let buf = f.buffer(80, 24);
    let styled = buf.content().iter().any(|c| c.modifier.contains(ratatui::style::Modifier::UNDERLINED));
    assert!(styled, "no matched character is highlighted:\n{}", crate::support::app::buffer_text(&buf));
}

#[test]
fn add_form_shows_validation_error() {
    let mut f = fixture(Lang::Pl);
    f.ch('a');
    assert_eq!(f.popup(), Some("form"));
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
    assert_eq!(f.popup(), None);
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
    assert_eq!(f.pane(), 0);
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
    assert_eq!(f.popup(), None, "the form is still open");
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before + 1);
    assert!(f.live_names().iter().any(|n| n == "Zenon Źdźbłowski"));
    // The new participant is selected.
    assert_eq!(f.selected_name(), "Zenon Źdźbłowski");
}

/// A person with a place whose name and place nobody else has.
fn someone_with_a_place(store: &Store) -> teren::model::Participant {
    let all = participants(store);
    all.iter()
        .find(|p| {
            p.kind == Kind::Person
                && p.place.is_some()
                && all.iter().filter(|q| q.name == p.name && q.place == p.place).count() == 1
        })
        .unwrap()
        .clone()
}

/// Type `name` and `place` into the add form (name, category, kind, org, gmina, place).
fn add_form_with(f: &mut Fixture, name: &str, place: &str) {
    f.ch('a');
    f.typ(name);
    for _ in 0..5 {
        f.code(KeyCode::Tab);
    }
    f.typ(place);
}

#[test]
fn duplicate_warning_on_same_name_and_place() {
    let mut f = fixture(Lang::Pl);
    let existing = someone_with_a_place(&f.store);
    let before = f.store.count(Entity::Participant).unwrap();
    add_form_with(&mut f, &existing.name, existing.place.as_deref().unwrap());
    assert_eq!(f.ctrl('s'), Request::None);
    assert_eq!(f.popup(), Some("duplicate"), "no duplicate warning");
    let s = f.screen(80, 24);
    assert!(s.contains(&existing.name), "{s}");
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before);
    // Enter opens the existing one instead.
    f.code(KeyCode::Enter);
    assert_eq!(f.popup(), None);
    assert_eq!(f.selected(), Some(existing.id));
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before);
}

#[test]
fn delete_then_undo_restores() {
    let mut f = fixture(Lang::Pl);
    f.code(KeyCode::Down);
    let id = f.selected().unwrap();
    let name = f.selected_name();
    let before = f.store.count(Entity::Participant).unwrap();
    f.ch('d');
    assert_eq!(f.popup(), Some("confirm_delete"));
    assert_eq!(f.code(KeyCode::Enter), Request::Reload);
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before - 1);
    assert_eq!(list_count(&f.screen(80, 24)), (before - 1, Some(before - 1)));
    assert!(!f.select(id), "a deleted participant is still listed");
    assert_eq!(f.ch('u'), Request::Reload);
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before);
    // Listed again under its name, and selected.
    assert_eq!(list_count(&f.screen(80, 24)), (before, Some(before)));
    assert_eq!(f.selected(), Some(id));
    assert!(f.screen(80, 24).contains(&format!("┌ {name} ")), "the restored one's detail");
}

#[test]
fn duplicate_warning_add_anyway() {
    let mut f = fixture(Lang::Pl);
    let existing = someone_with_a_place(&f.store);
    let before = f.store.count(Entity::Participant).unwrap();
    add_form_with(&mut f, &existing.name, existing.place.as_deref().unwrap());
    f.ctrl('s');
    // Esc goes back to the form, with what was typed.
    f.code(KeyCode::Esc);
    assert_eq!(f.popup(), Some("form"));
    assert!(f.screen(80, 24).contains(&existing.name));
    f.ctrl('s');
    assert_eq!(f.popup(), Some("duplicate"));
    // 'a' adds it anyway.
    assert_eq!(f.ch('a'), Request::Reload);
    assert_eq!(f.popup(), None);
    assert_eq!(f.store.count(Entity::Participant).unwrap(), before + 1);
}

#[test]
fn first_run_offers_demo_data() {
    let mut f = Fixture::build(Lang::Pl, |_| {});
    assert_eq!(f.popup(), Some("first_run"));
    insta::assert_snapshot!("first_run", f.screen(80, 24));
    for w in 1..=45 {
        for h in 1..=12 {
            f.screen(w, h);
        }
    }
    assert_eq!(f.ch('d'), Request::Reload);
    assert_eq!(f.popup(), None);
    let n = f.store.count(Entity::Participant).unwrap();
    assert!(n > 0);
    // The list has them all.
    assert_eq!(list_count(&f.screen(80, 24)), (n, Some(n)));
}

#[test]
fn enter_opens_everything_about_the_participant() {
    let mut f = fixture(Lang::Pl);
    // The participant with the most meetings: the panel lists three, the full view all.
    let (id, n) = participants(&f.store)
        .iter()
        .map(|p| (p.id, f.store.attended(p.id).unwrap().len()))
        .max_by_key(|(_, n)| *n)
        .unwrap();
    assert!(n > 3, "the demo has someone with more than three meetings");
    assert!(f.select(id));
    let s = f.screen(100, 40);
    assert!(s.contains("│ostatni kontakt: "), "{s}");
    assert!(line_with(&s, "│spotkania: ").contains("Enter"), "{s}");
    f.code(KeyCode::Enter);
    assert_eq!(f.popup(), Some("record"), "Enter opened nothing");
    let s = f.screen(100, n as u16 + 30);
    assert_eq!(s.lines().filter(|l| l.contains("│spotkanie: ")).count(), n, "{s}");
    f.code(KeyCode::Esc);
    assert_eq!(f.popup(), None);
}

#[test]
fn meetings_pane_lists_newest_first_with_counts() {
    let mut f = fixture(Lang::Pl);
    f.ch('2');
    insta::assert_snapshot!("meetings_pane", f.screen(80, 24));
    let n = f.store.count(Entity::Meeting).unwrap();
    assert!(n > 10, "demo has meetings");
    // Tall enough for every row.
    let s = f.screen(80, 200);
    assert_eq!(list_count(&s), (n, Some(n)));
    let dates = row_dates(&s);
    assert_eq!(dates.len(), n, "{s}");
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
    // The same from the store: the records listed, in order.
    let listed: Vec<_> = f.listed().into_iter().map(|id| meeting(&f.store, id).date.unwrap().to_string()).collect();
    assert_eq!(listed, dates);
}

#[test]
fn meetings_detail_cursor_and_enter_jumps_to_the_attendee() {
    let mut f = fixture(Lang::Pl);
    f.ch('2');
    // Down to the first meeting with follow-ups, so the panel shows them.
    for _ in 0..f.store.count(Entity::Meeting).unwrap() {
        if f.screen(80, 24).contains("│zadania:") {
            break;
        }
        f.code(KeyCode::Down);
    }
    f.ch(']');
    insta::assert_snapshot!("meetings_detail", f.screen(80, 24));
    let want = meeting(&f.store, f.selected().unwrap()).attendees[0];
    f.code(KeyCode::Enter);
    assert_eq!(f.pane(), 0);
    assert_eq!(f.selected(), Some(want));
}

#[test]
fn meetings_filters_and_search_over_notes() {
    let mut f = fixture(Lang::Pl);
    f.ch('2');
    let all = list_count(&f.screen(80, 24)).0;
    let open = |f: &Fixture, m: Id| follow_ups(&f.store).iter().filter(|x| x.meeting == Some(m) && !x.done).count();
    f.ch('o');
    let with_open = f.listed();
    assert!(with_open.iter().all(|&m| open(&f, m) > 0));
    assert!(with_open.len() < all);
    f.ch('t');
    let s = f.screen(80, 24);
    let kinds: Vec<_> = f.listed().into_iter().map(|m| meeting(&f.store, m).kind).collect();
    let k = kinds[0];
    assert!(kinds.iter().all(|&x| x == k), "{kinds:?}");
    assert!(s.contains(&format!("[{}]", k.code())), "the filter is named in the title: {s}");
    f.code(KeyCode::Esc);
    assert_eq!(list_count(&f.screen(80, 24)).0, all);
    // A word of a note, typed without Polish letters, finds that meeting.
    let (id, word) = meetings(&f.store)
        .into_iter()
        .find_map(|m| {
            let n = m.note.as_deref()?;
            let w = n.split_whitespace().find(|w| w.chars().count() >= 8 && w.chars().all(char::is_alphabetic))?;
            Some((m.id, teren::search::fold(w)))
        })
        .unwrap();
    f.ch('/');
    f.typ(&word);
    assert!(status_line(&f.screen(80, 24)).contains(&format!("SZUKAJ  /{word}")), "still searching");
    f.code(KeyCode::Enter);
    let found = f.listed();
    assert!(found.contains(&id), "'{word}' does not find its meeting");
    assert!(found.len() < all, "'{word}' matches everything");
}

/// The follow-up on the selected row of the follow-ups list ("> 2025-01-19 ! text  place").
fn selected_follow_up(f: &mut Fixture) -> FollowUp {
    let s = f.screen(80, 24);
    let row = line_with(&s, "│> ");
    let due: String = row.chars().skip(3).take(10).collect();
    let text = row.chars().skip(16).collect::<String>();
    let text = text.split("  ").next().unwrap().trim();
    let hits: Vec<FollowUp> = follow_ups(&f.store)
        .into_iter()
        .filter(|x| !x.done && x.text == text && x.due.map(|d| d.to_string()) == Some(due.clone()))
        .collect();
    assert_eq!(hits.len(), 1, "{row}");
    hits[0].clone()
}

#[test]
fn follow_ups_list_done_and_undo_by_key() {
    let mut f = fixture(Lang::Pl);
    f.ch('2');
    f.ch('f');
    // Tall enough for every open follow-up.
    let tall = |f: &mut Fixture| f.screen(80, 200);
    let s = tall(&mut f);
    assert!(s.contains("┌ otwarte zadania "), "{s}");
    let open = row_dates(&s);
    assert!(!open.is_empty());
    assert!(open.len() < 80, "all on the screen: {s}");
    assert!(open.windows(2).all(|w| w[0] <= w[1]), "by due date: {open:?}");
    insta::assert_snapshot!("meetings_followups", f.screen(80, 24));
    let fup = selected_follow_up(&mut f);
    f.ch('x');
    let done = |f: &Fixture| record(&f.store, Entity::FollowUp, fup.id, FollowUp::from_doc).done;
    assert!(done(&f));
    assert_eq!(row_dates(&tall(&mut f)).len(), open.len() - 1);
    // Undo from the meeting's own panel: its attendees, then its follow-ups, are the
    // items `]` steps through.
    f.ch('f');
    let m = fup.meeting.unwrap();
    assert!(f.select(m));
    let s = f.screen(120, 40);
    let attendees = meeting(&f.store, m).attendees.len();
    assert!(s.contains(&format!("uczestnicy: ({attendees})")), "{s}");
    let items: Vec<&str> = s.lines().filter(|l| l.contains("│ [x] ") || l.contains("│ [ ] ")).collect();
    let at = attendees + items.iter().position(|l| l.contains(&format!("] {}  termin", fup.text))).unwrap();
    for _ in 0..=at {
        f.ch(']');
    }
    f.ch('x');
    assert!(!done(&f));
}

#[test]
fn capture_form_picks_attendees_and_saves_meeting_with_follow_up() {
    let mut f = fixture(Lang::Pl);
    let before = f.store.count(Entity::Meeting).unwrap();
    let people = f.store.count(Entity::Participant).unwrap();
    // The first two on the list.
    let first = f.selected().unwrap();
    f.code(KeyCode::Down);
    let second = f.selected().unwrap();
    f.code(KeyCode::Up);
    f.ch('c');
    assert_eq!(f.popup(), Some("capture"));
    for id in [first, second] {
        f.typ(&teren::search::fold(&participant(&f.store, id).name));
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
    let s = f.screen(80, 24);
    insta::assert_snapshot!("capture_form", s);
    // Three chips: the two picked and a new person.
    let chips = line_with(&s, "uczestnicy (3)");
    assert!(chips.ends_with("[+Nowak Zdzisław (nowy)] │"), "{chips}");
    f.ctrl('s');
    assert_eq!(f.popup(), None, "form closed");
    assert_eq!(f.store.count(Entity::Meeting).unwrap(), before + 1);
    // The new person is recorded too.
    assert_eq!(f.store.count(Entity::Participant).unwrap(), people + 1);
    let new = crate::support::app::participant_named(&f.store, "Nowak Zdzisław");
    // The new meeting is selected in the meetings pane.
    f.ch('2');
    let m = meeting(&f.store, f.selected().unwrap());
    assert_eq!(m.note.as_deref(), Some("Świetlica w Łącznicy: zebranie KGW."));
    assert_eq!(m.attendees.len(), 3);
    for id in [first, second, new.id] {
        assert!(m.attendees.contains(&id), "{id} missing");
    }
    let fups: Vec<FollowUp> = follow_ups(&f.store).into_iter().filter(|x| x.meeting == Some(m.id)).collect();
    assert_eq!(fups.len(), 1);
    assert_eq!(fups[0].text, "wysłać regulamin");
    assert!(teren::capture::pending(&f.store).is_none(), "saved: no draft left");
}

#[test]
fn capture_draft_is_offered_at_the_next_start() {
    let mut f = fixture(Lang::Pl);
    f.ch('c');
    f.code(KeyCode::Tab); // attendees -> notes
    f.typ("Notatka, której nie zapisano");
    // The app goes away without saving (in the real app: a killed terminal).
    let d = teren::capture::pending(&f.store).expect("draft written while typing");
    assert_eq!(d.notes, "Notatka, której nie zapisano");
    f.restart(Lang::Pl);
    assert_eq!(f.popup(), Some("resume_draft"));
    f.code(KeyCode::Enter);
    assert_eq!(f.popup(), Some("capture"), "not resumed");
    assert!(f.screen(80, 24).contains("│ Notatka, której nie zapisano"));
    // Esc asks; Enter discards.
    f.code(KeyCode::Esc);
    assert_eq!(f.popup(), Some("discard_capture"));
    f.code(KeyCode::Enter);
    assert!(teren::capture::pending(&f.store).is_none());
}

#[test]
fn graph_pane_ego_view_metrics_and_neighbours() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    let s = f.screen(80, 24);
    assert!(!s.contains("liczę…"), "{s}");
    assert!(list_count(&s).0 > 0, "no organisations in the graph");
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
    f.key_only(KeyCode::Char('4'));
    let jobs = f.take_jobs();
    assert_eq!(jobs.len(), 1);
    assert!(f.screen(80, 24).contains("liczę…"));
    // Keys still work meanwhile.
    f.key_only(KeyCode::Down);
    for job in jobs {
        f.finish(job);
    }
    assert!(!f.screen(80, 24).contains("liczę…"));
    // Cached: coming back asks for nothing.
    f.key_only(KeyCode::Char('1'));
    f.key_only(KeyCode::Char('4'));
    assert!(f.take_jobs().is_empty());
    assert!(!f.screen(80, 24).contains("liczę…"));
    // A stale result is dropped: a month back is computed on the data as it was, and
    // handed in only after the data changed (the selected organisation deleted) and
    // the graph was computed again.
    f.key_only(KeyCode::Char('['));
    let jobs = f.take_jobs();
    assert_eq!(jobs.len(), 1);
    let stale: Vec<_> = jobs.into_iter().map(|j| j.run_here(&f.store)).collect();
    let old = f.screen(80, 24);
    let gone = f.selected().unwrap();
    teren::edit::delete(&f.store, Entity::Participant, gone).unwrap();
    f.app.reload();
    f.run_jobs();
    let fresh = f.screen(80, 24);
    assert!(!fresh.contains("liczę…"), "{fresh}");
    assert_ne!(fresh, old, "the deletion shows");
    assert_ne!(f.selected(), Some(gone));
    for r in stale {
        f.app.job_done(r);
    }
    assert_eq!(f.screen(80, 24), fresh, "the stale graph was shown");
    assert_ne!(f.selected(), Some(gone));
}

/// The degrees ("st.") of the organisations the graph pane lists on `screen`, top to
/// bottom.
fn listed_degrees(screen: &str) -> Vec<usize> {
    screen
        .lines()
        .filter_map(|l| {
            let left = l.split('│').nth(1)?;
            let t: Vec<&str> = left.split_whitespace().collect();
            let (b, d) = (t.last()?, t.get(t.len().checked_sub(2)?)?);
            (b.contains('.') && b.parse::<f64>().is_ok()).then(|| d.parse::<usize>().ok())?
        })
        .collect()
}

/// The graph on `at` as the core computes it from the store: its edges, and its
/// organisations' degrees, largest first.
fn graph_on(store: &Store, at: Option<chrono::NaiveDate>) -> (usize, Vec<usize>) {
    let c = teren::graph::computed::compute(store, at).unwrap();
    let g = &c.graph;
    let mut degrees: Vec<usize> =
        (0..g.nodes.len()).filter(|&i| g.nodes[i].kind == Kind::Org).map(|i| g.metrics.degree[i]).collect();
    degrees.sort_unstable_by(|a, b| b.cmp(a));
    (g.edges.len(), degrees)
}

/// The pane shows the graph on `at`: the month in the title, the degrees the core
/// computes for that day in the list. Returns its edge count.
fn shows_graph_on(f: &mut Fixture, at: chrono::NaiveDate) -> usize {
    let s = f.screen(80, 24);
    assert!(s.contains(&format!("stan na {}", at.format("%Y-%m"))), "{s}");
    let (edges, degrees) = graph_on(&f.store, Some(at));
    let shown = listed_degrees(&s);
    assert!(!shown.is_empty(), "{s}");
    assert_eq!(shown, degrees[..shown.len()], "{s}");
    edges
}

#[test]
fn graph_pane_steps_back_month_by_month_and_forward_to_now() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    let now = f.screen(80, 24);
    let (edges_now, degrees) = graph_on(&f.store, None);
    assert_eq!(listed_degrees(&now), degrees[..listed_degrees(&now).len()], "{now}");
    let months = teren::graph::computed::compute(&f.store, None).unwrap().months;
    assert!(months.len() > 3, "the demo spans months");
    for _ in 0..3 {
        f.ch('[');
    }
    let earlier = shows_graph_on(&mut f, teren::graph::month_end(months[months.len() - 3]));
    assert!(earlier <= edges_now);
    for _ in 0..months.len() + 2 {
        f.ch('[');
    }
    let first = shows_graph_on(&mut f, teren::graph::month_end(months[0]));
    assert!(first < edges_now, "{first} < {edges_now}");
    for _ in 0..months.len() + 2 {
        f.ch(']');
    }
    let s = f.screen(80, 24);
    assert!(!s.contains("stan na") && s.contains(" · dziś · "), "{s}");
    assert_eq!(s, now);
}

#[test]
fn graph_pane_recomputes_after_an_edit_and_opens_the_ties() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    f.code(KeyCode::Enter);
    assert_eq!(f.popup(), Some("record"));
    f.code(KeyCode::Esc);
    // Delete a participant in pane 1: the graph is stale and is computed again.
    f.ch('1');
    f.ch('d');
    f.code(KeyCode::Enter);
    f.key_only(KeyCode::Char('4'));
    let jobs = f.take_jobs();
    assert_eq!(jobs.len(), 1, "the graph is computed again");
    for job in jobs {
        f.finish(job);
    }
    f.key_only(KeyCode::Char('1'));
    f.key_only(KeyCode::Char('4'));
    assert!(f.take_jobs().is_empty());
    assert!(!f.screen(80, 24).contains("liczę…"));
    f.run_jobs();
    // The partnership filter narrows the list to its organisations.
    let all = list_count(&f.screen(80, 24)).0;
    f.ch('p');
    let s = f.screen(80, 24);
    assert!(!s.contains("┌ organizacje ("), "the list is the partnership's: {s}");
    assert!(list_count(&s).0 < all);
    f.code(KeyCode::Esc);
    let s = f.screen(80, 24);
    assert!(s.contains("┌ organizacje ("), "{s}");
    assert_eq!(list_count(&s).0, all);
}

#[test]
fn graph_ego_layout_is_deterministic_in_bounds_and_labels_do_not_overlap() {
    use teren::graph::computed::compute;
    use teren::graph::layout::ego_layout;
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

#[test]
fn a_search_over_a_big_list_runs_as_a_job_and_the_newest_query_wins() {
    // Above 20 000 rows a search runs off the UI thread, one at a time.
    let mut f = crate::support::app::fixture_sized(Lang::Pl, 20_100);
    let all = list_count(&f.screen(120, 30)).0;
    f.ch('/');
    // Typed faster than searches finish: the first letter's search starts, the rest
    // wait, and only the newest query runs after it.
    for c in "kowalski".chars() {
        f.key_only(KeyCode::Char(c));
    }
    let first = f.take_jobs();
    assert_eq!(first.len(), 1, "one search at a time");
    for job in first {
        f.finish(job);
    }
    let next = f.take_jobs();
    assert_eq!(next.len(), 1, "the newest query goes next");
    for job in next {
        f.finish(job);
    }
    assert!(f.take_jobs().is_empty());
    let typed_fast = f.screen(120, 30);
    let (found, total) = list_count(&typed_fast);
    assert_eq!(total, Some(all));
    assert!(found > 0 && found < all, "{found} of {all}");
    // The same as typing slowly, each letter's search done before the next.
    f.code(KeyCode::Esc);
    f.ch('/');
    f.typ("kowalski");
    assert_eq!(list_count(&f.screen(120, 30)), (found, Some(all)));
    assert_eq!(f.screen(120, 30), typed_fast);
}
