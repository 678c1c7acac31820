//! Text folding: the one normal form every search and every name comparison uses.
//!
//! NFKD, combining marks dropped, `ł`/`Ł` mapped by hand (they have no decomposition),
//! lower case. `Łódź`, `ŁÓDŹ` and `lodz` all fold to `lodz`.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Fold `s` for matching: no diacritics, lower case.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out, |_, _| {});
    out
}

/// [`fold`] appended to `out`: no string of its own.
pub fn fold_onto(s: &str, out: &mut String) {
    fold_into(s, out, |_, _| {});
}

/// Fold `s` and also return, for each byte-level char of the folded string, the index of
/// the original char it came from, so that match positions can be mapped back for
/// highlighting.
pub fn fold_with_map(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len());
    fold_into(s, &mut out, |orig_idx, _| map.push(orig_idx));
    (out, map)
}

fn fold_into(s: &str, out: &mut String, mut on_char: impl FnMut(usize, char)) {
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii() {
            let l = c.to_ascii_lowercase();
            out.push(l);
            on_char(i, l);
            continue;
        }
        // Polish letters by hand: NFKD gives the same, at several times the cost,
        // and a list of 100 000 Polish names folds each one.
        let plain = match c {
            'ł' | 'Ł' => Some('l'),
            'ą' | 'Ą' => Some('a'),
            'ć' | 'Ć' => Some('c'),
            'ę' | 'Ę' => Some('e'),
            'ń' | 'Ń' => Some('n'),
            'ó' | 'Ó' => Some('o'),
            'ś' | 'Ś' => Some('s'),
            'ź' | 'Ź' | 'ż' | 'Ż' => Some('z'),
            _ => None,
        };
        match plain {
            Some(l) => {
                out.push(l);
                on_char(i, l);
            }
            None => {
                for d in std::iter::once(c).nfkd() {
                    if is_combining_mark(d) {
                        continue;
                    }
                    for l in d.to_lowercase() {
                        out.push(l);
                        on_char(i, l);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_letters_fold_to_ascii() {
        let table = [
            ("Łódź", "lodz"),
            ("ŁÓDŹ", "lodz"),
            ("Żółć", "zolc"),
            ("Źdźbło", "zdzblo"),
            ("Ślęża", "sleza"),
            ("Gżegżółka", "gzegzolka"),
            ("Dąbrowa Górnicza", "dabrowa gornicza"),
            ("ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ", "acelnoszz acelnoszz"),
        ];
        for (input, want) in table {
            assert_eq!(fold(input), want, "folding {input}");
        }
    }

    #[test]
    fn polish_letters_by_hand_fold_as_nfkd_does() {
        for c in "ąćęńóśźżĄĆĘŃÓŚŹŻ".chars() {
            let nfkd: String =
                std::iter::once(c).nfkd().filter(|d| !is_combining_mark(*d)).flat_map(char::to_lowercase).collect();
            assert_eq!(fold(&c.to_string()), nfkd, "{c}");
        }
    }

    #[test]
    fn map_points_back_to_original_chars() {
        let (f, map) = fold_with_map("Łódź x");
        assert_eq!(f, "lodz x");
        assert_eq!(map, vec![0, 1, 2, 3, 4, 5]);
    }
}
