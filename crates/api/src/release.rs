//! Releasing a checked batch (TR-RESISCAN A.NB.4, A.IS.1): its documents as sealed PDF/A
//! into the outbox — or, when a service the release needs is out of reach (the timestamp
//! service), a *pending* release: the batch is frozen as it was, the request kept, and the
//! release tried again automatically ([`retry_due`], the app every half minute) until it
//! succeeds or the clerk withdraws it ([`withdraw`]). Nothing is ever released unsealed
//! where the evidence rules ask for a seal.

use crate::error::{Error, Result};
use eingang_capture::{release, BatchError};
use eingang_model::BatchId;
use eingang_store::tables::batches;
use eingang_store::tables::documents::DocumentRow;
use eingang_store::Store;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest document title (characters).
const MAX_TITLE: usize = 200;
/// Tries of a pending release: after a minute, then doubling, at most every 15 minutes.
const FIRST_RETRY: Duration = Duration::from_secs(60);
const LONGEST_RETRY: Duration = Duration::from_secs(15 * 60);

/// What a release says beyond the batch: the documents' title and index values, where
/// they go, and which workstation made them.
#[derive(Debug, Clone, Default)]
pub struct ReleaseRequest {
    pub title: String,
    pub index: Vec<(String, String)>,
    pub targets: Vec<String>,
    pub station: Option<String>,
    /// `[seal]` and `[timestamp]` of the machine's configuration.
    pub seal: eingang_config::SealSection,
    pub timestamp: eingang_config::TimestampSection,
    /// People sign in against the directory (`[directory]` configured).
    pub authenticated: bool,
    /// Documents released straight through (by their first page): how they were indexed.
    pub automatic: Vec<(
        eingang_model::PageId,
        eingang_capture::transfer::AutoIndexed,
    )>,
}

/// What a pending release keeps of its request; the seal, timestamp and sign-in settings
/// are the configuration's at every try.
#[derive(Debug, Serialize, Deserialize)]
struct Asked {
    title: String,
    index: Vec<(String, String)>,
    targets: Vec<String>,
    station: Option<String>,
    #[serde(default)]
    automatic: Vec<(
        eingang_model::PageId,
        eingang_capture::transfer::AutoIndexed,
    )>,
}

/// What a release did.
#[derive(Debug)]
pub enum Released {
    /// The documents, made and queued.
    Done(Vec<DocumentRow>),
    /// A service was out of reach: the batch waits, frozen, and is tried again.
    Waiting(eingang_model::ReleaseWaiting),
}

/// Releases the checked batch: its documents (cut at the marked pages) as PDF/A with the
/// OCR text layer, the index fields and the Transfervermerk, sealed as the protection need
/// asks, queued for delivery. An unreachable timestamp service makes it
/// [`Released::Waiting`]; every other problem is an error and nothing is released.
pub fn release(store: &Store, batch: &BatchId, request: &ReleaseRequest) -> Result<Released> {
    check_request(request)?;
    match release_now(store, batch, request) {
        Ok(documents) => Ok(Released::Done(documents)),
        Err(Error::Batch(BatchError::Seal(e))) if e.transient() => {
            let asked = Asked {
                title: request.title.trim().to_owned(),
                index: request.index.clone(),
                targets: request.targets.clone(),
                station: request.station.clone(),
                automatic: request.automatic.clone(),
            };
            let json = serde_json::to_string(&asked).map_err(|e| Error::Internal(e.to_string()))?;
            tracing::warn!(
                code = e.code,
                "release waits for a service; tried again automatically"
            );
            Ok(Released::Waiting(wait(store, batch, &json, e.code)?))
        }
        Err(e) => Err(e),
    }
}

/// [`release`], then the batch as the scan station shows it (a waiting release in it).
pub fn release_viewed(
    store: &Store,
    batch: &BatchId,
    request: &ReleaseRequest,
) -> Result<eingang_model::BatchView> {
    release(store, batch, request)?;
    crate::batches::view(store, batch)
}

fn check_request(request: &ReleaseRequest) -> Result<()> {
    let title = request.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(Error::input(
            "input.doc_title",
            "a document needs a title of at most 200 characters",
        )
        .at("title"));
    }
    if request.index.len() > 50
        || request
            .index
            .iter()
            .any(|(k, v)| k.is_empty() || k.len() > 64 || v.len() > 1000)
    {
        return Err(Error::input(
            "input.index",
            "index fields: at most 50, names up to 64 characters, values up to 1,000",
        ));
    }
    Ok(())
}

fn release_now(
    store: &Store,
    batch: &BatchId,
    request: &ReleaseRequest,
) -> Result<Vec<DocumentRow>> {
    let targets: Vec<&str> = request.targets.iter().map(String::as_str).collect();
    // A team's release: the documents go out from the team's deliver station.
    let queued: &[&str] = if crate::team::released_for_team(store, batch)? {
        &[]
    } else {
        &targets
    };
    let sealer = crate::evidence::sealer(store, &request.seal, &request.timestamp)?;
    let release = release_of(request, request.title.trim(), queued, sealer.as_ref());
    let documents = release::release(store, batch, &release)?;
    // Every release anchors the audit log in the DMS (a failure here leaves the release
    // standing; the daily anchor catches up).
    if let Err(e) =
        crate::evidence::checkpoint(store, sealer.as_ref(), &targets, request.station.as_deref())
    {
        tracing::warn!(
            code = e.code(),
            "the audit checkpoint after a release failed"
        );
    }
    // Automatic indexing learns from what people released (a failure leaves the release
    // standing; its documents are then not learned, and the log says so) — not from what
    // it released straight through itself, which would only confirm its own mistakes.
    let learned = if request.automatic.is_empty() {
        crate::auto::learn_released(store, batch).map(|_| ())
    } else {
        Ok(())
    };
    if let Err(e) = learned {
        tracing::warn!(
            code = e.code(),
            "learning from the released documents failed"
        );
    }
    Ok(documents)
}

/// What the capture crate's release needs, from the request.
fn release_of<'a>(
    request: &'a ReleaseRequest,
    title: &'a str,
    targets: &'a [&'a str],
    sealer: &'a dyn eingang_capture::transfer::Sealer,
) -> release::Release<'a> {
    release::Release {
        title,
        index: &request.index,
        targets,
        sealer,
        station: request.station.as_deref(),
        justification: request.seal.justification.as_deref(),
        authenticated: request.authenticated,
        automatic: &request.automatic,
    }
}

/// Records (or counts) a try that could not finish; the next one after a backoff.
fn wait(
    store: &Store,
    batch: &BatchId,
    json: &str,
    code: &str,
) -> Result<eingang_model::ReleaseWaiting> {
    store
        .with_tx(|c| {
            let tries = batches::pending(c, batch)?.map_or(0, |p| p.attempts);
            let delay = FIRST_RETRY
                .saturating_mul(1 << tries.min(10))
                .min(LONGEST_RETRY);
            let next =
                eingang_store::now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
            batches::set_pending(c, batch, json, code, next)?;
            Ok(batches::batch(c, batch)?.release_pending)
        })?
        .map(crate::batches::waiting)
        .ok_or_else(|| Error::Internal("the pending release was not recorded".into()))
}

/// Tries the pending releases that are due (all of them with `all`), with the seal,
/// timestamp and sign-in settings of `cfg`. A try that fails for another reason than an
/// unreachable service stays pending too (the batch shows why); the clerk decides.
pub fn retry_due(
    store: &Store,
    cfg: &eingang_config::Config,
    all: bool,
) -> Result<Vec<(BatchId, Result<Released>)>> {
    let now = if all {
        i64::MAX
    } else {
        eingang_store::now_ms()
    };
    let due = store.with_conn(|c| batches::pending_due(c, now))?;
    Ok(due
        .into_iter()
        .map(|p| {
            let outcome = retry_one(store, cfg, &p);
            (p.batch_id, outcome)
        })
        .collect())
}

fn retry_one(
    store: &Store,
    cfg: &eingang_config::Config,
    p: &batches::PendingRelease,
) -> Result<Released> {
    let tried = serde_json::from_str::<Asked>(&p.request_json)
        .map_err(|e| Error::Internal(format!("a pending release cannot be read: {e}")))
        .and_then(|asked| {
            let request = ReleaseRequest {
                title: asked.title,
                index: asked.index,
                targets: asked.targets,
                station: asked.station,
                seal: cfg.seal.clone(),
                timestamp: cfg.timestamp.clone(),
                authenticated: cfg.directory.configured(),
                automatic: asked.automatic,
            };
            release(store, &p.batch_id, &request)
        });
    // Whatever failed, the next try waits its backoff (the batch shows why).
    match tried {
        Err(e) => {
            wait(store, &p.batch_id, &p.request_json, e.code())?;
            Err(e)
        }
        done => done,
    }
}

/// The clerk withdraws a pending release: the batch can be changed and released again.
pub fn withdraw(store: &Store, batch: &BatchId) -> Result<()> {
    if store.with_tx(|c| batches::withdraw_pending(c, batch))? {
        Ok(())
    } else {
        Err(Error::input(
            "input.not_pending",
            "this batch has no pending release to withdraw",
        ))
    }
}

/// The summary the clerk confirms before a release: the documents with their index values
/// and gaps, the check, the protection they would carry, whether the originals may go once
/// delivered, where they go (`target_names`), and why the release would be refused now.
pub fn preview(
    store: &Store,
    batch: &BatchId,
    request: &ReleaseRequest,
    target_names: Vec<String>,
) -> Result<eingang_model::ReleasePreview> {
    // A team's release: the documents go out from the team's deliver station.
    let targets: Vec<&str> = if crate::team::released_for_team(store, batch)? {
        Vec::new()
    } else {
        request.targets.iter().map(String::as_str).collect()
    };
    let sealer = crate::evidence::sealer(store, &request.seal, &request.timestamp)?;
    let title = request.title.trim();
    let title = if title.is_empty() { "…" } else { title };
    let mut p = release::preview(
        store,
        batch,
        &release_of(request, title, &targets, sealer.as_ref()),
    )?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let eligible = p.eligible() && !targets.is_empty();
    let refused = p.blocked.take().map(Error::Batch);
    let blocked = check_request(request)
        .err()
        .or(refused)
        .map(|e| (e.code().to_owned(), e.to_string()));
    Ok(eingang_model::ReleasePreview {
        documents: p
            .documents
            .iter()
            .map(|d| eingang_model::ReleaseDocPreview {
                title: d.title.clone(),
                pages: count(d.pages),
                index: d.index.clone(),
                issues: d
                    .issues
                    .iter()
                    .cloned()
                    .map(crate::station::issue)
                    .collect(),
            })
            .collect(),
        pages: count(p.pages),
        qc_open: count(p.qc_open),
        qc_failed: count(p.qc_failed),
        qc_passed: p.qc_passed,
        protection_need: serde_json::to_value(p.need)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        protection: p.protection.as_str().to_owned(),
        justification: p.justification.is_some(),
        originals_after_delivery: eligible,
        targets: target_names,
        blocked,
    })
}
