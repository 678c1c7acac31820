//! Drawing the sync screen: the offices tab (this office, paired and waiting offices,
//! what is pending) and the conflicts tab.

use super::*;

impl Screen {
    pub(super) fn render_offices(&self, area: Rect, buf: &mut Buffer, env: &Env) {
        let lang = env.lang;
        let th = &env.theme;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(i) = &self.info {
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", t(lang, "sync_this_office")), th.dim()),
                Span::styled(i.office.clone(), th.header()),
                Span::styled(format!("  {} ", t(lang, "sync_database")), th.dim()),
                Span::raw(i.replica.clone()),
            ]));
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", t(lang, "sync_fingerprint")), th.dim()),
                Span::styled(i.fingerprint.clone(), th.header()),
            ]));
        }
        let folder = match &self.sync_dir {
            Some(d) => format!("{} ({})", d.display(), t(lang, "sync_live")),
            None => t(lang, "sync_no_folder").to_string(),
        };
        lines
            .push(Line::from(vec![Span::styled(format!("{}: ", t(lang, "sync_folder")), th.dim()), Span::raw(folder)]));
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", t(lang, "sync_conflicts")), th.dim()),
            Span::raw(if self.loading { "…".to_string() } else { self.rows.len().to_string() }),
        ]));
        lines.push(Line::from(""));
        let picked = |n: usize, text: String| -> Line<'static> {
            if n == self.pick && self.ask.is_none() && self.fields.is_none() {
                Line::styled(text, th.selected())
            } else {
                Line::from(text)
            }
        };
        let (pending, peers) = match &self.info {
            Some(i) => (i.pending.as_slice(), i.peers.as_slice()),
            None => (&[][..], &[][..]),
        };
        if !pending.is_empty() {
            lines.push(Line::styled(format!("{} ({})", t(lang, "sync_pending"), pending.len()), th.header()));
            for (n, p) in pending.iter().enumerate() {
                let label: String = p.label.chars().take(22).collect();
                let note = match &p.why {
                    Unpaired::OtherKey(_) => format!("  {}", t(lang, "sync_other_key")),
                    Unpaired::Forgotten => format!("  {}", t(lang, "sync_forgotten")),
                    _ => String::new(),
                };
                lines.push(picked(
                    n,
                    format!("{label:<22} {:<8} {} {}{note}", p.short, p.bundles, t(lang, "sync_bundles")),
                ));
                lines.push(Line::styled(format!("  {}: {}", t(lang, "sync_fingerprint"), p.fingerprint), th.dim()));
            }
            lines.push(Line::from(""));
        }
        if peers.is_empty() {
            lines.push(Line::styled(t(lang, "sync_no_peers"), th.dim()));
        } else {
            lines.push(Line::styled(
                format!(
                    "{:<22} {:<8} {:<16} {:>9} {:>12}",
                    t(lang, "sync_office"),
                    t(lang, "sync_database"),
                    t(lang, "sync_last"),
                    t(lang, "sync_sent"),
                    t(lang, "sync_received"),
                ),
                th.header(),
            ));
            for (n, p) in peers.iter().enumerate() {
                let label: String = p.label.chars().take(22).collect();
                let state = if p.paired { String::new() } else { format!(" ({})", t(lang, "sync_forgotten")) };
                lines.push(picked(
                    pending.len() + n,
                    format!(
                        "{label:<22} {:<8} {:<16} {:>9} {:>12}{state}",
                        p.short,
                        local_time(p.last),
                        p.sent,
                        p.received,
                    ),
                ));
                lines.push(Line::styled(format!("  {}: {}", t(lang, "sync_fingerprint"), p.fingerprint), th.dim()));
            }
        }
        let key = |a: Action| env.keymap.key_for(&[Context::Sync], a).unwrap_or_else(|| "?".into());
        lines.push(Line::styled(
            t(lang, "sync_pair_help")
                .replace("{pair}", &key(Action::Add))
                .replace("{intro}", &key(Action::Export))
                .replace("{confirm}", &key(Action::Confirm))
                .replace("{delete}", &key(Action::Delete)),
            th.dim(),
        ));
        lines.push(Line::styled(
            t(lang, "sync_office_help")
                .replace("{rename}", &key(Action::RenameOffice))
                .replace("{identity}", &key(Action::NewIdentity)),
            th.dim(),
        ));
        if !self.results.is_empty() {
            lines.push(Line::from(""));
            for r in &self.results {
                lines.push(Line::from(r.clone()));
            }
        }
        Paragraph::new(lines).wrap(Wrap { trim: false }).render(area, buf);
    }

    pub(super) fn render_conflicts(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let (lang, th) = (env.lang, &env.theme);
        if self.rows.is_empty() {
            let first = if self.loading { t(lang, "loading") } else { t(lang, "sync_no_conflicts") };
            let mut lines = vec![Line::from(first)];
            lines.extend(self.results.iter().map(|r| Line::from(r.clone())));
            Paragraph::new(lines).wrap(Wrap { trim: true }).render(area, buf);
            return;
        }
        let list_h = (self.rows.len() as u16 + 1).min(area.height / 3).max(2);
        let [list, values] = Layout::vertical([Constraint::Length(list_h), Constraint::Fill(1)]).areas(area);
        let rows = list.height.saturating_sub(1) as usize;
        self.offset = crate::tui::widgets::scroll_offset(self.selected, self.offset, rows.max(1));
        let mut lines = vec![Line::styled(format!("{} ({})", t(lang, "sync_conflicts"), self.rows.len()), th.header())];
        for (i, r) in self.rows.iter().enumerate().skip(self.offset).take(rows) {
            let c = &r.conflict;
            let text = format!(
                "{} {} — {}: {} {}",
                field_label(lang, c.entity.singular()),
                c.name,
                field_label(lang, &c.field),
                c.values.len(),
                t(lang, "sync_values")
            );
            lines.push(if i == self.selected { Line::styled(text, th.selected()) } else { Line::from(text) });
        }
        Paragraph::new(lines).render(list, buf);
        let Some(r) = self.rows.get(self.selected) else { return };
        let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(values);
        let n = r.conflict.values.len();
        let last = n.saturating_sub(1);
        for (area, idx, key, shown) in [(left, 0, "sync_left", false), (right, last, "sync_right", true)] {
            let (who, when) = r.by.get(idx).cloned().unwrap_or_default();
            let title = format!(" {}: {who} ", t(lang, key));
            let text = r.conflict.values.get(idx).map(|(_, v)| conflicts_text(v)).unwrap_or_default();
            let mut stamp = when;
            if shown {
                stamp.push_str(&format!(" ({})", t(lang, "sync_shown")));
            }
            let mut body = vec![Line::styled(stamp, th.dim())];
            body.extend(text.lines().map(|l| Line::from(l.to_string())));
            if shown && n > 2 {
                body.push(Line::styled(format!("(+{} {})", n - 2, t(lang, "sync_more_values")), th.dim()));
            }
            let block = Block::default().borders(Borders::ALL).border_set(th.border()).title(title);
            Paragraph::new(body).block(block).wrap(Wrap { trim: false }).render(area, buf);
        }
    }
}

/// A value as it was written, line breaks kept.
pub(super) fn conflicts_text(v: &crate::sync::Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_json().to_string())
}

/// A field's label from the catalogue, or its name.
pub(super) fn field_label(lang: Lang, field: &str) -> String {
    match t(lang, field) {
        "?" => field.to_string(),
        l => l.to_string(),
    }
}
