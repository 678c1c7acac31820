//! Which participant field each column of a spreadsheet holds: Polish and English
//! headers as people write them, compared folded (`IMIĘ`, `imie` and `Imię:` are the
//! same), and `--map HEADER=FIELD` for the rest.

use crate::search::fold;
use std::fmt;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The full name ("Anna Kowalska", "OPS Dobiegniew").
    Name,
    /// Given name; joined with the family name when there is no full-name column.
    Given,
    Family,
    Org,
    Category,
    Kind,
    Gmina,
    Place,
    Phone,
    Email,
    Note,
    Tags,
    ConsentData,
    ConsentPhotos,
    ConsentNewsletter,
    Retention,
    /// A known column teren does not keep (Lp., id, PESEL…), or one mapped to `-`.
    Skip,
}

/// `(field, code, headers that mean it)`; headers are compared folded, with `_`, `-`,
/// `.`, `:`, `/`, `,` and brackets read as spaces.
const FIELDS: &[(Field, &str, &[&str])] = &[
    (
        Field::Name,
        "name",
        &[
            "imie i nazwisko",
            "imie nazwisko",
            "imiona i nazwisko",
            "nazwa",
            "nazwa uczestnika",
            "uczestnik",
            "uczestniczka",
            "imie i nazwisko nazwa",
            "imie i nazwisko / nazwa",
            "full name",
            "participant",
        ],
    ),
    (Field::Given, "given", &["imie", "imiona", "first name", "firstname", "given name", "forename"]),
    (Field::Family, "family", &["nazwisko", "last name", "lastname", "surname", "family name"]),
    (
        Field::Org,
        "org",
        &[
            "instytucja",
            "organizacja",
            "instytucja organizacja",
            "instytucja / organizacja",
            "organizacja / instytucja",
            "nazwa instytucji",
            "nazwa organizacji",
            "podmiot",
            "firma",
            "miejsce pracy",
            "pracodawca",
            "organisation",
            "organization",
            "institution",
            "company",
        ],
    ),
    (Field::Category, "category", &["kategoria", "kategoria uczestnika", "grupa docelowa", "typ uczestnika"]),
    (Field::Kind, "kind", &["rodzaj", "osoba / organizacja", "osoba czy organizacja"]),
    (Field::Gmina, "gmina", &["gmina", "municipality", "commune"]),
    (
        Field::Place,
        "place",
        &["miejscowosc", "miasto", "wies", "solectwo", "miejsce zamieszkania", "city", "town", "village", "locality"],
    ),
    (
        Field::Phone,
        "phone",
        &["telefon", "tel", "nr telefonu", "numer telefonu", "telefon kontaktowy", "komorka", "phone number", "mobile"],
    ),
    (Field::Email, "email", &["e mail", "adres e mail", "adres email", "mail", "poczta", "e mail address"]),
    (
        Field::Note,
        "note",
        &["uwagi", "notatka", "notatki", "komentarz", "opis", "notes", "comments", "comment", "remarks"],
    ),
    (Field::Tags, "tags", &["tagi", "tag", "etykiety", "labels"]),
    (
        Field::ConsentData,
        "consent_data",
        &["zgoda", "zgoda rodo", "oswiadczenie", "oswiadczenie uczestnika", "zgoda na przetwarzanie danych", "consent"],
    ),
    (
        Field::ConsentPhotos,
        "consent_photos",
        &["zgoda na zdjecia", "zgoda na wizerunek", "wizerunek", "photos consent"],
    ),
    (Field::ConsentNewsletter, "consent_newsletter", &["zgoda na newsletter", "newsletter", "newsletter consent"]),
    (Field::Retention, "retention", &["retencja", "przechowywac do", "usunac po", "data usuniecia", "retain until"]),
    (
        Field::Skip,
        "-",
        &[
            "lp",
            "l p",
            "nr",
            "no",
            "id",
            "pesel",
            "spotkania",
            "meetings",
            "ostatni kontakt",
            "last contact",
            "skip",
            "pomin",
            "ignore",
        ],
    ),
];

impl Field {
    /// Every field, in the order a manual mapping cycles through them.
    pub const ALL: [Field; 17] = [
        Field::Name,
        Field::Given,
        Field::Family,
        Field::Org,
        Field::Category,
        Field::Kind,
        Field::Gmina,
        Field::Place,
        Field::Phone,
        Field::Email,
        Field::Note,
        Field::Tags,
        Field::ConsentData,
        Field::ConsentPhotos,
        Field::ConsentNewsletter,
        Field::Retention,
        Field::Skip,
    ];

    /// The name `--map` takes and messages use.
    pub fn code(self) -> &'static str {
        FIELDS.iter().find(|f| f.0 == self).map_or("-", |f| f.1)
    }

    /// The field a header (or a `--map` target) names, if teren knows it.
    pub fn from_header(header: &str) -> Option<Field> {
        let h = normalise(header);
        if h.is_empty() {
            return None;
        }
        FIELDS
            .iter()
            .find(|(_, code, aliases)| normalise(code) == h || aliases.iter().any(|a| normalise(a) == h))
            .map(|f| f.0)
    }

    /// Every field code, for messages.
    pub fn codes() -> String {
        FIELDS.iter().map(|f| f.1).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Folded, separators as single spaces, trailing `*` (required-field marks) dropped.
fn normalise(s: &str) -> String {
    let f = fold(s.trim().trim_end_matches(['*', ':']));
    f.split(|c: char| c.is_whitespace() || matches!(c, '_' | '-' | '.' | ':' | '/' | '(' | ')' | ','))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why the columns could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ColumnError {
    #[error(
        "unknown column{s} {list}; map each with --map 'HEADER=FIELD' (FIELD one of {fields}; - skips the column)",
        s = if .0.len() == 1 { "" } else { "s" },
        list = .0.join(", "),
        fields = Field::codes()
    )]
    Unknown(Vec<String>),
    #[error("columns {0} and {1} both hold {2}; skip one with --map '{3}=-'")]
    Twice(String, String, Field, String),
    #[error("no column holds the name; name one with --map 'HEADER=name' (or HEADER=given and HEADER=family)")]
    NoName,
    #[error("--map '{0}': {1}")]
    BadMap(String, String),
}

/// How a column is shown in messages: its header in quotes, or its number.
pub fn column_label(headers: &[String], i: usize) -> String {
    match headers.get(i).map(|h| h.trim()).filter(|h| !h.is_empty()) {
        Some(h) => format!("'{h}'"),
        None => format!("#{} (no header)", i + 1),
    }
}

/// Map every column to a field. `maps` are `HEADER=FIELD` pairs (HEADER may be `#N`,
/// the column's number from 1); `has_data(i)` says whether column `i` has any
/// non-blank cell, so empty columns without a header (Excel leaves them) are skipped.
pub fn map_columns(
    headers: &[String],
    maps: &[String],
    has_data: impl Fn(usize) -> bool,
) -> Result<Vec<Field>, ColumnError> {
    let mut forced: Vec<Option<Field>> = vec![None; headers.len()];
    for m in maps {
        let (h, f) =
            m.split_once('=').ok_or_else(|| ColumnError::BadMap(m.clone(), "write HEADER=FIELD".to_string()))?;
        let field = match f.trim() {
            "-" | "" => Field::Skip,
            other => Field::from_header(other).ok_or_else(|| {
                ColumnError::BadMap(m.clone(), format!("unknown field '{other}'; fields: {}", Field::codes()))
            })?,
        };
        let col = match h.trim().strip_prefix('#').and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if (1..=headers.len()).contains(&n) => n - 1,
            Some(_) => {
                return Err(ColumnError::BadMap(m.clone(), format!("the file has {} columns", headers.len())));
            }
            None => {
                let want = normalise(h);
                headers.iter().position(|x| normalise(x) == want).ok_or_else(|| {
                    ColumnError::BadMap(
                        m.clone(),
                        format!(
                            "no column '{}'; columns: {}",
                            h.trim(),
                            (0..headers.len()).map(|i| column_label(headers, i)).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?
            }
        };
        forced[col] = Some(field);
    }
    let mut fields = Vec::with_capacity(headers.len());
    let mut unknown = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let f = forced[i].or_else(|| Field::from_header(h));
        match f {
            Some(f) => fields.push(f),
            None if h.trim().is_empty() && !has_data(i) => fields.push(Field::Skip),
            None => {
                unknown.push(column_label(headers, i));
                fields.push(Field::Skip);
            }
        }
    }
    if !unknown.is_empty() {
        return Err(ColumnError::Unknown(unknown));
    }
    for (i, f) in fields.iter().enumerate() {
        if *f == Field::Skip {
            continue;
        }
        if let Some(j) = fields[..i].iter().position(|g| g == f) {
            let key = match headers[i].trim() {
                "" => format!("#{}", i + 1),
                h => h.to_string(),
            };
            return Err(ColumnError::Twice(column_label(headers, j), column_label(headers, i), *f, key));
        }
    }
    let has = |f: Field| fields.contains(&f);
    if !has(Field::Name) && !has(Field::Given) && !has(Field::Family) {
        return Err(ColumnError::NoName);
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn polish_and_english_headers_map_folded() {
        let headers = h(&[
            "Lp.",
            "IMIĘ",
            "nazwisko",
            "Instytucja/Organizacja",
            "Kategoria",
            "Gmina",
            "Miejscowość",
            "Tel.",
            "E-mail",
            "Uwagi",
            "Tagi",
        ]);
        let f = map_columns(&headers, &[], |_| true).unwrap();
        use Field::*;
        assert_eq!(f, vec![Skip, Given, Family, Org, Category, Gmina, Place, Phone, Email, Note, Tags]);
        let en =
            map_columns(&h(&["Name", "Organisation", "Category", "Place", "Phone", "Email", "Notes"]), &[], |_| true)
                .unwrap();
        assert_eq!(en, vec![Name, Org, Category, Place, Phone, Email, Note]);
        assert_eq!(Field::from_header("Imię i nazwisko"), Some(Name));
        assert_eq!(Field::from_header("Nazwa"), Some(Name));
        assert_eq!(Field::from_header("first_name"), Some(Given));
        assert_eq!(Field::from_header("Zgoda na zdjęcia"), Some(ConsentPhotos));
    }

    #[test]
    fn unknown_columns_are_listed_with_how_to_map_them() {
        let e = map_columns(&h(&["Nazwa", "Wiek", "Stanowisko"]), &[], |_| true).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("unknown columns 'Wiek', 'Stanowisko'; map each with --map 'HEADER=FIELD'"), "{msg}");
        let f =
            map_columns(&h(&["Nazwa", "Wiek", "Stanowisko"]), &["wiek=-".into(), "Stanowisko=uwagi".into()], |_| true)
                .unwrap();
        assert_eq!(f, vec![Field::Name, Field::Skip, Field::Note]);
        // Empty trailing columns without a header are skipped; with data they need a map.
        assert_eq!(map_columns(&h(&["Nazwa", ""]), &[], |_| false).unwrap(), vec![Field::Name, Field::Skip]);
        let e = map_columns(&h(&["Nazwa", ""]), &[], |_| true).unwrap_err();
        assert!(e.to_string().contains("#2 (no header)"), "{e}");
        assert_eq!(map_columns(&h(&["Nazwa", ""]), &["#2=note".into()], |_| true).unwrap()[1], Field::Note);
    }

    #[test]
    fn bad_maps_twice_mapped_and_nameless_files_say_what_to_do() {
        let e = map_columns(&h(&["Nazwa"]), &["Nazwa".into()], |_| true).unwrap_err();
        assert!(e.to_string().contains("HEADER=FIELD"), "{e}");
        let e = map_columns(&h(&["Nazwa"]), &["Nazwa=wiek".into()], |_| true).unwrap_err();
        assert!(e.to_string().contains("unknown field 'wiek'"), "{e}");
        let e = map_columns(&h(&["Nazwa"]), &["Wiek=note".into()], |_| true).unwrap_err();
        assert!(e.to_string().contains("no column 'Wiek'"), "{e}");
        let e = map_columns(&h(&["Nazwa", "Telefon", "Tel."]), &[], |_| true).unwrap_err();
        assert_eq!(e.to_string(), "columns 'Telefon' and 'Tel.' both hold phone; skip one with --map 'Tel.=-'");
        let e = map_columns(&h(&["Telefon", "Gmina"]), &[], |_| true).unwrap_err();
        assert_eq!(e, ColumnError::NoName);
    }
}
