//! `import`, `export`, `project`, `report`, `audit`, and `participant export|retention`:
//! spreadsheets in and out, indicators, and the personal-data duties.

use super::list::{json_rows, records, table};
use super::output::{Progress, json};
use crate::edit;
use crate::i18n::{Lang, t};
use crate::import::{self, Original};
use crate::model::{Entity, Id, Project};
use crate::report::{self, export, privacy};
use crate::store::Store;
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
    /// Participants from a CSV saved by Excel or LibreOffice (any of UTF-8, UTF-8 with BOM,
    /// Windows-1250; `;`, `,` or tab). Rows that duplicate a participant (same name and
    /// place, phone or e-mail) are skipped, so importing a file twice adds nothing.
    Participants(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Show what would be added, skipped and refused; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import nothing unless every row is valid.
    #[arg(long)]
    pub strict: bool,
    /// Say which field a column holds: --map 'Stanowisko=note', --map 'PESEL=-' to skip
    /// it, --map '#7=phone' by column number. Repeatable.
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    pub map: Vec<String>,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhatArg {
    Participants,
    Meetings,
    /// One row per attendee of each meeting (lista obecności).
    Attendance,
    Followups,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
    /// UTF-8 with BOM, `;` — opens in Polish Excel as it is.
    Csv,
    Xlsx,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub what: WhatArg,
    /// csv or xlsx (default: from the --out file's extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace names, phones and e-mails with stable pseudonyms and leave out free text.
    #[arg(long, alias = "pseudonymize")]
    pub pseudonymise: bool,
}

#[derive(Subcommand, Debug)]
pub enum ProjectCmd {
    /// Add a project: its period and the targets it promised.
    Add {
        #[arg(long)]
        name: String,
        /// First day, yyyy-mm-dd.
        #[arg(long)]
        from: Option<String>,
        /// Last day, yyyy-mm-dd.
        #[arg(long)]
        to: Option<String>,
        /// KEY=NUMBER, repeatable. KEY: participants, meetings, hours, organisations,
        /// partnerships, needs-answered, a participant category (pes, OPS, person…)
        /// or a meeting type (study-visit, szkolenie…; type:other for the type "other").
        #[arg(long = "target", value_name = "KEY=NUMBER")]
        targets: Vec<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// List projects.
    List {
        #[command(flatten)]
        list: super::args::ListArgs,
    },
    #[command(flatten)]
    Common(super::args::Common),
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The project (name or id); the only project when there is one; else all records.
    #[arg(long)]
    pub project: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// Write `bytes` to `path` whole or not at all: a temporary file beside it, synced,
/// then renamed over it.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let what = || format!("cannot write {}; check that the folder exists and is writable", path.display());
    let name = path.file_name().ok_or_else(|| anyhow!("--out {} is not a file name", path.display()))?;
    let tmp = path.with_file_name(format!(".{}.tmp", name.to_string_lossy()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(what)
}

const LIST: usize = 50;

pub fn import(store: &Store, cmd: ImportCmd, out: &mut impl Write) -> Result<()> {
    let ImportCmd::Participants(a) = cmd;
    let bytes = std::fs::read(&a.file).with_context(|| format!("cannot read {}; check the path", a.file.display()))?;
    let mut bar = Progress::new("import");
    let plan = import::plan(store, &bytes, &import::Options { maps: a.map.clone() }, &mut |d, t| {
        if t >= 5_000 {
            bar.update(d, t)
        }
    });
    bar.finish();
    let plan = plan.with_context(|| format!("{} not imported", a.file.display()))?;
    let n_errors = plan.errors.iter().map(|e| e.row).collect::<std::collections::BTreeSet<_>>().len();
    let refuse = a.strict && n_errors > 0;
    let (n_people, n_orgs, n_records) = (plan.add.len(), plan.new_orgs.len(), plan.records());
    let summary = if a.json { Some(plan_json(&plan)) } else { None };
    if !a.json {
        write_plan(&plan, &a.file, a.dry_run, out)?;
    }
    let written = if a.dry_run || refuse { 0 } else { import::apply(store, plan)? };
    if let Some(mut v) = summary {
        v["dry_run"] = a.dry_run.into();
        v["imported"] = written.into();
        json(out, &v)?;
    } else if a.dry_run {
        writeln!(
            out,
            "dry run: nothing written; the import would add {n_people} participants and {n_orgs} organisations"
        )?;
    } else if !refuse {
        writeln!(
            out,
            "imported {n_people} participants and {n_orgs} new organisations ({written} records, one transaction)"
        )?;
    }
    debug_assert!(written == 0 || written == n_records);
    if refuse {
        bail!(
            "{n_errors} rows have errors; nothing imported (--strict); fix the rows listed, or import without --strict to add the valid ones"
        );
    }
    if n_errors > 0 && !a.dry_run {
        bail!(
            "{n_errors} rows had errors and were not imported (listed above); fix them and import the file again — rows already imported are skipped"
        );
    }
    Ok(())
}

fn original(o: &Original) -> String {
    match o {
        Original::Existing { id, name } => format!("participant {} {name}", id.short()),
        Original::Row(r) => format!("row {r}"),
    }
}

fn plan_json(p: &import::Plan) -> Value {
    json!({
        "encoding": p.encoding.map(|e| e.to_string()),
        "delimiter": (p.delimiter as char).to_string(),
        "columns": p.columns.iter().map(|(h, f)| json!({"header": h, "field": f.code()})).collect::<Vec<_>>(),
        "rows": p.rows,
        "blank": p.blank,
        "add": p.add.iter().map(|a| json!({"row": a.row, "id": a.id.to_string(), "name": a.name, "place": a.place, "org": a.org})).collect::<Vec<_>>(),
        "new_organisations": p.new_orgs.iter().map(|(id, n)| json!({"id": id.to_string(), "name": n})).collect::<Vec<_>>(),
        "duplicates": p.duplicates.iter().map(|d| {
            let of = match &d.of {
                Original::Existing { id, name } => json!({"participant": id.to_string(), "name": name}),
                Original::Row(r) => json!({"row": r}),
            };
            json!({"row": d.row, "name": d.name, "why": d.why, "of": of})
        }).collect::<Vec<_>>(),
        "errors": p.errors.iter().map(|e| json!({"row": e.row, "field": e.field, "message": e.message})).collect::<Vec<_>>(),
    })
}

fn write_plan(p: &import::Plan, file: &Path, dry_run: bool, out: &mut impl Write) -> Result<()> {
    let delim = match p.delimiter {
        b'\t' => "tab".to_string(),
        d => format!("'{}'", d as char),
    };
    writeln!(
        out,
        "{}: {}, delimiter {delim}, {} rows{}",
        file.display(),
        p.encoding.map(|e| e.to_string()).unwrap_or_default(),
        p.rows,
        if p.blank > 0 { format!(" ({} blank, skipped)", p.blank) } else { String::new() }
    )?;
    let cols: Vec<String> = p
        .columns
        .iter()
        .filter(|(h, f)| !(h.is_empty() && *f == import::Field::Skip))
        .map(|(h, f)| format!("{h} → {f}"))
        .collect();
    writeln!(out, "columns: {}", cols.join(", "))?;
    let more = |n: usize, out: &mut dyn Write| -> std::io::Result<()> {
        if n > LIST { writeln!(out, "  … {} more (--json lists them all)", n - LIST) } else { Ok(()) }
    };
    writeln!(
        out,
        "{}: {} participants{}",
        if dry_run { "to add" } else { "adding" },
        p.add.len(),
        if p.new_orgs.is_empty() { String::new() } else { format!(" and {} new organisations", p.new_orgs.len()) }
    )?;
    if dry_run {
        for a in p.add.iter().take(LIST) {
            let place = a.place.as_deref().map(|x| format!(", {x}")).unwrap_or_default();
            let org = a.org.as_deref().map(|x| format!(" — {x}")).unwrap_or_default();
            writeln!(out, "  row {:<5} {}{place}{org}", a.row, a.name)?;
        }
        more(p.add.len(), out)?;
        for (_, n) in p.new_orgs.iter().take(LIST) {
            writeln!(out, "  new organisation: {n}")?;
        }
    }
    if !p.duplicates.is_empty() {
        writeln!(out, "duplicates, skipped: {}", p.duplicates.len())?;
        for d in p.duplicates.iter().take(LIST) {
            writeln!(out, "  row {:<5} {} — {} as {}", d.row, d.name, d.why, original(&d.of))?;
        }
        more(p.duplicates.len(), out)?;
    }
    if !p.errors.is_empty() {
        writeln!(out, "errors, not imported: {}", p.errors.len())?;
        for e in p.errors.iter().take(LIST) {
            writeln!(out, "  row {:<5} {}: {}", e.row, e.field, e.message.replace(['\r', '\n'], " "))?;
        }
        more(p.errors.len(), out)?;
    }
    Ok(())
}

fn pseudonyms(store: &Store) -> Result<export::Pseudonyms> {
    Ok(export::Pseudonyms::new(store.local_secret("pseudonyms")?))
}

pub fn export(store: &Store, a: ExportArgs, lang: Lang, out: &mut impl Write) -> Result<()> {
    let format = a.format.unwrap_or_else(|| {
        let xlsx = a.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if xlsx { FormatArg::Xlsx } else { FormatArg::Csv }
    });
    let what = match a.what {
        WhatArg::Participants => export::What::Participants,
        WhatArg::Meetings => export::What::Meetings,
        WhatArg::Attendance => export::What::Attendance,
        WhatArg::Followups => export::What::Followups,
    };
    let ps = if a.pseudonymise { Some(pseudonyms(store)?) } else { None };
    let sheet = export::sheet(store, what, ps.as_ref(), lang)?;
    let (bytes, fmt) = match format {
        FormatArg::Csv => (export::to_csv(&sheet), "csv"),
        FormatArg::Xlsx => (export::to_xlsx(&sheet).map_err(|e| anyhow!("cannot make the XLSX: {e}"))?, "xlsx"),
    };
    write_file(&a.out, &bytes)?;
    let detail = format!("{} {fmt}{}", what.code(), if a.pseudonymise { " pseudonymised" } else { "" });
    store.audit("export", &detail, sheet.rows.len() as u64)?;
    writeln!(out, "exported {} rows of {} to {} ({detail})", sheet.rows.len(), what.code(), a.out.display())?;
    Ok(())
}

pub fn project(store: &Store, cmd: ProjectCmd, lang: Lang, out: &mut impl Write) -> Result<()> {
    match cmd {
        ProjectCmd::Add { name, from, to, targets, note } => {
            let mut fields = vec![("name".to_string(), name)];
            for (f, v) in [("from", from), ("to", to), ("note", note)] {
                if let Some(v) = v {
                    fields.push((f.into(), v));
                }
            }
            if !targets.is_empty() {
                fields.push(("targets".into(), targets.join(",")));
            }
            let id = edit::create(store, Entity::Project, &fields)?;
            writeln!(out, "added project {}", id.short())?;
            Ok(())
        }
        ProjectCmd::List { list } => {
            let mut rows = records(store, Entity::Project, &list, Project::from_doc)?;
            rows.sort_by_key(|(p, _)| (p.from, p.name.clone(), p.id));
            if list.json {
                return json_rows(out, &rows, |(p, d)| crate::dump::project_json(p, d));
            }
            let targets = if lang == Lang::Pl { "cele" } else { "targets" };
            table(
                out,
                &rows,
                &["id", t(lang, "name"), t(lang, "from"), t(lang, "to"), targets],
                |(p, _)| {
                    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
                    let tg: Vec<String> = p.targets.iter().map(|(k, n)| format!("{k}={}", report::num(*n))).collect();
                    vec![p.id.short(), p.name.clone(), d(p.from), d(p.to), tg.join(" ")]
                },
                Some("no projects; add one with teren project add --name NAME --from DATE --to DATE --target pes=10"),
            )
        }
        ProjectCmd::Common(c) => super::record::common(store, Entity::Project, c, lang, out),
    }
}

pub fn report(store: &Store, a: ReportArgs, lang: Lang, out: &mut impl Write) -> Result<()> {
    let live: Vec<Project> = store
        .docs(Entity::Project)?
        .into_iter()
        .map(|(id, d)| Project::from_doc(id, &d))
        .filter(|p| !p.deleted)
        .collect();
    let project = match &a.project {
        Some(q) => {
            let id = edit::resolve(store, Entity::Project, q)?;
            live.iter().find(|p| p.id == id).cloned()
        }
        None if live.len() == 1 => live.first().cloned(),
        None => None,
    };
    let r = report::report(store, project.as_ref())?;
    let plan_figures = report::plan_figures(store, project.as_ref())?;
    let others: Vec<&str> =
        if project.is_none() && live.len() > 1 { live.iter().map(|p| p.name.as_str()).collect() } else { Vec::new() };
    if a.json {
        let mut v = r.to_json(lang);
        if !others.is_empty() {
            v["projects"] = others.into();
        }
        v["plans"] = serde_json::to_value(plan_figures)?;
        json(out, &v)?;
    } else {
        if !others.is_empty() {
            writeln!(out, "projects: {} — choose one with --project NAME\n", others.join(", "))?;
        }
        r.write_text(out, lang, 30)?;
        report::write_plan_figures(&plan_figures, out, lang)?;
    }
    Ok(())
}

pub fn audit(store: &Store, as_json: bool, out: &mut impl Write) -> Result<()> {
    let log = store.audit_log()?;
    let when = |ms: u64| {
        chrono::DateTime::from_timestamp_millis(ms as i64)
            .map(|d| d.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default()
    };
    if as_json {
        return json_rows(out, &log, |e| {
            json!({"at": when(e.at_ms), "office": e.office, "replica": e.replica,
                   "action": e.action, "detail": e.detail, "records": e.records})
        });
    }
    table(
        out,
        &log,
        &["when", "office", "action", "what", "records"],
        |e| vec![when(e.at_ms), e.office.clone(), e.action.clone(), e.detail.clone(), e.records.to_string()],
        Some("the audit log is empty: no exports or erasures yet"),
    )
}

/// `participant export ID`: everything held about one person, as JSON.
pub fn participant_export(store: &Store, id: &str, to: Option<PathBuf>, out: &mut impl Write) -> Result<()> {
    let id: Id = edit::resolve_any(store, Entity::Participant, id)?;
    let v = privacy::subject_export(store, id)?.ok_or_else(|| anyhow!("no participant {}", id.short()))?;
    match to {
        Some(path) => {
            let mut bytes = serde_json::to_vec_pretty(&v)?;
            bytes.push(b'\n');
            write_file(&path, &bytes)?;
            writeln!(out, "wrote everything held about participant {} to {}", id.short(), path.display())?;
        }
        None => json(out, &v)?,
    }
    store.audit("subject-export", "everything held about one participant (json)", 1)?;
    Ok(())
}

/// `participant retention`: records kept past their retention date.
pub fn retention(store: &Store, on: Option<String>, as_json: bool, out: &mut impl Write) -> Result<()> {
    let today = match on {
        Some(d) => crate::model::validate::date(&d).map_err(|e| anyhow!("--on: {e}"))?,
        None => crate::plans::today(),
    };
    let list = privacy::retention_overdue(store, today)?;
    if as_json {
        return json_rows(
            out,
            &list,
            |o| json!({"id": o.id.to_string(), "name": o.name, "retention": o.retention.to_string(), "days_overdue": o.days}),
        );
    }
    if list.is_empty() {
        writeln!(out, "no records past their retention date ({today})")?;
        return Ok(());
    }
    table(
        out,
        &list,
        &["id", "name", "retention", "days over"],
        |o| vec![o.id.short(), o.name.clone(), o.retention.to_string(), o.days.to_string()],
        None,
    )?;
    writeln!(out, "{} records past their retention date: erase them (teren erase ID) or renew the date", list.len())?;
    Ok(())
}
