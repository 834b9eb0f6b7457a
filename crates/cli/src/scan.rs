//! The scan office on the command line:
//! - `eingang pdf assemble FILE… -o OUT.pdf [--pdfa 2b] [--profile P]`: files into one PDF/A,
//!   page by page (JPEG byte-identical unless a profile processes it). A bad file is
//!   reported and skipped; the rest still go in.
//! - `eingang import FILE… [--profile P] [--batch ID]` and `eingang scan batch --device D
//!   [--profile P] …`: pages into a batch in the store (raw scan kept, processed by the
//!   profile).
//! - `eingang hotfolder`, `eingang scan devices`, `eingang profiles …`, `eingang batch
//!   list|separate`, `eingang audit …`.
//!
//! Each subcommand checks its arguments, makes one call into `eingang_api` (or reads one
//! table) and prints.

use crate::args::{batch_id, json_file, pdfa};
use crate::out::{failed, finish, open, print_notice, status, usage, Exit, Run};
use eingang_api::batches;
use eingang_api::files::Written;
use eingang_api::loops::{HotFolderSettings, HotFolderWatch, Shutdown};
use eingang_capture::intake::{Event, Report};
use eingang_capture::profile::{self, ScanProfile};
use eingang_model::BatchId;
use eingang_pdf::PdfA;
use eingang_store::paths::DataDir;
use eingang_store::tables;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `eingang profiles list`.
pub fn profiles(data_dir: &DataDir, json: bool) -> ExitCode {
    finish(|| {
        let all = profile::profiles(&open(data_dir)?)?;
        if json {
            return crate::out::json(&all);
        }
        all.iter().for_each(print_profile);
        Ok(ExitCode::SUCCESS)
    })
}

fn print_profile(p: &ScanProfile) {
    let (mode, level) = (p.processing.mode, &p.pdfa);
    let (id, name, dpi) = (&p.id, &p.name, p.resolution);
    println!("{id}\t{name}\t{dpi} dpi, {mode:?}, PDF/A-{level}");
}

/// `eingang profiles save FILE`: a profile from JSON, checked, its change logged.
pub fn profile_save(data_dir: &DataDir, file: &Path) -> ExitCode {
    finish(|| {
        let profile: ScanProfile = json_file(file, "scan.profile")?;
        profile::save_profile(&open(data_dir)?, &profile)
            .map_err(|e| usage(e.code(), format!("{}: {e}", file.display())))?;
        println!("profile {} saved", profile.id);
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang profiles changes`.
pub fn profile_changes(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        for (id, at, action, settings) in
            open(data_dir)?.with_conn(tables::profiles::profile_changes)?
        {
            let (at, settings) = (eingang_store::rfc3339_utc(at), settings.unwrap_or_default());
            println!("{at}\t{id}\t{action}\t{settings}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang pdf assemble`'s arguments.
#[derive(Debug, clap::Args)]
pub struct AssembleArgs {
    /// The files, in page order (multi-page TIFFs give all their pages).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The PDF to write.
    #[arg(short, long)]
    output: PathBuf,
    /// The document title (default: the output file's name).
    #[arg(long)]
    title: Option<String>,
    /// PDF/A level: 1b, 2b or 3b.
    #[arg(long, default_value = "2b")]
    pdfa: String,
    /// Process each page with this scan profile (deskew, blank check, conversion).
    #[arg(long)]
    profile: Option<String>,
}

/// `eingang pdf assemble`: the files' pages into one PDF/A, written page by page.
pub fn assemble(data_dir: &DataDir, a: &AssembleArgs) -> ExitCode {
    finish(|| {
        let level = pdfa(&a.pdfa)?;
        let request = eingang_api::files::Assemble {
            files: &a.files,
            out: &a.output,
            title: a.title.as_deref(),
            level,
            processing: processing(data_dir, a.profile.as_deref())?,
        };
        let w = eingang_api::files::assemble(&request, &print_notice)?;
        print_written(&a.output, &w, level);
        Ok(status(w.skipped == 0))
    })
}

/// The named profile's processing (none without `--profile`: pages go in as they are).
fn processing(
    data_dir: &DataDir,
    profile: Option<&str>,
) -> Result<Option<eingang_capture::process::Processing>, Exit> {
    let Some(id) = profile else { return Ok(None) };
    Ok(Some(
        batches::profile(&open(data_dir)?, Some(id))?.processing,
    ))
}

fn print_written(out: &Path, w: &Written, level: PdfA) {
    let skipped = if w.skipped > 0 {
        format!(" ({} file(s) or page(s) skipped, see above)", w.skipped)
    } else {
        String::new()
    };
    let (pages, kib, part) = (w.pages, w.bytes / 1024, level.part());
    println!(
        "{}: {pages} pages, {kib} KiB, PDF/A-{part}b{skipped}",
        out.display()
    );
}

/// `eingang pdf check FILE…`.
pub fn check(files: &[PathBuf], level: &str) -> ExitCode {
    finish(|| {
        let level = pdfa(level)?;
        let failed = files.iter().filter(|f| !print_checked(f, level)).count();
        eprintln!(
            "note: Eingang's self-check; not checked here: {} (veraPDF checks those)",
            eingang_pdf::PDFA_NOT_CHECKED
        );
        Ok(status(failed == 0))
    })
}

/// One file's check: "ok", or each problem on its own line; `false` when there are some.
fn print_checked(f: &Path, level: PdfA) -> bool {
    let problems = eingang_pdf::check_pdfa_file(f, level);
    if problems.is_empty() {
        println!("{}: PDF/A-{}b ok", f.display(), level.part());
    }
    for p in &problems {
        println!("{}: {p}", f.display());
    }
    problems.is_empty()
}

/// `eingang scan devices`: what SANE sees, and the configured eSCL scanners.
pub fn devices(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let config = eingang_config::load(&data_dir.path);
        let all = batches::devices(&config.map(|c| c.scan.escl).unwrap_or_default())?;
        if all.is_empty() {
            println!(
                "no scanner found (SANE sees none; check the cable, the network, `scanimage -L`)"
            );
        }
        for d in all {
            println!("{}\t{} {} ({})", d.name, d.vendor, d.model, d.kind);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Where pages go: an existing batch or a new one with the profile's settings.
#[derive(Debug, clap::Args)]
pub struct IntoArgs {
    /// The scan profile of a new batch (default: `standard`).
    #[arg(long)]
    profile: Option<String>,
    /// Add to this batch instead of starting a new one.
    #[arg(long, conflicts_with = "profile")]
    batch: Option<String>,
    /// The new batch's name.
    #[arg(long)]
    name: Option<String>,
}

impl IntoArgs {
    fn batch(&self, store: &eingang_store::Store) -> Result<BatchId, Exit> {
        let existing = self.batch.as_deref().map(batch_id).transpose()?;
        let (name, profile) = (self.name.as_deref(), self.profile.as_deref());
        let b = batches::existing_or_new(store, existing.as_ref(), name, profile)?;
        batch_id(&b.id)
    }
}

#[allow(clippy::needless_pass_by_value)]
pub(crate) fn print_event(e: Event) {
    match &e {
        Event::Received { source, .. } => eprintln!("received: {source}"),
        Event::Processed { blank: true, .. } => eprintln!("  processed — flagged as blank"),
        Event::Processed { .. } => {}
        Event::PageFailed { code, message, .. } | Event::FileFailed { code, message, .. } => {
            eprintln!("error [{code}]: {message}");
        }
    }
}

fn print_report(batch: &BatchId, r: &Report) -> ExitCode {
    let cancelled = if r.cancelled { " (cancelled)" } else { "" };
    println!(
        "batch {batch}: {} pages received, {} processed, {} failed, {} file(s) refused{cancelled}",
        r.received, r.processed, r.failed_pages, r.failed_files
    );
    status(r.failed_files == 0 && r.failed_pages == 0)
}

/// `eingang import FILE… [--auto]`.
pub fn import(data_dir: &DataDir, files: &[PathBuf], into: &IntoArgs, auto: bool) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let batch = into.batch(&store)?;
        let report = batches::import_paths(&store, &batch, files, &print_event)?;
        let code = print_report(&batch, &report);
        if auto {
            crate::auto::after_import(data_dir, &store, &batch)?;
        }
        Ok(code)
    })
}

/// `eingang scan batch`'s arguments.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// The device (`eingang scan devices` lists them): a SANE name such as
    /// `fujitsu:fi-7160:1234`, or `escl:http://192.0.2.20/eSCL` for a network scanner.
    #[arg(long)]
    device: String,
    /// `Flatbed`, `Automatic Document Feeder`, `ADF Duplex`, … (default: the profile's).
    #[arg(long)]
    source: Option<String>,
    /// `Gray`, `Color`, `Lineart` (default: the profile's).
    #[arg(long)]
    mode: Option<String>,
    /// dpi (default: the profile's).
    #[arg(long)]
    resolution: Option<u32>,
    /// Stop after this many pages.
    #[arg(long)]
    pages: Option<u32>,
    #[command(flatten)]
    into: IntoArgs,
}

/// `eingang scan batch --device D`.
pub fn scan_batch(data_dir: &DataDir, a: &ScanArgs) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let batch = a.into.batch(&store)?;
        let never = std::sync::atomic::AtomicBool::new(false);
        let scanned = batches::scan(&store, &batch, &a.request(), &never, &print_event)?;
        print_scanned(&batch, &scanned)
    })
}

impl ScanArgs {
    fn request(&self) -> batches::ScanRequest {
        batches::ScanRequest {
            device: self.device.clone(),
            source: self.source.clone(),
            mode: self.mode.clone(),
            resolution: self.resolution,
            max_pages: self.pages,
        }
    }
}

/// A scan's report; exit 1 when the scanner stopped with an error, 2 when it gave no page.
fn print_scanned(batch: &BatchId, s: &batches::Scanned) -> Run {
    if let Some(e) = &s.error {
        eprintln!("error [{}]: {e} in batch {batch}", e.code());
    }
    if s.report.received == 0 {
        let why = "the scanner delivered no page (is paper in the feeder?)";
        return Err(usage("scan.no_pages", why));
    }
    let code = print_report(batch, &s.report);
    Ok(if s.error.is_some() {
        ExitCode::FAILURE
    } else {
        code
    })
}

/// `eingang hotfolder`'s arguments.
#[derive(Debug, clap::Args)]
pub struct HotfolderArgs {
    /// The folder (default: `[scan] hotfolder` from the configuration).
    dir: Option<PathBuf>,
    /// The scan profile (default: `[scan] hotfolder_profile`, else `standard`).
    #[arg(long)]
    profile: Option<String>,
    /// Seconds a file must stay unchanged before it is taken.
    #[arg(long)]
    settle: Option<u64>,
    /// Take what is there, then stop (instead of watching).
    #[arg(long)]
    once: bool,
}

/// `eingang hotfolder [DIR]`: watches the folder until Ctrl-C (or, with `--once`, takes
/// what is there) — the loop the app runs, `eingang_api::loops::hot_folder_forever`.
pub fn hotfolder(data_dir: &DataDir, a: HotfolderArgs) -> ExitCode {
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let (profile, settle) = (a.profile.as_deref(), a.settle);
        let settings = HotFolderSettings::overridden(&cfg.scan, a.dir, profile, settle)?;
        let store = open(data_dir)?;
        let watch = HotFolderWatch::open(&store, settings.clone())?;
        Ok(watch_folder(&store, watch, &settings, a.once))
    })
}

/// Runs the app's hot-folder loop on `watch` until Ctrl-C (with `once`: until the folder is
/// empty, at most a minute); exit 1 when a file was refused.
fn watch_folder(
    store: &eingang_store::Store,
    watch: HotFolderWatch,
    settings: &HotFolderSettings,
    once: bool,
) -> ExitCode {
    let (inbox, profile) = (watch.inbox().display(), watch.profile_id());
    println!("watching {inbox} (profile {profile})");
    let shutdown = std::sync::Arc::new(Shutdown::default());
    let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
    let (started, failed) = (std::time::Instant::now(), AtomicUsize::new(0));
    let on_look = |w: &HotFolderWatch, taken: eingang_api::Result<_>| {
        print_taken(taken, &failed);
        if once && (w.waiting() == 0 || started.elapsed() > std::time::Duration::from_secs(60)) {
            shutdown.request();
        }
    };
    let fixed = || Some(settings.clone());
    let loops = eingang_api::loops::hot_folder_forever;
    loops(
        store,
        Some(watch),
        &fixed,
        &shutdown,
        &print_event,
        &on_look,
    );
    status(failed.into_inner() == 0)
}

fn print_taken(
    taken: eingang_api::Result<Vec<eingang_capture::hotfolder::Taken>>,
    failed: &AtomicUsize,
) {
    use eingang_capture::hotfolder::Taken;
    let taken = match taken {
        Ok(taken) => taken,
        Err(e) => return eprintln!("error [{}]: {e}", e.code()),
    };
    for t in taken {
        match t {
            Taken::Imported { file, pages, .. } => println!("{file}: {pages} page(s) imported"),
            Taken::Duplicate { file, .. } => println!("{file}: imported before; archived"),
            Taken::Failed {
                file,
                reason,
                moved,
            } => {
                failed.fetch_add(1, Ordering::Relaxed);
                println!("{file}: refused ({reason}); moved to {}", moved.display());
            }
        }
    }
}

/// `eingang batch list [--json] [--limit N | --all] [--after POSITION]`: id, pages, blank
/// pages, name, and where its release stands; newest first.
pub fn batch_list(data_dir: &DataDir, page: &crate::paging::PageArgs) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        crate::paging::each(
            page,
            "batch list",
            |after, limit| batches::list(&store, after, limit),
            print_batches,
        )?;
        Ok(ExitCode::SUCCESS)
    })
}

fn print_batches(list: &[eingang_model::BatchSummary]) {
    for b in list {
        let state = release_state(b);
        println!(
            "{}\t{} pages\t{} blank\t{}\t{state}",
            b.id, b.pages, b.blank, b.name
        );
    }
}

/// `eingang batch show BATCH [--json]`: what the app shows when the batch is opened.
pub fn batch_show(data_dir: &DataDir, batch: &str, json: bool) -> ExitCode {
    finish(|| {
        let id = crate::args::batch_id(batch)?;
        let view = batches::view(&open(data_dir)?, &id)?;
        if json {
            return crate::out::json(&view);
        }
        print_view(&view);
        Ok(ExitCode::SUCCESS)
    })
}

/// A batch as `batch show` prints it: its pages, then its documents.
fn print_view(view: &eingang_model::BatchView) {
    use std::io::Write as _;
    let b = &view.batch;
    println!("{}\t{}\t{}", b.id, b.name, release_state(b));
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, p) in view.pages.iter().filter(|p| !p.deleted).enumerate() {
        let flags = [
            (p.starts_document, "document starts"),
            (p.blank, "blank"),
            (p.separator, "separator sheet"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(", ");
        let _ = writeln!(out, "page {:>5}  {}  {:<9}  {flags}", i + 1, p.id, p.state);
    }
    for (i, d) in view.documents.iter().enumerate() {
        let _ = writeln!(
            out,
            "document {:>4}  {}  {} page(s)  PDF/A-{}  {}  {}",
            i + 1,
            d.id,
            d.pages,
            d.pdfa,
            d.delivery,
            d.title
        );
    }
    let _ = out.flush();
    println!(
        "{} page(s), {} document(s)",
        view.pages.iter().filter(|p| !p.deleted).count(),
        view.documents.len()
    );
}

fn release_state(b: &eingang_model::BatchSummary) -> String {
    match (&b.release_waiting, b.released, b.destroyable) {
        (Some(w), _, _) => format!("release waiting [{}], try {}", w.code, w.attempts),
        (None, true, true) => "released, originals may be destroyed".into(),
        (None, true, false) if b.originals_eligible => format!(
            "released, {} of {} delivered",
            b.documents_delivered, b.documents
        ),
        (None, true, false) => "released, originals kept".into(),
        (None, false, _) => "open".into(),
    }
}

/// `eingang batch separate BATCH [--rules FILE] [--replace-manual]`.
pub fn batch_separate(d: &DataDir, batch: &str, rules: Option<&Path>, replace: bool) -> ExitCode {
    use eingang_capture::separate::Separation;
    finish(|| {
        let store = open(d)?;
        let rules: Option<Separation> =
            rules.map(|f| json_file(f, "scan.separation")).transpose()?;
        let started = std::time::Instant::now();
        let r = batches::separate_pages(&store, &batch_id(batch)?, rules.as_ref(), replace)?;
        print_separated(&r, started.elapsed().as_secs_f64());
        Ok(ExitCode::SUCCESS)
    })
}

fn print_separated(r: &eingang_capture::separate::Report, secs: f64) {
    println!(
        "{} document(s), {} separator sheet(s), {} index value(s) from barcodes, barcodes read on {} page(s), in {secs:.2} s",
        r.documents, r.separator_sheets, r.index_filled, r.pages_read
    );
    if r.manual_replaced > 0 {
        println!(
            "{} document break(s) set by hand were replaced",
            r.manual_replaced
        );
    }
}

/// `eingang audit verify [--anchors DIR]`.
pub fn audit_verify(data_dir: &DataDir, anchors: Option<&Path>) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let verified = store
            .with_conn(tables::audit::verify)
            .map_err(|e| usage(e.code(), e))?;
        print_chain(&verified);
        let report = anchors.map(|dir| eingang_api::evidence::verify_anchors(&store, dir));
        let anchored = report
            .transpose()?
            .is_none_or(|r| crate::evidence::print_anchors(&r));
        Ok(status(verified.is_ok() && anchored))
    })
}

fn print_chain(verified: &Result<usize, tables::audit::ChainBreak>) {
    match verified {
        Ok(n) => println!("audit log intact: {n} records, chain unbroken"),
        Err(problem) => println!("audit log BROKEN: {problem}"),
    }
}

/// `eingang audit export [FILE]`: JSON lines, streamed (memory flat however long the log).
pub fn audit_export(data_dir: &DataDir, file: Option<&Path>) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let n = write_records(&store, file)?;
        if let Some(f) = file {
            println!("{n} records written to {}", f.display());
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Every audit record as a JSON line into `file` (synced) or onto standard output.
fn write_records(store: &eingang_store::Store, file: Option<&Path>) -> Result<usize, Exit> {
    use std::io::Write as _;
    let sink: Box<dyn std::io::Write> = match file {
        Some(f) => Box::new(std::fs::File::create(f).map_err(|e| failed("io", e))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = std::io::BufWriter::new(sink);
    let mut n = 0usize;
    store.with_conn(|c| {
        tables::audit::each(c, |r| {
            serde_json::to_writer(&mut w, &r)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|source| eingang_store::Error::Io {
                    path: file.unwrap_or(Path::new("-")).to_path_buf(),
                    source,
                })?;
            n += 1;
            Ok(())
        })
    })?;
    w.into_inner().map_err(|e| failed("io", e.into_error()))?;
    if let Some(f) = file {
        eingang_store::durable::sync_file(f).map_err(|e| failed("io", e))?;
    }
    Ok(n)
}
