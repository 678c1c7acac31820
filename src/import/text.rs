//! Reading a spreadsheet's CSV: its encoding, its delimiter, its records.
//!
//! Polish Excel saves "CSV (rozdzielany przecinkami)" in Windows-1250 with `;`
//! between fields (the comma is the decimal separator); "CSV UTF-8" adds a BOM;
//! LibreOffice asks and often writes UTF-8 with `,`; "Unicode text" is UTF-16 with
//! tabs. All of these are read without a question.

use encoding_rs::{Encoding as Enc, ISO_8859_2, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1250};
use std::fmt;

/// The encodings a file can be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1250,
    Iso8859_2,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Windows1250 => "Windows-1250",
            Encoding::Iso8859_2 => "ISO-8859-2",
        })
    }
}

/// Polish letters where Windows-1250 and ISO-8859-2 differ: ą ś ź Ą Ś Ź.
const CP1250_ONLY: [u8; 6] = [0xB9, 0x9C, 0x9F, 0xA5, 0x8C, 0x8F];
const LATIN2_ONLY: [u8; 6] = [0xB1, 0xB6, 0xBC, 0xA1, 0xA6, 0xAC];

/// Decode a file: a BOM decides; else valid UTF-8 is UTF-8; else it is a Polish
/// single-byte encoding — Windows-1250 (what Excel writes) unless the bytes read as
/// ISO-8859-2 Polish letters and not as Windows-1250 ones.
pub fn decode(bytes: &[u8]) -> (String, Encoding) {
    if let Some((enc, bom_len)) = Enc::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let which = if enc == UTF_8 {
            Encoding::Utf8Bom
        } else if enc == UTF_16LE {
            Encoding::Utf16Le
        } else {
            debug_assert!(enc == UTF_16BE);
            Encoding::Utf16Be
        };
        return (text.into_owned(), which);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), Encoding::Utf8);
    }
    let count = |set: &[u8; 6]| bytes.iter().filter(|b| set.contains(b)).count();
    let (enc, which) = if count(&LATIN2_ONLY) > count(&CP1250_ONLY) {
        (ISO_8859_2, Encoding::Iso8859_2)
    } else {
        (WINDOWS_1250, Encoding::Windows1250)
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), which)
}

/// The delimiter of a CSV text: of `;`, `,` and tab, the one found outside quotes on
/// the header line that also appears as often on the next lines; `;` when no line
/// has any (a one-column file).
pub fn sniff_delimiter(text: &str) -> u8 {
    const CANDIDATES: [u8; 3] = [b';', b',', b'\t'];
    let lines = logical_lines(text, 20);
    let Some(header) = lines.first() else { return b';' };
    let mut best = (0usize, 0usize, b';');
    for d in CANDIDATES {
        let n = header[d as usize];
        if n == 0 {
            continue;
        }
        // How many of the following lines have the same number of fields.
        let agree = lines.iter().skip(1).filter(|l| l[d as usize] == n).count();
        if (agree, n) > (best.0, best.1) {
            best = (agree, n, d);
        }
    }
    best.2
}

/// Per logical line (quoted line breaks do not end a line) of the first `max` non-blank
/// ones: how often each byte occurs outside quotes.
fn logical_lines(text: &str, max: usize) -> Vec<[usize; 128]> {
    let mut out = Vec::new();
    let mut counts = [0usize; 128];
    let mut in_quotes = false;
    let mut any = false;
    for c in text.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                any = true;
            }
            '\n' if !in_quotes => {
                if any {
                    out.push(counts);
                    if out.len() >= max {
                        return out;
                    }
                }
                counts = [0; 128];
                any = false;
            }
            '\r' => {}
            c if !in_quotes && c.is_ascii() => {
                counts[c as usize] += 1;
                any |= !c.is_ascii_whitespace() || c == '\t';
            }
            _ => any = true,
        }
    }
    if any {
        out.push(counts);
    }
    out
}

/// One record of the file: its row number as a spreadsheet shows it (the header is
/// row 1; a cell with line breaks is one row) and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub row: usize,
    pub cells: Vec<String>,
}

impl Record {
    /// A row with nothing in it (`;;;` as Excel writes an empty row).
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Split a CSV text into records: quoted fields may hold the delimiter, doubled
/// quotes and line breaks. Rows may have fewer or more cells than the header.
pub fn records(text: &str, delimiter: u8) -> Result<Vec<Record>, String> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    // Lines taken by line breaks inside cells of earlier records: the spreadsheet row
    // of a record is its first line less these.
    // (The reader's own line numbers lag by one after a CRLF, so lines are counted
    // here from byte offsets: a record starts after any line breaks at its offset.)
    let bytes = text.as_bytes();
    let mut inner_breaks = 0usize;
    let (mut counted_to, mut newlines) = (0usize, 0usize);
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let mut start = rec.position().map_or(0, |p| p.byte() as usize).min(bytes.len());
                while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                    start += 1;
                }
                if start > counted_to {
                    newlines += bytes[counted_to..start].iter().filter(|b| **b == b'\n').count();
                    counted_to = start;
                }
                let line = newlines + 1;
                // Excel breaks lines inside a cell with LF; a CRLF there is one break too.
                let cells: Vec<String> = rec.iter().map(|c| c.replace("\r\n", "\n")).collect();
                let breaks: usize = cells.iter().map(|c| c.matches('\n').count()).sum();
                out.push(Record { row: line.saturating_sub(inner_breaks).max(1), cells });
                inner_breaks += breaks;
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(format!("line {line}: {e}"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        let pl = "Imię;Nazwisko\nŁucja;Żółćńska-Ślęzak\n";
        let (cp, _, _) = WINDOWS_1250.encode(pl);
        assert_eq!(decode(&cp), (pl.to_string(), Encoding::Windows1250));
        let (l2, _, _) = ISO_8859_2.encode("Imię;Nazwisko\nŚwiątek;Źrebięcka\nąąś;ź\n");
        assert_eq!(decode(&l2).1, Encoding::Iso8859_2);
        assert_eq!(decode(&l2).0, "Imię;Nazwisko\nŚwiątek;Źrebięcka\nąąś;ź\n");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(pl.as_bytes());
        assert_eq!(decode(&bom), (pl.to_string(), Encoding::Utf8Bom));
        assert_eq!(decode(pl.as_bytes()), (pl.to_string(), Encoding::Utf8));
        let mut u16 = vec![0xFF, 0xFE];
        for u in pl.encode_utf16() {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&u16), (pl.to_string(), Encoding::Utf16Le));
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(sniff_delimiter("\"a;x\",b,c\n\"1;2;3\",2,3\n"), b',');
        // A quoted line break does not start a new line.
        assert_eq!(sniff_delimiter("a;b\n\"x,\ny,z\";2\n"), b';');
        assert_eq!(sniff_delimiter("Nazwa\nOPS\n"), b';');
        assert_eq!(sniff_delimiter(""), b';');
    }

    #[test]
    fn records_keep_quotes_breaks_and_spreadsheet_rows() {
        let text = "a;b\r\n\"x;\"\"y\"\"\";2\r\n\r\n\"multi\r\nline\";3\r\n;\r\n4;5\r\n";
        let recs = records(text, b';').unwrap();
        let rows: Vec<(usize, Vec<&str>)> =
            recs.iter().map(|r| (r.row, r.cells.iter().map(String::as_str).collect())).collect();
        assert_eq!(
            rows,
            vec![
                (1, vec!["a", "b"]),
                (2, vec!["x;\"y\"", "2"]),
                (4, vec!["multi\nline", "3"]),
                (5, vec!["", ""]),
                (6, vec!["4", "5"]),
            ]
        );
        assert!(recs[3].is_blank());
    }
}
