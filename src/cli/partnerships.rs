//! `teren partnership …`: local partnerships: add, list, add, change or remove a
//! member, and the shared show, edit, delete, restore.

use super::args::{Common, ListArgs};
use super::list::{print, records};
use super::record::{Fields, common, created};
use crate::dump;
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Partnership};
use crate::store::Store;
use anyhow::Result;
use clap::Subcommand;
use std::io::Write;

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
            let rows = records(store, Entity::Partnership, &list, Partnership::from_doc)?;
            print(
                out,
                list.json,
                &rows,
                |(p, d)| dump::partnership_json(p, d, &names),
                &["id", t(lang, "name"), t(lang, "leader"), t(lang, "members"), t(lang, "started"), t(lang, "status")],
                |(p, _)| {
                    vec![
                        p.id.short(),
                        p.name.clone(),
                        p.leader.and_then(|l| names.get(&l).cloned()).unwrap_or_default(),
                        p.members.len().to_string(),
                        p.started.map(|d| d.to_string()).unwrap_or_default(),
                        p.status.code().into(),
                    ]
                },
            )
        }
        PartnershipCmd::Member(cmd) => member(store, &cmd, out),
        PartnershipCmd::Common(c) => common(store, Entity::Partnership, c, lang, out),
    }
}

/// Add, change or remove one member: the member list, and the member's role and
/// joining date (cleared on removal).
fn member(store: &Store, cmd: &MemberCmd, out: &mut impl Write) -> Result<()> {
    let (p, member, keep, details) = match cmd {
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
