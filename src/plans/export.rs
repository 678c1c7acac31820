//! An action plan for the mayor's office: Markdown (headings and a table per goal, to
//! paste or print) and CSV for Polish Excel (the CSV of [`crate::report::export`]:
//! UTF-8 with a BOM, `;`).

use super::{Data, PlanTree, Progress};
use crate::i18n::{Lang, t};
use crate::sheet::{Cell, Sheet, to_csv};
use chrono::NaiveDate;

/// Text safe inside a Markdown table cell: no pipes, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ").trim().to_string()
}

fn status_text(task: &crate::model::Task, lang: Lang, today: NaiveDate) -> String {
    let mut s = task.status.label(lang).to_string();
    if let Some(d) = task.done_on.filter(|_| task.status == crate::model::TaskStatus::Done) {
        s.push_str(&format!(" {d}"));
    }
    if task.overdue(today) {
        s.push_str(&format!(" — {}", t(lang, "overdue")));
    }
    s
}

pub fn markdown(data: &Data, tree: &PlanTree, lang: Lang, today: NaiveDate) -> String {
    let p = tree.plan;
    let mut out = format!("# {}: {}\n\n", t(lang, "plan_title"), p.name);
    let owner_key = if p.jst.is_some() { "plan_municipality" } else { "partnership" };
    out.push_str(&format!("- {}: {}\n", capital(t(lang, owner_key)), data.plan_owner(p)));
    if let Some(a) = p.adopted {
        out.push_str(&format!("- {}: {a}\n", t(lang, "plan_adopted")));
    }
    let all = Progress::of(tree.goals.iter().flat_map(|g| g.tasks.iter().copied()), today);
    out.push_str(&format!(
        "- {}: {}/{} ({}%), {}: {}\n- {}: {today}\n",
        t(lang, "plan_progress"),
        all.done,
        all.total,
        all.percent(),
        t(lang, "overdue"),
        all.overdue,
        t(lang, "plan_as_of"),
    ));
    for (gi, g) in tree.goals.iter().enumerate() {
        let pr = Progress::of(g.tasks.iter().copied(), today);
        out.push_str(&format!(
            "\n## {}. {} ({}/{} {})\n\n",
            gi + 1,
            g.goal.name,
            pr.done,
            pr.total,
            t(lang, "plan_done_short")
        ));
        if g.tasks.is_empty() {
            out.push_str(&format!("_{}_\n", t(lang, "plan_no_tasks")));
            continue;
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|---|\n",
            t(lang, "number"),
            capital(t(lang, "plan_task")),
            capital(t(lang, "plan_owner")),
            capital(t(lang, "due")),
            capital(t(lang, "status")),
            capital(t(lang, "plan_links")),
            capital(t(lang, "plan_notes")),
        ));
        for (ti, task) in g.tasks.iter().enumerate() {
            out.push_str(&format!(
                "| {}.{} | {} | {} | {} | {} | {} | {} |\n",
                gi + 1,
                ti + 1,
                cell(&task.name),
                cell(&data.name(task.owner)),
                task.due.map(|d| d.to_string()).unwrap_or_default(),
                cell(&status_text(task, lang, today)),
                cell(&data.links(task).join("; ")),
                cell(task.notes.as_deref().unwrap_or("")),
            ));
        }
    }
    out
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn sheet(data: &Data, tree: &PlanTree, lang: Lang, today: NaiveDate) -> Sheet {
    let headers = [
        "number",
        "plan_goal",
        "plan_task",
        "plan_owner",
        "due",
        "status",
        "plan_done_on",
        "overdue",
        "plan_links",
        "plan_notes",
        "id",
    ]
    .iter()
    .map(|k| t(lang, k).to_string())
    .collect();
    let mut rows = Vec::new();
    for (gi, g) in tree.goals.iter().enumerate() {
        for (ti, task) in g.tasks.iter().enumerate() {
            rows.push(vec![
                Cell::from(format!("{}.{}", gi + 1, ti + 1)),
                Cell::from(g.goal.name.clone()),
                Cell::from(task.name.clone()),
                Cell::from(data.name(task.owner)),
                task.due.map_or(Cell::Empty, Cell::Date),
                Cell::from(task.status.label(lang)),
                task.done_on.map_or(Cell::Empty, Cell::Date),
                Cell::from(if task.overdue(today) { t(lang, "yes") } else { "" }),
                Cell::from(data.links(task).join("; ")),
                Cell::from(task.notes.clone().unwrap_or_default()),
                Cell::from(task.id.short()),
            ]);
        }
    }
    Sheet { name: t(lang, "plan_title").to_string(), headers, rows }
}

/// [`sheet`] as CSV bytes (BOM, `;`, CRLF).
pub fn csv(data: &Data, tree: &PlanTree, lang: Lang, today: NaiveDate) -> Vec<u8> {
    to_csv(&sheet(data, tree, lang, today))
}
