//! The scan office's stations without the app: OCR, index, quality check, release, and the
//! master data (`eingang ocr …`, `eingang batch index|qc|release`, `eingang masterdata …`).
//! Each subcommand checks its arguments, makes one call into `eingang_api` and prints.

use crate::out::{finish, open, status, unless_empty, usage, Exit};
use eingang_api::station;
use eingang_capture::ocr::{self, Tesseract};
use eingang_model::BatchId;
use eingang_store::paths::DataDir;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn parse_index(pairs: &[String]) -> Result<Vec<(String, String)>, Exit> {
    pairs
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| usage("input.index", format!("{kv:?}: write NAME=VALUE")))
        })
        .collect()
}

pub(crate) fn batch_id(id: &str) -> Result<BatchId, Exit> {
    Ok(id.parse().map_err(eingang_api::Error::from)?)
}

fn jobs(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

#[allow(clippy::ref_option)]
fn on_page(id: &str, r: &Result<usize, ocr::OcrError>) {
    match r {
        Ok(words) => eprintln!("page {id}: {words} words"),
        Err(e) => eprintln!("error [ocr.page]: page {id}: {e}"),
    }
}

fn tesseract(lang: &str) -> Result<Tesseract, Exit> {
    Tesseract::find(lang).map_err(|e| crate::out::failed("ocr.unavailable", e))
}

/// `eingang ocr run [--batch B] [--watch]`: works the OCR queue until it is empty (or, with
/// `--watch`, until Ctrl-C — the app's loop, `eingang_api::loops::ocr_forever`).
pub fn run(
    data_dir: &DataDir,
    batch: Option<&str>,
    lang: &str,
    n: Option<usize>,
    watch: bool,
) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let tess = tesseract(lang)?;
        if watch {
            return Ok(ocr_watch(&store, &tess, jobs(n)));
        }
        let batch = batch.map(batch_id).transpose()?;
        let started = std::time::Instant::now();
        let r = station::ocr(&store, &tess, batch.as_ref(), jobs(n), &on_page)?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "OCR: {} page(s) read, {} failed, {} words in {secs:.1} s",
            r.done, r.failed, r.words
        );
        Ok(status(r.failed == 0))
    })
}

fn ocr_watch(store: &eingang_store::Store, tess: &Tesseract, jobs: usize) -> ExitCode {
    let shutdown = std::sync::Arc::new(eingang_api::loops::Shutdown::default());
    let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
    let find = || Ok(tess.clone());
    let on_notice = |n: Option<String>| {
        if let Some(n) = n {
            eprintln!("error [ocr.unavailable]: {n}");
        }
    };
    eingang_api::loops::ocr_forever(store, &find, jobs, &shutdown, &on_notice, &on_page);
    ExitCode::SUCCESS
}

/// `eingang ocr files IMAGE… -o OUT.pdf`: a searchable PDF/A from image files, pages read in
/// parallel (the benchmark's side of the comparison with OCRmyPDF).
pub fn files(
    files: &[PathBuf],
    output: &Path,
    lang: &str,
    n: Option<usize>,
    pdfa: &str,
) -> ExitCode {
    finish(|| {
        let level = crate::scan::pdfa(pdfa)?;
        let tess = tesseract(lang)?;
        let (w, words) = eingang_api::files::ocr_pdf(
            files,
            output,
            level,
            &tess,
            jobs(n),
            &crate::scan::print_notice,
        )?;
        println!("{}: {} page(s), {words} words", output.display(), w.pages);
        Ok(status(w.skipped == 0))
    })
}

/// `eingang batch index BATCH --doc N NAME=VALUE…`: sets a document's index values,
/// checked against the master data.
pub fn index(data_dir: &DataDir, batch: &str, doc: usize, pairs: &[String]) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let values = parse_index(pairs)?;
        let today = eingang_store::rfc3339_utc(eingang_store::now_ms());
        let m = station::merge_index(&store, &batch_id(batch)?, doc, &values, &today[..10])?;
        for e in &m.problems {
            eprintln!("warning [index.{}]: {}", e.code, e.message);
        }
        println!("document {doc}: {} index value(s) saved", m.values.len());
        Ok(status(m.problems.is_empty()))
    })
}

/// `eingang batch qc BATCH [--pass N…] [--fail N --note TEXT] [--all]`: shows the check,
/// records verdicts by the person named with `--user` (four-eyes).
pub fn check(
    data_dir: &DataDir,
    batch: &str,
    pass: &[usize],
    fail: &[usize],
    all: bool,
    note: &str,
) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let mut verdicts: Vec<(usize, bool)> = fail.iter().map(|n| (*n, false)).collect();
        verdicts.extend(pass.iter().map(|n| (*n, true)));
        let state = station::check(&store, &batch_id(batch)?, &verdicts, all, note)?;
        print_check(&state);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_check(state: &eingang_capture::qc::QcState) {
    for (i, d) in state.documents.iter().enumerate() {
        let verdict = match &d.verdict {
            Some(v) => format!(
                "{} by {}",
                if v.passed { "passed" } else { "failed" },
                v.checker
            ),
            None if d.required => "open".to_owned(),
            None => "-".to_owned(),
        };
        let flags = unless_empty(&d.flags.join(" "), |f| format!(", flags {f}"));
        let drawn = if d.sampled { "drawn" } else { "not drawn" };
        println!(
            "document {}: {} page(s), {drawn}{flags}, {verdict}",
            i + 1,
            d.page_ids.len()
        );
    }
    let passed = if state.passed { "passed" } else { "not passed" };
    println!(
        "check: {} open, {} failed — {passed}",
        state.open, state.failed
    );
}

/// `eingang batch release BATCH --title T [--index NAME=VALUE]…`.
pub fn release(data_dir: &DataDir, batch: &str, title: &str, index: &[String]) -> ExitCode {
    finish(|| {
        let index = parse_index(index)?;
        let store = open(data_dir)?;
        let cfg = eingang_config::load(&data_dir.path)?;
        let request = eingang_api::batches::ReleaseRequest {
            title: title.to_owned(),
            index,
            targets: crate::scan::queue_targets(&cfg, data_dir),
            station: cfg.station.name,
        };
        for d in eingang_api::batches::release(&store, &batch_id(batch)?, &request)? {
            let index: Vec<String> = d.index.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let index = unless_empty(&index.join(", "), |i| format!(" ({i})"));
            println!(
                "document {}: {} page(s), {}, queued{index}",
                d.id,
                d.page_ids.len(),
                d.pdfa
            );
        }
        println!("batch {batch}: released; the paper originals may be destroyed");
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang masterdata import FILE`.
pub fn masterdata_import(data_dir: &DataDir, file: &Path) -> ExitCode {
    finish(|| {
        let bytes = std::fs::read(file)
            .map_err(|e| crate::out::failed("io.read", format!("{}: {e}", file.display())))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let store = open(data_dir)?;
        match station::import_masterdata(&store, &name, &bytes, |_| Ok(())) {
            Ok(i) => println!(
                "{}: {} organisation unit(s), {} document type(s) imported",
                file.display(),
                i.units,
                i.doctypes
            ),
            Err(eingang_api::Error::MasterDataInvalid { errors, .. }) => {
                for e in &errors {
                    eprintln!("error [masterdata.invalid]: {}: {e}", file.display());
                }
                eprintln!("nothing was imported; the master data in use stay as they were");
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang masterdata list`.
pub fn masterdata_list(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        for e in store.with_conn(eingang_store::tables::masterdata::all)? {
            let (pattern, fields) = (e.pattern.unwrap_or_default(), e.fields.join("|"));
            println!("{}\t{}\t{}\t{pattern}\t{fields}", e.kind, e.code, e.label);
        }
        Ok(ExitCode::SUCCESS)
    })
}
