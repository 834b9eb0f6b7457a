//! The outbox worker delivering real submissions into a real folder.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_store::tables::{drafts, outbox, submissions, sync_status};
use eingang_store::Store;
use eingang_sync::{hotfolder::HotFolder, sync_once};
use serde_json::json;

fn finalised(store: &Store) -> String {
    let d = store
        .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
        .unwrap();
    let v =
        json!({"aktenzeichen": "530.12-2026-0042", "datum": "2026-11-27", "anschrift": "Markt 1"});
    store
        .with_tx(|tx| drafts::save_values(tx, d.id, v.as_object().unwrap().clone()))
        .unwrap();
    store
        .with_tx(|tx| submissions::finalise(tx, store.blobs(), d.id, (2026, 11, 28)))
        .unwrap()
        .id
}

#[test]
fn a_submission_lands_in_the_folder_complete_with_its_index_last_and_exactly_once() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let id = finalised(&store);
    let folder = HotFolder::new(out.path());

    let r = sync_once(&store, "default", &folder).unwrap();
    assert_eq!((r.delivered, r.failed), (1, 0));
    for f in [
        format!("{id}.pdf"),
        format!("{id}.json"),
        format!("{id}.index.xml"),
    ] {
        assert!(out.path().join(&f).is_file(), "{f}");
    }
    let index = std::fs::read_to_string(out.path().join(format!("{id}.index.xml"))).unwrap();
    assert!(
        index.contains(&format!("{id}.pdf")) && index.contains("sha256="),
        "{index}"
    );
    let leftovers = std::fs::read_dir(out.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".part")
        })
        .count();
    assert_eq!(leftovers, 0);
    assert_eq!(store.with_conn(outbox::count_undelivered).unwrap(), 0);
    let status = store.with_conn(sync_status::overall).unwrap();
    assert!(status.last_success_at.is_some() && status.last_error.is_none());

    // Nothing more to do; and a retry after an unknown outcome (the row reset as if the
    // process died before recording the receipt) finds the delivery and adds no copy.
    assert_eq!(sync_once(&store, "default", &folder).unwrap().delivered, 0);
    store
        .with_conn(|c| Ok(c.execute("UPDATE outbox SET state = 'in_flight'", [])?))
        .unwrap();
    assert_eq!(sync_once(&store, "default", &folder).unwrap().delivered, 1);
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        3,
        "still one PDF, one JSON, one index"
    );
}

#[test]
fn an_unwritable_folder_fails_with_a_reason_keeps_the_item_and_backs_off() {
    let data = tempfile::tempdir().unwrap();
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let store = Store::open(data.path()).unwrap();
    finalised(&store);
    let folder = HotFolder::new(blocker.path().join("ausgang"));
    let r = sync_once(&store, "default", &folder).unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1));
    let rows = store
        .with_conn(|c| outbox::for_target(c, "default"))
        .unwrap();
    assert_eq!(rows[0].state, "failed");
    assert!(rows[0].next_attempt_at.unwrap() > eingang_store::now_ms());
    let status = store.with_conn(sync_status::overall).unwrap();
    assert!(status.last_error.unwrap().contains("cannot be written"));
    // Backing off: the next round waits instead of hammering.
    let r = sync_once(&store, "default", &folder).unwrap();
    assert_eq!((r.delivered, r.failed, r.waiting), (0, 0, 1));
}
