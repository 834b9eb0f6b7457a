//! The mailbox on the command line (`[mailbox]` in the configuration):
//! - `eingang mail password`: the mailbox's password (one line on standard input) into the
//!   key store;
//! - `eingang mail fetch [--watch] [--limit N]`: new messages into the day's mail batch,
//!   each exactly once, moved on the server afterwards; `--watch` goes on as the app does
//!   (IDLE where the server has it) until Ctrl-C;
//! - `eingang mail status [--json]`: each mailbox's state and its messages by state.

use crate::out::{finish, json, open, status};
use eingang_api::mailbox;
use eingang_mailbox::Pass;
use eingang_store::paths::DataDir;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `eingang mail`'s subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum MailCommand {
    /// Read the mailbox: new messages become e-mail documents of the day's mail batch
    /// (exactly once) and are moved to the processed folder on the server.
    Fetch {
        /// Go on until Ctrl-C: fetch whenever the server says there is mail (IDLE) or the
        /// interval passes — what the app does.
        #[arg(long)]
        watch: bool,
        /// Take at most this many messages now (the rest wait for the next fetch).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Store the mailbox's password (one line on standard input) in the key store.
    Password,
    /// Each mailbox's state (connected, waiting, error in words), its last fetch and its
    /// messages by state.
    Status {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data_dir: &DataDir, command: &MailCommand) -> ExitCode {
    match command {
        &MailCommand::Fetch { watch, limit } => fetch(data_dir, watch, limit),
        MailCommand::Password => password(data_dir),
        &MailCommand::Status { json } => show_status(data_dir, json),
    }
}

fn print_pass(p: &Pass, refused: &AtomicUsize) {
    if let Some(b) = &p.batch {
        println!("batch {b}");
    }
    println!(
        "{} message(s) taken, {} seen before, {} refused, {} resumed, {} moved on the server{}",
        p.taken,
        p.duplicates,
        p.refused.len(),
        p.resumed,
        p.settled,
        if p.remaining > 0 {
            format!("; {} wait for the next fetch", p.remaining)
        } else {
            String::new()
        }
    );
    for r in &p.refused {
        println!("  message UID {}: refused ({})", r.uid, r.reason);
    }
    refused.fetch_add(p.refused.len(), Ordering::Relaxed);
}

fn fetch(data_dir: &DataDir, watch: bool, limit: Option<usize>) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        let refused = AtomicUsize::new(0);
        if !watch {
            let p = mailbox::fetch_once(&store, &cfg.mailbox, limit, &crate::scan::print_event)?;
            print_pass(&p, &refused);
            return Ok(status(p.refused.is_empty()));
        }
        let account = mailbox::account(&cfg.mailbox)?;
        println!("watching the mailbox {} (Ctrl-C stops)", account.name);
        let shutdown = std::sync::Arc::new(eingang_api::loops::Shutdown::default());
        let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
        let section = || Some(cfg.mailbox.clone());
        mailbox::fetch_forever(
            &store,
            &section,
            &shutdown,
            &crate::scan::print_event,
            &|_, p| match p {
                Ok(p) => print_pass(p, &refused),
                Err(e) => eprintln!("error [{}]: {e}", e.code()),
            },
        )?;
        Ok(status(refused.into_inner() == 0))
    })
}

fn password(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let account = mailbox::account(&cfg.mailbox)?;
        let store = open(data_dir)?;
        let secret = crate::sync::read_password(&account.user)?;
        mailbox::set_password(&store, &account, &secret)?;
        println!("stored the password of {}", account.name);
        Ok(ExitCode::SUCCESS)
    })
}

fn show_status(data_dir: &DataDir, as_json: bool) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let all = mailbox::status(&store)?;
        if as_json {
            let v: Vec<serde_json::Value> = all
                .iter()
                .map(|(s, counts)| {
                    serde_json::json!({
                        "account": s.account,
                        "state": s.state,
                        "detail": s.detail,
                        "last_fetch": s.last_fetch.map(eingang_store::rfc3339_utc),
                        "messages": counts.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
                    })
                })
                .collect();
            return json(&v);
        }
        if all.is_empty() {
            println!("no mailbox was read yet");
        }
        for (s, counts) in all {
            let last = s
                .last_fetch
                .map_or_else(|| "never".to_owned(), eingang_store::rfc3339_utc);
            let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            println!(
                "{}: {} (last fetch {last}); messages: {}",
                s.account,
                s.state,
                if counts.is_empty() {
                    "none".to_owned()
                } else {
                    counts.join(", ")
                }
            );
            if let Some(d) = s.detail {
                println!("  {d}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
