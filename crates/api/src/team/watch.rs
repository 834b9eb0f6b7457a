//! The team loop (the app's team worker, `eingang team upload --watch`): sends what waits
//! for the team store whenever the server can be reached, keeps the work this desk holds
//! (renewing its claims), and listens for the changes other desks make (LISTEN/NOTIFY) so
//! the Scanstelle shows them without reloading.

use crate::error::Result;
use crate::loops::Shutdown;
use crate::team::{connect, renew_held, upload_due, UploadReport};
use eingang_config::Config;
use eingang_store::Store;
use eingang_team::Team;
use std::time::{Duration, Instant};

/// How often what waits is tried again while the server is away.
const UPLOAD_EVERY: Duration = Duration::from_secs(10);
/// How long one wait for a change lasts (shutdown is looked at in between).
const LISTEN_SLICE: Duration = Duration::from_millis(500);

/// Runs until `shutdown`: uploads (capture stations) and listens. `config` is read each
/// round (a changed machine file takes effect); `on_change` gets the batch another desk
/// changed; `on_upload` each upload round's report or error.
pub fn team_forever(
    store: &Store,
    config: &dyn Fn() -> Option<Config>,
    shutdown: &Shutdown,
    on_change: &dyn Fn(&str),
    on_upload: &dyn Fn(Result<UploadReport>),
) {
    let mut listener: Option<Team> = None;
    let mut last_upload: Option<Instant> = None;
    let mut last_renew: Option<Instant> = None;
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
                Ok(Some(batch)) => on_change(&batch),
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
