//! A list's search line: `/` starts it, letters go to the query, Enter keeps the
//! result and Esc drops it. The pane says what the query matches.

use super::input::printable;
use crate::tui::keymap::{Action, Context};
use crossterm::event::{KeyCode, KeyEvent};

#[derive(Debug, Default, Clone)]
pub struct SearchLine {
    pub query: String,
    /// The line has the keyboard.
    pub active: bool,
}

impl SearchLine {
    /// A key while active: true when it changed the query (a letter, Backspace).
    pub fn key(&mut self, ev: &KeyEvent) -> bool {
        match (printable(ev), ev.code) {
            (Some(c), _) => self.query.push(c),
            (_, KeyCode::Backspace) => {
                self.query.pop();
            }
            _ => return false,
        }
        true
    }

    /// The key contexts: the search line's while active, else the pane's own.
    pub fn contexts(&self, own: Context) -> Vec<Context> {
        vec![if self.active { Context::Search } else { own }]
    }

    /// The query being typed, for the status line.
    pub fn line(&self) -> Option<String> {
        self.active.then(|| self.query.clone())
    }

    /// The keys the status line shows: Enter and Esc while active, else the pane's.
    pub fn hints(&self, own: &[Action]) -> Vec<Action> {
        if self.active { vec![Action::Confirm, Action::Cancel] } else { own.to_vec() }
    }
}
