//! `eingang sync`, `eingang targets …`, `eingang outbox …`: delivery for headless machines
//! and scripts, over the same outbox and configuration as the app.

use crate::out::{finish, status, usage, Exit};
use eingang_config as config;
use eingang_store::paths::DataDir;
use eingang_store::tables::{outbox, sync_status};
use eingang_store::Store;
use eingang_sync::{worker, Target};
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

fn open(data_dir: &DataDir) -> Result<Arc<Store>, Exit> {
    crate::out::open(data_dir).map(Arc::new)
}

fn configured(store: &Store) -> Result<(config::Config, Vec<Target>), Exit> {
    let cfg = eingang_sync::load_config(store.data_dir())?;
    let targets = eingang_sync::targets(store, &cfg)?;
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
    finish(|| {
        let store = open(data_dir)?;
        let (cfg, targets) = configured(&store)?;
        let settings = eingang_sync::settings(&cfg);
        if watch {
            return Ok(watch_forever(store, targets, settings));
        }
        let round = eingang_api::targets::deliver_round(&store, &targets, settings);
        let ok = print_rounds(&targets, runtime().block_on(round))?;
        print_problems(&store);
        Ok(status(ok))
    })
}

/// One delivery round over every configured target (`eingang team deliver`), printed
/// unless `quiet`; `false` when one failed or was paused.
pub(crate) fn round(
    store: &Arc<Store>,
    rt: &tokio::runtime::Runtime,
    quiet: bool,
) -> Result<bool, Exit> {
    let (cfg, targets) = configured(store)?;
    let settings = eingang_sync::settings(&cfg);
    let rounds = rt.block_on(eingang_api::targets::deliver_round(
        store, &targets, settings,
    ));
    if !quiet {
        return print_rounds(&targets, rounds);
    }
    let mut ok = true;
    for r in rounds {
        let r = r?;
        ok &= r.failed == 0 && !r.paused;
    }
    Ok(ok)
}

/// Each target's round; `false` when one failed or was paused.
fn print_rounds(
    targets: &[Target],
    rounds: Vec<eingang_api::Result<worker::Report>>,
) -> Result<bool, Exit> {
    let mut ok = true;
    for (t, round) in targets.iter().zip(rounds) {
        ok &= print_round(t, &round?);
    }
    Ok(ok)
}

fn watch_forever(
    store: Arc<Store>,
    targets: Vec<Target>,
    settings: eingang_sync::Settings,
) -> ExitCode {
    // Ctrl-C lets the deliveries in flight finish, then ends.
    let shutdown = Arc::new(worker::Shutdown::default());
    let rt = crate::stop_on_ctrl_c(shutdown.clone());
    let notify = Arc::new(tokio::sync::Notify::new());
    rt.block_on(eingang_api::loops::sync_forever(
        store,
        move || targets.clone(),
        settings,
        notify,
        shutdown,
        |t, r| {
            if r.delivered + r.failed > 0 {
                println!("{}: {} delivered, {} failed", t.id, r.delivered, r.failed);
            }
        },
    ));
    ExitCode::SUCCESS
}

/// One target's round; `false` when something failed or the target is paused.
fn print_round(t: &Target, r: &worker::Report) -> bool {
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
    r.failed == 0 && !r.paused
}

fn print_problems(store: &Store) {
    // The first rows of the outbox are the undelivered ones, oldest first.
    if let Ok((items, _)) = store.with_conn(|c| outbox::items(c, None, eingang_model::PAGE_MAX)) {
        for i in items
            .iter()
            .filter(|i| i.state != eingang_model::OutboxState::Delivered)
        {
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
    finish(|| {
        let store = open(data_dir)?;
        let (cfg, targets) = configured(&store)?;
        let rows = target_rows(&store, &targets, probe)?;
        if json {
            return crate::out::json(&rows);
        }
        print_sources(&cfg, NO_FILE_LOCAL, "");
        rows.iter().for_each(print_target);
        Ok(ExitCode::SUCCESS)
    })
}

const NO_FILE_LOCAL: &str = "(no configuration file: delivering to the local folder)";
const NO_FILE_DEFAULTS: &str = "no configuration file; the defaults apply";

/// The configuration files read (or `none` when there are none), each with `suffix`.
fn print_sources(cfg: &config::Config, none: &str, suffix: &str) {
    if cfg.sources.is_empty() {
        println!("{none}");
    }
    for s in &cfg.sources {
        if suffix.is_empty() {
            println!("configuration: {}", s.display());
        } else {
            println!("{}{suffix}", s.display());
        }
    }
}

/// Each target's state (asked first with `probe`).
fn target_rows(
    store: &Arc<Store>,
    targets: &[Target],
    probe: bool,
) -> Result<Vec<serde_json::Value>, Exit> {
    if probe {
        runtime().block_on(eingang_api::targets::probe_all(store, targets));
    }
    Ok(store.with_conn(|c| targets.iter().map(|t| target_row(c, t)).collect())?)
}

/// A target's line for scripts: `failed` counts the items that wait for a person (failed
/// for good, or held while the target is paused).
fn target_row(
    c: &eingang_store::Connection,
    t: &Target,
) -> eingang_store::Result<serde_json::Value> {
    let st = sync_status::get(c, &t.id)?;
    let (waiting, failed, paused) = outbox::counts(c, &t.id)?;
    Ok(serde_json::json!({
        "id": t.id, "name": t.name, "kind": t.kind, "location": t.connector.location(),
        "online": st.online, "paused": st.paused.as_ref().map(|p| &p.code),
        "waiting": waiting, "failed": failed + paused,
        "last_error": st.last_error.as_ref().map(|e| format!("[{}] {}", e.code, e.detail)),
    }))
}

fn print_target(r: &serde_json::Value) {
    let online = match r["online"].as_bool() {
        Some(true) => "online",
        Some(false) => "offline",
        None => "not checked",
    };
    let state = if r["paused"].is_null() {
        online
    } else {
        "PAUSED"
    };
    let last = r["last_error"]
        .as_str()
        .map(|e| format!("\n    last error: {e}"))
        .unwrap_or_default();
    println!(
        "{:<16} {:<9} {:<11} waiting {:<5} failed {:<5} {}{last}",
        r["id"].as_str().unwrap_or_default(),
        r["kind"].as_str().unwrap_or_default(),
        state,
        r["waiting"],
        r["failed"],
        r["location"].as_str().unwrap_or_default(),
    );
}

/// `eingang targets password ID`: reads the password from standard input (one line).
pub fn targets_password(data_dir: &DataDir, id: &str) -> ExitCode {
    use eingang_sync::secrets::{self, Backend};
    finish(|| {
        let store = open(data_dir)?;
        known_target(&store, id)?;
        let place = match secrets::set_password(&store, id, &read_password(id)?)? {
            Backend::Os => "in the system's key store",
            Backend::Store => "in Eingang's database (this machine has no usable key store)",
        };
        println!("stored {place}; the target is no longer paused");
        Ok(ExitCode::SUCCESS)
    })
}

fn known_target(store: &Store, id: &str) -> Result<(), Exit> {
    if configured(store)?.1.iter().any(|t| t.id == id) {
        return Ok(());
    }
    let why = format!("no target {id:?} is configured (eingang targets list)");
    Err(usage("input.unknown_target", why))
}

/// One line from standard input, without its line end; an empty line is refused.
pub(crate) fn read_password(id: &str) -> Result<zeroize::Zeroizing<String>, Exit> {
    eprintln!("password for {id} (one line on standard input):");
    let mut line = zeroize::Zeroizing::new(String::new());
    if std::io::stdin().lock().read_line(&mut line).is_err() || line.trim_end().is_empty() {
        return Err(usage("input.password", "no password was given"));
    }
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    Ok(line)
}

/// `eingang outbox list [--json] [--limit N | --all] [--after POSITION]`: what waits
/// first, then the deliveries, newest receipt first.
pub fn outbox_list(data_dir: &DataDir, page: &crate::paging::PageArgs) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        crate::paging::each(
            page,
            "outbox list",
            |after, limit| eingang_api::targets::outbox_items(&store, after, limit),
            |items| items.iter().for_each(print_item),
        )?;
        Ok(ExitCode::SUCCESS)
    })
}

fn print_item(i: &eingang_model::OutboxItem) {
    let detail = match (&i.error, &i.receipt) {
        (_, Some(r)) => format!("{} sha256={}", r.location, r.sha256),
        (Some(e), None) => format!("[{}] {}", e.code, e.detail),
        _ => String::new(),
    };
    let state = format!("{:?}", i.state);
    // What people call it: form or title, caption or Aktenzeichen, reference or batch.
    let name = [&i.form_id, &i.caption, &i.reference, &i.batch]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ");
    println!(
        "{:>5} {} {:<10} {state:<19} {detail}  ({name})",
        i.id, i.item_id, i.target
    );
}

/// `eingang outbox redeliver ID --reason TEXT`.
pub fn outbox_redeliver(data_dir: &DataDir, id: i64, reason: &str) -> ExitCode {
    finish(|| {
        eingang_api::targets::void_receipt(&*open(data_dir)?, id, reason)?;
        println!("item {id}: receipt voided; it is delivered again on the next run (eingang sync), its files are kept until then");
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang outbox cancel ID --reason TEXT`.
pub fn outbox_cancel(data_dir: &DataDir, id: i64, reason: &str) -> ExitCode {
    finish(|| {
        eingang_api::targets::cancel(&*open(data_dir)?, id, reason)?;
        println!("item {id}: held back, not sent by itself any more (eingang outbox retry {id} resumes it)");
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang outbox move ID --to TARGET`.
pub fn outbox_move(data_dir: &DataDir, id: i64, to: &str) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let (cfg, _) = configured(&store)?;
        eingang_api::targets::retarget(&store, &cfg, id, to)?;
        println!("item {id} goes to {to} on the next run (eingang sync)");
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang outbox retry ID`.
pub fn outbox_retry(data_dir: &DataDir, id: i64) -> ExitCode {
    finish(|| {
        eingang_api::targets::retry(&*open(data_dir)?, id)
            .map_err(|e| usage(e.code(), format!("{e} (eingang outbox list)")))?;
        println!("item {id} will be delivered on the next run (eingang sync)");
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang forms pull`: the catalogue folders of every target that has one.
pub fn forms_pull(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let (_, targets) = configured(&store)?;
        let pulled = runtime().block_on(eingang_api::forms::pull_catalogues(&store, &targets));
        if pulled.is_empty() {
            println!("no target has a catalogue folder (catalogue = \"…\" in the configuration)");
        }
        let mut ok = true;
        for (target, result) in pulled {
            ok &= print_pulled(&target, result);
        }
        Ok(status(ok))
    })
}

fn print_pulled(
    target: &str,
    result: Result<Vec<eingang_model::ImportOutcome>, eingang_sync::Failure>,
) -> bool {
    match result {
        Ok(outcomes) => outcomes.into_iter().fold(true, |ok, o| {
            let what = match (&o.form_id, &o.version) {
                (Some(id), Some(v)) => format!(" {id} {v}"),
                _ => String::new(),
            };
            let why = o.error.map(|e| format!(": {e}")).unwrap_or_default();
            println!("{target}: {} {}{what}{why}", o.file, o.result);
            ok && o.result != "failed"
        }),
        Err(f) => {
            eprintln!("{target}: [{}] {}", f.code, f.detail);
            false
        }
    }
}

/// `eingang config check [FILE]`: parses and checks like the app does at start (every
/// target's URL, folder and templates), without touching the data folder.
pub fn config_check(data_dir: &DataDir, file: Option<&std::path::Path>) -> ExitCode {
    finish(|| {
        let cfg = checked_config(data_dir, file)?;
        print_sources(&cfg, NO_FILE_DEFAULTS, ": ok");
        print_targets(&cfg, data_dir);
        print_central(&cfg);
        cfg.warnings.iter().for_each(|w| println!("warning: {w}"));
        if cfg.station.accessibility_contact.is_none() {
            println!("warning: [station] accessibility_contact is not set: the accessibility statement (BITV 2.0 § 7) must name where people report barriers — it says so in the app until it is set");
        }
        print_gaps(data_dir, &cfg)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `file` (or the machine's files) read, and every target's connector made from it.
fn checked_config(
    data_dir: &DataDir,
    file: Option<&std::path::Path>,
) -> Result<config::Config, Exit> {
    let cfg = match file {
        Some(f) => config::load_files(Some(f), None),
        None => eingang_sync::load_config(&data_dir.path),
    }?;
    for t in &cfg.targets {
        eingang_sync::connect(t, &cfg.sync, None)?;
    }
    eingang_api::mailbox::configure_smime(&cfg.mailbox).map_err(Exit::from)?;
    Ok(cfg)
}

fn print_targets(cfg: &config::Config, data_dir: &DataDir) {
    for t in config::effective_targets(cfg, &data_dir.path) {
        let place = t
            .url
            .clone()
            .or_else(|| t.path.as_ref().map(|p| p.display().to_string()));
        println!(
            "target {} ({}): {}",
            t.id,
            t.kind.as_str(),
            place.unwrap_or_default()
        );
    }
    if let Some(h) = &cfg.scan.hotfolder {
        let profile = cfg.scan.hotfolder_profile.as_deref().unwrap_or("standard");
        let settle = cfg.scan.hotfolder_settle_secs.unwrap_or(2);
        println!(
            "scan: hot folder {} (profile {profile}, settle {settle} s)",
            h.display()
        );
    }
    let s = eingang_sync::settings(cfg);
    println!(
        "sync: {} at once per target, idle check every {} s, retries from {} ms up to {} ms",
        s.concurrency,
        s.interval.as_secs(),
        s.backoff.base_ms,
        s.backoff.cap_ms
    );
}

/// `eingang config apply`: imports the central master data and scan profiles when they
/// changed; exit 2 when a file was refused.
pub fn config_apply(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let cfg = eingang_sync::load_config(&data_dir.path)?;
        let applied = eingang_api::provision::central(&*open(data_dir)?, &cfg);
        let ok = applied
            .into_iter()
            .fold(true, |ok, (what, file)| print_applied(what, file) && ok);
        Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        })
    })
}

/// One central file's outcome; `false` when it was refused.
fn print_applied(
    what: &str,
    file: Option<(&std::path::Path, eingang_api::provision::Outcome)>,
) -> bool {
    use eingang_api::provision::Outcome;
    let Some((file, outcome)) = file else {
        println!("{what}: no central file configured");
        return true;
    };
    match outcome {
        Outcome::Imported(n) => println!("{what}: {} imported ({n})", file.display()),
        Outcome::Unchanged => println!("{what}: {} unchanged", file.display()),
        Outcome::Refused(errors) => {
            for e in errors {
                eprintln!("error [config.central]: {e}");
            }
            eprintln!("{what}: nothing was imported; the data in use stay as they were");
            return false;
        }
    }
    true
}

/// What the scan profiles' protection needs lack here (the store holds the profiles).
fn print_gaps(data_dir: &DataDir, cfg: &config::Config) -> Result<(), Exit> {
    if let Ok(store) = open(data_dir) {
        for gap in eingang_api::evidence::gaps(&store, cfg)? {
            println!("evidence: {gap}");
        }
    }
    Ok(())
}

/// The seal, the timestamp service and the directory, one line each.
fn print_evidence(cfg: &config::Config) {
    let s = &cfg.seal;
    if let Some(p) = &s.pkcs12 {
        println!("seal: key in the PKCS#12 file {}", p.display());
    } else if s.configured() {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        println!(
            "seal: key {} on token {} ({})",
            opt(&s.key),
            opt(&s.token),
            s.module
                .as_ref()
                .map(|m| m.display().to_string())
                .unwrap_or_default()
        );
    } else if s.justification.is_some() {
        println!("seal: none; written justification for protection need normal");
    } else {
        println!("seal: none");
    }
    if let Some(u) = &cfg.timestamp.url {
        println!("timestamp service: {u}");
    }
    if let Some(u) = &cfg.directory.url {
        println!("sign-in: directory {u}");
    }
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
    print_evidence(cfg);
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
