//! Evidence at release, with the key in a SoftHSM2 token and certomancer's timestamp
//! authority: protection need *hoch* is refused without a seal and without the stored PIN,
//! released sealed and timestamped with them; *normal* without a seal or a justification is
//! released but its originals are kept; an unreachable timestamp service leaves the release
//! waiting (frozen, retried) and never releases unsealed.

use eingang_api::batches;
use eingang_api::release::{self, ReleaseRequest, Released};
use eingang_config::{SealSection, TimestampSection};
use eingang_seal::testing::{Pki, MODULE};
use eingang_store::Store;

/// A batch of two pages with the given protection need, processed and checked (no OCR).
fn checked_batch(store: &Store, dir: &std::path::Path, protection: &str) -> eingang_model::BatchId {
    let id = format!("p-{protection}");
    let json = format!(
        r#"{{"id":"{id}","name":"Test {protection}","mode":"Gray","resolution":150,
            "processing":{{"ocr":false,"mode":"grey"}},"pdfa":"2b",
            "qc":{{"protection":"{protection}","four_eyes":true}}}}"#
    );
    let profile: eingang_capture::profile::ScanProfile = serde_json::from_str(&json).unwrap();
    eingang_capture::profile::save_profile(store, &profile).unwrap();
    let batch: eingang_model::BatchId =
        batches::create(store, &format!("Stapel {protection}"), Some(&id))
            .unwrap()
            .id
            .parse()
            .unwrap();
    let files: Vec<_> = (0..2)
        .map(|n| {
            let f = dir.join(format!("{protection}-{n}.png"));
            image::GrayImage::from_fn(400, 560, |x, y| {
                image::Luma([if (x / 20 + y / 20 + n) % 7 == 0 {
                    20
                } else {
                    235
                }])
            })
            .save(&f)
            .unwrap();
            f
        })
        .collect();
    let report = batches::import_paths(store, &batch, &files, &|_| {}).unwrap();
    assert_eq!(
        (report.processed, report.failed_pages),
        (2, 0),
        "{report:?}"
    );
    eingang_capture::qc::pass_open(store, &batch, "Prüferin").unwrap();
    batch
}

/// The seal's PIN into the station's key store, as `eingang seal pin` does.
fn store_pin(store: &Store, pki: &Pki) {
    eingang_sync::secrets::set_password(
        store,
        eingang_config::evidence::SEAL_PIN_SECRET,
        &pki.pin(),
    )
    .unwrap();
}

/// The test PKI's seal key on the SoftHSM2 token and its timestamp authority.
fn sealed_by(pki: &Pki) -> (SealSection, TimestampSection) {
    let seal = SealSection {
        module: Some(MODULE.into()),
        token: Some("eingang-siegel".into()),
        key: Some("seal".into()),
        name: Some("Stadt Musterstadt, Scanstelle".into()),
        trust: vec![pki.cert_path("root")],
        ..SealSection::default()
    };
    let timestamp = TimestampSection {
        url: Some(pki.tsa_url()),
        ..TimestampSection::default()
    };
    (seal, timestamp)
}

/// The documents of a release that went through.
fn done(r: eingang_api::Result<Released>) -> Vec<eingang_store::tables::documents::DocumentRow> {
    match r.unwrap() {
        Released::Done(docs) => docs,
        Released::Waiting(w) => panic!("the release waits: {w:?}"),
    }
}

fn request(seal: SealSection, timestamp: TimestampSection) -> ReleaseRequest {
    ReleaseRequest {
        title: "Posteingang".into(),
        index: vec![("dokumentart".into(), "Brief".into())],
        targets: vec!["default".into()],
        station: None,
        seal,
        timestamp,
        authenticated: false,
        automatic: Vec::new(),
    }
}

#[test]
fn hoch_is_refused_without_a_seal_and_without_the_pin_then_released_sealed_and_timestamped() {
    let pki = Pki::shared();
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "hoch");

    let e = release::release(
        &store,
        &batch,
        &request(SealSection::default(), TimestampSection::default()),
    )
    .unwrap_err();
    assert_eq!(e.code(), "seal.required", "{e}");
    assert!(e.to_string().contains("protection need hoch"), "{e}");

    let (seal, timestamp) = sealed_by(pki);
    let e =
        release::release(&store, &batch, &request(seal.clone(), timestamp.clone())).unwrap_err();
    assert_eq!(e.code(), "seal.no_pin", "{e}");
    assert!(
        !batches::get(&store, &batch).unwrap().released,
        "nothing was released"
    );

    store_pin(&store, pki);
    let docs = done(release::release(
        &store,
        &batch,
        &request(seal.clone(), timestamp),
    ));
    assert_eq!(docs.len(), 1);
    let summary = batches::get(&store, &batch).unwrap();
    assert!(summary.released && summary.originals_eligible && !summary.destroyable);
    let pdf = store.blobs().get(&docs[0].pdf_blob).unwrap();
    let file = dir.path().join("sealed.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let report = eingang_api::evidence::verify_file(&file, &seal, &[]).unwrap();
    assert!(report.valid(), "{report:#?}");
    assert_eq!(
        report.signatures[0].timestamp_authority.as_deref(),
        Some("Test-Zeitstempeldienst")
    );
    assert_eq!(
        eingang_pdf::check_pdfa_file(&file, eingang_pdf::PdfA::A2b),
        Vec::<String>::new()
    );
    let (ok, text) = pki.pyhanko(&file);
    assert!(ok, "pyHanko: {text}");
    // The Transfervermerk names the protection; the integrity record carries a CMS seal.
    let tv = store
        .blobs()
        .get(docs[0].transfer_blob.as_deref().unwrap())
        .unwrap();
    let tv = String::from_utf8(tv).unwrap();
    assert!(
        tv.contains(r#"<integritaetsschutz art="siegel+zeitstempel">"#),
        "{tv}"
    );
    let integrity: serde_json::Value =
        serde_json::from_str(docs[0].integrity.as_deref().unwrap()).unwrap();
    assert!(
        integrity["sealer"].as_str().unwrap().starts_with("PAdES ("),
        "{integrity}"
    );
    assert!(
        integrity["seal"].as_str().is_some_and(|s| s.len() > 1000),
        "{integrity}"
    );
}

#[test]
fn sehr_hoch_needs_people_signed_in_against_the_directory_even_with_seal_and_timestamp() {
    let pki = Pki::shared();
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "sehr_hoch");
    store_pin(&store, pki);
    let (seal, timestamp) = sealed_by(pki);
    let e =
        release::release(&store, &batch, &request(seal.clone(), timestamp.clone())).unwrap_err();
    assert_eq!(e.code(), "signin.required", "{e}");
    assert!(!batches::get(&store, &batch).unwrap().released);
    let mut signed_in = request(seal, timestamp);
    signed_in.authenticated = true;
    assert_eq!(done(release::release(&store, &batch, &signed_in)).len(), 1);
}

#[test]
fn a_pkcs12_seal_key_releases_sealed_documents_like_the_token() {
    let pki = Pki::shared();
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "hoch");
    store_pin(&store, pki);
    let (_, timestamp) = sealed_by(pki);
    let seal = SealSection {
        pkcs12: Some(pki.pkcs12()),
        trust: vec![pki.cert_path("root")],
        ..SealSection::default()
    };
    let docs = done(release::release(
        &store,
        &batch,
        &request(seal.clone(), timestamp),
    ));
    let file = dir.path().join("p12.pdf");
    std::fs::write(&file, store.blobs().get(&docs[0].pdf_blob).unwrap()).unwrap();
    let report = eingang_api::evidence::verify_file(&file, &seal, &[]).unwrap();
    assert!(report.valid(), "{report:#?}");
}

#[test]
fn normal_without_a_seal_keeps_the_originals_unless_a_justification_is_written() {
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "normal");
    done(release::release(
        &store,
        &batch,
        &request(SealSection::default(), TimestampSection::default()),
    ));
    let summary = batches::get(&store, &batch).unwrap();
    assert!(summary.released && !summary.originals_eligible);

    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "normal");
    let seal = SealSection {
        justification: Some(
            "Schutzbedarf normal: SHA-256 und Audit-Kette genügen (Dienstanweisung 4/2026)".into(),
        ),
        ..SealSection::default()
    };
    let docs = done(release::release(
        &store,
        &batch,
        &request(seal, TimestampSection::default()),
    ));
    // Eligible; destroyable once the receipts are in (delivered below).
    assert!(batches::get(&store, &batch).unwrap().originals_eligible);
    assert!(!batches::get(&store, &batch).unwrap().destroyable);
    deliver_all(&store);
    assert!(batches::get(&store, &batch).unwrap().destroyable);
    let tv = String::from_utf8(
        store
            .blobs()
            .get(docs[0].transfer_blob.as_deref().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(
        tv.contains(r#"<integritaetsschutz art="keiner">Schutzbedarf normal: SHA-256"#),
        "{tv}"
    );
}

/// Every queued document delivered with a receipt (as the sync worker records it).
fn deliver_all(store: &Store) {
    let rows: Vec<i64> = store
        .with_conn(|c| {
            let mut s = c.prepare("SELECT id FROM outbox WHERE item_kind = 'document'")?;
            let ids = s.query_map([], |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap();
    for id in rows {
        store
            .with_tx(|c| {
                eingang_store::tables::outbox::mark_delivered(c, id, "dav://dms/x.pdf", "aa", 1)
            })
            .unwrap();
    }
}

#[test]
fn an_unreachable_timestamp_service_leaves_the_release_waiting_frozen_and_retried_never_unsealed() {
    let pki = Pki::shared();
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "sehr_hoch");
    store_pin(&store, pki);
    let (seal, timestamp) = sealed_by(pki);
    // A port nobody listens on: the city's timestamp service is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = TimestampSection {
        url: Some(format!("http://{}/tsa", closed.local_addr().unwrap())),
        timeout_secs: Some(2),
        ..TimestampSection::default()
    };
    drop(closed);
    let mut asked = request(seal.clone(), down.clone());
    asked.authenticated = true;
    asked.index = vec![("dokumentart".into(), "Antrag".into())];
    let Released::Waiting(w) = release::release(&store, &batch, &asked).unwrap() else {
        panic!("released without a timestamp")
    };
    assert_eq!((w.attempts, w.code.as_str()), (1, "tsa.unreachable"));
    assert!(
        w.next_at > eingang_store::now_ms() + 50_000,
        "first retry after a minute"
    );
    let summary = batches::get(&store, &batch).unwrap();
    assert!(!summary.released && summary.release_waiting.is_some());
    let nothing_queued = store
        .with_conn(|c| eingang_store::tables::documents::documents(c, &batch))
        .unwrap();
    assert!(
        nothing_queued.is_empty(),
        "no document without its timestamp"
    );
    // Frozen while it waits: the pages are as they were when release was asked for.
    let page = batches::view(&store, &batch).unwrap().pages[0]
        .id
        .parse()
        .unwrap();
    let e = batches::edit_page(&store, &page, eingang_model::PageEdit::Rotation(1)).unwrap_err();
    assert_eq!(e.code(), "batch.release_pending", "{e}");

    // Not due yet: nothing tried. Tried (all) while the service is still down: waits longer.
    let mut cfg = eingang_config::Config {
        seal: seal.clone(),
        timestamp: down,
        ..eingang_config::Config::default()
    };
    cfg.directory.url = Some("ldap://127.0.0.1:1".into());
    assert!(release::retry_due(&store, &cfg, false).unwrap().is_empty());
    let tried = release::retry_due(&store, &cfg, true).unwrap();
    assert!(
        matches!(&tried[..], [(b, Ok(Released::Waiting(w)))] if *b == batch && w.attempts == 2)
    );

    // The service is back: the next try releases, sealed and timestamped, with what the
    // clerk asked for.
    cfg.timestamp = timestamp;
    let tried = release::retry_due(&store, &cfg, true).unwrap();
    let [(_, Ok(Released::Done(docs)))] = &tried[..] else {
        panic!("{tried:?}")
    };
    assert_eq!(
        docs[0].index,
        [("dokumentart".to_owned(), "Antrag".to_owned())]
    );
    let summary = batches::get(&store, &batch).unwrap();
    assert!(summary.released && summary.release_waiting.is_none());
    let file = dir.path().join("later.pdf");
    std::fs::write(&file, store.blobs().get(&docs[0].pdf_blob).unwrap()).unwrap();
    let report = eingang_api::evidence::verify_file(&file, &seal, &[]).unwrap();
    assert!(report.valid(), "{report:#?}");
    assert!(report.signatures[0].timestamp.is_some(), "{report:#?}");
}

#[test]
fn a_withdrawn_release_unfreezes_the_batch() {
    let pki = Pki::shared();
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "hoch");
    store_pin(&store, pki);
    let (seal, _) = sealed_by(pki);
    let down = TimestampSection {
        url: Some("http://127.0.0.1:9/tsa".into()),
        timeout_secs: Some(2),
        ..TimestampSection::default()
    };
    let r = release::release(&store, &batch, &request(seal, down)).unwrap();
    assert!(matches!(r, Released::Waiting(_)), "{r:?}");
    release::withdraw(&store, &batch).unwrap();
    let page = batches::view(&store, &batch).unwrap().pages[0]
        .id
        .parse()
        .unwrap();
    batches::edit_page(&store, &page, eingang_model::PageEdit::Rotation(1)).unwrap();
    assert!(batches::get(&store, &batch)
        .unwrap()
        .release_waiting
        .is_none());
    assert_eq!(
        release::withdraw(&store, &batch).unwrap_err().code(),
        "input.not_pending"
    );
}

#[test]
fn the_release_summary_names_documents_gaps_protection_and_refusal_without_changing_anything() {
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "normal");
    // The second page starts a second document (a manual break); no type for either yet.
    let view = batches::view(&store, &batch).unwrap();
    let second = view.pages[1].id.parse().unwrap();
    batches::edit_page(
        &store,
        &second,
        eingang_model::PageEdit::StartsDocument(true),
    )
    .unwrap();
    // The check was passed for one document; the break makes two: check again.
    eingang_capture::qc::pass_open(&store, &batch, "Prüferin").unwrap();
    let mut asked = request(SealSection::default(), TimestampSection::default());
    asked.index.clear();
    let targets = vec!["Ablage".to_owned()];
    let p = release::preview(&store, &batch, &asked, targets.clone()).unwrap();
    assert_eq!((p.documents.len(), p.pages), (2, 2));
    assert_eq!(p.documents[1].title, "Posteingang (2/2)");
    assert!(p.documents.iter().all(|d| d
        .issues
        .iter()
        .any(|i| i.field == "dokumentart" && i.code == "required")));
    let (code, text) = p.blocked.clone().unwrap();
    assert_eq!(code, "index.invalid", "{text}");
    assert!(text.contains("document 1"), "{text}");
    assert!(p.qc_passed && p.qc_open == 0);
    assert_eq!(
        (p.protection_need.as_str(), p.protection.as_str()),
        ("normal", "keiner")
    );
    assert!(
        !p.originals_after_delivery,
        "no seal, no justification: originals kept"
    );
    assert_eq!(p.targets, targets);

    // Typed, with the written justification: nothing blocks, originals may go once delivered.
    asked.index = vec![("dokumentart".into(), "Brief".into())];
    asked.seal.justification = Some("Schutzbedarf normal (Dienstanweisung 4/2026)".into());
    let p = release::preview(&store, &batch, &asked, targets).unwrap();
    assert_eq!(p.blocked, None, "{p:?}");
    assert!(p.justification && p.originals_after_delivery);
    let summary = batches::get(&store, &batch).unwrap();
    assert!(
        !summary.released && summary.documents == 0,
        "a summary releases nothing"
    );
}
