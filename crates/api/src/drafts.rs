//! Drafts in the editor: created, read, saved (autosave, idempotent), moved to a newer
//! form version — each answered with the form's state for the draft's values (calculated
//! values, issues, hidden items), which is what the editor shows after every change.

use crate::error::{Error, Result};
use eingang_forms::versions::{changes, compare_versions, VersionChange};
use eingang_forms::{Form, FormState, Today};
use eingang_model::{page_size, Draft, DraftId, DraftSummary, DraftValues, Paged};
use eingang_store::tables::cursor::Cursor;
use eingang_store::tables::{drafts, forms};
use eingang_store::Store;
use serde::Serialize;
use std::cmp::Ordering;
use ts_rs::TS;

/// A draft and the state of its form for the draft's values (calculated values, issues,
/// hidden items) — what the editor shows after every change.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DraftState {
    pub draft: Draft,
    pub state: FormState,
}

/// A newer version of the draft's form and what moving to it would change.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UpgradePreview {
    pub to_version: String,
    pub changes: Vec<VersionChange>,
}

/// `today` as the UI sends it (the user's local date): a real `YYYY-MM-DD`.
pub fn parse_today(today: &str) -> Result<Today> {
    let bad = || Error::input("input.bad_date", "today must be a date as YYYY-MM-DD");
    if !eingang_model::time::is_date(today) {
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

/// A page of the drafts, most recently changed first (`after`: the previous page's `next`).
pub fn list(store: &Store, after: Option<&str>, limit: Option<u32>) -> Result<Paged<DraftSummary>> {
    let after = Cursor::parse(after)?;
    let (items, next) = store.with_conn(|c| drafts::list(c, after.as_ref(), page_size(limit)))?;
    Ok(Paged { items, next })
}

pub fn create(store: &Store, form_id: &str, form_version: &str, today: &str) -> Result<DraftState> {
    let today = parse_today(today)?;
    let state = store.with_tx(|tx| {
        let draft = drafts::create(tx, form_id, form_version)?;
        let form = forms::load(tx, form_id, form_version)?;
        evaluated(tx, draft, &form, today)
    })?;
    tracing::info!(draft = %state.draft.id, "draft created");
    Ok(state)
}

pub fn get(store: &Store, id: DraftId, today: &str) -> Result<DraftState> {
    let today = parse_today(today)?;
    Ok(store.with_tx(|tx| {
        let draft = drafts::get(tx, id)?;
        let form = forms::load(tx, &draft.form_id, &draft.form_version)?;
        evaluated(tx, draft, &form, today)
    })?)
}

/// Saves the whole set of values and returns the form's new state.
pub fn save(store: &Store, id: DraftId, values: DraftValues, today: &str) -> Result<DraftState> {
    let today = parse_today(today)?;
    let state = store.with_tx(|tx| {
        let (draft, form) = drafts::save(tx, id, values)?;
        evaluated(tx, draft, &form, today)
    })?;
    tracing::debug!(draft = %state.draft.id, revision = state.draft.revision, "draft saved");
    Ok(state)
}

/// Whether a newer version of the draft's form is in the catalogue, and what moving the
/// draft to it would change (nothing is changed).
pub fn upgrade_preview(store: &Store, id: DraftId) -> Result<Option<UpgradePreview>> {
    Ok(store.with_conn(|c| {
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
    })?)
}

/// Moves the draft to `version` of its form (after the user saw the preview).
pub fn upgrade(store: &Store, id: DraftId, version: &str, today: &str) -> Result<DraftState> {
    let today = parse_today(today)?;
    let state = store.with_tx(|tx| {
        let (draft, form, _) = drafts::move_to_version(tx, id, version)?;
        evaluated(tx, draft, &form, today)
    })?;
    tracing::info!(draft = %state.draft.id, version = %state.draft.form_version, "draft moved to a new form version");
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::parse_today;

    #[test]
    fn today_must_be_a_real_date() {
        assert_eq!(
            parse_today("2026-11-28").unwrap_or_default(),
            (2026, 11, 28)
        );
        for bad in [
            "2026-02-30",
            "28.11.2026",
            "",
            "2026-11-28T00:00",
            "ÄÖÜ-11-28",
        ] {
            let code = parse_today(bad).map_or_else(|e| e.code().to_owned(), |_| String::new());
            assert_eq!(code, "input.bad_date", "{bad}");
        }
    }
}
