//! Where the ego view of one organisation puts its nodes and labels: a deterministic
//! layout in a grid of terminal cells (no terminal here: the pane draws it).

use super::Graph;
use crate::model::Kind;
use std::collections::HashSet;
use unicode_width::UnicodeWidthStr;

/// `name` cut to `max` columns with an ellipsis.
pub fn short(name: &str, max: usize) -> String {
    if name.width() <= max {
        return name.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in name.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    let trimmed = out.trim_end().to_string();
    if max == 0 { trimmed } else { format!("{trimmed}…") }
}

/// One drawn node: where it sits (canvas units = cells) and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub node: usize,
    pub hop: usize,
    pub org: bool,
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub label_x: f64,
}

/// The ego view's drawing: nodes (the centre first) and lines between them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EgoLayout {
    pub nodes: Vec<Placed>,
    pub lines: Vec<(usize, usize)>,
}

/// A deterministic layout of `center`'s neighbourhood in a `w`×`h` cell area: the
/// centre in the middle, the heaviest neighbours on an ellipse clockwise from the top;
/// with two hops the neighbours on an inner ellipse and up to two of each one's own
/// neighbours outside it, near their angle.
pub fn ego_layout(g: &Graph, center: usize, hops: usize, w: u16, h: u16) -> EgoLayout {
    let (wf, hf) = (w as f64, h as f64);
    let (cx, cy) = (wf / 2.0, hf / 2.0);
    let max_label = ((w as usize) / 4).clamp(4, 14);
    // Cells taken by labels so far: (row, first column, past the last column).
    let mut taken: Vec<(i64, i64, i64)> = Vec::new();
    // Where ratatui's canvas puts a label at (x, y).
    let cell = |x: f64, y: f64| {
        let col = (x * (wf - 1.0) / wf.max(1.0)).floor() as i64;
        let row = ((hf - y) * (hf - 1.0) / hf.max(1.0)).floor() as i64;
        (row, col)
    };
    let mut place = |node: usize, hop: usize, x: f64, y: f64, max: usize| {
        let name = &g.nodes[node].name;
        let mut chosen = (String::new(), x);
        // The longest label, down to five columns, that overlaps none drawn before.
        for m in [max, 8, 5] {
            if m > max && hop > 0 {
                continue;
            }
            let label = short(name, m);
            let lw = label.width() as f64;
            let label_x = if hop == 0 {
                cx - lw / 2.0
            } else if x >= cx {
                x + 1.0
            } else {
                x - lw - 1.0
            };
            let label_x = label_x.clamp(0.0, (wf - lw).max(0.0));
            let (row, col) = cell(label_x, y);
            let end = col + lw as i64;
            if !taken.iter().any(|&(r, a, b)| r == row && col < b + 1 && a < end + 1) {
                taken.push((row, col, end));
                chosen = (label, label_x);
                break;
            }
        }
        let (label, label_x) = chosen;
        Placed { node, hop, org: g.nodes[node].kind == Kind::Org, x, y, label, label_x }
    };
    let mut out = EgoLayout { nodes: vec![place(center, 0, cx, cy, max_label + 4)], lines: Vec::new() };
    let rows = (h as usize).saturating_sub(1).max(1);
    let first: Vec<usize> = g.neighbours(center).into_iter().map(|(n, _)| n).collect();
    let limit1 = if hops >= 2 { rows.min(6) } else { (rows * 2).min(10) };
    let first: Vec<usize> = first.into_iter().take(limit1).collect();
    let (rx1, ry1) = if hops >= 2 { (wf * 0.22, hf * 0.28) } else { (wf * 0.30, hf * 0.42) };
    let angle = |k: usize, n: usize| std::f64::consts::FRAC_PI_2 - std::f64::consts::TAU * k as f64 / n.max(1) as f64;
    let mut seen: HashSet<usize> = HashSet::from([center]);
    seen.extend(first.iter().copied());
    for (k, &n) in first.iter().enumerate() {
        let a = angle(k, first.len());
        let (x, y) = (cx + rx1 * a.cos(), cy + ry1 * a.sin());
        out.nodes.push(place(n, 1, x, y, max_label));
        out.lines.push((0, out.nodes.len() - 1));
    }
    if hops >= 2 {
        let (rx2, ry2) = (wf * 0.40, hf * 0.46);
        let spread = std::f64::consts::TAU / (first.len().max(1) as f64) / 4.0;
        for (k, &p) in first.iter().enumerate() {
            let parent = k + 1;
            let a = angle(k, first.len());
            let mut added = 0;
            for (q, _) in g.neighbours(p) {
                if added == 2 {
                    break;
                }
                if !seen.insert(q) {
                    continue;
                }
                let b = a + if added == 0 { -spread } else { spread };
                let (x, y) = (cx + rx2 * b.cos(), cy + ry2 * b.sin());
                out.nodes.push(place(q, 2, x, y, 8));
                out.lines.push((parent, out.nodes.len() - 1));
                added += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_keep_to_their_width() {
        assert_eq!(short("Koło Gospodyń Wiejskich", 10), "Koło Gosp…");
        assert_eq!(short("KGW", 10), "KGW");
        assert!(short("Stowarzyszenie", 5).width() <= 5);
        assert_eq!(short("abc", 0), "");
    }
}
