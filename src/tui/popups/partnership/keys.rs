//! The partnership editor's keys, candidates and saving, and how pane 4 opens it.

use super::*;
use crate::graph::partnership::save;
use crate::model::Kind;
use crate::tui::keymap::{Action, Context, Key, Lookup};
use crate::tui::popups::form_hints;
use crate::tui::view::{Effect, Env, Layer, View};
use crate::tui::widgets::printable;
use crossterm::event::{KeyCode, KeyEvent};

/// Pane 4, `a` (None) or `e`: the editor.
pub fn open(env: &Env, id: Option<Id>) -> Effect {
    match Editor::open(&env.store, id, env.lang) {
        Ok(e) => Effect::Popup(Box::new(e)),
        Err(e) => Effect::Status(e.to_string()),
    }
}

/// Pane 4, `d`: ask before deleting the partnership (None: there is none to delete).
pub fn ask_delete(env: &Env, id: Option<Id>) -> Effect {
    let Some(id) = id else {
        return Effect::Status(t(env.lang, "choose_partnership").to_string());
    };
    let name = env
        .store
        .doc(Entity::Partnership, id)
        .ok()
        .flatten()
        .and_then(|d| d.string("name"))
        .unwrap_or_else(|| id.short());
    Effect::Popup(Box::new(DeletePartnership::new(id, name)))
}

impl Editor {
    /// Every key while the editor is open.
    fn key(&mut self, env: &Env, ev: KeyEvent) -> Effect {
        let printable = printable(&ev);
        let action = match env.keymap.lookup(&[Context::Form, Context::Global], &[Key::from_event(&ev)]) {
            Lookup::Run(a) => Some(a),
            _ => None,
        };
        let e = self;
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
            (_, _, code) if printable.is_some() || crate::tui::widgets::is_edit(code) => {
                search = e.line().is_some_and(|f| f.edit(&ev));
            }
            (_, _, KeyCode::Down) => e.next(),
            (_, _, KeyCode::Up) => e.prev(),
            _ => match action {
                Some(Action::Save) => return e.save(env),
                Some(Action::NextField) => e.next(),
                Some(Action::PrevField) => e.prev(),
                Some(Action::Cancel) => return Effect::Close,
                Some(Action::Quit) => return Effect::Quit,
                Some(Action::Suspend) => return Effect::Suspend,
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
            e.update_candidates(env);
        }
        Effect::None
    }

    /// Candidates for the focused picking line: organisations for the leader, anyone
    /// not yet in for a member, meetings for the meeting lines.
    fn update_candidates(&mut self, env: &Env) {
        let e = &*self;
        let people = &env.people;
        let q = e.query().trim().to_string();
        let out = match e.focus {
            Focus::Leader => people.candidates(&q, &|r| r.kind == Kind::Org, 4),
            Focus::Members => {
                // Organisations first: a partnership is mostly of institutions, and the
                // search also finds the people who work at one by its name.
                let free = |r: &crate::tui::panes::participants::Row| !e.members.iter().any(|m| m.id == r.id);
                let mut v = people.candidates(&q, &|r| r.kind == Kind::Org && free(r), 4);
                let more = 4 - v.len();
                if more > 0 {
                    v.extend(people.candidates(&q, &|r| r.kind != Kind::Org && free(r), more));
                }
                v
            }
            Focus::Meeting | Focus::Meetings => e.meeting_candidates(&q),
            _ => Vec::new(),
        };
        self.candidates = out;
        self.cand = 0;
    }

    fn save(&mut self, env: &Env) -> Effect {
        if !self.valid() {
            self.error = Some(t(env.lang, "fix_errors").to_string());
            return Effect::None;
        }
        match save(&env.store, self.id, &self.input()) {
            Ok(_) => Effect::Many(vec![
                Effect::Close,
                Effect::Status(t(env.lang, "partnership_saved").to_string()),
                Effect::Changed,
            ]),
            Err(err) => {
                let msg = crate::tui::errors::save_error(env.lang, &err);
                self.error = Some(msg.clone());
                Effect::Status(msg)
            }
        }
    }
}

impl View for Editor {
    fn kind(&self) -> &'static str {
        "partnership"
    }

    fn layer(&self) -> Layer {
        Layer::Form
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        Some(self.key(env, ev))
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let hints = form_hints(env, &[Action::Save, Action::NextField, Action::Cancel]);
        self.draw(area, buf, &env.theme, &hints);
    }
}
