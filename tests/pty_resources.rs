#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end in a pseudo-terminal: the real binary's resources pane links a proposal
//! to a need (seen afterwards by the command line) and writes a place's map into the
//! directory it was started in.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_teren");
const TIMEOUT: Duration = Duration::from_secs(10);

/// A temporary database with demo data, made by the binary itself.
fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("teren.redb");
    let out = Command::new(BIN).arg("--db").arg(&db).args(["demo", "--participants", "50"]).output().unwrap();
    assert!(out.status.success(), "demo failed: {}", String::from_utf8_lossy(&out.stderr));
    db
}

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Option<Box<dyn Write + Send>>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    /// The app's config directory, also its working directory.
    config: tempfile::TempDir,
}

impl Session {
    fn start(db: &Path) -> Session {
        Session::start_env(db, &[])
    }

    /// Start with extra environment variables (an editor script for `$VISUAL`).
    fn start_env(db: &Path, env: &[(&str, &str)]) -> Session {
        let config = tempfile::tempdir().unwrap();
        let pair = native_pty_system()
            .openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(db);
        cmd.cwd(config.path());
        cmd.env("TEREN_CONFIG_DIR", config.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn teren in a pty");
        // Only the child holds the slave side now, so the reader sees EOF when it exits.
        drop(pair.slave);

        let parser =
            Arc::new(Mutex::new(vt100::Parser::new(NonZeroU16::new(24).unwrap(), NonZeroU16::new(80).unwrap(), 0)));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let p = parser.clone();
        // Read continuously: a full pty buffer would block the child.
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => p.lock().unwrap().process(&buf[..n]),
                }
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Session { parser, writer: Some(writer), child, _master: pair.master, config }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn send(&mut self, bytes: &[u8]) {
        let w = self.writer.as_mut().unwrap();
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    /// Poll the screen until `pred` holds; panic with the screen after the deadline.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let s = self.screen();
            if pred(&s) {
                return;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("teren exited ({status:?}) while waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// After exit: the terminal is back on the main screen with a visible cursor.
    fn wait_restored(&self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            {
                let p = self.parser.lock().unwrap();
                let screen = p.screen();
                if !screen.alternate_screen() && !screen.hide_cursor() {
                    return;
                }
            }
            assert!(Instant::now() <= deadline, "the terminal was not restored");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait for the child to exit and return whether it succeeded.
    fn wait_exit(&mut self) -> bool {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.writer = None;
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("teren did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Never leave a child behind when a test fails.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The links of the needs of a place, from `teren need list --json`.
fn links_in(db: &Path, place: &str) -> usize {
    let out =
        Command::new(BIN).arg("--db").arg(db).args(["need", "list", "--json", "--place", place]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array().unwrap().iter().map(|n| n["resources"].as_array().map_or(0, Vec::len)).sum()
}

#[test]
fn resources_pane_links_a_proposal_and_exports_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = links_in(&db, "Lubiewo");
    let mut s = Session::start(&db);
    s.wait_for("the participants pane", |t| t.contains("uczestnicy"));
    s.send(b"3");
    s.wait_for("the resource tree", |t| t.contains("gmina Dobiegniew"));
    s.send(b"/lubiewo\r");
    s.wait_for("the search", |t| t.contains("/lubiewo"));
    s.send(b"\x1b[B");
    s.send(b"n");
    s.wait_for("the needs with proposals", |t| t.contains("Propozycje"));
    s.send(b"l");
    s.wait_for("the link", |t| t.contains("Połączono"));
    s.send(b"x");
    s.wait_for("the export prompt", |t| t.contains("mapa-lubiewo.md"));
    s.send(b"\r");
    s.wait_for("the export", |t| t.contains("Zapisano mapę"));
    let file = s.config.path().join("mapa-lubiewo.md");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# ") && text.contains("Lubiewo"), "{text}");
    s.send(b"q");
    assert!(s.wait_exit(), "teren did not exit cleanly");
    s.wait_restored();
    drop(s);
    assert_eq!(links_in(&db, "Lubiewo"), before + 1);
}
