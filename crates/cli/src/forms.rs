//! `eingang forms …`: the form catalogue.

use crate::drafts::truncate;
use eingang_forms::fim::{parse_genericode, GenericodeList, ImportReport};
use eingang_store::paths::DataDir;
use eingang_store::tables::forms::{self, Imported};
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

fn is_genericode(xml: &str) -> bool {
    xml.contains("docs.oasis-open.org/codelist/ns/genericode")
}

/// Genericode code lists in `folder`, for FIM schemas there; broken ones are reported.
fn code_lists_in(folder: &Path) -> Vec<GenericodeList> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in entries.filter_map(Result::ok).map(|e| e.path()) {
        if !p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
            continue;
        }
        let Ok(xml) = std::fs::read_to_string(&p) else {
            continue;
        };
        if is_genericode(&xml) {
            match parse_genericode(&xml) {
                Ok(list) => out.push(list),
                Err(e) => eprintln!("warning: code list {} not usable: {e}", p.display()),
            }
        }
    }
    out
}

/// Imports each file on its own: a broken file is reported and skipped, the rest go in.
/// `.json` files are Eingang form definitions; `.xml` files are FIM XDatenfelder schemas
/// (genericode code lists in the same folder are used for them, not imported as forms).
pub fn import(data_dir: &DataDir, path: &Path) -> ExitCode {
    let files = match files_of(path) {
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
    let Some(store) = open(data_dir) else {
        return ExitCode::FAILURE;
    };
    let (mut added, mut present, mut failed) = (0, 0, 0);
    for file in &files {
        let origin = file.display().to_string();
        let content = match std::fs::read_to_string(file) {
            Ok(c) => c,
            Err(e) => {
                failed += 1;
                eprintln!("FAILED     {origin}: cannot read the file: {e}");
                continue;
            }
        };
        let is_xml = file
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("xml"));
        if is_xml && is_genericode(&content) {
            continue;
        }
        let result = if is_xml {
            let lists = code_lists_in(file.parent().unwrap_or(Path::new(".")));
            store.with_tx(|tx| forms::import_fim(tx, &content, &lists, &origin))
        } else {
            store
                .with_tx(|tx| forms::import(tx, &content, &origin))
                .map(|i| (i, ImportReport::default()))
        };
        match result {
            Ok((Imported::Added { id, version }, report)) => {
                added += 1;
                println!("added      {id} {version}  ({origin})");
                print_report(&report);
            }
            Ok((Imported::AlreadyPresent { id, version }, _)) => {
                present += 1;
                println!("unchanged  {id} {version}  ({origin})");
            }
            Err(e) => {
                failed += 1;
                eprintln!("FAILED     {origin}: [{}] {e}", e.code());
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

fn print_report(report: &ImportReport) {
    if report.entries.is_empty() {
        return;
    }
    println!(
        "           import report ({} item(s) not mapped exactly):",
        report.entries.len()
    );
    for e in &report.entries {
        println!("           - {e}");
    }
}
