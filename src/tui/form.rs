//! A form of one-line text fields that validate as you type, and the checks they use.

use crate::i18n::Lang;
use crate::model::{Category, Entity, Id, Kind, UnknownCode, validate};

pub use crate::tui::widgets::{Check, Field};

/// What saving a form does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Create(Entity),
    Edit(Entity, Id),
}

#[derive(Clone)]
pub struct Form {
    pub title: String,
    pub target: Target,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A message for the whole form (a save that failed).
    pub error: Option<String>,
    /// Set once the user has seen the duplicate warning and chose to add anyway.
    pub duplicate_ok: bool,
    pub dirty: bool,
}

impl Form {
    pub fn valid(&self) -> bool {
        self.fields.iter().all(|f| f.error.is_none())
    }

    pub fn focused(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1);
    }

    pub fn value(&self, key: &str) -> &str {
        self.fields.iter().find(|f| f.key == key).map_or("", |f| f.value.as_str())
    }

    /// `(field, value)` pairs to save: on create, only the filled ones.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|f| matches!(self.target, Target::Edit(..)) || !f.value.trim().is_empty())
            .map(|f| (f.key.to_string(), f.value.clone()))
            .collect()
    }

    /// Put an error from a failed save next to its field.
    pub fn set_error(&mut self, field: Option<&str>, msg: String) {
        match field.and_then(|k| self.fields.iter().position(|f| f.key == k)) {
            Some(i) => {
                self.fields[i].error = Some(msg);
                self.focus = i;
            }
            None => self.error = Some(msg),
        }
    }
}

pub fn any(_: &str, _: Lang) -> Result<(), String> {
    Ok(())
}

pub fn required_name(s: &str, lang: Lang) -> Result<(), String> {
    validate::name(s).map(|_| ()).map_err(|e| e.message(lang).to_string())
}

fn optional<T>(s: &str, lang: Lang, f: impl Fn(&str) -> Result<T, validate::Invalid>) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { f(s).map(|_| ()).map_err(|e| e.message(lang).to_string()) }
}

fn code<T>(s: &str, lang: Lang, f: impl Fn(&str) -> Result<T, UnknownCode>) -> Result<(), String> {
    if s.trim().is_empty() { Ok(()) } else { f(s).map(|_| ()).map_err(|e| e.message(lang)) }
}

pub fn phone(s: &str, lang: Lang) -> Result<(), String> {
    optional(s, lang, validate::phone)
}

pub fn email(s: &str, lang: Lang) -> Result<(), String> {
    optional(s, lang, validate::email)
}

pub fn category(s: &str, lang: Lang) -> Result<(), String> {
    code(s, lang, Category::parse)
}

pub fn kind(s: &str, lang: Lang) -> Result<(), String> {
    code(s, lang, Kind::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_polish_letters_moves_by_chars() {
        let mut f = Field::new("name", "Nazwa", "", required_name, Lang::Pl);
        assert!(f.error.is_some());
        for c in "Żółć".chars() {
            f.insert(c);
        }
        assert_eq!(f.value, "Żółć");
        assert!(f.error.is_none());
        f.left();
        f.backspace();
        assert_eq!(f.value, "Żóć");
        f.delete();
        assert_eq!(f.value, "Żó");
    }

    #[test]
    fn errors_show_while_typing() {
        let mut f = Field::new("phone", "Telefon", "", phone, Lang::Pl);
        assert!(f.error.is_none());
        f.insert('6');
        assert!(f.error.as_deref().is_some_and(|e| e.contains("numer telefonu")), "{:?}", f.error);
        for c in "00100200".chars() {
            f.insert(c);
        }
        assert!(f.error.is_none());
    }
}
