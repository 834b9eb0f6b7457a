//! Space a purge frees goes back to the disk in small steps (incremental auto-vacuum, chosen
//! when a database is made); a database from before that is rewritten once by `compact`.

use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_store::tables::drafts;
use eingang_store::Store;

fn pragma(store: &Store, name: &str) -> i64 {
    store
        .with_conn(|c| {
            let sql = format!("SELECT CAST({name} AS INTEGER) FROM pragma_{name}");
            Ok(c.query_row(&sql, [], |r| r.get(0))?)
        })
        .unwrap()
}

/// 400 drafts of 8 KiB each written, then deleted: their pages are free.
fn churn(store: &Store) {
    let big = "x".repeat(8 * 1024);
    let ids: Vec<_> = (0..400)
        .map(|_| {
            store
                .with_tx(|c| {
                    let d = drafts::create(c, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION)?;
                    c.execute(
                        "UPDATE drafts SET caption = ?2 WHERE id = ?1",
                        rusqlite::params![d.id.to_string(), big],
                    )?;
                    Ok(d.id)
                })
                .unwrap()
        })
        .collect();
    for id in ids {
        store.with_tx(|c| drafts::delete(c, id)).unwrap();
    }
}

#[test]
fn a_new_database_returns_freed_space_step_by_step() {
    let (_dir, store) = super::fresh();
    assert_eq!(pragma(&store, "auto_vacuum"), 2, "incremental");
    churn(&store);
    let free = pragma(&store, "freelist_count");
    assert!(free > 500, "{free} free pages");
    let page = pragma(&store, "page_size");
    let reclaimed = store.reclaim(u32::MAX).unwrap();
    assert_eq!(reclaimed, u64::try_from(free * page).unwrap());
    assert_eq!(pragma(&store, "freelist_count"), 0);
    assert_eq!(store.reclaim(u32::MAX).unwrap(), 0, "nothing left");
}

#[test]
fn an_older_database_keeps_its_free_pages_until_compacted_once() {
    let (dir, store) = super::fresh();
    drop(store);
    // As a database from before incremental auto-vacuum was chosen.
    let conn = eingang_store::connect(dir.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    conn.execute_batch("PRAGMA auto_vacuum = NONE; VACUUM;")
        .unwrap();
    drop(conn);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(pragma(&store, "auto_vacuum"), 0);
    churn(&store);
    assert!(pragma(&store, "freelist_count") > 500);
    assert_eq!(
        store.reclaim(u32::MAX).unwrap(),
        0,
        "no auto-vacuum: kept for reuse"
    );

    let (before, after) = store.compact().unwrap();
    assert!(after < before, "{before} → {after} bytes");
    assert_eq!(pragma(&store, "auto_vacuum"), 2);
    assert_eq!(pragma(&store, "freelist_count"), 0);
    // The forms catalogue and everything else is still there.
    assert!(!store
        .with_conn(eingang_store::tables::forms::list)
        .unwrap()
        .is_empty());
}
