//! `eingang team` against a real PostgreSQL (Debian's, on loopback, TLS): `[team]` in the
//! machine file (a user's file may not set it), the password into the key store, `team
//! check` connects, migrates and shows the queue; a wrong password and a missing one are
//! named; `config check` names a bad key; `doctor` says whether the server answers.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_team::testing::Postgres;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn eingang(data: &Path, args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("EINGANG_DATA_DIR")
        .env_remove("EINGANG_CONFIG")
        .env("EINGANG_MACHINE_CONFIG", data.join("machine.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(text) = input {
        stdin.write_all(text.as_bytes()).unwrap();
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn team_check_connects_migrates_and_names_what_is_wrong() {
    let server = Postgres::shared();
    let (settings, password) = server.database();
    let data = tempfile::tempdir().unwrap();
    let team = format!(
        "[team]\nhost = \"127.0.0.1\"\nport = {}\ndatabase = \"{}\"\nuser = \"{}\"\nca_bundle = \"{}\"\nroles = [\"index\", \"check\"]\n",
        settings.port,
        settings.dbname,
        settings.user,
        server.ca().display()
    );
    // Not from the user's file: the machine decides what a station does.
    std::fs::write(data.path().join("config.toml"), &team).unwrap();
    let out = eingang(data.path(), &["team", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("team.not_configured"), "{}", text(&out));
    std::fs::remove_file(data.path().join("config.toml")).unwrap();
    std::fs::write(data.path().join("machine.toml"), &team).unwrap();

    let out = eingang(data.path(), &["team", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("team.no_password"), "{}", text(&out));
    let out = eingang(data.path(), &["team", "password"], Some("falsch\n"));
    assert!(out.status.success(), "{}", text(&out));
    let out = eingang(data.path(), &["team", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("team.login"), "{}", text(&out));

    let out = eingang(
        data.path(),
        &["team", "password"],
        Some(&format!("{password}\n")),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = eingang(data.path(), &["team", "check"], None);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("connected (TLS), schema 1 (this station knows 1)")
            && said.contains("roles: index, check")
            && said.contains("index: 0 open"),
        "{said}"
    );
    let doctor = text(&eingang(data.path(), &["doctor"], None));
    assert!(
        doctor.contains("the server answers") && doctor.contains("roles: index, check"),
        "{doctor}"
    );
    let out = eingang(data.path(), &["team", "check", "--json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["queue"][0]["step"], "index");

    std::fs::write(
        data.path().join("machine.toml"),
        team.replace("roles = [\"index\", \"check\"]", "roles = [\"chef\"]"),
    )
    .unwrap();
    let out = eingang(data.path(), &["config", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("[team] roles"), "{}", text(&out));
}
