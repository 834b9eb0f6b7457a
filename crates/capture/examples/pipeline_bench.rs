//! The full scan pipeline on synthetic A4 pages at 300 dpi with known skew angles and
//! blank backs (text drawn at the angle, then softened and given sensor noise as a scanner
//! would): files → batch in a real store (raw kept) → deskew, blank check, encoding
//! (profile `text-sw`: CCITT G4, or `standard`: grey JPEG) → PDF/A documents. Prints pages
//! per second, deskew error, blank-detection precision/recall, output size per page and
//! peak memory. `scripts/bench-scan.sh` runs it.
//!
//! `pipeline_bench PAGES PROFILE WORKDIR`

#[path = "../tests/drawn/mod.rs"]
mod drawn;
use drawn::release_checked;

use eingang_capture::intake::import_files;
use eingang_capture::profile::profiles;
use eingang_capture::Limits;
use eingang_store::tables::batches;
use eingang_store::tables::pages;
use eingang_store::Store;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

const W: usize = 2480;
const H: usize = 3508;

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

// A benchmark reads best as one script; sizes are small constants.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::too_many_lines
)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(100), |a| a.parse())?;
    let profile_id = args.get(1).map_or("text-sw", String::as_str);
    let work = std::path::PathBuf::from(args.get(2).ok_or("WORKDIR missing")?);
    // The colour profile gets colour pages: tinted paper, blue ink.
    let colour = profile_id == "farbe";
    let input = work.join(if colour { "input-rgb" } else { "input" });
    std::fs::create_dir_all(&input)?;
    // Every fourth page is a blank back (paper noise, show-through, specks); the others
    // are text pages at angles spread over ±8°.
    let mut truth = Vec::new();
    let mut files = Vec::new();
    for i in 0..n {
        let path = input.join(format!("p{i:04}.png"));
        let blank = i % 4 == 3;
        let angle = ((i * 37) % 161) as f32 / 10.0 - 8.0;
        if !path.exists() {
            let data = if blank {
                let mut rng = i as u64 * 7919 + 1;
                (0..W * H)
                    .map(|_| {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        232 + (rng % 12) as u8
                    })
                    .collect()
            } else {
                scanned(&drawn::text_page(W, H, angle, 30, i as u64 + 1), i as u64)
            };
            let mut png = Vec::new();
            let enc = image::codecs::png::PngEncoder::new_with_quality(
                &mut png,
                image::codecs::png::CompressionType::Fast,
                image::codecs::png::FilterType::Sub,
            );
            if colour {
                let rgb: Vec<u8> = data
                    .iter()
                    .flat_map(|&v| {
                        // Blue ink on slightly yellow paper, edges in between.
                        let t = u32::from(v);
                        let mix =
                            |ink: u32, paper: u32| ((ink * (255 - t) + paper * t) / 255) as u8;
                        [mix(30, 250), mix(40, 244), mix(110, 226)]
                    })
                    .collect();
                image::RgbImage::from_raw(W as u32, H as u32, rgb)
                    .ok_or("size")?
                    .write_with_encoder(enc)?;
            } else {
                image::GrayImage::from_raw(W as u32, H as u32, data)
                    .ok_or("size")?
                    .write_with_encoder(enc)?;
            }
            // pHYs: 300 dpi (11811 px/m), inserted after IHDR.
            let mut phys = vec![0, 0, 0, 9];
            let mut chunk = b"pHYs".to_vec();
            chunk.extend(11811u32.to_be_bytes());
            chunk.extend(11811u32.to_be_bytes());
            chunk.push(1);
            let crc = crc32(&chunk);
            phys.extend(&chunk);
            phys.extend(crc.to_be_bytes());
            let mut out = png[..33].to_vec();
            out.extend(phys);
            out.extend(&png[33..]);
            std::fs::write(&path, out)?;
        }
        truth.push((blank, angle));
        files.push(path);
    }
    let data = work.join("data");
    let _ = std::fs::remove_dir_all(&data);
    let store = Store::open(&data)?;
    let mut profile = profiles(&store)?
        .into_iter()
        .find(|p| p.id == profile_id)
        .ok_or("unknown profile")?;
    // For comparisons at another JPEG quality: PIPELINE_JPEG_QUALITY=75.
    if let Some(q) = std::env::var("PIPELINE_JPEG_QUALITY")
        .ok()
        .and_then(|q| q.parse().ok())
    {
        profile.processing.jpeg_quality = q;
        println!("JPEG quality {q} instead of the profile's");
    }
    // The processing pipeline alone: OCR has its own benchmark (scripts/bench-ocr.sh).
    profile.processing.ocr = false;
    let batch = store.with_tx(|c| {
        batches::create_batch(
            c,
            "bench",
            Some(&profile.id),
            &serde_json::to_string(&profile).unwrap_or_default(),
        )
    })?;
    let rss_before = peak_rss_mib();
    let started = Instant::now();
    let report = import_files(
        &store,
        &batch,
        &files,
        &profile.processing,
        Limits::default(),
        &AtomicBool::new(false),
        &|_| {},
    );
    let processed = started.elapsed();
    let docs = release_checked(&store, &batch, "Bench", &[])?;
    let total = started.elapsed();
    let pages = store.with_conn(|c| pages::pages(c, &batch))?;
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    let (mut err_sum, mut err_max, mut measured) = (0.0f64, 0.0f64, 0);
    for (p, (blank, angle)) in pages.iter().zip(&truth) {
        match (p.blank, *blank) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            _ => {}
        }
        if let (false, Some(skew)) = (*blank, p.skew) {
            let e = (skew - f64::from(*angle)).abs();
            err_sum += e;
            err_max = err_max.max(e);
            measured += 1;
        }
    }
    let pdf_bytes: u64 = docs
        .iter()
        .map(|d| {
            store
                .blobs()
                .path(&d.pdf_blob)
                .ok()
                .and_then(|p| std::fs::metadata(p).ok())
                .map_or(0, |m| m.len())
        })
        .sum();
    let input_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    println!(
        "profile {profile_id}: {n} A4 pages at 300 dpi ({} MiB of PNG input)",
        input_bytes >> 20
    );
    println!(
        "received {} processed {} failed {}",
        report.received, report.processed, report.failed_pages
    );
    println!(
        "processing (read, store raw, deskew, blank check, encode, store): {:.2} s = {:.1} pages/s",
        processed.as_secs_f64(),
        n as f64 / processed.as_secs_f64()
    );
    println!(
        "with PDF/A assembly: {:.2} s = {:.1} pages/s",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64()
    );
    println!(
        "deskew error over {measured} text pages: mean {:.3}°, max {:.3}°",
        err_sum / f64::from(measured.max(1)),
        err_max
    );
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(tp) / f64::from((tp + fneg).max(1));
    println!("blank detection: {tp} found, {fp} false, {fneg} missed: precision {precision:.2}, recall {recall:.2}");
    println!(
        "PDF/A: {} KiB in all, {:.1} KiB per page",
        pdf_bytes >> 10,
        pdf_bytes as f64 / 1024.0 / n as f64
    );
    println!(
        "peak memory (VmHWM): {} MiB ({} MiB before the batch)",
        peak_rss_mib(),
        rss_before
    );
    let out = work.join(format!("eingang-{profile_id}.pdf"));
    if let Some(d) = docs.first() {
        std::fs::write(&out, store.blobs().get(&d.pdf_blob)?)?;
    }
    Ok(())
}

/// What a scanner makes of a drawn page: edges softened by the optics (3×3 box blur) and
/// sensor noise (±4 levels), so no page is exactly two-toned.
fn scanned(page: &[u8], seed: u64) -> Vec<u8> {
    let mut out = vec![0u8; page.len()];
    let mut rng = seed * 2_654_435_761 + 1;
    for y in 0..H {
        for x in 0..W {
            let mut sum = 0u32;
            let mut n = 0u32;
            for dy in y.saturating_sub(1)..(y + 2).min(H) {
                for dx in x.saturating_sub(1)..(x + 2).min(W) {
                    sum += u32::from(page[dy * W + dx]);
                    n += 1;
                }
            }
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let noisy = (sum / n + (rng % 9) as u32).saturating_sub(4);
            out[y * W + x] = noisy.min(255) as u8;
        }
    }
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
