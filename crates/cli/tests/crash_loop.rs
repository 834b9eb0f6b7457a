//! The crash-safety proof: an engine process (the store, capture and sync crates, as the
//! app runs them) autosaves drafts, takes in pages and delivers the outbox at the same
//! time, and is killed with SIGKILL at random moments, then started again. It prints every
//! change once it is committed ("reported saved"). Afterwards every reported change is
//! there, `PRAGMA integrity_check` is ok, no blob is orphaned (the engine sweeps at start,
//! as the app does) or missing, and the outbox finishes: each submission delivered once.
//!
//! The engine is this test binary itself, run as the ignored test `engine` (its reason:
//! it only makes sense as the child of `kill_9_at_random_moments_loses_nothing_reported`).

// One story per test; pixel loops over small numbers.
#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::cast_possible_truncation
)]

#[path = "../../sync/tests/sync/support.rs"]
#[allow(dead_code)]
mod support;

use eingang_capture::intake::{import_files, Event};
use eingang_capture::profile::profiles;
use eingang_capture::Limits;
use eingang_model::DraftId;
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::tables::{drafts, outbox, submissions};
use eingang_store::Store;
use eingang_sync::folder::FolderTarget;
use eingang_sync::{run_round, Settings, Target};
use serde_json::json;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KILLS: usize = 15;
const ENGINE_ENV: &str = "EINGANG_CRASH_ENGINE";

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn ortstermin(n: u64) -> eingang_model::DraftValues {
    json!({"aktenzeichen": format!("530.12-2026-{n:04}"), "datum": "2026-11-27", "anschrift": format!("Markt {n}")})
        .as_object()
        .unwrap()
        .clone()
}

fn n_of(values: &serde_json::Value) -> u64 {
    values["aktenzeichen"]
        .as_str()
        .and_then(|a| a.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap()
}

fn folder_target(out: &Path) -> Target {
    Target {
        id: "default".into(),
        name: "Ausgang".into(),
        kind: "folder".into(),
        connector: Arc::new(FolderTarget::new(out)),
        catalogue: None,
    }
}

/// A small page, different each time (its number drawn as bars).
fn page_png(dir: &Path, n: u64) -> PathBuf {
    let mut img = image::GrayImage::from_pixel(400, 560, image::Luma([255]));
    for bit in 0..16u32 {
        if n >> bit & 1 == 1 {
            for y in 40..520 {
                for x in (20 + bit * 22)..(30 + bit * 22) {
                    img.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
    }
    let p = dir.join(format!("seite-{n}.png"));
    img.save(&p).unwrap();
    p
}

/// The engine: three workers until it is killed. Lines: `D draft n`, `F draft submission`,
/// `P page`, each printed after its transaction committed.
#[test]
#[ignore = "the engine of the crash loop; runs only as its child process"]
fn engine() {
    let Some(data) = std::env::var_os(ENGINE_ENV) else {
        return;
    };
    let data = PathBuf::from(data);
    let store = Arc::new(Store::open(&data).unwrap());
    // What the app does at start: unfinished writes and unrecorded files go.
    let swept = store.sweep_blobs(Duration::ZERO, false).unwrap();
    say(&format!(
        "SWEEP {} {}",
        swept.orphans_removed, swept.parts_removed
    ));
    let seed = u64::from(std::process::id()) * 1_000_003;

    let drafts_store = store.clone();
    let drafter = std::thread::spawn(move || {
        let s = drafts_store;
        let mut n = seed;
        loop {
            let d = s
                .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
                .unwrap();
            for _ in 0..20 {
                n += 1;
                s.with_tx(|tx| drafts::save_values(tx, d.id, ortstermin(n % 10_000)))
                    .unwrap();
                say(&format!("D {} {}", d.id, n % 10_000));
            }
            let sub = eingang_api::submissions::finalise(
                &s,
                d.id,
                (2026, 11, 29),
                &["default".to_owned()],
            )
            .unwrap();
            say(&format!("F {} {}", d.id, sub.id));
        }
    });

    let pages_store = store.clone();
    let scanner = std::thread::spawn(move || {
        let s = pages_store;
        let profile = profiles(&s)
            .unwrap()
            .into_iter()
            .find(|p| p.id == "standard")
            .unwrap();
        let batch = s
            .with_tx(|c| {
                batches::create_batch(
                    c,
                    "Crash",
                    Some(&profile.id),
                    &serde_json::to_string(&profile).unwrap(),
                )
            })
            .unwrap();
        let work = tempfile::tempdir().unwrap();
        let mut n = seed;
        loop {
            n += 1;
            let file = page_png(work.path(), n % 65_536);
            import_files(
                &s,
                &batch,
                &[file],
                &profile.processing,
                Limits::default(),
                &AtomicBool::new(false),
                &|e| {
                    if let Event::Received { page_id, .. } = e {
                        say(&format!("P {page_id}"));
                    }
                },
            );
        }
    });

    let out = data.parent().unwrap().join("ausgang");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let t = folder_target(&out);
        loop {
            let _ = run_round(&store, &t, Settings::default()).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let _ = (drafter.join(), scanner.join());
}

/// A pseudo-random number from the clock (no rand crate needed for picking kill times).
fn jitter(max_ms: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    u64::from(nanos.wrapping_mul(2_654_435_761)) % max_ms
}

#[test]
fn kill_9_at_random_moments_loses_nothing_reported() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Instant::now();
    for _ in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "engine",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(ENGINE_ENV, &data)
            .env("EINGANG_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        std::thread::sleep(Duration::from_millis(400 + jitter(1200)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
    }
    let killed_after = started.elapsed();
    let lines = lines.lock().unwrap().clone();

    // What was reported saved.
    let mut last_save: HashMap<DraftId, u64> = HashMap::new();
    let mut finalised: HashMap<DraftId, String> = HashMap::new();
    let mut pages = Vec::new();
    let mut orphans_swept = 0;
    for l in &lines {
        let parts: Vec<&str> = l.split(' ').collect();
        match parts.as_slice() {
            ["D", id, n] => {
                last_save.insert(DraftId::from_str(id).unwrap(), n.parse().unwrap());
            }
            ["F", id, sub] => {
                finalised.insert(DraftId::from_str(id).unwrap(), (*sub).to_owned());
            }
            ["P", page] => pages.push(page.parse::<eingang_model::PageId>().unwrap()),
            ["SWEEP", orphans, parts] => {
                orphans_swept +=
                    orphans.parse::<usize>().unwrap() + parts.parse::<usize>().unwrap();
            }
            _ => {}
        }
    }

    // One more start, as after the last crash (it sweeps), then a clean drain.
    let store = Store::open(&data).unwrap();
    let sweep = store.sweep_blobs(Duration::ZERO, true).unwrap();
    orphans_swept += sweep.orphans_removed + sweep.parts_removed;
    let mut losses = Vec::new();
    for (id, n) in &last_save {
        // A finalised draft lives on in its submission — also when the engine was killed
        // after finalising but before it could say so.
        let in_submission = || {
            store
                .with_conn(|c| {
                    let data: String = c.query_row(
                        "SELECT data_json FROM submissions WHERE draft_id = ?1",
                        [id.to_string()],
                        |r| r.get(0),
                    )?;
                    Ok(serde_json::from_str::<serde_json::Value>(&data).unwrap())
                })
                .map(|v| n_of(&v))
        };
        let stored = if finalised.contains_key(id) {
            in_submission()
        } else {
            store
                .with_conn(|c| drafts::get(c, *id))
                .map(|d| n_of(&serde_json::Value::Object(d.values.clone())))
                .or_else(|_| in_submission())
        };
        match stored {
            // A draft is saved with rising numbers; anything older than reported is a loss.
            Ok(m) if m >= *n || (n - m) > 5_000 => {}
            other => losses.push(format!("draft {id}: reported {n}, stored {other:?}")),
        }
    }
    for p in &pages {
        match store.with_conn(|c| pages::page(c, p)) {
            Ok(row) => {
                if store.blobs().verify(&row.raw_blob).is_err() {
                    losses.push(format!("page {p}: raw scan missing or damaged"));
                }
            }
            Err(e) => losses.push(format!("page {p}: {e}")),
        }
    }
    let integrity: String = store
        .with_conn(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .unwrap();
    let again = store.sweep_blobs(Duration::ZERO, true).unwrap();

    // The outbox resumes and finishes: every submission exactly once in the folder.
    let out = root.path().join("ausgang");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = Arc::new(store);
    let t = folder_target(&out);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        rt.block_on(run_round(&store, &t, Settings::default()))
            .unwrap();
        let waiting = store.with_conn(outbox::count_undelivered).unwrap();
        if waiting == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{waiting} items never delivered");
        std::thread::sleep(Duration::from_millis(50));
    }
    let subs: Vec<String> = store
        .with_conn(|c| submissions::list(c, None, 1000).map(|(all, _)| all))
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    support::assert_exactly_delivered(&store, &out, &subs);

    println!(
        "crash loop: {KILLS} kill -9 in {:.1} s; reported saved: {} draft saves on {} drafts, {} finalised, {} pages; \
         losses: {}; integrity_check: {integrity}; orphaned files swept at restarts: {orphans_swept}, left: {}; \
         missing blobs: {}; submissions delivered exactly once: {}",
        killed_after.as_secs_f64(),
        lines.iter().filter(|l| l.starts_with("D ")).count(),
        last_save.len(),
        finalised.len(),
        pages.len(),
        losses.len(),
        again.orphans_removed + again.parts_removed,
        sweep.missing.len(),
        subs.len(),
    );
    assert!(losses.is_empty(), "{losses:#?}");
    assert_eq!(integrity, "ok");
    assert!(sweep.missing.is_empty(), "{:?}", sweep.missing);
    assert_eq!(again.orphans_removed + again.parts_removed, 0);
    assert!(
        last_save.len() > 3 && !pages.is_empty() && !finalised.is_empty(),
        "the engine must have done real work between the kills"
    );
}
