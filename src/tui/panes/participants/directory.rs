//! Everyone as the list and the pickers need them: rows in name order with a pool of
//! strings and the search index, the first page read straight from the name index,
//! the whole list streamed from the store.

use super::*;
use crate::ids::IdMap;
use crate::store::rows::ParticipantRow;

/// One list row. Organisation, gmina and place are ids into the pane's string pool,
/// so 100 000 rows from a few dozen villages hold each village's name once.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: Id,
    pub name: String,
    pub kind: Kind,
    pub category: Category,
    pub org: u32,
    pub gmina: u32,
    pub place: u32,
    pub last: Option<NaiveDate>,
}

/// Everyone, as the list and the pickers (attendees, partners) need them: rows in
/// name order, the strings they refer to, and the search index. Built off the UI
/// thread and shared by the app (`Env::people`).
#[derive(Default, Clone)]
pub struct Directory {
    pub rows: Vec<Row>,
    /// Display strings the rows refer to (organisations, gminas, places).
    pub strings: Vec<String>,
    pub index: Arc<Index>,
    /// False while only the first page is here.
    pub complete: bool,
}

impl Directory {
    /// A pooled string by id.
    pub fn text(&self, id: u32) -> &str {
        self.strings.get(id as usize).map_or("", String::as_str)
    }

    /// Participants matching `q` (folded and fuzzy), best first, at most `limit` of
    /// those `keep` accepts: the capture's attendees and the partnership editor's
    /// leader and members.
    pub fn candidates(&self, q: &str, keep: &dyn Fn(&Row) -> bool, limit: usize) -> Vec<Candidate> {
        let mut out = Vec::new();
        if q.trim().is_empty() {
            return out;
        }
        let hits: Vec<usize> = if self.index.len() == self.rows.len() && !self.index.is_empty() {
            self.index.search(q, None).into_iter().map(|h| h.index).collect()
        } else {
            let fq = crate::search::fold(q);
            (0..self.rows.len()).filter(|&i| crate::search::fold(&self.rows[i].name).contains(&fq)).collect()
        };
        for i in hits {
            let Some(r) = self.rows.get(i) else { continue };
            if !keep(r) {
                continue;
            }
            let hint = [self.text(r.org), self.text(r.place)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            out.push(Candidate { id: r.id, name: r.name.clone(), hint });
            if out.len() == limit {
                break;
            }
        }
        out
    }
}

impl Directory {
    /// A string's id in the pool, added (and folded into the index's) when new.
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.strings.iter().position(|x| x == s) {
            return i as u32;
        }
        self.strings.push(s.to_string());
        Arc::make_mut(&mut self.index).add_pool(s);
        (self.strings.len() - 1) as u32
    }

    /// This list with the rows of `ids` read again from the store: changed, added,
    /// deleted, or with a new last contact. What a save or a small sync changes,
    /// without reading everyone again. None when a change reaches rows not named (an
    /// organisation renamed renames its members' column): then read everyone.
    pub fn patched(&self, store: &Store, ids: &[Id]) -> Result<Option<Directory>> {
        let mut d = self.clone();
        for &id in ids {
            let bytes = store.participant_row(id)?;
            let new = match &bytes {
                Some(b) => Some(ParticipantRow::read(b).ok_or_else(|| {
                    crate::store::StoreError::Corrupt(format!(
                        "participant {}: its list row cannot be read",
                        id.short()
                    ))
                })?),
                None => None,
            };
            if let Some(i) = d.rows.iter().position(|r| r.id == id) {
                let old = &d.rows[i];
                if old.kind == Kind::Org && new.is_some_and(|n| n.name != old.name || n.kind != Kind::Org) {
                    return Ok(None);
                }
                d.rows.remove(i);
                Arc::make_mut(&mut d.index).remove(i);
            }
            let Some(r) = new else { continue };
            let orgs: Vec<String> = r
                .orgs()
                .filter_map(|o| match d.rows.iter().find(|x| x.id == o) {
                    Some(x) => Some(Ok(x.name.clone())),
                    None => store
                        .doc(Entity::Participant, o)
                        .transpose()
                        .map(|doc| doc.map(|doc| doc.string("name").unwrap_or_default())),
                })
                .collect::<Result<_>>()?;
            let row = Row {
                id,
                name: r.name.to_string(),
                kind: r.kind,
                category: r.category,
                org: d.intern(&orgs.join(", ")),
                gmina: d.intern(r.gmina),
                place: d.intern(r.place),
                last: store.last_contact(id)?,
            };
            let tags = if r.tags.is_empty() { 0 } else { d.intern(r.tags) };
            // Where the store's list has it: by sort key, then id.
            let key = (crate::store::rows::participant_sort_key(r.name, r.kind), id);
            let at =
                d.rows.partition_point(|x| (crate::store::rows::participant_sort_key(&x.name, x.kind), x.id) < key);
            Arc::make_mut(&mut d.index).insert(at, &row.name, phone_of(r.phone), slots(&row, tags));
            d.rows.insert(at, row);
        }
        Ok(Some(d))
    }
}

/// What a row is searched by besides its name and phone, as the index's shared
/// strings: organisation (slot 0, which `finish` fills in), place, gmina, tags.
fn slots(row: &Row, tags: u32) -> [u32; 4] {
    let some = |i: u32| if i == 0 { NONE } else { i };
    [some(row.org), some(row.place), some(row.gmina), some(tags)]
}

/// A row's phone for the index (rows keep "" for none).
fn phone_of(p: &str) -> Option<&str> {
    (!p.is_empty()).then_some(p)
}

/// A participant a picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: Id,
    pub name: String,
    /// Organisation or place, to tell namesakes apart.
    pub hint: String,
}

/// Interns display strings (id 0 is the empty string), folding each new one into the
/// search index's pool under the same id; rows come in name order (or, read from the
/// end of the list, are reversed before they are appended).
struct Building {
    strings: Vec<String>,
    /// foldhash: three lookups a row, and SipHash's cost showed in the load.
    ids: HashMap<String, u32, foldhash::fast::RandomState>,
    /// Rows in name order; the index has one entry per row in the same order.
    rows: Vec<Row>,
    /// Rows with organisations, by position in `rows`, named once every row has been
    /// read.
    orgs: Vec<(usize, Vec<Id>)>,
    index: Index,
}

impl Building {
    fn new() -> Building {
        let mut b = Building {
            strings: Vec::new(),
            ids: HashMap::default(),
            rows: Vec::new(),
            orgs: Vec::new(),
            index: Index::default(),
        };
        b.id("");
        b
    }

    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        self.index.add_pool(s);
        i
    }

    /// A row and its search entry (its organisations named later, in `finish`).
    fn push(&mut self, row: Row, phone: &str, tags: &str, orgs: Vec<Id>) {
        let tags = if tags.is_empty() { 0 } else { self.id(tags) };
        self.index.push(&row.name, phone_of(phone), slots(&row, tags));
        if !orgs.is_empty() {
            self.orgs.push((self.rows.len(), orgs));
        }
        self.rows.push(row);
    }

    /// A row from its row in the store's list.
    fn add(&mut self, id: Id, r: &ParticipantRow, last: Option<NaiveDate>) {
        let row = Row {
            id,
            name: r.name.to_string(),
            kind: r.kind,
            category: r.category,
            org: 0,
            gmina: self.id(r.gmina),
            place: self.id(r.place),
            last,
        };
        self.push(row, r.phone, r.tags, r.orgs().collect());
    }

    /// The rows in reverse order (read from the end of the list).
    fn reverse(&mut self) {
        let n = self.rows.len();
        self.rows.reverse();
        self.index.reverse();
        for (i, _) in &mut self.orgs {
            *i = n - 1 - *i;
        }
    }

    /// Append `other`'s rows (read from `list` after this one's) after these.
    fn append(&mut self, other: Building) {
        let pool: Vec<u32> = other.strings.iter().map(|s| self.id(s)).collect();
        let map = |i: u32| pool.get(i as usize).copied().unwrap_or(0);
        let base = self.rows.len();
        self.orgs.extend(other.orgs.into_iter().map(|(i, o)| (i + base, o)));
        self.rows.extend(other.rows.into_iter().map(|mut r| {
            (r.gmina, r.place) = (map(r.gmina), map(r.place));
            r
        }));
        self.index.append(other.index, &pool);
    }

    /// Organisations some row belongs to that no row names (deleted ones, or past the
    /// first page).
    fn unnamed_orgs(&self) -> Vec<Id> {
        let own: std::collections::HashSet<Id> =
            self.rows.iter().filter(|r| r.kind == Kind::Org).map(|r| r.id).collect();
        let mut out: Vec<Id> =
            self.orgs.iter().flat_map(|(_, o)| o.iter().copied()).filter(|o| !own.contains(o)).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Name each row's organisations (from the organisations' own rows, and `names`
    /// for any others), and sort rows and index into name order.
    fn finish(mut self, names: &IdMap<String>, complete: bool) -> Directory {
        let own: IdMap<usize> =
            self.rows.iter().enumerate().filter(|(_, r)| r.kind == Kind::Org).map(|(i, r)| (r.id, i)).collect();
        let name = |rows: &[Row], o: &Id| match own.get(o) {
            Some(&j) => Some(rows[j].name.clone()),
            None => names.get(o).cloned(),
        };
        // Most rows name one organisation, shared with many: interned once each.
        let mut one: IdMap<u32> = IdMap::default();
        for (i, orgs) in std::mem::take(&mut self.orgs) {
            let id = match orgs.as_slice() {
                [o] => match one.get(o) {
                    Some(&id) => id,
                    None => {
                        let id = self.id(&name(&self.rows, o).unwrap_or_default());
                        one.insert(*o, id);
                        id
                    }
                },
                _ => {
                    let all: Vec<String> = orgs.iter().filter_map(|o| name(&self.rows, o)).collect();
                    self.id(&all.join(", "))
                }
            };
            self.rows[i].org = id;
            if id != 0 {
                self.index.set_shared(i, 0, id);
            }
        }
        self.strings.shrink_to_fit();
        Directory { rows: self.rows, strings: self.strings, index: Arc::new(self.index), complete }
    }
}

/// Participants in name order from the store's list rows, at most `limit` (all of
/// them read from both ends at once): no record is read but those of organisations
/// the rows name and do not list. Last contacts are left for the caller.
fn from_rows(store: &Store, limit: usize, complete: bool) -> Result<Directory> {
    let mut b = Building::new();
    if limit == usize::MAX {
        let mut back = Building::new();
        store.participant_rows_from_both_ends(|id, r| b.add(id, &r, None), |id, r| back.add(id, &r, None))?;
        back.reverse();
        b.append(back);
    } else {
        store.for_each_participant_row(limit, |id, r| b.add(id, &r, None))?;
    }
    // Deleted organisations still name their members' rows, as before they were deleted.
    let mut names = IdMap::default();
    let view = store.view()?;
    for org in b.unnamed_orgs() {
        if let Some(d) = view.doc(Entity::Participant, org)? {
            names.insert(org, d.string("name").unwrap_or_default());
        }
    }
    Ok(b.finish(&names, complete))
}

/// The first `n` rows in name order: enough for a first frame.
pub fn first_page(store: &Store, n: usize) -> Result<Directory> {
    from_rows(store, n, false)
}

/// All live participants in name order, with their search index and last contacts
/// (read on a second thread meanwhile: they are a table of their own).
pub fn load_all(store: &Store) -> Result<Directory> {
    std::thread::scope(|s| {
        let last = s.spawn(|| store.last_contacts());
        let mut dir = from_rows(store, usize::MAX, true)?;
        let last = last.join().unwrap_or_else(|_| Ok(IdMap::default()))?;
        for r in &mut dir.rows {
            r.last = last.get(&r.id).copied();
        }
        Ok(dir)
    })
}

/// [`load_all`] the slow way, from whole decoded records: what the list rows must
/// give, for the tests.
#[cfg(test)]
fn load_all_decoded(store: &Store) -> Result<Directory> {
    use crate::store::rows::ParticipantRow;
    let last = store.last_contacts()?;
    let mut b = Building::new();
    // Each live record in list order, its row made as the store makes it.
    for id in store.ordered_ids(Entity::Participant, 0, usize::MAX, false)? {
        let Some(d) = store.doc(Entity::Participant, id)? else { continue };
        let bytes = crate::store::rows::row_of(Entity::Participant, &d);
        let r = ParticipantRow::read(&bytes).ok_or_else(|| crate::store::StoreError::Corrupt(id.short()))?;
        b.add(id, &r, last.get(&id).copied());
    }
    let mut gone = IdMap::default();
    store.for_each_doc(Entity::Participant, |id, d| {
        if d.is_deleted() && d.str("kind") == Some(Kind::Org.code()) {
            gone.insert(id, d.string("name").unwrap_or_default());
        }
    })?;
    Ok(b.finish(&gone, true))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The rows a search finds, in order.
    fn hits(d: &Directory, q: &str) -> Vec<usize> {
        d.index.search(q, None).into_iter().map(|h| h.index).collect()
    }

    /// Each row as text: what it shows and what it is searched by.
    fn shape(d: &Directory) -> Vec<String> {
        let t = |i| d.text(i);
        d.rows
            .iter()
            .map(|r| {
                let (org, gmina, place) = (t(r.org), t(r.gmina), t(r.place));
                format!("{} {} {:?}/{:?} [{org}] [{gmina}] [{place}] {:?}", r.id, r.name, r.kind, r.category, r.last)
            })
            .collect()
    }

    #[test]
    fn rows_read_in_place_equal_rows_from_decoded_records() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        crate::demo::generate(&store, 400, 7, &mut |_, _| {}).unwrap();
        // A deleted organisation still names its members; an erased person stays listed.
        let org = store.ordered_ids(Entity::Participant, 0, usize::MAX, false).unwrap();
        let org = org
            .into_iter()
            .find(|id| store.doc(Entity::Participant, *id).unwrap().is_some_and(|d| d.str("kind") == Some("org")));
        if let Some(org) = org {
            crate::edit::delete(&store, Entity::Participant, org).unwrap();
        }
        let fast = load_all(&store).unwrap();
        let slow = load_all_decoded(&store).unwrap();
        assert!(fast.rows.len() > 300);
        assert_eq!(shape(&fast), shape(&slow));
        for q in ["kowal", "lodz", "dobiegniew", "600"] {
            assert_eq!(hits(&fast, q), hits(&slow, q), "{q}");
        }
    }

    /// After each kind of change, the loaded list patched with the participants the
    /// store's journal names equals the list read again.
    #[test]
    fn a_patched_list_equals_the_list_read_again() {
        use crate::store::Draft;
        use crate::sync::Change;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        crate::demo::generate(&store, 300, 3, &mut |_, _| {}).unwrap();
        let ids = store.ordered_ids(Entity::Participant, 0, usize::MAX, false).unwrap();
        let kind_of = |id: Id| store.doc(Entity::Participant, id).unwrap().unwrap().string("kind").unwrap_or_default();
        let person = *ids.iter().find(|id| kind_of(**id) == "person").unwrap();
        let org = *ids.iter().find(|id| kind_of(**id) == "org").unwrap();
        let (new, meeting) = (Id::new(), Id::new());
        let set = |id: Id, c: Vec<Change>| vec![Draft::new(Entity::Participant, id, c)];
        let changes: Vec<(&str, Vec<Draft>)> = vec![
            ("rename", set(person, vec![Change::set("name", "Zofia Żak"), Change::set("gmina", "Nowa Gmina")])),
            (
                "add",
                set(
                    new,
                    vec![
                        Change::set("name", "Aaron Ąbel"),
                        Change::set("kind", "person"),
                        Change::set("category", "person"),
                        Change::set("phone", "+48 500 600 700"),
                        Change::add("memberships", org.to_string()),
                        Change::add("tags", "nowy"),
                    ],
                ),
            ),
            (
                "meeting",
                vec![Draft::new(
                    Entity::Meeting,
                    meeting,
                    vec![
                        Change::set("date", "2030-01-02"),
                        Change::add("attendees", new.to_string()),
                        Change::add("attendees", person.to_string()),
                    ],
                )],
            ),
            ("delete", set(ids[5], vec![Change::Delete])),
            ("erase", set(ids[7], vec![Change::Erase])),
            ("delete the org", set(org, vec![Change::Delete])),
        ];
        let mut loaded = load_all(&store).unwrap();
        for (what, drafts) in changes {
            let g = store.generation();
            store.commit(drafts).unwrap();
            let changed = store.people_changed_since(g).unwrap();
            assert!(!changed.is_empty(), "{what}");
            loaded = loaded.patched(&store, &changed).unwrap().unwrap();
            let again = load_all(&store).unwrap();
            assert_eq!(shape(&loaded), shape(&again), "{what}");
            for q in ["kowal", "abel", "nowa gmina", "500600", "nowy"] {
                assert_eq!(hits(&loaded, q), hits(&again, q), "{what}: {q}");
            }
        }
        // An organisation renamed renames its members' column: read everyone again.
        let other = *ids.iter().find(|id| kind_of(**id) == "org" && **id != org).unwrap();
        let g = store.generation();
        store.commit(set(other, vec![Change::set("name", "Nowa Nazwa")])).unwrap();
        assert!(loaded.patched(&store, &store.people_changed_since(g).unwrap()).unwrap().is_none());
        // A rebuild names no one.
        let g = store.generation();
        store.rebuild().unwrap();
        assert_eq!(store.people_changed_since(g), None);
    }
}
