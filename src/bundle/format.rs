//! The container: `magic | format version | header | body | trailer`.
//!
//! ```text
//! "TERENBDL"            8 bytes
//! format version        u16 little-endian
//! header length         u32 little-endian, then the header (postcard)
//! body length           u64 little-endian, then the body
//! BLAKE3 hash           32 bytes, of everything before it
//! ed25519 signature     64 bytes, of SIGNATURE_CONTEXT followed by the hash
//! ```
//! The body is the ops (`[count u64][len u32, Op::encode]…`), zstd-compressed, then
//! age-encrypted unless the header says `Encryption::None`.

use super::error::{BundleError, Result};
use crate::sync::{ReplicaId, VersionVector};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"TERENBDL";
/// The bundle format this teren writes and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;
pub const HASH_LEN: usize = 32;
pub const SIG_LEN: usize = 64;
const PREFIX_LEN: usize = 8 + 2 + 4;
const SIGNATURE_CONTEXT: &[u8] = b"teren bundle signature v1\0";
/// No op is bigger (a meeting's long note is a few KB): a length past this is refused
/// before any memory is taken for it.
pub const MAX_OP: u64 = 1 << 20;

/// How the body is encrypted. Recipients are public keys (`age1…`), never names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encryption {
    None,
    Passphrase,
    Recipients(Vec<String>),
}

/// The plain header: what the bundle is, never personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: u16,
    /// The sending database, its office label and its public keys.
    pub sender: ReplicaId,
    pub office: String,
    pub sign_key: [u8; 32],
    pub recipient: String,
    /// When it was made (ms since the epoch, the sender's clock).
    pub created_ms: u64,
    /// The sender's version vector: everything it had when it made the bundle.
    pub vv: VersionVector,
    /// The ops inside are those of `vv` that `since` does not cover.
    pub since: VersionVector,
    pub ops: u64,
    /// Size of the decompressed body, checked while decompressing.
    pub plain_len: u64,
    pub encryption: Encryption,
}

/// A bundle whose hash and signature have been checked.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    pub header: Header,
    pub body: &'a [u8],
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

/// Lay out and sign a bundle.
pub fn assemble(header: &Header, body: &[u8], key: &SigningKey) -> Vec<u8> {
    let h = postcard::to_allocvec(header).unwrap_or_default();
    let mut out = Vec::with_capacity(PREFIX_LEN + h.len() + 8 + body.len() + HASH_LEN + SIG_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&header.format.to_le_bytes());
    out.extend_from_slice(&(h.len() as u32).to_le_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    let hash = blake3::hash(&out);
    let sig = key.sign(&signed_message(hash.as_bytes()));
    out.extend_from_slice(hash.as_bytes());
    out.extend_from_slice(&sig.to_bytes());
    out
}

fn signed_message(hash: &[u8; HASH_LEN]) -> Vec<u8> {
    let mut m = SIGNATURE_CONTEXT.to_vec();
    m.extend_from_slice(hash);
    m
}

/// Check magic, lengths, hash, version and signature, in that order. The key policy
/// (paired or not) is the importer's business.
///
/// The layout (magic, version, lengths, hash, signature) is the same in every format
/// version, so the hash is checked before the version is believed: a flipped version
/// byte is damage, not a bundle from the future.
pub fn parse(bytes: &[u8]) -> Result<Parsed<'_>> {
    let len = bytes.len() as u64;
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let need = |n: u64| {
        if len >= n {
            Ok(())
        } else if n - len > len {
            // More missing than there is: a length field is damaged, or only the
            // first bytes of the file arrived.
            Err(BundleError::Damaged(format!(
                "its lengths do not fit the file ({len} bytes): damaged, or cut short while being copied"
            )))
        } else {
            Err(BundleError::Truncated { missing: n - len })
        }
    };
    need(PREFIX_LEN as u64)?;
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    let header_len = u64::from(u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]));
    let body_at = PREFIX_LEN as u64 + header_len + 8;
    need(body_at)?;
    let body_len = le_u64(&bytes[(body_at - 8) as usize..]);
    let end = body_at.saturating_add(body_len);
    need(end.saturating_add((HASH_LEN + SIG_LEN) as u64))?;
    let total = end + (HASH_LEN + SIG_LEN) as u64;
    if len > total {
        return Err(BundleError::Damaged(format!("{} bytes after the end of the bundle", len - total)));
    }
    let end = end as usize;
    let hash = blake3::hash(&bytes[..end]);
    if hash.as_bytes()[..] != bytes[end..end + HASH_LEN] {
        return Err(BundleError::Damaged("the BLAKE3 checksum does not match the contents".into()));
    }
    if version > FORMAT_VERSION {
        return Err(BundleError::Newer { found: version, known: FORMAT_VERSION });
    }
    if version == 0 {
        return Err(BundleError::Damaged("format version 0 does not exist".into()));
    }
    let header: Header = postcard::from_bytes(&bytes[PREFIX_LEN..PREFIX_LEN + header_len as usize])
        .map_err(|e| BundleError::Damaged(format!("unreadable header ({e})")))?;
    if header.format != version {
        return Err(BundleError::Damaged("the header's format version differs from the file's".into()));
    }
    let key = VerifyingKey::from_bytes(&header.sign_key).map_err(|_| BundleError::BadSignature)?;
    // A weak (small-order) key verifies signatures anyone can make.
    if key.is_weak() {
        return Err(BundleError::BadSignature);
    }
    let mut sig = [0u8; SIG_LEN];
    sig.copy_from_slice(&bytes[end + HASH_LEN..]);
    key.verify_strict(&signed_message(hash.as_bytes()), &Signature::from_bytes(&sig))
        .map_err(|_| BundleError::BadSignature)?;
    Ok(Parsed { header, body: &bytes[body_at as usize..end] })
}

/// Frame encoded ops as the plain body.
pub fn frame_ops(ops: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + ops.iter().map(|o| o.len() + 4).sum::<usize>());
    out.extend_from_slice(&(ops.len() as u64).to_le_bytes());
    for o in ops {
        out.extend_from_slice(&(o.len() as u32).to_le_bytes());
        out.extend_from_slice(o);
    }
    out
}

/// The encoded ops of a plain body, read one at a time from a stream (the body as it
/// is decrypted and decompressed), so that they can be applied while the rest is still
/// being read. `declared` is the body's length from the header: never read past it,
/// and the body must end exactly there.
pub struct Frames<R> {
    input: R,
    declared: u64,
    read: u64,
    left: u64,
}

fn malformed(m: &str) -> BundleError {
    BundleError::Damaged(format!("malformed body ({m})"))
}

impl<R: std::io::Read> Frames<R> {
    pub fn new(input: R, declared: u64) -> Result<Self> {
        let mut f = Frames { input, declared, read: 0, left: 0 };
        let mut count = [0u8; 8];
        f.fill(&mut count, "no op count")?;
        let count = u64::from_le_bytes(count);
        // Every op takes at least 5 bytes, so a count larger than that is a lie.
        if count > declared / 5 + 1 {
            return Err(malformed("op count larger than the body"));
        }
        f.left = count;
        Ok(f)
    }

    /// How many ops the body says it holds.
    pub fn remaining(&self) -> u64 {
        self.left
    }

    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<()> {
        if self.read + buf.len() as u64 > self.declared {
            return Err(malformed(what));
        }
        self.input.read_exact(buf).map_err(|e| read_error(e, what))?;
        self.read += buf.len() as u64;
        Ok(())
    }

    /// After the last op: nothing may follow, and the body must be as long as declared.
    fn finish(&mut self) -> Result<()> {
        let mut one = [0u8; 1];
        match self.input.read(&mut one) {
            Ok(0) => {}
            Ok(_) if self.read == self.declared => {
                return Err(BundleError::TooLarge(format!(
                    "the body expands past the {} bytes its header declares",
                    self.declared
                )));
            }
            Ok(_) => return Err(malformed("bytes after the last op")),
            Err(e) => return Err(read_error(e, "after the last op")),
        }
        if self.read != self.declared {
            return Err(BundleError::Damaged(format!(
                "the body expands to {} bytes, its header declares {}",
                self.read, self.declared
            )));
        }
        Ok(())
    }
}

fn read_error(e: std::io::Error, what: &str) -> BundleError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        malformed(&format!("cut: {what}"))
    } else {
        BundleError::Damaged(format!("the body does not decrypt or decompress ({e})"))
    }
}

impl<R: std::io::Read> Frames<R> {
    /// The next op's bytes into `op` (whatever it held is replaced; its memory is
    /// reused), or None after the last one.
    pub fn next_into(&mut self, op: &mut Vec<u8>) -> Option<Result<()>> {
        if self.left == 0 {
            // Checked once; after that there is nothing more.
            self.left = u64::MAX;
            return match self.finish() {
                Ok(()) => None,
                Err(e) => Some(Err(e)),
            };
        }
        if self.left == u64::MAX {
            return None;
        }
        self.left -= 1;
        let result = self.read_op(op);
        if result.is_err() {
            self.left = u64::MAX;
        }
        Some(result)
    }

    fn read_op(&mut self, op: &mut Vec<u8>) -> Result<()> {
        let mut len = [0u8; 4];
        self.fill(&mut len, "in an op length")?;
        let len = u64::from(u32::from_le_bytes(len));
        // Checked before the memory is taken: a length past the body is a lie, and no
        // real op comes near MAX_OP.
        if len > MAX_OP {
            return Err(BundleError::TooLarge(format!("an op of {len} bytes (no op is over {MAX_OP} bytes)")));
        }
        if self.read + len > self.declared {
            return Err(malformed("in an op"));
        }
        op.clear();
        op.resize(len as usize, 0);
        self.fill(op, "in an op")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<u8>, SigningKey) {
        let key = SigningKey::from_bytes(&[1; 32]);
        let header = Header {
            format: FORMAT_VERSION,
            sender: ReplicaId(42),
            office: "Biuro".into(),
            sign_key: key.verifying_key().to_bytes(),
            recipient: String::new(),
            created_ms: 1,
            vv: VersionVector::new(),
            since: VersionVector::new(),
            ops: 0,
            plain_len: 8,
            encryption: Encryption::None,
        };
        (assemble(&header, b"body bytes", &key), key)
    }

    #[test]
    fn a_bundle_parses_back() {
        let (b, key) = sample();
        let p = parse(&b).unwrap();
        assert_eq!(p.body, b"body bytes");
        assert_eq!(p.header.sign_key, key.verifying_key().to_bytes());
    }

    #[test]
    fn every_prefix_and_every_bit_flip_is_refused_without_panic() {
        let (b, _) = sample();
        for n in 0..b.len() {
            assert!(parse(&b[..n]).is_err(), "prefix of {n} bytes accepted");
        }
        for i in 0..b.len() * 8 {
            let mut c = b.clone();
            c[i / 8] ^= 1 << (i % 8);
            assert!(parse(&c).is_err(), "flip of bit {i} accepted");
        }
        let mut extra = b.clone();
        extra.push(0);
        assert!(matches!(parse(&extra), Err(BundleError::Damaged(_))));
    }

    #[test]
    fn a_flipped_version_or_length_is_called_damage_in_plain_words() {
        let (b, _) = sample();
        // The version byte: damage, not a bundle from a newer teren.
        let mut v = b.clone();
        v[8] ^= 0x10;
        let e = parse(&v).unwrap_err();
        assert!(matches!(e, BundleError::Damaged(_)), "{e}");
        // The body length's top byte: no "ends 8011462211928327329 bytes too early".
        let header_len = u32::from_le_bytes([b[10], b[11], b[12], b[13]]) as usize;
        let mut l = b.clone();
        l[PREFIX_LEN + header_len + 7] ^= 0x6f;
        let e = parse(&l).unwrap_err().to_string();
        assert!(e.contains("lengths do not fit the file") && !e.contains("too early"), "{e}");
        // A file really cut short still says how much is missing.
        let e = parse(&b[..b.len() - 10]).unwrap_err().to_string();
        assert!(e.contains("ends 10 bytes too early"), "{e}");
    }

    #[test]
    fn an_op_over_a_megabyte_is_refused_before_its_memory_is_taken() {
        // One op declaring 1 GiB in a body that declares room for it.
        let mut body = 1u64.to_le_bytes().to_vec();
        body.extend_from_slice(&(1u32 << 30).to_le_bytes());
        body.extend_from_slice(&[0; 64]);
        let e = unframe(&body, (1 << 30) + 12).unwrap_err();
        assert!(matches!(e, BundleError::TooLarge(_)), "{e}");
    }

    fn unframe(plain: &[u8], declared: usize) -> Result<Vec<Vec<u8>>> {
        let mut frames = Frames::new(plain, declared as u64)?;
        let mut ops = Vec::new();
        let mut op = Vec::new();
        while let Some(read) = frames.next_into(&mut op) {
            read?;
            ops.push(op.clone());
        }
        Ok(ops)
    }

    #[test]
    fn framing_refuses_lies() {
        let f = frame_ops(&[vec![1, 2, 3], vec![]]);
        assert_eq!(unframe(&f, f.len()).unwrap(), vec![vec![1u8, 2, 3], vec![]]);
        let mut lie = f.clone();
        lie[0] = 200;
        assert!(unframe(&lie, f.len()).is_err());
        assert!(unframe(&f[..f.len() - 1], f.len()).is_err());
        assert!(unframe(&f[..f.len() - 1], f.len() - 1).is_err());
        assert!(unframe(&[], 0).is_err());
        // Longer or shorter than the header declares.
        assert!(matches!(unframe(&f, f.len() - 1), Err(BundleError::Damaged(_))));
        assert!(matches!(unframe(&f, f.len() + 1), Err(BundleError::Damaged(_))));
        let mut more = f.clone();
        more.push(0);
        assert!(matches!(unframe(&more, f.len()), Err(BundleError::TooLarge(_))));
        // An op length past the declared body is refused before anything is allocated.
        let mut huge = f.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(unframe(&huge, f.len()).is_err());
    }

    #[test]
    fn an_op_read_into_a_used_buffer_is_only_that_op() {
        let f = frame_ops(&[vec![9; 40], vec![1, 2], vec![]]);
        let mut frames = Frames::new(f.as_slice(), f.len() as u64).unwrap();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        while let Some(read) = frames.next_into(&mut buf) {
            read.unwrap();
            got.push(buf.clone());
        }
        assert_eq!(got, vec![vec![9; 40], vec![1, 2], vec![]]);
        assert!(buf.capacity() >= 40, "the buffer's memory is kept");
    }
}
