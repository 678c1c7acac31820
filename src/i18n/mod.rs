//! The label catalogue: every user-visible word of the interface, in Polish (the
//! default) and English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Pl,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_lowercase().as_str() {
            "pl" | "polski" | "pl_pl" | "pl-pl" => Some(Lang::Pl),
            "en" | "english" | "en_gb" | "en_us" | "en-gb" | "en-us" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Look up a label by key. Unknown keys come back as the key itself, so a missing
/// label shows up in the interface instead of crashing it (and a test catches it).
pub fn t(lang: Lang, key: &str) -> &'static str {
    for (k, pl, en) in LABELS {
        if *k == key {
            return match lang {
                Lang::Pl => pl,
                Lang::En => en,
            };
        }
    }
    "?"
}

/// `(key, Polish, English)`.
pub const LABELS: &[(&str, &str, &str)] = &[
    ("id", "id", "id"),
    ("name", "nazwa", "name"),
    ("kind", "rodzaj", "kind"),
    ("category", "kategoria", "category"),
    ("org", "organizacja", "organisation"),
    ("gmina", "gmina", "gmina"),
    ("place", "miejscowość", "place"),
    ("phone", "telefon", "phone"),
    ("email", "e-mail", "e-mail"),
    ("note", "notatka", "note"),
    ("tags", "tagi", "tags"),
    ("type", "typ", "type"),
    ("date", "data", "date"),
    ("time", "godzina", "time"),
    ("hours", "godz.", "hours"),
    ("title", "tytuł", "title"),
    ("attendees", "uczestnicy", "attendees"),
    ("followups", "zadania", "follow-ups"),
    ("due", "termin", "due"),
    ("done", "zrobione", "done"),
    ("meeting", "spotkanie", "meeting"),
    ("description", "opis", "description"),
    ("status", "status", "status"),
    ("contact", "kontakt", "contact"),
    ("leader", "lider", "leader"),
    ("members", "członkowie", "members"),
    ("started", "początek", "started"),
    ("from", "od", "from"),
    ("to", "do", "to"),
    ("since", "od", "since"),
    ("until", "do", "until"),
    ("resources", "zasoby", "resources"),
    ("needs", "potrzeby", "needs"),
    ("partnership", "partnerstwo", "partnership"),
    ("participants", "uczestnicy", "participants"),
    ("meetings", "spotkania", "meetings"),
    ("partnerships", "partnerstwa", "partnerships"),
    ("relations", "relacje", "relations"),
    ("open", "otwarte", "open"),
    ("overdue", "po terminie", "overdue"),
    ("deleted", "usunięty", "deleted"),
    ("role", "rola", "role"),
    ("joined", "dołączył", "joined"),
    ("goals", "cele", "goals"),
    ("memberships", "członkostwa", "memberships"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages() {
        for (k, pl, en) in LABELS {
            assert!(!pl.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(t(Lang::Pl, "place"), "miejscowość");
        assert_eq!(t(Lang::En, "place"), "place");
    }
}
