//! `scan_profiles` and their append-only change log: named scan settings (TR-RESISCAN
//! A.SC.6); the settings are the capture crate's, kept here as JSON.

use crate::error::Result;
use crate::now_ms;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// A stored scan profile: its settings are the capture crate's (JSON here).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileRow {
    pub id: String,
    pub name: String,
    pub settings_json: String,
    pub updated_at: i64,
}

pub fn profiles(conn: &Connection) -> Result<Vec<ProfileRow>> {
    let mut stmt = conn
        .prepare("SELECT id, name, settings_json, updated_at FROM scan_profiles ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(ProfileRow {
            id: r.get(0)?,
            name: r.get(1)?,
            settings_json: r.get(2)?,
            updated_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn profile(conn: &Connection, id: &str) -> Result<Option<ProfileRow>> {
    Ok(conn
        .query_row(
            "SELECT id, name, settings_json, updated_at FROM scan_profiles WHERE id = ?1",
            [id],
            |r| {
                Ok(ProfileRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    settings_json: r.get(2)?,
                    updated_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Creates or changes a profile and logs the change (nothing is logged when nothing changed).
pub fn save_profile(conn: &Connection, id: &str, name: &str, settings_json: &str) -> Result<()> {
    let now = now_ms();
    let old = profile(conn, id)?;
    if old
        .as_ref()
        .is_some_and(|o| o.name == name && o.settings_json == settings_json)
    {
        return Ok(());
    }
    conn.execute(
        "INSERT INTO scan_profiles (id, name, settings_json, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = ?2, settings_json = ?3, updated_at = ?4",
        params![id, name, settings_json, now],
    )?;
    let logged = serde_json::json!({ "name": name, "settings": serde_json::from_str::<serde_json::Value>(settings_json).unwrap_or_default() });
    let action = if old.is_some() { "changed" } else { "created" };
    conn.execute(
        "INSERT INTO scan_profile_changes (profile_id, at, action, settings_json) VALUES (?1, ?2, ?3, ?4)",
        params![id, now, action, logged.to_string()],
    )?;
    crate::tables::audit::append(conn, &format!("profile.{action}"), id, &logged)
}

pub fn delete_profile(conn: &Connection, id: &str) -> Result<()> {
    if conn.execute("DELETE FROM scan_profiles WHERE id = ?1", [id])? > 0 {
        conn.execute(
            "INSERT INTO scan_profile_changes (profile_id, at, action) VALUES (?1, ?2, 'deleted')",
            params![id, now_ms()],
        )?;
        crate::tables::audit::append(conn, "profile.deleted", id, &serde_json::json!({}))?;
    }
    Ok(())
}

/// One entry of the profile change log: (profile, time, action, settings).
pub type ProfileChange = (String, i64, String, Option<String>);

/// The change log of every profile, oldest first.
pub fn profile_changes(conn: &Connection) -> Result<Vec<ProfileChange>> {
    let mut stmt = conn.prepare(
        "SELECT profile_id, at, action, settings_json FROM scan_profile_changes ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
