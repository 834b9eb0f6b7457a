//! The scan office's team (`[team]`): the day and this station's work in it, handing a
//! batch over, taking the next work of a step, finishing it or giving it back. Each
//! command calls `eingang_api::team`.

use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use crate::sync_worker::SyncState;
use eingang_api::team;
use eingang_model::{TeamTaken, TeamView};
use tauri::{AppHandle, Emitter, Manager};

fn config(app: &AppHandle) -> eingang_config::Config {
    app.state::<SyncState>().config()
}

/// The team as the Scanstelle shows it (`null`: this station is not part of one).
#[tauri::command]
pub async fn team_view(app: AppHandle) -> Result<Option<TeamView>, AppError> {
    let cfg = config(&app);
    blocking(app.store()?, move |s| team::view(s, &cfg)).await
}

/// Hands a scanned batch over to the team (capture role); without the server it waits
/// here and goes up when the server is back.
#[tauri::command]
pub async fn team_hand_over(
    app: AppHandle,
    batch_id: String,
) -> Result<Option<TeamView>, AppError> {
    let cfg = config(&app);
    let view = blocking(app.store()?, move |s| {
        team::hand_over(s, &cfg, &batch_id.parse()?)?;
        team::view(s, &cfg)
    })
    .await?;
    let _ = app.emit("team-changed", ());
    Ok(view)
}

/// Claims the next work of a step (index, check, release) and brings its batch here.
#[tauri::command]
pub async fn team_take(app: AppHandle, step: String) -> Result<Option<TeamTaken>, AppError> {
    let cfg = config(&app);
    let store = app.store()?;
    let targets = app.state::<SyncState>().target_ids(&store)?;
    let taken = blocking(store, move |s| team::take(s, &cfg, &step, &targets)).await?;
    // A document to deliver waits in the outbox now.
    if taken.as_ref().is_some_and(|t| t.step == "deliver") {
        app.state::<SyncState>().wake.notify_one();
    }
    let _ = app.emit("scan-batches-changed", ());
    Ok(taken)
}

/// Sends back what this desk did with the work and marks it done.
#[tauri::command]
pub async fn team_done(app: AppHandle, claim: i64) -> Result<Option<TeamView>, AppError> {
    let cfg = config(&app);
    blocking(app.store()?, move |s| {
        team::done(s, &cfg, claim)?;
        team::view(s, &cfg)
    })
    .await
}

/// Gives the work back unfinished: another desk can take it.
#[tauri::command]
pub async fn team_let_go(app: AppHandle, claim: i64) -> Result<Option<TeamView>, AppError> {
    let cfg = config(&app);
    blocking(app.store()?, move |s| {
        team::let_go(s, &cfg, claim)?;
        team::view(s, &cfg)
    })
    .await
}
