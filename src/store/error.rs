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
    #[error("database error: {0}")]
    Db(String),
    #[error("damaged data in the database: {0}; run `teren doctor --rebuild`")]
    Corrupt(String),
}

macro_rules! from_redb {
    ($($t:ty),+) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Db(e.to_string())
            }
        }
    )+};
}
from_redb!(redb::Error, redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

pub type Result<T> = std::result::Result<T, StoreError>;
