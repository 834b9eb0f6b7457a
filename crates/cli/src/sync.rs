//! `eingang sync`, `eingang targets …`, `eingang outbox …`: delivery for headless machines
//! and scripts, over the same outbox and configuration as the app.

use eingang_config as config;
use eingang_store::paths::DataDir;
use eingang_store::tables::{outbox, sync_status};
use eingang_store::Store;
use eingang_sync::{worker, Target};
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

fn open(data_dir: &DataDir) -> Result<Arc<Store>, ExitCode> {
    Store::open(&data_dir.path).map(Arc::new).map_err(|e| {
        eprintln!("error [{}]: {e}", e.code());
        ExitCode::FAILURE
    })
}

fn configured(store: &Store) -> Result<(config::Config, Vec<Target>), ExitCode> {
    let fail = |e: config::ConfigError| {
        eprintln!("error [config.invalid]: {e}");
        ExitCode::from(2)
    };
    let cfg = eingang_sync::load_config(store.data_dir()).map_err(fail)?;
    let targets = eingang_sync::targets(store, &cfg).map_err(fail)?;
    Ok((cfg, targets))
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1)
        })
}

/// One round per target (or, with `watch`, until stopped).
pub fn run(data_dir: &DataDir, watch: bool) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let (cfg, targets) = match configured(&store) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let settings = eingang_sync::settings(&cfg);
    if watch {
        // Ctrl-C lets the deliveries in flight finish, then ends.
        let shutdown = Arc::new(worker::Shutdown::default());
        let rt = crate::stop_on_ctrl_c(shutdown.clone());
        rt.block_on(eingang_api::loops::sync_forever(
            store,
            move || targets.clone(),
            settings,
            Arc::new(tokio::sync::Notify::new()),
            shutdown,
            |t, r| {
                if r.delivered + r.failed > 0 {
                    println!("{}: {} delivered, {} failed", t.id, r.delivered, r.failed);
                }
            },
        ));
        return ExitCode::SUCCESS;
    }
    let rt = runtime();
    let mut failed = false;
    for t in &targets {
        match rt.block_on(worker::run_round(&store, t, settings)) {
            Ok(r) => {
                let state = if r.paused {
                    " — paused: the target refused the credentials (eingang targets password ID)"
                } else if r.offline {
                    " — not reachable now; the items wait"
                } else {
                    ""
                };
                println!(
                    "{} ({} {}): {} delivered, {} failed (retried later), {} waiting{state}",
                    t.id,
                    t.kind,
                    t.connector.location(),
                    r.delivered,
                    r.failed,
                    r.waiting
                );
                failed |= r.failed > 0 || r.paused;
            }
            Err(e) => {
                eprintln!("error [{}]: {e}", e.code());
                failed = true;
            }
        }
    }
    print_problems(&store);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn print_problems(store: &Store) {
    if let Ok(items) = store.with_conn(|c| outbox::items(c, 0)) {
        for i in items.iter().filter(|i| i.error.is_some()) {
            if let Some(e) = &i.error {
                println!(
                    "  {} → {} [{:?}, {} attempts]: [{}] {}",
                    i.item_id, i.target, i.state, i.attempts, e.code, e.detail
                );
            }
        }
    }
}

/// `eingang targets list [--json]`: the targets, whether they answer, what waits.
pub fn targets_list(data_dir: &DataDir, json: bool, probe: bool) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let (cfg, targets) = match configured(&store) {
        Ok(x) => x,
        Err(c) => return c,
    };
    if probe {
        let rt = runtime();
        for t in &targets {
            let _ = rt.block_on(worker::probe(&store, t));
        }
    }
    let mut rows = Vec::new();
    for t in &targets {
        let (st, counts) = match store
            .with_conn(|c| Ok((sync_status::get(c, &t.id)?, outbox::counts(c, &t.id)?)))
        {
            Ok(x) => x,
            Err(e) => {
                eprintln!("error [{}]: {e}", e.code());
                return ExitCode::FAILURE;
            }
        };
        rows.push(serde_json::json!({
            "id": t.id, "name": t.name, "kind": t.kind, "location": t.connector.location(),
            "online": st.online, "paused": st.paused.as_ref().map(|p| &p.code),
            "waiting": counts.0, "failed": counts.1 + counts.2,
            "last_error": st.last_error.as_ref().map(|e| format!("[{}] {}", e.code, e.detail)),
        }));
    }
    if json {
        println!("{}", serde_json::Value::Array(rows));
        return ExitCode::SUCCESS;
    }
    if cfg.sources.is_empty() {
        println!("(no configuration file: delivering to the local folder)");
    } else {
        for s in &cfg.sources {
            println!("configuration: {}", s.display());
        }
    }
    for r in rows {
        let online = match r["online"].as_bool() {
            Some(true) => "online",
            Some(false) => "offline",
            None => "not checked",
        };
        println!(
            "{:<16} {:<9} {:<11} waiting {:<5} failed {:<5} {}{}",
            r["id"].as_str().unwrap_or_default(),
            r["kind"].as_str().unwrap_or_default(),
            if r["paused"].is_null() {
                online
            } else {
                "PAUSED"
            },
            r["waiting"],
            r["failed"],
            r["location"].as_str().unwrap_or_default(),
            r["last_error"]
                .as_str()
                .map(|e| format!("\n    last error: {e}"))
                .unwrap_or_default()
        );
    }
    ExitCode::SUCCESS
}

/// `eingang targets password ID`: reads the password from standard input (one line).
pub fn targets_password(data_dir: &DataDir, id: &str) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let Ok((_, targets)) = configured(&store) else {
        return ExitCode::from(2);
    };
    if !targets.iter().any(|t| t.id == id) {
        eprintln!("error: no target {id:?} is configured (eingang targets list)");
        return ExitCode::from(2);
    }
    eprintln!("password for {id} (one line on standard input):");
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() || line.trim_end().is_empty() {
        eprintln!("error: no password was given");
        return ExitCode::from(2);
    }
    match eingang_sync::secrets::set_password(&store, id, line.trim_end_matches(['\r', '\n'])) {
        Ok(backend) => {
            let place = match backend {
                eingang_sync::secrets::Backend::Os => "in the system's key store",
                eingang_sync::secrets::Backend::Store => {
                    "in Eingang's database (this machine has no usable key store)"
                }
            };
            println!("stored {place}; the target is no longer paused");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// `eingang outbox list [--json]` and `eingang outbox retry ID`.
pub fn outbox_list(data_dir: &DataDir, json: bool) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match store.with_conn(|c| outbox::items(c, 50)) {
        Ok(items) if json => {
            println!("{}", serde_json::to_string(&items).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(items) => {
            for i in items {
                let detail = match (&i.error, &i.receipt) {
                    (_, Some(r)) => format!("{} sha256={}", r.location, r.sha256),
                    (Some(e), None) => format!("[{}] {}", e.code, e.detail),
                    _ => String::new(),
                };
                println!(
                    "{:>5} {} {:<10} {:<19} {}",
                    i.id,
                    i.item_id,
                    i.target,
                    format!("{:?}", i.state),
                    detail
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

pub fn outbox_retry(data_dir: &DataDir, id: i64) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match store.with_tx(|tx| outbox::retry(tx, id)) {
        Ok(true) => {
            println!("item {id} will be delivered on the next run (eingang sync)");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("error: item {id} is not waiting for a retry (eingang outbox list)");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// `eingang forms pull`: the catalogue folders of every target that has one.
pub fn forms_pull(data_dir: &DataDir) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let (_, targets) = match configured(&store) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let rt = runtime();
    let mut any = false;
    let mut failed = false;
    for t in &targets {
        let Some(c) = &t.catalogue else {
            continue;
        };
        any = true;
        match rt.block_on(eingang_sync::catalogue::pull(&store, c)) {
            Ok(outcomes) => {
                for o in outcomes {
                    let what = match (&o.form_id, &o.version) {
                        (Some(id), Some(v)) => format!(" {id} {v}"),
                        _ => String::new(),
                    };
                    let why = o.error.map(|e| format!(": {e}")).unwrap_or_default();
                    println!("{}: {} {}{what}{why}", t.id, o.file, o.result);
                    failed |= o.result == "failed";
                }
            }
            Err(f) => {
                eprintln!("{}: [{}] {}", t.id, f.code, f.detail);
                failed = true;
            }
        }
    }
    if !any {
        println!("no target has a catalogue folder (catalogue = \"…\" in the configuration)");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `eingang config check [FILE]`: parses and checks like the app does at start (every
/// target's URL, folder and templates), without touching the data folder.
pub fn config_check(data_dir: &DataDir, file: Option<&std::path::Path>) -> ExitCode {
    let loaded = match file {
        Some(f) => config::load_files(Some(f), None),
        None => eingang_sync::load_config(&data_dir.path),
    };
    let cfg = match loaded {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error [config.invalid]: {e}");
            return ExitCode::from(2);
        }
    };
    for t in &cfg.targets {
        if let Err(e) = eingang_sync::connect(t, &cfg.sync, None) {
            eprintln!("error [config.invalid]: {e}");
            return ExitCode::from(2);
        }
    }
    if cfg.sources.is_empty() {
        println!("no configuration file; the defaults apply");
    }
    for s in &cfg.sources {
        println!("{}: ok", s.display());
    }
    let targets = config::effective_targets(&cfg, &data_dir.path);
    for t in &targets {
        let place = t
            .url
            .clone()
            .or_else(|| t.path.as_ref().map(|p| p.display().to_string()))
            .unwrap_or_default();
        println!("target {} ({}): {place}", t.id, t.kind.as_str());
    }
    if let Some(h) = &cfg.scan.hotfolder {
        println!(
            "scan: hot folder {} (profile {}, settle {} s)",
            h.display(),
            cfg.scan.hotfolder_profile.as_deref().unwrap_or("standard"),
            cfg.scan.hotfolder_settle_secs.unwrap_or(2)
        );
    }
    let s = eingang_sync::settings(&cfg);
    println!(
        "sync: {} at once per target, idle check every {} s, retries from {} ms up to {} ms",
        s.concurrency,
        s.interval.as_secs(),
        s.backoff.base_ms,
        s.backoff.cap_ms
    );
    print_central(&cfg);
    for w in &cfg.warnings {
        println!("warning: {w}");
    }
    ExitCode::SUCCESS
}

/// One central file's import step.
type ApplyCentral = fn(&Store, &std::path::Path) -> eingang_api::provision::Outcome;

/// Imports the central master data and scan profiles when they changed.
pub fn config_apply(data_dir: &DataDir) -> ExitCode {
    use eingang_api::provision::{self, Outcome};
    let cfg = match eingang_sync::load_config(&data_dir.path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error [config.invalid]: {e}");
            return ExitCode::from(2);
        }
    };
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let mut code = ExitCode::SUCCESS;
    let jobs: [(&str, Option<&std::path::Path>, ApplyCentral); 2] = [
        (
            "master data",
            cfg.masterdata.source.as_deref(),
            provision::masterdata,
        ),
        (
            "scan profiles",
            cfg.scan.profiles.as_deref(),
            provision::profiles,
        ),
    ];
    for (what, file, apply) in jobs {
        let Some(file) = file else {
            println!("{what}: no central file configured");
            continue;
        };
        match apply(&store, file) {
            Outcome::Imported(n) => println!("{what}: {} imported ({n})", file.display()),
            Outcome::Unchanged => println!("{what}: {} unchanged", file.display()),
            Outcome::Refused(errors) => {
                for e in errors {
                    eprintln!("error [config.central]: {e}");
                }
                eprintln!("{what}: nothing was imported; the data in use stay as they were");
                code = ExitCode::from(2);
            }
        }
    }
    code
}

/// What the administrator's sections configure, one line each.
fn print_central(cfg: &config::Config) {
    let role = cfg.station.role.unwrap_or_default();
    match &cfg.station.name {
        Some(n) => println!("station: role {} ({n})", role.as_str()),
        None => println!("station: role {}", role.as_str()),
    }
    if role == eingang_model::Role::Terminal || cfg.terminal != config::TerminalSection::default() {
        let t = &cfg.terminal;
        let list = |v: &[String], all: &str| {
            if v.is_empty() {
                all.to_owned()
            } else {
                v.join(", ")
            }
        };
        println!(
            "terminal: warning after {} s idle, {} s to respond; forms: {}; languages: {}; receipt {}",
            t.idle_secs.unwrap_or(120),
            t.warn_secs.unwrap_or(30),
            list(&t.forms, "all imported"),
            list(&t.languages, &config::central::TERMINAL_LANGUAGES.join(", ")),
            if t.print_receipt.unwrap_or(false) { "printed" } else { "shown" }
        );
    }
    match &cfg.update.source {
        Some(src) => println!(
            "updates: {src}, signed, checked every {} h",
            cfg.update.check_hours.unwrap_or(24)
        ),
        None => println!("updates: off (no [update] source)"),
    }
    if let Some(m) = &cfg.masterdata.source {
        println!("master data: from {}", m.display());
    }
    if let Some(p) = &cfg.scan.profiles {
        println!("scan profiles: from {}", p.display());
    }
    if !cfg.policy.locked.is_empty() {
        println!("locked for users: {}", cfg.policy.locked.join(", "));
    }
}
