//! The scan office as a team, in two real apps at once against one PostgreSQL (Debian's, on
//! loopback, TLS): station A scans a batch from SANE's test scanner and hands it over; desk
//! B takes its documents one by one from the shared queue and indexes them — A's team panel
//! follows without reloading; at A another person signs in and checks what was drawn (the
//! person who scanned may not); B releases the batch, and A — the station with the deliver
//! role — takes its documents from the team and delivers them once to a real WebDAV server
//! (WsgiDAV). A field laptop's data folder beside them is untouched.

use crate::harness::{App, Driver};
use crate::scan::{confirm_release, walk};
use crate::servers;
use eingang_team::testing::Postgres;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// A station's machine file: its name and its roles in the team.
fn machine(dir: &Path, name: &str, team: &str, roles: &str) -> std::path::PathBuf {
    let file = dir.join("machine.toml");
    std::fs::write(
        &file,
        format!("[station]\nname = \"{name}\"\n\n{team}roles = [{roles}]\n"),
    )
    .unwrap();
    file
}

/// Every file under `dir` with its SHA-256.
fn fingerprint(dir: &Path) -> BTreeMap<String, String> {
    walk(dir)
        .into_iter()
        .map(|p| {
            let hash = hex::encode(Sha256::digest(std::fs::read(&p).unwrap()));
            (p.display().to_string(), hash)
        })
        .collect()
}

async fn sign_in(app: &App, who: &str) {
    app.retype("#operator", who).await;
    app.click("button[data-action='sign-in']").await;
    let expected = format!("{who} ist angemeldet.");
    app.wait_text("[data-testid='station-notice']", |t| t == expected)
        .await;
}

/// Clicks a team button and waits for the panel's answer, which must say `what`.
async fn team_action(app: &App, action: &str, what: impl Fn(&str) -> bool) -> String {
    let answers = || async {
        let el = app.wait_for("[data-testid='team-notice']").await;
        el.attr("data-answers").await.unwrap().unwrap_or_default()
    };
    let before = answers().await;
    app.click(&format!("button[data-action='{action}']")).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while answers().await == before {
        assert!(Instant::now() < deadline, "{action}: no answer");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let said = app.text("[data-testid='team-notice']").await;
    assert!(what(&said), "{action}: {said}");
    said
}

/// Takes the next work of `step`: the document's number, or `None` when nothing waits.
async fn take(app: &App, step: &str) -> Option<u32> {
    let said = team_action(app, &format!("team-take-{step}"), |t| {
        t.starts_with("Übernommen") || t.starts_with("Zurzeit wartet nichts")
    })
    .await;
    if said.starts_with("Zurzeit") {
        return None;
    }
    Some(
        said.split("Dokument ")
            .nth(1)
            .and_then(|r| r.split('.').next())
            .map_or(0, |n| n.parse().unwrap()),
    )
}

async fn done(app: &App) {
    team_action(app, "team-done", |t| {
        t == "Abgeschlossen und an das Team gesendet."
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
#[allow(clippy::too_many_lines)] // one day of a team, in order
async fn a_batch_scanned_at_one_station_is_indexed_checked_released_and_delivered_by_others() {
    // The test server's client blocks: not on the test's runtime thread.
    let (pg, settings, password) = std::thread::spawn(|| {
        let pg = Postgres::shared();
        let (settings, password) = pg.database();
        (pg, settings, password)
    })
    .join()
    .unwrap();
    let team = format!(
        "[team]\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"{}\"\nuser = \"{}\"\nca_bundle = \"{}\"\n",
        settings.port,
        settings.dbname,
        settings.user,
        pg.ca().display()
    );
    let dav = servers::wsgidav();
    let (a, b, etc_a, etc_b) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let machine_a = machine(
        etc_a.path(),
        "scan-1",
        &team,
        "\"capture\", \"check\", \"deliver\"",
    );
    let machine_b = machine(etc_b.path(), "index-1", &team, "\"index\", \"release\"");
    // A delivers to the DMS (WebDAV); B has only the local folder.
    std::fs::write(
        a.path().join("config.toml"),
        format!(
            "[sync]\ninterval_secs = 1\n[[target]]\nid = \"dms\"\nname = \"Stadt-DMS\"\nkind = \"webdav\"\nurl = \"{}\"\nuser = \"{}\"\nfolder = \"scan\"\n",
            dav.url,
            servers::USER
        ),
    )
    .unwrap();
    let secret = format!("team:{}", settings.name());
    for dir in [a.path(), b.path()] {
        let store = eingang_store::Store::open(dir).unwrap();
        eingang_sync::secrets::set_password(&store, &secret, &password).unwrap();
    }
    {
        let store = eingang_store::Store::open(a.path()).unwrap();
        store
            .with_conn(|c| eingang_store::tables::credentials::set(c, "dms", servers::PASSWORD))
            .unwrap();
    }
    // A field laptop on the same machine: its data folder is not touched by any of it.
    let laptop = tempfile::tempdir().unwrap();
    drop(eingang_store::Store::open(laptop.path()).unwrap());
    let laptop_before = fingerprint(laptop.path());

    let sane = tempfile::tempdir().unwrap();
    std::fs::write(sane.path().join("dll.conf"), "test\n").unwrap();
    let driver_a = Driver::start_with(&[
        ("SANE_CONFIG_DIR", sane.path()),
        ("EINGANG_MACHINE_CONFIG", machine_a.as_path()),
    ]);
    let station_a = driver_a.launch(a.path()).await;
    station_a.click("nav button[data-workspace='scan']").await;
    sign_in(&station_a, "Anna Scan").await;
    station_a
        .wait_text("[data-testid='team-state']", |t| {
            t.starts_with("Verbunden mit der Team-Datenbank · Arbeitsplatz scan-1")
        })
        .await;
    // Four pages from the test scanner, cut into two documents.
    station_a.type_into("#batch-name", "Post Team").await;
    station_a.click("button[data-action='batch-create']").await;
    station_a
        .wait_text(".batch-view h2", |t| t == "Post Team")
        .await;
    crate::scan::scan_from_test_scanner(&station_a, 4).await;
    crate::scan::wait_pages(&station_a, 4).await;
    // The page list may still redraw while the pages settle: pressed until it holds.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ids = crate::scan::page_ids(&station_a).await;
        let split = format!(
            "li.page[data-page='{}'] button[data-action='split']",
            ids[2]
        );
        let pressed = station_a
            .client
            .find(crate::harness::css(&format!(
                "{split}[aria-pressed='true']"
            )))
            .await
            .is_ok();
        if pressed {
            break;
        }
        assert!(Instant::now() < deadline, "the split never held");
        station_a.click(&split).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Read here (OCR), then handed over.
    let deadline = Instant::now() + Duration::from_secs(120);
    while station_a.text("ul.batches").await.contains("OCR") {
        assert!(Instant::now() < deadline, "OCR never finished");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    team_action(&station_a, "team-hand-over", |t| {
        t == "Der Stapel wurde dem Team übergeben."
    })
    .await;
    station_a
        .wait_text("[data-testid='team-waiting'] li[data-step='index']", |t| {
            t == "Indexieren: 2 offen, 0 in Arbeit"
        })
        .await;
    assert_eq!(
        station_a.text("[data-testid='team-pages']").await,
        "Heute gescannt: 4 Seiten"
    );

    // Desk B: another app, another person, the documents from the queue.
    let driver_b = Driver::beside(
        &driver_a,
        &[("EINGANG_MACHINE_CONFIG", machine_b.as_path())],
    );
    let desk_b = driver_b.launch(b.path()).await;
    desk_b.click("nav button[data-workspace='scan']").await;
    sign_in(&desk_b, "Bert Index").await;
    // The day as the team has it: A's batch, handed over, both documents open.
    desk_b
        .wait_text("[data-testid='team-today']", |t| {
            t.contains("Post Team (scan-1): übergeben, 4 Seiten, 2 offen")
        })
        .await;
    for _ in 0..2 {
        let n = take(&desk_b, "index").await.expect("a document to index");
        // Who works on what: A sees B at work without reloading.
        station_a
            .wait_text("[data-testid='team-desks']", |t| {
                t.contains("Bert Index (index-1): Indexieren")
            })
            .await;
        desk_b
            .pick(&[(&format!("idx-{n}-dokumentart"), "Antrag")])
            .await;
        desk_b
            .click(&format!("button[data-action='index-save-{n}']"))
            .await;
        desk_b
            .wait_text(&format!("[data-testid='check-message-{n}']"), |t| {
                t == "Index gespeichert."
            })
            .await;
        done(&desk_b).await;
    }
    assert_eq!(take(&desk_b, "index").await, None);
    station_a
        .wait_text("[data-testid='team-waiting'] li[data-step='index']", |t| {
            t == "Indexieren: 0 offen, 0 in Arbeit"
        })
        .await;

    // The check at A: the person who scanned may not; another person signs in and does.
    let n = take(&station_a, "check")
        .await
        .expect("a document drawn for the check");
    station_a
        .click(&format!("button[data-action='pass-{n}']"))
        .await;
    let refused = station_a
        .wait_text(&format!("[data-testid='check-message-{n}']"), |t| {
            !t.is_empty()
        })
        .await;
    assert!(refused.starts_with("Vier-Augen-Prinzip"), "{refused}");
    sign_in(&station_a, "Carla Prüferin").await;
    let mut n = Some(n);
    while let Some(doc) = n {
        station_a
            .click(&format!("button[data-action='pass-{doc}']"))
            .await;
        station_a
            .wait_text(&format!("[data-testid='verdict-{doc}']"), |t| {
                t.starts_with("bestanden (geprüft von Carla Prüferin")
            })
            .await;
        done(&station_a).await;
        n = take(&station_a, "check").await;
    }

    // B releases; A's deliver role takes the documents to the DMS, once.
    assert_eq!(take(&desk_b, "release").await, Some(0), "the whole batch");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !desk_b
        .text("[data-testid='release-state']")
        .await
        .is_empty()
    {
        assert!(Instant::now() < deadline, "never releasable");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    desk_b.type_into("#doc-title", "Post Team").await;
    desk_b.click("button[data-action='documents-make']").await;
    confirm_release(
        &desk_b,
        "bleiben aufbewahrt (weder Siegel noch schriftliche Begründung für den Verzicht darauf)",
    )
    .await;
    desk_b
        .wait_text("[data-testid='scan-notice']", |t| {
            t.starts_with("2 Dokumente erzeugt")
        })
        .await;
    // B says who delivers: the team, not this desk.
    desk_b
        .wait_text("[data-testid='release-state']", |t| {
            t.starts_with("Für das Team freigegeben")
        })
        .await;
    done(&desk_b).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let pdfs = loop {
        let pdfs: Vec<_> = walk(&dav.root)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        if pdfs.len() >= 2 {
            break pdfs;
        }
        assert!(Instant::now() < deadline, "never delivered: {pdfs:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        walk(&dav.root)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .count(),
        2,
        "each document once: {pdfs:?}"
    );
    station_a
        .wait_text("[data-testid='team-today']", |t| {
            t.contains("Post Team (scan-1): freigegeben, 4 Seiten")
        })
        .await;
    // B queued no document for its own folder (only its audit log's anchor, as every
    // release makes): the team's deliver station delivered them.
    let from_b = walk(&b.path().join("ausgang"));
    assert!(
        from_b.iter().all(|p| p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("audit-"))),
        "{from_b:?}"
    );
    desk_b.quit().await;
    station_a.quit().await;
    assert_eq!(
        fingerprint(laptop.path()),
        laptop_before,
        "the laptop's folder is untouched"
    );
}
