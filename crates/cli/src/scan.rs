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

use crate::out::{finish, open, status, usage, Exit};
use crate::station::batch_id;
use eingang_api::batches;
use eingang_api::files::Notice;
use eingang_capture::intake::{Event, Report};
use eingang_capture::profile::{self, ScanProfile};
use eingang_pdf::PdfA;
use eingang_store::paths::DataDir;
use eingang_store::tables;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `--pdfa 1b|2b|3b`.
pub(crate) fn pdfa(level: &str) -> Result<PdfA, Exit> {
    PdfA::parse(level).ok_or_else(|| usage("scan.pdfa", "--pdfa takes 1b, 2b or 3b"))
}

/// The targets new documents are queued for, as in the app: the configured ones, else the
/// local folder.
pub(crate) fn queue_targets(cfg: &eingang_config::Config, data_dir: &DataDir) -> Vec<String> {
    eingang_config::effective_targets(cfg, &data_dir.path)
        .into_iter()
        .map(|t| t.id)
        .collect()
}

/// `eingang profiles list`.
pub fn profiles(data_dir: &DataDir, json: bool) -> ExitCode {
    finish(|| {
        let all = profile::profiles(&open(data_dir)?)?;
        if json {
            println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
        }
        for p in all.iter().filter(|_| !json) {
            let mode = p.processing.mode;
            println!(
                "{}\t{}\t{} dpi, {mode:?}, PDF/A-{}",
                p.id, p.name, p.resolution, p.pdfa
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang profiles save FILE`: a profile from JSON, checked, its change logged.
pub fn profile_save(data_dir: &DataDir, file: &Path) -> ExitCode {
    finish(|| {
        let text = std::fs::read_to_string(file)
            .map_err(|e| usage("io", format!("{}: {e}", file.display())))?;
        let profile: ScanProfile = serde_json::from_str(&text)
            .map_err(|e| usage("scan.profile", format!("{}: {e}", file.display())))?;
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

pub(crate) fn print_notice(n: Notice) {
    match n {
        Notice::Skipped { code, message } => eprintln!("error [{code}]: {message}"),
        Notice::DpiAssumed { what } => {
            eprintln!("note: {what}: no resolution in the file; 300 dpi assumed");
        }
        Notice::Blank { what, ink_percent } => {
            eprintln!("note: {what}: looks blank ({ink_percent:.3} % ink) — kept");
        }
    }
}

/// `eingang pdf assemble`: the files' pages into one PDF/A, written page by page.
pub fn assemble(
    data_dir: &DataDir,
    files: &[PathBuf],
    out: &Path,
    title: Option<&str>,
    level: &str,
    profile_id: Option<&str>,
) -> ExitCode {
    finish(|| {
        let level = pdfa(level)?;
        let processing = match profile_id {
            Some(id) => Some(batches::profile(&open(data_dir)?, Some(id))?.processing),
            None => None,
        };
        let request = eingang_api::files::Assemble {
            files,
            out,
            title,
            level,
            processing,
        };
        let w = eingang_api::files::assemble(&request, &print_notice)?;
        let skipped = if w.skipped > 0 {
            format!(" ({} file(s) or page(s) skipped, see above)", w.skipped)
        } else {
            String::new()
        };
        println!(
            "{}: {} pages, {} KiB, PDF/A-{}b{skipped}",
            out.display(),
            w.pages,
            w.bytes / 1024,
            level.part()
        );
        Ok(status(w.skipped == 0))
    })
}

/// `eingang pdf check FILE…`.
pub fn check(files: &[PathBuf], level: &str) -> ExitCode {
    finish(|| {
        let level = pdfa(level)?;
        let mut ok = true;
        for f in files {
            let problems = eingang_pdf::check_pdfa_file(f, level);
            ok &= problems.is_empty();
            if problems.is_empty() {
                println!("{}: PDF/A-{}b ok", f.display(), level.part());
            }
            for p in problems {
                println!("{}: {p}", f.display());
            }
        }
        Ok(status(ok))
    })
}

/// `eingang scan devices`: what SANE sees, and the configured eSCL scanners.
pub fn devices(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let escl = eingang_config::load(&data_dir.path)
            .map(|c| c.scan.escl)
            .unwrap_or_default();
        let all = batches::devices(&escl)?;
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
pub struct Into<'a> {
    pub profile: Option<&'a str>,
    pub batch: Option<&'a str>,
    pub name: Option<&'a str>,
}

impl Into<'_> {
    fn batch(&self, store: &eingang_store::Store) -> Result<eingang_model::BatchId, Exit> {
        let existing = self.batch.map(batch_id).transpose()?;
        let b = batches::existing_or_new(store, existing.as_ref(), self.name, self.profile)?;
        batch_id(&b.id)
    }
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

fn print_report(batch: &str, r: &Report) -> ExitCode {
    let cancelled = if r.cancelled { " (cancelled)" } else { "" };
    println!(
        "batch {batch}: {} pages received, {} processed, {} failed, {} file(s) refused{cancelled}",
        r.received, r.processed, r.failed_pages, r.failed_files
    );
    status(r.failed_files == 0 && r.failed_pages == 0)
}

/// `eingang import FILE…`.
pub fn import(data_dir: &DataDir, files: &[PathBuf], into: &Into<'_>) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let batch = into.batch(&store)?;
        let report = batches::import_paths(&store, &batch, files, &print_event)?;
        Ok(print_report(&batch.to_string(), &report))
    })
}

/// `eingang scan batch --device D`.
pub fn scan_batch(data_dir: &DataDir, request: &batches::ScanRequest, into: &Into<'_>) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let batch = into.batch(&store)?;
        let never = std::sync::atomic::AtomicBool::new(false);
        let s = batches::scan(&store, &batch, request, &never, &print_event)?;
        if let Some(e) = &s.error {
            eprintln!("error [{}]: {e} in batch {batch}", e.code());
        }
        if s.report.received == 0 {
            return Err(usage(
                "scan.no_pages",
                "the scanner delivered no page (is paper in the feeder?)",
            ));
        }
        let code = print_report(&batch.to_string(), &s.report);
        Ok(if s.error.is_some() {
            ExitCode::FAILURE
        } else {
            code
        })
    })
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
    use eingang_api::loops::{HotFolderSettings, HotFolderWatch};
    finish(|| {
        let cfg = eingang_config::load(&data_dir.path)?;
        let settings = HotFolderSettings::overridden(&cfg.scan, dir, profile_id, settle)?;
        let store = open(data_dir)?;
        let watch = HotFolderWatch::open(&store, settings.clone())?;
        Ok(watch_folder(&store, watch, &settings, once))
    })
}

/// Runs the app's hot-folder loop on `watch` until Ctrl-C (with `once`: until the folder is
/// empty, at most a minute); exit 1 when a file was refused.
fn watch_folder(
    store: &eingang_store::Store,
    watch: eingang_api::loops::HotFolderWatch,
    settings: &eingang_api::loops::HotFolderSettings,
    once: bool,
) -> ExitCode {
    use eingang_api::loops::{self, HotFolderWatch, Shutdown};
    println!(
        "watching {} (profile {})",
        watch.inbox().display(),
        watch.profile_id()
    );
    let shutdown = std::sync::Arc::new(Shutdown::default());
    let _ctrl_c = crate::stop_on_ctrl_c(shutdown.clone());
    let (started, failed) = (
        std::time::Instant::now(),
        std::sync::atomic::AtomicUsize::new(0),
    );
    let on_look = |w: &HotFolderWatch, taken: eingang_api::Result<_>| {
        print_taken(taken, &failed);
        if once && (w.waiting() == 0 || started.elapsed() > std::time::Duration::from_secs(60)) {
            shutdown.request();
        }
    };
    let fixed = || Some(settings.clone());
    loops::hot_folder_forever(
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
    failed: &std::sync::atomic::AtomicUsize,
) {
    use eingang_capture::hotfolder::Taken;
    match taken {
        Ok(taken) => {
            for t in taken {
                match t {
                    Taken::Imported { file, pages, .. } => {
                        println!("{file}: {pages} page(s) imported");
                    }
                    Taken::Duplicate { file, .. } => println!("{file}: imported before; archived"),
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
}

/// `eingang batch list`.
pub fn batch_list(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        for b in batches::list(&open(data_dir)?)? {
            println!("{}\t{} pages\t{} blank\t{}", b.id, b.pages, b.blank, b.name);
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang batch separate BATCH [--rules FILE]`.
pub fn batch_separate(data_dir: &DataDir, batch: &str, rules: Option<&Path>) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let rules: Option<eingang_capture::separate::Separation> = rules
            .map(|f| {
                let text = std::fs::read_to_string(f).map_err(|e| e.to_string());
                text.and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
                    .map_err(|e| usage("scan.separation", format!("{}: {e}", f.display())))
            })
            .transpose()?;
        let started = std::time::Instant::now();
        let r = batches::separate_pages(&store, &batch_id(batch)?, rules.as_ref())?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{} document(s), {} separator sheet(s), {} index value(s) from barcodes, barcodes read on {} page(s), in {secs:.2} s",
            r.documents, r.separator_sheets, r.index_filled, r.pages_read
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `eingang audit verify`.
pub fn audit_verify(data_dir: &DataDir) -> ExitCode {
    finish(|| {
        let store = open(data_dir)?;
        let verified = store
            .with_conn(tables::audit::verify)
            .map_err(|e| usage(e.code(), e))?;
        match &verified {
            Ok(n) => println!("audit log intact: {n} records, chain unbroken"),
            Err(problem) => println!("audit log BROKEN: {problem}"),
        }
        Ok(status(verified.is_ok()))
    })
}

/// `eingang audit export [FILE]`: JSON lines.
pub fn audit_export(data_dir: &DataDir, file: Option<&Path>) -> ExitCode {
    use std::io::Write as _;
    finish(|| {
        let records = open(data_dir)?.with_conn(tables::audit::records)?;
        let lines: String = records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
            .collect();
        let written = match file {
            Some(f) => std::fs::File::create(f)
                .and_then(|mut w| w.write_all(lines.as_bytes()).and_then(|()| w.sync_all())),
            None => std::io::stdout().write_all(lines.as_bytes()),
        };
        written.map_err(|e| crate::out::failed("io", e))?;
        if let Some(f) = file {
            println!("{} records written to {}", records.len(), f.display());
        }
        Ok(ExitCode::SUCCESS)
    })
}
