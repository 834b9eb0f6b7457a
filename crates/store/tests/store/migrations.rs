use eingang_store::migrate::{self, LATEST, MIGRATIONS};
use eingang_store::{tables, Store, DB_FILE_NAME};
use rusqlite::Connection;

#[test]
fn an_empty_file_migrates_to_the_latest_schema_with_durable_pragmas() {
    let (_dir, store) = super::fresh();
    store
        .with_conn(|c| {
            assert_eq!(migrate::schema_version(c)?, LATEST);
            let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
            assert_eq!(mode, "wal");
            let sync: i64 = c.pragma_query_value(None, "synchronous", |r| r.get(0))?;
            assert_eq!(
                sync, 2,
                "synchronous=FULL keeps saved keystrokes across power loss"
            );
            let fk: i64 = c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
            assert_eq!(fk, 1);
            let cipher: String = c.query_row("PRAGMA cipher_version", [], |r| r.get(0))?;
            assert!(
                cipher.starts_with('4'),
                "SQLCipher 4 is linked, got {cipher}"
            );
            Ok(())
        })
        .unwrap();
}

/// Puts rows typical of schema `version` into a database at that version, so the test
/// can check they survive every later migration.
fn seed(conn: &Connection, version: u32) {
    if version >= 1 {
        conn.execute(
            "INSERT INTO drafts (id, form_id, form_version, values_json, caption, revision, created_at, updated_at)
             VALUES ('0190d7a2-0000-7000-8000-000000000001', 'ortstermin', '1.0',
                     '{\"aktenzeichen\":\"530.12-alt\"}', '530.12-alt', 3, 1, 2)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO preferences (key, value) VALUES ('ui.language', 'en')",
            [],
        )
        .unwrap();
    }
    if version >= 2 {
        conn.execute(
            "INSERT INTO outbox (item_kind, item_id, target, created_at) VALUES ('submission', 'x', 'local', 1)",
            [],
        )
        .unwrap();
    }
}

#[test]
fn every_earlier_schema_version_migrates_to_the_latest_keeping_its_data() {
    for start in 0..LATEST {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE_NAME);
        {
            let mut conn = Connection::open(&path).unwrap();
            assert_eq!(migrate::migrate_to(&mut conn, &path, start).unwrap(), start);
            seed(&conn, start);
        }
        let store = Store::open(dir.path())
            .unwrap_or_else(|e| panic!("schema {start} must open and migrate: {e}"));
        store
            .with_conn(|c| {
                assert_eq!(migrate::schema_version(c)?, LATEST, "from {start}");
                if start >= 1 {
                    let drafts = tables::drafts::list(c, None, 1000)?.0;
                    assert_eq!(drafts.len(), 1, "draft from schema {start} kept");
                    assert_eq!(drafts[0].caption, "530.12-alt");
                    assert_eq!(
                        tables::preferences::get(c, "ui.language")?.as_deref(),
                        Some("en")
                    );
                }
                if start >= 2 {
                    assert_eq!(tables::outbox::count_undelivered(c)?, 1);
                }
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn migrations_are_append_only_the_shipped_scripts_never_change() {
    // Hashes of the migrations as shipped. A field laptop's database already ran them;
    // changing one would leave old databases with a schema this build does not expect.
    // Add a new migration instead of editing an old one.
    use sha2::{Digest, Sha256};
    let shipped: [(u32, &str); 25] = [
        (1, "f4c76e5cba708009"),
        (2, "151e3c74af61d941"),
        (3, "f62ca276b266021b"),
        (4, "828f20a774839abd"),
        (5, "636bd489d4a294f7"),
        (6, "05fe75aeb0e5c336"),
        (7, "610d9d0bb2fa707d"),
        (8, "ab5442630639fb1d"),
        (9, "17aa21d757bddb74"),
        (10, "d3c82493eef843df"),
        (11, "46290c11dd6318e5"),
        (12, "4c502728187510e6"),
        (13, "fa4bc14127895596"),
        (14, "1230c5e271e7b01f"),
        (15, "346c9c6a1f01585a"),
        (16, "2aae5d98a68c03a8"),
        (17, "d74e5931bd932bb5"),
        (18, "c1e14738d35548a2"),
        (19, "dd1e6a3a4076576d"),
        (20, "217c6359fd28597e"),
        (21, "7d30817aca47716a"),
        (22, "2771e2224349943b"),
        (23, "8949eb09ce1e84fa"),
        (24, "daf2facfb66fae65"),
        (25, "f8f597b815f78d3c"),
    ];
    assert_eq!(
        MIGRATIONS.len(),
        shipped.len(),
        "record the new migration's hash here"
    );
    for ((version, sql), (v, expected)) in MIGRATIONS.iter().zip(shipped) {
        assert_eq!(*version, v);
        let got = hex::encode(Sha256::digest(sql.as_bytes()));
        assert_eq!(&got[..16], expected, "migration {version} was modified");
    }
}

#[test]
fn reopening_is_a_no_op_and_keeps_the_version() {
    let (dir, store) = super::fresh();
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store
            .with_conn(|c| Ok(migrate::schema_version(c)?))
            .unwrap(),
        LATEST
    );
}
