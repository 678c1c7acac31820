//! The closed vocabularies of the field: participant categories, meeting types,
//! resource categories, statuses and relation types.
//!
//! Each code has a stable English code (used in `--json`, `--set` and the log), a
//! Polish and an English label, and the Polish names and abbreviations that users type
//! (`OPS` → `welfare`). Input is matched after folding, so `Osoba fizyczna`,
//! `osoba fizyczna` and `OSOBA FIZYCZNA` are the same.

use crate::search::fold;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Error for a code that is not in its list: names the list and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{given}'; use one of: {accepted}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub given: String,
    pub accepted: String,
}

impl UnknownCode {
    /// The message in the interface language.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        match lang {
            crate::i18n::Lang::En => self.to_string(),
            crate::i18n::Lang::Pl => {
                format!("nieznana wartość '{}' ({}); dostępne: {}", self.given, self.what, self.accepted)
            }
        }
    }
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $variant:ident => $code:literal, $pl:literal, $en:literal, [$($alias:literal),*] ; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as in `--json` and on the command line.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The label in Polish (`pl`) or English (anything else).
            pub fn label(self, lang: crate::i18n::Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, crate::i18n::Lang::Pl) => $pl,
                      ($name::$variant, crate::i18n::Lang::En) => $en,)+
                }
            }

            /// Parse a code, a Polish or English label, or a usual abbreviation.
            pub fn parse(input: &str) -> Result<Self, UnknownCode> {
                // Codes first, without folding every label: imports parse a code per row.
                $(
                    if input == $code {
                        return Ok($name::$variant);
                    }
                )+
                let f = fold(input.trim());
                let f = f.replace('_', "-");
                $(
                    if f == $code || f == fold($pl) || f == fold($en) $(|| f == fold($alias))* {
                        return Ok($name::$variant);
                    }
                )+
                Err(UnknownCode {
                    what: $what,
                    given: input.to_string(),
                    accepted: [$($code),+].join(", "),
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum! {
    /// Who the animator works with (DOMAIN.md, seed 000).
    Category, "category" {
        Person => "person", "osoba fizyczna", "private individual", ["osoba", "mieszkaniec", "mieszkanka", "os. fiz."];
        Pes => "pes", "przedstawiciel PES", "social-economy entity", ["podmiot ekonomii spolecznej", "stowarzyszenie", "fundacja", "cis", "kis", "zaz", "wtz", "spoldzielnia socjalna"];
        Ps => "ps", "przedstawiciel PS", "social enterprise", ["przedsiebiorstwo spoleczne"];
        Labour => "labour", "instytucja rynku pracy", "labour-market institution", ["pup", "urzad pracy", "irp", "labor"];
        Welfare => "welfare", "OPS / PCPR", "social welfare centre", ["ops", "pcpr", "mops", "gops", "mgops", "pomoc spoleczna"];
        Jst => "jst", "JST i jej jednostki", "local government", ["gmina", "powiat", "samorzad", "urzad gminy", "urzad miasta", "lgu"];
        Business => "business", "lokalne przedsiębiorstwo", "local business", ["firma", "przedsiebiorstwo", "przedsiebiorca", "biznes"];
        Media => "media", "media", "local media", ["prasa", "radio"];
        Ngo => "ngo", "organizacja pozarządowa", "NGO", ["organizacja", "op"];
        Informal => "informal", "grupa nieformalna", "informal group", ["grupa", "kgw", "kolo gospodyn wiejskich"];
        Other => "other", "inne", "other", ["parafia", "szkola", "spoldzielnia mieszkaniowa", "inna"];
    }
}

code_enum! {
    /// Whether a participant is a person or an organisation.
    Kind, "kind" {
        Person => "person", "osoba", "person", ["os", "p"];
        Org => "org", "organizacja", "organisation", ["organization", "instytucja", "o"];
    }
}

code_enum! {
    /// What kind of meeting or activity (DOMAIN.md).
    MeetingType, "meeting type" {
        Individual => "individual", "spotkanie indywidualne", "individual meeting", ["indywidualne", "indywidualna"];
        Group => "group", "spotkanie grupowe", "group meeting", ["grupowe", "grupowa"];
        Diagnosis => "diagnosis", "diagnoza", "diagnosis", ["badanie potrzeb", "mapa zasobow"];
        Workshop => "workshop", "warsztaty partnerstw", "partnership workshop", ["warsztaty", "warsztat"];
        StudyVisit => "study-visit", "wizyta studyjna", "study visit", ["wizyta"];
        Consultation => "consultation", "konsultacje społeczne", "public consultation", ["konsultacje", "dialog"];
        Training => "training", "szkolenie", "training", ["szkolenia"];
        Advice => "advice", "doradztwo", "specialist advice", ["doradztwo specjalistyczne", "porada"];
        Neighbourhood => "neighbourhood", "akcja sąsiedzka", "neighbourhood action", ["akcja", "neighborhood"];
        Forum => "forum", "forum", "forum", ["forum regionalne"];
        Other => "other", "inne", "other", ["inna"];
    }
}

code_enum! {
    /// The six ABCD categories of a local resource map.
    ResourceCategory, "resource category" {
        People => "people", "ludzie i umiejętności", "people and skills", ["ludzie", "umiejetnosci"];
        Organisations => "organisations", "organizacje i instytucje", "organisations and institutions", ["organizacje", "instytucje", "organizations"];
        Places => "places", "miejsca i infrastruktura", "places and infrastructure", ["miejsca", "infrastruktura"];
        Heritage => "heritage", "dziedzictwo przyrodnicze i kulturowe", "natural and cultural heritage", ["dziedzictwo", "przyroda", "kultura"];
        Products => "products", "lokalne produkty i usługi", "local products and services", ["produkty", "uslugi"];
        Funding => "funding", "źródła finansowania", "funding sources", ["finanse", "fundusze", "dotacje"];
    }
}

code_enum! {
    /// Where a need stands.
    NeedStatus, "need status" {
        Open => "open", "otwarta", "open", ["otwarte", "nowa"];
        InProgress => "in-progress", "w trakcie", "in progress", ["w realizacji"];
        Answered => "answered", "zaspokojona", "answered", ["zrealizowana", "done"];
        Dropped => "dropped", "porzucona", "dropped", ["odrzucona"];
    }
}

code_enum! {
    /// Where a partnership stands.
    PartnershipStatus, "partnership status" {
        Forming => "forming", "w tworzeniu", "forming", ["tworzone"];
        Active => "active", "aktywne", "active", ["aktywny", "dziala"];
        Paused => "paused", "zawieszone", "paused", ["zawieszony"];
        Closed => "closed", "zakończone", "closed", ["zakonczony", "rozwiazane"];
    }
}

code_enum! {
    /// A typed link between two participants.
    RelationType, "relation type" {
        Cooperates => "cooperates", "współpracuje", "cooperates", ["wspolpraca"];
        MemberOf => "member-of", "członek", "member of", ["czlonkostwo", "nalezy"];
        Funds => "funds", "finansuje", "funds", ["finansowanie"];
        Leads => "leads", "prowadzi", "leads", ["kieruje"];
        Knows => "knows", "zna", "knows", ["znajomosc"];
        Supports => "supports", "wspiera", "supports", ["wsparcie"];
        Other => "other", "inna", "other", ["inne"];
    }
}

code_enum! {
    /// The stages of a municipality's support path (seed 002), in the order they come.
    PathStage, "path stage" {
        FormReceived => "form-received", "formularz rekrutacyjny", "recruitment form received", ["formularz", "zgloszenie"];
        RecruitmentMeeting => "recruitment-meeting", "spotkanie rekrutacyjne", "recruitment meeting", ["rekrutacja"];
        Contract => "contract", "umowa uczestnictwa", "participation contract signed", ["umowa", "kontrakt", "contract-signed"];
        Diagnosis => "diagnosis", "diagnoza", "diagnosis", ["diagnoza potrzeb"];
        PlanAdopted => "plan-adopted", "plan działania przyjęty", "action plan adopted", ["plan", "plan dzialania"];
        Implementation => "implementation", "realizacja", "in implementation", ["w realizacji", "wdrazanie"];
        Closed => "closed", "zakończona", "closed", ["zakonczenie", "koniec"];
    }
}

code_enum! {
    /// The three areas of work of the municipality path (seed 002).
    WorkArea, "area of work" {
        Jst => "jst", "współpraca z JST", "with the municipality's office", ["samorzad", "urzad"];
        Ngo => "ngo", "współpraca z NGO", "with NGOs", ["organizacje", "ngos"];
        Residents => "residents", "grupy nieformalne i mieszkańcy", "informal groups and residents", ["grupy", "mieszkancy", "grupy nieformalne"];
    }
}

code_enum! {
    /// The forms of cooperation the offer lists (seed 002), chosen per area of work.
    CoopForm, "form of cooperation" {
        ModelDiagnosis => "model-diagnosis", "diagnoza Modelem Współpracy", "diagnosis by the Model Współpracy", ["model wspolpracy", "diagnoza wspolpracy"];
        AnnualProgramme => "annual-programme", "roczny program współpracy", "annual cooperation programme", ["program roczny", "program wspolpracy"];
        MultiYearProgramme => "multi-year-programme", "wieloletni program współpracy", "multi-year cooperation programme", ["program wieloletni"];
        Regranting => "regranting", "regranting", "regranting", [];
        PartnershipProjects => "partnership-projects", "projekty partnerskie", "partnership projects", ["projekt partnerski"];
        PremisesPolicy => "premises-policy", "polityka lokalowa", "premises policy", ["lokale"];
        OpenCompetitions => "open-competitions", "otwarte konkursy ofert", "open competitions", ["konkursy", "konkurs ofert"];
        Rdpp => "rdpp", "Rada Działalności Pożytku Publicznego", "public benefit council", ["rada pozytku", "rada dzialalnosci pozytku publicznego"];
        SeniorsCouncil => "seniors-council", "Rada Seniorów", "seniors' council", ["rada seniorow"];
        YouthCouncil => "youth-council", "Rada Młodzieży", "youth council", ["rada mlodziezy", "mlodziezowa rada gminy"];
        LocalPartnership => "local-partnership", "lokalne partnerstwo rozwojowe", "local development partnership", ["partnerstwo", "koalicja"];
        LocalInitiative => "local-initiative", "inicjatywa lokalna", "local initiative rules", ["inicjatywa"];
        CitizenBudget => "citizen-budget", "budżet obywatelski", "citizen budget", ["budzet partycypacyjny"];
        Microgrants => "microgrants", "mikrogranty", "microgrants", ["mikrogrant"];
        TourismProduct => "tourism-product", "sieciowy produkt turystyczny", "network tourism product", ["produkt sieciowy", "turystyka"];
        Trainings => "trainings", "szkolenia", "trainings", ["szkolenie", "cykl edukacyjny"];
        StudyVisits => "study-visits", "wizyty studyjne", "study visits", ["wizyta studyjna"];
        SpecialistAdvice => "specialist-advice", "doradztwo specjalistyczne", "specialist advice", ["doradztwo"];
        Consultations => "consultations", "konsultacje społeczne", "public consultations", ["konsultacje"];
        NgoCentre => "ngo-centre", "Centrum Organizacji Pozarządowych", "NGO centre", ["centrum organizacji", "centrum spolecznosciowe"];
        ResourceMap => "resource-map", "mapa zasobów i badanie potrzeb", "resource map and needs survey", ["mapa zasobow", "badanie potrzeb"];
        AnimatorMeetings => "animator-meetings", "spotkania z animatorem", "meetings with the animator", ["spotkania z animatorem", "animacja"];
    }
}

code_enum! {
    /// Where a task of an action plan stands.
    TaskStatus, "task status" {
        Todo => "todo", "do zrobienia", "to do", ["nowe", "otwarte", "open"];
        InProgress => "in-progress", "w trakcie", "in progress", ["w realizacji"];
        Done => "done", "zrobione", "done", ["wykonane", "gotowe", "zrobiony"];
        Dropped => "dropped", "porzucone", "dropped", ["anulowane", "porzucony"];
    }
}

impl PathStage {
    /// The support path's field holding this stage's date; `<field>_doc` holds its
    /// document reference.
    pub fn field(self) -> &'static str {
        match self {
            PathStage::FormReceived => "form_received",
            PathStage::RecruitmentMeeting => "recruitment_meeting",
            PathStage::Contract => "contract",
            PathStage::Diagnosis => "diagnosis",
            PathStage::PlanAdopted => "plan_adopted",
            PathStage::Implementation => "implementation",
            PathStage::Closed => "closed",
        }
    }

    pub fn doc_field(self) -> &'static str {
        match self {
            PathStage::FormReceived => "form_received_doc",
            PathStage::RecruitmentMeeting => "recruitment_meeting_doc",
            PathStage::Contract => "contract_doc",
            PathStage::Diagnosis => "diagnosis_doc",
            PathStage::PlanAdopted => "plan_adopted_doc",
            PathStage::Implementation => "implementation_doc",
            PathStage::Closed => "closed_doc",
        }
    }
}

impl WorkArea {
    /// The support path's set field holding this area's forms of cooperation.
    pub fn field(self) -> &'static str {
        match self {
            WorkArea::Jst => "forms_jst",
            WorkArea::Ngo => "forms_ngo",
            WorkArea::Residents => "forms_residents",
        }
    }
}

impl Category {
    /// The kind a participant of this category usually is.
    pub fn default_kind(self) -> Kind {
        match self {
            Category::Person => Kind::Person,
            _ => Kind::Org,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_and_polish_names_are_accepted() {
        assert_eq!(Category::parse("OPS"), Ok(Category::Welfare));
        assert_eq!(Category::parse("JST"), Ok(Category::Jst));
        assert_eq!(Category::parse("PES"), Ok(Category::Pes));
        assert_eq!(Category::parse("Osoba fizyczna"), Ok(Category::Person));
        assert_eq!(Category::parse("organizacja pozarządowa"), Ok(Category::Ngo));
        assert_eq!(MeetingType::parse("Wizyta studyjna"), Ok(MeetingType::StudyVisit));
        assert_eq!(MeetingType::parse("study_visit"), Ok(MeetingType::StudyVisit));
        assert_eq!(ResourceCategory::parse("źródła finansowania"), Ok(ResourceCategory::Funding));
    }

    #[test]
    fn unknown_code_lists_the_accepted_ones() {
        let e = Category::parse("xyz").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("unknown category 'xyz'"), "{msg}");
        assert!(msg.contains("welfare"), "{msg}");
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.code()), Ok(*c));
        }
        for t in MeetingType::ALL {
            assert_eq!(MeetingType::parse(t.code()), Ok(*t));
        }
        for r in RelationType::ALL {
            assert_eq!(RelationType::parse(r.code()), Ok(*r));
        }
    }
}
