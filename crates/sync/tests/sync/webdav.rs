//! The WebDAV connector against real servers: WsgiDAV, Apache mod_dav, rclone serve webdav.

use crate::servers::{self, Server, PASSWORD, USER};
use crate::support::{assert_exactly_delivered, files_under, finalised, row, store};
use eingang_model::OutboxState;
use eingang_store::tables::{outbox, sync_status};
use eingang_sync::webdav::{WebDav, WebDavOptions};
use eingang_sync::{run_round, Settings, Target};
use std::sync::Arc;

fn target(url: &str, password: &str, folder: &str) -> Target {
    let mut o = WebDavOptions::new(url::Url::parse(url).unwrap());
    o.endpoint.user = Some(USER.into());
    o.endpoint.password = Some(password.into());
    o.folder = folder.into();
    Target {
        id: "dms".into(),
        name: "DMS".into(),
        kind: "webdav".into(),
        connector: Arc::new(WebDav::new(o).unwrap()),
        catalogue: None,
    }
}

/// Changes the server's content the way another client would (through WebDAV, so that
/// servers with a directory cache, like rclone, see it).
async fn dav(method: reqwest::Method, url: &str, body: Option<&'static [u8]>) {
    let mut r = reqwest::Client::new()
        .request(method, url)
        .basic_auth(USER, Some(PASSWORD));
    if let Some(b) = body {
        r = r.body(b);
    }
    let status = r.send().await.unwrap().status();
    assert!(status.is_success(), "{url}: {status}");
}

/// Delivery, a retry after an unknown outcome, a conflict, and the absence of leftovers.
async fn delivers_exactly_once(server: &Server) {
    let (_d, store) = store();
    let ids: Vec<String> = (0..3).map(|_| finalised(&store, &["dms"])).collect();
    let t = target(&server.url, PASSWORD, "eingang/{{formular}}/{{jahr}}");
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!((r.delivered, r.failed), (3, 0), "{}", server.name);
    let year = &eingang_store::rfc3339_utc(eingang_store::now_ms())[..4];
    let dir = server.root.join("eingang/ortstermin").join(year);
    assert_eq!(
        assert_exactly_delivered(&store, &dir, &ids),
        9,
        "{}",
        server.name
    );
    for id in &ids {
        let item = row(&store, id);
        assert_eq!(item.state, OutboxState::Delivered);
        let receipt = item.receipt.unwrap();
        assert!(
            receipt.location.starts_with(&server.url)
                && receipt.location.ends_with(&format!("{id}.index.xml")),
            "{}",
            receipt.location
        );
        assert!(!receipt.location.contains(PASSWORD));
        assert_eq!(
            receipt.sha256,
            crate::support::sha256_file(&dir.join(format!("{id}.index.xml")))
        );
    }

    // The process "died" after the server stored everything but before the receipt was
    // written: the retry finds the completion marker and writes nothing.
    store
        .with_conn(|c| {
            Ok(c.execute(
                "UPDATE outbox SET state = 'in_flight', receipt_at = NULL",
                [],
            )?)
        })
        .unwrap();
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!(r.delivered, 3);
    assert_exactly_delivered(&store, &dir, &ids);

    // Died after two of three files: the retry completes it; nothing is doubled.
    let id = finalised(&store, &["dms"]);
    run_round(&store, &t, Settings::default()).await.unwrap();
    let remote = format!("{}eingang/ortstermin/{year}/", server.url);
    dav(
        reqwest::Method::DELETE,
        &format!("{remote}{id}.index.xml"),
        None,
    )
    .await;
    dav(reqwest::Method::DELETE, &format!("{remote}{id}.json"), None).await;
    store
        .with_conn(|c| {
            Ok(c.execute(
                "UPDATE outbox SET state = 'in_flight' WHERE item_id = ?1",
                [&id],
            )?)
        })
        .unwrap();
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!(
        r.delivered,
        1,
        "{}: {:?}",
        server.name,
        row(&store, &id).error
    );
    let mut all = ids.clone();
    all.push(id);
    assert_exactly_delivered(&store, &dir, &all);

    // Someone else's file under our name: a conflict, never overwritten.
    let id = finalised(&store, &["dms"]);
    dav(
        reqwest::Method::PUT,
        &format!("{remote}{id}.json"),
        Some(b"not ours"),
    )
    .await;
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1), "{}", server.name);
    let item = row(&store, &id);
    assert_eq!(item.state, OutboxState::FailedPermanently);
    assert_eq!(item.error.as_ref().unwrap().code, "sync.conflict");
    assert_eq!(
        std::fs::read(dir.join(format!("{id}.json"))).unwrap(),
        b"not ours"
    );
    assert!(!dir.join(format!("{id}.index.xml")).exists());
    let leftovers: Vec<_> = files_under(&server.root)
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{}: {leftovers:?}", server.name);
}

/// Refused credentials pause the target (nothing is hammered); new ones resume it.
async fn pauses_on_refused_credentials(server: &Server) {
    let (_d, store) = store();
    let id = finalised(&store, &["dms"]);
    let r = run_round(
        &store,
        &target(&server.url, "wrong", "pause"),
        Settings::default(),
    )
    .await
    .unwrap();
    assert!(r.paused, "{}", server.name);
    assert_eq!(row(&store, &id).state, OutboxState::Paused);
    let st = store.with_conn(|c| sync_status::get(c, "dms")).unwrap();
    assert_eq!(st.paused.unwrap().code, "sync.auth_refused");
    // Still paused on the next round, even with a working connector: the user decides.
    let good = target(&server.url, PASSWORD, "pause");
    assert!(
        run_round(&store, &good, Settings::default())
            .await
            .unwrap()
            .paused
    );
    eingang_sync::secrets::set_password(&store, "dms", PASSWORD).unwrap();
    assert_eq!(
        run_round(&store, &good, Settings::default())
            .await
            .unwrap()
            .delivered,
        1
    );
    assert_exactly_delivered(&store, &server.root.join("pause"), &[id]);
}

#[tokio::test]
async fn wsgidav_receives_each_item_exactly_once() {
    let s = servers::wsgidav();
    delivers_exactly_once(&s).await;
    pauses_on_refused_credentials(&s).await;
}

#[tokio::test]
async fn apache_mod_dav_receives_each_item_exactly_once() {
    let s = servers::apache();
    delivers_exactly_once(&s).await;
    pauses_on_refused_credentials(&s).await;
}

#[tokio::test]
async fn rclone_which_ignores_conditional_puts_receives_each_item_exactly_once() {
    let s = servers::rclone();
    delivers_exactly_once(&s).await;
    pauses_on_refused_credentials(&s).await;
}

#[tokio::test]
async fn a_server_that_is_down_is_offline_not_an_error_and_delivery_follows_when_it_is_up() {
    let (_d, store) = store();
    let port = servers::free_port();
    let url = format!("http://127.0.0.1:{port}/dav/");
    let id = finalised(&store, &["dms"]);
    let t = target(&url, PASSWORD, "");
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert!(r.offline);
    let item = row(&store, &id);
    assert_eq!(
        (item.state, item.attempts, item.error),
        (OutboxState::Pending, 0, None)
    );
    let st = store.with_conn(|c| sync_status::get(c, "dms")).unwrap();
    assert_eq!(
        (st.online, st.last_error),
        (Some(false), None),
        "offline is normal"
    );
    assert_eq!(store.with_conn(outbox::count_undelivered).unwrap(), 1);

    let server = servers::wsgidav_at(port);
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!((r.delivered, r.offline), (1, false));
    assert_eq!(
        store
            .with_conn(|c| sync_status::get(c, "dms"))
            .unwrap()
            .online,
        Some(true)
    );
    assert_exactly_delivered(&store, &server.root, &[id]);
    assert_eq!(store.with_conn(outbox::count_undelivered).unwrap(), 0);
}

#[tokio::test]
async fn a_base_collection_that_does_not_exist_yet_is_made_on_the_first_delivery() {
    let server = servers::wsgidav();
    let (_d, store) = store();
    let id = finalised(&store, &["dms"]);
    let t = target(&format!("{}neu/eingang/", server.url), PASSWORD, "");
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!(r.delivered, 1, "{:?}", row(&store, &id).error);
    assert_exactly_delivered(&store, &server.root.join("neu/eingang"), &[id]);
}

/// The DMS's folder is removed after the first delivery (an administrator cleaned up): the
/// next delivery into it makes it again instead of failing on the server's 409, on WsgiDAV
/// and on Apache mod_dav.
#[tokio::test]
async fn a_folder_removed_on_the_server_is_made_again_for_the_next_delivery() {
    for server in [servers::wsgidav(), servers::apache()] {
        let (_d, store) = store();
        let t = target(&server.url, PASSWORD, "post/{{formular}}");
        let first = finalised(&store, &["dms"]);
        let r = run_round(&store, &t, Settings::default()).await.unwrap();
        assert_eq!(r.delivered, 1, "{}", server.name);
        dav(
            reqwest::Method::DELETE,
            &format!("{}post/", server.url),
            None,
        )
        .await;
        assert!(!server.root.join("post").exists(), "{}", server.name);
        let second = finalised(&store, &["dms"]);
        let r = run_round(&store, &t, Settings::default()).await.unwrap();
        assert_eq!(
            (r.delivered, r.failed),
            (1, 0),
            "{}: {:?}",
            server.name,
            row(&store, &second).error
        );
        assert_exactly_delivered(&store, &server.root.join("post/ortstermin"), &[second]);
        assert_eq!(row(&store, &first).state, OutboxState::Delivered);
    }
}
