//! `eingang retention run|drafts` and `eingang batch hold`.

use crate::args::batch_id;
use crate::out::{finish, open};
use eingang_store::paths::DataDir;
use std::process::ExitCode;

/// `eingang retention run`: what the configuration allows, purged now.
pub fn run(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let (cfg, store) = (eingang_config::load(&data_dir.path)?, open(data_dir)?);
        if !cfg.retention.enabled() {
            println!("retention is off ([retention] enabled = false): nothing purged");
            return Ok(ExitCode::SUCCESS);
        }
        let p = eingang_api::retention::run(&store, &cfg.retention)?;
        print_purged(&p, &cfg.retention);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_purged(p: &eingang_store::retention::Purged, r: &eingang_config::RetentionSection) {
    println!(
        "purged: page images of {} batch(es) ({} pages; after {} days), {} document(s) (after {} days; {} learned example(s) forgotten with them), {} submission(s) (after {} days); {} file(s), {} bytes freed, {} bytes of the database returned to the disk; {} batch(es) on legal hold kept",
        p.batches, p.pages, r.scans_days(), p.documents, r.documents_days(), p.examples, p.submissions,
        r.submissions_days(), p.blobs, p.bytes, p.reclaimed, p.held
    );
}

/// `eingang compact`: the database rewritten once with incremental auto-vacuum.
pub fn compact(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let (before, after) = store.compact()?;
        println!(
            "database rewritten: {} → {} MiB; from now on the retention purge returns freed space to the disk",
            before >> 20,
            after >> 20
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang retention drafts`: drafts untouched for longer than the configured days.
pub fn drafts(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let (cfg, store) = (eingang_config::load(&data_dir.path)?, open(data_dir)?);
        let old = eingang_api::retention::old_drafts(&store, &cfg.retention)?;
        print_drafts(&old, cfg.retention.drafts_listed_days());
        Ok(ExitCode::SUCCESS)
    })
}

fn print_drafts(old: &[eingang_model::DraftSummary], days: u32) {
    println!(
        "{} draft(s) untouched for more than {days} days (never deleted automatically)",
        old.len()
    );
    for d in old {
        let at = eingang_store::rfc3339_utc(d.updated_at);
        println!(
            "{}\t{} {}\tlast changed {at}",
            d.id, d.form_id, d.form_version
        );
    }
}

/// `eingang batch hold BATCH [--lift]`.
pub fn hold(data_dir: &DataDir, batch: &str, on: bool) -> ExitCode {
    finish(|| {
        let b = eingang_api::retention::hold(&open(data_dir)?, &batch_id(batch)?, on)?;
        let said = if b.hold {
            "on legal hold: never purged"
        } else {
            "hold lifted"
        };
        println!("batch {}: {said}", b.id);
        Ok(ExitCode::SUCCESS)
    })
}
