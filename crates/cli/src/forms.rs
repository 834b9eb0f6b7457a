//! `eingang forms …`: the form catalogue.

use crate::drafts::truncate;
use eingang_store::paths::DataDir;
use eingang_store::tables::forms;
use eingang_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn open(data_dir: &DataDir) -> Option<Store> {
    match Store::open(&data_dir.path) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            eprintln!("Run `eingang doctor` for a full check.");
            None
        }
    }
}

pub fn list(data_dir: &DataDir, json: bool) -> ExitCode {
    let Some(store) = open(data_dir) else {
        return ExitCode::FAILURE;
    };
    let list = match store.with_conn(forms::list) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    if json {
        let rows: Vec<_> = list
            .iter()
            .map(|f| serde_json::json!({"id": f.id, "version": f.version, "title": f.title, "origin": f.origin}))
            .collect();
        println!("{}", serde_json::Value::Array(rows));
        return ExitCode::SUCCESS;
    }
    println!("{:<28}  {:<8}  {:<50}  ORIGIN", "ID", "VERSION", "TITLE");
    for f in &list {
        let title = f.title.get("de").map_or("", String::as_str);
        println!(
            "{:<28}  {:<8}  {:<50}  {}",
            f.id,
            f.version,
            truncate(title, 50),
            f.origin
        );
    }
    println!("{} form(s)", list.len());
    ExitCode::SUCCESS
}

/// The files to look at: the file itself, or a folder's `.json` and `.xml` files (sorted).
fn files_of(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| {
                    x.eq_ignore_ascii_case("json") || x.eq_ignore_ascii_case("xml")
                })
            })
            .collect();
        files.sort();
        Ok(files)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// Imports each file on its own: a broken file is reported and skipped, the rest go in.
/// `.json` files are Eingang form definitions; `.xml` files are FIM XDatenfelder schemas.
/// Genericode code lists among the files (or, for a single schema, beside it) are used for
/// the schemas, not imported as forms.
pub fn import(data_dir: &DataDir, path: &Path) -> ExitCode {
    let mut files = match files_of(path) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            eprintln!("error: no .json or .xml form files in {}", path.display());
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    if path.is_file()
        && path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("xml"))
    {
        // A single schema: its code lists are the XML files beside it.
        if let Some(dir) = path.parent().and_then(|d| files_of(d).ok()) {
            files.extend(dir.into_iter().filter(|p| {
                p != path && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml"))
            }));
        }
    }
    let Some(store) = open(data_dir) else {
        return ExitCode::FAILURE;
    };
    let single_schema = path.is_file();
    let mut contents = Vec::new();
    let mut failed = 0;
    for file in &files {
        match std::fs::read_to_string(file) {
            // Beside a single chosen schema only code lists count: other schemas in the same
            // folder are not imported unasked.
            Ok(c) if single_schema && file != path && !forms::is_genericode(&c) => {}
            Ok(c) => contents.push((file.display().to_string(), c)),
            Err(e) if single_schema && file != path => {
                eprintln!("warning: {} not read: {e}", file.display());
            }
            Err(e) => {
                failed += 1;
                eprintln!("FAILED     {}: cannot read the file: {e}", file.display());
            }
        }
    }
    let outcomes = match store.with_conn(|c| Ok(forms::import_batch(c, &contents))) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    let (mut added, mut present) = (0, 0);
    for o in &outcomes {
        match o.result.as_str() {
            "added" | "unchanged" => {
                let (counter, word) = if o.result == "added" {
                    (&mut added, "added     ")
                } else {
                    (&mut present, "unchanged ")
                };
                *counter += 1;
                println!(
                    "{word} {} {}  ({})",
                    o.form_id.as_deref().unwrap_or(""),
                    o.version.as_deref().unwrap_or(""),
                    o.file
                );
                if o.result == "added" {
                    print_report(&o.report);
                }
            }
            "code_list" => {}
            // A broken code list beside a single chosen schema is worth a warning only.
            _ if single_schema && o.file != path.display().to_string() => {
                eprintln!("warning: {}: {}", o.file, o.error.as_deref().unwrap_or(""));
            }
            _ => {
                failed += 1;
                eprintln!(
                    "FAILED     {}: {}",
                    o.file,
                    o.error.as_deref().unwrap_or("")
                );
            }
        }
    }
    println!("{added} added, {present} already present, {failed} failed");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_report(report: &[String]) {
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
    let Some(store) = open(data_dir) else {
        return ExitCode::FAILURE;
    };
    match store.with_conn(|c| forms::definition(c, id, version)) {
        Ok(def) => match serde_json::to_string_pretty(&def) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
