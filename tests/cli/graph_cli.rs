//! `teren graph` on a small hand-made database: JSON contract and NetworkX numbers,
//! DOT and GraphML exports that parse back, growth, the graph on a date, and
//! partnership members with roles and joining dates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::cli::Db;
use serde_json::Value;

/// A – B in one partnership, B → C cooperates, C and D met twice, E alone:
/// the path A–B–C–D and an isolated E. NetworkX 3.6.1 gives betweenness 1/3 for B
/// and C, closeness 0.375 (A, D) and 0.5625 (B, C).
fn sample() -> Db {
    let db = Db::new();
    for n in ["Fundacja A", "Stowarzyszenie B", "Spółdzielnia C", "Klub D", "Parafia E"] {
        db.add(&["participant", "add", "--name", n, "--kind", "org", "--category", "ngo"]);
    }
    db.ok(&[
        "partnership",
        "add",
        "--name",
        "Partnerstwo Dobiegniew",
        "--leader",
        "Fundacja A",
        "--member",
        "Stowarzyszenie B:partner:2024-02-10",
        "--started",
        "2024-01-15",
    ]);
    db.ok(&["relation", "add", "Stowarzyszenie B", "Spółdzielnia C", "--type", "cooperates", "--since", "2024-03-01"]);
    for d in ["2024-05-01", "2024-06-01"] {
        db.ok(&["meeting", "add", "--type", "group", "--date", d, "--with", "Spółdzielnia C", "--with", "Klub D"]);
    }
    db
}

fn node<'a>(g: &'a Value, name: &str) -> &'a Value {
    g["nodes"].as_array().unwrap().iter().find(|n| n["name"] == name).unwrap_or_else(|| panic!("no node {name}"))
}

#[test]
fn graph_json_has_the_promised_fields_and_networkx_numbers() {
    let db = sample();
    let g = db.json(&["graph", "--json", "--lang", "en"]);
    assert_eq!(g["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(g["edges"].as_array().unwrap().len(), 3);
    let b = node(&g, "Stowarzyszenie B");
    for f in ["id", "name", "kind", "category", "degree", "betweenness", "closeness"] {
        assert!(b.get(f).is_some(), "node field {f}");
    }
    assert_eq!(b["kind"], "org");
    assert_eq!(b["category"], "ngo");
    assert_eq!(b["degree"], 2);
    assert_eq!(b["betweenness"].as_f64(), Some(0.333333));
    assert_eq!(b["closeness"].as_f64(), Some(0.5625));
    assert_eq!(node(&g, "Fundacja A")["closeness"].as_f64(), Some(0.375));
    assert_eq!(node(&g, "Parafia E")["degree"], 0);
    let cd = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["weight"] == 2)
        .unwrap_or_else(|| panic!("no edge of weight 2: {g}"));
    assert_eq!(cd["why"], "2 meetings together");
    let whys: Vec<&str> = g["edges"].as_array().unwrap().iter().filter_map(|e| e["why"].as_str()).collect();
    assert!(whys.contains(&"both in Partnerstwo Dobiegniew"), "{whys:?}");
    assert!(whys.iter().any(|w| w.contains("cooperates since 2024-03")), "{whys:?}");
}

#[test]
fn period_date_and_weight_filters() {
    let db = sample();
    let edges = |args: &[&str]| {
        let mut a = vec!["graph", "--json"];
        a.extend_from_slice(args);
        db.json(&a)["edges"].as_array().unwrap().len()
    };
    assert_eq!(edges(&["--min-weight", "2"]), 1);
    assert_eq!(edges(&["--from", "2024-05-15"]), 3);
    assert_eq!(edges(&["--to", "2024-04-30"]), 2);
    // On 2024-02-01 B had not yet joined, nor the relation begun, nor anyone met.
    assert_eq!(edges(&["--at", "2024-02-01"]), 0);
    assert_eq!(edges(&["--at", "2024-03-15"]), 2);
    let r = db.run(&["graph", "--at", "15.03.2024"]);
    assert_eq!(r.code, Some(2), "{r:?}");
}

#[test]
fn human_summary_names_bridges_isolated_and_groups() {
    let out = sample().ok(&["graph", "--lang", "en"]);
    assert!(out.contains("Bridges"), "{out}");
    assert!(out.contains("Stowarzyszenie B"), "{out}");
    assert!(out.contains("Isolated: 1 organisations"), "{out}");
    assert!(out.contains("• Parafia E"), "{out}");
    assert!(out.contains("Groups (connected components): 1"), "{out}");
}

#[test]
fn growth_counts_per_month() {
    let g = sample().json(&["graph", "growth", "--json"]);
    let months = g.as_array().unwrap();
    assert_eq!(months.first().unwrap()["month"], "2024-02");
    assert_eq!(months.last().unwrap()["month"], "2024-05");
    assert_eq!(months.last().unwrap()["links"], 3);
    assert_eq!(months.last().unwrap()["orgs"], 4);
}

#[test]
fn graphml_export_parses_back() {
    let db = sample();
    let file = db.path().with_file_name("graph.graphml");
    db.ok(&["graph", "export", "--format", "graphml", "--out", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let nodes: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("node")).collect();
    let edges: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("edge")).collect();
    assert_eq!((nodes.len(), edges.len()), (5, 3));
    let data = |n: &roxmltree::Node, key: &str| {
        n.children().find(|c| c.attribute("key") == Some(key)).and_then(|c| c.text()).unwrap_or("").to_string()
    };
    assert!(nodes.iter().all(|n| data(n, "category") == "ngo"));
    assert!(nodes.iter().any(|n| data(n, "name") == "Spółdzielnia C" && data(n, "betweenness") == "0.333333"));
    let ids: Vec<&str> = nodes.iter().filter_map(|n| n.attribute("id")).collect();
    for e in &edges {
        assert!(ids.contains(&e.attribute("source").unwrap()) && ids.contains(&e.attribute("target").unwrap()));
    }
    let weights: Vec<String> = edges.iter().map(|e| data(e, "weight")).collect();
    assert!(weights.contains(&"2".to_string()), "{weights:?}");
    let keys = doc.descendants().filter(|n| n.has_tag_name("key")).count();
    assert_eq!(keys, 8);
}

type Attrs = Vec<(String, String)>;
type Parsed = (Vec<(String, Attrs)>, Vec<(String, String, Attrs)>);

/// A DOT tokenizer for the subset teren writes (quoted strings, identifiers,
/// numbers, `--`, brackets, `=`, `,`, `;`, braces), and a parser of its statements.
fn parse_dot(text: &str) -> Parsed {
    let mut toks: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '"' => {
                let mut s = String::from("\"");
                loop {
                    match chars.next() {
                        Some('\\') => s.push(chars.next().expect("escape")),
                        Some('"') => break,
                        Some(c) => s.push(c),
                        None => panic!("unterminated string"),
                    }
                }
                toks.push(s);
            }
            '-' if chars.peek() == Some(&'-') => {
                chars.next();
                toks.push("--".into());
            }
            '{' | '}' | '[' | ']' | '=' | ',' | ';' => toks.push(c.to_string()),
            c if c.is_alphanumeric() || c == '_' || c == '.' => {
                let mut s = c.to_string();
                while let Some(&d) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' || d == '.' {
                        s.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                toks.push(s);
            }
            c => panic!("unexpected character {c:?}"),
        }
    }
    assert_eq!(&toks[..3], ["graph", "teren", "{"]);
    assert_eq!(toks.last().map(String::as_str), Some("}"));
    let unq = |s: &str| s.trim_start_matches('"').to_string();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for stmt in toks[3..toks.len() - 1].split(|t| t == ";").filter(|s| !s.is_empty()) {
        let open = stmt.iter().position(|t| t == "[").expect("attributes");
        assert_eq!(stmt.last().map(String::as_str), Some("]"), "{stmt:?}");
        let attrs: Vec<(String, String)> = stmt[open + 1..stmt.len() - 1]
            .split(|t| t == ",")
            .map(|kv| {
                assert_eq!(kv.len(), 3, "{kv:?}");
                assert_eq!(kv[1], "=");
                (kv[0].clone(), unq(&kv[2]))
            })
            .collect();
        match &stmt[..open] {
            [kw] if kw == "graph" => {}
            [id] => nodes.push((unq(id), attrs)),
            [a, dash, b] if dash == "--" => edges.push((unq(a), unq(b), attrs)),
            other => panic!("unexpected statement {other:?}"),
        }
    }
    (nodes, edges)
}

#[test]
fn dot_export_parses_back() {
    let db = sample();
    let text = db.ok(&["graph", "export", "--format", "dot", "--lang", "en"]);
    let (nodes, edges) = parse_dot(&text);
    assert_eq!((nodes.len(), edges.len()), (5, 3));
    let attr = |a: &[(String, String)], k: &str| a.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    assert!(nodes.iter().all(|(_, a)| attr(a, "category").as_deref() == Some("ngo")));
    assert!(nodes.iter().any(|(_, a)| attr(a, "label").as_deref() == Some("Spółdzielnia C")));
    let ids: Vec<&str> = nodes.iter().map(|(id, _)| id.as_str()).collect();
    for (a, b, attrs) in &edges {
        assert!(ids.contains(&a.as_str()) && ids.contains(&b.as_str()));
        assert!(attr(attrs, "weight").is_some_and(|w| w.parse::<u32>().is_ok()));
    }
    assert!(edges.iter().any(|(_, _, a)| attr(a, "why").as_deref() == Some("2 meetings together")));
}

#[test]
fn partnership_members_with_roles_and_dates() {
    let db = sample();
    db.ok(&[
        "partnership",
        "member",
        "add",
        "Partnerstwo Dobiegniew",
        "Klub D",
        "--role",
        "członek",
        "--joined",
        "2024-07-01",
    ]);
    let p = &db.json(&["partnership", "list", "--json"])[0];
    let members = p["members"].as_array().unwrap();
    assert_eq!(members.len(), 3);
    let d = members.iter().find(|m| m["name"] == "Klub D").unwrap();
    assert_eq!((d["role"].as_str(), d["joined"].as_str()), (Some("członek"), Some("2024-07-01")));
    let b = members.iter().find(|m| m["name"] == "Stowarzyszenie B").unwrap();
    assert_eq!((b["role"].as_str(), b["joined"].as_str()), (Some("partner"), Some("2024-02-10")));
    db.ok(&["partnership", "member", "remove", "Partnerstwo Dobiegniew", "Klub D"]);
    let p = &db.json(&["partnership", "list", "--json"])[0];
    assert_eq!(p["members"].as_array().unwrap().len(), 2);
    let r = db.run(&["partnership", "member", "add", "Partnerstwo Dobiegniew", "Klub D", "--joined", "lipiec"]);
    assert_eq!(r.code, Some(1), "{r:?}");
}
