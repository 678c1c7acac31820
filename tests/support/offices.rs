//! Offices as the core sees them, without the app: a database in a temp dir with its
//! keys, one office pairing another as `teren office pair` does, and an office's data
//! as `teren dump --json` prints it.

use teren::bundle::{self, ImportOptions, Keys};
use teren::store::Store;

/// One office's database, in a temp dir kept while the test runs, and its keys.
pub struct Replica {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub keys: Keys,
}

/// A new office called `label`.
pub fn replica(label: &str) -> Replica {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("teren.redb")).unwrap();
    store.set_office(label).unwrap();
    let keys = Keys::load(&store).unwrap();
    Replica { dir, store, keys }
}

/// `a` pairs `b`: as `teren office pair` does with b's introduction, its fingerprint
/// confirmed.
pub fn pair(a: &Store, b: &Store) {
    let kb = Keys::load(b).unwrap();
    let intro = bundle::introduction(b, &kb).unwrap();
    let fp = bundle::fingerprint(&kb.sign_public());
    bundle::pair_file(a, &Keys::load(a).unwrap(), &intro.bytes, &fp, &ImportOptions::default()).unwrap();
}

/// The office's data as `teren dump --json` prints it, for comparing offices.
pub fn dump(store: &Store) -> String {
    serde_json::to_string_pretty(&teren::dump::dump(store).unwrap()).unwrap()
}
