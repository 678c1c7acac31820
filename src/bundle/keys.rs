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

/// Domain separation of the fingerprint hash.
const FINGERPRINT_CONTEXT: &[u8] = b"teren office fingerprint v1\0";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Characters of a fingerprint: 8 groups of 4, 160 bits of a SHA-256 of the key.
const FINGERPRINT_CHARS: usize = 32;

/// An office's identity as people read it aloud: 8 groups of 4 base32 characters
/// (`ABCD-EFGH-…`) of a hash of its ed25519 public key, as Syncthing shows device ids.
pub fn fingerprint(key: &[u8; 32]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(FINGERPRINT_CONTEXT);
    h.update(key);
    let digest = h.finalize();
    // 160 bits: 20 bytes, 32 base32 characters, 5 bits each.
    let mut out = String::with_capacity(FINGERPRINT_CHARS + 7);
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut n = 0;
    for b in &digest[..20] {
        acc = (acc << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            if n > 0 && n % 4 == 0 {
                out.push('-');
            }
            out.push(BASE32[((acc >> bits) & 31) as usize] as char);
            n += 1;
        }
    }
    out
}

/// A fingerprint as typed: any case, with or without dashes or spaces; `0` read as
/// `O`, `1` as `I` and `8` as `B` (base32 has none of them). A full signing key
/// (`ed25519:…`) is accepted too and gives its fingerprint. Returns the fingerprint
/// as [`fingerprint`] writes it.
pub fn parse_fingerprint(s: &str) -> Result<String> {
    let t = s.trim();
    if t.starts_with(SIGN_PREFIX) || (t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Ok(fingerprint(&parse_sign_key(t)?));
    }
    let mut chars = String::with_capacity(FINGERPRINT_CHARS);
    for c in t.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' | '\t' => continue,
            '0' => 'O',
            '1' => 'I',
            '8' => 'B',
            c => c,
        };
        if !c.is_ascii() || !BASE32.contains(&(c as u8)) || chars.len() >= FINGERPRINT_CHARS {
            return Err(bad_fingerprint(s));
        }
        chars.push(c);
    }
    if chars.len() != FINGERPRINT_CHARS {
        return Err(bad_fingerprint(s));
    }
    let groups: Vec<&str> = (0..8).map(|i| &chars[i * 4..i * 4 + 4]).collect();
    Ok(groups.join("-"))
}

fn bad_fingerprint(s: &str) -> BundleError {
    BundleError::Key(format!(
        "'{s}' is not an office fingerprint; expected 8 groups of 4 letters and digits (ABCD-EFGH-…), as `teren office` shows it"
    ))
}

/// A signing key fit to be an office's identity: a valid ed25519 point that is not
/// one of the weak (small-order) keys any signature verifies against.
pub fn strong_key(key: &[u8; 32]) -> Result<ed25519_dalek::VerifyingKey> {
    match ed25519_dalek::VerifyingKey::from_bytes(key) {
        Ok(k) if !k.is_weak() => Ok(k),
        _ => Err(BundleError::WeakKey),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_aloud_and_parse_back() {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes();
        let f = fingerprint(&key);
        assert_eq!(f.len(), 39);
        assert_eq!(f.split('-').count(), 8);
        assert_eq!(parse_fingerprint(&f).unwrap(), f);
        assert_eq!(parse_fingerprint(&f.to_lowercase().replace('-', " ")).unwrap(), f);
        assert_eq!(parse_fingerprint(&format_sign_key(&key)).unwrap(), f);
        assert!(parse_fingerprint(&f[..30]).is_err());
        assert!(parse_fingerprint(&format!("{f}A")).is_err());
        assert!(parse_fingerprint("ąęść").is_err());
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key().to_bytes();
        assert_ne!(fingerprint(&other), f);
    }

    #[test]
    fn weak_keys_are_refused() {
        // The identity point: every signature "verifies" against a small-order key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(matches!(strong_key(&identity), Err(BundleError::WeakKey)));
        let good = SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes();
        assert!(strong_key(&good).is_ok());
    }
}
