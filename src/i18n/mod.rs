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
    ("since", "od dnia", "since"),
    ("until", "do dnia", "until"),
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
    ("last_contact", "ostatni kontakt", "last contact"),
    ("details", "szczegóły", "details"),
    ("nothing_found", "Nic nie znaleziono.", "Nothing found."),
    ("demo_loaded", "Wczytano dane demonstracyjne", "Demo data loaded"),
    ("undo", "cofnij", "undo"),
    ("restored", "Przywrócono", "Restored"),
    ("edit_participant", "Edycja uczestnika", "Edit participant"),
    ("new_participant", "Nowy uczestnik", "New participant"),
    ("fix_errors", "Popraw zaznaczone pola", "Fix the marked fields"),
    ("saved", "Zapisano", "Saved"),
    ("too_small", "Terminal za mały — powiększ okno", "Terminal too small — enlarge the window"),
    ("mode_form", "FORMULARZ", "FORM"),
    ("mode_popup", "OKNO", "DIALOG"),
    ("mode_search", "SZUKAJ", "SEARCH"),
    ("mode_list", "LISTA", "LIST"),
    ("ctx_global", "Wszędzie", "Everywhere"),
    ("ctx_list", "Listy", "Lists"),
    ("ctx_participants", "Uczestnicy", "Participants"),
    ("ctx_form", "Formularz", "Form"),
    ("ctx_search", "Wyszukiwanie", "Search"),
    ("ctx_popup", "Okna", "Dialogs"),
    ("help", "Pomoc", "Help"),
    ("duplicate", "Możliwy duplikat", "Possible duplicate"),
    (
        "duplicate_warning",
        "Taki uczestnik już jest (ta sama nazwa i miejscowość):",
        "A participant with this name and place exists:",
    ),
    (
        "duplicate_keys",
        "Enter: otwórz istniejącego   a: dodaj mimo to   Esc: wróć",
        "Enter: open the existing one   a: add anyway   Esc: back",
    ),
    ("delete", "usuń", "delete"),
    ("delete_q", "Usunąć", "Delete"),
    ("confirm_keys", "Enter: tak   Esc: nie", "Enter: yes   Esc: no"),
    ("welcome", "Witaj w teren", "Welcome to teren"),
    ("first_run", "Baza jest pusta.", "The database is empty."),
    (
        "first_run_keys",
        "d: wczytaj dane demonstracyjne   a: dodaj pierwszego uczestnika   Esc: zamknij",
        "d: load demo data   a: add a first participant   Esc: close",
    ),
    (
        "form_keys",
        "Ctrl-S: zapisz   Enter/Tab: następne pole   Esc: anuluj",
        "Ctrl-S: save   Enter/Tab: next field   Esc: cancel",
    ),
    ("noop", "nic", "nothing"),
    ("quit", "koniec", "quit"),
    ("suspend", "wstrzymaj", "suspend"),
    ("next_pane", "następny panel", "next pane"),
    ("prev_pane", "poprzedni panel", "previous pane"),
    ("down", "w dół", "down"),
    ("up", "w górę", "up"),
    ("page_down", "strona w dół", "page down"),
    ("page_up", "strona w górę", "page up"),
    ("top", "początek", "top"),
    ("bottom", "koniec listy", "bottom"),
    ("search", "szukaj", "search"),
    ("clear", "wyczyść", "clear"),
    ("add", "dodaj", "add"),
    ("edit", "edytuj", "edit"),
    ("sort", "sortuj", "sort"),
    ("filter_category", "filtr kategorii", "category filter"),
    ("filter_gmina", "filtr gminy", "gmina filter"),
    ("save", "zapisz", "save"),
    ("next_field", "następne pole", "next field"),
    ("prev_field", "poprzednie pole", "previous field"),
    ("cancel", "anuluj", "cancel"),
    ("confirm", "zatwierdź", "confirm"),
    ("open_record", "otwórz", "open"),
    // Meetings pane and quick capture.
    ("ctx_meetings", "Spotkania", "Meetings"),
    ("capture", "notatka ze spotkania", "capture a meeting"),
    ("filter_type", "filtr typu", "type filter"),
    ("filter_open", "z otwartymi zadaniami", "with open follow-ups"),
    ("toggle_done", "zrobione/niezrobione", "done/undo"),
    ("next_item", "następna pozycja", "next item"),
    ("prev_item", "poprzednia pozycja", "previous item"),
    ("followups_view", "lista zadań", "follow-ups list"),
    ("open_followups", "otwarte zadania", "open follow-ups"),
    ("no_open_followups", "Brak otwartych zadań.", "No open follow-ups."),
    ("hours_short", "godz", "hrs"),
    ("attendees_short", "os.", "ppl"),
    ("open_short", "zad.", "f-u"),
    ("new_meeting", "Nowe spotkanie", "New meeting"),
    ("new_person", "nowy", "new"),
    ("attendee_search", "szukaj", "search"),
    ("attendee_keys", "Enter: dodaj  Bksp: usuń ostatnią", "Enter: add  Bksp: remove the last"),
    ("notes_help", "Zadania: wiersz „- [ ] tekst @rrrr-mm-dd”", "Follow-ups: a line \"- [ ] text @yyyy-mm-dd\""),
    ("type_keys", "←/→: zmień", "←/→: change"),
    ("meeting_saved", "Zapisano spotkanie", "Meeting saved"),
    ("followup_done", "Zadanie zrobione", "Follow-up done"),
    ("followup_reopened", "Zadanie znów otwarte", "Follow-up reopened"),
    ("discard", "Porzucić", "Discard"),
    ("discard_q", "Porzucić tę notatkę?", "Discard this note?"),
    ("discard_keys", "Enter: porzuć   Esc: wróć do formularza", "Enter: discard   Esc: back to the form"),
    ("draft_found", "Niezapisana notatka ze spotkania", "An unsaved meeting note"),
    ("participant", "uczestnik", "participant"),
    ("attendance_sheet", "Lista obecności", "Attendance sheet"),
    ("number", "Lp.", "No."),
    ("signature", "podpis", "signature"),
    ("draft_keys", "Enter: wróć do niej   d: porzuć   Esc: później", "Enter: resume   d: discard   Esc: later"),
    ("enter_more", "wszystkie: Enter", "all of them: Enter"),
    // The partnership graph (pane 4, `teren graph`).
    ("why_meetings", "spotkania razem: {n}", "{n} meetings together"),
    ("why_both_in", "oboje w:", "both in"),
    ("why_since", "od", "since"),
    ("why_member", "członek", "member"),
    ("ctx_graph", "Sieć współpracy", "Partnership graph"),
    ("ctx_resources", "Zasoby", "Resources"),
    ("ctx_plans", "Plany działania", "Action plans"),
    ("ctx_report", "Raport", "Report"),
    ("ctx_sync", "Synchronizacja", "Sync"),
    ("ctx_import", "Import", "Import"),
    ("plans", "Plany", "Plans"),
    ("report", "Raport", "Report"),
    // The support path and the action plan (pane 5, `teren path`, `teren plan`).
    ("yes", "tak", "yes"),
    ("plan_title", "Plan Działania", "Action plan"),
    ("plan_plan", "plan", "plan"),
    ("plan_path", "ścieżka", "path"),
    ("plan_no_stage", "bez etapu", "no stage yet"),
    ("plan_animator", "animator", "animator"),
    ("plan_forms", "formy współpracy", "forms of cooperation"),
    ("plan_area_residents_short", "mieszk.", "resid."),
    ("plan_done_short", "zrobione", "done"),
    ("plan_municipality", "gmina (JST)", "municipality"),
    ("plan_adopted", "Przyjęty", "Adopted"),
    ("plan_progress", "Postęp", "Progress"),
    ("plan_as_of", "Stan na", "As of"),
    ("plan_no_tasks", "brak zadań", "no tasks"),
    ("plan_goal", "cel", "goal"),
    ("plan_goals", "cele", "goals"),
    ("plan_task", "zadanie", "task"),
    ("plan_tasks", "zadania", "tasks"),
    ("plan_owner", "odpowiedzialny", "owner"),
    ("plan_links", "powiązane", "linked"),
    ("plan_notes", "uwagi", "notes"),
    ("plan_done_on", "zrobione dnia", "done on"),
    (
        "plan_none",
        "Brak planów działania. Dodaj: teren plan add --jst GMINA --name NAZWA",
        "No action plans. Add one: teren plan add --jst GMINA --name NAME",
    ),
    ("plan_all", "wszystkie", "all"),
    ("plan_filter_owner", "odpowiedzialny", "owner"),
    ("plan_filter_status", "status", "status"),
    ("plan_filter_due", "termin", "due"),
    ("plan_due_overdue", "po terminie", "overdue"),
    ("plan_due_30", "do 30 dni", "within 30 days"),
    ("plan_due_none", "bez terminu", "no due date"),
    ("plan_exported", "Plan zapisany do {file}", "Plan written to {file}"),
    (
        "plan_export_failed",
        "Nie można zapisać {file} ({why}); sprawdź katalog i uprawnienia.",
        "Cannot write {file} ({why}); check the folder and its permissions.",
    ),
    ("plan_ticked", "Zadanie: {status}", "Task: {status}"),
    ("plan_first", "To już pierwsze miejsce.", "Already first."),
    ("plan_last", "To już ostatnie miejsce.", "Already last."),
    ("plan_new_task", "Nowe zadanie", "New task"),
    ("plan_edit_task", "Edycja zadania", "Edit task"),
    ("plan_new_goal", "Nowy cel", "New goal"),
    ("plan_edit_goal", "Edycja celu", "Edit goal"),
    ("plan_add_goal_first", "Najpierw dodaj cel (A).", "Add a goal first (A)."),
    ("plan_status_overdue", "zadań planów po terminie: {n}", "plan tasks overdue: {n}"),
    ("plan_conflict", "konflikt uwag", "notes conflict"),
    ("plans_section", "Ścieżka JST i plany działania", "Municipality path and action plans"),
    ("plan_recruited", "gminy zrekrutowane", "municipalities recruited"),
    ("plan_contracts", "umowy uczestnictwa podpisane", "participation contracts signed"),
    ("plans_adopted", "plany działania przyjęte", "action plans adopted"),
    ("plan_tasks_done", "zadania zrobione", "tasks done"),
    ("plan_tasks_on_time", "w tym w terminie", "of them on time"),
    ("sync_screen", "Synchronizacja", "Sync"),
    ("import_screen", "Import z arkusza", "Import a spreadsheet"),
    ("graph_orgs", "organizacje", "organisations"),
    ("graph_computing", "liczę…", "computing…"),
    ("graph_degree_short", "st.", "deg"),
    ("graph_betweenness_short", "pośr.", "betw"),
    ("graph_closeness_short", "blisk.", "clos"),
    ("graph_metrics", "miary", "metrics"),
    ("graph_cut", "punkt cięcia", "cut vertex"),
    ("graph_ego", "sieć", "network"),
    ("graph_one_hop", "1 krok", "1 hop"),
    ("graph_two_hops", "2 kroki", "2 hops"),
    ("graph_now", "dziś", "now"),
    ("graph_as_of", "stan na", "as of"),
    ("graph_neighbours", "sąsiedzi wg wagi", "neighbours by weight"),
    ("graph_no_ties", "Brak powiązań.", "No ties."),
    ("graph_structure", "mosty, izolowani, grupy", "bridges, isolated, groups"),
    ("graph_bridges", "Mosty (pośrednictwo)", "Bridges (betweenness)"),
    ("graph_none", "brak", "none"),
    ("graph_isolated", "Izolowani", "Isolated"),
    ("graph_groups", "Grupy", "Groups"),
    ("graph_orgs_short", "org.", "orgs"),
    ("graph_links_short", "pow.", "links"),
    ("graph_hops", "1/2 kroki", "1/2 hops"),
    ("graph_structure_view", "mosty i izolowani", "bridges and isolated"),
    ("graph_month_back", "miesiąc wstecz", "a month back"),
    ("graph_month_forward", "miesiąc naprzód", "a month forward"),
    ("graph_filter_partnership", "filtr partnerstwa", "partnership filter"),
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
        let mut keys: Vec<&str> = LABELS.iter().map(|l| l.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "a label key is defined twice");
    }
}
