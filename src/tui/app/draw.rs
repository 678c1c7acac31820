//! Drawing the whole screen from the app's state: the pane bar, the focused pane, the
//! status line and the popups on top.

use super::*;

impl App {
    /// Draw the whole screen from state.
    pub fn render(&mut self, area: Rect, buf: &mut Buffer) {
        if area.width < 40 || area.height < 10 {
            let msg = self.tr("too_small");
            let p =
                Paragraph::new(vec![Line::from(msg), Line::from(format!("{}×{} < 40×10", area.width, area.height))])
                    .wrap(Wrap { trim: true });
            p.render(area, buf);
            return;
        }
        let [bar, main, status] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        self.render_bar(bar, buf);
        self.panes[self.pane].1.render(main, buf, &self.env);
        // The topmost full screen over the pane, then the popup on top of it.
        if let Some(i) = self.stack.iter().rposition(|v| !v.modal()) {
            ratatui::widgets::Clear.render(main, buf);
            self.stack[i].render(main, buf, &self.env);
        }
        self.render_status(status, buf);
        if let Some(top) = self.stack.last_mut()
            && top.modal()
        {
            top.render(main, buf, &self.env);
        }
    }

    pub(super) fn render_bar(&self, area: Rect, buf: &mut Buffer) {
        let mut spans = vec![Span::styled(" teren ", self.env.theme.header())];
        for (i, (name, _)) in self.panes.iter().enumerate() {
            let label = format!(" {} {} ", i + 1, self.tr(name));
            let style = if i == self.pane { self.env.theme.active_tab() } else { Style::default() };
            spans.push(Span::styled(label, style));
        }
        // The pane names matter more than the brand: drop it when they would not fit
        // (six English names need 83 columns with it, 76 without).
        if Line::from(spans.clone()).width() > area.width as usize {
            spans.remove(0);
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    /// Overdue plan tasks, from the memo while the data and the day are the same.
    pub(super) fn overdue_count(&self) -> crate::store::Result<usize> {
        let today = self.env.today;
        if let Some((_, n)) = self.overdue.get().filter(|(day, _)| *day == today) {
            return Ok(n);
        }
        let n = crate::plans::overdue_count(&self.env.store, today)?;
        self.overdue.set(Some((today, n)));
        Ok(n)
    }

    pub(super) fn render_status(&self, area: Rect, buf: &mut Buffer) {
        let ctx = self.contexts();
        let top = self.stack.last();
        let screen = self.stack.iter().rev().find(|v| !v.modal());
        let pane = self.focused();
        let mode = match top {
            Some(t) if t.modal() && t.contexts().first() == Some(&Context::Form) => self.tr("mode_form"),
            Some(t) if t.modal() => self.tr("mode_popup"),
            Some(t) if t.typing() => self.tr("mode_search"),
            Some(_) => self.tr("mode_list"),
            None if pane.typing() => self.tr("mode_search"),
            None => self.tr("mode_list"),
        };
        let theme = &self.env.theme;
        let mut spans = vec![Span::styled(format!(" {mode} "), theme.active_tab()), Span::raw(" ")];
        if top.is_none()
            && let Some(q) = pane.search_line()
        {
            spans.push(Span::raw(format!("/{q}▏ ")));
        }
        let count = match screen {
            Some(s) => s.count(),
            None => pane.count(),
        };
        spans.push(Span::raw(format!("{count} ")));
        // Overdue tasks of action plans where the day starts (pane 1) and on the plans
        // pane: what the animator must chase.
        let overdue = match (self.pane, screen) {
            (0 | 4, None) => self.overdue_count(),
            _ => Ok(0),
        };
        if let Ok(n @ 1..) = overdue {
            let msg = self.tr("plan_overdue_status").replace("{n}", &n.to_string());
            spans.push(Span::styled(format!("{msg} "), theme.error()));
        }
        if let Some(n) = self.conflicts.filter(|n| *n > 0) {
            spans.push(Span::styled(format!("{}: {n} ", self.tr("status_conflicts")), theme.error()));
        }
        if let Some(s) = &self.status {
            spans.push(Span::styled(format!("{s} "), theme.key()));
        }
        let view_hints = match top {
            Some(t) => t.hints(),
            None => pane.hints(),
        };
        let hints: &[Action] = match top {
            _ if !view_hints.is_empty() => &view_hints,
            Some(_) => &[Action::Confirm, Action::Cancel],
            None => &[Action::Help, Action::Quit],
        };
        for a in hints {
            if let Some(k) = self.env.keymap.key_for(&ctx, *a) {
                spans.push(Span::styled(k, theme.key()));
                spans.push(Span::raw(format!(" {}  ", action_label(*a, self.env.lang))));
            }
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }
}
