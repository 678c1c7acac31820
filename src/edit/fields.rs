//! The table of fields each kind of record accepts: names, the type each is checked
//! as, and which are required.

use crate::model::Entity;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Ty {
    Name,
    Text,
    Note,
    Kind,
    Category,
    MeetingType,
    ResourceCategory,
    NeedStatus,
    PartnershipStatus,
    RelationType,
    Date,
    Time,
    Hours,
    Phone,
    Email,
    Bool,
    Lat,
    Lon,
    Ref(Entity),
    RefSet(Entity),
    Tags,
    Orgs,
    Targets,
    /// A set of forms of cooperation (support path areas).
    CoopForms,
    TaskStatus,
    /// A position among siblings (goals of a plan, tasks of a goal).
    Order,
}

pub(super) fn spec(entity: Entity) -> &'static [(&'static str, Ty)] {
    use Ty::*;
    match entity {
        Entity::Participant => &[
            ("kind", Kind),
            ("name", Name),
            ("category", Category),
            ("org", Orgs),
            ("gmina", Text),
            ("place", Text),
            ("phone", Phone),
            ("email", Email),
            ("note", Note),
            ("tags", Tags),
            ("consent_data", Date),
            ("consent_photos", Date),
            ("consent_newsletter", Date),
            ("retention", Date),
        ],
        Entity::Meeting => &[
            ("type", MeetingType),
            ("date", Date),
            ("time", Time),
            ("hours", Hours),
            ("gmina", Text),
            ("place", Text),
            ("title", Text),
            ("attendees", RefSet(Entity::Participant)),
            ("note", Note),
            ("partnership", Ref(Entity::Partnership)),
            ("needs", RefSet(Entity::Need)),
        ],
        Entity::FollowUp => &[
            ("meeting", Ref(Entity::Meeting)),
            ("text", Name),
            ("due", Date),
            ("done", Bool),
            ("owner", Ref(Entity::Participant)),
        ],
        Entity::Resource => &[
            ("category", ResourceCategory),
            ("name", Name),
            ("description", Note),
            ("gmina", Text),
            ("place", Text),
            ("contact", Ref(Entity::Participant)),
            ("tags", Tags),
            ("lat", Lat),
            ("lon", Lon),
        ],
        Entity::Need => &[
            ("description", Note),
            ("category", ResourceCategory),
            ("gmina", Text),
            ("place", Text),
            ("status", NeedStatus),
            ("resources", RefSet(Entity::Resource)),
            ("meeting", Ref(Entity::Meeting)),
        ],
        Entity::Partnership => &[
            ("name", Name),
            ("leader", Ref(Entity::Participant)),
            ("members", RefSet(Entity::Participant)),
            ("started", Date),
            ("meeting", Ref(Entity::Meeting)),
            ("status", PartnershipStatus),
            ("goals", Note),
        ],
        Entity::Relation => &[
            ("from", Ref(Entity::Participant)),
            ("to", Ref(Entity::Participant)),
            ("type", RelationType),
            ("since", Date),
            ("until", Date),
        ],
        Entity::Project => &[("name", Name), ("from", Date), ("to", Date), ("targets", Targets), ("note", Note)],
        Entity::SupportPath => &[
            ("jst", Ref(Entity::Participant)),
            ("animator", Text),
            ("form_received", Date),
            ("form_received_doc", Text),
            ("recruitment_meeting", Date),
            ("recruitment_meeting_doc", Text),
            ("contract", Date),
            ("contract_doc", Text),
            ("diagnosis", Date),
            ("diagnosis_doc", Text),
            ("plan_adopted", Date),
            ("plan_adopted_doc", Text),
            ("implementation", Date),
            ("implementation_doc", Text),
            ("closed", Date),
            ("closed_doc", Text),
            ("forms_jst", CoopForms),
            ("forms_ngo", CoopForms),
            ("forms_residents", CoopForms),
            ("note", Note),
        ],
        Entity::Plan => &[
            ("name", Name),
            ("jst", Ref(Entity::Participant)),
            ("partnership", Ref(Entity::Partnership)),
            ("adopted", Date),
            ("meeting", Ref(Entity::Meeting)),
            ("note", Note),
        ],
        Entity::Goal => &[("plan", Ref(Entity::Plan)), ("name", Name), ("order", Order)],
        Entity::Task => &[
            ("goal", Ref(Entity::Goal)),
            ("name", Name),
            ("owner", Ref(Entity::Participant)),
            ("due", Date),
            ("status", TaskStatus),
            ("done_on", Date),
            ("order", Order),
            ("notes", Note),
            ("meetings", RefSet(Entity::Meeting)),
            ("needs", RefSet(Entity::Need)),
            ("resources", RefSet(Entity::Resource)),
            ("partnerships", RefSet(Entity::Partnership)),
        ],
    }
}

pub(super) fn required(entity: Entity) -> &'static [&'static str] {
    match entity {
        Entity::Participant => &["name"],
        Entity::Meeting => &["type", "date"],
        Entity::FollowUp => &["text"],
        Entity::Resource => &["name", "category"],
        Entity::Need => &["description"],
        Entity::Partnership => &["name"],
        Entity::Relation => &["from", "to", "type"],
        Entity::Project => &["name"],
        Entity::SupportPath => &["jst"],
        Entity::Plan => &["name"],
        Entity::Goal => &["plan", "name"],
        Entity::Task => &["goal", "name"],
    }
}

/// The field names an entity accepts, for help and error messages.
pub fn field_names(entity: Entity) -> Vec<&'static str> {
    spec(entity).iter().map(|(n, _)| *n).collect()
}
