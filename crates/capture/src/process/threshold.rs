//! Thresholds and ink: Otsu's threshold for bilevel pages, the paper level and background
//! whitening, and the share of ink that decides whether a page is blank.

// Pixel arithmetic: coordinates and counts are bounded by `Limits` (≤ 300 million pixels a
// page), far inside f32/f64 precision for the sizes involved; values are clamped before
// they are narrowed.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use super::raster::{factor_for, shrink, Raster};
use super::settings::Op;

/// Otsu's threshold: levels at or below it are ink, above it paper.
pub(crate) fn otsu(luma: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in luma {
        hist[usize::from(v)] += 1;
    }
    let total = luma.len() as f64;
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0.0, 0.0, -1.0, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c as f64;
        if w_b == 0.0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0.0 {
            break;
        }
        sum_b += t as f64 * c as f64;
        let (m_b, m_f) = (sum_b / w_b, (sum - sum_b) / w_f);
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = u8::try_from(t).unwrap_or(127);
        }
    }
    best_t
}

/// The threshold for bilevel conversion: Otsu's, unless the page has no ink to separate
/// (paper noise only — Otsu would split the noise and G4 would encode it as black specks),
/// then a fixed mid level, which leaves such a page white.
pub(crate) fn bilevel_threshold(luma: &[u8]) -> u8 {
    let t = otsu(luma);
    let (mut below, mut n_below, mut above, mut n_above) = (0u64, 0u64, 0u64, 0u64);
    for &v in luma {
        if v <= t {
            below += u64::from(v);
            n_below += 1;
        } else {
            above += u64::from(v);
            n_above += 1;
        }
    }
    let mean = |sum: u64, n: u64| sum.checked_div(n).unwrap_or(0);
    if n_below == 0 || mean(above, n_above).saturating_sub(mean(below, n_below)) < 64 {
        127.min(t)
    } else {
        t
    }
}

/// The paper's level: the level 90 % of the page is at or below (bright, robust to ink).
pub(crate) fn paper_level(luma: &[u8]) -> u8 {
    let mut hist = [0u64; 256];
    for &v in luma {
        hist[usize::from(v)] += 1;
    }
    let n = luma.len() as u64;
    let mut seen = 0;
    for (level, &c) in hist.iter().enumerate() {
        seen += c;
        if seen * 10 >= n * 9 {
            return level as u8;
        }
    }
    255
}

/// Lifts the paper to white: levels from `paper − 24` up become 255, darker ones are
/// stretched to keep their order. Nothing happens on dark pages or pages already white.
pub(crate) fn whiten(r: &mut Raster, luma: &[u8]) -> Option<Op> {
    let paper = paper_level(luma);
    if paper < 128 {
        return None;
    }
    let white_from = paper.saturating_sub(24).max(1);
    if white_from >= 250 {
        return None;
    }
    let mut lut = [255u8; 256];
    for (v, out) in lut.iter_mut().enumerate().take(usize::from(white_from)) {
        *out = (v * 255 / usize::from(white_from)) as u8;
    }
    for v in &mut r.data {
        *v = lut[usize::from(*v)];
    }
    Some(Op::WhitenBackground { paper, white_from })
}

/// The share of ink on the page (percent), ignoring a margin where scanners leave edges.
pub fn ink_percent(luma: &[u8], w: usize, h: usize, dpi: f32) -> f32 {
    let (small, sw, sh) = shrink(luma, w, h, factor_for(dpi, 75.0));
    ink_of_small(&small, sw, sh)
}

/// [`ink_percent`] on a ~75 dpi copy already made.
pub(crate) fn ink_of_small(small: &[u8], sw: usize, sh: usize) -> f32 {
    let (mx, my) = (sw / 20, sh / 20);
    let mut hist = [0u64; 256];
    let mut n = 0u64;
    for y in my..sh - my {
        for &v in &small[y * sw + mx..y * sw + sw - mx] {
            hist[usize::from(v)] += 1;
            n += 1;
        }
    }
    if n == 0 {
        return 0.0;
    }
    // The paper: the level 90 % of the area is at or below (bright, robust to ink).
    let mut seen = 0;
    let mut paper = 255usize;
    for (level, &c) in hist.iter().enumerate() {
        seen += c;
        if seen * 10 >= n * 9 {
            paper = level;
            break;
        }
    }
    // A dark page (a black sheet, a photo) is all ink: never blank.
    let ink_below = if paper >= 128 { paper - 80 } else { 256 };
    let ink: u64 = hist[..ink_below].iter().sum();
    (ink as f64 * 100.0 / n as f64) as f32
}
