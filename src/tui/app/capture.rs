//! The meetings pane's actions and quick capture: its draft written as it is typed,
//! the attendee search, its keys, saving and drawing.

use super::*;

/// The meetings pane and quick capture.
impl App {
    /// Ask the loop to load the meetings pane on a background thread.
    pub fn load_meetings(&mut self) {
        self.meetings.request_load();
    }

    /// A meetings load finished (the loop's `Msg`, or a test running the job itself).
    pub fn meetings_loaded(&mut self, generation: u64, result: crate::store::Result<meetings::Loaded>) {
        match self.meetings.load_done(generation, result) {
            Ok(true) => self.dirty = true,
            Ok(false) => {}
            Err(e) => {
                self.status = Some(e.to_string());
                self.dirty = true;
            }
        }
    }

    /// Enter in the meetings pane: an attendee under the cursor opens in pane 1, a
    /// follow-up toggles, otherwise the whole meeting opens in a window.
    pub(super) fn open_meeting_item(&mut self) {
        if self.meetings.show_followups {
            if let Some(m) = self.meetings.target_followup().and_then(|f| f.meeting) {
                self.meetings.show_followups = false;
                if !self.meetings.select_id(m) {
                    self.meetings.clear();
                    self.meetings.select_id(m);
                }
            }
            return;
        }
        match self.meetings.current_item() {
            Some(meetings::Item::Attendee(id)) => {
                self.pane = 0;
                if !self.people.select_id(id) {
                    self.people.clear();
                    self.people.select_id(id);
                }
                self.refresh_detail();
            }
            Some(meetings::Item::FollowUp(_)) => self.toggle_done(),
            None => {
                let Some(r) = self.meetings.selected_row() else { return };
                let m = &r.meeting;
                let l = |k: &str| self.tr(k).to_string();
                let mut lines = vec![
                    (
                        l("date"),
                        format!(
                            "{} {}",
                            opt(&m.date),
                            m.time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
                        ),
                    ),
                    (l("type"), m.kind.label(self.lang).to_string()),
                    (l("place"), m.place.clone().unwrap_or_default()),
                    (l("gmina"), m.gmina.clone().unwrap_or_default()),
                    (l("hours"), m.hours.map(meetings::hours).unwrap_or_default()),
                ];
                if let Some(t) = &m.title {
                    lines.push((l("title"), t.clone()));
                }
                let names: Vec<String> = m
                    .attendees
                    .iter()
                    .map(|a| self.meetings.data.names.get(a).cloned().unwrap_or_else(|| a.short()))
                    .collect();
                lines.push((format!("{} ({})", l("attendees"), names.len()), names.join(", ")));
                for &i in &r.followups {
                    let f = &self.meetings.data.followups[i];
                    let mark = if f.done { "[x]" } else { "[ ]" };
                    lines.push((l("followups"), format!("{mark} {} {}", f.text, opt(&f.due))));
                }
                for line in m.note.as_deref().unwrap_or("").lines() {
                    lines.push((l("note"), line.to_string()));
                }
                let title = m.display_title(self.lang);
                self.popups.push(Popup::Record { title, lines, scroll: 0 });
            }
        }
    }

    pub(super) fn toggle_done(&mut self) {
        let Some(f) = self.meetings.target_followup() else { return };
        let (id, done) = (f.id, !f.done);
        match edit::update(&self.store, Entity::FollowUp, id, &[("done".into(), done.to_string())]) {
            Ok(()) => {
                self.status = Some(self.tr(if done { "followup_done" } else { "followup_reopened" }).to_string());
                // Shown at once; the background reload that follows confirms it.
                self.meetings.mark_done(id, done);
                self.load_meetings();
            }
            Err(e) => self.status = Some(crate::tui::errors::save_error(self.lang, &e)),
        }
    }

    /// `c`: the capture form, with the unsaved draft if there is one.
    pub(super) fn open_capture(&mut self) {
        let d = crate::capture::pending(&self.store)
            .unwrap_or_else(|| crate::capture::fresh(&self.store, self.meetings.today));
        self.popups.push(Popup::Capture(Box::new(cap::Capture::from_draft(&d, self.lang))));
    }

    /// Write (Some) or clear (None) the capture draft: through the background writer
    /// when there is one, else here.
    pub(super) fn write_draft(&mut self, bytes: Option<Vec<u8>>, now: bool) {
        if bytes.is_none() && !self.draft_on_disk {
            return;
        }
        self.draft_on_disk = bytes.is_some();
        let bytes = match &self.draft_sink {
            Some(tx) => match tx.send((bytes, now)) {
                Ok(()) => return,
                Err(mpsc::SendError((b, _))) => b,
            },
            None => bytes,
        };
        if let Err(e) = self.store.set_local(crate::capture::DRAFT_KEY, bytes.as_deref()) {
            self.status = Some(crate::tui::errors::store_error(self.lang, &e));
        }
    }

    pub(super) fn draft_changed(&mut self, now: bool) {
        let Some(Popup::Capture(c)) = self.popups.last() else { return };
        let d = c.to_draft();
        let bytes = d.has_content().then(|| d.to_bytes());
        self.write_draft(bytes, now);
    }

    pub(super) fn update_candidates(&mut self) {
        let Some(Popup::Capture(c)) = self.popups.last() else { return };
        let q = c.query.value.trim().to_string();
        let out = self.participant_candidates(&q, &|r| !c.chosen(r.id), 4);
        if let Some(Popup::Capture(c)) = self.popups.last_mut() {
            c.set_candidates(out);
        }
    }

    /// Participants matching `q` (the participants search, folded and fuzzy), best
    /// first, at most `limit` of those `keep` accepts: the capture's attendees and the
    /// partnership editor's leader and members.
    pub(crate) fn participant_candidates(
        &self,
        q: &str,
        keep: &dyn Fn(&participants::Row) -> bool,
        limit: usize,
    ) -> Vec<cap::Candidate> {
        let mut out = Vec::new();
        if q.trim().is_empty() {
            return out;
        }
        let hits: Vec<usize> = if self.people.index.len() == self.people.rows.len() && !self.people.index.is_empty() {
            self.people.index.search(q, None).into_iter().map(|h| h.index).collect()
        } else {
            let fq = crate::search::fold(q);
            (0..self.people.rows.len())
                .filter(|&i| crate::search::fold(&self.people.rows[i].name).contains(&fq))
                .collect()
        };
        for i in hits {
            let Some(r) = self.people.rows.get(i) else { continue };
            if !keep(r) {
                continue;
            }
            let hint = [self.people.text(r.org), self.people.text(r.place)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            out.push(cap::Candidate { id: r.id, name: r.name.clone(), hint });
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// Keys in the capture form: text goes to the focused field or the notes; Enter in
    /// the attendee search adds the highlighted person; the keymap's form keys save,
    /// move between fields and cancel.
    pub(super) fn capture_key(&mut self, ev: KeyEvent, printable: Option<char>) -> Request {
        let Some(Popup::Capture(c)) = self.popups.last_mut() else { return Request::None };
        c.error = None;
        let (mut changed, mut left, mut search) = (false, false, false);
        let empty_query = c.query.value.is_empty();
        let text_key = matches!(c.focus, cap::NOTES | cap::FOLLOWUPS)
            && (printable.is_some()
                || matches!(
                    ev.code,
                    KeyCode::Enter
                        | KeyCode::Backspace
                        | KeyCode::Delete
                        | KeyCode::Left
                        | KeyCode::Right
                        | KeyCode::Home
                        | KeyCode::End
                        | KeyCode::Up
                        | KeyCode::Down
                ));
        match (c.focus, printable, ev.code) {
            // Notes and follow-ups: multi-line; Up/Down leave them at the first/last line.
            _ if text_key => {
                let (mut up_out, mut down_out) = (false, false);
                if let Some(a) = c.text_area() {
                    match (printable, ev.code) {
                        (Some(ch), _) => a.insert(ch),
                        (_, KeyCode::Enter) => a.newline(),
                        (_, KeyCode::Backspace) => a.backspace(),
                        (_, KeyCode::Delete) => a.delete(),
                        (_, KeyCode::Left) => a.left(),
                        (_, KeyCode::Right) => a.right(),
                        (_, KeyCode::Home) => a.home(),
                        (_, KeyCode::End) => a.end(),
                        (_, KeyCode::Up) => up_out = !a.up(),
                        _ => down_out = !a.down(),
                    }
                }
                changed =
                    printable.is_some() || matches!(ev.code, KeyCode::Enter | KeyCode::Backspace | KeyCode::Delete);
                if up_out {
                    c.prev();
                    left = true;
                } else if down_out && c.focus == cap::NOTES {
                    c.next();
                    left = true;
                }
            }
            (cap::ATTENDEES, _, KeyCode::Up) if !empty_query => c.cand = c.cand.saturating_sub(1),
            (cap::ATTENDEES, _, KeyCode::Down) if !empty_query => c.cand = (c.cand + 1).min(c.candidates.len()),
            (cap::ATTENDEES, _, KeyCode::Enter) => {
                if c.pick() {
                    changed = true;
                    left = true;
                } else {
                    c.next();
                    left = true;
                }
            }
            (cap::ATTENDEES, _, KeyCode::Backspace) if empty_query => {
                changed = c.chips.pop().is_some();
                left = changed;
            }
            (cap::TYPE, _, KeyCode::Left | KeyCode::Right) => {
                c.step_type(if ev.code == KeyCode::Left { -1 } else { 1 });
                changed = true;
            }
            (focus, Some(ch), _) => {
                if let Some(f) = c.line() {
                    f.insert(ch);
                    changed = true;
                    search = focus == cap::ATTENDEES;
                }
            }
            (focus, _, KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right) => {
                if let Some(f) = c.line() {
                    match ev.code {
                        KeyCode::Backspace => f.backspace(),
                        KeyCode::Delete => f.delete(),
                        KeyCode::Left => f.left(),
                        _ => f.right(),
                    }
                    changed = true;
                    search = focus == cap::ATTENDEES;
                }
            }
            (_, _, KeyCode::Enter | KeyCode::Down) => {
                c.next();
                left = true;
            }
            (_, _, KeyCode::Up) => {
                c.prev();
                left = true;
            }
            _ => match self.keymap.lookup(&[Context::Form, Context::Global], &[Key::from_event(&ev)]) {
                Lookup::Run(Action::Save) => return self.save_capture(),
                Lookup::Run(Action::NextField) => {
                    c.next();
                    left = true;
                }
                Lookup::Run(Action::PrevField) => {
                    c.prev();
                    left = true;
                }
                Lookup::Run(Action::Cancel) => {
                    if let Some(Popup::Capture(c)) = self.popups.pop() {
                        if c.to_draft().has_content() {
                            self.popups.push(Popup::DiscardCapture(c));
                        } else {
                            self.write_draft(None, true);
                        }
                    }
                    return Request::None;
                }
                Lookup::Run(Action::Quit) => {
                    // Whatever was typed is on disk before the app goes.
                    let sink = self.draft_sink.take();
                    self.draft_changed(true);
                    self.draft_sink = sink;
                    return Request::Quit;
                }
                Lookup::Run(Action::Suspend) => return Request::Suspend,
                Lookup::Run(Action::ExternalEditor) => {
                    // The draft is on disk before the terminal is handed over.
                    self.draft_changed(true);
                    return Request::Editor;
                }
                _ => {}
            },
        }
        if search {
            self.update_candidates();
        }
        if changed || left {
            self.draft_changed(left);
        }
        Request::None
    }

    /// Run the external editor `cmd` on the notes (or the follow-ups, when in focus) of
    /// the open capture and take back what it wrote. The loop hands the terminal over
    /// around this; tests call it directly with a script as the editor.
    pub fn edit_externally(&mut self, cmd: &str) {
        self.dirty = true;
        let Some(Popup::Capture(c)) = self.popups.last_mut() else { return };
        let text = c.editor_target().text();
        let msg = match crate::tui::editor::edit_text(cmd, &text) {
            Ok(new) => {
                *c.editor_target() = crate::tui::textarea::TextArea::new(&new);
                self.draft_changed(true);
                self.status = Some(t(self.lang, "editor_done").to_string());
                return;
            }
            Err(crate::tui::editor::EditorError::Start(why)) => {
                t(self.lang, "editor_cannot_start").replace("{cmd}", cmd).replace("{why}", &why)
            }
            Err(crate::tui::editor::EditorError::Exit(code)) => {
                t(self.lang, "editor_exit").replace("{cmd}", cmd).replace("{code}", &code.to_string())
            }
            Err(crate::tui::editor::EditorError::Io(e)) => t(self.lang, "editor_io").replace("{why}", &e.to_string()),
        };
        // Shown in the form, where the user is looking; the notes stay as they were.
        c.error = Some(msg);
    }

    pub(super) fn save_capture(&mut self) -> Request {
        let Some(Popup::Capture(c)) = self.popups.last_mut() else { return Request::None };
        if !c.valid() {
            c.error = Some(t(self.lang, "fix_errors").to_string());
            return Request::None;
        }
        // A name typed but not yet added counts: Ctrl-S means "that's everyone".
        if !c.query.value.trim().is_empty() {
            c.pick();
        }
        let d = c.to_draft();
        match crate::capture::save(&self.store, &d) {
            Ok(id) => {
                self.popups.pop();
                if let Some(tx) = &self.draft_sink {
                    // Anything the writer still holds is older than the save.
                    let _ = tx.send((None, true));
                }
                self.status = Some(self.tr("meeting_saved").to_string());
                self.meetings.select_after_load = Some(id);
                self.load_meetings();
                Request::Reload
            }
            Err(e) => {
                let msg = crate::tui::errors::save_error(self.lang, &e);
                if let Some(Popup::Capture(c)) = self.popups.last_mut() {
                    c.error = Some(msg.clone());
                }
                // Also on the status line, where every failed save shows.
                self.status = Some(msg);
                Request::None
            }
        }
    }

    pub(super) fn render_capture(&self, c: &mut Capture, area: Rect, buf: &mut Buffer) {
        let w = area.width.min(100);
        let r = Rect { x: area.x + (area.width - w) / 2, y: area.y, width: w, height: area.height };
        Clear.render(r, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(self.theme.border())
            .title(format!(" {} ", self.tr("new_meeting")));
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
                Span::styled(format!("{label:<w$}", w = label_w - 1), self.theme.dim()),
            ]
        };
        let cursor_line = |f: &form::Field, focused: bool| -> Vec<Span<'static>> {
            if focused {
                let a: String = f.value.chars().take(f.cursor).collect();
                let b: String = f.value.chars().skip(f.cursor).collect();
                vec![Span::raw(a), Span::styled("▏", self.theme.key()), Span::raw(b)]
            } else {
                vec![Span::raw(f.value.clone())]
            }
        };
        let mut y = inner.y;
        for (i, f) in c.fields.iter().enumerate() {
            let focused = c.focus == i;
            let mut spans = head(focused, &f.label);
            spans.extend(cursor_line(f, focused));
            if i == cap::TYPE {
                if let Ok(k) = crate::model::MeetingType::parse(&f.value) {
                    spans.push(Span::styled(format!("  {}", k.label(self.lang)), self.theme.dim()));
                }
                if focused {
                    spans.push(Span::styled(format!("   {}", self.tr("type_keys")), self.theme.dim()));
                }
            }
            if f.error.is_some() {
                spans.push(Span::styled("  ✗", self.theme.error()));
            }
            Paragraph::new(Line::from(spans)).render(row(y), buf);
            y += 1;
        }
        // Attendees: chips, then the search line and what it finds.
        let focused = c.focus == cap::ATTENDEES;
        let mut spans = head(focused, &format!("{} ({})", self.tr("attendees"), c.chips.len()));
        for (i, a) in c.chips.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            let text = match a {
                crate::capture::Attendee::Known { name, .. } => format!("[{name}]"),
                crate::capture::Attendee::New { name } => format!("[+{name} ({})]", self.tr("new_person")),
            };
            spans.push(Span::styled(text, self.theme.key()));
        }
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: false }).render(Rect { height: 2, ..row(y) }, buf);
        y += 2;
        let mut spans = vec![
            Span::raw(" "),
            Span::styled(format!("  {:<w$}", self.tr("attendee_search"), w = label_w - 3), self.theme.dim()),
        ];
        spans.extend(cursor_line(&c.query, focused));
        if focused {
            spans.push(Span::styled(format!("   {}", self.tr("attendee_keys")), self.theme.dim()));
        }
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        y += 1;
        if focused && !c.query.value.trim().is_empty() {
            let n = c.candidates.len();
            for (i, cand) in c.candidates.iter().enumerate() {
                let style = if i == c.cand { self.theme.selected() } else { Style::default() };
                let line = Line::from(vec![
                    Span::raw(format!("{:w$}", "", w = label_w)),
                    Span::styled(cand.name.clone(), style),
                    Span::styled(format!("  {}", cand.hint), self.theme.dim()),
                ]);
                Paragraph::new(line).render(row(y), buf);
                y += 1;
            }
            let style = if c.cand == n { self.theme.selected() } else { Style::default() };
            let line = Line::from(vec![
                Span::raw(format!("{:w$}", "", w = label_w)),
                Span::styled(format!("+ {}: {}", self.tr("new_person"), c.query.value.trim()), style),
            ]);
            Paragraph::new(line).render(row(y), buf);
            y += 1;
        }
        // Notes fill the rest, above the follow-ups field and two lines of hints or errors.
        let focused = c.focus == cap::NOTES;
        let mut spans = head(focused, self.tr("note"));
        spans.push(Span::styled(self.tr("notes_help"), self.theme.dim()));
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        y += 1;
        let free = bottom.saturating_sub(y + 2);
        let fups_h = 3.min(free.saturating_sub(2) / 2);
        let notes_h = free.saturating_sub(fups_h + 1);
        let notes = Rect { x: inner.x + 1, y, width: inner.width.saturating_sub(1), height: notes_h };
        c.notes.render(notes, buf, focused, self.theme.key());
        y += notes_h;
        let focused = c.focus == cap::FOLLOWUPS;
        let mut spans = head(focused, self.tr("followups"));
        spans.push(Span::styled(self.tr("followups_help"), self.theme.dim()));
        Paragraph::new(Line::from(spans)).render(row(y), buf);
        let fups = Rect { x: inner.x + 1, y: y + 1, width: inner.width.saturating_sub(1), height: fups_h };
        c.followups.render(fups, buf, focused, self.theme.key());
        let y = bottom.saturating_sub(2);
        let error = c.error.clone().or_else(|| {
            let f = c.fields.iter().find(|f| f.error.is_some())?;
            Some(format!("{}: {}", f.label, f.error.clone().unwrap_or_default()))
        });
        let msg = error.clone().unwrap_or_else(|| {
            [Action::Save, Action::NextField, Action::ExternalEditor, Action::Cancel]
                .iter()
                .filter_map(|a| {
                    self.keymap.key_for(&[Context::Form], *a).map(|k| format!("{k}: {}", action_label(*a, self.lang)))
                })
                .collect::<Vec<_>>()
                .join("   ")
        });
        let style = if error.is_some() { self.theme.error() } else { self.theme.dim() };
        Paragraph::new(Span::styled(msg, style))
            .wrap(Wrap { trim: true })
            .render(Rect { x: inner.x, y, width: inner.width, height: 2 }, buf);
    }
}
