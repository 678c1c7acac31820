//! The erase guard: RODO erasure of a participant from pane 1, behind a confirmation
//! that says it cannot be undone and travels to the other offices, and that asks for
//! the participant's name (or its first word) to be typed. It goes through the same
//! core as `teren erase` (`report::privacy::erase`), which writes the audit entry.

use crate::i18n::t;
use crate::model::Id;
use crate::report::privacy::{self, Erased};
use crate::search::fold;
use crate::tui::keymap::{Action, Context};
use crate::tui::view::{Effect, Env, View};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

pub struct Screen {
    id: Id,
    name: String,
    typed: String,
    /// The last answer did not match.
    refused: bool,
}

impl Screen {
    pub fn new(id: Id, name: &str) -> Screen {
        Screen { id, name: name.to_string(), typed: String::new(), refused: false }
    }

    /// The whole name or its first word, letter case and Polish letters aside (a
    /// keyboard without them still confirms), surrounding spaces ignored.
    pub fn matches(name: &str, typed: &str) -> bool {
        let typed = fold(typed.trim());
        if typed.is_empty() {
            return false;
        }
        let name = fold(name.trim());
        typed == name || name.split_whitespace().next() == Some(typed.as_str())
    }
}

impl View for Screen {
    fn kind(&self) -> &'static str {
        "erase"
    }

    /// Enter confirms and Esc cancels, as in every dialog.
    fn contexts(&self) -> Vec<Context> {
        vec![Context::Popup]
    }

    fn typing(&self) -> bool {
        true
    }

    fn on_text(&mut self, _env: &Env, ev: KeyEvent) -> Option<Effect> {
        match ev.code {
            KeyCode::Char(c)
                if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    || ev.modifiers.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                self.typed.push(c);
            }
            KeyCode::Backspace => {
                self.typed.pop();
            }
            _ => return None,
        }
        self.refused = false;
        Some(Effect::None)
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        if action != Action::Confirm {
            return None;
        }
        if !Self::matches(&self.name, &self.typed) {
            self.refused = true;
            return Some(Effect::Status(t(env.lang, "erase_mismatch").to_string()));
        }
        Some(match privacy::erase(&env.store, self.id) {
            Ok(Erased::Now) => Effect::Many(vec![
                Effect::Close,
                Effect::Changed,
                Effect::Status(t(env.lang, "erase_done").to_string()),
            ]),
            Ok(Erased::Already) => {
                Effect::Many(vec![Effect::Close, Effect::Status(t(env.lang, "erase_already").to_string())])
            }
            Ok(Erased::Missing) => {
                Effect::Many(vec![Effect::Close, Effect::Status(t(env.lang, "erase_missing").to_string())])
            }
            Err(e) => Effect::Status(format!("{}: {e}", t(env.lang, "erase_failed"))),
        })
    }

    fn activate(&mut self, _env: &Env) -> Effect {
        Effect::None
    }

    fn data_changed(&mut self) {}

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let (lang, theme) = (env.lang, &env.theme);
        let w = area.width.min(70);
        let h = area.height.min(14);
        let r = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
        Clear.render(r, buf);
        let mut lines = vec![
            Line::from(vec![
                Span::styled(format!("{}: ", t(lang, "participant")), theme.dim()),
                Span::styled(self.name.clone(), theme.header()),
            ]),
            Line::from(""),
            Line::from(Span::styled(t(lang, "erase_irreversible"), theme.error())),
            Line::from(t(lang, "erase_what")),
            Line::from(""),
            Line::from(t(lang, "erase_type_name")),
            Line::from(Span::styled(format!("> {}▏", self.typed), theme.selected())),
        ];
        if self.refused {
            lines.push(Line::from(Span::styled(t(lang, "erase_mismatch"), theme.error())));
        }
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_set(theme.border())
                    .title(format!(" {} ", t(lang, "erase_title"))),
            )
            .wrap(Wrap { trim: false })
            .render(r, buf);
    }

    fn count(&self) -> String {
        String::new()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Confirm, Action::Cancel]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_or_its_first_word_confirms() {
        assert!(Screen::matches("Łucja Żółkiewska", "Łucja Żółkiewska"));
        assert!(Screen::matches("Łucja Żółkiewska", " łucja "));
        assert!(Screen::matches("Łucja Żółkiewska", "lucja zolkiewska"));
        assert!(!Screen::matches("Łucja Żółkiewska", "Żółkiewska"));
        assert!(!Screen::matches("Łucja Żółkiewska", "Łu"));
        assert!(!Screen::matches("Łucja Żółkiewska", ""));
    }
}
