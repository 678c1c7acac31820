//! A list's frame and scrolling, and the list and detail layout every pane shares.

use crate::tui::keymap::Action;
use crate::tui::theme::Theme;

/// Draw a list's bordered frame; returns the inner area and how many rows fit under
/// the header line, or None when there is no room for any.
pub fn list_frame(
    area: ratatui::layout::Rect,
    buf: &mut ratatui::buffer::Buffer,
    theme: &Theme,
    title: String,
) -> Option<(ratatui::layout::Rect, usize)> {
    use ratatui::widgets::{Block, Borders, Widget};
    let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(title);
    let inner = block.inner(area);
    block.render(area, buf);
    (inner.height >= 2).then(|| (inner, (inner.height - 1) as usize))
}

/// A pane's list and detail panel: side by side on wide terminals, stacked on narrow.
pub fn split(area: ratatui::layout::Rect) -> (ratatui::layout::Rect, ratatui::layout::Rect) {
    use ratatui::layout::{Constraint, Layout};
    if area.width >= 100 {
        let [a, b] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
        (a, b)
    } else {
        let [a, b] = Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
        (a, b)
    }
}

/// The first visible row of a list `rows` high that keeps `selected` on screen,
/// moving as little as possible from `offset`.
pub fn scroll_offset(selected: usize, offset: usize, rows: usize) -> usize {
    if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    }
}

/// Where a list stands: the selected row, the first row shown, and how many rows the
/// last frame showed (what page up and down move by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListState {
    pub selected: usize,
    pub offset: usize,
    pub page: usize,
}

impl Default for ListState {
    fn default() -> Self {
        ListState { selected: 0, offset: 0, page: 10 }
    }
}

impl ListState {
    /// Move the selection by `delta` within `len` rows; false when the list is empty.
    pub fn move_by(&mut self, delta: isize, len: usize) -> bool {
        if len == 0 {
            return false;
        }
        self.selected = (self.selected as isize).saturating_add(delta).clamp(0, len as isize - 1) as usize;
        true
    }

    /// Keep the selection on a list that became `len` rows long.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Before drawing `rows` rows: remember the page, and scroll so the selection shows.
    pub fn scroll(&mut self, rows: usize) {
        self.page = rows;
        self.offset = scroll_offset(self.selected, self.offset, rows.max(1));
    }

    /// The `rows` items shown from the offset on, each with whether it is selected.
    pub fn window<'a, T>(&self, items: &'a [T], rows: usize) -> impl Iterator<Item = (bool, &'a T)> + 'a {
        let selected = self.selected;
        items.iter().enumerate().skip(self.offset).take(rows).map(move |(pos, item)| (pos == selected, item))
    }

    /// How far a movement key moves (a row, a page, to either end).
    pub fn step(&self, action: Action) -> isize {
        match action {
            Action::Down => 1,
            Action::Up => -1,
            Action::PageDown => self.page as isize,
            Action::PageUp => -(self.page as isize),
            Action::Top => isize::MIN / 2,
            _ => isize::MAX / 2,
        }
    }
}
