//! `eingang mail` against a real IMAP server (Dovecot on loopback, TLS with a test CA): the
//! password into the key store, a fetch that takes every message once and moves it, the
//! mailbox's state, and what a wrong setting or a missing password says.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod run;
use run::{eingang, text};

use eingang_mailbox::testing::Dovecot;

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Max Muster <max{n}@example.org>\r\nSubject: Anfrage {n}\r\nDate: Wed, 02 Dec 2026 10:00:00 +0100\r\nMessage-ID: <cli-{n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWann ist das Bürgerbüro geöffnet?\r\n"
    )
    .into_bytes()
}

#[test]
fn mail_fetch_takes_each_message_once_and_says_what_is_wrong() {
    let server = Dovecot::shared();
    let (user, password) = server.user();
    let data = tempfile::tempdir().unwrap();
    let config = format!(
        "[mailbox]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"{user}\"\nca_bundle = \"{}\"\n",
        server.imaps_port,
        server.ca().display()
    );
    std::fs::write(data.path().join("config.toml"), &config).unwrap();

    let out = eingang(data.path(), &["mail", "fetch"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("mail.no_password"), "{}", text(&out));

    let out = eingang(
        data.path(),
        &["mail", "password"],
        Some(&format!("{password}\n")),
    );
    assert!(out.status.success(), "{}", text(&out));

    server.deliver(&user, "INBOX", &message(1));
    server.deliver(&user, "INBOX", &message(2));
    let out = eingang(data.path(), &["mail", "fetch"], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 message(s) taken"), "{}", text(&out));
    assert_eq!(server.count(&user, "INBOX"), 0);
    assert_eq!(server.count(&user, "Eingang/Verarbeitet"), 2);
    let out = eingang(data.path(), &["mail", "fetch"], None);
    assert!(text(&out).contains("0 message(s) taken"), "{}", text(&out));

    let list = eingang(data.path(), &["batch", "list"], None);
    assert!(
        text(&list).contains(&format!("Postfach {user}")),
        "{}",
        text(&list)
    );
    let st = eingang(data.path(), &["mail", "status"], None);
    assert!(
        text(&st).contains("connected") && text(&st).contains("imported 2"),
        "{}",
        text(&st)
    );

    // A wrong password: named, nothing taken; the state says so.
    let out = eingang(data.path(), &["mail", "password"], Some("falsch\n"));
    assert!(out.status.success());
    server.deliver(&user, "INBOX", &message(3));
    let out = eingang(data.path(), &["mail", "fetch"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("mail.login"), "{}", text(&out));
    let st = eingang(data.path(), &["mail", "status"], None);
    assert!(text(&st).contains(": error"), "{}", text(&st));
    assert_eq!(server.count(&user, "INBOX"), 1);

    // A setting that cannot work is named with its key.
    std::fs::write(
        data.path().join("config.toml"),
        format!("{config}security = \"plain\"\n"),
    )
    .unwrap();
    let out = eingang(data.path(), &["config", "check"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("[mailbox] security"), "{}", text(&out));

    // The authorities for signed mail: a file that is not there is named.
    std::fs::write(
        data.path().join("config.toml"),
        format!("{config}smime_trust = [\"/nicht/da/wurzeln.pem\"]\n"),
    )
    .unwrap();
    let out = eingang(data.path(), &["config", "check"], None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("smime_trust") && text(&out).contains("/nicht/da/wurzeln.pem"),
        "{}",
        text(&out)
    );
}
