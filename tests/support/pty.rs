//! The real binary in a pseudo-terminal, driven by key bytes, its screen read back
//! through a vt100 parser: shared by the end-to-end tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_teren");
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A database with demo data (50 participants), made by the binary itself, in a temp
/// dir that lives as long as the returned handle.
pub fn demo_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("teren.redb");
    super::cli::Db::at(&db).ok(&["demo", "--participants", "50"]);
    (dir, db)
}

pub struct Session {
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub writer: Option<Box<dyn Write + Send>>,
    pub child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    /// The app's config directory, also its working directory.
    pub config: PathBuf,
    /// Kept alive while the session runs, when the session made the directory.
    _config_dir: Option<tempfile::TempDir>,
    /// How long `wait_for` and `wait_exit` wait.
    pub timeout: Duration,
}

impl Session {
    pub fn start(db: &Path) -> Session {
        Session::start_env(db, &[])
    }

    /// Start, and wait for the first pane.
    pub fn open(db: &Path) -> Session {
        let mut s = Session::start(db);
        s.wait_participants();
        s
    }

    /// Start with extra environment variables (an editor script for `$VISUAL`).
    pub fn start_env(db: &Path, env: &[(&str, &str)]) -> Session {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::start_in(db, dir.path(), env);
        s._config_dir = Some(dir);
        s
    }

    /// Start with `config` as the config and working directory (a config.toml there).
    pub fn start_in(db: &Path, config: &Path, env: &[(&str, &str)]) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(db);
        cmd.cwd(config);
        cmd.env("TEREN_CONFIG_DIR", config);
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
        Session {
            parser,
            writer: Some(writer),
            child,
            _master: pair.master,
            config: config.to_path_buf(),
            _config_dir: None,
            timeout: TIMEOUT,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn send(&mut self, bytes: &[u8]) {
        let w = self.writer.as_mut().unwrap();
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    /// Wait for the app's first pane, the participants.
    pub fn wait_participants(&mut self) {
        self.wait_for("the participants pane", |t| t.contains("uczestnicy"));
    }

    /// Open the quick capture form (`c`) and wait for it.
    pub fn open_capture(&mut self) {
        self.send(b"c");
        self.wait_for("the capture form", |t| t.contains("Nowe spotkanie"));
    }

    /// Kill the app as a crash or a flat battery would: SIGKILL, which it cannot catch.
    /// (`Child::kill` of portable-pty sends SIGHUP first, on which the app quits
    /// cleanly.)
    pub fn kill_hard(&mut self) {
        let pid = self.child.process_id().expect("the app's pid");
        let status = Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
        assert!(status.success(), "kill -9 {pid} failed");
        let _ = self.child.wait();
    }

    /// Poll the screen until `pred` holds; panic with the screen after the deadline.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + self.timeout;
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
    pub fn wait_restored(&self) {
        let deadline = Instant::now() + self.timeout;
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

    /// Quit with `q`: the app exits cleanly and gives the terminal back; the session
    /// is over.
    pub fn quit(mut self) {
        self.send(b"q");
        assert!(self.wait_exit(), "teren did not exit cleanly");
        self.wait_restored();
    }

    /// Wait for the child to exit and return whether it succeeded.
    pub fn wait_exit(&mut self) -> bool {
        let deadline = Instant::now() + self.timeout;
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
