//! Form catalogue pull: new form definitions (`.json`, format 1) and FIM schemas (`.xml`,
//! with their genericode code lists) that the city publishes in a folder on a WebDAV
//! target are fetched when the target is reachable and imported through the forms
//! importer. Importing the same file again changes nothing ("unchanged"); a broken file is
//! reported and the others still go in.

use crate::error::Failure;
use crate::webdav::WebDav;
use eingang_model::ImportOutcome;
use eingang_store::Store;
use std::sync::Arc;

/// No form definition is this large; a bigger file is refused before it is read whole.
pub const MAX_FILE: u64 = 5 * 1024 * 1024;

/// Where a target publishes forms.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub dav: Arc<WebDav>,
    /// Relative to the target's URL.
    pub folder: String,
}

fn wanted(name: &str) -> bool {
    std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("xml"))
}

/// Fetches and imports every form file in the catalogue folder.
pub async fn pull(store: &Arc<Store>, c: &Catalogue) -> Result<Vec<ImportOutcome>, Failure> {
    let mut files = Vec::new();
    let mut outcomes = Vec::new();
    for e in c.dav.list(&c.folder).await? {
        if !wanted(&e.name) {
            continue;
        }
        let failed = |why: String| ImportOutcome {
            file: e.name.clone(),
            result: "failed".into(),
            form_id: None,
            version: None,
            error: Some(why),
            report: Vec::new(),
        };
        if e.size > MAX_FILE {
            outcomes.push(failed(format!(
                "larger than {MAX_FILE} bytes; not imported"
            )));
            continue;
        }
        match c.dav.fetch(&c.folder, &e.name, MAX_FILE).await {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push((e.name.clone(), text)),
                Err(_) => outcomes.push(failed("not UTF-8 text".into())),
            },
            Err(f) if f.is_permanent() => outcomes.push(failed(f.detail)),
            Err(f) => return Err(f),
        }
    }
    let store = store.clone();
    let imported = tokio::task::spawn_blocking(move || {
        store.with_conn(|conn| Ok(eingang_store::tables::forms::import_batch(conn, &files)))
    })
    .await
    .map_err(|e| Failure::transient("sync.protocol", e.to_string()))?
    .map_err(|e| Failure::transient("sync.protocol", format!("[{}] {e}", e.code())))?;
    outcomes.extend(imported);
    Ok(outcomes)
}
