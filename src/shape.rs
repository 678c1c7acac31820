//! The shape of the code, checked as a plain test over the `use` lines (issue 22): the
//! terminal stays in `tui`, the core never reaches up into `tui` or `cli`, and the
//! top-level modules form no cycle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code lines of a file: comments and doc comments left out.
fn code(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim_start).filter(|l| !l.starts_with("//"))
}

/// The top-level modules a line names as `crate::x`.
fn crate_refs(line: &str, out: &mut BTreeSet<String>) {
    for (i, _) in line.match_indices("crate::") {
        // Not `teren_crate::` or a longer identifier ending in `crate`.
        if line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &line[i + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
}

struct Tree {
    /// Top-level module → the top-level modules its files name.
    deps: BTreeMap<String, BTreeSet<String>>,
    /// Files outside `tui/` and `main.rs` that name ratatui or crossterm.
    terminal_outside: Vec<String>,
}

fn tree() -> Tree {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut terminal_outside = Vec::new();
    for path in all {
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut refs = BTreeSet::new();
        let mut terminal = false;
        for line in code(&text) {
            crate_refs(line, &mut refs);
            terminal |= line.contains("ratatui") || line.contains("crossterm");
        }
        if terminal && top != "tui" && top != "main" && rel != "shape.rs" {
            terminal_outside.push(rel.clone());
        }
        // This file names the modules it checks.
        if top == "lib" || top == "main" || top == "shape" {
            continue;
        }
        refs.remove(&top);
        deps.entry(top).or_default().extend(refs);
    }
    Tree { deps, terminal_outside }
}

/// A cycle among the modules, if there is one.
fn cycle(deps: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        at: &str,
        deps: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut c = path[i..].to_vec();
            c.push(at.to_string());
            return Some(c);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_string());
        for next in deps.get(at).into_iter().flatten() {
            if let Some(c) = visit(next, deps, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(at.to_string());
        None
    }
    let mut done = BTreeSet::new();
    deps.keys().find_map(|m| visit(m, deps, &mut Vec::new(), &mut done))
}

#[test]
fn the_terminal_stays_in_tui() {
    let t = tree();
    assert!(t.terminal_outside.is_empty(), "ratatui or crossterm outside src/tui/: {:?}", t.terminal_outside);
}

#[test]
fn the_core_never_reaches_up_into_the_app_or_the_command_line() {
    let t = tree();
    for (module, uses) in &t.deps {
        if module == "tui" || module == "cli" {
            continue;
        }
        for up in ["tui", "cli"] {
            assert!(!uses.contains(up), "{module} uses crate::{up}");
        }
    }
}

#[test]
fn the_modules_form_no_cycle() {
    let t = tree();
    assert_eq!(cycle(&t.deps), None, "{:#?}", t.deps);
    // The test sees a cycle when there is one.
    let mut with = t.deps.clone();
    with.entry("ids".into()).or_default().insert("sync".into());
    assert!(cycle(&with).is_some());
}

#[test]
fn the_app_routes_and_nothing_in_tui_reaches_back_into_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut all = Vec::new();
    files(&src, &mut all);
    let back: Vec<String> = all
        .iter()
        .filter(|p| !p.starts_with(src.join("app")))
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            code(&text).any(|l| l.contains("super::app") || l.contains("crate::tui::app") || l.contains("impl App"))
        })
        .map(|p| p.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    assert!(back.is_empty(), "tui modules that reach back into the app: {back:?}");
}
