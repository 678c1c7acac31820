//! A backend wrapper that sends fewer bytes over slow links.
//!
//! ratatui sends only the cells that changed, but each run of changed cells starts
//! with a cursor move (`ESC[row;colH`, up to 9 bytes). When two changed runs on a row
//! are separated by a few unchanged cells of the same style — the spaces of
//! `+48 600 100 200`, say — writing those cells again is cheaper than moving the
//! cursor over them. This keeps a copy of the screen to know what they hold.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Rect, Size};
use unicode_width::UnicodeWidthStr;

/// The widest gap worth filling: a cursor move costs 6–9 bytes.
const MAX_GAP: u16 = 8;

pub struct GapFill<B> {
    inner: B,
    shadow: Buffer,
}

impl<B: Backend> GapFill<B> {
    pub fn new(inner: B) -> Self {
        GapFill { inner, shadow: Buffer::empty(Rect::default()) }
    }

    pub fn inner_mut(&mut self) -> &mut B {
        &mut self.inner
    }

    fn reset_shadow(&mut self) {
        let area = self.inner.size().map(|s| Rect::new(0, 0, s.width, s.height)).unwrap_or_default();
        self.shadow = Buffer::empty(area);
    }

    fn shadow_cell(&self, x: u16, y: u16) -> Option<&Cell> {
        self.shadow.area.contains(Position { x, y }).then(|| &self.shadow[(x, y)])
    }
}

fn same_style(a: &Cell, b: &Cell) -> bool {
    a.fg == b.fg && a.bg == b.bg && a.modifier == b.modifier && a.underline_color == b.underline_color
}

impl<B: Backend> Backend for GapFill<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let size = self.inner.size()?;
        if self.shadow.area.width != size.width || self.shadow.area.height != size.height {
            self.reset_shadow();
        }
        let mut out: Vec<(u16, u16, Cell)> = Vec::new();
        // (row, last column written, that cell) of the previous changed cell.
        let mut prev: Option<(u16, u16, Cell)> = None;
        for (x, y, cell) in content {
            if let Some((py, px, pcell)) = &prev {
                let gap = x.saturating_sub(px + 1);
                if *py == y && x > px + 1 && gap <= MAX_GAP {
                    let fill: Option<Vec<Cell>> = (px + 1..x)
                        .map(|gx| {
                            self.shadow_cell(gx, y).filter(|c| c.symbol().width() == 1 && same_style(c, pcell)).cloned()
                        })
                        .collect();
                    if let Some(fill) = fill {
                        for (i, c) in fill.into_iter().enumerate() {
                            out.push((px + 1 + i as u16, y, c));
                        }
                    }
                }
            }
            let width = cell.symbol().width().max(1) as u16;
            prev = Some((y, x + width - 1, cell.clone()));
            out.push((x, y, cell.clone()));
        }
        for (x, y, c) in &out {
            if self.shadow.area.contains(Position { x: *x, y: *y }) {
                self.shadow[(*x, *y)] = c.clone();
            }
        }
        self.inner.draw(out.iter().map(|(x, y, c)| (*x, *y, c)))
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.reset_shadow();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        // Anything but a whole-screen clear leaves the copy unsure: forget it, so no gap
        // is filled from stale cells.
        self.reset_shadow();
        if clear_type != ClearType::All {
            self.shadow = Buffer::empty(Rect::default());
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    fn frame(term: &mut Terminal<impl Backend>, text: &str) {
        term.draw(|f| f.render_widget(Paragraph::new(text.to_string()), f.area())).unwrap();
    }

    #[test]
    fn the_screen_ends_the_same_as_without_filling() {
        let mut plain = Terminal::new(TestBackend::new(30, 3)).unwrap();
        let mut filled = Terminal::new(GapFill::new(TestBackend::new(30, 3))).unwrap();
        for text in ["telefon: +48 600 100 200\nŁódź", "telefon: +48 731 515 327\nŻółć", "x\n\nżółw"] {
            frame(&mut plain, text);
            frame(&mut filled, text);
            assert_eq!(plain.backend().buffer(), filled.backend_mut().inner_mut().buffer());
        }
    }

    /// Counts what an ANSI terminal would receive: a cursor move (8 bytes) before every
    /// cell that does not follow the previous one, plus the cell's text.
    struct Counting {
        bytes: usize,
        last: Option<(u16, u16)>,
    }

    impl Backend for Counting {
        type Error = std::io::Error;
        fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, content: I) -> std::io::Result<()> {
            for (x, y, c) in content {
                if self.last != Some((x.wrapping_sub(1), y)) {
                    self.bytes += 8;
                }
                self.bytes += c.symbol().len();
                self.last = Some((x, y));
            }
            Ok(())
        }
        fn hide_cursor(&mut self) -> std::io::Result<()> {
            Ok(())
        }
        fn show_cursor(&mut self) -> std::io::Result<()> {
            Ok(())
        }
        fn get_cursor_position(&mut self) -> std::io::Result<Position> {
            Ok(Position::default())
        }
        fn set_cursor_position<P: Into<Position>>(&mut self, _: P) -> std::io::Result<()> {
            Ok(())
        }
        fn clear(&mut self) -> std::io::Result<()> {
            Ok(())
        }
        fn clear_region(&mut self, _: ClearType) -> std::io::Result<()> {
            Ok(())
        }
        fn size(&self) -> std::io::Result<Size> {
            Ok(Size { width: 40, height: 2 })
        }
        fn window_size(&mut self) -> std::io::Result<WindowSize> {
            Ok(WindowSize { columns_rows: Size { width: 40, height: 2 }, pixels: Size::default() })
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn fewer_bytes_for_values_with_small_gaps() {
        let mut plain = Terminal::new(Counting { bytes: 0, last: None }).unwrap();
        let mut filled = Terminal::new(GapFill::new(Counting { bytes: 0, last: None })).unwrap();
        for text in ["telefon: +48 600 100 200", "telefon: +48 731 515 327"] {
            frame(&mut plain, text);
            frame(&mut filled, text);
        }
        let a = plain.backend().bytes;
        let b = filled.backend_mut().inner_mut().bytes;
        assert!(b < a, "{b} >= {a}");
    }
}
