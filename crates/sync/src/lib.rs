//! Delivery of the outbox to the DMS, exactly once.
//!
//! - [`plan`]: a pure function from outbox rows to operations (what is due, what waits),
//!   and the backoff with full jitter.
//! - [`worker`]: rounds per target — probe, then deliver the due items with bounded
//!   concurrency, recording receipts, errors, pauses; [`worker::run_forever`] for the app
//!   and `eingang sync --watch`.
//! - [`connector::Connector`]: the trait every target implements, idempotently.
//!   [`folder::FolderTarget`] (importer spool folders, the local default `<data>/ausgang`),
//!   [`webdav::WebDav`] (nscale WebDAV, Nextcloud, any RFC 4918 server), [`cmis::Cmis`]
//!   (CMIS 1.1 Browser Binding: nscale CMIS, Alfresco, Nuxeo), [`mayan::Mayan`] (Mayan EDMS
//!   REST API).
//! - [`package`]: the delivery package of an outbox item (files, metadata, index XML),
//!   one builder for submissions and scanned documents.
//! - [`catalogue`]: new form versions pulled from a folder on a WebDAV target.
//! - [`targets`]: a configured target (`eingang_config`) made into its connector, `[sync]`
//!   into the worker's settings; [`secrets`]: their passwords; [`template`]: index files and
//!   folders filled in for a delivery.
//! - [`error::Failure`]: why a delivery failed, and whether retrying can help.

pub mod catalogue;
pub mod cmis;
pub mod connector;
pub mod error;
pub mod folder;
mod http;
pub mod mayan;
pub mod package;
pub mod plan;
pub mod secrets;
pub mod targets;
pub mod template;
pub mod webdav;
pub mod worker;

pub use connector::{Connector, Receipt};
pub use error::{Failure, Kind};
pub use http::Endpoint;
pub use package::{Content, Package, PackageFile};
pub use targets::{connect, settings};
pub use worker::{run_round, Report, Settings, Target};

use eingang_config as config;

use std::path::Path;

/// The targets to run: the configured ones (new items go to these), plus the local folder
/// while items queued for it before targets were configured still wait there.
pub fn targets(
    store: &eingang_store::Store,
    cfg: &config::Config,
) -> Result<Vec<Target>, config::ConfigError> {
    let mut configs = config::effective_targets(cfg, store.data_dir());
    let waiting = store
        .with_conn(eingang_store::tables::outbox::waiting_targets)
        .unwrap_or_default();
    let default = eingang_model::DEFAULT_TARGET;
    let orphans: Vec<&String> = waiting
        .iter()
        .filter(|id| !configs.iter().any(|t| &t.id == *id))
        .collect();
    for id in orphans {
        if id == default {
            configs.extend(config::effective_targets(
                &config::Config::default(),
                store.data_dir(),
            ));
        } else {
            tracing::warn!(target = %id, "items wait for a target that is no longer configured");
        }
    }
    configs
        .iter()
        .map(|t| {
            let pw = secrets::password(store, &t.id).ok().flatten();
            connect(t, &cfg.sync, pw)
        })
        .collect()
}

/// Loads the configuration for `data_dir` (see [`eingang_config`]).
pub fn load_config(data_dir: &Path) -> Result<config::Config, config::ConfigError> {
    config::load(data_dir)
}
