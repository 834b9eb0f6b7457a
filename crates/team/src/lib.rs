//! The team store: the scan office's shared work on the city's PostgreSQL, so that a batch
//! scanned at one station is indexed at another desk and checked at a third (issue 26).
//! This crate holds what every part of it stands on:
//!
//! - the connection ([`Team::connect`]): TCP with TLS required (the server's certificate
//!   against the system's roots and the configured CA), password authentication
//!   (SCRAM), a time limit for connecting;
//! - versioned migrations ([`Team::migrate`], `migrations/NNNN_*.sql`, embedded): applied in
//!   order under an advisory lock, so stations starting together migrate once; a station
//!   that knows fewer migrations than the database has never writes (it says to update);
//! - the work queue with claims ([`Team::claim_next`], [`Team::renew`], [`Team::finish`]):
//!   a desk takes the oldest open piece of work of a step nobody holds
//!   (`FOR UPDATE SKIP LOCKED`), for a while measured by the server's clock; a claim not
//!   renewed in time is free again; finishing needs the claim still held, so no document is
//!   done twice. Every change notifies `team_changed` (LISTEN/NOTIFY) in its transaction.

mod batches;
mod error;
mod migrate;
#[cfg(feature = "testing")]
pub mod testing;
mod work;

pub use batches::{BatchRows, Day, Desk, Downloaded, Row, Save, TeamBatch};
pub use error::{TeamError, CODES};
pub use migrate::KNOWN_VERSION;
pub use work::{Claim, Step, Who};

use std::path::PathBuf;
use std::time::Duration;

/// Where the team database is and how to reach it (the password comes from the key
/// store, never from here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub dbname: String,
    pub user: String,
    /// A PEM file with the CA of the server's certificate, trusted beside the system's.
    pub ca_bundle: Option<PathBuf>,
    pub connect_timeout: Duration,
}

impl Settings {
    /// `user@host:port/dbname`, for messages and the key store.
    pub fn name(&self) -> String {
        format!("{}@{}:{}/{}", self.user, self.host, self.port, self.dbname)
    }
}

/// A connection to the team database.
pub struct Team {
    client: postgres::Client,
    server: String,
}

impl std::fmt::Debug for Team {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Team")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Team {
    /// Connects with TLS (required) and the password.
    pub fn connect(s: &Settings, password: &str) -> Result<Team, TeamError> {
        let server = s.name();
        let tls = tls(s)?;
        let mut config = postgres::Config::new();
        config
            .host(&s.host)
            .port(s.port)
            .dbname(&s.dbname)
            .user(&s.user)
            .password(password)
            .ssl_mode(postgres::config::SslMode::Require)
            .connect_timeout(s.connect_timeout)
            .application_name("eingang");
        let client = config
            .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
            .map_err(|e| TeamError::from_connect(&server, &e))?;
        Ok(Team { client, server })
    }

    /// The server as `user@host:port/dbname`.
    pub fn server(&self) -> &str {
        &self.server
    }

    pub(crate) fn client(&mut self) -> &mut postgres::Client {
        &mut self.client
    }
}

/// The TLS settings: the system's roots and the configured CA; the server's name is
/// checked (an IP address as well).
fn tls(s: &Settings) -> Result<rustls::ClientConfig, TeamError> {
    let ca: Vec<PathBuf> = s.ca_bundle.iter().cloned().collect();
    eingang_seal::tls::client_config(&ca).map_err(|e| TeamError::Tls {
        server: s.name(),
        reason: e.0,
    })
}
