//! Target settings: a target is tried as typed before it is saved (against a real WebDAV
//! server, WsgiDAV), and the first target saved replaces the built-in local folder only as
//! asked — never while items wait for it.

use eingang_api::targets;
use eingang_model::TargetSetting;
use std::sync::Arc;

#[path = "../../../sync/tests/sync/servers.rs"]
#[allow(dead_code)]
mod servers;

fn webdav(url: &str) -> TargetSetting {
    TargetSetting {
        id: "dms".into(),
        name: Some("Stadt-DMS".into()),
        kind: "webdav".into(),
        url: Some(url.into()),
        path: None,
        user: Some(servers::USER.into()),
        folder: "posteingang".into(),
        editable: true,
        has_password: false,
    }
}

/// The targets of the data folder's configuration, in order.
fn ids(dir: &std::path::Path) -> Vec<String> {
    eingang_config::load(dir)
        .unwrap()
        .targets
        .into_iter()
        .map(|t| t.id)
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_target_is_tried_as_typed_and_nothing_is_saved_or_recorded() {
    let server = servers::wsgidav();
    let (dir, store) = super::fresh();
    let store = Arc::new(store);
    let cfg = eingang_config::load(dir.path()).unwrap();
    let rt = runtime();
    let tried =
        |t: TargetSetting, pw: Option<&str>| rt.block_on(targets::try_unsaved(&store, &cfg, t, pw));

    assert_eq!(
        tried(webdav(&server.url), Some(servers::PASSWORD)).unwrap(),
        None
    );
    let refused = tried(webdav(&server.url), Some("falsch")).unwrap().unwrap();
    assert_eq!(refused.code, "sync.auth_refused", "{}", refused.detail);
    let port = servers::free_port();
    let down = tried(webdav(&format!("http://127.0.0.1:{port}/dav/")), Some("x"))
        .unwrap()
        .unwrap();
    assert_eq!(down.code, "sync.offline", "{}", down.detail);
    let mut no_url = webdav("");
    no_url.url = None;
    let e = tried(no_url, None).unwrap_err();
    assert_eq!((e.code(), e.field()), ("input.required", Some("url")));

    // Nothing of it was saved, nor recorded as the target's state.
    let after = eingang_config::load(dir.path()).unwrap();
    assert!(after.targets.is_empty());
    let rows: i64 = store
        .with_conn(|c| Ok(c.query_row("SELECT count(*) FROM sync_status", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn the_first_target_replaces_the_local_folder_only_when_nothing_waits_for_it() {
    let (dir, store) = super::fresh();
    store
        .with_tx(|c| eingang_store::tables::outbox::enqueue(c, "submission", "s1", "default", 1))
        .unwrap();
    let cfg = eingang_config::load(dir.path()).unwrap();
    let e =
        targets::save(&store, &cfg, webdav("http://127.0.0.1:9/dav/"), None, false).unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("input.local_in_use", Some("keep_local"))
    );
    assert!(
        eingang_config::load(dir.path()).unwrap().targets.is_empty(),
        "nothing written"
    );

    // Delivered: now the new target may replace the folder.
    store
        .with_tx(|c| eingang_store::tables::outbox::mark_delivered(c, 1, "ausgang/s1", "ab", 2))
        .unwrap();
    targets::save(&store, &cfg, webdav("http://127.0.0.1:9/dav/"), None, false).unwrap();
    assert_eq!(ids(dir.path()), ["dms"]);
}

#[test]
fn the_first_target_saved_can_keep_the_local_folder_as_a_target_of_its_own() {
    let (dir, store) = super::fresh();
    let cfg = eingang_config::load(dir.path()).unwrap();
    assert!(
        cfg.targets.is_empty(),
        "zero configuration: the built-in folder"
    );
    targets::save(&store, &cfg, webdav("http://127.0.0.1:9/dav/"), None, true).unwrap();

    let cfg = eingang_config::load(dir.path()).unwrap();
    assert_eq!(ids(dir.path()), ["default", "dms"]);
    assert_eq!(
        cfg.targets[0].path.as_deref(),
        Some(dir.path().join("ausgang").as_path()),
        "the same folder as before"
    );
    let shown = targets::settings(&store, &cfg).unwrap();
    assert!(
        shown.iter().all(|t| t.editable),
        "both removable in the settings"
    );

    // A second target changes nothing about the folder.
    let mut other = webdav("http://127.0.0.1:9/other/");
    other.id = "archiv".into();
    targets::save(&store, &cfg, other, None, false).unwrap();
    assert_eq!(ids(dir.path()), ["default", "dms", "archiv"]);
}
