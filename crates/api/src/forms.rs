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
