//! Signed updates: from a share and from a web server (axum on loopback), with packages
//! signed by a key made here in the Tauri updater's format; tampered, foreign-signed,
//! unreachable and malformed sources refused with the right code.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_config::UpdateSection;
use eingang_update::testing::Signer;
use eingang_update::{platform_keys, Updater};
use std::path::Path;

fn manifest(version: &str, url: &str, signature: &str) -> String {
    serde_json::json!({
        "version": version,
        "notes": "Fehlerbehebungen",
        "pub_date": "2026-12-01T08:00:00Z",
        "platforms": { platform_keys()[0].clone(): { "url": url, "signature": signature } }
    })
    .to_string()
}

fn updater(source: &str, key: &str) -> Updater {
    Updater::new(&UpdateSection {
        source: Some(source.to_owned()),
        pubkey: Some(key.to_owned()),
        check_hours: None,
    })
    .unwrap()
    .unwrap()
}

/// A share with a package and the manifest, the manifest signed by `manifest_signer`.
fn share_signed(
    dir: &Path,
    version: &str,
    package: &[u8],
    signature: &str,
    manifest_signer: &Signer,
) -> String {
    std::fs::write(dir.join("Eingang_new_amd64.deb"), package).unwrap();
    let m = dir.join("latest.json");
    let text = manifest(version, "Eingang_new_amd64.deb", signature);
    std::fs::write(&m, &text).unwrap();
    std::fs::write(
        dir.join("latest.json.sig"),
        manifest_signer.sign(text.as_bytes()),
    )
    .unwrap();
    m.display().to_string()
}

#[tokio::test]
async fn a_signed_package_on_a_share_is_found_checked_and_kept() {
    let share_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let signer = Signer::new();
    let package = b"!<arch>\nnot really a deb, but signed".to_vec();
    let source = share_signed(
        share_dir.path(),
        "9.1.0",
        &package,
        &signer.sign(&package),
        &signer,
    );
    let u = updater(&source, &signer.pubkey());

    let found = u.check("0.1.0").await.unwrap().expect("9.1.0 is newer");
    assert_eq!(found.version, "9.1.0");
    assert_eq!(found.notes.as_deref(), Some("Fehlerbehebungen"));
    let kept = u
        .download(&found, &data.path().join("updates"))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&kept).unwrap(), package);
    assert_eq!(kept.file_name().unwrap(), "Eingang_new_amd64.deb");

    // The same or an older version is no update.
    assert_eq!(u.check("9.1.0").await.unwrap(), None);
    assert_eq!(u.check("10.0.0").await.unwrap(), None);
    // A file:// URL names the same manifest.
    let by_url = updater(&format!("file://{source}"), &signer.pubkey());
    assert!(by_url.check("0.1.0").await.unwrap().is_some());
}

#[tokio::test]
async fn a_tampered_or_foreign_signed_package_is_discarded() {
    let share_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let signer = Signer::new();
    let package = b"the real package".to_vec();
    let signature = signer.sign(&package);
    // Tampered after signing.
    let source = share_signed(
        share_dir.path(),
        "2.0.0",
        b"the real package + malware",
        &signature,
        &signer,
    );
    let u = updater(&source, &signer.pubkey());
    let found = u.check("0.1.0").await.unwrap().unwrap();
    let updates = data.path().join("updates");
    let e = u.download(&found, &updates).await.unwrap_err();
    assert_eq!(e.code, "update.signature", "{e}");
    assert!(e.message.contains("does not match"), "{e}");
    assert!(
        !updates.exists() || std::fs::read_dir(&updates).unwrap().next().is_none(),
        "nothing unverified is kept"
    );
    // Signed correctly, but by someone else's key.
    let intruder = Signer::new();
    share_signed(
        share_dir.path(),
        "2.0.0",
        &package,
        &intruder.sign(&package),
        &signer,
    );
    let found = u.check("0.1.0").await.unwrap().unwrap();
    assert_eq!(
        u.download(&found, &updates).await.unwrap_err().code,
        "update.signature"
    );
    // Garbage where the signature belongs.
    share_signed(
        share_dir.path(),
        "2.0.0",
        &package,
        "bm90IGEgc2lnbmF0dXJl",
        &signer,
    );
    let found = u.check("0.1.0").await.unwrap().unwrap();
    let e = u.download(&found, &updates).await.unwrap_err();
    assert_eq!(e.code, "update.signature");
    assert!(e.message.contains("cannot be read"), "{e}");
}

#[tokio::test]
async fn a_web_server_the_city_runs_serves_manifest_and_package() {
    let signer = Signer::new();
    let package = vec![7u8; 300_000];
    let body = manifest(
        "1.2.3",
        "pkg/Eingang_1.2.3_amd64.deb",
        &signer.sign(&package),
    );
    let body_sig = signer.sign(body.as_bytes());
    let app = axum::Router::new()
        .route(
            "/eingang/latest.json",
            axum::routing::get(move || async move { body }),
        )
        .route(
            "/eingang/latest.json.sig",
            axum::routing::get(move || async move { body_sig }),
        )
        .route(
            "/eingang/pkg/Eingang_1.2.3_amd64.deb",
            axum::routing::get(move || async move { package }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let data = tempfile::tempdir().unwrap();
    let u = updater(
        &format!("http://127.0.0.1:{port}/eingang/latest.json"),
        &signer.pubkey(),
    );
    let found = u.check("1.2.2").await.unwrap().unwrap();
    let kept = u.download(&found, data.path()).await.unwrap();
    assert_eq!(std::fs::metadata(&kept).unwrap().len(), 300_000);
    assert_eq!(kept.file_name().unwrap(), "Eingang_1.2.3_amd64.deb");
}

#[tokio::test]
async fn an_unreachable_or_broken_source_is_named_and_changes_nothing() {
    let signer = Signer::new();
    // Nothing listens on the port of a listener just closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let u = updater(
        &format!("http://127.0.0.1:{port}/latest.json"),
        &signer.pubkey(),
    );
    let e = u.check("0.1.0").await.unwrap_err();
    assert_eq!(e.code, "update.unreachable", "{e}");
    // A share that is not mounted.
    let share = if cfg!(windows) {
        "C:/nonexistent/share/latest.json"
    } else {
        "/nonexistent/share/latest.json"
    };
    let u = updater(share, &signer.pubkey());
    assert_eq!(
        u.check("0.1.0").await.unwrap_err().code,
        "update.unreachable"
    );

    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("latest.json");
    let u = updater(&m.display().to_string(), &signer.pubkey());
    for (text, needle) in [
        ("{ not json", "not an update manifest"),
        (r#"{"version":"zwei","platforms":{}}"#, "version \"zwei\""),
        (
            r#"{"version":"3.0.0","platforms":{"plan9-mips":{"url":"x","signature":"y"}}}"#,
            "no package for this platform",
        ),
    ] {
        std::fs::write(&m, text).unwrap();
        std::fs::write(
            dir.path().join("latest.json.sig"),
            signer.sign(text.as_bytes()),
        )
        .unwrap();
        let e = u.check("0.1.0").await.unwrap_err();
        assert_eq!(e.code, "update.manifest", "{text}: {e}");
        assert!(e.message.contains(needle), "{text}: {e}");
    }
    // A manifest on a share may not send us elsewhere on the disk.
    let evil = manifest("3.0.0", "../../etc/shadow", "x");
    std::fs::write(&m, &evil).unwrap();
    std::fs::write(
        dir.path().join("latest.json.sig"),
        signer.sign(evil.as_bytes()),
    )
    .unwrap();
    let e = u.check("0.1.0").await.unwrap_err();
    assert!(e.message.contains("beside the manifest"), "{e}");
}

#[test]
fn keys_are_read_in_both_forms_and_bad_ones_named() {
    let signer = Signer::new();
    assert!(eingang_update::public_key(&signer.pubkey()).is_ok());
    let bare = signer.bare_pubkey();
    assert!(eingang_update::public_key(&bare).is_ok());
    let e = eingang_update::public_key("hello").unwrap_err();
    assert!(e.to_string().contains("not a minisign public key"), "{e}");
}

#[tokio::test]
async fn an_unsigned_or_altered_manifest_offers_nothing() {
    let share_dir = tempfile::tempdir().unwrap();
    let signer = Signer::new();
    let package = b"a package".to_vec();
    let source = share_signed(
        share_dir.path(),
        "3.0.0",
        &package,
        &signer.sign(&package),
        &signer,
    );
    let u = updater(&source, &signer.pubkey());
    assert!(u.check("0.1.0").await.unwrap().is_some());
    // Someone raises the version in the manifest after it was signed.
    let m = share_dir.path().join("latest.json");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("3.0.0", "9.9.9");
    std::fs::write(&m, text).unwrap();
    let e = u.check("0.1.0").await.unwrap_err();
    assert_eq!(e.code, "update.signature", "{e}");
    assert!(
        e.message.contains("manifest's signature does not match"),
        "{e}"
    );
    // No signature at all.
    std::fs::remove_file(share_dir.path().join("latest.json.sig")).unwrap();
    let e = u.check("0.1.0").await.unwrap_err();
    assert_eq!(e.code, "update.signature", "{e}");
    assert!(e.message.contains("not signed"), "{e}");
}

/// A Debian package of `version` (dpkg-deb), as bytes.
fn deb(dir: &Path, version: &str) -> Vec<u8> {
    let root = dir.join(format!("pkg-{version}"));
    std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
    std::fs::write(
        root.join("DEBIAN/control"),
        format!("Package: eingang-test\nVersion: {version}\nArchitecture: all\nMaintainer: Test <t@example.invalid>\nDescription: test\n"),
    )
    .unwrap();
    let out = dir.join(format!("eingang-test_{version}.deb"));
    let ok = std::process::Command::new("dpkg-deb")
        .args(["--root-owner-group", "-b"])
        .arg(&root)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    std::fs::read(out).unwrap()
}

#[tokio::test]
async fn a_package_swapped_after_download_or_older_than_installed_is_not_installed() {
    let share_dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let signer = Signer::new();
    let key = eingang_update::public_key(&signer.pubkey()).unwrap();
    let newer = deb(data.path(), "2.0.0");
    let source = share_signed(
        share_dir.path(),
        "2.0.0",
        &newer,
        &signer.sign(&newer),
        &signer,
    );
    let u = updater(&source, &signer.pubkey());
    let found = u.check("1.0.0").await.unwrap().unwrap();
    let kept = u
        .download(&found, &data.path().join("updates"))
        .await
        .unwrap();

    // Checked again from the privileged copy: as downloaded, it passes and is version 2.0.0.
    let staged = eingang_update::stage(&kept, &key, cache.path()).unwrap();
    assert!(staged.starts_with(cache.path()));
    assert_eq!(std::fs::read(&staged).unwrap(), newer);
    let version = eingang_update::deb_version(&staged).unwrap();
    assert_eq!(version.to_string(), "2.0.0");
    assert!(eingang_update::refuse_downgrade(&version, "1.0.0").is_ok());
    std::fs::remove_file(&staged).unwrap();

    // Swapped between download and install (the download folder is the user's).
    let mut evil = newer.clone();
    evil.extend_from_slice(b"payload");
    std::fs::write(&kept, &evil).unwrap();
    let e = eingang_update::apply(&kept, &key, "1.0.0", cache.path()).unwrap_err();
    assert_eq!(e.code, "update.signature", "{e}");
    assert_eq!(
        std::fs::read_dir(cache.path()).unwrap().count(),
        0,
        "nothing staged"
    );

    // An older package, validly signed (a replayed release): refused as a downgrade
    // before any installer runs.
    let older = deb(data.path(), "0.9.0");
    std::fs::write(&kept, &older).unwrap();
    std::fs::write(eingang_update::signature_file(&kept), signer.sign(&older)).unwrap();
    let e = eingang_update::apply(&kept, &key, "1.0.0", cache.path()).unwrap_err();
    assert_eq!(e.code, "update.downgrade", "{e}");
    assert!(
        e.message.contains("not newer than the installed 1.0.0"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_dir(cache.path()).unwrap().count(),
        0,
        "the staged copy is gone"
    );
}
