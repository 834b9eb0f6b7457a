//! Automatic indexing without the app: `eingang batch suggest|autoindex|documents`,
//! `eingang model status|reset`, and the `--auto` of `eingang import`.

use crate::args::batch_id;
use crate::out::{finish, json, open};
use eingang_api::auto;
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

/// `eingang batch autoindex BATCH [--boundaries C] [--values C]`: without either, what the
/// batch's profile allows.
pub fn apply(
    data_dir: &DataDir,
    batch: &str,
    boundaries: Option<f32>,
    values: Option<f32>,
) -> ExitCode {
    finish(|| {
        let (store, id) = (open(data_dir)?, batch_id(batch)?);
        print_applied(&auto::apply_or_profile(&store, &id, boundaries, values)?);
        Ok(ExitCode::SUCCESS)
    })
}

/// After `eingang import --auto`: the batch read now (OCR), then what its profile allows.
pub(crate) fn after_import(
    store: &eingang_store::Store,
    batch: &eingang_model::BatchId,
) -> Result<(), crate::out::Exit> {
    let tess = eingang_capture::ocr::Tesseract::find("deu+eng")
        .map_err(|e| crate::out::failed("ocr.unavailable", e))?;
    let jobs = crate::args::jobs(None);
    let read = eingang_api::station::ocr(store, &tess, Some(batch), jobs, &|_, _| {})?;
    println!("OCR: {} page(s) read, {} failed", read.done, read.failed);
    print_applied(&auto::apply_profile(store, batch)?);
    Ok(())
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
