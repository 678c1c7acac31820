//! What the pane's keys do to the store: link a proposal to a need, export a place's
//! map, add, edit and delete resources and needs, and open a record.

use super::*;

impl Pane {
    /// Link the highlighted proposal to the selected need: one sync op.
    pub(super) fn link(&mut self, env: &Env) -> Effect {
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

    pub(super) fn start_export(&mut self, scope: Scope) {
        // A gmina's file is named apart from its seat's (gmina Dobiegniew, Dobiegniew).
        self.path = match (&scope.place, &scope.gmina) {
            (Some(p), _) => format!("mapa-{}.md", slug(p)),
            (None, Some(g)) => format!("mapa-gmina-{}.md", slug(g)),
            (None, None) => "mapa.md".to_string(),
        };
        self.export_scope = scope;
        self.typing = Some(Typing::Path);
    }

    pub(super) fn write_export(&mut self, lang: Lang) -> Effect {
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

    pub(super) fn delete_confirmed(&mut self, env: &Env) -> Effect {
        let Some((entity, id, name)) = self.confirm.take() else { return Effect::None };
        match edit::delete(&env.store, entity, id) {
            Ok(()) => {
                self.after_reload = Some(format!("{}: {}", t(env.lang, "res_deleted"), short(&name, 40)));
                Effect::Changed
            }
            Err(e) => Effect::Status(e.to_string()),
        }
    }

    pub(super) fn add(&mut self, env: &Env) -> Effect {
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
                Effect::Popup(crate::tui::popups::form(resource_form(&env.store, env.lang, None, &scope, category)))
            }
            Mode::Needs => Effect::Popup(crate::tui::popups::form(need_form(env.lang, None, &scope, None))),
        }
    }

    pub(super) fn edit(&mut self, env: &Env) -> Effect {
        match self.mode {
            Mode::Tree => match self.selected_resource() {
                Some(r) => {
                    let r = r.clone();
                    self.select_after = Some(r.id);
                    Effect::Popup(crate::tui::popups::form(resource_form(
                        &env.store,
                        env.lang,
                        Some(&r),
                        &Scope::default(),
                        None,
                    )))
                }
                None => Effect::Status(t(env.lang, "res_pick_resource").to_string()),
            },
            Mode::Needs => match self.selected_need() {
                Some(n) => {
                    let n = n.clone();
                    self.select_after = Some(n.id);
                    Effect::Popup(crate::tui::popups::form(need_form(env.lang, Some(&n), &Scope::default(), None)))
                }
                None => Effect::Status(t(env.lang, "res_pick_need").to_string()),
            },
        }
    }

    pub(super) fn ask_delete(&mut self, lang: Lang) -> Effect {
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
    pub(super) fn open_selected(&mut self, store: &Store, lang: Lang) -> Effect {
        if self.mode == Mode::Needs {
            return match self.need_record(store, lang) {
                Some((title, lines)) => Effect::Popup(crate::tui::popups::record(title, lines)),
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
    pub(super) fn need_record(&self, store: &Store, lang: Lang) -> Option<(String, Vec<(String, String)>)> {
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
