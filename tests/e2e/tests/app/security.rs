//! Encryption at rest in the real app, on a machine without an OS key store: the first
//! start asks for a passphrase (rules checked at the field), what the user types is in no
//! file of the data folder, and the next start opens only with the right passphrase.

use crate::harness::Driver;
use std::path::Path;

const PASSPHRASE: &str = "Der Schlüssel liegt im Rathaus";

/// Files under `dir` holding `needle` (UTF-8 or UTF-16LE), and the bytes searched.
fn files_containing(dir: &Path, needle: &str) -> (Vec<String>, u64) {
    let mut hits = Vec::new();
    let searched =
        crate::harness::search(dir, needle, std::time::SystemTime::UNIX_EPOCH, &mut hits);
    (hits, searched)
}

#[tokio::test(flavor = "current_thread")]
async fn without_a_key_store_the_app_asks_for_a_passphrase_and_what_is_typed_stays_encrypted() {
    let data = tempfile::tempdir().unwrap();
    // No EINGANG_PASSPHRASE: the app itself must ask (EINGANG_KEYRING=off: no key store).
    let driver = Driver::start_env(&[], &["EINGANG_PASSPHRASE"]);
    let app = driver.launch(data.path()).await;
    app.wait_for("[data-unlock='choose']").await;
    // Too short, then not the same twice: each named at its field.
    app.type_into("#passphrase", "kurz").await;
    app.click("[data-unlock] button[type='submit']").await;
    let e = app.wait_text("#passphrase-error", |t| !t.is_empty()).await;
    assert!(e.contains("mindestens 12 Zeichen"), "{e}");
    let invalid = app
        .wait_for("#passphrase")
        .await
        .attr("aria-invalid")
        .await
        .unwrap();
    assert_eq!(invalid.as_deref(), Some("true"));
    app.retype("#passphrase", PASSPHRASE).await;
    app.type_into("#passphrase-repeat", "Der Schlüssel liegt woanders")
        .await;
    app.click("[data-unlock] button[type='submit']").await;
    let e = app.wait_text("#repeat-error", |t| !t.is_empty()).await;
    assert!(e.contains("stimmen nicht überein"), "{e}");
    app.retype("#passphrase-repeat", PASSPHRASE).await;
    app.click("[data-unlock] button[type='submit']").await;

    // Open: the workspaces, and a draft with a marker typed into it.
    app.wait_for("nav button[data-workspace='forms']").await;
    app.click("nav button[data-workspace='forms']").await;
    let marker = format!("Geheim-{}-Zebra", std::process::id());
    app.click("[data-new-draft='ortstermin']").await;
    app.wait_for("#field-aktenzeichen").await;
    app.type_into("#field-befund", &marker).await;
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    app.quit().await;

    let (hits, searched) = files_containing(data.path(), &marker);
    println!(
        "marker test (real app): {} of the data folder's files contain the typed marker ({searched} bytes searched)",
        hits.len()
    );
    assert!(hits.is_empty(), "{hits:?}");
    let key = std::fs::read_to_string(data.path().join("key.json")).unwrap();
    assert!(key.contains("\"mode\": \"passphrase\""), "{key}");

    // The next start: a wrong passphrase is named; the right one opens the draft.
    let app = driver.launch(data.path()).await;
    app.wait_for("[data-unlock='enter']").await;
    app.type_into("#passphrase", "Der Schlüssel liegt im Keller")
        .await;
    app.click("[data-unlock] button[type='submit']").await;
    let e = app.wait_text("#passphrase-error", |t| !t.is_empty()).await;
    assert!(e.contains("nicht richtig"), "{e}");
    app.retype("#passphrase", PASSPHRASE).await;
    app.click("[data-unlock] button[type='submit']").await;
    app.wait_for("nav button[data-workspace='forms']").await;
    app.click("nav button[data-workspace='forms']").await;
    app.click("tr[data-draft-id] button[data-action='open']")
        .await;
    let value = app
        .wait_for("#field-befund")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(value, marker);
    app.quit().await;
}
