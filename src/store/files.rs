//! The database's place on disk: a folder only its owner can enter (0700) and a file
//! only its owner can read (0600). The file holds personal data and the office's
//! signing and age keys, so a database found readable by others is made private when
//! it is opened, and the user is told once.

use super::{Result, StoreError};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The notice for a database that was readable by others (English: the CLI's stderr is
/// English like its errors; the app shows its own catalogue's words).
pub const TIGHTENED: &str =
    "the database was readable by other users of this machine; it is now readable by you only (0600)";

/// Make the database's folder, private, when it is not there.
pub(super) fn make_dir(path: &Path) -> Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else { return Ok(()) };
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| StoreError::Dir { path: dir.to_path_buf(), source })
}

/// Open (or create, 0600) the database file for reading and writing.
pub(super) fn open_private(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Take group and other permissions off a database file. Returns whether it had any.
pub(super) fn tighten(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700)).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("it is readable by others and cannot be made private ({e}); check its owner"),
            )
        })?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

/// `path` with `suffix` added to its file name (`teren.redb` → `teren.redb.tmp`).
pub(super) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Sync the folder of `path`, so that a new or renamed name in it survives a power
/// cut. Best effort: not every system can sync a directory.
pub(super) fn sync_dir(path: &Path) {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let _ = File::open(dir).and_then(|d| d.sync_all());
}

/// An I/O error as the user should read it: what happened and what to do.
pub(crate) fn io_detail(e: &io::Error) -> String {
    format!("{e}{}", super::Trouble::of(e).advice())
}
