//! The work queue: documents to index and to check, batches to release, released
//! documents to deliver — each claimed by one desk at a time.

use crate::{Team, TeamError};
use postgres::fallible_iterator::FallibleIterator as _;
use std::time::Duration;

/// A step of the shared work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Index,
    Check,
    Release,
    Deliver,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Index, Step::Check, Step::Release, Step::Deliver];

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Index => "index",
            Step::Check => "check",
            Step::Release => "release",
            Step::Deliver => "deliver",
        }
    }
}

/// Who works: the station and the person signed in at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub station: String,
    pub person: String,
}

/// A piece of work held by a desk until `until_ms` (the server's clock, ms since 1970).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: i64,
    pub step: Step,
    pub item: String,
    pub batch: String,
    pub until_ms: i64,
}

/// The claim's length as the server counts it (seconds, with fractions).
fn seconds(ttl: Duration) -> f64 {
    ttl.as_secs_f64()
}

impl Team {
    /// Puts a piece of work into the queue (once: the same step and item again is a no-op,
    /// `false`).
    pub fn add_work(&mut self, step: Step, item: &str, batch: &str) -> Result<bool, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let mut tx = self.client().transaction().map_err(q)?;
        let n = tx
            .execute(
                "INSERT INTO team_work (step, item, batch) VALUES ($1, $2, $3)
                 ON CONFLICT (step, item) DO NOTHING",
                &[&step.as_str(), &item, &batch],
            )
            .map_err(q)?;
        tx.execute("SELECT pg_notify('team_changed', $1)", &[&batch])
            .map_err(q)?;
        tx.commit().map_err(q)?;
        Ok(n == 1)
    }

    /// Claims the oldest open work of `step` nobody holds (or whose claim ran out) for
    /// `ttl`; `None` when there is none. Two desks asking at once get different work.
    pub fn claim_next(
        &mut self,
        step: Step,
        who: &Who,
        ttl: Duration,
    ) -> Result<Option<Claim>, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let mut tx = self.client().transaction().map_err(q)?;
        let row = tx
            .query_opt(
                "UPDATE team_work
                    SET claimed_station = $2, claimed_person = $3,
                        claimed_until = now() + make_interval(secs => $4)
                  WHERE id = (SELECT id FROM team_work
                               WHERE step = $1 AND state = 'open'
                                 AND (claimed_until IS NULL OR claimed_until < now())
                               ORDER BY created_at, id
                               FOR UPDATE SKIP LOCKED
                               LIMIT 1)
                 RETURNING id, item, batch,
                           (extract(epoch FROM claimed_until) * 1000)::bigint",
                &[&step.as_str(), &who.station, &who.person, &seconds(ttl)],
            )
            .map_err(q)?;
        let claim = row.map(|r| Claim {
            id: r.get(0),
            step,
            item: r.get(1),
            batch: r.get(2),
            until_ms: r.get(3),
        });
        if let Some(c) = &claim {
            tx.execute("SELECT pg_notify('team_changed', $1)", &[&c.batch])
                .map_err(q)?;
        }
        tx.commit().map_err(q)?;
        Ok(claim)
    }

    /// Holds the claim for another `ttl`; `false` when it ran out and another desk took
    /// the work (this desk must let go of it).
    pub fn renew(
        &mut self,
        claim: &mut Claim,
        who: &Who,
        ttl: Duration,
    ) -> Result<bool, TeamError> {
        let server = self.server().to_owned();
        let row = self
            .client()
            .query_opt(
                "UPDATE team_work SET claimed_until = now() + make_interval(secs => $3)
                  WHERE id = $1 AND claimed_station = $2 AND state = 'open'
                    AND claimed_until >= now()
                 RETURNING (extract(epoch FROM claimed_until) * 1000)::bigint",
                &[&claim.id, &who.station, &seconds(ttl)],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?;
        Ok(row.is_some_and(|r| {
            claim.until_ms = r.get(0);
            true
        }))
    }

    /// Marks the claimed work done by `who` — only while the claim is still this desk's
    /// (`false` otherwise: it ran out and the work is another desk's now, or done).
    pub fn finish(&mut self, claim: &Claim, who: &Who) -> Result<bool, TeamError> {
        let server = self.server().to_owned();
        let q = |e: postgres::Error| TeamError::from_query(&server, &e);
        let mut tx = self.client().transaction().map_err(q)?;
        let n = tx
            .execute(
                "UPDATE team_work
                    SET state = 'done', done_station = $2, done_person = $3, done_at = now(),
                        claimed_until = NULL
                  WHERE id = $1 AND state = 'open' AND claimed_station = $2
                    AND claimed_until >= now()",
                &[&claim.id, &who.station, &who.person],
            )
            .map_err(q)?;
        if n == 1 {
            tx.execute("SELECT pg_notify('team_changed', $1)", &[&claim.batch])
                .map_err(q)?;
        }
        tx.commit().map_err(q)?;
        Ok(n == 1)
    }

    /// Lets go of a claim before its time (the desk moves on): the work is open for others.
    pub fn release(&mut self, claim: &Claim, who: &Who) -> Result<(), TeamError> {
        let server = self.server().to_owned();
        self.client()
            .execute(
                "UPDATE team_work SET claimed_until = NULL
                  WHERE id = $1 AND claimed_station = $2 AND state = 'open'",
                &[&claim.id, &who.station],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?;
        Ok(())
    }

    /// How much work of `step` is open, and how much of it is held now.
    pub fn queue(&mut self, step: Step) -> Result<(i64, i64), TeamError> {
        let server = self.server().to_owned();
        let r = self
            .client()
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE claimed_until >= now())
                   FROM team_work WHERE step = $1 AND state = 'open'",
                &[&step.as_str()],
            )
            .map_err(|e| TeamError::from_query(&server, &e))?;
        Ok((r.get(0), r.get(1)))
    }
}

impl Team {
    /// Listens for changes of the shared work on this connection (`LISTEN team_changed`).
    pub fn listen(&mut self) -> Result<(), TeamError> {
        let server = self.server().to_owned();
        self.client()
            .batch_execute("LISTEN team_changed")
            .map_err(|e| TeamError::from_query(&server, &e))
    }

    /// Waits at most `max` for a change another desk made (after [`Team::listen`]): the
    /// batch it was in, or `None` when nothing changed meanwhile.
    pub fn next_change(&mut self, max: Duration) -> Result<Option<String>, TeamError> {
        let server = self.server().to_owned();
        let mut notifications = self.client().notifications();
        let mut waiting = notifications.timeout_iter(max);
        waiting
            .next()
            .map(|n| n.map(|n| n.payload().to_owned()))
            .map_err(|e| TeamError::from_query(&server, &e))
    }
}
