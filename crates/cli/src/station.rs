//! The scan office's stations without the app: OCR, index, quality check, release, and the
//! master data (`eingang ocr …`, `eingang batch index|qc|release`, `eingang masterdata …`).
//! Each subcommand checks its arguments, makes one call into `eingang_api` and prints.

use crate::args::{batch_id, index_pairs, jobs, pdfa};
use crate::out::{failed, finish, open, print_notice, status, unless_empty, Exit, Run};
use eingang_api::station;
use eingang_capture::ocr::{self, Tesseract};
use eingang_store::paths::DataDir;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[allow(clippy::ref_option)]
fn on_page(id: &eingang_model::PageId, r: &Result<usize, ocr::OcrError>) {
    match r {
        Ok(words) => eprintln!("page {id}: {words} words"),
        Err(e) => eprintln!("error [ocr.page]: page {id}: {e}"),
    }
}

fn tesseract(lang: &str) -> Result<Tesseract, Exit> {
    Tesseract::find(lang).map_err(|e| failed("ocr.unavailable", e))
}

/// `eingang ocr run`'s arguments.
#[derive(Debug, clap::Args)]
pub struct OcrRunArgs {
    #[arg(long)]
    batch: Option<String>,
    #[arg(long, default_value = "deu+eng")]
    lang: String,
    /// Pages read at once (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Keep reading pages as they arrive, until Ctrl-C (the app's OCR loop).
    #[arg(long, conflicts_with = "batch")]
    watch: bool,
}

/// `eingang ocr run [--batch B] [--watch]`: works the OCR queue until it is empty (or, with
/// `--watch`, until Ctrl-C — the app's loop, `eingang_api::loops::ocr_forever`).
pub fn run(data_dir: &DataDir, a: &OcrRunArgs) -> ExitCode {
    finish(|| {
        let (store, tess) = (open(data_dir)?, tesseract(&a.lang)?);
        if a.watch {
            return Ok(ocr_watch(data_dir, &store, &tess, jobs(a.jobs)));
        }
        let batch = a.batch.as_deref().map(batch_id).transpose()?;
        let started = std::time::Instant::now();
        let r = station::ocr(&store, &tess, batch.as_ref(), jobs(a.jobs), &on_page)?;
        let (done, failed, words) = (r.done, r.failed, r.words);
        let secs = started.elapsed().as_secs_f64();
        println!("OCR: {done} page(s) read, {failed} failed, {words} words in {secs:.1} s");
        Ok(status(failed == 0))
    })
}

fn ocr_watch(
    data_dir: &DataDir,
    store: &eingang_store::Store,
    tess: &Tesseract,
    jobs: usize,
) -> ExitCode {
    let shutdown = std::sync::Arc::new(eingang_api::loops::Shutdown::default());
    let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
    let find = || Ok(tess.clone());
    let on_notice = |n: Option<String>| {
        if let Some(n) = n {
            eprintln!("error [ocr.unavailable]: {n}");
        }
    };
    let after = || crate::auto::run_due(data_dir, store);
    eingang_api::loops::ocr_forever(store, &find, jobs, &shutdown, &on_notice, &on_page, &after);
    ExitCode::SUCCESS
}

/// `eingang ocr files`'s arguments.
#[derive(Debug, clap::Args)]
pub struct OcrFilesArgs {
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(short, long)]
    output: PathBuf,
    #[arg(long, default_value = "deu+eng")]
    lang: String,
    #[arg(long)]
    jobs: Option<usize>,
    #[arg(long, default_value = "2b")]
    pdfa: String,
}

/// `eingang ocr files IMAGE… -o OUT.pdf`: a searchable PDF/A from image files, pages read in
/// parallel (the benchmark's side of the comparison with OCRmyPDF).
pub fn files(a: &OcrFilesArgs) -> ExitCode {
    finish(|| {
        let (level, tess, n) = (pdfa(&a.pdfa)?, tesseract(&a.lang)?, jobs(a.jobs));
        let ocr_pdf = eingang_api::files::ocr_pdf;
        let (w, words) = ocr_pdf(&a.files, &a.output, level, &tess, n, &print_notice)?;
        println!("{}: {} page(s), {words} words", a.output.display(), w.pages);
        Ok(status(w.skipped == 0))
    })
}

/// `eingang batch index BATCH --doc N NAME=VALUE…`: sets a document's index values,
/// checked against the master data.
pub fn index(data_dir: &DataDir, batch: &str, doc: usize, pairs: &[String]) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let values = index_pairs(pairs)?;
        let today = eingang_store::rfc3339_utc(eingang_store::now_ms());
        let m = station::merge_index(&store, &batch_id(batch)?, doc, &values, &today[..10])?;
        for e in &m.problems {
            eprintln!("warning [index.{}]: {}", e.code, e.message);
        }
        println!("document {doc}: {} index value(s) saved", m.values.len());
        Ok(status(m.problems.is_empty()))
    })
}

/// `eingang batch qc`'s arguments.
#[derive(Debug, clap::Args)]
pub struct QcArgs {
    batch: String,
    /// Documents (numbers) that passed.
    #[arg(long)]
    pass: Vec<usize>,
    /// Documents (numbers) that failed (say why with --note).
    #[arg(long)]
    fail: Vec<usize>,
    /// Pass every document that still needs a verdict (after looking at them).
    #[arg(long)]
    all: bool,
    #[arg(long, default_value = "")]
    note: String,
}

/// `eingang batch qc BATCH [--pass N…] [--fail N --note TEXT] [--all]`: shows the check,
/// records verdicts by the person named with `--user` (four-eyes).
pub fn check(data_dir: &DataDir, a: &QcArgs) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let failed = a.fail.iter().map(|n| (*n, false));
        let verdicts: Vec<(usize, bool)> =
            failed.chain(a.pass.iter().map(|n| (*n, true))).collect();
        let state = station::check(&store, &batch_id(&a.batch)?, &verdicts, a.all, &a.note)?;
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
        let notes = unless_empty(&d.notes.join(" "), |f| format!(", noted {f}"));
        let drawn = if d.sampled { "drawn" } else { "not drawn" };
        println!(
            "document {}: {} page(s), {drawn}{flags}{notes}, {verdict}",
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

/// `eingang batch release BATCH --title T [--index NAME=VALUE]…`; exit code 75 when the
/// release waits for the timestamp service.
pub fn release(data_dir: &DataDir, batch: &str, title: &str, index: &[String]) -> ExitCode {
    finish(|| {
        let (request, store) = (
            crate::args::release_request(data_dir, title, index)?,
            open(data_dir)?,
        );
        let id = batch_id(batch)?;
        let released = eingang_api::release::release(&store, &id, &request)?;
        Ok(print_outcome(&store, &id, &released)?)
    })
}

/// `eingang batch retry`: every waiting release tried now.
pub fn retry(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let (cfg, store) = (eingang_config::load(&data_dir.path)?, open(data_dir)?);
        let tried = eingang_api::release::retry_due(&store, &cfg, true)?;
        if tried.is_empty() {
            println!("no release is waiting");
        }
        Ok(print_tries(&store, tried)?)
    })
}

/// Each try's outcome; exit code 75 when one still waits.
fn print_tries(
    store: &eingang_store::Store,
    tried: Vec<(
        eingang_model::BatchId,
        eingang_api::Result<eingang_api::release::Released>,
    )>,
) -> Result<ExitCode, eingang_api::Error> {
    let mut code = ExitCode::SUCCESS;
    for (id, outcome) in tried {
        code = match outcome {
            Ok(released) => print_outcome(store, &id, &released)?,
            Err(e) => {
                println!("batch {id}: still waiting — error [{}] {e}", e.code());
                ExitCode::from(75)
            }
        };
    }
    Ok(code)
}

/// `eingang batch withdraw BATCH`.
pub fn withdraw(data_dir: &DataDir, batch: &str) -> ExitCode {
    finish(|| {
        eingang_api::release::withdraw(&open(data_dir)?, &batch_id(batch)?)?;
        println!("batch {batch}: release withdrawn; the batch can be changed again");
        Ok(ExitCode::SUCCESS)
    })
}

fn print_outcome(
    store: &eingang_store::Store,
    id: &eingang_model::BatchId,
    released: &eingang_api::release::Released,
) -> Result<ExitCode, eingang_api::Error> {
    use eingang_api::release::Released;
    match released {
        Released::Done(docs) => {
            let b = eingang_api::batches::get(store, id)?;
            let for_team = b.documents_for_team > 0;
            for d in docs {
                print_released(d, !for_team);
            }
            if for_team {
                println!("batch {id}: released for the team — `eingang team done CLAIM` sends its documents to the team store, and a station with the deliver role delivers them");
            } else {
                print_release_state(&b);
            }
            Ok(ExitCode::SUCCESS)
        }
        Released::Waiting(w) => {
            let next = eingang_store::rfc3339_utc(w.next_at);
            println!("batch {id}: the release waits [{}]: the timestamp service could not be reached, so nothing was released unsealed; it is tried again automatically by the app (next try {next}, try {}) or now with `eingang batch retry`; `eingang batch withdraw {id}` to change the batch", w.code, w.attempts);
            Ok(ExitCode::from(75))
        }
    }
}

fn print_release_state(b: &eingang_model::BatchSummary) {
    let id = &b.id;
    if b.destroyable {
        println!("batch {id}: released and delivered; the paper originals may be destroyed");
    } else if b.originals_eligible {
        println!("batch {id}: released; keep the paper originals until every document is delivered with a receipt ({} of {} so far) — `eingang sync` delivers", b.documents_delivered, b.documents);
    } else {
        println!("batch {id}: released; keep the paper originals: there is neither a seal nor a written justification for going without one (TR-RESISCAN A.IS.1; see [seal] in the configuration)");
    }
}

fn print_released(d: &eingang_store::tables::documents::DocumentRow, queued: bool) {
    let index: Vec<String> = d.index.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let index = unless_empty(&index.join(", "), |i| format!(" ({i})"));
    let (id, pages, pdfa) = (&d.id, d.page_ids.len(), &d.pdfa);
    let state = if queued {
        "queued"
    } else {
        "for the team's delivery"
    };
    println!("document {id}: {pages} page(s), {pdfa}, {state}{index}");
}

/// `eingang masterdata import FILE`.
pub fn masterdata_import(data_dir: &DataDir, file: &Path) -> ExitCode {
    finish(|| {
        let bytes = std::fs::read(file)
            .map_err(|e| failed("io.read", format!("{}: {e}", file.display())))?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        let store = open(data_dir)?;
        let imported =
            station::import_masterdata(&store, &name.unwrap_or_default(), &bytes, |_| Ok(()));
        print_masterdata(file, imported)
    })
}

/// The import's line; a file with errors names each and changes nothing (exit 1).
fn print_masterdata(file: &Path, imported: eingang_api::Result<station::Imported>) -> Run {
    match imported {
        Ok(i) => {
            let (units, doctypes) = (i.units, i.doctypes);
            println!(
                "{}: {units} organisation unit(s), {doctypes} document type(s) imported",
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(eingang_api::Error::MasterDataInvalid { errors, .. }) => {
            for e in &errors {
                eprintln!("error [masterdata.invalid]: {}: {e}", file.display());
            }
            eprintln!("nothing was imported; the master data in use stay as they were");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
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
