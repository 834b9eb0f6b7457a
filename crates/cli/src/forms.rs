//! `eingang forms …`: the form catalogue.

use crate::drafts::truncate;
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

/// The `.json` files to import: the file itself, or a folder's `.json` files (sorted).
fn files_of(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            })
            .collect();
        files.sort();
        Ok(files)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// Imports each file on its own: a broken file is reported and skipped, the rest go in.
pub fn import(data_dir: &DataDir, path: &Path) -> ExitCode {
    let files = match files_of(path) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            eprintln!("error: no .json form files in {}", path.display());
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
        let result = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read the file: {e}"))
            .and_then(|json| {
                store
                    .with_tx(|tx| forms::import(tx, &json, &origin))
                    .map_err(|e| format!("[{}] {e}", e.code()))
            });
        match result {
            Ok(Imported::Added { id, version }) => {
                added += 1;
                println!("added      {id} {version}  ({origin})");
            }
            Ok(Imported::AlreadyPresent { id, version }) => {
                present += 1;
                println!("unchanged  {id} {version}  ({origin})");
            }
            Err(e) => {
                failed += 1;
                eprintln!("FAILED     {origin}: {e}");
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
