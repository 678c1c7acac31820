#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end live sync: the real app in a pseudo-terminal with `sync_dir` in its
//! config.toml holds another office's bundle as it lies in the folder until that
//! office is paired on the sync screen (its fingerprint shown, Enter, Enter), then
//! imports it; `teren sync` on the database the app holds says so and exits 1, and
//! the app's own bundle appears in the folder for the other office, which pairs by
//! the fingerprint typed, to import. What the status line says of each pass: an
//! import, a write, a hostile file.

use crate::support::cli::Db;
use crate::support::pty::*;
use std::path::Path;
use std::time::{Duration, Instant};

/// Generous: the app writes its bundle 10 s after the data last changed, and the
/// machine may be busy. Only an upper bound; nothing is timed.
const LIVE_TIMEOUT: Duration = Duration::from_secs(60);

fn ok(db: &Path, args: &[&str]) -> String {
    Db::at(db).ok(args)
}

#[test]
fn the_open_app_keeps_the_sync_folder_live() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.redb"), tmp.path().join("b.redb"));
    let folder = tmp.path().join("wspolny");
    let config = tmp.path().join("config");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    let pass = tmp.path().join("haslo.txt");
    std::fs::write(&pass, "łąka 2026\n").unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "sync_dir = {:?}\nsync_passphrase_file = {:?}\n",
            folder.display().to_string(),
            pass.display().to_string()
        ),
    )
    .unwrap();
    ok(&a, &["office", "rename", "Biuro Dobiegniew"]);
    ok(&a, &["participant", "add", "--name", "Anna Kowalska", "--place", "Ługi"]);
    ok(&b, &["office", "rename", "Biuro Strzelce"]);
    ok(&b, &["participant", "add", "--name", "Jan Źdźbło", "--place", "Łódź"]);
    let p = pass.to_str().unwrap();
    let f = folder.to_str().unwrap();
    ok(&b, &["sync", f, "--passphrase-file", p]);

    let fingerprint = |db: &Path| Db::at(db).json(&["office", "--json"])["fingerprint"].as_str().unwrap().to_string();
    let (fp_a, fp_b) = (fingerprint(&a), fingerprint(&b));

    let mut app = Session::start_in(&a, &config, &[]);
    app.timeout = LIVE_TIMEOUT;
    // B is not paired: its bundle is held as the app opens, not applied.
    app.wait_for("the held bundle on the status line", |s| s.contains("wstrzymana"));
    assert!(!app.screen().contains("Jan Źdźbło"), "{}", app.screen());
    // The sync screen lists B with its fingerprint; Enter asks, Enter pairs.
    app.send(b"S");
    app.wait_for("the waiting office", |s| s.contains("Czekają na sparowanie") && s.contains(&fp_b));
    app.send(b"\r");
    app.wait_for("the question", |s| s.contains("Sparować biuro „Biuro Strzelce”"));
    app.send(b"\r");
    app.wait_for("the pairing", |s| s.contains("Sparowano z biurem"));
    app.send(b"\x1b");
    // The live folder reads B's bundle again, now applied, says so, and the list
    // reloads.
    app.wait_for("the import on the status line", |s| s.contains("zaimportowano z: biuro \"Biuro Strzelce\""));
    app.wait_for("the other office's participant", |s| s.contains("Jan Źdźbło"));
    // The database is the app's: `teren sync` says so, exits 1 and changes nothing.
    let held = Db::at(&a).run(&["sync", f, "--passphrase-file", p]);
    assert_eq!(held.code, Some(1));
    assert!(held.stderr.contains("database is in use by another teren process"), "{held:?}");
    // The app's own bundle appears once the data has been still for a while.
    let deadline = Instant::now() + LIVE_TIMEOUT;
    while !std::fs::read_dir(&folder)
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().starts_with("teren-biuro-dobiegniew-"))
    {
        assert!(Instant::now() < deadline, "no bundle of the app's office in the folder; screen:\n{}", app.screen());
        std::thread::sleep(Duration::from_millis(200));
    }
    app.wait_for("the write on the status line", |s| s.contains("zapisano paczkę tego biura"));
    app.quit();

    // B pairs A by the fingerprint A reads out, and takes A's bundle from the folder:
    // one file each way, identical data.
    let out = ok(&b, &["office", "pair", "--fingerprint", &fp_a]);
    assert!(out.contains(&fp_a), "{out}");
    let out = ok(&b, &["sync", f, "--passphrase-file", p]);
    assert!(out.contains("imported from office \"Biuro Dobiegniew\""), "{out}");
    assert_eq!(ok(&a, &["dump", "--json"]), ok(&b, &["dump", "--json"]));
}

/// `teren office pair FILE` in a terminal: a command-line run in a pseudo-terminal,
/// answering `answer` to its question; what it printed, and whether it succeeded.
fn pair_in_a_terminal(db: &Path, file: &Path, answer: &str) -> (String, bool) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    let pair = native_pty_system().openpty(PtySize { rows: 24, cols: 200, pixel_width: 0, pixel_height: 0 }).unwrap();
    let mut cmd = CommandBuilder::new(BIN);
    cmd.args(["--db", db.to_str().unwrap(), "office", "pair", file.to_str().unwrap()]);
    cmd.env("NO_COLOR", "1");
    cmd.env_remove("TEREN_DB");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut out = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !out.contains("[y/N]") {
        assert!(Instant::now() < deadline, "no question: {out:?}");
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(100)) {
            out.push_str(&String::from_utf8_lossy(&b));
        }
    }
    let mut w = pair.master.take_writer().unwrap();
    w.write_all(format!("{answer}\r").as_bytes()).unwrap();
    w.flush().unwrap();
    let status = child.wait().unwrap();
    while let Ok(b) = rx.recv_timeout(Duration::from_millis(300)) {
        out.push_str(&String::from_utf8_lossy(&b));
    }
    (out, status.success())
}

#[test]
fn pairing_from_a_terminal_asks_about_the_fingerprint() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.redb"), tmp.path().join("b.redb"));
    ok(&a, &["office", "rename", "Biuro Dobiegniew"]);
    ok(&b, &["office", "rename", "Biuro Strzelce"]);
    let intro = tmp.path().join("intro.teren");
    ok(&a, &["office", "introduce", "--out", intro.to_str().unwrap()]);
    let fp = Db::at(&a).json(&["office", "--json"])["fingerprint"].as_str().unwrap().to_string();
    // "No": nothing paired.
    let (out, success) = pair_in_a_terminal(&b, &intro, "n");
    assert!(out.contains(&fp) && out.contains("Biuro Dobiegniew"), "{out}");
    assert!(!success, "{out}");
    assert!(ok(&b, &["office"]).contains("no office paired yet"));
    // "Tak": paired.
    let (out, success) = pair_in_a_terminal(&b, &intro, "tak");
    assert!(success && out.contains("paired with office \"Biuro Dobiegniew\""), "{out}");
    assert!(ok(&b, &["office"]).contains(&fp));
}

/// A file in the live folder that is no bundle: one line on the status line, in the
/// app's language, and the database unchanged.
#[test]
fn a_hostile_file_in_the_live_folder_is_one_line_on_the_status_line() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("b.redb");
    let (folder, config) = (tmp.path().join("wspolny"), tmp.path().join("config"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(folder.join("teren-zly-20250101-1200-abcdef.teren"), b"TERENBDL but nothing else").unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!("lang = \"en\"\nsync_dir = {:?}\n", folder.display().to_string()),
    )
    .unwrap();
    ok(&db, &["office", "rename", "Biuro Strzelce"]);
    ok(&db, &["participant", "add", "--name", "Jan Źdźbło"]);
    let before = ok(&db, &["dump", "--json"]);
    let mut app = Session::start_in(&db, &config, &[]);
    app.wait_for("the refusal on the status line", |s| {
        s.lines().last().is_some_and(|l| l.contains("teren-zly-20250101-1200-abcdef.teren: not imported: "))
    });
    app.quit();
    assert_eq!(ok(&db, &["dump", "--json"]), before);
}
