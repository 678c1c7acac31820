//! Pairing: whether a bundle's signing key belongs to the office it claims, and
//! pairing, expecting, refusing and forgetting offices.

use super::*;

/// How a bundle's key stands here.
pub(crate) enum Standing {
    Paired,
    /// Not paired yet, but its fingerprint was expected: paired by this import.
    Expected,
    Not(Unpaired),
}

/// The pairing policy: a key paired with the office it claims is applied; a paired
/// key claiming another office is refused (an error); anything else is not paired.
pub(crate) fn standing(store: &Store, header: &Header) -> Result<Standing> {
    let key = header.sign_key;
    let peers = store.peers()?;
    if let Some((r, p)) = peers.iter().find(|(r, p)| p.paired && p.sign_key == key && *r != header.sender) {
        return Err(BundleError::WrongOffice {
            office: header.office.clone(),
            replica: header.sender.to_string(),
            paired: p.label.clone(),
            paired_replica: r.to_string(),
        });
    }
    let known = peers.iter().find(|(r, _)| *r == header.sender).map(|(_, p)| p);
    match known {
        Some(p) if p.paired && p.sign_key == key => return Ok(Standing::Paired),
        Some(p) if p.paired => return Ok(Standing::Not(Unpaired::OtherKey(fingerprint(&p.sign_key)))),
        _ => {}
    }
    Ok(match decided(store, &key)? {
        Some(Some(_)) => Standing::Expected,
        Some(None) => Standing::Not(Unpaired::Refused),
        None if known.is_some() => Standing::Not(Unpaired::Forgotten),
        None => Standing::Not(Unpaired::New),
    })
}

/// What was decided about a key before any bundle: `Some(Some(label))` expected,
/// `Some(None)` refused, `None` nothing. Keys trusted by `teren office trust` before
/// pairing existed count as expected.
fn decided(store: &Store, key: &[u8; 32]) -> Result<Option<Option<String>>> {
    let fp = fingerprint(key);
    if let Some((_, state)) = store.pairings()?.into_iter().find(|(f, _)| *f == fp) {
        return Ok(Some(state));
    }
    Ok(store.trusted_keys()?.into_iter().find(|(k, _)| k == key).map(|(_, label)| Some(label)))
}

/// Pair the office that signed `header` (an introduction, a bundle held here or one
/// being imported): bind its key, office id (replica) and label, so that its bundles
/// are applied and this office's bundles are encrypted to it. The caller has made sure
/// the key is the office's: its fingerprint was compared with the one the office
/// shows. A key already paired with another office, or an office paired with another
/// key, is refused.
pub fn pair_header(store: &Store, header: &Header) -> Result<()> {
    if header.sender == store.replica() {
        return Err(BundleError::OwnBundle { office: header.office.clone() });
    }
    strong_key(&header.sign_key)?;
    let fp = fingerprint(&header.sign_key);
    let peers = store.peers()?;
    if let Some((r, p)) = peers.iter().find(|(r, p)| p.paired && p.sign_key == header.sign_key && *r != header.sender) {
        return Err(BundleError::KeyTaken { fingerprint: fp, office: p.label.clone(), replica: r.to_string() });
    }
    let mut peer = match peers.into_iter().find(|(r, _)| *r == header.sender) {
        Some((_, p)) if p.paired && p.sign_key != header.sign_key => {
            return Err(BundleError::OtherKey {
                office: p.label.clone(),
                replica: header.sender.to_string(),
                paired: fingerprint(&p.sign_key),
            });
        }
        Some((_, p)) => p,
        None => Peer::default(),
    };
    peer.label = header.office.clone();
    peer.sign_key = header.sign_key;
    if parse_recipient(&header.recipient).is_ok() {
        peer.recipient = Some(header.recipient.clone());
    }
    peer.paired = true;
    store.pair_peer(header.sender, &peer, &fp)?;
    Ok(())
}

/// Pair the office that signed `bytes` (its introduction, or any bundle of it) once
/// the user confirmed `confirmed`, the fingerprint that office reads out; then import
/// the file and every bundle held from that key. Returns the file's header and one
/// result per bundle imported (the file first).
pub fn pair_file(
    store: &Store,
    keys: &Keys,
    bytes: &[u8],
    confirmed: &str,
    opts: &ImportOptions,
) -> Result<(Header, Imports)> {
    let header = parse(bytes)?.header;
    let actual = fingerprint(&header.sign_key);
    let given = parse_fingerprint(confirmed)?;
    if given != actual {
        return Err(BundleError::FingerprintMismatch { given, actual });
    }
    pair_header(store, &header)?;
    let mut done = vec![(String::new(), import(store, keys, bytes, opts))];
    done.extend(folder::apply_held(store, keys, &actual, opts)?);
    Ok((header, done))
}

/// What became of each bundle imported at pairing: the file's name and its result.
pub type Imports = Vec<(String, Result<Report>)>;

/// What pairing by a typed fingerprint did.
#[derive(Debug)]
pub enum PairedBy {
    /// An office waiting here (its bundles held) is paired now, and its held bundles
    /// were imported: one result each, by held file name.
    Now { header: Box<Header>, imported: Imports },
    /// That office was paired already.
    Already { office: String },
    /// A forgotten office with that key, paired again: its key, database id and name
    /// are known from before.
    Again { office: String },
    /// No bundle from that key yet: the first one will be paired and applied.
    Expected,
}

/// Pair the office whose key has this fingerprint (typed as the office reads it out,
/// or its full key): an office waiting here is paired at once and its held bundles
/// applied; otherwise the fingerprint is expected. `label` names an expected office
/// until its first bundle tells its own.
pub fn pair_fingerprint(
    store: &Store,
    keys: &Keys,
    typed: &str,
    label: &str,
    opts: &ImportOptions,
) -> Result<PairedBy> {
    let fp = parse_fingerprint(typed)?;
    if let Some((_, p)) = store.peers()?.into_iter().find(|(_, p)| p.paired && fingerprint(&p.sign_key) == fp) {
        return Ok(PairedBy::Already { office: p.label });
    }
    if let Some(waiting) = folder::pending(store)?.into_iter().find(|p| p.fingerprint == fp) {
        pair_header(store, &waiting.header)?;
        let imported = folder::apply_held(store, keys, &fp, opts)?;
        return Ok(PairedBy::Now { header: Box::new(waiting.header), imported });
    }
    if let Some((r, mut p)) = store.peers()?.into_iter().find(|(_, p)| fingerprint(&p.sign_key) == fp) {
        p.paired = true;
        store.pair_peer(r, &p, &fp)?;
        return Ok(PairedBy::Again { office: p.label });
    }
    store.set_pairing(&fp, Some(label.trim()))?;
    Ok(PairedBy::Expected)
}

/// Refuse the office with this fingerprint: its held bundles are deleted and its
/// bundles ignored from now on (until it is paired after all). Returns how many held
/// bundles were deleted. A paired office is forgotten instead ([`forget`]).
pub fn refuse(store: &Store, typed: &str) -> Result<usize> {
    let fp = parse_fingerprint(typed)?;
    if let Some((r, p)) = store.peers()?.into_iter().find(|(_, p)| p.paired && fingerprint(&p.sign_key) == fp) {
        return Err(BundleError::Key(format!(
            "office \"{}\" ({}) is paired; to stop applying its bundles run `teren office forget {}`",
            p.label,
            r.short(),
            r
        )));
    }
    store.set_pairing(&fp, None)?;
    folder::drop_held(store, &fp)
}

/// Forget a paired office: its acknowledgements no longer hold this office's bundles
/// back, bundles are no longer encrypted to it, and its bundles are held until it is
/// paired again. Its past ops stay.
pub fn forget(store: &Store, replica: ReplicaId) -> Result<()> {
    if let Some(mut p) = store.peer(replica)? {
        p.paired = false;
        // Whatever was decided about its key before (expected: it would be paired
        // again with its next bundle) goes too.
        store.pair_peer(replica, &p, &fingerprint(&p.sign_key))?;
    }
    Ok(())
}
