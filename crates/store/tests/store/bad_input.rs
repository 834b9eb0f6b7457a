//! A data folder or database the store cannot use: a clear error, and nothing deleted.

use eingang_store::migrate::LATEST;
use eingang_store::{inspect, Error, OpenOptions, Store, DB_FILE_NAME};
use rusqlite::Connection;
use std::time::Duration;

#[test]
fn a_corrupt_database_is_reported_and_left_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();

    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert_eq!(err.code(), "store.corrupt");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "names the file"
    );
    assert_eq!(std::fs::read(&path).unwrap(), garbage, "never reset");

    let report = inspect::inspect(dir.path());
    assert_eq!(report.schema.unwrap_err().code(), "store.corrupt");
}

#[test]
fn a_database_from_a_newer_eingang_is_refused_and_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE_NAME);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); INSERT INTO future VALUES (1);")
            .unwrap();
        conn.pragma_update(None, "user_version", LATEST + 5)
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    match &err {
        Error::SchemaTooNew {
            found, supported, ..
        } => assert_eq!((*found, *supported), (LATEST + 5, LATEST)),
        other => panic!("expected SchemaTooNew, got {other}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "not even the journal mode changed"
    );
    assert_eq!(
        inspect::inspect(dir.path()).schema.unwrap_err().code(),
        "store.schema_too_new"
    );
}

#[test]
fn a_locked_database_is_reported_as_locked_after_the_busy_timeout() {
    let (dir, store) = super::fresh();
    drop(store);
    let path = dir.path().join(DB_FILE_NAME);
    let _ = &path;
    let holder = eingang_store::connect(dir.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();

    let opts = OpenOptions {
        busy_timeout: Duration::from_millis(200),
        ..OpenOptions::default()
    };
    let err = Store::open_with(dir.path(), &opts).unwrap_err();
    assert_eq!(err.code(), "store.locked", "{err}");
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    Store::open(dir.path()).expect("opens once the other program let go");
}

#[cfg(unix)]
#[test]
fn a_data_folder_that_cannot_be_written_is_named_in_the_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("readonly");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    // root ignores permission bits; a file where the folder should be fails for everyone.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    for target in [locked.join("data"), blocker.join("data")] {
        let Err(err) = Store::open(&target) else {
            assert!(target.starts_with(&locked), "only root may write there");
            continue;
        };
        assert_eq!(err.code(), "store.data_dir_not_writable");
        assert!(err.to_string().contains(&target.display().to_string()));
    }
}
