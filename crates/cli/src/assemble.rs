//! `eingang assemble FILE… -o OUT.pdf`: scanned files (JPEG, PNG, TIFF) into one PDF/A-2b —
//! JPEG pages byte-identical. A bad file is reported and skipped; the rest still go in.
//! `eingang scan -o OUT.pdf`: a batch from a SANE scanner into one PDF/A-2b.

use eingang_capture::sane::{self, ScanSettings};
use eingang_capture::{read_file, Limits, Source as _};
use eingang_pdf::{render_scan_pdf, ScanPage, ScanPdf};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(files: &[PathBuf], out: &Path, title: Option<&str>) -> ExitCode {
    let mut pages = Vec::new();
    let mut failed = 0;
    for f in files {
        match read_file(f, Limits::default()) {
            Ok(read) => {
                for p in read {
                    if p.dpi_assumed {
                        eprintln!(
                            "note: {}, page {}: no resolution in the file; 300 dpi assumed",
                            f.display(),
                            p.index + 1
                        );
                    }
                    pages.push(p.page);
                }
            }
            Err(e) => {
                eprintln!("error [{}]: {e}", e.code());
                failed += 1;
            }
        }
    }
    if pages.is_empty() {
        eprintln!("error: no page could be read; nothing was written");
        return ExitCode::from(2);
    }
    let size = match write_pdf(&pages, out, title) {
        Ok(s) => s,
        Err(code) => return code,
    };
    println!(
        "{}: {} pages, {} KiB{}",
        out.display(),
        pages.len(),
        size / 1024,
        if failed > 0 {
            format!(" ({failed} file(s) skipped, see above)")
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

/// Renders `pages` as PDF/A-2b into `out` (temp name, fsync, rename); returns its size.
fn write_pdf(pages: &[ScanPage], out: &Path, title: Option<&str>) -> Result<usize, ExitCode> {
    let title = title.map_or_else(
        || {
            out.file_stem()
                .map_or_else(|| "Scan".into(), |s| s.to_string_lossy().into_owned())
        },
        str::to_owned,
    );
    let created = eingang_store::rfc3339_utc(eingang_store::now_ms());
    let pdf = match render_scan_pdf(
        &ScanPdf {
            title,
            language: "de".into(),
            reference: format!("{}{created}", out.display()),
            created,
        },
        pages,
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error [pdf.failed]: {e}");
            return Err(ExitCode::FAILURE);
        }
    };
    // Temp name, fsync, rename: a reader never sees half a PDF.
    let tmp = out.with_extension("pdf.part");
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        use std::io::Write as _;
        f.write_all(&pdf)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, out)) {
        let _ = std::fs::remove_file(&tmp);
        eprintln!("error [io]: {} cannot be written: {e}", out.display());
        return Err(ExitCode::FAILURE);
    }
    Ok(pdf.len())
}

/// `eingang scanners`: what SANE sees.
pub fn scanners() -> ExitCode {
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

/// `eingang scan --device D -o OUT.pdf`: a batch into one PDF/A-2b.
pub fn scan(device: &str, settings: &ScanSettings, out: &Path, title: Option<&str>) -> ExitCode {
    let work = match tempfile::Builder::new()
        .prefix(".eingang-scan-")
        .tempdir_in(
            out.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        ) {
        Ok(w) => w,
        Err(e) => {
            eprintln!(
                "error [io]: no working folder beside {}: {e}",
                out.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let mut pages = Vec::new();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let scanner = sane::SaneScanner {
        device: device.to_owned(),
    };
    let result = scanner.scan(settings, work.path(), &cancel, &mut |p| {
        eprintln!("page {} received", p.index + 1);
        pages.push(p.page);
    });
    if let Err(e) = result {
        eprintln!("error [{}]: {e}", e.code());
        if pages.is_empty() {
            return ExitCode::FAILURE;
        }
    }
    if pages.is_empty() {
        eprintln!("error: the scanner delivered no page (is paper in the feeder?)");
        return ExitCode::from(2);
    }
    match write_pdf(&pages, out, title) {
        Ok(size) => {
            println!(
                "{}: {} pages, {} KiB",
                out.display(),
                pages.len(),
                size / 1024
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
