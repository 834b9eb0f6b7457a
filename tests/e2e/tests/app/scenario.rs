//! The forms issue's whole scenario in one run of the real app: fill a form with a repeat
//! group and an attachment, see a validation error and fix it, kill the app mid-way, find
//! the draft intact, finalise, and find the submission (PDF/A + data) in the store and in
//! `eingang submissions list`. Also: the editor reflows at 200 % zoom.

use crate::harness::Driver;
use std::process::Command;

#[tokio::test(flavor = "current_thread")]
async fn fill_fix_kill_resume_finalise_and_find_the_submission() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let plan = files.path().join("Lageplan.pdf");
    std::fs::write(&plan, b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").unwrap();
    let driver = Driver::start();

    let app = driver.launch(data.path()).await;
    app.click("[data-new-draft='sondernutzung-infostand']")
        .await;
    app.click("#field-antragsteller-art--verein").await;
    for (id, text) in [
        (
            "#field-antragsteller-organisation",
            "Sportfreunde Aasee e. V.",
        ),
        ("#field-antragsteller-name", "Jana Özdemir"),
        ("#field-antragsteller-email", "vorstand@sf-aasee.de"),
        ("#field-antragsteller-plz", "48149"),
        ("#field-termine-0-ort", "Prinzipalmarkt"),
        ("#field-termine-0-flaeche", "2,5"),
    ] {
        app.type_into(id, text).await;
    }
    // Dates and times typed as people write them in German.
    app.type_into("#field-termine-0-datum", "8.5.2027").await;
    app.type_into("#field-termine-0-von", "9:00").await;
    app.type_into("#field-termine-0-bis", "14.00").await;
    app.click("button[data-action='add-row']").await;
    app.type_into("#field-termine-1-ort", "Ludgeriplatz").await;
    app.type_into("#field-lageplan", plan.to_str().unwrap())
        .await;
    app.wait_for("[data-path='lageplan'] .files li").await;
    // A validation error, shown at the field, then fixed.
    let iban = app.wait_for("#field-iban").await;
    iban.send_keys("DE00 1234").await.unwrap();
    app.click("#field-antragsteller-name").await;
    app.wait_text("#field-iban-issues", |t| {
        t.contains("IBAN ist nicht gültig")
    })
    .await;
    iban.clear().await.unwrap();
    iban.send_keys("DE89 3704 0044 0532 0130 00").await.unwrap();
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    // Killed mid-way (a crash or a flat battery).
    app.kill_hard().await;

    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='forms']").await;
    app.click("tr[data-draft-id] button[data-action='open']")
        .await;
    let ort = app.wait_for("#field-termine-1-ort").await;
    assert_eq!(
        ort.prop("value").await.unwrap().as_deref(),
        Some("Ludgeriplatz")
    );
    // Complete the second row and the consent, then finalise.
    app.type_into("#field-termine-1-datum", "15.05.2027").await;
    app.type_into("#field-termine-1-von", "10:00").await;
    app.type_into("#field-termine-1-bis", "13:30").await;
    app.type_into("#field-termine-1-flaeche", "4").await;
    app.click("#field-einverstanden--ja").await;

    // 200 % zoom: the editor reflows, nothing needs horizontal scrolling (WCAG 1.4.10).
    let overflow = app
        .client
        .execute(
            "document.documentElement.style.zoom = '2';
             const o = document.documentElement.scrollWidth - document.documentElement.clientWidth;
             document.documentElement.style.zoom = '';
             return o;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap_or(1) <= 1,
        "horizontal overflow at 200 %: {overflow}"
    );

    let (reference, _) = app.finalise_open_draft().await;
    app.quit().await;

    // In the store: the submission, its data, and its PDF/A.
    let store = eingang_store::Store::open(data.path()).unwrap();
    let pdf = store
        .with_conn(|c| eingang_store::tables::submissions::pdf_blob(c, &reference))
        .unwrap()
        .expect("the submission has its PDF/A");
    assert!(store.blobs().get(&pdf).unwrap().starts_with(b"%PDF-1.7"));
    // What was typed as "8.5.2027", "9:00", "14.00" is stored as the engine's ISO values.
    let row = store
        .with_conn(|c| eingang_store::tables::submissions::get(c, &reference))
        .unwrap();
    let data_json: serde_json::Value = serde_json::from_str(&row.data_json).unwrap();
    let termine = &data_json["termine"];
    assert_eq!(termine[0]["datum"], "2027-05-08", "{data_json}");
    assert_eq!(termine[0]["von"], "09:00", "{data_json}");
    assert_eq!(termine[0]["bis"], "14:00", "{data_json}");
    assert_eq!(termine[1]["datum"], "2027-05-15", "{data_json}");
    assert_eq!(data_json["einverstanden"], true, "{data_json}");
    drop(store);
    // And in the CLI.
    let cli = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/eingang");
    let run = |args: &[&str]| {
        let out = Command::new(&cli)
            .args(["--data-dir", data.path().to_str().unwrap()])
            .args(args)
            .output()
            .expect("the eingang CLI is built (scripts/test.sh builds it)");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // Whatever the app's worker did not deliver yet, the headless sync does.
    run(&["sync"]);
    let text = run(&["submissions", "list"]);
    assert!(
        text.contains(&reference) && text.contains("delivered") && text.contains("Sportfreunde"),
        "{text}"
    );
    assert!(data
        .path()
        .join("ausgang")
        .join(format!("{reference}.pdf"))
        .is_file());
}
