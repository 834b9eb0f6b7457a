use crate::harness::Driver;
use eingang_store::DB_FILE_NAME;

/// A corrupt database: the app starts, says what is wrong and what to do, and the file
/// is left exactly as it was (never a silent reset).
#[tokio::test(flavor = "current_thread")]
async fn a_corrupt_database_gets_a_clear_message_and_is_not_touched() {
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join(DB_FILE_NAME);
    let garbage: Vec<u8> = (0..16_384u32).map(|i| (i * 13 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();

    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    let screen = app
        .text(".startup-error[data-error-code='store.corrupt']")
        .await;
    assert!(screen.contains("Eingang kann nicht starten"), "{screen}");
    assert!(
        screen.contains("beschädigt"),
        "explains in German: {screen}"
    );
    assert!(
        screen.contains(&db.display().to_string()),
        "names the file: {screen}"
    );
    assert!(screen.contains("Sicherung"), "says what to do: {screen}");
    // No workspace is offered on a store that cannot be used.
    assert!(app.client.find(crate::harness::css("nav")).await.is_err());
    app.quit().await;
    assert_eq!(std::fs::read(&db).unwrap(), garbage);
}

/// A database from a newer Eingang is refused with the versions named.
#[tokio::test(flavor = "current_thread")]
async fn a_database_from_a_newer_version_is_refused_by_the_app() {
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join(DB_FILE_NAME);
    {
        let conn = rusqlite_conn(&db);
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    let screen = app
        .text(".startup-error[data-error-code='store.schema_too_new']")
        .await;
    assert!(screen.contains("neueren Eingang-Version"), "{screen}");
    assert!(
        screen.contains("999"),
        "the detail names the version: {screen}"
    );
    app.quit().await;
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// A data folder that cannot be used (here: a file stands where the folder should be).
#[tokio::test(flavor = "current_thread")]
async fn an_unusable_data_folder_is_named_with_what_to_do() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("daten");
    std::fs::write(&data, b"a file, not a folder").unwrap();
    let driver = Driver::start();
    let app = driver.launch(&data).await;
    let screen = app
        .text(".startup-error[data-error-code='store.data_dir_not_writable']")
        .await;
    assert!(
        screen.contains(&data.display().to_string()),
        "names the folder: {screen}"
    );
    assert!(
        screen.contains("anderen Ordner"),
        "says what to do: {screen}"
    );
    app.quit().await;
    assert_eq!(std::fs::read(&data).unwrap(), b"a file, not a folder");
}

fn rusqlite_conn(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("create a SQLite file")
}
