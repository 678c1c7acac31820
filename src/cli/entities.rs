//! `participant`, `meeting`, `followup(s)`, `resource`, `need`, `partnership` and
//! `relation`: add, list, show, edit, delete, restore.

use super::ListArgs;
use super::output::{Table, json};
use crate::dump::{self, Names};
use crate::edit::{self, EditError};
use crate::i18n::{Lang, t};
use crate::model::*;
use crate::search;
use crate::store::{Draft, Store};
use crate::sync::Change;
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::io::Write;

/// Show, edit, delete and restore: the same for every record type.
#[derive(Subcommand, Debug)]
pub enum Common {
    /// Show one record (by id prefix or unique name).
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change fields: --set FIELD=VALUE, repeatable; an empty VALUE clears the field.
    Edit {
        id: String,
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
    },
    /// Delete a record (it can be restored).
    Delete { id: String },
    /// Restore a deleted record.
    Restore { id: String },
}

#[derive(Subcommand, Debug)]
pub enum ParticipantCmd {
    /// Add a person or an organisation.
    Add(ParticipantAdd),
    /// List participants, optionally searched (folded, fuzzy) and filtered.
    List {
        /// Fuzzy search: `lodz` finds Łódź, `kowalska anna` finds Anna Kowalska.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, value_name = "CODE")]
        category: Option<String>,
        #[arg(long)]
        gmina: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Everything held about one participant, as JSON (RODO right of access).
    Export {
        id: String,
        /// Write to this file instead of printing.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// Participants kept past their retention date.
    Retention {
        /// Check as of this date (default: today).
        #[arg(long, value_name = "DATE")]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Common(Common),
}

#[derive(Args, Debug)]
pub struct ParticipantAdd {
    /// Full name ("Anna Kowalska", "OPS Dobiegniew").
    #[arg(long)]
    name: String,
    /// person or org (default: from the category).
    #[arg(long)]
    kind: Option<String>,
    /// Category code or Polish name: person, pes, ps, labour, welfare (OPS), jst, business, media, ngo, informal, other.
    #[arg(long)]
    category: Option<String>,
    /// Organisation the person belongs to (made if it does not exist); repeatable.
    #[arg(long)]
    org: Vec<String>,
    #[arg(long)]
    gmina: Option<String>,
    /// Miejscowość.
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    note: Option<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum MeetingCmd {
    /// Record a meeting.
    Add(Box<MeetingAdd>),
    /// Meetings, newest first.
    List {
        /// Search titles, places and notes (folded, fuzzy).
        #[arg(long)]
        search: Option<String>,
        #[arg(long = "type")]
        kind: Option<String>,
        /// Only meetings on or after this day (yyyy-mm-dd).
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        from: Option<chrono::NaiveDate>,
        /// Only meetings on or before this day (yyyy-mm-dd).
        #[arg(long, value_name = "DATE", value_parser = date_arg)]
        to: Option<chrono::NaiveDate>,
        /// Only meetings of this partnership (id prefix or name).
        #[arg(long)]
        partnership: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Attendance sheet of a meeting: participant, organisation, category, hours.
    Sheet {
        /// The meeting (id prefix or unique title).
        id: String,
        /// md: printable, with a signature column; csv: UTF-8 with BOM, `;`.
        #[arg(long, default_value = "md", value_parser = ["md", "csv"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    #[command(flatten)]
    Common(Common),
}

#[derive(Args, Debug)]
pub struct MeetingAdd {
    /// individual, group, diagnosis, workshop, study-visit, consultation, training, advice, neighbourhood, forum, other (Polish names too).
    #[arg(long = "type")]
    kind: String,
    /// yyyy-mm-dd (default: today).
    #[arg(long)]
    date: Option<String>,
    /// hh:mm
    #[arg(long)]
    time: Option<String>,
    #[arg(long)]
    hours: Option<String>,
    #[arg(long)]
    gmina: Option<String>,
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    title: Option<String>,
    /// Attendee by name or id; repeatable.
    #[arg(long = "with", value_name = "NAME")]
    with: Vec<String>,
    #[arg(long)]
    note: Option<String>,
    /// A follow-up; repeatable.
    #[arg(long = "follow-up", value_name = "TEXT")]
    follow_up: Vec<String>,
    /// Due date of the follow-up given in the same position; repeatable.
    #[arg(long, value_name = "DATE")]
    due: Vec<String>,
    /// The partnership this meeting belongs to.
    #[arg(long)]
    partnership: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum FollowupCmd {
    /// Add a follow-up to a meeting.
    Add {
        #[arg(long)]
        meeting: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        owner: Option<String>,
    },
    /// Mark a follow-up done.
    Done { id: String },
    /// Mark a follow-up not done.
    Undo { id: String },
    #[command(flatten)]
    Common(Common),
}

#[derive(Subcommand, Debug)]
pub enum ResourceCmd {
    /// Add a resource to the map.
    Add {
        #[arg(long)]
        name: String,
        /// people, organisations, places, heritage, products, funding (Polish names too).
        #[arg(long)]
        category: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        gmina: Option<String>,
        #[arg(long)]
        place: Option<String>,
        /// Contact participant (name or id).
        #[arg(long)]
        contact: Option<String>,
        #[arg(long = "tag")]
        tags: Vec<String>,
        #[arg(long)]
        lat: Option<String>,
        #[arg(long)]
        lon: Option<String>,
    },
    /// List resources.
    List {
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        gmina: Option<String>,
        #[arg(long)]
        place: Option<String>,
        /// Only resources with this tag (folded: `mlodziez` finds `młodzież`).
        #[arg(long)]
        tag: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
    #[command(flatten)]
    Common(Common),
}

#[derive(Subcommand, Debug)]
pub enum NeedCmd {
    /// Record a need.
    Add {
        #[arg(long)]
        description: String,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        gmina: Option<String>,
        #[arg(long)]
        place: Option<String>,
        /// open, in-progress, answered, dropped.
        #[arg(long)]
        status: Option<String>,
        /// The meeting it was found at.
        #[arg(long)]
        meeting: Option<String>,
    },
    /// List needs.
    List {
        #[arg(long)]
        place: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Link a resource that answers a need.
    Link { need: String, resource: String },
    /// Resources that could answer a need, best first: the same miejscowość, then the
    /// gmina, then elsewhere; matching category and shared words first. Linked ones
    /// are left out.
    Propose {
        need: String,
        #[arg(long)]
        json: bool,
        /// Show at most this many (0: all).
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    #[command(flatten)]
    Common(Common),
}

#[derive(Subcommand, Debug)]
pub enum PartnershipCmd {
    /// Add a partnership.
    Add {
        #[arg(long)]
        name: String,
        /// Leader organisation (name or id).
        #[arg(long)]
        leader: Option<String>,
        /// Member: NAME[:ROLE[:JOINED]] (name or id; role such as partner; date
        /// yyyy-mm-dd); repeatable. The leader is a member too.
        #[arg(long = "member", value_name = "NAME[:ROLE[:JOINED]]")]
        members: Vec<String>,
        #[arg(long)]
        started: Option<String>,
        /// forming, active, paused, closed.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        goals: Option<String>,
        /// The inaugural meeting.
        #[arg(long)]
        meeting: Option<String>,
    },
    /// List partnerships.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    /// Add, change or remove a member of a partnership.
    #[command(subcommand)]
    Member(MemberCmd),
    #[command(flatten)]
    Common(Common),
}

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// Add a member, or change the role or joining date of one.
    Add {
        partnership: String,
        member: String,
        #[arg(long)]
        role: Option<String>,
        /// The date the member joined (yyyy-mm-dd).
        #[arg(long)]
        joined: Option<String>,
    },
    /// Remove a member.
    Remove { partnership: String, member: String },
}

#[derive(Subcommand, Debug)]
pub enum RelationCmd {
    /// Link two participants: teren relation add A B --type cooperates.
    Add {
        from: String,
        to: String,
        /// cooperates, member-of, funds, leads, knows, supports, other.
        #[arg(long = "type")]
        kind: String,
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
    },
    /// List relations.
    List {
        #[command(flatten)]
        list: ListArgs,
    },
    #[command(flatten)]
    Common(Common),
}

/// Field pairs for an edit, skipping options that were not given.
#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn opt(mut self, name: &str, v: Option<String>) -> Self {
        if let Some(v) = v {
            self.0.push((name.to_string(), v));
        }
        self
    }
    fn list(self, name: &str, v: Vec<String>) -> Self {
        if v.is_empty() { self } else { self.opt(name, Some(v.join(","))) }
    }
}

/// A `--from`/`--to` day, checked by clap.
fn date_arg(s: &str) -> std::result::Result<chrono::NaiveDate, String> {
    validate::date(s).map_err(|e| e.message(Lang::En).to_string())
}

fn today() -> chrono::NaiveDate {
    crate::plans::today()
}

pub(super) fn common(store: &Store, entity: Entity, cmd: Common, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        Common::Show { id, json: as_json } => {
            let id = edit::resolve_any(store, entity, &id)?;
            let names = dump::participant_names(store)?;
            let all = dump::entity_json(store, entity, &names, true)?;
            let id_s = id.to_string();
            let Some(mut rec) = all.into_iter().find(|v| v["id"] == id_s.as_str()) else {
                bail!("no {} {}", entity.singular(), id.short());
            };
            if entity == Entity::Participant {
                let attended: Vec<Value> = store
                    .attended(id)?
                    .into_iter()
                    .map(|(m, d)| serde_json::json!({"meeting": m.to_string(), "date": d}))
                    .collect();
                rec["meetings_attended"] = attended.into();
            }
            if as_json {
                json(out, &rec)?;
            } else {
                show_human(&rec, "", lang, out)?;
            }
        }
        Common::Edit { id, set } => {
            let id = edit::resolve(store, entity, &id)?;
            let mut fields = Vec::new();
            for s in set {
                let Some((f, v)) = s.split_once('=') else {
                    bail!("--set needs FIELD=VALUE, got '{s}'; fields: {}", edit::field_names(entity).join(", "));
                };
                fields.push((f.trim().to_string(), v.to_string()));
            }
            edit::update(store, entity, id, &fields)?;
            writeln!(out, "{} {}", entity.singular(), id.short())?;
        }
        Common::Delete { id } => {
            let id = edit::resolve(store, entity, &id)?;
            edit::delete(store, entity, id)?;
            writeln!(
                out,
                "deleted {} {} (teren {} restore {} brings it back)",
                entity.singular(),
                id.short(),
                cli_name(entity),
                id.short()
            )?;
        }
        Common::Restore { id } => {
            let id = edit::resolve_any(store, entity, &id)?;
            edit::restore(store, entity, id)?;
            writeln!(out, "restored {} {}", entity.singular(), id.short())?;
        }
    }
    Ok(())
}

fn cli_name(entity: Entity) -> &'static str {
    match entity {
        Entity::FollowUp => "followup",
        e => e.singular(),
    }
}

/// A record as `key: value` lines, nested records indented.
fn show_human(v: &Value, indent: &str, lang: Lang, out: &mut impl Write) -> std::io::Result<()> {
    let Value::Object(m) = v else { return Ok(()) };
    for (k, val) in m {
        let label = match t(lang, k) {
            "?" => k.as_str(),
            l => l,
        };
        match val {
            Value::Null => {}
            Value::Array(a) if a.is_empty() => {}
            Value::Array(a) => {
                writeln!(out, "{indent}{label}:")?;
                for item in a {
                    match item {
                        Value::Object(_) => {
                            writeln!(out, "{indent}  -")?;
                            show_human(item, &format!("{indent}    "), lang, out)?;
                        }
                        other => writeln!(out, "{indent}  - {}", plain(other))?,
                    }
                }
            }
            Value::Object(_) => {
                writeln!(out, "{indent}{label}:")?;
                show_human(val, &format!("{indent}  "), lang, out)?;
            }
            other => writeln!(out, "{indent}{label}: {}", plain(other))?,
        }
    }
    Ok(())
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn created(out: &mut impl Write, entity: Entity, id: Id) -> Result<()> {
    writeln!(out, "added {} {}", entity.singular(), id.short())?;
    Ok(())
}

pub fn participant(store: &Store, cmd: ParticipantCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        ParticipantCmd::Add(a) => {
            let dups = edit::duplicates_of(store, &a.name, a.place.as_deref())?;
            let fields = Fields::default()
                .opt("kind", a.kind)
                .opt("name", Some(a.name))
                .opt("category", a.category)
                .opt("gmina", a.gmina)
                .opt("place", a.place)
                .list("org", a.org)
                .opt("phone", a.phone)
                .opt("email", a.email)
                .opt("note", a.note)
                .list("tags", a.tags);
            let id = edit::create(store, Entity::Participant, &fields.0)?;
            for d in dups {
                eprintln!(
                    "teren: note: {} {} has the same name and place; it may be the same participant",
                    d.id.short(),
                    d.name
                );
            }
            created(out, Entity::Participant, id)
        }
        ParticipantCmd::List { search: q, category, gmina, list } => {
            let category = category.map(|c| Category::parse(&c)).transpose()?;
            let names = dump::participant_names(store)?;
            let mut rows: Vec<(Participant, crate::sync::Doc)> = store
                .docs(Entity::Participant)?
                .into_iter()
                .map(|(id, d)| (Participant::from_doc(id, &d), d))
                .filter(|(p, _)| list.deleted || !p.deleted)
                .filter(|(p, _)| category.is_none_or(|c| p.category == c))
                .filter(|(p, _)| {
                    gmina.as_ref().is_none_or(|g| p.gmina.as_deref().map(search::fold) == Some(search::fold(g)))
                })
                .collect();
            rows.sort_by_cached_key(|(p, _)| (search::fold(&p.sort_name()), p.id));
            if let Some(q) = q {
                let entries: Vec<search::Entry> = rows.iter().map(|(p, _)| participant_entry(p, &names)).collect();
                let hits = search::search(&entries, &q, None);
                let mut slots: Vec<Option<(Participant, crate::sync::Doc)>> = rows.into_iter().map(Some).collect();
                rows = hits.iter().filter_map(|h| slots[h.index].take()).collect();
            }
            if list.json {
                let v: Vec<Value> = rows.iter().map(|(p, d)| dump::participant_json(p, d, &names)).collect();
                json(out, &Value::Array(v))?;
                return Ok(());
            }
            let mut table = Table::new(&[
                "id",
                t(lang, "name"),
                t(lang, "category"),
                t(lang, "org"),
                t(lang, "gmina"),
                t(lang, "place"),
            ]);
            for (p, _) in &rows {
                let org = p.memberships.first().and_then(|m| names.get(&m.org)).cloned().unwrap_or_default();
                table.row(vec![
                    p.id.short(),
                    p.name.clone(),
                    p.category.code().into(),
                    org,
                    p.gmina.clone().unwrap_or_default(),
                    p.place.clone().unwrap_or_default(),
                ]);
            }
            table.write(out)?;
            Ok(())
        }
        ParticipantCmd::Export { id, out: to } => super::data::participant_export(store, &id, to, out),
        ParticipantCmd::Retention { on, json } => super::data::retention(store, on, json, out),
        ParticipantCmd::Common(c) => common(store, Entity::Participant, c, lang, out),
    }
}

/// What participant search looks at: name, organisations, place, gmina, tags, phone.
pub fn participant_entry(p: &Participant, names: &Names) -> search::Entry {
    let orgs: Vec<&str> = p.memberships.iter().filter_map(|m| names.get(&m.org)).map(String::as_str).collect();
    let mut fields = vec![p.name.as_str()];
    fields.extend(orgs);
    fields.extend(p.place.as_deref());
    fields.extend(p.gmina.as_deref());
    fields.extend(p.tags.iter().map(String::as_str));
    fields.extend(p.phone.as_deref());
    search::Entry::new(fields)
}

pub fn meeting(store: &Store, cmd: MeetingCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        MeetingCmd::Add(a) => {
            if a.due.len() > a.follow_up.len() {
                bail!(
                    "--due is given {} times but --follow-up only {}; each --due belongs to the --follow-up in the same position",
                    a.due.len(),
                    a.follow_up.len()
                );
            }
            let gmina = match (&a.gmina, &a.place) {
                (None, Some(p)) => edit::gmina_of(store, p)?,
                (g, _) => g.clone(),
            };
            let fields = Fields::default()
                .opt("type", Some(a.kind))
                .opt("date", Some(a.date.unwrap_or_else(|| today().to_string())))
                .opt("time", a.time)
                .opt("hours", a.hours)
                .opt("gmina", gmina)
                .opt("place", a.place)
                .opt("title", a.title)
                .opt("note", a.note)
                .opt("partnership", a.partnership);
            let mut fields = fields.0;
            // Names may hold commas, so attendees are resolved here one by one.
            let mut attendees = Vec::new();
            for w in &a.with {
                attendees.push(edit::resolve(store, Entity::Participant, w)?.to_string());
            }
            if !attendees.is_empty() {
                fields.push(("attendees".into(), attendees.join(",")));
            }
            let id = Id::new();
            let mut drafts = edit::plan_create(store, Entity::Meeting, id, &fields)?;
            for (i, text) in a.follow_up.iter().enumerate() {
                let mut f = vec![("meeting".to_string(), id.to_string()), ("text".to_string(), text.clone())];
                if let Some(d) = a.due.get(i) {
                    f.push(("due".into(), d.clone()));
                }
                drafts.extend(plan_followup(store, &f, Some(id))?);
            }
            store.commit(drafts)?;
            created(out, Entity::Meeting, id)
        }
        MeetingCmd::List { search: q, kind, from, to, partnership, list } => {
            let kind = kind.map(|k| MeetingType::parse(&k)).transpose()?;
            let partnership = partnership.map(|p| edit::resolve(store, Entity::Partnership, &p)).transpose()?;
            let names = dump::participant_names(store)?;
            let fups = dump::followups_by_meeting(store)?;
            let mut rows: Vec<(Meeting, crate::sync::Doc)> = store
                .docs(Entity::Meeting)?
                .into_iter()
                .map(|(id, d)| (Meeting::from_doc(id, &d), d))
                .filter(|(m, _)| list.deleted || !m.deleted)
                .filter(|(m, _)| kind.is_none_or(|k| m.kind == k))
                // A period leaves out meetings without a date, as the app's filter does.
                .filter(|(m, _)| {
                    (from.is_none() && to.is_none())
                        || m.date.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t))
                })
                .filter(|(m, _)| partnership.is_none_or(|p| m.partnership == Some(p)))
                .collect();
            rows.sort_by_key(|r| std::cmp::Reverse((r.0.date, r.0.time, r.0.id)));
            if let Some(q) = q {
                let entries: Vec<search::Entry> = rows
                    .iter()
                    .map(|(m, _)| {
                        search::Entry::new(
                            [
                                m.title.as_deref(),
                                m.place.as_deref(),
                                m.gmina.as_deref(),
                                m.note.as_deref(),
                                Some(m.kind.label(Lang::Pl)),
                            ]
                            .into_iter()
                            .flatten(),
                        )
                    })
                    .collect();
                let hits = search::search(&entries, &q, None);
                let mut slots: Vec<Option<_>> = rows.into_iter().map(Some).collect();
                rows = hits.iter().filter_map(|h| slots[h.index].take()).collect();
            }
            if list.json {
                let v: Vec<Value> = rows
                    .iter()
                    .map(|(m, d)| {
                        let f: Vec<&FollowUp> = fups.get(&m.id).map(|v| v.iter().collect()).unwrap_or_default();
                        dump::meeting_json(m, d, &f, &names)
                    })
                    .collect();
                json(out, &Value::Array(v))?;
                return Ok(());
            }
            let mut table = Table::new(&[
                "id",
                t(lang, "date"),
                t(lang, "type"),
                t(lang, "place"),
                t(lang, "hours"),
                t(lang, "attendees"),
                t(lang, "open"),
                t(lang, "title"),
            ]);
            for (m, _) in &rows {
                let open = fups.get(&m.id).map_or(0, |v| v.iter().filter(|f| !f.done).count());
                table.row(vec![
                    m.id.short(),
                    m.date.map(|d| d.to_string()).unwrap_or_default(),
                    m.kind.code().into(),
                    m.place.clone().unwrap_or_default(),
                    m.hours.map(|h| h.to_string()).unwrap_or_default(),
                    m.attendees.len().to_string(),
                    open.to_string(),
                    m.title.clone().unwrap_or_default(),
                ]);
            }
            table.write(out)?;
            Ok(())
        }
        MeetingCmd::Sheet { id, format, out: file } => meeting_sheet(store, &id, &format, file.as_deref(), lang, out),
        MeetingCmd::Common(c) => common(store, Entity::Meeting, c, lang, out),
    }
}

fn plan_followup(store: &Store, fields: &[(String, String)], meeting: Option<Id>) -> Result<Vec<Draft>, EditError> {
    // The meeting may not be committed yet (same transaction), so it is set directly.
    let rest: Vec<(String, String)> = fields.iter().filter(|(f, _)| f != "meeting").cloned().collect();
    let id = Id::new();
    let mut drafts = edit::plan_create(store, Entity::FollowUp, id, &rest)?;
    if let (Some(m), Some(d)) = (meeting, drafts.last_mut()) {
        d.changes.push(Change::set("meeting", m.to_string()));
        d.changes.push(Change::set("done", false));
    }
    Ok(drafts)
}

pub fn followups(store: &Store, all: bool, as_json: bool, out: &mut impl Write) -> Result<()> {
    // A deleted meeting takes its follow-ups with it (restoring it brings them back).
    let meetings = store.docs(Entity::Meeting)?;
    let deleted_meetings: std::collections::HashSet<Id> =
        meetings.iter().filter(|(_, d)| d.is_deleted()).map(|(id, _)| *id).collect();
    let mut items: Vec<FollowUp> = store
        .docs(Entity::FollowUp)?
        .into_iter()
        .map(|(id, d)| FollowUp::from_doc(id, &d))
        .filter(|f| !f.deleted && (all || !f.done))
        .filter(|f| f.meeting.is_none_or(|m| !deleted_meetings.contains(&m)))
        .collect();
    items.sort_by(|a, b| (a.due.is_none(), a.due, &a.text, a.id).cmp(&(b.due.is_none(), b.due, &b.text, b.id)));
    let today = today();
    if as_json {
        let mut v: Vec<Value> = items
            .iter()
            .map(|f| {
                let mut j = dump::followup_json(f);
                j["overdue"] = (!f.done && f.due.is_some_and(|d| d < today)).into();
                j
            })
            .collect();
        // Overdue tasks of action plans follow, marked "kind": "plan-task".
        if let Some(Value::Array(tasks)) = super::plan::followups_section(store, true, out)? {
            v.extend(tasks);
        }
        json(out, &Value::Array(v))?;
        return Ok(());
    }
    let mut places = std::collections::HashMap::new();
    for (id, d) in &meetings {
        places.insert(*id, format!("{} {}", d.str("date").unwrap_or(""), d.str("place").unwrap_or("")));
    }
    let mut table = Table::new(&["id", "due", "", "follow-up", "meeting"]);
    for f in &items {
        let mark = if f.done {
            "done"
        } else if f.due.is_some_and(|d| d < today) {
            "OVERDUE"
        } else {
            ""
        };
        table.row(vec![
            f.id.short(),
            f.due.map(|d| d.to_string()).unwrap_or_default(),
            mark.into(),
            f.text.clone(),
            f.meeting.and_then(|m| places.get(&m).cloned()).unwrap_or_default(),
        ]);
    }
    if table.is_empty() {
        writeln!(out, "no open follow-ups")?;
    } else {
        table.write(out)?;
    }
    super::plan::followups_section(store, false, out)?;
    Ok(())
}

pub fn followup(store: &Store, cmd: FollowupCmd, out: &mut impl Write) -> Result<()> {
    match cmd {
        FollowupCmd::Add { meeting, text, due, owner } => {
            let m = edit::resolve(store, Entity::Meeting, &meeting)?;
            let f = Fields::default().opt("text", Some(text)).opt("due", due).opt("owner", owner);
            let drafts = plan_followup(store, &f.0, Some(m))?;
            let id = drafts.last().map(|d| d.record).unwrap_or_default();
            store.commit(drafts)?;
            created(out, Entity::FollowUp, id)
        }
        FollowupCmd::Done { id } => set_done(store, &id, true, out),
        FollowupCmd::Undo { id } => set_done(store, &id, false, out),
        FollowupCmd::Common(c) => common(store, Entity::FollowUp, c, Lang::Pl, out),
    }
}

fn set_done(store: &Store, id: &str, done: bool, out: &mut impl Write) -> Result<()> {
    let id = edit::resolve(store, Entity::FollowUp, id)?;
    edit::update(store, Entity::FollowUp, id, &[("done".into(), done.to_string())])?;
    writeln!(out, "{} {}", if done { "done" } else { "reopened" }, id.short())?;
    Ok(())
}

pub fn resource(store: &Store, cmd: ResourceCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        ResourceCmd::Add { name, category, description, gmina, place, contact, tags, lat, lon } => {
            let gmina = match (&gmina, &place) {
                (None, Some(p)) => edit::gmina_of(store, p)?,
                (g, _) => g.clone(),
            };
            let f = Fields::default()
                .opt("name", Some(name))
                .opt("category", Some(category))
                .opt("description", description)
                .opt("gmina", gmina)
                .opt("place", place)
                .opt("contact", contact)
                .list("tags", tags)
                .opt("lat", lat)
                .opt("lon", lon);
            let id = edit::create(store, Entity::Resource, &f.0)?;
            created(out, Entity::Resource, id)
        }
        ResourceCmd::List { category, gmina, place, tag, list } => {
            let category = category.map(|c| ResourceCategory::parse(&c)).transpose()?;
            let names = dump::participant_names(store)?;
            let mut rows: Vec<(Resource, crate::sync::Doc)> = store
                .docs(Entity::Resource)?
                .into_iter()
                .map(|(id, d)| (Resource::from_doc(id, &d), d))
                .filter(|(r, _)| list.deleted || !r.deleted)
                .filter(|(r, _)| category.is_none_or(|c| r.category == c))
                .filter(|(r, _)| {
                    place.as_ref().is_none_or(|p| r.place.as_deref().map(search::fold) == Some(search::fold(p)))
                })
                .filter(|(r, _)| {
                    gmina.as_ref().is_none_or(|g| r.gmina.as_deref().map(search::fold) == Some(search::fold(g)))
                })
                .filter(|(r, _)| {
                    tag.as_ref().is_none_or(|t| r.tags.iter().any(|x| search::fold(x.trim()) == search::fold(t.trim())))
                })
                .collect();
            rows.sort_by_cached_key(|(r, _)| (r.gmina.clone(), r.place.clone(), r.category, search::fold(&r.name)));
            if list.json {
                json(out, &Value::Array(rows.iter().map(|(r, d)| dump::resource_json(r, d, &names)).collect()))?;
                return Ok(());
            }
            let mut table = Table::new(&[
                "id",
                t(lang, "name"),
                t(lang, "category"),
                t(lang, "gmina"),
                t(lang, "place"),
                t(lang, "contact"),
            ]);
            for (r, _) in &rows {
                table.row(vec![
                    r.id.short(),
                    r.name.clone(),
                    r.category.code().into(),
                    r.gmina.clone().unwrap_or_default(),
                    r.place.clone().unwrap_or_default(),
                    r.contact.and_then(|c| names.get(&c).cloned()).unwrap_or_default(),
                ]);
            }
            table.write(out)?;
            Ok(())
        }
        ResourceCmd::Common(c) => common(store, Entity::Resource, c, lang, out),
    }
}

pub fn need(store: &Store, cmd: NeedCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        NeedCmd::Add { description, category, gmina, place, status, meeting } => {
            let gmina = match (&gmina, &place) {
                (None, Some(p)) => edit::gmina_of(store, p)?,
                (g, _) => g.clone(),
            };
            let f = Fields::default()
                .opt("description", Some(description))
                .opt("category", category)
                .opt("gmina", gmina)
                .opt("place", place)
                .opt("status", status)
                .opt("meeting", meeting);
            let id = edit::create(store, Entity::Need, &f.0)?;
            created(out, Entity::Need, id)
        }
        NeedCmd::Link { need, resource } => {
            let n = edit::resolve(store, Entity::Need, &need)?;
            let r = edit::resolve(store, Entity::Resource, &resource)?;
            store.commit(vec![Draft::new(Entity::Need, n, vec![Change::add("resources", r.to_string())])])?;
            writeln!(out, "linked need {} to resource {}", n.short(), r.short())?;
            Ok(())
        }
        NeedCmd::Propose { need, json: as_json, limit } => super::map::propose(store, &need, as_json, limit, lang, out),
        NeedCmd::List { place, status, list } => {
            let status = status.map(|s| NeedStatus::parse(&s)).transpose()?;
            let mut rows: Vec<(Need, crate::sync::Doc)> = store
                .docs(Entity::Need)?
                .into_iter()
                .map(|(id, d)| (Need::from_doc(id, &d), d))
                .filter(|(n, _)| list.deleted || !n.deleted)
                .filter(|(n, _)| status.is_none_or(|s| n.status == s))
                .filter(|(n, _)| {
                    place.as_ref().is_none_or(|p| n.place.as_deref().map(search::fold) == Some(search::fold(p)))
                })
                .collect();
            rows.sort_by_cached_key(|(n, _)| (n.gmina.clone(), n.place.clone(), search::fold(&n.description)));
            if list.json {
                json(out, &Value::Array(rows.iter().map(|(n, d)| dump::need_json(n, d)).collect()))?;
                return Ok(());
            }
            let mut table = Table::new(&[
                "id",
                t(lang, "description"),
                t(lang, "category"),
                t(lang, "place"),
                t(lang, "status"),
                t(lang, "resources"),
            ]);
            for (n, _) in &rows {
                table.row(vec![
                    n.id.short(),
                    n.description.clone(),
                    n.category.map(|c| c.code().to_string()).unwrap_or_default(),
                    n.place.clone().unwrap_or_default(),
                    n.status.code().into(),
                    n.resources.len().to_string(),
                ]);
            }
            table.write(out)?;
            Ok(())
        }
        NeedCmd::Common(c) => common(store, Entity::Need, c, lang, out),
    }
}

pub fn partnership(store: &Store, cmd: PartnershipCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        PartnershipCmd::Add { name, leader, members, started, status, goals, meeting } => {
            // The same entry as the app's partnership editor (crate::graph::partnership).
            use crate::graph::partnership::{Input, MemberSpec, save};
            let members = members.iter().map(|m| MemberSpec::parse(m)).collect();
            let input = Input { name, leader, members, started, status, goals, meeting, meetings: None };
            let id = save(store, None, &input)?;
            created(out, Entity::Partnership, id)
        }
        PartnershipCmd::List { list } => {
            let names = dump::participant_names(store)?;
            let rows: Vec<(Partnership, crate::sync::Doc)> = store
                .docs(Entity::Partnership)?
                .into_iter()
                .map(|(id, d)| (Partnership::from_doc(id, &d), d))
                .filter(|(p, _)| list.deleted || !p.deleted)
                .collect();
            if list.json {
                json(out, &Value::Array(rows.iter().map(|(p, d)| dump::partnership_json(p, d, &names)).collect()))?;
                return Ok(());
            }
            let mut table = Table::new(&[
                "id",
                t(lang, "name"),
                t(lang, "leader"),
                t(lang, "members"),
                t(lang, "started"),
                t(lang, "status"),
            ]);
            for (p, _) in &rows {
                table.row(vec![
                    p.id.short(),
                    p.name.clone(),
                    p.leader.and_then(|l| names.get(&l).cloned()).unwrap_or_default(),
                    p.members.len().to_string(),
                    p.started.map(|d| d.to_string()).unwrap_or_default(),
                    p.status.code().into(),
                ]);
            }
            table.write(out)?;
            Ok(())
        }
        PartnershipCmd::Member(cmd) => {
            let (p, member, keep, details) = match &cmd {
                MemberCmd::Add { partnership, member, role, joined } => (partnership, member, true, [role, joined]),
                MemberCmd::Remove { partnership, member } => (partnership, member, false, [&None, &None]),
            };
            let pid = edit::resolve(store, Entity::Partnership, p)?;
            let mid = edit::resolve(store, Entity::Participant, member)?;
            let have = store.doc(Entity::Partnership, pid)?.map(|d| d.set("members")).unwrap_or_default();
            let mut ids: Vec<String> = have.into_iter().filter(|m| *m != mid.to_string()).collect();
            if keep {
                ids.push(mid.to_string());
            }
            let mut f = Fields(vec![("members".into(), ids.join(","))]);
            for (kind, v) in ["role", "joined"].into_iter().zip(details) {
                match (keep, v) {
                    (true, Some(v)) => f.0.push((format!("{kind}:{mid}"), v.clone())),
                    (false, _) => f.0.push((format!("{kind}:{mid}"), String::new())),
                    _ => {}
                }
            }
            edit::update(store, Entity::Partnership, pid, &f.0)?;
            writeln!(out, "{}", pid.short())?;
            Ok(())
        }
        PartnershipCmd::Common(c) => common(store, Entity::Partnership, c, lang, out),
    }
}

pub fn relation(store: &Store, cmd: RelationCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        RelationCmd::Add { from, to, kind, since, until } => {
            let f = Fields::default()
                .opt("from", Some(from))
                .opt("to", Some(to))
                .opt("type", Some(kind))
                .opt("since", since)
                .opt("until", until);
            let id = edit::create(store, Entity::Relation, &f.0)?;
            created(out, Entity::Relation, id)
        }
        RelationCmd::List { list } => {
            let names = dump::participant_names(store)?;
            let rows: Vec<(Relation, crate::sync::Doc)> = store
                .docs(Entity::Relation)?
                .into_iter()
                .map(|(id, d)| (Relation::from_doc(id, &d), d))
                .filter(|(r, _)| list.deleted || !r.deleted)
                .collect();
            if list.json {
                json(out, &Value::Array(rows.iter().map(|(r, d)| dump::relation_json(r, d, &names)).collect()))?;
                return Ok(());
            }
            let name = |i: Option<Id>| i.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
            let mut table = Table::new(&["id", t(lang, "from"), t(lang, "type"), t(lang, "to"), t(lang, "since")]);
            for (r, _) in &rows {
                table.row(vec![
                    r.id.short(),
                    name(r.from),
                    r.kind.code().into(),
                    name(r.to),
                    r.since.map(|d| d.to_string()).unwrap_or_default(),
                ]);
            }
            table.write(out)?;
            Ok(())
        }
        RelationCmd::Common(c) => common(store, Entity::Relation, c, lang, out),
    }
}

fn meeting_sheet(
    store: &Store,
    id: &str,
    format: &str,
    file: Option<&std::path::Path>,
    lang: Lang,
    out: &mut impl Write,
) -> Result<()> {
    use crate::report::attendance;
    let id = edit::resolve(store, Entity::Meeting, id)?;
    let Some(a) = attendance::attendance(store, id)? else { bail!("no meeting {}", id.short()) };
    let bytes = match format {
        "csv" => attendance::to_csv(&a, lang),
        _ => attendance::to_markdown(&a, lang).into_bytes(),
    };
    match file {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            writeln!(out, "{} ({} {})", path.display(), a.rows.len(), t(lang, "attendees"))?;
        }
        None => out.write_all(&bytes)?,
    }
    Ok(())
}
