//! `teren participant …`: people and organisations: add, list (searched and
//! filtered), the RODO export, retention, and the shared show, edit, delete, restore.

use super::args::{Common, ListArgs};
use super::list::{folded_is, print, records, searched};
use super::record::{Fields, common, created};
use crate::dump::{self, Names};
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Category, Entity, Participant};
use crate::search;
use crate::store::Store;
use anyhow::Result;
use clap::{Args, Subcommand};
use std::io::Write;

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
            let mut rows = records(store, Entity::Participant, &list, Participant::from_doc)?;
            rows.retain(|(p, _)| {
                category.is_none_or(|c| p.category == c) && folded_is(gmina.as_deref(), p.gmina.as_deref())
            });
            rows.sort_by_cached_key(|(p, _)| (search::fold(&p.sort_name()), p.id));
            if let Some(q) = q {
                rows = searched(rows, &q, |(p, _)| participant_entry(p, &names));
            }
            print(
                out,
                list.json,
                &rows,
                |(p, d)| dump::participant_json(p, d, &names),
                &["id", t(lang, "name"), t(lang, "category"), t(lang, "org"), t(lang, "gmina"), t(lang, "place")],
                |(p, _)| {
                    let org = p.memberships.first().and_then(|m| names.get(&m.org)).cloned().unwrap_or_default();
                    vec![
                        p.id.short(),
                        p.name.clone(),
                        p.category.code().into(),
                        org,
                        p.gmina.clone().unwrap_or_default(),
                        p.place.clone().unwrap_or_default(),
                    ]
                },
            )
        }
        ParticipantCmd::Export { id, out: to } => super::data::participant_export(store, &id, to, out),
        ParticipantCmd::Retention { on, json } => super::data::retention(store, on, json, out),
        ParticipantCmd::Common(c) => common(store, Entity::Participant, c, lang, out),
    }
}

/// What participant search looks at: name, organisations, place, gmina, tags, phone.
fn participant_entry(p: &Participant, names: &Names) -> search::Entry {
    let orgs: Vec<&str> = p.memberships.iter().filter_map(|m| names.get(&m.org)).map(String::as_str).collect();
    let mut fields = vec![p.name.as_str()];
    fields.extend(orgs);
    fields.extend(p.place.as_deref());
    fields.extend(p.gmina.as_deref());
    fields.extend(p.tags.iter().map(String::as_str));
    fields.extend(p.phone.as_deref());
    search::Entry::new(fields)
}
