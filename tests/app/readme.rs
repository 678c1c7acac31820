#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The README's pictures of the app and its keys table are made here, from the real
//! app and the default keymap, so they cannot drift from the code.
//!
//! `cargo test --test app readme` fails when they are stale;
//! `TEREN_UPDATE_README=1 cargo test --test app readme` rewrites them.

use teren::i18n::Lang;
use teren::tui::keymap::{Action, Context, Keymap, action_label};

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");

/// The keys of the default keymap, one row per action and context.
fn keys_table() -> String {
    let keymap = Keymap::default_map();
    let mut out = String::from("| where | keys | what it does |\n|---|---|---|\n");
    for ctx in Context::ALL {
        let mut rows: Vec<(Action, Vec<String>)> = Vec::new();
        for b in keymap.bindings(ctx).iter().filter(|b| b.action != Action::Noop) {
            match rows.iter_mut().find(|(a, _)| *a == b.action) {
                Some((_, keys)) => keys.push(b.label()),
                None => rows.push((b.action, vec![b.label()])),
            }
        }
        for (action, keys) in rows {
            let keys: Vec<String> = keys.iter().map(|k| format!("`{}`", k.replace('|', "\\|"))).collect();
            out.push_str(&format!("| {} | {} | {} |\n", ctx.name(), keys.join(" "), action_label(action, Lang::En)));
        }
    }
    out
}

/// Each pane at 100×28 on the demo data, as text; today is the demo's own day (the
/// fixture's), so overdue counts and the capture form's date stay put.
fn screens() -> String {
    let mut f = crate::support::app::fixture_sized(Lang::Pl, 300);
    let mut out = String::new();
    for (key, title) in [('1', "Participants"), ('2', "Meetings"), ('3', "Resources"), ('4', "Partnership graph")] {
        f.ch(key);
        out.push_str(&format!("**{title}** (`{key}`)\n\n```text\n{}```\n\n", f.screen(100, 28)));
    }
    f.ch('b');
    out.push_str(&format!("**Bridges, isolated, groups** (`4`, then `b`)\n\n```text\n{}```\n\n", f.screen(100, 28)));
    f.ch('b');
    f.ch('1');
    f.ch('/');
    f.typ("lodz");
    out.push_str(&format!("**Search** (`/lodz`)\n\n```text\n{}```\n\n", f.screen(100, 28)));
    // The indicator report of the demo's projects.
    f.code(crossterm::event::KeyCode::Esc);
    f.ch('6');
    out.push_str(&format!("**Indicator report** (`6`)\n\n```text\n{}```\n\n", f.screen(100, 28)));
    f.ch('1');
    // Action plans, overdue counted from the demo's own day.
    f.code(crossterm::event::KeyCode::Esc);
    f.ch('5');
    out.push_str(&format!("**Action plans** (`5`)\n\n```text\n{}```\n\n", f.screen(100, 28)));
    f.ch('1');
    // Quick capture, with the date fixed to the demo's own day.
    f.code(crossterm::event::KeyCode::Esc);
    f.ch('c');
    for who in ["kowal", "nowak"] {
        f.typ(who);
        f.code(crossterm::event::KeyCode::Enter);
    }
    f.code(crossterm::event::KeyCode::Enter);
    f.typ("Zebranie KGW w świetlicy: chcą spróbować z mikrograntem na dożynki.");
    f.code(crossterm::event::KeyCode::Enter);
    f.typ("- [ ] wysłać regulamin mikrograntów sołtysowi @2026-11-23");
    // Tab: the follow-ups field, one per line with the due date first.
    f.code(crossterm::event::KeyCode::Tab);
    f.typ("2026-11-30: zapytać GOPS o salę");
    out.push_str(&format!("**Quick capture** (`c`)\n\n```text\n{}```\n", f.screen(100, 28)));
    out
}

/// Replace the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
fn splice(doc: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let (Some(a), Some(b)) = (doc.find(&begin), doc.find(&end)) else {
        panic!("README.md lacks the markers {begin} and {end}");
    };
    format!("{}{begin}{body}{}", &doc[..a], &doc[b..])
}

#[test]
fn readme_pictures_and_keys_are_current() {
    let doc = std::fs::read_to_string(README).unwrap();
    let fresh = splice(&splice(&doc, "keys", &keys_table()), "screens", &screens());
    if std::env::var_os("TEREN_UPDATE_README").is_some() {
        std::fs::write(README, &fresh).unwrap();
        return;
    }
    assert!(
        doc == fresh,
        "README.md's screens or keys table are stale: run `TEREN_UPDATE_README=1 cargo test --test app readme`"
    );
}
