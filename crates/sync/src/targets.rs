//! Configured targets made real: a target's configuration becomes its connector (with the
//! password from the key store), `[sync]` becomes the worker's settings.

use crate::catalogue::Catalogue;
use crate::cmis::{Cmis, CmisOptions};
use crate::connector::Connector;
use crate::error::Failure;
use crate::folder::FolderTarget;
use crate::mayan::{Mayan, MayanOptions};
use crate::template::IndexTemplate;
use crate::webdav::{WebDav, WebDavOptions};
use crate::worker::{Settings, Target};
use eingang_config::{Config, ConfigError, SyncSection, TargetConfig, TargetKind, Verify};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The worker's settings from `[sync]`.
pub fn settings(cfg: &Config) -> Settings {
    let mut s = Settings::default();
    if let Some(c) = cfg.sync.concurrency {
        s.concurrency = c;
    }
    if let Some(i) = cfg.sync.interval_secs {
        s.interval = Duration::from_secs(i.max(1));
    }
    if let Some(c) = cfg.sync.catalogue_interval_secs {
        s.catalogue_interval = Duration::from_secs(c.max(10));
    }
    if let Some(b) = cfg.sync.retry_base_ms {
        s.backoff.base_ms = i64::try_from(b.max(10)).unwrap_or(i64::MAX);
    }
    if let Some(m) = cfg.sync.retry_max_ms {
        s.backoff.cap_ms = i64::try_from(m.max(10)).unwrap_or(i64::MAX);
        s.retry_after_cap_ms = s.retry_after_cap_ms.min(s.backoff.cap_ms.max(60_000));
    }
    s
}

/// What every HTTP target shares: its URL, the timeout and the extra CA bundle.
struct Http {
    url: url::Url,
    timeout: Option<Duration>,
    ca_bundle: Option<Vec<u8>>,
}

fn http(
    t: &TargetConfig,
    sync: &SyncSection,
    at: &dyn Fn(String) -> ConfigError,
) -> Result<Http, ConfigError> {
    let url = t.url.as_deref().unwrap_or_default();
    let url = url::Url::parse(url).map_err(|e| at(format!("url: {e}")))?;
    let ca_bundle = match &sync.ca_bundle {
        Some(ca) => {
            Some(std::fs::read(ca).map_err(|e| at(format!("ca_bundle {}: {e}", ca.display())))?)
        }
        None => None,
    };
    Ok(Http {
        url,
        timeout: sync.timeout_secs.map(|s| Duration::from_secs(s.max(1))),
        ca_bundle,
    })
}

fn set<T: Clone>(into: &mut T, from: Option<&T>) {
    if let Some(v) = from {
        into.clone_from(v);
    }
}

/// Makes the connector for `t`. `password` comes from the key store.
pub fn connect(
    t: &TargetConfig,
    sync: &SyncSection,
    password: Option<String>,
) -> Result<Target, ConfigError> {
    let file = Path::new("configuration");
    let at = |m: String| ConfigError::new(file, format!("target {:?}: {m}", t.id));
    let index = match &t.index_template {
        Some(path) => {
            let body = std::fs::read_to_string(path)
                .map_err(|e| at(format!("index_template {}: {e}", path.display())))?;
            let name = t.index_name.as_deref().unwrap_or("{{id}}.index.xml");
            Some(IndexTemplate::new(&body, name).map_err(|e| at(e.to_string()))?)
        }
        None => None,
    };
    let mut catalogue = None;
    let connector: Arc<dyn Connector> = match t.kind {
        TargetKind::Folder => {
            let folder = FolderTarget::new(t.path.clone().unwrap_or_default());
            Arc::new(match index {
                Some(i) => folder.with_template(i),
                None => folder,
            })
        }
        TargetKind::Webdav | TargetKind::Nextcloud => {
            let h = http(t, sync, &at)?;
            let mut o = WebDavOptions::new(h.url);
            o.endpoint.user.clone_from(&t.user);
            o.endpoint.password = password;
            o.folder.clone_from(&t.folder);
            o.index = index;
            o.verify = t.verify.unwrap_or(Verify::Hash);
            o.nextcloud = t.kind == TargetKind::Nextcloud;
            set(&mut o.endpoint.timeout, h.timeout.as_ref());
            o.endpoint.ca_bundle = h.ca_bundle;
            let dav = Arc::new(WebDav::new(o).map_err(|f: Failure| at(f.detail))?);
            catalogue = t.catalogue.as_ref().map(|folder| Catalogue {
                dav: dav.clone(),
                folder: folder.clone(),
            });
            dav
        }
        TargetKind::Cmis => {
            let h = http(t, sync, &at)?;
            let mut o = CmisOptions::new(h.url);
            o.repository.clone_from(&t.repository);
            o.endpoint.user.clone_from(&t.user);
            o.endpoint.password = password;
            o.folder.clone_from(&t.folder);
            o.index = index;
            set(&mut o.type_id, t.type_id.as_ref());
            set(&mut o.id_property, t.id_property.as_ref());
            set(&mut o.hash_property, t.hash_property.as_ref());
            o.properties.clone_from(&t.properties);
            set(&mut o.endpoint.timeout, h.timeout.as_ref());
            o.endpoint.ca_bundle = h.ca_bundle;
            Arc::new(Cmis::new(o).map_err(|f: Failure| at(f.detail))?)
        }
        TargetKind::Mayan => {
            let h = http(t, sync, &at)?;
            let mut o = MayanOptions::new(h.url);
            o.endpoint.user.clone_from(&t.user);
            o.endpoint.password = password;
            o.index = index;
            set(&mut o.document_type, t.document_type.as_ref());
            o.source = t.source;
            set(&mut o.id_metadata, t.id_metadata.as_ref());
            set(&mut o.file_metadata, t.file_metadata.as_ref());
            o.metadata.clone_from(&t.properties);
            set(&mut o.endpoint.timeout, h.timeout.as_ref());
            o.endpoint.ca_bundle = h.ca_bundle;
            Arc::new(Mayan::new(o).map_err(|f: Failure| at(f.detail))?)
        }
    };
    Ok(Target {
        id: t.id.clone(),
        name: t.name.clone().unwrap_or_else(|| t.id.clone()),
        kind: t.kind.as_str().to_owned(),
        connector,
        catalogue,
    })
}
