//! What IT configures and how the app behaves as an installed program: the machine's role
//! decides the workspaces, central master data arrive at start, a user's file cannot change
//! the role, and a second start brings the running window to the front instead of opening
//! a second app on the same data.

use crate::harness::{app_binary, css, Driver};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_scan_office_machine_shows_its_workspaces_and_a_second_start_comes_to_the_front() {
    let data = tempfile::tempdir().unwrap();
    let etc = tempfile::tempdir().unwrap();
    let csv = etc.path().join("stammdaten.csv");
    std::fs::write(
        &csv,
        "art;code;bezeichnung;muster;felder\neinheit;32.1;Ordnungsamt;;\ndokumentart;antrag;Antrag;;\n",
    )
    .unwrap();
    let machine = etc.path().join("config.toml");
    std::fs::write(
        &machine,
        format!(
            "[station]\nrole = \"scan\"\nname = \"Scanstelle 2\"\n[masterdata]\nsource = \"{}\"\n",
            csv.display()
        ),
    )
    .unwrap();
    // The user's own file asks for the terminal: ignored, and the status bar says so.
    std::fs::write(
        data.path().join("config.toml"),
        "[station]\nrole = \"terminal\"\n",
    )
    .unwrap();
    let driver = Driver::start_with(&[("EINGANG_MACHINE_CONFIG", machine.as_path())]);
    let app = driver.launch(data.path()).await;

    // The scan office and its outbox, nothing else; the scan office first.
    app.wait_for("[data-workspace='scan'][aria-current='page']")
        .await;
    let mut shown = Vec::new();
    for b in app
        .client
        .find_all(css("nav [data-workspace]"))
        .await
        .unwrap()
    {
        shown.push(b.attr("data-workspace").await.unwrap().unwrap());
    }
    assert_eq!(shown, ["scan", "outbox"]);
    // Master data from the central file, there on the first screen.
    app.wait_text(".master p", |t| {
        t.contains("1 Organisationseinheit") && t.contains("1 Dokumentart")
    })
    .await;
    let notices = app
        .wait_text("[data-testid='config-warnings'] summary", |t| {
            t.contains("1 Hinweis")
        })
        .await;
    assert!(notices.contains("Konfiguration"), "{notices}");

    // A second start on the same data: it ends at once, saying why, and the running
    // window is brought to the front.
    let started = Instant::now();
    let second = tokio::task::spawn_blocking({
        let data = data.path().to_path_buf();
        move || {
            std::process::Command::new(app_binary())
                .arg("--data-dir")
                .arg(&data)
                .env("EINGANG_MACHINE_CONFIG", &machine)
                .env("EINGANG_LOG_STDERR", "off")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{said}");
    assert!(said.contains("Eingang läuft bereits"), "{said}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let logs = data.path().join("logs");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let all: String = std::fs::read_dir(&logs)
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect();
        if all.contains("window brought to the front for a second start") {
            break;
        }
        assert!(Instant::now() < deadline, "the running app was not told");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Still one app, still working.
    app.wait_for("[data-workspace='scan']").await;
    app.quit().await;
}

use eingang_update::testing::Signer;

#[tokio::test]
async fn a_signed_update_on_the_share_is_offered_and_a_failed_install_keeps_the_app() {
    let data = tempfile::tempdir().unwrap();
    let share = tempfile::tempdir().unwrap();
    // A package this system cannot install (not a .deb): the offer, the click and the
    // installer's refusal are all real; nothing on the machine changes.
    let package = b"Eingang 9.0.0 for another system".to_vec();
    let city = Signer::new();
    let (pubkey, signature) = (city.pubkey(), city.sign(&package));
    std::fs::write(share.path().join("Eingang_9.0.0.pkg"), &package).unwrap();
    let manifest = share.path().join("latest.json");
    let text = serde_json::json!({
        "version": "9.0.0",
        "notes": "Fehlerbehebungen",
        "platforms": { "linux-x86_64-deb": { "url": "Eingang_9.0.0.pkg", "signature": signature } }
    })
    .to_string();
    std::fs::write(&manifest, &text).unwrap();
    // The city signs the manifest too.
    std::fs::write(
        share.path().join("latest.json.sig"),
        city.sign(text.as_bytes()),
    )
    .unwrap();
    let machine = share.path().join("config.toml");
    std::fs::write(
        &machine,
        format!(
            "[update]\nsource = \"{}\"\npubkey = \"{pubkey}\"\n",
            manifest.display()
        ),
    )
    .unwrap();
    let driver = Driver::start_with(&[("EINGANG_MACHINE_CONFIG", machine.as_path())]);
    let app = driver.launch(data.path()).await;
    app.wait_for("[data-workspace='forms']").await;
    // The first look is 20 s after start; the status bar refreshes every 5 s.
    let deadline = Instant::now() + Duration::from_secs(45);
    let ready = loop {
        if let Ok(el) = app.client.find(css("[data-testid='update-ready']")).await {
            break el.text().await.unwrap();
        }
        assert!(Instant::now() < deadline, "the update was never offered");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        ready.contains("Version 9.0.0 ist geprüft und bereit"),
        "{ready}"
    );
    assert!(
        data.path()
            .join("updates")
            .join("Eingang_9.0.0.pkg")
            .exists(),
        "the verified package waits in the data folder"
    );
    app.click("[data-testid='update-ready'] button").await;
    let problem = app
        .wait_text("[data-testid='update-error']", |t| !t.is_empty())
        .await;
    assert!(
        problem.contains("Die Installation ist nicht gelungen; die bisherige Version läuft weiter"),
        "{problem}"
    );
    // The app is still there and works.
    app.click("[data-workspace='outbox']").await;
    app.wait_for("[data-workspace='outbox'][aria-current='page']")
        .await;
    app.quit().await;
}
