//! The resource map from the command line: a village's map built with `resource add`,
//! `need add` and `need link`; `need propose` ranking; `map` tree with counts;
//! `map gap`; `map export` as Markdown and CSV; errors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::cli::Db;
use serde_json::Value;

/// Gmina Dobiegniew: Ługi (a świetlica, a KGW, the sołtys) and Chomętowo (an OSP hall
/// tagged świetlica, a mill); gmina Drawno: a culture house for the young.
fn village() -> Db {
    let db = Db::new();
    db.add(&["participant", "add", "--name", "Anna Nowak", "--gmina", "Dobiegniew", "--place", "Ługi"]);
    for args in [
        &[
            "--name",
            "Świetlica wiejska",
            "--category",
            "places",
            "--gmina",
            "Dobiegniew",
            "--place",
            "Ługi",
            "--description",
            "Sala na 60 osób z kuchnią",
            "--contact",
            "Anna Nowak",
            "--tag",
            "sala",
        ][..],
        &[
            "--name",
            "Koło Gospodyń Wiejskich",
            "--category",
            "organizacje",
            "--gmina",
            "Dobiegniew",
            "--place",
            "Ługi",
            "--tag",
            "kulinaria",
        ],
        &["--name", "Sołtys Jan Wiśniewski", "--category", "ludzie", "--place", "Ługi", "--tag", "lider"],
        &[
            "--name",
            "Sala OSP",
            "--category",
            "places",
            "--gmina",
            "Dobiegniew",
            "--place",
            "Chomętowo",
            "--tag",
            "świetlica",
        ],
        &["--name", "Stary młyn", "--category", "heritage", "--gmina", "Dobiegniew", "--place", "Chomętowo"],
        &[
            "--name",
            "Dom kultury",
            "--category",
            "places",
            "--gmina",
            "Drawno",
            "--place",
            "Drawno",
            "--tag",
            "młodzież",
        ],
    ] {
        let mut a = vec!["resource", "add"];
        a.extend_from_slice(args);
        db.add(&a);
    }
    db
}

fn need(db: &Db, description: &str, category: &str, place: &str) -> String {
    db.add(&["need", "add", "--description", description, "--category", category, "--place", place])
}

fn names(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn map_tree_counts_every_level_and_filters() {
    let db = village();
    let t = db.json(&["map", "--json"]);
    assert_eq!(t["count"], 6);
    let gminas: Vec<(&str, u64)> = t["gminas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["gmina"].as_str().unwrap(), g["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(gminas, vec![("Dobiegniew", 5), ("Drawno", 1)]);
    let places = &t["gminas"][0]["places"];
    assert_eq!(places[0]["place"], "Chomętowo");
    assert_eq!(places[1]["place"], "Ługi");
    assert_eq!(places[1]["count"], 3);
    let cats: Vec<(&str, u64)> = places[1]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["category"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(cats, vec![("people", 1), ("organisations", 1), ("places", 1)]);
    assert_eq!(places[1]["categories"][2]["resources"][0]["name"], "Świetlica wiejska");

    // the sołtys got gmina Dobiegniew from the place
    let lugi = db.json(&["map", "--place", "lugi", "--json"]);
    assert_eq!(lugi["count"], 3);
    let human = db.ok(&["map", "--gmina", "Drawno", "--lang", "en"]);
    assert!(human.contains("Resource map — gmina Drawno (1)\n"), "{human}");
    assert!(human.contains("Drawno (1)\n  Drawno (1)\n    places and infrastructure (1)\n"), "{human}");
    assert!(human.contains("Dom kultury"), "{human}");

    // resource list --tag, folded
    let tagged = db.json(&["resource", "list", "--tag", "swietlica", "--json"]);
    assert_eq!(names(&tagged), vec!["Sala OSP"]);
}

#[test]
fn need_propose_ranks_place_then_gmina_then_elsewhere_and_skips_linked() {
    let db = village();
    let n = need(&db, "Brak miejsca na spotkania młodzieży — potrzebna świetlica", "places", "Ługi");
    let p = db.json(&["need", "propose", &n, "--json"]);
    assert_eq!(
        names(&p),
        vec!["Świetlica wiejska", "Koło Gospodyń Wiejskich", "Sołtys Jan Wiśniewski", "Sala OSP", "Dom kultury"],
        "{p:#}"
    );
    let prox: Vec<&str> = p.as_array().unwrap().iter().map(|x| x["proximity"].as_str().unwrap()).collect();
    assert_eq!(prox, vec!["place", "place", "place", "gmina", "elsewhere"]);
    assert_eq!(p[0]["category_match"], true);
    assert_eq!(p[0]["shared"][0], "świetlica");
    assert_eq!(p[3]["tags"][0], "świetlica");
    assert!(p[3]["reason"].as_str().unwrap().contains("ta sama gmina Dobiegniew"), "{p:#}");
    assert!(p[4]["reason"].as_str().unwrap().contains("młodzież"), "{p:#}");

    // link the first one: it leaves the proposals
    let first = p[0]["resource"].as_str().unwrap()[..8].to_string();
    db.ok(&["need", "link", &n, &first]);
    let again = db.json(&["need", "propose", &n, "--json", "--limit", "2"]);
    assert_eq!(names(&again), vec!["Koło Gospodyń Wiejskich", "Sołtys Jan Wiśniewski"]);

    let human = db.ok(&["need", "propose", &n, "--lang", "en"]);
    assert!(human.starts_with("Need: Brak miejsca"), "{human}");
    assert!(human.contains(" 1. "), "{human}");
    assert!(human.contains("Sala OSP"), "{human}");
    assert!(human.contains("same gmina Dobiegniew; category places and infrastructure; tags: świetlica"), "{human}");

    let e = db.run(&["need", "propose", "nope"]).error_line("unknown need");
    assert!(e.contains("nope"), "{e}");
}

#[test]
fn map_gap_lists_unanswered_needs_and_unused_resources() {
    let db = village();
    let hall = need(&db, "Miejsce na zebrania", "places", "Ługi");
    let seniors = need(&db, "Zajęcia dla seniorów", "people", "Ługi");
    let done = need(&db, "Remont dachu", "places", "Ługi");
    db.ok(&["need", "edit", &done, "--set", "status=answered"]);
    db.ok(&["need", "link", &hall, "Świetlica wiejska"]);

    let g = db.json(&["map", "gap", "--place", "Ługi", "--json"]);
    let needs: Vec<&str> = g["needs"].as_array().unwrap().iter().map(|n| n["description"].as_str().unwrap()).collect();
    assert_eq!(needs, vec!["Zajęcia dla seniorów"]);
    assert!(g["needs"][0]["id"].as_str().unwrap().starts_with(&seniors));
    assert_eq!(g["needs"][0]["gmina"], "Dobiegniew");
    let res: Vec<&str> = g["resources"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(res, vec!["Sołtys Jan Wiśniewski", "Koło Gospodyń Wiejskich"]);

    let whole = db.json(&["map", "gap", "--gmina", "Dobiegniew", "--json"]);
    assert_eq!(whole["resources"].as_array().unwrap().len(), 4);

    let human = db.ok(&["map", "gap", "--place", "Ługi"]);
    assert!(human.contains("Potrzeby, na które nic jeszcze nie odpowiada (1):"), "{human}");
    assert!(human.contains("Zajęcia dla seniorów"), "{human}");
    assert!(human.contains("Zasoby, których nie wykorzystuje żadna potrzeba (2):"), "{human}");
    assert!(!human.contains("Remont dachu"), "{human}");
}

#[test]
fn map_export_markdown_and_csv() {
    let db = village();
    let hall = need(&db, "Miejsce na zebrania", "places", "Ługi");
    need(&db, "Zajęcia dla seniorów", "people", "Ługi");
    db.ok(&["need", "link", &hall, "Świetlica wiejska"]);

    let md = db.ok(&["map", "export", "--place", "Ługi", "--format", "md"]);
    assert!(md.starts_with("# Mapa zasobów: Ługi\n\n## Zasoby (3)\n"), "{md}");
    assert!(
        md.contains("### Miejsca i infrastruktura (1)\n\n| Nazwa | Opis | Kontakt | Tagi |\n|---|---|---|---|\n"),
        "{md}"
    );
    assert!(md.contains("| Świetlica wiejska | Sala na 60 osób z kuchnią | Anna Nowak | sala |"), "{md}");
    assert!(md.contains("| Miejsce na zebrania | miejsca i infrastruktura | otwarta | Świetlica wiejska |"), "{md}");
    assert!(md.contains("## Luka"), "{md}");
    assert!(md.contains("- Zajęcia dla seniorów (otwarta)"), "{md}");
    assert!(md.contains("- Koło Gospodyń Wiejskich (organizacje i instytucje)"), "{md}");
    assert!(!md.contains("Sala OSP"), "{md}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lugi.csv");
    let f = file.to_str().unwrap();
    db.ok(&["map", "export", "--place", "Ługi", "--format", "csv", "--out", f]);
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF], "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with("rodzaj;kategoria;nazwa lub opis;status;powiązane;gmina;miejscowość;kontakt;tagi;luka;id")
    );
    assert!(
        lines[1].starts_with("zasób;ludzie i umiejętności;Sołtys Jan Wiśniewski;;;Dobiegniew;Ługi;;lider;tak;"),
        "{text}"
    );
    assert!(
        lines[3].starts_with(
            "zasób;miejsca i infrastruktura;Świetlica wiejska;;Miejsce na zebrania;Dobiegniew;Ługi;Anna Nowak;sala;;"
        ),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l
                .starts_with("potrzeba;ludzie i umiejętności;Zajęcia dla seniorów;otwarta;;Dobiegniew;Ługi;;;tak;")),
        "{text}"
    );

    // errors: one line, exit 1, nothing written; bad usage exits 2
    let missing = dir.path().join("nowhere.md");
    let e = db
        .run(&["map", "export", "--place", "Nigdzie", "--format", "md", "--out", missing.to_str().unwrap()])
        .error_line("unknown place");
    assert!(e.contains("Nigdzie"), "{e}");
    assert!(!missing.exists());
    let bad_dir = dir.path().join("no/such/dir/x.csv");
    db.run(&["map", "export", "--place", "Ługi", "--format", "csv", "--out", bad_dir.to_str().unwrap()])
        .error_line("unwritable file");
    assert_eq!(db.run(&["map", "export", "--format", "md"]).code, Some(2));
    assert_eq!(db.run(&["map", "export", "--place", "Ługi", "--format", "pdf"]).code, Some(2));
}
