//! `teren meeting …`: record a meeting with its attendees and follow-ups, list
//! meetings (searched, by type, period or partnership), print an attendance sheet,
//! and the shared show, edit, delete, restore.

use super::args::{Common, ListArgs};
use super::followups::plan_followup;
use super::list::{print, records, searched};
use super::record::{Fields, common, created, gmina_for, today};
use crate::dump;
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, FollowUp, Id, Meeting, MeetingType, validate};
use crate::search;
use crate::store::Store;
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use std::io::Write;

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

/// A `--from`/`--to` day, checked by clap.
fn date_arg(s: &str) -> std::result::Result<chrono::NaiveDate, String> {
    validate::date(s).map_err(|e| e.message(Lang::En).to_string())
}

pub fn meeting(store: &Store, cmd: MeetingCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        MeetingCmd::Add(a) => add(store, *a, out),
        MeetingCmd::List { search: q, kind, from, to, partnership, list } => {
            let kind = kind.map(|k| MeetingType::parse(&k)).transpose()?;
            let partnership = partnership.map(|p| edit::resolve(store, Entity::Partnership, &p)).transpose()?;
            let names = dump::participant_names(store)?;
            let fups = dump::followups_by_meeting(store)?;
            let mut rows = records(store, Entity::Meeting, &list, Meeting::from_doc)?;
            rows.retain(|(m, _)| {
                kind.is_none_or(|k| m.kind == k)
                    // A period leaves out meetings without a date, as the app's filter does.
                    && ((from.is_none() && to.is_none())
                        || m.date.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)))
                    && partnership.is_none_or(|p| m.partnership == Some(p))
            });
            rows.sort_by_key(|r| std::cmp::Reverse((r.0.date, r.0.time, r.0.id)));
            if let Some(q) = q {
                rows = searched(rows, &q, |(m, _)| {
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
                });
            }
            print(
                out,
                list.json,
                &rows,
                |(m, d)| {
                    let f: Vec<&FollowUp> = fups.get(&m.id).map(|v| v.iter().collect()).unwrap_or_default();
                    dump::meeting_json(m, d, &f, &names)
                },
                &[
                    "id",
                    t(lang, "date"),
                    t(lang, "type"),
                    t(lang, "place"),
                    t(lang, "hours"),
                    t(lang, "attendees"),
                    t(lang, "open"),
                    t(lang, "title"),
                ],
                |(m, _)| {
                    let open = fups.get(&m.id).map_or(0, |v| v.iter().filter(|f| !f.done).count());
                    vec![
                        m.id.short(),
                        m.date.map(|d| d.to_string()).unwrap_or_default(),
                        m.kind.code().into(),
                        m.place.clone().unwrap_or_default(),
                        m.hours.map(|h| h.to_string()).unwrap_or_default(),
                        m.attendees.len().to_string(),
                        open.to_string(),
                        m.title.clone().unwrap_or_default(),
                    ]
                },
            )
        }
        MeetingCmd::Sheet { id, format, out: file } => meeting_sheet(store, &id, &format, file.as_deref(), lang, out),
        MeetingCmd::Common(c) => common(store, Entity::Meeting, c, lang, out),
    }
}

/// A meeting, its attendees and its follow-ups, saved in one commit.
fn add(store: &Store, a: MeetingAdd, out: &mut impl Write) -> Result<()> {
    if a.due.len() > a.follow_up.len() {
        bail!(
            "--due is given {} times but --follow-up only {}; each --due belongs to the --follow-up in the same position",
            a.due.len(),
            a.follow_up.len()
        );
    }
    let gmina = gmina_for(store, a.gmina, a.place.as_deref())?;
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
