//! The worker: per target, plan (pure) then apply with bounded concurrency.
//!
//! A round: skip a paused target; plan the due rows; probe the target (offline is normal:
//! nothing is counted against the items); deliver the due items, each marked `in_flight`
//! first, its outcome written in one transaction with the target's status. A process killed
//! at any instant leaves rows `pending`, `in_flight` or `failed`, all of which the next
//! round delivers again; the connector's idempotency makes that safe.

use crate::connector::Connector;
use crate::error::{Failure, Kind};
use crate::plan::{self, Backoff, Op};
use eingang_store::tables::{outbox, sync_status};
use eingang_store::{now_ms, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

/// A configured target with its connector.
#[derive(Clone)]
pub struct Target {
    pub id: String,
    pub name: String,
    /// `folder`, `webdav`, `nextcloud`, …
    pub kind: String,
    pub connector: Arc<dyn Connector>,
    /// Where this target publishes form definitions, if it does.
    pub catalogue: Option<crate::catalogue::Catalogue>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("connector", &self.connector.location())
            .field("catalogue", &self.catalogue.as_ref().map(|c| &c.folder))
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Items delivered at the same time per target.
    pub concurrency: usize,
    pub backoff: Backoff,
    /// A server's `Retry-After` is honoured up to this long.
    pub retry_after_cap_ms: i64,
    /// How often an idle worker looks again (and probes offline targets).
    pub interval: Duration,
    /// How often a target's form catalogue is pulled.
    pub catalogue_interval: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: 4,
            backoff: Backoff::default(),
            retry_after_cap_ms: 3_600_000,
            interval: Duration::from_secs(15),
            catalogue_interval: Duration::from_secs(600),
        }
    }
}

/// An idle target is probed this often, so its state in the status bar stays true.
const PROBE_WHEN_IDLE_MS: i64 = 60_000;

/// What one round did for one target.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub delivered: usize,
    pub failed: usize,
    pub waiting: usize,
    pub paused: bool,
    pub offline: bool,
}

async fn db<T, F>(store: &Arc<Store>, f: F) -> eingang_store::Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> eingang_store::Result<T> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .unwrap_or_else(|e| {
            Err(eingang_store::Error::Internal {
                detail: format!("store task failed: {e}"),
            })
        })
}

/// Checks the target and records whether it is online (or pauses it on refused
/// credentials). Returns the failure when it is not usable now.
pub async fn probe(store: &Arc<Store>, target: &Target) -> eingang_store::Result<Option<Failure>> {
    let result = target.connector.probe().await;
    let id = target.id.clone();
    let now = now_ms();
    let failure = result.err();
    let f = failure.clone();
    db(store, move |s| {
        s.with_tx(|tx| {
            sync_status::record_probe(tx, &id, f.is_none(), now)?;
            match &f {
                Some(f) if f.kind == Kind::Auth => sync_status::pause(tx, &id, f.code, &f.detail),
                // Offline is normal; but why (a login page, a certificate) is worth showing.
                Some(f) if f.code != "sync.offline" => {
                    sync_status::record_attempt(tx, &id, now, Some((f.code, &f.detail)))
                }
                _ => Ok(()),
            }
        })
    })
    .await?;
    if let Some(f) = &failure {
        tracing::info!(target = %target.id, code = f.code, "target not usable now");
    }
    Ok(failure)
}

enum Outcome {
    Delivered,
    Failed,
}

/// One due row, as the plan gave it.
struct Job {
    outbox_id: i64,
    item_kind: String,
    item_id: String,
    attempts: i64,
    retry: bool,
}

async fn deliver_one(
    store: Arc<Store>,
    target: Target,
    settings: Settings,
    job: Job,
) -> eingang_store::Result<Outcome> {
    let Job {
        outbox_id,
        item_kind,
        item_id,
        attempts,
        retry,
    } = job;
    let started = now_ms();
    let iid = item_id.clone();
    let package = db(&store, move |s| {
        s.with_conn(|c| {
            outbox::start(c, outbox_id, started)?;
            Ok(
                match crate::package::build(c, s.blobs(), &item_kind, &iid) {
                    Ok(Some(p)) => Ok(p),
                    Ok(None) => Err(Failure::permanent(
                        "sync.local_missing",
                        format!("items of kind {item_kind} cannot be delivered by this version"),
                    )),
                    Err(e) => Err(Failure::permanent(
                        "sync.local_missing",
                        format!("[{}] {e}", e.code()),
                    )),
                },
            )
        })
    })
    .await?;
    let result = match package {
        Ok(p) => target.connector.deliver(&p, retry).await,
        Err(f) => Err(f),
    };
    let now = now_ms();
    let tid = target.id.clone();
    match result {
        Ok(receipt) => {
            db(&store, move |s| {
                s.with_tx(|tx| {
                    outbox::mark_delivered(tx, outbox_id, &receipt.location, &receipt.sha256, now)?;
                    sync_status::record_attempt(tx, &tid, now, None)
                })
            })
            .await?;
            tracing::info!(item = %item_id, target = %target.id, "delivered");
            Ok(Outcome::Delivered)
        }
        Err(f) => {
            let next = match f.kind {
                Kind::Permanent => None,
                Kind::Auth => Some(now),
                Kind::Transient | Kind::Offline => {
                    let backoff = plan::backoff_ms(attempts + 1, now ^ outbox_id, settings.backoff);
                    let asked = f.retry_after.map_or(0, |d| {
                        i64::try_from(d.as_millis())
                            .unwrap_or(i64::MAX)
                            .min(settings.retry_after_cap_ms)
                    });
                    Some(now + backoff.max(asked))
                }
            };
            tracing::warn!(
                item = %item_id, target = %target.id, code = f.code,
                attempts = attempts + 1, permanent = f.is_permanent(), "delivery failed"
            );
            db(&store, move |s| {
                s.with_tx(|tx| {
                    outbox::mark_failed(tx, outbox_id, f.code, &f.detail, next)?;
                    sync_status::record_attempt(tx, &tid, now, Some((f.code, &f.detail)))?;
                    if f.kind == Kind::Auth {
                        sync_status::pause(tx, &tid, f.code, &f.detail)?;
                    }
                    Ok(())
                })
            })
            .await?;
            Ok(Outcome::Failed)
        }
    }
}

/// One round for one target.
pub async fn run_round(
    store: &Arc<Store>,
    target: &Target,
    settings: Settings,
) -> eingang_store::Result<Report> {
    let id = target.id.clone();
    let (status, rows) = db(store, move |s| {
        s.with_conn(|c| Ok((sync_status::get(c, &id)?, outbox::for_target(c, &id)?)))
    })
    .await?;
    let mut report = Report::default();
    if status.paused.is_some() {
        report.paused = true;
        return Ok(report);
    }
    let mut due = Vec::new();
    for op in plan::plan(&rows, now_ms()) {
        match op {
            Op::Wait { .. } => report.waiting += 1,
            deliver @ Op::Deliver { .. } => due.push(deliver),
        }
    }
    if due.is_empty() {
        // Nothing to send; still keep "online" true to what the target says now.
        let stale = status
            .last_probe_at
            .is_none_or(|at| now_ms() - at >= PROBE_WHEN_IDLE_MS);
        if stale {
            if let Some(f) = probe(store, target).await? {
                report.paused = f.kind == Kind::Auth;
                report.offline = !report.paused;
            }
        }
        return Ok(report);
    }
    if let Some(f) = probe(store, target).await? {
        report.paused = f.kind == Kind::Auth;
        report.offline = !report.paused;
        report.waiting += due.len();
        return Ok(report);
    }
    let limit = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for op in due {
        let Op::Deliver {
            outbox_id,
            item_kind,
            item_id,
            attempts,
            retry,
        } = op
        else {
            continue;
        };
        let permit = limit.clone().acquire_owned().await;
        let (store, target) = (store.clone(), target.clone());
        tasks.spawn(async move {
            let _permit = permit;
            let job = Job {
                outbox_id,
                item_kind,
                item_id,
                attempts,
                retry,
            };
            deliver_one(store, target, settings, job).await
        });
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(Outcome::Delivered)) => report.delivered += 1,
            Ok(Ok(Outcome::Failed)) => report.failed += 1,
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(eingang_store::Error::Internal {
                    detail: format!("delivery task failed: {e}"),
                });
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

async fn pull_catalogue(store: &Arc<Store>, t: &Target, c: &crate::catalogue::Catalogue) {
    match crate::catalogue::pull(store, c).await {
        Ok(outcomes) => {
            for o in outcomes.iter().filter(|o| o.result != "unchanged") {
                tracing::info!(
                    target = %t.id, file = %o.file, result = %o.result,
                    form = o.form_id.as_deref().unwrap_or("-"), "form catalogue"
                );
            }
        }
        Err(f) => tracing::info!(target = %t.id, code = f.code, "form catalogue not reachable"),
    }
}

/// When the next row of `target` is due (ms), if any row waits on a backoff.
async fn next_due(store: &Arc<Store>, targets: &[Target]) -> Option<i64> {
    let ids: Vec<String> = targets.iter().map(|t| t.id.clone()).collect();
    db(store, move |s| {
        s.with_conn(|c| {
            let mut next: Option<i64> = None;
            for id in &ids {
                for r in outbox::for_target(c, id)? {
                    if let (Some(t), "failed") = (r.next_attempt_at, r.state.as_str()) {
                        next = Some(next.map_or(t, |n| n.min(t)));
                    }
                }
            }
            Ok(next)
        })
    })
    .await
    .ok()
    .flatten()
}

/// Asks [`run_forever`] to stop: deliveries in flight finish (their round ends), no new
/// round starts. What did not finish stays `in_flight` and is resumed at the next start.
#[derive(Debug, Default)]
pub struct Shutdown {
    requested: std::sync::atomic::AtomicBool,
    notify: Notify,
}

impl Shutdown {
    pub fn request(&self) {
        self.requested
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.notify.notify_waiters();
        // And a permit for a loop between its check and its wait.
        self.notify.notify_one();
    }

    pub fn is_requested(&self) -> bool {
        self.requested.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The flag itself, for blocking work that takes a cancel flag.
    pub fn flag(&self) -> &std::sync::atomic::AtomicBool {
        &self.requested
    }

    /// Waits `d` on a blocking thread, or less when shutdown is requested; `true` then.
    pub fn sleep_blocking(&self, d: std::time::Duration) -> bool {
        let until = std::time::Instant::now() + d;
        while !self.is_requested() {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return false;
            }
            std::thread::sleep(left.min(std::time::Duration::from_millis(100)));
        }
        true
    }
}

/// Delivers until `shutdown` is requested: a round per target, then sleep until the next
/// row is due, `settings.interval` passes, or `wake` is notified ("sync now", a new item).
/// `on_round` is told after every round (the app refreshes its status bar).
/// `targets` is asked each time (the app rebuilds a target when its password changes).
pub async fn run_forever(
    store: Arc<Store>,
    targets: impl Fn() -> Vec<Target> + Send + Sync,
    settings: Settings,
    wake: Arc<Notify>,
    shutdown: Arc<Shutdown>,
    on_round: impl Fn(&Target, &Report) + Send + Sync,
) {
    let mut pulled: std::collections::HashMap<String, std::time::Instant> =
        std::collections::HashMap::new();
    loop {
        let targets = targets();
        for t in &targets {
            if shutdown.is_requested() {
                return;
            }
            match run_round(&store, t, settings).await {
                Ok(r) => on_round(t, &r),
                Err(e) => tracing::warn!(target = %t.id, code = e.code(), "sync round failed"),
            }
            if let Some(c) = &t.catalogue {
                let due = pulled
                    .get(&t.id)
                    .is_none_or(|at| at.elapsed() >= settings.catalogue_interval);
                if due {
                    pull_catalogue(&store, t, c).await;
                    pulled.insert(t.id.clone(), std::time::Instant::now());
                }
            }
        }
        let mut sleep = settings.interval;
        if let Some(due) = next_due(&store, &targets).await {
            let ms = u64::try_from((due - now_ms()).max(0)).unwrap_or(0);
            sleep = sleep.min(Duration::from_millis(ms));
        }
        if shutdown.is_requested() {
            return;
        }
        tokio::select! {
            () = wake.notified() => {}
            () = shutdown.notify.notified() => {}
            () = tokio::time::sleep(sleep) => {}
        }
    }
}
