//! Journals left by teren 0.1's page journal (`<database>.journal`).
//!
//! That version synced each of the app's commits as one record in a ring beside the
//! database and wrote the pages into the database file later. It could destroy a
//! database when a journal that was not its own lay beside it, so it is gone; but a
//! database from that version may still have saves in its journal. They are never
//! applied blindly:
//! - an empty or released journal is deleted at open;
//! - a journal that holds records stops every open with one line, both files left
//!   untouched, until `teren doctor --journal` ([`recover`]) replays it into a *copy*
//!   of the database, checks the copy with redb (every page's checksum) and with the
//!   log (`doctor`), checks it is still the same database (its replica id), and only
//!   then swaps it in, keeping the original as `<database>.before-journal`.
//!
//! This module only reads journals; the one thing it writes is the copy.
//!
//! Format (read only): a header in the first 56 bytes (magic, where the ring starts,
//! the sequence number there, a BLAKE3 hash), then records in 4 KB blocks, each
//! `RECORD | seq | database length | writes | body length | (offset, len, bytes)* | hash`.

use super::files::suffixed;
use super::{Result, Store, StoreError};
use std::io;
use std::path::{Path, PathBuf};

const BLOCK: usize = 4096;
const MAGIC: &[u8; 8] = b"terenJ02";
const RECORD: &[u8; 8] = b"terenR02";
/// magic, seq, database length, writes, body length.
const HEAD: usize = 8 + 8 + 8 + 4 + 8;
const HASH: usize = 32;
/// The old app's journal was 8 MB; anything much bigger is not one.
const MAX_JOURNAL: u64 = 64 << 20;

/// `<database>.journal`, beside the database.
pub fn path_for(db: &Path) -> PathBuf {
    suffixed(db, ".journal")
}

/// Where [`recover`] keeps the database as it was before the journal was replayed.
pub fn before_path(db: &Path) -> PathBuf {
    suffixed(db, ".before-journal")
}

/// Where [`recover`] puts a journal that does not fit its database.
pub fn rejected_path(db: &Path) -> PathBuf {
    suffixed(db, ".journal.rejected")
}

/// What a journal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// Whole records, in sequence, from where the ring starts: what replay applies.
    pub whole: Vec<Record>,
    /// Records past the first damaged one (or all of them, when the header is
    /// damaged): saves that cannot be replayed.
    pub damaged: usize,
}

impl Contents {
    /// Whether the journal holds saves that are not in the database file.
    pub fn holds_saves(&self) -> bool {
        !self.whole.is_empty() || self.damaged > 0
    }
}

/// One commit's writes and the database file's length after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub len: u64,
    pub writes: Vec<(u64, Vec<u8>)>,
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap_or_default())
}

fn header_hash_ok(h: &[u8]) -> bool {
    h.len() >= 56 && blake3::hash(&h[..24]).as_bytes() == &h[24..56]
}

/// The record `seq` at `pos`, if one is there whole, and the bytes it takes.
fn record_at(bytes: &[u8], pos: usize, seq: u64) -> Option<(Record, usize)> {
    let head = bytes.get(pos..pos + HEAD)?;
    if pos < BLOCK || &head[..8] != RECORD || le_u64(&head[8..16]) != seq {
        return None;
    }
    let body = usize::try_from(le_u64(&head[28..36])).ok()?;
    let end = pos.checked_add(HEAD)?.checked_add(body)?;
    let hash = bytes.get(end..end + HASH)?;
    if blake3::hash(&bytes[pos..end]).as_bytes() != hash {
        return None;
    }
    let mut writes = Vec::new();
    let data = &bytes[pos + HEAD..end];
    let mut at = 0;
    while at < data.len() {
        let offset = le_u64(data.get(at..at + 8)?);
        let len = u32::from_le_bytes(data.get(at + 8..at + 12)?.try_into().ok()?) as usize;
        writes.push((offset, data.get(at + 12..at + 12 + len)?.to_vec()));
        at += 12 + len;
    }
    let size = (end + HASH - pos).div_ceil(BLOCK) * BLOCK;
    Some((Record { len: le_u64(&head[16..24]), writes }, size))
}

/// Read what the journal's bytes hold.
pub fn read(bytes: &[u8]) -> Contents {
    // Records that a replay would not reach: at block boundaries, numbered from `from`.
    let later = |from: u64, seen: &[u64]| {
        (1..bytes.len() / BLOCK)
            .filter_map(|b| {
                let head = bytes.get(b * BLOCK..b * BLOCK + 16)?;
                (&head[..8] == RECORD).then(|| le_u64(&head[8..16]))
            })
            .filter(|seq| *seq >= from && !seen.contains(seq))
            .count()
    };
    let header = bytes.get(..56).filter(|h| &h[..8] == MAGIC && header_hash_ok(h));
    let Some(h) = header else {
        // No header to say where the ring starts: every record found is a save that
        // cannot be placed in order.
        return Contents { whole: Vec::new(), damaged: later(0, &[]) };
    };
    let (mut pos, mut seq) = (usize::try_from(le_u64(&h[8..16])).unwrap_or(usize::MAX), le_u64(&h[16..24]));
    let (first, mut whole, mut seqs) = (seq, Vec::new(), Vec::new());
    // A record that did not fit before the end of the ring went to its start.
    while let Some((record, at, size)) = record_at(bytes, pos, seq)
        .map(|(r, n)| (r, pos, n))
        .or_else(|| record_at(bytes, BLOCK, seq).map(|(r, n)| (r, BLOCK, n)))
    {
        whole.push(record);
        seqs.push(seq);
        pos = at + size;
        seq += 1;
    }
    Contents { damaged: later(first, &seqs), whole }
}

/// What the journal beside `db` holds, or None when there is none.
pub fn inspect(db: &Path) -> io::Result<Option<Contents>> {
    let path = path_for(db);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if meta.len() > MAX_JOURNAL {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("{} is not a teren journal", path.display())));
    }
    Ok(Some(read(&std::fs::read(&path)?)))
}

/// At every open: delete an old journal that holds nothing, and refuse to open beside
/// one that holds saves (see the module doc).
pub(super) fn refuse_pending(db: &Path) -> Result<()> {
    let journal = path_for(db);
    let open_err = |e: io::Error| StoreError::Open {
        path: db.to_path_buf(),
        detail: format!("the old journal {} beside it cannot be read ({e})", journal.display()),
    };
    match inspect(db).map_err(open_err)? {
        None => Ok(()),
        Some(c) if c.holds_saves() => Err(StoreError::OldJournal { journal, saves: c.whole.len() + c.damaged }),
        Some(_) => std::fs::remove_file(&journal).map_err(open_err),
    }
}

/// What [`recover`] did.
#[derive(Debug)]
pub enum Recovery {
    /// No journal, or one with nothing in it (deleted).
    Nothing,
    /// The journal's saves are in the database now; the old files were kept.
    Replayed { saves: usize, damaged: usize, before: PathBuf },
}

/// `teren doctor --journal`: replay the old journal beside `db` into a copy, check the
/// copy, and swap it in (see the module doc). On any failure the database is left as it
/// was; a journal that does not fit it is moved aside, so that the database opens.
pub fn recover(db: &Path) -> Result<Recovery> {
    let journal = path_for(db);
    let fail = |detail: String| StoreError::Open { path: db.to_path_buf(), detail };
    let io_fail = |what: &str, e: io::Error| fail(format!("{what}: {}", super::files::io_detail(&e)));
    let contents = match inspect(db).map_err(|e| io_fail("the old journal cannot be read", e))? {
        None => return Ok(Recovery::Nothing),
        Some(c) if !c.holds_saves() => {
            std::fs::remove_file(&journal).map_err(|e| io_fail("the empty old journal cannot be deleted", e))?;
            return Ok(Recovery::Nothing);
        }
        Some(c) => c,
    };
    let copy = suffixed(db, ".journal-replay");
    let original = suffixed(db, ".journal-original");
    // The database's identity without the journal, read from a copy (the file itself
    // may need redb's repair after the old app was killed). None when it does not open
    // alone: killed mid-checkpoint, only its journal can make it whole.
    let alone = std::fs::copy(db, &original)
        .ok()
        .and_then(|_| check_pages(&original).ok())
        .and_then(|()| Store::open_with_cache(&original, super::BULK_CACHE).ok())
        .map(|s| s.replica());
    let _ = std::fs::remove_file(&original);
    let checked = (|| {
        std::fs::copy(db, &copy).map_err(|e| io_fail("the database cannot be copied", e))?;
        replay(&copy, &contents.whole).map_err(|e| io_fail("the copy cannot be written", e))?;
        check_pages(&copy)?;
        let store = Store::open_with_cache(&copy, super::BULK_CACHE)?;
        if alone.is_some_and(|r| r != store.replica()) {
            return Err(fail("the journal belongs to another database".into()));
        }
        let problems = store.verify()?;
        if let Some(p) = problems.first() {
            return Err(fail(format!("after the journal, the tables disagree with the log ({p})")));
        }
        Ok(())
    })();
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&copy);
        if alone.is_none() {
            return Err(fail(format!(
                "it does not open without its old journal, nor with it ({e}); both files are left as they were: restore a backup, or import a bundle from another office into a new database"
            )));
        }
        let rejected = rejected_path(db);
        std::fs::rename(&journal, &rejected).map_err(|e| io_fail("the old journal cannot be moved aside", e))?;
        return Err(fail(format!(
            "its old journal does not fit it and was not applied ({e}); the journal was moved to {} and the database, unchanged, opens without it",
            rejected.display()
        )));
    }
    let before = free_name(&before_path(db));
    std::fs::rename(db, &before).map_err(|e| io_fail("the database cannot be renamed", e))?;
    std::fs::rename(&journal, path_for(&before)).map_err(|e| io_fail("the old journal cannot be renamed", e))?;
    std::fs::rename(&copy, db).map_err(|e| io_fail("the recovered copy cannot be put in place", e))?;
    super::files::sync_dir(db);
    Ok(Recovery::Replayed { saves: contents.whole.len(), damaged: contents.damaged, before })
}

/// `path`, or `path.2`, `path.3`, … : the first that is not there.
fn free_name(path: &Path) -> PathBuf {
    let mut candidate = path.to_path_buf();
    let mut n = 2;
    while candidate.exists() {
        candidate = suffixed(path, &format!(".{n}"));
        n += 1;
    }
    candidate
}

/// Apply the records to the file at `path` (a copy), synced.
fn replay(path: &Path, records: &[Record]) -> io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
    for r in records {
        file.set_len(r.len)?;
        for (offset, bytes) in &r.writes {
            file.seek(SeekFrom::Start(*offset))?;
            file.write_all(bytes)?;
        }
    }
    file.sync_all()
}

/// Open the copy with redb checking every page's checksum: a journal of another
/// database or another day leaves pages that do not fit, which a plain open may not
/// notice. (Not `StoreError::Corrupt`: its advice, `doctor --rebuild`, is not for a
/// copy.)
fn check_pages(path: &Path) -> Result<()> {
    let mut builder = redb::Database::builder();
    builder.set_check_integrity_on_open(true);
    let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.open(path).map(drop)));
    let damaged = |detail: String| StoreError::Open { path: path.to_path_buf(), detail };
    match opened {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(damaged(format!("redb finds it damaged ({e})"))),
        Err(_) => Err(damaged("redb cannot read it".into())),
    }
}
