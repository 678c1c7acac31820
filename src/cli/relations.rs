//! `teren relation …`: typed links between participants: add, list, and the shared
//! show, edit, delete, restore.

use super::args::{Common, ListArgs};
use super::list::{print, records};
use super::record::{Fields, common, created};
use crate::dump;
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id, Relation};
use crate::store::Store;
use anyhow::Result;
use clap::Subcommand;
use std::io::Write;

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
            let rows = records(store, Entity::Relation, &list, Relation::from_doc)?;
            let name = |i: Option<Id>| i.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
            print(
                out,
                list.json,
                &rows,
                |(r, d)| dump::relation_json(r, d, &names),
                &["id", t(lang, "from"), t(lang, "type"), t(lang, "to"), t(lang, "since")],
                |(r, _)| {
                    vec![
                        r.id.short(),
                        name(r.from),
                        r.kind.code().into(),
                        name(r.to),
                        r.since.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                },
            )
        }
        RelationCmd::Common(c) => common(store, Entity::Relation, c, lang, out),
    }
}
