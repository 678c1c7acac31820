//! The import screen (`I` in the participants pane): a spreadsheet's participants
//! into the database, with the dry run shown before anything is written.
//!
//! A path line (Tab completes it) reads the file; the preview is `import::plan` —
//! the columns and the field each one holds (an unknown header is marked and mapped
//! by cycling its field), the rows to add, the duplicates and the rows with errors.
//! Enter imports in one transaction (`import::apply`); with the strict toggle on,
//! nothing is written unless every row is valid. Planning and writing run off the UI
//! thread: a file of 100 000 rows takes seconds.

use crate::i18n::{Lang, t};
use crate::import::{self, ColumnError, Field, ImportError, Original, Plan};
use crate::store::Store;
use crate::tui::keymap::{Action, Context};
use crate::tui::view::{Effect, Env, Job, View};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};
use std::any::Any;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// Rows of each list drawn into the preview; the counts above say how many there are.
const LISTED: usize = 500;

/// The catalogue key of a field's name.
fn field_key(f: Field) -> &'static str {
    match f {
        Field::Name => "name",
        Field::Given => "imp_given",
        Field::Family => "imp_family",
        Field::Org => "org",
        Field::Category => "category",
        Field::Kind => "kind",
        Field::Gmina => "gmina",
        Field::Place => "place",
        Field::Phone => "phone",
        Field::Email => "email",
        Field::Note => "note",
        Field::Tags => "tags",
        Field::ConsentData => "imp_consent_data",
        Field::ConsentPhotos => "imp_consent_photos",
        Field::ConsentNewsletter => "imp_consent_newsletter",
        Field::Retention => "imp_retention",
        Field::Skip => "imp_skip",
    }
}

/// A row error's field (a code of the core) in the interface's language.
fn field_word(lang: Lang, code: &str) -> String {
    match t(lang, code) {
        "?" => code.to_string(),
        w => w.to_string(),
    }
}

/// What a planning job sends back.
struct Planned {
    generation: u64,
    result: Result<Plan, ImportError>,
}

/// What an import job sends back: `(participants, organisations)` added.
struct Applied {
    generation: u64,
    result: Result<(usize, usize), String>,
}

pub struct Screen {
    path: String,
    typing: bool,
    /// The file as read, shared with planning jobs.
    bytes: Option<Arc<Vec<u8>>>,
    /// Headers of the file's first row.
    headers: Vec<String>,
    /// Fields chosen by hand, per column.
    chosen: Vec<Option<Field>>,
    selected: usize,
    scroll: usize,
    page: usize,
    strict: bool,
    plan: Option<Plan>,
    /// Why the file cannot be imported as it is (unreadable, columns to map).
    problem: Option<String>,
    /// Planning or importing is under way.
    busy: Option<&'static str>,
    generation: u64,
    /// The interface's language, kept for the messages of finished jobs.
    lang: Lang,
}

impl Default for Screen {
    fn default() -> Self {
        Self::new()
    }
}

impl Screen {
    pub fn new() -> Screen {
        Screen {
            path: String::new(),
            typing: true,
            bytes: None,
            headers: Vec::new(),
            chosen: Vec::new(),
            selected: 0,
            scroll: 0,
            page: 10,
            strict: false,
            plan: None,
            problem: None,
            busy: None,
            generation: 0,
            lang: Lang::default(),
        }
    }

    /// The screen with a path typed in (tests, a path given on the command line).
    pub fn with_path(path: &str) -> Screen {
        Screen { path: path.to_string(), ..Screen::new() }
    }

    /// Read the file named on the path line and plan its import.
    fn open_file(&mut self, lang: Lang) -> Effect {
        let path = expand_home(self.path.trim());
        if path.as_os_str().is_empty() {
            return Effect::Status(t(lang, "imp_no_path").to_string());
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => return Effect::Status(format!("{}: {} ({e})", t(lang, "imp_cannot_read"), path.display())),
        };
        self.headers = header_row(&bytes);
        self.chosen = vec![None; self.headers.len()];
        self.selected = 0;
        self.scroll = 0;
        self.bytes = Some(Arc::new(bytes));
        self.typing = false;
        self.plan_job()
    }

    /// `#N=field` for every column mapped by hand.
    fn maps(&self) -> Vec<String> {
        self.chosen.iter().enumerate().filter_map(|(i, f)| f.map(|f| format!("#{}={}", i + 1, f.code()))).collect()
    }

    fn plan_job(&mut self) -> Effect {
        let Some(bytes) = self.bytes.clone() else { return Effect::None };
        self.generation += 1;
        self.busy = Some("imp_planning");
        let generation = self.generation;
        let options = import::Options { maps: self.maps() };
        Effect::Job(Job::new(move |store: &Store| Planned {
            generation,
            result: import::plan(store, &bytes, &options, &mut |_, _| {}),
        }))
    }

    /// The field each column holds now: the plan's when there is one, else the hand
    /// mapping or the header's own (None: unknown).
    fn column_fields(&self) -> Vec<Option<Field>> {
        if let Some(p) = &self.plan {
            return p.columns.iter().map(|(_, f)| Some(*f)).collect();
        }
        self.headers
            .iter()
            .zip(&self.chosen)
            .map(|(h, c)| c.or_else(|| Field::from_header(h)).or_else(|| h.trim().is_empty().then_some(Field::Skip)))
            .collect()
    }

    /// f: the next field for the selected column.
    fn cycle_field(&mut self) -> Effect {
        let Some(current) = self.column_fields().get(self.selected).copied() else { return Effect::None };
        let next = match current.and_then(|c| Field::ALL.iter().position(|f| *f == c)) {
            Some(i) => Field::ALL[(i + 1) % Field::ALL.len()],
            // An unknown column is most often one to leave out: skipping comes first.
            None => Field::Skip,
        };
        if let Some(c) = self.chosen.get_mut(self.selected) {
            *c = Some(next);
        }
        self.plan = None;
        self.plan_job()
    }

    fn error_rows(&self) -> usize {
        self.plan.as_ref().map_or(0, |p| p.errors.iter().map(|e| e.row).collect::<BTreeSet<_>>().len())
    }

    fn confirm(&mut self, lang: Lang) -> Effect {
        if self.busy.is_some() {
            return Effect::None;
        }
        if let Some(p) = &self.problem {
            return Effect::Status(p.clone());
        }
        let Some(plan) = &self.plan else { return Effect::None };
        let bad = self.error_rows();
        if self.strict && bad > 0 {
            return Effect::Status(format!(
                "{} {bad}; {}",
                t(lang, "imp_strict_refused"),
                t(lang, "imp_nothing_written")
            ));
        }
        if plan.records() == 0 {
            return Effect::Status(t(lang, "imp_nothing_to_add").to_string());
        }
        let Some(plan) = self.plan.take() else { return Effect::None };
        self.generation += 1;
        self.busy = Some("imp_importing");
        let generation = self.generation;
        let counts = (plan.add.len(), plan.new_orgs.len());
        Effect::Job(Job::new(move |store: &Store| Applied {
            generation,
            result: import::apply(store, plan).map(|_| counts).map_err(|e| e.to_string()),
        }))
    }

    /// A file-level failure as one line that says what to do.
    fn problem_text(e: &ImportError, lang: Lang) -> String {
        match e {
            ImportError::Columns(ColumnError::Unknown(list)) => {
                format!("{}: {} — {}", t(lang, "imp_unknown_columns"), list.join(", "), t(lang, "imp_map_hint"))
            }
            ImportError::Columns(ColumnError::Twice(a, b, f, _)) => {
                format!("{a}, {b}: {} „{}” — {}", t(lang, "imp_twice"), t(lang, field_key(*f)), t(lang, "imp_map_hint"))
            }
            ImportError::Columns(ColumnError::NoName) => {
                format!("{} — {}", t(lang, "imp_no_name"), t(lang, "imp_map_hint"))
            }
            ImportError::Empty => t(lang, "imp_empty").to_string(),
            other => format!("{}: {other}", t(lang, "imp_not_imported")),
        }
    }

    /// The preview's lines: rows to add, new organisations, duplicates, errors.
    fn row_lines(&self, lang: Lang, theme: &crate::tui::theme::Theme) -> Vec<Line<'static>> {
        let Some(p) = &self.plan else { return Vec::new() };
        let mut out = Vec::new();
        let head = |key: &str, n: usize| Line::from(Span::styled(format!("{} ({n})", t(lang, key)), theme.header()));
        let more =
            |n: usize| Line::from(Span::styled(format!("  … {} {}", t(lang, "imp_more"), n - LISTED), theme.dim()));
        let row = t(lang, "imp_row");
        out.push(head("imp_to_add", p.add.len()));
        for a in p.add.iter().take(LISTED) {
            let place = a.place.as_deref().map(|x| format!(", {x}")).unwrap_or_default();
            let org = a.org.as_deref().map(|x| format!(" — {x}")).unwrap_or_default();
            out.push(Line::from(format!("  {row} {:<4} {}{place}{org}", a.row, a.name)));
        }
        if p.add.len() > LISTED {
            out.push(more(p.add.len()));
        }
        if !p.new_orgs.is_empty() {
            out.push(head("imp_new_orgs", p.new_orgs.len()));
            for (_, n) in p.new_orgs.iter().take(LISTED) {
                out.push(Line::from(format!("  {n}")));
            }
            if p.new_orgs.len() > LISTED {
                out.push(more(p.new_orgs.len()));
            }
        }
        if !p.duplicates.is_empty() {
            out.push(head("imp_duplicates", p.duplicates.len()));
            for d in p.duplicates.iter().take(LISTED) {
                let why = match d.why {
                    "same phone" => t(lang, "imp_same_phone"),
                    "same e-mail" => t(lang, "imp_same_email"),
                    _ => t(lang, "imp_same_name_place"),
                };
                let of = match &d.of {
                    Original::Existing { name, .. } => format!("{} {name}", t(lang, "imp_in_database")),
                    Original::Row(r) => format!("{row} {r}"),
                };
                out.push(Line::from(format!("  {row} {:<4} {} — {why}: {of}", d.row, d.name)));
            }
            if p.duplicates.len() > LISTED {
                out.push(more(p.duplicates.len()));
            }
        }
        if !p.errors.is_empty() {
            out.push(Line::from(Span::styled(
                format!("{} ({})", t(lang, "imp_errors"), self.error_rows()),
                theme.error(),
            )));
            for e in p.errors.iter().take(LISTED) {
                out.push(Line::from(format!(
                    "  {row} {:<4} {}: {}",
                    e.row,
                    field_word(lang, &e.field),
                    e.message.replace(['\r', '\n'], " ")
                )));
            }
            if p.errors.len() > LISTED {
                out.push(more(p.errors.len()));
            }
        }
        out
    }
}

/// `~/x` as the home directory's `x`.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The headers of a file's first non-blank row (a few lines are enough to find it).
fn header_row(bytes: &[u8]) -> Vec<String> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let (text, _) = import::decode(head);
    let delimiter = import::sniff_delimiter(&text);
    let first: String = text.lines().filter(|l| !l.trim().is_empty()).take(4).collect::<Vec<_>>().join("\n");
    import::records(&first, delimiter)
        .ok()
        .and_then(|recs| recs.into_iter().find(|r| !r.is_blank()))
        .map(|r| r.cells.into_iter().map(|c| c.trim().to_string()).collect())
        .unwrap_or_default()
}

/// Tab on the path line: the one entry the typed prefix names, or as much of the
/// name as the entries it names share. Hidden entries only when asked for with `.`.
pub fn complete(path: &str) -> Option<String> {
    let (dir, prefix) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("", path),
    };
    let read = if dir.is_empty() { PathBuf::from(".") } else { expand_home(dir) };
    let mut names: Vec<(String, bool)> = std::fs::read_dir(read)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            let shown = !n.starts_with('.') || prefix.starts_with('.');
            (shown && n.starts_with(prefix)).then(|| (n, e.path().is_dir()))
        })
        .collect();
    names.sort();
    match names.as_slice() {
        [] => None,
        [(n, is_dir)] => Some(format!("{dir}{n}{}", if *is_dir { "/" } else { "" })),
        [(first, _), rest @ ..] => {
            let mut common: &str = first;
            for (n, _) in rest {
                let end = common
                    .char_indices()
                    .zip(n.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or_else(|| common.len().min(n.len()), |((i, _), _)| i);
                common = &common[..end];
            }
            (common.len() > prefix.len()).then(|| format!("{dir}{common}"))
        }
    }
}

impl View for Screen {
    fn kind(&self) -> &'static str {
        "import"
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Import]
    }

    fn typing(&self) -> bool {
        self.typing
    }

    fn on_text(&mut self, env: &Env, ev: KeyEvent) -> Option<Effect> {
        let plain = !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match ev.code {
            KeyCode::Char(c) if plain || ev.modifiers.contains(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                self.path.push(c);
            }
            KeyCode::Backspace => {
                self.path.pop();
            }
            KeyCode::Tab => match complete(&self.path) {
                Some(p) => self.path = p,
                None => return Some(Effect::Status(t(env.lang, "imp_no_completion").to_string())),
            },
            _ => return None,
        }
        Some(Effect::None)
    }

    fn on_action(&mut self, env: &Env, action: Action) -> Option<Effect> {
        self.lang = env.lang;
        // While the rows are being written the screen stays: its result reloads the
        // panes and says how many were added. Quitting waits for the write to end.
        if self.busy == Some("imp_importing") && action != Action::Quit {
            return Some(Effect::Status(t(env.lang, "imp_importing").to_string()));
        }
        if self.typing {
            return match action {
                Action::Confirm => Some(self.open_file(env.lang)),
                // Back to the preview of the file already read, or out.
                Action::Cancel if self.bytes.is_some() => {
                    self.typing = false;
                    Some(Effect::None)
                }
                _ => None,
            };
        }
        let columns = self.column_fields().len();
        Some(match action {
            Action::Confirm => self.confirm(env.lang),
            Action::ImportField => self.cycle_field(),
            Action::ImportStrict => {
                self.strict = !self.strict;
                Effect::None
            }
            Action::Edit => {
                self.typing = true;
                Effect::None
            }
            Action::Down => {
                self.selected = (self.selected + 1).min(columns.saturating_sub(1));
                Effect::None
            }
            Action::Up => {
                self.selected = self.selected.saturating_sub(1);
                Effect::None
            }
            Action::PageDown => {
                self.scroll += self.page;
                Effect::None
            }
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(self.page);
                Effect::None
            }
            Action::Top => {
                self.scroll = 0;
                Effect::None
            }
            _ => return None,
        })
    }

    fn activate(&mut self, env: &Env) -> Effect {
        self.lang = env.lang;
        // The data changed under a preview: plan again, so duplicates are current.
        if self.busy.is_none() && self.bytes.is_some() { self.plan_job() } else { Effect::None }
    }

    fn data_changed(&mut self) {}

    fn job_done(&mut self, _env: &Env, result: Box<dyn Any + Send>) -> Result<Effect, Box<dyn Any + Send>> {
        let result = match result.downcast::<Planned>() {
            Ok(p) => {
                if p.generation != self.generation {
                    return Ok(Effect::None);
                }
                self.busy = None;
                match p.result {
                    Ok(plan) => {
                        self.problem = None;
                        self.plan = Some(plan);
                    }
                    Err(e) => {
                        self.plan = None;
                        self.problem = Some(Self::problem_text(&e, self.lang));
                    }
                }
                return Ok(Effect::None);
            }
            Err(other) => other,
        };
        let a = result.downcast::<Applied>()?;
        if a.generation != self.generation {
            return Ok(Effect::None);
        }
        self.busy = None;
        Ok(match a.result {
            Ok((people, orgs)) => {
                let lang = self.lang;
                let mut msg = format!("{} {people}", t(lang, "imp_added"));
                if orgs > 0 {
                    msg.push_str(&format!(" ({} {orgs})", t(lang, "imp_new_orgs_short")));
                }
                Effect::Many(vec![Effect::Close, Effect::Changed, Effect::Status(msg)])
            }
            Err(e) => {
                self.problem = Some(format!("{}: {e}", t(self.lang, "imp_not_imported")));
                Effect::Status(self.problem.clone().unwrap_or_default())
            }
        })
    }

    fn render(&mut self, area: Rect, buf: &mut Buffer, env: &Env) {
        let (lang, theme) = (env.lang, &env.theme);
        self.lang = lang;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .title(format!(" {} ", t(lang, "import_screen")));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height < 4 {
            return;
        }
        let [top, body] = Layout::vertical([Constraint::Length(4), Constraint::Fill(1)]).areas(inner);
        let cursor = if self.typing { "▏" } else { "" };
        let path_style = if self.typing { theme.selected() } else { Style::default() };
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{}: ", t(lang, "imp_file")), theme.dim()),
            Span::styled(format!("{}{cursor}", self.path), path_style),
        ])];
        let refused = self.strict && self.error_rows() > 0;
        let strict = Line::from(vec![
            Span::raw(format!(
                "{}: {}",
                t(lang, "imp_strict"),
                if self.strict { t(lang, "imp_on") } else { t(lang, "imp_off") }
            )),
            Span::styled(
                if refused { format!(" — {}", t(lang, "imp_strict_blocks")) } else { String::new() },
                theme.error(),
            ),
        ]);
        match (&self.plan, &self.problem, self.busy) {
            (_, _, Some(key)) => {
                lines.push(Line::from(Span::styled(t(lang, key).to_string(), theme.dim())));
                lines.push(strict);
            }
            (_, Some(p), None) => {
                lines.push(Line::from(Span::styled(p.clone(), theme.error())));
                lines.push(strict);
            }
            (Some(p), None, None) => {
                let delim = match p.delimiter {
                    b'\t' => "tab".to_string(),
                    d => format!("'{}'", d as char),
                };
                lines.push(Line::from(format!(
                    "{} · {} {delim} · {} {}{}",
                    p.encoding.map(|e| e.to_string()).unwrap_or_default(),
                    t(lang, "imp_delimiter"),
                    t(lang, "imp_rows"),
                    p.rows,
                    if p.blank > 0 { format!(" ({} {})", t(lang, "imp_blank"), p.blank) } else { String::new() },
                )));
                lines.push(Line::from(Span::styled(
                    format!(
                        "{} {} · {} {} · {} {} · {} {}",
                        t(lang, "imp_to_add"),
                        if refused { 0 } else { p.add.len() },
                        t(lang, "imp_new_orgs_short"),
                        if refused { 0 } else { p.new_orgs.len() },
                        t(lang, "imp_duplicates_short"),
                        p.duplicates.len(),
                        t(lang, "imp_errors_short"),
                        self.error_rows(),
                    ),
                    theme.header(),
                )));
                lines.push(strict);
            }
            (None, None, None) => {
                lines.push(Line::from(Span::styled(t(lang, "imp_path_hint").to_string(), theme.dim())));
                lines.push(strict);
            }
        }
        Paragraph::new(lines).render(top, buf);
        if self.bytes.is_none() {
            return;
        }
        let cols_w = (body.width / 3).clamp(16, 26);
        let [cols, rows] = Layout::horizontal([Constraint::Length(cols_w), Constraint::Fill(1)]).areas(body);
        // Columns: header → field; unknown ones marked, the selected one highlighted.
        let fields = self.column_fields();
        let Some((ci, h)) = crate::tui::widgets::list_frame(cols, buf, theme, format!(" {} ", t(lang, "imp_columns")))
        else {
            return;
        };
        self.page = h.max(1);
        let first = self.selected.saturating_sub(h.saturating_sub(1));
        let col_lines: Vec<Line> = self
            .headers
            .iter()
            .zip(&fields)
            .enumerate()
            .skip(first)
            .take(h + 1)
            .map(|(i, (head, f))| {
                let head = if head.is_empty() { format!("#{}", i + 1) } else { head.clone() };
                let (word, style) = match f {
                    Some(f) => (t(lang, field_key(*f)).to_string(), Style::default()),
                    None => (format!("? {}", t(lang, "imp_unknown")), theme.error()),
                };
                let line = Line::from(vec![Span::raw(format!("{head} → ")), Span::styled(word, style)]);
                if i == self.selected { line.style(theme.selected()) } else { line }
            })
            .collect();
        Paragraph::new(col_lines).render(ci, buf);
        let all = self.row_lines(lang, theme);
        let Some((ri, rh)) = crate::tui::widgets::list_frame(rows, buf, theme, format!(" {} ", t(lang, "imp_preview")))
        else {
            return;
        };
        self.scroll = self.scroll.min(all.len().saturating_sub(rh + 1));
        Paragraph::new(all.into_iter().skip(self.scroll).collect::<Vec<_>>()).render(ri, buf);
    }

    fn count(&self) -> String {
        self.plan.as_ref().map(|p| p.add.len().to_string()).unwrap_or_default()
    }

    fn hints(&self) -> Vec<Action> {
        if self.typing {
            vec![Action::Confirm, Action::Cancel]
        } else {
            vec![Action::Confirm, Action::ImportField, Action::ImportStrict, Action::Edit, Action::Cancel]
        }
    }
}
