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

#[path = "support/app.rs"]
mod support;
use support::{Fixture, buffer_text, fixture};

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
    let states: [&dyn Fn(&mut Fixture); 6] = [
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
