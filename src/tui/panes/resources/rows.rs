//! The pane's rows: the tree gmina → place → category → resources and the needs list,
//! rebuilt from the data and the filters, and what is selected in them.

use super::*;

impl Pane {
    pub(super) fn filtering(&self) -> bool {
        !self.query.trim().is_empty() || self.category.is_some() || self.place.is_some() || self.tag.is_some()
    }

    /// The resources that pass the search and the filters.
    pub(super) fn visible_resources(&self, data: &Data) -> Vec<Resource> {
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
    pub(super) fn rebuild(&mut self, lang: Lang) {
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

    pub(super) fn rebuild_needs(&mut self) {
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

    pub(super) fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    pub(super) fn selected_resource(&self) -> Option<&Resource> {
        let data = self.data.as_ref()?;
        match self.selected_row()?.kind {
            Kind::Resource(id) => data.resource(id),
            _ => None,
        }
    }

    pub(super) fn selected_need(&self) -> Option<&Need> {
        let id = *self.needs.get(self.need_sel)?;
        self.data.as_ref()?.needs.iter().find(|n| n.id == id)
    }

    /// The place (or gmina) the keys for the gap, the export and new records act on.
    pub(super) fn current_scope(&self) -> Option<Scope> {
        match self.mode {
            Mode::Tree => self.selected_row().map(|r| r.scope.clone()),
            Mode::Needs => {
                let n = self.selected_need()?;
                let data = self.data.as_ref()?;
                Some(Scope::new(data.need_gmina(n), n.place.clone()))
            }
        }
    }

    pub(super) fn proposals(&self, lang: Lang) -> Vec<map::Proposal> {
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

    pub(super) fn move_by(&mut self, delta: isize) {
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
    pub(super) fn set_open(&mut self, open: bool, lang: Lang) {
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

    pub(super) fn toggle_open(&mut self, lang: Lang) {
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

    pub(super) fn next_tag(&mut self) {
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

    pub(super) fn next_category(&mut self) {
        let all = ResourceCategory::ALL;
        self.category = match self.category {
            None => all.first().copied(),
            Some(c) => all.iter().position(|x| *x == c).and_then(|i| all.get(i + 1)).copied(),
        };
    }

    pub(super) fn filters_label(&self, lang: Lang) -> String {
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
}

pub(super) fn gmina_key(name: &Option<String>) -> String {
    format!("g:{}", name.as_deref().map(fold).unwrap_or_default())
}

pub(super) fn place_key(gk: &str, name: &Option<String>) -> String {
    format!("p:{gk}/{}", name.as_deref().map(fold).unwrap_or_default())
}

pub(super) fn category_key(pk: &str, c: ResourceCategory) -> String {
    format!("c:{pk}/{}", c.code())
}

/// A file-name-safe form of a place name: `Stare Kurowo` → `stare-kurowo`.
pub fn slug(name: &str) -> String {
    let s: String = fold(name).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() { "x".into() } else { parts.join("-") }
}

/// At most `n` chars, with an ellipsis when cut.
pub(super) fn short(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
    }
}

/// Cut to a display width (Polish letters are one column; wide symbols two).
pub(super) fn fit(s: &str, width: usize) -> String {
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
pub(super) fn meeting_line(store: &Store, id: Id, lang: Lang) -> Option<String> {
    let doc = store.doc(Entity::Meeting, id).ok().flatten().filter(|d| !d.is_deleted())?;
    let m = Meeting::from_doc(id, &doc);
    let date = m.date.map(|d| d.to_string()).unwrap_or_default();
    let what = m.title.or(m.place).unwrap_or_default();
    Some(format!("{date} {}: {what}", m.kind.label(lang)).trim().to_string())
}

pub(super) fn status_mark(s: NeedStatus) -> &'static str {
    match s {
        NeedStatus::Open => "○",
        NeedStatus::InProgress => "◐",
        NeedStatus::Answered => "●",
        NeedStatus::Dropped => "×",
    }
}
