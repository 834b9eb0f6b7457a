//! The scan office's stations without the app: OCR, index, quality check, release, and the
//! master data (`eingang ocr …`, `eingang batch index|qc|release`, `eingang masterdata …`).

use crate::scan::{open, queue_targets};
use eingang_capture::ocr::{self, Tesseract};
use eingang_capture::pages::segments;
use eingang_capture::{masterdata, qc};
use eingang_store::paths::DataDir;
use eingang_store::tables::masterdata as md;
use eingang_store::tables::pages;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

fn parse_index(pairs: &[String]) -> Result<Vec<(String, String)>, ExitCode> {
    pairs
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .ok_or_else(|| {
                    eprintln!("error [input.index]: {kv:?}: write NAME=VALUE");
                    ExitCode::from(2)
                })
        })
        .collect()
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

fn tesseract(lang: &str) -> Result<Tesseract, ExitCode> {
    Tesseract::find(lang).map_err(|e| {
        eprintln!("error [ocr.unavailable]: {e}");
        ExitCode::FAILURE
    })
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
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let tess = match tesseract(lang) {
        Ok(t) => t,
        Err(c) => return c,
    };
    if watch {
        let shutdown = std::sync::Arc::new(eingang_api::loops::Shutdown::default());
        let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
        let find = || Ok(tess.clone());
        let on_notice = |n: Option<String>| {
            if let Some(n) = n {
                eprintln!("error [ocr.unavailable]: {n}");
            }
        };
        eingang_api::loops::ocr_forever(&store, &find, jobs(n), &shutdown, &on_notice, &on_page);
        return ExitCode::SUCCESS;
    }
    // A named batch is read whole: pages that failed before, and pages of a profile
    // without OCR, are queued too.
    if let Some(b) = batch {
        if let Err(e) = store.with_tx(|c| pages::ocr_request(c, b)) {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    }
    let started = std::time::Instant::now();
    match ocr::run_pending(
        &store,
        &tess,
        batch,
        jobs(n),
        &AtomicBool::new(false),
        &on_page,
    ) {
        Ok(r) => {
            println!(
                "OCR: {} page(s) read, {} failed, {} words in {:.1} s",
                r.done,
                r.failed,
                r.words,
                started.elapsed().as_secs_f64()
            );
            if r.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
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
    use eingang_pdf::{PdfA, ScanOptions, ScanPdf, ScanWriter};
    let Some(level) = PdfA::parse(pdfa) else {
        eprintln!("error [input.pdfa]: --pdfa {pdfa:?}: use 1b, 2b or 3b");
        return ExitCode::from(2);
    };
    let tess = match tesseract(lang) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let mut pages = Vec::new();
    for f in files {
        match eingang_capture::read_file(f, eingang_capture::Limits::default()) {
            Ok(p) => pages.extend(p.into_iter().map(|p| p.page)),
            Err(e) => {
                eprintln!("error [{}]: {e}", e.code());
                return ExitCode::FAILURE;
            }
        }
    }
    let results = ocr::recognise_all(&tess, &pages, jobs(n));
    let write = || -> Result<usize, String> {
        let file =
            std::fs::File::create(output).map_err(|e| format!("{}: {e}", output.display()))?;
        let mut w =
            ScanWriter::new(std::io::BufWriter::new(file), level).map_err(|e| e.to_string())?;
        let mut words = 0;
        for (i, (page, result)) in pages.iter().zip(&results).enumerate() {
            let found = match result {
                Ok(found) => found.as_slice(),
                Err(e) => {
                    eprintln!("error [ocr.page]: page {}: {e}", i + 1);
                    &[]
                }
            };
            words += found.len();
            w.add_page_with_text(page, 0, found, 0)
                .map_err(|e| e.to_string())?;
        }
        let doc = ScanPdf {
            title: output
                .file_stem()
                .map_or_else(|| "Scan".into(), |s| s.to_string_lossy().into_owned()),
            language: "de".into(),
            created: eingang_store::rfc3339_utc(eingang_store::now_ms()),
            reference: output.display().to_string(),
        };
        w.finish(
            &doc,
            &ScanOptions {
                level,
                ..ScanOptions::default()
            },
        )
        .map_err(|e| e.to_string())?;
        Ok(words)
    };
    match write() {
        Ok(words) => {
            println!(
                "{}: {} page(s), {words} words",
                output.display(),
                pages.len()
            );
            if results.iter().any(Result::is_err) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error [pdf.write]: {e}");
            ExitCode::FAILURE
        }
    }
}

fn document_first_page(
    store: &eingang_store::Store,
    batch_id: &str,
    n: usize,
) -> Result<String, ExitCode> {
    let pages = store
        .with_conn(|c| pages::pages(c, batch_id))
        .map_err(|e| {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        })?;
    let segs = segments(&pages);
    segs.get(n.wrapping_sub(1))
        .map(|d| d[0].id.clone())
        .ok_or_else(|| {
            eprintln!(
                "error [input.document]: the batch has {} document(s); number {n} is not one of them",
                segs.len()
            );
            ExitCode::from(2)
        })
}

/// `eingang batch index BATCH --doc N NAME=VALUE…`: sets a document's index values,
/// checked against the master data.
pub fn index(data_dir: &DataDir, batch_id: &str, doc: usize, pairs: &[String]) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let values = match parse_index(pairs) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let first = match document_first_page(&store, batch_id, doc) {
        Ok(f) => f,
        Err(c) => return c,
    };
    let result = store.with_tx(|c| {
        let mut merged = pages::page(c, &first)?.index;
        for (k, v) in &values {
            merged.retain(|(f, _)| f != k);
            if !v.is_empty() {
                merged.push((k.clone(), v.clone()));
            }
        }
        pages::set_index_as(c, &first, &merged, "user_index")?;
        Ok((merged, md::all(c)?))
    });
    match result {
        Ok((merged, master)) => {
            let today = eingang_store::rfc3339_utc(eingang_store::now_ms());
            let errors = masterdata::validate(&master, &merged, &today[..10]);
            for e in &errors {
                eprintln!("warning [index.{}]: {}", e.code, e.message);
            }
            println!("document {doc}: {} index value(s) saved", merged.len());
            if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// `eingang batch qc BATCH [--pass N…] [--fail N --note TEXT] [--all]`: shows the check,
/// records verdicts by the person named with `--user` (four-eyes).
pub fn check(
    data_dir: &DataDir,
    batch_id: &str,
    pass: &[usize],
    fail: &[usize],
    all: bool,
    note: &str,
) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let checker = eingang_store::tables::audit::actor();
    let mut verdicts: Vec<(usize, bool)> = fail.iter().map(|n| (*n, false)).collect();
    verdicts.extend(pass.iter().map(|n| (*n, true)));
    for (n, passed) in verdicts {
        let first = match document_first_page(&store, batch_id, n) {
            Ok(f) => f,
            Err(c) => return c,
        };
        if let Err(e) = qc::record_verdict(&store, batch_id, &first, &checker, passed, note) {
            eprintln!("error [{}]: document {n}: {e}", e.code());
            return ExitCode::FAILURE;
        }
    }
    if all {
        if let Err(e) = qc::pass_open(&store, batch_id, &checker) {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    }
    let state = match qc::state(&store, batch_id) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    for (i, d) in state.documents.iter().enumerate() {
        let verdict = d.verdict.as_ref().map_or_else(
            || {
                if d.required {
                    "open".to_owned()
                } else {
                    "-".to_owned()
                }
            },
            |v| {
                format!(
                    "{} by {}",
                    if v.passed { "passed" } else { "failed" },
                    v.checker
                )
            },
        );
        println!(
            "document {}: {} page(s), {}{}, {verdict}",
            i + 1,
            d.page_ids.len(),
            if d.sampled { "drawn" } else { "not drawn" },
            if d.flags.is_empty() {
                String::new()
            } else {
                format!(", flags {}", d.flags.join(" "))
            }
        );
    }
    println!(
        "check: {} open, {} failed — {}",
        state.open,
        state.failed,
        if state.passed { "passed" } else { "not passed" }
    );
    ExitCode::SUCCESS
}

/// `eingang batch release BATCH --title T [--index NAME=VALUE]…`.
pub fn release(data_dir: &DataDir, batch_id: &str, title: &str, index: &[String]) -> ExitCode {
    let fields = match parse_index(index) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let targets = match queue_targets(data_dir) {
        Ok(t) => t,
        Err(c) => return c,
    };
    // `queue_targets` has read the configuration already: it is valid.
    let station = eingang_config::load(&data_dir.path)
        .ok()
        .and_then(|c| c.station.name);
    let request = eingang_api::batches::ReleaseRequest {
        title: title.to_owned(),
        index: fields,
        targets,
        station,
    };
    let released = batch_id
        .parse()
        .map_err(eingang_api::Error::from)
        .and_then(|b| eingang_api::batches::release(&store, &b, &request));
    match released {
        Ok(docs) => {
            for d in docs {
                let index: Vec<String> = d.index.iter().map(|(k, v)| format!("{k}={v}")).collect();
                println!(
                    "document {}: {} page(s), {}, queued{}",
                    d.id,
                    d.page_ids.len(),
                    d.pdfa,
                    if index.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", index.join(", "))
                    }
                );
            }
            println!("batch {batch_id}: released; the paper originals may be destroyed");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// `eingang masterdata import FILE`.
pub fn masterdata_import(data_dir: &DataDir, file: &Path) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error [io.read]: {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match eingang_api::station::import_masterdata(&store, &name, &bytes, |_| Ok(())) {
        Ok(i) => {
            println!(
                "{}: {} organisation unit(s), {} document type(s) imported",
                file.display(),
                i.units,
                i.doctypes
            );
            ExitCode::SUCCESS
        }
        Err(eingang_api::Error::MasterDataInvalid { errors, .. }) => {
            for e in &errors {
                eprintln!("error [masterdata.invalid]: {}: {e}", file.display());
            }
            eprintln!("nothing was imported; the master data in use stay as they were");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// `eingang masterdata list`.
pub fn masterdata_list(data_dir: &DataDir) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match store.with_conn(md::all) {
        Ok(all) => {
            for e in all {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    e.kind,
                    e.code,
                    e.label,
                    e.pattern.unwrap_or_default(),
                    e.fields.join("|")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
