use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use eingang_forms::definition::FormDefinition;
use eingang_forms::FormSummary;
use eingang_store::tables::forms;
use tauri::AppHandle;

/// The form catalogue (shipped samples, imported forms).
#[tauri::command]
pub async fn forms_list(app: AppHandle) -> Result<Vec<FormSummary>, AppError> {
    blocking(app.store()?, |s| s.with_conn(forms::list)).await
}

/// One form's definition, for rendering it.
#[tauri::command]
pub async fn form_get(
    app: AppHandle,
    id: String,
    version: String,
) -> Result<FormDefinition, AppError> {
    blocking(app.store()?, move |s| {
        s.with_conn(|c| forms::definition(c, &id, &version))
    })
    .await
}

/// One file chosen in the UI for import.
#[derive(Debug, serde::Deserialize)]
pub struct ImportFile {
    pub name: String,
    pub content: String,
}

/// Imports form definitions (`.json`) and FIM schemas (`.xml`, with the genericode code
/// lists chosen along with them). Each file gets its own outcome.
#[tauri::command]
pub async fn forms_import(
    app: AppHandle,
    files: Vec<ImportFile>,
) -> Result<Vec<eingang_model::ImportOutcome>, AppError> {
    let files: Vec<(String, String)> = files.into_iter().map(|f| (f.name, f.content)).collect();
    blocking(app.store()?, move |s| eingang_api::forms::import(s, &files)).await
}
