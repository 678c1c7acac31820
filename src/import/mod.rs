//! Importing participant lists from spreadsheets (CSV): encoding, delimiter, column
//! mapping, validation and duplicates, then one transaction.
//!
//! [`plan`] reads the file and decides, row by row, what would happen — add, skip as
//! a duplicate (of a participant already in the database or of an earlier row), or
//! refuse with the field and the reason — without writing anything. [`apply`] writes
//! the rows to add (and the organisations they name that do not exist yet) in one
//! commit, so an import is all or nothing, and importing the same file again adds
//! nothing: every row is then a duplicate.

mod columns;
mod text;

pub use columns::{ColumnError, Field, map_columns};
pub use text::{Encoding, Record, decode, records, sniff_delimiter};

use crate::edit::{self, EditError};
use crate::model::{Category, Entity, Id, Kind, Participant, validate};
use crate::search::fold;
use crate::store::{Draft, Store, StoreError};
use crate::sync::Change;
use std::collections::HashMap;

/// Why a file cannot be imported at all (a bad row is not this: see [`RowError`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("the file is empty; export the sheet with a header row (Imię, Nazwisko, …) and the participants under it")]
    Empty,
    #[error("the file is not readable as CSV at {0}; save it again from the spreadsheet as CSV")]
    Csv(String),
    #[error(transparent)]
    Columns(#[from] ColumnError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the caller asks for besides the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `HEADER=FIELD` column mappings.
    pub maps: Vec<String>,
}

/// A row that will be added.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    pub row: usize,
    pub id: Id,
    pub name: String,
    pub place: Option<String>,
    /// The organisation it belongs to, when the row names one.
    pub org: Option<String>,
}

/// What a duplicate row duplicates.
#[derive(Debug, Clone, PartialEq)]
pub enum Original {
    /// A participant already in the database.
    Existing { id: Id, name: String },
    /// An earlier row of the file.
    Row(usize),
}

/// A row skipped because it is a participant the database or the file already has.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub row: usize,
    pub name: String,
    pub of: Original,
    /// `same name and place`, `same phone`, `same e-mail`.
    pub why: &'static str,
}

/// A row that cannot be imported: which field, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// Everything an import would do, decided before anything is written.
#[derive(Debug, Default)]
pub struct Plan {
    pub encoding: Option<Encoding>,
    pub delimiter: u8,
    /// `(header, field)` per column.
    pub columns: Vec<(String, Field)>,
    /// Data rows in the file (blank ones included).
    pub rows: usize,
    pub blank: usize,
    pub add: Vec<Added>,
    /// Organisations named in rows that will be made: `(id, name)`.
    pub new_orgs: Vec<(Id, String)>,
    pub duplicates: Vec<Duplicate>,
    pub errors: Vec<RowError>,
    drafts: Vec<Draft>,
}

impl Plan {
    /// How many records [`apply`] writes: the rows and the new organisations.
    pub fn records(&self) -> usize {
        self.drafts.len()
    }
}

/// What a participant is recognised by: folded name, folded name with place, phone,
/// e-mail (folded once per row).
struct Key {
    name: String,
    name_place: String,
    phone: Option<String>,
    email: Option<String>,
}

impl Key {
    fn new(name: &str, place: Option<&str>, phone: Option<&str>, email: Option<&str>) -> Key {
        let name = fold(name);
        let name_place = format!("{name}\u{1f}{}", place.map(fold).unwrap_or_default());
        Key { name, name_place, phone: phone.map(str::to_string), email: email.map(str::to_string) }
    }
}

/// The participants known so far — in the database, then the rows to add — for
/// duplicate checks by name and place, phone and e-mail.
#[derive(Default)]
struct Known {
    originals: Vec<Original>,
    name_place: HashMap<String, usize>,
    phone: HashMap<String, usize>,
    email: HashMap<String, usize>,
    /// Folded names of live participants and of organisations made in this import,
    /// for resolving the organisation a row names: `(id, is an organisation)`.
    by_name: HashMap<String, Vec<(Id, bool)>>,
}

impl Known {
    fn with_capacity(n: usize) -> Known {
        Known {
            originals: Vec::with_capacity(n),
            name_place: HashMap::with_capacity(n),
            phone: HashMap::with_capacity(n),
            email: HashMap::with_capacity(n),
            by_name: HashMap::with_capacity(n),
        }
    }

    fn find(&self, k: &Key) -> Option<(Original, &'static str)> {
        let hit = |i: Option<&usize>| i.and_then(|i| self.originals.get(*i)).cloned();
        if let Some(o) = hit(self.name_place.get(&k.name_place)) {
            return Some((o, "same name and place"));
        }
        if let Some(o) = hit(k.phone.as_ref().and_then(|p| self.phone.get(p))) {
            return Some((o, "same phone"));
        }
        if let Some(o) = hit(k.email.as_ref().and_then(|e| self.email.get(e))) {
            return Some((o, "same e-mail"));
        }
        None
    }

    fn insert(&mut self, k: Key, o: Original, id: Id, is_org: bool) {
        let i = self.originals.len();
        self.originals.push(o);
        self.name_place.entry(k.name_place).or_insert(i);
        if let Some(p) = k.phone {
            self.phone.entry(p).or_insert(i);
        }
        if let Some(e) = k.email {
            self.email.entry(e).or_insert(i);
        }
        self.by_name.entry(k.name).or_default().push((id, is_org));
    }
}

/// Read a date as spreadsheets write it (`2024-03-15`, `15.03.2024`, `15/03/2024`,
/// `2024-03-15 00:00:00`) into `yyyy-mm-dd`; `None` when it is none of these.
pub fn spreadsheet_date(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.split_once([' ', 'T']).map_or(s, |(d, _)| d);
    for f in ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y.%m.%d", "%Y/%m/%d"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, f)
            && (1900..=2200).contains(&chrono::Datelike::year(&d))
        {
            return Some(d.to_string());
        }
    }
    None
}

/// Decide what importing `bytes` would do. `progress(done, total)` is called as rows
/// are read. Nothing is written.
pub fn plan(
    store: &Store,
    bytes: &[u8],
    options: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Plan, ImportError> {
    let (text, encoding) = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let mut recs = records(&text, delimiter).map_err(ImportError::Csv)?.into_iter();
    let header = loop {
        match recs.next() {
            Some(r) if r.is_blank() => continue,
            Some(r) => break r,
            None => return Err(ImportError::Empty),
        }
    };
    let rows: Vec<Record> = recs.collect();
    let headers: Vec<String> = header.cells.iter().map(|h| h.trim().to_string()).collect();
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0).max(headers.len());
    let mut headers = headers;
    headers.resize(width, String::new());
    let has_data = |i: usize| rows.iter().any(|r| r.cells.get(i).is_some_and(|c| !c.trim().is_empty()));
    let fields = map_columns(&headers, &options.maps, has_data)?;

    let mut plan = Plan {
        encoding: Some(encoding),
        delimiter,
        columns: headers.iter().cloned().zip(fields.iter().copied()).collect(),
        rows: rows.len(),
        ..Plan::default()
    };

    // What the database already has.
    let mut known = Known::with_capacity(rows.len() + store.count(Entity::Participant)?);
    store.for_each_doc(Entity::Participant, |id, doc| {
        if doc.is_deleted() {
            return;
        }
        let p = Participant::from_doc(id, &doc);
        let k = Key::new(&p.name, p.place.as_deref(), p.phone.as_deref(), p.email.as_deref());
        known.insert(k, Original::Existing { id, name: p.name }, id, p.kind == Kind::Org);
    })?;

    // Pass 1: each row on its own (validation, the values duplicates are found by) on
    // both cores, then, in file order, the duplicate checks.
    let total = rows.len();
    let second = rows.len() / 2;
    let (mut checked, rest) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let mut codes = HashMap::new();
            rows[second..].iter().map(|rec| check_row(store, &fields, rec, &mut codes)).collect::<Vec<_>>()
        });
        let mut codes = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for (n, rec) in rows[..second].iter().enumerate() {
            if n % 1000 == 0 {
                progress(n, total);
            }
            out.push(check_row(store, &fields, rec, &mut codes));
        }
        (out, worker.join())
    });
    match rest {
        Ok(rest) => checked.extend(rest),
        // A panic in the worker is a bug; planning the rows again here keeps the
        // import going rather than losing it.
        Err(_) => {
            let mut codes = HashMap::new();
            checked.extend(rows[second..].iter().map(|rec| check_row(store, &fields, rec, &mut codes)));
        }
    }
    let mut pending: Vec<Pending> = Vec::with_capacity(rows.len());
    for outcome in checked {
        match outcome {
            Checked::Blank => plan.blank += 1,
            Checked::Errors(errors) => plan.errors.extend(errors),
            Checked::Valid { key, is_org, pending: p } => {
                if let Some((of, why)) = known.find(&key) {
                    plan.duplicates.push(Duplicate { row: p.added.row, name: p.added.name, of, why });
                    continue;
                }
                known.insert(key, Original::Row(p.added.row), p.added.id, is_org);
                pending.push(*p);
            }
        }
    }
    progress(total, total);

    // Pass 2: link members to their organisations — one already in the database, a
    // row of this file (before or after), or a new one made once for all its rows.
    let replica = store.replica().to_string();
    let mut made: HashMap<String, Id> = HashMap::new();
    let mut org_drafts = Vec::new();
    let mut drafts = Vec::with_capacity(pending.len());
    for mut p in pending {
        if let Some(org) = p.added.org.clone() {
            let org = validate::name(&org).unwrap_or(org);
            let f = fold(&org);
            let candidates: Vec<(Id, bool)> = known.by_name.get(&f).cloned().unwrap_or_default();
            let orgs: Vec<Id> = candidates.iter().filter(|c| c.1).map(|c| c.0).collect();
            let target = match (orgs.as_slice(), candidates.as_slice()) {
                ([one], _) => Some(*one),
                ([], [(one, _)]) => Some(*one),
                ([], []) => None,
                _ => {
                    plan.errors.push(RowError {
                        row: p.added.row,
                        field: "org".into(),
                        message: format!(
                            "'{org}' matches {} participants; link the organisation by hand with `teren participant edit`",
                            candidates.len()
                        ),
                    });
                    continue;
                }
            };
            let org_id = match target.or_else(|| made.get(&f).copied()) {
                Some(id) => id,
                None => {
                    let id = Id::new();
                    let cat = p.category.filter(|c| *c != Category::Person).unwrap_or(Category::Other);
                    let mut ch = vec![
                        Change::set("kind", Kind::Org.code()),
                        Change::set("name", org.clone()),
                        Change::set("category", cat.code()),
                    ];
                    if let Some(g) = &p.gmina {
                        ch.push(Change::set("gmina", g.clone()));
                    }
                    if let Some(pl) = &p.added.place {
                        ch.push(Change::set("place", pl.clone()));
                    }
                    ch.push(Change::set("created_by", replica.clone()));
                    org_drafts.push(Draft::new(Entity::Participant, id, ch));
                    plan.new_orgs.push((id, org.clone()));
                    made.insert(f, id);
                    id
                }
            };
            if org_id != p.added.id {
                p.draft.changes.push(Change::add("memberships", org_id.to_string()));
            }
        }
        drafts.push(p.draft);
        plan.add.push(p.added);
    }
    plan.errors.sort_by_key(|e| e.row);
    org_drafts.extend(drafts);
    plan.drafts = org_drafts;
    Ok(plan)
}

/// A row to add, waiting for its organisation to be linked (pass 2).
struct Pending {
    added: Added,
    draft: Draft,
    category: Option<Category>,
    gmina: Option<String>,
}

/// What one row is, on its own.
enum Checked {
    Blank,
    Errors(Vec<RowError>),
    Valid { key: Key, is_org: bool, pending: Box<Pending> },
}

/// Validate one row and make its draft and duplicate key. `codes` caches the codes of
/// category and kind values (a file has few distinct ones).
fn check_row(store: &Store, fields: &[Field], rec: &Record, codes: &mut HashMap<(Field, String), String>) -> Checked {
    if rec.is_blank() {
        return Checked::Blank;
    }
    let cell = |f: Field| -> Option<String> {
        let i = fields.iter().position(|g| *g == f)?;
        rec.cells.get(i).map(|c| c.trim().to_string()).filter(|c| !c.is_empty())
    };
    let name = cell(Field::Name).or_else(|| {
        let parts: Vec<String> = [cell(Field::Given), cell(Field::Family)].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let Some(name) = name else {
        return Checked::Errors(vec![RowError {
            row: rec.row,
            field: "name".into(),
            message: "the name is empty".into(),
        }]);
    };
    let org = cell(Field::Org);
    let mut given: Vec<(String, String)> = vec![("name".into(), name.clone())];
    for (f, code) in [
        (Field::Kind, "kind"),
        (Field::Category, "category"),
        (Field::Gmina, "gmina"),
        (Field::Place, "place"),
        (Field::Phone, "phone"),
        (Field::Email, "email"),
        (Field::Note, "note"),
        (Field::Tags, "tags"),
        (Field::ConsentData, "consent_data"),
        (Field::ConsentPhotos, "consent_photos"),
        (Field::ConsentNewsletter, "consent_newsletter"),
        (Field::Retention, "retention"),
    ] {
        let Some(v) = cell(f) else { continue };
        let v = match f {
            Field::Tags => v.replace(';', ","),
            Field::Category | Field::Kind => codes
                .entry((f, v))
                .or_insert_with_key(|(f, v)| {
                    let code = if *f == Field::Kind {
                        Kind::parse(v).map(Kind::code)
                    } else {
                        Category::parse(v).map(Category::code)
                    };
                    // A value that is no code goes on as written, for the row's error.
                    code.map_or_else(|_| v.clone(), str::to_string)
                })
                .clone(),
            Field::ConsentData | Field::ConsentPhotos | Field::ConsentNewsletter | Field::Retention => {
                match fold(&v).as_str() {
                    "nie" | "no" | "brak" | "-" => continue,
                    _ => spreadsheet_date(&v).unwrap_or(v),
                }
            }
            _ => v,
        };
        given.push((code.into(), v));
    }
    // A person named with an organisation is a person, as `participant add --org` does.
    if org.is_some() && cell(Field::Kind).is_none() {
        given.push(("kind".into(), Kind::Person.code().into()));
    }
    let id = Id::new();
    let mut errors = Vec::new();
    if let Some(o) = &org
        && let Err(e) = validate::name(o)
    {
        errors.push(RowError { row: rec.row, field: "org".into(), message: e.0 });
    }
    let draft = match edit::plan_create(store, Entity::Participant, id, &given) {
        Ok(mut d) => d.pop(),
        Err(_) => {
            // Report every bad field of the row, not only the first.
            for (f, v) in given.iter().filter(|(f, _)| f != "name") {
                let one = [("name".to_string(), name.clone()), (f.clone(), v.clone())];
                if let Err(e) = edit::plan_create(store, Entity::Participant, id, &one) {
                    errors.push(row_error(rec.row, e));
                }
            }
            if let Err(e) = edit::plan_create(store, Entity::Participant, id, &given[..1]) {
                errors.push(row_error(rec.row, e));
            }
            None
        }
    };
    let Some(draft) = draft.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(RowError { row: rec.row, field: "name".into(), message: "cannot be imported".into() });
        }
        return Checked::Errors(errors);
    };
    let value = |f: &str| {
        draft.changes.iter().find_map(|c| match c {
            Change::Set { field, value } if field == f => value.as_str().map(str::to_string),
            _ => None,
        })
    };
    let (vname, place, phone, email) = (value("name").unwrap_or(name), value("place"), value("phone"), value("email"));
    let key = Key::new(&vname, place.as_deref(), phone.as_deref(), email.as_deref());
    let is_org = value("kind").as_deref() == Some(Kind::Org.code());
    let category = value("category").and_then(|c| Category::parse(&c).ok());
    let gmina = value("gmina");
    Checked::Valid {
        key,
        is_org,
        pending: Box::new(Pending {
            added: Added { row: rec.row, id, name: vname, place, org },
            category,
            gmina,
            draft,
        }),
    }
}

fn row_error(row: usize, e: EditError) -> RowError {
    match e {
        EditError::Invalid { field, msg } => RowError { row, field, message: msg },
        other => RowError { row, field: "row".into(), message: other.to_string() },
    }
}

/// Write what `plan` decided, in one transaction. Returns the records written.
pub fn apply(store: &Store, plan: Plan) -> Result<usize, StoreError> {
    let n = plan.drafts.len();
    if n > 0 {
        store.commit_bulk(plan.drafts)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("t.redb")).unwrap();
        (dir, s)
    }

    fn plan_of(store: &Store, text: &str) -> Plan {
        plan(store, text.as_bytes(), &Options::default(), &mut |_, _| {}).unwrap()
    }

    #[test]
    fn dates_as_spreadsheets_write_them() {
        assert_eq!(spreadsheet_date("15.03.2024").as_deref(), Some("2024-03-15"));
        assert_eq!(spreadsheet_date("2024-03-15 00:00:00").as_deref(), Some("2024-03-15"));
        assert_eq!(spreadsheet_date("5/3/2024").as_deref(), Some("2024-03-05"));
        assert_eq!(spreadsheet_date("tak"), None);
        assert_eq!(spreadsheet_date("15.03.24"), None);
    }

    #[test]
    fn rows_are_added_skipped_or_refused_with_reasons() {
        let (_d, s) = store();
        edit::create(&s, Entity::Participant, &[("name".into(), "Jan Nowak".into()), ("place".into(), "Ługi".into())])
            .unwrap();
        let csv = "Imię;Nazwisko;Instytucja;Kategoria;Miejscowość;Telefon;E-mail\n\
                   Anna;Kowalska;MGOPS Dobiegniew;OPS;Ługi;600100200;anna@ops.pl\n\
                   jan;NOWAK;;;ługi;;\n\
                   Zofia;Wiśniewska;MGOPS Dobiegniew;OPS;Ługi;600 100 200;\n\
                   ;;;;;;\n\
                   Piotr;Zły;;xyz;Osiek;123;piotr@\n\
                   Ewa;Nowa;;;Osiek;;ewa@x.pl\n";
        let p = plan_of(&s, csv);
        assert_eq!(p.encoding, Some(Encoding::Utf8));
        assert_eq!(p.delimiter, b';');
        assert_eq!((p.rows, p.blank), (6, 1));
        let added: Vec<(usize, &str)> = p.add.iter().map(|a| (a.row, a.name.as_str())).collect();
        assert_eq!(added, vec![(2, "Anna Kowalska"), (7, "Ewa Nowa")]);
        assert_eq!(p.duplicates.len(), 2);
        assert_eq!(p.duplicates[0].row, 3);
        assert!(matches!(&p.duplicates[0].of, Original::Existing { name, .. } if name == "Jan Nowak"));
        assert_eq!(
            (p.duplicates[1].row, p.duplicates[1].of.clone(), p.duplicates[1].why),
            (4, Original::Row(2), "same phone")
        );
        let errs: Vec<(usize, &str)> = p.errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(errs, vec![(6, "category"), (6, "phone"), (6, "email")]);
        assert_eq!(p.new_orgs.len(), 1);
        assert_eq!(p.records(), 3);
        apply(&s, p).unwrap();
        let again = plan_of(&s, csv);
        assert!(again.add.is_empty(), "{:?}", again.add);
        assert_eq!(again.duplicates.len(), 4);
        assert_eq!(again.records(), 0);
    }

    #[test]
    fn members_link_to_an_organisation_row_later_in_the_file() {
        let (_d, s) = store();
        let csv = "Nazwa,Instytucja,Kategoria,Miejscowość\n\
                   Anna Kowalska,Stowarzyszenie Łąka,pes,Ługi\n\
                   Stowarzyszenie Łąka,,pes,Ługi\n";
        let p = plan_of(&s, csv);
        assert_eq!(p.delimiter, b',');
        assert!(p.new_orgs.is_empty());
        assert_eq!(p.add.len(), 2);
        let org = p.add[1].id;
        apply(&s, p).unwrap();
        let org_rec = Participant::from_doc(org, &s.doc(Entity::Participant, org).unwrap().unwrap());
        assert_eq!(org_rec.kind, Kind::Org);
        let people: Vec<Participant> = s
            .docs(Entity::Participant)
            .unwrap()
            .into_iter()
            .map(|(id, d)| Participant::from_doc(id, &d))
            .filter(|p| p.kind == Kind::Person)
            .collect();
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].memberships[0].org, org);
        assert_eq!(people[0].category, Category::Pes);
    }

    #[test]
    fn an_empty_file_or_one_without_a_name_column_is_refused() {
        let (_d, s) = store();
        let e = plan(&s, b"", &Options::default(), &mut |_, _| {}).unwrap_err();
        assert!(matches!(e, ImportError::Empty));
        let e = plan(&s, b"\n;;\n", &Options::default(), &mut |_, _| {}).unwrap_err();
        assert!(matches!(e, ImportError::Empty));
        let e =
            plan(&s, "Telefon;Gmina\n600100200;Łódź\n".as_bytes(), &Options::default(), &mut |_, _| {}).unwrap_err();
        assert!(e.to_string().contains("no column holds the name"), "{e}");
    }
}
