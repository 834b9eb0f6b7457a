//! The hot-folder connector through the worker: real submissions into a real folder.

use crate::support::{assert_exactly_delivered, files_under, finalised, row, store};
use eingang_model::OutboxState;
use eingang_store::tables::{outbox, sync_status};
use eingang_sync::folder::FolderTarget;
use eingang_sync::template::IndexTemplate;
use eingang_sync::{run_round, Settings, Target};
use std::sync::Arc;

fn target(folder: FolderTarget) -> Target {
    Target {
        id: "default".into(),
        name: "Ausgang".into(),
        kind: "folder".into(),
        connector: Arc::new(folder),
        catalogue: None,
    }
}

#[tokio::test]
async fn a_submission_lands_in_the_folder_complete_with_its_index_last_and_exactly_once() {
    let (_d, store) = store();
    let out = tempfile::tempdir().unwrap();
    let id = finalised(&store, &["default"]);
    let t = target(FolderTarget::new(out.path()));

    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert_eq!((r.delivered, r.failed), (1, 0));
    assert_eq!(
        assert_exactly_delivered(&store, out.path(), std::slice::from_ref(&id)),
        3
    );
    let index = std::fs::read_to_string(out.path().join(format!("{id}.index.xml"))).unwrap();
    assert!(
        index.contains(&format!("{id}.pdf")) && index.contains("sha256="),
        "{index}"
    );
    let item = row(&store, &id);
    assert_eq!(item.state, OutboxState::Delivered);
    let receipt = item.receipt.unwrap();
    assert!(receipt.location.ends_with(&format!("{id}.index.xml")));
    assert_eq!(
        receipt.sha256,
        crate::support::sha256_file(&out.path().join(format!("{id}.index.xml")))
    );
    let status = store.with_conn(sync_status::overall).unwrap();
    assert!(status.last_success_at.is_some() && status.last_error.is_none());

    // Nothing more to do; and a retry after an unknown outcome (the row left in flight as
    // if the process died before recording the receipt) finds the delivery, adds no copy.
    assert_eq!(
        run_round(&store, &t, Settings::default())
            .await
            .unwrap()
            .delivered,
        0
    );
    store
        .with_conn(|c| Ok(c.execute("UPDATE outbox SET state = 'in_flight'", [])?))
        .unwrap();
    assert_eq!(
        run_round(&store, &t, Settings::default())
            .await
            .unwrap()
            .delivered,
        1
    );
    assert_exactly_delivered(&store, out.path(), &[id]);
}

#[tokio::test]
async fn a_different_file_under_the_same_name_is_a_conflict_never_overwritten() {
    let (_d, store) = store();
    let out = tempfile::tempdir().unwrap();
    let id = finalised(&store, &["default"]);
    let squatter = out.path().join(format!("{id}.json"));
    std::fs::write(&squatter, b"someone else's file").unwrap();
    let r = run_round(
        &store,
        &target(FolderTarget::new(out.path())),
        Settings::default(),
    )
    .await
    .unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1));
    let item = row(&store, &id);
    assert_eq!(
        item.state,
        OutboxState::FailedPermanently,
        "retrying cannot fix it"
    );
    assert_eq!(item.error.unwrap().code, "sync.conflict");
    assert_eq!(std::fs::read(&squatter).unwrap(), b"someone else's file");
    assert!(
        !out.path().join(format!("{id}.index.xml")).exists(),
        "no completion marker"
    );
    // The user moves the file aside and retries.
    std::fs::remove_file(&squatter).unwrap();
    assert!(store.with_tx(|tx| outbox::retry(tx, item.id)).unwrap());
    let r = run_round(
        &store,
        &target(FolderTarget::new(out.path())),
        Settings::default(),
    )
    .await
    .unwrap();
    assert_eq!(r.delivered, 1);
}

#[tokio::test]
async fn an_unreachable_folder_leaves_the_item_waiting_and_says_why() {
    let (_d, store) = store();
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let id = finalised(&store, &["default"]);
    let t = target(FolderTarget::new(blocker.path().join("ausgang")));
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    assert!(r.offline && r.delivered == 0);
    let item = row(&store, &id);
    assert_eq!(
        (item.state, item.attempts),
        (OutboxState::Pending, 0),
        "nothing counted against it"
    );
    let st = store.with_conn(|c| sync_status::get(c, "default")).unwrap();
    assert_eq!(st.online, Some(false));
    let e = st.last_error.unwrap();
    assert_eq!(e.code, "sync.folder_unwritable");
    assert!(e.detail.contains("cannot be written"), "{}", e.detail);
}

/// One round of delivery into `out` with the index template `tpl`.
async fn deliver_with_template(
    store: &Arc<eingang_store::Store>,
    out: &std::path::Path,
    tpl: IndexTemplate,
) -> eingang_sync::worker::Report {
    let t = target(FolderTarget::new(out).with_template(tpl));
    run_round(store, &t, Settings::default()).await.unwrap()
}

#[tokio::test]
async fn an_index_template_shapes_the_importers_index_file() {
    let (_d, store) = store();
    let out = tempfile::tempdir().unwrap();
    let id = finalised(&store, &["default"]);
    let tpl = IndexTemplate::new(
        "<?xml version=\"1.0\"?>\n<Import><Feld name=\"Formular\">{{formular}}</Feld>{{#dateien}}<Datei>{{name}}</Datei>{{/dateien}}</Import>\n",
        "{{id}}.xml",
    )
    .unwrap();
    let r = deliver_with_template(&store, out.path(), tpl).await;
    assert_eq!(r.delivered, 1);
    let index = std::fs::read_to_string(out.path().join(format!("{id}.xml"))).unwrap();
    assert!(
        index.contains("<Feld name=\"Formular\">ortstermin</Feld>"),
        "{index}"
    );
    assert!(
        index.contains(&format!("<Datei>{id}.pdf</Datei>")),
        "{index}"
    );
    assert!(!out.path().join(format!("{id}.index.xml")).exists());
}

#[tokio::test]
async fn an_index_name_filled_with_colons_and_a_device_name_is_one_plain_file_on_every_system() {
    // `erstellt` holds colons (on NTFS a `:` names a stream of another file) and the name
    // starts with a Windows device (`aux.…` would go to the AUX port).
    let (_d, store) = store();
    let out = tempfile::tempdir().unwrap();
    let id = finalised(&store, &["default"]);
    let tpl =
        IndexTemplate::new("{{formular}} {{erstellt}}", "aux.{{id}}.{{erstellt}}.xml").unwrap();
    let r = deliver_with_template(&store, out.path(), tpl).await;
    assert_eq!((r.delivered, r.failed), (1, 0));
    let names: Vec<String> = files_under(out.path())
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    // The submission's own files ({id}.pdf, .json, .xml) and exactly one index file.
    let index: Vec<&String> = names.iter().filter(|n| n.contains("aux")).collect();
    assert_eq!(index.len(), 1, "{names:?}");
    assert!(
        index[0].starts_with(&format!("_aux.{id}.20")) && !index[0].contains(':'),
        "{names:?}"
    );
    // The file holds the index, with the value as it is (only the name is made portable).
    let text = std::fs::read_to_string(out.path().join(index[0])).unwrap();
    assert!(
        text.starts_with("ortstermin 20") && text.contains(':'),
        "{text}"
    );
    let receipt = row(&store, &id).receipt.unwrap();
    assert!(
        receipt.location.ends_with(index[0].as_str()),
        "{}",
        receipt.location
    );
}

#[tokio::test]
async fn a_folder_deeper_than_the_old_windows_limit_of_260_characters_takes_deliveries() {
    let (_d, store) = store();
    let out = tempfile::tempdir().unwrap();
    let deep = (0..12).fold(out.path().to_path_buf(), |p, i| {
        p.join(format!("Unterordner mit langem Namen {i:02}"))
    });
    assert!(deep.as_os_str().len() > 360, "{}", deep.display());
    let id = finalised(&store, &["default"]);
    let r = run_round(
        &store,
        &target(FolderTarget::new(&deep)),
        Settings::default(),
    )
    .await
    .unwrap();
    assert_eq!((r.delivered, r.failed), (1, 0));
    assert_eq!(assert_exactly_delivered(&store, &deep, &[id]), 3);
}

#[test]
fn a_password_round_trips_through_the_key_store_or_the_store_and_lifts_a_pause() {
    let (_d, store) = store();
    store
        .with_tx(|tx| sync_status::pause(tx, "dms", "sync.auth_refused", "401"))
        .unwrap();
    let backend = eingang_sync::secrets::set_password(&store, "dms", "geheim").unwrap();
    assert_eq!(
        eingang_sync::secrets::password(&store, "dms")
            .unwrap()
            .as_deref(),
        Some("geheim")
    );
    let st = store.with_conn(|c| sync_status::get(c, "dms")).unwrap();
    assert!(st.paused.is_none());
    // Exactly one place holds it.
    let in_db = store
        .with_conn(|c| eingang_store::tables::credentials::get(c, "dms"))
        .unwrap();
    match backend {
        eingang_sync::secrets::Backend::Store => assert_eq!(in_db.as_deref(), Some("geheim")),
        eingang_sync::secrets::Backend::Os => assert_eq!(in_db, None),
    }
    eingang_sync::secrets::forget_password(&store, "dms").unwrap();
    assert_eq!(
        eingang_sync::secrets::password(&store, "dms").unwrap(),
        None
    );
}

/// The real folder, each delivery taking `delay` (a slow line to the DMS).
struct Slow {
    inner: FolderTarget,
    delay: std::time::Duration,
    started: Arc<tokio::sync::Notify>,
}

impl eingang_sync::Connector for Slow {
    fn location(&self) -> String {
        self.inner.location()
    }

    fn probe(&self) -> eingang_sync::connector::BoxFuture<'_, Result<(), eingang_sync::Failure>> {
        self.inner.probe()
    }

    fn deliver<'a>(
        &'a self,
        package: &'a eingang_sync::package::Package,
        retry: bool,
    ) -> eingang_sync::connector::BoxFuture<'a, Result<eingang_sync::Receipt, eingang_sync::Failure>>
    {
        Box::pin(async move {
            self.started.notify_one();
            tokio::time::sleep(self.delay).await;
            self.inner.deliver(package, retry).await
        })
    }
}

#[tokio::test]
async fn a_shutdown_lets_the_delivery_in_flight_finish_and_starts_no_new_round() {
    let (_d, store) = store();
    let out = tempfile::tempdir().unwrap();
    let first = finalised(&store, &["default"]);
    let started = Arc::new(tokio::sync::Notify::new());
    let t = Target {
        connector: Arc::new(Slow {
            inner: FolderTarget::new(out.path()),
            delay: std::time::Duration::from_millis(800),
            started: started.clone(),
        }),
        ..target(FolderTarget::new(out.path()))
    };
    let shutdown = Arc::new(eingang_sync::worker::Shutdown::default());
    let wake = Arc::new(tokio::sync::Notify::new());
    let worker = tokio::spawn(eingang_sync::worker::run_forever(
        store.clone(),
        move || vec![t.clone()],
        Settings::default(),
        wake.clone(),
        shutdown.clone(),
        |_, _| {},
    ));
    // The delivery is under way when the app is closed …
    started.notified().await;
    let second = finalised(&store, &["default"]);
    shutdown.request();
    wake.notify_one();
    tokio::time::timeout(std::time::Duration::from_secs(10), worker)
        .await
        .expect("the worker ends after the delivery in flight")
        .unwrap();
    // … and it finished; the item queued meanwhile waits for the next start.
    assert_eq!(row(&store, &first).state, OutboxState::Delivered);
    assert_eq!(row(&store, &second).state, OutboxState::Pending);
    assert_exactly_delivered(&store, out.path(), &[first]);
}
