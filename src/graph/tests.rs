//! The graph module's tests: degrees, ties and why, metrics on small known graphs.

use super::*;
use crate::model::{MeetingType, Member, Membership, PartnershipStatus};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn participant(name: &str, kind: Kind) -> Participant {
    let category = if kind == Kind::Org { Category::Ngo } else { Category::Person };
    Participant::new(Id::new(), kind, name, category)
}

fn meeting(d: &str, who: &[Id]) -> Meeting {
    meeting_on(Some(date(d)), who)
}

/// A group meeting of `who` (the graph's submodules' tests build on it too).
pub(super) fn meeting_on(date: Option<NaiveDate>, who: &[Id]) -> Meeting {
    Meeting {
        id: Id::new(),
        kind: MeetingType::Group,
        date,
        time: None,
        hours: None,
        gmina: None,
        place: None,
        title: None,
        attendees: who.to_vec(),
        note: None,
        partnership: None,
        needs: Vec::new(),
        deleted: false,
    }
}

/// Four organisations and a person: A and B met three times and are both in the
/// partnership; C cooperates with A since 2024-03; Anna works at D; E is alone.
fn sample() -> (Data, Vec<Id>) {
    let mut ps: Vec<Participant> = ["A", "B", "C", "D", "E"].iter().map(|n| participant(n, Kind::Org)).collect();
    let mut anna = participant("Anna Nowak", Kind::Person);
    anna.memberships.push(Membership { org: ps[3].id, role: Some("prezes".into()) });
    ps.push(anna);
    let ids: Vec<Id> = ps.iter().map(|p| p.id).collect();
    let partnership = Partnership {
        id: Id::new(),
        name: "Partnerstwo Dobiegniew".into(),
        leader: Some(ids[0]),
        members: vec![
            Member { participant: ids[0], role: Some("lider".into()), joined: None },
            Member { participant: ids[1], role: None, joined: Some(date("2024-05-10")) },
        ],
        started: Some(date("2024-01-15")),
        meeting: None,
        status: PartnershipStatus::Active,
        goals: None,
        deleted: false,
    };
    let relation = Relation {
        id: Id::new(),
        from: Some(ids[2]),
        to: Some(ids[0]),
        kind: RelationType::Cooperates,
        since: Some(date("2024-03-01")),
        until: None,
        deleted: false,
    };
    let meetings = vec![
        meeting("2024-02-01", &[ids[0], ids[1]]),
        meeting("2024-06-01", &[ids[0], ids[1]]),
        meeting("2024-07-01", &[ids[0], ids[1], ids[1]]),
    ];
    (Data { participants: ps, partnerships: vec![partnership], relations: vec![relation], meetings }, ids)
}

fn edge(g: &Graph, x: usize, y: usize) -> Option<&Edge> {
    g.edges.iter().find(|e| (e.a, e.b) == (x.min(y), x.max(y)))
}

#[test]
fn edges_come_from_relations_partnerships_memberships_and_meetings() {
    let (data, _) = sample();
    let g = Graph::build(&data, &Options::default());
    assert_eq!(g.edges.len(), 3);
    let ab = edge(&g, 0, 1).unwrap_or_else(|| panic!("A–B missing"));
    assert_eq!(ab.weight(), 4);
    assert_eq!(ab.tie.formed, Some(date("2024-02-01")));
    assert_eq!(ab.why(Lang::En), "3 meetings together; both in Partnerstwo Dobiegniew");
    let ac = edge(&g, 0, 2).unwrap_or_else(|| panic!("A–C missing"));
    assert_eq!(ac.weight(), 1);
    assert_eq!(ac.why(Lang::En), "← cooperates since 2024-03");
    let anna = edge(&g, 3, 5).unwrap_or_else(|| panic!("Anna–D missing"));
    assert_eq!(anna.why(Lang::En), "member (prezes)");
    assert_eq!(g.metrics.isolated, vec![4]);
    assert_eq!(g.metrics.cut_vertices, vec![0]);
    assert_eq!(g.bridges(3), vec![0]);
    assert_eq!(g.metrics.groups, vec![vec![0, 1, 2], vec![3, 5]]);
    assert_eq!(g.neighbours(0).iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(g.ego(1, 2), vec![(1, 0), (0, 1), (2, 2)]);
}

#[test]
fn period_and_date_filter_evidence() {
    let (data, _) = sample();
    let g = Graph::build(&data, &Options { from: Some(date("2024-06-01")), ..Options::default() });
    let ab = edge(&g, 0, 1).unwrap_or_else(|| panic!("A–B missing"));
    assert_eq!(ab.tie.meetings, 2);
    // On 2024-04-01: one meeting, the relation, the leader alone in the partnership.
    let g = Graph::build(&data, &Options { at: Some(date("2024-04-01")), ..Options::default() });
    let ab = edge(&g, 0, 1).unwrap_or_else(|| panic!("A–B missing"));
    assert_eq!((ab.tie.meetings, ab.tie.partnerships.len()), (1, 0));
    assert!(edge(&g, 0, 2).is_some());
    // Before anything: only the undated membership.
    let g = Graph::build(&data, &Options { at: Some(date("2023-01-01")), ..Options::default() });
    assert_eq!(g.edges.len(), 1);
    // Minimum weight keeps only A–B.
    let g = Graph::build(&data, &Options { min_weight: 2, ..Options::default() });
    assert_eq!(g.edges.len(), 1);
}

#[test]
fn scope_keeps_organisations_of_one_gmina() {
    let (mut data, ids) = sample();
    data.participants[0].gmina = Some("Dobiegniew".into());
    data.participants[1].gmina = Some("dobiegniew".into());
    data.participants[5].gmina = Some("Dobiegniew".into());
    data.participants[2].gmina = Some("Zwierzyn".into());
    assert_eq!(data.gminas(), vec!["Dobiegniew".to_string(), "Zwierzyn".to_string()]);
    // Organisations only: Anna (a person) and her membership tie are left out.
    let g = Graph::build_in(&data, &Options::default(), &Scope { orgs: true, gmina: None });
    assert_eq!(g.nodes.len(), 5);
    assert_eq!(g.edges.len(), 2);
    // One gmina, folded: A and B (and Anna), not C.
    let g = Graph::build_in(&data, &Options::default(), &Scope { orgs: false, gmina: Some("DOBIEGNIEW".into()) });
    let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, vec!["A", "B", "Anna Nowak"]);
    assert_eq!(g.edges.len(), 1);
    assert_eq!(g.nodes[0].id, ids[0]);
    // Both: A and B, tied by meetings and the partnership.
    let g = Graph::build_in(&data, &Options::default(), &Scope { orgs: true, gmina: Some("Dobiegniew".into()) });
    assert_eq!((g.nodes.len(), g.edges.len(), g.metrics.degree.clone()), (2, 1, vec![1, 1]));
}

#[test]
fn centrality_cost_sums_nodes_times_edges_per_group() {
    let (data, _) = sample();
    let g = Graph::edges_only(&data, &Options::default());
    // A–B–C: 3 nodes, 2 edges; D–Anna: 2 nodes, 1 edge; E alone.
    assert_eq!(g.centrality_cost(), 3 * 2 + 2);
}

#[test]
fn growth_counts_orgs_and_links_per_month() {
    let (data, _) = sample();
    let g = Graph::build(&data, &Options::default());
    let months = growth(&g);
    assert_eq!(months.first().map(|m| m.month.as_str()), Some("2024-02"));
    assert_eq!(months.len(), 2);
    assert_eq!(months[0], Month { month: "2024-02".into(), new_orgs: 2, orgs: 2, new_links: 1, links: 1 });
    assert_eq!(months[1], Month { month: "2024-03".into(), new_orgs: 1, orgs: 3, new_links: 1, links: 2 });
    assert_eq!(data.months().first().copied(), Some(date("2024-01-01")));
    assert_eq!(data.months().last().copied(), Some(date("2024-07-01")));
}

/// The participants the graph reads from the list's rows have what their records say
/// of every field the graph uses.
#[test]
fn participants_from_list_rows_match_their_records() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.redb")).unwrap();
    crate::demo::generate(&store, 300, 5, &mut |_, _| {}).unwrap();
    let data = Data::load(&store).unwrap();
    let mut from_records = Vec::new();
    store
        .for_each_doc(Entity::Participant, |id, d| {
            if !d.is_deleted() {
                from_records.push(Participant::from_doc(id, &d));
            }
        })
        .unwrap();
    let shape = |p: &Participant| (p.id, p.name.clone(), p.kind, p.category, p.gmina.clone(), p.memberships.clone());
    assert!(data.participants.iter().any(|p| p.memberships.iter().any(|m| m.role.is_some())), "the demo has roles");
    assert_eq!(
        data.participants.iter().map(shape).collect::<Vec<_>>(),
        from_records.iter().map(shape).collect::<Vec<_>>()
    );
}
