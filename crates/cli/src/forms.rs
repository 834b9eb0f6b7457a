//! `eingang forms …`: the form catalogue.

use crate::drafts::truncate;
use crate::out::{failed, finish, open, status};
use eingang_store::paths::DataDir;
use eingang_store::tables::forms;
use std::path::Path;
use std::process::ExitCode;

/// `eingang forms list [--json]`.
pub fn list(data_dir: &DataDir, json: bool) -> ExitCode {
    finish(|| {
        let list = open(data_dir)?.with_conn(forms::list)?;
        if json {
            let rows: Vec<_> = list
                .iter()
                .map(|f| serde_json::json!({"id": f.id, "version": f.version, "title": f.title, "origin": f.origin}))
                .collect();
            return crate::out::json(&rows);
        }
        print_forms(&list);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_forms(list: &[eingang_forms::FormSummary]) {
    println!("{:<28}  {:<8}  {:<50}  ORIGIN", "ID", "VERSION", "TITLE");
    for f in list {
        let title = truncate(f.title.get("de").map_or("", String::as_str), 50);
        println!("{:<28}  {:<8}  {title:<50}  {}", f.id, f.version, f.origin);
    }
    println!("{} form(s)", list.len());
}

/// Imports each file on its own: a broken file is reported and skipped, the rest go in.
/// `.json` files are Eingang form definitions; `.xml` files are FIM XDatenfelder schemas.
/// Genericode code lists among the files (or, for a single schema, beside it) are used for
/// the schemas, not imported as forms.
pub fn import(data_dir: &DataDir, path: &Path) -> ExitCode {
    finish(|| {
        let chosen = eingang_api::forms::read_path(path).map_err(|e| failed(e.code(), &e))?;
        print_chosen(&chosen);
        let outcomes = eingang_api::forms::import(&open(data_dir)?, &chosen.files)?;
        let (added, present, refused) = print_outcomes(&outcomes, chosen.single.as_deref());
        let failed = chosen.unreadable.len() + refused;
        println!("{added} added, {present} already present, {failed} failed");
        Ok(status(failed == 0))
    })
}

/// What reading the path found wrong before anything was imported.
fn print_chosen(chosen: &eingang_api::forms::Chosen) {
    for w in &chosen.warnings {
        eprintln!("warning: {w}");
    }
    for (file, e) in &chosen.unreadable {
        eprintln!("FAILED     {file}: cannot read the file: {e}");
    }
}

/// Each outcome's line; returns (added, unchanged, failed).
fn print_outcomes(
    outcomes: &[eingang_model::ImportOutcome],
    single: Option<&str>,
) -> (usize, usize, usize) {
    let (mut added, mut present, mut failed) = (0, 0, 0);
    for o in outcomes {
        let (id, version) = (
            o.form_id.as_deref().unwrap_or(""),
            o.version.as_deref().unwrap_or(""),
        );
        let error = o.error.as_deref().unwrap_or("");
        match o.result.as_str() {
            "added" => {
                added += 1;
                println!("added      {id} {version}  ({})", o.file);
                print_report(&o.report);
            }
            "unchanged" => {
                present += 1;
                println!("unchanged  {id} {version}  ({})", o.file);
            }
            "code_list" => {}
            // A broken code list beside a single chosen schema is worth a warning only.
            _ if single.is_some_and(|s| s != o.file) => eprintln!("warning: {}: {error}", o.file),
            _ => {
                failed += 1;
                eprintln!("FAILED     {}: {error}", o.file);
            }
        }
    }
    (added, present, failed)
}

fn print_report(report: &[eingang_model::ImportNote]) {
    if report.is_empty() {
        return;
    }
    println!(
        "           import report ({} item(s) not mapped exactly):",
        report.len()
    );
    for e in report {
        println!("           - {e}");
    }
}

/// Prints a form's definition (JSON, format 1) — e.g. to add hand-written rule expressions
/// to an imported FIM form and import it again as a new version.
pub fn show(data_dir: &DataDir, id: &str, version: &str) -> ExitCode {
    finish(|| {
        let def = open(data_dir)?.with_conn(|c| forms::definition(c, id, version))?;
        let json = serde_json::to_string_pretty(&def).map_err(|e| failed("app.internal", e))?;
        println!("{json}");
        Ok(ExitCode::SUCCESS)
    })
}
