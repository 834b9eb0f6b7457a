//! The scan office on the command line:
//! - `eingang pdf assemble FILE… -o OUT.pdf [--pdfa 2b] [--profile P]`: files into one PDF/A,
//!   page by page (JPEG byte-identical unless a profile processes it). A bad file is
//!   reported and skipped; the rest still go in.
//! - `eingang import FILE… [--profile P] [--batch ID] [--queue]` and
//!   `eingang scan batch --device D [--profile P] …`: pages into a batch in the store (raw
//!   scan kept, processed by the profile); `--queue` makes the batch's documents and queues
//!   them for delivery.
//! - `eingang scan devices`, `eingang profiles list`.

use eingang_capture::intake::{Event, Report};
use eingang_capture::profile::ScanProfile;
use eingang_capture::sane::{self, ScanSettings};
use eingang_capture::{intake, profile};
use eingang_capture::{read_file, Limits};
use eingang_pdf::{PdfA, ScanOptions, ScanPdf, ScanWriter};
use eingang_store::paths::DataDir;
use eingang_store::tables;
use eingang_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

pub(crate) fn open(data_dir: &DataDir) -> Result<Store, ExitCode> {
    Store::open(&data_dir.path).map_err(|e| {
        eprintln!("error [{}]: {e}", e.code());
        ExitCode::from(2)
    })
}

fn profile(store: &Store, id: Option<&str>) -> Result<Option<ScanProfile>, ExitCode> {
    let Some(id) = id else { return Ok(None) };
    let all = profile::profiles(store).map_err(|e| {
        eprintln!("error [{}]: {e}", e.code());
        ExitCode::FAILURE
    })?;
    if let Some(p) = all.into_iter().find(|p| p.id == id) {
        Ok(Some(p))
    } else {
        eprintln!(
            "error [scan.profile_unknown]: no scan profile {id:?}; `eingang profiles list` shows them"
        );
        Err(ExitCode::from(2))
    }
}

/// `eingang profiles list`.
pub fn profiles(data_dir: &DataDir, json: bool) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match profile::profiles(&store) {
        Ok(all) if json => {
            println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(all) => {
            for p in all {
                println!(
                    "{}\t{}\t{} dpi, {:?}, PDF/A-{}",
                    p.id, p.name, p.resolution, p.processing.mode, p.pdfa
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

/// `eingang profiles save FILE`: a profile from JSON, checked, its change logged.
pub fn profile_save(data_dir: &DataDir, file: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error [io]: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let profile: ScanProfile = match serde_json::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error [scan.profile]: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match profile::save_profile(&store, &profile) {
        Ok(()) => {
            println!("profile {} saved", profile.id);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {}: {e}", e.code(), file.display());
            ExitCode::from(2)
        }
    }
}

/// `eingang profiles changes`.
pub fn profile_changes(data_dir: &DataDir) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match store.with_conn(tables::profiles::profile_changes) {
        Ok(all) => {
            for (id, at, action, settings) in all {
                println!(
                    "{}\t{id}\t{action}\t{}",
                    eingang_store::rfc3339_utc(at),
                    settings.unwrap_or_default()
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

/// `eingang pdf assemble`: the files' pages into one PDF/A, written page by page.
#[allow(clippy::too_many_lines)] // one linear story: read, process, write, report
pub fn assemble(
    data_dir: &DataDir,
    files: &[PathBuf],
    out: &Path,
    title: Option<&str>,
    level: &str,
    profile_id: Option<&str>,
) -> ExitCode {
    let Some(level) = PdfA::parse(level) else {
        eprintln!("error [scan.pdfa]: --pdfa takes 1b, 2b or 3b");
        return ExitCode::from(2);
    };
    let processing = if profile_id.is_some() {
        let store = match open(data_dir) {
            Ok(s) => s,
            Err(c) => return c,
        };
        match profile(&store, profile_id) {
            Ok(p) => p.map(|p| p.processing),
            Err(c) => return c,
        }
    } else {
        None
    };
    // Temp name, fsync, rename: a reader never sees half a PDF.
    let tmp = out.with_extension("pdf.part");
    let file = match std::fs::File::create(&tmp) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error [io]: {} cannot be written: {e}", out.display());
            return ExitCode::FAILURE;
        }
    };
    let mut writer = match ScanWriter::new(std::io::BufWriter::new(file), level) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error [pdf.failed]: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = 0;
    for f in files {
        let pages = match read_file(f, Limits::default()) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error [{}]: {e}", e.code());
                failed += 1;
                continue;
            }
        };
        for p in pages {
            if p.dpi_assumed {
                eprintln!(
                    "note: {}, page {}: no resolution in the file; 300 dpi assumed",
                    f.display(),
                    p.index + 1
                );
            }
            let what = format!("{}, page {}", f.display(), p.index + 1);
            let page = match &processing {
                Some(settings) => match eingang_capture::process::process(&what, &p.page, settings)
                {
                    Ok(done) => {
                        if done.blank {
                            eprintln!(
                                "note: {what}: looks blank ({:.3} % ink) — kept",
                                done.ink_percent
                            );
                        }
                        done.page
                    }
                    Err(e) => {
                        eprintln!("error [{}]: {e}", e.code());
                        failed += 1;
                        continue;
                    }
                },
                None => p.page,
            };
            if let Err(e) = writer.add_page(&page, 0) {
                eprintln!("error [pdf.failed]: {what}: {e}");
                failed += 1;
            }
        }
    }
    if writer.pages() == 0 {
        drop(writer);
        let _ = std::fs::remove_file(&tmp);
        eprintln!("error: no page could be read; nothing was written");
        return ExitCode::from(2);
    }
    let n = writer.pages();
    let title = title.map_or_else(
        || {
            out.file_stem()
                .map_or_else(|| "Scan".into(), |s| s.to_string_lossy().into_owned())
        },
        str::to_owned,
    );
    let created = eingang_store::rfc3339_utc(eingang_store::now_ms());
    let doc = ScanPdf {
        title,
        language: "de".into(),
        reference: format!("{}{created}", out.display()),
        created,
    };
    let finished = writer
        .finish(
            &doc,
            &ScanOptions {
                level,
                ..ScanOptions::default()
            },
        )
        .map_err(|e| e.to_string())
        .and_then(|w| w.into_inner().map_err(|e| e.to_string()))
        .and_then(|f| f.sync_all().map_err(|e| e.to_string()))
        .and_then(|()| std::fs::rename(&tmp, out).map_err(|e| e.to_string()));
    if let Err(e) = finished {
        let _ = std::fs::remove_file(&tmp);
        eprintln!("error [io]: {} cannot be written: {e}", out.display());
        return ExitCode::FAILURE;
    }
    let problems = eingang_pdf::check_pdfa_file(out, level);
    if !problems.is_empty() {
        eprintln!(
            "error [pdf.not_pdfa]: {}: {}",
            out.display(),
            problems.join("; ")
        );
        return ExitCode::FAILURE;
    }
    let size = std::fs::metadata(out).map_or(0, |m| m.len());
    println!(
        "{}: {n} pages, {} KiB, PDF/A-{}b{}",
        out.display(),
        size / 1024,
        level.part(),
        if failed > 0 {
            format!(" ({failed} file(s) or page(s) skipped, see above)")
        } else {
            String::new()
        }
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `eingang pdf check FILE…`.
pub fn check(files: &[PathBuf], level: &str) -> ExitCode {
    let Some(level) = PdfA::parse(level) else {
        eprintln!("error [scan.pdfa]: --pdfa takes 1b, 2b or 3b");
        return ExitCode::from(2);
    };
    let mut failed = false;
    for f in files {
        let problems = eingang_pdf::check_pdfa_file(f, level);
        if problems.is_empty() {
            println!("{}: PDF/A-{}b ok", f.display(), level.part());
        } else {
            failed = true;
            for p in problems {
                println!("{}: {p}", f.display());
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `eingang scan devices`: what SANE sees, and the configured eSCL scanners.
pub fn devices(data_dir: &DataDir) -> ExitCode {
    let escl = eingang_config::load(&data_dir.path)
        .map(|c| c.scan.escl)
        .unwrap_or_default();
    for url in escl {
        let scanner = eingang_capture::escl::EsclScanner::new(&url);
        match scanner.capabilities() {
            Ok(c) => println!("escl:{url}\t{} (eSCL network scanner)", c.make_and_model),
            Err(e) => println!("escl:{url}\tnot reachable: {e}"),
        }
    }
    match sane::devices() {
        Ok(d) if d.is_empty() => {
            println!(
                "no scanner found (SANE sees none; check the cable, the network, `scanimage -L`)"
            );
            ExitCode::SUCCESS
        }
        Ok(d) => {
            for dev in d {
                println!("{}\t{} {} ({})", dev.name, dev.vendor, dev.model, dev.kind);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// Where pages go: an existing batch or a new one with the profile's settings.
pub struct Into<'a> {
    pub profile: Option<&'a str>,
    pub batch: Option<&'a str>,
    pub name: Option<&'a str>,
}

fn prepare(store: &Store, into: &Into<'_>) -> Result<(String, ScanProfile), ExitCode> {
    use eingang_api::batches;
    let fail = |e: eingang_api::Error| {
        eprintln!("error [{}]: {e}", e.code());
        ExitCode::from(if e.code() == "scan.profile_unknown" {
            2
        } else {
            1
        })
    };
    let id = if let Some(id) = into.batch {
        let id = id
            .parse()
            .map_err(|e: eingang_model::IdError| fail(e.into()))?;
        batches::get(store, &id).map_err(fail)?.id
    } else {
        let name = into.name.map_or_else(
            || {
                format!(
                    "Stapel {}",
                    eingang_store::rfc3339_utc(eingang_store::now_ms())
                )
            },
            str::to_owned,
        );
        let profile = into.profile.unwrap_or("standard");
        batches::create(store, &name, Some(profile))
            .map_err(fail)?
            .id
    };
    let batch = id
        .parse()
        .map_err(|e: eingang_model::IdError| fail(e.into()))?;
    let profile = batches::profile_of(store, &batch).map_err(fail)?;
    Ok((id, profile))
}

#[allow(clippy::needless_pass_by_value)]
/// The targets new documents are queued for, as in the app: the configured ones, else the
/// local folder. A broken configuration is an error, not a silent fallback.
pub(crate) fn queue_targets(data_dir: &DataDir) -> Result<Vec<String>, ExitCode> {
    let cfg = eingang_config::load(&data_dir.path).map_err(|e| {
        eprintln!("error [config.invalid]: {e}");
        ExitCode::from(2)
    })?;
    Ok(eingang_config::effective_targets(&cfg, &data_dir.path)
        .into_iter()
        .map(|t| t.id)
        .collect())
}

#[allow(clippy::needless_pass_by_value)]
fn print_event(e: Event) {
    match &e {
        Event::Received { source, .. } => eprintln!("received: {source}"),
        Event::Processed { blank: true, .. } => eprintln!("  processed — flagged as blank"),
        Event::Processed { .. } => {}
        Event::PageFailed { code, message, .. } | Event::FileFailed { code, message, .. } => {
            eprintln!("error [{code}]: {message}");
        }
    }
}

fn finish(batch_id: &str, report: &Report) -> ExitCode {
    println!(
        "batch {batch_id}: {} pages received, {} processed, {} failed, {} file(s) refused{}",
        report.received,
        report.processed,
        report.failed_pages,
        report.failed_files,
        if report.cancelled { " (cancelled)" } else { "" }
    );
    if report.failed_files > 0 || report.failed_pages > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `eingang import FILE…`.
pub fn import(data_dir: &DataDir, files: &[PathBuf], into: &Into<'_>) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let (batch_id, p) = match prepare(&store, into) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let report = intake::import_files(
        &store,
        &batch_id,
        files,
        &p.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &print_event,
    );
    finish(&batch_id, &report)
}

/// `eingang scan batch --device D`.
pub fn scan_batch(
    data_dir: &DataDir,
    device: &str,
    overrides: &ScanSettings,
    into: &Into<'_>,
) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let (batch_id, p) = match prepare(&store, into) {
        Ok(x) => x,
        Err(c) => return c,
    };
    let settings = ScanSettings {
        source: overrides.source.clone().or(p.source.clone()),
        mode: overrides.mode.clone().or(p.mode.clone()),
        resolution: if overrides.resolution > 0 {
            overrides.resolution
        } else {
            p.resolution
        },
        max_pages: overrides.max_pages,
    };
    let scanner = eingang_capture::source_for(device);
    let (report, error) = intake::scan_into(
        &store,
        &batch_id,
        scanner.as_ref(),
        &settings,
        &p.processing,
        &AtomicBool::new(false),
        &print_event,
    );
    if let Some(e) = &error {
        eprintln!(
            "error [{}]: {e} — the {} page(s) received are kept in batch {batch_id}",
            e.code(),
            report.received
        );
    }
    if report.received == 0 {
        eprintln!("error: the scanner delivered no page (is paper in the feeder?)");
        return ExitCode::from(2);
    }
    let code = finish(&batch_id, &report);
    if error.is_some() {
        ExitCode::FAILURE
    } else {
        code
    }
}

/// `eingang hotfolder [DIR]`: watches the folder until Ctrl-C (or, with `--once`, takes
/// what is there) — the loop the app runs, `eingang_api::loops::hot_folder_forever`.
pub fn hotfolder(
    data_dir: &DataDir,
    dir: Option<PathBuf>,
    profile_id: Option<&str>,
    settle: Option<u64>,
    once: bool,
) -> ExitCode {
    use eingang_api::loops::{self, HotFolderSettings, HotFolderWatch, Shutdown};
    use eingang_capture::hotfolder::Taken;
    let cfg = match eingang_config::load(&data_dir.path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error [config.invalid]: {e}");
            return ExitCode::from(2);
        }
    };
    let configured = HotFolderSettings::configured(&cfg.scan);
    let Some(inbox) = dir.or(configured.as_ref().map(|c| c.inbox.clone())) else {
        eprintln!("error [scan.hotfolder]: no folder given and no [scan] hotfolder configured");
        return ExitCode::from(2);
    };
    let settings = HotFolderSettings {
        inbox,
        profile_id: profile_id
            .map(str::to_owned)
            .or(configured.as_ref().map(|c| c.profile_id.clone()))
            .unwrap_or_else(|| "standard".into()),
        settle: settle
            .map(std::time::Duration::from_secs)
            .or(configured.map(|c| c.settle))
            .unwrap_or(std::time::Duration::from_secs(2)),
    };
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let watch = match HotFolderWatch::open(&store, settings.clone()) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return if e.code() == "scan.profile_unknown" {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            };
        }
    };
    println!(
        "watching {} (profile {})",
        watch.inbox().display(),
        watch.profile_id()
    );
    let shutdown = std::sync::Arc::new(Shutdown::default());
    let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
    let started = std::time::Instant::now();
    let failed = std::sync::atomic::AtomicUsize::new(0);
    let on_look = |w: &HotFolderWatch, taken: eingang_api::Result<Vec<Taken>>| {
        match taken {
            Ok(taken) => {
                for t in taken {
                    match t {
                        Taken::Imported { file, pages, .. } => {
                            println!("{file}: {pages} page(s) imported");
                        }
                        Taken::Duplicate { file, .. } => {
                            println!("{file}: imported before; archived");
                        }
                        Taken::Failed {
                            file,
                            reason,
                            moved,
                        } => {
                            failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            println!("{file}: refused ({reason}); moved to {}", moved.display());
                        }
                    }
                }
            }
            Err(e) => eprintln!("error [{}]: {e}", e.code()),
        }
        // `--once`: until every file waiting has settled and been taken (at most a minute).
        if once && (w.waiting() == 0 || started.elapsed() > std::time::Duration::from_secs(60)) {
            shutdown.request();
        }
    };
    let fixed = || Some(settings.clone());
    loops::hot_folder_forever(
        &store,
        Some(watch),
        &fixed,
        &shutdown,
        &print_event,
        &on_look,
    );
    if failed.into_inner() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `eingang batch list`.
pub fn batch_list(data_dir: &DataDir) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match store.with_conn(tables::batches::batches) {
        Ok(all) => {
            for b in all {
                println!("{}\t{} pages\t{} blank\t{}", b.id, b.pages, b.blank, b.name);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

/// `eingang batch separate BATCH [--rules FILE]`.
pub fn batch_separate(data_dir: &DataDir, batch_id: &str, rules: Option<&Path>) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let rules: Option<eingang_capture::separate::Separation> = match rules {
        Some(f) => match std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("error [scan.separation]: {}: {e}", f.display());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let started = std::time::Instant::now();
    let separated = batch_id
        .parse()
        .map_err(eingang_api::Error::from)
        .and_then(|b| eingang_api::batches::separate_pages(&store, &b, rules.as_ref()));
    match separated {
        Ok(r) => {
            println!(
                "{} document(s), {} separator sheet(s), {} index value(s) from barcodes, barcodes read on {} page(s), in {:.2} s",
                r.documents,
                r.separator_sheets,
                r.index_filled,
                r.pages_read,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [{}]: batch {batch_id}: {e}", e.code());
            ExitCode::from(if e.code() == "scan.profile" { 2 } else { 1 })
        }
    }
}

/// `eingang audit verify`.
pub fn audit_verify(data_dir: &DataDir) -> ExitCode {
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    match store.with_conn(eingang_store::tables::audit::verify) {
        Ok(Ok(n)) => {
            println!("audit log intact: {n} records, chain unbroken");
            ExitCode::SUCCESS
        }
        Ok(Err(problem)) => {
            println!("audit log BROKEN: {problem}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::from(2)
        }
    }
}

/// `eingang audit export [FILE]`: JSON lines.
pub fn audit_export(data_dir: &DataDir, file: Option<&Path>) -> ExitCode {
    use std::io::Write as _;
    let store = match open(data_dir) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let records = match store.with_conn(eingang_store::tables::audit::records) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    let mut out = String::new();
    for r in &records {
        out.push_str(&serde_json::to_string(r).unwrap_or_default());
        out.push('\n');
    }
    let written = match file {
        Some(f) => std::fs::File::create(f)
            .and_then(|mut w| w.write_all(out.as_bytes()).and_then(|()| w.sync_all())),
        None => std::io::stdout().write_all(out.as_bytes()),
    };
    match written {
        Ok(()) => {
            if let Some(f) = file {
                println!("{} records written to {}", records.len(), f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error [io]: {e}");
            ExitCode::FAILURE
        }
    }
}
