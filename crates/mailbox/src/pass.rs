//! One pass over the folder: finish what an earlier pass left (pages half made, messages
//! not yet moved), then take every new message in UID order.

use crate::imap::{Connection, Settle};
use crate::{Account, MailError};
use eingang_capture::intake;
use eingang_capture::intake::Event;
use eingang_capture::profile::ScanProfile;
use eingang_capture::Limits;
use eingang_model::BatchId;
use eingang_store::tables::{self, mail};
use eingang_store::Store;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

/// The flags a taken message gets where messages are flagged rather than moved.
const TAKEN_FLAGS: &str = "\\Seen $Eingang";
/// … and a refused one.
const REFUSED_FLAGS: &str = "$EingangAbgelehnt";
/// Messages are moved at most this many at a time.
const MOVE_CHUNK: usize = 500;
/// New messages taken at a time: read and stored one by one, their pages made together
/// (one message's pages processed while the next is read), then moved with one command.
const GROUP: usize = 16;
/// The intake's codes for the station's own trouble (its disk, its scanner): the message
/// is kept for the next pass, never refused.
const TRANSIENT_CAPTURE: &[&str] = &["capture.io", "capture.scanner"];

/// Slices of a list in growing groups — 1, 2, 4, … up to [`GROUP`]: the first message of
/// a pass (after a start, after IDLE woke it) is a document and moved at once, a long
/// folder is taken at full speed.
struct Groups<'a, T> {
    rest: &'a [T],
    size: usize,
}

impl<'a, T> Groups<'a, T> {
    fn new(items: &'a [T]) -> Self {
        Groups {
            rest: items,
            size: 1,
        }
    }
}

impl<'a, T> Iterator for Groups<'a, T> {
    type Item = &'a [T];
    fn next(&mut self) -> Option<&'a [T]> {
        if self.rest.is_empty() {
            return None;
        }
        let (group, rest) = self.rest.split_at(self.size.min(self.rest.len()));
        self.rest = rest;
        self.size = (self.size * 2).min(GROUP);
        Some(group)
    }
}

/// A stored message whose pages are to be made.
struct Stored {
    uidvalidity: u32,
    uid: u32,
    sha256: String,
    bytes: Vec<u8>,
}

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

    /// Makes the pages of stored messages at once (the pages of one processed while the
    /// next is read; any an interrupted pass left removed first), then marks each row
    /// imported — or refused, with the reader's reason. A message the station itself could
    /// not make pages of (its disk, its store) stays `received` for the next pass: that is
    /// returned as the error after the others are recorded.
    fn make_pages(
        &self,
        batch: &BatchId,
        stored: Vec<Stored>,
        out: &mut Pass,
        resumed: bool,
    ) -> Result<(), MailError> {
        let keys: Vec<(u32, u32, String, String)> = stored
            .iter()
            .map(|m| {
                let name = source_name(m.uidvalidity, m.uid);
                (m.uidvalidity, m.uid, m.sha256.clone(), name)
            })
            .collect();
        self.store.with_tx(|c| {
            keys.iter().try_for_each(|(_, _, sha256, name)| {
                tables::pages::remove_unfinished(c, batch, name, sha256).map(drop)
            })
        })?;
        let limits = Limits {
            max_file_bytes: self
                .account
                .max_message_bytes
                .max(Limits::default().max_file_bytes),
            ..Limits::default()
        };
        let failed: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());
        let on_event = |e: Event| {
            if let Event::FileFailed {
                file,
                code,
                message,
            } = &e
            {
                failed.lock().unwrap_or_else(PoisonError::into_inner).push((
                    file.clone(),
                    code.clone(),
                    message.clone(),
                ));
            }
            (self.on_event)(e);
        };
        let files = stored
            .into_iter()
            .zip(&keys)
            .map(|(m, k)| (k.3.clone(), Ok(m.bytes)));
        intake::import(
            self.store,
            batch,
            files,
            &self.profile.processing,
            limits,
            &AtomicBool::new(false),
            &on_event,
        );
        let failed = failed.into_inner().unwrap_or_else(PoisonError::into_inner);
        let account = self.account.name.as_str();
        let mut station_trouble = None;
        self.store.with_tx(|c| {
            for (uidvalidity, uid, sha256, name) in &keys {
                match failed.iter().find(|(file, _, _)| file == name) {
                    None => {
                        mail::imported(c, account, *uidvalidity, *uid)?;
                        if resumed {
                            out.resumed += 1;
                        } else {
                            out.taken += 1;
                        }
                    }
                    // The station's own trouble: the message stays `received`.
                    Some((_, code, message)) if TRANSIENT_CAPTURE.contains(&code.as_str()) => {
                        station_trouble = Some(message.clone());
                    }
                    Some((_, _, reason)) => {
                        tables::pages::remove_unfinished(c, batch, name, sha256)?;
                        mail::refused(c, account, *uidvalidity, *uid, reason)?;
                        out.refused.push(Refusal {
                            uid: *uid,
                            reason: reason.clone(),
                        });
                    }
                }
            }
            Ok(())
        })?;
        match station_trouble {
            Some(reason) => Err(MailError::Intake { reason }),
            None => Ok(()),
        }
    }

    /// Stores one new message and records it in one transaction (or records it as a
    /// duplicate: `None`); its pages are made with the others of its group.
    fn store_message(
        &mut self,
        uidvalidity: u32,
        uid: u32,
        bytes: Vec<u8>,
        out: &mut Pass,
    ) -> Result<Option<Stored>, MailError> {
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
            return Ok(None);
        }
        let batch = self.batch()?;
        row.batch_id = Some(batch.to_string());
        let raw = self.store.blobs().put(&bytes)?;
        self.store.with_tx(|c| {
            tables::blobs::insert(c, &raw)?;
            mail::record(c, &account, &row, eingang_store::now_ms())
        })?;
        Ok(Some(Stored {
            uidvalidity,
            uid,
            sha256,
            bytes,
        }))
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

/// Moves (or flags) the recorded messages not yet settled on the server — the taken ones
/// with one command, the refused ones with another — then marks them settled. A message
/// still `received` (its pages not made) stays.
async fn settle_pending(
    conn: &mut Connection,
    store: &Store,
    a: &Account,
    uidvalidity: u32,
    out: &mut Pass,
) -> Result<(), MailError> {
    let pending: Vec<mail::Message> = store
        .with_conn(|c| mail::unsettled(c, &a.name, uidvalidity))?
        .into_iter()
        .filter(|m| m.state != "received")
        .collect();
    for refused in [false, true] {
        let uids: Vec<u32> = pending
            .iter()
            .filter(|m| (m.state == "refused") == refused)
            .map(|m| m.uid)
            .collect();
        let to = match (a.flag_only, refused) {
            (true, false) => Settle::Flag(TAKEN_FLAGS),
            (true, true) => Settle::Flag(REFUSED_FLAGS),
            (false, false) => Settle::Move(&a.processed),
            (false, true) => Settle::Move(&a.failed),
        };
        for set in uids.chunks(MOVE_CHUNK) {
            conn.settle(set, to).await?;
            store.with_tx(|c| {
                set.iter()
                    .try_for_each(|uid| mail::settled(c, &a.name, uidvalidity, *uid))
            })?;
            out.settled += set.len();
        }
    }
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
    // stored), a group at a time and moved after each, then what is still to move.
    let unfinished = store.with_conn(|c| mail::unfinished(c, &a.name))?;
    for group in Groups::new(&unfinished) {
        let mut by_batch: Vec<(BatchId, Vec<Stored>)> = Vec::new();
        for m in group {
            let batch: BatchId = m
                .batch_id
                .as_deref()
                .and_then(|b| b.parse().ok())
                .map_or_else(|| ctx.batch(), Ok)?;
            let stored = Stored {
                bytes: store.blobs().get(&m.sha256)?,
                uidvalidity: m.uidvalidity,
                uid: m.uid,
                sha256: m.sha256.clone(),
            };
            match by_batch.iter_mut().find(|(b, _)| *b == batch) {
                Some((_, list)) => list.push(stored),
                None => by_batch.push((batch, vec![stored])),
            }
        }
        let mut made = Ok(());
        for (batch, stored) in by_batch {
            made = made.and(ctx.make_pages(&batch, stored, &mut out, true));
        }
        settle_pending(conn, store, a, uidvalidity, &mut out).await?;
        made?;
    }
    settle_pending(conn, store, a, uidvalidity, &mut out).await?;
    let first = store.with_conn(|c| mail::last_uid(c, &a.name, uidvalidity))? + 1;
    let uids = conn.uids_from(first).await?;
    let todo = limit.map_or(uids.len(), |l| l.min(uids.len()));
    out.remaining = uids.len() - todo;
    for group in Groups::new(&uids[..todo]) {
        let sizes = conn.sizes(group).await?;
        let mut stored = Vec::new();
        for &uid in group {
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
                continue;
            }
            // Gone since the search (another client moved it): nothing to take.
            let Some(bytes) = conn.message(uid).await? else {
                continue;
            };
            stored.extend(ctx.store_message(uidvalidity, uid, bytes, &mut out)?);
        }
        let made = if stored.is_empty() {
            Ok(())
        } else {
            let batch = ctx.batch()?;
            ctx.make_pages(&batch, stored, &mut out, false)
        };
        settle_pending(conn, store, a, uidvalidity, &mut out).await?;
        made?;
    }
    out.batch = ctx.batch;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_grow_from_one_to_the_full_size() {
        let items: Vec<u32> = (0..40).collect();
        let sizes: Vec<usize> = super::Groups::new(&items).map(<[u32]>::len).collect();
        assert_eq!(sizes, [1, 2, 4, 8, 16, 9]);
        let back: Vec<u32> = super::Groups::new(&items).flatten().copied().collect();
        assert_eq!(back, items, "every item once, in order");
        assert_eq!(super::Groups::new(&[] as &[u32]).count(), 0);
    }
}
