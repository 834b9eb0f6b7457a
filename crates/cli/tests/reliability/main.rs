//! The reliability proof: `eingang sync --watch` delivers through a fault-injecting proxy
//! to a real server — WebDAV (WsgiDAV) and CMIS (Apache Chemistry's OpenCMIS InMemory
//! repository) — and is killed with SIGKILL at random moments; after the run the server
//! holds exactly the expected documents, each once, each with the right hash, and every
//! outbox row is delivered with a receipt. Prints the counts.
//!
//! Bounded: a fixed number of kills, then the faults are switched off and the worker runs
//! until the outbox is empty (at most two minutes).

// In tests a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod proxy;
#[path = "../../../sync/tests/sync/servers.rs"]
#[allow(dead_code)]
mod servers;
#[path = "../../../sync/tests/sync/support.rs"]
#[allow(dead_code)]
mod support;

use eingang_model::OutboxState;
use eingang_store::tables::outbox;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const ITEMS: usize = 30;
const KILLS: usize = 12;
/// Percent of requests that get a fault in the first phase.
const FAULT_RATE: u64 = 25;

fn spawn_sync(data: &std::path::Path, config: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_eingang"))
        .args(["--data-dir"])
        .arg(data)
        .args(["sync", "--watch"])
        .env("EINGANG_CONFIG", config)
        .env("EINGANG_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Where the documents go: the server, its port, the target's configuration (pointing at
/// the proxy on `{port}`), and how to count what arrived.
enum Dms {
    WebDav(servers::Server),
    Cmis(servers::Server),
}

impl Dms {
    fn server(&self) -> &servers::Server {
        match self {
            Dms::WebDav(s) | Dms::Cmis(s) => s,
        }
    }

    fn target(&self, proxy_port: u16) -> String {
        match self {
            Dms::WebDav(_) => format!(
                "[[target]]\nid = \"dms\"\nkind = \"webdav\"\nurl = \"http://127.0.0.1:{proxy_port}/dav/\"\nuser = \"{}\"\n",
                servers::USER
            ),
            Dms::Cmis(_) => format!(
                "[[target]]\nid = \"dms\"\nkind = \"cmis\"\nurl = \"http://127.0.0.1:{proxy_port}/cmis/browser\"\n\
                 repository = \"stadt\"\nuser = \"{}\"\nfolder = \"Posteingang\"\n\
                 properties = {{ \"eingang:formular\" = \"{{{{formular}}}}\" }}\n",
                servers::USER
            ),
        }
    }

    fn census(&self, store: &eingang_store::Store, ids: &[String]) -> Census {
        match self {
            Dms::WebDav(s) => census(store, &s.root, ids),
            Dms::Cmis(s) => cmis_census(store, &s.url, ids),
        }
    }
}

#[test]
fn every_item_arrives_exactly_once_through_network_faults_and_kill_9() {
    prove(&Dms::WebDav(servers::wsgidav()), "WebDAV (WsgiDAV)");
}

#[test]
fn every_item_arrives_exactly_once_in_a_real_cmis_repository_through_faults_and_kill_9() {
    prove(&Dms::Cmis(servers::opencmis()), "CMIS (OpenCMIS InMemory)");
}

fn prove(dms: &Dms, name: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let upstream: u16 = dms
        .server()
        .url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let seed = u64::try_from(eingang_store::now_ms()).unwrap();
    let proxy = rt.block_on(proxy::start(
        upstream,
        FAULT_RATE,
        seed,
        Duration::from_secs(4),
    ));

    let (data, store) = support::store();
    let ids: Vec<String> = (0..ITEMS)
        .map(|_| support::finalised(&store, &["dms"]))
        .collect();
    eingang_sync::secrets::set_password(&store, "dms", servers::PASSWORD).unwrap();
    let config = data.path().join("test-config.toml");
    std::fs::write(
        &config,
        format!(
            "[sync]\nconcurrency = 4\ntimeout_secs = 2\ninterval_secs = 1\nretry_base_ms = 200\nretry_max_ms = 2000\n{}",
            dms.target(proxy.port)
        ),
    )
    .unwrap();

    // Phase 1: faults on, the process killed at random moments.
    let mut rng = seed;
    let mut kills = 0;
    for _ in 0..KILLS {
        let mut child = spawn_sync(data.path(), &config);
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        std::thread::sleep(Duration::from_millis(150 + (rng >> 33) % 1_500));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        if store.with_conn(outbox::count_undelivered).unwrap() == 0 {
            break;
        }
    }
    let waiting_after_kills = store.with_conn(outbox::count_undelivered).unwrap();

    // Phase 2: faults off; run until everything is delivered (bounded).
    proxy.enabled.store(false, Ordering::Relaxed);
    let mut child = spawn_sync(data.path(), &config);
    let deadline = Instant::now() + Duration::from_secs(120);
    while store.with_conn(outbox::count_undelivered).unwrap() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let Census {
        delivered,
        lost,
        duplicated,
        wrong_hash,
        temporaries,
    } = dms.census(&store, &ids);
    let by_kind: Vec<String> = proxy::FAULTS
        .iter()
        .zip(&proxy.counters.by_fault)
        .map(|(f, c)| format!("{f:?} {}", c.load(Ordering::Relaxed)))
        .collect();
    println!(
        "reliability, {name}: {ITEMS} items; delivered {delivered}, lost {lost}, duplicated {duplicated}, wrong hash {wrong_hash}; \
         faults injected {} of {} requests ({}); kill -9 {kills} times ({waiting_after_kills} items still waiting after the kills); \
         temporary files left on the server {temporaries}",
        proxy.counters.faults(),
        proxy.counters.requests.load(Ordering::Relaxed),
        by_kind.join(", ")
    );
    assert_eq!((lost, duplicated, wrong_hash), (0, 0, 0));
    assert_eq!(delivered, ITEMS);
    assert!(
        proxy.counters.faults() > 0 && kills > 0,
        "the run must have been disturbed"
    );
    assert_eq!(
        temporaries, 0,
        "every temporary upload was moved or removed"
    );
}

/// The files each item must have arrived as: (name, SHA-256).
fn expected_files(store: &eingang_store::Store, id: &str) -> Vec<(String, String)> {
    let p = store
        .with_conn(|c| eingang_sync::package::submission(c, store.blobs(), id))
        .unwrap();
    let mut files: Vec<(String, String)> = p
        .files
        .iter()
        .map(|f| (f.name.clone(), f.sha256.clone()))
        .collect();
    files.push((
        format!("{id}.index.xml"),
        hex::encode(Sha256::digest(p.index_xml.as_bytes())),
    ));
    files
}

/// The repository's own account of what arrived: every `eingang:dokument` (one query),
/// grouped by `eingang:vorgang`, each file's content read back and hashed.
fn cmis_census(store: &eingang_store::Store, url: &str, ids: &[String]) -> Census {
    let http = reqwest::blocking::Client::new();
    let get = |base: &str, pairs: &[(&str, &str)]| -> Vec<u8> {
        let mut u = url::Url::parse(base).unwrap();
        u.query_pairs_mut().extend_pairs(pairs);
        http.get(u)
            .basic_auth(servers::USER, Some(servers::PASSWORD))
            .send()
            .unwrap()
            .error_for_status()
            .unwrap()
            .bytes()
            .unwrap()
            .to_vec()
    };
    let q = "SELECT * FROM eingang:dokument";
    let all: serde_json::Value = serde_json::from_slice(&get(
        &format!("{url}/stadt"),
        &[
            ("cmisselector", "query"),
            ("q", q),
            ("succinct", "true"),
            ("maxItems", "10000"),
        ],
    ))
    .unwrap();
    let docs = all["results"].as_array().cloned().unwrap_or_default();
    let mut by_item: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    for d in &docs {
        let p = &d["succinctProperties"];
        by_item
            .entry(p["eingang:vorgang"].as_str().unwrap_or_default().to_owned())
            .or_default()
            .push(p.clone());
    }
    let (mut delivered, mut lost, mut duplicated, mut wrong_hash) = (0, 0, 0, 0);
    for id in ids {
        let there = by_item.remove(id).unwrap_or_default();
        let files = expected_files(store, id);
        duplicated += there.len().saturating_sub(files.len());
        let mut complete = true;
        for (name, sha) in &files {
            let same: Vec<&serde_json::Value> = there
                .iter()
                .filter(|p| p["cmis:name"] == name.as_str())
                .collect();
            let Some(one) = same.first() else {
                complete = false;
                continue;
            };
            let object = one["cmis:objectId"].as_str().unwrap_or_default();
            let bytes = get(
                &format!("{url}/stadt/root"),
                &[("objectId", object), ("cmisselector", "content")],
            );
            if hex::encode(Sha256::digest(&bytes)) != *sha || one["eingang:sha256"] != sha.as_str()
            {
                wrong_hash += 1;
                complete = false;
            }
        }
        let row = support::row(store, id);
        if complete && row.state == OutboxState::Delivered && row.receipt.is_some() {
            delivered += 1;
        } else {
            lost += 1;
        }
    }
    // Documents of no item at all would be strays.
    duplicated += by_item.values().map(Vec::len).sum::<usize>();
    Census {
        delivered,
        lost,
        duplicated,
        wrong_hash,
        temporaries: 0,
    }
}

struct Census {
    delivered: usize,
    lost: usize,
    duplicated: usize,
    wrong_hash: usize,
    temporaries: usize,
}

/// Counts, per item, whether every file is on the server once with its hash and the row is
/// delivered with a receipt; and whatever else is there.
fn census(store: &eingang_store::Store, root: &std::path::Path, ids: &[String]) -> Census {
    // What is on the server, by file name (anywhere below the root).
    let mut on_server: HashMap<String, Vec<std::path::PathBuf>> = HashMap::new();
    for f in support::files_under(root) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        on_server.entry(name).or_default().push(root.join(f));
    }
    let mut expected_names = std::collections::HashSet::new();
    let (mut delivered, mut lost, mut duplicated, mut wrong_hash) = (0, 0, 0, 0);
    for id in ids {
        let files = expected_files(store, id);
        let mut complete = true;
        for (name, sha) in files {
            expected_names.insert(name.clone());
            match on_server.get(&name).map(Vec::as_slice) {
                None | Some([]) => complete = false,
                Some([one]) => {
                    if support::sha256_file(one) != sha {
                        wrong_hash += 1;
                        complete = false;
                    }
                }
                Some(many) => {
                    duplicated += many.len() - 1;
                }
            }
        }
        let row = support::row(store, id);
        let receipt_ok = row.state == OutboxState::Delivered && row.receipt.is_some();
        if complete && receipt_ok {
            delivered += 1;
        } else {
            lost += 1;
        }
    }
    let is_tmp = |n: &str| {
        std::path::Path::new(n)
            .extension()
            .is_some_and(|e| e == "part")
    };
    let temporaries = on_server.keys().filter(|n| is_tmp(n)).count();
    let strays = on_server
        .keys()
        .filter(|n| !is_tmp(n) && !expected_names.contains(*n))
        .count();
    duplicated += strays;
    Census {
        delivered,
        lost,
        duplicated,
        wrong_hash,
        temporaries,
    }
}
