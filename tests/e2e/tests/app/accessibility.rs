//! WCAG 2.1 A/AA checks with axe-core, injected into the real app's webview, on every
//! screen the foundation has, in both languages. (axe finds the machine-checkable part of
//! WCAG — labels, names, contrast, landmarks, ARIA; keyboard paths are tested separately.)

use crate::harness::{App, Driver};
use std::path::Path;
use std::time::Duration;

pub fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} — run `npm ci` in ui/ (scripts/test.sh does)",
            path.display()
        )
    })
}

/// Runs axe on the current page; returns the violations as readable lines.
pub async fn violations(app: &App, axe: &str) -> Vec<String> {
    app.client
        .execute(axe, vec![])
        .await
        .expect("inject axe-core");
    let result = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
               .then(r => done({ passes: r.passes.length, violations: r.violations.map(v =>
                  v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(' | ')) }))
               .catch(e => done({ passes: 0, violations: ['axe failed: ' + e] }));",
            vec![],
        )
        .await
        .expect("axe.run");
    // axe really ran and checked something (a page with no checks would "pass" too).
    assert!(
        result["passes"].as_u64().unwrap_or(0) > 5,
        "axe checked nothing: {result}"
    );
    result["violations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn settle() {
    // Let transitions and the status bar's first refresh finish before measuring contrast.
    tokio::time::sleep(Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "current_thread")]
async fn every_screen_passes_axe_wcag_21_aa_in_german_and_english() {
    let axe = axe_source();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.wait_for("nav button[data-workspace]").await;

    let mut found = Vec::new();
    let mut states = 0;
    for lang in ["de", "en"] {
        app.set_language(lang).await;
        for ws in ["scan", "outbox", "forms"] {
            app.click(&format!("nav button[data-workspace='{ws}']"))
                .await;
            settle().await;
            for v in violations(&app, &axe).await {
                found.push(format!("[{lang}/{ws}] {v}"));
            }
            states += 1;
            // The same screen in the high-contrast theme.
            app.click("button[data-action='contrast']").await;
            settle().await;
            for v in violations(&app, &axe).await {
                found.push(format!("[{lang}/{ws}/high contrast] {v}"));
            }
            app.click("button[data-action='contrast']").await;
            states += 1;
        }
        // The accessibility statement, reachable from every screen.
        app.click("button[data-action='statement']").await;
        app.wait_for("[data-dialog='statement']").await;
        // No contact configured: the statement says so instead of leaving it empty.
        app.wait_for("[data-contact-missing]").await;
        settle().await;
        for v in violations(&app, &axe).await {
            found.push(format!("[{lang}/statement] {v}"));
        }
        states += 1;
        app.click("button[data-action='close-statement']").await;
        // The target settings form.
        app.click("nav button[data-workspace='outbox']").await;
        app.click("button[data-action='add-target']").await;
        app.wait_for("#target-id").await;
        settle().await;
        for v in violations(&app, &axe).await {
            found.push(format!("[{lang}/target-form] {v}"));
        }
        states += 1;
        app.click("nav button[data-workspace='forms']").await;
        // The editor, with a field hint showing (required field left empty).
        app.click("[data-new-draft='ortstermin']").await;
        app.click("#field-aktenzeichen").await;
        app.click("#field-anschrift").await;
        app.wait_for("#field-aktenzeichen-issues").await;
        settle().await;
        for v in violations(&app, &axe).await {
            found.push(format!("[{lang}/editor] {v}"));
        }
        states += 1;
        app.click("button[data-action='back']").await;
        // The list with a draft, and the delete confirmation dialog.
        app.click("tr[data-draft-id] button[data-action='delete']")
            .await;
        app.wait_for("dialog[open]").await;
        settle().await;
        for v in violations(&app, &axe).await {
            found.push(format!("[{lang}/dialog] {v}"));
        }
        states += 1;
        app.click("dialog button[data-action='confirm']").await;
        app.wait_text("main", |t| {
            !t.contains("(noch ohne") && !t.contains("(nothing")
        })
        .await;
    }
    app.quit().await;
    assert!(found.is_empty(), "WCAG violations:\n{}", found.join("\n"));
    println!("axe-core (WCAG 2.1 A/AA): {states} screens and states of the staff workspaces, 0 violations");
}

/// A real FIM schema, with nested groups, optional groups, choices from code lists and a
/// repeat group, is as accessible as the hand-written forms.
#[tokio::test(flavor = "current_thread")]
async fn an_imported_fim_form_passes_axe() {
    let axe = axe_source();
    let data = tempfile::tempdir().unwrap();
    crate::harness::import_fim_fixture(data.path());
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.click("[data-new-draft='fim-s00000094']").await;
    app.wait_for("#editor-heading").await;
    // Open every optional group, then ask for the error summary, so all parts are on screen.
    for _ in 0..20 {
        let Ok(add) = app
            .client
            .find(crate::harness::css(
                "button[data-action='add-row']:not([disabled])",
            ))
            .await
        else {
            break;
        };
        add.click().await.unwrap();
    }
    app.click("button[data-action='check']").await;
    settle().await;
    let found = violations(&app, &axe).await;
    app.quit().await;
    assert!(found.is_empty(), "WCAG violations:\n{}", found.join("\n"));
}

#[tokio::test(flavor = "current_thread")]
async fn the_startup_error_screen_passes_axe() {
    let axe = axe_source();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join(eingang_store::DB_FILE_NAME), [7u8; 4096]).unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.wait_for(".startup-error").await;
    settle().await;
    let found = violations(&app, &axe).await;
    app.quit().await;
    assert!(found.is_empty(), "WCAG violations:\n{}", found.join("\n"));
}

/// The whole draft flow works from the keyboard alone, with visible focus.
#[tokio::test(flavor = "current_thread")]
async fn the_draft_flow_works_with_the_keyboard_alone() {
    use fantoccini::key::Key;
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.wait_for("nav button[data-workspace]").await;

    let active = |app: &App| {
        let client = app.client.clone();
        async move {
            client
                .execute(
                    "const e = document.activeElement; \
                     return [e.tagName, e.id || e.getAttribute('data-workspace') || e.getAttribute('data-new-draft') || '', \
                             getComputedStyle(e).outlineStyle];",
                    vec![],
                )
                .await
                .unwrap()
        }
    };
    // Tab from the top: skip link first, then the workspaces. Keys go to the focused
    // element (sending them to <body> would move the focus back to it first).
    let tab = || async {
        let el = app.client.active_element().await.unwrap();
        el.send_keys(&Key::Tab.to_string()).await.unwrap();
    };
    tab().await;
    let first = active(&app).await;
    assert_eq!(first[0], "A", "the skip link comes first: {first}");
    // Follow the tab order to the "new draft" button and press Enter.
    let mut reached = false;
    for _ in 0..20 {
        tab().await;
        let a = active(&app).await;
        assert_ne!(a[2], "none", "focus must be visible on {a}");
        if a[1] == "ortstermin" {
            reached = true;
            break;
        }
    }
    assert!(reached, "the new-draft button is reachable by Tab");
    let focused = app.client.active_element().await.unwrap();
    focused.send_keys(&Key::Enter.to_string()).await.unwrap();
    // The editor's heading takes the focus; Tab reaches the first field; typing saves.
    app.wait_for("#field-aktenzeichen").await;
    let mut in_field = false;
    for _ in 0..6 {
        let el = app.client.active_element().await.unwrap();
        if el.attr("id").await.unwrap().as_deref() == Some("field-aktenzeichen") {
            in_field = true;
            break;
        }
        el.send_keys(&Key::Tab.to_string()).await.unwrap();
    }
    assert!(in_field, "Tab reaches the first field");
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys("530.12-Tastatur")
        .await
        .unwrap();
    app.wait_text("[data-save-state]", |t| t.starts_with("Gespeichert um"))
        .await;
    app.quit().await;
}

/// The page at `zoom` × (CSS zoom on the body): its width in CSS px and what sticks out
/// sideways (the skip link waits off-screen on purpose; a select's menu text is measured
/// by WebKit as if unzoomed, its box is checked).
pub async fn zoomed(app: &App, zoom: f64) -> serde_json::Value {
    app.client
        .execute(
            &format!(
                "document.body.style.zoom = '{zoom}';
                 const w = document.body.clientWidth;
                 const over = [...document.querySelectorAll('body *')]
                   .filter(e => e.getClientRects().length && !e.closest('option, .skip-link, .visually-hidden'))
                   .filter(e => {{ const r = e.getBoundingClientRect(); return r.right > w + 1 || r.left < -1; }})
                   .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className);
                 document.body.style.zoom = '';
                 return {{ width: w, over: over.slice(0, 3).concat(over.slice(-5)) }};"
            ),
            vec![],
        )
        .await
        .unwrap()
}

/// WCAG 1.4.10 (reflow): at 200 % and 400 % zoom (a 1200 px window becomes 600 and
/// 300 CSS px wide) nothing in any workspace sticks out sideways, so nothing needs
/// horizontal scrolling.
#[tokio::test(flavor = "current_thread")]
async fn every_workspace_reflows_at_200_and_400_percent() {
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.wait_for("nav button[data-workspace]").await;
    let mut wide = Vec::new();
    let mut checked = 0;
    for ws in ["scan", "forms", "outbox"] {
        app.click(&format!("nav button[data-workspace='{ws}']"))
            .await;
        for zoom in [2u32, 4] {
            let r = zoomed(&app, f64::from(zoom)).await;
            checked += 1;
            assert_eq!(
                r["width"].as_u64(),
                Some(u64::from(1200 / zoom)),
                "the zoom took effect"
            );
            if !r["over"].as_array().is_none_or(Vec::is_empty) {
                wide.push(format!("{ws} at {zoom}00 %: {r}"));
            }
        }
    }
    app.quit().await;
    assert!(
        wide.is_empty(),
        "horizontal scrolling needed:\n{}",
        wide.join("\n")
    );
    println!("reflow: {checked} workspace/zoom combinations without horizontal scrolling");
}

/// The scan office's and the outbox's main flows by keyboard alone: a batch created, a
/// delivery target set up.
#[tokio::test(flavor = "current_thread")]
async fn the_scan_office_and_the_outbox_work_with_the_keyboard_alone() {
    use crate::harness::{press, tab_to, ENTER};
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.wait_for("nav button[data-workspace]").await;
    tab_to(&app, "nav button[data-workspace='scan']").await;
    press(&app, ENTER).await;
    tab_to(&app, "#batch-name").await;
    press(&app, "Tastatur-Stapel").await;
    tab_to(&app, "button[data-action='batch-create']").await;
    press(&app, ENTER).await;
    app.wait_text(".batch-view h2", |t| t == "Tastatur-Stapel")
        .await;

    // On to the outbox (Tab runs past the end of the page back to the top).
    tab_to(&app, "nav button[data-workspace='outbox']").await;
    press(&app, ENTER).await;
    tab_to(&app, "button[data-action='add-target']").await;
    press(&app, ENTER).await;
    tab_to(&app, "#target-id").await;
    press(&app, "tastatur").await;
    tab_to(&app, "#target-url").await;
    press(&app, "https://dms.stadt.example/webdav/").await;
    tab_to(&app, "button[data-action='save-target']").await;
    press(&app, ENTER).await;
    app.wait_for("li[data-setting='tastatur']").await;
    app.quit().await;
    let config = std::fs::read_to_string(data.path().join("config.toml")).unwrap();
    assert!(
        config.contains("https://dms.stadt.example/webdav/"),
        "{config}"
    );
}

/// Page zoom (WCAG 1.4.4): Ctrl + "+" enlarges the whole app, Ctrl + "0" returns to 100 %;
/// the layout reflows (the viewport in CSS pixels narrows, nothing needs scrolling sideways).
/// On a machine that is not a terminal there is no Terminal workspace to get lost in.
#[tokio::test(flavor = "current_thread")]
async fn page_zoom_keys_enlarge_the_app_and_it_reflows() {
    use crate::harness::press;
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.wait_for("nav button[data-workspace]").await;
    assert!(
        app.client
            .find(crate::harness::css("nav button[data-workspace='terminal']"))
            .await
            .is_err(),
        "no Terminal workspace on a workstation"
    );
    let width = || async {
        app.client
            .execute("return window.innerWidth", vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap()
    };
    let at_100 = width().await;
    // Ctrl + "+" five times: 200 %.
    for _ in 0..5 {
        press(&app, "\u{E009}+\u{E000}").await;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut at_200 = width().await;
    while at_200 > at_100 * 0.6 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        at_200 = width().await;
    }
    assert!(
        (at_200 - at_100 / 2.0).abs() < at_100 * 0.05,
        "200 % zoom halves the CSS viewport: {at_100} → {at_200}"
    );
    let overflow = app
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_f64().unwrap_or(1.0) <= 1.0,
        "horizontal overflow at 200 %: {overflow}"
    );
    press(&app, "\u{E009}0\u{E000}").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut back = width().await;
    while (back - at_100).abs() > 1.0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        back = width().await;
    }
    assert!((back - at_100).abs() <= 1.0, "Ctrl+0: {at_100} → {back}");
    // High contrast: links in the theme's dark blue (not the webview's purple), selects tall.
    app.click("button[data-action='contrast']").await;
    let styles = app
        .client
        .execute(
            "const a = document.querySelector('a.skip-link'); const s = document.getElementById('language');
             return [getComputedStyle(a).color, s.getBoundingClientRect().height];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(styles[0], "rgb(0, 0, 122)", "{styles}");
    assert!(styles[1].as_f64().unwrap_or(0.0) >= 44.0, "{styles}");
    app.click("button[data-action='contrast']").await;
    app.quit().await;
}
