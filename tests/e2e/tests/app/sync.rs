//! Delivery to a real WebDAV server (WsgiDAV) from the real app: finalise while the
//! target is down, see the item waiting and the target offline, start the server, see the
//! item delivered with its receipt; on the server the files and the index are there
//! exactly once.

use crate::harness::Driver;
use crate::servers;
use sha2::{Digest, Sha256};

#[tokio::test(flavor = "current_thread")]
async fn a_submission_finalised_offline_is_delivered_when_the_server_comes_up() {
    let data = tempfile::tempdir().unwrap();
    let port = servers::free_port();
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[sync]\ninterval_secs = 1\nretry_base_ms = 200\nretry_max_ms = 1000\n\
             [[target]]\nid = \"dms\"\nname = \"Stadt-DMS\"\nkind = \"webdav\"\n\
             url = \"http://127.0.0.1:{port}/dav/\"\nuser = \"{}\"\nfolder = \"{{{{formular}}}}\"\n",
            servers::USER
        ),
    )
    .unwrap();
    {
        let store = eingang_store::Store::open(data.path()).unwrap();
        store
            .with_conn(|c| eingang_store::tables::credentials::set(c, "dms", servers::PASSWORD))
            .unwrap();
    }
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    let reference = app
        .finalise_ortstermin("530.12-2026-0200", "Prinzipalmarkt 10")
        .await;

    // The sync view: waiting, and the target not reachable (offline is not an error).
    app.click("nav button[data-workspace='outbox']").await;
    let row = format!("tr[data-item='{reference}']");
    let text = app.wait_text(&row, |t| t.contains("Wartet")).await;
    assert!(text.contains("dms"), "{text}");
    // Named as people know it: the form, the Aktenzeichen typed, the reference number.
    assert!(
        text.contains("Ortstermin")
            && text.contains("530.12-2026-0200")
            && text.contains("Vorgangsnummer"),
        "{text}"
    );
    app.wait_text("li[data-target='dms'] [data-testid='target-state']", |t| {
        t.starts_with("Nicht erreichbar")
    })
    .await;
    // Why it waits, at the item itself.
    app.wait_text(&format!("{row} [data-testid='waiting-reason']"), |t| {
        t.starts_with("Wartet: „Stadt-DMS“ ist nicht erreichbar")
    })
    .await;
    app.wait_text("[data-testid='target-status'][data-target='dms']", |t| {
        t == "Stadt-DMS: Nicht erreichbar – die Einträge warten"
    })
    .await;

    // The server comes up: the worker's next probe finds it and delivers.
    let server = servers::wsgidav_at(port);
    let receipt = app
        .wait_text(&format!("{row} [data-testid='receipt']"), |t| {
            t.starts_with("Geliefert")
        })
        .await;
    assert!(
        receipt.contains(&format!("/dav/ortstermin/{reference}.index.xml")),
        "{receipt}"
    );
    app.wait_text("[data-testid='outbox-count']", |t| t == "Postausgang: 0")
        .await;

    // The DMS loses what it confirmed: "Beleg ungültig" needs a reason, then the item goes
    // out again and comes back with a new receipt.
    let dir = server.root.join("ortstermin");
    std::fs::remove_dir_all(&dir).unwrap();
    app.click(&format!("{row} button[data-action='void-receipt']"))
        .await;
    let confirm = app.wait_for("dialog button[data-action='confirm']").await;
    assert_eq!(
        confirm.attr("disabled").await.unwrap().as_deref(),
        Some("true"),
        "no void without a reason"
    );
    app.type_into(
        "[data-testid='void-reason']",
        "DMS-Ticket 4711: Dokument fehlt",
    )
    .await;
    app.click("dialog button[data-action='confirm']").await;
    app.wait_text("p.notice", |t| t.starts_with("Beleg ungültig"))
        .await;
    for _ in 0..150 {
        if dir.join(format!("{reference}.index.xml")).is_file() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        dir.join(format!("{reference}.index.xml")).is_file(),
        "delivered again after the void"
    );
    app.wait_text(&format!("{row} [data-testid='receipt']"), |t| {
        t.starts_with("Geliefert")
    })
    .await;
    app.quit().await;

    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            format!("{reference}.index.xml"),
            format!("{reference}.json"),
            format!("{reference}.pdf"),
        ],
        "each file once, no temporaries"
    );
    let index = std::fs::read_to_string(dir.join(format!("{reference}.index.xml"))).unwrap();
    let pdf = std::fs::read(dir.join(format!("{reference}.pdf"))).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        index.contains(&hex::encode(Sha256::digest(&pdf))),
        "the index names the PDF's hash: {index}"
    );
    let data_json = std::fs::read_to_string(dir.join(format!("{reference}.json"))).unwrap();
    assert!(data_json.contains("530.12-2026-0200"), "{data_json}");
}

/// A target set up in the app's settings: saved to the user's config.toml (without the
/// password), checked, and used for the next submission.
#[tokio::test(flavor = "current_thread")]
async fn a_webdav_target_added_in_the_settings_receives_the_next_submission() {
    let data = tempfile::tempdir().unwrap();
    let server = servers::wsgidav();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='outbox']").await;
    app.click("button[data-action='add-target']").await;
    app.type_into("#target-id", "dms").await;
    app.type_into("#target-name", "Stadt-DMS").await;
    app.type_into("#target-url", &server.url).await;
    app.type_into("#target-user", servers::USER).await;
    app.type_into("#target-folder", "{{formular}}").await;
    // Tried before saving: a wrong password gets a German reason, the right one passes.
    app.type_into("#target-password", "falsch").await;
    app.click("button[data-action='try-target']").await;
    app.wait_text("[data-testid='try-result']", |t| {
        t.starts_with("Der Server hat Benutzername oder Passwort abgelehnt")
    })
    .await;
    app.retype("#target-password", servers::PASSWORD).await;
    app.click("button[data-action='try-target']").await;
    app.wait_text("[data-testid='try-result']", |t| {
        t.starts_with("Verbindung in Ordnung")
    })
    .await;
    assert!(
        !data.path().join("config.toml").exists(),
        "trying saves nothing"
    );
    app.click("button[data-action='save-target']").await;
    app.wait_text("li[data-setting='dms']", |t| {
        t.contains("eigene Einstellung")
    })
    .await;
    app.wait_text("section.settings p.notice", |t| {
        t.contains("ersetzt den lokalen Ordner")
    })
    .await;
    app.click("li[data-setting='dms'] button[data-action='test']")
        .await;
    app.wait_text("li[data-setting='dms'] [data-testid='test-result']", |t| {
        t.starts_with("Verbindung in Ordnung")
    })
    .await;
    let config = std::fs::read_to_string(data.path().join("config.toml")).unwrap();
    assert!(
        config.contains(&server.url) && config.contains("{{formular}}"),
        "{config}"
    );
    assert!(
        !config.contains(servers::PASSWORD),
        "no password in the file: {config}"
    );

    app.click("nav button[data-workspace='forms']").await;
    let reference = app
        .finalise_ortstermin("530.12-2026-0300", "Domplatz 1")
        .await;
    app.click("nav button[data-workspace='outbox']").await;
    app.wait_text(
        &format!("tr[data-item='{reference}'] [data-testid='receipt']"),
        |t| t.contains("/dav/ortstermin/"),
    )
    .await;
    app.quit().await;
    assert!(server
        .root
        .join("ortstermin")
        .join(format!("{reference}.pdf"))
        .is_file());
    assert!(
        !data
            .path()
            .join("ausgang")
            .join(format!("{reference}.pdf"))
            .exists(),
        "new items go to the configured target only"
    );
}

/// A target without a (valid) password is paused and says so; the password typed into the
/// sync view lifts the pause and the waiting item goes out.
#[tokio::test(flavor = "current_thread")]
async fn a_paused_target_asks_for_its_password_and_then_delivers() {
    let data = tempfile::tempdir().unwrap();
    let server = servers::wsgidav();
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[sync]\ninterval_secs = 1\n[[target]]\nid = \"dms\"\nname = \"Stadt-DMS\"\nkind = \"webdav\"\nurl = \"{}\"\nuser = \"{}\"\n",
            server.url,
            servers::USER
        ),
    )
    .unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    let reference = app
        .finalise_ortstermin("530.12-2026-0400", "Rathausplatz 2")
        .await;
    app.click("nav button[data-workspace='outbox']").await;
    let card = app
        .wait_text("li[data-target='dms']", |t| t.contains("Angehalten:"))
        .await;
    assert!(card.contains("kein Passwort hinterlegt"), "{card}");
    app.wait_text("[data-testid='target-reason'][data-target='dms']", |t| {
        t.contains("kein Passwort")
    })
    .await;
    app.type_into("#pw-dms", servers::PASSWORD).await;
    app.click("li[data-target='dms'] form button[type='submit']")
        .await;
    app.wait_text(
        &format!("tr[data-item='{reference}'] [data-testid='receipt']"),
        |t| t.starts_with("Geliefert"),
    )
    .await;
    app.quit().await;
    assert!(server.root.join(format!("{reference}.pdf")).is_file());
}

/// The Postausgang's own actions on items that cannot go out: the DMS is unreachable, the
/// office adds an archive folder in the settings; one item is sent there instead (and
/// arrives), another is held back with a reason (and stays, listed with it, until
/// "retry"). The dialogs pass axe.
#[tokio::test(flavor = "current_thread")]
async fn an_item_for_an_unreachable_dms_is_sent_elsewhere_or_held_back() {
    let axe = crate::accessibility::axe_source();
    let data = tempfile::tempdir().unwrap();
    let port = servers::free_port();
    let archive = data.path().join("archiv");
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[sync]\ninterval_secs = 1\nretry_base_ms = 200\nretry_max_ms = 1000\n\
             [[target]]\nid = \"dms\"\nname = \"Stadt-DMS\"\nkind = \"webdav\"\n\
             url = \"http://127.0.0.1:{port}/dav/\"\nfolder = \"{{{{formular}}}}\"\n"
        ),
    )
    .unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    let moved = app
        .finalise_ortstermin("530.12-2026-0600", "Domplatz 20")
        .await;
    let held = app
        .finalise_ortstermin("530.12-2026-0601", "Domplatz 21")
        .await;
    app.click("nav button[data-workspace='outbox']").await;
    let row = |id: &str| format!("tr[data-item='{id}']");
    app.wait_text(
        &format!("{} [data-testid='waiting-reason']", row(&moved)),
        |t| t.starts_with("Wartet: „Stadt-DMS“"),
    )
    .await;

    // An archive folder as a second target.
    app.click("button[data-action='add-target']").await;
    app.type_into("#target-id", "archiv").await;
    app.type_into("#target-name", "Archivordner").await;
    app.client
        .execute(
            "const k = document.getElementById('target-kind'); k.value = 'folder';
             k.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    app.type_into("#target-path", archive.to_str().unwrap())
        .await;
    app.click("button[data-action='save-target']").await;
    app.wait_for("li[data-setting='archiv']").await;

    // The first item goes to the archive instead.
    app.click(&format!("{} button[data-action='move']", row(&moved)))
        .await;
    app.wait_for("dialog[open] #change-target").await;
    let violations = crate::accessibility::violations(&app, &axe).await;
    assert!(violations.is_empty(), "move dialog: {violations:#?}");
    app.click("dialog[open] button.primary").await;
    app.wait_text(&format!("{} [data-testid='receipt']", row(&moved)), |t| {
        t.starts_with("Geliefert")
    })
    .await;
    assert!(archive.join(format!("{moved}.pdf")).is_file());

    // The second is held back; the reason is required and shown.
    app.click(&format!("{} button[data-action='cancel']", row(&held)))
        .await;
    app.wait_for("dialog[open] #change-reason").await;
    let confirm = app.wait_for("dialog[open] button.primary").await;
    assert!(
        !confirm.is_enabled().await.unwrap(),
        "no hold without a reason"
    );
    app.type_into("#change-reason", "DMS bis Montag in Wartung")
        .await;
    let violations = crate::accessibility::violations(&app, &axe).await;
    assert!(violations.is_empty(), "hold dialog: {violations:#?}");
    app.click("dialog[open] button.primary").await;
    let text = app
        .wait_text(&row(&held), |t| {
            t.contains("Grund: DMS bis Montag in Wartung")
        })
        .await;
    assert!(text.contains("zurückgehalten"), "{text}");
    // It stays held back: not sent to the DMS, not moved by itself.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let state = app
        .wait_for(&row(&held))
        .await
        .attr("data-state")
        .await
        .unwrap();
    assert_eq!(state.as_deref(), Some("failed_permanently"));
    assert!(!archive.join(format!("{held}.pdf")).exists());
    app.quit().await;
}
