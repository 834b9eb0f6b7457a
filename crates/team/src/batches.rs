//! A batch on the team store: the capture station uploads its rows and page images while it
//! scans (idempotently: the same rows and blobs again change nothing, so an upload cut off
//! and repeated arrives once) and hands it over; a desk downloads it; the work a desk holds
//! is saved back with its claim, in one transaction that also marks the work done and puts
//! the next step's work in the queue. Every change is an event (who, which station) and a
//! notification.

use crate::work::Step;
use crate::{Claim, Team, TeamError, Who};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One row of the station's store: column → value.
pub type Row = Map<String, Value>;

/// A batch's rows as the stations' stores keep them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchRows {
    pub batch: Row,
    pub pages: Vec<Row>,
    /// Page log entries and verdicts, each with its content key.
    pub log: Vec<(String, Row)>,
    pub verdicts: Vec<(String, Row)>,
}

impl BatchRows {
    fn id(&self) -> Result<String, TeamError> {
        text(&self.batch, "id").ok_or_else(|| TeamError::NotFound {
            what: "batch id in the rows of",
            id: "a batch".into(),
        })
    }
}

/// A downloaded batch: its rows and the version of each page (what a save must build on).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Downloaded {
    pub rows: BatchRows,
    pub state: String,
    pub scanned_by: String,
    pub versions: HashMap<String, i64>,
    /// Its released documents (rows of the releasing station's store), in order.
    pub documents: Vec<Row>,
}

/// What a desk saves with the work it holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Save {
    /// Changed page rows with the version each was read at.
    pub pages: Vec<(Row, i64)>,
    pub log: Vec<(String, Row)>,
    pub verdicts: Vec<(String, Row)>,
    /// The batch row when it changed (a release).
    pub batch: Option<Row>,
    /// The documents a release made (their PDF/A and Transfervermerk among the blobs
    /// already): each waits to be delivered by a station with the deliver role.
    pub documents: Vec<Row>,
    /// Where delivered documents went (the deliver step's receipts), for the event log.
    pub receipts: Vec<Value>,
    /// The work this makes: (step, item).
    pub next: Vec<(Step, String)>,
    /// What the event log says the desk did (`indexed`, `checked`, `released`, …).
    pub action: &'static str,
    /// Put the batch's release into the queue once no index or check work on it is open
    /// (decided under the batch's lock, so the last of two desks finishing at once does).
    pub release_when_done: bool,
}

fn text(row: &Row, col: &str) -> Option<String> {
    row.get(col).and_then(Value::as_str).map(str::to_owned)
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

impl Team {
    /// The hashes among `hashes` whose blob the server does not have yet.
    pub fn missing_blobs(&mut self, hashes: &[String]) -> Result<Vec<String>, TeamError> {
        let server = self.server().to_owned();
        let rows = self
            .client()
            .query(
                "SELECT h FROM unnest($1::text[]) AS h
                  WHERE NOT EXISTS (SELECT 1 FROM team_blobs b WHERE b.sha256 = h)",
                &[&hashes],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Stores a blob under its SHA-256 (once; the same content again is a no-op).
    pub fn put_blob(&mut self, data: &[u8]) -> Result<String, TeamError> {
        let server = self.server().to_owned();
        let hash = sha256_hex(data);
        let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
        self.client()
            .execute(
                "INSERT INTO team_blobs (sha256, size, data) VALUES ($1, $2, $3)
                 ON CONFLICT (sha256) DO NOTHING",
                &[&hash, &size, &data],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?;
        Ok(hash)
    }

    /// A blob's bytes, checked against its SHA-256.
    pub fn blob(&mut self, hash: &str) -> Result<Vec<u8>, TeamError> {
        let server = self.server().to_owned();
        let row = self
            .client()
            .query_opt("SELECT data FROM team_blobs WHERE sha256 = $1", &[&hash])
            .map_err(|e| TeamError::from_query(&server, &e))?
            .ok_or_else(|| TeamError::NotFound {
                what: "blob",
                id: hash.to_owned(),
            })?;
        let data: Vec<u8> = row.get(0);
        if sha256_hex(&data) != hash {
            return Err(TeamError::BlobCorrupt {
                hash: hash.to_owned(),
            });
        }
        Ok(data)
    }

    /// Uploads a batch being scanned at `who.station` (its blobs must be on the server
    /// already): the batch row, its pages, its log. With `hand_over`, the batch is then
    /// handed to the team and each listed document (its first page) waits to be indexed.
    /// Refused (`team.handed_over`) once the batch is the team's or another station's.
    /// Returns how many rows changed.
    pub fn upload(
        &mut self,
        who: &Who,
        rows: &BatchRows,
        hand_over: Option<&[String]>,
    ) -> Result<u64, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let id = rows.id()?;
        let name = text(&rows.batch, "name").unwrap_or_default();
        let pages = i32::try_from(rows.pages.len()).unwrap_or(i32::MAX);
        let mut tx = self.client().transaction().map_err(q)?;
        let ours = tx
            .query_opt(
                "INSERT INTO team_batches (id, name, station, scanned_by, row, pages)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id) DO UPDATE
                    SET name = excluded.name, row = excluded.row, pages = excluded.pages,
                        changed_at = now()
                  WHERE team_batches.state = 'scanning'
                    AND team_batches.station = excluded.station
                 RETURNING 1",
                &[
                    &id,
                    &name,
                    &who.station,
                    &who.person,
                    &Value::Object(rows.batch.clone()),
                    &pages,
                ],
            )
            .map_err(q)?;
        if ours.is_none() {
            return Err(TeamError::HandedOver { batch: id });
        }
        let mut changed = 0;
        for page in &rows.pages {
            let pid = text(page, "id").unwrap_or_default();
            changed += tx
                .execute(
                    "INSERT INTO team_pages (id, batch, row, changed_station, changed_person)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO UPDATE
                        SET row = excluded.row, version = team_pages.version + 1,
                            changed_station = excluded.changed_station,
                            changed_person = excluded.changed_person, changed_at = now()
                      WHERE team_pages.row IS DISTINCT FROM excluded.row",
                    &[
                        &pid,
                        &id,
                        &Value::Object(page.clone()),
                        &who.station,
                        &who.person,
                    ],
                )
                .map_err(q)?;
        }
        changed += append(&mut tx, &id, &rows.log, &rows.verdicts, who).map_err(q)?;
        if let Some(documents) = hand_over {
            tx.execute(
                "UPDATE team_batches SET state = 'ready', changed_at = now() WHERE id = $1",
                &[&id],
            )
            .map_err(q)?;
            for first in documents {
                tx.execute(
                    "INSERT INTO team_work (step, item, batch) VALUES ('index', $1, $2)
                     ON CONFLICT (step, item) DO NOTHING",
                    &[first, &id],
                )
                .map_err(q)?;
            }
            let detail = serde_json::json!({"pages": pages, "documents": documents.len()});
            event(&mut tx, who, "handed_over", &id, None, &detail).map_err(q)?;
        } else if changed > 0 {
            let detail = serde_json::json!({"pages": pages});
            event(&mut tx, who, "uploaded", &id, None, &detail).map_err(q)?;
        }
        tx.execute("SELECT pg_notify('team_changed', $1)", &[&id])
            .map_err(q)?;
        tx.commit().map_err(q)?;
        Ok(changed)
    }

    /// A batch as the team store has it now.
    pub fn download(&mut self, batch: &str) -> Result<Downloaded, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let mut tx = self
            .client()
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(q)?;
        let head = tx
            .query_opt(
                "SELECT row, state, scanned_by FROM team_batches WHERE id = $1",
                &[&batch],
            )
            .map_err(q)?
            .ok_or_else(|| TeamError::NotFound {
                what: "batch",
                id: batch.to_owned(),
            })?;
        let mut out = Downloaded {
            state: head.get(1),
            scanned_by: head.get(2),
            ..Downloaded::default()
        };
        out.rows.batch = object(head.get(0));
        for r in tx
            .query(
                "SELECT id, row, version FROM team_pages WHERE batch = $1
                  ORDER BY (row->>'position')::float8, id",
                &[&batch],
            )
            .map_err(q)?
        {
            out.versions.insert(r.get(0), r.get(2));
            out.rows.pages.push(object(r.get(1)));
        }
        for r in tx
            .query(
                "SELECT key, row FROM team_page_log WHERE batch = $1 ORDER BY seq",
                &[&batch],
            )
            .map_err(q)?
        {
            out.rows.log.push((r.get(0), object(r.get(1))));
        }
        for r in tx
            .query(
                "SELECT key, row FROM team_verdicts WHERE batch = $1 ORDER BY seq",
                &[&batch],
            )
            .map_err(q)?
        {
            out.rows.verdicts.push((r.get(0), object(r.get(1))));
        }
        for r in tx
            .query(
                "SELECT row FROM team_documents WHERE batch = $1 ORDER BY created_at, id",
                &[&batch],
            )
            .map_err(q)?
        {
            out.documents.push(object(r.get(0)));
        }
        tx.commit().map_err(q)?;
        Ok(out)
    }

    /// A claim this station holds, by its number (`team.not_held` when it ran out, is
    /// another desk's or is done).
    pub fn held(&mut self, id: i64, who: &Who) -> Result<Claim, TeamError> {
        let server = self.server().to_owned();
        let row = self
            .client()
            .query_opt(
                "SELECT step, item, batch, (extract(epoch FROM claimed_until) * 1000)::bigint
                   FROM team_work
                  WHERE id = $1 AND state = 'open' AND claimed_station = $2
                    AND claimed_until >= now()",
                &[&id, &who.station],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?
            .ok_or_else(|| TeamError::NotHeld {
                item: format!("#{id}"),
            })?;
        let step: String = row.get(0);
        Ok(Claim {
            id,
            step: Step::parse(&step).unwrap_or(Step::Index),
            item: row.get(1),
            batch: row.get(2),
            until_ms: row.get(3),
        })
    }

    /// Saves what a desk did with the work it holds and marks that work done, in one
    /// transaction: refused when the claim is no longer this desk's (`team.not_held`), when
    /// a page changed since it was read (`team.changed`), or when a verdict breaks
    /// four-eyes (`team.four_eyes`) — then nothing of it is kept.
    pub fn save(&mut self, claim: &Claim, who: &Who, save: &Save) -> Result<(), TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let mut tx = self.client().transaction().map_err(q)?;
        // One save per batch at a time: the last desk to finish sees the others' work done.
        tx.execute(
            "SELECT 1 FROM team_batches WHERE id = $1 FOR UPDATE",
            &[&claim.batch],
        )
        .map_err(q)?;
        let held = tx
            .query_opt(
                "SELECT 1 FROM team_work
                  WHERE id = $1 AND state = 'open' AND claimed_station = $2
                    AND claimed_until >= now()
                  FOR UPDATE",
                &[&claim.id, &who.station],
            )
            .map_err(q)?;
        if held.is_none() {
            return Err(TeamError::NotHeld {
                item: claim.item.clone(),
            });
        }
        for (page, version) in &save.pages {
            let pid = text(page, "id").unwrap_or_default();
            let n = tx
                .execute(
                    "UPDATE team_pages
                        SET row = $2, version = version + 1, changed_station = $4,
                            changed_person = $5, changed_at = now()
                      WHERE id = $1 AND batch = $3 AND version = $6",
                    &[
                        &pid,
                        &Value::Object(page.clone()),
                        &claim.batch,
                        &who.station,
                        &who.person,
                        version,
                    ],
                )
                .map_err(q)?;
            if n != 1 {
                return Err(TeamError::Changed { page: pid });
            }
        }
        if let Some(batch) = &save.batch {
            tx.execute(
                "UPDATE team_batches SET row = $2, changed_at = now(),
                        state = CASE WHEN ($2::jsonb->>'released_at') IS NOT NULL
                                     THEN 'released' ELSE state END
                  WHERE id = $1",
                &[&claim.batch, &Value::Object(batch.clone())],
            )
            .map_err(q)?;
        }
        append(&mut tx, &claim.batch, &save.log, &save.verdicts, who).map_err(q)?;
        tx.execute(
            "UPDATE team_work
                SET state = 'done', done_station = $2, done_person = $3, done_at = now(),
                    claimed_until = NULL
              WHERE id = $1",
            &[&claim.id, &who.station, &who.person],
        )
        .map_err(q)?;
        queue_next(&mut tx, claim, who, save).map_err(q)?;
        let detail = serde_json::json!({
            "step": claim.step.as_str(),
            "pages": save.pages.len(),
            "verdicts": save.verdicts.len(),
            "documents": save.documents.len(),
            "receipts": save.receipts,
        });
        event(
            &mut tx,
            who,
            save.action,
            &claim.batch,
            Some(&claim.item),
            &detail,
        )
        .map_err(q)?;
        tx.execute("SELECT pg_notify('team_changed', $1)", &[&claim.batch])
            .map_err(q)?;
        tx.commit().map_err(q)?;
        Ok(())
    }

    /// Whether any work on `batch` of these steps is still open.
    pub fn open_work(&mut self, batch: &str, steps: &[Step]) -> Result<i64, TeamError> {
        let server = self.server().to_owned();
        let steps: Vec<&str> = steps.iter().map(|s| s.as_str()).collect();
        let r = self
            .client()
            .query_one(
                "SELECT count(*) FROM team_work
                  WHERE batch = $1 AND state = 'open' AND step = ANY($2)",
                &[&batch, &steps],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?;
        Ok(r.get(0))
    }
}

/// The work a save makes, in its transaction: its documents to deliver, the next step's
/// work, and the batch's release once nothing of it is open.
fn queue_next(
    tx: &mut postgres::Transaction<'_>,
    claim: &Claim,
    who: &Who,
    save: &Save,
) -> Result<(), postgres::Error> {
    for doc in &save.documents {
        let id = text(doc, "id").unwrap_or_default();
        tx.execute(
            "INSERT INTO team_documents (id, batch, row, station, person)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            &[
                &id,
                &claim.batch,
                &Value::Object(doc.clone()),
                &who.station,
                &who.person,
            ],
        )?;
        tx.execute(
            "INSERT INTO team_work (step, item, batch) VALUES ('deliver', $1, $2)
             ON CONFLICT (step, item) DO NOTHING",
            &[&id, &claim.batch],
        )?;
    }
    for (step, item) in &save.next {
        tx.execute(
            "INSERT INTO team_work (step, item, batch) VALUES ($1, $2, $3)
             ON CONFLICT (step, item) DO NOTHING",
            &[&step.as_str(), item, &claim.batch],
        )?;
    }
    if save.release_when_done {
        tx.execute(
            "INSERT INTO team_work (step, item, batch) SELECT 'release', $1, $1
              WHERE NOT EXISTS (SELECT 1 FROM team_work
                                 WHERE batch = $1 AND state = 'open'
                                   AND step IN ('index', 'check'))
             ON CONFLICT (step, item) DO NOTHING",
            &[&claim.batch],
        )?;
    }
    Ok(())
}

fn object(v: Value) -> Row {
    match v {
        Value::Object(m) => m,
        _ => Row::new(),
    }
}

/// Adds log entries and verdicts (each once, by its key). A verdict carries the checker
/// as its person; the database refuses one by the person who scanned the batch.
fn append(
    tx: &mut postgres::Transaction<'_>,
    batch: &str,
    log: &[(String, Row)],
    verdicts: &[(String, Row)],
    who: &Who,
) -> Result<u64, postgres::Error> {
    let mut n = 0;
    for (key, row) in log {
        n += tx.execute(
            "INSERT INTO team_page_log (key, batch, row) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO NOTHING",
            &[key, &batch, &Value::Object(row.clone())],
        )?;
    }
    for (key, row) in verdicts {
        let first = text(row, "first_page").unwrap_or_default();
        let person = text(row, "checker").unwrap_or_else(|| who.person.clone());
        n += tx.execute(
            "INSERT INTO team_verdicts (key, batch, first_page, row, station, person)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (key) DO NOTHING",
            &[
                key,
                &batch,
                &first,
                &Value::Object(row.clone()),
                &who.station,
                &person,
            ],
        )?;
    }
    Ok(n)
}

/// Appends an event to the hash-chained log (the database chains it).
pub(crate) fn event(
    tx: &mut postgres::Transaction<'_>,
    who: &Who,
    action: &str,
    batch: &str,
    item: Option<&str>,
    detail: &Value,
) -> Result<u64, postgres::Error> {
    tx.execute(
        "INSERT INTO team_events (station, person, action, batch, item, detail, prev, hash)
         VALUES ($1, $2, $3, $4, $5, $6, '', '')",
        &[&who.station, &who.person, &action, &batch, &item, detail],
    )
}

/// The live state of the office's day: what every desk sees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Day {
    /// Pages uploaded today (the server's day).
    pub pages_today: i64,
    /// Batches by state: (state, count).
    pub batches: Vec<(String, i64)>,
    /// Per step: open work and how much of it a desk holds now.
    pub waiting: Vec<(Step, i64, i64)>,
    /// Who works on what now.
    pub desks: Vec<Desk>,
    /// The day's batches (changed today), newest first: at most 50.
    pub today: Vec<TeamBatch>,
}

/// A batch as the team sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamBatch {
    pub id: String,
    pub name: String,
    pub station: String,
    /// scanning, ready, released.
    pub state: String,
    pub pages: i64,
    /// Its work still open (index, check, release).
    pub open: i64,
}

/// A desk at work: station, person, the step and the item it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desk {
    pub station: String,
    pub person: String,
    pub step: Step,
    pub item: String,
    pub batch: String,
}

impl Team {
    /// The day as the team store has it now.
    pub fn day(&mut self) -> Result<Day, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let pages_today = self
            .client()
            .query_one(
                "SELECT count(*) FROM team_pages p JOIN team_batches b ON b.id = p.batch
                  WHERE b.created_at >= date_trunc('day', now())",
                &[],
            )
            .map_err(q)?
            .get(0);
        let mut day = Day {
            pages_today,
            ..Day::default()
        };
        for r in self
            .client()
            .query(
                "SELECT state, count(*) FROM team_batches GROUP BY state ORDER BY state",
                &[],
            )
            .map_err(q)?
        {
            day.batches.push((r.get(0), r.get(1)));
        }
        for step in Step::ALL {
            let (open, held) = self.queue(step)?;
            day.waiting.push((step, open, held));
        }
        for r in self
            .client()
            .query(
                "SELECT b.id, b.name, b.station, b.state, b.pages,
                        (SELECT count(*) FROM team_work w
                          WHERE w.batch = b.id AND w.state = 'open' AND w.step <> 'deliver')
                   FROM team_batches b
                  WHERE b.changed_at >= date_trunc('day', now())
                  ORDER BY b.created_at DESC LIMIT 50",
                &[],
            )
            .map_err(q)?
        {
            day.today.push(TeamBatch {
                id: r.get(0),
                name: r.get(1),
                station: r.get(2),
                state: r.get(3),
                pages: i64::from(r.get::<_, i32>(4)),
                open: r.get(5),
            });
        }
        for r in self
            .client()
            .query(
                "SELECT claimed_station, claimed_person, step, item, batch FROM team_work
                  WHERE state = 'open' AND claimed_until >= now()
                  ORDER BY claimed_station, id",
                &[],
            )
            .map_err(q)?
        {
            let step: String = r.get(2);
            day.desks.push(Desk {
                station: r.get(0),
                person: r.get(1),
                step: Step::parse(&step).unwrap_or(Step::Index),
                item: r.get(3),
                batch: r.get(4),
            });
        }
        Ok(day)
    }

    /// Follows the event log's hash chain: how many events, and the first one that breaks
    /// it (changed, removed or put in between), if any.
    pub fn verify_events(&mut self) -> Result<(i64, Option<i64>), TeamError> {
        let server = self.server().to_owned();
        let r = self
            .client()
            .query_one(
                "WITH e AS (
                   SELECT seq, prev, hash,
                          lag(hash, 1, repeat('0', 64)) OVER (ORDER BY seq) AS before,
                          encode(sha256(convert_to(
                              prev || '|' || team_instant(at) || '|' || station || '|' || person
                              || '|' || action || '|' || coalesce(batch, '') || '|'
                              || coalesce(item, '') || '|' || detail::text, 'UTF8')), 'hex')
                            AS computed
                     FROM team_events)
                 SELECT count(*), min(seq) FILTER (WHERE prev <> before OR hash <> computed)
                   FROM e",
                &[],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?;
        Ok((r.get(0), r.get(1)))
    }
}
