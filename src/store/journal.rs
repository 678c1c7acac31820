//! The app's write-ahead journal: at each commit, the pages redb wrote go in one piece to
//! `<database>.journal` and are synced there; then to their places in the database file,
//! which is synced only at a checkpoint (journal full, or the database closed).
//!
//! Why: redb writes a commit's pages wherever its allocator finds room, scattered over
//! the file, and a sync costs per separate place written far more than per byte. On this
//! project's machine (ext4 on a virtual disk) 40 scattered 4 KB pages synced in 2.3 ms and
//! the same 40 side by side in 0.26 ms (BENCHMARKS.md, seventh session). A captured
//! meeting writes about 40 pages, a one-key commit 6.
//!
//! Safety. A record holds every write of one commit (offset and bytes), the database
//! file's length, the journal's epoch and the record's sequence number, and a BLAKE3 hash
//! of all that. Opening the database replays, in order, the records of the current epoch
//! that are whole, then syncs the database file and starts a new epoch, which makes the
//! old records stale. A commit is durable once its record is synced: a crash before that
//! leaves the record torn or absent, and the commit is lost whole, as redb's own commit
//! would be. Writes redb makes to the database file before its sync (none in practice; see
//! `gather`) are writes to pages the last commit does not use, as with redb's own backend.
//! The journal's header (magic, epoch) sits in its first 512 bytes, which a disk writes
//! whole.
//!
//! The journal file is also teren's lock on the database: taken before redb opens the
//! file, so that only the process that owns the database replays its journal.

use redb::StorageBackend;
use redb::backends::FileBackend;
use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Bytes of journal: about 48 captured meetings (a save writes ~170 KB), or a few
/// hundred draft saves, between checkpoints.
pub(super) const CAPACITY: u64 = 8 << 20;
const BLOCK: u64 = 4096;
const MAGIC: &[u8; 8] = b"terenJ01";
const RECORD: &[u8; 8] = b"terenR01";
/// magic, epoch, seq, database length, writes, body length.
const HEAD: usize = 8 + 8 + 8 + 8 + 4 + 8;
const HASH: usize = 32;

/// `<database>.journal`, beside the database.
pub fn path_for(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// Open (or create) the journal of the database at `db` and lock it. `Ok(None)` when
/// another process holds it.
pub(super) fn lock(db: &Path) -> io::Result<Option<File>> {
    let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path_for(db))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        // A file system without locks (some network shares): redb's own lock on the
        // database still keeps a second process out.
        Err(std::fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => Ok(Some(file)),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[derive(Debug)]
pub(super) struct Journal {
    file: FileBackend,
    epoch: u64,
    seq: u64,
    /// Where the next record goes.
    pos: u64,
    capacity: u64,
    /// The record being written, kept for the next one.
    buf: Vec<u8>,
}

/// What [`replay`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Replayed {
    pub records: u64,
    pub writes: u64,
}

fn header(epoch: u64) -> [u8; 48] {
    let mut h = [0u8; 48];
    h[..8].copy_from_slice(MAGIC);
    h[8..16].copy_from_slice(&epoch.to_le_bytes());
    let hash = blake3::hash(&h[..16]);
    h[16..48].copy_from_slice(hash.as_bytes());
    h
}

fn read_header(file: &FileBackend) -> io::Result<Option<u64>> {
    let mut h = [0u8; 48];
    if file.len()? < BLOCK {
        return Ok(None);
    }
    file.read(0, &mut h)?;
    let epoch = u64::from_le_bytes(h[8..16].try_into().unwrap_or_default());
    Ok((h == header(epoch)).then_some(epoch))
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap_or_default())
}

/// Replay into `main` the whole records of the journal's current epoch, sync `main`, and
/// start a new epoch, so that a crash of the process that wrote them loses no commit.
/// Nothing is written when the journal holds no record.
pub(super) fn replay(journal: &FileBackend, main: &FileBackend) -> io::Result<Replayed> {
    let mut done = Replayed::default();
    let Some(epoch) = read_header(journal)? else { return Ok(done) };
    let end = journal.len()?;
    let mut pos = BLOCK;
    let mut head = [0u8; HEAD];
    while pos + (HEAD + HASH) as u64 <= end {
        journal.read(pos, &mut head)?;
        let body = le_u64(&head[36..44]);
        if &head[..8] != RECORD
            || le_u64(&head[8..16]) != epoch
            || le_u64(&head[16..24]) != done.records
            || pos + (HEAD + HASH) as u64 + body > end
        {
            break;
        }
        let mut rec = vec![0u8; HEAD + body as usize + HASH];
        journal.read(pos, &mut rec)?;
        let (data, hash) = rec.split_at(HEAD + body as usize);
        if blake3::hash(data).as_bytes() != hash {
            break;
        }
        main.set_len(le_u64(&head[24..32]))?;
        let mut at = HEAD;
        while at < data.len() {
            let offset = le_u64(&data[at..at + 8]);
            let len = u32::from_le_bytes(data[at + 8..at + 12].try_into().unwrap_or_default()) as usize;
            let Some(bytes) = data.get(at + 12..at + 12 + len) else {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "a journal record runs past its end"));
            };
            main.write(offset, bytes)?;
            at += 12 + len;
            done.writes += 1;
        }
        done.records += 1;
        pos += round_up((HEAD + body as usize + HASH) as u64);
    }
    if done.records > 0 {
        main.sync_data()?;
        journal.write(0, &header(epoch + 1))?;
        journal.sync_data()?;
    }
    Ok(done)
}

fn round_up(n: u64) -> u64 {
    n.div_ceil(BLOCK) * BLOCK
}

impl Journal {
    /// Start writing to `file` (locked, already replayed): a new epoch.
    pub(super) fn start(file: FileBackend, capacity: u64) -> io::Result<Journal> {
        let epoch = read_header(&file)?.map_or(1, |e| e + 1);
        let mut j = Journal { file, epoch, seq: 0, pos: BLOCK, capacity, buf: Vec::new() };
        j.write_header()?;
        Ok(j)
    }

    fn write_header(&mut self) -> io::Result<()> {
        if self.file.len()? < self.capacity {
            self.file.set_len(self.capacity)?;
        }
        self.file.write(0, &header(self.epoch))?;
        self.file.sync_data()
    }

    /// Whether nothing was written since the last [`Journal::restart`].
    pub(super) fn is_empty(&self) -> bool {
        self.seq == 0
    }

    /// Write one commit's writes and the database file's length as a record, synced.
    /// `false` (nothing written) when the record does not fit in what is left.
    pub(super) fn append(&mut self, writes: &BTreeMap<u64, Vec<u8>>, len: u64) -> io::Result<bool> {
        let body: usize = writes.values().map(|d| 12 + d.len()).sum();
        let size = round_up((HEAD + body + HASH) as u64);
        if self.pos + size > self.capacity {
            return Ok(false);
        }
        let buf = &mut self.buf;
        buf.clear();
        buf.reserve(size as usize);
        buf.extend_from_slice(RECORD);
        buf.extend_from_slice(&self.epoch.to_le_bytes());
        buf.extend_from_slice(&self.seq.to_le_bytes());
        buf.extend_from_slice(&len.to_le_bytes());
        buf.extend_from_slice(&(writes.len() as u32).to_le_bytes());
        buf.extend_from_slice(&(body as u64).to_le_bytes());
        for (offset, data) in writes {
            buf.extend_from_slice(&offset.to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(data);
        }
        let hash = blake3::hash(buf);
        buf.extend_from_slice(hash.as_bytes());
        buf.resize(size as usize, 0);
        self.file.write(self.pos, buf)?;
        self.file.sync_data()?;
        self.pos += size;
        self.seq += 1;
        Ok(true)
    }

    /// A new epoch, once the database file has been synced: the records written so far
    /// are no longer needed.
    pub(super) fn restart(&mut self) -> io::Result<()> {
        self.epoch += 1;
        self.seq = 0;
        self.pos = BLOCK;
        self.write_header()
    }
}
