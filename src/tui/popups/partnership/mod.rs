//! The partnership editor of pane 4 (`a` adds, `e` edits, `d` deletes): name, leader
//! organisation, start, status, the inaugural meeting, goals, the members — each picked
//! by typing part of a name, then given a role and a joining date — and the meetings
//! that belong to the partnership.
//!
//! The state and drawing live here; its keys and saving in `keys.rs`, the delete
//! question in `delete.rs`. Leader and member candidates come from the same
//! participants search as the capture form's attendees (`Env::people`); saving goes
//! through [`crate::graph::partnership::save`], so the app and `teren partnership add`
//! check and write the same way.

mod delete;
mod keys;

pub use delete::DeletePartnership;
pub use keys::{ask_delete, open};

use crate::graph::partnership::{Input, MemberSpec, meetings_of};
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Meeting, Partnership, PartnershipStatus, validate};
use crate::search::Entry;
use crate::store::Store;
use crate::tui::form::{self, Field};
use crate::tui::panes::participants::Candidate;
use crate::tui::theme::Theme;
use crate::tui::widgets::TextArea;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget};
use std::collections::HashMap;
use unicode_width::UnicodeWidthStr;

/// Where the keyboard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Name,
    Leader,
    Started,
    Status,
    Meeting,
    Goals,
    /// The line where a member's name is typed.
    Members,
    Role(usize),
    Joined(usize),
    Meetings,
}

/// A member: who, and their role and joining date as typed.
pub struct MemberRow {
    pub id: Id,
    pub name: String,
    pub role: Field,
    pub joined: Field,
}

pub struct Editor {
    /// None: a new partnership.
    pub id: Option<Id>,
    pub name: Field,
    /// The leader's name as typed; `leader_id` once picked from the candidates.
    pub leader: Field,
    pub leader_id: Option<Id>,
    pub started: Field,
    pub status: Field,
    pub meeting: Field,
    pub meeting_id: Option<Id>,
    pub goals: TextArea,
    pub member_query: Field,
    pub members: Vec<MemberRow>,
    pub meetings_query: Field,
    /// Meetings that belong to the partnership: id and label.
    pub meetings: Vec<(Id, String)>,
    pub candidates: Vec<Candidate>,
    pub cand: usize,
    pub focus: Focus,
    pub error: Option<String>,
    /// Every live meeting, newest first, with its label, for the meeting fields.
    meeting_list: Vec<(Id, String)>,
    meeting_entries: Vec<Entry>,
    /// First member row drawn.
    offset: usize,
    lang: Lang,
}

fn date_or_empty(s: &str, lang: Lang) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { validate::date(s).map(|_| ()).map_err(|e| e.message(lang).to_string()) }
}

fn status(s: &str, lang: Lang) -> Result<(), String> {
    PartnershipStatus::parse(s).map(|_| ()).map_err(|e| e.message(lang))
}

/// "2010-12-15 Dobiegniew — Spotkanie inauguracyjne" (the type when it has no title).
fn meeting_label(m: &Meeting, lang: Lang) -> String {
    let mut s = m.date.map(|d| d.to_string()).unwrap_or_default();
    let title = m.title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(m.kind.label(lang));
    if let Some(place) = m.place.as_deref().filter(|p| !p.trim().is_empty()) {
        s.push_str(if s.is_empty() { "" } else { " " });
        s.push_str(place.trim());
    }
    s.push_str(if s.is_empty() { "" } else { " — " });
    s.push_str(title.trim());
    s
}

impl Editor {
    /// A new partnership (`id` None) or the stored one, with the meetings to pick from.
    pub fn open(store: &Store, id: Option<Id>, lang: Lang) -> crate::store::Result<Editor> {
        let p = match id {
            Some(id) => store.doc(Entity::Partnership, id)?.map(|d| Partnership::from_doc(id, &d)),
            None => None,
        };
        let mut meetings: Vec<Meeting> = Vec::new();
        store.for_each_view(Entity::Meeting, |mid, doc| {
            if !doc.is_deleted() {
                meetings.push(Meeting::from_doc(mid, &doc));
            }
        })?;
        meetings.sort_by(|a, b| b.date.cmp(&a.date).then(a.id.cmp(&b.id)));
        let meeting_list: Vec<(Id, String)> = meetings.iter().map(|m| (m.id, meeting_label(m, lang))).collect();
        let meeting_entries = meeting_list.iter().map(|(_, l)| Entry::new([l.as_str()])).collect();
        let labels: HashMap<Id, String> = meeting_list.iter().cloned().collect();
        let name_of = |pid: Id| {
            store.doc(Entity::Participant, pid).ok().flatten().and_then(|d| d.string("name")).unwrap_or(pid.short())
        };
        let l = lang;
        let v = |f: &dyn Fn(&Partnership) -> Option<String>| p.as_ref().and_then(f).unwrap_or_default();
        let members = p
            .as_ref()
            .map(|p| {
                // The leader first, then by joining date and name: the order they came in.
                let mut ms: Vec<&crate::model::Member> = p.members.iter().collect();
                let names: HashMap<Id, String> = ms.iter().map(|m| (m.participant, name_of(m.participant))).collect();
                ms.sort_by_key(|m| (Some(m.participant) != p.leader, m.joined, names.get(&m.participant).cloned()));
                ms.into_iter()
                    .map(|m| MemberRow {
                        id: m.participant,
                        name: names.get(&m.participant).cloned().unwrap_or_default(),
                        role: Field::new("role", t(l, "role"), m.role.as_deref().unwrap_or(""), form::any, l),
                        joined: Field::new(
                            "joined",
                            t(l, "joined"),
                            &m.joined.map(|d| d.to_string()).unwrap_or_default(),
                            date_or_empty,
                            l,
                        ),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let belonging = match id {
            Some(id) => meetings_of(store, id)?
                .into_iter()
                .filter(|m| p.as_ref().is_none_or(|p| p.meeting != Some(*m)))
                .map(|m| (m, labels.get(&m).cloned().unwrap_or(m.short())))
                .collect(),
            None => Vec::new(),
        };
        let status_now = p
            .as_ref()
            .map(|p| p.status.label(l).to_string())
            .unwrap_or_else(|| PartnershipStatus::Forming.label(l).to_string());
        Ok(Editor {
            id,
            name: Field::new("name", t(l, "name"), &v(&|p| Some(p.name.clone())), form::required_name, l),
            leader: Field::new("leader", t(l, "leader"), &v(&|p| p.leader.map(name_of)), form::any, l),
            leader_id: p.as_ref().and_then(|p| p.leader),
            started: Field::new(
                "started",
                t(l, "started"),
                &v(&|p| p.started.map(|d| d.to_string())),
                date_or_empty,
                l,
            ),
            status: Field::new("status", t(l, "status"), &status_now, status, l),
            meeting: Field::new(
                "meeting",
                t(l, "inaugural_meeting"),
                &v(&|p| p.meeting.map(|m| labels.get(&m).cloned().unwrap_or(m.short()))),
                form::any,
                l,
            ),
            meeting_id: p.as_ref().and_then(|p| p.meeting),
            goals: TextArea::new(&v(&|p| p.goals.clone())),
            member_query: Field::new("members", t(l, "members"), "", form::any, l),
            members,
            meetings_query: Field::new("meetings", t(l, "partnership_meetings"), "", form::any, l),
            meetings: belonging,
            candidates: Vec::new(),
            cand: 0,
            focus: Focus::Name,
            error: None,
            meeting_list,
            meeting_entries,
            offset: 0,
            lang,
        })
    }

    /// Every place the focus can be, in order.
    fn order(&self) -> Vec<Focus> {
        let mut v = vec![Focus::Name, Focus::Leader, Focus::Started, Focus::Status, Focus::Meeting, Focus::Goals];
        v.push(Focus::Members);
        for i in 0..self.members.len() {
            v.extend([Focus::Role(i), Focus::Joined(i)]);
        }
        v.push(Focus::Meetings);
        v
    }

    pub fn next(&mut self) {
        self.step(1);
    }

    pub fn prev(&mut self) {
        self.step(-1);
    }

    fn step(&mut self, d: isize) {
        let order = self.order();
        let i = order.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        self.focus = order[(i + d).rem_euclid(order.len() as isize) as usize];
        self.candidates.clear();
        self.cand = 0;
    }

    /// The one-line field in focus (None on the goals).
    pub fn line(&mut self) -> Option<&mut Field> {
        Some(match self.focus {
            Focus::Name => &mut self.name,
            Focus::Leader => &mut self.leader,
            Focus::Started => &mut self.started,
            Focus::Status => &mut self.status,
            Focus::Meeting => &mut self.meeting,
            Focus::Goals => return None,
            Focus::Members => &mut self.member_query,
            Focus::Role(i) => &mut self.members.get_mut(i)?.role,
            Focus::Joined(i) => &mut self.members.get_mut(i)?.joined,
            Focus::Meetings => &mut self.meetings_query,
        })
    }

    /// Whether the focus is on a line that offers candidates.
    fn picks(&self) -> bool {
        matches!(self.focus, Focus::Leader | Focus::Meeting | Focus::Members | Focus::Meetings)
    }

    /// The query of the focused picking line.
    pub(crate) fn query(&self) -> &str {
        match self.focus {
            Focus::Leader => &self.leader.value,
            Focus::Meeting => &self.meeting.value,
            Focus::Members => &self.member_query.value,
            Focus::Meetings => &self.meetings_query.value,
            _ => "",
        }
    }

    /// Meetings matching `q`, best first.
    pub(crate) fn meeting_candidates(&self, q: &str) -> Vec<Candidate> {
        if q.trim().is_empty() {
            return Vec::new();
        }
        crate::search::search(&self.meeting_entries, q, None)
            .into_iter()
            .filter_map(|h| self.meeting_list.get(h.index))
            .filter(|(id, _)| !self.meetings.iter().any(|(m, _)| m == id))
            .take(4)
            .map(|(id, label)| Candidate { id: *id, name: label.clone(), hint: String::new() })
            .collect()
    }

    /// Left/Right on the status step through the statuses.
    pub(crate) fn step_status(&mut self, d: isize) {
        let all = PartnershipStatus::ALL;
        let cur = PartnershipStatus::parse(&self.status.value).ok();
        let i = cur.and_then(|c| all.iter().position(|x| *x == c)).unwrap_or(0) as isize;
        let next = all[(i + d).rem_euclid(all.len() as isize) as usize];
        self.status = Field::new("status", t(self.lang, "status"), next.label(self.lang), status, self.lang);
    }

    /// Enter on a picking line: take the highlighted candidate. False when there was none.
    pub(crate) fn pick(&mut self) -> bool {
        let Some(c) = self.candidates.get(self.cand).cloned() else { return false };
        let l = self.lang;
        match self.focus {
            Focus::Leader => {
                self.leader = Field::new("leader", t(l, "leader"), &c.name, form::any, l);
                self.leader_id = Some(c.id);
                self.focus = Focus::Started;
            }
            Focus::Meeting => {
                self.meeting = Field::new("meeting", t(l, "inaugural_meeting"), &c.name, form::any, l);
                self.meeting_id = Some(c.id);
                self.focus = Focus::Goals;
            }
            Focus::Members => {
                self.members.push(MemberRow {
                    id: c.id,
                    name: c.name,
                    role: Field::new("role", t(l, "role"), "", form::any, l),
                    joined: Field::new("joined", t(l, "joined"), "", date_or_empty, l),
                });
                self.member_query = Field::new("members", t(l, "members"), "", form::any, l);
                // Straight on to the role: name, role, date, next name.
                self.focus = Focus::Role(self.members.len() - 1);
            }
            Focus::Meetings => {
                self.meetings.push((c.id, c.name));
                self.meetings_query = Field::new("meetings", t(l, "partnership_meetings"), "", form::any, l);
            }
            _ => return false,
        }
        self.candidates.clear();
        self.cand = 0;
        true
    }

    pub fn valid(&self) -> bool {
        [&self.name, &self.started, &self.status].iter().all(|f| f.error.is_none())
            && self.members.iter().all(|m| m.joined.error.is_none())
    }

    /// What to save. Everything is given, so an edit can clear a field.
    pub fn input(&self) -> Input {
        let leader = match self.leader_id {
            Some(id) => id.to_string(),
            None => self.leader.value.trim().to_string(),
        };
        let meeting = match self.meeting_id {
            Some(id) => id.to_string(),
            None => self.meeting.value.trim().to_string(),
        };
        let code = PartnershipStatus::parse(&self.status.value).map(|s| s.code().to_string()).unwrap_or_default();
        let goals = self.goals.text();
        Input {
            name: self.name.value.trim().to_string(),
            leader: Some(leader),
            members: self
                .members
                .iter()
                .map(|m| MemberSpec {
                    who: m.id.to_string(),
                    role: Some(m.role.value.trim().to_string()),
                    joined: Some(m.joined.value.trim().to_string()),
                })
                .collect(),
            started: Some(self.started.value.trim().to_string()),
            status: Some(code),
            goals: Some(goals.trim_end().to_string()),
            meeting: Some(meeting),
            meetings: Some(self.meetings.iter().map(|(id, _)| id.to_string()).collect()),
        }
    }

    /// Draw the editor over `area`.
    pub fn draw(&self, area: Rect, buf: &mut Buffer, theme: &Theme, hints: &str) {
        let l = self.lang;
        let r = Rect {
            x: area.x + area.width.saturating_sub(78) / 2,
            y: area.y + 1,
            width: area.width.min(78),
            height: area.height.saturating_sub(2),
        };
        Clear.render(r, buf);
        let title = if self.id.is_some() { t(l, "edit_partnership") } else { t(l, "new_partnership") };
        let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(format!(" {title} "));
        let inner = block.inner(r);
        block.render(r, buf);
        if inner.height < 8 || inner.width < 30 {
            return;
        }
        let label_w = 14usize;
        let row = |y: u16| Rect { x: inner.x, y, width: inner.width, height: 1 };
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let mut y = inner.y;
        // Where the candidates go: under the focused picking line.
        let mut cand_y = None;
        let field_line = |f: &Field, focused: bool, extra: &str| {
            let mut spans = vec![
                Span::raw(if focused { ">" } else { " " }),
                Span::styled(format!("{:<w$}", short_label(&f.label, label_w - 1), w = label_w - 1), theme.dim()),
            ];
            spans.extend(f.spans(focused, theme));
            if !extra.is_empty() {
                spans.push(Span::styled(format!(" {extra}"), theme.dim()));
            }
            if let Some(e) = &f.error {
                spans.push(Span::styled(format!("  ✗ {e}"), theme.error()));
            }
            Line::from(spans).style(if focused { bold } else { Style::default() })
        };
        let picked = |set: bool| if set { "✓" } else { "" };
        for (f, focus, extra) in [
            (&self.name, Focus::Name, ""),
            (&self.leader, Focus::Leader, picked(self.leader_id.is_some())),
            (&self.started, Focus::Started, ""),
            (&self.status, Focus::Status, "‹ ›"),
            (&self.meeting, Focus::Meeting, picked(self.meeting_id.is_some())),
        ] {
            Paragraph::new(field_line(f, self.focus == focus, extra)).render(row(y), buf);
            if self.focus == focus {
                cand_y = Some(y + 1);
            }
            y += 1;
        }
        // Goals: up to three lines.
        let goals_h = 3u16;
        let text = self.goals.text();
        let (crow, ccol) = self.goals.cursor();
        let focused = self.focus == Focus::Goals;
        let first = if focused { crow.saturating_sub(goals_h as usize - 1) } else { 0 };
        for (k, line) in text.split('\n').enumerate().skip(first).take(goals_h as usize) {
            let label = if k == first { short_label(t(l, "goals"), label_w - 1) } else { String::new() };
            let mut spans = vec![
                Span::raw(if focused && k == first { ">" } else { " " }),
                Span::styled(format!("{label:<w$}", w = label_w - 1), theme.dim()),
            ];
            let room = (inner.width as usize).saturating_sub(label_w + 1);
            if focused && k == crow {
                let a: String = line.chars().take(ccol).collect();
                let b: String = line.chars().skip(ccol).collect();
                spans.extend([Span::raw(a), Span::styled("▏", theme.key()), Span::raw(b)]);
            } else {
                spans.push(Span::raw(crate::tui::panes::graph::short(line, room)));
            }
            Paragraph::new(Line::from(spans)).render(row(y + (k - first) as u16), buf);
        }
        if text.is_empty() {
            let label = short_label(t(l, "goals"), label_w - 1);
            let cursor = if focused { "▏" } else { "" };
            Paragraph::new(Line::from(vec![
                Span::raw(if focused { ">" } else { " " }),
                Span::styled(format!("{label:<w$}", w = label_w - 1), theme.dim()),
                Span::styled(cursor, theme.key()),
            ]))
            .render(row(y), buf);
        }
        y += goals_h;
        // Members: the name line, then one row each.
        let count = format!("({})", self.members.len());
        Paragraph::new(field_line(&self.member_query, self.focus == Focus::Members, &count)).render(row(y), buf);
        if self.focus == Focus::Members {
            cand_y = Some(y + 1);
        }
        y += 1;
        let bottom = inner.y + inner.height;
        let rows_h = bottom.saturating_sub(y + 2) as usize;
        let focus_row = match self.focus {
            Focus::Role(i) | Focus::Joined(i) => Some(i),
            _ => None,
        };
        let offset = focus_row.map_or(self.offset.min(self.members.len()), |i| {
            crate::tui::widgets::scroll_offset(i, self.offset, rows_h.max(1))
        });
        let name_w = (inner.width as usize).saturating_sub(44).max(12);
        for (i, m) in self.members.iter().enumerate().skip(offset).take(rows_h) {
            let cell = |f: &Field, focus: Focus, w: usize| {
                let on = self.focus == focus;
                let mut v = f.value.clone();
                if on {
                    let a: String = f.value.chars().take(f.cursor).collect();
                    let b: String = f.value.chars().skip(f.cursor).collect();
                    v = format!("{a}▏{b}");
                }
                let style = if f.error.is_some() {
                    theme.error()
                } else if on {
                    theme.selected()
                } else {
                    Style::default()
                };
                Span::styled(format!("{:<w$}", crate::tui::panes::graph::short(&v, w)), style)
            };
            let spans = vec![
                Span::raw(format!("   {:<name_w$} ", crate::tui::panes::graph::short(&m.name, name_w))),
                Span::styled(format!("{} ", t(l, "role")), theme.dim()),
                cell(&m.role, Focus::Role(i), 14),
                Span::styled(format!(" {} ", t(l, "joined")), theme.dim()),
                cell(&m.joined, Focus::Joined(i), 11),
            ];
            Paragraph::new(Line::from(spans)).render(row(y + (i - offset) as u16), buf);
        }
        y += rows_h as u16;
        // The meetings that belong.
        if y < bottom {
            let chips: Vec<String> = self.meetings.iter().map(|(_, l)| format!("[{l}]")).collect();
            let extra = chips.join(" ");
            Paragraph::new(field_line(&self.meetings_query, self.focus == Focus::Meetings, &extra)).render(row(y), buf);
            if self.focus == Focus::Meetings {
                // No room below: the candidates go above.
                cand_y = Some(y.saturating_sub(self.candidates.len() as u16));
            }
            y += 1;
        }
        if y < bottom {
            let (msg, style) = match &self.error {
                Some(e) => (e.clone(), theme.error()),
                None => (hints.to_string(), theme.dim()),
            };
            Paragraph::new(Span::styled(crate::tui::panes::graph::short(&msg, inner.width as usize), style))
                .render(row(y), buf);
        }
        // Candidates over whatever is below the line being typed.
        if let Some(cy) = cand_y.filter(|_| self.picks() && !self.query().trim().is_empty()) {
            let x = inner.x + label_w as u16;
            let w = inner.width.saturating_sub(label_w as u16);
            for (k, c) in self.candidates.iter().enumerate() {
                let yy = cy + k as u16;
                if yy >= bottom {
                    break;
                }
                let sel = k == self.cand;
                let text = if c.hint.is_empty() { c.name.clone() } else { format!("{} ({})", c.name, c.hint) };
                let line = format!(
                    "{} {}",
                    if sel { ">" } else { " " },
                    crate::tui::panes::graph::short(&text, w as usize - 2)
                );
                let r = Rect { x, y: yy, width: w, height: 1 };
                Clear.render(r, buf);
                Paragraph::new(Span::styled(line, if sel { theme.selected() } else { theme.dim() })).render(r, buf);
            }
        }
    }
}

fn short_label(s: &str, w: usize) -> String {
    if s.width() <= w { s.to_string() } else { crate::tui::panes::graph::short(s, w) }
}
