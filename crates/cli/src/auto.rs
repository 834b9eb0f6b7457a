//! Automatic indexing without the app: `eingang batch suggest|autoindex|documents`,
//! `eingang model status|reset`, and the `--auto` of `eingang import`.

use crate::args::batch_id;
use crate::out::{finish, json, open};
use eingang_api::{auto, straight_through};
use eingang_model::auto::{BatchSuggestions, ModelStatus};
use eingang_store::paths::DataDir;
use std::process::ExitCode;

/// `eingang batch suggest BATCH [--json]`.
pub fn suggest(data_dir: &DataDir, batch: &str, as_json: bool) -> ExitCode {
    finish(|| {
        let s = auto::suggest(&open(data_dir)?, &batch_id(batch)?)?;
        if as_json {
            return json(&s);
        }
        print_suggestions(&s);
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang batch autoindex BATCH [--boundaries C] [--values C] [--release C]`: without
/// any, what the batch's profile allows (straight-through release included).
pub fn apply(
    data_dir: &DataDir,
    batch: &str,
    boundaries: Option<f32>,
    values: Option<f32>,
    release: Option<f32>,
) -> ExitCode {
    finish(|| {
        let (store, id) = (open(data_dir)?, batch_id(batch)?);
        let base = release_base(data_dir, &store, &id)?;
        if boundaries.is_none() && values.is_none() && release.is_none() {
            print_run(&straight_through::run_after_ocr(&store, &id, &base)?);
            return Ok(ExitCode::SUCCESS);
        }
        print_applied(&auto::apply(&store, &id, boundaries, values)?);
        if let Some(min) = release {
            print_straight_through(&straight_through::straight_through(
                &store, &id, min, &base,
            )?);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// What a straight-through release needs: the configuration's targets and evidence, the
/// batch's name as the documents' title.
fn release_base(
    data_dir: &DataDir,
    store: &eingang_store::Store,
    batch: &eingang_model::BatchId,
) -> Result<eingang_api::release::ReleaseRequest, crate::out::Exit> {
    let name = eingang_api::batches::get(store, batch)?.name;
    crate::args::release_request(data_dir, &name, &[])
}

/// After `eingang import --auto`: the batch read now (OCR), then what its profile allows —
/// suggestions applied, and straight-through release where the profile asks for it.
pub(crate) fn after_import(
    data_dir: &DataDir,
    store: &eingang_store::Store,
    batch: &eingang_model::BatchId,
) -> Result<(), crate::out::Exit> {
    let cfg = eingang_config::load(&data_dir.path)?;
    let tess = eingang_api::loops::tesseract(&cfg.scan)
        .map_err(|e| crate::out::failed("ocr.unavailable", e))?;
    let jobs = crate::args::jobs(None);
    let read = eingang_api::station::ocr(store, &tess, Some(batch), jobs, &|_, _| {})?;
    println!("OCR: {} page(s) read, {} failed", read.done, read.failed);
    let base = release_base(data_dir, store, batch)?;
    print_run(&straight_through::run_after_ocr(store, batch, &base)?);
    Ok(())
}

/// In `eingang ocr run --watch`: automatic indexing of every batch read (and quiet for
/// [`eingang_api::straight_through::QUIET`]), as its profile allows; what it did is printed.
pub(crate) fn run_due(data_dir: &DataDir, store: &eingang_store::Store) {
    let base = || {
        // The configuration's problem is printed as it is read.
        crate::args::release_request(data_dir, "", &[])
            .map_err(|_| eingang_api::Error::Internal("the configuration cannot be read".into()))
    };
    match straight_through::run_due(store, straight_through::QUIET, &base) {
        Ok(runs) => {
            for (batch, r) in runs {
                match r {
                    Ok(r) => {
                        println!("batch {batch}: automatic indexing");
                        print_run(&r);
                    }
                    Err(e) => eprintln!("error [{}]: batch {batch}: {e}", e.code()),
                }
            }
        }
        Err(e) => eprintln!("error [{}]: {e}", e.code()),
    }
}

fn print_run(r: &straight_through::AutoRun) {
    print_applied(&r.applied);
    print_straight_through(&r.straight_through);
}

fn print_straight_through(s: &straight_through::StraightThrough) {
    if let Some(split) = &s.batch {
        let waiting = if s.waiting {
            " (the release waits for a service and is tried again)"
        } else {
            ""
        };
        println!(
            "{} document(s) released straight through as batch {split}{waiting}",
            s.released
        );
    }
    for h in &s.held {
        println!(
            "document {:>4} left for a person: {}",
            h.number,
            h.reasons.join(", ")
        );
    }
}

pub(crate) fn print_applied(r: &auto::Applied) {
    println!(
        "{} document start(s) changed, {} set by hand kept, {} index value(s) filled",
        r.breaks, r.kept_by_hand, r.values
    );
}

/// `eingang batch documents BATCH [--json]`: the documents as the batch is cut now, with
/// their index values and the suggestions for them.
pub fn documents(data_dir: &DataDir, batch: &str, as_json: bool) -> ExitCode {
    finish(|| {
        let docs = auto::documents(&open(data_dir)?, &batch_id(batch)?)?;
        if as_json {
            return json(&docs);
        }
        print_documents(&docs);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_documents(docs: &[auto::CurrentDocument]) {
    for d in docs {
        let values: Vec<String> = d.index.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!(
            "document {:>4}  {} page(s)  {}",
            d.number,
            d.pages.len(),
            values.join("  ")
        );
        print_fields(&d.suggestions);
    }
}

fn print_fields(fields: &[eingang_model::auto::FieldSuggestion]) {
    for f in fields {
        println!(
            "    suggested {:<22} {:<40} {:>4.0} %  ({})",
            f.field,
            f.value,
            f.confidence * 100.0,
            f.source
        );
    }
}

fn print_suggestions(s: &BatchSuggestions) {
    if s.ocr_pending > 0 {
        println!(
            "{} page(s) wait for OCR: their suggestions come when it has read them (`eingang ocr run --batch {}`)",
            s.ocr_pending, s.batch_id
        );
    }
    for (i, p) in s.pages.iter().enumerate() {
        let turn = match (p.turn_degrees, p.turned_by.as_str()) {
            (0, _) => String::new(),
            (d, by) => format!("turned {d}° ({by})"),
        };
        let start = if p.starts_document {
            "starts a document"
        } else {
            "continues"
        };
        println!(
            "page {:>5}  {:<24} {:<18} {}{:<17} {:>4.0} %  {}",
            i + 1,
            format!("{}#{}", p.source, p.source_page + 1),
            turn,
            if p.blank { "blank, " } else { "" },
            start,
            p.start_confidence * 100.0,
            p.signs.join(", ")
        );
    }
    for (k, d) in s.documents.iter().enumerate() {
        println!("document {:>4}: {} page(s)", k + 1, d.page_ids.len());
        print_fields(&d.fields);
    }
    println!("model: {}", s.model);
}

/// `eingang model status [--json]`.
pub fn model_status(data_dir: &DataDir, as_json: bool) -> ExitCode {
    finish(|| {
        let s = auto::model_status(&open(data_dir)?)?;
        if as_json {
            return json(&s);
        }
        print_status(&s);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_status(s: &ModelStatus) {
    let state = match s.state.as_str() {
        "ready" => "ready",
        "empty" => "empty: nothing learned yet (it learns from every released document)",
        "damaged" => {
            "damaged: it cannot be read and is not used; `eingang model reset` starts it afresh"
        }
        "newer" => {
            "made by a newer Eingang: not used here; update Eingang or `eingang model reset`"
        }
        other => other,
    };
    println!("model: {state} (format {})", s.format);
    println!("learned from {} released document(s)", s.examples);
    for (code, n) in &s.per_type {
        println!("  type {code}: {n}");
    }
    for (code, n) in &s.per_unit {
        println!("  unit {code}: {n}");
    }
}

/// `eingang model reset`.
pub fn model_reset(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let n = auto::model_reset(&open(data_dir)?)?;
        println!("model reset: {n} learned example(s) forgotten; index values already given stay");
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang model retrain`.
pub fn model_retrain(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let n = auto::retrain(&open(data_dir)?)?;
        println!("model trained on {n} released document(s)");
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang model examples [--type CODE] [--limit N] [--json]`.
pub fn model_examples(
    data_dir: &DataDir,
    doctype: Option<&str>,
    limit: u32,
    as_json: bool,
) -> ExitCode {
    finish(|| {
        let learned = auto::model_examples(&open(data_dir)?, doctype, limit)?;
        if as_json {
            return json(&learned);
        }
        println!("{} learned example(s), most recent first", learned.len());
        for e in &learned {
            println!(
                "{}  {}  type {}  unit {}  {} ({})",
                e.document_id,
                &eingang_store::rfc3339_utc(e.at)[..10],
                if e.doctype.is_empty() {
                    "-"
                } else {
                    &e.doctype
                },
                if e.unit.is_empty() { "-" } else { &e.unit },
                e.title.as_deref().unwrap_or("-"),
                e.batch.as_deref().unwrap_or("-")
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang model forget DOCUMENT…`.
pub fn model_forget(data_dir: &DataDir, documents: &[String]) -> ExitCode {
    finish(|| {
        let ids = documents
            .iter()
            .map(|d| {
                d.parse::<eingang_model::DocumentId>().map_err(|_| {
                    eingang_api::Error::input(
                        "input.bad_id",
                        format!("{d} is not a document id; `eingang model examples` lists them"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = auto::model_forget(&open(data_dir)?, &ids)?;
        println!(
            "forgotten: {} document(s); the model is trained afresh on {n} released document(s)",
            ids.len()
        );
        Ok(ExitCode::SUCCESS)
    })
}
