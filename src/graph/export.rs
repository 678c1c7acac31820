//! DOT (Graphviz) and GraphML (Gephi, yEd) exports with node categories, metrics and
//! edge weights, so the picture can be handed to a partner.

use super::{Graph, round};
use crate::i18n::Lang;
use std::fmt::Write as _;

/// A quoted DOT string.
fn dot_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The graph in DOT: `graph teren { "id" [label=…, kind=…, category=…]; "a" -- "b"
/// [weight=…, why=…]; }`. Node shapes: boxes for organisations, ellipses for people.
pub fn dot(g: &Graph, lang: Lang) -> String {
    let m = &g.metrics;
    let mut s = String::from("graph teren {\n  graph [overlap=false];\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let shape = if n.kind == crate::model::Kind::Org { "box" } else { "ellipse" };
        let _ = writeln!(
            s,
            "  {} [label={}, kind={}, category={}, shape={shape}, degree={}, betweenness={}, closeness={}];",
            dot_str(&n.id.to_string()),
            dot_str(&n.name),
            dot_str(n.kind.code()),
            dot_str(n.category.code()),
            m.degree.get(i).copied().unwrap_or(0),
            round(m.betweenness.get(i).copied().unwrap_or(0.0)),
            round(m.closeness.get(i).copied().unwrap_or(0.0)),
        );
    }
    for e in &g.edges {
        let _ = writeln!(
            s,
            "  {} -- {} [weight={w}, penwidth={w}, why={}];",
            dot_str(&g.nodes[e.a].id.to_string()),
            dot_str(&g.nodes[e.b].id.to_string()),
            dot_str(&e.why(lang)),
            w = e.weight(),
        );
    }
    s.push_str("}\n");
    s
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The graph in GraphML with typed keys for name, kind, category, metrics, weight and
/// why.
pub fn graphml(g: &Graph, lang: Lang) -> String {
    let m = &g.metrics;
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (id, on, ty) in [
        ("name", "node", "string"),
        ("kind", "node", "string"),
        ("category", "node", "string"),
        ("degree", "node", "int"),
        ("betweenness", "node", "double"),
        ("closeness", "node", "double"),
        ("weight", "edge", "int"),
        ("why", "edge", "string"),
    ] {
        let _ = writeln!(s, "  <key id=\"{id}\" for=\"{on}\" attr.name=\"{id}\" attr.type=\"{ty}\"/>");
    }
    s.push_str("  <graph id=\"teren\" edgedefault=\"undirected\">\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let _ = writeln!(
            s,
            "    <node id=\"{}\"><data key=\"name\">{}</data><data key=\"kind\">{}</data>\
             <data key=\"category\">{}</data><data key=\"degree\">{}</data>\
             <data key=\"betweenness\">{}</data><data key=\"closeness\">{}</data></node>",
            n.id,
            xml(&n.name),
            n.kind.code(),
            n.category.code(),
            m.degree.get(i).copied().unwrap_or(0),
            round(m.betweenness.get(i).copied().unwrap_or(0.0)),
            round(m.closeness.get(i).copied().unwrap_or(0.0)),
        );
    }
    for e in &g.edges {
        let _ = writeln!(
            s,
            "    <edge source=\"{}\" target=\"{}\"><data key=\"weight\">{}</data><data key=\"why\">{}</data></edge>",
            g.nodes[e.a].id,
            g.nodes[e.b].id,
            e.weight(),
            xml(&e.why(lang)),
        );
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(dot_str("a \"b\" \\ c\nd"), "\"a \\\"b\\\" \\\\ c d\"");
        assert_eq!(xml("Koło „<Razem>” & co\u{1}"), "Koło „&lt;Razem&gt;” &amp; co ");
    }
}
