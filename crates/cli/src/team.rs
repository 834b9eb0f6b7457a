//! The team database on the command line (`[team]` in the machine configuration):
//! - `eingang team password`: the database password (one line on standard input) into the
//!   key store;
//! - `eingang team check [--json]`: connect (TLS), bring the schema to this station's
//!   version, and say what waits in the shared queue;
//! - the shared work: `hand-over BATCH` (capture), `upload` (what waits for the server),
//!   `take STEP` (claim the next index/check/release work and bring its batch here),
//!   `done CLAIM` (send back what this desk did, queue the next step), `let-go CLAIM`,
//!   `day` (the office's live state);
//! - `deliver [--watch]` (the deliver role): take the team's released documents, deliver
//!   them to this station's targets and finish each once its receipt is here.

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
    /// Hand a scanned batch over to the team (capture role): its documents wait to be
    /// indexed. Without the server it waits here and goes up when the server is back.
    HandOver {
        batch: String,
        #[arg(long)]
        json: bool,
    },
    /// Send what waits for the team store (hand-overs made while the server was away).
    Upload {
        #[arg(long)]
        json: bool,
        /// Keep running: send whenever the server can be reached, and print the changes
        /// other desks make (for headless capture stations).
        #[arg(long, conflicts_with = "json")]
        watch: bool,
    },
    /// Claim the next open work of a step (index, check, release) and bring its batch into
    /// this station's store.
    Take {
        step: String,
        #[arg(long)]
        json: bool,
    },
    /// Send back what this desk did with the claimed work and mark it done.
    Done {
        claim: i64,
        #[arg(long)]
        json: bool,
    },
    /// Give claimed work back unfinished: another desk can take it.
    LetGo { claim: i64 },
    /// Deliver the team's released documents (deliver role): claim them, deliver them to
    /// this station's targets, finish each once delivered.
    Deliver {
        #[arg(long)]
        json: bool,
        /// Keep running until Ctrl-C (a headless deliver station).
        #[arg(long, conflicts_with = "json")]
        watch: bool,
    },
    /// The office's day: pages, batches, work waiting per step, who works on what.
    Day {
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data_dir: &DataDir, command: &TeamCommand) -> ExitCode {
    match command {
        TeamCommand::Password => password(data_dir),
        &TeamCommand::Check { json } => check(data_dir, json),
        TeamCommand::HandOver { batch, json } => hand_over(data_dir, batch, *json),
        &TeamCommand::Upload { json, watch } => upload(data_dir, json, watch),
        TeamCommand::Take { step, json } => take(data_dir, step, *json),
        &TeamCommand::Done { claim, json } => done(data_dir, claim, json),
        &TeamCommand::LetGo { claim } => let_go(data_dir, claim),
        &TeamCommand::Deliver { json, watch } => deliver(data_dir, json, watch),
        &TeamCommand::Day { json } => day(data_dir, json),
    }
}

fn hand_over(data_dir: &DataDir, batch: &str, as_json: bool) -> ExitCode {
    finish(|| {
        let batch = crate::args::batch_id(batch)?;
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        let r = team::hand_over(&store, &cfg, &batch)?;
        print_upload(&r, as_json)
    })
}

fn upload(data_dir: &DataDir, as_json: bool, watch: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        if !watch {
            let r = team::upload_due(&store, &cfg)?;
            return print_upload(&r, as_json);
        }
        team::settings(&cfg.team)?;
        println!("sending to the team store and listening for changes (Ctrl-C stops)");
        let shutdown = std::sync::Arc::new(eingang_api::loops::Shutdown::default());
        let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
        let config = || eingang_config::load(&data_dir.path).ok();
        let targets =
            || config().map_or_else(Vec::new, |c| crate::args::queue_targets(&c, data_dir));
        let events = team::TeamEvents {
            on_change: &|batch| println!("changed at another desk: batch {batch}"),
            on_upload: &|r| match r {
                Ok(r) if r.sent > 0 || !r.waiting.is_empty() => {
                    let _ = print_upload(&r, false);
                }
                Ok(_) => {}
                Err(e) => eprintln!("error [{}]: {e}", e.code()),
            },
            on_deliver: &|r| match r {
                Ok(r) => print_deliver(&r),
                Err(e) => eprintln!("error [{}]: {e}", e.code()),
            },
        };
        team::team_forever(&store, &config, &targets, &shutdown, &events);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_upload(r: &team::UploadReport, as_json: bool) -> crate::out::Run {
    if as_json {
        let waiting: Vec<serde_json::Value> = r
            .waiting
            .iter()
            .map(|(b, why)| serde_json::json!({"batch": b, "reason": why}))
            .collect();
        return json(&serde_json::json!({
            "sent": r.sent, "handed": r.handed, "blobs": r.blobs, "waiting": waiting,
        }));
    }
    println!(
        "{} batch(es) sent to the team store ({} handed over, {} page image(s))",
        r.sent, r.handed, r.blobs
    );
    for (b, why) in &r.waiting {
        println!("  {b} waits here: {why}");
    }
    Ok(ExitCode::SUCCESS)
}

fn take(data_dir: &DataDir, step: &str, as_json: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        let targets = crate::args::queue_targets(&cfg, data_dir);
        let taken = team::take(&store, &cfg, step, &targets)?;
        if as_json {
            return json(&taken.map_or(serde_json::Value::Null, |t| {
                serde_json::json!({
                    "claim": t.claim, "step": t.step, "batch": t.batch, "item": t.item,
                    "document": t.document,
                })
            }));
        }
        match taken {
            None => println!("no {step} work waits"),
            Some(t) => println!(
                "claim {}: {} {}{} of batch {} (brought into this station's store)",
                t.claim,
                t.step,
                t.item,
                t.document
                    .map(|n| format!(" (document {n})"))
                    .unwrap_or_default(),
                t.batch
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn done(data_dir: &DataDir, claim: i64, as_json: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        let d = team::done(&store, &cfg, claim)?;
        if as_json {
            let next: Vec<serde_json::Value> = d
                .next
                .iter()
                .map(|(s, i)| serde_json::json!({"step": s, "item": i}))
                .collect();
            return json(&serde_json::json!({
                "step": d.step, "batch": d.batch, "pages": d.pages, "verdicts": d.verdicts,
                "documents": d.documents, "next": next,
            }));
        }
        println!(
            "{} done: {} page(s) and {} verdict(s) sent",
            d.step, d.pages, d.verdicts
        );
        if d.documents > 0 {
            println!(
                "  {} document(s) to the team store: a station with the deliver role delivers them",
                d.documents
            );
        }
        for (s, i) in &d.next {
            println!("  queued: {s} {i}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// How long a deliver station waits between rounds while nothing is held.
const DELIVER_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

fn deliver(data_dir: &DataDir, as_json: bool, watch: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = std::sync::Arc::new(open(data_dir)?);
        let targets = crate::args::queue_targets(&cfg, data_dir);
        let rt = crate::sync::runtime();
        // Take, deliver, finish: what went out in this round is finished in it.
        let round = |quiet: bool| -> Result<(team::DeliverReport, bool), crate::out::Exit> {
            // What this station holds stays its own while the DMS takes its time; what it
            // lost (it was away) leaves its outbox.
            team::renew_held(&store, &cfg)?;
            let taken = team::deliver_due(&store, &cfg, &targets, true)?;
            let ok = taken.delivering == 0 || crate::sync::round(&store, &rt, quiet)?;
            let finished = team::deliver_due(&store, &cfg, &targets, false)?;
            Ok((
                team::DeliverReport {
                    taken: taken.taken,
                    finished: taken.finished + finished.finished,
                    delivering: finished.delivering,
                },
                ok,
            ))
        };
        if !watch {
            let (r, ok) = round(as_json)?;
            if as_json {
                return json(&serde_json::json!({
                    "taken": r.taken, "finished": r.finished, "delivering": r.delivering,
                }));
            }
            print_deliver(&r);
            return Ok(crate::out::status(ok));
        }
        println!("delivering the team's released documents (Ctrl-C stops)");
        let shutdown = std::sync::Arc::new(eingang_api::loops::Shutdown::default());
        let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
        while !shutdown.is_requested() {
            // A failed round was printed; the next one tries again.
            if let Ok((r, _)) = round(false) {
                if r.taken + r.finished > 0 {
                    print_deliver(&r);
                }
            }
            shutdown.sleep_blocking(DELIVER_EVERY);
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn print_deliver(r: &team::DeliverReport) {
    println!(
        "delivering for the team: {} document(s) taken, {} delivered and finished, {} waiting in the outbox",
        r.taken, r.finished, r.delivering
    );
}

fn let_go(data_dir: &DataDir, claim: i64) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        team::let_go(&store, &cfg, claim)?;
        println!("claim {claim} given back");
        Ok(ExitCode::SUCCESS)
    })
}

fn day(data_dir: &DataDir, as_json: bool) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let store = open(data_dir)?;
        let d = team::day(&store, &cfg)?;
        if as_json {
            let waiting: Vec<serde_json::Value> = d
                .waiting
                .iter()
                .map(|(s, open, held)| serde_json::json!({"step": s.as_str(), "open": open, "held": held}))
                .collect();
            let desks: Vec<serde_json::Value> = d
                .desks
                .iter()
                .map(|k| serde_json::json!({"station": k.station, "person": k.person, "step": k.step.as_str(), "item": k.item, "batch": k.batch}))
                .collect();
            let batches: serde_json::Map<String, serde_json::Value> = d
                .batches
                .iter()
                .map(|(s, n)| (s.clone(), (*n).into()))
                .collect();
            let today: Vec<serde_json::Value> = d
                .today
                .iter()
                .map(|b| serde_json::json!({"id": b.id, "name": b.name, "station": b.station, "state": b.state, "pages": b.pages, "open": b.open}))
                .collect();
            return json(&serde_json::json!({
                "pages_today": d.pages_today, "batches": batches, "waiting": waiting, "desks": desks,
                "today": today,
            }));
        }
        println!("pages scanned today: {}", d.pages_today);
        for (s, n) in &d.batches {
            println!("  batches {s}: {n}");
        }
        for (s, open, held) in &d.waiting {
            println!("  {}: {open} open, {held} held by a desk now", s.as_str());
        }
        for k in &d.desks {
            println!(
                "  {} at {}: {} {}",
                k.person,
                k.station,
                k.step.as_str(),
                k.item
            );
        }
        Ok(ExitCode::SUCCESS)
    })
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
                "events": c.events,
                "broken_at": c.broken_at,
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
        match c.broken_at {
            None => println!("event log: {} entries, chain intact", c.events),
            Some(seq) => {
                println!(
                    "event log: {} entries, chain BROKEN at entry {seq} — an entry was changed or removed outside Eingang; keep the database as it is and tell IT",
                    c.events
                );
                return Ok(ExitCode::FAILURE);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
