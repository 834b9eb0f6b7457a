//! The self-service terminal in the real app: a machine with `[station] role =
//! "terminal"`, SANE's test scanner as the terminal's scanner, a receipt printer that is a
//! script recording what it was sent. A full session in Arabic ends with a receipt; a
//! session left alone times out and leaves nothing behind — searched for in the data
//! folder, the temp folders, the webview's storage, the print spool and the clipboard.

use crate::accessibility::{axe_source, violations, zoomed};
use crate::harness::{css, press, search, tab_to, App, Driver, ENTER, SPACE};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

const FORM: &str = r#"{
  "format": 1, "id": "bewohnerparken", "version": "1.0",
  "title": { "de": "Bewohnerparkausweis beantragen", "en": "Apply for a resident parking permit", "tr": "Sakin park izni başvurusu" },
  "items": [
    { "type": "field", "key": "name", "kind": "text", "required": true, "max_length": 200,
      "label": { "de": "Vor- und Nachname", "en": "First and last name", "ar": "الاسم الكامل" } },
    { "type": "field", "key": "kennzeichen", "kind": "text", "required": true, "max_length": 12,
      "label": { "de": "Kfz-Kennzeichen", "en": "Number plate" },
      "help_plain": { "de": "Das steht auf dem Schild am Auto.", "en": "It is on the plate of your car." } },
    { "type": "field", "key": "halter", "kind": "yes_no",
      "label": { "de": "Das Auto ist auf mich zugelassen", "en": "The car is registered to me" } },
    { "type": "field", "key": "nachweis", "kind": "attachment", "max_files": 2,
      "accept": ["application/pdf", "image/*"],
      "label": { "de": "Fahrzeugschein", "en": "Vehicle registration" } }
  ]
}"#;

struct Terminal {
    _etc: tempfile::TempDir,
    machine: PathBuf,
    sane: PathBuf,
    lp: PathBuf,
    printed: PathBuf,
}

/// A terminal's machine configuration (and SANE's test backend, and a printer script).
fn terminal_machine(data: &Path, idle: u64, warn: u64) -> Terminal {
    let etc = tempfile::tempdir().unwrap();
    let sane = etc.path().join("sane");
    std::fs::create_dir(&sane).unwrap();
    std::fs::write(sane.join("dll.conf"), "test\n").unwrap();
    if let Ok(t) = std::fs::read("/etc/sane.d/test.conf") {
        std::fs::write(sane.join("test.conf"), t).unwrap();
    }
    let printed = etc.path().join("printed.txt");
    let lp = etc.path().join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\necho \"$@\" > '{0}.args'\ncat > '{0}'\n",
            printed.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&lp, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let pin = eingang_config::central::hash_pin("482913").unwrap();
    let machine = etc.path().join("config.toml");
    std::fs::write(
        &machine,
        format!(
            "[station]\nrole = \"terminal\"\naccessibility_contact = \"barrierefrei@stadt.example\"\n\
             [terminal]\nidle_secs = {idle}\nwarn_secs = {warn}\nforms = [\"bewohnerparken\"]\n\
             scanner = \"test:0\"\nprint_receipt = true\nstaff_pin = \"{pin}\"\n"
        ),
    )
    .unwrap();
    let store = eingang_store::Store::open(data).unwrap();
    store
        .with_tx(|tx| eingang_store::tables::forms::import(tx, FORM, "terminal-test"))
        .unwrap();
    Terminal {
        _etc: etc,
        machine,
        sane,
        lp,
        printed,
    }
}

fn driver(t: &Terminal) -> Driver {
    Driver::start_with(&[
        ("EINGANG_MACHINE_CONFIG", t.machine.as_path()),
        ("SANE_CONFIG_DIR", t.sane.as_path()),
        ("EINGANG_LP", t.lp.as_path()),
    ])
}

async fn axe_clean(app: &App, axe: &str, screen: &str, checked: &mut Vec<String>) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let v = violations(app, axe).await;
    assert!(v.is_empty(), "axe on the terminal's {screen}: {v:#?}");
    // And it reflows at 320 CSS px (WCAG 1.4.10; 400 % of a 1280 px screen): nothing
    // sticks out sideways.
    let width = app
        .client
        .execute("return window.innerWidth", vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    let r = zoomed(app, width / 320.0).await;
    assert!(
        r["over"].as_array().is_some_and(Vec::is_empty),
        "{screen} at 320 px: {r}"
    );
    checked.push(screen.to_owned());
}

async fn html_attr(app: &App, name: &str) -> String {
    app.client
        .execute(
            &format!("return document.documentElement.getAttribute('{name}') || ''"),
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn scan_page(app: &App) {
    let before = app.client.find_all(css(".pages li")).await.unwrap().len();
    app.click("button[data-action='scan']").await;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let n = app
            .client
            .find_all(css(".pages li img"))
            .await
            .unwrap()
            .len();
        if n > before {
            break;
        }
        if let Ok(e) = app.client.find(css(".scan-error")).await {
            panic!("the scan failed: {}", e.text().await.unwrap());
        }
        assert!(Instant::now() < deadline, "no scanned page appeared");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_session_in_arabic_with_a_scanned_page_ends_with_a_receipt() {
    let axe = axe_source();
    let data = tempfile::tempdir().unwrap();
    let t = terminal_machine(data.path(), 600, 30);
    let driver = driver(&t);
    let app = driver.launch(data.path()).await;
    let mut checked = Vec::new();

    // Welcome: every offered language, each in its own name and language.
    app.wait_for(".terminal[data-screen='welcome']").await;
    for lang in ["de", "en", "tr", "ar", "uk"] {
        app.wait_for(&format!("button[data-lang='{lang}'][lang='{lang}']"))
            .await;
    }
    axe_clean(&app, &axe, "welcome", &mut checked).await;
    // No window controls, no other workspace: only the terminal.
    assert!(app.client.find(css("nav")).await.is_err());
    // No file dialog, whatever a page asks for: the window's start script (the only guard
    // on Windows, where WebView2 has no chooser event) cancels the click that would open
    // one and refuses `showPicker`; a click on anything else goes through.
    let refused = app
        .client
        .execute(
            r#"const click = () => new MouseEvent("click", { bubbles: true, cancelable: true });
               const file = document.createElement("input");
               file.type = "file";
               document.body.appendChild(file);
               const fileClick = file.dispatchEvent(click());
               let picker = "absent";
               if (file.showPicker) {
                 try { file.showPicker(); picker = "opened"; } catch (e) { picker = e.name; }
               }
               file.remove();
               const text = document.createElement("input");
               document.body.appendChild(text);
               const textClick = text.dispatchEvent(click());
               text.remove();
               return [fileClick, picker, textClick];"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(refused[0], serde_json::json!(false), "{refused}");
    assert!(
        ["NotAllowedError", "absent"].contains(&refused[1].as_str().unwrap_or("")),
        "{refused}"
    );
    assert_eq!(refused[2], serde_json::json!(true), "{refused}");
    app.click("button[data-lang='ar']").await;
    app.wait_for(".terminal[data-screen='forms']").await;
    assert_eq!(html_attr(&app, "dir").await, "rtl");
    assert_eq!(html_attr(&app, "lang").await, "ar");
    assert_eq!(app.text("#t-heading").await, "ما الطلب الذي تريد تقديمه؟");
    axe_clean(&app, &axe, "forms (ar)", &mut checked).await;

    // The form has no Arabic title and few Arabic labels: German, marked, and said so.
    app.click("button[data-form='bewohnerparken']").await;
    app.wait_for(".terminal[data-screen='fill']").await;
    app.wait_for("[data-untranslated='true']").await;
    let fallback = app.client.find_all(css("abbr.fallback")).await.unwrap();
    assert!(!fallback.is_empty(), "untranslated labels are marked");
    let name_label = app.text("label[for='field-name']").await;
    assert!(name_label.contains("الاسم الكامل"), "{name_label}");
    app.wait_for("label[for='field-kennzeichen'] span[lang='de']")
        .await;
    // Plain-language help, where the form has it (here only in German, so marked as such).
    let plain = app.text("#field-kennzeichen-plain").await;
    assert!(
        plain.contains("بلغة مبسطة") && plain.contains("Das steht auf dem Schild"),
        "{plain}"
    );
    app.wait_for("#field-kennzeichen-plain span[lang='de']")
        .await;
    // Next with nothing filled: the issues, in Arabic, focused and tied to the fields.
    app.click("button[data-action='next']").await;
    let issues = app.wait_text(".issues", |s| !s.is_empty()).await;
    assert!(issues.contains("يرجى ملء هذا الحقل"), "{issues}");
    axe_clean(&app, &axe, "fill with issues (ar)", &mut checked).await;
    // Arabic typed into a left-to-right field, and a plate number.
    app.type_into("#field-name", "ليلى حداد").await;
    app.type_into("#field-kennzeichen", "K-LH 2026").await;
    app.click("#field-halter").await;
    app.click("button[data-action='next']").await;

    // Documents: two pages from the scanner, the second removed again.
    app.wait_for(".terminal[data-screen='documents']").await;
    axe_clean(&app, &axe, "documents (ar)", &mut checked).await;
    scan_page(&app).await;
    scan_page(&app).await;
    let second = app
        .wait_for(".pages li:nth-child(2)")
        .await
        .attr("data-blob")
        .await
        .unwrap()
        .unwrap();
    app.click(".pages li:nth-child(2) button.danger").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.client.find_all(css(".pages li")).await.unwrap().len() != 1 {
        assert!(Instant::now() < deadline, "the second page was not removed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    axe_clean(&app, &axe, "documents with a page (ar)", &mut checked).await;
    app.click("button[data-action='next']").await;

    // Review, then submit.
    app.wait_for(".terminal[data-screen='review']").await;
    let review = app.text(".review").await;
    assert!(
        review.contains("ليلى حداد") && review.contains("K-LH 2026"),
        "{review}"
    );
    assert!(review.contains("1 صفحة"), "{review}");
    axe_clean(&app, &axe, "review (ar)", &mut checked).await;
    // The high-contrast theme, for this citizen only.
    app.click("button[data-action='contrast']").await;
    assert_eq!(html_attr(&app, "data-contrast").await, "more");
    axe_clean(&app, &axe, "review, high contrast (ar)", &mut checked).await;
    app.click("button[data-action='submit']").await;
    app.wait_for(".terminal[data-screen='receipt']").await;
    let reference = app
        .wait_for("[data-reference]")
        .await
        .attr("data-reference")
        .await
        .unwrap()
        .unwrap();
    assert!(
        reference.len() == 11 && reference.as_bytes()[5] == b'-',
        "{reference}"
    );
    let qr = app.wait_for("img.qr").await;
    assert!(qr
        .attr("src")
        .await
        .unwrap()
        .unwrap()
        .starts_with("data:image/svg+xml;base64,"));
    assert!(qr.attr("alt").await.unwrap().unwrap().contains(&reference));
    axe_clean(&app, &axe, "receipt (ar)", &mut checked).await;
    // The printer got the reference and nothing the citizen typed.
    let printed = std::fs::read_to_string(&t.printed).unwrap();
    assert!(printed.contains(&reference), "{printed}");
    assert!(
        !printed.contains("ليلى") && !printed.contains("K-LH"),
        "{printed}"
    );

    // Done: a clean welcome screen in German, the session forgotten.
    app.click("button[data-action='done']").await;
    app.wait_for(".terminal[data-screen='welcome']").await;
    assert_eq!(html_attr(&app, "dir").await, "ltr");
    assert_eq!(
        html_attr(&app, "data-contrast").await,
        "normal",
        "the next citizen starts with the default theme"
    );
    app.client.close_window().await.ok();
    drop(app);
    drop(driver);
    // Delivered to the zero-configuration target (the local folder `ausgang`) with its
    // scanned page; once delivered, the terminal keeps nothing of it (purged every 30 s),
    // before that it waits in the outbox with its one attachment.
    let store = eingang_store::Store::open(data.path()).unwrap();
    let subs = store
        .with_conn(|c| eingang_store::tables::submissions::list(c, None, 1000).map(|(all, _)| all))
        .unwrap();
    assert!(subs.len() <= 1);
    if let Some(s) = subs.first() {
        assert_eq!(s.reference, reference);
        assert_eq!(s.attachments, 1);
    }
    assert_eq!(
        store
            .with_conn(eingang_store::tables::drafts::count)
            .unwrap(),
        0
    );
    assert!(
        !store.blobs().contains(&second).unwrap(),
        "the removed page was forgotten"
    );
    drop(store);
    let mut delivered = Vec::new();
    let mut stack = vec![data.path().join("ausgang")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                delivered.push(e.file_name().to_string_lossy().into_owned());
            }
        }
    }
    assert!(
        delivered.iter().any(|f| std::path::Path::new(f)
            .extension()
            .is_some_and(|e| e == "pdf")),
        "{delivered:?}"
    );
    println!(
        "terminal (ar): submitted {reference}; axe on {} terminal screens: 0 violations, each reflows at 320 CSS px ({})",
        checked.len(),
        checked.join(", ")
    );
}

/// Waits up to `secs` for `selector` (the time-out's own timers are longer than the
/// harness's default wait).
async fn wait_long(app: &App, selector: &str, secs: u64) -> fantoccini::elements::Element {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Ok(e) = app.client.find(css(selector)).await {
            return e;
        }
        assert!(
            Instant::now() < deadline,
            "{selector} did not appear in {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn clipboard(selection: &str) -> String {
    std::process::Command::new("xclip")
        .args(["-o", "-selection", selection])
        .env("DISPLAY", crate::harness::display())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "current_thread")]
async fn a_session_that_times_out_leaves_nothing_behind() {
    let axe = axe_source();
    let since = SystemTime::now() - Duration::from_secs(1);
    let data = tempfile::tempdir().unwrap();
    let t = terminal_machine(data.path(), 30, 20);
    let driver = driver(&t);
    let app = driver.launch(data.path()).await;
    let mut checked = Vec::new();
    let marker = "Quokka-Schmetterling-7731";

    app.wait_for(".terminal[data-screen='welcome']").await;
    app.click("button[data-lang='de']").await;
    app.click("button[data-form='bewohnerparken']").await;
    app.wait_for(".terminal[data-screen='fill']").await;
    app.type_into("#field-name", marker).await;
    app.type_into("#field-kennzeichen", "B-Q 7731").await;
    // The marker goes into the clipboard (and the primary selection) too.
    // Ctrl+A, Ctrl+C in the field, as a citizen would (WebDriver's Control key, then the
    // release of all modifiers).
    app.wait_for("#field-name")
        .await
        .send_keys("\u{E009}ac\u{E000}")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let copied = clipboard("clipboard") + &clipboard("primary");
    app.click("button[data-action='next']").await;
    app.wait_for(".terminal[data-screen='documents']").await;
    scan_page(&app).await;

    // Left alone: the warning after 30 s, with the time to respond, focus on "more time".
    let warned = wait_long(&app, "[data-dialog='timeout']", 60).await;
    let text = warned.text().await.unwrap();
    assert!(text.contains("Sekunden"), "{text}");
    let focused = app
        .client
        .execute(
            "return document.activeElement && document.activeElement.dataset.action",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("more-time"));
    axe_clean(&app, &axe, "time-out warning", &mut checked).await;
    // Nobody answers: the session ends, and the welcome screen is clean again.
    let welcome = wait_long(&app, ".terminal[data-screen='welcome'][data-since-end]", 40).await;
    let to_welcome: u64 = welcome
        .attr("data-since-end")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    axe_clean(&app, &axe, "welcome after the time-out", &mut checked).await;

    // Search everywhere a trace could be.
    let mut hits = Vec::new();
    let mut searched = 0;
    let home = PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()));
    let places = [
        data.path().to_path_buf(),
        std::env::temp_dir(),
        PathBuf::from("/dev/shm"),
        home.join(".local/share/eingang-app"),
        home.join(".cache/eingang-app"),
        home.join(".local/share/de.eingang.app"),
        home.join(".cache/de.eingang.app"),
        PathBuf::from("/var/spool/cups"),
    ];
    for place in &places {
        searched += search(place, marker, since, &mut hits);
    }
    let clip = clipboard("clipboard");
    let primary = clipboard("primary");
    app.client.close_window().await.ok();
    drop(app);
    drop(driver);
    let store = eingang_store::Store::open(data.path()).unwrap();
    let drafts = store
        .with_conn(eingang_store::tables::drafts::count)
        .unwrap();
    let subs = store
        .with_conn(|c| eingang_store::tables::submissions::list(c, None, 1000).map(|(all, _)| all))
        .unwrap();
    let blobs: u64 = store
        .with_conn(|c| {
            Ok(
                c.query_row("SELECT coalesce(sum(size), 0) FROM blobs", [], |r| {
                    r.get::<_, i64>(0)
                })?,
            )
        })
        .unwrap()
        .try_into()
        .unwrap();
    let sweep = store.sweep_blobs(Duration::ZERO, false).unwrap();
    assert_eq!(hits, Vec::<String>::new(), "the marker was found");
    assert_eq!(drafts, 0, "no draft stays");
    assert!(subs.is_empty(), "nothing was submitted");
    assert_eq!(blobs, 0, "no page image stays");
    assert_eq!(sweep.orphans_removed, 0, "no unrecorded file stays");
    assert!(
        copied.contains(marker),
        "the test did put the marker on the clipboard"
    );
    assert!(
        !clip.contains(marker) && !primary.contains(marker),
        "the clipboard was cleared"
    );
    println!(
        "forgetting: session ended → clean welcome screen in {} ms; session data left on disk: {} bytes (drafts {drafts}, page images {blobs} bytes); marker found in 0 of the files searched ({searched} bytes in the data folder, temp folders, /dev/shm, webview storage, print spool); clipboard and primary selection cleared; axe on {} states: 0 violations",
        to_welcome,
        blobs,
        checked.len()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_session_by_keyboard_alone_survives_an_unplugged_scanner_and_a_megabyte_of_text() {
    let data = tempfile::tempdir().unwrap();
    let t = terminal_machine(data.path(), 600, 30);
    // The scanner's cable is pulled: the configured device is not there.
    let cfg = std::fs::read_to_string(&t.machine)
        .unwrap()
        .replace("scanner = \"test:0\"", "scanner = \"test:7\"");
    std::fs::write(&t.machine, cfg).unwrap();
    let driver = driver(&t);
    let app = driver.launch(data.path()).await;

    app.wait_for(".terminal[data-screen='welcome']").await;
    tab_to(&app, "button[data-lang='en']").await;
    press(&app, ENTER).await;
    app.wait_for(".terminal[data-screen='forms']").await;
    tab_to(&app, "button[data-form='bewohnerparken']").await;
    press(&app, ENTER).await;
    app.wait_for(".terminal[data-screen='fill']").await;
    // "Cancel" ends it at once: back to the welcome screen, the draft gone.
    tab_to(&app, "#field-name").await;
    press(&app, "Erster Versuch").await;
    tab_to(&app, "button[data-action='cancel']").await;
    press(&app, ENTER).await;
    app.wait_for(".terminal[data-screen='welcome'][data-since-end]")
        .await;
    tab_to(&app, "button[data-lang='en']").await;
    press(&app, ENTER).await;
    tab_to(&app, "button[data-form='bewohnerparken']").await;
    press(&app, ENTER).await;
    app.wait_for(".terminal[data-screen='fill']").await;
    assert_eq!(
        app.wait_for("#field-name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(""),
        "a new session starts empty"
    );

    // A megabyte pasted into the name: refused with a message, nothing breaks.
    app.client
        .execute(
            "const i = document.getElementById('field-name'); i.value = 'x'.repeat(1048576);
             i.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    tab_to(&app, "button[data-action='next']").await;
    press(&app, ENTER).await;
    let complaint = app
        .wait_text(".issues, .terminal main .error", |s| !s.is_empty())
        .await;
    assert!(!complaint.is_empty());
    assert_eq!(
        app.wait_for(".terminal")
            .await
            .attr("data-screen")
            .await
            .unwrap()
            .as_deref(),
        Some("fill"),
        "the citizen stays on the form"
    );
    // Typed again, by keyboard.
    tab_to(&app, "#field-name").await;
    press(&app, "\u{E009}a\u{E000}").await;
    press(&app, "Alex Muster").await;
    tab_to(&app, "#field-kennzeichen").await;
    press(&app, "M-AM 12").await;
    tab_to(&app, "#field-halter").await;
    press(&app, SPACE).await;
    tab_to(&app, "button[data-action='next']").await;
    press(&app, ENTER).await;

    // The scanner does not answer: said so, and the step can be skipped.
    app.wait_for(".terminal[data-screen='documents']").await;
    tab_to(&app, "button[data-action='scan']").await;
    press(&app, ENTER).await;
    let e = app.wait_text(".scan-error", |s| !s.is_empty()).await;
    assert!(e.contains("scanner does not answer"), "{e}");
    tab_to(&app, "button[data-action='next']").await;
    press(&app, ENTER).await;
    app.wait_for(".terminal[data-screen='review']").await;
    tab_to(&app, "button[data-action='submit']").await;
    press(&app, ENTER).await;
    app.wait_for(".terminal[data-screen='receipt']").await;
    // The accessibility statement is reachable here too, and Escape closes it.
    tab_to(&app, "button[data-action='statement']").await;
    press(&app, ENTER).await;
    app.wait_for("[data-dialog='statement']").await;
    let contact = app.text("[data-contact]").await;
    assert!(contact.contains("barrierefrei@stadt.example"), "{contact}");
    press(&app, "\u{E00C}").await;
    tab_to(&app, "button[data-action='done']").await;
    press(&app, ENTER).await;
    app.wait_for(".terminal[data-screen='welcome'][data-since-end]")
        .await;

    // The staff PIN: a wrong one is named at its field; the right one ends terminal mode.
    tab_to(&app, "button[data-action='staff']").await;
    press(&app, ENTER).await;
    app.wait_for("#staff-pin").await;
    press(&app, "000000\u{E007}").await;
    let wrong = app.wait_text("#staff-pin-error", |s| !s.is_empty()).await;
    assert!(wrong.contains("PIN"), "{wrong}");
    assert_eq!(
        app.wait_for("#staff-pin")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    press(&app, "482913\u{E007}").await;
    // The app ends: the WebDriver session loses its window.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.client.find(css(".terminal")).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "the staff PIN did not end terminal mode"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(app);
    drop(driver);
    let store = eingang_store::Store::open(data.path()).unwrap();
    assert_eq!(
        store
            .with_conn(eingang_store::tables::drafts::count)
            .unwrap(),
        0
    );
    println!(
        "terminal by keyboard: unplugged scanner named, 1 MiB paste refused, staff PIN checked"
    );
}

/// A blank page is pointed out; then a power cut mid-session (`kill -9`): at the next
/// start the half-filled draft and the scanned page are gone before the first citizen
/// arrives.
#[tokio::test(flavor = "current_thread")]
async fn a_session_cut_short_by_a_crash_is_forgotten_at_the_next_start() {
    let data = tempfile::tempdir().unwrap();
    let t = terminal_machine(data.path(), 600, 30);
    // The citizen puts the document on the glass the wrong way round: a white page.
    let conf = t.sane.join("test.conf");
    let white = std::fs::read_to_string(&conf).unwrap_or_default().replace(
        "test-picture \"Solid black\"",
        "test-picture \"Solid white\"",
    );
    std::fs::write(&conf, white).unwrap();
    let driver = driver(&t);
    let app = driver.launch(data.path()).await;
    app.wait_for(".terminal[data-screen='welcome']").await;
    app.click("button[data-lang='de']").await;
    app.click("button[data-form='bewohnerparken']").await;
    app.type_into("#field-name", "Stromausfall-Probe").await;
    app.type_into("#field-kennzeichen", "D-SA 1").await;
    app.click("button[data-action='next']").await;
    app.wait_for(".terminal[data-screen='documents']").await;
    scan_page(&app).await;
    let blank = app
        .wait_text("[data-blank='true']", |s| !s.is_empty())
        .await;
    assert!(blank.contains("leer"), "{blank}");
    app.kill_hard().await;

    let app = driver.launch(data.path()).await;
    app.wait_for(".terminal[data-screen='welcome']").await;
    // The clean-up runs at start, before the purge loop's first pass.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let left = {
            let c =
                eingang_store::connect(data.path(), &eingang_store::keys::Unlock::Auto).unwrap();
            let drafts: i64 = c
                .query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))
                .unwrap();
            let blobs: i64 = c
                .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
                .unwrap();
            (drafts, blobs)
        };
        if left == (0, 0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "left after the restart: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(app);
    drop(driver);
    let mut hits = Vec::new();
    search(
        data.path(),
        "Stromausfall-Probe",
        SystemTime::UNIX_EPOCH,
        &mut hits,
    );
    assert_eq!(hits, Vec::<String>::new());
}
