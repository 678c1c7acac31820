#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `teren import participants` through the built binary, on CSV files made here the way
//! Excel and LibreOffice write them (issue 9).

use crate::support::cli::{self, Db, with_field};
use serde_json::Value;
use std::path::PathBuf;

/// A file with these bytes in the database's temp directory.
fn file(db: &Db, name: &str, bytes: &[u8]) -> PathBuf {
    let p = db.path().with_file_name(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn cp1250(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1250.encode(text);
    assert!(!unmappable, "test text must be Windows-1250");
    bytes.into_owned()
}

fn utf8_bom(text: &str) -> Vec<u8> {
    let mut b = vec![0xEF, 0xBB, 0xBF];
    b.extend_from_slice(text.as_bytes());
    b
}

fn participants(db: &Db) -> Value {
    db.json(&["participant", "list", "--json"])
}

fn import(db: &Db, path: &std::path::Path, extra: &[&str]) -> cli::Run {
    let mut args = vec!["import", "participants", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    db.run(&args)
}

/// Polish Excel: Windows-1250, `;`, CRLF, a blank row, quoted line breaks and doubled
/// quotes, a trailing empty column.
const EXCEL: &str = "Lp.;Imię;Nazwisko;Instytucja;Kategoria;Gmina;Miejscowość;Telefon;E-mail;Uwagi;\r\n\
1;Łucja;Żółkiewska-Ślęzak;Stowarzyszenie „Łąka”;PES;Dobiegniew;Ługi;600 100 200;lucja@laka.pl;\"Dzwonić po 16;\r\nnie w środy\";\r\n\
2;Grzegorz;Łękawski;;osoba fizyczna;Dobiegniew;Osiek;;;\"Mówi \"\"Pan Grześ\"\"\";\r\n\
;;;;;;;;;;\r\n\
3;Źdźisław;Bąk;MGOPS Dobiegniew;OPS;Dobiegniew;Dobiegniew;+48 601 200 300;;;\r\n";

#[test]
fn windows_1250_excel_file_imports_without_a_mangled_letter() {
    let db = Db::new();
    let f = file(&db, "uczestnicy.csv", &cp1250(EXCEL));
    let dry = import(&db, &f, &["--dry-run"]);
    assert_eq!(dry.code, Some(0), "{dry:?}");
    assert!(dry.stdout.contains("Windows-1250, delimiter ';', 4 rows (1 blank, skipped)"), "{}", dry.stdout);
    assert!(dry.stdout.contains("Imię → given, Nazwisko → family"), "{}", dry.stdout);
    assert!(dry.stdout.contains("to add: 3 participants and 2 new organisations"), "{}", dry.stdout);
    assert!(dry.stdout.contains("row 2     Łucja Żółkiewska-Ślęzak, Ługi — Stowarzyszenie „Łąka”"), "{}", dry.stdout);
    assert!(dry.stdout.contains("dry run: nothing written"), "{}", dry.stdout);
    assert_eq!(participants(&db).as_array().unwrap().len(), 0, "--dry-run wrote something");

    let out = db.ok(&["import", "participants", f.to_str().unwrap()]);
    assert!(out.contains("imported 3 participants and 2 new organisations (5 records, one transaction)"), "{out}");
    let all = participants(&db);
    assert_eq!(all.as_array().unwrap().len(), 5);
    let lucja = with_field(&all, "name", "Łucja Żółkiewska-Ślęzak");
    assert_eq!(lucja.len(), 1, "{all}");
    let l = lucja[0];
    assert_eq!(l["category"], "pes");
    assert_eq!(l["place"], "Ługi");
    assert_eq!(l["phone"], "+48 600 100 200");
    assert_eq!(l["org"], "Stowarzyszenie „Łąka”");
    assert_eq!(l["note"], "Dzwonić po 16;\nnie w środy");
    let g = with_field(&all, "name", "Grzegorz Łękawski");
    assert_eq!(g[0]["note"], "Mówi \"Pan Grześ\"");
    assert_eq!(g[0]["kind"], "person");
    let z = with_field(&all, "name", "Źdźisław Bąk");
    assert_eq!(z[0]["category"], "welfare");
    let org = with_field(&all, "name", "MGOPS Dobiegniew");
    assert_eq!((org[0]["kind"].as_str(), org[0]["category"].as_str()), (Some("org"), Some("welfare")));
    // The search folds what was imported: `lucja zolkiewska` finds her.
    let hits = db.json(&["participant", "list", "--search", "lucja zolkiewska", "--json"]);
    assert_eq!(hits[0]["name"], "Łucja Żółkiewska-Ślęzak");
}

#[test]
fn importing_the_same_file_twice_adds_nothing_the_second_time() {
    let db = Db::new();
    let f = file(&db, "u.csv", &cp1250(EXCEL));
    db.ok(&["import", "participants", f.to_str().unwrap()]);
    let before = db.dump();
    let r = import(&db, &f, &["--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["imported"], 0);
    assert_eq!(v["add"].as_array().unwrap().len(), 0);
    assert_eq!(v["duplicates"].as_array().unwrap().len(), 3);
    assert_eq!(v["duplicates"][0]["why"], "same name and place");
    assert_eq!(db.dump(), before);
}

#[test]
fn utf8_with_bom_and_commas_from_libreoffice() {
    let db = Db::new();
    let text = "Imię i nazwisko,Organizacja,Kategoria,Miejscowość,Telefon,Email,Tagi\n\
                \"Nowak, Jan\",,mieszkaniec,Łódź,,jan@nowak.pl,\"senior,lider\"\n\
                Anna Świątek,\"Fundacja \"\"Razem\"\", Łódź\",ngo,Łódź,(42) 630 11 22,,\n";
    let f = file(&db, "lo.csv", &utf8_bom(text));
    let r = import(&db, &f, &["--json"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["encoding"], "UTF-8 with BOM");
    assert_eq!(v["delimiter"], ",");
    assert_eq!(v["imported"], 3);
    let all = participants(&db);
    let jan = with_field(&all, "name", "Nowak, Jan");
    assert_eq!(jan[0]["tags"], serde_json::json!(["lider", "senior"]));
    assert_eq!(jan[0]["category"], "person");
    let anna = with_field(&all, "name", "Anna Świątek");
    assert_eq!(anna[0]["org"], "Fundacja \"Razem\", Łódź");
    assert_eq!(anna[0]["phone"], "+48 426 301 122");
    // No header keeps its BOM: the first column mapped.
    assert_eq!(v["columns"][0]["field"], "name");
}

#[test]
fn duplicates_within_the_file_and_against_the_database_are_skipped_and_said() {
    let db = Db::new();
    db.add(&["participant", "add", "--name", "Jan Nowak", "--place", "Ługi", "--phone", "600 000 001"]);
    db.add(&["participant", "add", "--name", "Ewa Lis", "--email", "ewa@lis.pl"]);
    let text = "Nazwa;Miejscowość;Telefon;E-mail\n\
                JAN NOWAK;ługi;;\n\
                Janek Nowak;Osiek;600000001;\n\
                Ewa Lisowa;;;EWA@lis.pl\n\
                Maria Kos;Osiek;700 100 100;\n\
                Maria  Kos;OSIEK;;\n\
                Marek Kos;;700100100;\n";
    let f = file(&db, "d.csv", text.as_bytes());
    let r = import(&db, &f, &["--dry-run", "--json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let dups: Vec<(u64, &str, String)> = v["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let of = if d["of"]["row"].is_u64() {
                format!("row {}", d["of"]["row"])
            } else {
                d["of"]["name"].as_str().unwrap().to_string()
            };
            (d["row"].as_u64().unwrap(), d["why"].as_str().unwrap(), of)
        })
        .collect();
    assert_eq!(
        dups,
        vec![
            (2, "same name and place", "Jan Nowak".to_string()),
            (3, "same phone", "Jan Nowak".to_string()),
            (4, "same e-mail", "Ewa Lis".to_string()),
            (6, "same name and place", "row 5".to_string()),
            (7, "same phone", "row 5".to_string()),
        ]
    );
    assert_eq!(v["add"].as_array().unwrap().len(), 1);
    let human = db.ok(&["import", "participants", f.to_str().unwrap(), "--dry-run"]);
    assert!(human.contains("row 3     Janek Nowak — same phone as participant"), "{human}");
    assert!(human.contains("row 6     Maria Kos — same name and place as row 5"), "{human}");
}

const BAD: &str = "Imię;Nazwisko;Kategoria;Telefon;E-mail;Miejscowość\n\
                   Anna;Dobra;pes;600100200;anna@dobra.pl;Ługi\n\
                   Piotr;Zły;xyz;123;piotr@;Osiek\n\
                   ;;pes;;;\n\
                   Ola;Dobra;;;;Ługi\n";

#[test]
fn bad_rows_are_listed_with_row_field_and_reason_and_the_rest_imported() {
    let db = Db::new();
    let f = file(&db, "bad.csv", BAD.as_bytes());
    let r = import(&db, &f, &[]);
    let line = r.error_line("import with bad rows");
    assert!(line.contains("2 rows had errors and were not imported"), "{line}");
    assert!(r.stdout.contains("row 3     category: unknown category 'xyz'"), "{}", r.stdout);
    assert!(r.stdout.contains("row 3     phone: '123' is not a Polish phone number"), "{}", r.stdout);
    assert!(r.stdout.contains("row 3     email: 'piotr@' is not an e-mail address"), "{}", r.stdout);
    assert!(r.stdout.contains("row 4     name: the name is empty"), "{}", r.stdout);
    let all = participants(&db);
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Anna Dobra") && names.contains(&"Ola Dobra"));
}

#[test]
fn strict_with_one_bad_row_imports_nothing() {
    let db = Db::new();
    db.add(&["participant", "add", "--name", "Ktoś Już Jest"]);
    let before = db.dump();
    let f = file(&db, "bad.csv", BAD.as_bytes());
    let r = import(&db, &f, &["--strict"]);
    let line = r.error_line("strict import");
    assert!(line.contains("nothing imported (--strict)"), "{line}");
    assert_eq!(db.dump(), before, "--strict with a bad row changed the database");
}

#[test]
fn unknown_columns_are_refused_with_how_to_map_them_and_maps_work() {
    let db = Db::new();
    let text = "Nazwisko i imię;PESEL;Stanowisko;Miejscowość\nKowalska Anna;85010112345;sołtyska;Ługi\n";
    let f = file(&db, "m.csv", text.as_bytes());
    let before = db.dump();
    let r = import(&db, &f, &[]);
    let line = r.error_line("unknown columns");
    assert!(line.contains("unknown columns 'Nazwisko i imię', 'Stanowisko'"), "{line}");
    assert!(line.contains("--map 'HEADER=FIELD'"), "{line}");
    assert_eq!(db.dump(), before);
    let out = db.ok(&[
        "import",
        "participants",
        f.to_str().unwrap(),
        "--map",
        "Nazwisko i imię=name",
        "--map",
        "stanowisko=uwagi",
    ]);
    assert!(out.contains("imported 1 participants"), "{out}");
    let all = participants(&db);
    assert_eq!(all[0]["name"], "Kowalska Anna");
    assert_eq!(all[0]["note"], "sołtyska");
    // PESEL is a known column that teren does not keep.
    assert!(!db.dump().contains("85010112345"));
}

#[test]
fn files_that_cannot_be_imported_say_why_in_one_line() {
    let db = Db::new();
    let r = db.run(&["import", "participants", "/nonexistent/x.csv"]);
    assert!(r.error_line("missing file").contains("cannot read /nonexistent/x.csv"));
    let f = file(&db, "empty.csv", b"");
    assert!(import(&db, &f, &[]).error_line("empty").contains("the file is empty"));
    let f = file(&db, "bin.csv", &[0xFF, 0x00, 0x13, 0x80, 0x9F, 0x0A, 0x00]);
    let r = import(&db, &f, &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(participants(&db).as_array().unwrap().len(), 0);
    let r = db.run(&["import", "participants"]);
    assert_eq!(r.code, Some(2), "missing FILE is bad usage: {r:?}");
}

#[test]
fn consent_and_retention_columns_read_polish_dates() {
    let db = Db::new();
    let text = "Imię i nazwisko;Oświadczenie uczestnika;Zgoda na zdjęcia;Zgoda na newsletter;Przechowywać do\n\
                Anna Zgodna;15.03.2024;2024-03-15;nie;31.12.2030\n\
                Jan Bez;tak;;;\n";
    let f = file(&db, "z.csv", text.as_bytes());
    let r = import(&db, &f, &[]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("row 3     consent_data: 'tak' is not a date"), "{}", r.stdout);
    let all = participants(&db);
    let a = with_field(&all, "name", "Anna Zgodna");
    assert_eq!(a[0]["consent_data"], "2024-03-15");
    assert_eq!(a[0]["consent_photos"], "2024-03-15");
    assert!(a[0]["consent_newsletter"].is_null());
    assert_eq!(a[0]["retention"], "2030-12-31");
}

#[test]
fn an_export_imports_back_as_duplicates_only() {
    let db = Db::new();
    db.ok(&["demo", "--participants", "150"]);
    let out = db.path().with_file_name("p.csv");
    db.ok(&["export", "participants", "--format", "csv", "--out", out.to_str().unwrap()]);
    let r = import(&db, &out, &["--json", "--dry-run"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{}", v["errors"]);
    assert_eq!(v["add"].as_array().unwrap().len(), 0, "{}", v["add"]);
    assert_eq!(v["duplicates"].as_array().unwrap().len(), 150);
}
