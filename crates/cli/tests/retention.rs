//! `eingang retention run` killed with SIGKILL at random moments loses nothing: after the
//! kills and one run to the end, every delivered batch's page images are gone (rows marked,
//! one audit record each), no undelivered or held batch lost a byte, every blob row still has
//! its file, no file a purge listed is left, and the audit chain holds.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

#[path = "../../store/tests/fixtures/released.rs"]
mod fixtures;

use eingang_model::BatchId;
use eingang_store::tables::{audit, batches, outbox};
use eingang_store::Store;
use std::process::{Command, Stdio};
use std::time::Duration;

const DAY: i64 = 24 * 3600 * 1000;
const BATCHES: usize = 360;
const PAGES: usize = 4;
const KILLS: usize = 16;

/// A released batch of `PAGES` pages made into one document for "dms"; delivered (receipt
/// 40 days ago) unless `delivered` is false. Its blob hashes (the PDF's last).
fn batch(store: &Store, delivered: bool) -> (BatchId, Vec<String>) {
    let (id, doc, hashes) = fixtures::released(store, PAGES, None);
    if delivered {
        store
            .with_tx(|c| {
                let row: i64 = c.query_row(
                    "SELECT id FROM outbox WHERE item_id = ?1",
                    [doc.to_string()],
                    |r| r.get(0),
                )?;
                outbox::mark_delivered(
                    c,
                    row,
                    "dav://dms/x",
                    "aa",
                    eingang_store::now_ms() - 40 * DAY,
                )
            })
            .unwrap();
    }
    (id, hashes)
}

fn retention_run(data: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data)
        .args(["retention", "run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn purged_now(store: &Store) -> i64 {
    store
        .with_conn(|c| {
            let sql = "SELECT count(*) FROM batches WHERE purged_at IS NOT NULL";
            Ok(c.query_row(sql, [], |r| r.get(0))?)
        })
        .unwrap()
}

/// `eingang retention run` killed later each time (from the store's opening into the
/// purge) until `due` batches are purged or the kills are used up: the kills, and how many
/// were purged after each.
fn kill_repeatedly(data: &std::path::Path, store: &Store, due: i64) -> (usize, Vec<i64>) {
    let (mut killed, mut progress) = (0, Vec::new());
    for n in 0..KILLS {
        let mut child = retention_run(data);
        std::thread::sleep(Duration::from_millis(250 + 120 * n as u64));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        progress.push(purged_now(store));
        if progress.last() == Some(&due) {
            break;
        }
    }
    (killed, progress)
}

fn exists(store: &Store, hash: &str) -> bool {
    store.blobs().path(hash).is_ok()
}

#[test]
fn a_purge_killed_again_and_again_loses_nothing_and_finishes() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let made: Vec<(BatchId, Vec<String>, bool)> = (0..BATCHES)
        .map(|n| {
            let delivered = n % 6 != 0; // every sixth still waits for its receipt
            let (id, hashes) = batch(&store, delivered);
            (id, hashes, delivered)
        })
        .collect();
    let due = i64::try_from(made.iter().filter(|(_, _, d)| *d).count()).unwrap();
    let (killed, progress) = kill_repeatedly(data.path(), &store, due);
    let out = retention_run(data.path()).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (mut purged, mut kept) = (0, 0);
    for (id, hashes, delivered) in &made {
        let b = store.with_conn(|c| batches::batch(c, id)).unwrap();
        let (pages_and_thumbs, pdf) = hashes.split_at(hashes.len() - 1);
        if *delivered {
            assert!(b.purged_at.is_some(), "{id} delivered 40 days ago");
            assert!(
                pages_and_thumbs.iter().all(|h| !exists(&store, h)),
                "{id}: page files left"
            );
            purged += 1;
        } else {
            assert!(b.purged_at.is_none());
            assert!(
                pages_and_thumbs.iter().all(|h| exists(&store, h)),
                "{id}: undelivered lost a file"
            );
            kept += 1;
        }
        assert!(exists(&store, &pdf[0]), "{id}: the PDF stays 90 days");
    }
    let records = store.with_conn(audit::records).unwrap();
    let audited = records
        .iter()
        .filter(|r| r.kind == "retention.scans_purged")
        .count();
    assert_eq!(
        audited, purged,
        "one audit record per purged batch, none twice"
    );
    assert!(store.with_conn(audit::verify).unwrap().is_ok());
    let rows: Vec<String> = store
        .with_conn(|c| {
            let mut s = c.prepare("SELECT hash FROM blobs")?;
            let h = s.query_map([], |r| r.get(0))?;
            Ok(h.collect::<rusqlite::Result<_>>()?)
        })
        .unwrap();
    let missing = rows.iter().filter(|h| !exists(&store, h)).count();
    assert_eq!(missing, 0, "a blob row without its file");
    let listed: i64 = store
        .with_conn(|c| Ok(c.query_row("SELECT count(*) FROM purge_files", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(listed, 0);
    println!(
        "retention under kill -9: {BATCHES} batches ({PAGES} pages each), {killed} kills, purged after each: {progress:?}; \
         after one more run {purged} purged, {kept} undelivered kept whole, 0 files lost, 0 left behind"
    );
    let total = i64::try_from(purged).unwrap();
    assert!(
        progress.iter().any(|&p| p > 0 && p < total),
        "a kill must have landed mid-purge: {progress:?}"
    );
}
