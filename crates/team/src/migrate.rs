//! The team database's schema, versioned like the station's SQLite: `migrations/NNNN_*.sql`
//! embedded in order; `team_schema.version` says how many are applied. Applied in one
//! transaction each under an advisory lock (stations starting together migrate once); a
//! database ahead of this station is never written by it.

use crate::{Team, TeamError};

/// The migrations this station knows, in order.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_work", include_str!("../migrations/0001_work.sql")),
    (
        "0002_batches",
        include_str!("../migrations/0002_batches.sql"),
    ),
    (
        "0003_documents",
        include_str!("../migrations/0003_documents.sql"),
    ),
];

/// The schema version this station knows.
#[allow(clippy::cast_possible_truncation)] // a handful of migrations
pub const KNOWN_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock every migrating station takes (any number, the same everywhere).
const MIGRATION_LOCK: i64 = 0x0065_696e_6761_6e67; // "eingang"

impl Team {
    /// The applied schema version (`None`: an empty database).
    pub fn schema_version(&mut self) -> Result<Option<u32>, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let exists: bool = self
            .client()
            .query_one("SELECT to_regclass('team_schema') IS NOT NULL", &[])
            .map_err(q)?
            .get(0);
        if !exists {
            return Ok(None);
        }
        let v: i32 = self
            .client()
            .query_one("SELECT version FROM team_schema", &[])
            .map_err(q)?
            .get(0);
        Ok(Some(u32::try_from(v).unwrap_or(0)))
    }

    /// Brings the schema to this station's version; the version now. A database ahead of
    /// this station is refused (`team.newer_schema`) and left as it is.
    pub fn migrate(&mut self) -> Result<u32, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        loop {
            let mut tx = self.client().transaction().map_err(q)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .map_err(q)?;
            let exists: bool = tx
                .query_one("SELECT to_regclass('team_schema') IS NOT NULL", &[])
                .map_err(q)?
                .get(0);
            let found = if exists {
                let v: i32 = tx
                    .query_one("SELECT version FROM team_schema", &[])
                    .map_err(q)?
                    .get(0);
                u32::try_from(v).unwrap_or(0)
            } else {
                0
            };
            if found > KNOWN_VERSION {
                return Err(TeamError::NewerSchema {
                    found,
                    known: KNOWN_VERSION,
                });
            }
            if found == KNOWN_VERSION {
                tx.commit().map_err(q)?;
                return Ok(found);
            }
            let (_, sql) = MIGRATIONS[found as usize];
            tx.batch_execute(sql).map_err(q)?;
            let next = i32::try_from(found + 1).unwrap_or(i32::MAX);
            tx.execute("UPDATE team_schema SET version = $1", &[&next])
                .map_err(q)?;
            tx.commit().map_err(q)?;
        }
    }
}
