//! The meetings pane's actions: loading, Enter on an item, toggling a follow-up.

use super::*;

/// The meetings pane.
impl App {
    /// Ask the loop to load the meetings pane on a background thread.
    pub fn load_meetings(&mut self) {
        self.meetings.request_load();
    }

    /// A meetings load finished (the loop's `Msg`, or a test running the job itself).
    pub fn meetings_loaded(&mut self, generation: u64, result: crate::store::Result<super::super::meetings::Loaded>) {
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
            Some(super::super::meetings::Item::Attendee(id)) => {
                self.pane = 0;
                if !self.people.select_id(id) {
                    self.people.clear();
                    self.people.select_id(id);
                }
                self.refresh_detail();
            }
            Some(super::super::meetings::Item::FollowUp(_)) => self.toggle_done(),
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
                    (l("type"), m.kind.label(self.env.lang).to_string()),
                    (l("place"), m.place.clone().unwrap_or_default()),
                    (l("gmina"), m.gmina.clone().unwrap_or_default()),
                    (l("hours"), m.hours.map(super::super::meetings::hours).unwrap_or_default()),
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
                let title = m.display_title(self.env.lang);
                self.stack.push(popups::record(title, lines));
            }
        }
    }

    pub(super) fn toggle_done(&mut self) {
        let Some(f) = self.meetings.target_followup() else { return };
        let (id, done) = (f.id, !f.done);
        match edit::update(&self.env.store, Entity::FollowUp, id, &[("done".into(), done.to_string())]) {
            Ok(()) => {
                self.status = Some(self.tr(if done { "followup_done" } else { "followup_reopened" }).to_string());
                // Shown at once; the background reload that follows confirms it.
                self.meetings.mark_done(id, done);
                self.load_meetings();
            }
            Err(e) => self.status = Some(crate::tui::errors::save_error(self.env.lang, &e)),
        }
    }

    /// `c`: the capture form, with the unsaved draft if there is one.
    pub(super) fn open_capture(&mut self) {
        let d = crate::capture::pending(&self.env.store)
            .unwrap_or_else(|| crate::capture::fresh(&self.env.store, self.env.today));
        self.stack.push(Box::new(Capture::from_draft(&d, self.env.lang)));
    }
}
