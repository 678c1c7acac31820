//! Keymaps: the default TOML compiled in, a user file read over it per section.
//!
//! Lookup goes from the focused context to `global`; within a section the user's
//! entries come first, so they hide defaults on the same key. `noop` unbinds.

use crate::cli::KeymapCmd;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const DEFAULT: &str = include_str!("../../keymaps/default.toml");
pub const VIM: &str = include_str!("../../keymaps/vim.toml");

/// Everything a key can do. Names are the `run = "..."` values of keymap files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Noop,
    Help,
    Quit,
    Suspend,
    PaneParticipants,
    PaneMeetings,
    PaneResources,
    PanePartnerships,
    NextPane,
    PrevPane,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Search,
    Open,
    Clear,
    Add,
    Edit,
    Delete,
    Undo,
    Sort,
    FilterCategory,
    FilterGmina,
    Save,
    NextField,
    PrevField,
    Cancel,
    Confirm,
    Capture,
    FilterType,
    FilterOpen,
    ToggleDone,
    NextItem,
    PrevItem,
    Followups,
    Hops,
    Structure,
    MonthBack,
    MonthForward,
    FilterPartnership,
    /// Graph pane: organisations only, or people too.
    OrgsOnly,
    PanePlans,
    /// Plans pane: a new goal in the selected plan.
    AddGoal,
    /// Plans pane: move the selected goal or task one place up / down.
    MoveUp,
    MoveDown,
    /// Plans pane: filters by owner, status and due date.
    FilterOwner,
    FilterStatus,
    FilterDue,
    /// Plans pane: write the selected plan as Markdown.
    ExportPlan,
    /// Plans pane: a new plan; the support path of the selected plan's municipality.
    AddPlan,
    EditPath,
    PaneReport,
    SyncScreen,
    /// Sync screen: write a bundle to a file or folder.
    BundleExport,
    /// Sync screen: import a bundle file.
    BundleImport,
    /// Sync screen: a checked copy of the database (`teren backup`).
    Backup,
    /// Sync screen: rename this office (`teren office rename`).
    RenameOffice,
    /// Sync screen: a new identity for a copied database (`teren office new-identity`).
    NewIdentity,
    /// Sync screen: the offices / the open conflicts.
    ConflictsView,
    /// Sync screen, conflicts: keep the left value, the right one, or both merged.
    KeepLeft,
    KeepRight,
    KeepBoth,
    ImportScreen,
    /// Capture form: the notes in `$EDITOR`.
    ExternalEditor,
    /// Meetings pane: all, this month, last 3 months, this year, each project's dates.
    FilterPeriod,
    /// Resources pane: unfold the selected tree node.
    Expand,
    /// Resources pane: fold the selected node (or go to its parent).
    Collapse,
    /// Resources pane: fold or unfold the selected node.
    ToggleFold,
    /// Resources pane: the tree of resources / the needs with proposals.
    Needs,
    /// Resources pane: the gap of the selected place.
    Gap,
    /// Resources pane: the plot of the selected gmina's resources.
    Plot,
    /// Resources pane: write the selected place's map to a file.
    Export,
    /// Resources pane: link the highlighted proposal to the selected need.
    Link,
    /// Resources pane: only the selected place / all.
    FilterPlace,
    /// Resources pane: next tag filter.
    FilterTag,
    /// Meetings pane: record a need from the selected meeting.
    RecordNeed,
    /// Import screen: the next field for the selected column.
    ImportField,
    /// Import screen: import nothing unless every row is valid.
    ImportStrict,
    /// Report pane: all records → each project in turn.
    ReportProject,
    /// Participants pane: RODO erasure of the selected participant (asks first).
    Erase,
}

/// Where a key is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Context {
    Global,
    List,
    Participants,
    Form,
    Search,
    Popup,
    Meetings,
    Graph,
    Resources,
    Plans,
    Report,
    Sync,
    Import,
}

impl Context {
    pub const ALL: [Context; 13] = [
        Context::Global,
        Context::List,
        Context::Participants,
        Context::Meetings,
        Context::Graph,
        Context::Resources,
        Context::Plans,
        Context::Report,
        Context::Sync,
        Context::Import,
        Context::Form,
        Context::Search,
        Context::Popup,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Participants => "participants",
            Context::Form => "form",
            Context::Search => "search",
            Context::Popup => "popup",
            Context::Meetings => "meetings",
            Context::Graph => "graph",
            Context::Resources => "resources",
            Context::Plans => "plans",
            Context::Report => "report",
            Context::Sync => "sync",
            Context::Import => "import",
        }
    }
}

/// A key as written in keymap files: `a`, `A`, `ctrl-s`, `enter`, `f1`, `alt-x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            other => return Err(format!("unknown key '{other}'")),
        };
        if ctrl && alt {
            return Err(format!("'{s}': ctrl-alt chords clash with AltGr, which types Polish letters"));
        }
        Ok(Key { code, ctrl, alt })
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        // Shifted letters arrive as uppercase chars, so "G" in a keymap matches shift-g.
        Key {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("C-{base}"),
            (_, true) => format!("A-{base}"),
            _ => base,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum On {
    One(String),
    Seq(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    on: On,
    run: Action,
    #[serde(default)]
    desc: String,
}

type RawFile = BTreeMap<String, Vec<RawEntry>>;

/// One resolved binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: String,
}

impl Binding {
    pub fn label(&self) -> String {
        self.keys.iter().map(Key::label).collect::<Vec<_>>().join(" ")
    }
}

/// The resolved keymap: per context, bindings in lookup order.
#[derive(Debug, Clone)]
pub struct Keymap {
    sections: BTreeMap<Context, Vec<Binding>>,
}

fn parse_file(text: &str, origin: &str) -> Result<BTreeMap<Context, Vec<Binding>>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| format!("{origin}: {}", e.message()))?;
    let mut out = BTreeMap::new();
    for (section, entries) in raw {
        let ctx = Context::ALL
            .into_iter()
            .find(|c| c.name() == section)
            .ok_or_else(|| format!("{origin}: unknown section [{section}]"))?;
        let mut list = Vec::new();
        for (i, e) in entries.into_iter().enumerate() {
            let keys = match e.on {
                On::One(k) => vec![k],
                On::Seq(ks) => ks,
            };
            if keys.is_empty() {
                return Err(format!("{origin}: [{section}] entry {}: empty key sequence", i + 1));
            }
            let keys = keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| format!("{origin}: [{section}] entry {}: {m}", i + 1))?;
            if list.iter().any(|b: &Binding| b.keys == keys) {
                return Err(format!(
                    "{origin}: [{section}] binds {} twice",
                    keys.iter().map(Key::label).collect::<Vec<_>>().join(" ")
                ));
            }
            list.push(Binding { keys, action: e.run, desc: e.desc });
        }
        out.insert(ctx, list);
    }
    Ok(out)
}

/// Where a lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Run(Action),
    /// The keys so far begin a longer sequence: wait for the next one.
    Pending,
    None,
}

impl Keymap {
    /// The built-in keymap. It is tested to parse, so this cannot fail at run time;
    /// should it ever, the app still starts with no bindings but quit on Ctrl-C.
    pub fn default_map() -> Keymap {
        Keymap { sections: parse_file(DEFAULT, "default keymap").unwrap_or_default() }
    }

    /// Read a user keymap over `self`; the user's entries come first in each section.
    pub fn overlay(mut self, text: &str, origin: &str) -> Result<Keymap, String> {
        for (ctx, user) in parse_file(text, origin)? {
            let base = self.sections.remove(&ctx).unwrap_or_default();
            let mut merged = user.clone();
            merged.extend(base.into_iter().filter(|b| !user.iter().any(|u| u.keys == b.keys)));
            self.sections.insert(ctx, merged);
        }
        Ok(self)
    }

    /// Defaults plus the user's file if there is one. A bad file gives a warning line
    /// and the defaults.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Option<String>) {
        let base = Keymap::default_map();
        let Some(path) = user_file.filter(|p| p.exists()) else { return (base, None) };
        match std::fs::read_to_string(path) {
            Ok(text) => match base.clone().overlay(&text, &path.display().to_string()) {
                Ok(k) => (k, None),
                Err(e) => (base, Some(format!("keymap ignored: {e}"))),
            },
            Err(e) => (base, Some(format!("keymap ignored: {}: {e}", path.display()))),
        }
    }

    pub fn bindings(&self, ctx: Context) -> &[Binding] {
        self.sections.get(&ctx).map_or(&[], Vec::as_slice)
    }

    /// Look `keys` up in `contexts`, most specific first.
    pub fn lookup(&self, contexts: &[Context], keys: &[Key]) -> Lookup {
        let mut prefix = false;
        for ctx in contexts {
            for b in self.bindings(*ctx) {
                if b.keys.len() > keys.len() && b.keys.starts_with(keys) {
                    prefix = true;
                }
            }
        }
        for ctx in contexts {
            if let Some(b) = self.bindings(*ctx).iter().find(|b| b.keys == keys) {
                if b.action == Action::Noop && prefix {
                    return Lookup::Pending;
                }
                return Lookup::Run(b.action);
            }
        }
        if prefix { Lookup::Pending } else { Lookup::None }
    }

    /// The first key bound to `action` in `contexts`, for hints.
    pub fn key_for(&self, contexts: &[Context], action: Action) -> Option<String> {
        contexts.iter().find_map(|c| self.bindings(*c).iter().find(|b| b.action == action).map(Binding::label))
    }
}

/// Where the user's keymap goes.
pub fn user_path() -> Option<PathBuf> {
    crate::tui::config_dir().map(|d| d.join("keymap.toml"))
}

/// Check a keymap file: Ok(number of bindings) or the first problem.
pub fn check(text: &str, origin: &str) -> Result<usize, String> {
    let k = Keymap::default_map().overlay(text, origin)?;
    Ok(k.sections.values().map(Vec::len).sum())
}

/// A short name for an action, for hints and English help.
pub fn action_label(a: Action, lang: crate::i18n::Lang) -> &'static str {
    let key = match a {
        Action::Noop => "noop",
        Action::Help => "help",
        Action::Quit => "quit",
        Action::Suspend => "suspend",
        Action::PaneParticipants => "participants",
        Action::PaneMeetings => "meetings",
        Action::PaneResources => "resources",
        Action::PanePartnerships => "partnerships",
        Action::NextPane => "next_pane",
        Action::PrevPane => "prev_pane",
        Action::Down => "down",
        Action::Up => "up",
        Action::PageDown => "page_down",
        Action::PageUp => "page_up",
        Action::Top => "top",
        Action::Bottom => "bottom",
        Action::Search => "search",
        Action::Open => "open_record",
        Action::Clear => "clear",
        Action::Add => "add",
        Action::Edit => "edit",
        Action::Delete => "delete",
        Action::Undo => "undo",
        Action::Sort => "sort",
        Action::FilterCategory => "filter_category",
        Action::FilterGmina => "filter_gmina",
        Action::Save => "save",
        Action::NextField => "next_field",
        Action::PrevField => "prev_field",
        Action::Cancel => "cancel",
        Action::Confirm => "confirm",
        Action::Capture => "capture",
        Action::FilterType => "filter_type",
        Action::FilterOpen => "filter_open",
        Action::ToggleDone => "toggle_done",
        Action::NextItem => "next_item",
        Action::PrevItem => "prev_item",
        Action::Followups => "followups_view",
        Action::Hops => "graph_hops",
        Action::Structure => "graph_structure_view",
        Action::MonthBack => "graph_month_back",
        Action::MonthForward => "graph_month_forward",
        Action::FilterPartnership => "graph_filter_partnership",
        Action::OrgsOnly => "graph_orgs_only",
        Action::PanePlans => "plans",
        Action::AddGoal => "plan_add_goal",
        Action::MoveUp => "plan_move_up",
        Action::MoveDown => "plan_move_down",
        Action::FilterOwner => "plan_filter_owner",
        Action::FilterStatus => "plan_filter_status",
        Action::FilterDue => "plan_filter_due",
        Action::ExportPlan => "plan_export",
        Action::AddPlan => "plan_add_plan",
        Action::EditPath => "plan_path_form",
        Action::PaneReport => "report",
        Action::SyncScreen => "sync_screen",
        Action::BundleExport => "bundle_export",
        Action::BundleImport => "bundle_import",
        Action::Backup => "backup",
        Action::RenameOffice => "rename_office",
        Action::NewIdentity => "new_identity",
        Action::ConflictsView => "conflicts_view",
        Action::KeepLeft => "keep_left",
        Action::KeepRight => "keep_right",
        Action::KeepBoth => "keep_both",
        Action::ImportScreen => "import_screen",
        Action::ExternalEditor => "external_editor",
        Action::FilterPeriod => "filter_period",
        Action::ImportField => "imp_field_action",
        Action::ImportStrict => "imp_strict_action",
        Action::ReportProject => "rep_project_action",
        Action::Erase => "erase_action",
        Action::Expand => "res_expand",
        Action::Collapse => "res_collapse",
        Action::ToggleFold => "res_toggle_fold",
        Action::Needs => "res_needs_view",
        Action::Gap => "res_gap_view",
        Action::Plot => "res_plot_view",
        Action::Export => "res_export",
        Action::Link => "res_link",
        Action::FilterPlace => "res_filter_place",
        Action::FilterTag => "res_filter_tag",
        Action::RecordNeed => "res_record_need",
    };
    crate::i18n::t(lang, key)
}

/// `teren keymap …`: where the user's keymap goes, check one, print the defaults.
pub fn keymap_command(cmd: KeymapCmd, out: &mut impl Write) -> anyhow::Result<()> {
    match cmd {
        KeymapCmd::Path => {
            let p = user_path().ok_or_else(|| anyhow::anyhow!("cannot find the user's config directory"))?;
            writeln!(out, "{}", p.display())?;
        }
        KeymapCmd::Check { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let n = check(&text, &file.display().to_string()).map_err(|e| anyhow::anyhow!(e))?;
            writeln!(out, "ok: {} loads ({n} bindings with the defaults)", file.display())?;
        }
        KeymapCmd::Default => write!(out, "{}", DEFAULT)?,
        KeymapCmd::Vim => write!(out, "{}", VIM)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> Key {
        Key { code: KeyCode::Char(c), ctrl: false, alt: false }
    }

    #[test]
    fn default_and_vim_presets_load() {
        let d = parse_file(DEFAULT, "default").unwrap();
        assert!(d[&Context::Global].iter().any(|b| b.action == Action::Help));
        let v = Keymap::default_map().overlay(VIM, "vim").unwrap();
        assert_eq!(
            v.lookup(&[Context::Participants, Context::List, Context::Global], &[key('j')]),
            Lookup::Run(Action::Down)
        );
        assert_eq!(v.lookup(&[Context::Participants, Context::List, Context::Global], &[key('g')]), Lookup::Pending);
        assert_eq!(
            v.lookup(&[Context::Participants, Context::List, Context::Global], &[key('g'), key('g')]),
            Lookup::Run(Action::Top)
        );
        assert_eq!(v.lookup(&[Context::Participants, Context::List], &[key('d')]), Lookup::Run(Action::Noop));
    }

    #[test]
    fn user_entries_win_and_noop_unbinds() {
        let k = Keymap::default_map()
            .overlay("[[global]]\non = \"q\"\nrun = \"noop\"\n[[participants]]\non = \"n\"\nrun = \"add\"\n", "user")
            .unwrap();
        assert_eq!(k.lookup(&[Context::Global], &[key('q')]), Lookup::Run(Action::Noop));
        assert_eq!(k.lookup(&[Context::Participants], &[key('n')]), Lookup::Run(Action::Add));
        assert_eq!(k.lookup(&[Context::Participants], &[key('a')]), Lookup::Run(Action::Add));
    }

    #[test]
    fn bad_files_are_refused_with_their_origin() {
        for (text, want) in [
            ("[[global]]\non = \"q\"\nrun = \"quitt\"\n", "user.toml"),
            ("[[nowhere]]\non = \"q\"\nrun = \"quit\"\n", "unknown section"),
            ("[[global]]\non = \"ctrl-alt-x\"\nrun = \"quit\"\n", "AltGr"),
            ("[[global]]\non = \"q\"\nrun = \"quit\"\n[[global]]\non = \"q\"\nrun = \"help\"\n", "twice"),
            ("not toml at all [", "user.toml"),
        ] {
            let e = check(text, "user.toml").unwrap_err();
            assert!(e.contains(want), "{e}");
        }
        let (k, warn) = Keymap::load(Some(Path::new("/nonexistent/keymap.toml")));
        assert!(warn.is_none());
        assert!(!k.bindings(Context::Global).is_empty());
    }

    #[test]
    fn presets_have_no_conflicting_bindings() {
        for (name, text) in [("default", DEFAULT), ("vim", VIM)] {
            assert!(check(text, name).is_ok(), "{name}");
        }
    }
}
