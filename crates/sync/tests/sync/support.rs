//! A store with finalised submissions, and helpers to look at what arrived.

use eingang_store::tables::{drafts, outbox};
use eingang_store::Store;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn store() -> (tempfile::TempDir, Arc<Store>) {
    let data = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(data.path()).unwrap());
    (data, store)
}

/// Finalises an "Ortstermin" draft queued for `targets`; returns the submission id.
pub fn finalised(store: &Store, targets: &[&str]) -> String {
    let d = store
        .with_tx(|tx| drafts::create(tx, "ortstermin", "1.0"))
        .unwrap();
    let v =
        json!({"aktenzeichen": "530.12-2026-0042", "datum": "2026-11-27", "anschrift": "Markt 1"});
    store
        .with_tx(|tx| drafts::save_values(tx, d.id, v.as_object().unwrap().clone()))
        .unwrap();
    let targets: Vec<String> = targets.iter().map(|t| (*t).to_owned()).collect();
    eingang_api::submissions::finalise(store, d.id, (2026, 11, 28), &targets)
        .unwrap()
        .id
}

/// Every file under `root` (relative paths), sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    if root.exists() {
        walk(root, root, &mut out);
    }
    out.sort();
    out
}

pub fn sha256_file(p: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

/// Checks that `root` holds exactly the packages of `ids`, once each, every file with the
/// hash its index names. Returns the number of files checked.
pub fn assert_exactly_delivered(store: &Store, root: &Path, ids: &[String]) -> usize {
    let files = files_under(root);
    let mut expected = Vec::new();
    for id in ids {
        let p = store
            .with_conn(|c| eingang_sync::package::submission(c, store.blobs(), id))
            .unwrap();
        for f in &p.files {
            expected.push((f.name.clone(), f.sha256.clone()));
        }
        expected.push((
            format!("{id}.index.xml"),
            hex::encode(Sha256::digest(p.index_xml.as_bytes())),
        ));
    }
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let stray: Vec<&String> = names
        .iter()
        .filter(|n| !expected.iter().any(|(e, _)| e == *n))
        .collect();
    assert!(
        stray.is_empty(),
        "unexpected files on the server: {stray:?}"
    );
    for (name, sha) in &expected {
        let found: Vec<&PathBuf> = files
            .iter()
            .filter(|f| f.file_name().unwrap().to_string_lossy() == *name)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{name} must be there exactly once: {found:?}"
        );
        assert_eq!(
            &sha256_file(&root.join(found[0])),
            sha,
            "{name} has the wrong content"
        );
    }
    expected.len()
}

pub fn row(store: &Store, id: &str) -> eingang_model::OutboxItem {
    store
        .with_conn(|c| outbox::items(c, None, 1000).map(|(all, _)| all))
        .unwrap()
        .into_iter()
        .find(|i| i.item_id == id)
        .unwrap()
}
