//! The team store from a station's side (issue 26): `[team]` made into the
//! connection's settings, the database password in the key store, and the check that
//! `eingang team check` and `eingang doctor` run — connect (TLS), bring the schema to this
//! station's version (or say the station must be updated), and what waits in the queue.

mod deliver;
mod watch;
mod work;

pub use deliver::{deliver_due, finished_waiting, DeliverReport, MAX_DELIVERING};
pub use watch::{team_forever, TeamEvents};
pub(crate) use work::released_for_team;
pub use work::{
    day, done, hand_over, let_go, renew_held, take, upload_due, view, Done, UploadReport,
};

use crate::error::{Error, Result};
use eingang_config::TeamSection;
use eingang_store::Store;
use eingang_team::{Settings, Step, Team, TeamError};
use std::time::Duration;

impl From<TeamError> for Error {
    fn from(e: TeamError) -> Self {
        Self::refused(e.code(), e.to_string())
    }
}

/// The connection's settings from `[team]`, or why there are none.
pub fn settings(section: &TeamSection) -> Result<Settings> {
    if !section.configured() {
        return Err(Error::input(
            "team.not_configured",
            "this station is not part of a team: set [team] host, database, user and roles in the machine configuration (see docs/operations.md)",
        ));
    }
    Ok(Settings {
        host: section.host.clone().unwrap_or_default(),
        port: section.port(),
        dbname: section.database.clone().unwrap_or_default(),
        user: section.user.clone().unwrap_or_default(),
        ca_bundle: section.ca_bundle.clone(),
        connect_timeout: Duration::from_secs(10),
    })
}

/// The key-store name of the team database's password.
fn secret_name(s: &Settings) -> String {
    format!("team:{}", s.name())
}

/// Stores the team database's password (the OS key store, else the encrypted store).
pub fn set_password(store: &Store, section: &TeamSection, password: &str) -> Result<()> {
    if password.is_empty() {
        return Err(Error::input("input.empty", "the password is empty").at("password"));
    }
    let s = settings(section)?;
    eingang_sync::secrets::set_password(store, &secret_name(&s), password)?;
    Ok(())
}

/// Connects to the team database with the stored password and brings its schema to this
/// station's version.
pub fn connect(store: &Store, section: &TeamSection) -> Result<Team> {
    let s = settings(section)?;
    let password = eingang_sync::secrets::password(store, &secret_name(&s))?.ok_or_else(|| {
        Error::refused(
            "team.no_password",
            format!(
                "no password is stored for the team database {}: store it with `eingang team password`",
                s.name()
            ),
        )
    })?;
    let mut team = Team::connect(&s, &password)?;
    team.migrate()?;
    Ok(team)
}

/// What the check found: the server, the schema, this station's roles, the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCheck {
    pub server: String,
    pub schema: u32,
    pub roles: Vec<String>,
    /// Per step: open work, and how much of it a desk holds now.
    pub queue: Vec<(&'static str, i64, i64)>,
    /// The event log: how many entries, and the first that breaks its hash chain.
    pub events: i64,
    pub broken_at: Option<i64>,
}

/// Connects, migrates, and reads the queue.
pub fn check(store: &Store, section: &TeamSection) -> Result<TeamCheck> {
    let mut team = connect(store, section)?;
    let mut queue = Vec::new();
    for step in [Step::Index, Step::Check, Step::Release, Step::Deliver] {
        let (open, held) = team.queue(step)?;
        queue.push((step.as_str(), open, held));
    }
    let (events, broken_at) = team.verify_events()?;
    Ok(TeamCheck {
        events,
        broken_at,
        server: team.server().to_owned(),
        schema: team.schema_version()?.unwrap_or(0),
        roles: section.roles.clone(),
        queue,
    })
}
