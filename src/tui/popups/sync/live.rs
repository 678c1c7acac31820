//! The live sync folder (`sync_dir` of config.toml): polled on a thread while the app
//! runs, its outcome sent to the loop.

use super::*;

/// The live sync folder of config.toml, with the passphrase from
/// `sync_passphrase_file` when one is set; an unreadable passphrase file is a
/// warning for the status line, and the folder is then not synced.
pub fn live_folder(dir: PathBuf, passphrase_file: Option<&Path>) -> Result<crate::bundle::folder::Live, String> {
    let passphrase = match passphrase_file {
        None => None,
        Some(f) => {
            let text = std::fs::read_to_string(f).map_err(|e| format!("sync_passphrase_file {}: {e}", f.display()))?;
            let line = text.lines().next().unwrap_or("").to_string();
            if line.is_empty() {
                return Err(format!("sync_passphrase_file {} is empty", f.display()));
            }
            Some(SecretString::from(line))
        }
    };
    Ok(crate::bundle::folder::Live::new(dir, passphrase))
}

/// Run the live folder on a thread of its own: a pass at once, then one every
/// [`POLL_EVERY`](crate::bundle::folder::POLL_EVERY). Each pass that did something is
/// handed to `report` (false: the app is gone, stop). Dropping the returned sender
/// stops the thread; join it so the store is closed cleanly.
pub fn spawn_live(
    store: std::sync::Arc<Store>,
    mut live: crate::bundle::folder::Live,
    report: impl Fn(Result<Synced, String>) -> bool + Send + 'static,
) -> (std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    use std::sync::mpsc::RecvTimeoutError;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        let keys = match Keys::load(&store) {
            Ok(k) => k,
            Err(e) => {
                report(Err(e.to_string()));
                return;
            }
        };
        // A folder error is reported once, not every few seconds.
        let mut last_error: Option<String> = None;
        loop {
            let result = live.poll(&store, &keys, std::time::Instant::now()).map_err(|e| e.to_string());
            let send = match &result {
                Ok(s) => {
                    last_error = None;
                    !s.files.is_empty() || s.own.is_some()
                }
                Err(e) => last_error.replace(e.clone()).as_ref() != Some(e),
            };
            if send && !report(result) {
                return;
            }
            match stopped.recv_timeout(crate::bundle::folder::POLL_EVERY) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => return,
            }
        }
    });
    (stop, handle)
}
