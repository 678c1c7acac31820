//! This office's keys: an ed25519 signing key and an age X25519 identity, made at
//! first use and kept in the database's `meta` table. They are this replica's
//! secrets: only the public halves are ever printed or put in a bundle.

use super::error::{BundleError, Result};
use crate::store::Store;
use age::secrecy::ExposeSecret;
use ed25519_dalek::SigningKey;

const SIGN_KEY: &str = "sign_key";
const AGE_IDENTITY: &str = "age_identity";
const SIGN_PREFIX: &str = "ed25519:";

pub struct Keys {
    pub signing: SigningKey,
    pub identity: age::x25519::Identity,
}

impl Keys {
    /// This office's keys, made now if the database has none yet.
    pub fn load(store: &Store) -> Result<Keys> {
        let seed = match store.meta_bytes(SIGN_KEY)? {
            Some(s) => s,
            None => {
                let mut fresh = [0u8; 32];
                rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut fresh)
                    .map_err(|e| BundleError::Key(format!("cannot make the office's signing key: {e}")))?;
                store.meta_bytes_or_insert(SIGN_KEY, || fresh.to_vec())?
            }
        };
        let seed: [u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| BundleError::Key("the office's signing key in the database is damaged".into()))?;
        let identity = store.meta_bytes_or_insert(AGE_IDENTITY, || {
            age::x25519::Identity::generate().to_string().expose_secret().as_bytes().to_vec()
        })?;
        let identity = std::str::from_utf8(&identity)
            .ok()
            .and_then(|s| s.parse::<age::x25519::Identity>().ok())
            .ok_or_else(|| BundleError::Key("the office's encryption key in the database is damaged".into()))?;
        Ok(Keys { signing: SigningKey::from_bytes(&seed), identity })
    }

    pub fn sign_public(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    pub fn recipient(&self) -> age::x25519::Recipient {
        self.identity.to_public()
    }
}

/// A signing public key as users see it: `ed25519:` and 64 hex digits.
pub fn format_sign_key(key: &[u8; 32]) -> String {
    let mut s = String::from(SIGN_PREFIX);
    for b in key {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Parse a signing public key, with or without its `ed25519:` prefix.
pub fn parse_sign_key(s: &str) -> Result<[u8; 32]> {
    let t = s.trim();
    let hex = t.strip_prefix(SIGN_PREFIX).unwrap_or(t);
    let bad = || {
        BundleError::Key(format!(
            "'{s}' is not a signing key; expected ed25519: and 64 hex digits, as `teren office` prints it"
        ))
    };
    if hex.len() != 64 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    ed25519_dalek::VerifyingKey::from_bytes(&out).map_err(|_| bad())?;
    Ok(out)
}

/// Parse an age recipient (`age1…`).
pub fn parse_recipient(s: &str) -> Result<age::x25519::Recipient> {
    s.trim().parse::<age::x25519::Recipient>().map_err(|e| {
        BundleError::Key(format!("'{s}' is not an age recipient ({e}); expected age1…, as `teren office` prints it"))
    })
}

/// Read age identities (`AGE-SECRET-KEY-1…` lines; `#` comments) from a file's text.
pub fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        out.push(
            l.parse::<age::x25519::Identity>()
                .map_err(|_| BundleError::Key(format!("line {} is not an age identity (AGE-SECRET-KEY-1…)", i + 1)))?,
        );
    }
    if out.is_empty() {
        return Err(BundleError::Key("no age identity (AGE-SECRET-KEY-1…) in the file".into()));
    }
    Ok(out)
}
