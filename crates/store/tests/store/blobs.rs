use eingang_store::{tables, Error};
use sha2::{Digest, Sha256};

#[test]
fn a_blob_is_named_by_its_sha256_and_reads_back_verified() {
    let (_dir, store) = super::fresh();
    let bytes: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    let blob = store.blobs().put(&bytes).unwrap();
    assert_eq!(blob.hash, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(blob.size, 700_000);
    assert_eq!(store.blobs().get(&blob.hash).unwrap(), bytes);
    store.blobs().verify(&blob.hash).unwrap();
    // Same content again: same name, one file.
    assert_eq!(store.blobs().put(&bytes).unwrap(), blob);
    let file = store.blobs().root().join(&blob.hash[..2]).join(&blob.hash);
    assert!(file.is_file());
    let tmp = std::fs::read_dir(store.blobs().root().join("tmp"))
        .unwrap()
        .count();
    assert_eq!(tmp, 0, "no temporary files are left behind");
}

#[test]
fn the_blob_file_exists_before_the_row_that_names_it_commits() {
    let (_dir, store) = super::fresh();
    let blob = store
        .with_tx(|tx| {
            let blob = store.blobs().put(b"page image")?;
            // Inside the transaction, before commit, the bytes are already durable.
            assert!(store.blobs().contains(&blob.hash)?);
            tables::blobs::insert(tx, &blob)?;
            Ok(blob)
        })
        .unwrap();
    let row = store
        .with_conn(|c| tables::blobs::get(c, &blob.hash))
        .unwrap();
    assert_eq!(row, Some(blob));
}

#[test]
fn a_tampered_blob_is_reported_not_returned() {
    let (_dir, store) = super::fresh();
    let blob = store.blobs().put(b"original scan").unwrap();
    let file = store.blobs().root().join(&blob.hash[..2]).join(&blob.hash);
    std::fs::write(&file, b"altered scan").unwrap();
    let err = store.blobs().get(&blob.hash).unwrap_err();
    assert!(matches!(err, Error::BlobCorrupt { .. }), "{err}");
    assert_eq!(err.code(), "blob.corrupt");
}

#[test]
fn blob_names_from_outside_cannot_escape_the_store() {
    let (_dir, store) = super::fresh();
    for bad in ["../../etc/passwd", "", &"A".repeat(64), &"0".repeat(63)] {
        let err = store.blobs().get(bad).unwrap_err();
        assert_eq!(err.code(), "blob.bad_name", "{bad:?}");
    }
    let missing = "0".repeat(64);
    assert_eq!(
        store.blobs().get(&missing).unwrap_err().code(),
        "blob.missing"
    );
}

#[test]
fn the_sweep_removes_unrecorded_files_and_unfinished_writes_and_names_missing_ones() {
    let (dir, store) = super::fresh();
    // Recorded: stays.
    let kept = store.blobs().put(b"recorded").unwrap();
    store
        .with_tx(|tx| tables::blobs::insert(tx, &kept))
        .unwrap();
    // Written, never recorded (a crash before the row committed): an orphan.
    let orphan = store.blobs().put(b"never recorded").unwrap();
    // An unfinished write.
    let part = dir.path().join("blobs").join("tmp").join("x.part");
    std::fs::create_dir_all(part.parent().unwrap()).unwrap();
    std::fs::write(&part, b"half").unwrap();
    // Recorded, but its file is gone.
    let gone = store.blobs().put(b"deleted behind our back").unwrap();
    store
        .with_tx(|tx| tables::blobs::insert(tx, &gone))
        .unwrap();
    std::fs::remove_file(store.blobs().path(&gone.hash).unwrap()).unwrap();

    // Young files are left alone: another process may be about to record them.
    let young = store
        .sweep_blobs(std::time::Duration::from_secs(3600), false)
        .unwrap();
    assert_eq!((young.orphans_removed, young.parts_removed), (0, 0));
    assert!(store.blobs().contains(&orphan.hash).unwrap());

    let swept = store.sweep_blobs(std::time::Duration::ZERO, true).unwrap();
    assert_eq!((swept.orphans_removed, swept.parts_removed), (1, 1));
    assert_eq!(swept.missing, vec![gone.hash.clone()]);
    assert!(!store.blobs().contains(&orphan.hash).unwrap());
    assert!(!part.exists());
    assert_eq!(store.blobs().get(&kept.hash).unwrap(), b"recorded");
}

#[test]
fn a_rotated_blob_key_reseals_every_file_resumably_and_nothing_is_unreadable_meanwhile() {
    use std::sync::atomic::AtomicBool;
    let (dir, store) = super::fresh();
    let blobs: Vec<(String, Vec<u8>)> = (0..6u32)
        .map(|n| {
            let bytes: Vec<u8> = (0..(90_000 + n * 40_000))
                .map(|i| (i * (n + 3) % 253) as u8)
                .collect();
            (store.blobs().put(&bytes).unwrap().hash, bytes)
        })
        .collect();
    let sealed_before: Vec<Vec<u8>> = blobs
        .iter()
        .map(|(h, _)| std::fs::read(store.blobs().root().join(&h[..2]).join(h)).unwrap())
        .collect();
    assert!(store.rotate_blob_key().unwrap());
    // A second rotation before the first is done resumes it instead of starting another.
    assert!(!store.rotate_blob_key().unwrap());
    drop(store);

    // Reopened: new files under the new key, old ones still readable.
    let store = eingang_store::Store::open(dir.path()).unwrap();
    let fresh = store.blobs().put(b"after the rotation").unwrap();
    for (h, bytes) in &blobs {
        assert_eq!(&store.blobs().get(h).unwrap(), bytes);
    }
    // Stopped at once (a shutdown): nothing is lost, the rotation stays pending.
    let stop = AtomicBool::new(true);
    assert_eq!(store.reseal_blobs(&stop).unwrap(), Some((0, 0)));
    assert!(!store.rotate_blob_key().unwrap(), "still pending");
    // The run: every old file re-sealed, the new one was current already.
    let (resealed, current) = store
        .reseal_blobs(&AtomicBool::new(false))
        .unwrap()
        .unwrap();
    assert_eq!((resealed, current), (6, 1));
    for ((h, bytes), before) in blobs.iter().zip(&sealed_before) {
        let after = std::fs::read(store.blobs().root().join(&h[..2]).join(h)).unwrap();
        assert_ne!(&after, before, "re-sealed");
        assert_eq!(&store.blobs().get(h).unwrap(), bytes);
    }
    assert_eq!(
        store.blobs().get(&fresh.hash).unwrap(),
        b"after the rotation"
    );
    // Done: the previous key is gone — reopened, everything opens with the new key alone.
    assert_eq!(store.reseal_blobs(&AtomicBool::new(false)).unwrap(), None);
    drop(store);
    let store = eingang_store::Store::open(dir.path()).unwrap();
    for (h, bytes) in &blobs {
        assert_eq!(&store.blobs().get(h).unwrap(), bytes);
    }
    assert!(store.rotate_blob_key().unwrap(), "a new rotation can start");
}

#[test]
fn a_sweep_judges_only_what_the_last_one_did_not_unless_it_verifies_or_the_clock_went_back() {
    let (_dir, store) = super::fresh();
    let swept = store.sweep_blobs(std::time::Duration::ZERO, false).unwrap();
    assert_eq!(swept.orphans_removed, 0);
    // A file without a row, dated before that sweep began: it cannot be the leftover of a
    // crash that sweep did not see, so the next sweep does not read that far back.
    let old = store.blobs().put(b"older than the last sweep").unwrap();
    let path = store.blobs().path(&old.hash).unwrap();
    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 86_400);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    // One written now without its row: a crash's leftover, removed.
    let fresh = store.blobs().put(b"written after the last sweep").unwrap();
    let next = store.sweep_blobs(std::time::Duration::ZERO, false).unwrap();
    assert_eq!(next.orphans_removed, 1);
    assert!(!store.blobs().contains(&fresh.hash).unwrap());
    assert!(path.exists());

    // The clock set back a year since the last sweep: everything is judged again.
    store
        .with_conn(|c| {
            let later = (eingang_store::now_ms() + 365 * 86_400_000).to_string();
            tables::preferences::set(c, "blobs.swept_at", &later)
        })
        .unwrap();
    let after_clock = store.sweep_blobs(std::time::Duration::ZERO, false).unwrap();
    assert_eq!(after_clock.orphans_removed, 1);
    assert!(!path.exists());
}

#[test]
fn a_bulk_load_stores_sealed_files_that_read_back_and_shares_equal_content() {
    let (_dir, store) = super::fresh();
    let mut bulk = store.blobs().bulk();
    let refs: Vec<_> = (0..50)
        .map(|i| bulk.put(format!("page {}", i % 40).as_bytes()).unwrap())
        .collect();
    // 50 puts, 40 distinct contents: 40 files written.
    assert_eq!(bulk.finish().unwrap(), 40);
    for (i, r) in refs.iter().enumerate() {
        assert_eq!(
            store.blobs().get(&r.hash).unwrap(),
            format!("page {}", i % 40).as_bytes()
        );
        let head = std::fs::read(store.blobs().path(&r.hash).unwrap()).unwrap();
        assert!(
            eingang_store::seal::is_sealed(&head),
            "sealed like every other blob"
        );
    }
}
