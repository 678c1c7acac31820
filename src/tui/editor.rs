//! `$EDITOR` for the capture notes: the text goes to a private temp file, the user's
//! editor runs on it with the terminal handed over, and the file comes back.
//!
//! The notes hold personal data, so the file lives in a directory only this user can
//! enter (0700), is itself 0600, and both are removed afterwards, whatever happened.
//! The input thread must not read the terminal while the editor does: [`InputGate`]
//! parks it for the duration.

use crossterm::event::Event;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// The editor to run: `$VISUAL`, then `$EDITOR`, else `vi`.
pub fn command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Why the text did not come back.
#[derive(Debug)]
pub enum EditorError {
    /// The editor could not be started (not installed, not executable).
    Start(String),
    /// It ran and exited with an error (`:cq` in vi): the user backed out.
    Exit(i32),
    /// The temp file could not be written or read.
    Io(std::io::Error),
}

impl From<std::io::Error> for EditorError {
    fn from(e: std::io::Error) -> Self {
        EditorError::Io(e)
    }
}

/// A directory only we can enter, removed with everything in it when dropped.
struct PrivateDir(PathBuf);

impl PrivateDir {
    fn new() -> std::io::Result<PrivateDir> {
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let mut last = None;
        for n in 0..16u32 {
            let path = base.join(format!("teren-{}-{nanos:x}-{n}", std::process::id()));
            let mut b = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            // Not recursive: an existing path (someone else's, or a symlink) fails.
            match b.create(&path) {
                Ok(()) => return Ok(PrivateDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no temp dir")))
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    // Editors expect a final newline; it is taken off again on the way back.
    if !text.is_empty() && !text.ends_with('\n') {
        f.write_all(b"\n")?;
    }
    f.sync_all()
}

/// Run `cmd` (a shell command line, as `$EDITOR` is: `nano`, `code -w`) on a private
/// copy of `text` and return what the file holds when it exits. The caller hands the
/// terminal over first.
pub fn edit_text(cmd: &str, text: &str) -> Result<String, EditorError> {
    let dir = PrivateDir::new()?;
    let path = dir.0.join("notatka.md");
    write_private(&path, text)?;
    let status = run(cmd, &path).map_err(|e| EditorError::Start(e.to_string()))?;
    match status.code() {
        Some(0) => {}
        // The shell's "not found" and "not executable".
        Some(c @ (126 | 127)) => return Err(EditorError::Start(format!("exit {c}"))),
        Some(c) => return Err(EditorError::Exit(c)),
        None => return Err(EditorError::Exit(-1)),
    }
    let bytes = std::fs::read(&path)?;
    let mut out = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    if out.ends_with('\n') {
        out.pop();
    }
    Ok(out)
}

#[cfg(unix)]
fn run(cmd: &str, path: &Path) -> std::io::Result<std::process::ExitStatus> {
    // Through the shell, as git does: $EDITOR may carry arguments and quotes.
    std::process::Command::new("sh").arg("-c").arg(format!("{cmd} \"$@\"")).arg("sh").arg(path).status()
}

#[cfg(not(unix))]
fn run(cmd: &str, path: &Path) -> std::io::Result<std::process::ExitStatus> {
    let mut words = cmd.split_whitespace();
    let prog = words.next().unwrap_or("notepad");
    std::process::Command::new(prog).args(words).arg(path).status()
}

const RUNNING: u8 = 0;
const PAUSE_ASKED: u8 = 1;
const PAUSED: u8 = 2;

/// Lets the loop take the terminal's input away from the input thread while an
/// editor runs. The thread polls with a timeout instead of blocking in `read`, so it
/// notices a pause within [`InputGate::POLL`]; that is a wake-up of the input thread
/// only, never a redraw.
#[derive(Clone, Default)]
pub struct InputGate(Arc<AtomicU8>);

impl InputGate {
    pub const POLL: Duration = Duration::from_millis(200);

    /// For the input thread: the next terminal event, waiting while paused.
    pub fn read(&self) -> std::io::Result<Event> {
        loop {
            match self.0.load(Ordering::SeqCst) {
                RUNNING => {
                    if crossterm::event::poll(Self::POLL)? {
                        return crossterm::event::read();
                    }
                }
                PAUSE_ASKED => {
                    let _ = self.0.compare_exchange(PAUSE_ASKED, PAUSED, Ordering::SeqCst, Ordering::SeqCst);
                }
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// Run `f` with the input thread off the terminal. If the thread does not answer
    /// (it has ended), `f` runs anyway after a second.
    pub fn paused<T>(&self, f: impl FnOnce() -> T) -> T {
        self.0.store(PAUSE_ASKED, Ordering::SeqCst);
        let start = Instant::now();
        while self.0.load(Ordering::SeqCst) == PAUSE_ASKED && start.elapsed() < Duration::from_secs(1) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let out = f();
        self.0.store(RUNNING, Ordering::SeqCst);
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// One test, so that no other test of this process makes temp dirs meanwhile.
    #[test]
    fn the_file_is_private_comes_back_and_is_removed() {
        #[cfg(target_os = "linux")]
        {
            let script =
                r#"sh -c 'printf "%s %s\n" "$(stat -c %a "$1")" "$(stat -c %a "$(dirname "$1")")" >> "$1"' --"#;
            assert_eq!(edit_text(script, "zażółć").unwrap(), "zażółć\n600 700");
        }
        let err = edit_text("exit 3;", "tajne").unwrap_err();
        assert!(matches!(err, EditorError::Exit(3)), "{err:?}");
        let err = edit_text("/nonexistent/editor", "tajne").unwrap_err();
        assert!(matches!(err, EditorError::Start(_)), "{err:?}");
        let pid = format!("teren-{}-", std::process::id());
        let left = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(&pid));
        assert!(!left, "a private temp dir was left behind");
    }
}
