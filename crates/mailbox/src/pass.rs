//! One pass over the folder: finish what an earlier pass left (pages half made, messages
//! not yet moved), then take every new message in UID order.

use crate::imap::{Connection, Settle};
use crate::{Account, MailError};
use eingang_capture::intake;
use eingang_capture::intake::Event;
use eingang_capture::profile::ScanProfile;
use eingang_capture::{CaptureError, Limits};
use eingang_model::BatchId;
use eingang_store::tables::{self, mail};
use eingang_store::Store;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};

/// The flags a taken message gets where messages are flagged rather than moved.
const TAKEN_FLAGS: &str = "\\Seen $Eingang";
/// … and a refused one.
const REFUSED_FLAGS: &str = "$EingangAbgelehnt";
/// Sizes are asked for this many messages at a time.
const SIZE_CHUNK: usize = 500;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    /// Messages that became documents.
    pub taken: usize,
    /// Messages seen before (after a changed UIDVALIDITY), moved without a second document.
    pub duplicates: usize,
    /// Messages refused, each with why (moved to the failed folder).
    pub refused: Vec<Refusal>,
    /// Messages whose pages an interrupted pass had left half made, made now.
    pub resumed: usize,
    /// Messages moved (or flagged) on the server in this pass.
    pub settled: usize,
    /// New messages left for the next pass (a limit, or a stop).
    pub remaining: usize,
    /// The batch the documents went into.
    pub batch: Option<BatchId>,
}

/// A message refused: its UID and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub uid: u32,
    pub reason: String,
}

struct Ctx<'a> {
    store: &'a Store,
    account: &'a Account,
    profile: &'a ScanProfile,
    on_event: &'a (dyn Fn(Event) + Sync),
    batch: Option<BatchId>,
}

impl Ctx<'_> {
    /// The day's mail batch (made with the first message of the day).
    fn batch(&mut self) -> Result<BatchId, MailError> {
        if let Some(b) = self.batch {
            return Ok(b);
        }
        let day = eingang_store::rfc3339_utc(eingang_store::now_ms());
        let name = format!("Postfach {} {}", self.account.user, &day[..10]);
        let b = intake::named_batch(self.store, &name, self.profile)?;
        self.batch = Some(b);
        Ok(b)
    }

    /// Makes a stored message's pages (removing any an interrupted pass left), then marks
    /// the row imported — or refused, with the reader's reason (returned).
    fn make_pages(
        &self,
        (uidvalidity, uid): (u32, u32),
        batch: &BatchId,
        sha256: &str,
        bytes: Vec<u8>,
    ) -> Result<Option<String>, MailError> {
        let name = source_name(uidvalidity, uid);
        self.store
            .with_tx(|c| tables::pages::remove_unfinished(c, batch, &name, sha256))?;
        let limits = Limits {
            max_file_bytes: self
                .account
                .max_message_bytes
                .max(Limits::default().max_file_bytes),
            ..Limits::default()
        };
        let made = intake::import_one(
            self.store,
            batch,
            &name,
            bytes,
            &self.profile.processing,
            limits,
            self.on_event,
        );
        let account = self.account.name.as_str();
        match made {
            Ok(_) => {
                self.store
                    .with_tx(|c| mail::imported(c, account, uidvalidity, uid))?;
                Ok(None)
            }
            // The station's own trouble (the disk, the store): the message stays
            // `received` and the pass stops; the next one makes its pages.
            Err(e @ (CaptureError::Io { .. } | CaptureError::Scanner { .. })) => {
                Err(MailError::Intake {
                    reason: e.to_string(),
                })
            }
            Err(e) => {
                let reason = e.to_string();
                self.store.with_tx(|c| {
                    tables::pages::remove_unfinished(c, batch, &name, sha256)?;
                    mail::refused(c, account, uidvalidity, uid, &reason)
                })?;
                Ok(Some(reason))
            }
        }
    }

    /// Takes one new message: stored and recorded in one transaction (or recorded as a
    /// duplicate), then its pages made. `Err` only for the store; a refusal is `Ok`.
    fn take(
        &mut self,
        uidvalidity: u32,
        uid: u32,
        bytes: Vec<u8>,
        out: &mut Pass,
    ) -> Result<(), MailError> {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let message_id = mail_parser::MessageParser::new()
            .parse_headers(&bytes)
            .and_then(|m| m.message_id().map(str::to_owned));
        let account = self.account.name.clone();
        let mut row = mail::Message {
            uidvalidity,
            uid,
            message_id,
            sha256: sha256.clone(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            batch_id: None,
            state: "received".into(),
            reason: None,
            settled: false,
        };
        let seen = self
            .store
            .with_conn(|c| mail::same(c, &account, row.message_id.as_deref(), &sha256))?;
        if seen.is_some() {
            row.state = "duplicate".into();
            self.store
                .with_tx(|c| mail::record(c, &account, &row, eingang_store::now_ms()))?;
            out.duplicates += 1;
            return Ok(());
        }
        let batch = self.batch()?;
        row.batch_id = Some(batch.to_string());
        let raw = self.store.blobs().put(&bytes)?;
        self.store.with_tx(|c| {
            tables::blobs::insert(c, &raw)?;
            mail::record(c, &account, &row, eingang_store::now_ms())
        })?;
        match self.make_pages((uidvalidity, uid), &batch, &sha256, bytes)? {
            None => out.taken += 1,
            Some(reason) => out.refused.push(Refusal { uid, reason }),
        }
        Ok(())
    }

    /// Records a message refused unread (too large).
    fn refuse_unread(
        &self,
        uidvalidity: u32,
        uid: u32,
        size: u64,
        reason: &str,
    ) -> Result<(), MailError> {
        let row = mail::Message {
            uidvalidity,
            uid,
            message_id: None,
            sha256: String::new(),
            size: i64::try_from(size).unwrap_or(i64::MAX),
            batch_id: None,
            state: "refused".into(),
            reason: Some(reason.to_owned()),
            settled: false,
        };
        self.store
            .with_tx(|c| mail::record(c, &self.account.name, &row, eingang_store::now_ms()))?;
        Ok(())
    }
}

/// The name a message's pages carry as their source (no personal data: not the subject).
fn source_name(uidvalidity: u32, uid: u32) -> String {
    format!("postfach-{uidvalidity}-{uid}.eml")
}

/// Moves (or flags) a recorded message on the server, then marks it settled.
async fn settle(
    conn: &mut Connection,
    store: &Store,
    a: &Account,
    m: &mail::Message,
) -> Result<(), MailError> {
    let refused = m.state == "refused";
    let to = match (a.flag_only, refused) {
        (true, false) => Settle::Flag(TAKEN_FLAGS),
        (true, true) => Settle::Flag(REFUSED_FLAGS),
        (false, false) => Settle::Move(&a.processed),
        (false, true) => Settle::Move(&a.failed),
    };
    conn.settle(m.uid, to).await?;
    store.with_tx(|c| mail::settled(c, &a.name, m.uidvalidity, m.uid))?;
    Ok(())
}

/// One pass: what an earlier pass left is finished first, then new messages are taken one
/// at a time in UID order (at most `limit`; until `stop`), each moved (or flagged) on the
/// server once it is stored.
pub async fn pass(
    conn: &mut Connection,
    store: &Store,
    a: &Account,
    profile: &ScanProfile,
    limit: Option<usize>,
    stop: &AtomicBool,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Pass, MailError> {
    let mut out = Pass::default();
    let mut ctx = Ctx {
        store,
        account: a,
        profile,
        on_event,
        batch: None,
    };
    if !a.flag_only {
        conn.ensure_folder(&a.processed).await?;
        conn.ensure_folder(&a.failed).await?;
    }
    let uidvalidity = conn.uidvalidity;
    // What an interrupted pass left: pages to make (under any UIDVALIDITY: the message is
    // stored), then messages to move.
    for m in store.with_conn(|c| mail::unfinished(c, &a.name))? {
        let batch: BatchId = m
            .batch_id
            .as_deref()
            .and_then(|b| b.parse().ok())
            .map_or_else(|| ctx.batch(), Ok)?;
        let bytes = store.blobs().get(&m.sha256)?;
        match ctx.make_pages((m.uidvalidity, m.uid), &batch, &m.sha256, bytes)? {
            None => out.resumed += 1,
            Some(reason) => out.refused.push(Refusal { uid: m.uid, reason }),
        }
    }
    for m in store.with_conn(|c| mail::unsettled(c, &a.name, uidvalidity))? {
        settle(conn, store, a, &m).await?;
        out.settled += 1;
    }
    let first = store.with_conn(|c| mail::last_uid(c, &a.name, uidvalidity))? + 1;
    let uids = conn.uids_from(first).await?;
    let todo = limit.map_or(uids.len(), |l| l.min(uids.len()));
    out.remaining = uids.len() - todo;
    for chunk in uids[..todo].chunks(SIZE_CHUNK) {
        let sizes = conn.sizes(chunk).await?;
        for &uid in chunk {
            if stop.load(Ordering::Relaxed) {
                out.remaining += 1;
                continue;
            }
            let size = sizes.iter().find(|(u, _)| *u == uid).map_or(0, |(_, s)| *s);
            if size > a.max_message_bytes {
                let reason = format!(
                    "the message is {} MiB, more than the {} MiB allowed ([mailbox] max_message_mb); it was moved to {:?} unread",
                    size >> 20,
                    a.max_message_bytes >> 20,
                    a.failed
                );
                ctx.refuse_unread(uidvalidity, uid, size, &reason)?;
                out.refused.push(Refusal { uid, reason });
            } else {
                // Gone since the search (another client moved it): nothing to take.
                let Some(bytes) = conn.message(uid).await? else {
                    continue;
                };
                ctx.take(uidvalidity, uid, bytes, &mut out)?;
            }
            if let Some(m) = store.with_conn(|c| mail::get(c, &a.name, uidvalidity, uid))? {
                settle(conn, store, a, &m).await?;
                out.settled += 1;
            }
        }
    }
    out.batch = ctx.batch;
    Ok(out)
}
