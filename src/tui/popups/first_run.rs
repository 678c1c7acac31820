//! The first start on an empty database: load the demo (`d`) or add someone (`a`).

use super::{centered, frame};
use crate::i18n::t;
use crate::tui::view::{Effect, Env, Layer, View};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct FirstRun;

impl View for FirstRun {
    fn kind(&self) -> &'static str {
        "first_run"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn typing(&self) -> bool {
        true
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        match ev.code {
            KeyCode::Char('d' | 'D') => Some(match crate::demo::generate(&env.store, 300, 1, &mut |_, _| {}) {
                Ok(_) => {
                    // A neighbouring office and two conflicts, for the sync screen.
                    let status = match crate::demo::office::neighbour(&env.store) {
                        Ok(_) => t(env.lang, "demo_loaded").to_string(),
                        Err(e) => e.to_string(),
                    };
                    Effect::Many(vec![Effect::Close, Effect::Status(status), Effect::Changed])
                }
                Err(e) => Effect::Replace(super::message(e.to_string())),
            }),
            KeyCode::Char('a' | 'A') => Some(Effect::Replace(super::form(super::form::participant_form(env, None)))),
            _ => None,
        }
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let r = centered(area, 60, 8);
        Clear.render(r, buf);
        Paragraph::new(vec![
            Line::from(t(env.lang, "first_run")),
            Line::from(""),
            Line::from(t(env.lang, "first_run_keys")),
        ])
        .block(frame(&env.theme, t(env.lang, "welcome")))
        .wrap(Wrap { trim: false })
        .render(r, buf);
    }
}
