//! What every `list` command shares: loading one record type, the folded filters,
//! ordering by a search, and printing the rows as JSON or as an aligned table.
//! Each list command says only which records, in what order, and which columns.

use super::args::ListArgs;
use super::output::{Table, json};
use crate::model::{Entity, Id};
use crate::search;
use crate::store::Store;
use crate::sync::Doc;
use anyhow::Result;
use serde_json::Value;
use std::io::Write;

/// The records of one type with their documents; deleted ones only with `--deleted`.
pub(super) fn records<T>(
    store: &Store,
    entity: Entity,
    list: &ListArgs,
    from_doc: fn(Id, &Doc) -> T,
) -> Result<Vec<(T, Doc)>> {
    Ok(store
        .docs(entity)?
        .into_iter()
        // A record's `deleted` is its document's, so deleted ones are not even built.
        .filter(|(_, d)| list.deleted || !d.is_deleted())
        .map(|(id, d)| (from_doc(id, &d), d))
        .collect())
}

/// Whether `value` is the one a filter asks for, folded (`lodz` is `Łódź`); no
/// filter lets everything through.
pub(super) fn folded_is(filter: Option<&str>, value: Option<&str>) -> bool {
    filter.is_none_or(|f| value.map(search::fold) == Some(search::fold(f)))
}

/// The rows that match `q`, best match first: the app's fuzzy search.
pub(super) fn searched<R>(rows: Vec<R>, q: &str, entry: impl Fn(&R) -> search::Entry) -> Vec<R> {
    let entries: Vec<search::Entry> = rows.iter().map(entry).collect();
    let hits = search::search(&entries, q, None);
    let mut slots: Vec<Option<R>> = rows.into_iter().map(Some).collect();
    hits.iter().filter_map(|h| slots[h.index].take()).collect()
}

/// `rows` as one JSON array with `--json`, else as a table of `header` and one
/// line a row.
pub(super) fn print<R>(
    out: &mut impl Write,
    as_json: bool,
    rows: &[R],
    to_json: impl FnMut(&R) -> Value,
    header: &[&str],
    cells: impl FnMut(&R) -> Vec<String>,
) -> Result<()> {
    if as_json {
        return json_rows(out, rows, to_json);
    }
    table(out, rows, header, cells, None)
}

/// `rows` as one JSON array.
pub(super) fn json_rows<R>(out: &mut impl Write, rows: &[R], to_json: impl FnMut(&R) -> Value) -> Result<()> {
    json(out, &Value::Array(rows.iter().map(to_json).collect()))?;
    Ok(())
}

/// `rows` as an aligned table; where `empty` is given and there are no rows, that
/// line instead of a lone header.
pub(super) fn table<R>(
    out: &mut impl Write,
    rows: &[R],
    header: &[&str],
    cells: impl FnMut(&R) -> Vec<String>,
    empty: Option<&str>,
) -> Result<()> {
    let mut table = Table::new(header);
    for cells in rows.iter().map(cells) {
        table.row(cells);
    }
    match empty {
        Some(line) if table.is_empty() => writeln!(out, "{line}")?,
        _ => table.write(out)?,
    }
    Ok(())
}
