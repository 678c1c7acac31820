//! Drawing the meetings pane: the list (or the follow-ups across meetings) and the
//! detail panel of the selected meeting.

use super::*;

impl Pane {
    fn name(&self, id: &Id) -> String {
        self.data.names.get(id).cloned().unwrap_or_else(|| id.short())
    }

    fn title(&self, lang: Lang) -> String {
        let mut parts = vec![format!(" {} ", t(lang, if self.show_followups { "open_followups" } else { "meetings" }))];
        if let Some(k) = self.kind {
            parts.push(format!("[{}]", k.code()));
        }
        if let Some(g) = &self.gmina {
            parts.push(format!("[{g}]"));
        }
        if let Some(p) = self.period {
            parts.push(format!("[{}]", self.period_label(p, lang)));
        }
        if let Some(p) = self.partnership {
            let name =
                self.data.partnerships.iter().find(|(id, _)| *id == p).map_or_else(|| p.short(), |(_, n)| short(n));
            parts.push(format!("[{}: {name}]", t(lang, "partnership")));
        }
        if self.open_only {
            parts.push(format!("[{}]", t(lang, "open")));
        }
        if !self.search.active && !self.search.query.is_empty() {
            parts.push(format!("[/{}]", self.search.query));
        }
        parts.join(" ")
    }

    pub fn render_list(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let title = self.title(lang);
        let Some((inner, h)) = crate::tui::widgets::list_frame(area, buf, theme, title) else { return };
        self.list.page = h;
        if !self.loaded {
            Paragraph::new(t(lang, "loading")).style(theme.dim()).render(Rect { height: 1, ..inner }, buf);
            return;
        }
        if self.show_followups {
            self.render_followups(inner, h, buf, theme, lang);
            return;
        }
        self.list.scroll(h);
        let wide = inner.width >= 90;
        let rows: Vec<TRow> = self
            .list
            .window(&self.view, h)
            .map(|(sel, &i)| {
                let r = &self.data.rows[i];
                let m = &r.meeting;
                let place = m.place.as_deref().unwrap_or("");
                let mut cells = vec![
                    Cell::from(if sel { ">" } else { " " }),
                    Cell::from(m.date.map(|d| d.to_string()).unwrap_or_default()),
                    Cell::from(m.kind.label(lang)),
                    Cell::from(highlighted(place, &self.search.query, theme)),
                    Cell::from(m.hours.map(hours).unwrap_or_default()),
                    Cell::from(m.attendees.len().to_string()),
                    Cell::from(if r.open > 0 { r.open.to_string() } else { String::new() }),
                ];
                if wide {
                    cells.push(Cell::from(highlighted(m.title.as_deref().unwrap_or(""), &self.search.query, theme)));
                }
                let row = TRow::new(cells);
                if sel { row.style(theme.selected()) } else { row }
            })
            .collect();
        let mut widths = vec![
            Constraint::Length(1),
            Constraint::Length(10),
            Constraint::Length(if inner.width >= 70 { 22 } else { 14 }),
            Constraint::Fill(2),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(4),
        ];
        let mut header = vec![
            "",
            t(lang, "date"),
            t(lang, "type"),
            t(lang, "place"),
            t(lang, "hours_short"),
            t(lang, "attendees_short"),
            t(lang, "open_short"),
        ];
        if wide {
            widths.push(Constraint::Fill(3));
            header.push(t(lang, "title"));
        }
        if self.view.is_empty() {
            Paragraph::new(t(lang, "nothing_found")).render(Rect { y: inner.y + 1, height: 1, ..inner }, buf);
        }
        Table::new(rows, widths)
            .header(TRow::new(header.into_iter().map(Cell::from).collect::<Vec<_>>()).style(theme.header()))
            .column_spacing(1)
            .render(inner, buf);
    }

    fn render_followups(&mut self, inner: Rect, h: usize, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        self.fups.scroll(h);
        let places: HashMap<Id, String> =
            self.data.rows.iter().map(|r| (r.meeting.id, r.meeting.place.clone().unwrap_or_default())).collect();
        let rows: Vec<TRow> = self
            .fups
            .window(&self.fup_view, h)
            .map(|(sel, &i)| {
                let f = &self.data.followups[i];
                let overdue = f.due.is_some_and(|d| d < self.today);
                let mark = Cell::from(if overdue { "!" } else { "" }).style(theme.error());
                let row = TRow::new(vec![
                    Cell::from(if sel { ">" } else { " " }),
                    Cell::from(f.due.map(|d| d.to_string()).unwrap_or_default()),
                    mark,
                    Cell::from(f.text.as_str()),
                    Cell::from(f.meeting.and_then(|m| places.get(&m).cloned()).unwrap_or_default()),
                ]);
                if sel { row.style(theme.selected()) } else { row }
            })
            .collect();
        if self.fup_view.is_empty() {
            Paragraph::new(t(lang, "no_open_followups")).render(Rect { y: inner.y + 1, height: 1, ..inner }, buf);
        }
        let header = ["", t(lang, "due"), "", t(lang, "followups"), t(lang, "place")];
        Table::new(
            rows,
            [
                Constraint::Length(1),
                Constraint::Length(10),
                Constraint::Length(1),
                Constraint::Fill(3),
                Constraint::Fill(1),
            ],
        )
        .header(TRow::new(header.into_iter().map(Cell::from).collect::<Vec<_>>()).style(theme.header()))
        .column_spacing(1)
        .render(inner, buf);
    }

    pub fn render_detail(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let row = if self.show_followups {
            self.target_followup()
                .and_then(|f| f.meeting)
                .and_then(|m| self.data.rows.iter().find(|r| r.meeting.id == m))
        } else {
            self.selected_row()
        };
        let title = row.map(|r| format!(" {} ", r.meeting.display_title(lang)));
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title(title.unwrap_or_else(|| format!(" {} ", t(lang, "details"))));
        let Some(r) = row else {
            let msg = if self.loaded { "nothing_found" } else { "loading" };
            Paragraph::new(t(lang, msg)).block(block).render(area, buf);
            return;
        };
        let m = &r.meeting;
        let label = |k: &str| Span::styled(format!("{}: ", t(lang, k)), theme.dim());
        let mut head = vec![Span::raw(m.date.map(|d| d.to_string()).unwrap_or_default())];
        if let Some(time) = m.time {
            head.push(Span::raw(format!(" {}", time.format("%H:%M"))));
        }
        head.push(Span::raw(format!(" · {}", m.kind.label(lang))));
        match (&m.place, &m.gmina) {
            (Some(p), Some(g)) if p != g => head.push(Span::raw(format!(" · {p} (gm. {g})"))),
            (Some(p), _) | (None, Some(p)) => head.push(Span::raw(format!(" · {p}"))),
            _ => {}
        }
        if let Some(h) = m.hours {
            head.push(Span::raw(format!(" · {} h", hours(h))));
        }
        let mut lines = vec![Line::from(head)];
        let cursor = if self.show_followups { None } else { self.current_item() };
        let mut att = vec![label("attendees"), Span::raw(format!("({}) ", m.attendees.len()))];
        for (i, a) in m.attendees.iter().enumerate() {
            if i > 0 {
                att.push(Span::raw(", "));
            }
            let style = if cursor == Some(Item::Attendee(*a)) { theme.selected() } else { Style::default() };
            att.push(Span::styled(self.name(a), style));
        }
        lines.push(Line::from(att));
        if !r.followups.is_empty() {
            lines.push(Line::from(label("followups")));
        }
        for &fi in &r.followups {
            let f = &self.data.followups[fi];
            let sel = cursor == Some(Item::FollowUp(fi))
                || (self.show_followups && self.fup_view.get(self.fups.selected) == Some(&fi));
            let mut spans = vec![
                Span::raw(if f.done { " [x] " } else { " [ ] " }),
                Span::styled(f.text.clone(), if sel { theme.selected() } else { Style::default() }),
            ];
            if let Some(d) = f.due {
                spans.push(Span::styled(format!("  {} {d}", t(lang, "due")), theme.dim()));
                if !f.done && d < self.today {
                    spans.push(Span::styled(format!(" {}", t(lang, "overdue")), theme.error()));
                }
            }
            lines.push(Line::from(spans));
        }
        if let Some(n) = &m.note {
            lines.push(Line::from(label("note")));
            lines.extend(n.lines().map(|l| Line::from(l.to_string())));
        }
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(area, buf);
    }
}
