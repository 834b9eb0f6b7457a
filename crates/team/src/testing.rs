//! A test PostgreSQL on loopback (feature `testing`): Debian's PostgreSQL 15 in a private
//! data folder made by `scripts/team/setup.sh` (TLS with a test CA, TCP on 127.0.0.1 only),
//! one per test process, stopped with it. Each test gets a database and a role of its own.

use crate::Settings;
use eingang_seal::testing::{free_port, run_setup, spawn_watched, Watched};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const BIN: &str = "/usr/lib/postgresql/15/bin";
const ADMIN: &str = "eingang_admin";
const ADMIN_PASSWORD: &str = "Pw-team-admin-2026";

/// A running PostgreSQL.
#[derive(Debug)]
pub struct Postgres {
    pub dir: tempfile::TempDir,
    pub port: u16,
    _service: Watched,
}

impl Postgres {
    /// The test process's server, started once.
    pub fn shared() -> &'static Postgres {
        static SERVER: std::sync::OnceLock<Postgres> = std::sync::OnceLock::new();
        SERVER.get_or_init(Postgres::start)
    }

    fn start() -> Postgres {
        assert!(
            Path::new(BIN).join("postgres").is_file(),
            "the team-store tests need PostgreSQL 15 (postgresql-15): run ./scripts/test.sh once (it installs it)"
        );
        let dir = tempfile::tempdir().expect("a temporary folder");
        let port = free_port();
        let p = port.to_string();
        run_setup(
            "scripts/team/setup.sh",
            &[dir.path().as_os_str(), p.as_ref()],
        );
        let data = dir.path().join("data");
        let postgres = Path::new(BIN).join("postgres");
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        // PostgreSQL refuses to run as root: as root it runs as Debian's `postgres` user.
        let child = if root {
            let args: [&std::ffi::OsStr; 6] = [
                "-u".as_ref(),
                "postgres".as_ref(),
                "--".as_ref(),
                postgres.as_os_str(),
                "-D".as_ref(),
                data.as_os_str(),
            ];
            spawn_watched(
                "postgres",
                Path::new("/usr/sbin/runuser"),
                &args,
                &dir.path().join("postgres.log"),
                port,
            )
        } else {
            let args: [&std::ffi::OsStr; 2] = ["-D".as_ref(), data.as_os_str()];
            spawn_watched(
                "postgres",
                &postgres,
                &args,
                &dir.path().join("postgres.log"),
                port,
            )
        };
        let server = Postgres {
            dir,
            port,
            _service: Watched(child),
        };
        server.wait_until_started();
        server
    }

    /// PostgreSQL accepts connections on its port before it has started up, and refuses
    /// them then ("the database system is starting up"; seen in CI under load): the
    /// administrator's connection is tried until it is taken, for up to a minute.
    fn wait_until_started(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            match crate::Team::connect(&self.settings(ADMIN, "postgres"), ADMIN_PASSWORD) {
                Ok(_) => return,
                Err(e)
                    if format!("{e:?}").contains("starting up")
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("the test server takes its administrator: {e:?}"),
            }
        }
    }

    /// The CA of the server's certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    fn settings(&self, user: &str, dbname: &str) -> Settings {
        Settings {
            host: "127.0.0.1".into(),
            port: self.port,
            dbname: dbname.into(),
            user: user.into(),
            ca_bundle: Some(self.ca()),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// A database of its own for a test, owned by a role of its own (not a superuser):
    /// its settings and the role's password.
    pub fn database(&self) -> (Settings, String) {
        static N: AtomicUsize = AtomicUsize::new(1);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let (role, db) = (format!("station_{n}"), format!("team_{n}"));
        let password = format!("Pw-{role}-2026");
        let mut admin = crate::Team::connect(&self.settings(ADMIN, "postgres"), ADMIN_PASSWORD)
            .expect("the test server takes its administrator");
        for sql in [
            format!("CREATE ROLE {role} LOGIN PASSWORD '{password}'"),
            format!("CREATE DATABASE {db} OWNER {role}"),
        ] {
            admin
                .client()
                .batch_execute(&sql)
                .expect("a role and a database for the test");
        }
        (self.settings(&role, &db), password)
    }

    /// Runs `sql` in database `dbname` as the server's administrator (a test's way to
    /// change what a station never could, e.g. put the schema ahead).
    pub fn execute_as_admin(&self, dbname: &str, sql: &str) {
        let mut admin = crate::Team::connect(&self.settings(ADMIN, dbname), ADMIN_PASSWORD)
            .expect("the test server takes its administrator");
        admin
            .client()
            .batch_execute(sql)
            .expect("the statement runs");
    }
}
