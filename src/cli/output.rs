//! Human output: aligned tables, JSON, and a progress bar on a terminal's stderr.

use std::io::{IsTerminal, Write};
use unicode_width::UnicodeWidthStr;

/// An aligned text table; cells longer than `max` are cut with `…`.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    max: usize,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Table { header: header.iter().map(|h| h.to_uppercase()).collect(), rows: Vec::new(), max: 40 }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn write(&self, out: &mut impl Write) -> std::io::Result<()> {
        let cut = |s: &str| -> String {
            let s = s.replace('\n', " ");
            if s.width() <= self.max {
                return s;
            }
            let mut t = String::new();
            for c in s.chars() {
                if t.width() + 1 >= self.max {
                    break;
                }
                t.push(c);
            }
            t + "…"
        };
        let rows: Vec<Vec<String>> =
            std::iter::once(&self.header).chain(&self.rows).map(|r| r.iter().map(|c| cut(c)).collect()).collect();
        let cols = self.header.len();
        let widths: Vec<usize> =
            (0..cols).map(|i| rows.iter().map(|r| r.get(i).map_or(0, |c| c.width())).max().unwrap_or(0)).collect();
        for r in &rows {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                line.push_str(c);
                if i + 1 < cols {
                    line.push_str(&" ".repeat(widths[i] - c.width() + 2));
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// Pretty JSON followed by a newline.
pub fn json(out: &mut impl Write, v: &serde_json::Value) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub struct Progress {
    label: String,
    on: bool,
    last: usize,
}

impl Progress {
    pub fn new(label: &str) -> Self {
        Progress { label: label.to_string(), on: std::io::stderr().is_terminal(), last: usize::MAX }
    }

    pub fn update(&mut self, done: usize, total: usize) {
        if !self.on || total == 0 {
            return;
        }
        let pct = (done * 100 / total).min(100);
        if pct == self.last {
            return;
        }
        self.last = pct;
        let bar = "#".repeat(pct / 4) + &".".repeat(25 - pct / 4);
        let _ = write!(std::io::stderr(), "\r{} [{bar}] {pct:>3}%", self.label);
    }

    pub fn finish(&mut self) {
        if self.on && self.last != usize::MAX {
            let _ = write!(std::io::stderr(), "\r{}\r", " ".repeat(self.label.width() + 34));
        }
    }
}
