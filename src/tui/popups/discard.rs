//! Esc in a capture with something typed: throw it away (Enter), or back to it (Esc).

use super::capture::Capture;
use super::{centered, frame};
use crate::i18n::t;
use crate::tui::keymap::Action;
use crate::tui::view::{Effect, Env, Layer, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct DiscardCapture(Option<Box<Capture>>);

impl DiscardCapture {
    pub fn new(capture: Capture) -> DiscardCapture {
        DiscardCapture(Some(Box::new(capture)))
    }
}

impl View for DiscardCapture {
    fn kind(&self) -> &'static str {
        "discard_capture"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        match action {
            Action::Confirm => Some(match env.drafts.write(&env.store, None, true) {
                Ok(()) => Effect::Close,
                Err(e) => Effect::Many(vec![Effect::Close, Effect::Status(e)]),
            }),
            Action::Cancel => Some(match self.0.take() {
                Some(c) => Effect::Replace(c),
                None => Effect::Close,
            }),
            _ => None,
        }
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let r = centered(area, 60, 5);
        Clear.render(r, buf);
        Paragraph::new(vec![Line::from(t(env.lang, "discard_q")), Line::from(t(env.lang, "discard_keys"))])
            .block(frame(&env.theme, t(env.lang, "discard")))
            .wrap(Wrap { trim: false })
            .render(r, buf);
    }
}
