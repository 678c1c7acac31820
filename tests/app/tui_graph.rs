#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Pane 4 driven by keys: partnerships entered and edited in the app (seed 004's
//! Dobiegniew partnership), read back from the store and from `teren graph --json`;
//! `/` picks the ego centre; organisations only and one gmina as the scope; the
//! numbers the pane shows equal the command line's. Snapshots at 80×24.

use crate::support::app::{
    Fixture, fixture, focused_field, line_with, list_count, meeting, participant, participant_named, records,
};
use crate::support::cli;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use teren::i18n::Lang;
use teren::model::{Entity, Id, Kind, Partnership, PartnershipStatus};

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

fn partnership_named(f: &Fixture, name: &str) -> Option<Partnership> {
    records(&f.store, Entity::Partnership, Partnership::from_doc).into_iter().find(|p| p.name == name && !p.deleted)
}

/// The partnership editor as drawn at 80×24 (it must be open).
fn editor(f: &mut Fixture) -> String {
    assert_eq!(f.popup(), Some("partnership"), "no partnership editor open");
    f.screen(80, 24)
}

/// The editor's focus is on the field labelled `label`.
fn focus_on(f: &mut Fixture, label: &str) -> bool {
    focused_field(&editor(f)).is_some_and(|l| l.starts_with(&format!("{label} ")))
}

/// The editor's focus is on a member's role: the cursor between "rola" and "dołączył".
fn focus_on_role(f: &mut Fixture) -> bool {
    let s = editor(f);
    let l = line_with(&s, "▏");
    matches!((l.find(" rola "), l.find('▏'), l.find("dołączył")), (Some(r), Some(c), Some(j)) if r < c && c < j)
}

/// The first entry the open drop-down offers ("> name (place…)", "> date place — title").
fn first_candidate(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| {
            let body = l.trim_start_matches('│');
            let body = body.strip_prefix('>').unwrap_or(body);
            body.find("> ").map(|i| body[i + 2..].trim_end_matches(['│', ' ']).to_string())
        })
        .unwrap_or_else(|| panic!("nothing offered:\n{screen}"))
}

/// `shown` is `full`, or `full` cut short with an ellipsis or followed by its place.
fn shows(full: &str, shown: &str) -> bool {
    shown == full
        || shown.starts_with(&format!("{full} ("))
        || shown.strip_suffix('…').is_some_and(|cut| full.starts_with(cut))
}

/// The members the editor lists, as drawn (long names cut short), and their count in
/// the field's label.
fn members(f: &mut Fixture) -> (Vec<String>, usize) {
    let s = editor(f);
    let lines: Vec<&str> = s.lines().collect();
    let at = lines.iter().position(|l| l.contains("członkowie ")).unwrap();
    let count = lines[at].rsplit('(').next().unwrap().split(')').next().unwrap().parse().unwrap();
    let rows = lines[at + 1..]
        .iter()
        .take_while(|l| l.contains(" rola "))
        .map(|l| l.trim_start_matches('│').trim().split(" rola ").next().unwrap().trim().to_string())
        .collect();
    (rows, count)
}

/// A meeting of `kind` on `date` in `place`, called `title`, written into the store.
fn meeting_of(f: &Fixture, kind: &str, date: &str, place: &str, title: &str) -> Id {
    let fields = [("type", kind), ("date", date), ("place", place), ("title", title)];
    let fields: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    teren::edit::create(&f.store, Entity::Meeting, &fields).unwrap()
}

/// The inaugural meeting of seed 004: 15 December 2010 at the ŚDS in Dobiegniew.
fn inaugural_meeting(f: &Fixture) -> Id {
    meeting_of(f, "group", "2010-12-15", "Dobiegniew", "Spotkanie inauguracyjne partnerów w ŚDS")
}

/// A member typed as part of a name, picked (it must be `full`), with role and date.
fn member(f: &mut Fixture, part: &str, full: &str, role: &str, joined: &str) {
    f.typ(part);
    let offered = first_candidate(&editor(f));
    assert!(shows(full, &offered), "candidates for {part}: {offered}");
    enter(f);
    assert!(focus_on_role(f), "after picking {part}:\n{}", editor(f));
    f.typ(role);
    enter(f);
    f.typ(joined);
    enter(f);
    assert!(focus_on(f, "członkowie"));
}

/// Seed 004 entered by keys: the leader, six more partners with roles and dates, the
/// inaugural meeting, status and the six key tasks.
fn enter_seed_004(f: &mut Fixture) -> Id {
    inaugural_meeting(f);
    f.ch('4');
    f.ch('a');
    assert!(focus_on(f, "nazwa"));
    f.typ(NAME);
    tab(f);
    f.typ("wspierania małej");
    assert!(shows("Stowarzyszenie Wspierania Małej Przedsiębiorczości", &first_candidate(&editor(f))));
    enter(f);
    assert!(focus_on(f, "początek"));
    f.typ("2010-12-15");
    enter(f);
    f.code(KeyCode::Right);
    assert!(focused_field(&editor(f)).unwrap().starts_with("status       aktywne"));
    enter(f);
    f.typ("inauguracyjne");
    enter(f);
    // The inaugural meeting, picked by a word of its title.
    assert!(
        line_with(&editor(f), "│ 1. spotkanie ")
            .contains("1. spotkanie 2010-12-15 Dobiegniew — Spotkanie inauguracyjne")
    );
    assert!(focus_on(f, "cele"));
    for (k, task) in TASKS.iter().enumerate() {
        if k > 0 {
            enter(f);
        }
        f.typ(task);
    }
    tab(f);
    assert!(focus_on(f, "członkowie"));
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
    assert_eq!(members(f).1, 6);
    f.ctrl('s');
    assert_eq!(f.popup(), None, "not saved: {}", f.screen(80, 24));
    partnership_named(f, NAME).expect("saved").id
}

/// Step the partnership filter (`p`, by name) to partnership `id`.
fn filter_on(f: &mut Fixture, id: Id) {
    let order = teren::graph::computed::compute(&f.store, None).unwrap().partnerships;
    let idx = order.iter().position(|p| p.2 == id).unwrap();
    for _ in 0..=idx {
        f.ch('p');
    }
    let name = &order[idx].0;
    let head: String = name.chars().take(20).collect();
    assert!(f.screen(80, 24).lines().nth(1).unwrap().starts_with(&format!("┌ {head}")), "{}", f.screen(80, 24));
}

#[test]
fn seed_004_partnership_entered_by_keys_reads_back_from_the_store_and_the_graph() {
    let mut f = fixture(Lang::Pl);
    let id = enter_seed_004(&mut f);
    let p = partnership_named(&f, NAME).unwrap();
    assert_eq!(p.id, id);
    let leader = participant_named(&f.store, "Stowarzyszenie Wspierania Małej Przedsiębiorczości");
    assert_eq!(p.leader, Some(leader.id));
    // Seven partners: the leader and six members.
    assert_eq!(p.members.len(), 7);
    assert_eq!(p.started.map(|d| d.to_string()).as_deref(), Some("2010-12-15"));
    assert_eq!(p.status, PartnershipStatus::Active);
    let goals = p.goals.clone().unwrap_or_default();
    assert_eq!(goals.lines().count(), 6, "{goals}");
    assert!(goals.contains("6. Standaryzacja"), "{goals}");
    let sds = participant_named(&f.store, "Środowiskowy Dom Samopomocy w Dobiegniewie");
    let m = p.members.iter().find(|m| m.participant == sds.id).unwrap();
    assert_eq!(m.role.as_deref(), Some("gospodarz spotkań"));
    assert_eq!(m.joined.map(|d| d.to_string()).as_deref(), Some("2010-12-15"));
    let um = participant_named(&f.store, "Urząd Miejski w Dobiegniewie");
    let m = p.members.iter().find(|m| m.participant == um.id).unwrap();
    assert_eq!(m.joined.map(|d| d.to_string()).as_deref(), Some("2011-01-13"));
    // The inaugural meeting belongs to the partnership.
    let meeting_id = p.meeting.unwrap();
    let meeting = meeting(&f.store, meeting_id);
    assert_eq!(meeting.partnership, Some(id));
    assert_eq!(meeting.title.as_deref(), Some("Spotkanie inauguracyjne partnerów w ŚDS"));
    // The status line says so, and the pane shows the new ties.
    assert!(f.screen(80, 24).contains("Partnerstwo zapisane"));

    // `teren graph --json` on the same file: the leader is tied to every partner
    // "both in" the partnership.
    let path = f.db_path().to_path_buf();
    let _dir = f.close();
    let g = cli::Db::at(&path).json(&["--lang", "en", "graph", "--json"]);
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
    let workshop = meeting_of(&f, "workshop", "2011-02-10", "Osiek", "Warsztaty spółdzielcze partnerów");
    let id = enter_seed_004(&mut f);
    // Filter on it (p steps through partnerships by name), then e.
    filter_on(&mut f, id);
    f.ch('e');
    assert!(focused_field(&editor(&mut f)).unwrap().starts_with(&format!("nazwa        {NAME}▏")));
    assert_eq!(members(&mut f).1, 7);
    for _ in 0..6 {
        tab(&mut f);
    }
    assert!(focus_on(&mut f, "członkowie"));
    // Backspace on the empty name line takes the last member off (the list is by
    // joining date, then name).
    let (rows, _) = members(&mut f);
    let last = "Spółdzielnia Socjalna „Pod Lipami”";
    assert!(shows(last, rows.last().unwrap()), "{rows:?}");
    assert!(shows("Stowarzyszenie Wspierania Małej Przedsiębiorczości", &rows[0]), "{rows:?}");
    f.code(KeyCode::Backspace);
    let (rows, n) = members(&mut f);
    assert_eq!((rows.len(), n), (6, 6));
    assert!(!rows.iter().any(|r| shows(last, r)), "{rows:?}");
    member(&mut f, "gazeta strzel", "Gazeta Strzelecka", "patron medialny", "2011-02-01");
    insta::assert_snapshot!("partnership_editor", f.screen(80, 24));
    // A further meeting that belongs: the last line, picked by part of its label.
    for _ in 0..40 {
        if focus_on(&mut f, "spotkania") {
            break;
        }
        tab(&mut f);
    }
    assert!(focus_on(&mut f, "spotkania"));
    f.typ("spoldzielcze osiek");
    assert_eq!(first_candidate(&editor(&mut f)), "2011-02-10 Osiek — Warsztaty spółdzielcze partnerów");
    insta::assert_snapshot!("partnership_editor_meeting_candidates", f.screen(80, 24));
    enter(&mut f);
    let picked = line_with(&editor(&mut f), "│>spotkania ").to_string();
    assert_eq!(picked.matches(" [").count(), 1, "{picked}");
    assert!(picked.contains("[2011-02-10 Osiek — Warsztaty spółdzielcze partnerów]"), "{picked}");
    f.ctrl('s');
    assert_eq!(f.popup(), None);
    let p = partnership_named(&f, NAME).unwrap();
    let gone = participant_named(&f.store, last);
    let gazeta = participant_named(&f.store, "Gazeta Strzelecka");
    assert!(!p.members.iter().any(|m| m.participant == gone.id));
    let m = p.members.iter().find(|m| m.participant == gazeta.id).unwrap();
    assert_eq!(m.role.as_deref(), Some("patron medialny"));
    let doc = f.store.doc(Entity::Partnership, id).unwrap().unwrap();
    assert_eq!(doc.str(&format!("role:{}", gone.id)), None, "the old member's role stays");
    let m = meeting(&f.store, workshop);
    assert_eq!(m.partnership, Some(id));
    // Opened again, the meeting is listed; taken off and saved, it no longer belongs.
    f.ch('e');
    let listed = line_with(&editor(&mut f), "│ spotkania ").to_string();
    assert_eq!(listed.matches(" [").count(), 1, "{listed}");
    assert!(listed.contains("[2011-02-10 Osiek — Warsztaty spółdzielcze partnerów]"), "{listed}");
    f.code(KeyCode::BackTab);
    assert!(focus_on(&mut f, "spotkania"));
    f.code(KeyCode::Backspace);
    f.ctrl('s');
    let m = meeting(&f.store, workshop);
    assert_eq!(m.partnership, None);
}

#[test]
fn partnership_delete_asks_first() {
    let mut f = fixture(Lang::Pl);
    let id = enter_seed_004(&mut f);
    filter_on(&mut f, id);
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
    assert!(line_with(&editor(&mut f), "│>początek ").contains("✗"));
    f.ctrl('s');
    assert!(editor(&mut f).contains("│Popraw zaznaczone pola"), "no error: {}", f.screen(80, 24));
    assert!(partnership_named(&f, "Partnerstwo próbne").is_none());
    // A leader typed but not picked and not known: the save says which, nothing written.
    for _ in 0..10 {
        f.code(KeyCode::Backspace);
    }
    f.code(KeyCode::BackTab);
    f.typ("Nieistniejąca Fundacja");
    f.ctrl('s');
    // The message takes the place of the keys at the editor's foot.
    let s = editor(&mut f);
    let lines: Vec<&str> = s.lines().collect();
    let foot = lines[lines.iter().position(|l| l.starts_with("│└")).unwrap() - 1];
    assert!(foot.contains("Nieistniejąca Fundacja") && !foot.contains("C-s: zapisz"), "{s}");
    assert!(partnership_named(&f, "Partnerstwo próbne").is_none());
    f.code(KeyCode::Esc);
    assert_eq!(f.popup(), None);
}

#[test]
fn slash_search_picks_the_ego_centre_among_all_nodes() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    f.ch('/');
    f.typ("gazeta strz");
    let name = |f: &Fixture| participant(&f.store, f.selected().unwrap()).name;
    assert_eq!(name(&f), "Gazeta Strzelecka");
    let s = f.screen(80, 24);
    assert!(s.contains("/gazeta strz"), "{s}");
    assert!(s.lines().last().unwrap().starts_with(" SZUKAJ "), "{s}");
    enter(&mut f);
    let s = f.screen(80, 24);
    assert!(s.lines().last().unwrap().starts_with(" LISTA "), "{s}");
    assert_eq!(name(&f), "Gazeta Strzelecka");
    insta::assert_snapshot!("graph_search_picked", s);
    // A person can be the centre too: folded, without Polish letters.
    let c = teren::graph::computed::compute(&f.store, None).unwrap();
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
    assert_eq!(name(&f), person.name);
    // Esc gives the list of organisations back.
    f.code(KeyCode::Esc);
    let listed = f.listed();
    assert!(!listed.is_empty());
    assert!(listed.iter().all(|&n| participant(&f.store, n).kind == Kind::Org));
}

/// The numbers the pane shows for each organisation it lists (the ego view's first line,
/// "st. 5 · pośr. 0.123 · blisk. 0.456"), by id.
fn pane_numbers(f: &mut Fixture) -> Vec<(Id, u64, f64, f64)> {
    let n = list_count(&f.screen(120, 40)).0;
    f.code(KeyCode::Home);
    let mut out = Vec::new();
    for k in 0..n {
        if k > 0 {
            f.code(KeyCode::Down);
        }
        let id = f.selected().unwrap();
        let s = f.screen(120, 40);
        let line = line_with(&s, "blisk. ");
        let num = |label: &str| -> String {
            line.split(label).nth(1).unwrap().split_whitespace().next().unwrap().to_string()
        };
        out.push((id, num("st. ").parse().unwrap(), num("pośr. ").parse().unwrap(), num("blisk. ").parse().unwrap()));
    }
    out
}

/// The pane's numbers for every organisation it lists against `teren graph --json`
/// with the same scope; and the graph the core computes for that scope (the one the
/// pane draws; None: the scope it picks itself) against the command line's, node for
/// node.
fn same_numbers_as_cli(mut f: Fixture, scope: Option<teren::graph::Scope>, args: &[&str]) {
    let shown = pane_numbers(&mut f);
    let c = match scope {
        Some(scope) => {
            let data = std::sync::Arc::new(teren::graph::Data::load(&f.store).unwrap());
            teren::graph::computed::compute_in(data, None, &scope)
        }
        None => teren::graph::computed::compute(&f.store, None).unwrap(),
    };
    let path = f.db_path().to_path_buf();
    let _dir = f.close();
    let g = cli::Db::at(&path).json(&[&["graph", "--json"], args].concat());
    let nodes = g["nodes"].as_array().unwrap();
    let node = |id: Id| nodes.iter().find(|x| x["id"] == id.to_string().as_str()).unwrap();
    let orgs = nodes.iter().filter(|n| n["kind"] == "org").count();
    assert_eq!(shown.len(), orgs, "the pane lists every organisation");
    for (id, degree, betweenness, closeness) in shown {
        let j = node(id);
        assert_eq!(j["degree"].as_u64(), Some(degree), "{j}");
        assert!((j["betweenness"].as_f64().unwrap() - betweenness).abs() <= 0.0005 + 1e-9, "{j}: {betweenness}");
        assert!((j["closeness"].as_f64().unwrap() - closeness).abs() <= 0.0005 + 1e-9, "{j}: {closeness}");
    }
    assert_eq!(nodes.len(), c.graph.nodes.len());
    assert_eq!(g["edges"].as_array().unwrap().len(), c.graph.edges.len());
    let m = &c.graph.metrics;
    for (i, n) in c.graph.nodes.iter().enumerate() {
        let j = node(n.id);
        assert_eq!(j["degree"].as_u64(), Some(m.degree[i] as u64), "{}", n.name);
        assert_eq!(j["betweenness"].as_f64(), Some(teren::graph::round(m.betweenness[i])), "{}", n.name);
        assert_eq!(j["closeness"].as_f64(), Some(teren::graph::round(m.closeness[i])), "{}", n.name);
    }
}

#[test]
fn organisations_only_toggle_and_gmina_scope_match_the_command_line() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    let everyone = teren::graph::computed::compute(&f.store, None).unwrap();
    assert!(everyone.graph.nodes.iter().any(|n| n.kind == Kind::Person));
    let orgs_in_everyone = everyone.graph.nodes.iter().filter(|n| n.kind == Kind::Org).count();
    assert_eq!(list_count(&f.screen(80, 24)).0, orgs_in_everyone);
    f.ch('o');
    let s = f.screen(80, 24);
    assert!(s.contains("┌ tylko organizacje ("), "{s}");
    insta::assert_snapshot!("graph_orgs_only", s);
    let orgs = f.listed();
    assert!(orgs.iter().all(|&n| participant(&f.store, n).kind == Kind::Org));
    assert_eq!(orgs.len(), orgs_in_everyone);
    // g: the first gmina, organisations of Dobiegniew only.
    f.ch('g');
    let s = f.screen(80, 24);
    assert!(s.contains("Dobiegniew, bez osób"), "{s}");
    let scoped = f.listed();
    for &n in &scoped {
        let p = participant(&f.store, n);
        assert_eq!(p.gmina.as_deref(), Some("Dobiegniew"), "{}", p.name);
    }
    assert!(scoped.len() < orgs.len());
    let scope = teren::graph::Scope { orgs: true, gmina: Some("Dobiegniew".into()) };
    same_numbers_as_cli(f, Some(scope), &["--orgs", "--gmina", "dobiegniew"]);
}

#[test]
fn organisations_only_numbers_match_the_command_line() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    f.ch('o');
    same_numbers_as_cli(f, Some(teren::graph::Scope { orgs: true, gmina: None }), &["--orgs"]);
}

#[test]
fn the_whole_graph_numbers_match_the_command_line() {
    let mut f = fixture(Lang::Pl);
    f.ch('4');
    same_numbers_as_cli(f, None, &[]);
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
    assert_eq!(f.popup(), None);
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
    let (scope, g) = teren::graph::computed::auto_graph(&data, None, teren::graph::computed::BUDGET);
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
        if g.centrality_cost() > 10 * teren::graph::computed::BUDGET {
            println!("{s:?}: {n} nodes, {m} edges in {edges:?}, cost {}; metrics skipped", g.centrality_cost());
            continue;
        }
        let t = Instant::now();
        let c = teren::graph::computed::compute_in(data.clone(), None, &s);
        println!("{s:?}: {n} nodes, {m} edges in {edges:?}; with metrics {:?}", t.elapsed());
        assert_eq!(c.graph.nodes.len(), n);
    }
}
