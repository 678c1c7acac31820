#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A real distribution engine (issue 21, item 7): two Syncthing daemons on 127.0.0.1
//! only (discovery, relays, NAT traversal, upgrades and usage reports off), each
//! replicating one office's sync folder to the other. Two offices pair through the
//! folder (each holds the other's first bundle until the fingerprint is confirmed),
//! edit, run `teren sync DIR` and end with identical `teren dump --json`, a conflict
//! kept and an erasure honoured. Syncthing's half-written files (`.syncthing.*.tmp`)
//! are never read, and a truncated bundle arriving through it is refused with one
//! line, the database unchanged.
//!
//! Skipped, with the reason printed, only when the `syncthing` program is not
//! installed (`.ci/run` installs it).

use crate::support::cli::{self, Db};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Generous: Syncthing notices a change within a second or two (file watcher), but
/// the machine may be busy. Only an upper bound.
const TIMEOUT: Duration = Duration::from_secs(90);

fn syncthing() -> Option<PathBuf> {
    let out = Command::new("syncthing").arg("--version").stdout(Stdio::piped()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| PathBuf::from("syncthing"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One Syncthing daemon: its home (keys, config, database) and the folder it keeps.
struct Daemon {
    home: PathBuf,
    folder: PathBuf,
    id: String,
    port: u16,
    child: Option<Child>,
}

impl Daemon {
    fn new(root: &Path, name: &str) -> Daemon {
        let home = root.join(format!("st-{name}"));
        let folder = root.join(format!("sync-{name}"));
        std::fs::create_dir_all(folder.join(".stfolder")).unwrap();
        // Never our own half-written bundles (`NAME.tmp` before the rename).
        std::fs::write(folder.join(".stignore"), "*.tmp\n").unwrap();
        let ok = Command::new("syncthing")
            .args(["generate", "--no-default-folder", "--skip-port-probing", "--home"])
            .arg(&home)
            .env("HOME", root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(ok.success(), "syncthing generate failed");
        let out = Command::new("syncthing").args(["serve", "--device-id", "--home"]).arg(&home).output().unwrap();
        let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(id.len() > 50, "no device id: {id:?}");
        Daemon { home, folder, id, port: free_port(), child: None }
    }

    /// Write the whole config: this device and `peer`, one folder shared by both,
    /// nothing but 127.0.0.1.
    fn configure(&self, peer: &Daemon) {
        let device = |d: &Daemon, name: &str| {
            format!(
                r#"<device id="{}" name="{name}" compression="metadata" introducer="false" skipIntroductionRemovals="false" introducedBy=""><address>tcp://127.0.0.1:{}</address><paused>false</paused><autoAcceptFolders>false</autoAcceptFolders></device>"#,
                d.id, d.port
            )
        };
        // The config version this Syncthing writes, from the file `generate` made.
        let generated = std::fs::read_to_string(self.home.join("config.xml")).unwrap();
        let version: String = generated
            .split("<configuration version=\"")
            .nth(1)
            .map(|v| v.chars().take_while(char::is_ascii_digit).collect())
            .unwrap();
        let config = format!(
            r#"<configuration version="{version}">
    <folder id="teren" label="teren" path="{path}" type="sendreceive" rescanIntervalS="2" fsWatcherEnabled="true" fsWatcherDelayS="1" ignorePerms="false" autoNormalize="true">
        <filesystemType>basic</filesystemType>
        <device id="{me}" introducedBy=""></device>
        <device id="{peer}" introducedBy=""></device>
        <minDiskFree unit="%">0</minDiskFree>
        <paused>false</paused>
    </folder>
    {dev_me}
    {dev_peer}
    <gui enabled="true" tls="false" debugging="false">
        <address>127.0.0.1:{gui}</address>
        <apikey>teren-test</apikey>
    </gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <startBrowser>false</startBrowser>
        <urAccepted>-1</urAccepted>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
    </options>
</configuration>
"#,
            path = self.folder.display(),
            me = self.id,
            peer = peer.id,
            dev_me = device(self, "me"),
            dev_peer = device(peer, "peer"),
            gui = free_port(),
            port = self.port,
        );
        std::fs::write(self.home.join("config.xml"), config).unwrap();
    }

    fn start(&mut self, root: &Path) {
        let log = std::fs::File::create(self.home.join("log.txt")).unwrap();
        let child = Command::new("syncthing")
            .args(["serve", "--no-browser", "--no-restart", "--no-upgrade", "--home"])
            .arg(&self.home)
            .env("HOME", root)
            .env("STNODEFAULTFOLDER", "1")
            .env("STNOUPGRADE", "1")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("log.txt")).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The bundle files of a folder (not hidden, not `.tmp`) with their bytes.
fn bundles(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".teren") && !n.starts_with('.'))
        .filter_map(|n| std::fs::read(dir.join(&n)).ok().map(|b| (n, b)))
        .collect();
    out.sort();
    out
}

/// Wait until Syncthing has made both folders hold the same bundles.
fn wait_mirrored(a: &mut Daemon, b: &mut Daemon, what: &str) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if bundles(&a.folder) == bundles(&b.folder) {
            return;
        }
        for d in [&mut *a, &mut *b] {
            if let Some(status) = d.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                panic!("{what}: syncthing exited ({status}):\n{}", d.log());
            }
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the folders never matched\nA: {:?}\nB: {:?}\nlog A:\n{}\nlog B:\n{}",
            bundles(&a.folder).iter().map(|(n, _)| n).collect::<Vec<_>>(),
            bundles(&b.folder).iter().map(|(n, _)| n).collect::<Vec<_>>(),
            a.log(),
            b.log()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn fingerprint(db: &Db) -> String {
    db.json(&["office", "--json"])["fingerprint"].as_str().unwrap().to_string()
}

fn sync(db: &Db, d: &Daemon) -> String {
    db.ok(&["sync", d.folder.to_str().unwrap()])
}

/// A syncs, Syncthing carries its bundle over; then B.
fn round(a: &Db, b: &Db, sa: &mut Daemon, sb: &mut Daemon, what: &str) {
    sync(a, sa);
    wait_mirrored(sa, sb, what);
    sync(b, sb);
    wait_mirrored(sa, sb, what);
}

#[test]
fn two_offices_converge_over_two_real_syncthing_daemons() {
    if syncthing().is_none() {
        println!("skipped: the syncthing program is not installed (apt-get install syncthing; .ci/run installs it)");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let mut sa = Daemon::new(root.path(), "a");
    let mut sb = Daemon::new(root.path(), "b");
    sa.configure(&sb);
    sb.configure(&sa);
    sa.start(root.path());
    sb.start(root.path());

    let (a, b) = cli::two_offices();

    // First contact through the folder: each sees the other's bundle and holds it.
    sync(&a, &sa);
    wait_mirrored(&mut sa, &mut sb, "A's first bundle");
    let out = sync(&b, &sb);
    assert!(out.contains("held, not applied") && out.contains(&fingerprint(&a)), "{out}");
    wait_mirrored(&mut sa, &mut sb, "B's first bundle");
    let out = sync(&a, &sa);
    assert!(out.contains("held, not applied") && out.contains(&fingerprint(&b)), "{out}");
    assert!(!b.dump().contains("Anna Kowalska") && !a.dump().contains("Jan Źdźbło"));
    // They read their fingerprints to each other on the phone and pair.
    a.ok(&["office", "pair", "--fingerprint", &fingerprint(&b)]);
    b.ok(&["office", "pair", "--fingerprint", &fingerprint(&a)]);
    for n in 0..2 {
        round(&a, &b, &mut sa, &mut sb, &format!("pairing round {n}"));
    }
    assert_eq!(a.dump(), b.dump());
    assert!(a.dump().contains("Jan Źdźbło") && b.dump().contains("Anna Kowalska"));

    // Both offices edit the same note offline; B erases a person A still edits.
    let people = a.json(&["participant", "list", "--json"]);
    let anna = cli::with_field(&people, "name", "Anna Kowalska")[0]["id"].as_str().unwrap().to_string();
    let laka = cli::with_field(&people, "name", "Stowarzyszenie Łąka")[0]["id"].as_str().unwrap().to_string();
    a.ok(&["participant", "edit", &laka, "--set", "note=Chce założyć KGW"]);
    b.ok(&["participant", "edit", &laka, "--set", "note=Zainteresowana warsztatami"]);
    a.ok(&["participant", "edit", &anna, "--set", "note=Dzwonić po 16"]);
    b.ok(&["erase", &anna[..8]]);
    b.add(&["participant", "add", "--name", "Ewa Nowak", "--place", "Dobiegniew"]);
    for n in 0..2 {
        round(&a, &b, &mut sa, &mut sb, &format!("edit round {n}"));
    }
    let (da, db) = (a.dump(), b.dump());
    assert_eq!(da, db, "the offices differ after syncing over Syncthing");
    assert!(!da.contains("Kowalska") && !da.contains("600100200"), "the erasure was not honoured: {da}");
    assert!(da.contains("\"erased\": true") && da.contains("Ewa Nowak"));
    for db in [&a, &b] {
        let c = db.json(&["conflicts", "--json"]);
        assert_eq!(c.as_array().unwrap().len(), 1, "{c}");
        let texts: Vec<&str> =
            c[0]["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
        assert!(texts.contains(&"Chce założyć KGW") && texts.contains(&"Zainteresowana warsztatami"), "{c}");
    }

    // Syncthing's own half-written file (it writes `.syncthing.NAME.tmp`, then
    // renames) and a bundle that arrives truncated. The half-written one is never
    // read; the truncated one is refused with one line and changes nothing.
    a.add(&["participant", "add", "--name", "Piotr Wiśniewski", "--place", "Ługi"]);
    sync(&a, &sa);
    wait_mirrored(&mut sa, &mut sb, "A's new bundle");
    let (name, full) = bundles(&sb.folder).into_iter().find(|(n, _)| n.starts_with("teren-biuro-dobiegniew-")).unwrap();
    std::fs::write(sb.folder.join(format!(".syncthing.{name}.tmp")), &full[..full.len() / 2]).unwrap();
    let cut = "teren-biuro-obce-20250101-1200-abcdef.teren";
    std::fs::write(sa.folder.join(cut), &full[..full.len() - 100]).unwrap();
    wait_mirrored(&mut sa, &mut sb, "the truncated bundle");
    let before = b.dump();
    let r = b.run(&["sync", sb.folder.to_str().unwrap()]);
    let line = r.error_line("a truncated bundle in the folder");
    assert!(line.contains("1 of 2 bundles") && line.contains("could not be imported"), "{line}");
    assert!(r.stdout.contains(&format!("{cut}: not imported: truncated")), "{}", r.stdout);
    assert!(!r.stdout.contains(".syncthing."), "{}", r.stdout);
    // A's good bundle is imported; nothing of the truncated one.
    assert_ne!(b.dump(), before);
    assert!(b.dump().contains("Piotr Wiśniewski"));
    std::fs::remove_file(sa.folder.join(cut)).unwrap();
    std::fs::remove_file(sb.folder.join(format!(".syncthing.{name}.tmp"))).unwrap();
    wait_mirrored(&mut sa, &mut sb, "the truncated bundle removed");
    round(&a, &b, &mut sa, &mut sb, "last round");
    assert_eq!(a.dump(), b.dump());
    // Each office keeps one bundle in the folder.
    let names: Vec<String> = bundles(&sa.folder).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
