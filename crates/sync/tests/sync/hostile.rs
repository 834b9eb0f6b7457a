//! Bad answers from a target: a captive portal's web page, a full server (507), a file too
//! large (413), a refused name (400/403), credentials revoked mid-run (401 after a good
//! probe), and a certificate nobody trusts. Each gives a clear, specific reason on the item
//! and in the status; the item is kept; nothing is retried forever unseen.
//!
//! The misbehaving server here is a few lines of HTTP on loopback (real servers do not
//! misbehave on request); the certificate case uses `openssl s_server`.

use crate::support::{finalised, row, store};
use eingang_model::OutboxState;
use eingang_store::tables::sync_status;
use eingang_sync::webdav::{WebDav, WebDavOptions};
use eingang_sync::{run_round, Settings, Target};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Answer = (u16, &'static str, &'static str);

/// Serves every request with `answer(method)`: (status, content type, body).
async fn serve(answer: fn(&str) -> Answer) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = vec![0u8; 65536];
                let (head, mut have) = loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break (
                            String::from_utf8_lossy(&buf[..end]).into_owned(),
                            buf.len() - end - 4,
                        );
                    }
                };
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                while have < length {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    have += n;
                }
                let method = head.split(' ').next().unwrap_or_default().to_owned();
                let (status, ctype, body) = answer(&method);
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    port
}

const MULTISTATUS: &str = r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
const XML: &str = "application/xml";

fn target_at(url: &str, ca: Option<Vec<u8>>) -> Target {
    let mut o = WebDavOptions::new(url::Url::parse(url).unwrap());
    o.endpoint.user = Some("u".into());
    o.endpoint.password = Some("p".into());
    o.endpoint.ca_bundle = ca;
    o.endpoint.timeout = std::time::Duration::from_secs(2);
    Target {
        id: "dms".into(),
        name: "DMS".into(),
        kind: "webdav".into(),
        connector: Arc::new(WebDav::new(o).unwrap()),
        catalogue: None,
    }
}

/// Runs one round against a server answering PROPFIND with 207 and PUT with `put`.
async fn round_with_put(
    answer: fn(&str) -> Answer,
) -> (
    eingang_sync::Report,
    eingang_model::OutboxItem,
    sync_status::TargetRow,
) {
    let (_d, store) = store();
    let id = finalised(&store, &["dms"]);
    let port = serve(answer).await;
    let t = target_at(&format!("http://127.0.0.1:{port}/dav/"), None);
    let r = run_round(&store, &t, Settings::default()).await.unwrap();
    let st = store.with_conn(|c| sync_status::get(c, "dms")).unwrap();
    (r, row(&store, &id), st)
}

#[tokio::test]
async fn a_captive_portal_is_named_and_the_item_just_waits() {
    let (r, item, st) = round_with_put(|_| {
        (
            200,
            "text/html; charset=utf-8",
            "<html><body>WLAN-Anmeldung</body></html>",
        )
    })
    .await;
    assert!(r.offline);
    assert_eq!((item.state, item.attempts), (OutboxState::Pending, 0));
    assert_eq!(st.online, Some(false));
    let e = st.last_error.unwrap();
    assert_eq!(e.code, "sync.captive_portal");
    assert!(e.detail.contains("network login page"), "{}", e.detail);
}

#[tokio::test]
async fn a_full_server_is_retried_with_the_reason_shown() {
    let (r, item, st) = round_with_put(|m| match m {
        "PROPFIND" => (207, XML, MULTISTATUS),
        _ => (507, "text/plain", "Insufficient Storage"),
    })
    .await;
    assert_eq!(r.failed, 1);
    assert_eq!(
        item.state,
        OutboxState::Failed,
        "space can be freed: retried"
    );
    assert!(item.next_attempt_at.is_some());
    assert_eq!(item.error.unwrap().code, "sync.server_full");
    assert_eq!(st.last_error.unwrap().code, "sync.server_full");
}

#[tokio::test]
async fn a_file_too_large_fails_for_good_and_waits_for_the_user() {
    let (_, item, _) = round_with_put(|m| match m {
        "PROPFIND" => (207, XML, MULTISTATUS),
        _ => (413, "text/plain", "Request Entity Too Large"),
    })
    .await;
    assert_eq!(item.state, OutboxState::FailedPermanently);
    assert_eq!(item.next_attempt_at, None, "never retried without the user");
    let e = item.error.unwrap();
    assert_eq!(e.code, "sync.too_large");
    assert!(e.detail.contains("413"), "{}", e.detail);
}

#[tokio::test]
async fn a_refused_name_fails_for_good_whether_400_or_403() {
    let (_, item, _) = round_with_put(|m| match m {
        "PROPFIND" => (207, XML, MULTISTATUS),
        _ => (400, "text/plain", "Bad Request"),
    })
    .await;
    assert_eq!(
        (item.state, item.error.unwrap().code.as_str()),
        (OutboxState::FailedPermanently, "sync.name_rejected")
    );
    // 403 on one file while the target still accepts the credentials: the name, not us.
    let (r, item, st) = round_with_put(|m| match m {
        "PROPFIND" => (207, XML, MULTISTATUS),
        _ => (403, "text/plain", "Forbidden"),
    })
    .await;
    assert!(!r.paused);
    assert_eq!(
        (item.state, item.error.unwrap().code.as_str()),
        (OutboxState::FailedPermanently, "sync.name_rejected")
    );
    assert!(st.paused.is_none());
}

#[tokio::test]
async fn credentials_revoked_mid_run_pause_the_target_and_keep_the_item() {
    let (r, item, st) = round_with_put(|m| match m {
        "PROPFIND" => (207, XML, MULTISTATUS),
        _ => (401, "text/plain", "Unauthorized"),
    })
    .await;
    assert!(!r.paused, "the probe still passed");
    assert_eq!(item.state, OutboxState::Paused);
    assert_eq!(item.error.unwrap().code, "sync.auth_refused");
    assert_eq!(st.paused.unwrap().code, "sync.auth_refused");
}

#[tokio::test]
async fn an_untrusted_certificate_is_named_and_an_extra_ca_bundle_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    // A city CA and a server certificate it signed (as a city PKI would).
    let p = |n: &str| dir.path().join(n);
    std::fs::write(
        p("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=Stadt Test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
    ]);
    let (cert, key) = (p("cert.pem"), p("key.pem"));
    let port = crate::servers::free_port();
    let mut server = std::process::Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-accept",
            &port.to_string(),
            "-cert",
        ])
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let url = format!("https://127.0.0.1:{port}/dav/");
    let (_d, store) = store();
    let id = finalised(&store, &["dms"]);
    let r = run_round(&store, &target_at(&url, None), Settings::default())
        .await
        .unwrap();
    let st = store.with_conn(|c| sync_status::get(c, "dms")).unwrap();
    assert!(r.offline);
    assert_eq!(row(&store, &id).attempts, 0);
    let e = st.last_error.unwrap();
    assert_eq!(e.code, "sync.tls", "{}", e.detail);
    assert!(e.detail.contains("ca_bundle"), "{}", e.detail);
    // With the city's CA as an extra trusted root the TLS handshake passes (this test
    // server then has nothing to say to a PROPFIND: whatever it is, it is not TLS).
    let pem = std::fs::read(p("ca.pem")).unwrap();
    run_round(&store, &target_at(&url, Some(pem)), Settings::default())
        .await
        .unwrap();
    let st = store.with_conn(|c| sync_status::get(c, "dms")).unwrap();
    let e = st.last_error.unwrap();
    assert_ne!(e.code, "sync.tls", "{}", e.detail);
    let _ = server.kill();
    let _ = server.wait();
}
