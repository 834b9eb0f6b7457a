//! Printed patch codes (Kodak): four parallel bars, each wide (0.20″) or narrow (0.08″),
//! with narrow spaces (0.08″) between them, at least 2″ long. The six codes and their bars
//! in reading order: 1 `WWNN`, 2 `WNNW`, 3 `WNWN`, T `NWNW`, 4 `NWWN`, 6 `NNWW`.
//!
//! Bars across the page (parallel to the leading edge) are read top to bottom, bars along it
//! (end-fed) right to left, as Kodak's scanners read them. A code counts only when the same
//! pattern is found at the same place on scan lines spanning at least 1.5″ of bar length —
//! text, tables and rules do not make four 2 mm and 5 mm bars that long.
//! A code is reported as `PATCH1` … `PATCH6`, `PATCHT` (format `patch`), so the default
//! separator rule `PATCHT` takes printed transfer patches and Code 39 `PATCHT` sheets alike.

use crate::process::threshold::otsu;
use eingang_model::scan::Barcode;

const PATTERNS: [(&str, [bool; 4]); 6] = [
    ("PATCH1", [true, true, false, false]),
    ("PATCH2", [true, false, false, true]),
    ("PATCH3", [true, false, true, false]),
    ("PATCHT", [false, true, false, true]),
    ("PATCH4", [false, true, true, false]),
    ("PATCH6", [false, false, true, true]),
];

/// Light/dark runs along a line: (dark, length).
fn runs(line: impl Iterator<Item = bool>) -> Vec<(bool, usize)> {
    let mut out: Vec<(bool, usize)> = Vec::new();
    for dark in line {
        match out.last_mut() {
            Some((d, n)) if *d == dark => *n += 1,
            _ => out.push((dark, 1)),
        }
    }
    out
}

/// Finds patch patterns on one scan line; returns (code, offset where it starts).
fn on_line(runs: &[(bool, usize)], px_per_inch: f32) -> Vec<(usize, usize)> {
    #[allow(clippy::cast_precision_loss)]
    let inch = |n: usize| n as f32 / px_per_inch;
    let narrow = |n: usize| (0.05..=0.12).contains(&inch(n));
    let wide = |n: usize| (0.15..=0.26).contains(&inch(n));
    let mut found = Vec::new();
    let mut at = 0;
    for i in 0..runs.len() {
        if i + 7 <= runs.len() && runs[i].0 {
            let w = &runs[i..i + 7];
            let bars = [w[0], w[2], w[4], w[6]];
            let spaces_ok = [w[1], w[3], w[5]].iter().all(|s| !s.0 && narrow(s.1));
            let quiet_before = i == 0 || inch(runs[i - 1].1) >= 0.08;
            let quiet_after = i + 7 == runs.len() || inch(runs[i + 7].1) >= 0.08;
            if spaces_ok
                && quiet_before
                && quiet_after
                && bars.iter().all(|b| narrow(b.1) || wide(b.1))
            {
                let pattern = bars.map(|b| wide(b.1));
                if let Some(code) = PATTERNS.iter().position(|(_, p)| *p == pattern) {
                    found.push((code, at));
                }
            }
        }
        at += runs[i].1;
    }
    found
}

/// Reads printed patch codes on a page of grey samples at `dpi`.
pub fn read_patch_codes(luma: &[u8], w: usize, h: usize, dpi: f32) -> Vec<Barcode> {
    if w == 0 || h == 0 || luma.len() < w * h || !(50.0..=2400.0).contains(&dpi) {
        return Vec::new();
    }
    let threshold = otsu(luma).max(64);
    let dark = |x: usize, y: usize| luma[y * w + x] <= threshold;
    // Scan lines every 0.05″; a code needs hits spanning 1.5″ of bar length.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let step = ((dpi * 0.05) as usize).max(1);
    let need = 1.5 * dpi;
    // (code, scan line position, where on the line the code starts)
    let mut hits: Vec<(usize, usize, usize)> = Vec::new();
    for x in (0..w).step_by(step) {
        for (code, at) in on_line(&runs((0..h).map(|y| dark(x, y))), dpi) {
            hits.push((code, x, at));
        }
    }
    // Along the page: offsets kept apart from the ones across it.
    let apart = w + h;
    for y in (0..h).step_by(step) {
        for (code, at) in on_line(&runs((0..w).rev().map(|x| dark(x, y))), dpi) {
            hits.push((code, apart + y, at));
        }
    }
    // Chains of hits of one code on neighbouring scan lines at (nearly) the same place —
    // one bar pattern; a skewed one drifts a little from line to line.
    hits.sort_unstable();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let drift = ((dpi * 0.03) as usize).max(1);
    let mut out = Vec::new();
    let mut chains: Vec<(usize, usize, usize, usize)> = Vec::new(); // code, first, last, at
    for (code, pos, at) in hits {
        let near = chains.iter_mut().find(|c| {
            c.0 == code && pos > c.2 && pos - c.2 <= 3 * step && at.abs_diff(c.3) <= drift
        });
        match near {
            Some(c) => {
                c.2 = pos;
                c.3 = at;
            }
            None => chains.push((code, pos, pos, at)),
        }
    }
    for (code, first, last, _) in chains {
        #[allow(clippy::cast_precision_loss)]
        if (last - first) as f32 >= need {
            out.push(Barcode {
                format: "patch".into(),
                value: PATTERNS[code].0.into(),
            });
        }
    }
    out.sort_by(|a, b| a.value.cmp(&b.value));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white page at 150 dpi with a patch code's bars across it (or along it).
    fn sheet(pattern: [bool; 4], along: bool, skew_px: usize) -> (Vec<u8>, usize, usize) {
        let (w, h) = (1240 / 2, 1754 / 2);
        let mut page = vec![245u8; w * h];
        let (narrow, wide) = (12, 30);
        let mut at = 150;
        for (i, is_wide) in pattern.iter().enumerate() {
            let n = if *is_wide { wide } else { narrow };
            for d in at..at + n {
                for t in 100..500 {
                    // A slight skew: the bar drifts by `skew_px` over its length.
                    let d = d + (t - 100) * skew_px / 400;
                    let (x, y) = if along { (w - 1 - d, t) } else { (t, d) };
                    page[y * w + x] = 20;
                }
            }
            at += n;
            if i < 3 {
                at += narrow;
            }
        }
        (page, w, h)
    }

    #[test]
    fn each_code_is_read_across_and_along_the_page() {
        for (name, pattern) in PATTERNS {
            for along in [false, true] {
                let (page, w, h) = sheet(pattern, along, 0);
                let found = read_patch_codes(&page, w, h, 150.0);
                assert_eq!(
                    found.iter().map(|b| b.value.as_str()).collect::<Vec<_>>(),
                    [name],
                    "{name}, along: {along}"
                );
            }
        }
        // 1° of skew (7 px over 400 px) still reads.
        let (page, w, h) = sheet(PATTERNS[3].1, false, 7);
        assert_eq!(read_patch_codes(&page, w, h, 150.0)[0].value, "PATCHT");
    }

    #[test]
    fn short_bars_and_wrong_widths_are_not_codes() {
        let (w, h) = (620, 877);
        // Bars only 1″ long.
        let mut page = vec![245u8; w * h];
        for (start, n) in [(150, 12), (174, 30), (216, 12), (240, 30)] {
            for y in start..start + n {
                for x in 100..250 {
                    page[y * w + x] = 20;
                }
            }
        }
        assert!(read_patch_codes(&page, w, h, 150.0).is_empty());
        // Four bars all 0.35″ wide: no pattern.
        let mut page = vec![245u8; w * h];
        for i in 0..4 {
            for y in 150 + i * 65..150 + i * 65 + 52 {
                for x in 100..500 {
                    page[y * w + x] = 20;
                }
            }
        }
        assert!(read_patch_codes(&page, w, h, 150.0).is_empty());
        assert!(read_patch_codes(&[], 0, 0, 150.0).is_empty());
    }
}
