//! A list's frame and scrolling, and the list and detail layout every pane shares.

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
