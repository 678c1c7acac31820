//! Drawing pane 3: the tree and its detail, the needs, the gap of a place, a gmina's
//! plot, and the prompt and confirmation lines.

use super::*;

impl Pane {
    pub(super) fn render_tree(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let filters = self.filters_label(lang);
        let total = self.data.as_ref().map_or(0, |d| d.resources.len());
        let shown: usize = self.rows.iter().filter(|r| r.depth == 0).map(|r| r.count).sum();
        let mut title = format!(" {} {shown}/{total} ", t(lang, "resources"));
        if !filters.is_empty() {
            title.push_str(&format!("· {filters} "));
        }
        let Some((inner, _)) = crate::tui::widgets::list_frame(area, buf, theme, title) else { return };
        let h = inner.height as usize;
        self.page = h.max(1);
        self.offset = crate::tui::widgets::scroll_offset(self.selected, self.offset, h);
        if self.rows.is_empty() {
            Paragraph::new(t(lang, "nothing_found")).render(inner, buf);
            return;
        }
        let w = inner.width as usize;
        for (i, row) in self.rows.iter().enumerate().skip(self.offset).take(h) {
            let mark = match row.kind {
                Kind::Resource(_) => "·",
                _ if row.open => "▾",
                _ => "▸",
            };
            let cursor = if i == self.selected { "›" } else { " " };
            let count = if matches!(row.kind, Kind::Resource(_)) { String::new() } else { format!(" ({})", row.count) };
            let text = format!("{cursor}{}{mark} {}", "  ".repeat(row.depth), row.label);
            let text = fit(&text, w.saturating_sub(count.width()));
            let style = match (i == self.selected, &row.kind) {
                (true, _) => theme.selected(),
                (false, Kind::Gmina) => theme.header(),
                _ => Style::default(),
            };
            let line = Line::from(vec![Span::styled(text, style), Span::styled(count, theme.dim())]);
            let y = inner.y + (i - self.offset) as u16;
            Paragraph::new(line).render(Rect { y, height: 1, ..inner }, buf);
        }
    }

    pub(super) fn render_detail(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title(format!(" {} ", t(lang, "details")));
        let Some(data) = self.data.as_ref() else {
            block.render(area, buf);
            return;
        };
        let kv = |k: &str, v: String| Line::from(vec![Span::styled(format!("{k}: "), theme.dim()), Span::raw(v)]);
        let mut lines: Vec<Line> = Vec::new();
        match (self.selected_row(), self.selected_resource()) {
            (_, Some(r)) => {
                lines.push(Line::from(Span::styled(r.name.clone(), Style::default().add_modifier(Modifier::BOLD))));
                lines.push(kv(t(lang, "category"), r.category.label(lang).to_string()));
                lines.push(kv(t(lang, "place"), Scope::new(r.gmina.clone(), r.place.clone()).title(lang)));
                if let Some(c) = r.contact {
                    let name = data.names.get(&c).cloned().unwrap_or_else(|| c.short());
                    lines.push(kv(t(lang, "contact"), format!("{name}  ({})", t(lang, "res_enter_contact"))));
                }
                if !r.tags.is_empty() {
                    lines.push(kv(t(lang, "tags"), r.tags.join(", ")));
                }
                if let (Some(la), Some(lo)) = (r.lat, r.lon) {
                    lines.push(kv(t(lang, "res_coords"), format!("{la:.4}, {lo:.4}")));
                }
                let answers: Vec<&Need> = data.needs.iter().filter(|n| n.resources.contains(&r.id)).collect();
                if answers.is_empty() {
                    lines.push(kv(t(lang, "res_answers"), t(lang, "res_none").to_string()));
                } else {
                    lines.push(kv(t(lang, "res_answers"), String::new()));
                    for n in answers {
                        lines.push(Line::from(format!(" {} {}", status_mark(n.status), n.description)));
                    }
                }
                if let Some(d) = &r.description {
                    lines.push(kv(t(lang, "description"), d.clone()));
                }
            }
            (Some(row), None) => {
                lines.push(Line::from(Span::styled(
                    format!("{} ({})", row.label, row.count),
                    Style::default().add_modifier(Modifier::BOLD),
                )));
                let scope =
                    if row.kind == Kind::Gmina { Scope::new(row.scope.gmina.clone(), None) } else { row.scope.clone() };
                let visible = &self.visible;
                for c in ResourceCategory::ALL {
                    if let Kind::Category(only) = row.kind
                        && only != *c
                    {
                        continue;
                    }
                    let n = visible
                        .resources
                        .iter()
                        .filter(|r| r.category == *c && scope.contains(r.gmina.as_deref(), r.place.as_deref()))
                        .count();
                    if n > 0 {
                        lines.push(Line::from(format!(" {n:>3}  {}", c.label(lang))));
                    }
                }
                let needs = map::needs_in(data, &scope);
                let pending = needs.iter().filter(|n| map::is_pending(n)).count();
                let gap = map::gap(data, &scope);
                lines.push(kv(t(lang, "needs"), format!("{} ({} {pending})", needs.len(), t(lang, "res_pending"))));
                lines.push(kv(
                    t(lang, "res_gap"),
                    format!(
                        "{} {}, {} {}",
                        gap.unanswered.len(),
                        t(lang, "res_unanswered_short"),
                        gap.unused.len(),
                        t(lang, "res_unused_short")
                    ),
                ));
            }
            (None, None) => lines.push(Line::from(t(lang, "nothing_found"))),
        }
        Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(area, buf);
    }

    pub(super) fn render_needs(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let Some(data) = self.data.as_ref() else { return };
        let filters = self.filters_label(lang);
        let mut title = format!(" {} {}/{} ", t(lang, "needs"), self.needs.len(), data.needs.len());
        if !filters.is_empty() {
            title.push_str(&format!("· {filters} "));
        }
        let Some((inner, _)) = crate::tui::widgets::list_frame(area, buf, theme, title) else { return };
        let h = inner.height as usize;
        self.page = h.max(1);
        self.need_offset = crate::tui::widgets::scroll_offset(self.need_sel, self.need_offset, h);
        if self.needs.is_empty() {
            Paragraph::new(t(lang, "nothing_found")).render(inner, buf);
            return;
        }
        for (i, id) in self.needs.iter().enumerate().skip(self.need_offset).take(h) {
            let Some(n) = data.needs.iter().find(|n| n.id == *id) else { continue };
            let cursor = if i == self.need_sel { "›" } else { " " };
            let linked = data.linked(n).len();
            let place = n.place.clone().unwrap_or_else(|| t(lang, "res_unknown").to_string());
            let text = format!("{cursor}{} {place}: {}", status_mark(n.status), n.description);
            let tail = if linked > 0 { format!(" [{linked}]") } else { String::new() };
            let text = fit(&text, (inner.width as usize).saturating_sub(tail.width()));
            let style = if i == self.need_sel { theme.selected() } else { Style::default() };
            let y = inner.y + (i - self.need_offset) as u16;
            Paragraph::new(Line::from(vec![Span::styled(text, style), Span::styled(tail, theme.dim())]))
                .render(Rect { y, height: 1, ..inner }, buf);
        }
    }

    pub(super) fn render_need_detail(&self, area: Rect, buf: &mut Buffer, env: &Env) {
        let (theme, lang) = (&env.theme, env.lang);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title(format!(" {} ", t(lang, "details")));
        let inner = block.inner(area);
        block.render(area, buf);
        let (Some(data), Some(n)) = (self.data.as_ref(), self.selected_need()) else {
            Paragraph::new(t(lang, "nothing_found")).render(inner, buf);
            return;
        };
        let w = inner.width as usize;
        let kv = |k: &str, v: String| {
            Line::from(vec![
                Span::styled(format!("{k}: "), theme.dim()),
                Span::raw(fit(&v, w.saturating_sub(k.width() + 2))),
            ])
        };
        let mut lines: Vec<Line> =
            vec![Line::from(Span::styled(fit(&n.description, w), Style::default().add_modifier(Modifier::BOLD)))];
        let mut head = n.status.label(lang).to_string();
        if let Some(c) = n.category {
            head.push_str(&format!(" · {}", c.label(lang)));
        }
        lines.push(kv(t(lang, "status"), head));
        lines.push(kv(t(lang, "place"), Scope::new(data.need_gmina(n), n.place.clone()).title(lang)));
        if let Some(m) = n.meeting.and_then(|id| meeting_line(&env.store, id, lang)) {
            lines.push(kv(t(lang, "meeting"), m));
        }
        let linked: Vec<String> = data.linked(n).iter().map(|r| r.name.clone()).collect();
        lines.push(kv(
            t(lang, "res_linked_to"),
            if linked.is_empty() { t(lang, "res_none").to_string() } else { linked.join("; ") },
        ));
        let ps = self.proposals(lang);
        let keys = [Action::Link, Action::NextItem]
            .iter()
            .filter_map(|a| {
                env.keymap
                    .key_for(&[Context::Resources], *a)
                    .map(|k| format!("{k}: {}", crate::tui::keymap::action_label(*a, lang)))
            })
            .collect::<Vec<_>>()
            .join("  ");
        lines.push(Line::from(vec![
            Span::styled(format!("{} ({})", t(lang, "res_proposals"), ps.len()), theme.header()),
            Span::styled(format!("  {keys}"), theme.dim()),
        ]));
        let head = lines.len();
        if ps.is_empty() {
            lines.push(Line::from(format!(" {}", t(lang, "res_none"))));
        }
        for (i, p) in ps.iter().enumerate() {
            let name = data.resource(p.resource).map(|r| r.name.clone()).unwrap_or_default();
            let sel = i == self.proposal;
            let style = if sel { theme.selected() } else { Style::default() };
            lines.push(Line::from(Span::styled(fit(&format!("{}{name}", if sel { "›" } else { " " }), w), style)));
            lines.push(Line::from(Span::styled(fit(&format!("   {}", p.reason), w), theme.dim())));
        }
        // Keep the highlighted proposal in view.
        let h = inner.height as usize;
        let want = head + self.proposal * 2 + 2;
        let scroll = want.saturating_sub(h);
        Paragraph::new(lines).scroll((scroll as u16, 0)).render(inner, buf);
    }

    pub(super) fn render_gap(&self, scope: &Scope, area: Rect, buf: &mut Buffer, env: &Env) {
        let (theme, lang) = (&env.theme, env.lang);
        let Some(data) = self.data.as_ref() else { return };
        let title = format!(" {}: {} ", t(lang, "res_gap"), scope.title(lang));
        let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height < 3 {
            return;
        }
        let gap = map::gap(data, scope);
        let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
        let column = |area: Rect, head: String, items: Vec<String>, buf: &mut Buffer| {
            let w = area.width.saturating_sub(1) as usize;
            let h = area.height as usize;
            let mut lines = vec![Line::from(Span::styled(fit(&head, w), theme.header()))];
            if items.is_empty() {
                lines.push(Line::from(format!(" {}", t(lang, "res_none"))));
            }
            let room = h.saturating_sub(1);
            let cut = items.len() > room;
            let take = if cut { room.saturating_sub(1) } else { items.len() };
            for it in items.iter().take(take) {
                lines.push(Line::from(fit(&format!(" • {it}"), w)));
            }
            if cut {
                lines.push(Line::from(format!(" … {} {}", items.len() - take, t(lang, "res_more"))));
            }
            Paragraph::new(lines).render(area, buf);
        };
        let needs: Vec<String> = gap
            .unanswered
            .iter()
            .filter_map(|id| data.needs.iter().find(|n| n.id == *id))
            .map(|n| {
                let place = if scope.place.is_none() { n.place.clone().map(|p| format!("{p}: ")) } else { None };
                format!("{}{}", place.unwrap_or_default(), n.description)
            })
            .collect();
        let unused: Vec<String> = gap
            .unused
            .iter()
            .filter_map(|id| data.resource(*id))
            .map(|r| {
                let place = if scope.place.is_none() { r.place.clone().map(|p| format!(", {p}")) } else { None };
                format!("{} ({}{})", r.name, r.category.label(lang), place.unwrap_or_default())
            })
            .collect();
        // Needs above resources, each the full width: the texts are long. The needs
        // take what they need up to half, and a blank line parts the two.
        let needs_h = (needs.len().max(1) as u16 + 2).min(body.height / 2).max(2);
        let [top, bottom] = Layout::vertical([Constraint::Length(needs_h), Constraint::Fill(1)]).areas(body);
        let top = Rect { height: top.height.saturating_sub(1), ..top };
        column(top, format!("{} ({})", t(lang, "res_unanswered"), needs.len()), needs, buf);
        column(bottom, format!("{} ({})", t(lang, "res_unused"), unused.len()), unused, buf);
        let keys = [Action::Export, Action::Gap]
            .iter()
            .filter_map(|a| {
                env.keymap
                    .key_for(&[Context::Resources, Context::List], *a)
                    .map(|k| format!("{k}: {}", crate::tui::keymap::action_label(*a, lang)))
            })
            .collect::<Vec<_>>()
            .join("   ");
        Paragraph::new(Span::styled(keys, theme.dim())).render(foot, buf);
    }

    pub(super) fn render_plot(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let Some(data) = self.data.as_ref() else { return };
        let row = self.selected_row();
        let gmina = row.and_then(|r| r.scope.gmina.clone());
        let scope = Scope::new(gmina.clone(), None);
        let in_gmina: Vec<&Resource> = data
            .resources
            .iter()
            .filter(|r| gmina.is_some() && scope.contains(r.gmina.as_deref(), r.place.as_deref()))
            .collect();
        let points: Vec<(&Resource, f64, f64)> = in_gmina.iter().filter_map(|r| Some((*r, r.lon?, r.lat?))).collect();
        let title = format!(" {}: {} · {}/{} ", t(lang, "res_plot"), scope.title(lang), points.len(), in_gmina.len());
        let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        if points.is_empty() {
            Paragraph::new(t(lang, "res_no_coords")).wrap(Wrap { trim: true }).render(inner, buf);
            return;
        }
        if inner.width < 4 || inner.height < 3 {
            return;
        }
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (_, x, y) in &points {
            x0 = x0.min(*x);
            x1 = x1.max(*x);
            y0 = y0.min(*y);
            y1 = y1.max(*y);
        }
        // A margin so edge points and their labels stay inside; a floor for one point.
        let (dx, dy) = (((x1 - x0) * 0.08).max(0.005), ((y1 - y0) * 0.08).max(0.005));
        let (x0, x1, y0, y1) = (x0 - dx, x1 + dx, y0 - dy, y1 + dy);
        let unit = (x1 - x0) / inner.width as f64;
        let coords: Vec<(f64, f64)> = points.iter().map(|(_, x, y)| (*x, *y)).collect();
        let selected: Option<(String, f64, f64)> = match row.map(|r| &r.kind) {
            Some(Kind::Resource(id)) => {
                points.iter().find(|(r, ..)| r.id == *id).map(|(r, x, y)| (r.name.clone(), *x, *y))
            }
            Some(Kind::Place | Kind::Category(_)) => {
                let s = row.map(|r| r.scope.clone()).unwrap_or_default();
                let here: Vec<(f64, f64)> = points
                    .iter()
                    .filter(|(r, ..)| s.contains(r.gmina.as_deref(), r.place.as_deref()))
                    .map(|(_, x, y)| (*x, *y))
                    .collect();
                (!here.is_empty()).then(|| {
                    let n = here.len() as f64;
                    (
                        s.place.clone().unwrap_or_default(),
                        here.iter().map(|p| p.0).sum::<f64>() / n,
                        here.iter().map(|p| p.1).sum::<f64>() / n,
                    )
                })
            }
            _ => None,
        };
        let canvas = Canvas::default()
            .marker(if theme.ascii { Marker::Dot } else { Marker::Braille })
            .x_bounds([x0, x1])
            .y_bounds([y0, y1])
            .paint(|ctx| {
                ctx.draw(&Points { coords: &coords, color: ratatui::style::Color::Reset });
                if let Some((name, x, y)) = &selected {
                    ctx.layer();
                    // The label goes on the side of the point with more room.
                    let right = (x - x0) / (x1 - x0) < 0.5;
                    let label = if right { format!("◉ {name}") } else { format!("{name} ◉") };
                    let lx = if right { *x } else { x - (label.width().saturating_sub(1)) as f64 * unit };
                    ctx.print(lx.max(x0), *y, Line::from(Span::styled(label, theme.selected())));
                }
            });
        canvas.render(inner, buf);
    }

    pub(super) fn render_prompt(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let line = match self.typing {
            Some(Typing::Path) => Line::from(vec![
                Span::styled(format!(" {}: ", t(lang, "res_export_to")), theme.header()),
                Span::raw(self.path.clone()),
                Span::styled("▏", theme.key()),
                Span::styled(format!("  {}", t(lang, "res_export_keys")), theme.dim()),
            ]),
            _ => Line::from(vec![
                Span::raw(format!(" /{}", self.query)),
                Span::styled(if self.typing.is_some() { "▏" } else { "" }, theme.key()),
            ]),
        };
        Clear.render(area, buf);
        Paragraph::new(line).render(area, buf);
    }

    pub(super) fn render_confirm(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let Some((_, _, name)) = &self.confirm else { return };
        let w = area.width.min(60);
        let r = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + area.height.saturating_sub(5) / 2,
            width: w,
            height: 5.min(area.height),
        };
        Clear.render(r, buf);
        Paragraph::new(vec![
            Line::from(format!("{} {}?", t(lang, "delete_q"), short(name, 50))),
            Line::from(t(lang, "confirm_keys")),
        ])
        .block(
            Block::default().borders(Borders::ALL).border_set(theme.border()).title(format!(" {} ", t(lang, "delete"))),
        )
        .wrap(Wrap { trim: false })
        .render(r, buf);
    }
}
