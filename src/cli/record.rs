//! What the commands of every record type share when they run: show, edit, delete
//! and restore ([`Common`]), the `added …` line, and the field list that an add
//! command hands to [`crate::edit`].

use super::args::{Common, EditArgs, IdArg};
use super::output::json;
use crate::dump;
use crate::edit;
use crate::i18n::{Lang, t};
use crate::model::{Entity, Id};
use crate::store::Store;
use anyhow::{Result, bail};
use serde_json::Value;
use std::io::Write;

/// Field pairs for an edit, skipping options that were not given.
#[derive(Default)]
pub(super) struct Fields(pub(super) Vec<(String, String)>);

impl Fields {
    pub(super) fn opt(mut self, name: &str, v: Option<String>) -> Self {
        if let Some(v) = v {
            self.0.push((name.to_string(), v));
        }
        self
    }
    pub(super) fn list(self, name: &str, v: Vec<String>) -> Self {
        if v.is_empty() { self } else { self.opt(name, Some(v.join(","))) }
    }
}

pub(super) fn today() -> chrono::NaiveDate {
    crate::plans::today()
}

/// The gmina given, or else the one the place lies in, where the database knows it.
pub(super) fn gmina_for(store: &Store, gmina: Option<String>, place: Option<&str>) -> Result<Option<String>> {
    match (gmina, place) {
        (None, Some(p)) => Ok(edit::gmina_of(store, p)?),
        (g, _) => Ok(g),
    }
}

pub(super) fn created(out: &mut impl Write, entity: Entity, id: Id) -> Result<()> {
    writeln!(out, "added {} {}", entity.singular(), id.short())?;
    Ok(())
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
        Common::Edit(EditArgs { id, set }) => {
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
        Common::Delete(IdArg { id }) => {
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
        Common::Restore(IdArg { id }) => {
            let id = edit::resolve_any(store, entity, &id)?;
            edit::restore(store, entity, id)?;
            writeln!(out, "restored {} {}", entity.singular(), id.short())?;
        }
    }
    Ok(())
}

/// The command group's name where it is not the entity's (`teren followup …`).
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
