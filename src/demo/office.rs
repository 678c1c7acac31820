//! A neighbouring office for the demo: met through one bundle, so that the sync
//! screen, `teren office` and `teren conflicts` have something to show. It edited
//! the notes of two demo people that this office edited too, without either seeing
//! the other's text: two open conflicts, resolved like real ones.
//!
//! The neighbour is paired for that one bundle and then forgotten (`teren office
//! forget`): it never acknowledges anything, so it must not hold this office's bundles
//! back nor be a reader of them. Its notes stay.

use crate::bundle::{self, BundleError, Encrypt, ImportOptions, Keys};
use crate::model::Entity;
use crate::store::{Draft, Store};
use crate::sync::{Change, Value};

/// The neighbour's label, and its notes (this office's first, then the neighbour's).
pub const NEIGHBOUR: &str = "Biuro Dobiegniew";
const NOTES: &[(&str, &str, &str)] = &[
    (
        "Anna Kowalska",
        "Chce założyć Koło Gospodyń Wiejskich w Ługach; zebranie założycielskie po żniwach.",
        "Pyta o warsztaty z rękodzieła dla seniorów; ma salę w remizie na czwartki.",
    ),
    (
        "Jan Nowak",
        "Sołtys: zgoda na świetlicę w soboty, klucze u niego.",
        "Zgłosił potrzebę: transport na spotkania w gminie dla 6 osób.",
    ),
];

/// Meet the neighbour: it writes its notes in a database of its own (a temporary file,
/// removed after), this office writes its own, then imports the neighbour's bundle.
/// Returns the number of conflicts made. The bundle never leaves memory, so it is not
/// encrypted.
pub fn neighbour(store: &Store) -> Result<usize, BundleError> {
    // Met already (a second `teren demo` on the same database): a new neighbour under
    // the same name would be refused as an unknown key, rightly.
    if store.peers()?.iter().any(|(_, p)| p.label == NEIGHBOUR) {
        return Ok(0);
    }
    let mut targets = Vec::new();
    store.for_each_doc(Entity::Participant, |id, doc| {
        let name = crate::edit::display_name(Entity::Participant, id, &doc);
        if let Some(n) = NOTES.iter().position(|(who, ..)| *who == name)
            && !targets.iter().any(|(k, _)| *k == n)
        {
            targets.push((n, id));
        }
    })?;
    if targets.is_empty() {
        return Ok(0);
    }
    let path = std::env::temp_dir().join(format!("teren-demo-neighbour-{}.redb", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let other = Store::open(&path)?;
        other.set_office(NEIGHBOUR)?;
        let theirs: Vec<Draft> = targets
            .iter()
            .map(|(n, id)| {
                Draft::new(Entity::Participant, *id, vec![Change::write("note", Value::Str(NOTES[*n].2.into()))])
            })
            .collect();
        other.commit(theirs)?;
        let b = bundle::export(&other, &Keys::load(&other)?, &Default::default(), &Encrypt::None)?;
        drop(other);
        // This office's notes come a moment later, so they are the ones shown until the
        // conflicts are resolved (the same on every run: the demo is reproducible).
        std::thread::sleep(std::time::Duration::from_millis(3));
        let ours: Vec<Draft> = targets
            .iter()
            .map(|(n, id)| {
                Draft::new(Entity::Participant, *id, vec![Change::write("note", Value::Str(NOTES[*n].1.into()))])
            })
            .collect();
        store.commit(ours)?;
        bundle::pair_header(store, &b.header)?;
        bundle::import(store, &Keys::load(store)?, &b.bytes, &ImportOptions::default())?;
        bundle::forget(store, b.header.sender)?;
        Ok(targets.len())
    })();
    let _ = std::fs::remove_file(&path);
    result
}
