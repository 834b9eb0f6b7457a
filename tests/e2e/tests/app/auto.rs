//! Automatic indexing in the real app (issue 19): generated letters without separator sheets
//! (some pages fed turned, `scripts/auto/mail.py`) dropped into a batch; the batch view
//! shows the pages turned upright and proposes where documents start; the index station
//! puts the suggested type, sender, date and Aktenzeichen into the fields and frames on the
//! page where each was read; once the office has released a first set, the next batch goes
//! out straight through by itself — except for what the check draws.

use crate::harness::{app_binary, css, App, Driver};
use crate::scan::drop_files;
use base64::Engine as _;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// `eingang …` on the test's data folder; its output.
fn eingang(data: &Path, args: &[&str]) -> String {
    let out = Command::new(app_binary().with_file_name("eingang"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "eingang {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `docs` generated letters (seed `seed`, 200 dpi) in `dir`, and their truth.
fn mail(dir: &Path, docs: u32, seed: u32) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/auto/mail.py");
    let out = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(dir)
        .args([docs.to_string(), seed.to_string(), "200".into()])
        .output()
        .expect("python3 with PIL runs the mail generator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&std::fs::read(dir.join("truth.json")).unwrap()).unwrap()
}

/// The pages of `truth` as the drop hands them over: (name, base64), in scan order.
fn pages_of(dir: &Path, truth: &Value) -> Value {
    truth["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["file"].as_str().unwrap();
            let bytes = std::fs::read(dir.join(name)).unwrap();
            serde_json::json!([
                name,
                base64::engine::general_purpose::STANDARD.encode(bytes)
            ])
        })
        .collect()
}

/// Two profiles from the built-in grey one (four-eyes off: one person here; duplex, blank
/// backs expected): `post` only
/// suggests; `post-auto` applies document starts and values and releases straight through
/// at 80 %.
fn profiles(data: &Path, dir: &Path) {
    let all: Value = serde_json::from_str(&eingang(data, &["profiles", "list", "--json"])).unwrap();
    let standard = all
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "standard")
        .unwrap();
    for (id, name, auto) in [
        ("post", "Post", Value::Null),
        (
            "post-auto",
            "Post automatisch",
            serde_json::json!({"apply_boundaries": 0.5, "fill_values": 0.5, "release": 0.8}),
        ),
    ] {
        let mut p = standard.clone();
        p["id"] = id.into();
        p["name"] = name.into();
        p["qc"]["four_eyes"] = false.into();
        p["qc"]["blank_backs"] = true.into();
        if !auto.is_null() {
            p["auto"] = auto;
        }
        let file = dir.join(format!("{id}.json"));
        std::fs::write(&file, p.to_string()).unwrap();
        eingang(data, &["profiles", "save", file.to_str().unwrap()]);
    }
}

async fn new_batch(app: &App, name: &str, profile: &str) {
    app.retype("#batch-name", name).await;
    app.client
        .execute(
            "const s = document.getElementById('batch-profile'); s.value = arguments[0];
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![profile.into()],
        )
        .await
        .unwrap();
    app.click("button[data-action='batch-create']").await;
    app.wait_text(".batch-view h2", |t| t == name).await;
}

/// The batches as `eingang batch list --json` has them.
fn batches(data: &Path) -> Vec<Value> {
    let v: Value =
        serde_json::from_str(&eingang(data, &["batch", "list", "--json", "--all"])).unwrap();
    v.as_array()
        .or_else(|| v["items"].as_array())
        .cloned()
        .unwrap_or_default()
}

/// Waits until the strip lists `n` pages, all processed (thumbnails load as they come into
/// view, so they are not counted).
async fn page_count(app: &App, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let listed = app.client.find_all(css("li.page")).await.unwrap().len();
        let notice = app.text("[data-testid='scan-notice']").await;
        if listed == n && notice.contains(&format!("{n} Seiten übernommen")) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{n} pages never listed ({listed}): {notice}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The id of the batch named `name`.
fn batch_id(data: &Path, name: &str) -> String {
    batches(data)
        .into_iter()
        .find(|b| b["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Indexes every document of `batch` as the truth has it, passes the check and releases
/// it (the office's work, from the command line).
fn release_as_true(data: &Path, batch: &str, truth: &Value) {
    for (k, t) in truth["documents"].as_array().unwrap().iter().enumerate() {
        let pair = |f: &str, key: &str| format!("{f}={}", t[key].as_str().unwrap());
        eingang(
            data,
            &[
                "batch",
                "index",
                batch,
                "--doc",
                &(k + 1).to_string(),
                &pair("dokumentart", "type"),
                &pair("organisationseinheit", "unit"),
                &pair("absender", "sender"),
                &pair("briefdatum", "date"),
            ],
        );
    }
    eingang(data, &["batch", "qc", batch, "--all"]);
    eingang(
        data,
        &["batch", "release", batch, "--title", "Eingangspost"],
    );
}

#[tokio::test(flavor = "current_thread")]
async fn letters_without_separator_sheets_are_turned_cut_indexed_then_go_straight_through() {
    let (data, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (first_dir, next_dir) = (work.path().join("erste"), work.path().join("naechste"));
    let history_dir = work.path().join("vorher");
    let history = mail(&history_dir, 24, 60);
    let first = mail(&first_dir, 8, 61);
    let next = mail(&next_dir, 8, 62);
    eingang(
        data.path(),
        &[
            "masterdata",
            "import",
            first_dir.join("stammdaten.csv").to_str().unwrap(),
        ],
    );
    profiles(data.path(), work.path());
    // What the office released before (from the command line, as it came).
    let files: Vec<String> = history["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            history_dir
                .join(p["file"].as_str().unwrap())
                .display()
                .to_string()
        })
        .collect();
    let mut import = vec!["import", "--auto", "--profile", "post", "--name", "Vorher"];
    import.extend(files.iter().map(String::as_str));
    eingang(data.path(), &import);
    let earlier = batch_id(data.path(), "Vorher");
    eingang(
        data.path(),
        &["batch", "autoindex", &earlier, "--boundaries", "0.5"],
    );
    release_as_true(data.path(), &earlier, &history);

    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("nav button[data-workspace='scan']").await;

    // The first set: dropped as it came out of the scanner, no separator sheets.
    new_batch(&app, "Erste Post", "post").await;
    drop_files(&app, pages_of(&first_dir, &first)).await;
    let pages = first["pages"].as_array().unwrap();
    page_count(&app, pages.len()).await;
    // Pages fed turned stand upright (the orientation read while processing).
    let shown = app.client.find_all(css("li.page")).await.unwrap();
    for (li, t) in shown.iter().zip(pages) {
        if !t["blank"].as_bool().unwrap() {
            assert_eq!(
                li.attr("data-rotation").await.unwrap().as_deref(),
                Some(t["turn"].to_string().as_str()),
                "{t}"
            );
        }
    }
    assert!(
        pages.iter().any(|p| p["turn"] != 0),
        "some pages fed turned"
    );
    // Once the OCR has read them, the strip proposes where documents start.
    let docs = first["documents"].as_array().unwrap().len();
    let apply = format!("({})", docs - 1);
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let label = app.text("button[data-action='suggest-apply']").await;
        if label.contains(&apply) {
            break;
        }
        assert!(Instant::now() < deadline, "no proposals: {label}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let marked = app
        .client
        .find_all(css("[data-testid='proposed-start']"))
        .await
        .unwrap();
    assert_eq!(marked.len(), docs - 1);
    app.click("button[data-action='suggest-apply']").await;
    app.wait_for(&format!("[data-check-doc='{docs}']")).await;
    // A blank duplex back is noted at the check, not flagged (the profile expects them).
    let with_backs: std::collections::BTreeSet<u64> = pages
        .iter()
        .filter(|p| p["blank"] == true)
        .map(|p| p["document"].as_u64().unwrap() + 1)
        .collect();
    for n in &with_backs {
        app.wait_text(&format!("[data-testid='check-notes-{n}']"), |t| {
            t.contains("Leere Rückseite")
        })
        .await;
    }

    // The index station: the letter's values in the fields, marked as suggestions, and the
    // place each was read framed on the page.
    let truth = &first["documents"][0];
    let field = |f: &str| format!("#idx-1-{f}");
    let value = app
        .wait_for(&field("absender"))
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(value.as_deref(), truth["sender"].as_str());
    app.wait_for("[data-testid='proposed-1-absender']").await;
    app.wait_for("[data-testid='proposed-1-briefdatum']").await;
    if let Some(az) = truth["aktenzeichen"].as_str().filter(|a| !a.is_empty()) {
        let v = app
            .wait_for(&field("aktenzeichen"))
            .await
            .prop("value")
            .await
            .unwrap();
        assert_eq!(v.as_deref(), Some(az));
    }
    app.click(&field("absender")).await;
    app.wait_for("[data-testid='source-region']").await;
    let note = app.text(".source-note").await;
    assert_eq!(note, "Fundstelle: Absender");

    // The office indexes and releases the first set (values as the truth has them).
    release_as_true(data.path(), &batch_id(data.path(), "Erste Post"), &first);
    let model = eingang(data.path(), &["model", "status"]);
    assert!(
        model.contains(&format!(
            "learned from {} released",
            docs + history["documents"].as_array().unwrap().len()
        )),
        "{model}"
    );

    // The next batch, with the profile that releases straight through: nobody touches it.
    new_batch(&app, "Nächste Post", "post-auto").await;
    drop_files(&app, pages_of(&next_dir, &next)).await;
    let deadline = Instant::now() + Duration::from_secs(240);
    let split = loop {
        if let Some(b) = batches(data.path())
            .into_iter()
            .find(|b| b["name"] == "Nächste Post (automatisch)" && b["released"] == true)
        {
            break b;
        }
        assert!(Instant::now() < deadline, "nothing went straight through");
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let released = split["documents"].as_u64().unwrap() as usize;
    assert!(released > 0);
    // What stays is for a person: every document the check drew among it.
    app.client
        .execute(
            "[...document.querySelectorAll('ul.batches button.batch')]
               .find(b => b.textContent.includes('Nächste Post') && !b.textContent.includes('automatisch'))
               .click();",
            vec![],
        )
        .await
        .unwrap();
    app.wait_text(".batch-view h2", |t| t == "Nächste Post")
        .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while app
        .client
        .find_all(css("[data-check-doc]"))
        .await
        .unwrap()
        .len()
        + released
        != next["documents"].as_array().unwrap().len()
    {
        assert!(
            Instant::now() < deadline,
            "the batch view never showed what stayed"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let left = app
        .client
        .find_all(css("[data-check-doc]"))
        .await
        .unwrap()
        .len();
    assert_eq!(left + released, next["documents"].as_array().unwrap().len());
    let drawn = app
        .client
        .find_all(css("[data-check-doc][data-open='true']"))
        .await
        .unwrap()
        .len();
    assert!(drawn >= 1, "the check's sample stays for a person");
    let shown = app.text("ul.batches").await;
    assert!(shown.contains("Nächste Post (automatisch)"), "{shown}");
    app.quit().await;
}
