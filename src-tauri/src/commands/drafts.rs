use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use eingang_model::{Draft, DraftId, DraftSummary, DraftValues};
use eingang_store::tables::drafts;
use tauri::AppHandle;

#[tauri::command]
pub async fn draft_create(
    app: AppHandle,
    form_id: String,
    form_version: String,
) -> Result<Draft, AppError> {
    let store = app.store()?;
    let draft = blocking(store, move |s| {
        s.with_tx(|tx| drafts::create(tx, &form_id, &form_version))
    })
    .await?;
    tracing::info!(draft = %draft.id, "draft created");
    Ok(draft)
}

#[tauri::command]
pub async fn draft_list(app: AppHandle) -> Result<Vec<DraftSummary>, AppError> {
    blocking(app.store()?, |s| s.with_conn(drafts::list)).await
}

#[tauri::command]
pub async fn draft_get(app: AppHandle, id: String) -> Result<Draft, AppError> {
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| s.with_conn(|c| drafts::get(c, id))).await
}

/// Saves the whole set of values (autosave; idempotent). Returns the stored draft.
#[tauri::command]
pub async fn draft_save(
    app: AppHandle,
    id: String,
    values: DraftValues,
) -> Result<Draft, AppError> {
    let id: DraftId = id.parse()?;
    let draft = blocking(app.store()?, move |s| {
        s.with_tx(|tx| drafts::save_values(tx, id, values))
    })
    .await?;
    tracing::debug!(draft = %draft.id, revision = draft.revision, "draft saved");
    Ok(draft)
}

#[tauri::command]
pub async fn draft_delete(app: AppHandle, id: String) -> Result<(), AppError> {
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| {
        s.with_tx(|tx| drafts::delete(tx, id))
    })
    .await?;
    tracing::info!(draft = %id, "draft deleted");
    Ok(())
}
