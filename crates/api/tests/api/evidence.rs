//! Evidence at release, with the key in a SoftHSM2 token and certomancer's timestamp
//! authority: protection need *hoch* is refused without a seal and without the stored PIN,
//! released sealed and timestamped with them; *normal* without a seal or a justification is
//! released but its originals are kept.

use eingang_api::batches::{self, ReleaseRequest};
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

fn request(seal: SealSection, timestamp: TimestampSection) -> ReleaseRequest {
    ReleaseRequest {
        title: "Posteingang".into(),
        index: vec![],
        targets: vec!["default".into()],
        station: None,
        seal,
        timestamp,
        authenticated: false,
    }
}

#[test]
fn hoch_is_refused_without_a_seal_and_without_the_pin_then_released_sealed_and_timestamped() {
    let pki = Pki::shared();
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "hoch");

    let e = batches::release(
        &store,
        &batch,
        &request(SealSection::default(), TimestampSection::default()),
    )
    .unwrap_err();
    assert_eq!(e.code(), "seal.required", "{e}");
    assert!(e.to_string().contains("protection need hoch"), "{e}");

    let (seal, timestamp) = sealed_by(pki);
    let e =
        batches::release(&store, &batch, &request(seal.clone(), timestamp.clone())).unwrap_err();
    assert_eq!(e.code(), "seal.no_pin", "{e}");
    assert!(
        !batches::get(&store, &batch).unwrap().released,
        "nothing was released"
    );

    eingang_sync::secrets::set_password(
        &store,
        eingang_config::evidence::SEAL_PIN_SECRET,
        &pki.pin(),
    )
    .unwrap();
    let docs = batches::release(&store, &batch, &request(seal.clone(), timestamp)).unwrap();
    assert_eq!(docs.len(), 1);
    let summary = batches::get(&store, &batch).unwrap();
    assert!(summary.released && summary.destroyable);
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
    eingang_sync::secrets::set_password(
        &store,
        eingang_config::evidence::SEAL_PIN_SECRET,
        &pki.pin(),
    )
    .unwrap();
    let (seal, timestamp) = sealed_by(pki);
    let e =
        batches::release(&store, &batch, &request(seal.clone(), timestamp.clone())).unwrap_err();
    assert_eq!(e.code(), "signin.required", "{e}");
    assert!(!batches::get(&store, &batch).unwrap().released);
    let mut signed_in = request(seal, timestamp);
    signed_in.authenticated = true;
    assert_eq!(
        batches::release(&store, &batch, &signed_in).unwrap().len(),
        1
    );
}

#[test]
fn a_pkcs12_seal_key_releases_sealed_documents_like_the_token() {
    let pki = Pki::shared();
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "hoch");
    eingang_sync::secrets::set_password(
        &store,
        eingang_config::evidence::SEAL_PIN_SECRET,
        &pki.pin(),
    )
    .unwrap();
    let (_, timestamp) = sealed_by(pki);
    let seal = SealSection {
        pkcs12: Some(pki.pkcs12()),
        trust: vec![pki.cert_path("root")],
        ..SealSection::default()
    };
    let docs = batches::release(&store, &batch, &request(seal.clone(), timestamp)).unwrap();
    let file = dir.path().join("p12.pdf");
    std::fs::write(&file, store.blobs().get(&docs[0].pdf_blob).unwrap()).unwrap();
    let report = eingang_api::evidence::verify_file(&file, &seal, &[]).unwrap();
    assert!(report.valid(), "{report:#?}");
}

#[test]
fn normal_without_a_seal_keeps_the_originals_unless_a_justification_is_written() {
    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "normal");
    batches::release(
        &store,
        &batch,
        &request(SealSection::default(), TimestampSection::default()),
    )
    .unwrap();
    let summary = batches::get(&store, &batch).unwrap();
    assert!(summary.released && !summary.destroyable);

    let (dir, store) = crate::fresh();
    let batch = checked_batch(&store, dir.path(), "normal");
    let seal = SealSection {
        justification: Some(
            "Schutzbedarf normal: SHA-256 und Audit-Kette genügen (Dienstanweisung 4/2026)".into(),
        ),
        ..SealSection::default()
    };
    let docs =
        batches::release(&store, &batch, &request(seal, TimestampSection::default())).unwrap();
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
