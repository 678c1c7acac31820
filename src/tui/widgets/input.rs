//! A one-line text input that checks its text as it is typed: the fields of forms,
//! quick capture and the partnership editor. Moves by characters, so Polish letters
//! are one step each.

use crate::i18n::Lang;
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::text::Span;

/// Checks one field's text; `Err` is shown next to the field, in the interface language.
pub type Check = fn(&str, Lang) -> Result<(), String>;

#[derive(Clone)]
pub struct Field {
    pub key: &'static str,
    pub label: String,
    pub value: String,
    /// Cursor position in chars.
    pub cursor: usize,
    pub check: Check,
    pub error: Option<String>,
    pub lang: Lang,
}

impl Field {
    pub fn new(key: &'static str, label: &str, value: &str, check: Check, lang: Lang) -> Field {
        let mut f = Field {
            key,
            label: label.to_string(),
            value: value.to_string(),
            cursor: value.chars().count(),
            check,
            error: None,
            lang,
        };
        f.validate();
        f
    }

    pub fn validate(&mut self) {
        self.error = (self.check)(&self.value, self.lang).err();
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.value.char_indices().nth(char_idx).map_or(self.value.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
        self.validate();
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            let at = self.byte_at(self.cursor - 1);
            self.value.remove(at);
            self.cursor -= 1;
            self.validate();
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.value.chars().count() {
            let at = self.byte_at(self.cursor);
            self.value.remove(at);
            self.validate();
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.value.chars().count());
    }

    /// A key for the text: a character typed, Backspace, Delete, Left or Right.
    /// False when the key is not one of those.
    pub fn edit(&mut self, ev: &KeyEvent) -> bool {
        match (printable(ev), ev.code) {
            (Some(c), _) => self.insert(c),
            (_, KeyCode::Backspace) => self.backspace(),
            (_, KeyCode::Delete) => self.delete(),
            (_, KeyCode::Left) => self.left(),
            (_, KeyCode::Right) => self.right(),
            _ => return false,
        }
        true
    }

    /// The text, with the cursor drawn where it is when focused.
    pub fn spans(&self, focused: bool, theme: &Theme) -> Vec<Span<'static>> {
        if focused {
            let a: String = self.value.chars().take(self.cursor).collect();
            let b: String = self.value.chars().skip(self.cursor).collect();
            vec![Span::raw(a), Span::styled("▏", theme.key()), Span::raw(b)]
        } else {
            vec![Span::raw(self.value.clone())]
        }
    }
}

/// The character a key types, if any (Ctrl-Alt letters count: AltGr on Windows).
pub fn printable(ev: &KeyEvent) -> Option<char> {
    match ev.code {
        KeyCode::Char(c)
            if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                || ev.modifiers.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Whether a key edits or moves in a line of text (besides the characters typed).
pub fn is_edit(code: KeyCode) -> bool {
    matches!(code, KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right)
}
