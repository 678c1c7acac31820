use crate::store::StoreError;
use std::path::PathBuf;

/// Why a bundle could not be written or imported. Each message says which check
/// failed and what to do; the database is unchanged whenever an import fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("not a teren bundle (it does not start with TERENBDL); check that you picked the right file")]
    NotABundle,
    #[error(
        "made by a newer teren (bundle format {found}, this teren reads format {known}); upgrade teren and import again"
    )]
    Newer { found: u16, known: u16 },
    #[error(
        "truncated: the file ends {missing} bytes too early; copy it again or ask the sending office for a new bundle"
    )]
    Truncated { missing: u64 },
    #[error("damaged: {0}; copy the file again or ask the sending office for a new bundle")]
    Damaged(String),
    #[error(
        "the signature does not match the sending office's key: the file was changed after it was signed; ask the sending office for a new bundle"
    )]
    BadSignature,
    #[error(
        "signed by an unknown key: office \"{office}\" is known here as database {known} with another key, this bundle comes from database {replica} signed by {key}; if that is a new database of the office, run `teren office trust {replica} {key}` or import with --trust"
    )]
    UnknownKey { office: String, known: String, replica: String, key: String },
    #[error(
        "signed by a changed key: office \"{office}\" (database {replica}) was pinned with {pinned}, this bundle is signed by {key}; if the office really made a new key, run `teren office trust {replica} {key}` or import with --trust"
    )]
    ChangedKey { office: String, replica: String, pinned: String, key: String },
    #[error("this is this office's own bundle (office \"{office}\"); import bundles made by other offices")]
    OwnBundle { office: String },
    #[error("the bundle is encrypted with a passphrase; give it with --passphrase-file FILE")]
    NeedPassphrase,
    #[error("wrong passphrase: the bundle does not decrypt with it; check the passphrase file")]
    WrongPassphrase,
    #[error("{0}")]
    ExcessiveWork(String),
    #[error(
        "not encrypted for this office (it is for {recipients} other recipient(s)); ask the sending office to export with --recipient {ours}, or with a passphrase"
    )]
    NotForUs { recipients: usize, ours: String },
    #[error("too large: {0}; refused as a decompression bomb")]
    TooLarge(String),
    #[error(
        "invalid op {op} in the bundle: {msg}; the sending teren is faulty or the file was forged; nothing was imported"
    )]
    InvalidOp { op: String, msg: String },
    #[error("the bundle holds changes made by a newer teren ({0}); upgrade teren and import again")]
    NewerOps(String),
    #[error(
        "the bundle holds changes of this office up to {theirs}, this database only up to {ours} (restored from an old backup?); nothing was imported"
    )]
    OwnFuture { ours: u64, theirs: u64 },
    #[error("{0}")]
    Key(String),
    #[error("cannot encrypt the bundle: {0}")]
    Encrypt(String),
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type Result<T> = std::result::Result<T, BundleError>;
