//! The team database on the command line (`[team]` in the machine configuration):
//! - `eingang team password`: the database password (one line on standard input) into the
//!   key store;
//! - `eingang team check [--json]`: connect (TLS), bring the schema to this station's
//!   version, and say what waits in the shared queue.

use crate::out::{finish, json, open};
use eingang_api::team;
use eingang_store::paths::DataDir;
use std::process::ExitCode;

/// `eingang team`'s subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TeamCommand {
    /// Store the team database's password (one line on standard input) in the key store.
    Password,
    /// Connect to the team database, bring its schema to this station's version and show
    /// the shared queue.
    Check {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data_dir: &DataDir, command: &TeamCommand) -> ExitCode {
    match command {
        TeamCommand::Password => password(data_dir),
        &TeamCommand::Check { json } => check(data_dir, json),
    }
}

fn password(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let settings = team::settings(&cfg.team)?;
        let store = open(data_dir)?;
        let secret = crate::sync::read_password(&settings.user)?;
        team::set_password(&store, &cfg.team, &secret)?;
        println!("stored the password of {}", settings.name());
        Ok(ExitCode::SUCCESS)
    })
}

fn check(data_dir: &DataDir, as_json: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        let c = team::check(&store, &cfg.team)?;
        if as_json {
            let queue: Vec<serde_json::Value> = c
                .queue
                .iter()
                .map(|(step, open, held)| serde_json::json!({"step": step, "open": open, "held": held}))
                .collect();
            return json(&serde_json::json!({
                "server": c.server,
                "schema": c.schema,
                "roles": c.roles,
                "queue": queue,
            }));
        }
        println!(
            "team database {}: connected (TLS), schema {} (this station knows {})",
            c.server,
            c.schema,
            eingang_team::KNOWN_VERSION
        );
        println!("this station's roles: {}", c.roles.join(", "));
        for (step, open, held) in &c.queue {
            println!("  {step}: {open} open, {held} held by a desk now");
        }
        Ok(ExitCode::SUCCESS)
    })
}
