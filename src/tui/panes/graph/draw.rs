//! Drawing the graph pane: the organisations list, the ego view on a braille canvas,
//! the selected node's ties and metrics, and the structure view (bridges, isolated
//! participants, groups).

use super::*;

impl Pane {
    fn when(&self, lang: Lang) -> String {
        match self.at {
            Some(d) => format!("{} {}", t(lang, "graph_as_of"), d.format("%Y-%m")),
            None => t(lang, "graph_now").to_string(),
        }
    }

    /// Draw the pane into the main area.
    pub fn draw(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        if area.width < 20 || area.height < 4 {
            return;
        }
        if self.structure {
            self.render_structure(area, buf, theme, lang);
            return;
        }
        let list_w = if area.width >= 100 { 36 } else { (area.width * 3 / 8).max(16) };
        let [list, right] = Layout::horizontal([Constraint::Length(list_w), Constraint::Fill(1)]).areas(area);
        self.render_list(list, buf, theme, lang);
        let [ego, info] = Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(right);
        self.render_ego(ego, buf, theme, lang);
        self.render_info(info, buf, theme, lang);
    }

    fn render_list(&mut self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let scope = self.current_scope();
        let mut name = self
            .partnership
            .and_then(|p| self.shown.as_ref().and_then(|c| c.partnerships.get(p).map(|x| x.0.clone())))
            .or_else(|| scope.gmina.clone())
            .unwrap_or_else(|| t(lang, "graph_orgs").to_string());
        if scope.orgs && self.partnership.is_none() && scope.gmina.is_none() {
            name = t(lang, "graph_orgs_only").to_string();
        } else if scope.orgs {
            name = format!("{name}, {}", t(lang, "graph_no_people"));
        }
        if self.search.active {
            name = format!("/{}", self.search.query);
        }
        let count = self.view.len().to_string();
        let room = (area.width as usize).saturating_sub(7 + count.len());
        let title = format!(" {} ({count}) ", short(&name, room));
        let Some((inner, h)) = crate::tui::widgets::list_frame(area, buf, theme, title) else { return };
        self.list.page = h;
        if self.shown.is_none() {
            let msg = self.error.clone().unwrap_or_else(|| t(lang, "graph_computing").to_string());
            Paragraph::new(msg).render(Rect { height: 1, ..inner }, buf);
            return;
        }
        let Some(c) = self.shown.clone() else { return };
        let m = &c.graph.metrics;
        self.list.scroll(h);
        let rows: Vec<TRow> = self
            .list
            .window(&self.view, h)
            .map(|(sel, &i)| {
                let row = TRow::new(vec![
                    Cell::from(if sel { ">" } else { " " }),
                    Cell::from(c.graph.nodes[i].name.clone()),
                    Cell::from(format!("{:>3}", m.degree.get(i).copied().unwrap_or(0))),
                    Cell::from(format!("{:.3}", m.betweenness.get(i).copied().unwrap_or(0.0))),
                ]);
                if sel { row.style(theme.selected()) } else { row }
            })
            .collect();
        let mark = |s: SortBy, key: &str| {
            let label = t(lang, key);
            if self.sort == s { format!("{label}↓") } else { label.to_string() }
        };
        let header = TRow::new(vec![
            Cell::from(""),
            Cell::from(t(lang, "org")),
            Cell::from(mark(SortBy::Degree, "graph_degree_short")),
            Cell::from(mark(SortBy::Betweenness, "graph_betweenness_short")),
        ])
        .style(theme.header());
        Table::new(rows, [Constraint::Length(1), Constraint::Fill(1), Constraint::Length(4), Constraint::Length(6)])
            .header(header)
            .column_spacing(1)
            .render(inner, buf);
    }

    fn render_ego(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let mut title = format!(" {} · {} · {}", t(lang, "graph_ego"), self.hops_label(lang), self.when(lang));
        let layout = match (self.shown.as_ref(), self.selected_node()) {
            (Some(c), Some(center)) if area.width >= 10 && area.height >= 5 => {
                let l = ego_layout(&c.graph, center, self.hops, area.width - 2, area.height - 2);
                let all = c.graph.ego(center, self.hops).len().saturating_sub(1);
                title.push_str(&format!(" · {}/{all}", l.nodes.len() - 1));
                Some(l)
            }
            _ => None,
        };
        let inner = self.frame(title, area, buf, theme, lang);
        let Some(layout) = layout else { return };
        let (w, h) = (inner.width as f64, inner.height as f64);
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let canvas = Canvas::default()
            .marker(if theme.ascii { Marker::Dot } else { Marker::Braille })
            .x_bounds([0.0, w])
            .y_bounds([0.0, h])
            .paint(|ctx| {
                for (a, b) in &layout.lines {
                    let (pa, pb) = (&layout.nodes[*a], &layout.nodes[*b]);
                    ctx.draw(&CanvasLine::new(pa.x, pa.y, pb.x, pb.y, ratatui::style::Color::Reset));
                }
                for n in &layout.nodes {
                    let style = match n.hop {
                        0 => theme.selected(),
                        1 if n.org => bold,
                        _ => Style::default(),
                    };
                    ctx.print(n.label_x, n.y, Line::from(Span::styled(n.label.clone(), style)));
                }
            });
        canvas.render(inner, buf);
    }

    fn hops_label(&self, lang: Lang) -> &'static str {
        if self.hops == 1 { t(lang, "graph_one_hop") } else { t(lang, "graph_two_hops") }
    }

    fn render_info(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let (Some(c), Some(n)) = (self.shown.as_ref(), self.selected_node()) else {
            Block::default().borders(Borders::ALL).border_set(theme.border()).render(area, buf);
            return;
        };
        let g = &c.graph;
        let neighbours = g.neighbours(n);
        let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(format!(
            " {} ({}) ",
            t(lang, "graph_neighbours"),
            neighbours.len()
        ));
        let inner = block.inner(area);
        block.render(area, buf);
        let width = inner.width as usize;
        let mut lines = vec![Line::from(Span::styled(short(&metrics_line(g, n, lang), width), theme.key()))];
        let name_w = (width / 3).clamp(6, 24);
        for (w, e) in neighbours.iter().take(inner.height.saturating_sub(1) as usize) {
            let head = format!("{:>2} {:<name_w$} ", e.weight(), short(&g.nodes[*w].name, name_w));
            let why = short(&e.why(lang), width.saturating_sub(head.width()));
            lines.push(Line::from(vec![Span::raw(head), Span::styled(why, theme.dim())]));
        }
        if neighbours.is_empty() {
            lines.push(Line::from(t(lang, "graph_no_ties")));
        }
        Paragraph::new(lines).render(inner, buf);
    }

    /// Draw a bordered frame titled `title` (plus "computing…" while a job runs) and
    /// return the area inside it.
    fn frame(&self, mut title: String, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) -> Rect {
        if self.computing() {
            title.push_str(&format!(" · {}", t(lang, "graph_computing")));
        } else if let Some(k) = self.shown.as_ref().and_then(|c| c.graph.metrics.sampled) {
            // Centralities past the budget are estimated: say from how many sources.
            title.push_str(&format!(" · {}", t(lang, "graph_sampled").replace("{k}", &k.to_string())));
        }
        title.push(' ');
        let block = Block::default().borders(Borders::ALL).border_set(theme.border()).title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        inner
    }

    fn render_structure(&self, area: Rect, buf: &mut Buffer, theme: &Theme, lang: Lang) {
        let title = format!(" {} · {}", t(lang, "graph_structure"), self.when(lang));
        let inner = self.frame(title, area, buf, theme, lang);
        let Some(c) = self.shown.as_ref() else { return };
        let g = &c.graph;
        let m = &g.metrics;
        let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(inner);
        let lw = left.width.saturating_sub(1) as usize;
        let rw = right.width as usize;
        // Bridges: cut vertices and the highest betweenness.
        let bridges = g.bridges(left.height.saturating_sub(2) as usize);
        let mut l = vec![Line::from(Span::styled(t(lang, "graph_bridges"), theme.header()))];
        for b in &bridges {
            let cut = if m.cut_vertices.binary_search(b).is_ok() { "*" } else { " " };
            let tail = format!(" {:.3} {cut}", m.betweenness.get(*b).copied().unwrap_or(0.0));
            let name = short(&g.nodes[*b].name, lw.saturating_sub(tail.width()));
            l.push(Line::from(format!("{name:<w$}{tail}", w = lw.saturating_sub(tail.width()))));
        }
        if bridges.is_empty() {
            l.push(Line::from(t(lang, "graph_none")));
        }
        l.push(Line::from(Span::styled(format!("* {}", t(lang, "graph_cut")), theme.dim())));
        Paragraph::new(l).render(left, buf);
        // Isolated, then groups.
        let half = right.height / 2;
        let [top, bottom] = Layout::vertical([Constraint::Length(half), Constraint::Fill(1)]).areas(right);
        let mut r = vec![Line::from(Span::styled(
            format!("{} ({})", t(lang, "graph_isolated"), m.isolated.len()),
            theme.header(),
        ))];
        let room = top.height.saturating_sub(1) as usize;
        let mut names: Vec<&str> = m.isolated.iter().map(|&i| g.nodes[i].name.as_str()).collect();
        names.sort_unstable();
        for (k, name) in names.iter().enumerate().take(room) {
            if k + 1 == room && names.len() > room {
                r.push(Line::from(format!("… +{}", names.len() - k)));
                break;
            }
            r.push(Line::from(short(name, rw)));
        }
        Paragraph::new(r).render(top, buf);
        let mut gl =
            vec![Line::from(Span::styled(format!("{} ({})", t(lang, "graph_groups"), m.groups.len()), theme.header()))];
        let deg = |i: usize| m.degree.get(i).copied().unwrap_or(0);
        // The last line: the month's growth, "2024-05: org. 12 (+2) · pow. 40 (+5)".
        let growth = c.growth.last().filter(|_| bottom.height >= 3).map(|mo| {
            format!(
                "{}: {} {} (+{}) · {} {} (+{})",
                mo.month,
                t(lang, "graph_orgs_short"),
                mo.orgs,
                mo.new_orgs,
                t(lang, "graph_links_short"),
                mo.links,
                mo.new_links
            )
        });
        let reserved = u16::from(growth.is_some());
        if let Some(line) = growth {
            let y = bottom.y + bottom.height - 1;
            Paragraph::new(Span::styled(short(&line, rw), theme.key())).render(Rect { y, height: 1, ..bottom }, buf);
        }
        let bottom = Rect { height: bottom.height - reserved, ..bottom };
        for group in m.groups.iter().take(bottom.height.saturating_sub(1) as usize) {
            let mut top3 = group.clone();
            top3.sort_by(|&x, &y| deg(y).cmp(&deg(x)).then(x.cmp(&y)));
            let names: Vec<&str> = top3.iter().take(3).map(|&i| g.nodes[i].name.as_str()).collect();
            gl.push(Line::from(short(&format!("{:>3}: {}", group.len(), names.join(", ")), rw)));
        }
        Paragraph::new(gl).render(bottom, buf);
    }
}

/// "st. 5 · pośr. 0.123 · blisk. 0.456 · punkt cięcia" (the last for cut vertices).
pub fn metrics_line(g: &Graph, n: usize, lang: Lang) -> String {
    let m = &g.metrics;
    let mut s = format!(
        "{} {} · {} {:.3} · {} {:.3}",
        t(lang, "graph_degree_short"),
        m.degree.get(n).copied().unwrap_or(0),
        t(lang, "graph_betweenness_short"),
        m.betweenness.get(n).copied().unwrap_or(0.0),
        t(lang, "graph_closeness_short"),
        m.closeness.get(n).copied().unwrap_or(0.0),
    );
    if m.cut_vertices.binary_search(&n).is_ok() {
        s.push_str(&format!(" · {}", t(lang, "graph_cut")));
    }
    s
}
