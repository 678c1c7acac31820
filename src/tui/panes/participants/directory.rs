//! Everyone as the list and the pickers need them: rows in name order with a pool of
//! strings and the search index, the first page read straight from the name index,
//! the whole list streamed from the store.

use super::*;
use crate::ids::IdMap;
use crate::sync::Fields;

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
#[derive(Default)]
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

/// A participant a picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: Id,
    pub name: String,
    /// Organisation or place, to tell namesakes apart.
    pub hint: String,
}

/// Interns display strings (id 0 is the empty string), folding each new one into the
/// search index's pool under the same id, and places rows at their position in the
/// store's name order.
struct Building {
    strings: Vec<String>,
    ids: HashMap<String, u32>,
    /// Rows with their place in name order, in the order they were read; the index
    /// has one entry per row in the same order.
    rows: Vec<(u32, Row)>,
    /// Rows with organisations, by position in `rows`, named once every record has
    /// been read.
    orgs: Vec<(usize, Vec<Id>)>,
    index: Index,
    pos: IdMap<u32>,
}

impl Building {
    fn new(sorted: &[Id]) -> Building {
        let pos = sorted.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
        let mut b = Building {
            strings: Vec::new(),
            ids: HashMap::new(),
            rows: Vec::new(),
            orgs: Vec::new(),
            index: Index::default(),
            pos,
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
    fn push(&mut self, row: Row, phone: Option<&str>, tags: u32, orgs: Vec<Id>) {
        let key = self.pos.get(&row.id).copied().unwrap_or(u32::MAX);
        let some = |i: u32| if i == 0 { NONE } else { i };
        self.index.push_keyed(key, &row.name, phone, [NONE, some(row.place), some(row.gmina), some(tags)]);
        if !orgs.is_empty() {
            self.orgs.push((self.rows.len(), orgs));
        }
        self.rows.push((key, row));
    }

    /// A row straight from a record (decoded, or read in place): the fields a row
    /// needs, read as [`Participant::from_doc`] reads them.
    fn add(&mut self, id: Id, v: &impl Fields, last: Option<NaiveDate>) {
        let (category, kind) = Participant::category_kind(v);
        let tags = v.elems("tags");
        let tags = if tags.is_empty() { 0 } else { self.id(&tags.join(" ")) };
        let row = Row {
            id,
            name: Participant::name_in(v),
            kind,
            category,
            org: 0,
            gmina: self.id(v.str("gmina").unwrap_or("")),
            place: self.id(v.str("place").unwrap_or("")),
            last,
        };
        let orgs = v.elems("memberships").into_iter().filter_map(Id::parse).collect();
        self.push(row, v.str("phone"), tags, orgs);
    }

    /// Name each row's organisations (from the organisations' own rows, and `names`
    /// for any others), and sort rows and index into name order.
    fn finish(mut self, names: &IdMap<String>, complete: bool) -> Directory {
        let own: IdMap<usize> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, (_, r))| r.kind == Kind::Org)
            .map(|(i, (_, r))| (r.id, i))
            .collect();
        for (i, orgs) in std::mem::take(&mut self.orgs) {
            let org = orgs
                .iter()
                .filter_map(|o| match own.get(o) {
                    Some(&j) => Some(self.rows[j].1.name.as_str()),
                    None => names.get(o).map(String::as_str),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let id = self.id(&org);
            self.rows[i].1.org = id;
            if id != 0 {
                self.index.set_shared(i, 0, id);
            }
        }
        drop(own);
        self.rows.sort_unstable_by_key(|(key, _)| *key);
        let rows: Vec<Row> = self.rows.into_iter().map(|(_, r)| r).collect();
        self.index.sort_by_keys();
        self.strings.shrink_to_fit();
        Directory { rows, strings: self.strings, index: Arc::new(self.index), complete }
    }
}

/// The first `n` rows in name order, straight from the index: enough for a first frame.
pub fn first_page(store: &Store, n: usize) -> Result<Directory> {
    let ids = store.ordered_ids(Entity::Participant, 0, n, false)?;
    let mut b = Building::new(&ids);
    let mut names = IdMap::default();
    for id in &ids {
        if let Some(doc) = store.doc(Entity::Participant, *id)? {
            for org in doc.elems("memberships").into_iter().filter_map(Id::parse) {
                if let Some(d) = store.doc(Entity::Participant, org)? {
                    names.insert(org, d.string("name").unwrap_or_default());
                }
            }
            b.add(*id, &doc, None);
        }
    }
    Ok(b.finish(&names, false))
}

/// All live participants in name order (the store's sorted index), with their search
/// index. Docs are streamed, never all held at once: at 100 000 participants holding
/// them would cost several times the memory of the rows.
pub fn load_all(store: &Store) -> Result<Directory> {
    let last = store.last_contacts()?;
    let mut b = Building::new(&store.ordered_ids(Entity::Participant, 0, usize::MAX, false)?);
    // Deleted organisations still name their members' rows, as before they were deleted.
    let mut gone = IdMap::default();
    store.for_each_view(Entity::Participant, |id, v| {
        if !v.is_deleted() {
            b.add(id, &v, last.get(&id).copied());
        } else if v.str("kind") == Some(Kind::Org.code()) {
            gone.insert(id, v.str("name").unwrap_or_default().to_string());
        }
    })?;
    Ok(b.finish(&gone, true))
}

/// [`load_all`] the slow way, through whole decoded records: what the fast way must
/// give, for the tests.
#[cfg(test)]
fn load_all_decoded(store: &Store) -> Result<Directory> {
    let last = store.last_contacts()?;
    let mut b = Building::new(&store.ordered_ids(Entity::Participant, 0, usize::MAX, false)?);
    let mut gone = IdMap::default();
    store.for_each_doc(Entity::Participant, |id, d| {
        if !d.is_deleted() {
            b.add(id, &d, last.get(&id).copied());
        } else if d.str("kind") == Some(Kind::Org.code()) {
            gone.insert(id, d.string("name").unwrap_or_default());
        }
    })?;
    Ok(b.finish(&gone, true))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
            let hits = |d: &Directory| d.index.search(q, None).into_iter().map(|h| h.index).collect::<Vec<_>>();
            assert_eq!(hits(&fast), hits(&slow), "{q}");
        }
    }
}
