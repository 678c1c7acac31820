//! Pane 4, `d`: "delete this partnership?".

use crate::i18n::t;
use crate::model::{Entity, Id};
use crate::tui::keymap::{Action, Context};
use crate::tui::panes::graph::PartnershipDeleted;
use crate::tui::view::{Effect, Env, Layer, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct DeletePartnership {
    id: Id,
    name: String,
}

impl DeletePartnership {
    pub fn new(id: Id, name: String) -> DeletePartnership {
        DeletePartnership { id, name }
    }
}

impl View for DeletePartnership {
    fn kind(&self) -> &'static str {
        "confirm_delete_partnership"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn typing(&self) -> bool {
        true
    }

    /// Only Enter and Esc mean anything here; every other key is swallowed.
    fn on_text(&mut self, env: &Env, ev: crossterm::event::KeyEvent) -> Option<Effect> {
        let key = crate::tui::keymap::Key::from_event(&ev);
        let action = match env.keymap.lookup(&[Context::Popup, Context::Global], &[key]) {
            crate::tui::keymap::Lookup::Run(a) => Some(a),
            _ => None,
        };
        Some(match action {
            Some(Action::Confirm) => match crate::edit::delete(&env.store, Entity::Partnership, self.id) {
                Ok(()) => Effect::Many(vec![
                    Effect::Close,
                    Effect::Tell(Box::new(PartnershipDeleted)),
                    Effect::Status(t(env.lang, "partnership_deleted").to_string()),
                    Effect::Changed,
                ]),
                Err(err) => Effect::Replace(crate::tui::popups::message(err.to_string())),
            },
            Some(Action::Cancel) => Effect::Close,
            _ => Effect::None,
        })
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let w = area.width.min(60);
        let r = Rect { x: area.x + (area.width - w) / 2, y: area.y + area.height / 3, width: w, height: 5 };
        Clear.render(r, buf);
        Paragraph::new(vec![
            Line::from(format!("{} {}?", t(env.lang, "delete_q"), self.name)),
            Line::from(t(env.lang, "confirm_keys")),
        ])
        .block(crate::tui::popups::frame(&env.theme, t(env.lang, "delete")))
        .wrap(Wrap { trim: false })
        .render(r, buf);
    }
}
