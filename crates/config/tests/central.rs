//! The machine's configuration and a user's overrides: roles, terminal settings, updates,
//! master data, and the policy that decides what a user's file may change.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_config::{load_files, parse};
use eingang_model::Role;
use std::path::Path;

/// An absolute path in the tests' Unix spelling; on Windows on drive C: (forward slashes are
/// separators there too, and a TOML basic string keeps them as they are).
fn abs(unix: &str) -> String {
    if cfg!(windows) {
        format!("C:{unix}")
    } else {
        unix.to_owned()
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_machine_sets_role_terminal_and_sources_and_the_user_overrides_what_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let machine = write(
        dir.path(),
        "machine.toml",
        &format!(
            r#"
        [station]
        role = "terminal"
        name = "Bürgerbüro Terminal 1"
        [terminal]
        idle_secs = 90
        warn_secs = 30
        forms = ["wohngeld"]
        [masterdata]
        source = "{}"
        [scan]
        ocr_languages = "deu"
        [policy]
        locked = ["target"]
        [[target]]
        id = "dms"
        kind = "folder"
        path = "{}"
        "#,
            abs("/etc/eingang/stammdaten.csv"),
            abs("/srv/spool")
        ),
    );
    let user = write(
        dir.path(),
        "user.toml",
        &format!(
            r#"
        [station]
        role = "scan"
        [update]
        source = "https://evil.example/latest.json"
        pubkey = "RWQ"
        [scan]
        ocr_languages = "deu+eng"
        [terminal]
        idle_secs = 300
        [[target]]
        id = "mine"
        kind = "folder"
        path = "{}"
        "#,
            abs("/tmp/x")
        ),
    );
    let cfg = load_files(Some(&machine), Some(&user)).unwrap();
    // Machine-only and locked sections are ignored in the user's file, each named.
    assert_eq!(cfg.station.role, Some(Role::Terminal));
    assert_eq!(cfg.station.name.as_deref(), Some("Bürgerbüro Terminal 1"));
    assert_eq!(
        cfg.update.source, None,
        "a user cannot point updates elsewhere"
    );
    assert_eq!(cfg.targets.len(), 1);
    assert_eq!(cfg.targets[0].id, "dms");
    let w = cfg.warnings.join("\n");
    assert!(w.contains("[station] is ignored here"), "{w}");
    assert!(w.contains("[update] is ignored here"), "{w}");
    assert!(
        w.contains("[target] is ignored; the administrator locked it"),
        "{w}"
    );
    assert_eq!(cfg.warnings.len(), 3, "{w}");
    // Open sections: the user's value wins key by key.
    assert_eq!(cfg.scan.ocr_languages.as_deref(), Some("deu+eng"));
    assert_eq!(cfg.terminal.idle_secs, Some(300));
    assert_eq!(cfg.terminal.warn_secs, Some(30));
    assert_eq!(cfg.terminal.forms, ["wohngeld"]);
    assert_eq!(
        cfg.masterdata.source.as_deref(),
        Some(Path::new(&abs("/etc/eingang/stammdaten.csv")))
    );
    assert_eq!(cfg.sources, [machine, user]);
}

#[test]
fn without_any_file_the_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = load_files(
        Some(&dir.path().join("missing-machine.toml")),
        Some(&dir.path().join("missing-user.toml")),
    )
    .unwrap();
    assert_eq!(cfg.station.role, None);
    assert!(cfg.sources.is_empty() && cfg.warnings.is_empty());
    // Only one file named explicitly: it must exist.
    let e = load_files(Some(&dir.path().join("missing.toml")), None).unwrap_err();
    assert!(e.to_string().contains("cannot be read"), "{e}");
}

#[test]
fn mistakes_in_the_central_sections_are_named_with_what_to_do() {
    let share = format!(
        "[update]\nsource = \"{}\"\npubkey = \"nonsense\"",
        abs("/srv/l.json")
    );
    for (text, needle) in [
        ("[station]\nrole = \"kiosk\"", "unknown variant `kiosk`"),
        ("[station]\nname = \"\"", "[station] name"),
        ("[terminal]\nwarn_secs = 10", "at least 20 to respond"),
        ("[terminal]\nidle_secs = 5", "between 30 and 3600"),
        (
            "[terminal]\nlanguages = [\"fr\"]",
            "\"fr\" is not available",
        ),
        ("[terminal]\nforms = [\"\"]", "is not a form id"),
        ("[terminal]\ntimeout = 3", "unknown field `timeout`"),
        (
            "[update]\nsource = \"https://x.example/latest.json\"",
            "needs pubkey",
        ),
        ("[update]\npubkey = \"RWQ\"", "needs source"),
        (
            "[update]\nsource = \"latest.json\"\npubkey = \"x\"",
            "absolute path",
        ),
        (
            "[update]\nsource = \"https://u:pw@x.example/l.json\"\npubkey = \"x\"",
            "contains a password",
        ),
        (share.as_str(), "not a minisign public key"),
        ("[masterdata]\nsource = \"stammdaten.csv\"", "absolute path"),
        ("[scan]\nprofiles = \"p.json\"", "absolute path"),
        ("[scan]\nescl = [\"ftp://x\"]", "not an http(s) URL"),
        ("[policy]\nlocked = [\"station\"]", "cannot be locked"),
    ] {
        let e = parse(Path::new("/etc/eingang/config.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/etc/eingang/config.toml: ") && e.contains(needle),
            "{text}: {e}"
        );
    }
}

#[test]
fn plain_http_to_another_machine_needs_consent_and_then_warns_and_a_user_cannot_set_the_seal() {
    let dir = tempfile::tempdir().unwrap();
    let target = |url: &str, allow: &str| {
        format!("[[target]]\nid = \"dms\"\nkind = \"webdav\"\nurl = \"{url}\"\n{allow}")
    };
    let file = Path::new("config.toml");
    let e = parse(file, &target("http://dms.stadt.example/dav/", "")).unwrap_err();
    assert!(
        e.message.contains("plain http") && e.message.contains("allow_insecure_http = true"),
        "{e}"
    );
    assert!(parse(file, &target("https://dms.stadt.example/dav/", "")).is_ok());
    assert!(parse(file, &target("http://127.0.0.1:8080/dav/", "")).is_ok());
    assert!(parse(file, &target("http://localhost/dav/", "")).is_ok());
    let machine = write(
        dir.path(),
        "machine.toml",
        &target(
            "http://dms.stadt.example/dav/",
            "allow_insecure_http = true",
        ),
    );
    // The user's file tries to put its own seal and timestamp service in: ignored, named.
    let user = write(
        dir.path(),
        "user.toml",
        "[seal]\nmodule = \"/tmp/evil.so\"\ntoken = \"t\"\nkey = \"k\"\n[timestamp]\nurl = \"https://tsa.evil.example/\"\n",
    );
    let cfg = load_files(Some(&machine), Some(&user)).unwrap();
    assert!(
        cfg.warnings
            .iter()
            .any(|w| w.contains("\"dms\" delivers over plain http://")),
        "{:?}",
        cfg.warnings
    );
    assert!(!cfg.seal.configured() && cfg.timestamp.url.is_none());
    assert!(
        cfg.warnings.iter().any(|w| w.contains("[seal]")),
        "{:?}",
        cfg.warnings
    );
}

#[test]
fn a_seal_section_is_complete_or_named_and_a_justification_is_written_out() {
    let file = Path::new("machine.toml");
    let module = abs("/usr/lib/softhsm/libsofthsm2.so");
    let e = parse(file, &format!("[seal]\nmodule = \"{module}\"\n")).unwrap_err();
    assert!(e.message.contains("module, token and key together"), "{e}");
    let e = parse(file, "[seal]\njustification = \"weil\"\n").unwrap_err();
    assert!(e.message.contains("at least 20 characters"), "{e}");
    let e = parse(
        file,
        "[timestamp]\nurl = \"https://user:pw@tsa.example/\"\n",
    )
    .unwrap_err();
    assert!(e.message.contains("without a password"), "{e}");
    let ok = parse(
        file,
        &format!("[seal]\nmodule = \"{module}\"\ntoken = \"Siegel\"\nkey = \"siegel\"\n[timestamp]\nurl = \"https://tsa.stadt.example/tsa\"\n"),
    )
    .unwrap();
    assert!(ok.seal.configured());
}
