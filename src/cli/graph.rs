//! `teren graph`: who works with whom — metrics, export, growth.

use super::output::{Table, json};
use crate::graph::{self, Data, Graph, Options, Scope, export};
use crate::i18n::Lang;
use crate::model::Kind;
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    crate::model::validate::date(s).map_err(|e| e.message(Lang::En).to_string())
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    /// Nodes with degree, betweenness, closeness; edges with weight and why.
    #[arg(long)]
    json: bool,
    /// Count meetings from this date on.
    #[arg(long, global = true, value_parser = parse_date, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Count meetings up to this date.
    #[arg(long, global = true, value_parser = parse_date, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// The graph as it stood on this date.
    #[arg(long, global = true, value_parser = parse_date, value_name = "DATE")]
    at: Option<NaiveDate>,
    /// Leave out edges lighter than this.
    #[arg(long, global = true, default_value_t = 1, value_name = "N")]
    min_weight: u32,
    /// Organisations only (people left out): the graph a big database can compute.
    #[arg(long, global = true)]
    orgs: bool,
    /// Only participants of this gmina (case and Polish letters aside).
    #[arg(long, global = true, value_name = "GMINA")]
    gmina: Option<String>,
    #[command(subcommand)]
    cmd: Option<GraphCmd>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Dot,
    Graphml,
}

#[derive(Subcommand, Debug)]
pub enum GraphCmd {
    /// Write the graph for Graphviz (dot) or Gephi/yEd (graphml).
    Export {
        #[arg(long, value_enum)]
        format: Format,
        /// The file to write; standard output when not given.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Organisations engaged and links formed, per month.
    Growth {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(store: &Store, a: GraphArgs, lang: Lang, out: &mut impl Write) -> Result<()> {
    let opts = Options { from: a.from, to: a.to, at: a.at, min_weight: a.min_weight };
    let scope = Scope { orgs: a.orgs, gmina: a.gmina.clone() };
    let data = Data::load(store)?;
    if let Some(g) = &scope.gmina {
        let known = data.gminas();
        if !known.iter().any(|k| crate::search::fold(k) == crate::search::fold(g)) {
            anyhow::bail!(
                crate::i18n::t(lang, "graph_no_gmina").replace("{g}", g).replace("{list}", &known.join(", "))
            );
        }
    }
    match a.cmd {
        Some(GraphCmd::Export { format, out: file }) => {
            let g = Graph::build_in(&data, &opts, &scope);
            let text = match format {
                Format::Dot => export::dot(&g, lang),
                Format::Graphml => export::graphml(&g, lang),
            };
            match file {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
                    writeln!(out, "{} ({} nodes, {} edges)", path.display(), g.nodes.len(), g.edges.len())?;
                }
                None => out.write_all(text.as_bytes())?,
            }
            Ok(())
        }
        Some(GraphCmd::Growth { json: as_json }) => {
            let months = graph::growth(&Graph::edges_in(&data, &opts, &scope));
            if as_json {
                json(out, &serde_json::to_value(&months)?)?;
                return Ok(());
            }
            let (m, no, o, nl, l) = match lang {
                Lang::Pl => ("miesiąc", "nowe org.", "org. razem", "nowe więzi", "więzi razem"),
                Lang::En => ("month", "new orgs", "orgs", "new links", "links"),
            };
            let mut table = Table::new(&[m, no, o, nl, l]);
            for x in &months {
                table.row(vec![
                    x.month.clone(),
                    x.new_orgs.to_string(),
                    x.orgs.to_string(),
                    x.new_links.to_string(),
                    x.links.to_string(),
                ]);
            }
            table.write(out)?;
            Ok(())
        }
        None => {
            let g = Graph::build_in(&data, &opts, &scope);
            if a.json {
                json(out, &g.to_json(lang))?;
                return Ok(());
            }
            summary(&g, lang, out)
        }
    }
}

/// Top bridges, isolated organisations and groups, for people.
fn summary(g: &Graph, lang: Lang, out: &mut impl Write) -> Result<()> {
    let pl = lang == Lang::Pl;
    let m = &g.metrics;
    let orgs = g.nodes.iter().filter(|n| n.kind == Kind::Org).count();
    writeln!(
        out,
        "{}: {} ({} {}), {}: {}",
        if pl { "Węzły" } else { "Nodes" },
        g.nodes.len(),
        orgs,
        if pl { "organizacji" } else { "organisations" },
        if pl { "powiązania" } else { "links" },
        g.edges.len()
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        if pl {
            "Mosty (łączą grupy, najwyższe pośrednictwo):"
        } else {
            "Bridges (hold groups together, highest betweenness):"
        }
    )?;
    let mut table = Table::new(&[
        if pl { "nazwa" } else { "name" },
        if pl { "kategoria" } else { "category" },
        if pl { "stopień" } else { "degree" },
        if pl { "pośrednictwo" } else { "betweenness" },
        if pl { "bliskość" } else { "closeness" },
        if pl { "punkt cięcia" } else { "cut vertex" },
    ]);
    for i in g.bridges(10) {
        let n = &g.nodes[i];
        table.row(vec![
            n.name.clone(),
            n.category.code().into(),
            m.degree[i].to_string(),
            format!("{:.4}", m.betweenness[i]),
            format!("{:.4}", m.closeness[i]),
            if m.cut_vertices.binary_search(&i).is_ok() { "✓".into() } else { String::new() },
        ]);
    }
    table.write(out)?;
    writeln!(out)?;
    let isolated_orgs: Vec<&str> =
        m.isolated.iter().filter(|&&i| g.nodes[i].kind == Kind::Org).map(|&i| g.nodes[i].name.as_str()).collect();
    writeln!(
        out,
        "{}: {} {}, {} {}",
        if pl { "Odizolowani" } else { "Isolated" },
        isolated_orgs.len(),
        if pl { "organizacji" } else { "organisations" },
        m.isolated.len() - isolated_orgs.len(),
        if pl { "osób" } else { "people" },
    )?;
    for name in isolated_orgs.iter().take(15) {
        writeln!(out, "  • {name}")?;
    }
    if isolated_orgs.len() > 15 {
        writeln!(out, "  … +{}", isolated_orgs.len() - 15)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}: {}",
        if pl { "Grupy (spójne składowe)" } else { "Groups (connected components)" },
        m.groups.len()
    )?;
    for (k, group) in m.groups.iter().take(10).enumerate() {
        let mut names: Vec<&str> = group
            .iter()
            .filter(|&&i| g.nodes[i].kind == Kind::Org)
            .map(|&i| g.nodes[i].name.as_str())
            .take(4)
            .collect();
        if names.is_empty() {
            names = group.iter().map(|&i| g.nodes[i].name.as_str()).take(4).collect();
        }
        let more = if group.len() > names.len() { ", …" } else { "" };
        writeln!(out, "  {}. [{}] {}{more}", k + 1, group.len(), names.join(", "))?;
    }
    Ok(())
}
