//! Errors as the status line says them: what happened and what to do, in the
//! interface's language (the `err_*` labels of the catalogue).

use crate::edit::EditError;
use crate::i18n::{Lang, t};
use crate::store::{StoreError, Trouble};

/// A failed write as the status line says it: what happened and what to do, in the
/// interface's language, with the detail (the system's own words) after it.
pub fn write_failed(lang: Lang, trouble: Option<Trouble>, detail: &str) -> String {
    let key = match trouble {
        Some(Trouble::DiskFull) => "err_disk_full",
        Some(Trouble::ReadOnly) => "err_read_only",
        Some(Trouble::Permission) => "err_permission",
        Some(Trouble::Disk) => "err_disk",
        Some(Trouble::Earlier) => return t(lang, "err_earlier").to_string(),
        Some(Trouble::Other) | None => "err_write",
    };
    format!("{} ({detail})", t(lang, key))
}

/// An error of a save, in the interface's language where it is a failed write.
pub fn save_error(lang: Lang, e: &EditError) -> String {
    match e {
        EditError::Store(s) => store_error(lang, s),
        other => other.to_string(),
    }
}

/// A store error, in the interface's language where it is a failed write.
pub fn store_error(lang: Lang, e: &StoreError) -> String {
    match e {
        StoreError::Write { trouble, detail } => write_failed(lang, Some(*trouble), detail),
        other => other.to_string(),
    }
}
