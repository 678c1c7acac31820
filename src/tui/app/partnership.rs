//! The partnership editor's dialog as the app runs it: opened from pane 4, keyed,
//! saved and drawn. Its state is `tui::partnership`'s.

use super::*;
use crate::graph::partnership::save;
use crate::model::Kind;
use crate::tui::keymap::Lookup;
use crate::tui::partnership::*;

impl App {
    /// Pane 4, `a` (None) or `e`: open the editor.
    pub(crate) fn open_partnership(&mut self, id: Option<Id>) {
        match Editor::open(&self.store, id, self.lang) {
            Ok(e) => self.popups.push(Popup::Partnership(Box::new(Dialog::Edit(Box::new(e))))),
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    /// Pane 4, `d`: ask before deleting the partnership being filtered on (or the only
    /// one of the selected organisation).
    pub(crate) fn ask_delete_partnership(&mut self) {
        let Some(id) = self.graph.partnership_to_edit() else {
            self.status = Some(t(self.lang, "choose_partnership").to_string());
            return;
        };
        let name = self
            .store
            .doc(Entity::Partnership, id)
            .ok()
            .flatten()
            .and_then(|d| d.string("name"))
            .unwrap_or_else(|| id.short());
        self.popups.push(Popup::Partnership(Box::new(Dialog::Delete { id, name })));
    }

    /// Pane 4, `e`: edit the partnership filtered on, or the selected organisation's.
    pub(crate) fn edit_partnership(&mut self) {
        match self.graph.partnership_to_edit() {
            Some(id) => self.open_partnership(Some(id)),
            None => self.status = Some(t(self.lang, "choose_partnership").to_string()),
        }
    }

    /// Every key while the partnership dialog is open.
    pub(crate) fn partnership_key(&mut self, ev: KeyEvent, printable: Option<char>) -> Request {
        let popup =
            matches!(self.popups.last(), Some(Popup::Partnership(d)) if matches!(d.as_ref(), Dialog::Delete { .. }));
        let contexts: &[Context] =
            if popup { &[Context::Popup, Context::Global] } else { &[Context::Form, Context::Global] };
        let action = match self.keymap.lookup(contexts, &[Key::from_event(&ev)]) {
            Lookup::Run(a) => Some(a),
            _ => None,
        };
        let lang = self.lang;
        let Some(Popup::Partnership(dialog)) = self.popups.last_mut() else { return Request::None };
        let e = match dialog.as_mut() {
            Dialog::Delete { id, .. } => {
                let id = *id;
                if action == Some(Action::Confirm) {
                    self.popups.pop();
                    return match crate::edit::delete(&self.store, Entity::Partnership, id) {
                        Ok(()) => {
                            self.graph.partnership = None;
                            self.status = Some(t(lang, "partnership_deleted").to_string());
                            Request::Reload
                        }
                        Err(err) => {
                            self.popups.push(Popup::Message(err.to_string()));
                            Request::None
                        }
                    };
                }
                if action == Some(Action::Cancel) {
                    self.popups.pop();
                }
                return Request::None;
            }
            Dialog::Edit(e) => e,
        };
        e.error = None;
        let mut search = false;
        let has_cands = !e.candidates.is_empty();
        match (e.focus, printable, ev.code) {
            // Goals: multi-line; Up leaves from the first line.
            (Focus::Goals, Some(c), _) => e.goals.insert(c),
            (Focus::Goals, _, KeyCode::Enter) => e.goals.newline(),
            (Focus::Goals, _, KeyCode::Backspace) => e.goals.backspace(),
            (Focus::Goals, _, KeyCode::Delete) => e.goals.delete(),
            (Focus::Goals, _, KeyCode::Left) => e.goals.left(),
            (Focus::Goals, _, KeyCode::Right) => e.goals.right(),
            (Focus::Goals, _, KeyCode::Up) => {
                if !e.goals.up() {
                    e.prev();
                }
            }
            (Focus::Goals, _, KeyCode::Down) => {
                if !e.goals.down() {
                    e.next();
                }
            }
            (_, _, KeyCode::Up) if has_cands => e.cand = e.cand.saturating_sub(1),
            (_, _, KeyCode::Down) if has_cands => e.cand = (e.cand + 1).min(e.candidates.len() - 1),
            (Focus::Status, _, KeyCode::Left | KeyCode::Right) => {
                e.step_status(if ev.code == KeyCode::Left { -1 } else { 1 });
            }
            (Focus::Members, _, KeyCode::Backspace) if e.member_query.value.is_empty() => {
                e.members.pop();
            }
            (Focus::Meetings, _, KeyCode::Backspace) if e.meetings_query.value.is_empty() => {
                e.meetings.pop();
            }
            (focus, _, KeyCode::Enter) => {
                if !e.pick() {
                    match focus {
                        // After a member's date, the next member's name.
                        Focus::Joined(_) => e.focus = Focus::Members,
                        // An empty name line: the members are done.
                        _ => e.next(),
                    }
                }
            }
            (_, Some(c), _) => {
                if let Some(f) = e.line() {
                    f.insert(c);
                    search = true;
                }
            }
            (_, _, KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right) => {
                if let Some(f) = e.line() {
                    match ev.code {
                        KeyCode::Backspace => f.backspace(),
                        KeyCode::Delete => f.delete(),
                        KeyCode::Left => f.left(),
                        _ => f.right(),
                    }
                    search = true;
                }
            }
            (_, _, KeyCode::Down) => e.next(),
            (_, _, KeyCode::Up) => e.prev(),
            _ => match action {
                Some(Action::Save) => return self.save_partnership(),
                Some(Action::NextField) => e.next(),
                Some(Action::PrevField) => e.prev(),
                Some(Action::Cancel) => {
                    self.popups.pop();
                    return Request::None;
                }
                Some(Action::Quit) => return Request::Quit,
                Some(Action::Suspend) => return Request::Suspend,
                _ => {}
            },
        }
        if search {
            // Typing over a picked name means it is no longer the one picked.
            match e.focus {
                Focus::Leader => e.leader_id = None,
                Focus::Meeting => e.meeting_id = None,
                _ => {}
            }
            self.partnership_candidates();
        }
        Request::None
    }

    /// Candidates for the focused picking line: organisations for the leader, anyone
    /// not yet in for a member, meetings for the meeting lines.
    fn partnership_candidates(&mut self) {
        let Some(Popup::Partnership(d)) = self.popups.last() else { return };
        let Dialog::Edit(e) = d.as_ref() else { return };
        let q = e.query().trim().to_string();
        let out = match e.focus {
            Focus::Leader => self.participant_candidates(&q, &|r| r.kind == Kind::Org, 4),
            Focus::Members => {
                // Organisations first: a partnership is mostly of institutions, and the
                // search also finds the people who work at one by its name.
                let free = |r: &super::participants::Row| !e.members.iter().any(|m| m.id == r.id);
                let mut v = self.participant_candidates(&q, &|r| r.kind == Kind::Org && free(r), 4);
                let more = 4 - v.len();
                if more > 0 {
                    v.extend(self.participant_candidates(&q, &|r| r.kind != Kind::Org && free(r), more));
                }
                v
            }
            Focus::Meeting | Focus::Meetings => e.meeting_candidates(&q),
            _ => Vec::new(),
        };
        if let Some(Popup::Partnership(d)) = self.popups.last_mut()
            && let Dialog::Edit(e) = d.as_mut()
        {
            e.candidates = out;
            e.cand = 0;
        }
    }

    fn save_partnership(&mut self) -> Request {
        let lang = self.lang;
        let Some(Popup::Partnership(d)) = self.popups.last_mut() else { return Request::None };
        let Dialog::Edit(e) = d.as_mut() else { return Request::None };
        if !e.valid() {
            e.error = Some(t(lang, "fix_errors").to_string());
            return Request::None;
        }
        match save(&self.store, e.id, &e.input()) {
            Ok(_) => {
                self.popups.pop();
                self.status = Some(t(lang, "partnership_saved").to_string());
                Request::Reload
            }
            Err(err) => {
                let msg = crate::tui::errors::save_error(lang, &err);
                e.error = Some(msg.clone());
                self.status = Some(msg);
                Request::None
            }
        }
    }

    /// The dialog, drawn over the panes.
    pub(crate) fn render_partnership(&self, d: &Dialog, area: Rect, buf: &mut Buffer) {
        match d {
            Dialog::Edit(e) => {
                let hints = [Action::Save, Action::NextField, Action::Cancel]
                    .iter()
                    .filter_map(|a| {
                        self.keymap
                            .key_for(&[Context::Form], *a)
                            .map(|k| format!("{k}: {}", crate::tui::keymap::action_label(*a, self.lang)))
                    })
                    .collect::<Vec<_>>()
                    .join("   ");
                e.render(area, buf, &self.theme, &hints);
            }
            Dialog::Delete { name, .. } => {
                let w = area.width.min(60);
                let r = Rect { x: area.x + (area.width - w) / 2, y: area.y + area.height / 3, width: w, height: 5 };
                Clear.render(r, buf);
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_set(self.theme.border())
                    .title(format!(" {} ", t(self.lang, "delete")));
                Paragraph::new(vec![
                    Line::from(format!("{} {name}?", t(self.lang, "delete_q"))),
                    Line::from(t(self.lang, "confirm_keys")),
                ])
                .block(block)
                .wrap(ratatui::widgets::Wrap { trim: false })
                .render(r, buf);
            }
        }
    }
}
