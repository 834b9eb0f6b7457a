//! Separation of a large batch: PAGES pages at 150 dpi (letters of 1–8 pages, each
//! preceded by a Code 39 `PATCHT` separator sheet, every third sheet with a QR code
//! carrying an Aktenzeichen) go into a real store with the bilevel profile reading barcodes
//! while processing; then the separation rules are applied. Prints the time of both steps
//! and the precision and recall of the document boundaries and the Aktenzeichen values.
//!
//! `separation_bench PAGES WORKDIR`

#[path = "../tests/drawn/mod.rs"]
mod drawn;

use eingang_capture::intake::import;
use eingang_capture::pages::segments;
use eingang_capture::profile::profiles;
use eingang_capture::separate::{separate, IndexRule, Separation};
use eingang_capture::Limits;
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::Store;
use rxing::BarcodeFormat;
use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const W: usize = 1240;
const H: usize = 1754;

#[allow(clippy::cast_precision_loss, clippy::too_many_lines)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(1000), |a| a.parse())?;
    let work = std::path::PathBuf::from(args.get(1).ok_or("WORKDIR missing")?);
    let data = work.join("separation-store");
    let _ = std::fs::remove_dir_all(&data);
    let store = Store::open(&data)?;
    let mut profile = profiles(&store)?
        .into_iter()
        .find(|p| p.id == "text-sw")
        .ok_or("profile")?;
    profile.processing.read_barcodes = true;
    profile.processing.deskew = false;
    let batch = store.with_tx(|c| {
        batches::create_batch(
            c,
            "bench",
            None,
            &serde_json::to_string(&profile).unwrap_or_default(),
        )
    })?;

    // The batch: sheet, letter pages, sheet, letter pages, …
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut kinds: Vec<Option<String>> = Vec::new(); // None = letter page, Some(az) = sheet
    let (mut starts, mut az_truth) = (BTreeSet::new(), Vec::new());
    let mut doc = 0;
    while kinds.len() < n {
        let az = (doc % 3 == 0).then(|| format!("530.12-2026/{doc:04}"));
        kinds.push(Some(az.clone().unwrap_or_default()));
        let len = 1 + (next() % 8) as usize;
        starts.insert(kinds.len());
        az_truth.push(az);
        for _ in 0..len {
            kinds.push(None);
        }
        doc += 1;
    }
    kinds.truncate(n);
    let pages = kinds.iter().enumerate().map(|(i, k)| {
        let page = match k {
            Some(az) => {
                let mut p = vec![245u8; W * H];
                drawn::put_code(
                    &mut p,
                    W,
                    BarcodeFormat::CODE_39,
                    "PATCHT",
                    (600, 160),
                    (300, 300),
                );
                if !az.is_empty() {
                    drawn::put_code(
                        &mut p,
                        W,
                        BarcodeFormat::QR_CODE,
                        &format!("AZ:{az}"),
                        (240, 240),
                        (500, 900),
                    );
                }
                p
            }
            None => drawn::text_page(W, H, 0.0, 25, i as u64),
        };
        (format!("p{i:05}.pgm"), Ok(drawn::pgm(&page, W, H)))
    });
    let started = Instant::now();
    let report = import(
        &store,
        &batch,
        pages,
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &|_| {},
    );
    let intake = started.elapsed();
    let rules = Separation {
        index_from_barcodes: vec![IndexRule {
            field: "aktenzeichen".into(),
            pattern: r"^AZ:(\d{3}\.\d{2}-\d{4}/\d{4})$".into(),
        }],
        ..Separation::default()
    };
    let started = Instant::now();
    let r = separate(&store, &batch, &rules)?;
    let separation = started.elapsed();

    let rows = store.with_conn(|c| pages::pages(c, &batch))?;
    let found: BTreeSet<usize> = segments(&rows)
        .iter()
        .filter_map(|d| d.first())
        .filter_map(|p| p.source[1..6].parse().ok())
        .collect();
    let starts: BTreeSet<usize> = starts.into_iter().filter(|&s| s < n).collect();
    let hit = found.intersection(&starts).count();
    let precision = hit as f64 / found.len().max(1) as f64;
    let recall = hit as f64 / starts.len().max(1) as f64;
    let docs_index: Vec<Option<String>> = segments(&rows)
        .iter()
        .map(|d| {
            d.first()
                .and_then(|p| p.index.first().map(|(_, v)| v.clone()))
        })
        .collect();
    let az_expected = az_truth
        .iter()
        .take(docs_index.len())
        .filter(|a| a.is_some())
        .count();
    let az_right = docs_index
        .iter()
        .zip(&az_truth)
        .filter(|(got, want)| want.is_some() && got == want)
        .count();
    println!(
        "{n} pages at 150 dpi ({} separator sheets): intake with barcode reading {:.2} s = {:.1} pages/s ({} received, {} processed)",
        kinds.iter().filter(|k| k.is_some()).count(),
        intake.as_secs_f64(),
        n as f64 / intake.as_secs_f64(),
        report.received,
        report.processed
    );
    println!(
        "separation: {:.3} s, {} documents, {} sheets removed, {} barcodes read now",
        separation.as_secs_f64(),
        r.documents,
        r.separator_sheets,
        r.pages_read
    );
    println!(
        "boundaries: {hit} of {} found, {} reported: precision {precision:.3}, recall {recall:.3}",
        starts.len(),
        found.len()
    );
    println!("Aktenzeichen from QR codes: {az_right} of {az_expected} right");
    Ok(())
}
