//! The terminal backend: ratatui's changed cells to escape sequences, in few bytes.
//!
//! ratatui sends only the cells that changed; what sending them costs is up to the
//! backend, and over SSH on a bad connection every byte counts (DESIGN.md §10: under
//! 400 bytes per cursor move, 2.5 KB per page). Beside ratatui's crossterm backend,
//! which starts every run of changed cells with `ESC[row;colH`, this one
//! - moves the cursor with the shortest sequence that gets there: a line feed to the
//!   next row, a column (`ESC[nG`) or a step (`ESC[nC`) along the row;
//! - over a short gap of unchanged cells in the current style, writes those cells again
//!   when that is shorter than moving (it keeps a copy of the screen to know them);
//! - erases a run of blanks with ECH (`ESC[nX`) instead of sending the spaces, when the
//!   blanks have the default background;
//! - ends a frame with one attribute reset, and does not hide a cursor already hidden.
//!
//! Relative moves are only used from a position it is sure of: after a wide character
//! or a write into the last column (where terminals differ), it moves by row and column.

use std::io::{self, Write};

use ratatui::backend::{Backend, ClearType, IntoCrossterm, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::crossterm::{
    cursor, queue,
    style::{Attribute, Colored, SetAttribute},
    terminal,
};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};
use unicode_width::UnicodeWidthStr;

pub struct Lean<W: Write> {
    out: W,
    /// What the terminal shows, as far as this backend wrote it.
    shadow: Buffer,
    /// The size to report instead of asking the terminal (tests have none).
    fixed_size: Option<Size>,
    /// Whether the cursor is hidden, when known.
    hidden: Option<bool>,
    /// Wrap frames in synchronized updates (mode 2026), so that a terminal that knows
    /// them shows a frame whole; `in_update` while one is open.
    synchronized: bool,
    in_update: bool,
}

/// The attributes the terminal currently writes with.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    underline: Color,
    modifier: Modifier,
}

impl Pen {
    const RESET: Pen = Pen { fg: Color::Reset, bg: Color::Reset, underline: Color::Reset, modifier: Modifier::empty() };

    fn of(cell: &Cell) -> Pen {
        Pen { fg: cell.fg, bg: cell.bg, underline: cell.underline_color, modifier: cell.modifier }
    }
}

/// Attributes that show on a blank cell: such a blank cannot be erased instead.
const VISIBLE_ON_BLANK: Modifier = Modifier::REVERSED.union(Modifier::UNDERLINED).union(Modifier::CROSSED_OUT);

/// A blank that ECH can draw: erased cells take the default background here, since
/// the pen's background is the default when we erase (with or without `bce`).
fn erasable(cell: &Cell) -> bool {
    cell.symbol() == " " && cell.bg == Color::Reset && !cell.modifier.intersects(VISIBLE_ON_BLANK)
}

fn digits(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |l| l as usize + 1)
}

/// The shortest sequence that moves the cursor from `at` (when known) to `(x, y)`.
fn move_seq(at: Option<(u16, u16)>, x: u16, y: u16) -> String {
    let (col, row) = (u32::from(x) + 1, u32::from(y) + 1);
    let absolute = if x == 0 { format!("\x1b[{row}H") } else { format!("\x1b[{row};{col}H") };
    let Some((cx, cy)) = at else { return absolute };
    // Along the row, from a known column or (None) from anywhere on it.
    let along = |from: Option<u16>| -> String {
        if from == Some(x) {
            return String::new();
        }
        if x == 0 {
            return "\r".into();
        }
        let cha = format!("\x1b[{col}G");
        let step = match from {
            Some(c) if c < x && x - c == 1 => "\x1b[C".to_string(),
            Some(c) if c < x => format!("\x1b[{}C", x - c),
            Some(c) => format!("\x1b[{}D", c - x),
            None => return cha,
        };
        if step.len() < cha.len() { step } else { cha }
    };
    let mut best = absolute;
    let mut consider = |s: String| {
        if s.len() < best.len() {
            best = s;
        }
    };
    match y.cmp(&cy) {
        std::cmp::Ordering::Equal => consider(along(Some(cx))),
        std::cmp::Ordering::Greater => {
            if y == cy + 1 {
                // A line feed keeps the column in raw mode and goes to column 0 where
                // the tty adds a carriage return: only an absolute column follows it.
                consider(format!("\n{}", along(None)));
                consider(format!("\x1b[B{}", along(Some(cx))));
            } else {
                consider(format!("\x1b[{}B{}", y - cy, along(Some(cx))));
            }
        }
        std::cmp::Ordering::Less => consider(format!("\x1b[{}A{}", cy - y, along(Some(cx)))),
    }
    best
}

/// Write the attribute changes from `from` to `to`, as one SGR sequence.
fn set_pen(out: &mut impl Write, from: Pen, to: Pen) -> io::Result<()> {
    let mut from = from;
    let mut params: Vec<String> = Vec::new();
    if !(from.modifier - to.modifier).is_empty() {
        // Something to switch off: start again from nothing, which is never longer
        // than switching attributes off one by one and is the same on every terminal.
        params.push("0".into());
        from = Pen::RESET;
    }
    let added = to.modifier - from.modifier;
    for (m, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::SLOW_BLINK, "5"),
        (Modifier::RAPID_BLINK, "6"),
        (Modifier::REVERSED, "7"),
        (Modifier::HIDDEN, "8"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if added.contains(m) {
            params.push(code.into());
        }
    }
    // crossterm spells the colours (and leaves them out under NO_COLOR).
    if to.fg != from.fg {
        params.push(Colored::ForegroundColor(to.fg.into_crossterm()).to_string());
    }
    if to.bg != from.bg {
        params.push(Colored::BackgroundColor(to.bg.into_crossterm()).to_string());
    }
    if to.underline != from.underline {
        params.push(Colored::UnderlineColor(to.underline.into_crossterm()).to_string());
    }
    params.retain(|p| !p.is_empty());
    if params.is_empty() {
        return Ok(());
    }
    write!(out, "\x1b[{}m", params.join(";"))
}

impl<W: Write> Lean<W> {
    pub fn new(out: W) -> Self {
        Lean {
            out,
            shadow: Buffer::empty(Rect::default()),
            fixed_size: None,
            hidden: None,
            synchronized: false,
            in_update: false,
        }
    }

    /// Wrap each frame that changes something in a synchronized update. A frame that
    /// changes nothing writes nothing at all.
    pub fn synchronized(self) -> Self {
        Lean { synchronized: true, ..self }
    }

    /// A backend that reports `size` instead of asking a terminal.
    pub fn with_size(out: W, size: Size) -> Self {
        Lean { fixed_size: Some(size), ..Lean::new(out) }
    }

    /// The output, for sequences outside ratatui's frames (alternate screen, sync).
    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Forget what the screen shows: it was cleared (a blank `area`), resized, or
    /// someone else wrote to it (an empty `area`, which fills no gap until the next
    /// full redraw).
    fn forget(&mut self, area: Rect) {
        self.shadow = Buffer::empty(area);
        self.hidden = None;
    }

    fn shadow_cell(&self, x: u16, y: u16) -> Option<&Cell> {
        self.shadow.area.contains(Position { x, y }).then(|| &self.shadow[(x, y)])
    }

    /// The screen's cells from `x0` up to `x1` on row `y` as text, if writing them in
    /// `pen` leaves them as they are.
    fn unchanged_text(&self, x0: u16, x1: u16, y: u16, pen: Pen) -> Option<String> {
        (x0..x1)
            .map(|x| {
                self.shadow_cell(x, y)
                    .filter(|c| c.symbol().width() == 1 && Pen::of(c) == pen)
                    .map(|c| c.symbol().to_string())
            })
            .collect()
    }

    /// The run of blanks that starts at `changed[0]` (an erasable cell): changed
    /// erasable cells, bridged over unchanged cells the screen already shows blank, so
    /// that one ECH clears what would take several.
    fn blank_run(&self, changed: &[(u16, u16, &Cell)], width: u16) -> BlankRun {
        let Some(&(x, y, _)) = changed.first() else { return BlankRun { cells: 0, end: 0, gaps: 0 } };
        let mut run = BlankRun { cells: 0, end: x, gaps: 0 };
        let (mut k, mut p, mut in_gap) = (0, x, false);
        while p < width {
            match changed.get(k) {
                Some(&(cx, cy, c)) if cy == y && cx == p => {
                    if !erasable(c) {
                        break;
                    }
                    k += 1;
                    run = BlankRun { cells: k, end: p + 1, gaps: run.gaps + usize::from(in_gap) };
                    in_gap = false;
                }
                _ if self.shadow_cell(p, y).is_some_and(erasable) => in_gap = true,
                _ => break,
            }
            p += 1;
        }
        run
    }

    /// Note that the screen now shows `cell` at `(x, y)`.
    fn remember(&mut self, x: u16, y: u16, cell: Cell) {
        if self.shadow.area.contains(Position { x, y }) {
            self.shadow[(x, y)] = cell;
        }
    }
}

/// Blanks from the first of some changed cells on: the changed blanks (`cells` of
/// them) up to column `end`, with `gaps` runs of unchanged blanks between them.
struct BlankRun {
    cells: usize,
    end: u16,
    gaps: usize,
}

impl<W: Write> Backend for Lean<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let size = self.size()?;
        if self.shadow.area.width != size.width || self.shadow.area.height != size.height {
            self.forget(Rect::new(0, 0, size.width, size.height));
        }
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        let mut buf: Vec<u8> = Vec::with_capacity(cells.len() * 2);
        if self.synchronized && !self.in_update && !cells.is_empty() {
            queue!(buf, terminal::BeginSynchronizedUpdate)?;
            self.in_update = true;
        }
        // Where the cursor is, when sure; the pen the terminal writes with.
        let mut at: Option<(u16, u16)> = None;
        let mut pen = Pen::RESET;
        let mut i = 0;
        while i < cells.len() {
            let (x, y, cell) = cells[i];
            // Unchanged cells just before this one, in the pen's style: rewrite them if
            // that is shorter than moving over them.
            let mut moved = false;
            if let Some((cx, _)) = at.filter(|&(cx, cy)| cy == y && cx < x) {
                let step = move_seq(at, x, y).len();
                let text = (usize::from(x - cx) < step).then(|| self.unchanged_text(cx, x, y, pen)).flatten();
                if let Some(text) = text.filter(|t| t.len() < step) {
                    buf.extend_from_slice(text.as_bytes());
                    at = Some((x, y));
                    moved = true;
                }
            }
            // A run of blanks: erase it, if shorter, and leave the cursor at its start.
            if erasable(cell) {
                let run = self.blank_run(&cells[i..], size.width);
                let next_adjacent = cells.get(i + run.cells).is_some_and(|&(nx, ny, _)| ny == y && nx == run.end);
                let ech = 3 + digits(u32::from(run.end - x));
                let after = if next_adjacent { move_seq(Some((x, y)), run.end, y).len() } else { 0 };
                // Without it: the changed blanks as spaces, a step over each gap.
                if ech + after < run.cells + 4 * run.gaps {
                    if !moved {
                        buf.extend_from_slice(move_seq(at, x, y).as_bytes());
                    }
                    if pen.bg != Color::Reset || pen.modifier.intersects(VISIBLE_ON_BLANK) {
                        set_pen(&mut buf, pen, Pen::of(cell))?;
                        pen = Pen::of(cell);
                    }
                    write!(buf, "\x1b[{}X", run.end - x)?;
                    for &(cx, cy, c) in &cells[i..i + run.cells] {
                        self.remember(cx, cy, c.clone());
                    }
                    at = Some((x, y));
                    i += run.cells;
                    continue;
                }
            }
            if !moved && at != Some((x, y)) {
                buf.extend_from_slice(move_seq(at, x, y).as_bytes());
            }
            if Pen::of(cell) != pen {
                set_pen(&mut buf, pen, Pen::of(cell))?;
                pen = Pen::of(cell);
            }
            buf.extend_from_slice(cell.symbol().as_bytes());
            // Only a narrow character short of the last column leaves the cursor where
            // every terminal agrees it is.
            let next = x.saturating_add(1);
            at = (cell.symbol().width() == 1 && next < size.width).then_some((next, y));
            self.remember(x, y, cell.clone());
            // The cells a wide character covers hold nothing to rewrite or erase
            // (ratatui does not send them).
            for cx in x.saturating_add(1)..x.saturating_add(cell.symbol().width() as u16) {
                self.remember(cx, y, Cell::new(""));
            }
            i += 1;
        }
        if pen != Pen::RESET {
            queue!(buf, SetAttribute(Attribute::Reset))?;
        }
        self.out.write_all(&buf)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.hidden != Some(true) {
            queue!(self.out, cursor::Hide)?;
            self.hidden = Some(true);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.hidden != Some(false) {
            queue!(self.out, cursor::Show)?;
            self.hidden = Some(false);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        cursor::position().map(|(x, y)| Position { x, y })
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        queue!(self.out, cursor::MoveTo(x, y))
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        // Anything but a whole-screen clear leaves the copy unsure.
        let blank = match clear_type {
            ClearType::All => self.size().map(|s| Rect::new(0, 0, s.width, s.height)).unwrap_or_default(),
            _ => Rect::default(),
        };
        self.forget(blank);
        let clear = match clear_type {
            ClearType::All => terminal::ClearType::All,
            ClearType::AfterCursor => terminal::ClearType::FromCursorDown,
            ClearType::BeforeCursor => terminal::ClearType::FromCursorUp,
            ClearType::CurrentLine => terminal::ClearType::CurrentLine,
            ClearType::UntilNewLine => terminal::ClearType::UntilNewLine,
        };
        queue!(self.out, terminal::Clear(clear))?;
        self.out.flush()
    }

    fn size(&self) -> io::Result<Size> {
        if let Some(size) = self.fixed_size {
            return Ok(size);
        }
        let (width, height) = terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        if let Some(size) = self.fixed_size {
            return Ok(WindowSize { columns_rows: size, pixels: Size::default() });
        }
        let w = terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size { width: w.columns, height: w.rows },
            pixels: Size { width: w.width, height: w.height },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.in_update {
            queue!(self.out, terminal::EndSynchronizedUpdate)?;
            self.in_update = false;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::style::Style;
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    use std::cell::RefCell;
    use std::rc::Rc;

    const W: u16 = 40;
    const H: u16 = 6;

    fn vt() -> vt100::Parser {
        let n = |v: u16| std::num::NonZeroU16::new(v).unwrap();
        vt100::Parser::new(n(H), n(W), 0)
    }

    /// A writer whose bytes the test can take while a backend owns it.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Two emulated screens show the same: text, and the attributes that show.
    fn assert_same(got: &vt100::Screen, want: &vt100::Screen, when: &str) {
        let text = |c: &vt100::Cell| if c.contents().is_empty() { " ".to_string() } else { c.contents().to_string() };
        for y in 0..H {
            for x in 0..W {
                let (Some(g), Some(w)) = (got.cell(y, x), want.cell(y, x)) else { panic!("{when}: no cell {x},{y}") };
                let at = format!("{when}: cell {x},{y}");
                assert_eq!(text(g), text(w), "{at}");
                assert_eq!(g.is_wide_continuation(), w.is_wide_continuation(), "{at} wide");
                assert_eq!(g.bgcolor(), w.bgcolor(), "{at} background");
                assert_eq!(g.inverse(), w.inverse(), "{at} reverse");
                assert_eq!(g.underline(), w.underline(), "{at} underline");
                if text(w) != " " {
                    assert_eq!(g.fgcolor(), w.fgcolor(), "{at} foreground");
                    assert_eq!(g.bold(), w.bold(), "{at} bold");
                    assert_eq!(g.italic(), w.italic(), "{at} italic");
                }
            }
        }
    }

    /// Draw the same frames through this backend and through ratatui's crossterm
    /// backend, each into an emulated terminal, and check that the screens agree after
    /// every frame. Returns the bytes each backend wrote.
    fn both(frames: &[Vec<Line<'static>>]) -> (usize, usize) {
        let mut lean = Terminal::new(Lean::with_size(Vec::new(), Size { width: W, height: H })).unwrap();
        let shared = Shared::default();
        let options = ratatui::TerminalOptions { viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, W, H)) };
        let mut plain = Terminal::with_options(CrosstermBackend::new(shared.clone()), options).unwrap();
        let (mut vl, mut vp) = (vt(), vt());
        let (mut a, mut b) = (0, 0);
        for (n, lines) in frames.iter().enumerate() {
            let draw = |f: &mut ratatui::Frame| f.render_widget(Paragraph::new(lines.clone()), f.area());
            lean.draw(draw).unwrap();
            plain.draw(draw).unwrap();
            let mine = std::mem::take(lean.backend_mut().writer_mut());
            let theirs = std::mem::take(&mut *shared.0.borrow_mut());
            a += mine.len();
            b += theirs.len();
            vl.process(&mine);
            vp.process(&theirs);
            assert_same(vl.screen(), vp.screen(), &format!("frame {n}"));
        }
        (a, b)
    }

    fn style_of(n: u8) -> Style {
        match n % 7 {
            0 => Style::default(),
            1 => Style::default().fg(Color::Cyan),
            2 => Style::default().add_modifier(Modifier::BOLD),
            3 => Style::default().add_modifier(Modifier::REVERSED),
            4 => Style::default().bg(Color::Indexed(236)).fg(Color::Rgb(200, 120, 0)),
            5 => Style::default().add_modifier(Modifier::UNDERLINED | Modifier::ITALIC),
            _ => Style::default().fg(Color::Yellow).add_modifier(Modifier::BOLD | Modifier::REVERSED),
        }
    }

    /// Frames of styled words: Polish letters, runs of blanks, a wide character.
    fn frames() -> impl Strategy<Value = Vec<Vec<Line<'static>>>> {
        let word = prop_oneof![
            Just("Łódź".to_string()),
            Just("Kowalska".to_string()),
            Just("   ".to_string()),
            Just("          ".to_string()),
            Just("—".to_string()),
            Just("+48 600 100 200".to_string()),
            Just("数".to_string()),
            "[a-z ]{1,12}",
        ];
        let line = prop::collection::vec((word, any::<u8>()), 0..6)
            .prop_map(|l| Line::from(l.into_iter().map(|(w, s)| Span::styled(w, style_of(s))).collect::<Vec<_>>()));
        prop::collection::vec(prop::collection::vec(line, 0..(H as usize + 1)), 1..6)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn the_screen_ends_as_with_the_crossterm_backend(frames in frames()) {
            both(&frames);
        }
    }

    #[test]
    fn a_wide_character_leaves_nothing_to_rewrite() {
        // The cell under the right half of `数` is not sent by ratatui: what was there
        // before (`4`) must not be written back when the gap next to it is filled.
        let frames = ["+48 600 100 200", "数Łódź", ""].map(|t| vec![Line::from(t)]);
        both(&frames);
    }

    #[test]
    fn moves_take_the_shortest_sequence() {
        assert_eq!(move_seq(None, 4, 9), "\x1b[10;5H");
        assert_eq!(move_seq(None, 0, 9), "\x1b[10H");
        assert_eq!(move_seq(Some((3, 9)), 4, 9), "\x1b[C");
        assert_eq!(move_seq(Some((3, 9)), 12, 9), "\x1b[9C");
        assert_eq!(move_seq(Some((3, 9)), 30, 9), "\x1b[31G");
        assert_eq!(move_seq(Some((30, 9)), 0, 9), "\r");
        assert_eq!(move_seq(Some((30, 9)), 0, 10), "\n\r");
        assert_eq!(move_seq(Some((30, 9)), 30, 10), "\x1b[B");
        assert_eq!(move_seq(Some((30, 9)), 4, 10), "\n\x1b[5G");
        assert_eq!(move_seq(Some((30, 9)), 4, 3), "\x1b[4;5H");
    }

    #[test]
    fn a_page_down_costs_a_quarter_fewer_bytes() {
        let names = ["Anna Adamczyk", "Bartłomiej Kowalski-Nowak", "Ewa Żółw", "Jan Nowak", "Zofia Wiśniewska"];
        let pages: Vec<Vec<Line>> = (0..4)
            .map(|p| {
                (0..H as usize)
                    .map(|r| {
                        let n = names[(p * 3 + r) % names.len()];
                        let place = if (p + r) % 2 == 0 { "Dobiegniew" } else { "Łódź" };
                        Line::from(format!("{n:<26}{place}"))
                    })
                    .collect()
            })
            .collect();
        let (a, b) = both(&pages);
        assert!(a * 4 < b * 3, "{a} bytes against the crossterm backend's {b}");
    }

    #[test]
    fn a_frame_that_changes_nothing_writes_nothing() {
        let backend = Lean::with_size(Vec::new(), Size { width: W, height: H }).synchronized();
        let mut t = Terminal::new(backend).unwrap();
        t.draw(|f| f.render_widget(Paragraph::new("Łódź"), f.area())).unwrap();
        let first = String::from_utf8(std::mem::take(t.backend_mut().writer_mut())).unwrap();
        assert!(first.starts_with("\x1b[?2026h") && first.ends_with("\x1b[?2026l"), "{first:?}");
        t.draw(|f| f.render_widget(Paragraph::new("Łódź"), f.area())).unwrap();
        assert!(t.backend_mut().writer_mut().is_empty());
    }

    #[test]
    fn a_hidden_cursor_is_not_hidden_again() {
        let mut t = Terminal::new(Lean::with_size(Vec::new(), Size { width: W, height: H })).unwrap();
        for _ in 0..2 {
            std::mem::take(t.backend_mut().writer_mut());
            t.draw(|f| f.render_widget(Paragraph::new("x"), f.area())).unwrap();
        }
        assert!(t.backend_mut().writer_mut().is_empty(), "nothing changed, nothing sent");
    }
}
