//! Enter on a record: everything about it, label by label, scrollable.

use super::{centered, frame, scrolled};
use crate::tui::keymap::Action;
use crate::tui::view::{Effect, Env, Layer, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct Record {
    title: String,
    lines: Vec<(String, String)>,
    scroll: usize,
}

impl Record {
    pub fn new(title: String, lines: Vec<(String, String)>) -> Record {
        Record { title, lines, scroll: 0 }
    }
}

impl View for Record {
    fn kind(&self) -> &'static str {
        "record"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn on_action(&mut self, _env: &Env, action: Action) -> Option<Effect> {
        self.scroll = scrolled(self.scroll, action)?;
        Some(Effect::None)
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let r = centered(area, area.width.saturating_sub(4).max(20), area.height);
        let text: Vec<Line> = self
            .lines
            .iter()
            .map(|(k, v)| Line::from(vec![Span::styled(format!("{k}: "), env.theme.dim()), Span::raw(v.clone())]))
            .collect();
        Clear.render(r, buf);
        Paragraph::new(text)
            .block(frame(&env.theme, &self.title))
            .wrap(Wrap { trim: true })
            .scroll((self.scroll as u16, 0))
            .render(r, buf);
    }
}
