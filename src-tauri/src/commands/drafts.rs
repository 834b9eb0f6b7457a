use crate::error::AppError;
use crate::state::{blocking, StoreExt};
use eingang_forms::versions::{changes, compare_versions, VersionChange};
use eingang_forms::{Form, FormState, Today};
use eingang_model::{Draft, DraftId, DraftSummary, DraftValues};
use eingang_store::tables::{drafts, forms};
use serde::Serialize;
use std::cmp::Ordering;
use tauri::AppHandle;
use ts_rs::TS;

/// A draft and the state of its form for the draft's values (calculated values, issues,
/// hidden items) — what the editor shows after every change.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DraftState {
    pub draft: Draft,
    pub state: FormState,
}

/// `today` comes from the UI (the user's local date); it must be a real `YYYY-MM-DD`.
pub fn parse_today(today: &str) -> Result<Today, AppError> {
    let bad = || AppError::new("input.bad_date", "today must be a date as YYYY-MM-DD");
    if !eingang_forms::is_date(today) {
        return Err(bad());
    }
    let y = today[..4].parse().map_err(|_| bad())?;
    let m = today[5..7].parse().map_err(|_| bad())?;
    let d = today[8..].parse().map_err(|_| bad())?;
    Ok((y, m, d))
}

/// Evaluates the draft and records how many problems it has (for the draft list).
fn evaluated(
    conn: &eingang_store::Connection,
    draft: Draft,
    form: &Form,
    today: Today,
) -> eingang_store::Result<DraftState> {
    let state = form.evaluate(&draft.values, today);
    drafts::set_open_issues(conn, draft.id, state.issues.len())?;
    Ok(DraftState { draft, state })
}

#[tauri::command]
pub async fn draft_create(
    app: AppHandle,
    form_id: String,
    form_version: String,
    today: String,
) -> Result<DraftState, AppError> {
    let today = parse_today(&today)?;
    let store = app.store()?;
    let state = blocking(store, move |s| {
        s.with_tx(|tx| {
            let draft = drafts::create(tx, &form_id, &form_version)?;
            let form = forms::load(tx, &form_id, &form_version)?;
            evaluated(tx, draft, &form, today)
        })
    })
    .await?;
    tracing::info!(draft = %state.draft.id, "draft created");
    Ok(state)
}

#[tauri::command]
pub async fn draft_list(app: AppHandle) -> Result<Vec<DraftSummary>, AppError> {
    blocking(app.store()?, |s| s.with_conn(drafts::list)).await
}

#[tauri::command]
pub async fn draft_get(app: AppHandle, id: String, today: String) -> Result<DraftState, AppError> {
    crate::terminal::guard_draft(&app, &id)?;
    let id: DraftId = id.parse()?;
    let today = parse_today(&today)?;
    blocking(app.store()?, move |s| {
        s.with_tx(|tx| {
            let draft = drafts::get(tx, id)?;
            let form = forms::load(tx, &draft.form_id, &draft.form_version)?;
            evaluated(tx, draft, &form, today)
        })
    })
    .await
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
    let today = parse_today(&today)?;
    let state = blocking(app.store()?, move |s| {
        s.with_tx(|tx| {
            let (draft, form) = drafts::save(tx, id, values)?;
            evaluated(tx, draft, &form, today)
        })
    })
    .await?;
    tracing::debug!(draft = %state.draft.id, revision = state.draft.revision, "draft saved");
    Ok(state)
}

/// A newer version of the draft's form and what moving to it would change.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UpgradePreview {
    pub to_version: String,
    pub changes: Vec<VersionChange>,
}

/// Whether a newer version of the draft's form is in the catalogue, and what moving the
/// draft to it would change (nothing is changed by this call).
#[tauri::command]
pub async fn draft_upgrade_preview(
    app: AppHandle,
    id: String,
) -> Result<Option<UpgradePreview>, AppError> {
    let id: DraftId = id.parse()?;
    blocking(app.store()?, move |s| {
        s.with_conn(|c| {
            let draft = drafts::get(c, id)?;
            let Some(newest) = forms::newest_version(c, &draft.form_id)? else {
                return Ok(None);
            };
            if compare_versions(&newest, &draft.form_version) != Ordering::Greater {
                return Ok(None);
            }
            let old = forms::load(c, &draft.form_id, &draft.form_version)?;
            let new = forms::load(c, &draft.form_id, &newest)?;
            Ok(Some(UpgradePreview {
                changes: changes(&old.definition, &new.definition, &draft.values),
                to_version: newest,
            }))
        })
    })
    .await
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
    let today = parse_today(&today)?;
    let state = blocking(app.store()?, move |s| {
        s.with_tx(|tx| {
            let (draft, form, _) = drafts::move_to_version(tx, id, &version)?;
            evaluated(tx, draft, &form, today)
        })
    })
    .await?;
    tracing::info!(draft = %state.draft.id, version = %state.draft.form_version, "draft moved to a new form version");
    Ok(state)
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

#[cfg(test)]
mod tests {
    use super::parse_today;

    #[test]
    fn today_must_be_a_real_date() {
        assert_eq!(parse_today("2026-11-28").unwrap(), (2026, 11, 28));
        for bad in [
            "2026-02-30",
            "28.11.2026",
            "",
            "2026-11-28T00:00",
            "ÄÖÜ-11-28",
        ] {
            assert_eq!(
                parse_today(bad).unwrap_err().0.code,
                "input.bad_date",
                "{bad}"
            );
        }
    }
}
