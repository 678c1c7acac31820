//! Making a bundle: which ops the destination lacks, who to encrypt to, and writing
//! the file so that no reader ever sees half of it.

use super::*;

/// How to encrypt a bundle being written.
pub enum Encrypt {
    /// Plain: only with an explicit `--no-encrypt`.
    None,
    /// age with a passphrase (scrypt).
    Passphrase(SecretString),
    /// age to the X25519 recipients of the destination offices.
    Recipients(Vec<age::x25519::Recipient>),
}

/// A bundle made in memory, ready to be written.
pub struct Bundle {
    pub header: Header,
    pub bytes: Vec<u8>,
}

/// What the destination cannot be proven to have: everything with `full`; else what
/// the office `to` acknowledged (an office never heard from: everything); else the
/// least any paired office acknowledged (none paired: everything). Acknowledgements
/// are the version vectors in the signed headers of an office's own bundles, so an
/// export holds every office's ops the destination lacks, relayed ones and erasures
/// included. Forgotten offices do not count.
pub fn since_for(store: &Store, to: Option<ReplicaId>, full: bool) -> Result<VersionVector> {
    if full {
        return Ok(VersionVector::new());
    }
    let peers: Vec<(ReplicaId, Peer)> = store.peers()?.into_iter().filter(|(_, p)| p.paired).collect();
    if let Some(to) = to {
        return Ok(peers.into_iter().find(|(r, _)| *r == to).map(|(_, p)| p.acked).unwrap_or_default());
    }
    let mut acks = peers.iter().map(|(_, p)| &p.acked);
    let Some(first) = acks.next() else {
        return Ok(VersionVector::new());
    };
    let mut min = first.clone();
    for a in acks {
        min.retain(|r, seq| {
            *seq = (*seq).min(a.get(r).copied().unwrap_or(0));
            *seq > 0
        });
    }
    Ok(min)
}

/// The age recipients of every paired office, sorted: the only keys this office
/// encrypts to besides its own (never keys merely found in a folder).
pub fn paired_recipients(store: &Store) -> Result<Vec<String>> {
    let mut rs: Vec<String> = store
        .peers()?
        .into_iter()
        .filter(|(_, p)| p.paired)
        .filter_map(|(_, p)| p.recipient)
        .filter(|r| parse_recipient(r).is_ok())
        .collect();
    rs.sort();
    rs.dedup();
    Ok(rs)
}

/// This office's introduction: a bundle with its keys, office id and label and no
/// ops, to be imported by `teren office pair FILE` at another office. Not encrypted:
/// it holds no data.
pub fn introduction(store: &Store, keys: &Keys) -> Result<Bundle> {
    let vv = store.version_vector()?;
    export(store, keys, &vv, &Encrypt::None)
}

/// Make a bundle of the ops `since` does not cover.
pub fn export(store: &Store, keys: &Keys, since: &VersionVector, encrypt: &Encrypt) -> Result<Bundle> {
    // The ops are framed straight into the compressor, one at a time: a first bundle
    // of 146 000 ops held them all, then the framed body, then the compressed one
    // (214 MB of memory); now only the compressed body is kept.
    let zerr = |e: std::io::Error| BundleError::Encrypt(format!("compression failed: {e}"));
    // Both steps write to the compressor: it is shared between them.
    let z = std::cell::RefCell::new(zstd::stream::write::Encoder::new(Vec::new(), ZSTD_LEVEL).map_err(zerr)?);
    let (mut vv, mut ops, mut plain_len) = (VersionVector::new(), 0u64, 8u64);
    store.stream_ops_since(
        since,
        |v, count| {
            vv = v.clone();
            ops = count;
            z.borrow_mut().write_all(&count.to_le_bytes()).map_err(zerr)
        },
        |op| {
            plain_len += 4 + op.len() as u64;
            let mut z = z.borrow_mut();
            z.write_all(&(op.len() as u32).to_le_bytes()).map_err(zerr)?;
            z.write_all(op).map_err(zerr)
        },
    )?;
    let compressed = z.into_inner().finish().map_err(zerr)?;
    let (encryption, body) = match encrypt {
        Encrypt::None => (Encryption::None, compressed),
        Encrypt::Passphrase(p) => {
            (Encryption::Passphrase, age_encrypt(age::Encryptor::with_user_passphrase(p.clone()), &compressed)?)
        }
        Encrypt::Recipients(rs) => {
            let enc = age::Encryptor::with_recipients(rs.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| BundleError::Encrypt(e.to_string()))?;
            (Encryption::Recipients(rs.iter().map(ToString::to_string).collect()), age_encrypt(enc, &compressed)?)
        }
    };
    let since: VersionVector = since.iter().filter(|(_, s)| **s > 0).map(|(r, s)| (*r, *s)).collect();
    let header = Header {
        format: FORMAT_VERSION,
        sender: store.replica(),
        office: store.office()?,
        sign_key: keys.sign_public(),
        recipient: keys.recipient().to_string(),
        created_ms: Hlc::now_millis(),
        vv,
        since,
        ops,
        plain_len,
        encryption,
    };
    let bytes = assemble(&header, &body, &keys.signing);
    Ok(Bundle { header, bytes })
}

fn age_encrypt(enc: age::Encryptor, data: &[u8]) -> Result<Vec<u8>> {
    let err = |e: std::io::Error| BundleError::Encrypt(e.to_string());
    let mut w = enc.wrap_output(Vec::with_capacity(data.len() + 256)).map_err(err)?;
    w.write_all(data).map_err(err)?;
    w.finish().map_err(err)
}

/// `teren-<office>-<yyyymmdd-hhmm>-<6 hex>.teren`: the office label folded to ASCII,
/// the local time, and 6 random hex digits so two bundles never share a name.
pub fn file_name(office: &str, created_ms: u64) -> String {
    let mut label = String::new();
    for c in fold(office).chars() {
        if c.is_ascii_alphanumeric() {
            label.push(c.to_ascii_lowercase());
        } else if !label.ends_with('-') && !label.is_empty() {
            label.push('-');
        }
    }
    let mut label: String = label.trim_end_matches('-').chars().take(40).collect();
    label = label.trim_end_matches('-').to_string();
    if label.is_empty() {
        label = "office".into();
    }
    let when = chrono::DateTime::from_timestamp_millis(created_ms as i64)
        .map(|t| t.with_timezone(&chrono::Local).format("%Y%m%d-%H%M").to_string())
        .unwrap_or_else(|| "00000000-0000".into());
    let rand = uuid::Uuid::new_v4();
    let r = rand.as_bytes();
    format!("teren-{label}-{when}-{:02x}{:02x}{:02x}.teren", r[0], r[1], r[2])
}

/// Write a file safely: `NAME.tmp`, fsync, rename, fsync the directory. A reader
/// never sees a half-written bundle under its final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let werr = |p: &Path| {
        let p = p.to_path_buf();
        move |source| BundleError::Write { path: p, source }
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(werr(path)(e));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
