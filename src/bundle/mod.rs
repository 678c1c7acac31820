//! Bundle files: how offices exchange ops (DESIGN.md §4).
//!
//! A bundle is `magic | format version | header | body | trailer` (see [`format`]):
//! a plain header with no personal data, the ops zstd-compressed and age-encrypted,
//! a BLAKE3 hash and an ed25519 signature by the sending office. Import checks the
//! hash, the signature and the keys before it reads the body, then applies the ops as
//! they are decoded and checked, all of them and the news about the sender in one
//! write transaction that is committed only when every op has passed: a bad file
//! never damages a database.
//!
//! Trust is paired, never found (DESIGN.md §4): a bundle is applied only when its
//! signing key is paired with the office (replica) it claims to come from. A bundle
//! from a key not paired here is held, not applied ([`folder::hold`]): listed with its
//! fingerprint until the user pairs that office ([`pair_header`], [`pair_fingerprint`])
//! or refuses it ([`refuse`]). A paired key claiming another office is refused.

mod error;
mod export;
pub mod folder;
pub mod format;
mod import;
mod keys;
mod pairing;

pub use error::{BundleError, Result};
pub use export::*;
pub use format::{Encryption, FORMAT_VERSION, Header, MAGIC, Parsed, assemble, parse};
pub use import::*;
pub use keys::{
    Keys, fingerprint, format_sign_key, parse_fingerprint, parse_identities, parse_recipient, parse_sign_key,
    strong_key,
};
pub use pairing::*;

use crate::search::fold;
use crate::store::{Peer, Prepared, Store, Streamed};
use crate::sync::{ChangeRef, Hlc, OpRef, ReplicaId, ValueRef, VersionVector};
use age::secrecy::SecretString;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};

/// No bundle may decompress to more than this.
pub const MAX_PLAIN: u64 = 1 << 30;
/// Nor to more than this many times its compressed size (plus 1 MiB): real ops
/// compress 3–10×, a bomb thousands of times.
pub const MAX_RATIO: u64 = 1000;
/// zstd level of the body: the `zstd -3` default.
pub const ZSTD_LEVEL: i32 = 3;
