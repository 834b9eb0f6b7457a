//! Automatic indexing end to end on generated incoming mail (`scripts/auto/mail.py`: letters
//! with letterheads, address blocks, dates and Aktenzeichen in their spellings, enclosures,
//! blank backs, pages fed turned) through the real pipeline: the orientation read while
//! processing, Tesseract's OCR, the suggestions, applying them, learning at release, and a
//! damaged model.

use eingang_api::{auto, batches, release, station, straight_through};
use eingang_capture::ocr::Tesseract;
use eingang_model::BatchId;
use eingang_store::tables::auto as table;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Generates `docs` documents (seed `seed`, 200 dpi) into `dir`: the page files in scan
/// order and the truth.
fn mail(dir: &Path, docs: u32, seed: u32) -> (Vec<PathBuf>, Value) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/auto/mail.py");
    let out = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg(dir)
        .args([docs.to_string(), seed.to_string(), "200".into()])
        .output()
        .expect("python3 with PIL (python3-pil) runs the mail generator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap();
    let files = truth["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| dir.join(p["file"].as_str().unwrap()))
        .collect();
    (files, truth)
}

/// A batch of the files with the built-in grey profile (orientation on), four-eyes off for
/// the test's single person, blank backs expected (duplex), read by OCR.
fn read_batch(store: &eingang_store::Store, files: &[PathBuf], name: &str) -> BatchId {
    let mut profile = batches::profile(store, Some("standard")).unwrap();
    profile.id = "auto-test".into();
    profile.qc.four_eyes = false;
    profile.qc.blank_backs = true;
    eingang_capture::profile::save_profile(store, &profile).unwrap();
    let batch: BatchId = batches::create(store, name, Some("auto-test"))
        .unwrap()
        .id
        .parse()
        .unwrap();
    let report = batches::import_paths(store, &batch, files, &|_| {}).unwrap();
    assert_eq!(report.processed as usize, files.len(), "{report:?}");
    let tess = Tesseract::find("deu+eng").expect("Tesseract with deu and eng");
    let read = station::ocr(store, &tess, Some(&batch), 2, &|_, _| {}).unwrap();
    assert_eq!(read.failed, 0);
    batch
}

/// Indexes each document with its true values, passes the check and releases the batch.
fn release_as_true(store: &eingang_store::Store, batch: &BatchId, docs: &[Value]) {
    for (k, t) in docs.iter().enumerate() {
        let first = station::document(store, batch, k + 1).unwrap();
        let get = |f: &str| t[f].as_str().unwrap().to_owned();
        station::set_index(
            store,
            batch,
            &first,
            vec![
                ("dokumentart".into(), get("type")),
                ("organisationseinheit".into(), get("unit")),
                ("absender".into(), get("sender")),
                ("briefdatum".into(), get("date")),
            ],
        )
        .unwrap();
    }
    station::check(store, batch, &[], true, "").unwrap();
    release::release(store, batch, &request()).unwrap();
}

/// A release to the default target, protection need normal with its justification.
fn request() -> release::ReleaseRequest {
    release::ReleaseRequest {
        title: "Posteingang".into(),
        targets: vec!["default".into()],
        seal: eingang_config::SealSection {
            justification: Some("Test: Schutzbedarf normal".into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Every page's turn and document start, every document's date, Aktenzeichen (with where it
/// was read) and unit as the truth has them.
fn assert_as_true(s: &eingang_model::auto::BatchSuggestions, truth: &Value) {
    let pages = truth["pages"].as_array().unwrap();
    assert_eq!(s.pages.len(), pages.len());
    assert_eq!(s.ocr_pending, 0);
    assert_eq!(s.model, "empty");
    for (p, t) in s.pages.iter().zip(pages) {
        assert_eq!(p.source, t["file"].as_str().unwrap());
        if !t["blank"].as_bool().unwrap() {
            let turn = u16::try_from(t["turn"].as_u64().unwrap()).unwrap() * 90;
            assert_eq!(p.turn_degrees, turn, "{p:?}");
            if turn != 0 {
                assert_eq!(p.turned_by, "auto");
            }
        }
        assert_eq!(p.starts_document, t["starts"].as_bool().unwrap(), "{p:?}");
    }
    let docs = truth["documents"].as_array().unwrap();
    assert_eq!(s.documents.len(), docs.len());
    for (d, t) in s.documents.iter().zip(docs) {
        assert_eq!(field(d, "briefdatum"), t["date"].as_str(), "{d:?}");
        let az = t["aktenzeichen"].as_str().unwrap();
        if !az.is_empty() {
            assert_eq!(field(d, "aktenzeichen"), Some(az), "{d:?}");
            let read = d.fields.iter().find(|f| f.field == "aktenzeichen").unwrap();
            let region = read.region.expect("where it was read");
            assert!(
                region.x > 0.0 && region.y > 0.0 && region.y < 0.5,
                "{region:?}"
            );
        }
        assert_eq!(
            field(d, "organisationseinheit"),
            t["unit"].as_str(),
            "{d:?}"
        );
    }
}

fn field<'a>(d: &'a eingang_model::auto::DocumentSuggestion, f: &str) -> Option<&'a str> {
    d.fields
        .iter()
        .find(|s| s.field == f)
        .map(|s| s.value.as_str())
}

#[test]
fn generated_mail_is_turned_cut_and_indexed_then_learned_at_release() {
    let (dir, store) = super::fresh();
    let (files, truth) = mail(&dir.path().join("mail"), 8, 11);
    station::import_masterdata(
        &store,
        "stammdaten.csv",
        &std::fs::read(dir.path().join("mail/stammdaten.csv")).unwrap(),
        |_| Ok(()),
    )
    .unwrap();
    let batch = read_batch(&store, &files, "Post");
    let s = auto::suggest(&store, &batch).unwrap();
    let docs = truth["documents"].as_array().unwrap();
    assert_as_true(&s, &truth);
    station_follows_the_master_data(&store, &batch, &dir.path().join("mail/stammdaten.csv"));

    // Applied: the documents as the truth has them, the values in the fields.
    let applied = auto::apply(&store, &batch, Some(0.5), Some(0.5)).unwrap();
    assert_eq!(applied.breaks as usize, docs.len() - 1);
    let current = auto::documents(&store, &batch).unwrap();
    assert_eq!(current.len(), docs.len());
    let e = auto::apply(&store, &batch, Some(1.5), None).unwrap_err();
    assert_eq!(e.code(), "input.confidence");

    // Released with the true type and unit: the model learns every document once.
    release_as_true(&store, &batch, docs);
    let status = auto::model_status(&store).unwrap();
    assert_eq!(status.state, "ready");
    assert_eq!(status.examples as usize, docs.len());
    assert_eq!(
        status
            .per_type
            .iter()
            .map(|(_, n)| *n as usize)
            .sum::<usize>(),
        docs.len()
    );
    assert_eq!(
        auto::learn_released(&store, &batch).unwrap(),
        0,
        "learned once"
    );
    odd_pages_get_no_wrong_suggestions(&store, dir.path());

    // A damaged model: not used, said so; the values already given stay; reset starts it
    // afresh, and the next release rebuilds it from what it learned.
    store
        .with_tx(|c| table::put_model(c, 1, "{ kaputt", 0))
        .unwrap();
    assert_eq!(auto::model_status(&store).unwrap().state, "damaged");
    let again = auto::suggest(&store, &batch).unwrap();
    assert_eq!(again.model, "damaged");
    assert!(again
        .documents
        .iter()
        .all(|d| d.fields.iter().all(|f| f.source != "model")));
    assert_eq!(auto::model_reset(&store).unwrap() as usize, docs.len());
    assert_eq!(auto::model_status(&store).unwrap().state, "empty");
    let kept = auto::documents(&store, &batch).unwrap();
    assert!(kept
        .iter()
        .all(|d| d.index.iter().any(|(k, _)| k == "dokumentart")));
}

/// The index station's suggestions (remembered between its calls) follow the master data:
/// types suggested by their keywords, none once the keywords are gone, again when they
/// are back.
fn station_follows_the_master_data(store: &eingang_store::Store, batch: &BatchId, csv: &Path) {
    let by_keywords = |v: &eingang_model::scan::CheckView| {
        v.documents
            .iter()
            .filter(|d| {
                d.suggestions
                    .iter()
                    .any(|f| f.field == "dokumentart" && f.source == "keywords")
            })
            .count()
    };
    let import = |text: &str| {
        station::import_masterdata(store, "stammdaten.csv", text.as_bytes(), |_| Ok(())).unwrap();
    };
    let first = station::check_view(store, batch).unwrap();
    assert!(by_keywords(&first) > 0);
    assert_eq!(station::check_view(store, batch).unwrap(), first);
    let full = std::fs::read_to_string(csv).unwrap();
    let bare: String = full
        .lines()
        .map(|l| match l.strip_prefix("dokumentart;") {
            Some(_) => format!("{};", &l[..l.rfind(';').unwrap()]),
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    import(&bare);
    assert_eq!(by_keywords(&station::check_view(store, batch).unwrap()), 0);
    import(&full);
    assert_eq!(station::check_view(store, batch).unwrap(), first);
}

/// A photo and a letter in English (scripts/auto/odd.py), read after the model learned from
/// German mail: neither is turned, neither gets a document type or a letter date, and
/// straight-through leaves both for a person — suggestions simply absent, nothing wrong.
fn odd_pages_get_no_wrong_suggestions(store: &eingang_store::Store, dir: &Path) {
    let out = dir.join("odd");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/auto/odd.py");
    let made = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg(&out)
        .arg("200")
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let files = [out.join("foto.jpg"), out.join("english.jpg")];
    let batch = read_batch(store, &files, "Sonderfälle");
    let s = auto::suggest(store, &batch).unwrap();
    assert_eq!(s.model, "ready");
    for p in &s.pages {
        assert_eq!((p.turn_degrees, p.turned_by.as_str()), (0, "none"), "{p:?}");
    }
    let photo = &s.pages[0];
    assert_eq!(photo.turn_confidence, None, "a photo has no reading");
    for d in &s.documents {
        for field in [
            "dokumentart",
            "organisationseinheit",
            "briefdatum",
            "aktenzeichen",
        ] {
            assert!(
                d.fields.iter().all(|f| f.field != field),
                "{field} suggested: {:?}",
                d.fields
            );
        }
    }
    let went = straight_through::straight_through(store, &batch, 0.8, &request()).unwrap();
    assert_eq!(went.released, 0, "{went:?}");
    assert!(went
        .held
        .iter()
        .all(|h| h.reasons.iter().any(|r| r == "missing:dokumentart")));
}

#[test]
fn after_a_first_released_set_the_next_batch_goes_straight_through_except_what_the_check_draws() {
    let (dir, store) = super::fresh();
    let (files, truth) = mail(&dir.path().join("first"), 12, 31);
    station::import_masterdata(
        &store,
        "stammdaten.csv",
        &std::fs::read(dir.path().join("first/stammdaten.csv")).unwrap(),
        |_| Ok(()),
    )
    .unwrap();
    let first = read_batch(&store, &files, "Erste Post");
    auto::apply(&store, &first, Some(0.5), None).unwrap();
    let learned = truth["documents"].as_array().unwrap().len();
    release_as_true(&store, &first, truth["documents"].as_array().unwrap());

    let (files, truth) = mail(&dir.path().join("next"), 12, 32);
    let docs = truth["documents"].as_array().unwrap();
    let batch = read_batch(&store, &files, "Nächste Post");
    auto::apply(&store, &batch, Some(0.5), None).unwrap();
    let drawn: Vec<_> = eingang_capture::qc::state(&store, &batch)
        .unwrap()
        .documents
        .iter()
        .filter(|d| d.required)
        .map(|d| d.first_page)
        .collect();
    assert!(!drawn.is_empty(), "the check draws at least one");
    // Duplex blank backs are noted, not flagged: the check wants only the drawn documents.
    let qc = eingang_capture::qc::state(&store, &batch).unwrap();
    let backs = truth["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["blank"] == true)
        .count();
    assert!(backs > 0, "the stream has duplex documents");
    assert_eq!(
        qc.documents.iter().map(|d| d.notes.len()).sum::<usize>(),
        backs
    );
    assert!(qc.documents.iter().all(|d| d.flags.is_empty()), "{qc:?}");

    // A release that fails (here: no title) leaves every document where it was.
    let untitled = release::ReleaseRequest {
        title: String::new(),
        ..request()
    };
    let e = straight_through::straight_through(&store, &batch, 0.8, &untitled).unwrap_err();
    assert_eq!(e.code(), "input.doc_title");
    assert_eq!(auto::documents(&store, &batch).unwrap().len(), docs.len());
    assert!(auto::documents(&store, &batch)
        .unwrap()
        .iter()
        .all(|d| d.index.is_empty()));

    let went = straight_through::straight_through(&store, &batch, 0.8, &request()).unwrap();
    assert!(!went.waiting);
    assert!(went.released > 0, "{went:?}");
    assert_eq!(went.released as usize + went.held.len(), docs.len());
    for d in &drawn {
        let held = went.held.iter().find(|h| h.first_page == d.to_string());
        assert!(
            held.is_some_and(|h| h.reasons.iter().any(|r| r == "drawn" || r == "flagged")),
            "a drawn document stays for the check: {went:?}"
        );
    }

    // The split-off batch: released, its check as drawn in the batch it came from, every
    // document with the true type, sender and date, and the Transfervermerk saying so.
    let split: BatchId = went.batch.as_deref().unwrap().parse().unwrap();
    let rows = store
        .with_conn(|c| eingang_store::tables::documents::documents(c, &split))
        .unwrap();
    assert_eq!(rows.len(), went.released as usize);
    let qc = eingang_capture::qc::state(&store, &split).unwrap();
    assert!(qc.passed && qc.documents.iter().all(|d| !d.sampled));
    for row in &rows {
        assert_released_as_true(&store, row, &truth);
    }
    // At the index station: a suggestion taken, a value typed over another suggestion —
    // counted per document, the correction kept in the page log.
    typed_and_taken(&store, &batch);
    // What stays is what a person must see; every decision is in the audit log.
    assert_eq!(
        auto::documents(&store, &batch).unwrap().len(),
        went.held.len()
    );
    let audit = store
        .with_conn(eingang_store::tables::audit::records)
        .unwrap();
    assert!(audit.iter().any(|r| r.kind == "batch.split"));
    assert!(audit.iter().any(|r| r.kind == "batch.merged_back"));
    // Both tries are logged: the one undone and the one released.
    assert_eq!(
        audit
            .iter()
            .filter(|r| r.kind == "page.straight_through")
            .count(),
        2 * went.released as usize
    );
    // Its own releases teach the model nothing (only what people released).
    assert_eq!(
        auto::model_status(&store).unwrap().examples as usize,
        learned
    );
}

/// A document released straight through: it starts where a true document starts, carries
/// its true type, sender and date, and its Transfervermerk says it was indexed
/// automatically.
fn assert_released_as_true(
    store: &eingang_store::Store,
    row: &eingang_store::tables::documents::DocumentRow,
    truth: &Value,
) {
    let docs = truth["documents"].as_array().unwrap();
    let source = store
        .with_conn(|c| eingang_store::tables::pages::page(c, &row.page_ids[0]))
        .unwrap()
        .source;
    let page = truth["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["file"].as_str() == Some(source.as_str()))
        .unwrap();
    assert!(
        page["starts"].as_bool().unwrap(),
        "{source} starts a document"
    );
    let t = &docs[usize::try_from(page["document"].as_u64().unwrap()).unwrap()];
    let get = |f: &str| {
        row.index
            .iter()
            .find(|(k, _)| k == f)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("dokumentart"), t["type"].as_str(), "{:?}", row.index);
    assert_eq!(get("absender"), t["sender"].as_str(), "{:?}", row.index);
    assert_eq!(get("briefdatum"), t["date"].as_str(), "{:?}", row.index);
    let tv = String::from_utf8(
        store
            .blobs()
            .get(row.transfer_blob.as_deref().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(tv.contains(r#"<indexierung art="automatisch""#), "{tv}");
    assert!(tv.contains("automatisch indexiert, Konfidenz 0,"), "{tv}");
    // Its blank duplex backs went with it unchecked, and the Transfervermerk names them.
    let backs = truth["pages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["document"] == page["document"] && p["blank"] == true)
        .count();
    assert_eq!(
        tv.matches(r#"<auffaelligkeit art="blank_back""#).count(),
        backs,
        "{tv}"
    );
}

/// The first document left in `batch`: one suggestion taken as it is, one typed over.
fn typed_and_taken(store: &eingang_store::Store, batch: &BatchId) {
    let view = station::check_view(store, batch).unwrap();
    let d = &view.documents[0];
    assert!(d.suggestions.len() >= 2, "{:?}", d.suggestions);
    let (take, over) = (&d.suggestions[0], &d.suggestions[1]);
    let first: eingang_model::PageId = d.first_page.parse().unwrap();
    station::set_index(
        store,
        batch,
        &first,
        vec![
            (take.field.clone(), take.value.clone()),
            (over.field.clone(), format!("{} (korrigiert)", over.value)),
        ],
    )
    .unwrap();
    let d = &station::check_view(store, batch).unwrap().documents[0];
    assert_eq!((d.typed, d.taken), (1, 1));
    let log = store
        .with_conn(|c| eingang_store::tables::page_log::page_log(c, &first))
        .unwrap();
    let (_, _, entry) = log.iter().rfind(|(_, op, _)| op == "user_index").unwrap();
    let entry: Value = serde_json::from_str(entry).unwrap();
    assert_eq!(entry["corrected"][0]["field"], over.field.as_str());
    assert_eq!(entry["corrected"][0]["suggested"], over.value.as_str());
}
