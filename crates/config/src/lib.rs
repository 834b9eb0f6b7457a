//! The machine's and the user's configuration: delivery targets, sync, scan, station,
//! terminal, updates, master data and policy — parsed, checked, merged and written. What a
//! configured target becomes at run time (a connector) is `eingang_sync`'s.
//!
//! Read in this order, later files adding targets or replacing ones with the same `id`:
//! the machine's `/etc/eingang/config.toml` (deployed by IT), then the user's
//! `<data>/config.toml`. In debug builds `EINGANG_CONFIG=FILE` reads only that file (release
//! builds ignore it and `EINGANG_MACHINE_CONFIG`). Without any target
//! the zero-configuration default applies: the local folder `<data>/ausgang`.
//! Passwords are never in these files: they live in the key store (`eingang_sync::secrets`).
//!
//! ```toml
//! [sync]
//! concurrency = 4            # items at once per target
//! timeout_secs = 60          # a server silent this long counts as stalled
//! ca_bundle = "/etc/ssl/stadt-ca.pem"   # extra trusted roots (PEM)
//! interval_secs = 15         # an idle worker looks again this often
//! retry_base_ms = 5000       # first retry within 5 s, doubling …
//! retry_max_ms = 3600000     # … up to an hour
//!
//! [[target]]
//! id = "dms"                 # letters, digits, '-', '_'
//! name = "nscale (WebDAV)"
//! kind = "webdav"            # folder | webdav | nextcloud | cmis | mayan
//! url = "https://dms.stadt.example/webdav/eingang/"
//! user = "svc-eingang"
//! folder = "{{formular}}/{{jahr}}"
//! verify = "hash"            # hash | size
//! catalogue = "formulare"    # new form versions published here are imported
//!
//! [[target]]
//! id = "cmis"
//! kind = "cmis"              # CMIS 1.1 Browser Binding
//! url = "https://dms.stadt.example/cmis/browser"
//! repository = "nscale"      # default: the first repository listed
//! user = "svc-eingang"
//! folder = "Posteingang/{{jahr}}"
//! type_id = "eingang:dokument"
//! id_property = "eingang:vorgang"
//! hash_property = "eingang:sha256"
//! properties = { "eingang:formular" = "{{formular}}" }
//!
//! [[target]]
//! id = "mayan"
//! kind = "mayan"             # Mayan EDMS, REST API v4
//! url = "https://mayan.stadt.example/"
//! user = "eingang"
//! document_type = "Eingang"  # with the metadata types below attached
//! id_metadata = "eingang_vorgang"
//! file_metadata = "eingang_datei"
//! properties = { eingang_formular = "{{formular}}" }
//!
//! [[target]]
//! id = "pipeliner"
//! kind = "folder"
//! path = "/mnt/nscale/spool"
//! index_template = "/etc/eingang/pipeliner.xml"
//! index_name = "{{id}}.xml"
//! ```

pub mod central;
pub mod evidence;
pub mod mailbox;
pub mod retention;
pub mod team;
pub mod template;
pub mod update;

pub use central::{
    MasterDataSection, PolicySection, StationSection, TerminalSection, UpdateSection,
};
pub use evidence::{DirectorySection, SealSection, TimestampSection};
pub use mailbox::MailboxSection;
pub use retention::RetentionSection;
pub use team::TeamSection;

use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const MACHINE_CONFIG: &str = "/etc/eingang/config.toml";
pub const USER_CONFIG: &str = "config.toml";

/// How a delivered file is checked on a WebDAV server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// Read the file back and compare its SHA-256 (the default).
    Hash,
    /// Compare the size the server reports (for slow links; weaker).
    Size,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Folder,
    Webdav,
    Nextcloud,
    Cmis,
    Mayan,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Folder => "folder",
            Self::Webdav => "webdav",
            Self::Nextcloud => "nextcloud",
            Self::Cmis => "cmis",
            Self::Mayan => "mayan",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    pub id: String,
    pub name: Option<String>,
    pub kind: TargetKind,
    /// `folder`: where deliveries go.
    pub path: Option<PathBuf>,
    /// `webdav`/`nextcloud`: the collection deliveries go into.
    pub url: Option<String>,
    pub user: Option<String>,
    /// Sub-folders (a template over the item's metadata).
    #[serde(default)]
    pub folder: String,
    pub verify: Option<Verify>,
    /// A file holding the index template (see [`template`]).
    pub index_template: Option<PathBuf>,
    /// The index file's name (a template; default `{{id}}.index.xml`).
    pub index_name: Option<String>,
    /// `webdav`/`nextcloud`: a folder (relative to `url`) where the city publishes form
    /// definitions; new versions are pulled and imported.
    pub catalogue: Option<String>,
    /// `cmis`: the repository id (default: the first the service lists).
    pub repository: Option<String>,
    /// `cmis`: the document type to create (default `eingang:dokument`).
    pub type_id: Option<String>,
    /// `cmis`: the property that holds the item's id (default `eingang:vorgang`).
    pub id_property: Option<String>,
    /// `cmis`: the property that holds a file's SHA-256 (default `eingang:sha256`).
    pub hash_property: Option<String>,
    /// `cmis`: more properties, id = template (`"eingang:formular" = "{{formular}}"`);
    /// `mayan`: more metadata, type name = template.
    #[serde(default)]
    pub properties: std::collections::BTreeMap<String, String>,
    /// `mayan`: the document type's label (default `Eingang`).
    pub document_type: Option<String>,
    /// `mayan`: the source whose upload action is used (default: the first).
    pub source: Option<u64>,
    /// `mayan`: the metadata type holding the item's id (default `eingang_vorgang`).
    pub id_metadata: Option<String>,
    /// `mayan`: the metadata type holding the file name (default `eingang_datei`).
    pub file_metadata: Option<String>,
    /// Plain `http://` to another machine sends the password and the documents readable
    /// by anyone on the way; it needs this set explicitly (and then shows a warning).
    /// Loopback addresses need no consent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_insecure_http: bool,
}

/// Whether `u` is plain `http://` to another machine (not loopback).
pub fn insecure_http(u: &url::Url) -> bool {
    u.scheme() == "http"
        && !matches!(
            u.host(),
            Some(url::Host::Ipv4(a)) if a.is_loopback()
        )
        && !matches!(u.host(), Some(url::Host::Ipv6(a)) if a.is_loopback())
        && u.host_str() != Some("localhost")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSection {
    pub concurrency: Option<usize>,
    pub timeout_secs: Option<u64>,
    pub interval_secs: Option<u64>,
    /// The first retry within this many ms (default 5000), doubling per attempt …
    pub retry_base_ms: Option<u64>,
    /// … up to this many ms (default 3600000, an hour).
    pub retry_max_ms: Option<u64>,
    /// How often form catalogues are pulled (default 600).
    pub catalogue_interval_secs: Option<u64>,
    pub ca_bundle: Option<PathBuf>,
}

/// `[scan]`: the scan office's machine settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    /// A folder network scanners drop files into, watched while the app runs; files go
    /// into a batch per day and are archived under `<hotfolder>/archive/<date>/`.
    pub hotfolder: Option<PathBuf>,
    /// The scan profile for the hot folder's pages (default `standard`).
    pub hotfolder_profile: Option<String>,
    /// Seconds a file must stay unchanged before it is taken (default 2).
    pub hotfolder_settle_secs: Option<u64>,
    /// eSCL (AirScan) network scanners by URL, e.g. `["http://192.0.2.20/eSCL"]`.
    #[serde(default)]
    pub escl: Vec<String>,
    /// Tesseract languages for OCR (default `deu+eng`).
    pub ocr_languages: Option<String>,
    /// Seconds Tesseract may take on one page before it is stopped (default 120).
    pub ocr_timeout_secs: Option<u64>,
    /// A JSON file with scan profiles (a list, each as `eingang profiles list --json`
    /// prints one), saved into the station's profiles at start whenever it changed.
    pub profiles: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub sync: SyncSection,
    #[serde(default)]
    pub scan: ScanSection,
    #[serde(default, rename = "target")]
    pub targets: Vec<TargetConfig>,
    #[serde(default)]
    pub station: StationSection,
    #[serde(default)]
    pub terminal: TerminalSection,
    #[serde(default)]
    pub update: UpdateSection,
    #[serde(default)]
    pub masterdata: MasterDataSection,
    #[serde(default)]
    pub policy: PolicySection,
    #[serde(default)]
    pub seal: SealSection,
    #[serde(default)]
    pub timestamp: TimestampSection,
    #[serde(default)]
    pub directory: DirectorySection,
    #[serde(default)]
    pub retention: RetentionSection,
    #[serde(default)]
    pub mailbox: MailboxSection,
    #[serde(default)]
    pub team: TeamSection,
}

/// A configuration problem, naming the file and what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(file: &Path, message: impl Into<String>) -> Self {
        err(file, message)
    }
}

/// The merged configuration and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub sync: SyncSection,
    pub scan: ScanSection,
    pub targets: Vec<TargetConfig>,
    pub station: StationSection,
    pub terminal: TerminalSection,
    pub update: UpdateSection,
    pub masterdata: MasterDataSection,
    pub policy: PolicySection,
    pub seal: SealSection,
    pub timestamp: TimestampSection,
    pub directory: DirectorySection,
    pub retention: RetentionSection,
    pub mailbox: MailboxSection,
    pub team: TeamSection,
    /// What was ignored (a user's file setting what it may not), to show and log.
    pub warnings: Vec<String>,
    /// The files read, in order.
    pub sources: Vec<PathBuf>,
    /// Which file each target came from.
    pub origin: std::collections::BTreeMap<String, PathBuf>,
}

pub(crate) fn err(file: &Path, message: impl Into<String>) -> ConfigError {
    ConfigError {
        file: file.display().to_string(),
        message: message.into(),
    }
}

/// Parses and checks one file.
pub fn parse(file: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| err(file, e.to_string()))?;
    from_table(file, table)
}

fn from_table(file: &Path, table: toml::Table) -> Result<ConfigFile, ConfigError> {
    let cfg = ConfigFile::deserialize(table).map_err(|e| err(file, e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    for t in &cfg.targets {
        check_target(file, t)?;
        if !seen.insert(&t.id) {
            return Err(err(file, format!("target id {:?} is used twice", t.id)));
        }
    }
    if cfg.sync.concurrency == Some(0) {
        return Err(err(file, "[sync] concurrency must be at least 1"));
    }
    check_scan(file, &cfg.scan)?;
    central::check(file, &cfg)?;
    evidence::check(file, &cfg.seal, &cfg.timestamp)?;
    evidence::check_directory(file, &cfg.directory)?;
    retention::check(file, &cfg.retention)?;
    mailbox::check(file, &cfg.mailbox)?;
    team::check(file, &cfg.team)?;
    Ok(cfg)
}

fn check_scan(file: &Path, scan: &ScanSection) -> Result<(), ConfigError> {
    if let Some(l) = &scan.ocr_languages {
        if l.is_empty()
            || !l
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '_')
        {
            return Err(err(
                file,
                format!("[scan] ocr_languages: {l:?}: Tesseract language codes joined by '+', e.g. \"deu+eng\""),
            ));
        }
    }
    if scan.ocr_timeout_secs == Some(0) {
        return Err(err(file, "[scan] ocr_timeout_secs: at least 1"));
    }
    if let Some(url) = scan
        .escl
        .iter()
        .find(|u| !u.starts_with("http://") && !u.starts_with("https://"))
    {
        return Err(err(
            file,
            format!("[scan] escl: {url:?} is not an http(s) URL"),
        ));
    }
    if let Some(p) = scan.profiles.as_ref().filter(|p| !p.is_absolute()) {
        return Err(err(
            file,
            format!("[scan] profiles {}: give an absolute path", p.display()),
        ));
    }
    Ok(())
}

fn check_target(file: &Path, t: &TargetConfig) -> Result<(), ConfigError> {
    let at = |m: String| err(file, format!("target {:?}: {m}", t.id));
    if t.id.is_empty()
        || t.id.len() > 64
        || !t
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(at("the id must be 1–64 letters, digits, '-' or '_'".into()));
    }
    match t.kind {
        TargetKind::Folder => {
            if t.path.is_none() {
                return Err(at("kind = \"folder\" needs path = \"…\"".into()));
            }
            if t.url.is_some() || t.user.is_some() {
                return Err(at(
                    "url and user belong to WebDAV targets, not folders".into()
                ));
            }
        }
        TargetKind::Webdav | TargetKind::Nextcloud | TargetKind::Cmis | TargetKind::Mayan => {
            let Some(url) = &t.url else {
                return Err(at(format!(
                    "kind = \"{}\" needs url = \"https://…\"",
                    t.kind.as_str()
                )));
            };
            let u = url::Url::parse(url).map_err(|e| at(format!("url {url:?}: {e}")))?;
            if !matches!(u.scheme(), "http" | "https") {
                return Err(at(format!(
                    "url {url:?} must start with https:// (or http://)"
                )));
            }
            if insecure_http(&u) && !t.allow_insecure_http {
                return Err(at(format!(
                    "url {url:?} is plain http: the password and every document would cross the network readable; use https://, or if this network is protected otherwise set allow_insecure_http = true"
                )));
            }
            if u.password().is_some() {
                return Err(at(
                    "the url contains a password; remove it and store it with `eingang targets password ID`".into(),
                ));
            }
            if t.path.is_some() {
                return Err(at("path belongs to folder targets; use url".into()));
            }
            if t.catalogue
                .as_deref()
                .is_some_and(|c| c.split('/').any(|s| s == ".."))
            {
                return Err(at("catalogue must not climb out with ..".into()));
            }
        }
    }
    template::check_path(&t.folder).map_err(|e| at(e.to_string()))?;
    if t.index_name.is_some() && t.index_template.is_none() {
        return Err(at("index_name needs index_template".into()));
    }
    Ok(())
}

/// Reads the configuration: the machine's file then the user's (in debug builds
/// `EINGANG_CONFIG` may name one file to read alone).
pub fn load(data_dir: &Path) -> Result<Config, ConfigError> {
    match std::env::var_os("EINGANG_CONFIG") {
        Some(f) if central::ENV_OVERRIDES && !f.is_empty() => {
            load_files(Some(&PathBuf::from(f)), None)
        }
        _ => load_files(
            Some(&central::machine_file()),
            Some(&data_dir.join(USER_CONFIG)),
        ),
    }
}

/// Reads a machine file and a user file, each optional; the user's may change only what
/// the machine's policy leaves open. A missing file is no error unless it is the only one.
pub fn load_files(machine: Option<&Path>, user: Option<&Path>) -> Result<Config, ConfigError> {
    let explicit = user.is_none();
    let mut out = Config::default();
    for (file, is_user) in [(machine, false), (user, true)] {
        let Some(file) = file else { continue };
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => continue,
            Err(e) => return Err(err(file, format!("cannot be read: {e}"))),
        };
        let mut table: toml::Table = toml::from_str(&text).map_err(|e| err(file, e.to_string()))?;
        if is_user {
            central::restrict(file, &mut table, &out.policy.locked, &mut out.warnings);
        }
        let cfg = from_table(file, table)?;
        merge(&mut out, cfg, file);
        out.sources.push(file.to_path_buf());
    }
    for t in &out.targets {
        let plain = t.url.as_deref().and_then(|u| url::Url::parse(u).ok());
        if plain.as_ref().is_some_and(insecure_http) {
            out.warnings.push(format!(
                "target {:?} delivers over plain http:// (allow_insecure_http): password and documents travel unencrypted",
                t.id
            ));
        }
    }
    Ok(out)
}

/// Lays `cfg` over `out`, key by key.
fn merge(out: &mut Config, cfg: ConfigFile, file: &Path) {
    merge_sync(&mut out.sync, cfg.sync);
    let (s, o) = (cfg.scan, &mut out.scan);
    o.hotfolder = s.hotfolder.or(o.hotfolder.take());
    o.hotfolder_profile = s.hotfolder_profile.or(o.hotfolder_profile.take());
    o.hotfolder_settle_secs = s.hotfolder_settle_secs.or(o.hotfolder_settle_secs);
    o.ocr_languages = s.ocr_languages.or(o.ocr_languages.take());
    o.ocr_timeout_secs = s.ocr_timeout_secs.or(o.ocr_timeout_secs);
    o.profiles = s.profiles.or(o.profiles.take());
    for url in s.escl {
        if !o.escl.contains(&url) {
            o.escl.push(url);
        }
    }
    for t in cfg.targets {
        out.targets.retain(|o| o.id != t.id);
        out.origin.insert(t.id.clone(), file.to_path_buf());
        out.targets.push(t);
    }
    let (st, o) = (cfg.station, &mut out.station);
    o.role = st.role.or(o.role);
    o.name = st.name.or(o.name.take());
    o.accessibility_contact = st.accessibility_contact.or(o.accessibility_contact.take());
    let (t, o) = (cfg.terminal, &mut out.terminal);
    o.idle_secs = t.idle_secs.or(o.idle_secs);
    o.warn_secs = t.warn_secs.or(o.warn_secs);
    if !t.forms.is_empty() {
        o.forms = t.forms;
    }
    if !t.languages.is_empty() {
        o.languages = t.languages;
    }
    o.print_receipt = t.print_receipt.or(o.print_receipt);
    o.printer = t.printer.or(o.printer.take());
    o.scanner = t.scanner.or(o.scanner.take());
    o.staff_pin = t.staff_pin.or(o.staff_pin.take());
    let (u, o) = (cfg.update, &mut out.update);
    if u.source.is_some() {
        o.source = u.source;
        o.pubkey = u.pubkey;
    }
    o.check_hours = u.check_hours.or(o.check_hours);
    out.masterdata.source = cfg.masterdata.source.or(out.masterdata.source.take());
    // Machine-only sections: whole, from the file that sets them.
    if cfg.seal != SealSection::default() {
        out.seal = cfg.seal;
    }
    if cfg.timestamp != TimestampSection::default() {
        out.timestamp = cfg.timestamp;
    }
    if cfg.directory != DirectorySection::default() {
        out.directory = cfg.directory;
    }
    if cfg.retention != RetentionSection::default() {
        out.retention = cfg.retention;
    }
    if cfg.team != TeamSection::default() {
        out.team = cfg.team;
    }
    // The mailbox: whole, from the last file that sets it.
    if cfg.mailbox != MailboxSection::default() {
        out.mailbox = cfg.mailbox;
    }
    for l in cfg.policy.locked {
        if !out.policy.locked.contains(&l) {
            out.policy.locked.push(l);
        }
    }
}

fn merge_sync(into: &mut SyncSection, from: SyncSection) {
    into.concurrency = from.concurrency.or(into.concurrency);
    into.timeout_secs = from.timeout_secs.or(into.timeout_secs);
    into.interval_secs = from.interval_secs.or(into.interval_secs);
    into.retry_base_ms = from.retry_base_ms.or(into.retry_base_ms);
    into.retry_max_ms = from.retry_max_ms.or(into.retry_max_ms);
    into.catalogue_interval_secs = from
        .catalogue_interval_secs
        .or(into.catalogue_interval_secs);
    into.ca_bundle = from.ca_bundle.or(into.ca_bundle.take());
}

/// The targets to deliver to (the local folder when none is configured).
pub fn effective_targets(cfg: &Config, data_dir: &Path) -> Vec<TargetConfig> {
    if !cfg.targets.is_empty() {
        return cfg.targets.clone();
    }
    vec![TargetConfig {
        id: eingang_model::DEFAULT_TARGET.to_owned(),
        name: None,
        kind: TargetKind::Folder,
        path: Some(data_dir.join("ausgang")),
        url: None,
        user: None,
        folder: String::new(),
        verify: None,
        index_template: None,
        index_name: None,
        catalogue: None,
        repository: None,
        type_id: None,
        id_property: None,
        hash_property: None,
        properties: std::collections::BTreeMap::new(),
        document_type: None,
        source: None,
        id_metadata: None,
        file_metadata: None,
        allow_insecure_http: false,
    }]
}

/// The user's own configuration file (the app's settings write it).
pub fn user_file(data_dir: &Path) -> PathBuf {
    data_dir.join(USER_CONFIG)
}

fn read_table(file: &Path) -> Result<toml::Table, ConfigError> {
    match std::fs::read_to_string(file) {
        Ok(text) => text
            .parse::<toml::Table>()
            .map_err(|e| err(file, e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(toml::Table::new()),
        Err(e) => Err(err(file, format!("cannot be read: {e}"))),
    }
}

/// How a caller checks a target beyond the file's own rules before it is written (the sync
/// crate builds its connector: templates and URLs the way the worker will use them).
pub type TargetCheck<'a> = &'a dyn Fn(&TargetConfig, &SyncSection) -> Result<(), ConfigError>;

/// Checks the new text as a whole (and every target with `check`), then replaces the file
/// atomically (temp, fsync, rename).
fn write_checked(
    file: &Path,
    table: &toml::Table,
    check: TargetCheck<'_>,
) -> Result<(), ConfigError> {
    let text = toml::to_string_pretty(table).map_err(|e| err(file, e.to_string()))?;
    let parsed = parse(file, &text)?;
    for t in &parsed.targets {
        check(t, &parsed.sync)?;
    }
    let tmp = file.with_extension("toml.part");
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(
            b"# Written by Eingang's settings (Postausgang > Ziele). Passwords are not here.\n",
        )?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    };
    write().map_err(|e| err(file, format!("cannot be written: {e}")))
}

/// Adds `t` to the user's file, or replaces the target with its id; everything else in the
/// file stays (comments are not kept).
pub fn save_user_target(
    data_dir: &Path,
    t: &TargetConfig,
    check: TargetCheck<'_>,
) -> Result<(), ConfigError> {
    let file = user_file(data_dir);
    refuse_if_locked(&file, "target")?;
    check_target(&file, t)?;
    let mut table = read_table(&file)?;
    let value = toml::Value::try_from(t).map_err(|e| err(&file, e.to_string()))?;
    let list = table
        .entry("target")
        .or_insert_with(|| toml::Value::Array(Vec::new()));
    let Some(list) = list.as_array_mut() else {
        return Err(err(&file, "target must be a list of [[target]] tables"));
    };
    match list
        .iter_mut()
        .find(|v| v.get("id").and_then(toml::Value::as_str) == Some(t.id.as_str()))
    {
        Some(slot) => *slot = value,
        None => list.push(value),
    }
    write_checked(&file, &table, check)
}

/// A section the machine's policy locks cannot be changed in the user's file.
fn refuse_if_locked(file: &Path, section: &str) -> Result<(), ConfigError> {
    let machine = central::machine_file();
    if !machine.exists() {
        return Ok(());
    }
    let cfg = load_files(Some(&machine), None)?;
    if cfg.policy.locked.iter().any(|l| l == section) {
        return Err(err(
            file,
            format!(
                "[{section}] is locked by the administrator ({}); ask IT to change it there",
                machine.display()
            ),
        ));
    }
    Ok(())
}

/// Removes the target `id` from the user's file; `false` if it is not there.
pub fn remove_user_target(
    data_dir: &Path,
    id: &str,
    check: TargetCheck<'_>,
) -> Result<bool, ConfigError> {
    let file = user_file(data_dir);
    refuse_if_locked(&file, "target")?;
    let mut table = read_table(&file)?;
    let Some(list) = table.get_mut("target").and_then(toml::Value::as_array_mut) else {
        return Ok(false);
    };
    let before = list.len();
    list.retain(|v| v.get("id").and_then(toml::Value::as_str) != Some(id));
    if list.len() == before {
        return Ok(false);
    }
    write_checked(&file, &table, check)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_users_file_is_edited_target_by_target_and_checked_before_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = effective_targets(&Config::default(), dir.path()).remove(0);
        t.id = "dms".into();
        t.kind = TargetKind::Webdav;
        t.path = None;
        t.url = Some("https://dms.example/dav/".into());
        t.user = Some("svc".into());
        save_user_target(dir.path(), &t, &|_, _| Ok(())).unwrap();
        t.folder = "{{jahr}}".into();
        save_user_target(dir.path(), &t, &|_, _| Ok(())).unwrap();
        let text = std::fs::read_to_string(user_file(dir.path())).unwrap();
        let cfg = parse(Path::new("x"), &text).unwrap();
        assert_eq!(cfg.targets.len(), 1, "replaced, not added: {text}");
        assert_eq!(cfg.targets[0].folder, "{{jahr}}");
        // A broken target is refused and the file stays as it was.
        t.url = None;
        let e = save_user_target(dir.path(), &t, &|_, _| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs url"), "{e}");
        assert_eq!(
            std::fs::read_to_string(user_file(dir.path())).unwrap(),
            text
        );
        assert!(remove_user_target(dir.path(), "dms", &|_, _| Ok(())).unwrap());
        assert!(!remove_user_target(dir.path(), "dms", &|_, _| Ok(())).unwrap());
    }

    #[test]
    fn a_full_file_parses_and_mistakes_are_named() {
        let ok = parse(
            Path::new("c.toml"),
            r#"
            [sync]
            concurrency = 8
            [[target]]
            id = "dms"
            kind = "webdav"
            url = "https://dms.example/dav/"
            user = "svc"
            folder = "{{formular}}/{{jahr}}"
            [[target]]
            id = "spool"
            kind = "folder"
            path = "/srv/spool"
            "#,
        )
        .unwrap();
        assert_eq!(ok.targets.len(), 2);
        assert_eq!(ok.sync.concurrency, Some(8));
        for (text, needle) in [
            ("[[target]]\nid = \"a\"\nkind = \"folder\"", "needs path"),
            ("[[target]]\nid = \"a\"\nkind = \"webdav\"", "needs url"),
            ("[[target]]\nid = \"a b\"\nkind = \"folder\"\npath = \"/x\"", "the id must be"),
            ("[[target]]\nid = \"a\"\nkind = \"webdav\"\nurl = \"https://u:pw@h/\"", "contains a password"),
            ("[[target]]\nid = \"a\"\nkind = \"ftp\"", "unknown variant"),
            ("[[target]]\nid = \"a\"\nkind = \"folder\"\npath = \"/x\"\npasword = \"x\"", "unknown field"),
            ("[[target]]\nid = \"a\"\nkind = \"folder\"\npath = \"/x\"\nfolder = \"{{aktenzeichen}}\"", "unknown placeholder"),
            ("[[target]]\nid = \"a\"\nkind = \"folder\"\npath = \"/x\"\n[[target]]\nid = \"a\"\nkind = \"folder\"\npath = \"/y\"", "used twice"),
        ] {
            let e = parse(Path::new("c.toml"), text).unwrap_err().to_string();
            assert!(e.starts_with("c.toml: ") && e.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn ocr_settings_are_read_and_bad_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(USER_CONFIG);
        std::fs::write(
            &file,
            "[scan]\nocr_languages = \"deu+fra\"\nocr_timeout_secs = 30\n",
        )
        .unwrap();
        let cfg = load(dir.path()).unwrap();
        assert_eq!(cfg.scan.ocr_languages.as_deref(), Some("deu+fra"));
        assert_eq!(cfg.scan.ocr_timeout_secs, Some(30));
        std::fs::write(&file, "[scan]\nocr_languages = \"deu; rm\"\n").unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("ocr_languages"), "{e}");
        std::fs::write(&file, "[scan]\nocr_timeout_secs = 0\n").unwrap();
        assert!(load(dir.path())
            .unwrap_err()
            .to_string()
            .contains("ocr_timeout_secs"));
    }
}
