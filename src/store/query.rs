//! Reading: version vectors and the log, records and the indexes that list them.

use super::*;

/// A snapshot of the records for reading (see [`Store::view`]).
pub struct View {
    pub(super) records: redb::ReadOnlyTable<&'static [u8; 17], &'static [u8]>,
    pub(super) list: redb::ReadOnlyTable<&'static [u8], &'static [u8]>,
}

impl View {
    pub fn doc(&self, entity: Entity, id: Id) -> Result<Option<Doc>> {
        match self.records.get(&record_key(entity, id))? {
            Some(v) => Ok(Some(Doc::decode(v.value()).map_err(corrupt)?)),
            None => Ok(None),
        }
    }

    /// The first answer `f` gives over live records of `entity` in list order, at most
    /// `limit` of them (newest first walks the index backwards).
    pub fn find_ordered<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        self.find_ordered_where(entity, limit, newest_first, None, f)
    }

    /// [`View::find_ordered`] over the records whose stored bytes contain `text`; the
    /// others are skipped without decoding them (stored strings are plain UTF-8).
    pub fn find_ordered_containing<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        text: &str,
        f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        self.find_ordered_where(entity, limit, newest_first, Some(&memchr::memmem::Finder::new(text)), f)
    }

    fn find_ordered_where<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        containing: Option<&memchr::memmem::Finder>,
        mut f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        let lo = [entity as u8];
        let hi = [entity as u8 + 1];
        let range = self.list.range::<&[u8]>(lo.as_slice()..hi.as_slice())?;
        let keys: Box<dyn Iterator<Item = _>> = if newest_first { Box::new(range.rev()) } else { Box::new(range) };
        for e in keys.take(limit) {
            let (k, _) = e?;
            let Some(v) = self.records.get(&record_key(entity, id_from_key(k.value())))? else { continue };
            if containing.is_some_and(|c| c.find(v.value()).is_none()) {
                continue;
            }
            if let Some(t) = f(&Doc::decode(v.value()).map_err(corrupt)?) {
                return Ok(Some(t));
            }
        }
        Ok(None)
    }
}

impl Store {
    pub fn version_vector(&self) -> Result<VersionVector> {
        let tx = self.db.begin_read()?;
        let vv = tx.open_table(VV)?;
        let mut out = VersionVector::new();
        for e in vv.iter()? {
            let (k, v) = e?;
            out.insert(ReplicaId(k.value()), v.value());
        }
        Ok(out)
    }

    /// Number of ops in the log and waiting in pending.
    pub fn log_len(&self) -> Result<(u64, u64)> {
        let tx = self.db.begin_read()?;
        Ok((tx.open_table(LOG)?.len()?, tx.open_table(PENDING)?.len()?))
    }

    /// Ops of the log that `known` does not cover, in (replica, seq) order.
    pub fn ops_since(&self, known: &VersionVector) -> Result<Vec<Op>> {
        let tx = self.db.begin_read()?;
        let log = tx.open_table(LOG)?;
        let mut out = Vec::new();
        for (replica, _) in self.version_vector()? {
            let from = OpId { replica, seq: known.get(&replica).copied().unwrap_or(0) + 1 }.key();
            let to = OpId { replica, seq: u64::MAX }.key();
            for e in log.range::<&[u8; 24]>(&from..=&to)? {
                let (_, v) = e?;
                out.push(Op::decode(v.value()).map_err(corrupt)?);
            }
        }
        Ok(out)
    }

    pub fn doc(&self, entity: Entity, id: Id) -> Result<Option<Doc>> {
        self.view()?.doc(entity, id)
    }

    /// One read transaction for several lookups: what a save checks before it writes
    /// (attendees, the gmina of a place) costs one snapshot instead of one each.
    pub fn view(&self) -> Result<View> {
        let tx = self.db.begin_read()?;
        Ok(View { records: tx.open_table(RECORDS)?, list: tx.open_table(LIST)? })
    }

    /// Visit every record of one entity in id order without holding them all: the
    /// list of 100 000 participants is built from this at a fraction of the memory.
    pub fn for_each_doc(&self, entity: Entity, mut f: impl FnMut(Id, Doc)) -> Result<()> {
        self.for_each_stored(entity, |id, bytes| {
            f(id, Doc::decode(bytes).map_err(corrupt)?);
            Ok(())
        })
    }

    /// Every stored record of `entity` in id order, as its bytes.
    fn for_each_stored(&self, entity: Entity, mut f: impl FnMut(Id, &[u8]) -> Result<()>) -> Result<()> {
        let tx = self.db.begin_read()?;
        let records = tx.open_table(RECORDS)?;
        let lo = record_key(entity, Id::from_bytes([0; 16]));
        let hi = record_key(entity, Id::from_bytes([0xff; 16]));
        for e in records.range::<&[u8; 17]>(&lo..=&hi)? {
            let (k, v) = e?;
            f(id_from_key(k.value()), v.value())?;
        }
        Ok(())
    }

    /// [`Store::for_each_doc`], each record read in place ([`DocView`]) instead of
    /// decoded: what a list of 100 000 needs from each is a few fields.
    pub fn for_each_view(&self, entity: Entity, mut f: impl FnMut(Id, DocView<'_>)) -> Result<()> {
        self.for_each_stored(entity, |id, bytes| {
            f(id, DocView::read(bytes).map_err(corrupt)?);
            Ok(())
        })
    }

    /// [`Store::for_each_view`] on two threads from one snapshot: `low` gets the
    /// records whose id starts below 0x80, `high` the others. Ids are random, so each
    /// gets about half: a pane that reads every meeting reads it in half the time.
    pub fn for_each_view_halves(
        &self,
        entity: Entity,
        mut low: impl FnMut(Id, DocView<'_>) + Send,
        mut high: impl FnMut(Id, DocView<'_>) + Send,
    ) -> Result<()> {
        let tx = self.db.begin_read()?;
        let records = tx.open_table(RECORDS)?;
        let lo = record_key(entity, Id::from_bytes([0; 16]));
        let mut m = [0; 16];
        m[0] = 0x80;
        let mid = record_key(entity, Id::from_bytes(m));
        let hi = record_key(entity, Id::from_bytes([0xff; 16]));
        let read = |range: redb::Range<'_, &'static [u8; 17], &'static [u8]>, f: &mut dyn FnMut(Id, DocView<'_>)| {
            for e in range {
                let (k, v) = e?;
                f(id_from_key(k.value()), DocView::read(v.value()).map_err(corrupt)?);
            }
            Ok::<_, StoreError>(())
        };
        let (first, second) = (records.range::<&[u8; 17]>(&lo..&mid)?, records.range::<&[u8; 17]>(&mid..=&hi)?);
        std::thread::scope(|s| {
            let other = s.spawn(|| read(second, &mut high));
            let here = read(first, &mut low);
            let other = other.join().unwrap_or_else(|_| Err(corrupt("a thread reading records stopped".into())));
            here.and(other)
        })
    }

    /// Every record of one entity, deleted ones included, in id order.
    pub fn docs(&self, entity: Entity) -> Result<Vec<(Id, Doc)>> {
        let mut out = Vec::new();
        self.for_each_doc(entity, |id, doc| out.push((id, doc)))?;
        Ok(out)
    }

    /// Ids of records of `entity`, deleted ones included, whose hex id starts with `prefix`.
    pub fn ids_with_prefix(&self, entity: Entity, prefix: &str) -> Result<Vec<Id>> {
        let p = prefix.to_ascii_lowercase().replace('-', "");
        if p.is_empty() || p.len() > 32 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let mut lo = [0u8; 16];
        let mut hi = [0xffu8; 16];
        let full = format!("{p:0<32}");
        let full_hi = format!("{p:f<32}");
        for i in 0..16 {
            lo[i] = u8::from_str_radix(&full[2 * i..2 * i + 2], 16).unwrap_or(0);
            hi[i] = u8::from_str_radix(&full_hi[2 * i..2 * i + 2], 16).unwrap_or(0xff);
        }
        let tx = self.db.begin_read()?;
        let records = tx.open_table(RECORDS)?;
        let mut out = Vec::new();
        let (lo, hi) = (record_key(entity, Id::from_bytes(lo)), record_key(entity, Id::from_bytes(hi)));
        for e in records.range::<&[u8; 17]>(&lo..=&hi)? {
            let (k, _) = e?;
            out.push(id_from_key(k.value()));
        }
        Ok(out)
    }

    /// The live records of `entity` whose list key is `sort` (a folded name, as
    /// `list` keys it): what a name looks up without reading every record.
    pub fn ids_by_sort_key(&self, entity: Entity, sort: &str) -> Result<Vec<Id>> {
        let tx = self.db.begin_read()?;
        let order = tx.open_table(LIST)?;
        let mut lo = Vec::with_capacity(sort.len() + 2);
        lo.push(entity as u8);
        lo.extend_from_slice(sort.as_bytes());
        lo.push(0);
        let mut hi = lo.clone();
        if let Some(last) = hi.last_mut() {
            *last = 1;
        }
        let mut out = Vec::new();
        for e in order.range::<&[u8]>(lo.as_slice()..hi.as_slice())? {
            let (k, _) = e?;
            let k = k.value();
            if let Some(id) = k.get(k.len().saturating_sub(16)..).and_then(|b| <[u8; 16]>::try_from(b).ok()) {
                out.push(Id::from_bytes(id));
            }
        }
        Ok(out)
    }

    /// A page of live records in list order: `offset` rows in, at most `limit`.
    /// `newest_first` walks the index backwards (meetings by date).
    pub fn ordered_ids(&self, entity: Entity, offset: usize, limit: usize, newest_first: bool) -> Result<Vec<Id>> {
        let tx = self.db.begin_read()?;
        let order = tx.open_table(LIST)?;
        let lo = [entity as u8];
        let hi = [entity as u8 + 1];
        let range = order.range::<&[u8]>(lo.as_slice()..hi.as_slice())?;
        let keys: Box<dyn Iterator<Item = _>> = if newest_first { Box::new(range.rev()) } else { Box::new(range) };
        let mut out = Vec::new();
        for e in keys.skip(offset).take(limit) {
            let (k, _) = e?;
            out.push(id_from_key(k.value()));
        }
        Ok(out)
    }

    /// The first `limit` live participants in list order, each as its row in `list`
    /// ([`super::rows`]): what the list loads instead of the records.
    pub fn for_each_participant_row(
        &self,
        limit: usize,
        mut f: impl FnMut(Id, super::rows::ParticipantRow<'_>),
    ) -> Result<()> {
        let tx = self.db.begin_read()?;
        let list = tx.open_table(LIST)?;
        let (lo, hi) = ([Entity::Participant as u8], [Entity::Participant as u8 + 1]);
        for e in list.range::<&[u8]>(lo.as_slice()..hi.as_slice())?.take(limit) {
            let (k, v) = e?;
            let (id, row) = participant_entry(k.value(), v.value())?;
            f(id, row);
        }
        Ok(())
    }

    /// Every live participant's row, read on two threads from one snapshot: `front`
    /// gets rows from the start of the list in order, `back` from the end in reverse
    /// order, until they meet, so each gets about half whatever the names are. Each row
    /// goes to exactly one of them.
    pub fn participant_rows_from_both_ends(
        &self,
        front: impl FnMut(Id, super::rows::ParticipantRow<'_>) + Send,
        back: impl FnMut(Id, super::rows::ParticipantRow<'_>) + Send,
    ) -> Result<()> {
        let tx = self.db.begin_read()?;
        let list = tx.open_table(LIST)?;
        let entity = Entity::Participant as u8;
        let (lo, hi) = ([entity], [entity + 1]);
        // What each end has taken so far: the front's highest key, the back's lowest.
        let meet = std::sync::Mutex::new((None::<Vec<u8>>, None::<Vec<u8>>));
        let run =
            |forward: bool, mut f: Box<dyn FnMut(Id, super::rows::ParticipantRow<'_>) + Send + '_>| -> Result<()> {
                let range = list.range::<&[u8]>(lo.as_slice()..hi.as_slice())?;
                let mut entries: Box<dyn Iterator<Item = _>> =
                    if forward { Box::new(range) } else { Box::new(range.rev()) };
                let mut block = Vec::with_capacity(MEET_BLOCK);
                loop {
                    block.clear();
                    for e in entries.by_ref().take(MEET_BLOCK) {
                        block.push(e?);
                    }
                    if block.is_empty() {
                        return Ok(());
                    }
                    // Claim the block's keys the other end has not taken, and stop at the
                    // first it has.
                    let take = {
                        let mut m = meet.lock().map_err(|_| corrupt("a thread reading the list stopped".into()))?;
                        let (front, back) = &mut *m;
                        let (mine, other) = if forward { (front, &*back) } else { (back, &*front) };
                        let free = |k: &[u8]| match other {
                            None => true,
                            Some(o) if forward => k < o.as_slice(),
                            Some(o) => k > o.as_slice(),
                        };
                        let take = block.iter().take_while(|(k, _)| free(k.value())).count();
                        if let Some((k, _)) = block.get(take.wrapping_sub(1)) {
                            *mine = Some(k.value().to_vec());
                        }
                        take
                    };
                    for (k, v) in &block[..take] {
                        let (id, row) = participant_entry(k.value(), v.value())?;
                        f(id, row);
                    }
                    if take < block.len() {
                        return Ok(());
                    }
                }
            };
        std::thread::scope(|s| {
            let second = s.spawn(|| run(false, Box::new(back)));
            let first = run(true, Box::new(front));
            let second = second.join().unwrap_or_else(|_| Err(corrupt("a thread reading the list stopped".into())));
            first.and(second)
        })
    }

    /// The first answer `f` gives over live records of `entity` in list order (at most
    /// `limit` of them): lookups that stop early (the gmina of a place).
    pub fn find_ordered<T>(
        &self,
        entity: Entity,
        limit: usize,
        newest_first: bool,
        f: impl FnMut(&Doc) -> Option<T>,
    ) -> Result<Option<T>> {
        self.view()?.find_ordered(entity, limit, newest_first, f)
    }

    /// The records with open conflicts, by entity then id.
    pub fn conflicted(&self) -> Result<Vec<(Entity, Id)>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(CONFLICTS)?;
        let mut out = Vec::new();
        for e in table.iter()? {
            let (k, _) = e?;
            if let Some(entity) = Entity::from_u8(k.value()[0]) {
                out.push((entity, id_from_key(k.value())));
            }
        }
        Ok(out)
    }

    /// How many fields hold conflicting values, over all records.
    pub fn conflict_count(&self) -> Result<usize> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(CONFLICTS)?;
        let mut n = 0usize;
        for e in table.iter()? {
            n += e?.1.value() as usize;
        }
        Ok(n)
    }

    /// Number of live records of an entity.
    pub fn count(&self, entity: Entity) -> Result<usize> {
        let tx = self.db.begin_read()?;
        let counts = tx.open_table(COUNTS)?;
        Ok(counts.get(entity as u8)?.map_or(0, |v| v.value()) as usize)
    }

    /// The meetings a participant attended, with their dates, newest first.
    pub fn attended(&self, participant: Id) -> Result<Vec<(Id, String)>> {
        let tx = self.db.begin_read()?;
        let attend = tx.open_table(ATTEND)?;
        let lo = attend_key(participant, Id::from_bytes([0; 16]));
        let hi = attend_key(participant, Id::from_bytes([0xff; 16]));
        let mut out = Vec::new();
        for e in attend.range::<&[u8; 32]>(&lo..=&hi)? {
            let (k, v) = e?;
            out.push((id_from_key(k.value()), v.value().to_string()));
        }
        out.sort_by(|a, b| b.1.cmp(&a.1));
        Ok(out)
    }

    /// The date of a participant's last meeting.
    pub fn last_contact(&self, participant: Id) -> Result<Option<chrono::NaiveDate>> {
        Ok(self.attended(participant)?.into_iter().filter_map(|(_, d)| iso_date(&d)).max())
    }

    /// A participant's list row as its record makes it now (None when it is not
    /// listed: deleted, or not there): a loaded list patched after a save.
    pub fn participant_row(&self, id: Id) -> Result<Option<Vec<u8>>> {
        Ok(self
            .doc(Entity::Participant, id)?
            .filter(|d| !d.is_deleted())
            .map(|d| super::rows::row_of(Entity::Participant, &d)))
    }

    /// For every participant who attended anything: the date of their last meeting.
    pub fn last_contacts(&self) -> Result<crate::ids::IdMap<chrono::NaiveDate>> {
        let tx = self.db.begin_read()?;
        let attend = tx.open_table(ATTEND)?;
        let mut out = crate::ids::IdMap::default();
        for e in attend.iter()? {
            let (k, v) = e?;
            let mut p = [0u8; 16];
            p.copy_from_slice(&k.value()[..16]);
            let Some(d) = iso_date(v.value()) else { continue };
            let entry = out.entry(Id::from_bytes(p)).or_insert(d);
            if d > *entry {
                *entry = d;
            }
        }
        Ok(out)
    }
}

/// A participant's id and row from its entry in `list`.
fn participant_entry<'a>(key: &[u8], value: &'a [u8]) -> Result<(Id, super::rows::ParticipantRow<'a>)> {
    let id = id_from_key(key);
    let row = super::rows::ParticipantRow::read(value).ok_or_else(|| {
        corrupt(format!("the list row of participant {} cannot be read; run `teren doctor --rebuild`", id.short()))
    })?;
    Ok((id, row))
}

/// Rows each end of [`Store::participant_rows_from_both_ends`] reads before it checks
/// where the other one is.
const MEET_BLOCK: usize = 256;

/// `yyyy-mm-dd` as a date, read by hand: chrono's format parser costs more than the
/// rest of a row when the participant list loads.
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn iso_dates_read_by_hand_match_chrono() {
        for s in ["2024-02-29", "2026-12-07", "1999-01-01"] {
            assert_eq!(super::iso_date(s), chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        }
        for s in ["2023-02-29", "2024-13-01", "2024-1-01", "abcd-ef-gh", "", "2024-02-29T"] {
            assert_eq!(super::iso_date(s), None, "{s}");
        }
    }
}

#[cfg(test)]
mod rows_tests {
    #![allow(clippy::unwrap_used)]
    use super::super::{Draft, Store};
    use crate::model::{Entity, Id};
    use crate::sync::Change;

    /// Read from both ends, every row comes once, in order from the front and in
    /// reverse from the back, at sizes around the blocks the two ends claim.
    #[test]
    fn both_ends_read_each_row_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let mut had = 0;
        for n in [0usize, 1, 2, 255, 256, 257, 511, 512, 513, 1500] {
            let drafts = (had..n)
                .map(|i| Draft::new(Entity::Participant, Id::new(), vec![Change::set("name", format!("Osoba {i:05}"))]))
                .collect();
            store.commit_bulk(drafts).unwrap();
            had = n;
            let (front, back) = (std::sync::Mutex::new(Vec::new()), std::sync::Mutex::new(Vec::new()));
            store
                .participant_rows_from_both_ends(
                    |_, r| front.lock().unwrap().push(r.name.to_string()),
                    |_, r| back.lock().unwrap().push(r.name.to_string()),
                )
                .unwrap();
            let (mut all, back) = (front.into_inner().unwrap(), back.into_inner().unwrap());
            all.extend(back.into_iter().rev());
            let want: Vec<String> = (0..n).map(|i| format!("Osoba {i:05}")).collect();
            assert_eq!(all, want, "{n} rows");
            assert_eq!(store.count(Entity::Participant).unwrap(), n);
        }
    }

    /// Read in two halves, every record comes once, the low ids to one side.
    #[test]
    fn halves_read_each_record_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        let ids: Vec<Id> = (0..300).map(|_| Id::new()).collect();
        let drafts =
            ids.iter().map(|id| Draft::new(Entity::Meeting, *id, vec![Change::set("title", "Zebranie")])).collect();
        store.commit_bulk(drafts).unwrap();
        let (mut low, mut high) = (Vec::new(), Vec::new());
        store.for_each_view_halves(Entity::Meeting, |id, _| low.push(id), |id, _| high.push(id)).unwrap();
        assert!(low.iter().all(|id| id.as_bytes()[0] < 0x80) && high.iter().all(|id| id.as_bytes()[0] >= 0x80));
        let mut all: Vec<Id> = low.into_iter().chain(high).collect();
        let mut want = ids;
        want.sort_unstable();
        all.sort_unstable();
        assert_eq!(all, want);
    }
}
