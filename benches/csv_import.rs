//! CSV import of 100 000 rows (DESIGN.md §10: < 3 s): a Polish Excel export
//! (Windows-1250, `;`, CRLF) written here into a temp file, planned (decode, columns,
//! validation, duplicates) and applied into a fresh database, each step timed.
//!
//! `cargo bench --bench csv_import` (optionally `-- N` rows). Prints timings; asserts
//! nothing.

use std::fmt::Write as _;
use std::time::Instant;
use teren::import::{self, Options};
use teren::store::Store;

const GIVEN: &[&str] = &[
    "Anna",
    "Łucja",
    "Grzegorz",
    "Zdzisław",
    "Małgorzata",
    "Józef",
    "Katarzyna",
    "Paweł",
    "Żaneta",
    "Wojciech",
    "Agnieszka",
    "Stanisław",
    "Bożena",
    "Tomasz",
    "Jadwiga",
    "Michał",
    "Ewa",
    "Krzysztof",
    "Halina",
    "Łukasz",
];
const FAMILY: &[&str] = &[
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
    "Michalski",
    "Żółkiewski",
    "Ślęzak",
    "Bąk",
    "Łękawski",
    "Górecki",
];
const PLACES: &[(&str, &str)] = &[
    ("Dobiegniew", "Dobiegniew"),
    ("Dobiegniew", "Osiek"),
    ("Dobiegniew", "Ługi"),
    ("Strzelce Krajeńskie", "Strzelce Krajeńskie"),
    ("Strzelce Krajeńskie", "Bobrówko"),
    ("Drezdenko", "Drezdenko"),
    ("Drezdenko", "Głęboczek"),
    ("Stare Kurowo", "Stare Kurowo"),
    ("Zwierzyn", "Zwierzyn"),
    ("Zwierzyn", "Żółwin"),
];
const ORGS: &[&str] = &["Stowarzyszenie „Łąka”", "MGOPS Dobiegniew", "Koło Gospodyń Wiejskich w Osieku", "", "", ""];
const CATEGORIES: &[&str] = &["osoba fizyczna", "PES", "OPS", "osoba fizyczna", "osoba fizyczna"];

/// `rows` distinct participants, as Polish Excel saves a sheet.
fn sheet(rows: usize) -> Vec<u8> {
    let mut s = String::from("Lp.;Imię;Nazwisko;Instytucja;Kategoria;Gmina;Miejscowość;Telefon;E-mail;Uwagi\r\n");
    for i in 0..rows {
        let given = GIVEN[i % GIVEN.len()];
        let family = FAMILY[(i / GIVEN.len()) % FAMILY.len()];
        // The row number in the family name keeps every name and place distinct.
        let (gmina, place) = PLACES[(i / 7) % PLACES.len()];
        let org = ORGS[i % ORGS.len()];
        let cat = CATEGORIES[i % CATEGORIES.len()];
        let _ = write!(
            s,
            "{};{given};{family}-{i};{org};{cat};{gmina};{place};+48 6{:08};u{i}@example.pl;\"Uwagi: dzwonić po 16; \"\"pilne\"\"\"\r\n",
            i + 1,
            i
        );
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1250.encode(&s);
    bytes.into_owned()
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("teren-bench-csv-{}", std::process::id()));
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        std::fs::create_dir_all(&dir)?;
        let csv = dir.join("uczestnicy.csv");
        std::fs::write(&csv, sheet(n))?;
        let total = Instant::now();
        let store = Store::open(&dir.join("import.redb"))?;
        let bytes = std::fs::read(&csv)?;
        let t = Instant::now();
        let plan = import::plan(&store, &bytes, &Options::default(), &mut |_, _| {})?;
        let plan_s = t.elapsed().as_secs_f64();
        let (add, dups, errors) = (plan.add.len(), plan.duplicates.len(), plan.errors.len());
        let t = Instant::now();
        let written = import::apply(&store, plan)?;
        let apply_s = t.elapsed().as_secs_f64();
        println!(
            "CSV import, {n} rows ({} KB, cp1250): {:.2} s total — plan {plan_s:.2} s, apply {apply_s:.2} s; {add} added, {dups} duplicates, {errors} errors, {written} records written",
            bytes.len() / 1024,
            total.elapsed().as_secs_f64()
        );
        Ok(())
    };
    let result = run();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = result {
        eprintln!("csv_import bench: {e}");
        std::process::exit(1);
    }
}
