//! A test PKI on loopback for the tests: `scripts/pki/setup.sh` makes keys, certificates
//! (certomancer) and a SoftHSM2 token with the seal keys; certomancer's animator serves the
//! timestamp authority and the OCSP responder. Stopped on drop.

use crate::token::Pkcs11Settings;
use crate::tsa::Tsa;
use std::net::TcpListener;
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The SoftHSM2 module of Debian.
pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// A service started by [`spawn_watched`], its process group stopped on drop.
#[derive(Debug)]
pub struct Watched(pub Child);

impl Drop for Watched {
    fn drop(&mut self) {
        let pid = self.0.id();
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{pid}")])
            .status();
        let _ = self.0.wait();
    }
}

/// A running test PKI.
#[derive(Debug)]
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub port: u16,
    _service: Watched,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A loopback port free now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Runs `setup` (a script of `scripts/`) with `args`; panics with its error output.
pub fn run_setup(script: &str, args: &[&std::ffi::OsStr]) {
    let out = Command::new("bash")
        .arg(repo_root().join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{script} does not run: {e}"));
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `program` with `args` in its own process group, its output in `log`, under a
/// watchdog that stops it when the test process is gone, and waits until it listens on
/// `port`.
pub fn spawn_watched(
    name: &str,
    program: &Path,
    args: &[&std::ffi::OsStr],
    log: &Path,
    port: u16,
) -> Child {
    let file = std::fs::File::create(log).expect("a log file");
    let mut command = Command::new("bash");
    // Its own process group: the watcher and the service stop together.
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command
        .arg("-c")
        .arg(r#"w=$1; shift; "$@" & c=$!; while kill -0 "$w" 2>/dev/null && kill -0 "$c" 2>/dev/null; do sleep 0.5; done; kill "$c" 2>/dev/null"#)
        .arg(name)
        .arg(std::process::id().to_string())
        .arg(program)
        .args(args)
        .current_dir(log.parent().unwrap_or(Path::new("/")))
        .stdout(Stdio::from(file.try_clone().expect("log")))
        .stderr(Stdio::from(file))
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{name} does not start: {e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{name} exited ({status}): {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "{name} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

impl Pki {
    /// The test process's PKI, made once: a PKCS#11 module reads its configuration when it
    /// is first initialised, so every test of a process uses the same token. Its services
    /// stop when the test process ends.
    pub fn shared() -> &'static Pki {
        static PKI: std::sync::OnceLock<Pki> = std::sync::OnceLock::new();
        PKI.get_or_init(|| {
            let pki = Pki::start();
            std::env::set_var("SOFTHSM2_CONF", pki.softhsm_conf());
            pki
        })
    }

    /// Makes the PKI and the token, and starts the services.
    fn start() -> Pki {
        let root = repo_root();
        let certomancer = root.join(".tools/pki/bin/certomancer");
        assert!(
            certomancer.is_file() && Path::new(MODULE).is_file(),
            "the test PKI needs certomancer (.tools/pki) and SoftHSM2: run ./scripts/test.sh once"
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let port = free_port();
        let port_text = port.to_string();
        run_setup(
            "scripts/pki/setup.sh",
            &[dir.path().as_os_str(), port_text.as_ref()],
        );
        let config = dir.path().join("certomancer.yml");
        let args: [&std::ffi::OsStr; 6] = [
            "--config".as_ref(),
            config.as_os_str(),
            "animate".as_ref(),
            "--no-web-ui".as_ref(),
            "--port".as_ref(),
            port_text.as_ref(),
        ];
        let child = spawn_watched(
            "certomancer",
            &certomancer,
            &args,
            &dir.path().join("animator.log"),
            port,
        );
        Pki {
            dir,
            port,
            _service: Watched(child),
        }
    }

    /// `SOFTHSM2_CONF` for this PKI's token (set it before opening the token).
    pub fn softhsm_conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    /// The token's user PIN.
    pub fn pin(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pins"))
            .expect("pins")
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// Settings for the seal key `key` (`seal`, `seal-old`, `seal-revoked`).
    pub fn settings(&self, key: &str) -> Pkcs11Settings {
        Pkcs11Settings {
            module: MODULE.into(),
            token: "eingang-siegel".into(),
            key: key.into(),
            pin: Zeroizing::new(self.pin()),
            chain: Vec::new(),
        }
    }

    /// The seal key and its chain as a PKCS#12 file (password: [`Pki::pin`]).
    pub fn pkcs12(&self) -> PathBuf {
        self.dir.path().join("seal.p12")
    }

    /// The timestamp authority's URL.
    pub fn tsa_url(&self) -> String {
        format!("http://127.0.0.1:{}/eingang/tsa/tsa", self.port)
    }

    pub fn tsa(&self) -> Tsa {
        Tsa::new(&self.tsa_url())
    }

    /// A certificate of the PKI (DER): `root`, `interm`, `tsa`, `seal`, ….
    pub fn cert_path(&self, name: &str) -> PathBuf {
        self.dir.path().join("certs").join(format!("{name}.crt"))
    }

    pub fn cert(&self, name: &str) -> x509_cert::Certificate {
        use der::Decode;
        let der = std::fs::read(self.cert_path(name)).expect("certificate file");
        x509_cert::Certificate::from_der(&der).expect("a certificate")
    }

    /// poppler's `pdfsig` on `file`: whether the signature (digest and value) is valid, and
    /// what it printed. Its certificate check is not asked: poppler 22.12 answers "Unknown
    /// issue with Certificate" for this test PKI even on PDFs pyHanko signed, while NSS's
    /// own `vfychain` calls the same chain good; pyHanko checks the chain.
    pub fn pdfsig(&self, file: &Path) -> (bool, String) {
        let db = self.dir.path().join("nss");
        if !db.exists() {
            std::fs::create_dir_all(&db).expect("nss folder");
            let sql = format!("sql:{}", db.display());
            let made = Command::new("certutil")
                .args(["-N", "-d", &sql, "--empty-password"])
                .status()
                .is_ok_and(|s| s.success())
                && Command::new("certutil")
                    .args(["-A", "-d", &sql, "-n", "root", "-t", "C,C,C", "-i"])
                    .arg(self.cert_path("root"))
                    .status()
                    .is_ok_and(|s| s.success());
            assert!(
                made,
                "certutil (libnss3-tools) could not make the trust store"
            );
        }
        let (_, text) = output(
            Command::new("pdfsig")
                .arg("-nssdir")
                .arg(format!("sql:{}", db.display()))
                .arg("-no-ocsp")
                .arg(file),
        );
        (
            text.contains("Signature Validation: Signature is Valid."),
            text,
        )
    }

    /// pyHanko's validator on `file`, the test root as the only trust anchor (revocation
    /// checked online at the test OCSP responder): whether it judged the signature VALID.
    pub fn pyhanko(&self, file: &Path) -> (bool, String) {
        let bin = repo_root().join(".tools/pki/bin/pyhanko");
        let (ok, text) = output(
            Command::new(bin)
                .args([
                    "sign",
                    "validate",
                    "--pretty-print",
                    "--trust-replace",
                    "--trust",
                ])
                .arg(self.cert_path("root"))
                .arg(file),
        );
        (ok && text.contains("The signature is judged VALID"), text)
    }
}

fn output(cmd: &mut Command) -> (bool, String) {
    match cmd.output() {
        Ok(out) => (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ),
        Err(e) => (false, e.to_string()),
    }
}

/// A running OpenLDAP `slapd` on loopback — StartTLS on one port, LDAPS on another — with
/// the people of a scan office (`scripts/ldap/setup.sh`): anna, bernd, carla. Stopped when
/// the test process ends.
#[derive(Debug)]
pub struct Slapd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub ldaps_port: u16,
    _service: Watched,
}

impl Slapd {
    /// The test process's directory, made once.
    pub fn shared() -> &'static Slapd {
        static SLAPD: std::sync::OnceLock<Slapd> = std::sync::OnceLock::new();
        SLAPD.get_or_init(Slapd::start)
    }

    fn start() -> Slapd {
        assert!(
            Path::new("/usr/sbin/slapd").is_file(),
            "the sign-in tests need OpenLDAP's slapd: run ./scripts/test.sh once (it installs it)"
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        run_setup("scripts/ldap/setup.sh", &[dir.path().as_os_str()]);
        let (port, ldaps_port) = (free_port(), free_port());
        let (conf, url) = (
            dir.path().join("slapd.conf"),
            format!("ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{ldaps_port}/"),
        );
        let args: [&std::ffi::OsStr; 6] = [
            "-f".as_ref(),
            conf.as_os_str(),
            "-h".as_ref(),
            url.as_ref(),
            "-d".as_ref(),
            "0".as_ref(),
        ];
        let slapd = Path::new("/usr/sbin/slapd");
        let child = spawn_watched("slapd", slapd, &args, &dir.path().join("slapd.log"), port);
        // slapd binds every listener before it serves: the LDAPS port is open too.
        Slapd {
            dir,
            port,
            ldaps_port,
            _service: Watched(child),
        }
    }

    /// The same directory over LDAPS (TLS from the first byte).
    pub fn ldaps_url(&self) -> String {
        format!("ldaps://127.0.0.1:{}/", self.ldaps_port)
    }

    /// The directory's URL (StartTLS on the plain port).
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}/", self.port)
    }

    /// The CA that signed the directory's server certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// How Eingang reaches it.
    pub fn directory(&self) -> crate::directory::Directory {
        crate::directory::Directory {
            url: self.url(),
            ca: vec![self.ca()],
            user_dn: "uid={user},ou=people,dc=stadt,dc=test".into(),
            name_attribute: "cn".into(),
            timeout: Duration::from_secs(10),
        }
    }

    /// A person's password (`anna`, `bernd`, `carla`).
    pub fn password(&self, user: &str) -> String {
        std::fs::read_to_string(self.dir.path().join("people"))
            .expect("people")
            .lines()
            .find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next() == Some(user)).then(|| w.last().unwrap_or_default().to_owned())
            })
            .expect("a known user")
    }
}

#[cfg(test)]
mod tests {
    //! The certificate checks of `der_util` on the test PKI's certificates.
    use crate::der_util;
    #[test]
    fn only_certification_authorities_count_as_issuers() {
        let pki = super::Pki::shared();
        assert!(der_util::is_ca(&pki.cert("root")));
        assert!(der_util::is_ca(&pki.cert("interm")));
        for leaf in ["seal", "tsa", "ocsp"] {
            assert!(!der_util::is_ca(&pki.cert(leaf)), "{leaf}");
        }
    }

    #[test]
    fn key_usages_are_read() {
        let pki = super::Pki::shared();
        assert!(der_util::may_sign(&pki.cert("seal")));
        assert!(der_util::has_purpose(
            &pki.cert("tsa"),
            der_util::ID_KP_TIME_STAMPING
        ));
        assert!(!der_util::has_purpose(
            &pki.cert("seal"),
            der_util::ID_KP_TIME_STAMPING
        ));
        assert!(!der_util::has_purpose(
            &pki.cert("ocsp"),
            der_util::ID_KP_TIME_STAMPING
        ));
    }
}
