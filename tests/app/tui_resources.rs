#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The resources pane (pane 3): the tree, the detail panel, needs with proposals,
//! linking, the gap, the plot, forms and the export, driven by keys on a demo store.

use crossterm::event::KeyCode;
use std::collections::HashMap;
use teren::i18n::Lang;
use teren::model::{Entity, Id, NeedStatus, ResourceCategory};
use teren::resources::{self, Data};

use crate::support::app::{Fixture, fixture};

/// The demo store with pane 3 shown.
fn pane3(lang: Lang) -> Fixture {
    let mut f = fixture(lang);
    f.ch('3');
    f
}

fn data(f: &Fixture) -> Data {
    Data::load(&f.store).unwrap()
}

/// Search the tree for `q`, leave the search line, and step down to the place row.
fn find_place(f: &mut Fixture, q: &str) {
    f.ch('/');
    f.typ(q);
    f.code(KeyCode::Enter);
    f.code(KeyCode::Down);
}

#[test]
fn tree_has_counts_at_every_level() {
    let mut f = pane3(Lang::Pl);
    let s = f.screen(80, 24);
    let d = data(&f);
    let tree = resources::tree(&d, &resources::Scope::default());
    let g = &tree.gminas[0];
    // The first gmina and its first place are unfolded: every level shows with counts.
    assert!(s.contains(&format!("gmina {} ({})", g.name.as_deref().unwrap(), g.count)), "{s}");
    let p = &g.places[0];
    assert!(s.contains(&format!("{} ({})", p.name.as_deref().unwrap(), p.count)), "{s}");
    assert!(s.contains(&format!("zasoby {}/{}", tree.count, d.resources.len())), "{s}");
    insta::assert_snapshot!("resources_tree", s);
}

#[test]
fn folding_by_keyboard() {
    let mut f = pane3(Lang::Pl);
    let before = f.screen(80, 24);
    assert!(before.contains("▾ Chomętowo"), "{before}");
    // ← on the open gmina folds it: one line left in the tree.
    f.code(KeyCode::Left);
    let s = f.screen(80, 24);
    assert!(s.contains("▸ gmina Dobiegniew"), "{s}");
    assert!(!s.contains("Chomętowo"), "{s}");
    // → unfolds it again (the place under it kept its state); space folds once more.
    f.code(KeyCode::Right);
    assert_eq!(f.screen(80, 24), before);
    f.ch(' ');
    assert!(f.screen(80, 24).contains("▸ gmina Dobiegniew"));
    // Enter on a group toggles it too.
    f.code(KeyCode::Enter);
    assert_eq!(f.screen(80, 24), before);
    // ← on a folded place goes to its gmina.
    f.code(KeyCode::Down);
    f.code(KeyCode::Left);
    let s = f.screen(80, 24);
    assert!(s.contains("▸ Chomętowo"), "{s}");
    f.code(KeyCode::Left);
    assert!(f.screen(80, 24).contains("›▾ gmina Dobiegniew"));
}

#[test]
fn detail_panel_and_enter_jumps_to_the_contact() {
    let mut f = pane3(Lang::Pl);
    // Step down to the first resource with a contact person.
    let mut s = f.screen(80, 24);
    for _ in 0..40 {
        if s.contains("kontakt:") {
            break;
        }
        f.code(KeyCode::Down);
        s = f.screen(80, 24);
    }
    assert!(s.contains("kontakt:"), "{s}");
    assert!(s.contains("współrzędne:"), "{s}");
    assert!(s.contains("odpowiada na:"), "{s}");
    insta::assert_snapshot!("resources_detail", s);
    let contact_line = s.lines().find(|l| l.contains("kontakt:")).unwrap();
    let name = contact_line.split("kontakt:").nth(1).unwrap().split("(Enter").next().unwrap().trim().to_string();
    f.code(KeyCode::Enter);
    assert_eq!(f.pane(), 0);
    let id = f.selected().unwrap();
    let doc = f.store.doc(Entity::Participant, id).unwrap().unwrap();
    assert!(doc.string("name").unwrap().starts_with(name.trim_end_matches('…')), "{name}");
}

#[test]
fn search_and_filters_narrow_the_tree() {
    let mut f = pane3(Lang::Pl);
    let d = data(&f);
    f.ch('/');
    f.typ("swietlica");
    let s = f.screen(80, 24);
    assert!(s.contains("/swietlica"), "{s}");
    let want = d.resources.iter().filter(|r| teren::search::fold(&r.name).contains("swietlica")).count();
    assert!(want > 0);
    // Every leaf shown is a świetlica, and the count in the title says how many match.
    let leaves: Vec<&str> = s.lines().filter(|l| l.contains("│       · ")).collect();
    assert!(!leaves.is_empty(), "{s}");
    assert!(leaves.iter().all(|l| l.contains("Świetlica")), "{s}");
    // Names first; descriptions and tags that name one match too.
    let shown: usize = s.split("┌ zasoby ").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
    assert!(shown >= want && shown < d.resources.len(), "{s}");
    // Esc leaves the search empty; the category filter cycles.
    f.code(KeyCode::Esc);
    f.code(KeyCode::Esc);
    f.ch('f');
    let s = f.screen(80, 24);
    let people = d.resources.iter().filter(|r| r.category == ResourceCategory::People).count();
    assert!(s.contains(&format!("zasoby {people}/{}", d.resources.len())), "{s}");
    assert!(s.contains("· ludzie i umiejętności"), "{s}");
    // p keeps only the selected place.
    f.code(KeyCode::Esc);
    f.code(KeyCode::Down);
    f.ch('p');
    let s = f.screen(80, 24);
    let here = d.resources.iter().filter(|r| r.place.as_deref() == Some("Chomętowo")).count();
    assert!(s.contains(&format!("zasoby {here}/{}", d.resources.len())), "{s}");
    // t: the most used tag.
    f.code(KeyCode::Esc);
    f.ch('t');
    let s = f.screen(80, 24);
    assert!(s.contains(" · #"), "{s}");
}

#[test]
fn needs_show_proposals_and_a_key_links_one() {
    let mut f = pane3(Lang::Pl);
    find_place(&mut f, "lubiewo");
    f.ch('n');
    let s = f.screen(80, 24);
    assert!(s.contains("Propozycje"), "{s}");
    assert!(s.contains("ta sama miejscowość"), "{s}");
    insta::assert_snapshot!("resources_needs", s);

    // The second proposal of the selected need, linked by key.
    let before = data(&f);
    f.ch(']');
    f.ch('l');
    let after = data(&f);
    let changed: Vec<_> = after
        .needs
        .iter()
        .filter(|n| before.needs.iter().find(|b| b.id == n.id).is_some_and(|b| b.resources != n.resources))
        .collect();
    assert_eq!(changed.len(), 1, "one need changed");
    let need = changed[0];
    let old = before.needs.iter().find(|b| b.id == need.id).unwrap();
    let proposed = resources::propose(&before, old, Lang::Pl);
    assert_eq!(need.resources.len(), old.resources.len() + 1);
    assert_eq!(need.resources.last(), Some(&proposed[1].resource));
    assert_eq!(need.place.as_deref(), Some("Lubiewo"));
    let s = f.screen(80, 24);
    assert!(s.contains("Połączono"), "{s}");
    // Linked now, so no longer proposed.
    assert!(!resources::propose(&after, need, Lang::Pl).iter().any(|p| p.resource == proposed[1].resource));
}

#[test]
fn gap_view_of_a_place() {
    let mut f = pane3(Lang::Pl);
    find_place(&mut f, "lubiewo");
    f.ch('g');
    let s = f.screen(80, 24);
    let d = data(&f);
    let gap = resources::gap(&d, &resources::Scope::new(Some("Dobiegniew".into()), Some("Lubiewo".into())));
    assert!(!gap.unanswered.is_empty());
    assert!(s.contains("luka: Lubiewo (gmina Dobiegniew)"), "{s}");
    assert!(s.contains(&format!("Potrzeby bez odpowiedzi ({})", gap.unanswered.len())), "{s}");
    insta::assert_snapshot!("resources_gap", s);
    f.code(KeyCode::Esc);
    assert!(!f.screen(80, 24).contains("luka: Lubiewo"));
}

#[test]
fn plot_of_the_gmina_labels_the_selected_resource() {
    let mut f = pane3(Lang::Pl);
    for _ in 0..3 {
        f.code(KeyCode::Down);
    }
    f.ch('m');
    let s = f.screen(80, 24);
    let d = data(&f);
    let in_gmina = d.resources.iter().filter(|r| r.gmina.as_deref() == Some("Dobiegniew")).count();
    assert!(s.contains(&format!("mapa: gmina Dobiegniew · {in_gmina}/{in_gmina}")), "{s}");
    assert!(s.contains("◉ Koło rękodzieła"), "{s}");
    assert!(s.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)), "braille dots: {s}");
    insta::assert_snapshot!("resources_plot", s);
}

#[test]
fn add_edit_and_delete_a_resource_by_form() {
    let mut f = pane3(Lang::Pl);
    // On Chomętowo's "places" category: the form comes with place, gmina and category.
    for _ in 0..4 {
        f.code(KeyCode::Down);
    }
    f.ch('a');
    assert_eq!(f.popup(), Some("form"));
    let s = f.screen(80, 24);
    assert!(s.contains("Nowy zasób"), "{s}");
    assert!(s.contains("miejsca i infrastruktura"), "{s}");
    f.typ("Świetlica wiejska Chomętowo");
    f.ctrl('s');
    assert_eq!(f.popup(), None);
    let d = data(&f);
    let r = d.resources.iter().find(|r| r.name == "Świetlica wiejska Chomętowo").unwrap().clone();
    assert_eq!(r.category, ResourceCategory::Places);
    assert_eq!(r.place.as_deref(), Some("Chomętowo"));
    assert_eq!(r.gmina.as_deref(), Some("Dobiegniew"));
    // The new resource is selected in the tree.
    let s = f.screen(80, 24);
    assert!(s.contains("›      · Świetlica wiejska Chomętowo"), "{s}");

    // Edit: a description and coordinates (validated as typed).
    f.ch('e');
    for _ in 0..2 {
        f.code(KeyCode::Tab);
    }
    f.typ("Sala na 60 osób z kuchnią");
    for _ in 0..5 {
        f.code(KeyCode::Tab);
    }
    f.typ("95");
    let s = f.screen(80, 24);
    assert!(s.contains("✗"), "{s}");
    f.ctrl('s');
    assert_eq!(f.popup(), Some("form"), "an invalid form is not saved");
    f.code(KeyCode::Backspace);
    f.code(KeyCode::Backspace);
    f.typ("52.95");
    f.ctrl('s');
    assert_eq!(f.popup(), None);
    let d = data(&f);
    let edited = d.resource(r.id).unwrap();
    assert_eq!(edited.description.as_deref(), Some("Sala na 60 osób z kuchnią"));
    assert_eq!(edited.lat, Some(52.95));
    assert_eq!(edited.name, r.name);

    // Delete, after a confirmation; Esc would have kept it.
    f.ch('d');
    assert!(f.screen(80, 24).contains("Usunąć Świetlica wiejska Chomętowo?"));
    f.code(KeyCode::Esc);
    assert!(data(&f).resource(r.id).is_some());
    f.ch('d');
    f.code(KeyCode::Enter);
    assert!(data(&f).resource(r.id).is_none());
    let doc = f.store.doc(Entity::Resource, r.id).unwrap().unwrap();
    assert!(doc.is_deleted());
    assert!(f.screen(80, 24).contains("Usunięto"));
}

#[test]
fn a_bad_category_keeps_the_form_open_and_the_store_unchanged() {
    let mut f = pane3(Lang::Pl);
    let before = data(&f).resources.len();
    f.ch('a');
    f.typ("Pracownia ceramiki");
    f.code(KeyCode::Tab);
    f.typ("garncarstwo");
    let s = f.screen(80, 24);
    assert!(s.contains("nieznana wartość"), "{s}");
    f.ctrl('s');
    assert_eq!(f.popup(), Some("form"));
    assert_eq!(data(&f).resources.len(), before);
    // A category typed in Polish, folded, is fine.
    for _ in 0.."garncarstwo".len() {
        f.code(KeyCode::Backspace);
    }
    f.typ("ludzie");
    f.ctrl('s');
    assert_eq!(f.popup(), None);
    let d = data(&f);
    assert_eq!(d.resources.len(), before + 1);
    // The new one is selected, so the next form takes its category; saving a
    // resource never asks about duplicate participants.
    f.ch('a');
    f.typ("Pracownia ceramiki");
    f.ctrl('s');
    assert_eq!(f.popup(), None, "no duplicate dialog for resources");
    assert_eq!(data(&f).resources.iter().filter(|r| r.name == "Pracownia ceramiki").count(), 2);
}

#[test]
fn needs_are_added_edited_and_deleted_in_the_pane() {
    let mut f = pane3(Lang::Pl);
    find_place(&mut f, "lubiewo");
    f.ch('n');
    f.ch('a');
    let s = f.screen(80, 24);
    assert!(s.contains("Nowa potrzeba"), "{s}");
    f.typ("Brak świetlicy dla seniorów");
    f.code(KeyCode::Tab);
    f.typ("miejsca");
    f.ctrl('s');
    assert_eq!(f.popup(), None);
    let d = data(&f);
    let n = d.needs.iter().find(|n| n.description == "Brak świetlicy dla seniorów").unwrap().clone();
    assert_eq!(n.place.as_deref(), Some("Lubiewo"));
    assert_eq!(n.gmina.as_deref(), Some("Dobiegniew"));
    assert_eq!(n.status, NeedStatus::Open);
    assert_eq!(n.category, Some(ResourceCategory::Places));
    // It is selected: edit its status.
    assert!(f.screen(80, 24).contains("›○ Lubiewo: Brak świetlicy"));
    f.ch('e');
    for _ in 0..4 {
        f.code(KeyCode::Tab);
    }
    for _ in 0.."otwarta".len() {
        f.code(KeyCode::Backspace);
    }
    f.typ("w trakcie");
    f.ctrl('s');
    assert_eq!(data(&f).needs.iter().find(|x| x.id == n.id).unwrap().status, NeedStatus::InProgress);
    f.ch('d');
    f.code(KeyCode::Enter);
    assert!(!data(&f).needs.iter().any(|x| x.id == n.id));
}

#[test]
fn a_need_recorded_from_a_meeting_carries_its_place_and_ref() {
    let mut f = fixture(Lang::Pl);
    f.ch('2');
    assert!(!f.screen(80, 24).contains("wczytywanie…"), "the meetings are loaded");
    let mid: Id = f.selected().unwrap();
    let m = crate::support::app::meeting(&f.store, mid);
    f.ch('n');
    let s = f.screen(80, 24);
    assert!(s.contains("Nowa potrzeba"), "{s}");
    assert!(s.contains(&mid.short()), "{s}");
    f.typ("Potrzebny transport na zajęcia");
    f.ctrl('s');
    assert_eq!(f.popup(), None);
    let d = data(&f);
    let n = d.needs.iter().find(|n| n.description == "Potrzebny transport na zajęcia").unwrap();
    assert_eq!(n.meeting, Some(mid));
    assert_eq!(n.place, m.place);
    assert_eq!(n.gmina, m.gmina);
}

#[test]
fn export_writes_the_place_map_where_asked() {
    let mut f = pane3(Lang::Pl);
    let dir = tempfile::tempdir().unwrap();
    find_place(&mut f, "lubiewo");
    f.ch('x');
    let s = f.screen(80, 24);
    assert!(s.contains("Zapisz mapę do: mapa-lubiewo.md"), "{s}");
    let md = dir.path().join("mapa-lubiewo.md");
    f.ctrl('u');
    f.typ(md.to_str().unwrap());
    f.code(KeyCode::Enter);
    let text = std::fs::read_to_string(&md).unwrap();
    let d = data(&f);
    let scope = resources::Scope::new(Some("Dobiegniew".into()), Some("Lubiewo".into()));
    assert_eq!(text, resources::export::markdown(&d, &scope, Lang::Pl));
    assert!(text.contains("Lubiewo"));
    let s = f.screen(80, 24);
    assert!(s.contains("Zapisano mapę"), "{s}");
    // CSV by the extension, from the gap view.
    f.ch('g');
    f.ch('x');
    let csv = dir.path().join("lubiewo.csv");
    f.ctrl('u');
    f.typ(csv.to_str().unwrap());
    f.code(KeyCode::Enter);
    assert_eq!(std::fs::read(&csv).unwrap(), resources::export::csv(&d, &scope, Lang::Pl));
    // On a gmina the file says so, apart from the seat's own place.
    f.code(KeyCode::Esc);
    f.code(KeyCode::Esc);
    f.code(KeyCode::Home);
    f.ch('x');
    assert!(f.screen(80, 24).contains("Zapisz mapę do: mapa-gmina-dobiegniew.md"));
    f.code(KeyCode::Esc);
    // A path that cannot be written: a message, nothing else.
    f.ch('x');
    f.ctrl('u');
    f.typ("/nonexistent-dir/x.md");
    f.code(KeyCode::Enter);
    assert!(f.screen(80, 24).contains("Nie można zapisać"));
}

#[test]
fn pane_in_english() {
    let mut f = pane3(Lang::En);
    let s = f.screen(80, 24);
    assert!(s.contains("resources 159/159") || s.contains("resources "), "{s}");
    assert!(s.contains("people and skills"), "{s}");
    f.ch('n');
    assert!(f.screen(80, 24).contains("Proposals"));
    let labels: HashMap<&str, &str> = teren::i18n::LABELS.iter().map(|(k, _, en)| (*k, *en)).collect();
    assert!(labels.contains_key("res_gap"));
}

#[test]
fn every_view_draws_at_small_and_large_sizes() {
    let mut f = pane3(Lang::Pl);
    // tree, plot, needs, gap, export prompt, delete confirmation, search line
    let steps: [&dyn Fn(&mut Fixture); 7] = [
        &|_| {},
        &|f| {
            f.code(KeyCode::Down);
            f.ch('m');
        },
        &|f| {
            f.ch('m');
            f.ch('n');
        },
        &|f| {
            f.ch('g');
        },
        &|f| {
            f.ch('x');
        },
        &|f| {
            f.code(KeyCode::Esc);
            f.code(KeyCode::Esc);
            f.ch('d');
        },
        &|f| {
            f.code(KeyCode::Esc);
            f.ch('n');
            f.ch('/');
            f.typ("qxq");
        },
    ];
    for step in steps {
        step(&mut f);
        for (w, h) in [(40, 10), (52, 14), (80, 24), (140, 45)] {
            let s = f.screen(w, h);
            // The pane bar is drawn (the brand gives way to the names on narrow screens).
            assert!(s.contains("1 uczestnicy"), "{w}x{h}: {s}");
        }
    }
    // Nothing matches: the pane says so.
    assert!(f.screen(80, 24).contains("Nic nie znaleziono"));
}

#[test]
fn an_empty_map_takes_a_first_resource() {
    let mut f = Fixture::build(Lang::Pl, |_| {});
    // The welcome on an empty database, closed.
    assert_eq!(f.popup(), Some("first_run"));
    f.code(KeyCode::Esc);
    assert_eq!(f.popup(), None);
    f.ch('3');
    let s = f.screen(80, 24);
    assert!(s.contains("zasoby 0/0"), "{s}");
    for k in ['n', 'g', 'm', 'l', 'e', 'd'] {
        f.ch(k);
    }
    f.code(KeyCode::Esc);
    f.ch('n');
    f.ch('a');
    f.typ("Świetlica w Ługach");
    f.code(KeyCode::Tab);
    f.typ("miejsca");
    for _ in 0..3 {
        f.code(KeyCode::Tab);
    }
    f.typ("Ługi");
    f.ctrl('s');
    assert_eq!(f.popup(), None, "{}", f.screen(80, 24));
    let d = data(&f);
    assert_eq!(d.resources.len(), 1);
    assert_eq!(d.resources[0].place.as_deref(), Some("Ługi"));
    let s = f.screen(80, 24);
    assert!(s.contains("· Świetlica w Ługach"), "{s}");
    assert!(s.contains("gmina (nie podano) (1)"), "{s}");
}

#[test]
fn vim_preset_keeps_gg_and_puts_the_gap_on_capital_l() {
    use teren::tui::keymap::{Keymap, VIM};
    let mut f = pane3(Lang::Pl);
    f.app.env.keymap = Keymap::default_map().overlay(VIM, "vim").unwrap();
    for _ in 0..3 {
        f.ch('j');
    }
    assert!(!f.screen(80, 24).contains("›▾ gmina Dobiegniew"));
    f.ch('g');
    f.ch('g');
    let s = f.screen(80, 24);
    assert!(s.contains("›▾ gmina Dobiegniew"), "{s}");
    assert!(!s.contains("luka: gmina"), "{s}");
    f.ch('L');
    assert!(f.screen(80, 24).contains("luka: gmina Dobiegniew"));
}

#[test]
fn an_unknown_contact_is_marked_on_its_field() {
    let mut f = pane3(Lang::Pl);
    let before = data(&f).resources.len();
    f.ch('a');
    f.typ("Sala gimnastyczna");
    f.code(KeyCode::Tab);
    f.typ("miejsca");
    for _ in 0..4 {
        f.code(KeyCode::Tab);
    }
    f.typ("Nikt Taki Nieistniejący");
    f.ctrl('s');
    assert_eq!(f.popup(), Some("form"), "the form closed");
    // The focus on the contact field, marked, and the form's message says why.
    let s = f.screen(80, 24);
    let field = crate::support::app::focused_field(&s).unwrap();
    assert!(field.starts_with("kontakt ") && field.contains("✗"), "{s}");
    assert!(s.contains("│kontakt: no participant matches 'Nikt Taki Nieistniejący'"), "{s}");
    assert_eq!(data(&f).resources.len(), before);
}
