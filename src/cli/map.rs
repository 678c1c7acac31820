//! `teren map` (the resource map as a tree with counts, the gap, the export of a
//! place's map) and `teren need propose` (resources that could answer a need).

use super::output::{Table, json};
use crate::edit;
use crate::i18n::Lang;
use crate::model::{Entity, Need, Resource};
use crate::resources::{self, Data, Scope, Tree, export};
use crate::store::Store;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json as j};
use std::io::Write;
use std::path::PathBuf;

/// Which part of the map: a gmina, a place (miejscowość), or both.
#[derive(Args, Debug, Default, Clone)]
pub struct ScopeArgs {
    #[arg(long)]
    gmina: Option<String>,
    /// A miejscowość (sołectwo).
    #[arg(long)]
    place: Option<String>,
}

impl ScopeArgs {
    fn scope(self) -> Scope {
        Scope::new(self.gmina, self.place)
    }
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MapArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// The tree as JSON: gminas → places → categories → resources, with counts.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    cmd: Option<MapCmd>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Markdown: headings and tables for a diagnosis report.
    Md,
    /// CSV for Polish Excel: UTF-8 with a BOM, `;`.
    Csv,
}

#[derive(Subcommand, Debug)]
pub enum MapCmd {
    /// Needs nothing answers yet and resources no need uses.
    Gap {
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long)]
        json: bool,
    },
    /// A place's map — resources by category, needs, the gap — as Markdown or CSV.
    Export {
        /// The miejscowość to export.
        #[arg(long)]
        place: String,
        #[arg(long)]
        gmina: Option<String>,
        #[arg(long, value_enum)]
        format: Format,
        /// The file to write; standard output when not given.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(store: &Store, a: MapArgs, lang: Lang, out: &mut impl Write) -> Result<()> {
    let data = Data::load(store)?;
    match a.cmd {
        None => {
            let scope = a.scope.scope();
            let t = resources::tree(&data, &scope);
            if a.json {
                json(out, &tree_json(&t, lang))?;
            } else {
                tree_human(&t, &scope, lang, out)?;
            }
            Ok(())
        }
        Some(MapCmd::Gap { scope, json: as_json }) => {
            let scope = scope.scope();
            let g = resources::gap(&data, &scope);
            let needs: Vec<&Need> =
                g.unanswered.iter().filter_map(|id| data.needs.iter().find(|n| n.id == *id)).collect();
            let res: Vec<&Resource> = g.unused.iter().filter_map(|id| data.resource(*id)).collect();
            if as_json || a.json {
                let v = j!({
                    "needs": needs.iter().map(|n| need_brief(&data, n)).collect::<Vec<_>>(),
                    "resources": res.iter().map(|r| resource_brief(&data, r)).collect::<Vec<_>>(),
                });
                json(out, &v)?;
                return Ok(());
            }
            let pl = lang == Lang::Pl;
            writeln!(out, "{} — {}", if pl { "Luka" } else { "Gap" }, scope.title(lang),)?;
            writeln!(out)?;
            writeln!(
                out,
                "{} ({}):",
                if pl { "Potrzeby, na które nic jeszcze nie odpowiada" } else { "Needs nothing answers yet" },
                needs.len()
            )?;
            let mut t = Table::new(&[
                "id",
                if pl { "potrzeba" } else { "need" },
                if pl { "kategoria" } else { "category" },
                if pl { "miejscowość" } else { "place" },
                "status",
            ]);
            for n in &needs {
                t.row(vec![
                    n.id.short(),
                    n.description.clone(),
                    n.category.map(|c| c.code().to_string()).unwrap_or_default(),
                    n.place.clone().unwrap_or_default(),
                    n.status.code().into(),
                ]);
            }
            if !t.is_empty() {
                t.write(out)?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "{} ({}):",
                if pl { "Zasoby, których nie wykorzystuje żadna potrzeba" } else { "Resources no need uses" },
                res.len()
            )?;
            let mut t = Table::new(&[
                "id",
                if pl { "nazwa" } else { "name" },
                if pl { "kategoria" } else { "category" },
                if pl { "miejscowość" } else { "place" },
            ]);
            for r in &res {
                t.row(vec![
                    r.id.short(),
                    r.name.clone(),
                    r.category.code().into(),
                    r.place.clone().unwrap_or_default(),
                ]);
            }
            if !t.is_empty() {
                t.write(out)?;
            }
            Ok(())
        }
        Some(MapCmd::Export { place, gmina, format, out: file }) => {
            if place.trim().is_empty() {
                bail!("--place is empty; give the miejscowość to export");
            }
            let scope = Scope::new(gmina, Some(place));
            let known = data.resources.iter().any(|r| scope.contains(r.gmina.as_deref(), r.place.as_deref()))
                || data.needs.iter().any(|n| scope.contains(data.need_gmina(n).as_deref(), n.place.as_deref()));
            if !known {
                bail!("no resources or needs in {}", scope.title(lang));
            }
            let bytes = match format {
                Format::Md => export::markdown(&data, &scope, lang).into_bytes(),
                Format::Csv => export::csv(&data, &scope, lang),
            };
            match file {
                Some(path) => {
                    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
                    writeln!(out, "{}", path.display())?;
                }
                None => out.write_all(&bytes)?,
            }
            Ok(())
        }
    }
}

fn tree_json(t: &Tree, lang: Lang) -> Value {
    j!({
        "count": t.count,
        "gminas": t.gminas.iter().map(|g| j!({
            "gmina": g.name,
            "count": g.count,
            "places": g.places.iter().map(|p| j!({
                "place": p.name,
                "count": p.count,
                "categories": p.categories.iter().map(|c| j!({
                    "category": c.category.code(),
                    "label": c.category.label(lang),
                    "count": c.count(),
                    "resources": c.resources.iter().map(|l| j!({"id": l.id.to_string(), "name": l.name})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn tree_human(t: &Tree, scope: &Scope, lang: Lang, out: &mut impl Write) -> Result<()> {
    let pl = lang == Lang::Pl;
    writeln!(out, "{} — {} ({})", if pl { "Mapa zasobów" } else { "Resource map" }, scope.title(lang), t.count,)?;
    let none = if pl { "(brak)" } else { "(none)" };
    for g in &t.gminas {
        writeln!(out, "{} ({})", g.name.as_deref().unwrap_or(none), g.count)?;
        for p in &g.places {
            writeln!(out, "  {} ({})", p.name.as_deref().unwrap_or(none), p.count)?;
            for c in &p.categories {
                writeln!(out, "    {} ({})", c.category.label(lang), c.count())?;
                for l in &c.resources {
                    writeln!(out, "      {}  {}", l.id.short(), l.name)?;
                }
            }
        }
    }
    Ok(())
}

fn need_brief(data: &Data, n: &Need) -> Value {
    j!({
        "id": n.id.to_string(),
        "description": n.description,
        "category": n.category.map(|c| c.code()),
        "gmina": data.need_gmina(n),
        "place": n.place,
        "status": n.status.code(),
        "resources": n.resources.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
    })
}

fn resource_brief(data: &Data, r: &Resource) -> Value {
    j!({
        "id": r.id.to_string(),
        "name": r.name,
        "category": r.category.code(),
        "gmina": r.gmina,
        "place": r.place,
        "contact": r.contact.map(|c| c.to_string()),
        "contact_name": r.contact.and_then(|c| data.names.get(&c)),
        "tags": r.tags,
    })
}

/// `teren need propose NEED`: resources that could answer it, best first.
pub fn propose(store: &Store, need: &str, as_json: bool, limit: usize, lang: Lang, out: &mut impl Write) -> Result<()> {
    let id = edit::resolve(store, Entity::Need, need)?;
    let data = Data::load(store)?;
    let Some(n) = data.needs.iter().find(|n| n.id == id) else {
        bail!("no need {}", id.short());
    };
    let proposals = resources::propose(&data, n, lang);
    let shown = proposals.iter().take(if limit == 0 { usize::MAX } else { limit });
    if as_json {
        let v: Vec<Value> = shown
            .filter_map(|p| data.resource(p.resource).map(|r| (p, r)))
            .map(|(p, r)| {
                j!({
                    "resource": r.id.to_string(),
                    "name": r.name,
                    "category": r.category.code(),
                    "gmina": r.gmina,
                    "place": r.place,
                    "proximity": p.proximity.code(),
                    "category_match": p.category_match,
                    "shared": p.shared,
                    "tags": p.tags,
                    "reason": p.reason,
                })
            })
            .collect();
        json(out, &Value::Array(v))?;
        return Ok(());
    }
    let pl = lang == Lang::Pl;
    writeln!(out, "{}: {}", if pl { "Potrzeba" } else { "Need" }, n.description)?;
    if proposals.is_empty() {
        writeln!(out, "{}", if pl { "Brak propozycji." } else { "No proposals." })?;
        return Ok(());
    }
    for (k, p) in shown.enumerate() {
        let Some(r) = data.resource(p.resource) else { continue };
        let at = [r.category.code(), r.place.as_deref().or(r.gmina.as_deref()).unwrap_or_default()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(out, "{:>2}. {}  {}  [{at}]", k + 1, r.id.short(), r.name)?;
        writeln!(out, "    {}", p.reason)?;
    }
    writeln!(
        out,
        "{}",
        if pl {
            "teren need link POTRZEBA ZASÓB łączy zasób z potrzebą."
        } else {
            "teren need link NEED RESOURCE links one."
        }
    )?;
    Ok(())
}
