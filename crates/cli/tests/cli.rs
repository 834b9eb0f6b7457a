//! Runs the real `eingang` binary against real data folders.

// In tests a failed unwrap is a failed test, with its location; fixtures are small.
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use eingang_forms::samples::{SAMPLE_FORM_ID, SAMPLE_FORM_VERSION};
use eingang_store::{tables, Store, DB_FILE_NAME};
use std::path::Path;
use std::process::{Command, Output};

fn eingang(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("EINGANG_DATA_DIR")
        .output()
        .expect("run eingang")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn version_and_help_name_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let v = eingang(dir.path(), &["--version"]);
    assert!(v.status.success());
    assert_eq!(
        stdout(&v).trim(),
        format!("eingang {}", env!("CARGO_PKG_VERSION"))
    );
    let h = eingang(dir.path(), &["--help"]);
    assert!(stdout(&h).contains("doctor") && stdout(&h).contains("drafts"));
}

#[test]
fn a_reader_that_went_away_ends_the_command_quietly() {
    // `eingang doctor | head -3`: the pipe's reader is gone before doctor writes. The
    // command ends with the status a shell reports for SIGPIPE, without a panic.
    let dir = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(dir.path())
        .arg("doctor")
        .env_remove("EINGANG_DATA_DIR")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(eingang_cli::EXIT_CLOSED_STDOUT),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn drafts_list_reads_what_the_store_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let d = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    let values = [(
        "aktenzeichen".to_owned(),
        serde_json::json!("530.12-2026-7"),
    )]
    .into_iter()
    .collect();
    store
        .with_tx(|tx| tables::drafts::save_values(tx, d.id, values))
        .unwrap();
    drop(store);

    let out = eingang(dir.path(), &["drafts", "list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains(&d.id.to_string()), "{text}");
    assert!(text.contains("530.12-2026-7") && text.contains("Ortstermin-Protokoll"));

    let out = eingang(dir.path(), &["drafts", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["id"], d.id.to_string());
    assert_eq!(list[0]["revision"], 1);
}

#[test]
fn doctor_on_a_fresh_folder_is_healthy_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("neu");
    let out = eingang(&data, &["doctor", "--json"]);
    assert!(out.status.success(), "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let db = report
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "database")
        .unwrap();
    assert_eq!(db["level"], "ok");
    assert!(db["fact"].as_str().unwrap().contains("not created yet"));
    assert!(!data.exists(), "doctor is read-only");
}

#[test]
fn doctor_reports_sqlcipher_and_the_tools_that_really_are_here() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let out = eingang(dir.path(), &["doctor", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = |name: &str| {
        report
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find("sqlcipher")["level"], "ok");
    assert!(find("database")["fact"]
        .as_str()
        .unwrap()
        .contains(&format!(
            "schema {} (current)",
            eingang_store::migrate::LATEST
        )));
    let tesseract_here = Command::new("tesseract").arg("--version").output().is_ok();
    assert_eq!(
        find("ocr")["fact"]
            .as_str()
            .unwrap()
            .starts_with("Tesseract not found"),
        !tesseract_here,
        "doctor must tell the truth about Tesseract"
    );
    let sane_here = Command::new("scanimage").arg("--version").output().is_ok();
    let scanner = find("scanner");
    assert_eq!(
        scanner["fact"]
            .as_str()
            .unwrap()
            .starts_with("SANE present"),
        sane_here,
        "doctor must tell the truth about SANE: {scanner}"
    );
    let office_here = Command::new("soffice").arg("--version").output().is_ok();
    let office = find("office");
    assert_eq!(
        office["fact"]
            .as_str()
            .unwrap()
            .starts_with("LibreOffice present"),
        office_here,
        "doctor must tell the truth about LibreOffice: {office}"
    );
}

#[test]
fn doctor_names_a_corrupt_database_fails_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE_NAME);
    std::fs::write(
        &db,
        b"this is not a database, it is a shopping list\n".repeat(200),
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = eingang(dir.path(), &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("store.corrupt") && text.contains(&db.display().to_string()),
        "{text}"
    );
    assert!(text.contains("backup"), "says what to do: {text}");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    let out = eingang(dir.path(), &["drafts", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("store.corrupt"));
}

#[cfg(unix)]
#[test]
fn doctor_lists_the_scanners_sane_really_sees() {
    // SANE's virtual `test` backend, configured in a private folder (see notes/platform.md).
    assert!(
        Command::new("scanimage").arg("--version").output().is_ok(),
        "this test needs SANE: apt-get install sane-utils (scripts/test.sh installs it)"
    );
    let conf = tempfile::tempdir().unwrap();
    std::fs::write(conf.path().join("dll.conf"), "test\n").unwrap();
    if let Ok(t) = std::fs::read("/etc/sane.d/test.conf") {
        std::fs::write(conf.path().join("test.conf"), t).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["doctor", "--json"])
        .env("SANE_CONFIG_DIR", conf.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scanner = report
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "scanner")
        .unwrap();
    assert_eq!(scanner["level"], "ok", "{scanner}");
    assert!(
        scanner["fact"].as_str().unwrap().contains("test:0"),
        "{scanner}"
    );
}

#[test]
fn doctor_refuses_a_database_from_a_newer_version_naming_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = rusqlite::Connection::open(dir.path().join(DB_FILE_NAME)).unwrap();
        conn.pragma_update(None, "user_version", 77).unwrap();
    }
    let out = eingang(dir.path(), &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("store.schema_too_new") && text.contains("77"),
        "{text}"
    );
    assert!(text.contains("install the Eingang version"), "{text}");
}

#[test]
fn doctor_reports_a_locked_database() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let holder = eingang_store::connect(dir.path(), &eingang_store::keys::Unlock::Auto).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let out = eingang(dir.path(), &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("store.locked"), "{text}");
    assert!(text.contains("close the Eingang app"), "{text}");
}

#[test]
fn doctor_fails_when_the_data_folder_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("daten");
    std::fs::write(&file, b"x").unwrap();
    let out = eingang(&file, &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("is not a folder") && text.contains("--data-dir"),
        "{text}"
    );
}

#[test]
fn forms_import_takes_a_folder_skips_a_broken_file_and_lists_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    std::fs::write(
        src.path().join("a-gut.json"),
        r#"{"format": 1, "id": "parkausweis", "version": "2", "title": {"de": "Bewohnerparkausweis", "en": "Resident parking permit"},
            "items": [{"type": "field", "key": "kennzeichen", "kind": "text", "label": {"de": "Kennzeichen"}}]}"#,
    )
    .unwrap();
    std::fs::write(
        src.path().join("b-kaputt.json"),
        r#"{"format": 1, "id": "x""#,
    )
    .unwrap();
    std::fs::write(src.path().join("c-notiz.txt"), "kein Formular").unwrap();

    let out = eingang(
        dir.path(),
        &["forms", "import", src.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "one file failed");
    let text = stdout(&out);
    assert!(text.contains("added      parkausweis 2"), "{text}");
    assert!(
        text.contains("1 added, 0 already present, 1 failed"),
        "{text}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("b-kaputt.json") && err.contains("form.invalid"),
        "{err}"
    );

    let again = eingang(
        dir.path(),
        &[
            "forms",
            "import",
            src.path().join("a-gut.json").to_str().unwrap(),
        ],
    );
    assert!(again.status.success());
    assert!(stdout(&again).contains("0 added, 1 already present"));

    let list = eingang(dir.path(), &["forms", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"parkausweis") && ids.contains(&"ortstermin"),
        "{ids:?}"
    );
}

#[test]
fn forms_import_reads_a_fim_schema_with_its_code_lists_and_prints_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let fim = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../forms/tests/fixtures/fim/xdf2/S00000094V1.0");
    let out = eingang(dir.path(), &["forms", "import", fim.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("added      fim-s00000094 1.0"), "{text}");
    assert!(text.contains("import report (14 item(s)"), "{text}");
    assert!(
        text.contains("F60000262 (ZeileAnschrift): repeated field (anzahl 2:5)"),
        "{text}"
    );
    assert!(
        text.contains("1 added, 0 already present, 0 failed"),
        "genericode files are code lists, not forms: {text}"
    );
}

#[test]
fn submissions_list_shows_finalised_drafts_with_their_delivery_state() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let d = store
        .with_tx(|tx| tables::drafts::create(tx, SAMPLE_FORM_ID, SAMPLE_FORM_VERSION))
        .unwrap();
    let values = serde_json::json!({"aktenzeichen": "530.12-2026-1", "datum": "2026-11-27", "anschrift": "Markt 1"});
    store
        .with_tx(|tx| tables::drafts::save_values(tx, d.id, values.as_object().unwrap().clone()))
        .unwrap();
    let s = eingang_api::submissions::finalise(&store, d.id, (2026, 11, 28), &["default".into()])
        .unwrap();
    drop(store);
    let out = eingang(dir.path(), &["submissions", "list"]);
    let text = stdout(&out);
    assert!(out.status.success());
    assert!(
        text.contains(&s.id) && text.contains("pending") && text.contains("530.12-2026-1"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&eingang(dir.path(), &["submissions", "list", "--json"]).stdout)
            .unwrap();
    assert_eq!(json[0]["id"], s.id);
}

/// An imported FIM form gets hand-written rules: show it, add a rule, import it as a new
/// version; both versions are in the catalogue and the new one enforces the rule.
#[test]
fn a_fim_form_carries_hand_written_rules_in_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let fim = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../forms/tests/fixtures/fim/samples/v2/simple.xml");
    assert!(
        eingang(dir.path(), &["forms", "import", fim.to_str().unwrap()])
            .status
            .success()
    );
    let shown = eingang(dir.path(), &["forms", "show", "fim-t1234", "1.0"]);
    let mut def: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert!(def["notes"][0]["text"]
        .as_str()
        .unwrap()
        .contains("MindestEineAngabe"));
    def["version"] = "1.0-stadt.1".into();
    def["rules"] = serde_json::json!([{
        "id": "R60000037", "assert": "len(g00000082.f60000227) >= 2",
        "message": {"de": "Bitte den vollständigen Familiennamen angeben."},
        "fields": ["g00000082.f60000227"]
    }]);
    let file = dir.path().join("mit-regel.json");
    std::fs::write(&file, def.to_string()).unwrap();
    let out = eingang(dir.path(), &["forms", "import", file.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("added      fim-t1234 1.0-stadt.1"),
        "{}",
        stdout(&out)
    );
    let store = Store::open(dir.path()).unwrap();
    let form = store
        .with_conn(|c| tables::forms::load(c, "fim-t1234", "1.0-stadt.1"))
        .unwrap();
    let values = serde_json::json!({"g00000082": {"f60000227": "X"}});
    let issues = form.validate(values.as_object().unwrap(), (2026, 11, 28));
    assert!(issues.iter().any(|i| i.code == "rule"), "{issues:?}");
}

#[test]
fn importing_one_fim_schema_does_not_import_other_schemas_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms/tests/fixtures/fim");
    std::fs::copy(
        fixtures.join("samples/v2/simple.xml"),
        src.path().join("a.xml"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("samples/v3/simple.xml"),
        src.path().join("b.xml"),
    )
    .unwrap();
    let out = eingang(
        dir.path(),
        &[
            "forms",
            "import",
            src.path().join("a.xml").to_str().unwrap(),
        ],
    );
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("1 added, 0 already present, 0 failed"),
        "{text}"
    );
    assert!(
        !text.contains("fim-g60000000088"),
        "b.xml was not chosen: {text}"
    );
}

#[test]
fn the_data_key_is_named_a_missing_passphrase_refused_and_rotation_changes_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let o = eingang(dir.path(), &["key", "status"]);
    assert!(stdout(&o).contains("no key yet"), "{}", stdout(&o));
    Store::open(dir.path()).unwrap();
    let o = eingang(dir.path(), &["key", "status"]);
    assert!(
        stdout(&o).contains("encrypted; the key is wrapped under a passphrase"),
        "{}",
        stdout(&o)
    );
    // Without the passphrase (no key store here) nothing opens, and it says why.
    let locked = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["drafts", "list"])
        .env_remove("EINGANG_PASSPHRASE")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&locked.stderr);
    assert!(!locked.status.success());
    assert!(said.contains("store.passphrase_needed"), "{said}");

    // A new passphrase from standard input; the suite's passphrase no longer opens it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["key", "rotate", "--passphrase"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        b"Ein neuer Satz als Passphrase\n",
    )
    .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout(&o).contains("re-encrypted, ")
            && stdout(&o).contains("re-sealed under a new blob key"),
        "{}",
        stdout(&o)
    );
    let o = eingang(dir.path(), &["drafts", "list"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("store.key_wrong"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["drafts", "list"])
        .env("EINGANG_PASSPHRASE", "Ein neuer Satz als Passphrase")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `eingang terminal pin` turns a PIN into the configuration line that `config check`
/// accepts and the terminal verifies; a short PIN is refused.
#[test]
fn terminal_pin_prints_a_hash_the_configuration_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let pin = |input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_eingang"))
            .args(["--data-dir"])
            .arg(dir.path())
            .args(["terminal", "pin"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), input).unwrap();
        child.wait_with_output().unwrap()
    };
    let o = pin(b"583920\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line = stdout(&o);
    assert!(line.starts_with("staff_pin = \"$argon2id$"), "{line}");
    let hash = line
        .trim()
        .trim_start_matches("staff_pin = \"")
        .trim_end_matches('"');
    assert!(eingang_config::central::verify_pin(hash, "583920"));
    let file = dir.path().join("machine.toml");
    std::fs::write(
        &file,
        format!("[station]\nrole = \"terminal\"\n[terminal]\n{line}"),
    )
    .unwrap();
    let check = eingang(dir.path(), &["config", "check", file.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    std::fs::write(&file, "[terminal]\nstaff_pin = \"123456\"\n").unwrap();
    let check = eingang(dir.path(), &["config", "check", file.to_str().unwrap()]);
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stderr).contains("staff_pin"));

    let short = pin(b"123\n");
    assert_eq!(short.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&short.stderr).contains("6 to 128"));
}

/// Without `$USER` (a service, a kiosk session, a root shell) the audit log names the OS
/// account the process runs as, never "unknown".
#[cfg(unix)]
#[test]
fn without_user_variables_the_audit_log_names_the_os_account() {
    let dir = tempfile::tempdir().unwrap();
    let account =
        String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_eingang"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .env_remove("EINGANG_DATA_DIR")
            .env_remove("USER")
            .env_remove("USERNAME")
            .env_remove("LOGNAME")
            .env("EINGANG_KEYRING", "off")
            .output()
            .unwrap()
    };
    let profile = dir.path().join("p.json");
    let mut all: serde_json::Value =
        serde_json::from_slice(&run(&["profiles", "list", "--json"]).stdout).unwrap();
    all[0]["id"] = "probe".into();
    std::fs::write(&profile, all[0].to_string()).unwrap();
    let o = run(&["profiles", "save", profile.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let log = stdout(&run(&["audit", "export"]));
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["actor"], account.trim(), "{log}");
}

#[test]
fn list_commands_page_and_name_where_the_next_page_starts() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store
        .with_tx(|c| {
            for i in 0..7 {
                tables::batches::create_batch(c, &format!("Stapel {i}"), None, "{}")?;
            }
            Ok(())
        })
        .unwrap();
    drop(store);
    let lines = |o: &Output| stdout(o).lines().map(str::to_owned).collect::<Vec<_>>();

    let first = eingang(dir.path(), &["batch", "list", "--limit", "3"]);
    assert!(first.status.success());
    let err = String::from_utf8_lossy(&first.stderr).into_owned();
    let after = err
        .split("--after ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no next position named: {err}"))
        .to_owned();
    let second = eingang(
        dir.path(),
        &["batch", "list", "--limit", "3", "--after", &after],
    );
    let all = eingang(dir.path(), &["batch", "list", "--all"]);
    assert!(all.status.success() && all.stderr.is_empty());
    let (first, second, all) = (lines(&first), lines(&second), lines(&all));
    assert_eq!((first.len(), second.len(), all.len()), (3, 3, 7));
    assert_eq!([first, second].concat(), all[..6].to_vec());

    let json: Vec<serde_json::Value> =
        serde_json::from_slice(&eingang(dir.path(), &["batch", "list", "--all", "--json"]).stdout)
            .unwrap();
    assert_eq!(json.len(), 7);
    assert!(json
        .iter()
        .all(|b| b["name"].as_str().unwrap().starts_with("Stapel ")));

    let id = json[0]["id"].as_str().unwrap();
    let shown = eingang(dir.path(), &["batch", "show", id]);
    assert!(shown.status.success());
    assert!(stdout(&shown).starts_with(&format!("{id}\t{}", json[0]["name"].as_str().unwrap())));
    assert!(stdout(&shown).contains("0 page(s), 0 document(s)"));

    let bad = eingang(dir.path(), &["batch", "list", "--after", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("[store.bad_cursor]"));
}

#[test]
fn compact_rewrites_the_database_and_doctor_names_its_free_pages() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let doctor = stdout(&eingang(dir.path(), &["doctor"]));
    assert!(
        doctor.contains("free database pages; the retention purge returns them to the disk"),
        "{doctor}"
    );
    let o = eingang(dir.path(), &["compact"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("database rewritten"), "{}", stdout(&o));
    // Still the same store afterwards.
    assert!(eingang(dir.path(), &["drafts", "list"]).status.success());
}
