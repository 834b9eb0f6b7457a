//! A test mail server on loopback (feature `testing`): Dovecot from Debian configured by
//! `scripts/mail/setup.sh` (TLS with a test CA, IMAPS and STARTTLS), one per test process,
//! stopped with it. Each test takes its own mailbox user; messages are put in with
//! `doveadm save`, as a mail delivery would.

use crate::Account;
use eingang_config::mailbox::Security;
use eingang_seal::testing::{free_port, run_setup, spawn_watched, Watched};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const DOVECOT: &str = "/usr/sbin/dovecot";

/// A running Dovecot.
#[derive(Debug)]
pub struct Dovecot {
    pub dir: tempfile::TempDir,
    /// IMAP with STARTTLS.
    pub port: u16,
    /// IMAPS.
    pub imaps_port: u16,
    _service: Watched,
}

impl Dovecot {
    /// The test process's server, started once.
    pub fn shared() -> &'static Dovecot {
        static SERVER: std::sync::OnceLock<Dovecot> = std::sync::OnceLock::new();
        SERVER.get_or_init(Dovecot::start)
    }

    fn start() -> Dovecot {
        assert!(
            Path::new(DOVECOT).is_file(),
            "the mailbox tests need Dovecot (dovecot-imapd): run ./scripts/test.sh once (it installs it)"
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let (port, imaps_port) = (free_port(), free_port());
        let (p, s) = (port.to_string(), imaps_port.to_string());
        run_setup(
            "scripts/mail/setup.sh",
            &[dir.path().as_os_str(), p.as_ref(), s.as_ref()],
        );
        let conf = dir.path().join("dovecot.conf");
        let args: [&std::ffi::OsStr; 3] = ["-F".as_ref(), "-c".as_ref(), conf.as_os_str()];
        let child = spawn_watched(
            "dovecot",
            Path::new(DOVECOT),
            &args,
            &dir.path().join("dovecot.out"),
            imaps_port,
        );
        Dovecot {
            dir,
            port,
            imaps_port,
            _service: Watched(child),
        }
    }

    /// A mailbox user of its own (one of the 64 the setup made) and its password.
    pub fn user(&self) -> (String, String) {
        static N: AtomicUsize = AtomicUsize::new(1);
        let n = N.fetch_add(1, Ordering::Relaxed);
        assert!(n <= 64, "the test mail server has 64 users");
        let user = format!("postfach{n:02}");
        let password = format!("Pw-{user}-2026");
        (user, password)
    }

    /// The CA that signed the server's certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// How Eingang reaches `user`'s INBOX over IMAPS (moving taken messages).
    pub fn account(&self, user: &str) -> Account {
        Account {
            name: format!("{user}@127.0.0.1:{}/INBOX", self.imaps_port),
            host: "127.0.0.1".into(),
            port: self.imaps_port,
            security: Security::Tls,
            user: user.into(),
            folder: "INBOX".into(),
            flag_only: false,
            processed: "Eingang/Verarbeitet".into(),
            failed: "Eingang/Abgelehnt".into(),
            max_message_bytes: 100 << 20,
            ca_bundle: Some(self.ca()),
            timeout: Duration::from_secs(30),
            interval: Duration::from_secs(1),
        }
    }

    fn doveadm(&self, args: &[&str], input: Option<&[u8]>) -> String {
        let conf = self.dir.path().join("dovecot.conf");
        let mut child = Command::new("doveadm")
            .arg("-c")
            .arg(&conf)
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("doveadm runs");
        if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(bytes).expect("doveadm reads the message");
        }
        let out = child.wait_with_output().expect("doveadm ends");
        assert!(
            out.status.success(),
            "doveadm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Delivers a message into `user`'s `folder` (made if missing).
    pub fn deliver(&self, user: &str, folder: &str, message: &[u8]) {
        self.doveadm(&["save", "-u", user, "-m", folder], Some(message));
    }

    /// How many messages `user`'s `folder` (levels joined by `/`) holds (0 when it does
    /// not exist).
    pub fn count(&self, user: &str, folder: &str) -> usize {
        // Maildir's hierarchy delimiter is '.'.
        let folder = folder.replace('/', ".");
        let folder = folder.as_str();
        let conf = self.dir.path().join("dovecot.conf");
        let out = Command::new("doveadm")
            .arg("-c")
            .arg(&conf)
            .args([
                "-f", "flow", "mailbox", "status", "-u", user, "messages", folder,
            ])
            .output()
            .expect("doveadm runs");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .find_map(|w| w.strip_prefix("messages="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// Gives `user`'s `folder` a new UIDVALIDITY (as a server restored from a backup would).
    pub fn new_uidvalidity(&self, user: &str, folder: &str, value: u32) {
        self.doveadm(
            &[
                "mailbox",
                "update",
                "-u",
                user,
                "--uid-validity",
                &value.to_string(),
                folder,
            ],
            None,
        );
    }
}
