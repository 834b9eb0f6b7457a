//! The delivery commands of the real `eingang` binary against a real WebDAV server:
//! `targets list`, `targets password` (standard input), `sync`, `outbox list`/`retry`,
//! and a broken configuration named with its file.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

#[path = "../../sync/tests/sync/servers.rs"]
#[allow(dead_code)]
mod servers;
#[path = "../../sync/tests/sync/support.rs"]
#[allow(dead_code)]
mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn eingang(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("EINGANG_DATA_DIR")
        .env_remove("EINGANG_CONFIG")
        .env("EINGANG_KEYRING", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_headless_machine_delivers_with_the_cli_and_can_see_and_fix_what_went_wrong() {
    let server = servers::wsgidav();
    let (data, store) = support::store();
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[[target]]\nid = \"dms\"\nkind = \"webdav\"\nurl = \"{}\"\nuser = \"{}\"\nfolder = \"{{{{formular}}}}\"\n",
            server.url,
            servers::USER
        ),
    )
    .unwrap();
    let id = support::finalised(&store, &["dms"]);

    // No password yet: the target pauses and says why; the exit code tells scripts.
    let o = eingang(data.path(), &["sync"], None);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(out(&o).contains("paused"), "{}", out(&o));
    let o = eingang(data.path(), &["targets", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(list[0]["id"], "dms");
    assert_eq!(list[0]["paused"], "sync.credentials_missing");
    assert_eq!(list[0]["waiting"], 0);
    assert_eq!(list[0]["failed"], 1, "the paused item");

    // The password from standard input lifts the pause; then everything goes out.
    let o = eingang(
        data.path(),
        &["targets", "password", "dms"],
        Some(&format!("{}\n", servers::PASSWORD)),
    );
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("no longer paused"), "{}", out(&o));
    let o = eingang(data.path(), &["sync"], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("1 delivered"), "{}", out(&o));
    assert!(server
        .root
        .join("ortstermin")
        .join(format!("{id}.pdf"))
        .is_file());
    let o = eingang(data.path(), &["outbox", "list", "--json"], None);
    let items: Vec<eingang_model::OutboxItem> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(items[0].item_id, id);
    assert!(items[0]
        .receipt
        .as_ref()
        .unwrap()
        .location
        .ends_with(&format!("/ortstermin/{id}.index.xml")));
    let o = eingang(data.path(), &["targets", "list", "--check"], None);
    assert!(out(&o).contains("online"), "{}", out(&o));

    // A conflict fails for good; after the file is moved aside, `outbox retry` sends it.
    let id2 = support::finalised(&store, &["dms"]);
    std::fs::write(
        server.root.join("ortstermin").join(format!("{id2}.json")),
        "not ours",
    )
    .unwrap();
    let o = eingang(data.path(), &["sync"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("sync.conflict"), "{}", out(&o));
    std::fs::remove_file(server.root.join("ortstermin").join(format!("{id2}.json"))).unwrap();
    let row = support::row(&store, &id2).id.to_string();
    let o = eingang(data.path(), &["outbox", "retry", &row], None);
    assert!(o.status.success(), "{}", out(&o));
    let o = eingang(data.path(), &["outbox", "retry", &row], None);
    assert_eq!(
        o.status.code(),
        Some(2),
        "nothing to retry twice: {}",
        out(&o)
    );
    let o = eingang(data.path(), &["sync"], None);
    assert!(
        o.status.success() && out(&o).contains("1 delivered"),
        "{}",
        out(&o)
    );
}

#[test]
fn a_broken_configuration_is_named_with_its_file_and_nothing_is_sent() {
    let (data, store) = support::store();
    support::finalised(&store, &["default"]);
    std::fs::write(
        data.path().join("config.toml"),
        "[[target]]\nid = \"dms\"\nkind = \"webdav\"\n",
    )
    .unwrap();
    let o = eingang(data.path(), &["sync"], None);
    assert_eq!(o.status.code(), Some(2));
    let text = out(&o);
    assert!(
        text.contains("config.toml") && text.contains("needs url"),
        "{text}"
    );
    assert!(
        !data.path().join("ausgang").exists(),
        "nothing delivered anywhere"
    );
}

#[test]
fn config_check_validates_a_file_and_names_the_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[sync]\nconcurrency = 2\n[[target]]\nid = \"dms\"\nkind = \"cmis\"\nurl = \"https://dms.example/cmis/browser\"\nfolder = \"{{jahr}}\"\n",
    )
    .unwrap();
    let o = eingang(
        dir.path(),
        &["config", "check", good.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let text = out(&o);
    assert!(
        text.contains("good.toml: ok")
            && text.contains("target dms (cmis): https://dms.example/cmis/browser"),
        "{text}"
    );
    assert!(text.contains("2 at once"), "{text}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[target]]\nid = \"dms\"\nkind = \"webdav\"\nurl = \"https://x/\"\nfolder = \"{{aktenzeichen}}\"\n").unwrap();
    let o = eingang(
        dir.path(),
        &["config", "check", bad.to_str().unwrap()],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let text = out(&o);
    assert!(
        text.contains("bad.toml") && text.contains("unknown placeholder {{aktenzeichen}}"),
        "{text}"
    );
    // Without a file: the defaults (the local folder).
    let o = eingang(dir.path(), &["config", "check"], None);
    assert!(
        o.status.success() && out(&o).contains("target default (folder)"),
        "{}",
        out(&o)
    );
}
