//! Running the built `teren` binary against a real redb file in a temp directory.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use tempfile::TempDir;

/// The path of the built binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_teren")
}

/// A `teren` command with nothing inherited that could pick another database.
pub fn command() -> Command {
    let mut c = Command::new(bin());
    c.env_remove("TEREN_DB").env("NO_COLOR", "1").stdin(Stdio::null());
    c
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    /// Asserts the run failed as DESIGN.md §8 says errors do: exit 1 and exactly one
    /// line on stderr, starting with `teren: `. Returns that line.
    pub fn error_line(&self, what: &str) -> String {
        assert_eq!(self.code, Some(1), "{what}: expected exit 1, got {self:?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{what}: expected one line on stderr, got {:?}", self.stderr);
        assert!(lines[0].starts_with("teren: "), "{what}: stderr should start with 'teren: ', got {:?}", lines[0]);
        lines[0].to_string()
    }
}

/// A database file in its own temp directory, removed at the end of the test; or one
/// at a path the test keeps ([`Db::at`]).
pub struct Db {
    _dir: Option<TempDir>,
    path: PathBuf,
    /// The day every command is run on (`TEREN_TODAY`), when the test fixes it.
    today: Option<&'static str>,
}

impl Db {
    pub fn new() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("teren.redb");
        Db { _dir: Some(dir), path, today: None }
    }

    /// The database at `path` (made by the first command that needs it), in a folder
    /// the test keeps.
    pub fn at(path: impl Into<PathBuf>) -> Db {
        Db { _dir: None, path: path.into(), today: None }
    }

    /// A database whose commands all run on `day` (yyyy-mm-dd), for tests whose
    /// output depends on what is overdue or done today.
    pub fn on(day: &'static str) -> Db {
        Db { today: Some(day), ..Db::new() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A command on this database, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = command();
        if let Some(day) = self.today {
            c.env("TEREN_TODAY", day);
        }
        c.arg("--db").arg(&self.path).args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.command(args).output().expect("run teren").into()
    }

    /// Spawns the binary with its output thrown away, for tests that kill it.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn teren")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, Some(0), "teren {args:?} failed: {r:?}");
        r.stdout
    }

    /// Runs a command that must succeed and print JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("teren {args:?} printed no JSON ({e}): {out}"))
    }

    /// Runs `add` and returns the short id it prints (`added participant 8d2db0b7`).
    pub fn add(&self, args: &[&str]) -> String {
        let out = self.ok(args);
        short_id(&out)
    }

    /// `dump --json`, as text, so that comparisons are byte for byte.
    pub fn dump(&self) -> String {
        let out = self.ok(&["dump", "--json"]);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("dump --json is not JSON ({e}): {out}"));
        assert!(v.is_object(), "dump --json is not an object: {out}");
        out
    }
}

/// The id at the end of an `added ENTITY ID` line.
pub fn short_id(out: &str) -> String {
    let line = out.lines().find(|l| l.starts_with("added ")).unwrap_or_else(|| panic!("no 'added' line in {out:?}"));
    let id = line.split_whitespace().nth(2).unwrap_or_else(|| panic!("no id in {line:?}"));
    assert_eq!(id.len(), 8, "short id should have 8 characters: {line:?}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "short id should be hex: {line:?}");
    id.to_string()
}

/// The records of a JSON array whose `field` equals `value`.
pub fn with_field<'v>(list: &'v Value, field: &str, value: &str) -> Vec<&'v Value> {
    list.as_array().expect("a JSON array").iter().filter(|r| r[field] == value).collect()
}

/// Two offices with a little data each (not paired yet).
pub fn two_offices() -> (Db, Db) {
    let a = Db::new();
    a.ok(&["office", "rename", "Biuro Dobiegniew"]);
    a.add(&["participant", "add", "--name", "Anna Kowalska", "--place", "Ługi", "--phone", "600100200"]);
    a.add(&["participant", "add", "--name", "Stowarzyszenie Łąka", "--category", "ngo", "--place", "Ługi"]);
    let b = Db::new();
    b.ok(&["office", "rename", "Biuro Strzelce Krajeńskie"]);
    b.add(&["participant", "add", "--name", "Jan Źdźbło", "--place", "Łódź"]);
    (a, b)
}
