//! The form catalogue: importing form definitions (`.json`) and FIM schemas (`.xml` with
//! the genericode code lists chosen along with them).

use crate::error::{Error, Result};
use eingang_model::ImportOutcome;
use eingang_store::tables::forms;
use eingang_store::Store;

/// Largest total size of one import (FIM schemas with code lists are far smaller).
pub const MAX_IMPORT_BYTES: usize = 50 * 1024 * 1024;

/// Imports the files `(name, content)`; each gets its own outcome.
pub fn import(store: &Store, files: &[(String, String)]) -> Result<Vec<ImportOutcome>> {
    let total: usize = files.iter().map(|(_, content)| content.len()).sum();
    if total > MAX_IMPORT_BYTES {
        return Err(Error::input(
            "input.too_large",
            format!(
                "the chosen files have {} MiB; at most 50 MiB are imported at once",
                total / (1024 * 1024)
            ),
        ));
    }
    let outcomes = store.with_conn(|c| Ok(forms::import_batch(c, files)))?;
    tracing::info!(
        files = outcomes.len(),
        added = outcomes.iter().filter(|o| o.result == "added").count(),
        "forms imported"
    );
    Ok(outcomes)
}

/// Pulls the form catalogue folder of every target that has one: per target, what each
/// file became, or why the folder could not be read.
pub async fn pull_catalogues(
    store: &std::sync::Arc<Store>,
    targets: &[eingang_sync::Target],
) -> Vec<(
    String,
    std::result::Result<Vec<ImportOutcome>, eingang_sync::Failure>,
)> {
    let mut out = Vec::new();
    for t in targets {
        if let Some(c) = &t.catalogue {
            out.push((t.id.clone(), eingang_sync::catalogue::pull(store, c).await));
        }
    }
    out
}

/// What a path holds for [`import`]: the file itself, or a folder's `.json` and `.xml`
/// files (sorted). For a single FIM schema (`.xml`) the genericode code lists beside it come
/// along — other schemas in that folder are not imported unasked.
#[derive(Debug, Default)]
pub struct Chosen {
    /// `(name, content)` to import.
    pub files: Vec<(String, String)>,
    /// Files that could not be read: `(name, reason)`.
    pub unreadable: Vec<(String, String)>,
    /// Files beside a single schema that could not be read (not asked for; a warning).
    pub warnings: Vec<String>,
    /// The one schema chosen, when a single file was.
    pub single: Option<String>,
}

fn form_files(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json") || x.eq_ignore_ascii_case("xml"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads what `path` offers for import (see [`Chosen`]).
pub fn read_path(path: &std::path::Path) -> Result<Chosen> {
    let unreadable = |e: std::io::Error| {
        Error::input(
            "input.forms_path",
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let single = path.is_file();
    let mut files = if single {
        vec![path.to_path_buf()]
    } else {
        form_files(path).map_err(unreadable)?
    };
    if files.is_empty() {
        return Err(Error::input(
            "input.forms_path",
            format!("no .json or .xml form files in {}", path.display()),
        ));
    }
    let is_xml = |p: &std::path::Path| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml"));
    if single && is_xml(path) {
        if let Some(beside) = path.parent().and_then(|d| form_files(d).ok()) {
            files.extend(beside.into_iter().filter(|p| p != path && is_xml(p)));
        }
    }
    let mut chosen = Chosen {
        single: single.then(|| path.display().to_string()),
        ..Chosen::default()
    };
    for file in &files {
        let name = file.display().to_string();
        let beside = single && file != path;
        match std::fs::read_to_string(file) {
            Ok(c) if beside && !forms::is_genericode(&c) => {}
            Ok(c) => chosen.files.push((name, c)),
            Err(e) if beside => chosen.warnings.push(format!("{name} not read: {e}")),
            Err(e) => chosen.unreadable.push((name, e.to_string())),
        }
    }
    Ok(chosen)
}
