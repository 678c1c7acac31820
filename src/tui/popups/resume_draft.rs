//! At start: a capture the last run did not save. Enter resumes it, `d` drops it.

use super::capture::Capture;
use super::{centered, frame};
use crate::capture::CaptureDraft;
use crate::i18n::t;
use crate::tui::keymap::Action;
use crate::tui::view::{Effect, Env, Layer, View};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct ResumeDraft(pub CaptureDraft);

impl View for ResumeDraft {
    fn kind(&self) -> &'static str {
        "resume_draft"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn typing(&self) -> bool {
        true
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        if !matches!(ev.code, KeyCode::Char('d' | 'D')) {
            return None;
        }
        Some(match env.drafts.write(&env.store, None, true) {
            Ok(()) => Effect::Close,
            Err(e) => Effect::Many(vec![Effect::Close, Effect::Status(e)]),
        })
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        (action == Action::Confirm).then(|| Effect::Replace(Box::new(Capture::from_draft(&self.0, env.lang))))
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let d = &self.0;
        let r = centered(area, 64, 8);
        let who = d.attendees.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ");
        let first = d.notes.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Clear.render(r, buf);
        Paragraph::new(vec![
            Line::from(format!("{} · {} · {}", d.date, d.place, who)),
            Line::from(Span::styled(first.to_string(), env.theme.dim())),
            Line::from(""),
            Line::from(t(env.lang, "draft_keys")),
        ])
        .block(frame(&env.theme, t(env.lang, "draft_found")))
        .wrap(Wrap { trim: false })
        .render(r, buf);
    }
}
