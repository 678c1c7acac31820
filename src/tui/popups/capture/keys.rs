//! Quick capture's keys, its draft written as it is typed, the attendee search,
//! the external editor and saving.

use super::*;
use crate::tui::keymap::{Action, Context, Key, Lookup};
use crate::tui::panes::meetings::MeetingSaved;
use crate::tui::popups::discard::DiscardCapture;
use crate::tui::view::{Effect, Env, Layer, View};
use crate::tui::widgets::{is_edit, printable};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

impl Capture {
    /// Every key: text goes to the focused field or the notes; Enter in the attendee
    /// search adds the highlighted person; the keymap's form keys save, move between
    /// fields and cancel.
    fn key(&mut self, env: &Env, ev: KeyEvent) -> Effect {
        let printable = printable(&ev);
        let c = self;
        c.error = None;
        let (mut changed, mut left, mut search) = (false, false, false);
        let empty_query = c.query.value.is_empty();
        let text_key = matches!(c.focus, NOTES | FOLLOWUPS)
            && (printable.is_some()
                || matches!(
                    ev.code,
                    KeyCode::Enter
                        | KeyCode::Backspace
                        | KeyCode::Delete
                        | KeyCode::Left
                        | KeyCode::Right
                        | KeyCode::Home
                        | KeyCode::End
                        | KeyCode::Up
                        | KeyCode::Down
                ));
        match (c.focus, printable, ev.code) {
            // Notes and follow-ups: multi-line; Up/Down leave them at the first/last line.
            _ if text_key => {
                let (mut up_out, mut down_out) = (false, false);
                if let Some(a) = c.text_area() {
                    match (printable, ev.code) {
                        (Some(ch), _) => a.insert(ch),
                        (_, KeyCode::Enter) => a.newline(),
                        (_, KeyCode::Backspace) => a.backspace(),
                        (_, KeyCode::Delete) => a.delete(),
                        (_, KeyCode::Left) => a.left(),
                        (_, KeyCode::Right) => a.right(),
                        (_, KeyCode::Home) => a.home(),
                        (_, KeyCode::End) => a.end(),
                        (_, KeyCode::Up) => up_out = !a.up(),
                        _ => down_out = !a.down(),
                    }
                }
                changed =
                    printable.is_some() || matches!(ev.code, KeyCode::Enter | KeyCode::Backspace | KeyCode::Delete);
                if up_out {
                    c.prev();
                    left = true;
                } else if down_out && c.focus == NOTES {
                    c.next();
                    left = true;
                }
            }
            (ATTENDEES, _, KeyCode::Up) if !empty_query => c.cand = c.cand.saturating_sub(1),
            (ATTENDEES, _, KeyCode::Down) if !empty_query => c.cand = (c.cand + 1).min(c.candidates.len()),
            (ATTENDEES, _, KeyCode::Enter) => {
                if c.pick() {
                    changed = true;
                    left = true;
                } else {
                    c.next();
                    left = true;
                }
            }
            (ATTENDEES, _, KeyCode::Backspace) if empty_query => {
                changed = c.chips.pop().is_some();
                left = changed;
            }
            (TYPE, _, KeyCode::Left | KeyCode::Right) => {
                c.step_type(if ev.code == KeyCode::Left { -1 } else { 1 });
                changed = true;
            }
            (focus, _, _) if printable.is_some() || is_edit(ev.code) => {
                if let Some(f) = c.line()
                    && f.edit(&ev)
                {
                    changed = true;
                    search = focus == ATTENDEES;
                }
            }
            (_, _, KeyCode::Enter | KeyCode::Down) => {
                c.next();
                left = true;
            }
            (_, _, KeyCode::Up) => {
                c.prev();
                left = true;
            }
            _ => match env.keymap.lookup(&[Context::Form, Context::Global], &[Key::from_event(&ev)]) {
                Lookup::Run(Action::Save) => return c.save(env),
                Lookup::Run(Action::NextField) => {
                    c.next();
                    left = true;
                }
                Lookup::Run(Action::PrevField) => {
                    c.prev();
                    left = true;
                }
                Lookup::Run(Action::Cancel) => {
                    if c.to_draft().has_content() {
                        let taken = std::mem::replace(c, Capture::from_draft(&CaptureDraft::default(), c.lang));
                        return Effect::Replace(Box::new(DiscardCapture::new(taken)));
                    }
                    return match env.drafts.write(&env.store, None, true) {
                        Ok(()) => Effect::Close,
                        Err(e) => Effect::Many(vec![Effect::Close, Effect::Status(e)]),
                    };
                }
                Lookup::Run(Action::Quit) => {
                    // Whatever was typed is on disk before the app goes.
                    let d = c.to_draft();
                    return match env.drafts.write_here(&env.store, d.has_content().then(|| d.to_bytes())) {
                        Ok(()) => Effect::Quit,
                        Err(e) => Effect::Status(e),
                    };
                }
                Lookup::Run(Action::Suspend) => return Effect::Suspend,
                Lookup::Run(Action::ExternalEditor) => {
                    // The draft is on disk before the terminal is handed over.
                    return match c.draft_changed(env, true) {
                        None => Effect::Editor,
                        Some(e) => Effect::Status(e),
                    };
                }
                _ => {}
            },
        }
        if search {
            c.update_candidates(env);
        }
        if (changed || left)
            && let Some(e) = c.draft_changed(env, left)
        {
            return Effect::Status(e);
        }
        Effect::None
    }

    /// Keep the draft: the message to show when it could not be written.
    fn draft_changed(&self, env: &Env, now: bool) -> Option<String> {
        let d = self.to_draft();
        env.drafts.write(&env.store, d.has_content().then(|| d.to_bytes()), now).err()
    }

    fn update_candidates(&mut self, env: &Env) {
        let q = self.query.value.trim().to_string();
        let out = env.people.candidates(&q, &|r| !self.chosen(r.id), 4);
        self.set_candidates(out);
    }

    fn save(&mut self, env: &Env) -> Effect {
        if !self.valid() {
            self.error = Some(t(env.lang, "fix_errors").to_string());
            return Effect::None;
        }
        // A name typed but not yet added counts: Ctrl-S means "that's everyone".
        if !self.query.value.trim().is_empty() {
            self.pick();
        }
        match crate::capture::save(&env.store, &self.to_draft()) {
            Ok(id) => {
                env.drafts.saved();
                Effect::Many(vec![
                    Effect::Close,
                    Effect::Status(t(env.lang, "meeting_saved").to_string()),
                    Effect::Tell(Box::new(MeetingSaved(id))),
                    Effect::Changed,
                ])
            }
            Err(e) => {
                let msg = crate::tui::errors::save_error(env.lang, &e);
                self.error = Some(msg.clone());
                // Also on the status line, where every failed save shows.
                Effect::Status(msg)
            }
        }
    }
}

impl View for Capture {
    fn kind(&self) -> &'static str {
        "capture"
    }

    fn layer(&self) -> Layer {
        Layer::Form
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        Some(self.key(env, ev))
    }

    /// Run the external editor `cmd` on the notes (or the follow-ups, when in focus)
    /// and take back what it wrote.
    fn editor(&mut self, env: &Env, cmd: &str) -> Effect {
        let text = self.editor_target().text();
        let msg = match crate::tui::editor::edit_text(cmd, &text) {
            Ok(new) => {
                *self.editor_target() = TextArea::new(&new);
                return match self.draft_changed(env, true) {
                    None => Effect::Status(t(env.lang, "editor_done").to_string()),
                    Some(e) => Effect::Status(e),
                };
            }
            Err(crate::tui::editor::EditorError::Start(why)) => {
                t(env.lang, "editor_cannot_start").replace("{cmd}", cmd).replace("{why}", &why)
            }
            Err(crate::tui::editor::EditorError::Exit(code)) => {
                t(env.lang, "editor_exit").replace("{cmd}", cmd).replace("{code}", &code.to_string())
            }
            Err(crate::tui::editor::EditorError::Io(e)) => t(env.lang, "editor_io").replace("{why}", &e.to_string()),
        };
        // Shown in the form, where the user is looking; the notes stay as they were.
        self.error = Some(msg);
        Effect::None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        self.draw(area, buf, env);
    }
}
