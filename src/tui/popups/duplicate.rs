//! A new participant looks like someone already here: show them (Enter), add anyway
//! (`a`), or back to the form (Esc).

use super::form::{FormPopup, Saved, save};
use super::{centered, frame};
use crate::i18n::t;
use crate::model::Id;
use crate::tui::form::Form;
use crate::tui::keymap::Action;
use crate::tui::view::{Effect, Env, Layer, View};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

pub struct Duplicate {
    form: Form,
    existing: Vec<(Id, String)>,
}

impl Duplicate {
    pub fn new(form: Form, existing: Vec<(Id, String)>) -> Duplicate {
        Duplicate { form, existing }
    }
}

impl View for Duplicate {
    fn kind(&self) -> &'static str {
        "duplicate"
    }

    fn layer(&self) -> Layer {
        Layer::Popup
    }

    fn typing(&self) -> bool {
        true
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        if !matches!(ev.code, KeyCode::Char('a' | 'A')) {
            return None;
        }
        let mut form = self.form.clone();
        form.duplicate_ok = true;
        Some(match save(&mut form, env) {
            Saved::Done(effect) => effect,
            Saved::Duplicates(_) | Saved::Kept(None) => Effect::Replace(Box::new(FormPopup::new(form))),
            Saved::Kept(Some(status)) => {
                Effect::Many(vec![Effect::Replace(Box::new(FormPopup::new(form))), Effect::Status(status)])
            }
        })
    }

    fn on_action(&mut self, _env: &Env, action: Action) -> Option<Effect> {
        match action {
            Action::Confirm => Some(match self.existing.first() {
                Some((id, _)) => Effect::Many(vec![Effect::Close, Effect::OpenParticipant(*id)]),
                None => Effect::Close,
            }),
            Action::Cancel => Some(Effect::Replace(Box::new(FormPopup::new(self.form.clone())))),
            _ => None,
        }
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let r = centered(area, 64, 9);
        let mut lines = vec![Line::from(t(env.lang, "duplicate_warning"))];
        for (_, n) in self.existing.iter().take(3) {
            lines.push(Line::from(format!("  • {n}")));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(t(env.lang, "duplicate_keys")));
        Clear.render(r, buf);
        Paragraph::new(lines)
            .block(frame(&env.theme, t(env.lang, "duplicate")))
            .wrap(Wrap { trim: false })
            .render(r, buf);
    }
}
