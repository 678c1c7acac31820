//! The fuzzy index: short folded fields per record, scored separately.
//!
//! A query is split into words; a record matches when every word matches one of its
//! fields, and its score is the sum of each word's best field score (DESIGN.md §5).
//! A cheap subsequence check runs before the fuzzy scorer, which is the expensive part.

use super::fold::{fold, fold_with_map};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// One searchable record: its fields folded once, at index time.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub fields: Vec<String>,
}

impl Entry {
    pub fn new<'a>(fields: impl IntoIterator<Item = &'a str>) -> Self {
        Entry { fields: fields.into_iter().filter(|f| !f.is_empty()).map(fold).collect() }
    }
}

/// A search result: the entry's position in the index and its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub index: usize,
    pub score: i64,
}

/// Is `needle` a subsequence of `hay` (both folded)? Compared as bytes: a cheap
/// necessary condition (a char subsequence is a byte subsequence); the fuzzy scorer
/// that follows decides.
fn subsequence(hay: &str, needle: &str) -> bool {
    let mut h = hay.bytes();
    needle.bytes().all(|n| h.any(|c| c == n))
}

/// Bit per ASCII letter and digit present in `s` (folded text).
fn letter_mask(s: &str) -> u64 {
    s.bytes().fold(0, |m, b| match b {
        b'a'..=b'z' => m | 1 << (b - b'a'),
        b'0'..=b'9' => m | 1 << (26 + b - b'0'),
        _ => m,
    })
}

/// Score one folded field against one folded word. Words of one or two letters are the
/// first keystrokes of every search and match most of 100 000 names; the fuzzy scorer
/// adds little there but cost, so they score by where they occur: at a word start,
/// inside a word, or scattered.
fn score_field(matcher: &SkimMatcherV2, field: &str, word: &str) -> Option<i64> {
    if word.len() <= 2 {
        return short_word_score(field, word);
    }
    if subsequence(field, word) { matcher.fuzzy_match(field, word) } else { None }
}

/// `score_field` for a word of one or two bytes, in one pass over the field's bytes:
/// `str::match_indices` sets up a general substring searcher per call, which cost more
/// than the whole match on 100 000 short names.
fn short_word_score(field: &str, word: &str) -> Option<i64> {
    let (hay, w) = (field.as_bytes(), word.as_bytes());
    let first = *w.first()?;
    let mut inside = false;
    for (i, &b) in hay.iter().enumerate() {
        if b != first || !hay[i..].starts_with(w) {
            continue;
        }
        if starts_word(field, i) {
            return Some(48);
        }
        inside = true;
    }
    if inside { Some(32) } else { subsequence(field, word).then_some(16) }
}

/// Does a word start at byte `i` of `s` (nothing alphanumeric just before it)?
fn starts_word(s: &str, i: usize) -> bool {
    match i.checked_sub(1).map(|j| s.as_bytes()[j]) {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        // A multi-byte char before: decode it (rare in folded text).
        Some(_) => s.get(..i).and_then(|h| h.chars().next_back()).is_none_or(|c| !c.is_alphanumeric()),
    }
}

/// The words of a query, folded.
pub fn query_words(query: &str) -> Vec<String> {
    fold(query).split_whitespace().map(str::to_string).collect()
}

/// Search `entries` (or only `within`, the previous result when the query grew).
/// Results are sorted best first, ties by index (the list's own order).
pub fn search(entries: &[Entry], query: &str, within: Option<&[usize]>) -> Vec<Hit> {
    let words = query_words(query);
    if words.is_empty() {
        return within
            .map(|w| w.to_vec())
            .unwrap_or_else(|| (0..entries.len()).collect())
            .into_iter()
            .map(|index| Hit { index, score: 0 })
            .collect();
    }
    let candidates: Vec<usize> = match within {
        Some(w) => w.iter().copied().filter(|&i| i < entries.len()).collect(),
        None => (0..entries.len()).collect(),
    };
    // Large scans are split over the cores (DESIGN.md §5: 100 000 names in one
    // keystroke); small ones stay on this thread, where a spawn would cost more.
    let threads =
        if candidates.len() > 20_000 { std::thread::available_parallelism().map_or(1, |n| n.get()).min(8) } else { 1 };
    let chunk = candidates.len().div_ceil(threads).max(1);
    let mut hits: Vec<Hit> = if threads == 1 {
        score_all(entries, &words, &candidates)
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> =
                candidates.chunks(chunk).map(|part| s.spawn(|| score_all(entries, &words, part))).collect();
            handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
        })
    };
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
    hits
}

/// Score `candidates`: a hit needs every word to match some field.
fn score_all(entries: &[Entry], words: &[String], candidates: &[usize]) -> Vec<Hit> {
    let matcher = SkimMatcherV2::default();
    let mut hits = Vec::new();
    'entry: for &index in candidates {
        let e = &entries[index];
        let mut total = 0;
        for w in words {
            let best = e.fields.iter().filter(|f| subsequence(f, w)).filter_map(|f| matcher.fuzzy_match(f, w)).max();
            match best {
                Some(s) => total += s,
                None => continue 'entry,
            }
        }
        hits.push(Hit { index, score: total });
    }
    hits
}

/// A compact index for large lists (participants): each row has its own folded name
/// and phone, and refers to shared strings — organisation, place, gmina, tags — kept
/// once in a pool. A query word is scored once per pool string, not once per row, so
/// 100 000 people from 40 villages cost 100 000 name matches and 40 place matches.
///
/// Names and phones live in one buffer, mostly in row order: a keystroke reads
/// them front to back instead of chasing 200 000 small allocations around the heap,
/// which was most of its time, and the index is smaller.
#[derive(Debug, Default, Clone)]
pub struct Index {
    pool: Vec<Box<str>>,
    rows: Vec<IndexRow>,
    text: String,
}

/// No shared string.
pub const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct IndexRow {
    /// Which of a–z and 0–9 occur in any of the row's fields: a word with a letter
    /// the row lacks cannot match it, which rejects most rows without scoring them.
    letters: u64,
    /// Where the folded name is in `Index::text`.
    name: Span,
    /// Where the phone's digits are in `Index::text`; empty when there is no phone.
    phone: Span,
    shared: [u32; 4],
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn of<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start as usize..(self.start + self.len) as usize).unwrap_or_default()
    }
}

impl Index {
    /// An index whose pool is `pool` folded: pool ids are the caller's string ids.
    pub fn new(pool: &[String]) -> Index {
        Index { pool: pool.iter().map(|s| fold(s).into_boxed_str()).collect(), ..Index::default() }
    }

    /// Append one string to the pool; its id is the pool's length before the call.
    pub fn add_pool(&mut self, s: &str) {
        self.pool.push(fold(s).into_boxed_str());
    }

    /// Add a row: its name, phone, and up to four pool ids (`NONE` for none).
    pub fn push(&mut self, name: &str, phone: Option<&str>, shared: [u32; 4]) {
        // Folded straight onto the text: 100 000 rows make no strings of their own.
        let start = self.text.len();
        crate::search::fold_onto(name, &mut self.text);
        let name = Span { start: start as u32, len: (self.text.len() - start) as u32 };
        let start = self.text.len();
        self.text.extend(phone.unwrap_or_default().chars().filter(char::is_ascii_digit));
        let phone = Span { start: start as u32, len: (self.text.len() - start) as u32 };
        let mut letters = letter_mask(name.of(&self.text)) | letter_mask(phone.of(&self.text));
        for &s in &shared {
            if let Some(p) = self.pool.get(s as usize) {
                letters |= letter_mask(p);
            }
        }
        self.rows.push(IndexRow { letters, name, phone, shared });
    }

    /// Take out the row at `i` (its text stays, unused).
    pub fn remove(&mut self, i: usize) {
        if i < self.rows.len() {
            self.rows.remove(i);
        }
    }

    /// [`Index::push`] at position `i` instead of the end.
    pub fn insert(&mut self, i: usize, name: &str, phone: Option<&str>, shared: [u32; 4]) {
        self.push(name, phone, shared);
        if i < self.rows.len() {
            self.rows[i..].rotate_right(1);
        }
    }

    /// The rows in reverse order (a list read from its end).
    pub fn reverse(&mut self) {
        self.rows.reverse();
    }

    /// Append `other`'s rows after these (keys, if any, kept as they are), its pool
    /// ids turned into this pool's by `pool[id]`: the second half of a list read on
    /// another thread. Its pool strings must already be in this pool.
    pub fn append(&mut self, other: Index, pool: &[u32]) {
        let base = self.text.len() as u32;
        self.text.push_str(&other.text);
        self.rows.extend(other.rows.into_iter().map(|mut r| {
            r.name.start += base;
            r.phone.start += base;
            for s in &mut r.shared {
                if *s != NONE {
                    *s = pool.get(*s as usize).copied().unwrap_or(NONE);
                }
            }
            r
        }));
    }

    /// Point shared string `slot` of the row pushed `row`-th at pool string `pool`
    /// (an organisation named only once every record has been read).
    pub fn set_shared(&mut self, row: usize, slot: usize, pool: u32) {
        let mask = self.pool.get(pool as usize).map_or(0, |p| letter_mask(p));
        if let Some(r) = self.rows.get_mut(row)
            && let Some(s) = r.shared.get_mut(slot)
        {
            *s = pool;
            r.letters |= mask;
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rows matching every word of `query`, best first; only `within` when given.
    pub fn search(&self, query: &str, within: Option<&[usize]>) -> Vec<Hit> {
        let words = query_words(query);
        let mut candidates: Vec<usize> = match within {
            Some(w) => w.iter().copied().filter(|&i| i < self.rows.len()).collect(),
            None => (0..self.rows.len()).collect(),
        };
        if words.is_empty() {
            return candidates.into_iter().map(|index| Hit { index, score: 0 }).collect();
        }
        // A previous result comes best first; read the rows front to back instead of
        // hopping around 100 000 of them (the result is sorted again at the end).
        if within.is_some() {
            candidates.sort_unstable();
        }
        // Pool strings are scored on first use, per thread: a narrowed search over a
        // few hundred rows then touches a few hundred pool strings, not all of them.
        // Letters every matching row must have (each word's letters, all words).
        let word_letters = words.iter().fold(0, |m, w| m | letter_mask(w));
        let digits: Vec<bool> = words.iter().map(|w| w.bytes().all(|b| b.is_ascii_digit())).collect();
        let score_part = |part: &[usize]| -> Vec<Hit> {
            let matcher = SkimMatcherV2::default();
            let mut pool_scores: Vec<Vec<Option<Option<i64>>>> = vec![vec![None; self.pool.len()]; words.len()];
            let mut hits = Vec::new();
            'row: for &index in part {
                let r = &self.rows[index];
                if r.letters & word_letters != word_letters {
                    continue;
                }
                let mut total = 0;
                let name = r.name.of(&self.text);
                for (wi, w) in words.iter().enumerate() {
                    let mut best = score_field(&matcher, name, w);
                    // Phones hold digits only: only an all-digit word can match one.
                    if digits[wi] {
                        let p = r.phone.of(&self.text);
                        if p.contains(w.as_str()) {
                            best = best.max(Some(w.len() as i64 * 16 + (p.len() == w.len()) as i64));
                        }
                    }
                    for &s in &r.shared {
                        let Some(slot) = pool_scores[wi].get_mut(s as usize) else { continue };
                        let score = *slot.get_or_insert_with(|| {
                            let p = &self.pool[s as usize];
                            score_field(&matcher, p, w)
                        });
                        best = best.max(score);
                    }
                    match best {
                        Some(s) => total += s,
                        None => continue 'row,
                    }
                }
                hits.push(Hit { index, score: total });
            }
            hits
        };
        let threads = if candidates.len() > 20_000 {
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
        } else {
            1
        };
        let mut hits: Vec<Hit> = if threads == 1 {
            score_part(&candidates)
        } else {
            let chunk = candidates.len().div_ceil(threads).max(1);
            std::thread::scope(|s| {
                let handles: Vec<_> = candidates.chunks(chunk).map(|part| s.spawn(|| score_part(part))).collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            })
        };
        // Indices are unique, so an unstable sort gives the same order, faster.
        hits.sort_unstable_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        hits
    }
}

/// Which characters of `text` (by char index) a query highlights: for each query word,
/// the fuzzy match positions in the folded text, mapped back to the original chars.
pub fn highlight(text: &str, query: &str) -> Vec<usize> {
    let (folded, map) = fold_with_map(text);
    let matcher = SkimMatcherV2::default();
    let mut out = Vec::new();
    for w in query_words(query) {
        if let Some((_, positions)) = matcher.fuzzy_indices(&folded, &w) {
            out.extend(positions.into_iter().filter_map(|p| map.get(p).copied()));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<Entry> {
        vec![
            Entry::new(["Anna Kowalska", "OPS Dobiegniew", "Dobiegniew"]),
            Entry::new(["Jan Nowak", "", "Łódź"]),
            Entry::new(["Pracownia Żółć", "", "Drezdenko"]),
            Entry::new(["Piotr Nowak", "", "Dobiegniew"]),
        ]
    }

    #[test]
    fn folded_queries_find_polish_names() {
        let e = entries();
        assert_eq!(search(&e, "lodz", None)[0].index, 1);
        assert_eq!(search(&e, "ŁÓDŹ", None)[0].index, 1);
        assert_eq!(search(&e, "zolc", None)[0].index, 2);
        assert_eq!(search(&e, "kowalska anna", None)[0].index, 0);
    }

    #[test]
    fn every_word_must_match_some_field() {
        let e = entries();
        let hits: Vec<usize> = search(&e, "nowak dobiegniew", None).iter().map(|h| h.index).collect();
        assert_eq!(hits[0], 3, "the Nowak of Dobiegniew first: {hits:?}");
        assert!(!hits.contains(&1), "Jan Nowak of Łódź does not match 'dobiegniew'");
        assert!(search(&e, "xyzzy", None).is_empty());
    }

    #[test]
    fn narrowing_searches_only_the_previous_result() {
        let e = entries();
        let first: Vec<usize> = search(&e, "nowak", None).iter().map(|h| h.index).collect();
        let narrowed = search(&e, "nowak lodz", Some(&first));
        assert_eq!(narrowed[0].index, 1);
        assert!(narrowed.iter().all(|h| first.contains(&h.index)));
    }

    #[test]
    fn pooled_index_matches_like_entries() {
        let pool =
            vec!["OPS Dobiegniew".to_string(), "Dobiegniew".to_string(), "Łódź".to_string(), "Drezdenko".to_string()];
        let mut ix = Index::new(&pool);
        ix.push("Anna Kowalska", Some("+48 600 100 200"), [0, 1, 1, NONE]);
        ix.push("Jan Nowak", None, [NONE, 2, 2, NONE]);
        ix.push("Pracownia Żółć", None, [NONE, 3, 3, NONE]);
        ix.push("Piotr Nowak", None, [NONE, 1, 1, NONE]);
        assert_eq!(ix.search("lodz", None)[0].index, 1);
        assert_eq!(ix.search("zolc", None)[0].index, 2);
        assert_eq!(ix.search("kowalska anna", None)[0].index, 0);
        let hits: Vec<usize> = ix.search("nowak dobiegniew", None).iter().map(|h| h.index).collect();
        assert_eq!(hits[0], 3);
        assert!(!hits.contains(&1));
        assert_eq!(ix.search("600100", None)[0].index, 0);
        let first: Vec<usize> = ix.search("nowak", None).iter().map(|h| h.index).collect();
        assert_eq!(ix.search("nowak lodz", Some(&first))[0].index, 1);
        assert_eq!(ix.search("", None).len(), 4);
    }

    #[test]
    fn short_words_score_by_where_they_occur() {
        assert_eq!(short_word_score("anna kowalska", "ko"), Some(48), "at a word start");
        assert_eq!(short_word_score("anna kowalska", "ow"), Some(32), "inside a word");
        assert_eq!(short_word_score("anna kowalska", "nk"), Some(16), "scattered");
        assert_eq!(short_word_score("anna kowalska", "zx"), None);
        assert_eq!(short_word_score("ewa-ko", "ko"), Some(48), "after punctuation");
        assert_eq!(short_word_score("żko", "ko"), Some(32), "after a letter that did not fold");
        assert_eq!(short_word_score("“ko", "ko"), Some(48), "after a quotation mark");
    }

    #[test]
    fn highlights_map_back_to_original_letters() {
        assert_eq!(highlight("Łódź", "lodz"), vec![0, 1, 2, 3]);
        assert!(!highlight("Anna Kowalska", "kow").is_empty());
    }
}
