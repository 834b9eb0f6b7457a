//! Assembles every JPEG in a folder into one PDF/A-2b (passthrough) and prints the time per
//! page; `scripts/bench-pdf.sh` runs it beside img2pdf on the same files.
//!
//! `jpeg_bench DIR OUT.pdf [DPI]`

use eingang_pdf::{PageImage, PdfA, ScanOptions, ScanPage, ScanPdf, ScanWriter};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: jpeg_bench DIR OUT.pdf [DPI]");
        std::process::exit(2);
    }
    let dpi: f32 = args.get(2).map_or(Ok(300.0), |d| d.parse())?;
    let mut files: Vec<_> = std::fs::read_dir(&args[0])?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
        .collect();
    files.sort();
    let started = Instant::now();
    // Page by page into the file, as the app writes documents: one page in memory at a time.
    let out = std::io::BufWriter::new(std::fs::File::create(&args[1])?);
    let mut w = ScanWriter::new(out, PdfA::A2b)?;
    for f in &files {
        let page = ScanPage {
            image: PageImage::Jpeg(std::fs::read(f)?),
            dpi: (dpi, dpi),
        };
        w.add_page(&page, 0)?;
    }
    let doc = ScanPdf {
        title: "Benchmark".into(),
        language: "de".into(),
        created: "2026-11-29T00:00:00Z".into(),
        reference: "bench".into(),
    };
    w.finish(&doc, &ScanOptions::default())?
        .into_inner()?
        .sync_all()?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    #[allow(clippy::cast_precision_loss)]
    let per_page = ms / files.len().max(1) as f64;
    println!(
        "eingang: {} pages in {ms:.1} ms = {per_page:.2} ms/page (read + assemble + write + fsync), {} KiB",
        files.len(),
        std::fs::metadata(&args[1])?.len() / 1024
    );
    Ok(())
}
