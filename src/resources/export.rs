//! A place's map for a diagnosis report (*diagnoza*): resources by category, needs
//! with their status and the resources that answer them, and the gap — as Markdown
//! (headings and tables to paste) or as CSV for Polish Excel (the CSV of
//! [`crate::report::export`]: UTF-8 with a BOM, `;`).

use super::{Data, Scope, gap, needs_in, tree};
use crate::i18n::Lang;
use crate::model::{Id, Resource, ResourceCategory};
use crate::sheet::{Cell, Sheet, to_csv};
use std::collections::HashSet;

/// Text safe inside a Markdown table cell: no pipes, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ").trim().to_string()
}

/// The resources of the scope, by category, each category by name.
fn by_category<'a>(data: &'a Data, scope: &Scope) -> Vec<(ResourceCategory, Vec<&'a Resource>)> {
    let t = tree(data, scope);
    ResourceCategory::ALL
        .iter()
        .map(|&c| {
            let mut rs: Vec<&Resource> = t
                .gminas
                .iter()
                .flat_map(|g| &g.places)
                .flat_map(|p| &p.categories)
                .filter(|n| n.category == c)
                .flat_map(|n| &n.resources)
                .filter_map(|l| data.resource(l.id))
                .collect();
            rs.sort_by_cached_key(|r| (crate::search::fold(&r.name), r.id));
            (c, rs)
        })
        .filter(|(_, rs)| !rs.is_empty())
        .collect()
}

fn contact(data: &Data, r: &Resource) -> String {
    r.contact.and_then(|c| data.names.get(&c).cloned()).unwrap_or_default()
}

fn linked_names(data: &Data, ids: &[Id]) -> Vec<String> {
    ids.iter().filter_map(|id| data.resource(*id)).map(|r| r.name.clone()).collect()
}

struct Words {
    title: &'static str,
    resources: &'static str,
    needs: &'static str,
    gap: &'static str,
    unanswered: &'static str,
    unused: &'static str,
    name: &'static str,
    description: &'static str,
    contact: &'static str,
    tags: &'static str,
    need: &'static str,
    category: &'static str,
    status: &'static str,
    answered_by: &'static str,
    none: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Pl => Words {
            title: "Mapa zasobów",
            resources: "Zasoby",
            needs: "Potrzeby",
            gap: "Luka",
            unanswered: "Potrzeby, na które nic jeszcze nie odpowiada",
            unused: "Zasoby, których nie wykorzystuje żadna potrzeba",
            name: "Nazwa",
            description: "Opis",
            contact: "Kontakt",
            tags: "Tagi",
            need: "Potrzeba",
            category: "Kategoria",
            status: "Status",
            answered_by: "Odpowiadające zasoby",
            none: "brak",
        },
        Lang::En => Words {
            title: "Resource map",
            resources: "Resources",
            needs: "Needs",
            gap: "Gap",
            unanswered: "Needs nothing answers yet",
            unused: "Resources no need uses",
            name: "Name",
            description: "Description",
            contact: "Contact",
            tags: "Tags",
            need: "Need",
            category: "Category",
            status: "Status",
            answered_by: "Answered by",
            none: "none",
        },
    }
}

/// The map of `scope` as Markdown: a title, resources by category (a table each),
/// needs (one table) and the gap (two lists).
pub fn markdown(data: &Data, scope: &Scope, lang: Lang) -> String {
    let w = words(lang);
    let mut s = format!("# {}: {}\n\n", w.title, scope.title(lang));
    let cats = by_category(data, scope);
    let total: usize = cats.iter().map(|(_, rs)| rs.len()).sum();
    s += &format!("## {} ({total})\n\n", w.resources);
    if cats.is_empty() {
        s += &format!("_{}_\n\n", w.none);
    }
    for (c, rs) in &cats {
        let label = c.label(lang);
        let mut chars = label.chars();
        let label = chars.next().map(|f| f.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default();
        s += &format!("### {label} ({})\n\n", rs.len());
        s += &format!("| {} | {} | {} | {} |\n|---|---|---|---|\n", w.name, w.description, w.contact, w.tags);
        for r in rs {
            s += &format!(
                "| {} | {} | {} | {} |\n",
                cell(&r.name),
                cell(r.description.as_deref().unwrap_or_default()),
                cell(&contact(data, r)),
                cell(&r.tags.join(", "))
            );
        }
        s += "\n";
    }
    let needs = needs_in(data, scope);
    s += &format!("## {} ({})\n\n", w.needs, needs.len());
    if needs.is_empty() {
        s += &format!("_{}_\n\n", w.none);
    } else {
        s += &format!("| {} | {} | {} | {} |\n|---|---|---|---|\n", w.need, w.category, w.status, w.answered_by);
        for n in &needs {
            s += &format!(
                "| {} | {} | {} | {} |\n",
                cell(&n.description),
                n.category.map(|c| c.label(lang)).unwrap_or_default(),
                n.status.label(lang),
                cell(&linked_names(data, &n.resources).join(", "))
            );
        }
        s += "\n";
    }
    let g = gap(data, scope);
    s += &format!("## {}\n\n### {} ({})\n\n", w.gap, w.unanswered, g.unanswered.len());
    for n in g.unanswered.iter().filter_map(|id| data.needs.iter().find(|n| n.id == *id)) {
        s += &format!("- {} ({})\n", cell(&n.description), n.status.label(lang));
    }
    if g.unanswered.is_empty() {
        s += &format!("_{}_\n", w.none);
    }
    s += &format!("\n### {} ({})\n\n", w.unused, g.unused.len());
    for r in g.unused.iter().filter_map(|id| data.resource(*id)) {
        s += &format!("- {} ({})\n", cell(&r.name), r.category.label(lang));
    }
    if g.unused.is_empty() {
        s += &format!("_{}_\n", w.none);
    }
    s
}

/// The map of `scope` as one sheet: a row per resource (by category), then a row per
/// need; the `gap` column says "tak"/"yes" for needs nothing answers and resources no
/// need uses.
pub fn sheet(data: &Data, scope: &Scope, lang: Lang) -> Sheet {
    let pl = lang == Lang::Pl;
    let headers: Vec<String> = if pl {
        [
            "rodzaj",
            "kategoria",
            "nazwa lub opis",
            "status",
            "powiązane",
            "gmina",
            "miejscowość",
            "kontakt",
            "tagi",
            "luka",
            "id",
        ]
    } else {
        [
            "kind",
            "category",
            "name or description",
            "status",
            "linked",
            "gmina",
            "place",
            "contact",
            "tags",
            "gap",
            "id",
        ]
    }
    .iter()
    .map(|h| h.to_string())
    .collect();
    let g = gap(data, scope);
    let unanswered: HashSet<Id> = g.unanswered.iter().copied().collect();
    let unused: HashSet<Id> = g.unused.iter().copied().collect();
    let yes = if pl { "tak" } else { "yes" };
    let mut rows = Vec::new();
    for (c, rs) in by_category(data, scope) {
        for r in rs {
            // the needs of any place this resource answers
            let answers: Vec<String> =
                data.needs.iter().filter(|n| n.resources.contains(&r.id)).map(|n| n.description.clone()).collect();
            rows.push(vec![
                Cell::from(if pl { "zasób" } else { "resource" }),
                Cell::from(c.label(lang)),
                Cell::from(r.name.clone()),
                Cell::Empty,
                Cell::from(answers.join(" | ")),
                Cell::from(r.gmina.clone()),
                Cell::from(r.place.clone()),
                Cell::from(contact(data, r)),
                Cell::from(r.tags.join(", ")),
                Cell::from(if unused.contains(&r.id) { yes } else { "" }),
                Cell::from(r.id.short()),
            ]);
        }
    }
    for n in needs_in(data, scope) {
        rows.push(vec![
            Cell::from(if pl { "potrzeba" } else { "need" }),
            Cell::from(n.category.map(|c| c.label(lang).to_string())),
            Cell::from(n.description.clone()),
            Cell::from(n.status.label(lang)),
            Cell::from(linked_names(data, &n.resources).join(" | ")),
            Cell::from(data.need_gmina(n)),
            Cell::from(n.place.clone()),
            Cell::Empty,
            Cell::Empty,
            Cell::from(if unanswered.contains(&n.id) { yes } else { "" }),
            Cell::from(n.id.short()),
        ]);
    }
    Sheet { name: if pl { "mapa zasobów" } else { "resource map" }.into(), headers, rows }
}

/// [`sheet`] as CSV bytes (BOM, `;`, CRLF).
pub fn csv(data: &Data, scope: &Scope, lang: Lang) -> Vec<u8> {
    to_csv(&sheet(data, scope, lang))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{need, res};
    use super::*;
    use crate::model::NeedStatus;
    use ResourceCategory::*;

    fn sample() -> Data {
        let mut r = vec![
            res("Świetlica wiejska", Places, "Dobiegniew", "Ługi", &["sala"]),
            res("Koło Gospodyń | KGW", Organisations, "Dobiegniew", "Ługi", &["kulinaria", "rękodzieło"]),
            res("Dom kultury", Places, "Drawno", "Drawno", &[]),
        ];
        r[0].description = Some("Sala na 60 osób,\nz kuchnią".into());
        let mut answered = need("Miejsce na zebrania", Some(Places), "Dobiegniew", "Ługi", NeedStatus::InProgress);
        answered.resources.push(r[0].id);
        let waiting = need("Zajęcia dla seniorów", Some(People), "Dobiegniew", "Ługi", NeedStatus::Open);
        let elsewhere = need("Plac zabaw", None, "Drawno", "Drawno", NeedStatus::Open);
        Data::new(r, vec![answered, waiting, elsewhere])
    }

    #[test]
    fn markdown_has_resources_by_category_needs_and_the_gap() {
        let d = sample();
        let md = markdown(&d, &Scope::new(None, Some("Ługi".into())), Lang::Pl);
        assert!(md.starts_with("# Mapa zasobów: Ługi\n"), "{md}");
        assert!(md.contains("## Zasoby (2)"), "{md}");
        assert!(md.contains("### Organizacje i instytucje (1)"), "{md}");
        assert!(md.contains("### Miejsca i infrastruktura (1)"), "{md}");
        // ABCD order: organisations before places
        assert!(md.find("### Organizacje").unwrap_or(usize::MAX) < md.find("### Miejsca").unwrap_or(0), "{md}");
        assert!(md.contains("| Świetlica wiejska | Sala na 60 osób, z kuchnią |  | sala |"), "{md}");
        assert!(md.contains("| Koło Gospodyń \\| KGW |"), "{md}");
        assert!(md.contains("## Potrzeby (2)"), "{md}");
        assert!(md.contains("| Zajęcia dla seniorów | ludzie i umiejętności | otwarta |  |"), "{md}");
        assert!(
            md.contains("| Miejsce na zebrania | miejsca i infrastruktura | w trakcie | Świetlica wiejska |"),
            "{md}"
        );
        assert!(
            md.contains("### Potrzeby, na które nic jeszcze nie odpowiada (1)\n\n- Zajęcia dla seniorów (otwarta)"),
            "{md}"
        );
        assert!(md.contains("(1)\n\n- Koło Gospodyń \\| KGW (organizacje i instytucje)"), "{md}");
        assert!(!md.contains("Dom kultury") && !md.contains("Plac zabaw"), "{md}");

        let en = markdown(&d, &Scope::new(Some("Drawno".into()), Some("Drawno".into())), Lang::En);
        assert!(en.starts_with("# Resource map: Drawno (gmina Drawno)\n"), "{en}");
        assert!(en.contains("### Needs nothing answers yet (1)\n\n- Plac zabaw (open)"), "{en}");
    }

    #[test]
    fn csv_is_excel_polish_with_a_gap_column() {
        let d = sample();
        let bytes = csv(&d, &Scope::new(None, Some("lugi".into())), Lang::Pl);
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8_lossy(&bytes[3..]).to_string();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines[0].starts_with("rodzaj;kategoria;nazwa lub opis;status;powiązane;gmina;miejscowość"), "{text}");
        assert_eq!(lines.len(), 5, "{text}");
        assert!(
            lines[1].starts_with(
                "zasób;organizacje i instytucje;Koło Gospodyń | KGW;;;Dobiegniew;Ługi;;kulinaria, rękodzieło;tak;"
            ),
            "{text}"
        );
        assert!(
            lines[2].starts_with(
                "zasób;miejsca i infrastruktura;Świetlica wiejska;;Miejsce na zebrania;Dobiegniew;Ługi;;sala;;"
            ),
            "{text}"
        );
        assert!(
            lines[3].starts_with("potrzeba;ludzie i umiejętności;Zajęcia dla seniorów;otwarta;;Dobiegniew;Ługi;;;tak;"),
            "{text}"
        );
        assert!(
            lines[4].starts_with("potrzeba;miejsca i infrastruktura;Miejsce na zebrania;w trakcie;Świetlica wiejska;"),
            "{text}"
        );
    }
}
