//! A message to read and dismiss (a save or a delete that failed).

use super::{centered, frame};
use crate::tui::keymap::Action;
use crate::tui::view::{Effect, Env, Layer, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct Message(pub String);

impl View for Message {
    fn kind(&self) -> &'static str {
        "message"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn on_action(&mut self, _env: &Env, _action: Action) -> Option<Effect> {
        // Enter, Esc and `?` close it (the app's rule for popups).
        None
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let r = centered(area, 60, 6);
        Clear.render(r, buf);
        Paragraph::new(self.0.as_str()).block(frame(&env.theme, "!")).wrap(Wrap { trim: false }).render(r, buf);
    }
}
