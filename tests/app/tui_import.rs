#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The import screen (issue 9): a Windows-1250 file made here, read through the path
//! line, an unknown column mapped by keyboard, the preview, the strict toggle, the
//! import in one transaction, and a second import that adds nothing.

use crate::support::app::Fixture;
use crossterm::event::KeyCode;
use teren::edit;
use teren::i18n::Lang;
use teren::model::Entity;

fn s(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// The app on a small hand-made database: two participants already there.
fn fixture() -> Fixture {
    Fixture::build(Lang::Pl, |store| {
        edit::create(
            store,
            Entity::Participant,
            &s(&[("name", "Jan Nowak"), ("place", "Ługi"), ("category", "person")]),
        )
        .unwrap();
        edit::create(store, Entity::Participant, &s(&[("name", "Ewa Zając"), ("place", "Osiek"), ("category", "ngo")]))
            .unwrap();
    })
}

/// Polish Excel: Windows-1250, `;`, CRLF, a blank row, a column teren does not know
/// (Wiek), a duplicate of the database (Jan Nowak of Ługi), one of an earlier row
/// (the same phone) and a row with a bad phone and category.
const SHEET: &str = "Lp.;Imię;Nazwisko;Instytucja;Kategoria;Miejscowość;Telefon;Wiek\r\n\
1;Łucja;Żółkiewska-Ślęzak;Stowarzyszenie Łąka;PES;Ługi;600 100 200;54\r\n\
2;Grzegorz;Łękawski;;osoba fizyczna;Osiek;601 200 300;61\r\n\
;;;;;;;\r\n\
3;JAN;NOWAK;;;ługi;;70\r\n\
4;Źdźisław;Bąk;;osoba fizyczna;Dobiegniew;600100200;33\r\n\
5;Piotr;Zły;;xyz;Osiek;12;40\r\n";

fn cp1250(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1250.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn sheet(f: &Fixture) -> String {
    let path = f.dir.path().join("uczestnicy.csv");
    std::fs::write(&path, cp1250(SHEET)).unwrap();
    path.to_string_lossy().into_owned()
}

/// The screen with the temp directory's random name replaced, for snapshots.
fn screen(f: &mut Fixture) -> String {
    let dir = f.dir.path().to_string_lossy().into_owned();
    f.screen(80, 24).replace(&dir, "/tmp/dane")
}

fn open_with(f: &mut Fixture, path: &str) {
    f.ch('I');
    assert_eq!(f.popup(), Some("import"), "I opens the import screen");
    f.typ(path);
    f.code(KeyCode::Enter);
}

fn count(f: &Fixture) -> usize {
    f.live_names().len()
}

#[test]
fn unknown_column_is_mapped_by_keyboard_then_previewed() {
    let mut f = fixture();
    let path = sheet(&f);
    open_with(&mut f, &path);
    let s = screen(&mut f);
    assert!(s.contains("nieznane kolumny: 'Wiek'"), "{s}");
    assert!(s.contains("Wiek → ? nieznana"), "{s}");
    insta::assert_snapshot!("import_unknown_column", s);

    // Down to Wiek (the eighth column), f: skip it; the plan runs again.
    for _ in 0..7 {
        f.code(KeyCode::Down);
    }
    f.ch('f');
    let s = screen(&mut f);
    assert!(s.contains("Wiek → — pomiń"), "{s}");
    assert!(s.contains("Windows-1250"), "{s}");
    assert!(s.contains("do dodania 2 · nowe org. 1 · duplikaty 2 · błędy 1"), "{s}");
    assert!(s.contains("Łucja Żółkiewska-Ślęzak, Ługi"), "{s}");
    assert!(s.contains("JAN NOWAK — ta sama nazwa i miejscowość"), "{s}");
    assert!(s.contains("Źdźisław Bąk — ten sam telefon: w. 2"), "{s}");
    insta::assert_snapshot!("import_preview", s);
    assert_eq!(count(&f), 2, "the preview wrote something");
}

#[test]
fn strict_refuses_then_import_adds_in_one_go_and_again_adds_nothing() {
    let mut f = fixture();
    let path = sheet(&f);
    open_with(&mut f, &path);
    for _ in 0..7 {
        f.code(KeyCode::Down);
    }
    f.ch('f');

    f.ch('s');
    let s = screen(&mut f);
    assert!(s.contains("tryb ścisły: wł. — nic nie zostanie zapisane"), "{s}");
    f.code(KeyCode::Enter);
    let status = f.status().unwrap_or_default();
    assert!(status.starts_with("tryb ścisły: wiersze z błędami: 1"), "{status}");
    assert_eq!(count(&f), 2, "strict mode wrote something");
    assert_eq!(f.popup(), Some("import"));

    f.ch('s');
    f.code(KeyCode::Enter);
    assert_eq!(f.popup(), None, "the screen stays open after the import");
    assert_eq!(f.status().as_deref(), Some("dodano 2 (nowe org. 1)"));
    let names = f.live_names();
    assert_eq!(names.len(), 5, "{names:?}");
    for n in ["Łucja Żółkiewska-Ślęzak", "Grzegorz Łękawski", "Stowarzyszenie Łąka"] {
        assert!(names.iter().any(|x| x == n), "{n} missing or mangled: {names:?}");
    }
    let s = f.screen(80, 24);
    assert!(s.contains("dodano 2"), "{s}");

    // The same file again: every row is a duplicate now.
    open_with(&mut f, &path);
    for _ in 0..7 {
        f.code(KeyCode::Down);
    }
    f.ch('f');
    assert!(screen(&mut f).contains("do dodania 0 · nowe org. 0 · duplikaty 4 · błędy 1"));
    f.code(KeyCode::Enter);
    assert_eq!(f.status().as_deref(), Some("nic do dodania: wszystkie wiersze to duplikaty albo błędy"));
    assert_eq!(count(&f), 5);
}

#[test]
fn a_bad_path_says_so_and_esc_closes() {
    let mut f = fixture();
    let missing = f.dir.path().join("nie-ma.csv").to_string_lossy().into_owned();
    open_with(&mut f, &missing);
    let status = f.status().unwrap_or_default();
    assert!(status.starts_with("nie można odczytać pliku; sprawdź ścieżkę:"), "{status}");
    assert!(!status.contains('\n'));
    assert_eq!(f.popup(), Some("import"), "a bad path closes the screen");
    f.code(KeyCode::Esc);
    assert_eq!(f.popup(), None);
    assert_eq!(count(&f), 2);
}

#[test]
fn an_empty_file_is_one_line_and_nothing_changes() {
    let mut f = fixture();
    let path = f.dir.path().join("pusty.csv");
    std::fs::write(&path, b"\r\n;;\r\n").unwrap();
    open_with(&mut f, &path.to_string_lossy());
    assert!(screen(&mut f).contains("plik jest pusty"));
    f.code(KeyCode::Enter);
    assert!(f.status().as_deref().unwrap_or("").starts_with("plik jest pusty"));
    assert_eq!(count(&f), 2);
}

/// The path typed on the import screen's first line.
fn path_line(f: &mut Fixture) -> String {
    let s = f.screen(300, 10);
    let line = crate::support::app::line_with(&s, "│plik: ");
    line.split("│plik: ").nth(1).unwrap().split('▏').next().unwrap().to_string()
}

#[test]
fn tab_completes_paths() {
    let mut f = fixture();
    let dir = tempfile::tempdir().unwrap();
    for n in ["uczestnicy_2023.csv", "uczestnicy_2024.csv", "inne.txt", ".ukryty.csv"] {
        std::fs::write(dir.path().join(n), b"x").unwrap();
    }
    std::fs::create_dir(dir.path().join("stare")).unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    f.ch('I');
    // What Tab makes of a path typed on the screen's path line.
    let mut complete = |typed: &str| {
        f.clear_line();
        f.typ(typed);
        assert_eq!(path_line(&mut f), typed);
        f.code(KeyCode::Tab);
        path_line(&mut f)
    };
    assert_eq!(complete(&format!("{d}/ucz")), format!("{d}/uczestnicy_202"));
    assert_eq!(complete(&format!("{d}/uczestnicy_2024")), format!("{d}/uczestnicy_2024.csv"));
    assert_eq!(complete(&format!("{d}/st")), format!("{d}/stare/"));
    assert_eq!(complete(&format!("{d}/.uk")), format!("{d}/.ukryty.csv"));
    assert_eq!(complete(&format!("{d}/zzz")), format!("{d}/zzz"), "no match: as typed");
    assert_eq!(complete(&format!("{d}/uczestnicy_202")), format!("{d}/uczestnicy_202"), "nothing more in common");
    assert_eq!(f.popup(), Some("import"));
}
