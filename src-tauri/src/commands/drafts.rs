//! The draft editor: each command checks that a terminal touches only its session's draft,
//! then calls `eingang_api::drafts`.

use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use eingang_api::drafts::{self, DraftState, UpgradePreview};
use eingang_model::{DraftId, DraftSummary, DraftValues, Paged};
use tauri::AppHandle;

#[tauri::command]
pub async fn draft_create(
    app: AppHandle,
    form_id: String,
    form_version: String,
    today: String,
) -> Result<DraftState, AppError> {
    blocking(app.store()?, move |s| {
        drafts::create(s, &form_id, &form_version, &today)
    })
    .await
}

/// A page of the drafts (`after`: the last page's `next`).
#[tauri::command]
pub async fn draft_list(
    app: AppHandle,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Paged<DraftSummary>, AppError> {
    blocking(app.store()?, move |s| {
        drafts::list(s, after.as_deref(), limit)
    })
    .await
}

#[tauri::command]
pub async fn draft_get(app: AppHandle, id: String, today: String) -> Result<DraftState, AppError> {
    crate::terminal::guard_draft(&app, &id)?;
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| drafts::get(s, id, &today)).await
}

/// Saves the whole set of values (autosave; idempotent) and returns the form's new state.
#[tauri::command]
pub async fn draft_save(
    app: AppHandle,
    id: String,
    values: DraftValues,
    today: String,
) -> Result<DraftState, AppError> {
    crate::terminal::guard_draft(&app, &id)?;
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| drafts::save(s, id, values, &today)).await
}

/// Whether a newer version of the draft's form is in the catalogue, and what moving the
/// draft to it would change (nothing is changed by this call).
#[tauri::command]
pub async fn draft_upgrade_preview(
    app: AppHandle,
    id: String,
) -> Result<Option<UpgradePreview>, AppError> {
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| drafts::upgrade_preview(s, id)).await
}

/// Moves the draft to `version` of its form (after the user saw the preview).
#[tauri::command]
pub async fn draft_upgrade(
    app: AppHandle,
    id: String,
    version: String,
    today: String,
) -> Result<DraftState, AppError> {
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| {
        drafts::upgrade(s, id, &version, &today)
    })
    .await
}

#[tauri::command]
pub async fn draft_delete(app: AppHandle, id: String) -> Result<(), AppError> {
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| {
        s.with_tx(|tx| eingang_store::tables::drafts::delete(tx, id))
    })
    .await?;
    tracing::info!(draft = %id, "draft deleted");
    Ok(())
}
