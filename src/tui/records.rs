//! Panes 2–4 (meetings, resources, partnerships) as read-only lists with a detail
//! panel, until their own issues give them editing.

use super::theme::Theme;
use crate::dump::{self, Names};
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Meeting, Partnership, Resource};
use crate::store::{Result, Store};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TRow, Table, Widget, Wrap};
use serde_json::Value;

pub struct Pane {
    pub entity: Entity,
    pub loaded: bool,
    pub rows: Vec<(Id, Vec<String>)>,
    pub details: Vec<Vec<(String, String)>>,
    pub selected: usize,
    pub offset: usize,
    pub page: usize,
}

impl Pane {
    pub fn new(entity: Entity) -> Pane {
        Pane { entity, loaded: false, rows: Vec::new(), details: Vec::new(), selected: 0, offset: 0, page: 10 }
    }

    fn headers(&self, lang: Lang) -> Vec<&'static str> {
        match self.entity {
            Entity::Meeting => vec![
                t(lang, "date"),
                t(lang, "type"),
                t(lang, "place"),
                t(lang, "hours"),
                t(lang, "attendees"),
                t(lang, "title"),
            ],
            Entity::Resource => vec![t(lang, "name"), t(lang, "category"), t(lang, "gmina"), t(lang, "place")],
            _ => vec![t(lang, "name"), t(lang, "leader"), t(lang, "members"), t(lang, "status")],
        }
    }

    fn widths(&self) -> Vec<Constraint> {
        match self.entity {
            Entity::Meeting => vec![
                Constraint::Length(10),
                Constraint::Length(13),
                Constraint::Fill(2),
                Constraint::Length(5),
                Constraint::Length(5),
                Constraint::Fill(3),
            ],
            Entity::Resource => {
                vec![Constraint::Fill(3), Constraint::Length(13), Constraint::Fill(2), Constraint::Fill(2)]
            }
            _ => vec![Constraint::Fill(3), Constraint::Fill(2), Constraint::Length(5), Constraint::Length(8)],
        }
    }

    /// Read the records (on first visit and after changes).
    pub fn load(&mut self, store: &Store, names: &Names, lang: Lang) -> Result<()> {
        let fups = if self.entity == Entity::Meeting { dump::followups_by_meeting(store)? } else { Default::default() };
        let mut items: Vec<(String, Id, Vec<String>, Value)> = Vec::new();
        for (id, doc) in store.docs(self.entity)? {
            if doc.is_deleted() {
                continue;
            }
            let (key, cells, json) = match self.entity {
                Entity::Meeting => {
                    let m = Meeting::from_doc(id, &doc);
                    let f: Vec<_> = fups.get(&id).map(|v| v.iter().collect()).unwrap_or_default();
                    let key = format!(
                        "{}{}",
                        m.date.map(|d| d.to_string()).unwrap_or_default(),
                        m.time.map(|t| t.to_string()).unwrap_or_default()
                    );
                    let cells = vec![
                        m.date.map(|d| d.to_string()).unwrap_or_default(),
                        m.kind.label(lang).to_string(),
                        m.place.clone().unwrap_or_default(),
                        m.hours.map(|h| h.to_string()).unwrap_or_default(),
                        m.attendees.len().to_string(),
                        m.title.clone().unwrap_or_default(),
                    ];
                    (key, cells, dump::meeting_json(&m, &doc, &f, names))
                }
                Entity::Resource => {
                    let r = Resource::from_doc(id, &doc);
                    let key = format!(
                        "{}|{}|{}",
                        r.gmina.clone().unwrap_or_default(),
                        r.place.clone().unwrap_or_default(),
                        r.name
                    );
                    let cells = vec![
                        r.name.clone(),
                        r.category.label(lang).to_string(),
                        r.gmina.clone().unwrap_or_default(),
                        r.place.clone().unwrap_or_default(),
                    ];
                    (key, cells, dump::resource_json(&r, &doc, names))
                }
                _ => {
                    let p = Partnership::from_doc(id, &doc);
                    let cells = vec![
                        p.name.clone(),
                        p.leader.and_then(|l| names.get(&l).cloned()).unwrap_or_default(),
                        p.members.len().to_string(),
                        p.status.label(lang).to_string(),
                    ];
                    (p.name.clone(), cells, dump::partnership_json(&p, &doc, names))
                }
            };
            items.push((key, id, cells, json));
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        if self.entity == Entity::Meeting {
            items.reverse();
        }
        self.details = items.iter().map(|(_, _, _, j)| json_lines(j, lang)).collect();
        self.rows = items.into_iter().map(|(_, id, cells, _)| (id, cells)).collect();
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.loaded = true;
        Ok(())
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, self.rows.len() as isize - 1) as usize;
    }

    pub fn render_list(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let title = format!(" {} ({}) ", t(lang, self.entity.plural()), self.rows.len());
        let Some((inner, h)) = super::list_frame(area, buf, theme, title) else { return };
        self.page = h;
        self.offset = super::scroll_offset(self.selected, self.offset, h);
        let rows: Vec<TRow> = self
            .rows
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(h)
            .map(|(i, (_, cells))| {
                let row = TRow::new(cells.iter().map(|c| Cell::from(c.clone())).collect::<Vec<_>>());
                if i == self.selected { row.style(theme.selected()) } else { row }
            })
            .collect();
        Table::new(rows, self.widths())
            .header(TRow::new(self.headers(lang).into_iter().map(Cell::from).collect::<Vec<_>>()).style(theme.header()))
            .column_spacing(1)
            .render(inner, buf);
    }

    pub fn render_detail(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title(format!(" {} ", t(lang, "details")));
        let lines: Vec<Line> = match self.details.get(self.selected) {
            Some(d) => d
                .iter()
                .map(|(k, v)| Line::from(vec![Span::styled(format!("{k}: "), theme.dim()), Span::raw(v.clone())]))
                .collect(),
            None => vec![Line::from(t(lang, "nothing_found"))],
        };
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }).render(area, buf);
    }
}

/// A record's JSON as `(label, value)` lines: names instead of ids where known.
fn json_lines(v: &Value, lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Value::Object(m) = v else { return out };
    for (k, val) in m {
        if k == "id"
            || k.ends_with("_name")
            || matches!(k.as_str(), "leader" | "contact" | "partnership" | "needs" | "meeting")
        {
            continue;
        }
        let label = match t(lang, k) {
            "?" => k.clone(),
            l => l.to_string(),
        };
        match val {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(s) => out.push((label, s.clone())),
            Value::Array(a) if a.is_empty() => {}
            Value::Array(a) => {
                let items: Vec<String> = a
                    .iter()
                    .map(|x| match x {
                        Value::String(s) => s.clone(),
                        Value::Object(o) => {
                            let name = o.get("name").or_else(|| o.get("text")).and_then(Value::as_str).unwrap_or("");
                            let extra = ["role", "due"]
                                .iter()
                                .filter_map(|f| o.get(*f).and_then(Value::as_str))
                                .collect::<Vec<_>>()
                                .join(", ");
                            let done = if o.get("done").and_then(Value::as_bool) == Some(true) { " ✓" } else { "" };
                            if extra.is_empty() { format!("{name}{done}") } else { format!("{name} ({extra}){done}") }
                        }
                        other => other.to_string(),
                    })
                    .collect();
                out.push((label, items.join("; ")));
            }
            other => out.push((label, other.to_string())),
        }
    }
    if let Some(Value::String(l)) = m.get("leader_name") {
        out.insert(0, (t(lang, "leader").to_string(), l.clone()));
    }
    if let Some(Value::String(c)) = m.get("contact_name") {
        out.push((t(lang, "contact").to_string(), c.clone()));
    }
    out
}

/// The generic read-only list as a pane: what the resources pane was before it got a
/// view of its own.
impl super::view::View for Pane {
    fn contexts(&self) -> Vec<super::keymap::Context> {
        Vec::new()
    }

    fn on_action(&mut self, env: &super::view::Env, action: super::keymap::Action) -> Option<super::view::Effect> {
        use super::keymap::Action::*;
        use super::view::Effect;
        let delta = match action {
            Down => 1,
            Up => -1,
            PageDown => self.page as isize,
            PageUp => -(self.page as isize),
            Top => isize::MIN / 2,
            Bottom => isize::MAX / 2,
            Open => {
                let (row, lines) = (self.rows.get(self.selected)?, self.details.get(self.selected)?);
                let title = row.1.iter().find(|c| !c.is_empty()).cloned().unwrap_or_default();
                return Some(Effect::Popup(super::app::Popup::Record { title, lines: lines.clone(), scroll: 0 }));
            }
            _ => return None,
        };
        let _ = env;
        self.move_by(delta);
        Some(Effect::None)
    }

    fn activate(&mut self, env: &super::view::Env) -> super::view::Effect {
        if self.loaded {
            return super::view::Effect::None;
        }
        let names = dump::participant_names(env.store).unwrap_or_default();
        match self.load(env.store, &names, env.lang) {
            Ok(()) => super::view::Effect::None,
            Err(e) => super::view::Effect::Status(e.to_string()),
        }
    }

    fn data_changed(&mut self) {
        self.loaded = false;
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &super::view::Env) {
        let (list, detail) = super::split(area);
        self.render_list(list, buf, env.theme, env.lang);
        self.render_detail(detail, buf, env.theme, env.lang);
    }

    fn count(&self) -> String {
        self.rows.len().to_string()
    }

    fn hints(&self) -> Vec<super::keymap::Action> {
        Vec::new()
    }
}
