//! Embedded, numbered, append-only migrations. `PRAGMA user_version` is the schema version.
//!
//! Never modify or reorder an existing migration: field laptops carry databases of every
//! earlier version, and each must open. Add a new file and append it to [`MIGRATIONS`].

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

/// `(version, sql)`; version `n` is the schema after applying the n-th script.
pub const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_drafts.sql")),
    (2, include_str!("migrations/0002_outbox.sql")),
    (3, include_str!("migrations/0003_blobs.sql")),
    (4, include_str!("migrations/0004_forms.sql")),
    (5, include_str!("migrations/0005_draft_issues.sql")),
    (6, include_str!("migrations/0006_submissions.sql")),
    (7, include_str!("migrations/0007_submission_pdf.sql")),
    (8, include_str!("migrations/0008_outbox_states.sql")),
    (9, include_str!("migrations/0009_scans.sql")),
    (10, include_str!("migrations/0010_page_separation.sql")),
    (11, include_str!("migrations/0011_audit_log.sql")),
    (12, include_str!("migrations/0012_ocr_qc_transfer.sql")),
    (13, include_str!("migrations/0013_secrets.sql")),
    (14, include_str!("migrations/0014_audit_checkpoints.sql")),
    (15, include_str!("migrations/0015_release_safety.sql")),
    (16, include_str!("migrations/0016_retention.sql")),
    (17, include_str!("migrations/0017_documents_by_batch.sql")),
    (18, include_str!("migrations/0018_paging.sql")),
    (19, include_str!("migrations/0019_list_counts.sql")),
    (20, include_str!("migrations/0020_unpurged.sql")),
    (21, include_str!("migrations/0021_auto_indexing.sql")),
    (22, include_str!("migrations/0022_straight_through.sql")),
    (23, include_str!("migrations/0023_purge_ocr_text.sql")),
    (24, include_str!("migrations/0024_mailbox.sql")),
    (25, include_str!("migrations/0025_team.sql")),
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub fn schema_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Brings the schema to [`LATEST`]. Each step runs in its own transaction together with
/// its `user_version` bump, so a crash leaves the database at a whole version.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<u32> {
    migrate_to(conn, path, LATEST)
}

/// Brings the schema to `target` (tests build every earlier version with it).
pub fn migrate_to(conn: &mut Connection, path: &Path, target: u32) -> Result<u32> {
    let found = schema_version(conn).map_err(|e| Error::from(e).at(path))?;
    if found > LATEST {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: LATEST,
        });
    }
    for &(version, sql) in MIGRATIONS {
        if version <= found || version > target {
            continue;
        }
        let mut step = || -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()
        };
        step().map_err(|e| Error::from(e).at(path))?;
        tracing::info!(version, "database migrated");
    }
    Ok(target.max(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_numbered_one_by_one_from_one() {
        for (i, (version, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version as usize, i + 1);
        }
    }
}
