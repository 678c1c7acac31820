//! A small multi-line text editor for notes. (ratatui-textarea 0.4 pulls in
//! ratatui 0.24 and crossterm 0.27 beside ours, so teren has its own: a few hundred
//! bytes of state, edits by characters, soft-wrapped drawing.)

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextArea {
    lines: Vec<String>,
    /// Cursor: line, and position in chars within it.
    row: usize,
    col: usize,
    /// First visual row drawn.
    scroll: usize,
}

fn byte_at(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

impl TextArea {
    pub fn new(text: &str) -> TextArea {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        let row = lines.len() - 1;
        let col = chars(&lines[row]);
        TextArea { lines, row, col, scroll: 0 }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.is_empty())
    }

    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    pub fn insert(&mut self, c: char) {
        if c == '\n' {
            return self.newline();
        }
        let line = &mut self.lines[self.row];
        let at = byte_at(line, self.col);
        line.insert(at, c);
        self.col += 1;
    }

    pub fn newline(&mut self) {
        let line = &mut self.lines[self.row];
        let at = byte_at(line, self.col);
        let rest = line.split_off(at);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    pub fn backspace(&mut self) {
        if self.col > 0 {
            let line = &mut self.lines[self.row];
            let at = byte_at(line, self.col - 1);
            line.remove(at);
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = chars(&self.lines[self.row]);
            self.lines[self.row].push_str(&line);
        }
    }

    pub fn delete(&mut self) {
        if self.col < chars(&self.lines[self.row]) {
            let line = &mut self.lines[self.row];
            let at = byte_at(line, self.col);
            line.remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = chars(&self.lines[self.row]);
        }
    }

    pub fn right(&mut self) {
        if self.col < chars(&self.lines[self.row]) {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    /// Up one line; false at the first line (the form may move to the field above).
    pub fn up(&mut self) -> bool {
        if self.row == 0 {
            return false;
        }
        self.row -= 1;
        self.col = self.col.min(chars(&self.lines[self.row]));
        true
    }

    pub fn down(&mut self) -> bool {
        if self.row + 1 >= self.lines.len() {
            return false;
        }
        self.row += 1;
        self.col = self.col.min(chars(&self.lines[self.row]));
        true
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = chars(&self.lines[self.row]);
    }

    /// Soft-wrap every line to `width` columns: (line, first char, chars) per visual row.
    fn layout(&self, width: usize) -> Vec<(usize, usize, usize)> {
        let width = width.max(2);
        let mut out = Vec::new();
        for (li, line) in self.lines.iter().enumerate() {
            let (mut start, mut n, mut w) = (0, 0, 0);
            for c in line.chars() {
                let cw = c.width().unwrap_or(0);
                if w + cw > width - 1 {
                    out.push((li, start, n));
                    start += n;
                    n = 0;
                    w = 0;
                }
                n += 1;
                w += cw;
            }
            out.push((li, start, n));
        }
        out
    }

    /// Draw into `area`, scrolled so the cursor shows when `focused`.
    pub fn render(&mut self, area: Rect, buf: &mut Buffer, focused: bool, cursor_style: Style) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let rows = self.layout(area.width as usize);
        let cur = rows.iter().rposition(|&(li, start, _)| li == self.row && start <= self.col).unwrap_or(0);
        let h = area.height as usize;
        if cur < self.scroll {
            self.scroll = cur;
        } else if cur >= self.scroll + h {
            self.scroll = cur + 1 - h;
        }
        for (y, &(li, start, n)) in rows.iter().enumerate().skip(self.scroll).take(h) {
            let text: String = self.lines[li].chars().skip(start).take(n).collect();
            let yy = area.y + (y - self.scroll) as u16;
            buf.set_stringn(area.x, yy, &text, area.width as usize, Style::default());
            if focused && y == cur {
                let before: String = self.lines[li].chars().skip(start).take(self.col - start).collect();
                let x = unicode_width::UnicodeWidthStr::width(before.as_str()) as u16;
                if x < area.width {
                    let cell = &mut buf[(area.x + x, yy)];
                    if cell.symbol() == " " || self.col - start >= n {
                        cell.set_symbol("▏");
                    }
                    cell.set_style(cursor_style);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_by_chars_across_lines() {
        let mut t = TextArea::new("");
        for c in "Żółć\nłąka".chars() {
            t.insert(c);
        }
        assert_eq!(t.text(), "Żółć\nłąka");
        assert_eq!(t.cursor(), (1, 4));
        t.home();
        t.backspace();
        assert_eq!(t.text(), "Żółćłąka");
        assert_eq!(t.cursor(), (0, 4));
        t.left();
        t.delete();
        assert_eq!(t.text(), "Żółłąka");
        t.end();
        t.newline();
        assert!(t.up());
        assert!(!t.up());
        assert!(t.down());
        assert!(!t.down());
        assert_eq!(t.text(), "Żółłąka\n");
    }

    #[test]
    fn long_lines_wrap_and_the_cursor_stays_visible() {
        let mut t = TextArea::new(&"słowo ".repeat(20));
        let area = Rect::new(0, 0, 20, 3);
        let mut buf = Buffer::empty(area);
        t.render(area, &mut buf, true, Style::default());
        assert!(t.scroll > 0, "scrolled to the cursor");
        assert_eq!(t.layout(20).len(), 7);
    }
}
