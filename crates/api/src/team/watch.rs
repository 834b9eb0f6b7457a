//! The team loop (the app's team worker, `eingang team upload --watch`): sends what waits
//! for the team store whenever the server can be reached, keeps the work this desk holds
//! (renewing its claims), takes released documents to deliver (the deliver role) and
//! finishes them once delivered, and listens for the changes other desks make (LISTEN/NOTIFY) so
//! the Scanstelle shows them without reloading.

use crate::error::Result;
use crate::loops::Shutdown;
use crate::team::{
    connect, deliver_due, finished_waiting, renew_held, upload_due, DeliverReport, UploadReport,
};
use eingang_config::Config;
use eingang_store::Store;
use eingang_team::Team;
use std::time::{Duration, Instant};

/// How often what waits is tried again while the server is away.
const UPLOAD_EVERY: Duration = Duration::from_secs(10);
/// How long one wait for a change lasts (shutdown is looked at in between).
const LISTEN_SLICE: Duration = Duration::from_millis(500);

/// What the team loop tells its caller.
#[allow(missing_debug_implementations)]
pub struct TeamEvents<'a> {
    /// The batch another desk changed (empty: reload everything).
    pub on_change: &'a dyn Fn(&str),
    /// Each upload round's report or error (capture).
    pub on_upload: &'a dyn Fn(Result<UploadReport>),
    /// Each delivery round that did something, or its error (deliver): documents taken
    /// wait in the outbox — the sync loop should look now.
    pub on_deliver: &'a dyn Fn(Result<DeliverReport>),
}

/// Runs until `shutdown`: uploads (capture stations), takes documents to deliver (deliver
/// stations, queued for `targets()`), and listens. `config` is read each round (a changed
/// machine file takes effect).
pub fn team_forever(
    store: &Store,
    config: &dyn Fn() -> Option<Config>,
    targets: &dyn Fn() -> Vec<String>,
    shutdown: &Shutdown,
    events: &TeamEvents<'_>,
) {
    let (on_change, on_upload) = (events.on_change, events.on_upload);
    let mut listener: Option<Team> = None;
    let mut last_upload: Option<Instant> = None;
    let mut last_renew: Option<Instant> = None;
    let mut last_look: Option<Instant> = None;
    let mut heard = false;
    while !shutdown.is_requested() {
        let Some(cfg) = config().filter(|c| c.team.configured()) else {
            listener = None;
            shutdown.sleep_blocking(UPLOAD_EVERY);
            continue;
        };
        if cfg.team.has_role("capture") && last_upload.is_none_or(|t| t.elapsed() >= UPLOAD_EVERY) {
            last_upload = Some(Instant::now());
            on_upload(upload_due(store, &cfg));
        }
        // The work this desk holds stays its own while it works on it.
        let renew_every = cfg.team.claim_ttl() / 3;
        if last_renew.is_none_or(|t| t.elapsed() >= renew_every) {
            last_renew = Some(Instant::now());
            if renew_held(store, &cfg).is_ok_and(|lost| lost > 0) {
                on_change("");
            }
        }
        if cfg.team.has_role("deliver") {
            // New work when a desk changed something (a release) or every so often;
            // finished work as soon as the outbox has its receipt.
            let look = heard || last_look.is_none_or(|t| t.elapsed() >= UPLOAD_EVERY);
            if look || finished_waiting(store).unwrap_or(false) {
                if look {
                    last_look = Some(Instant::now());
                    heard = false;
                }
                let round = deliver_due(store, &cfg, &targets(), look);
                if round.as_ref().map_or(true, |r| r.taken + r.finished > 0) {
                    (events.on_deliver)(round);
                }
            }
        }
        if listener.is_none() {
            listener = connect(store, &cfg.team)
                .and_then(|mut t| {
                    t.listen()?;
                    Ok(t)
                })
                .ok();
            if listener.is_none() {
                shutdown.sleep_blocking(UPLOAD_EVERY);
                continue;
            }
        }
        if let Some(team) = listener.as_mut() {
            match team.next_change(LISTEN_SLICE) {
                Ok(Some(batch)) => {
                    heard = true;
                    on_change(&batch);
                }
                Ok(None) => {}
                // The connection broke: a new one next round; the desks reload what changed.
                Err(_) => {
                    listener = None;
                    on_change("");
                }
            }
        }
    }
}
