#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end in a pseudo-terminal: the real binary's resources pane links a proposal
//! to a need (seen afterwards by the command line) and writes a place's map into the
//! directory it was started in.

use crate::support::cli::Db;
use crate::support::pty::*;
use std::path::Path;

/// The links of the needs of a place, from `teren need list --json`.
fn links_in(db: &Path, place: &str) -> usize {
    let list = Db::at(db).json(&["need", "list", "--json", "--place", place]);
    list.as_array().unwrap().iter().map(|n| n["resources"].as_array().map_or(0, Vec::len)).sum()
}

#[test]
fn resources_pane_links_a_proposal_and_exports_the_place() {
    let (_dir, db) = demo_db();
    let before = links_in(&db, "Lubiewo");
    let mut s = Session::open(&db);
    s.send(b"3");
    s.wait_for("the resource tree", |t| t.contains("gmina Dobiegniew"));
    s.send(b"/lubiewo\r");
    s.wait_for("the search", |t| t.contains("/lubiewo"));
    s.send(b"\x1b[B");
    s.send(b"n");
    s.wait_for("the needs with proposals", |t| t.contains("Propozycje"));
    s.send(b"l");
    s.wait_for("the link", |t| t.contains("Połączono"));
    s.send(b"x");
    s.wait_for("the export prompt", |t| t.contains("mapa-lubiewo.md"));
    s.send(b"\r");
    s.wait_for("the export", |t| t.contains("Zapisano mapę"));
    let file = s.config.join("mapa-lubiewo.md");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# ") && text.contains("Lubiewo"), "{text}");
    s.quit();
    assert_eq!(links_in(&db, "Lubiewo"), before + 1);
}
