//! The doctor (`eingang doctor`): true facts about this machine and data folder, each problem with
//! what to do. Read-only: it never creates, migrates or repairs anything.

use eingang_store::inspect;
use eingang_store::paths::DataDir;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Below this much free space, doctor warns (scans and PDFs need room).
const LOW_DISK_BYTES: u64 = 1024 * 1024 * 1024;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Warn,
    Error,
}

/// One fact about the machine or the data folder, and what to do when it is a problem.
#[derive(Debug)]
pub struct Check {
    pub name: &'static str,
    pub level: Level,
    pub fact: String,
    pub todo: Option<String>,
}

impl Check {
    fn ok(name: &'static str, fact: String) -> Self {
        Self {
            name,
            level: Level::Ok,
            fact,
            todo: None,
        }
    }
    fn warn(name: &'static str, fact: String, todo: impl Into<String>) -> Self {
        Self {
            name,
            level: Level::Warn,
            fact,
            todo: Some(todo.into()),
        }
    }
    fn error(name: &'static str, fact: String, todo: impl Into<String>) -> Self {
        Self {
            name,
            level: Level::Error,
            fact,
            todo: Some(todo.into()),
        }
    }
}

/// Every check, in the order `eingang doctor` prints them.
pub fn checks(data_dir: &DataDir) -> Vec<Check> {
    let mut checks = vec![check_data_dir(data_dir)];
    let db = inspect::inspect(&data_dir.path);
    checks.extend(check_database(&db));
    checks.push(check_disk(&data_dir.path));
    checks.extend(check_storage(db.storage.as_ref(), &data_dir.path));
    checks.extend(check_free_pages(db.free));
    checks.push(check_scanner());
    checks.push(check_tesseract());
    checks.push(check_office());
    checks.extend(check_team(data_dir));
    checks
}

/// The team database (`[team]`), when this station is part of a team: whether its server
/// answers on its port. Read-only — the sign-in and the schema are `eingang team check`'s.
fn check_team(data_dir: &DataDir) -> Option<Check> {
    let team = eingang_config::load(&data_dir.path).ok()?.team;
    if !team.configured() {
        return None;
    }
    let host = team.host.clone().unwrap_or_default();
    let place = format!(
        "{host}:{}/{} as {} (roles: {})",
        team.port(),
        team.database.as_deref().unwrap_or_default(),
        team.user.as_deref().unwrap_or_default(),
        team.roles.join(", ")
    );
    let reached = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), team.port()))
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(3)).is_ok());
    Some(if reached {
        Check::ok(
            "team",
            format!("team database {place}: the server answers; `eingang team check` signs in and checks the schema"),
        )
    } else {
        Check::warn(
            "team",
            format!("team database {place}: the server does not answer"),
            "check the network and the database server; capture goes on without it, the other roles need it",
        )
    })
}

/// LibreOffice for e-mails' Office attachments, and whether its conversions can run
/// without a network.
fn check_office() -> Check {
    let Some(converter) = eingang_capture::office::Converter::find() else {
        return Check::warn(
            "office",
            "LibreOffice not found: Word, Excel and OpenDocument attachments of e-mails stay in the e-mail file without pages".into(),
            "Debian/Ubuntu: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui",
        );
    };
    if converter.isolated() {
        Check::ok(
            "office",
            "LibreOffice present; Office attachments are converted without a network (own namespace)".into(),
        )
    } else {
        Check::warn(
            "office",
            "LibreOffice present, but this machine allows no network namespace (unshare -rn): conversions run with links blocked by settings only".into(),
            "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or run the station where they are allowed",
        )
    }
}

fn check_data_dir(d: &DataDir) -> Check {
    let from = d.source.describe();
    let path = d.path.display();
    if !d.path.exists() {
        let parent = nearest_existing(&d.path);
        return match parent.as_deref().map(probe_writable) {
            Some(Ok(())) => Check::ok(
                "data folder",
                format!("{path} (from {from}) does not exist yet; it is created on first start"),
            ),
            _ => Check::error(
                "data folder",
                format!("{path} (from {from}) does not exist and cannot be created"),
                "choose a writable folder with --data-dir or EINGANG_DATA_DIR",
            ),
        };
    }
    if !d.path.is_dir() {
        return Check::error(
            "data folder",
            format!("{path} (from {from}) is not a folder"),
            "move the file aside or choose another folder with --data-dir",
        );
    }
    match probe_writable(&d.path) {
        Ok(()) => Check::ok("data folder", format!("{path} (from {from}), writable")),
        Err(e) => Check::error(
            "data folder",
            format!("{path} (from {from}) is not writable: {e}"),
            "fix the folder's permissions or choose another with --data-dir",
        ),
    }
}

fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

fn nearest_existing(p: &Path) -> Option<std::path::PathBuf> {
    p.ancestors().find(|a| a.exists()).map(Path::to_path_buf)
}

fn check_database(r: &inspect::DbReport) -> Vec<Check> {
    let mut out = Vec::new();
    let path = r.path.display();
    out.push(match (&r.size_bytes, &r.schema) {
        (None, _) => Check::ok(
            "database",
            format!(
                "{path} not created yet (schema {} is created on first start)",
                r.supported_schema
            ),
        ),
        (Some(size), Ok(v)) if *v < r.supported_schema => Check::ok(
            "database",
            format!(
                "{path}: schema {v}, {} bytes; migrates to {} on next start",
                size, r.supported_schema
            ),
        ),
        (Some(size), Ok(v)) => Check::ok(
            "database",
            format!(
                "{path}: schema {v} (current), {size} bytes, {} draft(s)",
                r.drafts.unwrap_or(0)
            ),
        ),
        (Some(_), Err(e)) => Check::error(
            "database",
            format!("{path}: [{}] {e}", e.code()),
            match e.code() {
                "store.schema_too_new" => "install the Eingang version that wrote this database",
                "store.locked" => "close the Eingang app and other `eingang` commands, then retry",
                "store.corrupt" => {
                    "restore the data folder from a backup; the file was not changed"
                }
                "store.passphrase_needed" => "set EINGANG_PASSPHRASE to the data's passphrase",
                "store.key_wrong" => "give the right passphrase; nothing was changed",
                "store.key_unavailable" | "store.key_file" => {
                    "restore key.json (and the key store entry) from the backup"
                }
                _ => "contact IT support with this output",
            },
        ),
    });
    if r.size_bytes.is_some() {
        out.push(match &r.encryption {
            Ok(Some(eingang_store::keys::Mode::Keyring)) => Check::ok(
                "encryption",
                "database encrypted; its key is in the OS key store".into(),
            ),
            Ok(Some(eingang_store::keys::Mode::Passphrase)) => Check::ok(
                "encryption",
                "database encrypted; its key is wrapped under a passphrase (Argon2id)".into(),
            ),
            Ok(None) => Check::warn(
                "encryption",
                "database not encrypted yet".into(),
                "start Eingang once: it encrypts the database in place",
            ),
            Err(code) => Check::error(
                "encryption",
                format!("the key cannot be unlocked ({code})"),
                "give the passphrase (EINGANG_PASSPHRASE), sign in to the session whose key store holds it, or restore key.json from the backup",
            ),
        });
    }
    out.push(match &r.cipher_version {
        Some(c) => Check::ok(
            "sqlcipher",
            format!("SQLCipher {c} on SQLite {}", r.sqlite_version),
        ),
        None => Check::error(
            "sqlcipher",
            format!("SQLite {} without SQLCipher", r.sqlite_version),
            "this build cannot encrypt data at rest; install an official Eingang build",
        ),
    });
    out
}

/// What the store holds by kind, and how long the free space lasts at last week's growth.
fn check_storage(st: Option<&inspect::Storage>, data_dir: &Path) -> Option<Check> {
    let st = st?;
    let free = nearest_existing(data_dir).and_then(|d| fs4::available_space(d).ok());
    let what = format!(
        "{} in files: page images {}, documents {}, submissions {}; {} stored in the last 7 days",
        human(st.total),
        human(st.pages),
        human(st.documents),
        human(st.submissions),
        human(st.last_week)
    );
    Some(match free.map(|f| inspect::days_left(st, f)) {
        Some(Some(days)) if days < 30 => Check::warn(
            "storage",
            format!("{what} — the disk is full in about {days} day(s) at this rate"),
            "free space, or shorten [retention] periods (eingang retention run purges what they allow)",
        ),
        Some(Some(days)) => Check::ok(
            "storage",
            format!("{what} — about {days} day(s) of room at this rate"),
        ),
        _ => Check::ok("storage", what),
    })
}

/// Space the database holds free: returned to the disk by the next purge, or — in a
/// database from before incremental auto-vacuum — only reused until `eingang compact`.
fn check_free_pages(free: Option<(u64, bool)>) -> Option<Check> {
    match free? {
        (bytes, false) if bytes >= 64 << 20 => Some(Check::warn(
            "free space",
            format!("{} of the database are free pages it keeps for reuse (made before incremental auto-vacuum)", human(bytes)),
            "run `eingang compact` once with the app closed (it needs free disk the size of the database)",
        )),
        (bytes, true) => Some(Check::ok(
            "free space",
            format!("{} of free database pages; the retention purge returns them to the disk", human(bytes)),
        )),
        (bytes, false) => Some(Check::ok(
            "free space",
            format!("{} of free database pages, reused by new data", human(bytes)),
        )),
    }
}

fn check_disk(data_dir: &Path) -> Check {
    let Some(existing) = nearest_existing(data_dir) else {
        return Check::warn(
            "disk",
            "no existing folder to measure".into(),
            "check --data-dir",
        );
    };
    match fs4::available_space(&existing) {
        Ok(free) if free < LOW_DISK_BYTES => Check::warn(
            "disk",
            format!("{} free at {}", human(free), existing.display()),
            "free space: scans and PDFs need room (at least 1 GiB recommended)",
        ),
        Ok(free) => Check::ok(
            "disk",
            format!("{} free at {}", human(free), existing.display()),
        ),
        Err(e) => Check::warn(
            "disk",
            format!("free space at {} unknown: {e}", existing.display()),
            "check the disk by hand",
        ),
    }
}

#[allow(clippy::cast_precision_loss)]
fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.1} {}", UNITS[i])
}

/// A tool's output (stdout, else stderr), or `None` when it cannot be run or does not
/// answer within `timeout` (it is killed then).
fn tool_output_within(program: &str, args: &[&str], timeout: Duration) -> Option<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + timeout;
    while child.try_wait().ok()?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().ok()?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    Some(String::from_utf8_lossy(&text).into_owned())
}

fn tool_output(program: &str, args: &[&str]) -> Option<String> {
    tool_output_within(program, args, Duration::from_secs(10))
}

fn check_scanner() -> Check {
    // Windows has no SANE: scanners reach Eingang over the network (eSCL) or through the
    // hot folder their own software fills; WIA and TWAIN drivers are not used.
    if cfg!(windows) {
        return Check::ok(
            "scanner",
            "Windows: network scanners (eSCL/AirScan) and hot folders filled by the scanners' \
             own software; WIA and TWAIN drivers are not used"
                .into(),
        );
    }
    let Some(v) = tool_output("scanimage", &["--version"]) else {
        return Check::warn(
            "scanner",
            "SANE (scanimage) not found: scanning from local scanners is unavailable".into(),
            "Debian/Ubuntu: apt-get install sane-utils; importing files and folders works without it",
        );
    };
    let version = v.lines().next().unwrap_or("").trim().to_owned();
    // `scanimage -L` prints one "device `name' is a …" line per scanner it finds;
    // network discovery can take seconds, so it gets a longer time limit.
    let devices: Vec<String> = tool_output_within("scanimage", &["-L"], Duration::from_secs(20))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("device `"))
        .filter_map(|l| l.split('\'').next())
        .map(str::to_owned)
        .collect();
    if devices.is_empty() {
        Check::warn(
            "scanner",
            format!("SANE present ({version}), but no scanner found"),
            "connect and switch on the scanner (network scanners: install sane-airscan); \
             files and folders can be imported without a scanner",
        )
    } else {
        Check::ok(
            "scanner",
            format!("SANE present ({version}); scanners: {}", devices.join(", ")),
        )
    }
}

fn check_tesseract() -> Check {
    let Some(version) = tool_output("tesseract", &["--version"]) else {
        return Check::warn(
            "ocr",
            "Tesseract not found: PDFs are made without a text layer".into(),
            "Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng",
        );
    };
    let first = version.lines().next().unwrap_or("").trim().to_owned();
    let langs = tool_output("tesseract", &["--list-langs"]).unwrap_or_default();
    let have: Vec<&str> = langs.lines().skip(1).map(str::trim).collect();
    let missing: Vec<&str> = ["deu", "eng"]
        .into_iter()
        .filter(|l| !have.contains(l))
        .collect();
    if missing.is_empty() {
        Check::ok("ocr", format!("{first} with deu, eng"))
    } else {
        Check::warn(
            "ocr",
            format!("{first}; language data missing: {}", missing.join(", ")),
            format!(
                "Debian/Ubuntu: apt-get install {}",
                missing
                    .iter()
                    .map(|l| format!("tesseract-ocr-{l}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        )
    }
}

#[cfg(all(test, windows))]
mod windows_tests {
    #[test]
    fn on_windows_the_scanner_check_names_network_scanners_and_hot_folders_not_sane() {
        let check = super::check_scanner();
        assert!(matches!(check.level, super::Level::Ok), "{}", check.fact);
        assert!(
            check.fact.contains("eSCL") && check.fact.contains("hot folders"),
            "{}",
            check.fact
        );
        assert!(!check.fact.contains("SANE"), "{}", check.fact);
    }
}
