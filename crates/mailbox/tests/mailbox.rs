//! The mailbox intake against a real IMAP server (Dovecot on loopback, TLS with a test CA):
//! messages become documents of the day's mail batch exactly once and move to the
//! processed folder; too large ones are refused unread and moved aside; a message seen
//! again after a changed UIDVALIDITY is a duplicate; pages an interrupted pass half made
//! are made again; a wrong password and an untrusted server are named.

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_capture::profile::{profiles, ScanProfile};
use eingang_mailbox::testing::Dovecot;
use eingang_mailbox::{pass, Account, Connection, MailError};
use eingang_store::tables::{self, mail, pages};
use eingang_store::Store;
use std::sync::atomic::AtomicBool;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn message(n: usize, body: &str) -> Vec<u8> {
    format!(
        "From: Erika Mustermann <erika{n}@example.org>\r\n\
         To: Posteingang <posteingang@musterstadt.de>\r\n\
         Subject: Antrag {n}\r\n\
         Date: Tue, 01 Dec 2026 09:{n:02}:00 +0100\r\n\
         Message-ID: <antrag-{n}@example.org>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Sehr geehrte Damen und Herren,\r\n\r\n{body}\r\n\r\nMit freundlichen Grüßen\r\nErika Mustermann\r\n"
    )
    .into_bytes()
}

fn standard(store: &Store) -> ScanProfile {
    profiles(store)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "standard")
        .unwrap()
}

fn run_pass(store: &Store, a: &Account, password: &str) -> eingang_mailbox::Pass {
    runtime().block_on(async {
        let mut conn = Connection::open(a, password).await.unwrap();
        let p = pass(
            &mut conn,
            store,
            a,
            &standard(store),
            None,
            &AtomicBool::new(false),
            &|_| {},
        )
        .await
        .unwrap();
        conn.close().await;
        p
    })
}

/// E-mail documents in the batch: (source of its first page, pages).
fn documents(store: &Store, batch: &eingang_model::BatchId) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for p in store.with_conn(|c| pages::pages(c, batch)).unwrap() {
        if p.starts_document || out.is_empty() {
            out.push((p.source.clone(), 1));
        } else if let Some(last) = out.last_mut() {
            last.1 += 1;
        }
    }
    out
}

#[test]
fn messages_become_documents_once_and_move_to_the_processed_folder() {
    let server = Dovecot::shared();
    let (user, password) = server.user();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let mut account = server.account(&user);
    account.max_message_bytes = 64 << 10;
    server.deliver(&user, "INBOX", &message(1, "ich beantrage Wohngeld."));
    // Broken MIME: a multipart without its closing boundary, read as far as it goes.
    server.deliver(
        &user,
        "INBOX",
        b"From: b@example.org\r\nSubject: kaputt\r\nMessage-ID: <kaputt@example.org>\r\nContent-Type: multipart/mixed; boundary=\"Q\"\r\n\r\n--Q\r\nContent-Type: text/plain\r\n\r\nnur der Anfang\r\n",
    );
    server.deliver(&user, "INBOX", &message(3, &"x".repeat(100 << 10)));

    let first = run_pass(&store, &account, &password);
    assert_eq!(first.taken, 2, "{first:?}");
    assert_eq!(first.refused.len(), 1, "{first:?}");
    assert!(
        first.refused[0].reason.contains("max_message_mb"),
        "{:?}",
        first.refused
    );
    assert_eq!(first.settled, 3);
    assert_eq!(server.count(&user, "INBOX"), 0);
    assert_eq!(server.count(&user, "Eingang/Verarbeitet"), 2);
    assert_eq!(server.count(&user, "Eingang/Abgelehnt"), 1);
    let batch = first.batch.unwrap();
    let docs = documents(&store, &batch);
    assert_eq!(docs.len(), 2, "{docs:?}");
    assert!(docs
        .iter()
        .all(|(source, _)| source.starts_with("postfach-")));
    let name = store
        .with_conn(|c| tables::batches::batch(c, &batch))
        .unwrap()
        .name;
    assert!(name.starts_with(&format!("Postfach {user} ")), "{name}");

    // Nothing new: nothing taken. A message that comes again (same Message-ID, same
    // bytes) is a duplicate, not a second document.
    let again = run_pass(&store, &account, &password);
    assert_eq!((again.taken, again.settled), (0, 0), "{again:?}");
    server.deliver(&user, "INBOX", &message(1, "ich beantrage Wohngeld."));
    let dup = run_pass(&store, &account, &password);
    assert_eq!(
        (dup.taken, dup.duplicates, dup.settled),
        (0, 1, 1),
        "{dup:?}"
    );

    // The server restored from a backup: every UID new under another UIDVALIDITY. The
    // messages already taken are recognised; the new one is taken.
    server.deliver(&user, "INBOX", &message(1, "ich beantrage Wohngeld."));
    server.deliver(&user, "INBOX", &message(4, "ich frage nach dem Stand."));
    server.new_uidvalidity(&user, "INBOX", 4711);
    let restored = run_pass(&store, &account, &password);
    assert_eq!(
        (restored.taken, restored.duplicates),
        (1, 1),
        "{restored:?}"
    );
    assert_eq!(documents(&store, &batch).len(), 3);
    let counts = store.with_conn(|c| mail::counts(c, &account.name)).unwrap();
    assert_eq!(
        counts,
        [
            ("duplicate".to_owned(), 2),
            ("imported".to_owned(), 3),
            ("refused".to_owned(), 1)
        ]
    );
    assert_eq!(server.count(&user, "INBOX"), 0);
}

#[test]
fn pages_half_made_by_an_interrupted_pass_are_made_again_once() {
    let server = Dovecot::shared();
    let (user, password) = server.user();
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let account = server.account(&user);
    let bytes = message(7, "bitte um Rückruf.");
    server.deliver(&user, "INBOX", &bytes);
    // What a pass killed after storing the message and its first page leaves behind: the
    // row `received`, one page, the message still in INBOX.
    let (uidvalidity, uid) = runtime().block_on(async {
        let mut conn = Connection::open(&account, &password).await.unwrap();
        let uids = conn.uids_from(1).await.unwrap();
        let v = conn.uidvalidity;
        conn.close().await;
        (v, uids[0])
    });
    let profile = standard(&store);
    let batch =
        eingang_capture::intake::named_batch(&store, "Postfach unterbrochen", &profile).unwrap();
    let raw = store.blobs().put(&bytes).unwrap();
    let source = format!("postfach-{uidvalidity}-{uid}.eml");
    store
        .with_tx(|c| {
            tables::blobs::insert(c, &raw)?;
            mail::record(
                c,
                &account.name,
                &mail::Message {
                    uidvalidity,
                    uid,
                    message_id: Some("antrag-7@example.org".into()),
                    sha256: raw.hash.clone(),
                    size: i64::try_from(bytes.len()).unwrap(),
                    batch_id: Some(batch.to_string()),
                    state: "received".into(),
                    reason: None,
                    settled: false,
                },
                1,
            )?;
            // The same message dropped into the batch by hand before: not the intake's.
            for source in ["von-hand.eml", source.as_str()] {
                pages::add_page(
                    c,
                    &batch,
                    &pages::NewPage {
                        source,
                        source_page: 0,
                        raw_blob: &raw.hash,
                        dpi: (150.0, 150.0),
                    },
                )?;
            }
            Ok(())
        })
        .unwrap();
    let p = run_pass(&store, &account, &password);
    assert_eq!((p.resumed, p.taken, p.settled), (1, 0, 1), "{p:?}");
    let docs = documents(&store, &batch);
    assert_eq!(docs.len(), 2, "the half-made page is gone: {docs:?}");
    assert_eq!(docs[0], ("von-hand.eml".to_owned(), 1), "{docs:?}");
    assert_eq!(docs[1].0, source, "{docs:?}");
    assert_eq!(server.count(&user, "Eingang/Verarbeitet"), 1);
    let row = store
        .with_conn(|c| mail::get(c, &account.name, uidvalidity, uid))
        .unwrap()
        .unwrap();
    assert_eq!((row.state.as_str(), row.settled), ("imported", true));
}

#[test]
fn starttls_works_and_a_wrong_password_or_an_unknown_ca_is_named() {
    let server = Dovecot::shared();
    let (user, password) = server.user();
    let mut account = server.account(&user);
    account.security = eingang_config::mailbox::Security::StartTls;
    account.port = server.port;
    runtime().block_on(async {
        let conn = Connection::open(&account, &password).await.unwrap();
        conn.close().await;
        let e = Connection::open(&account, "falsch").await.unwrap_err();
        assert!(matches!(e, MailError::Login { .. }), "{e}");
        assert_eq!(e.code(), "mail.login");
        assert!(!e.is_transient());
        account.ca_bundle = None;
        let e = Connection::open(&account, &password).await.unwrap_err();
        assert_eq!(e.code(), "mail.tls", "{e}");
        account.port = eingang_seal::testing::free_port();
        let e = Connection::open(&account, &password).await.unwrap_err();
        assert_eq!(e.code(), "mail.connect", "{e}");
        assert!(e.is_transient());
    });
}
