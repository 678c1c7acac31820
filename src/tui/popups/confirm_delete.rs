//! Pane 1, `d`: "delete this participant?"; the pane offers undo afterwards.

use super::{centered, frame};
use crate::i18n::t;
use crate::model::{Entity, Id};
use crate::tui::keymap::{Action, Context};
use crate::tui::panes::participants::Deleted;
use crate::tui::view::{Effect, Env, Layer, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct ConfirmDelete {
    id: Id,
    name: String,
}

impl ConfirmDelete {
    pub fn new(id: Id, name: String) -> ConfirmDelete {
        ConfirmDelete { id, name }
    }
}

impl View for ConfirmDelete {
    fn kind(&self) -> &'static str {
        "confirm_delete"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        if action != Action::Confirm {
            return None;
        }
        Some(match crate::edit::delete(&env.store, Entity::Participant, self.id) {
            Ok(()) => {
                let undo = env.keymap.key_for(&[Context::Participants], Action::Undo).unwrap_or_default();
                Effect::Many(vec![
                    Effect::Close,
                    Effect::Tell(Box::new(Deleted(self.id))),
                    Effect::Status(format!("{} ({undo} {})", t(env.lang, "deleted"), t(env.lang, "undo"))),
                    Effect::Changed,
                ])
            }
            Err(e) => Effect::Replace(super::message(e.to_string())),
        })
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let r = centered(area, 60, 5);
        Clear.render(r, buf);
        Paragraph::new(vec![
            Line::from(format!("{} {}?", t(env.lang, "delete_q"), self.name)),
            Line::from(t(env.lang, "confirm_keys")),
        ])
        .block(frame(&env.theme, t(env.lang, "delete")))
        .wrap(Wrap { trim: false })
        .render(r, buf);
    }
}
