//! What can go wrong with the database, and the advice each failed write carries.

use std::path::PathBuf;

/// What can go wrong with the database. Messages say what happened and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("database is in use by another teren process ({0}); close the other teren and try again")]
    InUse(PathBuf),
    #[error(
        "database {path} was written by a newer teren (schema {found}, this teren knows up to {known}); upgrade teren"
    )]
    NewerSchema { path: PathBuf, found: u32, known: u32 },
    #[error(
        "database {path} was written by an older teren and cannot be upgraded ({detail}); the file is unchanged: open it with the teren that wrote it and export a bundle, or restore a backup"
    )]
    Upgrade { path: PathBuf, detail: String },
    #[error("cannot create the database directory {path}: {source}")]
    Dir { path: PathBuf, source: std::io::Error },
    #[error("cannot open {path}: {detail}")]
    Open { path: PathBuf, detail: String },
    #[error(
        "{} beside the database holds {saves} save(s) made by an older teren; run `teren doctor --journal` to recover them (both files are left untouched until then)", journal.display()
    )]
    OldJournal { journal: PathBuf, saves: usize },
    #[error("database error: {0}")]
    Db(String),
    /// A write or sync that failed: nothing of the change was saved.
    #[error("not saved: {detail}{}", trouble.advice())]
    Write { trouble: Trouble, detail: String },
    #[error("damaged data in the database: {0}; run `teren doctor --rebuild`")]
    Corrupt(String),
}

/// Why a write failed, in words the app can translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    DiskFull,
    ReadOnly,
    Permission,
    /// The disk reported an error (EIO) or an earlier write failed.
    Disk,
    /// An earlier write failed in this session: redb refuses to go on until reopened.
    Earlier,
    Other,
}

impl Trouble {
    /// What to do, after the system's words (empty when there is nothing to add).
    pub(super) fn advice(self) -> &'static str {
        match self {
            Trouble::DiskFull => "; the disk is full: free some space and try again",
            Trouble::ReadOnly => "; the disk is read-only: check the folder or the drive",
            Trouble::Permission => "; check the permissions of the database's folder and file",
            Trouble::Disk => "; the disk reported an error: check the drive, and keep a backup (`teren backup`)",
            Trouble::Earlier | Trouble::Other => "",
        }
    }

    pub(super) fn of(e: &std::io::Error) -> Trouble {
        match e.raw_os_error() {
            Some(28) | Some(122) => Trouble::DiskFull,
            Some(30) => Trouble::ReadOnly,
            Some(13) | Some(1) => Trouble::Permission,
            Some(5) => Trouble::Disk,
            _ if e.kind() == std::io::ErrorKind::StorageFull => Trouble::DiskFull,
            _ => Trouble::Other,
        }
    }
}

impl StoreError {
    /// Why a write failed, when it did.
    pub fn trouble(&self) -> Option<Trouble> {
        match self {
            StoreError::Write { trouble, .. } => Some(*trouble),
            _ => None,
        }
    }
}

impl From<redb::StorageError> for StoreError {
    fn from(e: redb::StorageError) -> Self {
        match e {
            redb::StorageError::Io(io) => {
                StoreError::Write { trouble: Trouble::of(&io), detail: io.to_string() }
            }
            redb::StorageError::PreviousIo => StoreError::Write {
                trouble: Trouble::Earlier,
                detail: "an earlier write to the database failed; quit teren and start it again (what was saved before that is kept)".into(),
            },
            other => StoreError::Db(other.to_string()),
        }
    }
}

macro_rules! from_redb {
    ($($t:ty),+) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                match e.into() {
                    redb::Error::Io(io) => redb::StorageError::Io(io).into(),
                    redb::Error::PreviousIo => redb::StorageError::PreviousIo.into(),
                    other => StoreError::Db(other.to_string()),
                }
            }
        }
    )+};
}
from_redb!(redb::TransactionError, redb::TableError, redb::CommitError);

impl From<redb::Error> for StoreError {
    fn from(e: redb::Error) -> Self {
        match e {
            redb::Error::Io(io) => redb::StorageError::Io(io).into(),
            redb::Error::PreviousIo => redb::StorageError::PreviousIo.into(),
            other => StoreError::Db(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
