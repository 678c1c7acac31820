//! The app's write-ahead journal. At each commit, the pages redb wrote go in one piece to
//! `<database>.journal` and are synced there; they reach their places in the database
//! file later, at a checkpoint (see `gather`), which syncs the database file and then
//! releases the journal's records up to it.
//!
//! Why: redb writes a commit's pages wherever its allocator finds room, scattered over
//! the file, and both writing and syncing cost per separate page far more than per
//! byte. On this project's machine (ext4 on a virtual disk) 40 scattered 4 KB pages
//! took 0.3–0.5 ms to write and 2.5 ms to write and sync; the same 40 side by side,
//! 0.26 ms (`benches/disk_sync.py`). A captured meeting writes about 40 pages.
//!
//! Layout: a header in the first block (where records start, and the sequence number
//! of the first one), then records in a ring. A record holds every write of one commit
//! (offset and bytes), the database file's length, its sequence number, and a BLAKE3
//! hash of all that.
//!
//! Safety. Opening the database replays the records from the header's, in sequence,
//! while they are whole, then syncs the database file and starts the journal afresh.
//! Sequence numbers never repeat, so a record left from an earlier lap of the ring is
//! never taken for the next one. A commit is durable once its record is synced: a crash
//! before that leaves the record torn or absent, and the commit is lost whole, as
//! redb's own commit would be. The header is rewritten only after the database file is
//! synced, and sits in the first 512 bytes, which a disk writes whole.
//!
//! The journal file is also teren's lock on the database, taken before redb opens the
//! file, so that only the process that owns the database replays its journal.

use redb::StorageBackend;
use redb::backends::FileBackend;
use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Bytes of journal: about 48 captured meetings (a save writes ~170 KB), or a few
/// hundred draft saves. A checkpoint starts when half is used.
pub(super) const CAPACITY: u64 = 8 << 20;
const BLOCK: u64 = 4096;
const MAGIC: &[u8; 8] = b"terenJ02";
const RECORD: &[u8; 8] = b"terenR02";
/// magic, seq, database length, writes, body length.
const HEAD: usize = 8 + 8 + 8 + 4 + 8;
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
    let path = path_for(db);
    let new = !path.exists();
    let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
    if new {
        // The journal's name must survive a power cut as its records do. Best effort:
        // not every system can sync a directory.
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        // A file system without locks (some network shares): redb's own lock on the
        // database still keeps a second process out.
        Err(std::fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => Ok(Some(file)),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Where replay starts: the first record still needed and its sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mark {
    pos: u64,
    seq: u64,
}

fn header(mark: Mark) -> [u8; 56] {
    let mut h = [0u8; 56];
    h[..8].copy_from_slice(MAGIC);
    h[8..16].copy_from_slice(&mark.pos.to_le_bytes());
    h[16..24].copy_from_slice(&mark.seq.to_le_bytes());
    let hash = blake3::hash(&h[..24]);
    h[24..].copy_from_slice(hash.as_bytes());
    h
}

fn read_header(file: &FileBackend) -> io::Result<Option<Mark>> {
    if file.len()? < BLOCK {
        return Ok(None);
    }
    let mut h = [0u8; 56];
    file.read(0, &mut h)?;
    let mark = Mark { pos: le_u64(&h[8..16]), seq: le_u64(&h[16..24]) };
    Ok((h == header(mark)).then_some(mark))
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap_or_default())
}

fn round_up(n: u64) -> u64 {
    n.div_ceil(BLOCK) * BLOCK
}

/// One whole record: the database file's length and the writes.
struct Record {
    len: u64,
    data: Vec<u8>,
    size: u64,
}

/// The record `seq` at `pos`, if one is there whole.
fn read_record(file: &FileBackend, end: u64, pos: u64, seq: u64) -> io::Result<Option<Record>> {
    if pos < BLOCK || pos + (HEAD + HASH) as u64 > end {
        return Ok(None);
    }
    let mut head = [0u8; HEAD];
    file.read(pos, &mut head)?;
    let body = le_u64(&head[28..36]);
    if &head[..8] != RECORD || le_u64(&head[8..16]) != seq || body > end || pos + (HEAD + HASH) as u64 + body > end {
        return Ok(None);
    }
    let mut data = vec![0u8; HEAD + body as usize + HASH];
    file.read(pos, &mut data)?;
    let hash = data.split_off(HEAD + body as usize);
    if blake3::hash(&data).as_bytes() != hash.as_slice() {
        return Ok(None);
    }
    Ok(Some(Record { len: le_u64(&head[16..24]), size: round_up(data.len() as u64 + HASH as u64), data }))
}

/// Replay into `main` the journal's whole records from its header's on, sync `main`,
/// and start the journal afresh, so that a crash of the process that wrote them loses
/// no commit. Nothing is written when the journal holds no record. Returns how many
/// records were replayed.
pub(super) fn replay(journal: &FileBackend, main: &FileBackend) -> io::Result<u64> {
    let mut done = 0;
    let Some(mut mark) = read_header(journal)? else { return Ok(done) };
    let end = journal.len()?;
    loop {
        // A record that did not fit before the end of the ring went to its start.
        let record = match read_record(journal, end, mark.pos, mark.seq)? {
            Some(r) => Some((mark.pos, r)),
            None => read_record(journal, end, BLOCK, mark.seq)?.map(|r| (BLOCK, r)),
        };
        let Some((pos, record)) = record else { break };
        main.set_len(record.len)?;
        let data = &record.data;
        let mut at = HEAD;
        while at < data.len() {
            let (Some(offset), Some(len)) = (data.get(at..at + 8), data.get(at + 8..at + 12)) else { break };
            let len = u32::from_le_bytes(len.try_into().unwrap_or_default()) as usize;
            let Some(bytes) = data.get(at + 12..at + 12 + len) else {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "a journal record runs past its end"));
            };
            main.write(le_u64(offset), bytes)?;
            at += 12 + len;
        }
        done += 1;
        mark = Mark { pos: pos + record.size, seq: mark.seq + 1 };
    }
    if done > 0 {
        main.sync_data()?;
        journal.write(0, &header(Mark { pos: BLOCK, seq: mark.seq }))?;
        journal.sync_data()?;
    }
    Ok(done)
}

/// Make `file` a journal of `capacity` bytes, unless it is one: its blocks written, and
/// an empty ring. A sync after writing into a hole of the file also syncs the file
/// system's records of the new blocks, which made a save take twice as long in the
/// journal's first lap. Done by the commands that write in bulk and by the app, once
/// per database: the one-line commands skip it.
pub(super) fn prepare(file: &FileBackend, capacity: u64) -> io::Result<()> {
    if read_header(file)?.is_some() && file.len()? >= capacity {
        return Ok(());
    }
    // Nothing left in it may pass for a record later.
    file.set_len(0)?;
    let zeros = vec![0u8; 1 << 20];
    let mut at = 0;
    while at < capacity {
        let n = zeros.len().min((capacity - at) as usize);
        file.write(at, &zeros[..n])?;
        at += n as u64;
    }
    file.write(0, &header(Mark { pos: BLOCK, seq: 0 }))?;
    file.sync_data()
}

#[derive(Debug)]
pub(super) struct Journal {
    file: FileBackend,
    capacity: u64,
    /// The oldest record still needed (as in the header).
    start: Mark,
    /// Where the next record goes, and its number.
    next: Mark,
    /// The record being written, kept for the next one.
    buf: Vec<u8>,
}

impl Journal {
    /// Start writing to `file` (locked, already replayed) where its header says the
    /// ring starts: nothing before it is needed, so the start of the app writes nothing
    /// here once the journal is prepared.
    pub(super) fn start(file: FileBackend, capacity: u64) -> io::Result<Journal> {
        prepare(&file, capacity)?;
        let mark = read_header(&file)?.unwrap_or(Mark { pos: BLOCK, seq: 0 });
        Ok(Journal { file, capacity, start: mark, next: mark, buf: Vec::new() })
    }

    pub(super) fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Whether no record is needed any more.
    pub(super) fn is_empty(&self) -> bool {
        self.start.seq == self.next.seq
    }

    /// Whether the records still needed take half the ring or more: time for a
    /// checkpoint.
    pub(super) fn half_full(&self) -> bool {
        self.used() >= (self.capacity - BLOCK) / 2
    }

    /// Bytes the records still needed take.
    fn used(&self) -> u64 {
        if self.is_empty() {
            0
        } else if self.next.pos > self.start.pos {
            self.next.pos - self.start.pos
        } else {
            self.capacity - self.start.pos + self.next.pos - BLOCK
        }
    }

    /// Where the records written so far end: a checkpoint that has put them all in the
    /// database file passes it to [`Journal::release`].
    pub(super) fn end(&self) -> Mark {
        self.next
    }

    /// Where a record of `size` bytes would go, if it fits in the ring's free space.
    fn place(&self, size: u64) -> Option<u64> {
        if self.is_empty() {
            return (BLOCK + size <= self.capacity).then_some(if self.next.pos + size <= self.capacity {
                self.next.pos
            } else {
                BLOCK
            });
        }
        if self.next.pos > self.start.pos {
            // Free: after next to the end, and from the start of the ring to start.
            if self.next.pos + size <= self.capacity {
                return Some(self.next.pos);
            }
            return (BLOCK + size <= self.start.pos).then_some(BLOCK);
        }
        (self.next.pos + size <= self.start.pos).then_some(self.next.pos)
    }

    /// Write one commit's writes and the database file's length as a record, synced.
    /// `false` (nothing written) when the record does not fit in the free space.
    pub(super) fn append(&mut self, writes: &BTreeMap<u64, Vec<u8>>, len: u64) -> io::Result<bool> {
        let body: usize = writes.values().map(|d| 12 + d.len()).sum();
        let size = round_up((HEAD + body + HASH) as u64);
        let Some(pos) = self.place(size) else { return Ok(false) };
        let buf = &mut self.buf;
        buf.clear();
        buf.reserve(size as usize);
        buf.extend_from_slice(RECORD);
        buf.extend_from_slice(&self.next.seq.to_le_bytes());
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
        self.file.write(pos, buf)?;
        self.file.sync_data()?;
        self.next = Mark { pos: pos + size, seq: self.next.seq + 1 };
        Ok(true)
    }

    /// The records before `mark` are in the database file, synced: replay starts there
    /// from now on, and their space is free.
    pub(super) fn release(&mut self, mark: Mark) -> io::Result<()> {
        self.file.write(0, &header(mark))?;
        self.file.sync_data()?;
        self.start = mark;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn backend(path: &Path) -> FileBackend {
        let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).unwrap();
        FileBackend::new(file).unwrap()
    }

    /// A small deterministic generator: the test must fail the same way every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn apply(state: &mut Vec<u8>, writes: &BTreeMap<u64, Vec<u8>>, len: u64) {
        state.resize(len as usize, 0);
        for (offset, data) in writes {
            let at = *offset as usize;
            if state.len() < at + data.len() {
                state.resize(at + data.len(), 0);
            }
            state[at..at + data.len()].copy_from_slice(data);
        }
    }

    /// What the database file holds after replaying copies of the journal and of the
    /// database file as they are now on disk, as a crash would leave them.
    fn after_crash(dir: &Path, journal: &Path, main: &Path, tear: Option<u64>) -> (Vec<u8>, u64) {
        let (j, m) = (dir.join("j2"), dir.join("m2"));
        std::fs::copy(journal, &j).unwrap();
        std::fs::copy(main, &m).unwrap();
        if let Some(at) = tear {
            let mut bytes = std::fs::read(&j).unwrap();
            bytes[at as usize] ^= 0x55;
            std::fs::write(&j, bytes).unwrap();
        }
        let replayed = replay(&backend(&j), &backend(&m)).unwrap();
        let state = std::fs::read(&m).unwrap();
        // Replay leaves a journal with nothing more to replay.
        assert_eq!(replay(&backend(&j), &backend(&m)).unwrap(), 0);
        (state, replayed)
    }

    #[test]
    fn a_crash_at_any_commit_loses_only_what_was_not_synced_all_round_the_ring() {
        let dir = tempfile::tempdir().unwrap();
        let (jpath, mpath) = (dir.path().join("j"), dir.path().join("m"));
        let main = backend(&mpath);
        let mut journal = Journal::start(backend(&jpath), 64 << 10).unwrap();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // The database file is written only at checkpoints, as `gather` does.
        let mut current: Vec<u8> = Vec::new();
        let (mut checkpoints, mut wrapped) = (0, 0);
        for step in 0..600 {
            let before = current.clone();
            let len = 4096 * (8 + rng.next(8));
            let mut writes = BTreeMap::new();
            for _ in 0..1 + rng.next(6) {
                let page = rng.next(len / 4096);
                // The header's small write at 0, a page, or two pages at once.
                let size = match (page, rng.next(4)) {
                    (0, _) => 320,
                    (p, 0) if p + 1 < len / 4096 => 8192,
                    _ => 4096,
                };
                let overlaps = writes
                    .iter()
                    .any(|(o, d): (&u64, &Vec<u8>)| *o < page * 4096 + size && page * 4096 < o + d.len() as u64);
                if !overlaps {
                    writes.insert(page * 4096, (0..size).map(|_| rng.next(256) as u8).collect());
                }
            }
            apply(&mut current, &writes, len);
            let at = journal.next.pos;
            if rng.next(10) == 0 || !journal.append(&writes, len).unwrap() {
                // A checkpoint: the file gets everything before this commit, synced.
                main.set_len(0).unwrap();
                main.write(0, &before).unwrap();
                main.sync_data().unwrap();
                let end = journal.end();
                journal.release(end).unwrap();
                checkpoints += 1;
                assert!(journal.is_empty() && !journal.half_full());
                assert!(journal.append(&writes, len).unwrap());
            }
            if journal.next.pos < at {
                wrapped += 1;
            }
            let size = round_up((HEAD + writes.values().map(|d| 12 + d.len()).sum::<usize>() + HASH) as u64);
            let last = journal.next.pos - size;
            if step % 5 == 0 {
                let (state, replayed) = after_crash(dir.path(), &jpath, &mpath, None);
                assert_eq!(state, current, "step {step}");
                assert!(replayed >= 1);
                // The last record torn: the state before it, nothing else lost.
                let (state, _) = after_crash(dir.path(), &jpath, &mpath, Some(last + HEAD as u64 + 3));
                assert_eq!(state, before, "step {step}, torn");
                // Torn in its head.
                let (state, _) = after_crash(dir.path(), &jpath, &mpath, Some(last + 9));
                assert_eq!(state, before, "step {step}, torn head");
            }
        }
        assert!(checkpoints > 10 && wrapped > 5, "{checkpoints} checkpoints, {wrapped} laps");
    }
}
