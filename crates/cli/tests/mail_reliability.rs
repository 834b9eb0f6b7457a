//! The mailbox's exactly-once proof: `eingang mail fetch --watch` reads a real IMAP server
//! (Dovecot on loopback, IMAPS) through a TCP proxy that cuts connections at random
//! moments, and is killed with SIGKILL at random moments; afterwards every message is a
//! document exactly once, none is lost, and every one has moved to the processed folder.
//! Prints the counts.
//!
//! Bounded: a fixed number of kills, then the cuts are switched off and `eingang mail
//! fetch` runs until the folder is empty (at most five runs).

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use eingang_mailbox::testing::Dovecot;
use eingang_store::tables::mail;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MESSAGES: usize = 40;
const KILLS: usize = 10;

/// A TCP proxy that, while `cutting`, ends one connection in three after a random number
/// of bytes (either direction).
struct CutProxy {
    port: u16,
    cutting: Arc<AtomicBool>,
    connections: Arc<AtomicU64>,
    cuts: Arc<AtomicU64>,
}

async fn start_proxy(upstream: u16, seed: u64) -> CutProxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let cutting = Arc::new(AtomicBool::new(true));
    let (connections, cuts) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (c2, n2, k2) = (cutting.clone(), connections.clone(), cuts.clone());
    tokio::spawn(async move {
        let mut rng = seed;
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            rng = rng
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            n2.fetch_add(1, Ordering::Relaxed);
            let cut_after = (c2.load(Ordering::Relaxed) && (rng >> 33) % 3 == 0)
                .then_some(2_000 + (rng >> 40) % 60_000);
            if cut_after.is_some() {
                k2.fetch_add(1, Ordering::Relaxed);
            }
            tokio::spawn(pipe(client, upstream, cut_after));
        }
    });
    CutProxy {
        port,
        cutting,
        connections,
        cuts,
    }
}

async fn pipe(client: TcpStream, upstream: u16, cut_after: Option<u64>) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
        return;
    };
    let budget = AtomicU64::new(cut_after.unwrap_or(u64::MAX));
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let (up, down) = (
        relay(&mut cr, &mut sw, &budget),
        relay(&mut sr, &mut cw, &budget),
    );
    // Either side ending (or the budget running out) drops both: the connection is cut.
    tokio::select! {
        () = up => {}
        () = down => {}
    }
}

/// Copies bytes from `from` to `to` until either ends or the shared `budget` runs out.
async fn relay(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    budget: &AtomicU64,
) {
    let mut buf = [0u8; 8192];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if budget.fetch_sub(n as u64, Ordering::Relaxed) < n as u64
            || to.write_all(&buf[..n]).await.is_err()
        {
            return;
        }
    }
}

fn spawn_fetch(data: &std::path::Path, watch: bool) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eingang"));
    c.arg("--data-dir").arg(data).args(["mail", "fetch"]);
    if watch {
        c.arg("--watch");
    }
    c.env_remove("EINGANG_CONFIG")
        .env("EINGANG_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Person {n} <p{n}@example.org>\r\nSubject: Antrag {n}\r\nDate: Wed, 02 Dec 2026 10:{:02}:00 +0100\r\nMessage-ID: <proof-{n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIch beantrage die Nummer {n}.\r\n",
        n % 60
    )
    .into_bytes()
}

/// A data folder whose `[mailbox]` reaches the server through the proxy on `port`, with
/// the password stored.
fn data_folder(server: &Dovecot, user: &str, password: &str, port: u16) -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("config.toml"),
        format!(
            "[mailbox]\nhost = \"127.0.0.1\"\nport = {}\nuser = \"{user}\"\nca_bundle = \"{}\"\ninterval_secs = 1\n",
            port,
            server.ca().display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_eingang"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["mail", "password"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin
                .take()
                .unwrap()
                .write_all(format!("{password}\n").as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());

    data
}

/// What the store holds: e-mail document starts by the message they came from, and the
/// recorded messages by state.
fn census(data: &std::path::Path, account: &str) -> (HashMap<String, usize>, HashMap<String, i64>) {
    let store = eingang_store::Store::open(data).unwrap();
    let counts: HashMap<String, i64> = store
        .with_conn(|c| mail::counts(c, account))
        .unwrap()
        .into_iter()
        .collect();
    // Documents: e-mail document starts in the store, by the Message-ID of the message
    // they came from (a document of no recorded message counts under "?").
    let mut per_message: HashMap<String, usize> = HashMap::new();
    store
        .with_conn(|c| {
            let mut stmt = c.prepare(
                "SELECT COALESCE(m.message_id, '?') FROM pages p
                 LEFT JOIN mail_messages m
                   ON p.source = 'postfach-' || m.uidvalidity || '-' || m.uid || '.eml'
                 WHERE p.starts_document = 1 AND p.source LIKE 'postfach-%'",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for s in rows {
                *per_message.entry(s?).or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    (per_message, counts)
}

#[test]
fn every_message_becomes_a_document_exactly_once_through_cuts_and_kill_9() {
    let server = Dovecot::shared();
    let (user, password) = server.user();
    for n in 0..MESSAGES {
        server.deliver(&user, "INBOX", &message(n));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let seed = u64::try_from(eingang_store::now_ms()).unwrap();
    let proxy = rt.block_on(start_proxy(server.imaps_port, seed));
    let data = data_folder(server, &user, &password, proxy.port);

    // Phase 1: connections cut, the process killed at random moments.
    let mut rng = seed;
    let mut kills = 0;
    for _ in 0..KILLS {
        let mut child = spawn_fetch(data.path(), true);
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // Anywhere from connecting to the middle of a group of messages to moving them.
        std::thread::sleep(Duration::from_millis(1_000 + (rng >> 33) % 9_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        if server.count(&user, "INBOX") == 0 {
            break;
        }
    }
    let left_after_kills = server.count(&user, "INBOX");

    // Phase 2: no cuts; fetch until the folder is empty.
    proxy.cutting.store(false, Ordering::Relaxed);
    for _ in 0..5 {
        if server.count(&user, "INBOX") == 0 {
            break;
        }
        let mut child = spawn_fetch(data.path(), false);
        child.wait().unwrap();
    }
    // One more: what a pass left unfinished (pages, a move) is finished now.
    spawn_fetch(data.path(), false).wait().unwrap();

    let account = format!("{user}@127.0.0.1:{}/INBOX", proxy.port);
    let (per_message, counts) = census(data.path(), &account);
    let documents: usize = per_message.values().sum();
    let twice = per_message.values().filter(|n| **n > 1).count();
    let processed = server.count(&user, "Eingang/Verarbeitet");
    let inbox = server.count(&user, "INBOX");
    println!(
        "mailbox reliability: {MESSAGES} messages; documents {documents} (from {} messages, {twice} twice), \
         recorded imported {}, processed folder {processed}, left in INBOX {inbox}; \
         connections {} ({} cut); kill -9 {kills} times ({left_after_kills} messages still in INBOX after the kills)",
        per_message.len(),
        counts.get("imported").copied().unwrap_or(0),
        proxy.connections.load(Ordering::Relaxed),
        proxy.cuts.load(Ordering::Relaxed),
    );
    assert_eq!(
        (documents, per_message.len(), twice),
        (MESSAGES, MESSAGES, 0)
    );
    assert_eq!(
        counts.get("imported").copied(),
        Some(i64::try_from(MESSAGES).unwrap())
    );
    assert_eq!((processed, inbox), (MESSAGES, 0));
    assert!(kills > 0, "the run must have been disturbed");
}
