//! The purge: page images of batches whose documents all have their receipts, released
//! PDFs, delivered submissions — after their periods, never without receipts, never on
//! legal hold, never a blob something else still names; every purge an audit record; files
//! whose rows went are removed even after a crash between the two.

#[path = "../fixtures/released.rs"]
pub(crate) mod fixtures;

use eingang_model::DocumentId;
use eingang_store::retention::{set_hold, Policy};
use eingang_store::tables::{audit, auto, batches, blobs, documents, outbox, pages};
use eingang_store::Store;
use fixtures::released;

const DAY: i64 = 24 * 3600 * 1000;

/// Every outbox row of `doc` delivered, the receipt at `at`.
fn deliver(store: &Store, doc: &DocumentId, at: i64) {
    let rows: Vec<i64> = store
        .with_conn(|c| {
            let mut s = c.prepare("SELECT id FROM outbox WHERE item_id = ?1")?;
            let ids = s.query_map([doc.to_string()], |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap();
    for id in rows {
        store
            .with_tx(|c| outbox::mark_delivered(c, id, "dav://dms/x", "aa", at))
            .unwrap();
    }
}

fn policy(now: i64, scans_days: i64, documents_days: i64) -> Policy {
    Policy {
        scans_before: now - scans_days * DAY,
        documents_before: now - documents_days * DAY,
        submissions_before: now - documents_days * DAY,
        chunk: 2,
    }
}

fn exists(store: &Store, hash: &str) -> bool {
    store.blobs().path(hash).is_ok()
}

#[test]
fn page_images_go_after_their_period_documents_later_and_only_with_every_receipt() {
    let (_dir, store) = super::fresh();
    let now = eingang_store::now_ms();
    let (old, old_doc, old_blobs) = released(&store, 3, None);
    deliver(&store, &old_doc, now - 40 * DAY);
    let (recent, recent_doc, recent_blobs) = released(&store, 2, None);
    deliver(&store, &recent_doc, now - 2 * DAY);
    let (waiting, _, waiting_blobs) = released(&store, 2, None); // never delivered

    let p = store.purge(&policy(now, 30, 90)).unwrap();
    assert_eq!((p.batches, p.pages, p.documents), (1, 3, 0), "{p:?}");
    assert_eq!(p.blobs, 9, "raw, image and thumbnail of three pages");
    assert!(p.bytes > 0);
    // The old batch's page images are gone (rows stay, marked); its PDF stays until 90 days.
    let pages = store.with_conn(|c| pages::pages(c, &old)).unwrap();
    assert!(pages
        .iter()
        .all(|p| p.raw_blob.is_empty() && p.image_blob.is_none()));
    assert!(store
        .with_conn(|c| batches::batch(c, &old))
        .unwrap()
        .purged_at
        .is_some());
    assert_eq!(
        old_blobs.iter().filter(|h| exists(&store, h)).count(),
        1,
        "the PDF"
    );
    assert!(recent_blobs
        .iter()
        .chain(&waiting_blobs)
        .all(|h| exists(&store, h)));
    // Nothing of an undelivered batch, whatever its age.
    let p = store.purge(&policy(now + 3650 * DAY, 30, 90)).unwrap();
    assert!(waiting_blobs.iter().all(|h| exists(&store, h)), "{p:?}");
    assert_eq!(p.documents, 2, "the two delivered documents, 10 years on");
    assert!(!exists(&store, &old_blobs[9]));
    let doc = store
        .with_conn(|c| documents::document(c, &old_doc))
        .unwrap();
    assert_eq!(
        (doc.pdf_blob.as_str(), doc.sha256.len()),
        ("", 64),
        "the hash stays"
    );
    let _ = (recent, waiting);
    let kinds: Vec<String> = store
        .with_conn(audit::records)
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .filter(|k| k.starts_with("retention."))
        .collect();
    assert_eq!(
        kinds,
        [
            "retention.scans_purged",
            "retention.scans_purged",
            "retention.document_purged",
            "retention.document_purged"
        ]
    );
    assert!(store.with_conn(audit::verify).unwrap().is_ok());
}

#[test]
fn the_ocr_text_goes_with_the_page_images_and_what_was_learned_with_the_document() {
    let (_dir, store) = super::fresh();
    let now = eingang_store::now_ms();
    let (old, old_doc, _) = released(&store, 2, None);
    deliver(&store, &old_doc, now - 100 * DAY);
    let (waiting, waiting_doc, _) = released(&store, 1, None); // never delivered
    let example = |doc: &DocumentId| auto::Example {
        document_id: doc.to_string(),
        doctype: "antrag".into(),
        unit: "63".into(),
        tokens: vec!["bauantrag".into(), "carport".into()],
    };
    store
        .with_tx(|c| {
            auto::add_example(c, &old_doc, &example(&old_doc))?;
            auto::add_example(c, &waiting_doc, &example(&waiting_doc))
        })
        .unwrap();
    let text = |b| {
        store
            .with_conn(|c| {
                pages::pages(c, b)?
                    .iter()
                    .map(|p| pages::ocr_words(c, &p.id))
                    .collect::<eingang_store::Result<Vec<_>>>()
            })
            .unwrap()
    };
    assert!(text(&old).iter().all(Option::is_some));

    let p = store.purge(&policy(now, 30, 90)).unwrap();
    assert_eq!((p.batches, p.documents, p.examples), (1, 1, 1), "{p:?}");
    assert!(
        text(&old).iter().all(Option::is_none),
        "the OCR text is gone"
    );
    assert!(text(&waiting).iter().all(Option::is_some));
    let left = store.with_conn(auto::examples).unwrap();
    assert_eq!(left, [example(&waiting_doc)]);
    // A released batch's OCR text can be removed, never written again.
    let page = store.with_conn(|c| pages::pages(c, &old)).unwrap()[0].id;
    let e = store
        .with_tx(|c| {
            c.execute(
                "UPDATE pages SET ocr_json = '{}' WHERE id = ?1",
                [page.to_string()],
            )?;
            Ok(())
        })
        .unwrap_err();
    assert!(e.to_string().contains("released"), "{e}");
}

#[test]
fn a_batch_on_hold_is_never_purged_and_a_shared_blob_stays_while_named() {
    let (_dir, store) = super::fresh();
    let now = eingang_store::now_ms();
    let shared = b"the same raw scan in two batches";
    let (held, held_doc, held_blobs) = released(&store, 2, Some(shared));
    let (other, other_doc, _) = released(&store, 1, Some(shared));
    deliver(&store, &held_doc, now - 400 * DAY);
    deliver(&store, &other_doc, now - 400 * DAY);
    store.with_conn(|c| set_hold(c, &held, true)).unwrap();

    let p = store.purge(&policy(now, 30, 90)).unwrap();
    assert_eq!((p.batches, p.held), (1, 1), "{p:?}");
    assert!(
        held_blobs.iter().all(|h| exists(&store, h)),
        "on hold: everything stays"
    );
    assert!(
        exists(&store, &held_blobs[0]),
        "the shared scan is still named by the held batch"
    );
    assert!(store
        .with_conn(|c| batches::batch(c, &other))
        .unwrap()
        .purged_at
        .is_some());
    // Hold lifted: purged at the next run, the shared scan with it.
    store.with_conn(|c| set_hold(c, &held, false)).unwrap();
    store.purge(&policy(now, 30, 90)).unwrap();
    assert!(!exists(&store, &held_blobs[0]));
    let kinds: Vec<String> = store
        .with_conn(audit::records)
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert!(
        kinds.contains(&"batch.hold".to_owned()) && kinds.contains(&"batch.hold_lifted".to_owned())
    );
}

#[test]
fn files_listed_by_a_purge_killed_after_its_commit_are_removed_at_the_next_run() {
    let (_dir, store) = super::fresh();
    let b = store
        .blobs()
        .put(b"left behind by a purge killed after its commit")
        .unwrap();
    assert!(exists(&store, &b.hash));
    store
        .with_conn(|c| {
            c.execute(
                "INSERT INTO purge_files (hash, size) VALUES (?1, ?2)",
                rusqlite::params![b.hash, 47],
            )?;
            Ok(())
        })
        .unwrap();
    let p = store
        .purge(&policy(eingang_store::now_ms(), 30, 90))
        .unwrap();
    assert_eq!((p.blobs, p.bytes), (1, 47));
    assert!(!exists(&store, &b.hash));
    let left: i64 = store
        .with_conn(|c| Ok(c.query_row("SELECT count(*) FROM purge_files", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn a_clock_set_back_purges_nothing() {
    let (_dir, store) = super::fresh();
    let now = eingang_store::now_ms();
    let (_, doc, blobs) = released(&store, 1, None);
    deliver(&store, &doc, now);
    // The machine's clock a year behind the receipt.
    let p = store.purge(&policy(now - 365 * DAY, 30, 90)).unwrap();
    assert_eq!(p, eingang_store::retention::Purged::default());
    assert!(blobs.iter().all(|h| exists(&store, h)));
}

#[test]
fn a_delivered_submission_loses_its_answers_and_files_and_nothing_else_can_change_it() {
    let (_dir, store) = super::fresh();
    let now = eingang_store::now_ms();
    let put = |bytes: &[u8]| {
        let b = store.blobs().put(bytes).unwrap();
        store.with_conn(|c| blobs::insert(c, &b)).unwrap();
        b.hash
    };
    let (pdf, photo) = (put(b"the submission's PDF"), put(b"a photo of the site"));
    let attachments = format!(r#"[{{"field":"foto","name":"foto.jpg","blob":"{photo}"}}]"#);
    let id = "0190f0f0-0000-7000-8000-000000000001";
    store
        .with_tx(|c| {
            queue_submission(
                c,
                id,
                "1",
                r#"{"name":"Erika Mustermann"}"#,
                &attachments,
                &pdf,
            )?;
            let row: i64 = c.query_row("SELECT id FROM outbox WHERE item_id = ?1", [id], |r| {
                r.get(0)
            })?;
            outbox::mark_delivered(c, row, "dav://dms/x", "ab", now - 100 * DAY)
        })
        .unwrap();
    let p = store.purge(&policy(now, 30, 90)).unwrap();
    assert_eq!((p.submissions, p.blobs), (1, 2), "{p:?}");
    assert!(!exists(&store, &pdf) && !exists(&store, &photo));
    let (data, purged): (String, Option<i64>) = store
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT data_json, purged_at FROM submissions WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(data, "{}", "the answers are gone");
    assert!(purged.is_some());
    // Still immutable otherwise.
    let e = store
        .with_conn(|c| {
            c.execute("UPDATE submissions SET form_id = 'x' WHERE id = ?1", [id])?;
            Ok(())
        })
        .unwrap_err();
    assert!(e.to_string().contains("immutable"), "{e}");
}

#[test]
fn doctor_sees_what_the_files_hold_and_how_long_the_disk_lasts() {
    let (dir, store) = super::fresh();
    let now = eingang_store::now_ms();
    let (_, doc, _) = released(&store, 2, None);
    deliver(&store, &doc, now);
    let r = eingang_store::inspect::inspect(dir.path());
    let st = r.storage.expect("the storage of a current schema");
    // Six page files ("raw|image|thumb <uuid>", 40–42 bytes each) and the PDF.
    assert!(st.pages > 6 * 39 && st.pages < 6 * 43, "{st:?}");
    assert!(st.documents > 0 && st.submissions == 0, "{st:?}");
    assert_eq!(st.total, st.pages + st.documents);
    assert_eq!(st.last_week, st.total, "all stored today");
    // At last week's rate (total / 7 a day), 70 days of it fit into ten times the total.
    let days = eingang_store::inspect::days_left(&st, st.total * 10);
    assert!(days.is_some_and(|d| (69..=71).contains(&d)), "{days:?}");
    store.purge(&policy(now + 31 * DAY, 30, 90)).unwrap();
    let after = eingang_store::inspect::inspect(dir.path()).storage.unwrap();
    assert_eq!((after.pages, after.total), (0, st.documents), "{after:?}");
}

#[test]
fn a_receipt_the_dms_disowns_keeps_the_files_until_the_item_is_delivered_again() {
    let (_dir, store) = super::fresh();
    let now = eingang_store::now_ms();
    let (batch, doc, hashes) = released(&store, 2, None);
    deliver(&store, &doc, now - 200 * DAY);
    let row: i64 = store
        .with_conn(|c| {
            Ok(c.query_row(
                "SELECT id FROM outbox WHERE item_id = ?1",
                [doc.to_string()],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    store
        .with_tx(|c| batches::settle_originals(c, &batch))
        .unwrap();
    assert!(store
        .with_conn(|c| batches::batch(c, &batch))
        .unwrap()
        .destroyable_at
        .is_some());

    // The DMS says the file is gone: the receipt is void.
    store
        .with_tx(|c| outbox::void_receipt(c, row, "the DMS has no such document"))
        .unwrap()
        .unwrap();
    let b = store.with_conn(|c| batches::batch(c, &batch)).unwrap();
    assert!(
        b.destroyable_at.is_none(),
        "the paper may no longer be destroyed"
    );
    let item = store.with_conn(|c| outbox::item(c, row)).unwrap().unwrap();
    assert!(item.receipt.is_none());
    assert_eq!(item.error.unwrap().code, "sync.receipt_void");
    let last = store.with_conn(audit::records).unwrap().pop().unwrap();
    assert_eq!(last.kind, "delivery.receipt_void");
    assert!(
        last.details.contains("dav://dms/x"),
        "the old receipt is kept: {}",
        last.details
    );

    // Long past every period: nothing of it is purged while it waits.
    let purged = store.purge(&policy(now, 30, 90)).unwrap();
    assert_eq!((purged.batches, purged.documents), (0, 0));
    assert!(hashes.iter().all(|h| exists(&store, h)));
    // A second void of a row that is not delivered is refused.
    assert_eq!(
        store
            .with_tx(|c| outbox::void_receipt(c, row, "again"))
            .unwrap(),
        Err(outbox::NotVoided::NotDelivered)
    );

    // Delivered again (a new receipt, long ago for the test): the purge goes on.
    deliver(&store, &doc, now - 200 * DAY);
    let purged = store.purge(&policy(now, 30, 90)).unwrap();
    assert_eq!((purged.batches, purged.documents), (1, 1));
    // Once purged, a receipt can no longer be voided: nothing is left to send again.
    assert_eq!(
        store
            .with_tx(|c| outbox::void_receipt(c, row, "too late"))
            .unwrap(),
        Err(outbox::NotVoided::Purged)
    );
}

/// The Postausgang names what it lists: a submission by its form's caption (the
/// Aktenzeichen typed) and reference number, a document by its Aktenzeichen and batch.
#[test]
fn outbox_items_are_named_by_caption_reference_aktenzeichen_and_batch() {
    let (_dir, store) = super::fresh();
    let (_, doc, _) = released(&store, 1, None);
    let id = "0190f0f0-0000-7000-8000-000000000002";
    store
        .with_tx(|c| {
            queue_submission(
                c,
                id,
                "1.0",
                r#"{"aktenzeichen":"530.12-2026-0100","anschrift":"Markt 1"}"#,
                "[]",
                &"cd".repeat(32),
            )
        })
        .unwrap();
    let (items, _) = store.with_conn(|c| outbox::items(c, None, 50)).unwrap();
    let sub = items.iter().find(|i| i.item_id == id).unwrap();
    assert_eq!(sub.caption.as_deref(), Some("530.12-2026-0100"));
    assert_eq!(
        sub.reference.as_deref(),
        Some(eingang_model::draft::reference_code(id).as_str())
    );
    assert_eq!(sub.batch, None);
    let d = items.iter().find(|i| i.item_id == doc.to_string()).unwrap();
    assert_eq!(d.form_id.as_deref(), Some("Brief"));
    assert_eq!(d.caption.as_deref(), Some("530.12-2026-0007"));
    assert_eq!(d.batch.as_deref(), Some("b"));
    assert_eq!(d.reference, None);
    // One row by id names it the same way.
    let one = store
        .with_conn(|c| outbox::item(c, sub.id))
        .unwrap()
        .unwrap();
    assert_eq!(one.caption.as_deref(), Some("530.12-2026-0100"));
    // Index values in another shape (an older writer's object, or no JSON at all) leave the
    // document without an Aktenzeichen — the list still comes.
    for odd in [r#"{"aktenzeichen":"x"}"#, "not json", "[1, [2]]"] {
        store
            .with_conn(|c| {
                c.execute("UPDATE documents SET index_json = ?1", [odd])?;
                Ok(())
            })
            .unwrap();
        let (items, _) = store.with_conn(|c| outbox::items(c, None, 50)).unwrap();
        let d = items.iter().find(|i| i.item_id == doc.to_string()).unwrap();
        assert_eq!(d.caption, None, "{odd}");
    }
}

/// An Ortstermin submission written and queued for "dms" (inside the caller's transaction).
fn queue_submission(
    c: &rusqlite::Connection,
    id: &str,
    version: &str,
    data: &str,
    attachments: &str,
    pdf: &str,
) -> eingang_store::Result<()> {
    eingang_store::tables::submissions::insert(
        c,
        &eingang_store::tables::submissions::NewSubmission {
            id,
            draft_id: eingang_model::DraftId::new(),
            form_id: "ortstermin",
            form_version: version,
            data_json: data,
            xml: Some("<x/>"),
            attachments_json: attachments,
            sha256: &"ab".repeat(32),
            created_at: 1,
            pdf_blob: pdf,
        },
    )?;
    outbox::enqueue(c, "submission", id, "dms", 1)
}
