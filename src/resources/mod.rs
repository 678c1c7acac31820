//! The local resource map (mapa zasobów) and the needs it answers: the tree
//! gmina → miejscowość → category → resources with counts, proposals of resources for a
//! need, the gap (needs nothing answers, resources no need uses) and exports of a
//! place's map. No storage beyond [`Data::load`], no terminal.

pub mod export;

use crate::dump::Names;
use crate::i18n::Lang;
use crate::model::{Entity, Id, Need, NeedStatus, Resource, ResourceCategory};
use crate::search::fold;
use crate::store::{Result, Store};
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

/// Every live resource and need, and the names of contact participants.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub resources: Vec<Resource>,
    pub needs: Vec<Need>,
    pub names: Names,
}

impl Data {
    /// Read every live resource and need.
    pub fn load(store: &Store) -> Result<Data> {
        let mut d = Data::default();
        store.for_each_doc(Entity::Resource, |id, doc| {
            if !doc.is_deleted() {
                d.resources.push(Resource::from_doc(id, &doc));
            }
        })?;
        store.for_each_doc(Entity::Need, |id, doc| {
            if !doc.is_deleted() {
                d.needs.push(Need::from_doc(id, &doc));
            }
        })?;
        let contacts: HashSet<Id> = d.resources.iter().filter_map(|r| r.contact).collect();
        d.names = crate::dump::names_of(store, contacts)?;
        Ok(d)
    }

    /// Build from records already read (deleted ones are left out).
    pub fn new(resources: Vec<Resource>, needs: Vec<Need>) -> Data {
        Data {
            resources: resources.into_iter().filter(|r| !r.deleted).collect(),
            needs: needs.into_iter().filter(|n| !n.deleted).collect(),
            names: Names::new(),
        }
    }

    pub fn resource(&self, id: Id) -> Option<&Resource> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// The gmina of a need: its own, else that of a resource in the same place.
    pub fn need_gmina(&self, need: &Need) -> Option<String> {
        if need.gmina.is_some() {
            return need.gmina.clone();
        }
        let place = fold(need.place.as_deref()?);
        self.resources
            .iter()
            .find(|r| r.place.as_deref().map(fold) == Some(place.clone()))
            .and_then(|r| r.gmina.clone())
    }

    /// The live resources linked to a need, in link order.
    pub fn linked(&self, need: &Need) -> Vec<&Resource> {
        need.resources.iter().filter_map(|id| self.resource(*id)).collect()
    }
}

/// Same text after folding (`Łobez` = `lobez`); two missing values are the same.
fn same(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(|s| fold(s.trim())) == b.map(|s| fold(s.trim()))
}

/// Both given and the same after folding.
fn same_known(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_some() && b.is_some() && same(a, b)
}

/// Which part of the map to look at: a gmina, a place, or both (folded comparison).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub gmina: Option<String>,
    pub place: Option<String>,
}

impl Scope {
    pub fn new(gmina: Option<String>, place: Option<String>) -> Scope {
        Scope { gmina, place }
    }

    pub fn contains(&self, gmina: Option<&str>, place: Option<&str>) -> bool {
        self.gmina.as_deref().is_none_or(|g| same_known(Some(g), gmina))
            && self.place.as_deref().is_none_or(|p| same_known(Some(p), place))
    }

    /// "Dobiegniew (gmina Dobiegniew)" for titles.
    pub fn title(&self, lang: Lang) -> String {
        let gm = "gmina";
        match (&self.place, &self.gmina) {
            (Some(p), Some(g)) => format!("{p} ({gm} {g})"),
            (Some(p), None) => p.clone(),
            (None, Some(g)) => format!("{gm} {g}"),
            (None, None) => if lang == Lang::Pl { "wszystkie miejscowości" } else { "all places" }.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------
// The tree

/// A resource at the bottom of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub id: Id,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CategoryNode {
    pub category: ResourceCategory,
    pub resources: Vec<Leaf>,
}

impl CategoryNode {
    pub fn count(&self) -> usize {
        self.resources.len()
    }
}

/// A miejscowość; `None` for resources with no place.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceNode {
    pub name: Option<String>,
    pub count: usize,
    pub categories: Vec<CategoryNode>,
}

/// A gmina; `None` for resources with no gmina.
#[derive(Debug, Clone, PartialEq)]
pub struct GminaNode {
    pub name: Option<String>,
    pub count: usize,
    pub places: Vec<PlaceNode>,
}

/// gmina → miejscowość → category → resources, with counts at every level. Gminas
/// and places sort by folded name (missing ones last), categories in ABCD order,
/// resources by folded name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    pub count: usize,
    pub gminas: Vec<GminaNode>,
}

/// Sort key for an optional name: named ones first, by folded name.
fn name_key(n: &Option<String>) -> (bool, String) {
    (n.is_none(), n.as_deref().map(fold).unwrap_or_default())
}

pub fn tree(data: &Data, scope: &Scope) -> Tree {
    // folded gmina → (first spelling, folded place → (first spelling, resources))
    type Places<'a> = HashMap<Option<String>, (Option<String>, Vec<&'a Resource>)>;
    let mut gminas: HashMap<Option<String>, (Option<String>, Places)> = HashMap::new();
    let mut count = 0;
    for r in data.resources.iter().filter(|r| scope.contains(r.gmina.as_deref(), r.place.as_deref())) {
        count += 1;
        let g = gminas.entry(r.gmina.as_deref().map(fold)).or_insert_with(|| (r.gmina.clone(), HashMap::new()));
        g.1.entry(r.place.as_deref().map(fold)).or_insert_with(|| (r.place.clone(), Vec::new())).1.push(r);
    }
    let mut out: Vec<GminaNode> = gminas
        .into_values()
        .map(|(gname, places)| {
            let mut places: Vec<PlaceNode> = places
                .into_values()
                .map(|(pname, rs)| {
                    let categories = ResourceCategory::ALL
                        .iter()
                        .filter_map(|&c| {
                            let mut leaves: Vec<&Resource> = rs.iter().copied().filter(|r| r.category == c).collect();
                            leaves.sort_by_cached_key(|r| (fold(&r.name), r.id));
                            (!leaves.is_empty()).then(|| CategoryNode {
                                category: c,
                                resources: leaves.iter().map(|r| Leaf { id: r.id, name: r.name.clone() }).collect(),
                            })
                        })
                        .collect();
                    PlaceNode { name: pname, count: rs.len(), categories }
                })
                .collect();
            places.sort_by_cached_key(|p| name_key(&p.name));
            GminaNode { name: gname, count: places.iter().map(|p| p.count).sum(), places }
        })
        .collect();
    out.sort_by_cached_key(|g| name_key(&g.name));
    Tree { count, gminas: out }
}

// ---------------------------------------------------------------------------
// Proposals

/// How near a resource is to a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proximity {
    /// The same miejscowość.
    Place,
    /// Another place of the same gmina.
    Gmina,
    Elsewhere,
}

impl Proximity {
    pub fn code(self) -> &'static str {
        match self {
            Proximity::Place => "place",
            Proximity::Gmina => "gmina",
            Proximity::Elsewhere => "elsewhere",
        }
    }
}

/// A resource that could answer a need, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub resource: Id,
    pub proximity: Proximity,
    pub category_match: bool,
    /// Words of the need found in the resource's name, description or tags (as
    /// written in the need).
    pub shared: Vec<String>,
    /// Tags of the resource that the need's description names.
    pub tags: Vec<String>,
    /// A short reason for people: "ta sama miejscowość; kategoria; wspólne: świetlica".
    pub reason: String,
}

/// Words too common to say anything about a match.
const STOP: &[&str] = &[
    "and",
    "the",
    "for",
    "with",
    "dla",
    "oraz",
    "jest",
    "nie",
    "przy",
    "przez",
    "jak",
    "ale",
    "lub",
    "sie",
    "ktore",
    "ktory",
    "ktora",
    "jego",
    "tego",
    "tej",
    "ten",
    "bez",
    "brak",
    "potrzeba",
    "potrzebna",
    "potrzebny",
    "potrzebne",
    "nowy",
    "nowa",
    "nowe",
    "pod",
    "nad",
    "czy",
    "aby",
    "tak",
    "sa",
    "ich",
    "jej",
    "nam",
    "nas",
    "wsi",
    "gminy",
    "gmina",
    "mieszkancow",
    "mieszkancy",
    "lokalny",
    "lokalna",
    "lokalne",
    "lokalnych",
];

/// The words of a text worth matching: (as written, lower case; folded).
fn words(text: &str) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    text.split(|c: char| !c.is_alphanumeric())
        .filter_map(|w| {
            let f = fold(w);
            (f.chars().count() >= 3 && !STOP.contains(&f.as_str()) && !f.chars().all(|c| c.is_ascii_digit()))
                .then(|| (w.to_lowercase(), f))
        })
        .filter(|(_, f)| seen.insert(f.clone()))
        .collect()
}

/// Two folded words match when equal or when they differ only in a Polish ending
/// (`swietlica` ~ `swietlicy`, `sala` ~ `sali`, `mlodziez` ~ `mlodziezy`).
fn word_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = la.min(lb);
    let slack = if shorter > 5 { 3 } else { 1 };
    let longer_by = if shorter > 5 { 3 } else { 2 };
    common >= 3 && common + slack >= shorter && la.abs_diff(lb) <= longer_by
}

/// Resources that could answer `need`, best first: the same miejscowość, then the
/// same gmina, then elsewhere; within each, matching category first, then more shared
/// words and tags. Resources already linked are left out; outside the need's own
/// place a resource needs the category or a shared word to be proposed at all.
pub fn propose(data: &Data, need: &Need, lang: Lang) -> Vec<Proposal> {
    let pl = lang == Lang::Pl;
    let need_gmina = data.need_gmina(need);
    // place names say where, not what: "w Derkaczach" matches nothing
    let mut where_words: Vec<String> = Vec::new();
    for r in &data.resources {
        for n in [&r.place, &r.gmina].into_iter().flatten() {
            where_words.extend(words(n).into_iter().map(|(_, f)| f));
        }
    }
    for n in [&need.place, &need_gmina].into_iter().flatten() {
        where_words.extend(words(n).into_iter().map(|(_, f)| f));
    }
    let need_words: Vec<(String, String)> =
        words(&need.description).into_iter().filter(|(_, f)| !where_words.iter().any(|w| word_match(f, w))).collect();
    let linked: HashSet<Id> = need.resources.iter().copied().collect();
    let mut out: Vec<(Proposal, String)> = Vec::new();
    for r in data.resources.iter().filter(|r| !linked.contains(&r.id)) {
        let proximity = if same_known(need.place.as_deref(), r.place.as_deref()) {
            Proximity::Place
        } else if same_known(need_gmina.as_deref(), r.gmina.as_deref()) {
            Proximity::Gmina
        } else {
            Proximity::Elsewhere
        };
        let category_match = need.category == Some(r.category);
        let tag_words: Vec<(String, Vec<String>)> =
            r.tags.iter().map(|t| (t.clone(), words(t).into_iter().map(|(_, f)| f).collect())).collect();
        let mut resource_words: Vec<String> = words(&r.name).into_iter().map(|(_, f)| f).collect();
        if let Some(d) = &r.description {
            resource_words.extend(words(d).into_iter().map(|(_, f)| f));
        }
        let mut shared = Vec::new();
        let mut tags = Vec::new();
        for (orig, f) in &need_words {
            let in_text = resource_words.iter().any(|w| word_match(f, w));
            let tag = tag_words.iter().find(|(_, ws)| ws.iter().any(|w| word_match(f, w)));
            if let Some((t, _)) = tag
                && !tags.contains(t)
            {
                tags.push(t.clone());
            }
            if in_text || tag.is_some() {
                shared.push(orig.clone());
            }
        }
        if proximity != Proximity::Place && !category_match && shared.is_empty() {
            continue;
        }
        let mut why = vec![match proximity {
            Proximity::Place => if pl { "ta sama miejscowość" } else { "same place" }.to_string(),
            Proximity::Gmina => format!(
                "{} {}",
                if pl { "ta sama gmina" } else { "same gmina" },
                r.gmina.as_deref().unwrap_or_default()
            ),
            Proximity::Elsewhere => {
                let at = r.place.as_deref().or(r.gmina.as_deref()).unwrap_or("?");
                format!("{} {at}", if pl { "gdzie indziej:" } else { "elsewhere:" })
            }
        }];
        if category_match {
            why.push(format!("{} {}", if pl { "kategoria" } else { "category" }, r.category.label(lang)));
        }
        if !tags.is_empty() {
            why.push(format!("{}: {}", if pl { "tagi" } else { "tags" }, tags.join(", ")));
        }
        if !shared.is_empty() {
            why.push(format!("{}: {}", if pl { "wspólne słowa" } else { "shared words" }, shared.join(", ")));
        }
        out.push((
            Proposal { resource: r.id, proximity, category_match, shared, tags, reason: why.join("; ") },
            fold(&r.name),
        ));
    }
    out.sort_by(|(a, an), (b, bn)| {
        (a.proximity, !a.category_match, Reverse(a.shared.len() + a.tags.len()), an, a.resource).cmp(&(
            b.proximity,
            !b.category_match,
            Reverse(b.shared.len() + b.tags.len()),
            bn,
            b.resource,
        ))
    });
    out.into_iter().map(|(p, _)| p).collect()
}

// ---------------------------------------------------------------------------
// The gap

/// What is missing in a place or gmina.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gap {
    /// Needs still open or in progress that no live resource answers.
    pub unanswered: Vec<Id>,
    /// Resources that no need links to.
    pub unused: Vec<Id>,
}

/// Whether a need still waits for an answer: open or in progress.
pub fn is_pending(n: &Need) -> bool {
    matches!(n.status, NeedStatus::Open | NeedStatus::InProgress)
}

/// The gap in `scope`: needs there that nothing answers yet and resources there that
/// no need (of any place) uses. Both sorted by folded text.
pub fn gap(data: &Data, scope: &Scope) -> Gap {
    let used: HashSet<Id> = data.needs.iter().flat_map(|n| n.resources.iter().copied()).collect();
    let mut unanswered: Vec<&Need> = data
        .needs
        .iter()
        .filter(|n| scope.contains(data.need_gmina(n).as_deref(), n.place.as_deref()))
        .filter(|n| is_pending(n) && data.linked(n).is_empty())
        .collect();
    unanswered.sort_by_cached_key(|n| (fold(&n.description), n.id));
    let mut unused: Vec<&Resource> = data
        .resources
        .iter()
        .filter(|r| scope.contains(r.gmina.as_deref(), r.place.as_deref()) && !used.contains(&r.id))
        .collect();
    unused.sort_by_cached_key(|r| (r.category, fold(&r.name), r.id));
    Gap { unanswered: unanswered.iter().map(|n| n.id).collect(), unused: unused.iter().map(|r| r.id).collect() }
}

/// The live needs in a scope, by status (open first) then text.
pub fn needs_in<'a>(data: &'a Data, scope: &Scope) -> Vec<&'a Need> {
    let mut v: Vec<&Need> =
        data.needs.iter().filter(|n| scope.contains(data.need_gmina(n).as_deref(), n.place.as_deref())).collect();
    v.sort_by_cached_key(|n| (n.status, fold(&n.description), n.id));
    v
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn res(name: &str, cat: ResourceCategory, gmina: &str, place: &str, tags: &[&str]) -> Resource {
        Resource {
            id: Id::new(),
            category: cat,
            name: name.into(),
            description: None,
            gmina: Some(gmina.into()),
            place: Some(place.into()),
            contact: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            lat: None,
            lon: None,
            deleted: false,
        }
    }

    pub fn need(desc: &str, cat: Option<ResourceCategory>, gmina: &str, place: &str, status: NeedStatus) -> Need {
        Need {
            id: Id::new(),
            description: desc.into(),
            category: cat,
            gmina: Some(gmina.into()),
            place: Some(place.into()),
            status,
            resources: Vec::new(),
            meeting: None,
            deleted: false,
        }
    }

    use ResourceCategory::*;

    /// Two places of gmina Dobiegniew and one of gmina Drawno.
    fn sample() -> Data {
        let mut r = vec![
            res("Świetlica wiejska", Places, "Dobiegniew", "Ługi", &["sala"]),
            res("Koło Gospodyń Wiejskich", Organisations, "Dobiegniew", "Ługi", &["kulinaria"]),
            res("Sala OSP", Places, "Dobiegniew", "Chomętowo", &["świetlica"]),
            res("Stary młyn", Heritage, "Dobiegniew", "Chomętowo", &[]),
            res("Dom kultury", Places, "Drawno", "Drawno", &["młodzież"]),
            res("Pani Zofia, hafciarka", People, "Drawno", "Drawno", &["rękodzieło"]),
        ];
        r[0].description = Some("Sala na 60 osób z kuchnią".into());
        let mut deleted = res("Zamknięta szkoła", Places, "Dobiegniew", "Ługi", &[]);
        deleted.deleted = true;
        r.push(deleted);
        Data::new(r, Vec::new())
    }

    fn names(d: &Data, ps: &[Proposal]) -> Vec<String> {
        ps.iter().filter_map(|p| d.resource(p.resource)).map(|r| r.name.clone()).collect()
    }

    #[test]
    fn tree_counts_every_level() {
        let d = sample();
        let t = tree(&d, &Scope::default());
        assert_eq!(t.count, 6);
        let gm: Vec<(Option<&str>, usize)> = t.gminas.iter().map(|g| (g.name.as_deref(), g.count)).collect();
        assert_eq!(gm, vec![(Some("Dobiegniew"), 4), (Some("Drawno"), 2)]);
        let places: Vec<(Option<&str>, usize)> =
            t.gminas[0].places.iter().map(|p| (p.name.as_deref(), p.count)).collect();
        assert_eq!(places, vec![(Some("Chomętowo"), 2), (Some("Ługi"), 2)]);
        let lugi = &t.gminas[0].places[1];
        let cats: Vec<(ResourceCategory, usize)> = lugi.categories.iter().map(|c| (c.category, c.count())).collect();
        assert_eq!(cats, vec![(Organisations, 1), (Places, 1)]);
        let scoped = tree(&d, &Scope::new(None, Some("lugi".into())));
        assert_eq!(scoped.count, 2);
        assert_eq!(scoped.gminas.len(), 1);
    }

    #[test]
    fn proposals_rank_place_then_gmina_then_category_and_words() {
        let mut d = sample();
        let mut n = need(
            "Brak miejsca na spotkania młodzieży w Ługach — potrzebna świetlica",
            Some(Places),
            "Dobiegniew",
            "Ługi",
            NeedStatus::Open,
        );
        let ps = propose(&d, &n, Lang::Pl);
        assert_eq!(
            names(&d, &ps),
            vec![
                // same place: category + "świetlica" first, then the KGW (no category, no words)
                "Świetlica wiejska",
                "Koło Gospodyń Wiejskich",
                // same gmina: category and the tag "świetlica"
                "Sala OSP",
                // elsewhere: category and the tag "młodzież"
                "Dom kultury",
            ]
        );
        assert_eq!(ps[0].proximity, Proximity::Place);
        assert!(ps[0].category_match);
        assert_eq!(ps[0].shared, vec!["świetlica".to_string()], "the place's name is not a shared word");
        assert!(ps[0].reason.contains("ta sama miejscowość"), "{}", ps[0].reason);
        assert!(ps[0].reason.contains("świetlica"), "{}", ps[0].reason);
        assert_eq!(ps[2].proximity, Proximity::Gmina);
        assert_eq!(ps[2].tags, vec!["świetlica".to_string()]);
        assert_eq!(ps[3].proximity, Proximity::Elsewhere);
        assert!(ps[3].reason.contains("młodzież"), "{}", ps[3].reason);
        // the mill (same gmina) and the embroiderer (elsewhere) match neither category
        // nor words: not proposed
        assert!(!names(&d, &ps).iter().any(|n| n == "Stary młyn" || n.starts_with("Pani Zofia")));

        // linked resources are left out
        n.resources.push(ps[0].resource);
        let again = propose(&d, &n, Lang::En);
        assert_eq!(names(&d, &again)[0], "Koło Gospodyń Wiejskich");
        assert!(again[0].reason.contains("same place"), "{}", again[0].reason);

        // a need with a place but no gmina gets the gmina of that place
        n.gmina = None;
        n.resources.clear();
        let p = propose(&d, &n, Lang::Pl);
        assert_eq!(
            p.iter().find(|p| d.resource(p.resource).is_some_and(|r| r.name == "Sala OSP")).map(|p| p.proximity),
            Some(Proximity::Gmina)
        );
        d.resources.clear();
        assert!(propose(&d, &n, Lang::Pl).is_empty());
    }

    #[test]
    fn words_match_polish_endings() {
        assert!(word_match("swietlica", "swietlicy"));
        assert!(word_match("sala", "sali"));
        assert!(word_match("mlodziez", "mlodziezy"));
        assert!(!word_match("sala", "salamandra"));
        assert!(!word_match("dom", "domena"));
        let w: Vec<String> = words("Brak sali dla 30 osób").into_iter().map(|(_, f)| f).collect();
        assert_eq!(w, vec!["sali", "osob"]);
    }

    #[test]
    fn gap_shows_unanswered_needs_and_unused_resources() {
        let mut d = sample();
        let swietlica = d.resources[0].id;
        let mut answered = need("Miejsce na zebrania", Some(Places), "Dobiegniew", "Ługi", NeedStatus::Open);
        answered.resources.push(swietlica);
        let waiting = need("Zajęcia dla seniorów", Some(People), "Dobiegniew", "Ługi", NeedStatus::InProgress);
        let done = need("Remont dachu", None, "Dobiegniew", "Ługi", NeedStatus::Answered);
        let dropped = need("Basen", None, "Dobiegniew", "Ługi", NeedStatus::Dropped);
        let mut dead_link = need("Kurs haftu", Some(People), "Dobiegniew", "Ługi", NeedStatus::Open);
        dead_link.resources.push(Id::new()); // a resource since deleted
        let other_place = need("Plac zabaw", None, "Drawno", "Drawno", NeedStatus::Open);
        d.needs = vec![answered, waiting.clone(), done, dropped, dead_link.clone(), other_place];

        let g = gap(&d, &Scope::new(None, Some("Ługi".into())));
        assert_eq!(g.unanswered, vec![dead_link.id, waiting.id]);
        let unused: Vec<&str> = g.unused.iter().filter_map(|id| d.resource(*id)).map(|r| r.name.as_str()).collect();
        assert_eq!(unused, vec!["Koło Gospodyń Wiejskich"]);

        let whole = gap(&d, &Scope::new(Some("dobiegniew".into()), None));
        assert_eq!(whole.unanswered.len(), 2);
        assert_eq!(whole.unused.len(), 3);
    }
}
