//! Pane 3: the local resource map (mapa zasobów) and the needs it answers.
//!
//! A tree gmina → miejscowość → category → resources with counts, folded by keyboard,
//! and a detail panel; a needs list where each need shows the resources that could
//! answer it (linked with a key); the gap of a place; a braille plot of a gmina's
//! resources; forms to add, edit and delete; an export of a place's map. The logic
//! lives in `crate::resources`; this file keeps the pane's state and draws it.

mod actions;
mod draw;
mod forms;
mod rows;

pub use rows::slug;
use rows::{fit, meeting_line, short, status_mark};

use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Meeting, Need, NeedStatus, Resource, ResourceCategory, validate};
use crate::resources::{self as map, Data, Scope, export};
use crate::search::{Entry, fold, search};
use crate::store::{Draft, Store};
use crate::sync::Change;
use crate::tui::form::{self, Field, Form, Target};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use crate::tui::view::{Effect, Env, View};
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
            Open => self.open_selected(&env.store, lang),
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
        match Data::load(&env.store) {
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
        let (theme, lang) = (&env.theme, env.lang);
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
