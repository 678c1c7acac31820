//! The audit log of personal-data operations (DESIGN.md §7): who (this office),
//! when, what kind and how many records — never the data itself. Local to this
//! database: it is not an op, is not synced and is not in `dump`.
//!
//! Also the local secret that keys pseudonyms, so that a pseudonymised export gives
//! the same pseudonym to the same record on every run against this database, and no
//! one without the database can turn a pseudonym back into an id.

use super::{META, Result, Store, StoreError, corrupt};
use crate::sync::Hlc;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

/// `seq` → encoded [`AuditEntry`].
pub(super) const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

/// One audited operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Milliseconds since the epoch (wall clock of this machine).
    pub at_ms: u64,
    /// The office label and replica that did it.
    pub office: String,
    pub replica: String,
    /// `export`, `subject-export`, `erase`, `import`, …
    pub action: String,
    /// What kind of records and how (`participants csv pseudonymised`); no personal data.
    pub detail: String,
    /// How many records.
    pub records: u64,
}

/// Append an encoded entry to the audit log in `tx`.
pub(super) fn append_audit(tx: &redb::WriteTransaction, bytes: &[u8]) -> Result<()> {
    let mut table = tx.open_table(AUDIT)?;
    let next = table.last()?.map_or(1, |(k, _)| k.value() + 1);
    table.insert(next, bytes)?;
    Ok(())
}

impl Store {
    /// Append an entry to the audit log; the office and time are filled in here.
    pub fn audit(&self, action: &str, detail: &str, records: u64) -> Result<AuditEntry> {
        let (entry, bytes) = self.audit_entry(action, detail, records)?;
        let tx = self.db.begin_write()?;
        append_audit(&tx, &bytes)?;
        tx.commit()?;
        Ok(entry)
    }

    /// [`Store::commit`] and its audit entry in one transaction: an erasure is never
    /// saved without its entry, nor the entry without it.
    pub fn commit_audited(&self, drafts: Vec<super::Draft>, action: &str, detail: &str, records: u64) -> Result<()> {
        let (_, bytes) = self.audit_entry(action, detail, records)?;
        self.write_drafts_audited(drafts, &bytes)
    }

    fn audit_entry(&self, action: &str, detail: &str, records: u64) -> Result<(AuditEntry, Vec<u8>)> {
        let entry = AuditEntry {
            at_ms: Hlc::now_millis(),
            office: self.office()?,
            replica: self.replica().to_string(),
            action: action.to_string(),
            detail: detail.to_string(),
            records,
        };
        let bytes = serde_json::to_vec(&entry).map_err(|e| StoreError::Db(e.to_string()))?;
        Ok((entry, bytes))
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let tx = self.db.begin_read()?;
        let table = match tx.open_table(AUDIT) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for e in table.iter()? {
            let (k, v) = e?;
            out.push(
                serde_json::from_slice(v.value()).map_err(|e| corrupt(format!("audit entry {}: {e}", k.value())))?,
            );
        }
        Ok(out)
    }

    /// A 32-byte secret of this database, made on first use and never exported.
    pub fn local_secret(&self, name: &str) -> Result<[u8; 32]> {
        let key = format!("secret:{name}");
        {
            let tx = self.db.begin_read()?;
            let meta = tx.open_table(META)?;
            if let Some(v) = meta.get(key.as_str())?
                && let Ok(k) = <[u8; 32]>::try_from(v.value())
            {
                return Ok(k);
            }
        }
        let mut secret = [0u8; 32];
        secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        let tx = self.db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            // Another writer may have made it between the two transactions.
            if let Some(v) = meta.get(key.as_str())?
                && let Ok(k) = <[u8; 32]>::try_from(v.value())
            {
                secret = k;
            }
            meta.insert(key.as_str(), secret.as_slice())?;
        }
        tx.commit()?;
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_entries_append_in_order_and_secrets_stay() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.redb")).unwrap();
        assert!(store.audit_log().unwrap().is_empty());
        store.audit("export", "participants csv", 12).unwrap();
        store.audit("subject-export", "participant", 1).unwrap();
        let log = store.audit_log().unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!((log[0].action.as_str(), log[0].records), ("export", 12));
        assert_eq!(log[1].office, store.office().unwrap());
        let k = store.local_secret("pseudonyms").unwrap();
        assert_eq!(store.local_secret("pseudonyms").unwrap(), k);
        assert_ne!(store.local_secret("other").unwrap(), k);
    }
}
