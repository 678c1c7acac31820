//! Spreadsheets out: a [`Sheet`] of [`Cell`]s written as CSV for Polish Excel or as
//! XLSX. Reports, plans and resource maps all export through here.

use chrono::{Datelike, NaiveDate};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Num(f64),
    Date(NaiveDate),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::from(s.to_string())
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Self {
        s.map_or(Cell::Empty, Cell::from)
    }
}
impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Self {
        d.map_or(Cell::Empty, Cell::Date)
    }
}
impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Self {
        n.map_or(Cell::Empty, Cell::Num)
    }
}

/// A table to write: a sheet name, headers, rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Text that a spreadsheet would run as a formula gets a leading apostrophe.
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

/// CSV for Polish Excel: UTF-8 with a BOM, `;`, CRLF, decimal comma, dates yyyy-mm-dd.
pub fn to_csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let mut write = |cells: Vec<String>| w.write_record(&cells).is_ok();
    let mut ok = write(sheet.headers.clone());
    for r in &sheet.rows {
        ok &= write(
            r.iter()
                .map(|c| match c {
                    Cell::Empty => String::new(),
                    Cell::Text(s) => defuse(s),
                    Cell::Num(n) => num(*n).replace('.', ","),
                    Cell::Date(d) => d.to_string(),
                })
                .collect(),
        );
    }
    debug_assert!(ok, "writing CSV to memory cannot fail");
    if let Ok(bytes) = w.into_inner() {
        out.extend(bytes);
    }
    out
}

/// The rows one XLSX sheet holds, header included.
pub const XLSX_MAX_ROWS: usize = 1_048_576;

/// An XLSX workbook with one sheet: bold frozen header, filters, dates as dates.
pub fn to_xlsx(sheet: &Sheet) -> std::result::Result<Vec<u8>, String> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    if sheet.rows.len() + 1 > XLSX_MAX_ROWS {
        return Err(format!(
            "{} rows do not fit in one XLSX sheet (at most {}); export as CSV",
            sheet.rows.len(),
            XLSX_MAX_ROWS - 1
        ));
    }
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet();
    // Sheet names: at most 31 characters, none of []:*?/\.
    let name: String = sheet.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    ws.set_name(&name).map_err(err)?;
    let mut widths: Vec<usize> = sheet.headers.iter().map(|h| h.chars().count()).collect();
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = (r + 1) as u32;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let len = match cell {
                Cell::Empty => 0,
                Cell::Text(s) => {
                    // A cell holds at most 32 767 characters.
                    let s: String = s.chars().take(32_767).collect();
                    ws.write_string(r, col, &s).map_err(err)?;
                    s.chars().count()
                }
                Cell::Num(n) => {
                    ws.write_number(r, col, *n).map_err(err)?;
                    num(*n).len()
                }
                Cell::Date(d) => {
                    let x = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(err)?;
                    ws.write_datetime_with_format(r, col, &x, &date_fmt).map_err(err)?;
                    10
                }
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(len);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(4, 50) as f64 + 1.0).map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    if !sheet.headers.is_empty() {
        ws.autofilter(0, 0, sheet.rows.len() as u32, (sheet.headers.len() - 1) as u16).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// A number as the interface and the sheets show it: whole numbers without a decimal
/// part, others with at most two decimals.
pub fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n:.2}").trim_end_matches('0').to_string()
    }
}
