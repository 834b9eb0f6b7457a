//! A catalogue form with groups, a repeat group, choices, calculations and validation,
//! filled in the real app; the engine's answers show up as the user types.

use crate::harness::{only_draft, Driver};

#[tokio::test(flavor = "current_thread")]
async fn a_repeat_group_form_validates_live_and_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("[data-new-draft='sondernutzung-infostand']")
        .await;

    app.click("#field-antragsteller-art--verein").await;
    // Relevance: the organisation's name appears only for associations and parties.
    app.type_into(
        "#field-antragsteller-organisation",
        "Sportfreunde Aasee e. V.",
    )
    .await;
    app.type_into("#field-antragsteller-name", "Jana Özdemir")
        .await;
    app.type_into("#field-antragsteller-email", "vorstand@sf-aasee.de")
        .await;
    app.type_into("#field-antragsteller-plz", "48149").await;

    // The repeat group starts with its one required row; add a second, remove it again,
    // add it back.
    app.type_into("#field-termine-0-ort", "Prinzipalmarkt")
        .await;
    app.type_into("#field-termine-0-flaeche", "2,5").await;
    app.click("button[data-action='add-row']").await;
    app.type_into("#field-termine-1-ort", "Ludgeriplatz").await;
    app.type_into("#field-termine-1-flaeche", "4").await;

    // Calculated fields follow: 6.5 m² → 16.25 € (shown once the engine has answered).
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    let fee = app.wait_for("#field-gebuehr").await;
    let mut shown = String::new();
    for _ in 0..40 {
        shown = fee.prop("value").await.unwrap().unwrap_or_default();
        if shown == "16.25" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(shown, "16.25");

    // A wrong IBAN is reported at the field once the user leaves it …
    let iban = app.wait_for("#field-iban").await;
    iban.send_keys("DE89 3704 0044 0532 0130 01").await.unwrap();
    app.click("#field-antragsteller-name").await;
    app.wait_text("#field-iban-issues", |t| {
        t.contains("IBAN ist nicht gültig")
    })
    .await;
    assert_eq!(
        iban.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    // … and the summary lists what is still missing, with links to the fields.
    app.click("button[data-action='check']").await;
    let summary = app.text(".summary").await;
    assert!(
        summary.contains("Termine und Standorte, Eintrag 1: Datum: Bitte ausfüllen."),
        "{summary}"
    );
    assert!(
        summary.contains("IBAN für den Gebühreneinzug: Diese IBAN ist nicht gültig"),
        "{summary}"
    );

    // Fixing the IBAN clears its issue.
    iban.clear().await.unwrap();
    iban.send_keys("DE89 3704 0044 0532 0130 00").await.unwrap();
    app.click("#field-antragsteller-name").await;
    app.wait_text(".summary", |t| !t.contains("IBAN")).await;
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    app.quit().await;

    // In SQLite: the group, both rows, the calculated values.
    let d = only_draft(data.path());
    assert_eq!(
        d.values["antragsteller"]["organisation"],
        "Sportfreunde Aasee e. V."
    );
    assert_eq!(d.values["termine"][1]["ort"], "Ludgeriplatz");
    assert_eq!(d.values["iban"], "DE89 3704 0044 0532 0130 00");

    // After a real restart the draft opens with every row and value.
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='forms']").await;
    app.click("tr[data-draft-id] button[data-action='open']")
        .await;
    let ort = app.wait_for("#field-termine-1-ort").await;
    assert_eq!(
        ort.prop("value").await.unwrap().as_deref(),
        Some("Ludgeriplatz")
    );
    let checked = app
        .wait_for("#field-antragsteller-art--verein")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(checked.as_deref(), Some("true"));
    app.quit().await;
}

/// A real FIM schema (Mutterschutz notification, XDatenfelder 2.0), imported into the store,
/// renders and validates in the app.
#[tokio::test(flavor = "current_thread")]
async fn an_imported_fim_schema_renders_and_validates_in_the_app() {
    let data = tempfile::tempdir().unwrap();
    crate::harness::import_fim_fixture(data.path());
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("[data-new-draft='fim-s00000094']").await;
    app.wait_for("#editor-heading").await;
    let fields = app
        .client
        .find_all(crate::harness::css(".field"))
        .await
        .unwrap()
        .len();
    assert!(fields >= 10, "the schema's fields render ({fields})");
    app.click("button[data-action='check']").await;
    let summary = app.text(".summary").await;
    assert!(
        summary.contains("Bitte ausfüllen."),
        "required FIM fields are checked: {summary}"
    );
    app.quit().await;
}

/// A long form (550 fields, as FIM schemas can be) opens and takes input; the figure is
/// printed, not asserted.
#[tokio::test(flavor = "current_thread")]
async fn a_550_field_form_opens_and_takes_input() {
    let data = tempfile::tempdir().unwrap();
    {
        let (json, _) = eingang_forms::samples::synthetic_form(50);
        let store = eingang_store::Store::open(data.path()).unwrap();
        store
            .with_tx(|tx| eingang_store::tables::forms::import(tx, &json, "synthetic"))
            .unwrap();
    }
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.wait_for("[data-new-draft='bench']").await;
    let start = std::time::Instant::now();
    app.click("[data-new-draft='bench']").await;
    let first = app.wait_for("#field-g0-f1").await;
    app.wait_for("#field-g49-summe").await;
    first.send_keys("7").await.unwrap();
    let ms = start.elapsed().as_millis();
    let value = first.prop("value").await.unwrap();
    assert_eq!(value.as_deref(), Some("7"));
    // Two text fields per group show only when relevant (f8 = true or f1 > 0).
    let fields = app
        .client
        .find_all(crate::harness::css(".field"))
        .await
        .unwrap()
        .len();
    assert_eq!(fields, 450);
    // Relevance follows the typed value: group 0's two text fields appear.
    app.wait_for("#field-g0-f0").await;
    eprintln!("550-field form: click → all fields rendered and the first takes input in {ms} ms (incl. WebDriver round trips)");
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    // A long form has its outline: every section, how many are complete, a way into each.
    let sections = app
        .client
        .find_all(crate::harness::css("[data-outline] li"))
        .await
        .unwrap()
        .len();
    assert_eq!(sections, 50);
    let progress = app.text("#outline-progress").await;
    assert!(
        progress.ends_with("von 50 Abschnitten vollständig"),
        "{progress}"
    );
    app.click("[data-section='g49'] a").await;
    let here = app
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert!(
        here.as_str().unwrap_or_default().starts_with("field-g49-"),
        "the focus went into the last section: {here}"
    );
    app.quit().await;
}

/// A file chosen in the file picker is stored in the blob store (type by content), listed
/// at the field, kept in the draft, and removable; a file of a refused type is named with
/// the reason and nothing is attached.
#[tokio::test(flavor = "current_thread")]
async fn attachments_are_stored_listed_and_refused_with_a_reason() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let pdf = files.path().join("Lageplan Prinzipalmarkt.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").unwrap();
    let exe = files.path().join("rechnung.pdf");
    std::fs::write(
        &exe,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
    )
    .unwrap();

    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("[data-new-draft='sondernutzung-infostand']")
        .await;
    let input = app.wait_for("#field-lageplan").await;
    input.send_keys(exe.to_str().unwrap()).await.unwrap();
    let refused = app.text(".upload-error").await;
    assert!(
        refused.contains("rechnung.pdf") && refused.contains("Nur PDF-Dateien und Bilder"),
        "{refused}"
    );

    let input = app.wait_for("#field-lageplan").await;
    input.send_keys(pdf.to_str().unwrap()).await.unwrap();
    let listed = app.text("[data-path='lageplan'] .files li").await;
    assert!(listed.contains("Lageplan Prinzipalmarkt.pdf"), "{listed}");
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    app.quit().await;

    let d = only_draft(data.path());
    let files_in_draft = d.values["lageplan"].as_array().unwrap();
    assert_eq!(files_in_draft.len(), 1, "the refused file was not attached");
    assert_eq!(files_in_draft[0]["media_type"], "application/pdf");
    let store = eingang_store::Store::open(data.path()).unwrap();
    let blob = files_in_draft[0]["blob"].as_str().unwrap();
    assert!(store.blobs().get(blob).unwrap().starts_with(b"%PDF"));
}

/// A drawn signature (pointer strokes on the pad) is stored as a PNG and satisfies the
/// required signature field.
#[tokio::test(flavor = "current_thread")]
async fn a_drawn_signature_is_stored_as_png() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("[data-new-draft='veranstaltungsanzeige']").await;
    app.wait_for("#field-unterschrift").await;
    app.client
        .execute(
            "const c = document.getElementById('field-unterschrift');
             const r = c.getBoundingClientRect();
             const ev = (type, x, y) => c.dispatchEvent(new PointerEvent(type,
                 { bubbles: true, pointerId: 1, clientX: r.left + x, clientY: r.top + y }));
             ev('pointerdown', 20, 40);
             for (let i = 1; i <= 20; i++) ev('pointermove', 20 + i * 10, 40 + (i % 5) * 8);
             ev('pointerup', 220, 60);",
            vec![],
        )
        .await
        .unwrap();
    app.click("button[data-action='sign']").await;
    app.wait_text("[data-path='unterschrift'] [role='status']", |t| {
        t == "Unterschrift gespeichert."
    })
    .await;
    app.click("button[data-action='check']").await;
    let summary = app.text(".summary").await;
    assert!(
        !summary.contains("Unterschrift der verantwortlichen Person"),
        "{summary}"
    );
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    app.quit().await;

    let d = only_draft(data.path());
    assert_eq!(d.values["unterschrift"]["media_type"], "image/png");
    let store = eingang_store::Store::open(data.path()).unwrap();
    let png = store
        .blobs()
        .get(d.values["unterschrift"]["blob"].as_str().unwrap())
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a real PNG of the strokes");
}

/// When a newer version of a draft's form arrives, the user sees what would change and
/// moves the draft over; the draft stays bound to its version until then.
#[tokio::test(flavor = "current_thread")]
async fn a_draft_moves_to_a_newer_form_version_after_seeing_the_changes() {
    use eingang_store::tables::{drafts, forms};
    let data = tempfile::tempdir().unwrap();
    let draft_id = {
        let store = eingang_store::Store::open(data.path()).unwrap();
        let v10 = serde_json::to_value(
            store
                .with_conn(|c| forms::definition(c, "ortstermin", "1.0"))
                .unwrap(),
        )
        .unwrap();
        // Version 1.1: the contact e-mail is gone, an inspector's name is now required.
        let mut v11 = v10.clone();
        v11["version"] = "1.1".into();
        let items = v11["items"].as_array_mut().unwrap();
        items.retain(|i| i["key"] != "kontakt_email");
        items.push(
            serde_json::json!({"type": "field", "key": "pruefer", "kind": "text",
            "required": true, "label": {"de": "Prüferin / Prüfer", "en": "Inspector"}}),
        );
        store
            .with_tx(|tx| forms::import(tx, &v11.to_string(), "v1.1"))
            .unwrap();
        let d = store
            .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
            .unwrap();
        let values =
            serde_json::json!({"aktenzeichen": "530.12-2026-7", "kontakt_email": "a@b.de"});
        store
            .with_tx(|tx| drafts::save_values(tx, d.id, values.as_object().unwrap().clone()))
            .unwrap();
        d.id
    };
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='forms']").await;
    app.click("tr[data-draft-id] button[data-action='open']")
        .await;
    app.wait_for("[data-upgrade='1.1']").await;
    assert!(
        app.client
            .find(crate::harness::css("#field-kontakt_email"))
            .await
            .is_ok(),
        "still 1.0"
    );
    app.click("[data-upgrade] button[aria-expanded]").await;
    let changes = app.text("[data-upgrade] .changes").await;
    assert!(
        changes.contains("„E-Mail der Ansprechperson“ gibt es nicht mehr"),
        "{changes}"
    );
    assert!(
        changes.contains("„Prüferin / Prüfer“ muss jetzt ausgefüllt werden"),
        "{changes}"
    );
    app.click("button[data-action='upgrade']").await;
    app.wait_for("#field-pruefer").await;
    assert!(app
        .client
        .find(crate::harness::css("#field-kontakt_email"))
        .await
        .is_err());
    let az = app.wait_for("#field-aktenzeichen").await;
    assert_eq!(
        az.prop("value").await.unwrap().as_deref(),
        Some("530.12-2026-7")
    );
    app.quit().await;

    let d = only_draft(data.path());
    assert_eq!((d.id, d.form_version.as_str()), (draft_id, "1.1"));
    assert!(d.values.get("kontakt_email").is_none());
}

/// Finalising: refused with the summary while entries are missing; once complete the draft
/// becomes an immutable submission queued in the outbox, and the status bar says so.
#[tokio::test(flavor = "current_thread")]
async fn a_complete_draft_is_finalised_into_the_outbox() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("[data-new-draft='ortstermin']").await;
    app.type_into("#field-aktenzeichen", "530.12-2026-0100")
        .await;
    app.click("button[data-action='finalise']").await;
    let summary = app.text(".summary").await;
    assert!(
        summary.contains("Datum des Ortstermins: Bitte ausfüllen."),
        "{summary}"
    );

    app.pick(&[("field-datum", "2026-11-27")]).await;
    app.type_into("#field-anschrift", "Markt 1, Münster").await;
    let (reference, _) = app.finalise_open_draft().await;
    // The background worker delivers at once into the zero-configuration folder; the
    // status bar follows (it refreshes every 5 s).
    app.wait_text("[data-testid='outbox-count']", |t| t == "Postausgang: 0")
        .await;
    let out = data.path().join("ausgang");
    assert!(out.join(format!("{reference}.pdf")).is_file());
    assert!(out.join(format!("{reference}.index.xml")).is_file());
    let row = app
        .text(&format!("tr[data-submission-id='{reference}']"))
        .await;
    assert!(row.contains("530.12-2026-0100"), "{row}");
    // The list follows the delivery by itself (no stale "wird übertragen").
    app.wait_text(
        &format!("tr[data-submission-id='{reference}'] td[data-delivery]"),
        |t| t == "übertragen",
    )
    .await;
    assert!(
        app.client
            .find(crate::harness::css("tr[data-draft-id]"))
            .await
            .is_err(),
        "the draft is gone"
    );
    app.quit().await;

    let store = eingang_store::Store::open(data.path()).unwrap();
    let list = store
        .with_conn(|c| eingang_store::tables::submissions::list(c, None, 1000).map(|(all, _)| all))
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, reference);
}

/// Forms are imported in the app: a FIM schema chosen together with its code lists is
/// added to the catalogue (with the import report) and can be started at once.
#[tokio::test(flavor = "current_thread")]
async fn a_fim_schema_is_imported_through_the_app() {
    let data = tempfile::tempdir().unwrap();
    let fim = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../crates/forms/tests/fixtures/fim/xdf2/S00000094V1.0")
        .canonicalize()
        .unwrap();
    let mut paths: Vec<String> = std::fs::read_dir(&fim)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    paths.sort();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("details.import summary").await;
    app.type_into("#forms-import", &paths.join("\n")).await;
    let added = app.text("[data-import-result='added']").await;
    assert!(added.contains("fim-s00000094 1.0 aufgenommen"), "{added}");
    assert!(added.contains("14 Hinweise zur Übernahme"), "{added}");
    let lists = app
        .client
        .find_all(crate::harness::css("[data-import-result='code_list']"))
        .await
        .unwrap()
        .len();
    assert_eq!(lists, 4, "the genericode files were used as code lists");
    app.click("[data-new-draft='fim-s00000094']").await;
    app.wait_for("#editor-heading").await;
    app.quit().await;
}

/// Issue 28's field worker, keyboard only, on a machine whose system locale is English: the
/// date is typed as Germans write it and echoed in words, the calendar opens on it (Monday
/// first, German names), the status bar counts what is open and leads there, the review
/// shows every answer before the binding submit, the notice gives the short reference
/// number, and the submission holds the ISO date. axe finds nothing on the editor with the
/// calendar open, nor on the review, also at 200 % page zoom.
#[tokio::test(flavor = "current_thread")]
async fn a_german_date_typed_by_keyboard_under_an_english_system_locale_is_stored_as_iso() {
    use crate::harness::{press, tab_to, ENTER};
    let axe = crate::accessibility::axe_source();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start_english();
    let app = driver.launch_english(data.path()).await;
    app.click("[data-new-draft='ortstermin']").await;
    app.wait_for("#editor-heading").await;
    tab_to(&app, "#field-aktenzeichen").await;
    press(&app, "530.12-2026-0500").await;
    tab_to(&app, "#field-datum").await;
    press(&app, "01.12.2026").await;
    app.wait_text("#field-datum-format", |t| t == "Dienstag, 1. Dezember 2026")
        .await;

    // The calendar opens on the typed day; its week starts on Monday, in German.
    tab_to(&app, "button[data-action='calendar']").await;
    press(&app, ENTER).await;
    let focused = app
        .client
        .execute(
            "return document.activeElement.getAttribute('data-date')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, "2026-12-01");
    let first_day = app.text(".calendar thead th").await;
    assert!(
        first_day.starts_with("Mo"),
        "the week starts on Monday: {first_day}"
    );
    let violations = crate::accessibility::violations(&app, &axe).await;
    assert!(violations.is_empty(), "calendar: {violations:#?}");
    press(&app, "\u{E014}").await; // → the next day
    press(&app, "\u{E00C}").await; // Escape: nothing chosen
    let value = app
        .wait_for("#field-datum")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(value.as_deref(), Some("01.12.2026"));
    // Opened again (the focus is back on its button), a click elsewhere closes it too.
    press(&app, ENTER).await;
    app.wait_for(".calendar").await;
    app.click("section.editor p.note").await; // not focusable: only the click tells

    let open = app.client.find(crate::harness::css(".calendar")).await;
    assert!(open.is_err(), "a click outside closes the calendar");

    // What is open: the status bar counts it and leads there.
    app.wait_text(".open-count", |t| t == "1 Angabe offen")
        .await;
    tab_to(&app, "button[data-action='next-open']").await;
    press(&app, ENTER).await;
    let here = app
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(here, "field-anschrift");
    press(&app, "Hafenweg 26, Münster").await;
    app.wait_text(".open-count", |t| t == "Alle Angaben vollständig")
        .await;

    // The review before the binding submit.
    tab_to(&app, "button[data-action='finalise']").await;
    press(&app, ENTER).await;
    let review = app.text("[data-review]").await;
    for expected in [
        "530.12-2026-0500",
        "Datum des Ortstermins",
        "01.12.2026",
        "Hafenweg 26",
    ] {
        assert!(review.contains(expected), "{expected}: {review}");
    }
    let violations = crate::accessibility::violations(&app, &axe).await;
    assert!(violations.is_empty(), "review: {violations:#?}");
    app.client
        .execute("document.documentElement.style.zoom = '2'", vec![])
        .await
        .unwrap();
    let violations = crate::accessibility::violations(&app, &axe).await;
    assert!(violations.is_empty(), "review at 200 %: {violations:#?}");
    app.client
        .execute("document.documentElement.style.zoom = ''", vec![])
        .await
        .unwrap();
    tab_to(&app, "button[data-action='submit']").await;
    press(&app, ENTER).await;
    let (id, reference) = app.finalised_notice().await;
    assert!(
        reference.len() == 11 && reference.as_bytes()[5] == b'-',
        "a short reference number, not a UUID: {reference}"
    );
    let row = app.text(&format!("tr[data-submission-id='{id}']")).await;
    assert!(row.contains(&reference), "{row}");
    app.quit().await;

    let store = eingang_store::Store::open(data.path()).unwrap();
    let row = store
        .with_conn(|c| eingang_store::tables::submissions::get(c, &id))
        .unwrap();
    let values: serde_json::Value = serde_json::from_str(&row.data_json).unwrap();
    assert_eq!(values["datum"], "2026-12-01", "{values}");
}
