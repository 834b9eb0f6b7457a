//! Delivery targets as the settings and the sync view show them: their state, the user's
//! own targets (added, changed, removed — checked as a whole before the file is written),
//! passwords, and the outbox with "retry".

use crate::error::{Error, Result};
use eingang_config as config;
use eingang_model::{page_size, OutboxItem, Paged, TargetSetting, TargetStatus};
use eingang_store::tables::cursor::Cursor;
use eingang_store::tables::{outbox, sync_status};
use eingang_store::Store;
use eingang_sync::Target;

/// The targets with their state, for the status bar and the sync view.
pub fn statuses(store: &Store, targets: &[Target]) -> Result<Vec<TargetStatus>> {
    Ok(store.with_conn(|c| {
        targets
            .iter()
            .map(|t| {
                let st = sync_status::get(c, &t.id)?;
                let (waiting, failed, paused) = outbox::counts(c, &t.id)?;
                Ok(TargetStatus {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    kind: t.kind.clone(),
                    location: t.connector.location(),
                    online: st.online,
                    last_probe_at: st.last_probe_at,
                    last_success_at: st.last_success_at,
                    last_error: st.last_error,
                    paused: st.paused,
                    waiting: waiting + paused,
                    failed,
                })
            })
            .collect()
    })?)
}

/// The newest outbox rows (`delivered` ones at most `delivered_shown`) and what waits.
pub fn outbox_items(
    store: &Store,
    after: Option<&str>,
    limit: Option<u32>,
) -> Result<Paged<OutboxItem>> {
    let after = Cursor::parse(after)?;
    let (items, next) = store.with_conn(|c| outbox::items(c, after.as_ref(), page_size(limit)))?;
    Ok(Paged { items, next })
}

/// "Retry" on one item: due at once (a paused target stays paused until its password is
/// fixed).
pub fn retry(store: &Store, row: i64) -> Result<()> {
    if store.with_tx(|tx| outbox::retry(tx, row))? {
        Ok(())
    } else {
        Err(Error::input(
            "sync.not_retryable",
            format!("item {row} is not waiting for a retry"),
        ))
    }
}

/// The user's words why: required, one short paragraph.
fn reason_given(reason: &str, what: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Error::input(
            "input.reason",
            format!("say in at most 500 characters {what}"),
        )
        .at("reason"));
    }
    Ok(reason.to_owned())
}

/// Why an undelivered item could not be changed, in words.
fn not_changed(row: i64, e: outbox::NotChanged) -> Error {
    match e {
        outbox::NotChanged::Missing => Error::input(
            "sync.no_item",
            format!("there is no item {row} (eingang outbox list)"),
        ),
        outbox::NotChanged::InFlight => Error::refused(
            "sync.in_flight",
            format!("item {row} is being sent right now; try again when this attempt has ended"),
        ),
        outbox::NotChanged::Delivered => Error::input(
            "sync.already_delivered",
            format!("item {row} was delivered already (it has its receipt)"),
        ),
        outbox::NotChanged::Duplicate => Error::input(
            "sync.already_queued",
            format!("item {row} is already queued for that target"),
        )
        .at("target"),
    }
}

/// The user holds an undelivered item back (`reason`, their words): it is never sent by
/// itself again, stays listed with the reason, and "retry" resumes it.
pub fn cancel(store: &Store, row: i64, reason: &str) -> Result<()> {
    let reason = reason_given(reason, "why the item is held back")?;
    store
        .with_tx(|tx| outbox::cancel(tx, row, &reason))?
        .map_err(|e| not_changed(row, e))
}

/// The user sends an undelivered item to `target` instead (one of the configured targets).
pub fn retarget(store: &Store, cfg: &config::Config, row: i64, target: &str) -> Result<()> {
    if !cfg.targets.iter().any(|t| t.id == target) {
        return Err(Error::input(
            "sync.unknown_target",
            format!("there is no target {target:?} (eingang config check lists them)"),
        )
        .at("target"));
    }
    store
        .with_tx(|tx| outbox::retarget(tx, row, target))?
        .map_err(|e| not_changed(row, e))
}

/// The DMS does not have what its receipt says it stored (`reason`, the user's words): the
/// item is delivered again on the next run, its files stay until then, and a document's
/// batch may no longer have its paper destroyed until every receipt is there again.
pub fn void_receipt(store: &Store, row: i64, reason: &str) -> Result<()> {
    let reason = reason_given(
        reason,
        "why the receipt is wrong (e.g. what the DMS answered)",
    )?;
    match store.with_tx(|tx| outbox::void_receipt(tx, row, &reason))? {
        Ok(()) => Ok(()),
        Err(outbox::NotVoided::NotDelivered) => Err(Error::input(
            "sync.not_delivered",
            format!("item {row} has no receipt (it is not delivered); see eingang outbox list"),
        )),
        Err(outbox::NotVoided::Purged) => Err(Error::refused(
            "sync.receipt_purged",
            format!("item {row}'s files were purged under the retention rules after its receipt; send it again from the backup"),
        )),
    }
}

/// A target as the worker would make it (templates read, URLs parsed; no password needed):
/// what the settings check before the user's file is written.
fn connects(
    t: &config::TargetConfig,
    sync: &config::SyncSection,
) -> Result<(), config::ConfigError> {
    eingang_sync::connect(t, sync, None).map(|_| ())
}

fn check_password(password: &str) -> Result<()> {
    if password.is_empty() || password.len() > 1024 {
        return Err(Error::input(
            "input.bad_password",
            "enter the password (at most 1024 characters)",
        )
        .at("password"));
    }
    Ok(())
}

/// Stores a target's password (OS key store, else the store); the caller reloads its
/// targets so the pause is lifted.
pub fn set_password(store: &Store, targets: &[Target], id: &str, password: &str) -> Result<()> {
    check_password(password)?;
    if !targets.iter().any(|t| t.id == id) {
        return Err(Error::input(
            "input.unknown_target",
            format!("no target {id:?} is configured"),
        ));
    }
    eingang_sync::secrets::set_password(store, id, password)?;
    tracing::info!(target = %id, "target credentials changed");
    Ok(())
}

/// The targets as the settings show them: the administrator's (read-only), the user's own
/// (editable), or the built-in local folder.
pub fn settings(store: &Store, cfg: &config::Config) -> Result<Vec<TargetSetting>> {
    let user_file = config::user_file(store.data_dir());
    config::effective_targets(cfg, store.data_dir())
        .into_iter()
        .map(|t| {
            Ok(TargetSetting {
                editable: cfg.origin.get(&t.id) == Some(&user_file),
                has_password: eingang_sync::secrets::password(store, &t.id)?.is_some(),
                id: t.id,
                name: t.name,
                kind: t.kind.as_str().to_owned(),
                url: t.url,
                path: t.path.map(|p| p.display().to_string()),
                user: t.user,
                folder: t.folder,
            })
        })
        .collect()
}

/// Adds or changes one of the user's targets (checked as a whole before the file is
/// written); a password, when given, goes to the key store. The first target configured
/// on a machine that delivered to the built-in local folder replaces it only when asked:
/// `keep_local` keeps the folder as a target of its own (removable later); without it,
/// the folder goes — refused while items still wait for it, so nothing is dropped.
pub fn save(
    store: &Store,
    cfg: &config::Config,
    target: TargetSetting,
    password: Option<&str>,
    keep_local: bool,
) -> Result<()> {
    let password = password.filter(|p| !p.is_empty());
    if let Some(pw) = password {
        check_password(pw)?;
    }
    let t = target_config(store, cfg, target)?;
    if cfg.targets.is_empty() && t.id != eingang_model::DEFAULT_TARGET {
        if keep_local {
            let local = config::effective_targets(cfg, store.data_dir()).remove(0);
            config::save_user_target(store.data_dir(), &local, &connects)?;
            tracing::info!("the built-in local folder kept as a target of its own");
        } else {
            let (waiting, failed, paused) =
                store.with_conn(|c| outbox::counts(c, eingang_model::DEFAULT_TARGET))?;
            let left = waiting + failed + paused;
            if left > 0 {
                return Err(Error::input(
                    "input.local_in_use",
                    format!("{left} items still wait for the local folder: keep it as a target until they are delivered"),
                )
                .at("keep_local"));
            }
        }
    }
    config::save_user_target(store.data_dir(), &t, &connects)?;
    if let Some(pw) = password {
        eingang_sync::secrets::set_password(store, &t.id, pw)?;
    }
    tracing::info!(target = %t.id, "target saved in the user's configuration");
    Ok(())
}

/// "Verbindung testen" in the form, before anything is saved: the target as it would be
/// saved, with the password typed (or the one stored), asked the same authenticated
/// request the worker makes. `None`: it answered as it should. Nothing is recorded.
pub async fn try_unsaved(
    store: &std::sync::Arc<Store>,
    cfg: &config::Config,
    target: TargetSetting,
    password: Option<&str>,
) -> Result<Option<eingang_model::SyncIssue>> {
    let t = target_config(store, cfg, target)?;
    let password = match password.filter(|p| !p.is_empty()) {
        Some(pw) => Some(pw.to_owned()),
        None => eingang_sync::secrets::password(store, &t.id)?,
    };
    let target = eingang_sync::connect(&t, &cfg.sync, password)
        .map_err(|e| Error::input("config.invalid", e.to_string()))?;
    Ok(target
        .connector
        .probe()
        .await
        .err()
        .map(|f| eingang_model::SyncIssue {
            code: f.code.to_owned(),
            detail: f.detail,
        }))
}

/// What the settings form says, as a target of the user's file: checked field by field
/// (the field named in the error), what only the file can say kept when editing.
fn target_config(
    store: &Store,
    cfg: &config::Config,
    target: TargetSetting,
) -> Result<config::TargetConfig> {
    let user_file = config::user_file(store.data_dir());
    if cfg.origin.get(&target.id).is_some_and(|f| f != &user_file) {
        return Err(Error::input(
            "input.target_managed",
            "this target is set by the administrator's configuration and cannot be changed here",
        )
        .at("id"));
    }
    let kind: config::TargetKind =
        serde_json::from_value(serde_json::Value::String(target.kind.clone()))
            .map_err(|_| Error::input("input.bad_kind", "choose a kind of target").at("kind"))?;
    let needs_url = kind != config::TargetKind::Folder;
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if target.id.trim().is_empty() {
        return Err(Error::input("input.required", "enter an id").at("id"));
    }
    if needs_url && blank(&target.url) {
        return Err(Error::input("input.required", "enter the URL").at("url"));
    }
    if !needs_url && blank(&target.path) {
        return Err(Error::input("input.required", "enter the folder").at("path"));
    }
    // Keep what only the file can say (templates, CMIS/Mayan details) when editing.
    let mut t = cfg
        .targets
        .iter()
        .find(|t| t.id == target.id)
        .cloned()
        .unwrap_or_else(|| {
            let mut d =
                config::effective_targets(&config::Config::default(), store.data_dir()).remove(0);
            d.path = None;
            d
        });
    let trimmed = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    target.id.trim().clone_into(&mut t.id);
    t.name = trimmed(target.name);
    t.kind = kind;
    t.url = if needs_url { trimmed(target.url) } else { None };
    t.path = if needs_url {
        None
    } else {
        trimmed(target.path).map(Into::into)
    };
    t.user = if needs_url {
        trimmed(target.user)
    } else {
        None
    };
    target.folder.trim().clone_into(&mut t.folder);
    Ok(t)
}

/// Removes one of the user's targets; refused while items still wait for it.
pub fn delete(store: &Store, cfg: &config::Config, id: &str) -> Result<()> {
    let user_file = config::user_file(store.data_dir());
    if cfg.origin.get(id) != Some(&user_file) {
        return Err(Error::input(
            "input.target_managed",
            "only targets set in these settings can be removed here",
        ));
    }
    let (waiting, failed, paused) = store.with_conn(|c| outbox::counts(c, id))?;
    if waiting + failed + paused > 0 {
        return Err(Error::input(
            "input.target_in_use",
            format!(
                "{} items still wait for this target",
                waiting + failed + paused
            ),
        ));
    }
    config::remove_user_target(store.data_dir(), id, &connects)?;
    eingang_sync::secrets::forget_password(store, id)?;
    Ok(())
}

/// What the shell knows beyond the store for the status bar.
#[derive(Debug, Clone, Default)]
pub struct StatusExtras {
    pub config_error: Option<String>,
    pub config_warnings: Vec<String>,
    pub update: eingang_model::UpdateInfo,
}

/// The status bar: what waits in the outbox, the connection, every target's state.
pub fn status(
    store: &Store,
    targets: &[Target],
    extras: StatusExtras,
) -> Result<eingang_model::StatusSnapshot> {
    let targets = statuses(store, targets)?;
    let (disk_free_bytes, disk) = crate::disk::room(store);
    let disk_days_left = crate::disk::days_left(store, disk_free_bytes);
    Ok(store.with_conn(|c| {
        Ok(eingang_model::StatusSnapshot {
            outbox_pending: outbox::count_undelivered(c)?,
            sync: sync_status::overall(c)?,
            targets,
            config_error: extras.config_error,
            config_warnings: extras.config_warnings,
            update: extras.update,
            data_dir: store.data_dir().display().to_string(),
            schema_version: eingang_store::migrate::schema_version(c)?,
            disk: disk.to_owned(),
            disk_free_bytes,
            disk_days_left,
        })
    })?)
}

/// Checks target `id` now (the same authenticated request the worker makes); the answer is
/// also recorded in its status. `None`: it answered as it should.
pub async fn test(
    store: &std::sync::Arc<Store>,
    targets: &[Target],
    id: &str,
) -> Result<Option<eingang_model::SyncIssue>> {
    let Some(target) = targets.iter().find(|t| t.id == id) else {
        return Err(Error::input(
            "input.unknown_target",
            format!("no target {id:?} is configured"),
        ));
    };
    let failure = eingang_sync::worker::probe(store, target).await?;
    Ok(failure.map(|f| eingang_model::SyncIssue {
        code: f.code.to_owned(),
        detail: f.detail,
    }))
}

/// One delivery round for every target, one after the other (`eingang sync`); each
/// target's report, or the store error that stopped its round.
pub async fn deliver_round(
    store: &std::sync::Arc<Store>,
    targets: &[Target],
    settings: eingang_sync::Settings,
) -> Vec<Result<eingang_sync::Report>> {
    let mut out = Vec::with_capacity(targets.len());
    for t in targets {
        out.push(
            eingang_sync::run_round(store, t, settings)
                .await
                .map_err(Error::from),
        );
    }
    out
}

/// Asks every target whether it answers; the answers land in their status.
pub async fn probe_all(store: &std::sync::Arc<Store>, targets: &[Target]) {
    for t in targets {
        // A failed probe is recorded in the target's status, which the caller reads next.
        let _ = eingang_sync::worker::probe(store, t).await;
    }
}
