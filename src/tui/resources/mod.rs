//! Pane 3: the local resource map (mapa zasobów) and the needs it answers.
//!
//! A tree gmina → miejscowość → category → resources with counts, folded by keyboard,
//! and a detail panel; a needs list where each need shows the resources that could
//! answer it (linked with a key); the gap of a place; a braille plot of a gmina's
//! resources; forms to add, edit and delete; an export of a place's map. The logic
//! lives in `crate::resources`; this file keeps the pane's state and draws it.

mod draw;
mod forms;

use super::form::{self, Field, Form, Target};
use super::keymap::{Action, Context};
use super::popup::Popup;
use super::theme::Theme;
use super::view::{Effect, Env, View};
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Meeting, Need, NeedStatus, Resource, ResourceCategory, validate};
use crate::resources::{self as map, Data, Scope, export};
use crate::search::{Entry, fold, search};
use crate::store::{Draft, Store};
use crate::sync::Change;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
pub use forms::{need_form, need_form_for_meeting, resource_form};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Points};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Tree,
    Needs,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Gmina,
    Place,
    Category(ResourceCategory),
    Resource(Id),
}

/// One visible line of the tree.
#[derive(Debug, Clone)]
struct Row {
    key: String,
    depth: usize,
    kind: Kind,
    label: String,
    count: usize,
    open: bool,
    scope: Scope,
}

/// What a text line at the bottom of the pane is typing into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typing {
    Search,
    Path,
}

pub struct Pane {
    data: Option<Data>,
    mode: Mode,
    rows: Vec<Row>,
    /// Keys of the unfolded tree nodes.
    open: HashSet<String>,
    opened_defaults: bool,
    selected: usize,
    offset: usize,
    page: usize,
    needs: Vec<Id>,
    need_sel: usize,
    need_offset: usize,
    /// The highlighted proposal of the selected need.
    proposal: usize,
    query: String,
    typing: Option<Typing>,
    path: String,
    /// The scope the export prompt writes.
    export_scope: Scope,
    category: Option<ResourceCategory>,
    place: Option<Scope>,
    tag: Option<String>,
    gap: Option<Scope>,
    plot: bool,
    confirm: Option<(Entity, Id, String)>,
    /// A message to show once the reload after a write has happened.
    after_reload: Option<String>,
    /// Select this need or resource after the next reload.
    select_after: Option<Id>,
    /// The ids of resources and needs when an add form opened: the one new after the
    /// reload is selected.
    known: Option<HashSet<Id>>,
    /// Search fields of `data`'s resources and needs, folded once per load.
    res_entries: Vec<Entry>,
    need_entries: Vec<Entry>,
    /// The resources that pass the search and filters (what the tree shows).
    visible: Data,
    /// The proposals of the need they were made for: a frame and a key need them, and
    /// making them reads every resource.
    proposals_of: RefCell<Option<(Id, Vec<map::Proposal>)>>,
}

impl Default for Pane {
    fn default() -> Self {
        Self::new()
    }
}

impl Pane {
    pub fn new() -> Pane {
        Pane {
            data: None,
            mode: Mode::Tree,
            rows: Vec::new(),
            open: HashSet::new(),
            opened_defaults: false,
            selected: 0,
            offset: 0,
            page: 10,
            needs: Vec::new(),
            need_sel: 0,
            need_offset: 0,
            proposal: 0,
            query: String::new(),
            typing: None,
            path: String::new(),
            export_scope: Scope::default(),
            category: None,
            place: None,
            tag: None,
            gap: None,
            plot: false,
            confirm: None,
            after_reload: None,
            select_after: None,
            known: None,
            res_entries: Vec::new(),
            need_entries: Vec::new(),
            visible: Data::default(),
            proposals_of: RefCell::new(None),
        }
    }

    fn filtering(&self) -> bool {
        !self.query.trim().is_empty() || self.category.is_some() || self.place.is_some() || self.tag.is_some()
    }

    /// The resources that pass the search and the filters.
    fn visible_resources(&self, data: &Data) -> Vec<Resource> {
        let hits: Option<HashSet<usize>> = (!self.query.trim().is_empty())
            .then(|| search(&self.res_entries, &self.query, None).into_iter().map(|h| h.index).collect());
        data.resources
            .iter()
            .enumerate()
            .filter(|(i, _)| hits.as_ref().is_none_or(|h| h.contains(i)))
            .map(|(_, r)| r)
            .filter(|r| self.category.is_none_or(|c| r.category == c))
            .filter(|r| self.place.as_ref().is_none_or(|s| s.contains(r.gmina.as_deref(), r.place.as_deref())))
            .filter(|r| self.tag.as_ref().is_none_or(|tg| r.tags.iter().any(|x| fold(x) == fold(tg))))
            .cloned()
            .collect()
    }

    /// Rebuild the visible tree rows and needs from the data, keeping the selection.
    fn rebuild(&mut self, lang: Lang) {
        let Some(data) = self.data.as_ref() else { return };
        let keep = self.rows.get(self.selected).map(|r| r.key.clone());
        // A resource to select after a save: unfold the branch it sits in.
        if let Some(r) = self.select_after.and_then(|id| data.resource(id)) {
            let gk = gmina_key(&r.gmina);
            let pk = place_key(&gk, &r.place);
            self.open.insert(category_key(&pk, r.category));
            self.open.extend([gk, pk]);
        }
        let visible = Data::new(self.visible_resources(data), Vec::new());
        let tree = map::tree(&visible, &Scope::default());
        self.visible = visible;
        if !self.opened_defaults {
            // The first gmina and its first place open, so the tree shows every level.
            if let Some(g) = tree.gminas.first() {
                let gk = gmina_key(&g.name);
                if let Some(p) = g.places.first() {
                    let pk = place_key(&gk, &p.name);
                    for c in &p.categories {
                        self.open.insert(category_key(&pk, c.category));
                    }
                    self.open.insert(pk);
                }
                self.open.insert(gk);
            }
            self.opened_defaults = true;
        }
        let all_open = self.filtering();
        let none = |s: &Option<String>| s.clone().unwrap_or_else(|| t(lang, "res_unknown").to_string());
        let mut rows = Vec::new();
        for g in &tree.gminas {
            let gk = gmina_key(&g.name);
            let g_open = all_open || self.open.contains(&gk);
            let gscope = Scope::new(g.name.clone(), None);
            rows.push(Row {
                key: gk.clone(),
                depth: 0,
                kind: Kind::Gmina,
                label: format!("{} {}", t(lang, "gmina"), none(&g.name)),
                count: g.count,
                open: g_open,
                scope: gscope,
            });
            if !g_open {
                continue;
            }
            for p in &g.places {
                let pk = place_key(&gk, &p.name);
                let p_open = all_open || self.open.contains(&pk);
                let pscope = Scope::new(g.name.clone(), p.name.clone());
                rows.push(Row {
                    key: pk.clone(),
                    depth: 1,
                    kind: Kind::Place,
                    label: none(&p.name),
                    count: p.count,
                    open: p_open,
                    scope: pscope.clone(),
                });
                if !p_open {
                    continue;
                }
                for c in &p.categories {
                    let ck = category_key(&pk, c.category);
                    let c_open = all_open || self.open.contains(&ck);
                    rows.push(Row {
                        key: ck,
                        depth: 2,
                        kind: Kind::Category(c.category),
                        label: c.category.label(lang).to_string(),
                        count: c.count(),
                        open: c_open,
                        scope: pscope.clone(),
                    });
                    if !c_open {
                        continue;
                    }
                    for leaf in &c.resources {
                        rows.push(Row {
                            key: format!("r:{}", leaf.id),
                            depth: 3,
                            kind: Kind::Resource(leaf.id),
                            label: leaf.name.clone(),
                            count: 0,
                            open: false,
                            scope: pscope.clone(),
                        });
                    }
                }
            }
        }
        self.rows = rows;
        if let Some(id) = self.select_after.filter(|_| self.mode == Mode::Tree) {
            let key = format!("r:{id}");
            if let Some(i) = self.rows.iter().position(|r| r.key == key) {
                self.selected = i;
                self.select_after = None;
            }
        } else if let Some(k) = keep
            && let Some(i) = self.rows.iter().position(|r| r.key == k)
        {
            self.selected = i;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.rebuild_needs();
    }

    fn rebuild_needs(&mut self) {
        let Some(data) = self.data.as_ref() else { return };
        let keep = self.needs.get(self.need_sel).copied();
        let hits: Option<HashSet<usize>> = (!self.query.trim().is_empty())
            .then(|| search(&self.need_entries, &self.query, None).into_iter().map(|h| h.index).collect());
        let mut needs: Vec<&Need> = data
            .needs
            .iter()
            .enumerate()
            .filter(|(i, _)| hits.as_ref().is_none_or(|h| h.contains(i)))
            .map(|(_, n)| n)
            .filter(|n| self.category.is_none_or(|c| n.category == Some(c)))
            .filter(|n| {
                self.place.as_ref().is_none_or(|s| s.contains(data.need_gmina(n).as_deref(), n.place.as_deref()))
            })
            .collect();
        needs.sort_by_cached_key(|n| {
            (
                data.need_gmina(n).as_deref().map(fold),
                n.place.as_deref().map(fold),
                n.status,
                fold(&n.description),
                n.id,
            )
        });
        self.needs = needs.iter().map(|n| n.id).collect();
        let want = self.select_after.filter(|_| self.mode == Mode::Needs).or(keep);
        if let Some(i) = want.and_then(|id| self.needs.iter().position(|n| *n == id)) {
            if self.select_after == Some(self.needs[i]) {
                self.select_after = None;
            }
            self.need_sel = i;
        }
        self.need_sel = self.need_sel.min(self.needs.len().saturating_sub(1));
    }

    fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    fn selected_resource(&self) -> Option<&Resource> {
        let data = self.data.as_ref()?;
        match self.selected_row()?.kind {
            Kind::Resource(id) => data.resource(id),
            _ => None,
        }
    }

    fn selected_need(&self) -> Option<&Need> {
        let id = *self.needs.get(self.need_sel)?;
        self.data.as_ref()?.needs.iter().find(|n| n.id == id)
    }

    /// The place (or gmina) the keys for the gap, the export and new records act on.
    fn current_scope(&self) -> Option<Scope> {
        match self.mode {
            Mode::Tree => self.selected_row().map(|r| r.scope.clone()),
            Mode::Needs => {
                let n = self.selected_need()?;
                let data = self.data.as_ref()?;
                Some(Scope::new(data.need_gmina(n), n.place.clone()))
            }
        }
    }

    fn proposals(&self, lang: Lang) -> Vec<map::Proposal> {
        let (Some(d), Some(n)) = (self.data.as_ref(), self.selected_need()) else { return Vec::new() };
        let mut cache = self.proposals_of.borrow_mut();
        match cache.as_ref() {
            Some((id, ps)) if *id == n.id => ps.clone(),
            _ => {
                let ps = map::propose(d, n, lang);
                *cache = Some((n.id, ps.clone()));
                ps
            }
        }
    }

    fn move_by(&mut self, delta: isize) {
        let (sel, len) = match self.mode {
            Mode::Tree => (&mut self.selected, self.rows.len()),
            Mode::Needs => (&mut self.need_sel, self.needs.len()),
        };
        if len == 0 {
            return;
        }
        *sel = (*sel as isize).saturating_add(delta).clamp(0, len as isize - 1) as usize;
        self.proposal = 0;
    }

    /// →: unfold; ←: fold, or go to the parent when already folded (or a leaf).
    fn set_open(&mut self, open: bool, lang: Lang) {
        let Some(row) = self.selected_row().cloned() else { return };
        let leaf = matches!(row.kind, Kind::Resource(_));
        if open {
            if leaf || row.open {
                return;
            }
            self.open.insert(row.key);
        } else {
            if leaf || !row.open {
                if let Some(i) = self.rows[..self.selected].iter().rposition(|r| r.depth < row.depth) {
                    self.selected = i;
                }
                return;
            }
            self.open.remove(&row.key);
        }
        self.rebuild(lang);
    }

    fn toggle_open(&mut self, lang: Lang) {
        let Some(row) = self.selected_row() else { return };
        if matches!(row.kind, Kind::Resource(_)) {
            return;
        }
        let open = !row.open;
        let key = row.key.clone();
        if open {
            self.open.insert(key);
        } else {
            self.open.remove(&key);
        }
        self.rebuild(lang);
    }

    fn next_tag(&mut self) {
        let Some(data) = self.data.as_ref() else { return };
        // Tags by how many resources carry them, the most used first.
        let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for r in &data.resources {
            for tg in &r.tags {
                counts.entry(fold(tg)).or_insert((0, tg.clone())).0 += 1;
            }
        }
        let mut tags: Vec<(usize, String, String)> = counts.into_iter().map(|(f, (n, tg))| (n, f, tg)).collect();
        tags.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let pos = self.tag.as_ref().and_then(|cur| tags.iter().position(|(_, f, _)| *f == fold(cur)));
        self.tag = match pos {
            None => tags.first().map(|x| x.2.clone()),
            Some(i) => tags.get(i + 1).map(|x| x.2.clone()),
        };
    }

    fn next_category(&mut self) {
        let all = ResourceCategory::ALL;
        self.category = match self.category {
            None => all.first().copied(),
            Some(c) => all.iter().position(|x| *x == c).and_then(|i| all.get(i + 1)).copied(),
        };
    }

    fn filters_label(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        if let Some(c) = self.category {
            parts.push(c.label(lang).to_string());
        }
        if let Some(p) = &self.place {
            parts.push(p.place.clone().or_else(|| p.gmina.clone()).unwrap_or_default());
        }
        if let Some(tg) = &self.tag {
            parts.push(format!("#{tg}"));
        }
        if !self.query.is_empty() {
            parts.push(format!("/{}", self.query));
        }
        parts.join(" · ")
    }

    /// Link the highlighted proposal to the selected need: one sync op.
    fn link(&mut self, env: &Env) -> Effect {
        let (Some(need), Some(p)) = (self.selected_need(), self.proposals(env.lang).get(self.proposal).cloned()) else {
            return Effect::Status(t(env.lang, "res_no_proposal").to_string());
        };
        let (nid, ndesc) = (need.id, need.description.clone());
        let rname = self.data.as_ref().and_then(|d| d.resource(p.resource)).map(|r| r.name.clone());
        // An add to the need's set, as `teren need link` does: links to resources
        // deleted since stay, so restoring one brings its link back.
        let draft = Draft::new(Entity::Need, nid, vec![Change::add("resources", p.resource.to_string())]);
        match env.store.commit(vec![draft]) {
            Ok(_) => {
                self.after_reload = Some(format!(
                    "{}: {} → {}",
                    t(env.lang, "res_linked"),
                    rname.unwrap_or_default(),
                    short(&ndesc, 30)
                ));
                self.select_after = Some(nid);
                self.proposal = 0;
                Effect::Changed
            }
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    fn start_export(&mut self, scope: Scope) {
        // A gmina's file is named apart from its seat's (gmina Dobiegniew, Dobiegniew).
        self.path = match (&scope.place, &scope.gmina) {
            (Some(p), _) => format!("mapa-{}.md", slug(p)),
            (None, Some(g)) => format!("mapa-gmina-{}.md", slug(g)),
            (None, None) => "mapa.md".to_string(),
        };
        self.export_scope = scope;
        self.typing = Some(Typing::Path);
    }

    fn write_export(&mut self, lang: Lang) -> Effect {
        self.typing = None;
        let Some(data) = self.data.as_ref() else { return Effect::None };
        let path = PathBuf::from(self.path.trim());
        if path.as_os_str().is_empty() {
            return Effect::Status(t(lang, "res_export_no_path").to_string());
        }
        let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let bytes = if csv {
            export::csv(data, &self.export_scope, lang)
        } else {
            export::markdown(data, &self.export_scope, lang).into_bytes()
        };
        match std::fs::write(&path, bytes) {
            Ok(()) => {
                let shown = std::path::absolute(&path).unwrap_or(path);
                Effect::Status(format!("{}: {}", t(lang, "res_exported"), shown.display()))
            }
            Err(e) => Effect::Status(format!("{} {}: {e}", t(lang, "res_export_failed"), path.display())),
        }
    }

    fn delete_confirmed(&mut self, env: &Env) -> Effect {
        let Some((entity, id, name)) = self.confirm.take() else { return Effect::None };
        match edit::delete(env.store, entity, id) {
            Ok(()) => {
                self.after_reload = Some(format!("{}: {}", t(env.lang, "res_deleted"), short(&name, 40)));
                Effect::Changed
            }
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    fn add(&mut self, env: &Env) -> Effect {
        self.known =
            self.data.as_ref().map(|d| d.resources.iter().map(|r| r.id).chain(d.needs.iter().map(|n| n.id)).collect());
        let scope = self.current_scope().unwrap_or_default();
        match self.mode {
            Mode::Tree => {
                let category = match self.selected_row().map(|r| &r.kind) {
                    Some(Kind::Category(c)) => Some(*c),
                    Some(Kind::Resource(_)) => self.selected_resource().map(|r| r.category),
                    _ => None,
                };
                Effect::Popup(Popup::Form(resource_form(env.store, env.lang, None, &scope, category)))
            }
            Mode::Needs => Effect::Popup(Popup::Form(need_form(env.lang, None, &scope, None))),
        }
    }

    fn edit(&mut self, env: &Env) -> Effect {
        match self.mode {
            Mode::Tree => match self.selected_resource() {
                Some(r) => {
                    let r = r.clone();
                    self.select_after = Some(r.id);
                    Effect::Popup(Popup::Form(resource_form(env.store, env.lang, Some(&r), &Scope::default(), None)))
                }
                None => Effect::Status(t(env.lang, "res_pick_resource").to_string()),
            },
            Mode::Needs => match self.selected_need() {
                Some(n) => {
                    let n = n.clone();
                    self.select_after = Some(n.id);
                    Effect::Popup(Popup::Form(need_form(env.lang, Some(&n), &Scope::default(), None)))
                }
                None => Effect::Status(t(env.lang, "res_pick_need").to_string()),
            },
        }
    }

    fn ask_delete(&mut self, lang: Lang) -> Effect {
        self.confirm = match self.mode {
            Mode::Tree => self.selected_resource().map(|r| (Entity::Resource, r.id, r.name.clone())),
            Mode::Needs => self.selected_need().map(|n| (Entity::Need, n.id, n.description.clone())),
        };
        if self.confirm.is_none() {
            let key = if self.mode == Mode::Tree { "res_pick_resource" } else { "res_pick_need" };
            return Effect::Status(t(lang, key).to_string());
        }
        Effect::None
    }

    /// Enter: a group folds or unfolds; a resource shows its contact person.
    fn open_selected(&mut self, store: &Store, lang: Lang) -> Effect {
        if self.mode == Mode::Needs {
            return match self.need_record(store, lang) {
                Some((title, lines)) => Effect::Popup(Popup::Record { title, lines, scroll: 0 }),
                None => Effect::None,
            };
        }
        match self.selected_resource() {
            Some(r) => match r.contact {
                Some(c) => Effect::OpenParticipant(c),
                None => Effect::Status(t(lang, "res_no_contact").to_string()),
            },
            None => {
                self.toggle_open(lang);
                Effect::None
            }
        }
    }

    /// Everything about the selected need with every proposal and its reason.
    fn need_record(&self, store: &Store, lang: Lang) -> Option<(String, Vec<(String, String)>)> {
        let data = self.data.as_ref()?;
        let n = self.selected_need()?;
        let mut lines = vec![
            (t(lang, "description").to_string(), n.description.clone()),
            (t(lang, "status").to_string(), n.status.label(lang).to_string()),
        ];
        if let Some(c) = n.category {
            lines.push((t(lang, "category").to_string(), c.label(lang).to_string()));
        }
        lines.push((t(lang, "place").to_string(), Scope::new(data.need_gmina(n), n.place.clone()).title(lang)));
        if let Some(m) = n.meeting.and_then(|id| meeting_line(store, id, lang)) {
            lines.push((t(lang, "meeting").to_string(), m));
        }
        let linked: Vec<String> = data.linked(n).iter().map(|r| r.name.clone()).collect();
        if !linked.is_empty() {
            lines.push((t(lang, "res_linked_to").to_string(), linked.join("; ")));
        }
        for (i, p) in map::propose(data, n, lang).iter().enumerate() {
            let name = data.resource(p.resource).map(|r| r.name.clone()).unwrap_or_default();
            lines.push((format!("{} {}", t(lang, "res_proposal"), i + 1), format!("{name} — {}", p.reason)));
        }
        Some((short(&n.description, 60), lines))
    }
}

fn gmina_key(name: &Option<String>) -> String {
    format!("g:{}", name.as_deref().map(fold).unwrap_or_default())
}

fn place_key(gk: &str, name: &Option<String>) -> String {
    format!("p:{gk}/{}", name.as_deref().map(fold).unwrap_or_default())
}

fn category_key(pk: &str, c: ResourceCategory) -> String {
    format!("c:{pk}/{}", c.code())
}

/// A file-name-safe form of a place name: `Stare Kurowo` → `stare-kurowo`.
pub fn slug(name: &str) -> String {
    let s: String = fold(name).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() { "x".into() } else { parts.join("-") }
}

/// At most `n` chars, with an ellipsis when cut.
fn short(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
    }
}

/// Cut to a display width (Polish letters are one column; wide symbols two).
fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + c.to_string().width() + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// "2026-03-14 diagnoza: Zebranie wiejskie" for the meeting a need was raised at.
fn meeting_line(store: &Store, id: Id, lang: Lang) -> Option<String> {
    let doc = store.doc(Entity::Meeting, id).ok().flatten().filter(|d| !d.is_deleted())?;
    let m = Meeting::from_doc(id, &doc);
    let date = m.date.map(|d| d.to_string()).unwrap_or_default();
    let what = m.title.or(m.place).unwrap_or_default();
    Some(format!("{date} {}: {what}", m.kind.label(lang)).trim().to_string())
}

fn status_mark(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Open => "○",
        NeedStatus::InProgress => "◐",
        NeedStatus::Answered => "●",
        NeedStatus::Dropped => "×",
    }
}

impl View for Pane {
    fn kind(&self) -> &'static str {
        "resources"
    }

    fn contexts(&self) -> Vec<Context> {
        if self.typing.is_some() { vec![Context::Search] } else { vec![Context::Resources] }
    }

    fn typing(&self) -> bool {
        self.typing.is_some()
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL) && !ev.modifiers.contains(KeyModifiers::ALT);
        let line = match self.typing? {
            Typing::Search => &mut self.query,
            Typing::Path => &mut self.path,
        };
        match ev.code {
            KeyCode::Char('u') if ctrl => line.clear(),
            KeyCode::Char(c) if !ctrl => line.push(c),
            KeyCode::Backspace => {
                line.pop();
            }
            _ => return None,
        }
        if self.typing == Some(Typing::Search) {
            self.selected = 0;
            self.need_sel = 0;
            self.rebuild(env.lang);
        }
        Some(Effect::None)
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        use Action::*;
        let lang = env.lang;
        if let Some(typing) = self.typing {
            match (typing, action) {
                (Typing::Search, Confirm) => self.typing = None,
                (Typing::Search, Cancel) => {
                    self.typing = None;
                    self.query.clear();
                    self.rebuild(lang);
                }
                (Typing::Path, Confirm) => return Some(self.write_export(lang)),
                (Typing::Path, Cancel) => self.typing = None,
                (_, Down) => self.move_by(1),
                (_, Up) => self.move_by(-1),
                _ => {}
            }
            return Some(Effect::None);
        }
        if self.confirm.is_some() {
            return Some(match action {
                Open | Confirm => self.delete_confirmed(env),
                _ => {
                    self.confirm = None;
                    Effect::None
                }
            });
        }
        if let Some(scope) = self.gap.clone() {
            match action {
                Gap | Clear | Cancel => {
                    self.gap = None;
                    return Some(Effect::None);
                }
                Export => {
                    self.start_export(scope);
                    return Some(Effect::None);
                }
                Help | Quit | Suspend | PaneParticipants | PaneMeetings | PanePartnerships | PanePlans | PaneReport
                | NextPane | PrevPane | SyncScreen | Capture => return None,
                _ => return Some(Effect::None),
            }
        }
        let effect = match action {
            Down => {
                self.move_by(1);
                Effect::None
            }
            Up => {
                self.move_by(-1);
                Effect::None
            }
            PageDown => {
                self.move_by(self.page as isize);
                Effect::None
            }
            PageUp => {
                self.move_by(-(self.page as isize));
                Effect::None
            }
            Top => {
                self.move_by(isize::MIN / 2);
                Effect::None
            }
            Bottom => {
                self.move_by(isize::MAX / 2);
                Effect::None
            }
            Expand if self.mode == Mode::Tree => {
                self.set_open(true, lang);
                Effect::None
            }
            Collapse if self.mode == Mode::Tree => {
                self.set_open(false, lang);
                Effect::None
            }
            ToggleFold if self.mode == Mode::Tree => {
                self.toggle_open(lang);
                Effect::None
            }
            Open => self.open_selected(env.store, lang),
            Search => {
                self.typing = Some(Typing::Search);
                Effect::None
            }
            Clear => {
                self.query.clear();
                self.category = None;
                self.place = None;
                self.tag = None;
                self.plot = false;
                self.rebuild(lang);
                Effect::None
            }
            FilterCategory => {
                self.next_category();
                self.rebuild(lang);
                Effect::None
            }
            FilterPlace => {
                self.place = match (&self.place, self.current_scope()) {
                    (Some(_), _) | (None, None) => None,
                    (None, Some(s)) => Some(s),
                };
                self.rebuild(lang);
                Effect::None
            }
            FilterTag => {
                self.next_tag();
                self.rebuild(lang);
                Effect::None
            }
            Needs => {
                let scope = self.current_scope();
                self.mode = if self.mode == Mode::Tree { Mode::Needs } else { Mode::Tree };
                self.proposal = 0;
                if self.mode == Mode::Needs {
                    // Land on the first need of the place that was selected in the tree.
                    if let (Some(s), Some(d)) = (scope, self.data.as_ref()) {
                        let first = self.needs.iter().position(|id| {
                            d.needs
                                .iter()
                                .find(|n| n.id == *id)
                                .is_some_and(|n| s.contains(d.need_gmina(n).as_deref(), n.place.as_deref()))
                        });
                        if let Some(i) = first {
                            self.need_sel = i;
                        }
                    }
                }
                Effect::None
            }
            Gap => {
                self.gap = Some(self.current_scope().unwrap_or_default());
                Effect::None
            }
            Plot if self.mode == Mode::Tree => {
                self.plot = !self.plot;
                Effect::None
            }
            Export => {
                self.start_export(self.current_scope().unwrap_or_default());
                Effect::None
            }
            Link if self.mode == Mode::Needs => self.link(env),
            NextItem if self.mode == Mode::Needs => {
                let n = self.proposals(lang).len();
                self.proposal = (self.proposal + 1).min(n.saturating_sub(1));
                Effect::None
            }
            PrevItem if self.mode == Mode::Needs => {
                self.proposal = self.proposal.saturating_sub(1);
                Effect::None
            }
            Add => self.add(env),
            Edit => self.edit(env),
            Delete => self.ask_delete(lang),
            _ => return None,
        };
        Some(effect)
    }

    fn activate(&mut self, env: &Env) -> Effect {
        if self.data.is_some() {
            return Effect::None;
        }
        match Data::load(env.store) {
            Ok(d) => {
                if let Some(known) = self.known.take() {
                    let mut ids = d.resources.iter().map(|r| r.id).chain(d.needs.iter().map(|n| n.id));
                    if let Some(new) = ids.find(|id| !known.contains(id)) {
                        self.select_after = Some(new);
                    }
                }
                self.res_entries = d
                    .resources
                    .iter()
                    .map(|r| {
                        let tags = r.tags.join(" ");
                        Entry::new([
                            r.name.as_str(),
                            r.description.as_deref().unwrap_or(""),
                            tags.as_str(),
                            r.place.as_deref().unwrap_or(""),
                        ])
                    })
                    .collect();
                self.need_entries = d
                    .needs
                    .iter()
                    .map(|n| Entry::new([n.description.as_str(), n.place.as_deref().unwrap_or("")]))
                    .collect();
                self.proposals_of.replace(None);
                self.data = Some(d);
                self.rebuild(env.lang);
                match self.after_reload.take() {
                    Some(msg) => Effect::Status(msg),
                    None => Effect::None,
                }
            }
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    fn data_changed(&mut self) {
        self.data = None;
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let (theme, lang) = (env.theme, env.lang);
        let prompt = self.typing.is_some() || !self.query.is_empty();
        let (body, bottom) = if prompt && area.height > 3 {
            let [b, p] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
            (b, Some(p))
        } else {
            (area, None)
        };
        if let Some(scope) = self.gap.clone() {
            self.render_gap(&scope, body, buf, env);
        } else {
            let [left, right] = if body.width >= 60 {
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body)
            } else {
                Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
            };
            match self.mode {
                Mode::Tree => {
                    self.render_tree(left, buf, theme, lang);
                    if self.plot {
                        self.render_plot(right, buf, theme, lang);
                    } else {
                        self.render_detail(right, buf, theme, lang);
                    }
                }
                Mode::Needs => {
                    self.render_needs(left, buf, theme, lang);
                    self.render_need_detail(right, buf, env);
                }
            }
        }
        if let Some(p) = bottom {
            self.render_prompt(p, buf, theme, lang);
        }
        self.render_confirm(body, buf, theme, lang);
    }

    fn count(&self) -> String {
        match self.mode {
            Mode::Tree => {
                let total = self.data.as_ref().map_or(0, |d| d.resources.len());
                let shown: usize = self.rows.iter().filter(|r| r.depth == 0).map(|r| r.count).sum();
                format!("{shown}/{total}")
            }
            Mode::Needs => {
                let total = self.data.as_ref().map_or(0, |d| d.needs.len());
                format!("{}/{total}", self.needs.len())
            }
        }
    }

    fn hints(&self) -> Vec<Action> {
        if self.typing.is_some() {
            return vec![Action::Confirm, Action::Cancel];
        }
        if self.gap.is_some() {
            return vec![Action::Export, Action::Gap];
        }
        match self.mode {
            Mode::Tree => vec![Action::Needs, Action::Gap, Action::Plot, Action::Export, Action::Add],
            Mode::Needs => vec![Action::Link, Action::NextItem, Action::Needs, Action::Gap, Action::Add],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::forms::*;
    use super::*;

    #[test]
    fn slugs_are_ascii_file_names() {
        assert_eq!(slug("Stare Kurowo"), "stare-kurowo");
        assert_eq!(slug("Żółwin"), "zolwin");
        assert_eq!(slug("Strzelce Krajeńskie / Łącznica"), "strzelce-krajenskie-lacznica");
        assert_eq!(slug(" -- "), "x");
    }

    #[test]
    fn form_checks_say_what_is_expected() {
        let e = required_category("", Lang::Pl).unwrap_err();
        assert!(e.contains("wymagane") && e.contains("places"), "{e}");
        assert!(required_category("Miejsca", Lang::Pl).is_ok());
        assert!(required_category("źródła finansowania", Lang::Pl).is_ok());
        assert!(required_category("garncarstwo", Lang::En).unwrap_err().contains("unknown"));
        assert!(optional_category("", Lang::Pl).is_ok());
        assert!(need_status("w trakcie", Lang::Pl).is_ok());
        assert!(need_status("zrobione?", Lang::Pl).is_err());
        assert!(latitude("52,95", Lang::Pl).is_ok());
        assert!(latitude("95", Lang::Pl).is_err());
        assert!(longitude("-181", Lang::Pl).is_err());
        assert!(required_text("  ", Lang::Pl).is_err());
    }

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("Chomętowo", 20), "Chomętowo");
        assert_eq!(fit("Chomętowo", 5), "Chom…");
        assert_eq!(fit("abc", 0), "…");
        assert_eq!(short("  Ługi  ", 10), "Ługi");
        assert_eq!(short("Brak sali na spotkania", 9), "Brak sal…");
    }
}
