//! A released batch is read-only beneath every command (the schema's triggers); a pending
//! release freezes the batch until it is done or withdrawn; the originals become
//! destroyable only with the last delivery receipt of the batch's documents.

use eingang_model::{BatchId, DocumentId, PageEdit, PageId};
use eingang_store::tables::{audit, batches, documents, outbox, pages, qc};
use eingang_store::{Error, Store};

fn batch_with_pages(store: &Store, n: usize) -> (BatchId, Vec<PageId>) {
    store
        .with_tx(|c| {
            let batch = batches::create_batch(c, "b", None, "{}")?;
            let ids = (0..n)
                .map(|i| {
                    pages::add_page(
                        c,
                        &batch,
                        &pages::NewPage {
                            source: &format!("s{i}.png"),
                            source_page: 0,
                            raw_blob: "00",
                            dpi: (300.0, 300.0),
                        },
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((batch, ids))
        })
        .unwrap()
}

fn document(store: &Store, batch: &BatchId, pages: &[PageId], targets: &[&str]) -> DocumentId {
    let row = documents::DocumentRow {
        id: DocumentId::new(),
        batch_id: *batch,
        title: "Brief".into(),
        page_ids: pages.to_vec(),
        pdf_blob: "aa".repeat(32),
        sha256: "aa".repeat(32),
        pdfa: "PDF/A-2b".into(),
        index: vec![],
        created_at: 1,
        transfer_blob: None,
        integrity: None,
    };
    store
        .with_tx(|c| documents::add_document(c, &row, targets))
        .unwrap();
    row.id
}

fn outbox_ids(store: &Store) -> Vec<i64> {
    store
        .with_conn(|c| {
            let mut s =
                c.prepare("SELECT id FROM outbox WHERE item_kind = 'document' ORDER BY id")?;
            let ids = s.query_map([], |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<Vec<i64>>>()?)
        })
        .unwrap()
}

fn verdict(batch: &BatchId, page: &PageId) -> qc::Verdict {
    qc::Verdict {
        batch_id: *batch,
        first_page: *page,
        page_ids: vec![*page],
        passed: true,
        checker: "Prüferin".into(),
        note: String::new(),
        flags: vec![],
        at: 1,
    }
}

#[test]
fn every_change_to_a_released_batch_is_refused_and_nothing_changes() {
    let (_dir, store) = super::fresh();
    let (batch, ids) = batch_with_pages(&store, 3);
    store
        .with_tx(|c| batches::set_released(c, &batch, true))
        .unwrap();
    let before = store.with_conn(|c| pages::pages(c, &batch)).unwrap();
    let attempts: Vec<(&str, Result<(), Error>)> = vec![
        (
            "turn",
            store.with_tx(|c| pages::edit_page(c, &ids[0], PageEdit::Rotation(1))),
        ),
        (
            "delete",
            store.with_tx(|c| pages::edit_page(c, &ids[1], PageEdit::Deleted(true))),
        ),
        (
            "break",
            store.with_tx(|c| pages::edit_page(c, &ids[2], PageEdit::StartsDocument(true))),
        ),
        ("move", store.with_tx(|c| pages::move_page(c, &ids[2], 0))),
        (
            "separator",
            store.with_tx(|c| pages::set_separator(c, &ids[0], true)),
        ),
        (
            "index",
            store.with_tx(|c| pages::set_index(c, &ids[0], &[("az".into(), "1".into())])),
        ),
        (
            "barcodes",
            store.with_tx(|c| pages::set_barcodes(c, &ids[0], "[]")),
        ),
        (
            "check",
            store.with_tx(|c| qc::record(c, &verdict(&batch, &ids[0]))),
        ),
        (
            "add",
            store.with_tx(|c| {
                pages::add_page(
                    c,
                    &batch,
                    &pages::NewPage {
                        source: "x.png",
                        source_page: 0,
                        raw_blob: "00",
                        dpi: (300.0, 300.0),
                    },
                )
                .map(drop)
            }),
        ),
        (
            "release again",
            store.with_tx(|c| batches::set_released(c, &batch, true)),
        ),
    ];
    for (what, r) in attempts {
        let e = r.expect_err(what);
        assert_eq!(e.code(), "batch.released", "{what}: {e}");
        assert!(e.to_string().contains("released"), "{what}: {e}");
    }
    assert_eq!(
        store.with_conn(|c| pages::pages(c, &batch)).unwrap(),
        before
    );
    // Another batch is untouched by the rule.
    let (other, other_ids) = batch_with_pages(&store, 1);
    store
        .with_tx(|c| pages::edit_page(c, &other_ids[0], PageEdit::Rotation(2)))
        .unwrap();
    assert_eq!(
        store.with_conn(|c| pages::pages(c, &other)).unwrap()[0].rotation,
        2
    );
}

#[test]
fn a_pending_release_freezes_the_batch_until_withdrawn_and_is_retried_when_due() {
    let (_dir, store) = super::fresh();
    let (batch, ids) = batch_with_pages(&store, 2);
    store
        .with_tx(|c| batches::set_pending(c, &batch, r#"{"title":"T"}"#, "tsa.unreachable", 1_000))
        .unwrap();
    let e = store
        .with_tx(|c| pages::edit_page(c, &ids[0], PageEdit::Rotation(1)))
        .unwrap_err();
    assert_eq!(e.code(), "batch.release_pending");
    assert!(store
        .with_conn(|c| batches::batch(c, &batch))
        .unwrap()
        .release_pending
        .is_some_and(|w| w.attempts == 1 && w.last_code == "tsa.unreachable"));
    // A second failed try counts, keeps the first request and moves the next try.
    store
        .with_tx(|c| batches::set_pending(c, &batch, r#"{"title":"other"}"#, "tsa.refused", 5_000))
        .unwrap();
    let p = store
        .with_conn(|c| batches::pending(c, &batch))
        .unwrap()
        .unwrap();
    assert_eq!(
        (p.attempts, p.last_code.as_str(), p.next_at),
        (2, "tsa.refused", 5_000)
    );
    assert_eq!(p.request_json, r#"{"title":"T"}"#);
    assert!(store
        .with_conn(|c| batches::pending_due(c, 4_999))
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .with_conn(|c| batches::pending_due(c, 5_000))
            .unwrap()
            .len(),
        1
    );

    assert!(store
        .with_tx(|c| batches::withdraw_pending(c, &batch))
        .unwrap());
    store
        .with_tx(|c| pages::edit_page(c, &ids[0], PageEdit::Rotation(1)))
        .unwrap();
    let kinds: Vec<String> = store
        .with_conn(audit::records)
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "batch.release_pending")
            .count(),
        1,
        "one record when the release starts waiting, not one per try"
    );
    assert!(kinds.iter().any(|k| k == "batch.release_withdrawn"));
}

#[test]
fn originals_become_destroyable_only_with_the_last_receipt_of_every_document() {
    let (_dir, store) = super::fresh();
    let (batch, ids) = batch_with_pages(&store, 2);
    document(&store, &batch, &ids[..1], &["dms", "archiv"]);
    document(&store, &batch, &ids[1..], &["dms"]);
    store
        .with_tx(|c| batches::set_released(c, &batch, true))
        .unwrap();
    let row = |s: &Store| s.with_conn(|c| batches::batch(c, &batch)).unwrap();
    assert!(
        row(&store).destroyable_at.is_none(),
        "nothing delivered yet"
    );
    assert_eq!(
        (row(&store).documents, row(&store).documents_delivered),
        (2, 0)
    );
    let rows = outbox_ids(&store);
    assert_eq!(rows.len(), 3);
    for (n, id) in rows.iter().enumerate() {
        store
            .with_tx(|c| outbox::mark_delivered(c, *id, "dav://x", "aa", 10))
            .unwrap();
        let b = row(&store);
        let last = n == rows.len() - 1;
        assert_eq!(b.destroyable_at.is_some(), last, "after receipt {}", n + 1);
    }
    assert_eq!(row(&store).documents_delivered, 2);
    let destroyable = store
        .with_conn(audit::records)
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "batch.originals_destroyable")
        .count();
    assert_eq!(destroyable, 1);
}

#[test]
fn without_evidence_or_without_any_target_the_originals_are_never_destroyable() {
    let (_dir, store) = super::fresh();
    let (kept, ids) = batch_with_pages(&store, 1);
    document(&store, &kept, &ids, &["dms"]);
    store
        .with_tx(|c| batches::set_released(c, &kept, false))
        .unwrap();
    let id = outbox_ids(&store)[0];
    store
        .with_tx(|c| outbox::mark_delivered(c, id, "dav://x", "aa", 10))
        .unwrap();
    assert!(store
        .with_conn(|c| batches::batch(c, &kept))
        .unwrap()
        .destroyable_at
        .is_none());

    let (nowhere, ids) = batch_with_pages(&store, 1);
    document(&store, &nowhere, &ids, &[]);
    store
        .with_tx(|c| batches::set_released(c, &nowhere, true))
        .unwrap();
    assert!(store
        .with_conn(|c| batches::batch(c, &nowhere))
        .unwrap()
        .destroyable_at
        .is_none());
}
