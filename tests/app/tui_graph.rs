#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Pane 4 driven by keys: partnerships entered and edited in the app (seed 004's
//! Dobiegniew partnership), read back from the store and from `teren graph --json`;
//! `/` picks the ego centre; organisations only and one gmina as the scope; the
//! numbers the pane shows equal the command line's. Snapshots at 80×24.

use crate::support::cli;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use teren::i18n::Lang;
use teren::model::{Entity, Id, Kind, Meeting, Participant, Partnership, PartnershipStatus};
use teren::tui::app::Popup;
use teren::tui::partnership::{Dialog, Focus};

use crate::support::app::{Fixture, fixture};

const NAME: &str = "Partnerstwo na rzecz Ekonomii Społecznej w Dobiegniewie";

/// The six key tasks of seed 004, as the goals.
const TASKS: [&str; 6] = [
    "1. Analiza sytuacji ekonomii społecznej",
    "2. Infrastruktura wsparcia dla PES",
    "3. Edukacja i kształcenie w zakresie ES",
    "4. Pozytywny wizerunek marki ES",
    "5. Promowanie sektora ES",
    "6. Standaryzacja podmiotów ES",
];

fn tab(f: &mut Fixture) {
    f.code(KeyCode::Tab);
}

fn enter(f: &mut Fixture) {
    f.code(KeyCode::Enter);
}

fn participant_named(f: &Fixture, name: &str) -> Participant {
    f.store
        .docs(Entity::Participant)
        .unwrap()
        .into_iter()
        .map(|(id, d)| Participant::from_doc(id, &d))
        .find(|p| p.name == name && !p.deleted)
        .unwrap_or_else(|| panic!("no participant {name}"))
}

fn partnership_named(f: &Fixture, name: &str) -> Option<Partnership> {
    f.store
        .docs(Entity::Partnership)
        .unwrap()
        .into_iter()
        .map(|(id, d)| Partnership::from_doc(id, &d))
        .find(|p| p.name == name && !p.deleted)
}

fn editor(f: &Fixture) -> &teren::tui::partnership::Editor {
    match f.app.popups.last() {
        Some(Popup::Partnership(d)) => match d.as_ref() {
            Dialog::Edit(e) => e,
            Dialog::Delete { .. } => panic!("the delete question, not the editor"),
        },
        _ => panic!("no partnership dialog open"),
    }
}

/// The inaugural meeting of seed 004: 15 December 2010 at the ŚDS in Dobiegniew.
fn inaugural_meeting(f: &Fixture) -> Id {
    teren::edit::create(
        &f.store,
        Entity::Meeting,
        &[
            ("type".into(), "group".into()),
            ("date".into(), "2010-12-15".into()),
            ("place".into(), "Dobiegniew".into()),
            ("title".into(), "Spotkanie inauguracyjne partnerów w ŚDS".into()),
        ],
    )
    .unwrap()
}

/// A member typed as part of a name, picked (it must be `full`), with role and date.
fn member(f: &mut Fixture, part: &str, full: &str, role: &str, joined: &str) {
    f.typ(part);
    let e = editor(f);
    assert_eq!(e.candidates.first().map(|c| c.name.as_str()), Some(full), "candidates for {part}");
    enter(f);
    assert!(matches!(editor(f).focus, Focus::Role(_)), "after picking {part}: {:?}", editor(f).focus);
    f.typ(role);
    enter(f);
    f.typ(joined);
    enter(f);
    assert_eq!(editor(f).focus, Focus::Members);
}

/// Seed 004 entered by keys: the leader, six more partners with roles and dates, the
/// inaugural meeting, status and the six key tasks.
fn enter_seed_004(f: &mut Fixture) -> Id {
    let meeting = inaugural_meeting(f);
    f.ch('4');
    f.ch('a');
    assert_eq!(editor(f).focus, Focus::Name);
    f.typ(NAME);
    tab(f);
    f.typ("wspierania małej");
    assert_eq!(editor(f).candidates[0].name, "Stowarzyszenie Wspierania Małej Przedsiębiorczości");
    enter(f);
    assert_eq!(editor(f).focus, Focus::Started);
    f.typ("2010-12-15");
    enter(f);
    f.code(KeyCode::Right);
    assert_eq!(editor(f).status.value, "aktywne");
    enter(f);
    f.typ("inauguracyjne");
    enter(f);
    assert_eq!(editor(f).meeting_id, Some(meeting));
    assert_eq!(editor(f).focus, Focus::Goals);
    for (k, task) in TASKS.iter().enumerate() {
        if k > 0 {
            enter(f);
        }
        f.typ(task);
    }
    tab(f);
    assert_eq!(editor(f).focus, Focus::Members);
    member(
        f,
        "gminny ośrodek pomocy",
        "Miejsko-Gminny Ośrodek Pomocy Społecznej w Dobiegniewie",
        "partner",
        "2010-12-15",
    );
    member(f, "urząd pracy strzel", "Powiatowy Urząd Pracy w Strzelcach Krajeńskich", "partner", "2010-12-15");
    member(f, "urząd miejski dobieg", "Urząd Miejski w Dobiegniewie", "partner", "2011-01-13");
    member(f, "dom samopomocy", "Środowiskowy Dom Samopomocy w Dobiegniewie", "gospodarz spotkań", "2010-12-15");
    member(f, "pod lipami", "Spółdzielnia Socjalna „Pod Lipami”", "partner", "2011-03-01");
    member(f, "puszcza notecka", "Lokalna Grupa Działania „Puszcza Notecka”", "partner", "2011-03-01");
    assert_eq!(editor(f).members.len(), 6);
    f.ctrl('s');
    assert!(f.app.popups.is_empty(), "not saved: {:?}", f.app.popups.last().map(|_| editor(f).error.clone()));
    partnership_named(f, NAME).expect("saved").id
}

#[test]
fn seed_004_partnership_entered_by_keys_reads_back_from_the_store_and_the_graph() {
    let mut f = fixture(Lang::Pl);
    let id = enter_seed_004(&mut f);
    let p = partnership_named(&f, NAME).unwrap();
    assert_eq!(p.id, id);
    let leader = participant_named(&f, "Stowarzyszenie Wspierania Małej Przedsiębiorczości");
    assert_eq!(p.leader, Some(leader.id));
    // Seven partners: the leader and six members.
    assert_eq!(p.members.len(), 7);
    assert_eq!(p.started.map(|d| d.to_string()).as_deref(), Some("2010-12-15"));
    assert_eq!(p.status, PartnershipStatus::Active);
    let goals = p.goals.clone().unwrap_or_default();
    assert_eq!(goals.lines().count(), 6, "{goals}");
    assert!(goals.contains("6. Standaryzacja"), "{goals}");
    let sds = participant_named(&f, "Środowiskowy Dom Samopomocy w Dobiegniewie");
    let m = p.members.iter().find(|m| m.participant == sds.id).unwrap();
    assert_eq!(m.role.as_deref(), Some("gospodarz spotkań"));
    assert_eq!(m.joined.map(|d| d.to_string()).as_deref(), Some("2010-12-15"));
    let um = participant_named(&f, "Urząd Miejski w Dobiegniewie");
    let m = p.members.iter().find(|m| m.participant == um.id).unwrap();
    assert_eq!(m.joined.map(|d| d.to_string()).as_deref(), Some("2011-01-13"));
    // The inaugural meeting belongs to the partnership.
    let meeting_id = p.meeting.unwrap();
    let meeting = Meeting::from_doc(meeting_id, &f.store.doc(Entity::Meeting, meeting_id).unwrap().unwrap());
    assert_eq!(meeting.partnership, Some(id));
    // The status line says so, and the pane shows the new ties.
    assert!(f.screen(80, 24).contains("Partnerstwo zapisane"));

    // `teren graph --json` on the same file: the leader is tied to every partner
    // "both in" the partnership.
    let path = f._dir.path().join("teren.redb");
    let Fixture { _dir, store, app } = f;
    drop(app);
    drop(store);
    let out = cli::command().args(["--db", path.to_str().unwrap(), "--lang", "en", "graph", "--json"]).output();
    let out = out.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let g: Value = serde_json::from_slice(&out.stdout).unwrap();
    let lid = leader.id.to_string();
    let ties: Vec<&Value> = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == lid.as_str() || e["to"] == lid.as_str())
        .filter(|e| e["why"].as_str().unwrap_or("").contains(&format!("both in {NAME}")))
        .collect();
    assert_eq!(ties.len(), 6, "{ties:?}");
}

#[test]
fn partnership_edited_by_keys_drops_a_member_adds_one_and_clears_the_old_role() {
    let mut f = fixture(Lang::Pl);
    teren::edit::create(
        &f.store,
        Entity::Meeting,
        &[
            ("type".into(), "workshop".into()),
            ("date".into(), "2011-02-10".into()),
            ("place".into(), "Osiek".into()),
            ("title".into(), "Warsztaty spółdzielcze partnerów".into()),
        ],
    )
    .unwrap();
    let id = enter_seed_004(&mut f);
    // Filter on it (p steps through partnerships by name), then e.
    let idx = f.app.graph.shown.as_ref().unwrap().partnerships.iter().position(|p| p.2 == id).unwrap();
    for _ in 0..=idx {
        f.ch('p');
    }
    assert_eq!(f.app.graph.partnership_to_edit(), Some(id));
    f.ch('e');
    assert_eq!(editor(&f).name.value, NAME);
    assert_eq!(editor(&f).members.len(), 7);
    for _ in 0..6 {
        tab(&mut f);
    }
    assert_eq!(editor(&f).focus, Focus::Members);
    // Backspace on the empty name line takes the last member off (the list is by
    // joining date, then name).
    let last = editor(&f).members.last().map(|m| m.name.clone()).unwrap();
    assert_eq!(last, "Spółdzielnia Socjalna „Pod Lipami”");
    assert_eq!(editor(&f).members[0].name, "Stowarzyszenie Wspierania Małej Przedsiębiorczości");
    f.code(KeyCode::Backspace);
    assert_eq!(editor(&f).members.len(), 6);
    member(&mut f, "gazeta strzel", "Gazeta Strzelecka", "patron medialny", "2011-02-01");
    insta::assert_snapshot!("partnership_editor", f.screen(80, 24));
    // A further meeting that belongs: the last line, picked by part of its label.
    for _ in 0..40 {
        if editor(&f).focus == Focus::Meetings {
            break;
        }
        tab(&mut f);
    }
    assert_eq!(editor(&f).focus, Focus::Meetings);
    f.typ("spoldzielcze osiek");
    let picked = editor(&f).candidates.first().map(|c| c.id).expect("no meeting candidates");
    insta::assert_snapshot!("partnership_editor_meeting_candidates", f.screen(80, 24));
    enter(&mut f);
    assert_eq!(editor(&f).meetings.iter().map(|m| m.0).collect::<Vec<_>>(), vec![picked]);
    f.ctrl('s');
    assert!(f.app.popups.is_empty());
    let p = partnership_named(&f, NAME).unwrap();
    let gone = participant_named(&f, &last);
    let gazeta = participant_named(&f, "Gazeta Strzelecka");
    assert!(!p.members.iter().any(|m| m.participant == gone.id));
    let m = p.members.iter().find(|m| m.participant == gazeta.id).unwrap();
    assert_eq!(m.role.as_deref(), Some("patron medialny"));
    let doc = f.store.doc(Entity::Partnership, id).unwrap().unwrap();
    assert_eq!(doc.str(&format!("role:{}", gone.id)), None, "the old member's role stays");
    let m = Meeting::from_doc(picked, &f.store.doc(Entity::Meeting, picked).unwrap().unwrap());
    assert_eq!(m.partnership, Some(id));
    // Opened again, the meeting is listed; taken off and saved, it no longer belongs.
    f.ch('e');
    assert_eq!(editor(&f).meetings.len(), 1);
    f.code(KeyCode::BackTab);
    assert_eq!(editor(&f).focus, Focus::Meetings);
    f.code(KeyCode::Backspace);
    f.ctrl('s');
    let m = Meeting::from_doc(picked, &f.store.doc(Entity::Meeting, picked).unwrap().unwrap());
    assert_eq!(m.partnership, None);
}

#[test]
fn partnership_delete_asks_first() {
    let mut f = fixture(Lang::Pl);
    let id = enter_seed_004(&mut f);
    let idx = f.app.graph.shown.as_ref().unwrap().partnerships.iter().position(|p| p.2 == id).unwrap();
    for _ in 0..=idx {
        f.ch('p');
    }
    f.ch('d');
    let s = f.screen(80, 24);
    assert!(s.contains("Usunąć Partnerstwo na rzecz"), "{s}");
    f.code(KeyCode::Esc);
    assert!(partnership_named(&f, NAME).is_some());
    f.ch('d');
    enter(&mut f);
    assert!(partnership_named(&f, NAME).is_none());
    assert!(f.screen(80, 24).contains("Partnerstwo usunięte"));
}

#[test]
fn a_bad_date_keeps_the_editor_open_and_writes_nothing() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    f.ch('a');
    f.typ("Partnerstwo próbne");
    tab(&mut f);
    tab(&mut f);
    f.typ("15.13.2010");
    assert!(editor(&f).started.error.is_some());
    f.ctrl('s');
    assert!(editor(&f).error.is_some());
    assert!(partnership_named(&f, "Partnerstwo próbne").is_none());
    // A leader typed but not picked and not known: the save says which, nothing written.
    for _ in 0..10 {
        f.code(KeyCode::Backspace);
    }
    f.code(KeyCode::BackTab);
    f.typ("Nieistniejąca Fundacja");
    f.ctrl('s');
    let err = editor(&f).error.clone().unwrap_or_default();
    assert!(err.contains("Nieistniejąca Fundacja"), "{err}");
    assert!(partnership_named(&f, "Partnerstwo próbne").is_none());
    f.code(KeyCode::Esc);
    assert!(f.app.popups.is_empty());
}

#[test]
fn slash_search_picks_the_ego_centre_among_all_nodes() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    f.ch('/');
    assert!(f.app.graph.searching);
    f.typ("gazeta strz");
    let c = f.app.graph.shown.clone().unwrap();
    let first = f.app.graph.selected_node().unwrap();
    assert_eq!(c.graph.nodes[first].name, "Gazeta Strzelecka");
    let s = f.screen(80, 24);
    assert!(s.contains("/gazeta strz"), "{s}");
    enter(&mut f);
    assert!(!f.app.graph.searching);
    let n = f.app.graph.selected_node().unwrap();
    assert_eq!(c.graph.nodes[n].name, "Gazeta Strzelecka");
    insta::assert_snapshot!("graph_search_picked", f.screen(80, 24));
    // A person can be the centre too: folded, without Polish letters.
    let person = c
        .graph
        .nodes
        .iter()
        .enumerate()
        .find(|(i, n)| n.kind == Kind::Person && c.graph.metrics.degree[*i] > 0)
        .map(|(_, n)| n.clone());
    let Some(person) = person else { return };
    f.ch('/');
    f.typ(&teren::search::fold(&person.name));
    enter(&mut f);
    let n = f.app.graph.selected_node().unwrap();
    assert_eq!(c.graph.nodes[n].name, person.name);
    // Esc gives the list of organisations back.
    f.code(KeyCode::Esc);
    assert!(f.app.graph.view.iter().all(|&i| c.graph.nodes[i].kind == Kind::Org));
}

/// The pane's numbers for every node against `teren graph --json` with the same scope.
fn same_numbers_as_cli(f: Fixture, args: &[&str]) {
    let c = f.app.graph.shown.clone().unwrap();
    let path = f._dir.path().join("teren.redb");
    let Fixture { _dir, store, app } = f;
    drop(app);
    drop(store);
    let mut all = vec!["--db", path.to_str().unwrap(), "graph", "--json"];
    all.extend_from_slice(args);
    let out = cli::command().args(&all).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let g: Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = g["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), c.graph.nodes.len());
    assert_eq!(g["edges"].as_array().unwrap().len(), c.graph.edges.len());
    let m = &c.graph.metrics;
    for (i, n) in c.graph.nodes.iter().enumerate() {
        let j = nodes.iter().find(|x| x["id"] == n.id.to_string().as_str()).unwrap();
        assert_eq!(j["degree"].as_u64(), Some(m.degree[i] as u64), "{}", n.name);
        assert_eq!(j["betweenness"].as_f64(), Some(teren::graph::round(m.betweenness[i])), "{}", n.name);
        assert_eq!(j["closeness"].as_f64(), Some(teren::graph::round(m.closeness[i])), "{}", n.name);
    }
}

#[test]
fn organisations_only_toggle_and_gmina_scope_match_the_command_line() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    let everyone = f.app.graph.shown.clone().unwrap();
    assert!(everyone.graph.nodes.iter().any(|n| n.kind == Kind::Person));
    f.ch('o');
    let orgs = f.app.graph.shown.clone().unwrap();
    assert!(orgs.scope.orgs);
    assert!(orgs.graph.nodes.iter().all(|n| n.kind == Kind::Org));
    assert_eq!(orgs.graph.nodes.len(), everyone.graph.nodes.iter().filter(|n| n.kind == Kind::Org).count());
    insta::assert_snapshot!("graph_orgs_only", f.screen(80, 24));
    // g: the first gmina, organisations of Dobiegniew only.
    f.ch('g');
    let scoped = f.app.graph.shown.clone().unwrap();
    assert_eq!(scoped.scope.gmina.as_deref(), Some("Dobiegniew"));
    let data = &scoped.data;
    for n in &scoped.graph.nodes {
        let p = data.participants.iter().find(|p| p.id == n.id).unwrap();
        assert_eq!(p.gmina.as_deref(), Some("Dobiegniew"), "{}", p.name);
    }
    assert!(scoped.graph.nodes.len() < orgs.graph.nodes.len());
    let s = f.screen(80, 24);
    assert!(s.contains("Dobiegniew, bez osób"), "{s}");
    same_numbers_as_cli(f, &["--orgs", "--gmina", "dobiegniew"]);
}

#[test]
fn organisations_only_numbers_match_the_command_line() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    f.ch('o');
    same_numbers_as_cli(f, &["--orgs"]);
}

#[test]
fn the_whole_graph_numbers_match_the_command_line() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    same_numbers_as_cli(f, &[]);
}

#[test]
fn cli_graph_gmina_unknown_is_one_line_that_lists_the_gminas() {
    let db = cli::Db::new();
    db.ok(&["participant", "add", "--name", "Fundacja A", "--kind", "org", "--category", "ngo", "--gmina", "Zwierzyn"]);
    let r = db.run(&["graph", "--gmina", "Nibylandia"]);
    let line = r.error_line("unknown gmina");
    assert!(line.contains("Nibylandia") && line.contains("Zwierzyn"), "{line}");
}

#[test]
fn editor_keys_in_english() {
    let mut f = fixture(Lang::En);
    f.ch('4');
    f.ch('a');
    let s = f.screen(80, 24);
    assert!(s.contains("New partnership"), "{s}");
    assert!(s.contains("leader"), "{s}");
    f.key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(f.app.popups.is_empty());
}

/// Data::load and the graph on the 100 000-participant demo: run by hand with
/// `TEREN_BIG_DB=/path/to/demo.redb cargo test --test app measure_load -- --ignored --nocapture`.
/// Prints the times; asserts only what must hold whatever the machine.
#[test]
#[ignore]
fn measure_load_and_compute_on_a_big_demo() {
    use std::time::Instant;
    use teren::graph::{Data, Graph, Options, Scope};
    let Some(path) = std::env::var_os("TEREN_BIG_DB") else { return };
    let store = teren::store::Store::open(std::path::Path::new(&path)).unwrap();
    let t = Instant::now();
    let data = std::sync::Arc::new(Data::load(&store).unwrap());
    println!(
        "Data::load: {:?} ({} participants, {} meetings)",
        t.elapsed(),
        data.participants.len(),
        data.meetings.len()
    );
    let t = Instant::now();
    let (scope, g) = teren::tui::graph::auto_graph(&data, None, teren::tui::graph::BUDGET);
    println!(
        "auto scope: {scope:?}, {} nodes, {} edges, cost {}, chosen in {:?}",
        g.nodes.len(),
        g.edges.len(),
        g.centrality_cost(),
        t.elapsed()
    );
    let busiest = Scope { orgs: false, gmina: Some("Dobiegniew".into()) };
    for s in [Scope::default(), Scope { orgs: true, gmina: None }, Scope { orgs: true, ..busiest.clone() }, busiest] {
        let t = Instant::now();
        let g = Graph::edges_in(&data, &Options::default(), &s);
        let edges = t.elapsed();
        let (n, m) = (g.nodes.len(), g.edges.len());
        if g.centrality_cost() > 10 * teren::tui::graph::BUDGET {
            println!("{s:?}: {n} nodes, {m} edges in {edges:?}, cost {}; metrics skipped", g.centrality_cost());
            continue;
        }
        let t = Instant::now();
        let c = teren::tui::graph::compute_in(data.clone(), None, &s);
        println!("{s:?}: {n} nodes, {m} edges in {edges:?}; with metrics {:?}", t.elapsed());
        assert_eq!(c.graph.nodes.len(), n);
    }
}
