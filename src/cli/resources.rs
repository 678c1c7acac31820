//! `teren resource …`: the local resource map's entries: add, list (by category,
//! gmina, place or tag), and the shared show, edit, delete, restore.

use super::args::{Common, ListArgs};
use super::list::{folded_is, print, records};
use super::record::{Fields, common, created, gmina_for};
use crate::dump;
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Resource, ResourceCategory};
use crate::search;
use crate::store::Store;
use anyhow::Result;
use clap::Subcommand;
use std::io::Write;

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

pub fn resource(store: &Store, cmd: ResourceCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        ResourceCmd::Add { name, category, description, gmina, place, contact, tags, lat, lon } => {
            let gmina = gmina_for(store, gmina, place.as_deref())?;
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
            let mut rows = records(store, Entity::Resource, &list, Resource::from_doc)?;
            rows.retain(|(r, _)| {
                category.is_none_or(|c| r.category == c)
                    && folded_is(place.as_deref(), r.place.as_deref())
                    && folded_is(gmina.as_deref(), r.gmina.as_deref())
                    && tag
                        .as_ref()
                        .is_none_or(|t| r.tags.iter().any(|x| search::fold(x.trim()) == search::fold(t.trim())))
            });
            rows.sort_by_cached_key(|(r, _)| (r.gmina.clone(), r.place.clone(), r.category, search::fold(&r.name)));
            print(
                out,
                list.json,
                &rows,
                |(r, d)| dump::resource_json(r, d, &names),
                &["id", t(lang, "name"), t(lang, "category"), t(lang, "gmina"), t(lang, "place"), t(lang, "contact")],
                |(r, _)| {
                    vec![
                        r.id.short(),
                        r.name.clone(),
                        r.category.code().into(),
                        r.gmina.clone().unwrap_or_default(),
                        r.place.clone().unwrap_or_default(),
                        r.contact.and_then(|c| names.get(&c).cloned()).unwrap_or_default(),
                    ]
                },
            )
        }
        ResourceCmd::Common(c) => common(store, Entity::Resource, c, lang, out),
    }
}
