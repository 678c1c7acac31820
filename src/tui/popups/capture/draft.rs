//! Where a capture's draft goes as it is typed: to the loop's background writer when
//! there is one (it writes after a pause in typing), else straight to the store.

use crate::i18n::Lang;
use crate::store::Store;
use std::cell::Cell;
use std::sync::mpsc;

/// A capture draft for the background writer: the bytes (None clears it), and whether
/// to write at once (a field was left) or after a pause in typing.
pub type DraftMsg = (Option<Vec<u8>>, bool);

#[derive(Default)]
pub struct Drafts {
    /// The background writer; None writes here (headless tests).
    pub sink: Option<mpsc::Sender<DraftMsg>>,
    /// Whether a draft may be on disk (so clearing it is worth a write).
    pub on_disk: Cell<bool>,
    pub lang: Lang,
}

impl Drafts {
    pub fn new(lang: Lang) -> Drafts {
        Drafts { lang, ..Default::default() }
    }

    /// Write (Some) or clear (None) the draft; the message to show when it failed.
    pub fn write(&self, store: &Store, bytes: Option<Vec<u8>>, now: bool) -> Result<(), String> {
        if bytes.is_none() && !self.on_disk.get() {
            return Ok(());
        }
        self.on_disk.set(bytes.is_some());
        let bytes = match &self.sink {
            Some(tx) => match tx.send((bytes, now)) {
                Ok(()) => return Ok(()),
                Err(mpsc::SendError((b, _))) => b,
            },
            None => bytes,
        };
        self.write_here(store, bytes)
    }

    /// Write it here and now, past the background writer (before the app quits).
    pub fn write_here(&self, store: &Store, bytes: Option<Vec<u8>>) -> Result<(), String> {
        self.on_disk.set(bytes.is_some());
        store
            .set_local(crate::capture::DRAFT_KEY, bytes.as_deref())
            .map_err(|e| crate::tui::errors::store_error(self.lang, &e))
    }

    /// A meeting was saved: anything the writer still holds is older than the save.
    pub fn saved(&self) {
        if let Some(tx) = &self.sink {
            let _ = tx.send((None, true));
        }
        self.on_disk.set(false);
    }
}
