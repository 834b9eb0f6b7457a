//! A data folder on a small tmpfs that fills up: saving fails with `store.disk_full`
//! (naming the place and what to do), nothing saved earlier is damaged, and saving works
//! again once space is freed. Mounting needs root, as `scripts/test.sh` and CI run.

use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_model::{DraftId, DraftValues};
use eingang_store::{tables, Error, Store};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs of `size`, unmounted on drop.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount(8)");
        assert!(
            status.success(),
            "mounting a tmpfs needs root (scripts/test.sh and CI run as root)"
        );
        Self { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Fills the disk with a file until the kernel says no; returns the file.
fn fill(dir: &Path) -> PathBuf {
    let filler = dir.join("filler.bin");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    loop {
        match f.write_all(&chunk).and_then(|()| f.sync_all()) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("filling the disk: {e}"),
        }
    }
    filler
}

fn text(i: usize) -> DraftValues {
    // Different every time, ~19 KB (the field allows 20 000): each save needs new pages.
    let body = (0..1900).fold(String::new(), |mut b, k| {
        let _ = write!(b, "{:09}|", k * 31 + i);
        b
    });
    [
        (
            "aktenzeichen".to_owned(),
            json!(format!("530.12-2026-{i:04}")),
        ),
        ("befund".to_owned(), json!(body)),
    ]
    .into_iter()
    .collect()
}

fn save_new(store: &Store, i: usize) -> Result<DraftId, Error> {
    store.with_tx(|tx| {
        let d = tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION)?;
        tables::drafts::save_values(tx, d.id, text(i))?;
        Ok(d.id)
    })
}

#[test]
fn a_full_disk_refuses_saving_clearly_keeps_what_was_saved_and_recovers() {
    let disk = SmallDisk::mount("6m");
    let data = disk.path().join("data");
    let store = Store::open(&data).unwrap();
    let mut saved = Vec::new();
    for i in 0..3 {
        saved.push((save_new(&store, i).unwrap(), i));
    }
    let filler = fill(disk.path());

    // Saving goes on until the database cannot grow; then it is refused, clearly.
    let mut refused = None;
    for i in 3..2000 {
        match save_new(&store, i) {
            Ok(id) => saved.push((id, i)),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let e = refused.expect("a full disk must refuse saving at some point");
    assert_eq!(e.code(), "store.disk_full", "{e}");
    let message = e.to_string();
    assert!(
        message.contains("full") && message.contains("free some space"),
        "{message}"
    );
    assert!(
        message.contains(&data.display().to_string()),
        "names the place: {message}"
    );
    // A new file is refused too, and leaves no partial file behind.
    let big: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
    let blob = store.blobs().put(&big).unwrap_err();
    assert_eq!(blob.code(), "store.disk_full", "{blob}");

    // Everything saved before is intact.
    for (id, i) in &saved {
        let d = store.with_conn(|c| tables::drafts::get(c, *id)).unwrap();
        assert_eq!(d.values, text(*i));
    }
    let check: String = store
        .with_conn(|c| Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(check, "ok");

    // Space freed: saving works again, without reopening anything.
    std::fs::remove_file(&filler).unwrap();
    let after = save_new(&store, 999).unwrap();
    assert_eq!(
        store
            .with_conn(|c| tables::drafts::get(c, after))
            .unwrap()
            .values,
        text(999)
    );
    store.blobs().put(&big).unwrap();
    drop(store);
    let reopened = Store::open(&data).unwrap();
    let count = reopened.with_conn(tables::drafts::count).unwrap();
    assert_eq!(count as usize, saved.len() + 1);
    println!(
        "full disk: {} drafts saved before the disk filled, refused with {}, all intact, saving resumed after freeing",
        saved.len(),
        e.code()
    );
}

use crate::retention::fixtures as released_fixture;

/// A purge while the disk is full: it finishes (it frees space) or stops cleanly with
/// `store.disk_full` — either way every batch is purged whole or not at all, no file a row
/// names is missing, and once there is room the next run purges the rest.
#[test]
fn a_purge_on_a_full_disk_loses_nothing_and_finishes_once_there_is_room() {
    use eingang_store::retention::Policy;
    use eingang_store::tables::{audit, batches, outbox};
    const DAY: i64 = 86_400_000;
    let disk = SmallDisk::mount("24m");
    let data = disk.path().join("daten");
    let store = Store::open(&data).unwrap();
    let now = eingang_store::now_ms();
    let mut made = Vec::new();
    for _ in 0..6 {
        let (batch, doc, hashes) = released_fixture::released(&store, 3, None);
        store
            .with_tx(|c| {
                let id: i64 = c.query_row(
                    "SELECT id FROM outbox WHERE item_id = ?1",
                    [doc.to_string()],
                    |r| r.get(0),
                )?;
                outbox::mark_delivered(c, id, "dav://dms/x", "aa", now - 200 * DAY)
            })
            .unwrap();
        made.push((batch, hashes));
    }
    let policy = Policy {
        scans_before: now - 30 * DAY,
        documents_before: now - 90 * DAY,
        submissions_before: now - 90 * DAY,
        chunk: 2,
    };
    let whole_or_untouched = |store: &Store| {
        let mut purged = 0;
        for (batch, hashes) in &made {
            let b = store.with_conn(|c| batches::batch(c, batch)).unwrap();
            let on_disk = hashes
                .iter()
                .filter(|h| store.blobs().contains(h).unwrap())
                .count();
            if b.purged_at.is_some() {
                purged += 1;
                // The PDF may stay until its own period; the page images are gone.
                assert!(on_disk <= 1, "a purged batch kept {on_disk} files");
            } else {
                assert_eq!(on_disk, hashes.len(), "an untouched batch lost files");
            }
        }
        purged
    };

    let filler = fill(disk.path());
    match store.purge(&policy) {
        Ok(p) => eprintln!("purge on a full disk: finished, {} bytes freed", p.bytes),
        Err(e) => assert_eq!(e.code(), "store.disk_full", "{e}"),
    }
    let first = whole_or_untouched(&store);
    eprintln!(
        "purge on a full disk: {first} of {} batches purged",
        made.len()
    );

    std::fs::remove_file(filler).unwrap();
    store.purge(&policy).unwrap();
    assert_eq!(whole_or_untouched(&store), made.len());
    assert!(store.with_conn(audit::verify).unwrap().is_ok());
}
