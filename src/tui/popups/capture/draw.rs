//! Drawing quick capture: the fields, the attendee chips and search, the notes and
//! follow-ups editors, and a line of hints or errors.

use super::*;
use crate::tui::keymap::Action;
use crate::tui::popups::form_hints;
use crate::tui::view::Env;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

impl Capture {
    pub(super) fn draw(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let c = self;
        let tr = |k: &str| t(env.lang, k);
        let w = area.width.min(100);
        let r = Rect { x: area.x + (area.width - w) / 2, y: area.y, width: w, height: area.height };
        Clear.render(r, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(env.theme.border())
            .title(format!(" {} ", tr("new_meeting")));
        let inner = block.inner(r);
        block.render(r, buf);
        if inner.height < 8 {
            return;
        }
        let bottom = inner.y + inner.height;
        let row = |y: u16| Rect { x: inner.x, y, width: inner.width, height: 1 };
        let label_w = 16;
        let head = |focused: bool, label: &str| {
            vec![
                Span::raw(if focused { ">" } else { " " }),
                Span::styled(format!("{label:<w$}", w = label_w - 1), env.theme.dim()),
            ]
        };
        let cursor_line = |f: &Field, focused: bool| f.spans(focused, &env.theme);
        let mut y = inner.y;
        for (i, f) in c.fields.iter().enumerate() {
            let focused = c.focus == i;
            let mut spans = head(focused, &f.label);
            spans.extend(cursor_line(f, focused));
            if i == TYPE {
                if let Ok(k) = crate::model::MeetingType::parse(&f.value) {
                    spans.push(Span::styled(format!("  {}", k.label(env.lang)), env.theme.dim()));
                }
                if focused {
                    spans.push(Span::styled(format!("   {}", tr("type_keys")), env.theme.dim()));
                }
            }
            if f.error.is_some() {
                spans.push(Span::styled("  ✗", env.theme.error()));
            }
            Paragraph::new(Line::from(spans)).render(row(y), buf);
            y += 1;
        }
        // Attendees: chips, then the search line and what it finds.
        let focused = c.focus == ATTENDEES;
        let mut spans = head(focused, &format!("{} ({})", tr("attendees"), c.chips.len()));
        for (i, a) in c.chips.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            let text = match a {
                crate::capture::Attendee::Known { name, .. } => format!("[{name}]"),
                crate::capture::Attendee::New { name } => format!("[+{name} ({})]", tr("new_person")),
            };
            spans.push(Span::styled(text, env.theme.key()));
        }
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: false }).render(Rect { height: 2, ..row(y) }, buf);
        y += 2;
        let mut spans = vec![
            Span::raw(" "),
            Span::styled(format!("  {:<w$}", tr("attendee_search"), w = label_w - 3), env.theme.dim()),
        ];
        spans.extend(cursor_line(&c.query, focused));
        if focused {
            spans.push(Span::styled(format!("   {}", tr("attendee_keys")), env.theme.dim()));
        }
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        y += 1;
        if focused && !c.query.value.trim().is_empty() {
            let n = c.candidates.len();
            for (i, cand) in c.candidates.iter().enumerate() {
                let style = if i == c.cand { env.theme.selected() } else { Style::default() };
                let line = Line::from(vec![
                    Span::raw(format!("{:w$}", "", w = label_w)),
                    Span::styled(cand.name.clone(), style),
                    Span::styled(format!("  {}", cand.hint), env.theme.dim()),
                ]);
                Paragraph::new(line).render(row(y), buf);
                y += 1;
            }
            let style = if c.cand == n { env.theme.selected() } else { Style::default() };
            let line = Line::from(vec![
                Span::raw(format!("{:w$}", "", w = label_w)),
                Span::styled(format!("+ {}: {}", tr("new_person"), c.query.value.trim()), style),
            ]);
            Paragraph::new(line).render(row(y), buf);
            y += 1;
        }
        // Notes fill the rest, above the follow-ups field and two lines of hints or errors.
        let focused = c.focus == NOTES;
        let mut spans = head(focused, tr("note"));
        spans.push(Span::styled(tr("notes_help"), env.theme.dim()));
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        y += 1;
        let free = bottom.saturating_sub(y + 2);
        let fups_h = 3.min(free.saturating_sub(2) / 2);
        let notes_h = free.saturating_sub(fups_h + 1);
        let notes = Rect { x: inner.x + 1, y, width: inner.width.saturating_sub(1), height: notes_h };
        c.notes.render(notes, buf, focused, env.theme.key());
        y += notes_h;
        let focused = c.focus == FOLLOWUPS;
        let mut spans = head(focused, tr("followups"));
        spans.push(Span::styled(tr("followups_help"), env.theme.dim()));
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        let fups = Rect { x: inner.x + 1, y: y + 1, width: inner.width.saturating_sub(1), height: fups_h };
        c.followups.render(fups, buf, focused, env.theme.key());
        let y = bottom.saturating_sub(2);
        let error = c.error.clone().or_else(|| {
            let f = c.fields.iter().find(|f| f.error.is_some())?;
            Some(format!("{}: {}", f.label, f.error.clone().unwrap_or_default()))
        });
        let msg = error.clone().unwrap_or_else(|| {
            form_hints(env, &[Action::Save, Action::NextField, Action::ExternalEditor, Action::Cancel])
        });
        let style = if error.is_some() { env.theme.error() } else { env.theme.dim() };
        Paragraph::new(Span::styled(msg, style))
            .wrap(Wrap { trim: true })
            .render(Rect { x: inner.x, y, width: inner.width, height: 2 }, buf);
    }
}
