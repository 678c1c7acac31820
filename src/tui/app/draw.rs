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
        let (list, detail) = crate::tui::widgets::split(main);
        if self.pane == 3 {
            self.graph.render(main, buf, &self.theme, self.lang);
        } else if self.pane == 0 {
            self.people.render_list(list, buf, &self.theme, self.lang);
            self.people.render_detail(detail, buf, &self.theme, self.lang);
        } else if self.pane == 1 {
            self.meetings.render_list(list, buf, &self.theme, self.lang);
            self.meetings.render_detail(detail, buf, &self.theme, self.lang);
        } else if let Some(i) = self.view_index(self.pane) {
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            self.views[i].2.render(main, buf, &env);
        }
        if let Some(screen) = self.screen.as_mut() {
            let env = Env { store: &self.store, lang: self.lang, keymap: &self.keymap, theme: &self.theme };
            ratatui::widgets::Clear.render(main, buf);
            screen.render(main, buf, &env);
        }
        self.render_status(status, buf);
        if matches!(self.popups.last(), Some(Popup::Capture(_))) {
            // The editor scrolls while drawing, so it is drawn from a mutable borrow.
            if let Some(Popup::Capture(mut c)) = self.popups.pop() {
                self.render_capture(&mut c, main, buf);
                self.popups.push(Popup::Capture(c));
            }
        } else if let Some(popup) = self.popups.last() {
            self.render_popup(popup, main, buf);
        }
    }

    pub(super) fn render_bar(&self, area: Rect, buf: &mut Buffer) {
        let mut spans = vec![Span::styled(" teren ", self.theme.header())];
        for i in 0..self.pane_count() {
            let label = format!(" {} {} ", i + 1, self.tr(self.pane_name(i)));
            let style = if i == self.pane { self.theme.active_tab() } else { Style::default() };
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
        let today = self.meetings.today;
        if let Some((_, n)) = self.overdue.get().filter(|(day, _)| *day == today) {
            return Ok(n);
        }
        let n = crate::plans::overdue_count(&self.store, today)?;
        self.overdue.set(Some((today, n)));
        Ok(n)
    }

    pub(super) fn render_status(&self, area: Rect, buf: &mut Buffer) {
        let ctx = self.contexts();
        let mode = match self.popups.last() {
            Some(Popup::Partnership(d)) if !d.is_form() => self.tr("mode_popup"),
            Some(Popup::Form(_) | Popup::Capture(_) | Popup::Partnership(_)) => self.tr("mode_form"),
            Some(_) => self.tr("mode_popup"),
            None if self.people.searching && self.pane == 0 => self.tr("mode_search"),
            None if self.meetings.searching && self.pane == 1 => self.tr("mode_search"),
            None if self.graph.searching && self.pane == 3 => self.tr("mode_search"),
            None if self.screen.as_ref().is_some_and(|s| s.typing()) => self.tr("mode_search"),
            None if self.screen.is_none() && self.view_index(self.pane).is_some_and(|i| self.views[i].2.typing()) => {
                self.tr("mode_search")
            }
            None => self.tr("mode_list"),
        };
        let mut spans = vec![Span::styled(format!(" {mode} "), self.theme.active_tab()), Span::raw(" ")];
        if self.pane == 0 && self.people.searching {
            spans.push(Span::raw(format!("/{}▏ ", self.people.query)));
        }
        if self.pane == 1 && self.meetings.searching {
            spans.push(Span::raw(format!("/{}▏ ", self.meetings.query)));
        }
        let count = if let Some(s) = &self.screen {
            format!("{} ", s.count())
        } else if self.pane == 0 {
            if self.people.complete {
                format!("{}/{} ", self.people.view.len(), self.people.rows.len())
            } else {
                // Only the first page is here; the count says so until the rest arrives
                // (and `benches/peers.sh` waits for the full count to type a search).
                format!("{}/{} ", self.people.view.len().min(self.total), self.total)
            }
        } else if self.pane == 1 {
            format!("{}/{} ", self.meetings.view.len(), self.meetings.data.rows.len())
        } else if self.pane == 3 {
            format!("{} ", self.graph.view.len())
        } else if let Some(i) = self.view_index(self.pane) {
            format!("{} ", self.views[i].2.count())
        } else {
            String::new()
        };
        spans.push(Span::raw(count));
        // Overdue tasks of action plans where the day starts (pane 1) and on the plans
        // pane: what the animator must chase.
        let overdue = match (self.pane, &self.screen) {
            (0 | 4, None) => self.overdue_count(),
            _ => Ok(0),
        };
        if let Ok(n @ 1..) = overdue {
            let msg = self.tr("plan_overdue_status").replace("{n}", &n.to_string());
            spans.push(Span::styled(format!("{msg} "), self.theme.error()));
        }
        if let Some(n) = self.conflicts.filter(|n| *n > 0) {
            spans.push(Span::styled(format!("{}: {n} ", self.tr("status_conflicts")), self.theme.error()));
        }
        if let Some(s) = &self.status {
            spans.push(Span::styled(format!("{s} "), self.theme.key()));
        }
        let view_hints = match (&self.screen, self.view_index(self.pane)) {
            (Some(s), _) => s.hints(),
            (None, Some(i)) => self.views[i].2.hints(),
            _ => Vec::new(),
        };
        let hints: &[Action] = match self.popups.last() {
            None if !view_hints.is_empty() => &view_hints,
            Some(Popup::Partnership(d)) if !d.is_form() => &[Action::Confirm, Action::Cancel],
            Some(Popup::Form(_) | Popup::Capture(_) | Popup::Partnership(_)) => {
                &[Action::Save, Action::NextField, Action::Cancel]
            }
            Some(_) => &[Action::Confirm, Action::Cancel],
            None if self.people.searching && self.pane == 0 => &[Action::Confirm, Action::Cancel],
            None if self.meetings.searching && self.pane == 1 => &[Action::Confirm, Action::Cancel],
            None if self.graph.searching && self.pane == 3 => &[Action::Confirm, Action::Cancel],
            None if self.pane == 0 => &[Action::Search, Action::Add, Action::Edit, Action::Help],
            None if self.pane == 1 => &[Action::Capture, Action::Search, Action::ToggleDone, Action::Followups],
            None if self.pane == 3 => &[Action::Search, Action::Add, Action::OrgsOnly, Action::Hops, Action::Structure],
            None => &[Action::Help, Action::Quit],
        };
        for a in hints {
            if let Some(k) = self.keymap.key_for(&ctx, *a) {
                spans.push(Span::styled(k, self.theme.key()));
                spans.push(Span::raw(format!(" {}  ", action_label(*a, self.lang))));
            }
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    pub(super) fn render_popup(&self, popup: &Popup, area: Rect, buf: &mut Buffer) {
        let centered = |w: u16, h: u16| {
            let w = w.min(area.width);
            let h = h.min(area.height);
            Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
        };
        let block = |title: &str| {
            Block::default().borders(Borders::ALL).border_set(self.theme.border()).title(format!(" {title} "))
        };
        match popup {
            Popup::Help { scroll } => {
                let r = centered(76, area.height);
                let mut lines = Vec::new();
                for ctx in Context::ALL {
                    let bs = self.keymap.bindings(ctx);
                    if bs.is_empty() {
                        continue;
                    }
                    lines.push(Line::from(Span::styled(
                        self.tr(&format!("ctx_{}", ctx.name())).to_string(),
                        self.theme.header(),
                    )));
                    for b in bs.iter().filter(|b| b.action != Action::Noop) {
                        let desc = if self.lang == Lang::Pl && !b.desc.is_empty() {
                            b.desc.clone()
                        } else {
                            action_label(b.action, self.lang).to_string()
                        };
                        lines.push(Line::from(vec![
                            Span::styled(format!("  {:<10}", b.label()), self.theme.key()),
                            Span::raw(desc),
                        ]));
                    }
                }
                Clear.render(r, buf);
                Paragraph::new(lines).block(block(self.tr("help"))).scroll((*scroll as u16, 0)).render(r, buf);
            }
            Popup::Record { title, lines, scroll } => {
                let r = centered(area.width.saturating_sub(4).max(20), area.height);
                let text: Vec<Line> = lines
                    .iter()
                    .map(|(k, v)| {
                        Line::from(vec![Span::styled(format!("{k}: "), self.theme.dim()), Span::raw(v.clone())])
                    })
                    .collect();
                Clear.render(r, buf);
                Paragraph::new(text)
                    .block(block(title))
                    .wrap(Wrap { trim: true })
                    .scroll((*scroll as u16, 0))
                    .render(r, buf);
            }
            Popup::Form(f) => self.render_form(f, centered(76, (f.fields.len() as u16) + 6), buf),
            Popup::Duplicate { existing, .. } => {
                let r = centered(64, 9);
                let mut lines = vec![Line::from(self.tr("duplicate_warning"))];
                for (_, n) in existing.iter().take(3) {
                    lines.push(Line::from(format!("  • {n}")));
                }
                lines.push(Line::from(""));
                lines.push(Line::from(self.tr("duplicate_keys")));
                Clear.render(r, buf);
                Paragraph::new(lines).block(block(self.tr("duplicate"))).wrap(Wrap { trim: false }).render(r, buf);
            }
            Popup::ConfirmDelete { name, .. } => {
                let r = centered(60, 5);
                Clear.render(r, buf);
                Paragraph::new(vec![
                    Line::from(format!("{} {name}?", self.tr("delete_q"))),
                    Line::from(self.tr("confirm_keys")),
                ])
                .block(block(self.tr("delete")))
                .wrap(Wrap { trim: false })
                .render(r, buf);
            }
            Popup::Message(m) => {
                let r = centered(60, 6);
                Clear.render(r, buf);
                Paragraph::new(m.as_str()).block(block("!")).wrap(Wrap { trim: false }).render(r, buf);
            }
            Popup::Capture(_) => {}
            Popup::Partnership(d) => self.render_partnership(d, area, buf),
            Popup::DiscardCapture(_) => {
                let r = centered(60, 5);
                Clear.render(r, buf);
                Paragraph::new(vec![Line::from(self.tr("discard_q")), Line::from(self.tr("discard_keys"))])
                    .block(block(self.tr("discard")))
                    .wrap(Wrap { trim: false })
                    .render(r, buf);
            }
            Popup::ResumeDraft(d) => {
                let r = centered(64, 8);
                let who = d.attendees.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ");
                let first = d.notes.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                Clear.render(r, buf);
                Paragraph::new(vec![
                    Line::from(format!("{} · {} · {}", d.date, d.place, who)),
                    Line::from(Span::styled(first.to_string(), self.theme.dim())),
                    Line::from(""),
                    Line::from(self.tr("draft_keys")),
                ])
                .block(block(self.tr("draft_found")))
                .wrap(Wrap { trim: false })
                .render(r, buf);
            }
            Popup::FirstRun => {
                let r = centered(60, 8);
                Clear.render(r, buf);
                Paragraph::new(vec![
                    Line::from(self.tr("first_run")),
                    Line::from(""),
                    Line::from(self.tr("first_run_keys")),
                ])
                .block(block(self.tr("welcome")))
                .wrap(Wrap { trim: false })
                .render(r, buf);
            }
        }
    }

    pub(super) fn render_form(&self, f: &Form, r: Rect, buf: &mut Buffer) {
        Clear.render(r, buf);
        let block =
            Block::default().borders(Borders::ALL).border_set(self.theme.border()).title(format!(" {} ", f.title));
        let inner = block.inner(r);
        block.render(r, buf);
        let label_w = f.fields.iter().map(|x| x.label.chars().count()).max().unwrap_or(8) as u16 + 2;
        for (i, field) in f.fields.iter().enumerate() {
            let y = inner.y + i as u16;
            if y >= inner.y + inner.height {
                break;
            }
            let focused = i == f.focus;
            let marker = if focused { ">" } else { " " };
            let mut spans = vec![
                Span::raw(marker),
                Span::styled(format!("{:<w$}", field.label, w = label_w as usize - 1), self.theme.dim()),
            ];
            if focused {
                let (a, b): (String, String) = (
                    field.value.chars().take(field.cursor).collect(),
                    field.value.chars().skip(field.cursor).collect(),
                );
                spans.push(Span::raw(a));
                spans.push(Span::styled("▏", self.theme.key()));
                spans.push(Span::raw(b));
            } else {
                spans.push(Span::raw(field.value.clone()));
            }
            if field.error.is_some() {
                // The message itself goes under the fields, where it has the full width.
                spans.push(Span::styled("  ✗", self.theme.error()));
            }
            let line = Line::from(spans);
            let style =
                if focused { Style::default().add_modifier(ratatui::style::Modifier::BOLD) } else { Style::default() };
            Paragraph::new(line).style(style).render(Rect { x: inner.x, y, width: inner.width, height: 1 }, buf);
        }
        let y = inner.y + f.fields.len() as u16 + 1;
        if y < inner.y + inner.height {
            let focused_error =
                f.fields.get(f.focus).and_then(|x| x.error.as_ref().map(|e| format!("{}: {e}", x.label)));
            let first_error = f.fields.iter().find_map(|x| x.error.as_ref().map(|e| format!("{}: {e}", x.label)));
            let error = f.error.clone().or(focused_error).or(if f.error.is_some() { first_error } else { None });
            let msg = error.clone().unwrap_or_else(|| {
                // Hints from the live keymap, so they stay right after a user remaps keys.
                [Action::Save, Action::NextField, Action::Cancel]
                    .iter()
                    .filter_map(|a| {
                        self.keymap
                            .key_for(&[Context::Form], *a)
                            .map(|k| format!("{k}: {}", action_label(*a, self.lang)))
                    })
                    .collect::<Vec<_>>()
                    .join("   ")
            });
            let style = if error.is_some() { self.theme.error() } else { self.theme.dim() };
            let height = (inner.y + inner.height - y).min(2);
            Paragraph::new(Span::styled(msg, style))
                .wrap(Wrap { trim: true })
                .render(Rect { x: inner.x, y, width: inner.width, height }, buf);
        }
    }
}
