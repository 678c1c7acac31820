#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `teren meeting list --from/--to/--partnership`: the pane's period and partnership
//! filters on the command line (issue 5).

use crate::support::cli::Db;

fn places(list: &serde_json::Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|m| m["place"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn meeting_list_by_period_and_partnership() {
    let db = Db::new();
    db.add(&["participant", "add", "--name", "Stowarzyszenie Łąka", "--kind", "org", "--category", "ngo"]);
    db.add(&["partnership", "add", "--name", "Partnerstwo Nadnoteckie", "--leader", "Stowarzyszenie Łąka"]);
    for (date, place, p) in [
        ("2026-01-10", "Ługi", None),
        ("2026-03-02", "Głęboczek", Some("Partnerstwo Nadnoteckie")),
        ("2026-03-20", "Radęcin", None),
        ("2026-05-01", "Osowiec", Some("Partnerstwo Nadnoteckie")),
    ] {
        let mut args = vec!["meeting", "add", "--type", "grupowe", "--date", date, "--place", place];
        if let Some(p) = p {
            args.extend(["--partnership", p]);
        }
        db.add(&args);
    }
    let all = db.json(&["meeting", "list", "--json"]);
    assert_eq!(places(&all), ["Osowiec", "Radęcin", "Głęboczek", "Ługi"]);
    let march = db.json(&["meeting", "list", "--from", "2026-03-01", "--to", "2026-03-31", "--json"]);
    assert_eq!(places(&march), ["Radęcin", "Głęboczek"]);
    let since = db.json(&["meeting", "list", "--from", "2026-03-20", "--json"]);
    assert_eq!(places(&since), ["Osowiec", "Radęcin"]);
    let p = db.json(&["meeting", "list", "--partnership", "Partnerstwo Nadnoteckie", "--json"]);
    assert_eq!(places(&p), ["Osowiec", "Głęboczek"]);
    let both =
        db.json(&["meeting", "list", "--partnership", "Partnerstwo Nadnoteckie", "--to", "2026-04-30", "--json"]);
    assert_eq!(places(&both), ["Głęboczek"]);
    // Bad input: one line saying what is wrong, nothing listed.
    let bad = db.run(&["meeting", "list", "--from", "marzec"]);
    assert_ne!(bad.code, Some(0));
    assert!(bad.stderr.contains("'marzec' is not a date"), "{}", bad.stderr);
    let line = db.run(&["meeting", "list", "--partnership", "Nie ma takiego"]).error_line("unknown partnership");
    assert!(line.contains("Nie ma takiego"), "{line}");
}
