use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use crate::sync_worker::SyncState;
use eingang_model::{DraftId, Paged, SubmissionSummary};
use tauri::{AppHandle, Manager};

/// Finalises a draft into a submission queued for delivery (refused while it has issues).
#[tauri::command]
pub async fn draft_finalise(
    app: AppHandle,
    id: String,
    today: String,
) -> Result<SubmissionSummary, AppError> {
    let id: DraftId = id.parse()?;
    let s = finalise(&app, id, &today).await?;
    tracing::info!(submission = %s.id, "draft finalised");
    Ok(s)
}

/// Validates and finalises a draft in one transaction, queues it for every target and
/// wakes the delivery worker.
pub(crate) async fn finalise(
    app: &AppHandle,
    id: DraftId,
    today: &str,
) -> Result<SubmissionSummary, AppError> {
    let today = eingang_api::drafts::parse_today(today)?;
    let sync = app.state::<SyncState>();
    let store = app.store()?;
    let targets = sync.target_ids(&store)?;
    let s = blocking(store, move |s| {
        eingang_api::submissions::finalise(s, id, today, &targets)
    })
    .await?;
    sync.wake.notify_one();
    Ok(s)
}

/// A page of the submissions (`after`: the last page's `next`).
#[tauri::command]
pub async fn submissions_list(
    app: AppHandle,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Paged<SubmissionSummary>, AppError> {
    blocking(app.store()?, move |s| {
        eingang_api::submissions::list(s, after.as_deref(), limit)
    })
    .await
}
