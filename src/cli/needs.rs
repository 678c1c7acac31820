//! `teren need …`: needs found by a diagnosis: record, list, link a resource that
//! answers one, propose resources, and the shared show, edit, delete, restore.

use super::args::{Common, ListArgs};
use super::list::{folded_is, print, records};
use super::record::{Fields, common, created, gmina_for};
use crate::dump;
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Need, NeedStatus};
use crate::search;
use crate::store::{Draft, Store};
use crate::sync::Change;
use anyhow::Result;
use clap::Subcommand;
use std::io::Write;

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

pub fn need(store: &Store, cmd: NeedCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        NeedCmd::Add { description, category, gmina, place, status, meeting } => {
            let gmina = gmina_for(store, gmina, place.as_deref())?;
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
            let mut rows = records(store, Entity::Need, &list, Need::from_doc)?;
            rows.retain(|(n, _)| {
                status.is_none_or(|s| n.status == s) && folded_is(place.as_deref(), n.place.as_deref())
            });
            rows.sort_by_cached_key(|(n, _)| (n.gmina.clone(), n.place.clone(), search::fold(&n.description)));
            print(
                out,
                list.json,
                &rows,
                |(n, d)| dump::need_json(n, d),
                &[
                    "id",
                    t(lang, "description"),
                    t(lang, "category"),
                    t(lang, "place"),
                    t(lang, "status"),
                    t(lang, "resources"),
                ],
                |(n, _)| {
                    vec![
                        n.id.short(),
                        n.description.clone(),
                        n.category.map(|c| c.code().to_string()).unwrap_or_default(),
                        n.place.clone().unwrap_or_default(),
                        n.status.code().into(),
                        n.resources.len().to_string(),
                    ]
                },
            )
        }
        NeedCmd::Common(c) => common(store, Entity::Need, c, lang, out),
    }
}
