//! Signed updates from a place the city controls (`[update]` in the machine's config).
//!
//! The manifest and signatures follow the Tauri updater's format, so the city signs with
//! `npx tauri signer sign` and keeps one key pair for every platform:
//!
//! ```json
//! { "version": "0.2.0", "notes": "…", "pub_date": "2026-12-01T08:00:00Z",
//!   "platforms": { "linux-x86_64-deb": { "url": "Eingang_0.2.0_amd64.deb",
//!                                         "signature": "dW50cnVzdGVk…" } } }
//! ```
//!
//! `url` may be relative to the manifest (a file share holds manifest and packages side by
//! side). The manifest itself is signed too (`latest.json.sig` beside it, made by
//! `tauri signer sign latest.json`), so nobody can offer an older signed package as a newer
//! version. A package is kept only after its minisign signature checked out against the
//! configured public key, and checked again by the privileged step right before it is
//! installed ([`apply`]: copied into a root-owned folder, verified there, its own version
//! compared with the installed one). An unreachable source is an ordinary state (the app
//! works on and looks again later), never an error the user has to act on.

use eingang_config::update::{decode_b64_text, Source};
pub use eingang_config::update::{public_key, ValueError};
pub use minisign_verify::PublicKey;

#[cfg(feature = "testing")]
pub mod testing {
    //! Signs like `tauri signer generate` / `sign`, for tests: a key pair, its public key and
    //! signatures as the manifest carries them (base64 of the `.pub` and `.sig` files).
    use base64::Engine as _;

    /// A fresh minisign key pair.
    pub struct Signer(minisign::KeyPair);

    impl std::fmt::Debug for Signer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Signer(…)")
        }
    }

    impl Default for Signer {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Signer {
        /// # Panics
        /// When no key pair can be made (a test failure).
        pub fn new() -> Self {
            Self(minisign::KeyPair::generate_unencrypted_keypair().expect("a key pair"))
        }

        /// As `tauri signer generate` prints it: base64 of the `.pub` file.
        /// # Panics
        /// When the key cannot be written out (a test failure).
        pub fn pubkey(&self) -> String {
            b64(&self.0.pk.to_box().expect("a public key box").to_string())
        }

        /// As `tauri signer sign` writes it: base64 of the `.sig` file.
        /// # Panics
        /// When signing fails (a test failure).
        pub fn sign(&self, data: &[u8]) -> String {
            let sig = minisign::sign(
                Some(&self.0.pk),
                &self.0.sk,
                std::io::Cursor::new(data),
                None,
                None,
            )
            .expect("a signature");
            b64(&sig.to_string())
        }

        /// The key pair's bare public key (minisign's `RW…` line).
        pub fn bare_pubkey(&self) -> String {
            self.0.pk.to_base64()
        }
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
    }
}
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest package accepted (a Windows installer with the WebView2 runtime is ~150 MB).
pub const MAX_PACKAGE: u64 = 512 * 1024 * 1024;
const MAX_MANIFEST: u64 = 1024 * 1024;

/// Why looking for or taking an update failed. `code` is one of `update.unreachable`
/// (try later, nothing to do), `update.manifest`, `update.signature`, `update.too_large`,
/// `update.io`, `update.install`, `update.downgrade`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UpdateError {
    pub code: &'static str,
    pub message: String,
}

impl UpdateError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Checks `data` against a signature as the manifest carries it (base64 of the `.sig`
/// file, or the `.sig` file's text).
pub fn verify(
    key: &minisign_verify::PublicKey,
    signature: &str,
    data: &[u8],
) -> Result<(), UpdateError> {
    let text = decode_b64_text(signature.trim()).unwrap_or_else(|| signature.to_owned());
    let sig = minisign_verify::Signature::decode(&text).map_err(|e| {
        UpdateError::new(
            "update.signature",
            format!("the manifest's signature cannot be read: {e}"),
        )
    })?;
    key.verify(data, &sig, false).map_err(|_| {
        UpdateError::new(
            "update.signature",
            "the package's signature does not match the configured public key; it was discarded (tell the administrator)",
        )
    })
}

#[derive(Debug, Clone, Deserialize)]
struct Manifest {
    version: String,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    pub_date: Option<String>,
    platforms: std::collections::BTreeMap<String, Platform>,
}

#[derive(Debug, Clone, Deserialize)]
struct Platform {
    url: String,
    signature: String,
}

/// A newer version the manifest offers for this platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    pub version: String,
    pub notes: Option<String>,
    pub pub_date: Option<String>,
    pub package: Source,
    pub signature: String,
}

/// This platform's keys in the manifest, most specific first.
pub fn platform_keys() -> Vec<String> {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = std::env::consts::ARCH;
    let installer = match os {
        "linux" => Some("deb"),
        "windows" => Some("nsis"),
        _ => None,
    };
    let mut keys = Vec::new();
    if let Some(i) = installer {
        keys.push(format!("{os}-{arch}-{i}"));
    }
    keys.push(format!("{os}-{arch}"));
    keys
}

/// How an update source is reached.
#[derive(Debug, Clone)]
pub struct Updater {
    pub source: Source,
    key: minisign_verify::PublicKey,
    timeout: Duration,
}

impl Updater {
    pub fn new(cfg: &eingang_config::UpdateSection) -> Result<Option<Self>, ValueError> {
        let (Some(source), Some(key)) = (&cfg.source, &cfg.pubkey) else {
            return Ok(None);
        };
        Ok(Some(Self {
            source: Source::parse(source)?,
            key: public_key(key)?,
            timeout: Duration::from_secs(30),
        }))
    }

    /// Asks the source whether a version newer than `current` exists for this platform.
    /// The manifest counts only with a valid signature (`<manifest>.sig`).
    pub async fn check(&self, current: &str) -> Result<Option<Available>, UpdateError> {
        let bytes = fetch(&self.source, MAX_MANIFEST, self.timeout).await?;
        let sig_source = self
            .source
            .join(&format!("{}.sig", self.source.file_name()))
            .map_err(|e| UpdateError::new("update.manifest", e.0))?;
        let signature = fetch(&sig_source, 64 * 1024, self.timeout)
            .await
            .map_err(|e| {
                UpdateError::new(
                    "update.signature",
                    format!(
                        "the manifest is not signed ({} cannot be read: {}); nothing is offered (tell the administrator)",
                        sig_source.describe(),
                        e.message
                    ),
                )
            })?;
        verify(&self.key, &String::from_utf8_lossy(&signature), &bytes).map_err(|_| {
            UpdateError::new(
                "update.signature",
                format!(
                    "the manifest's signature does not match the configured public key; nothing is offered ({})",
                    self.source.describe()
                ),
            )
        })?;
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            UpdateError::new(
                "update.manifest",
                format!("{}: not an update manifest: {e}", self.source.describe()),
            )
        })?;
        let offered = semver::Version::parse(m.version.trim_start_matches('v')).map_err(|e| {
            UpdateError::new("update.manifest", format!("version {:?}: {e}", m.version))
        })?;
        let mine = semver::Version::parse(current)
            .map_err(|e| UpdateError::new("update.manifest", format!("own version: {e}")))?;
        if offered <= mine {
            return Ok(None);
        }
        let keys = platform_keys();
        let Some(p) = keys.iter().find_map(|k| m.platforms.get(k)) else {
            return Err(UpdateError::new(
                "update.manifest",
                format!(
                    "version {offered} has no package for this platform ({})",
                    keys.join(" or ")
                ),
            ));
        };
        Ok(Some(Available {
            version: offered.to_string(),
            notes: m.notes,
            pub_date: m.pub_date,
            package: self
                .source
                .join(&p.url)
                .map_err(|e| UpdateError::new("update.manifest", e.0))?,
            signature: p.signature.clone(),
        }))
    }

    /// Fetches the package and keeps it in `dir` only when its signature checks out.
    pub async fn download(&self, a: &Available, dir: &Path) -> Result<PathBuf, UpdateError> {
        let bytes = fetch(&a.package, MAX_PACKAGE, self.timeout * 20).await?;
        verify(&self.key, &a.signature, &bytes)?;
        let io =
            |e: std::io::Error| UpdateError::new("update.io", format!("{}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(io)?;
        let path = dir.join(a.package.file_name());
        let partial = dir.join(format!(".{}.part", a.package.file_name()));
        std::fs::write(&partial, &bytes).map_err(io)?;
        std::fs::rename(&partial, &path).map_err(io)?;
        // The signature beside it: the privileged step checks the package again.
        std::fs::write(signature_file(&path), &a.signature).map_err(io)?;
        Ok(path)
    }
}

async fn fetch(source: &Source, limit: u64, timeout: Duration) -> Result<Vec<u8>, UpdateError> {
    let unreachable = |m: String| UpdateError::new("update.unreachable", m);
    let too_large = || {
        UpdateError::new(
            "update.too_large",
            format!("{} is larger than {limit} bytes", source.describe()),
        )
    };
    match source {
        Source::File(p) => {
            let meta = tokio::fs::metadata(p)
                .await
                .map_err(|e| unreachable(format!("{}: {e}", p.display())))?;
            if meta.len() > limit {
                return Err(too_large());
            }
            tokio::fs::read(p)
                .await
                .map_err(|e| unreachable(format!("{}: {e}", p.display())))
        }
        Source::Http(u) => {
            let client = reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| UpdateError::new("update.io", e.to_string()))?;
            let mut resp = client
                .get(u.clone())
                .send()
                .await
                .map_err(|e| unreachable(format!("{u}: {e}")))?;
            if !resp.status().is_success() {
                return Err(unreachable(format!("{u}: HTTP {}", resp.status())));
            }
            if resp.content_length().is_some_and(|l| l > limit) {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| unreachable(format!("{u}: {e}")))?
            {
                body.extend_from_slice(&chunk);
                if body.len() as u64 > limit {
                    return Err(too_large());
                }
            }
            Ok(body)
        }
    }
}

/// Where a downloaded package's signature is kept (`<package>.sig`).
pub fn signature_file(package: &Path) -> PathBuf {
    let mut name = package.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// The privileged step's first half: the package and its signature read once from where
/// the user could change them, the signature checked against `key` on exactly those bytes,
/// and the bytes written into `cache` (a folder only root can write: `/var/cache/eingang`)
/// — what is installed is what was checked.
pub fn stage(
    package: &Path,
    key: &minisign_verify::PublicKey,
    cache: &Path,
) -> Result<PathBuf, UpdateError> {
    let io = |p: &Path, e: std::io::Error| {
        UpdateError::new("update.io", format!("{}: {e}", p.display()))
    };
    let meta = std::fs::metadata(package).map_err(|e| io(package, e))?;
    if meta.len() > MAX_PACKAGE {
        return Err(UpdateError::new(
            "update.too_large",
            format!("{} is larger than {MAX_PACKAGE} bytes", package.display()),
        ));
    }
    let bytes = std::fs::read(package).map_err(|e| io(package, e))?;
    let sig_path = signature_file(package);
    let signature = std::fs::read_to_string(&sig_path).map_err(|e| io(&sig_path, e))?;
    verify(key, &signature, &bytes)?;
    create_private_dir(cache).map_err(|e| io(cache, e))?;
    let name = package
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .ok_or_else(|| UpdateError::new("update.io", "the package has no name"))?;
    let staged = cache.join(&name);
    let partial = cache.join(format!(".{name}.part"));
    std::fs::write(&partial, &bytes).map_err(|e| io(&partial, e))?;
    std::fs::rename(&partial, &staged).map_err(|e| io(&staged, e))?;
    Ok(staged)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// The version a staged Debian package declares (`dpkg-deb -f PKG Version`).
pub fn deb_version(staged: &Path) -> Result<semver::Version, UpdateError> {
    let out = std::process::Command::new("dpkg-deb")
        .arg("-f")
        .arg(staged)
        .arg("Version")
        .output()
        .map_err(|e| UpdateError::new("update.install", format!("dpkg-deb: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || text.is_empty() {
        return Err(UpdateError::new(
            "update.manifest",
            format!("{} is not a Debian package", staged.display()),
        ));
    }
    let plain = text.split(['-', '+', '~']).next().unwrap_or(&text);
    semver::Version::parse(plain)
        .map_err(|e| UpdateError::new("update.manifest", format!("package version {text:?}: {e}")))
}

/// Refuses a package that is not newer than what is installed (a downgrade).
pub fn refuse_downgrade(offered: &semver::Version, installed: &str) -> Result<(), UpdateError> {
    let mine = semver::Version::parse(installed)
        .map_err(|e| UpdateError::new("update.manifest", format!("own version: {e}")))?;
    if *offered <= mine {
        return Err(UpdateError::new(
            "update.downgrade",
            format!("the package is version {offered}, not newer than the installed {mine}; it was not installed"),
        ));
    }
    Ok(())
}

/// The privileged step (root; `eingang update apply`): stage, check the version, install
/// the staged copy.
pub fn apply(
    package: &Path,
    key: &minisign_verify::PublicKey,
    installed: &str,
    cache: &Path,
) -> Result<semver::Version, UpdateError> {
    let staged = stage(package, key, cache)?;
    let result = (|| {
        let version = deb_version(&staged)?;
        refuse_downgrade(&version, installed)?;
        run_installer(&staged)?;
        Ok(version)
    })();
    let _ = std::fs::remove_file(&staged);
    result
}

/// Installs a downloaded package: on Linux the privileged step `eingang update apply`
/// (through `pkexec` unless already root, so the desktop asks for an administrator), which
/// checks the package again from a root-owned copy; on Windows the NSIS installer in
/// passive mode or `msiexec`; elsewhere the city's software distribution.
pub fn install(package: &Path) -> Result<(), UpdateError> {
    if std::env::consts::OS == "linux" {
        let cli = std::env::current_exe()
            .map(|e| e.with_file_name("eingang"))
            .map_err(|e| UpdateError::new("update.install", e.to_string()))?;
        let mut c = if is_root() {
            std::process::Command::new(&cli)
        } else {
            let mut c = std::process::Command::new("pkexec");
            c.arg(&cli);
            c
        };
        c.args(["update", "apply"]).arg(package);
        return run(c);
    }
    run_installer(package)
}

/// The platform's installer on a checked package.
fn run_installer(package: &Path) -> Result<(), UpdateError> {
    let ext = package
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let cmd = match (std::env::consts::OS, ext.as_str()) {
        ("linux", "deb") => {
            let mut c = std::process::Command::new("dpkg");
            c.arg("-i").arg(package);
            c
        }
        ("windows", "exe") => {
            let mut c = std::process::Command::new(package);
            c.arg("/P");
            c
        }
        ("windows", "msi") => {
            let mut c = std::process::Command::new("msiexec");
            c.arg("/i").arg(package).arg("/passive");
            c
        }
        _ => {
            return Err(UpdateError::new(
                "update.install",
                format!(
                "{} cannot be installed from the app on this system; use the software distribution",
                package.display()
            ),
            ))
        }
    };
    run(cmd)
}

fn run(mut cmd: std::process::Command) -> Result<(), UpdateError> {
    let out = cmd.output().map_err(|e| {
        UpdateError::new(
            "update.install",
            format!("the installer could not be started: {e}"),
        )
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let tail: String = String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        Err(UpdateError::new(
            "update.install",
            format!("the installer ended with {}: {tail}", out.status),
        ))
    }
}

/// Whether this process runs as root (Linux: read from `/proc`, no `unsafe` needed).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}
