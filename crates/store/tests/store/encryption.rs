//! Encryption at rest: what a draft holds never appears in the data folder's database
//! files; a plain database from before is encrypted in place; a wrong passphrase is named
//! as such; the key can be rotated (to a new passphrase) and the old one stops working.

use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_model::DraftValues;
use eingang_store::keys::{Mode, Unlock};
use eingang_store::{migrate, tables, OpenOptions, Store, DB_FILE_NAME};
use serde_json::json;
use std::path::Path;
use zeroize::Zeroizing;

const MARKER: &str = "Zebrastreifen-Geheimnis-4711";

fn values(text: &str) -> DraftValues {
    [
        ("aktenzeichen".to_owned(), json!("530.12-2026-0042")),
        ("befund".to_owned(), json!(text)),
    ]
    .into_iter()
    .collect()
}

/// Every file under `dir` that contains `needle` (as UTF-8 or UTF-16LE).
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let utf16: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let found = |n: &[u8]| bytes.windows(n.len()).any(|w| w == n);
            if found(needle.as_bytes()) || found(&utf16) {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

fn with_passphrase(p: &str) -> OpenOptions {
    OpenOptions {
        unlock: Unlock::Passphrase(Zeroizing::new(p.to_owned())),
        ..OpenOptions::default()
    }
}

#[test]
fn a_typed_marker_is_nowhere_in_the_database_files_and_reads_back_through_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.key_mode(),
        Mode::Passphrase,
        "the test suite has no key store"
    );
    let d = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    // Saved several times, so the marker passes through the WAL and is checkpointed.
    for i in 0..5 {
        store
            .with_tx(|tx| tables::drafts::save_values(tx, d.id, values(&format!("{MARKER} {i}"))))
            .unwrap();
    }
    // A second draft, finalised: its PDF/A (with the marker as text) goes into the blob
    // store; and a scan-like blob that is the marker itself.
    let d2 = store
        .with_tx(|tx| {
            let d2 = tables::drafts::create(tx, "ortstermin", "1.0")?;
            let v = json!({"aktenzeichen": "530.12-2026-0042", "datum": "2026-11-27", "anschrift": MARKER});
            tables::drafts::save_values(tx, d2.id, v.as_object().unwrap().clone())?;
            Ok(d2)
        })
        .unwrap();
    let sub =
        eingang_api::submissions::finalise(&store, d2.id, (2026, 11, 29), &["default".into()])
            .unwrap();
    let raw = store
        .blobs()
        .put(format!("{MARKER} as a scanned page would hold it").as_bytes())
        .unwrap();
    // While the store is open (WAL and shared memory present) and after it closed.
    assert_eq!(files_containing(dir.path(), MARKER), Vec::<String>::new());
    assert!(
        String::from_utf8_lossy(&store.blobs().get(&raw.hash).unwrap()).contains(MARKER),
        "the blob reads back through the key"
    );
    let pdf = store
        .with_conn(|c| tables::submissions::pdf_blob(c, &sub.id))
        .unwrap()
        .unwrap();
    assert!(store.blobs().get(&pdf).unwrap().starts_with(b"%PDF-"));
    drop(store);
    assert_eq!(files_containing(dir.path(), MARKER), Vec::<String>::new());
    let head = std::fs::read(dir.path().join(DB_FILE_NAME)).unwrap();
    assert_ne!(&head[..16], b"SQLite format 3\0", "not a plain SQLite file");
    // The key file holds no key: only the wrapped one, the KDF's salt and a check value.
    let kf = std::fs::read_to_string(dir.path().join("key.json")).unwrap();
    assert!(kf.contains("argon2id") && kf.contains("wrapped"), "{kf}");

    let again = Store::open(dir.path()).unwrap();
    let back = again.with_conn(|c| tables::drafts::get(c, d.id)).unwrap();
    assert_eq!(back.values, values(&format!("{MARKER} 4")));
    println!(
        "marker test: 0 of the data folder's files contain the marker; database {} bytes",
        head.len()
    );
}

#[test]
fn a_plain_database_from_before_is_encrypted_in_place_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let id = {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL;").unwrap();
        migrate::migrate(&mut conn, &path).unwrap();
        tables::forms::seed_samples(&conn).unwrap();
        let d = tables::drafts::create(&conn, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION).unwrap();
        tables::drafts::save_values(&conn, d.id, values(MARKER)).unwrap();
        d.id
    };
    assert_eq!(
        files_containing(dir.path(), MARKER).len(),
        1,
        "the plain file holds it"
    );
    assert!(!dir.path().join("key.json").exists());

    let store = Store::open(dir.path()).unwrap();
    let d = store.with_conn(|c| tables::drafts::get(c, id)).unwrap();
    assert_eq!(d.values, values(MARKER));
    drop(store);
    assert_eq!(files_containing(dir.path(), MARKER), Vec::<String>::new());
    assert!(dir.path().join("key.json").exists());
    assert!(!dir.path().join("eingang.db.encrypting").exists());
}

#[test]
fn a_wrong_passphrase_is_named_and_a_missing_key_file_is_not_papered_over() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_with(dir.path(), &with_passphrase("Kaffee im Rathaus um acht")).unwrap());
    let e = Store::open_with(dir.path(), &with_passphrase("Tee im Rathaus um acht")).unwrap_err();
    assert_eq!(e.code(), "store.key_wrong", "{e}");
    assert!(e.to_string().contains("nothing was changed"), "{e}");
    let e = Store::open_with(dir.path(), &with_passphrase("kurz")).unwrap_err();
    assert_eq!(e.code(), "store.key_wrong");
    // A new folder refuses a passphrase too short to resist guessing.
    let fresh = tempfile::tempdir().unwrap();
    let e = Store::open_with(fresh.path(), &with_passphrase("kurz")).unwrap_err();
    assert_eq!(e.code(), "store.passphrase_weak", "{e}");
    // Without key.json the database is not overwritten by a new key.
    std::fs::remove_file(dir.path().join("key.json")).unwrap();
    let before = std::fs::read(dir.path().join(DB_FILE_NAME)).unwrap();
    let e = Store::open(dir.path()).unwrap_err();
    assert_eq!(e.code(), "store.corrupt", "{e}");
    assert!(e.to_string().contains("key.json"), "{e}");
    assert!(!dir.path().join("key.json").exists(), "no new key was made");
    assert_eq!(
        std::fs::read(dir.path().join(DB_FILE_NAME)).unwrap(),
        before
    );
}

#[test]
fn the_key_rotates_to_a_new_passphrase_and_the_old_one_stops_working() {
    let dir = tempfile::tempdir().unwrap();
    let old = "Kaffee im Rathaus um acht";
    let new = "Neuer Schlüssel für das neue Jahr";
    let store = Store::open_with(dir.path(), &with_passphrase(old)).unwrap();
    let d = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    store
        .with_tx(|tx| tables::drafts::save_values(tx, d.id, values(MARKER)))
        .unwrap();
    let scan = store
        .blobs()
        .put(format!("{MARKER} on paper").as_bytes())
        .unwrap();
    store
        .with_tx(|tx| tables::blobs::insert(tx, &scan))
        .unwrap();
    let before = std::fs::read(dir.path().join(DB_FILE_NAME)).unwrap();
    let mode = store
        .rotate_key(&Unlock::Passphrase(Zeroizing::new(new.to_owned())))
        .unwrap();
    assert_eq!(mode, Mode::Passphrase);
    let after = std::fs::read(dir.path().join(DB_FILE_NAME)).unwrap();
    assert_ne!(before[..4096], after[..4096], "re-encrypted");
    assert!(!dir.path().join("key.json.next").exists());
    assert_eq!(
        Store::open_with(dir.path(), &with_passphrase(old))
            .unwrap_err()
            .code(),
        "store.key_wrong"
    );
    let s = Store::open_with(dir.path(), &with_passphrase(new)).unwrap();
    assert_eq!(
        s.with_conn(|c| tables::drafts::get(c, d.id))
            .unwrap()
            .values,
        values(MARKER)
    );
    // Sealed files stay readable: their key lives in the re-encrypted database.
    assert!(String::from_utf8_lossy(&s.blobs().get(&scan.hash).unwrap()).contains(MARKER));
    assert_eq!(files_containing(dir.path(), MARKER), Vec::<String>::new());
}

#[test]
fn blobs_written_before_encryption_are_read_and_then_sealed_in_place() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    // A blob as an older Eingang wrote it: a plain file named by its SHA-256.
    let plain = eingang_store::blobs::BlobStore::open(&dir.path().join("blobs")).unwrap();
    let old = plain
        .put(format!("{MARKER} from before").as_bytes())
        .unwrap();
    assert_eq!(files_containing(dir.path(), MARKER).len(), 1);
    let store = Store::open(dir.path()).unwrap();
    store.with_tx(|tx| tables::blobs::insert(tx, &old)).unwrap();
    assert!(String::from_utf8_lossy(&store.blobs().get(&old.hash).unwrap()).contains(MARKER));
    assert_eq!(store.seal_plain_blobs().unwrap(), 1);
    assert_eq!(store.seal_plain_blobs().unwrap(), 0, "sealed once");
    assert_eq!(files_containing(dir.path(), MARKER), Vec::<String>::new());
    assert!(String::from_utf8_lossy(&store.blobs().get(&old.hash).unwrap()).contains(MARKER));
    let swept = store.sweep_blobs(std::time::Duration::ZERO, true).unwrap();
    assert!(
        swept.missing.is_empty() && swept.orphans_removed == 0,
        "{swept:?}"
    );
}

#[test]
fn a_backup_taken_while_the_store_is_open_opens_with_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let d = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    store
        .with_tx(|tx| tables::drafts::save_values(tx, d.id, values(MARKER)))
        .unwrap();
    let scan = store.blobs().put(MARKER.as_bytes()).unwrap();
    store
        .with_tx(|tx| tables::blobs::insert(tx, &scan))
        .unwrap();
    let backup = tempfile::tempdir().unwrap();
    let dest = backup.path().join("sicherung");
    assert!(store.backup_to(&dest).unwrap() >= 1);
    // Not into a folder that holds something.
    assert!(store.backup_to(dir.path()).is_err());
    drop(store);
    assert_eq!(files_containing(&dest, MARKER), Vec::<String>::new());
    let restored = Store::open(&dest).unwrap();
    assert_eq!(
        restored
            .with_conn(|c| tables::drafts::get(c, d.id))
            .unwrap()
            .values,
        values(MARKER)
    );
    assert_eq!(restored.blobs().get(&scan.hash).unwrap(), MARKER.as_bytes());
    let check = restored
        .sweep_blobs(std::time::Duration::ZERO, true)
        .unwrap();
    assert!(check.missing.is_empty(), "{check:?}");
}
