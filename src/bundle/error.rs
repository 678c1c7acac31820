//! Why a bundle could not be written or imported, in one line each.

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
        "signed by a weak key (one any signature verifies against): forged or broken; nothing was imported, delete the file"
    )]
    WeakKey,
    #[error(
        "signed by the key of office \"{paired}\" (database {paired_replica}) but claims to be office \"{office}\" (database {replica}): refused, nothing was imported; a paired key speaks only for its own office"
    )]
    WrongOffice { office: String, replica: String, paired: String, paired_replica: String },
    #[error(
        "office \"{office}\" (database {replica}) is already paired with another key (fingerprint {paired}); if that office really has a new key, run `teren office forget {replica}` first, then pair again"
    )]
    OtherKey { office: String, replica: String, paired: String },
    #[error(
        "the key with fingerprint {fingerprint} is already paired with office \"{office}\" (database {replica}); a key speaks for one office only"
    )]
    KeyTaken { fingerprint: String, office: String, replica: String },
    #[error(
        "the fingerprint you gave ({given}) is not this office's ({actual}): not paired; check it with the other office and try again"
    )]
    FingerprintMismatch { given: String, actual: String },
    #[error("no office with fingerprint {0} is waiting here and none is paired with it")]
    NoSuchFingerprint(String),
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
    #[error(
        "change {op} in this bundle from office \"{office}\" differs from the change with the same id already here: two databases write as one office (a copied database file?); nothing was imported; on the copy run `teren office new-identity`, then pair it as a new office"
    )]
    CopiedDatabase {
        op: String,
        office: String,
        /// The op's seq when its id is this database's own: where it and the other
        /// database parted ([`crate::store::Store::note_fork`]).
        fork: Option<u64>,
    },
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
