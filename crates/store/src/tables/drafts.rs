//! The `drafts` table.

use crate::error::{Error, Result};
use crate::now_ms;
use crate::tables::cursor::Cursor;
use crate::tables::forms;
use eingang_forms::Form;
use eingang_model::{Draft, DraftId, DraftSummary, DraftValues};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::sync::Arc;

const WHAT: &str = "draft";

fn not_found(id: DraftId) -> Error {
    Error::NotFound {
        what: WHAT,
        id: id.to_string(),
    }
}

/// Creates an empty draft of a catalogue form.
pub fn create(conn: &Connection, form_id: &str, form_version: &str) -> Result<Draft> {
    forms::load(conn, form_id, form_version)?;
    let now = now_ms();
    let draft = Draft {
        id: DraftId::new(),
        form_id: form_id.to_owned(),
        form_version: form_version.to_owned(),
        values: DraftValues::new(),
        revision: 0,
        created_at: now,
        updated_at: now,
    };
    conn.execute(
        "INSERT INTO drafts (id, form_id, form_version, values_json, caption, revision, created_at, updated_at)
         VALUES (?1, ?2, ?3, '{}', '', 0, ?4, ?4)",
        params![draft.id.to_string(), draft.form_id, draft.form_version, now],
    )?;
    Ok(draft)
}

/// Replaces the draft's values (the UI sends the whole set; saving is idempotent).
/// Returns the draft as stored, with its new revision.
pub fn save_values(conn: &Connection, id: DraftId, values: DraftValues) -> Result<Draft> {
    save(conn, id, values).map(|(draft, _)| draft)
}

/// [`save_values`], also returning the draft's compiled form (for evaluating it).
pub fn save(conn: &Connection, id: DraftId, values: DraftValues) -> Result<(Draft, Arc<Form>)> {
    let mut draft = get(conn, id)?;
    let form = forms::load(conn, &draft.form_id, &draft.form_version)?;
    form.check_draft(&values)?;
    let json = serde_json::to_string(&values).map_err(|e| Error::BadRow {
        what: WHAT,
        id: id.to_string(),
        detail: e.to_string(),
    })?;
    let caption = form.caption(&values);
    let now = now_ms().max(draft.updated_at);
    conn.execute(
        "UPDATE drafts SET values_json = ?2, caption = ?3, revision = revision + 1, updated_at = ?4
         WHERE id = ?1",
        params![id.to_string(), json, caption, now],
    )?;
    draft.values = values;
    draft.revision += 1;
    draft.updated_at = now;
    Ok((draft, form))
}

pub fn get(conn: &Connection, id: DraftId) -> Result<Draft> {
    conn.query_row(
        "SELECT id, form_id, form_version, values_json, revision, created_at, updated_at
         FROM drafts WHERE id = ?1",
        [id.to_string()],
        |r| Ok(read_draft(r)),
    )
    .optional()?
    .ok_or_else(|| not_found(id))?
}

fn read_draft(r: &Row<'_>) -> Result<Draft> {
    let id_text: String = r.get(0)?;
    let bad = |detail: String| Error::BadRow {
        what: WHAT,
        id: id_text.clone(),
        detail,
    };
    let id = id_text
        .parse()
        .map_err(|e: eingang_model::IdError| bad(e.to_string()))?;
    let json: String = r.get(3)?;
    let values = serde_json::from_str(&json).map_err(|e| bad(e.to_string()))?;
    Ok(Draft {
        id,
        form_id: r.get(1)?,
        form_version: r.get(2)?,
        values,
        revision: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

/// Records how many problems the draft has now (shown in the draft list).
pub fn set_open_issues(conn: &Connection, id: DraftId, n: usize) -> Result<()> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    conn.execute(
        "UPDATE drafts SET open_issues = ?2 WHERE id = ?1",
        params![id.to_string(), n],
    )?;
    Ok(())
}

/// Up to `limit` drafts, most recently changed first, after `after`: read along
/// `drafts_by_updated`. The cursor of the next page, if the list goes on.
pub fn list(
    conn: &Connection,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<DraftSummary>, Option<String>)> {
    let (key, id) = Cursor::bounds(after);
    let mut stmt = conn.prepare(
        "SELECT id, form_id, form_version, caption, revision, created_at, updated_at, open_issues
         FROM drafts WHERE (updated_at, id) < (?1, ?2)
         ORDER BY updated_at DESC, id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![key, id, limit], |r| Ok(read_summary(r)))?;
    let rows = rows
        .map(|row| row.map_err(Error::from).and_then(|summary| summary))
        .collect::<Result<Vec<_>>>()?;
    let next = Cursor::next(
        rows.len() == limit as usize,
        rows.last().map(|d| (d.updated_at, d.id.to_string())),
    );
    Ok((rows, next))
}

fn read_summary(r: &Row<'_>) -> Result<DraftSummary> {
    let id_text: String = r.get(0)?;
    let id = id_text
        .parse()
        .map_err(|e: eingang_model::IdError| Error::BadRow {
            what: WHAT,
            id: id_text.clone(),
            detail: e.to_string(),
        })?;
    Ok(DraftSummary {
        id,
        form_id: r.get(1)?,
        form_version: r.get(2)?,
        caption: r.get(3)?,
        revision: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        open_issues: r.get(7)?,
    })
}

/// Deletes a draft. Deleting one that no longer exists is an error the UI can show.
pub fn delete(conn: &Connection, id: DraftId) -> Result<()> {
    let n = conn.execute("DELETE FROM drafts WHERE id = ?1", [id.to_string()])?;
    if n == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

pub fn count(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))?)
}

/// Moves a draft to another version of its form: values the new version has no place for
/// are dropped, everything else is kept. Returns the draft, the new form, and the changes
/// the user was shown (see `eingang_forms::versions`).
pub fn move_to_version(
    conn: &Connection,
    id: DraftId,
    version: &str,
) -> Result<(
    Draft,
    Arc<Form>,
    Vec<eingang_forms::versions::VersionChange>,
)> {
    let draft = get(conn, id)?;
    let old = forms::load(conn, &draft.form_id, &draft.form_version)?;
    let new = forms::load(conn, &draft.form_id, version)?;
    let changes = eingang_forms::versions::changes(&old.definition, &new.definition, &draft.values);
    let values = eingang_forms::versions::carry_over(&new.definition, &draft.values);
    conn.execute(
        "UPDATE drafts SET form_version = ?2 WHERE id = ?1",
        params![id.to_string(), version],
    )?;
    let (draft, form) = save(conn, id, values)?;
    Ok((draft, form, changes))
}
