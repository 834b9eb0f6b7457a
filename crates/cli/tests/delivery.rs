//! The delivery commands of the real `eingang` binary against a real WebDAV server:
//! `targets list`, `targets password` (standard input), `sync`, `outbox list`/`retry`,
//! and a broken configuration named with its file.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod run;
use run::{eingang, text as out};

#[path = "../../sync/tests/sync/servers.rs"]
#[allow(dead_code)]
mod servers;
#[path = "../../sync/tests/sync/support.rs"]
#[allow(dead_code)]
mod support;

use std::path::Path;

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

    // The DMS lost the first submission: its receipt is voided and it goes out again.
    let first = support::row(&store, &id).id.to_string();
    redeliver_what_the_dms_lost(data.path(), &server.root, &first, &id);
}

/// Row `first` (item `id`) was delivered, but the DMS lost it: `outbox redeliver` wants a
/// reason, voids the receipt once, and the next `sync` delivers the item again.
fn redeliver_what_the_dms_lost(data: &Path, root: &Path, first: &str, id: &str) {
    std::fs::remove_dir_all(root.join("ortstermin")).unwrap();
    let o = eingang(data, &["outbox", "redeliver", first, "--reason", " "], None);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a reason is required: {}",
        out(&o)
    );
    assert!(out(&o).contains("[input.reason]"), "{}", out(&o));
    let o = eingang(
        data,
        &[
            "outbox",
            "redeliver",
            first,
            "--reason",
            "DMS ticket 4711: not found",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = eingang(
        data,
        &["outbox", "redeliver", first, "--reason", "again"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("[sync.not_delivered]"), "{}", out(&o));
    let o = eingang(data, &["sync"], None);
    assert!(
        o.status.success() && out(&o).contains("1 delivered"),
        "{}",
        out(&o)
    );
    assert!(root.join("ortstermin").join(format!("{id}.pdf")).is_file());
    let log = eingang(data, &["audit", "export"], None);
    assert!(
        String::from_utf8_lossy(&log.stdout).contains("DMS ticket 4711"),
        "the audit log keeps why"
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
    assert!(
        text.contains("warning: [station] accessibility_contact is not set"),
        "{text}"
    );
    std::fs::write(
        &good,
        "[station]\naccessibility_contact = \"barrierefrei@stadt.example, 0251 492-0\"\n",
    )
    .unwrap();
    let text = out(&eingang(
        dir.path(),
        &["config", "check", good.to_str().unwrap()],
        None,
    ));
    assert!(!text.contains("accessibility_contact is not set"), "{text}");
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

use eingang_update::testing::Signer;

#[test]
fn the_machine_file_rules_config_check_shows_it_and_update_takes_only_signed_packages() {
    let data = tempfile::tempdir().unwrap();
    let share = tempfile::tempdir().unwrap();
    let package = b"a package the city signed".to_vec();
    let city = Signer::new();
    let (pubkey, signature) = (city.pubkey(), city.sign(&package));
    let platform = eingang_update::platform_keys()[0].clone();
    let manifest = share.path().join("latest.json");
    // The city signs the manifest too (latest.json.sig beside it).
    let write_manifest = |sig: &str| {
        let text = serde_json::json!({
            "version": "9.0.0",
            "platforms": { platform.clone(): { "url": "Eingang_9.0.0.pkg", "signature": sig } }
        })
        .to_string();
        std::fs::write(&manifest, &text).unwrap();
        std::fs::write(
            share.path().join("latest.json.sig"),
            city.sign(text.as_bytes()),
        )
        .unwrap();
    };
    write_manifest(&signature);
    std::fs::write(share.path().join("Eingang_9.0.0.pkg"), &package).unwrap();
    std::fs::write(
        data.path().join("machine.toml"),
        format!(
            "[station]\nrole = \"scan\"\n[update]\nsource = '{}'\npubkey = \"{pubkey}\"\n[policy]\nlocked = [\"target\"]\n",
            manifest.display()
        ),
    )
    .unwrap();
    // The user's file tries to change the role and add a target: both ignored, both named.
    std::fs::write(
        data.path().join("config.toml"),
        "[station]\nrole = \"terminal\"\n[[target]]\nid = \"x\"\nkind = \"folder\"\npath = \"/tmp/x\"\n",
    )
    .unwrap();
    let o = eingang(data.path(), &["config", "check"], None);
    let text = out(&o);
    assert!(o.status.success(), "{text}");
    assert!(text.contains("station: role scan"), "{text}");
    assert!(
        text.contains("updates: ") && text.contains("signed, checked every 24 h"),
        "{text}"
    );
    assert!(text.contains("locked for users: target"), "{text}");
    assert!(
        text.contains("warning: ") && text.contains("[station] is ignored here"),
        "{text}"
    );
    assert!(
        text.contains("[target] is ignored; the administrator locked it"),
        "{text}"
    );
    assert!(
        text.contains("target default (folder)"),
        "the user's target is not used: {text}"
    );

    let o = eingang(data.path(), &["update", "check"], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("version 9.0.0 is available"),
        "{}",
        out(&o)
    );
    // Install: the signature checks out, then this package type has no installer here.
    let o = eingang(data.path(), &["update", "install"], None);
    let text = out(&o);
    assert!(text.contains("signature ok"), "{text}");
    assert!(text.contains("error [update.install]"), "{text}");
    assert_eq!(o.status.code(), Some(2));
    // A signature that does not fit: refused before anything is installed.
    write_manifest(&Signer::new().sign(&package));
    let o = eingang(data.path(), &["update", "install"], None);
    let text = out(&o);
    assert!(
        text.contains("error [update.signature]") && !text.contains("signature ok"),
        "{text}"
    );
    assert_eq!(o.status.code(), Some(2));
    // The share is gone: exit 1, nothing to do but wait.
    std::fs::remove_file(&manifest).unwrap();
    let o = eingang(data.path(), &["update", "check"], None);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("error [update.unreachable]"),
        "{}",
        out(&o)
    );
}

#[test]
fn config_apply_takes_central_master_data_and_keeps_them_when_the_file_breaks() {
    // Central master data: taken by `config apply` (as the app does at start).
    let data = tempfile::tempdir().unwrap();
    let share = tempfile::tempdir().unwrap();
    let csv = share.path().join("stammdaten.csv");
    std::fs::write(
        &csv,
        "art;code;bezeichnung;muster;felder\neinheit;32.1;Ordnungsamt;;\n",
    )
    .unwrap();
    std::fs::write(
        data.path().join("machine.toml"),
        format!("[masterdata]\nsource = '{}'\n", csv.display()),
    )
    .unwrap();
    let o = eingang(data.path(), &["config", "apply"], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(
        out(&o).contains("stammdaten.csv imported (1 entry)"),
        "{}",
        out(&o)
    );
    let o = eingang(data.path(), &["masterdata", "list"], None);
    assert!(out(&o).contains("Ordnungsamt"), "{}", out(&o));
    std::fs::write(&csv, "art;code\nkaputt\n").unwrap();
    let o = eingang(data.path(), &["config", "apply"], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(
        out(&o).contains("error [config.central]: ") && out(&o).contains("stammdaten.csv"),
        "{}",
        out(&o)
    );
    let o = eingang(data.path(), &["masterdata", "list"], None);
    assert!(
        out(&o).contains("Ordnungsamt"),
        "the data in use stay: {}",
        out(&o)
    );
}

#[test]
fn config_check_names_what_each_profiles_protection_need_lacks() {
    let data = tempfile::tempdir().unwrap();
    let profile = data.path().join("profile.json");
    for (id, protection) in [("akten", "sehr_hoch"), ("post", "normal")] {
        let name = if id == "akten" { "Akten" } else { "Post" };
        std::fs::write(
            &profile,
            format!(r#"{{"id":"{id}","name":"{name}","mode":"Gray","resolution":300,"qc":{{"protection":"{protection}","four_eyes":true}}}}"#),
        )
        .unwrap();
        let o = eingang(
            data.path(),
            &["profiles", "save", profile.to_str().unwrap()],
            None,
        );
        assert!(o.status.success(), "{}", out(&o));
    }
    let o = eingang(data.path(), &["config", "check"], None);
    let text = out(&o);
    assert!(o.status.success(), "{text}");
    assert!(text.contains("seal: none"), "{text}");
    for need in [
        "an electronic seal ([seal])",
        "a timestamp service ([timestamp])",
        "([directory])",
    ] {
        assert!(
            text.contains("evidence: profile akten (Akten), protection need sehr_hoch: needs")
                && text.contains(need),
            "{need}: {text}"
        );
    }
    assert!(
        text.contains("profile post (Post), protection need normal: neither a seal nor a written justification"),
        "{text}"
    );
}

/// An item that waits for an unreachable DMS is held back with a reason (never sent by
/// itself, kept and listed), then sent to another target instead; a delivered item can be
/// neither, and an unknown target is named.
#[test]
fn an_item_waiting_for_an_offline_target_is_held_back_and_then_sent_elsewhere() {
    let (data, store) = support::store();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let archive = data.path().join("archiv");
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[[target]]\nid = \"dms\"\nkind = \"webdav\"\nurl = \"http://127.0.0.1:{port}/dav/\"\nfolder = \"{{{{formular}}}}\"\n\
             [[target]]\nid = \"archiv\"\nkind = \"folder\"\npath = '{}'\n",
            archive.display()
        ),
    )
    .unwrap();
    let id = support::finalised(&store, &["dms"]);
    let o = eingang(data.path(), &["sync"], None);
    assert!(out(&o).contains("1 waiting"), "{}", out(&o));
    let row = support::row(&store, &id).id.to_string();

    // No reason, no hold.
    let o = eingang(
        data.path(),
        &["outbox", "cancel", &row, "--reason", ""],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let o = eingang(
        data.path(),
        &[
            "outbox",
            "cancel",
            &row,
            "--reason",
            "DMS bis Montag in Wartung",
        ],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let held = support::row(&store, &id);
    assert_eq!(held.state, eingang_model::OutboxState::FailedPermanently);
    assert_eq!(held.error.as_ref().unwrap().code, "sync.cancelled");
    assert_eq!(
        held.error.as_ref().unwrap().detail,
        "DMS bis Montag in Wartung"
    );
    let o = eingang(data.path(), &["outbox", "list"], None);
    assert!(out(&o).contains("sync.cancelled"), "{}", out(&o));

    // To a target that does not exist: named; to the archive folder: delivered there.
    let o = eingang(
        data.path(),
        &["outbox", "move", &row, "--to", "nirgends"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("nirgends"), "{}", out(&o));
    let o = eingang(
        data.path(),
        &["outbox", "move", &row, "--to", "archiv"],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = eingang(data.path(), &["sync"], None);
    assert!(out(&o).contains("1 delivered"), "{}", out(&o));
    assert!(archive.join(format!("{id}.pdf")).is_file(), "{}", out(&o));
    let moved = support::row(&store, &id);
    assert_eq!(moved.target, "archiv");
    assert!(moved.receipt.is_some());

    // Delivered: neither held back nor moved.
    let o = eingang(
        data.path(),
        &["outbox", "cancel", &row, "--reason", "zu spät"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let o = eingang(data.path(), &["outbox", "move", &row, "--to", "dms"], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    // The audit log keeps both decisions.
    let kinds: Vec<String> = store
        .with_conn(|c| {
            let mut st =
                c.prepare("SELECT kind FROM audit_log WHERE kind LIKE 'delivery.%' ORDER BY seq")?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap();
    assert!(
        kinds.contains(&"delivery.cancelled".to_owned())
            && kinds.contains(&"delivery.retargeted".to_owned()),
        "{kinds:?}"
    );
}
