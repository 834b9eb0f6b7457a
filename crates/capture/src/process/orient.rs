//! Orientation: which way up a page was fed, from its ink alone, in a few milliseconds.
//!
//! 1. **Lines across or along?** The dark pixels of the ~150 dpi copy are projected onto
//!    rows, once as they lie and once turned a quarter (each over the deskew's ±15°): text
//!    lines make the row profile sharp only in the frame where they run across.
//! 2. **Up or down?** In that frame, straightened by the skew found, every text line of
//!    every vertical strip of the page is measured: its core (the x-height band, where
//!    the line's ink is densest) and the ink above it (ascenders, capitals, umlaut dots) and
//!    below it (descenders). In Latin script, German above all with its capitalised nouns,
//!    far more ink stands above the core than hangs below it; a page fed upside down shows
//!    the opposite. Each line votes; the share of the majority is the confidence.
//!
//! A page with too few letters (a drawing, a photo, a blank back) has no reading; one with
//! few lines a low confidence, and the caller leaves it as it is below its threshold.

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use super::deskew::{ink_points, sharpest_scored};

/// Which way a page must be turned to be read.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Orientation {
    /// Quarter turns clockwise that make the page upright (0–3).
    pub turn: u8,
    /// 0–1: how sure the reading is (the share of lines that agree, weighted by how
    /// clearly the lines run across).
    pub confidence: f32,
    /// The skew of the text in the upright frame (degrees, counter-clockwise positive).
    pub skew_degrees: f32,
    /// Text lines measured.
    pub lines: u32,
}

/// Letters a page needs before its orientation is read.
const MIN_LETTERS: usize = 20;

/// Grid cells (150 dpi pixels) for the neighbour search: two line heights.
const CELL: usize = 48;

/// Strips a page is cut into for the line measurement (columns of text rarely align).
const STRIPS: usize = 6;

/// Reads the orientation of a ~150 dpi grey copy; `None` when it has too little ink.
pub(crate) fn detect(small: &[u8], sw: usize, sh: usize) -> Option<Orientation> {
    // Every dark pixel: thinning by a stride in raster order would drop whole rows of the
    // quarter-turned frame (every other column, when the width is even) and tear its line
    // profile apart. The sweeps use a spread-out sample (by a hash of the index) instead.
    let (points, span) = ink_points(small, sw, sh, usize::MAX)?;
    let sparse = thin(&points, 60_000);
    // Turned a quarter clockwise: (x, y) → (−y, x).
    let turned: Vec<(f32, f32)> = sparse.iter().map(|&(x, y)| (-y, x)).collect();
    let (a_h, s_h) = sharpest_scored(&sparse, span, -15.0, 15.0, 0.25);
    let (a_v, s_v) = sharpest_scored(&turned, span, -15.0, 15.0, 0.25);
    // Which way the lines run: a letter's nearest neighbour is beside it in its line (a
    // point or two away), not above it (a line gap away) — in tables and forms too, whose
    // columns make the profile of the wrong axis sharp as well. A page with too few
    // letters (a drawing, a photo) has no orientation to read.
    let (beside, above) = neighbours(small, sw, sh);
    // Letters of a line stand a point apart, lines a line gap: in text, one way clearly
    // wins (measured on letters: 5–40 times); blocks and drawings stay undecided.
    if beside + above < MIN_LETTERS || beside.max(above) * 2 < beside.min(above) * 3 {
        return None;
    }
    let across = beside > above || (beside == above && s_h >= s_v);
    let (coarse, frame): (f32, Vec<(f32, f32)>) = if across {
        (a_h, points)
    } else {
        (a_v, points.iter().map(|&(x, y)| (-y, x)).collect())
    };
    let (fine, _) = sharpest_scored(&frame, span, coarse - 0.3, coarse + 0.3, 0.02);
    let (up, down, _) = votes(&frame, span, fine);
    let lines = up + down;
    if lines == 0 {
        return None;
    }
    let upright = up >= down;
    let agree = up.max(down) as f32 / lines as f32;
    // How clearly the frame was chosen: 1 when one has twice the lines of the other.
    // How clearly the axis was chosen: 1 when twice as many letters say so as not.
    let (hi, lo) = if across {
        (beside, above)
    } else {
        (above, beside)
    };
    let clarity = (hi as f32 / lo.max(1) as f32 - 1.0).clamp(0.0, 1.0);
    // Few lines cannot be sure however they vote.
    let enough = (lines as f32 / 8.0).min(1.0);
    let confidence = ((2.0 * agree - 1.0) * clarity.sqrt() * enough).clamp(0.0, 1.0);
    let turn = match (across, upright) {
        (true, true) => 0,
        (true, false) => 2,
        (false, true) => 1,
        (false, false) => 3,
    };
    Some(Orientation {
        turn,
        confidence: (confidence * 1000.0).round() / 1000.0,
        skew_degrees: (fine * 100.0).round() / 100.0,
        lines: u32::try_from(lines).unwrap_or(u32::MAX),
    })
}

/// Letter-sized connected components (8-connected ink of the binarised copy) whose nearest
/// neighbour lies beside them, and those whose nearest lies above or below.
fn neighbours(small: &[u8], sw: usize, sh: usize) -> (usize, usize) {
    let t = super::threshold::otsu(small).min(200);
    let boxes = components(small, sw, sh, t);
    // Letters at 150 dpi: 3–40 pixels either way, roughly as wide as high (the same test
    // for a page lying on its side); blocks, rules and drawings are not letters.
    let letters: Vec<[usize; 4]> = boxes
        .into_iter()
        .filter(|b| {
            let (w, h) = (b[2] - b[0], b[3] - b[1]);
            (3..=40).contains(&w.max(h)) && w.max(h) * 2 <= w.min(h) * 5
        })
        .collect();
    let (gw, gh) = (sw / CELL + 1, sh / CELL + 1);
    let mut grid: Vec<Vec<u32>> = vec![Vec::new(); gw * gh];
    for (i, b) in letters.iter().enumerate() {
        let (cx, cy) = (b[0].midpoint(b[2]) / CELL, b[1].midpoint(b[3]) / CELL);
        grid[cy * gw + cx].push(u32::try_from(i).unwrap_or(u32::MAX));
    }
    let (mut beside, mut above) = (0, 0);
    for (i, a) in letters.iter().enumerate() {
        let (cx, cy) = (a[0].midpoint(a[2]) / CELL, a[1].midpoint(a[3]) / CELL);
        let mut best: Option<(usize, bool)> = None;
        for gy in cy.saturating_sub(1)..=(cy + 1).min(gh - 1) {
            for gx in cx.saturating_sub(1)..=(cx + 1).min(gw - 1) {
                for &j in &grid[gy * gw + gx] {
                    if j as usize == i {
                        continue;
                    }
                    let b = &letters[j as usize];
                    let gap_x = a[0].max(b[0]).saturating_sub(a[2].min(b[2]));
                    let gap_y = a[1].max(b[1]).saturating_sub(a[3].min(b[3]));
                    // Only neighbours that share rows (beside) or columns (above).
                    let (gap, side) = match (gap_x, gap_y) {
                        (g, 0) => (g, true),
                        (0, g) => (g, false),
                        _ => continue,
                    };
                    if best.is_none_or(|(d, _)| gap < d) {
                        best = Some((gap, side));
                    }
                }
            }
        }
        match best {
            Some((_, true)) => beside += 1,
            Some((_, false)) => above += 1,
            None => {}
        }
    }
    (beside, above)
}

/// Bounding boxes `[x0, y0, x1, y1)` of the 8-connected components of samples `<= t`,
/// labelled run by run with a union-find.
fn components(small: &[u8], sw: usize, sh: usize, t: u8) -> Vec<[usize; 4]> {
    fn find(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            let up = parent[parent[i as usize] as usize];
            parent[i as usize] = up;
            i = up;
        }
        i
    }
    // Runs of the previous and the current row: (x0, x1, label).
    let mut parent: Vec<u32> = Vec::new();
    let mut boxes: Vec<[usize; 4]> = Vec::new();
    let mut prev: Vec<(usize, usize, u32)> = Vec::new();
    let mut cur: Vec<(usize, usize, u32)> = Vec::new();
    for y in 0..sh {
        let row = &small[y * sw..(y + 1) * sw];
        cur.clear();
        let mut x = 0;
        while x < sw {
            if row[x] > t {
                x += 1;
                continue;
            }
            let x0 = x;
            while x < sw && row[x] <= t {
                x += 1;
            }
            let label = u32::try_from(parent.len()).unwrap_or(u32::MAX);
            parent.push(label);
            boxes.push([x0, y, x, y + 1]);
            // 8-connected: runs of the row above that touch [x0 − 1, x].
            for &(p0, p1, pl) in &prev {
                if p0 <= x && p1 + 1 > x0 {
                    let (ra, rb) = (find(&mut parent, label), find(&mut parent, pl));
                    if ra != rb {
                        parent[ra as usize] = rb;
                    }
                }
            }
            cur.push((x0, x, label));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let mut merged: std::collections::HashMap<u32, [usize; 4]> = std::collections::HashMap::new();
    for (i, &b) in boxes.iter().enumerate() {
        let root = find(&mut parent, u32::try_from(i).unwrap_or(u32::MAX));
        merged
            .entry(root)
            .and_modify(|m| {
                m[0] = m[0].min(b[0]);
                m[1] = m[1].min(b[1]);
                m[2] = m[2].max(b[2]);
                m[3] = m[3].max(b[3]);
            })
            .or_insert(b);
    }
    merged.into_values().collect()
}

/// About `max` of `points`, chosen by a hash of their index (no stride: see [`detect`]).
fn thin(points: &[(f32, f32)], max: usize) -> Vec<(f32, f32)> {
    if points.len() <= max {
        return points.to_vec();
    }
    let keep = (u64::from(u32::MAX) * max as u64 / points.len() as u64) as u32;
    points
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i as u32).wrapping_mul(0x9E37_79B1).rotate_right(7) <= keep)
        .map(|(_, p)| *p)
        .collect()
}

/// Lines whose ink leans up (upright text) and down, and all lines found, over the page's
/// strips.
fn votes(points: &[(f32, f32)], span: usize, deg: f32) -> (usize, usize, usize) {
    let tan = deg.to_radians().tan();
    let offset = (span / 2) as f32;
    let (min_x, max_x) = points
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &(x, _)| (a.min(x), b.max(x)));
    let width = (max_x - min_x).max(1.0);
    let mut hists = vec![vec![0u32; span * 2]; STRIPS];
    for &(x, y) in points {
        let strip = (((x - min_x) / width) * STRIPS as f32) as usize;
        let r = y + x * tan + offset;
        if let Some(c) = hists[strip.min(STRIPS - 1)].get_mut(r as usize) {
            *c += 1;
        }
    }
    let (mut up, mut down, mut lines) = (0, 0, 0);
    for h in &hists {
        for (asc, desc) in line_ink(h) {
            lines += 1;
            // A line votes only when one side clearly outweighs the other.
            if asc > desc * 5 / 4 {
                up += 1;
            } else if desc > asc * 5 / 4 {
                down += 1;
            }
        }
    }
    (up, down, lines)
}

/// For each text line of a strip's row profile: the ink above its core and below it.
fn line_ink(h: &[u32]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut y = 0;
    while y < h.len() {
        if h[y] == 0 {
            y += 1;
            continue;
        }
        let start = y;
        while y < h.len() && h[y] > 0 {
            y += 1;
        }
        split_run(&h[start..y], &mut out);
    }
    out
}

/// A run of inked rows: one line, or lines whose ascenders and descenders touch. Each core
/// (rows at least 40 % of the run's peak) is one line; the rows between two cores are
/// shared at their thinnest row.
fn split_run(run: &[u32], out: &mut Vec<(u32, u32)>) {
    let peak = run.iter().copied().max().unwrap_or(0);
    if peak < 4 || run.len() < 4 {
        return;
    }
    let level = peak * 2 / 5;
    let mut cores: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < run.len() {
        if run[i] >= level {
            let a = i;
            while i < run.len() && run[i] >= level {
                i += 1;
            }
            cores.push((a, i));
        } else {
            i += 1;
        }
    }
    for (k, &(a, b)) in cores.iter().enumerate() {
        let core = b - a;
        // At 150 dpi an x-height is 6–30 rows; anything else is a rule, a logo or noise.
        if !(4..=30).contains(&core) {
            continue;
        }
        let top = if k == 0 {
            0
        } else {
            thinnest(run, cores[k - 1].1, a)
        };
        let bottom = if k + 1 == cores.len() {
            run.len()
        } else {
            thinnest(run, b, cores[k + 1].0)
        };
        // Ascenders reach about as far as the core is high; beyond that it is another line.
        let top = top.max(a.saturating_sub(core));
        let bottom = bottom.min(b + core);
        let asc: u32 = run[top..a].iter().sum();
        let desc: u32 = run[b..bottom].iter().sum();
        out.push((asc, desc));
    }
}

/// The row between `a` and `b` with the least ink (`a` when they touch).
fn thinnest(run: &[u32], a: usize, b: usize) -> usize {
    (a..b).min_by_key(|&i| run[i]).unwrap_or(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::raster::{factor_for, shrink};

    /// A 150 dpi page of German text set in DejaVu (the fonts the tests have), turned.
    fn page(turns: u8) -> (Vec<u8>, usize, usize) {
        let text = TEXT.repeat(3);
        let (w, h) = (1240usize, 1754usize);
        let mut luma = vec![250u8; w * h];
        draw(&mut luma, w, &text);
        let (mut l, mut w, mut h) = (luma, w, h);
        for _ in 0..turns {
            let mut out = vec![0u8; w * h];
            // Turned a quarter counter-clockwise: the page then needs a clockwise turn.
            for y in 0..h {
                for x in 0..w {
                    out[(w - 1 - x) * h + y] = l[y * w + x];
                }
            }
            l = out;
            std::mem::swap(&mut w, &mut h);
        }
        (l, w, h)
    }

    const TEXT: &str = "Sehr geehrte Damen und Herren, hiermit beantrage ich die Erteilung einer \
        Baugenehmigung für die Errichtung einer Garage auf dem Grundstück Lindenallee in der \
        Gemarkung Musterstadt. Die erforderlichen Unterlagen liegen diesem Schreiben bei. Für \
        Rückfragen stehe ich Ihnen gerne zur Verfügung. Mit freundlichen Grüßen ";

    /// Glyphs drawn from a crude 5×7-ish model of Latin letters: x-height body, ascenders
    /// for capitals and b d f h k l t, descenders for g j p q y.
    fn draw(luma: &mut [u8], w: usize, text: &str) {
        let (mut x, mut y) = (120usize, 150usize);
        for word in text.split_whitespace() {
            let len = word.chars().count() * 14;
            if x + len > w - 120 {
                x = 120;
                y += 36;
            }
            for c in word.chars() {
                let asc = c.is_uppercase() || "bdfhklt".contains(c) || "äöü".contains(c);
                let desc = "gjpqy".contains(c);
                // Proportional: widths vary as in a real typeface.
                let cw = 8 + (c as usize * 7) % 6;
                let (top, bottom) = (
                    if asc { y } else { y + 7 },
                    if desc { y + 25 } else { y + 19 },
                );
                for yy in top..bottom {
                    for xx in x + 1..x + cw - 1 {
                        let body = (y + 7..y + 19).contains(&yy);
                        let stem = (xx - x) % 2 == 1;
                        if body && (stem || yy == y + 7 || yy == y + 18) || !body && xx <= x + 2 {
                            luma[yy * w + xx] = 20;
                        }
                    }
                }
                x += cw + 1;
            }
            x += 9;
        }
    }

    #[test]
    fn every_quarter_turn_is_read_back() {
        for turns in 0..4u8 {
            let (l, w, h) = page(turns);
            let o = detect(&l, w, h);
            let o = o.expect("text page");
            assert_eq!(o.turn, turns, "fed {turns} quarter turns: {o:?}");
            assert!(o.confidence > 0.5, "{o:?}");
            assert!(o.lines > 20, "{o:?}");
        }
    }

    #[test]
    fn a_blank_page_has_no_orientation_and_a_few_lines_little_confidence() {
        let blank = vec![250u8; 600 * 800];
        assert!(detect(&blank, 600, 800).is_none());
        let (mut l, w, h) = (vec![250u8; 1240 * 1754], 1240usize, 1754usize);
        draw(&mut l, w, "Seite zwei");
        if let Some(o) = detect(&l, w, h) {
            assert!(o.confidence < 0.5, "{o:?}");
        }
        // A larger copy shrinks to the same reading.
        let (l, w, h) = page(2);
        let (s, sw, sh) = shrink(&l, w, h, factor_for(150.0, 150.0));
        assert_eq!(detect(&s, sw, sh).map(|o| o.turn), Some(2));
    }
}
