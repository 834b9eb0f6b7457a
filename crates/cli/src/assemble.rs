//! `eingang assemble FILE… -o OUT.pdf`: scanned files (JPEG, PNG, TIFF) into one PDF/A-2b —
//! JPEG pages byte-identical. A bad file is reported and skipped; the rest still go in.

use eingang_capture::{read_file, Limits};
use eingang_pdf::{render_scan_pdf, ScanPdf};
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
        &pages,
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error [pdf.failed]: {e}");
            return ExitCode::FAILURE;
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
        return ExitCode::FAILURE;
    }
    println!(
        "{}: {} pages, {} KiB{}",
        out.display(),
        pages.len(),
        pdf.len() / 1024,
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
