//! Styles in one place. Without colour (NO_COLOR, or a terminal that ignores it) the
//! focus stays visible through reverse video and a `>` marker.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
}

pub const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    pub fn from_env(ascii: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color, ascii }
    }

    pub fn border(&self) -> border::Set<'static> {
        if self.ascii { ASCII_BORDER } else { border::PLAIN }
    }

    pub fn selected(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        if self.color { s.fg(Color::Cyan) } else { s }
    }

    pub fn header(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        if self.color { s.fg(Color::Yellow) } else { s.add_modifier(Modifier::UNDERLINED) }
    }

    pub fn matched(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        if self.color { s.fg(Color::Yellow) } else { s.add_modifier(Modifier::UNDERLINED) }
    }

    pub fn dim(&self) -> Style {
        if self.color { Style::default().fg(Color::DarkGray) } else { Style::default() }
    }

    pub fn error(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        if self.color { s.fg(Color::Red) } else { s }
    }

    pub fn active_tab(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        if self.color { s.fg(Color::Cyan) } else { s }
    }

    pub fn key(&self) -> Style {
        let s = Style::default().add_modifier(Modifier::BOLD);
        if self.color { s.fg(Color::Green) } else { s }
    }
}
