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
