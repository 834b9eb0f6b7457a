use eingang_api::submissions::finalise;
use eingang_store::tables::{drafts, outbox, submissions};
use serde_json::json;

const TODAY: (i32, u32, u32) = (2026, 11, 28);

#[test]
fn an_incomplete_draft_is_not_finalised_and_stays_as_it_was() {
    let (_dir, store) = super::fresh();
    let d = store
        .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
        .unwrap();
    let err = finalise(&store, d.id, TODAY, &["default".to_owned()]).unwrap_err();
    assert_eq!(err.code(), "draft.incomplete");
    assert!(err.to_string().contains("3 entry/entries"), "{err}");
    assert_eq!(store.with_conn(drafts::count).unwrap(), 1);
    assert_eq!(store.with_conn(outbox::count_undelivered).unwrap(), 0);
}

#[test]
fn finalising_writes_an_immutable_submission_and_its_outbox_row_and_removes_the_draft() {
    let (_dir, store) = super::fresh();
    let d = store
        .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
        .unwrap();
    let values = json!({"aktenzeichen": "530.12-2026-0042", "datum": "2026-11-27",
        "anschrift": "Markt 1", "maengel": [{"beschreibung": "Geländer lose"}]});
    store
        .with_tx(|tx| drafts::save_values(tx, d.id, values.as_object().unwrap().clone()))
        .unwrap();
    let s = finalise(&store, d.id, TODAY, &["default".to_owned()]).unwrap();
    assert_eq!(s.caption, "530.12-2026-0042");
    assert_eq!(s.delivery, "pending");
    assert_eq!(
        store.with_conn(drafts::count).unwrap(),
        0,
        "the draft became the submission"
    );
    assert_eq!(store.with_conn(outbox::count_undelivered).unwrap(), 1);

    let list = store
        .with_conn(|c| submissions::list(c, None, 1000).map(|(all, _)| all))
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, s.id);
    let data: String = store
        .with_conn(|c| Ok(c.query_row("SELECT data_json FROM submissions", [], |r| r.get(0))?))
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(
        data["anzahl_maengel"], "1",
        "calculations are part of the submission"
    );

    // The PDF/A rendering is in the blob store, named by the submission.
    let pdf = store
        .with_conn(|c| submissions::pdf_blob(c, &s.id))
        .unwrap()
        .unwrap();
    let bytes = store.blobs().get(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"));

    let err = store
        .with_conn(|c| Ok(c.execute("UPDATE submissions SET data_json = '{}'", [])?))
        .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
}

/// The PDF/A of a submission shows every label and value as the user knows them: choice
/// labels instead of codes, repeat rows numbered, attachments by name, German dates.
#[test]
fn the_submission_pdf_reads_like_the_form() {
    use eingang_store::tables::attachments;
    let (_dir, store) = super::fresh();
    let d = store
        .with_tx(|tx| drafts::create(tx, "sondernutzung-infostand", "1.0"))
        .unwrap();
    let plan = store
        .with_tx(|tx| {
            attachments::add(
                tx,
                store.blobs(),
                d.id,
                "lageplan",
                "Lageplan Prinzipalmarkt.pdf",
                b"%PDF-1.4\n%%EOF\n",
            )
        })
        .unwrap();
    let values = json!({
        "antragsteller": {"art": "verein", "organisation": "Sportfreunde Aasee e. V.",
            "name": "Jana Özdemir", "email": "vorstand@sf-aasee.de", "plz": "48149"},
        "termine": [
            {"datum": "2027-05-08", "von": "09:00", "bis": "14:00", "ort": "Prinzipalmarkt", "flaeche": "2,5"},
            {"datum": "2027-05-15", "von": "10:00", "bis": "13:30", "ort": "Große Straße", "flaeche": "4"}],
        "iban": "DE89 3704 0044 0532 0130 00", "einverstanden": true,
        "lageplan": [serde_json::to_value(&plan).unwrap()]
    });
    store
        .with_tx(|tx| drafts::save_values(tx, d.id, values.as_object().unwrap().clone()))
        .unwrap();
    let s = finalise(&store, d.id, TODAY, &["default".to_owned()]).unwrap();
    assert_eq!(s.attachments, 1);
    let pdf = store
        .with_conn(|c| submissions::pdf_blob(c, &s.id))
        .unwrap()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.pdf");
    std::fs::write(&path, store.blobs().get(&pdf).unwrap()).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils; scripts/test.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "Sondernutzungserlaubnis für einen Informationsstand",
        "Formular sondernutzung-infostand, Version 1.0",
        &format!("Referenz {}", s.id),
        "Sie beantragen als",
        "Verein oder Initiative",
        "Jana Özdemir",
        "Termine und Standorte – Eintrag 2",
        "Große Straße",
        "08.05.2027",
        "16.25 €",
        "Anlage: Lageplan Prinzipalmarkt.pdf",
        "Ja",
        "Seite 1 von",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
