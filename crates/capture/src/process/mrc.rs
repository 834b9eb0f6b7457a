//! Mixed raster content (MRC): a grey or colour page split into three layers that each
//! compress well (ITU-T T.44's model) — a full-resolution bilevel **mask** of the text and
//! line art (CCITT G4; never JBIG2, TR-RESISCAN A.SC.12), the **foreground** colours of that
//! ink as a small JPEG painted through the mask, and the **background** (paper, photos,
//! logos, stamps' tint) as a JPEG at a third of the resolution.
//!
//! - The mask survives tinted paper and coloured ink: each pixel is compared with the paper
//!   around it (the bright level of its neighbourhood, estimated on blocks of about 3 mm and
//!   interpolated), not with one threshold for the page; it is ink when clearly darker.
//! - The foreground holds per cell (1/6 of the resolution) the mean colour of the ink in it;
//!   cells without ink take their neighbours' colour so the JPEG has no edges to spend bits on.
//! - The background holds per cell (1/3) the mean of the paper around the ink; near-white
//!   paper becomes white.
//! - **The guard**: the page is put together again from the layers as a viewer draws it
//!   and compared with the scan; where more than a small share of pixels differ clearly (a
//!   photo, a fine halftone, a drawing of hair-lines lost to the mask), or the page is mostly
//!   ink, or MRC would not be smaller, the page is refused with the reason and the caller
//!   writes it as plain JPEG.

// Pixel arithmetic on page rasters (≤ 300 million pixels a page, `Limits`): counts and
// coordinates stay far inside f32/f64 precision; values are clamped before narrowing.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use super::encode::encode_g4;
use super::raster::Raster;

/// The layers' resolutions and qualities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MrcSettings {
    /// A colour page's foreground at 1/`foreground_scale` of the scan's resolution (a
    /// stamp's or signature's colour follows its strokes closely)…
    pub foreground_scale: usize,
    /// … a grey page's at 1/`grey_foreground_scale` (its ink is mostly one black).
    pub grey_foreground_scale: usize,
    /// The background at 1/`background_scale`.
    pub background_scale: usize,
    pub foreground_quality: u8,
    pub background_quality: u8,
}

impl MrcSettings {
    /// The foreground's scale for a page of `channels` (1 grey, 3 colour).
    pub fn foreground_scale_for(&self, channels: usize) -> usize {
        if channels == 1 {
            self.grey_foreground_scale
        } else {
            self.foreground_scale
        }
    }
}

impl Default for MrcSettings {
    fn default() -> Self {
        Self {
            foreground_scale: 4,
            grey_foreground_scale: 6,
            background_scale: 3,
            foreground_quality: 50,
            background_quality: 40,
        }
    }
}

/// A page as MRC layers (the PDF writer's `MrcPage` without its resolution).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layers {
    pub width: u32,
    pub height: u32,
    pub mask: Vec<u8>,
    pub foreground: Vec<u8>,
    pub background: Vec<u8>,
    /// What the page log records: the share of ink and of pixels the guard found changed
    /// (per mille), and the layers' sizes.
    pub ink_permille: u32,
    pub changed_permille: u32,
    /// The settings the layers were made with (for the log and the Transfervermerk)…
    pub settings: MrcSettings,
    /// … and the foreground's scale they chose for this page.
    pub foreground_scale: usize,
}

/// Why a page stays plain JPEG (said in the page log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Mostly ink (a nearly black page, a full-page photo): MRC has nothing to separate.
    MostlyInk { ink_permille: u32 },
    /// Put together again, too many pixels differ from the scan (a photo, a fine halftone,
    /// hair-lines): it would lose detail.
    LosesDetail { changed_permille: u32 },
    /// Not smaller than the plain JPEG.
    NotSmaller { mrc: usize, jpeg: usize },
    /// Too large for CCITT G4 or JPEG.
    TooLarge,
    /// A bilevel page: CCITT G4 already.
    Bilevel,
    /// Much of the page is neither paper nor ink (a photo, a grey-tone picture): the
    /// background's lower resolution would blur it.
    Photo { midtone_permille: u32 },
    /// The paper itself is dark (a nearly black page, a negative): no light paper to
    /// separate the ink from.
    Dark { paper: u8 },
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MostlyInk { ink_permille } => write!(
                f,
                "mostly ink ({:.1} %): nothing to separate; plain JPEG",
                f64::from(*ink_permille) / 10.0
            ),
            Self::LosesDetail { changed_permille } => write!(
                f,
                "MRC would change {:.1} % of the pixels visibly (photo, halftone or fine lines); plain JPEG",
                f64::from(*changed_permille) / 10.0
            ),
            Self::NotSmaller { mrc, jpeg } => {
                write!(f, "MRC ({mrc} bytes) is not smaller than JPEG ({jpeg} bytes); plain JPEG")
            }
            Self::TooLarge => write!(f, "too large for CCITT G4 or JPEG; plain JPEG"),
            Self::Bilevel => write!(f, "bilevel page: CCITT G4 as it is"),
            Self::Dark { paper } => write!(
                f,
                "the paper is dark (level {paper} of 255): nothing to separate; plain JPEG"
            ),
            Self::Photo { midtone_permille } => write!(
                f,
                "{:.1} % of the page is neither paper nor ink (a photo or picture): plain JPEG keeps its detail",
                f64::from(*midtone_permille) / 10.0
            ),
        }
    }
}

/// A page with this share (per mille) of pixels between paper and ink is a picture.
const MAX_MIDTONE_PERMILLE: u32 = 120;
/// A page this share of ink (per mille) or more is not separated.
const MAX_INK_PERMILLE: u32 = 400;
/// More than this share of visibly changed pixels (per mille) and MRC gives way.
const MAX_CHANGED_PERMILLE: u32 = 15;
/// A pixel differs visibly when its luma is this far from the scan's.
const VISIBLE: i32 = 64;
/// A foreground cell whose ink weighs less than this (weights: the square of how far past
/// the ink threshold a pixel is; two pixels 64 levels past it) caught only a stroke's edge.
const CORE_WEIGHT: u64 = 2 * 64 * 64;
/// A foreground cell whose channels spread less than this is colourless (black, grey).
const NEUTRAL: u8 = 40;
/// Colourless foreground cells this close to the page's black are its black.
const BLACK_SPAN: u8 = 40;
/// Paper darker than this (the median of the page's paper levels) is not paper.
const MIN_PAPER: u8 = 96;

/// The paper's brightness around each pixel: the bright end (the 2nd brightest of the
/// samples taken) of each block of `b` pixels, smoothed with its neighbours so that a
/// large dark area (a logo, a bar) takes the paper from around it, then interpolated.
fn paper_levels(luma: &[u8], w: usize, h: usize, b: usize) -> (Vec<u8>, usize, usize) {
    let (bw, bh) = (w.div_ceil(b), h.div_ceil(b));
    let mut level = vec![255u8; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut first, mut second) = (0u8, 0u8);
            for y in (by * b..((by + 1) * b).min(h)).step_by(2) {
                for &v in luma[y * w + bx * b..y * w + ((bx + 1) * b).min(w)]
                    .iter()
                    .step_by(2)
                {
                    if v > first {
                        second = first;
                        first = v;
                    } else if v > second {
                        second = v;
                    }
                }
            }
            level[by * bw + bx] = second;
        }
    }
    // A block that is all ink takes the brightest of its neighbours (twice: 5×5 blocks).
    for _ in 0..2 {
        let before = level.clone();
        for by in 0..bh {
            for bx in 0..bw {
                let mut best = before[by * bw + bx];
                for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                    let (x, y) = (bx as i64 + dx, by as i64 + dy);
                    if x >= 0 && y >= 0 && (x as usize) < bw && (y as usize) < bh {
                        best = best.max(before[y as usize * bw + x as usize]);
                    }
                }
                level[by * bw + bx] = best;
            }
        }
    }
    (level, bw, bh)
}

/// The page's ink, pixel by pixel, and what the split found.
struct Ink {
    /// Whether each pixel is ink.
    mask: Vec<bool>,
    /// How much darker than the ink threshold each ink pixel is (0 for paper): the
    /// foreground's colour is weighted by it, so a stroke's core, not its soft edge, gives
    /// the colour.
    depth: Vec<u8>,
    /// Pixels that are neither paper nor ink (darker than the paper's texture, lighter
    /// than ink).
    midtones: usize,
    /// The median of the paper levels.
    paper: u8,
}

/// Each pixel is ink when clearly darker than the paper around it.
fn ink_mask(luma: &[u8], w: usize, h: usize, dpi: f32) -> Ink {
    let b = ((dpi / 8.0).round() as usize).max(8);
    let (level, bw, _) = paper_levels(luma, w, h, b);
    let mut sorted = level.clone();
    let mid = sorted.len() / 2;
    let paper = *sorted.select_nth_unstable(mid).1;
    let mut ink = vec![false; w * h];
    let mut depth = vec![0u8; w * h];
    let mut midtones = 0;
    for y in 0..h {
        let levels = &level[(y / b) * bw..(y / b + 1) * bw];
        for (bx, &block) in levels.iter().enumerate() {
            let paper = i32::from(block);
            // Darker than the paper by a third of its brightness and by at least 48 levels:
            // black and coloured text on white or tinted paper, not the paper's texture.
            let threshold = (paper / 3).max(48);
            for i in y * w + bx * b..y * w + ((bx + 1) * b).min(w) {
                let below = paper - i32::from(luma[i]);
                if below > threshold {
                    ink[i] = true;
                    depth[i] = (below - threshold).clamp(1, 255) as u8;
                } else if below > 24 {
                    midtones += 1;
                }
            }
        }
    }
    // Sensor noise on the strokes' edges: a lone ink pixel (no ink among its eight
    // neighbours) goes, a paper pixel walled in by ink (six or more of eight) becomes ink.
    // Both cost the mask's G4 code more than they show; 1-pixel lines keep their pixels.
    let before = ink.clone();
    let row_inked: Vec<bool> = before
        .chunks_exact(w)
        .map(|row| row.contains(&true))
        .collect();
    for y in 1..h.saturating_sub(1) {
        // Nothing to drop or fill where this row and its neighbours have no ink.
        if !(row_inked[y - 1] || row_inked[y] || row_inked[y + 1]) {
            continue;
        }
        for x in 1..w - 1 {
            let i = y * w + x;
            let around = [
                i - w - 1,
                i - w,
                i - w + 1,
                i - 1,
                i + 1,
                i + w - 1,
                i + w,
                i + w + 1,
            ]
            .iter()
            .filter(|&&j| before[j])
            .count();
            if before[i] && around == 0 {
                ink[i] = false;
                depth[i] = 0;
            } else if !before[i] && around >= 6 {
                ink[i] = true;
                depth[i] = 1;
            }
        }
    }
    Ink {
        mask: ink,
        depth,
        midtones,
        paper,
    }
}

/// The foreground's black cells (colourless, within `BLACK_SPAN` of the page's black: the
/// median of its dark colourless cells) become that one black, and so do specks amid black
/// text (a lighter or faintly tinted cell with three or more black neighbours: a stroke's
/// edge, the scan's colour fringes): black text differs from cell to cell only by how much
/// edge a cell caught, which the mask draws anyway — and a flat layer costs the JPEG almost
/// nothing. Coloured ink (stamps, signatures, logos) and grey ink clearly lighter than the
/// text (a stamp on a grey page) keep their colour.
fn flatten_black(fg: &mut Raster) {
    let span = |px: &[u8]| {
        (
            px.iter().copied().max().unwrap_or(0),
            px.iter().copied().min().unwrap_or(0),
        )
    };
    let mut levels: Vec<u8> = fg
        .data
        .chunks_exact(fg.ch)
        .map(span)
        // (0: a cell far from any ink, left so by `cell_means`.)
        .filter(|&(max, min)| max > 0 && max < 110 && max - min < NEUTRAL)
        .map(|(max, _)| max)
        .collect();
    if levels.is_empty() {
        return;
    }
    let mid = levels.len() / 2;
    let black = *levels.select_nth_unstable(mid).1;
    let is_black = |px: &[u8]| {
        let (max, min) = span(px);
        max - min < NEUTRAL && max.abs_diff(black) <= BLACK_SPAN
    };
    let (w, h, ch) = (fg.w, fg.h, fg.ch);
    // Cells far from any ink (left 0 by `cell_means`) are never drawn: black too.
    let was: Vec<bool> = fg
        .data
        .chunks_exact(ch)
        .map(|px| is_black(px) || px.iter().all(|&v| v == 0))
        .collect();
    for (c, px) in fg.data.chunks_exact_mut(ch).enumerate() {
        // A lighter or faintly tinted cell amid black text (three or more black
        // neighbours) is a speck of a stroke's edge or of the scan's colour fringes.
        let (max, min) = span(px);
        let (x, y) = (c % w, c / w);
        let speck = || {
            max - min < 2 * NEUTRAL
                && (y.saturating_sub(1)..(y + 2).min(h))
                    .flat_map(|ny| (x.saturating_sub(1)..(x + 2).min(w)).map(move |nx| ny * w + nx))
                    .filter(|&o| o != c && was[o])
                    .count()
                    >= 3
        };
        if was[c] || speck() {
            px.fill(black);
        }
    }
}

/// `mask` grown by one pixel in every direction (3×3).
fn grown(mask: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut across = vec![false; w * h];
    for y in 0..h {
        let row = &mask[y * w..(y + 1) * w];
        for x in 0..w {
            across[y * w + x] = row[x.saturating_sub(1)] || row[x] || row[(x + 1).min(w - 1)];
        }
    }
    let mut out = vec![false; w * h];
    for y in 0..h {
        let (up, down) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            out[y * w + x] = across[up * w + x] || across[y * w + x] || across[down * w + x];
        }
    }
    out
}

/// Per cell of `f`×`f` pixels, the mean of the samples weighted by `weight` (0: not taken);
/// a cell whose weight stays under `core` (it caught only a stroke's soft edge) takes the
/// colour of its heaviest neighbour if that one reaches it (the stroke's own colour); cells
/// with none are filled from their neighbours (then `empty`), so the layer has no hard edges.
fn cell_means(r: &Raster, f: usize, weight: impl Fn(usize) -> u64, core: u64, empty: u8) -> Raster {
    let (cw, ch) = (r.w.div_ceil(f), r.h.div_ceil(f));
    let mut sum = vec![0u64; cw * ch * r.ch];
    let mut n = vec![0u64; cw * ch];
    for y in 0..r.h {
        let row = (y / f) * cw;
        for cx in 0..cw {
            let c = row + cx;
            for i in y * r.w + cx * f..y * r.w + ((cx + 1) * f).min(r.w) {
                let wt = weight(i);
                if wt == 0 {
                    continue;
                }
                n[c] += wt;
                for k in 0..r.ch {
                    sum[c * r.ch + k] += u64::from(r.data[i * r.ch + k]) * wt;
                }
            }
        }
    }
    let mut data = vec![0u8; cw * ch * r.ch];
    let mut known: Vec<bool> = n.iter().map(|&c| c > 0).collect();
    for c in 0..cw * ch {
        for k in 0..r.ch {
            if let Some(v) = sum[c * r.ch + k].checked_div(n[c]) {
                data[c * r.ch + k] = v as u8;
            }
        }
    }
    if core > 0 {
        let own = data.clone();
        for cy in 0..ch {
            for cx in 0..cw {
                let c = cy * cw + cx;
                if n[c] == 0 || n[c] >= core {
                    continue;
                }
                let mut best = (core - 1, c);
                for ny in cy.saturating_sub(1)..(cy + 2).min(ch) {
                    for nx in cx.saturating_sub(1)..(cx + 2).min(cw) {
                        let o = ny * cw + nx;
                        if n[o] > best.0 {
                            best = (n[o], o);
                        }
                    }
                }
                if best.1 != c {
                    data[c * r.ch..(c + 1) * r.ch]
                        .copy_from_slice(&own[best.1 * r.ch..(best.1 + 1) * r.ch]);
                }
            }
        }
    }
    // Grow the known cells into the unknown ones a few rings deep; the rest get `empty`.
    for _ in 0..4 {
        let before = known.clone();
        let snapshot = data.clone();
        for cy in 0..ch {
            for cx in 0..cw {
                let c = cy * cw + cx;
                if before[c] {
                    continue;
                }
                let mut acc = [0u32; 3];
                let mut m = 0;
                for (dx, dy) in [(-1i64, 0i64), (1, 0), (0, -1), (0, 1)] {
                    let (x, y) = (cx as i64 + dx, cy as i64 + dy);
                    if x < 0 || y < 0 || x as usize >= cw || y as usize >= ch {
                        continue;
                    }
                    let o = y as usize * cw + x as usize;
                    if before[o] {
                        m += 1;
                        for k in 0..r.ch {
                            acc[k] += u32::from(snapshot[o * r.ch + k]);
                        }
                    }
                }
                for k in 0..r.ch {
                    if let Some(v) = acc[k].checked_div(m) {
                        known[c] = true;
                        data[c * r.ch + k] = v as u8;
                    }
                }
            }
        }
    }
    for c in 0..cw * ch {
        if !known[c] {
            for k in 0..r.ch {
                data[c * r.ch + k] = empty;
            }
        }
    }
    Raster {
        w: cw,
        h: ch,
        ch: r.ch,
        data,
    }
}

/// The luma of a layer's sample at full-resolution pixel (`x`, `y`).
fn layer_luma(l: &Raster, f: usize, x: usize, y: usize) -> i32 {
    let i = ((y / f).min(l.h - 1) * l.w + (x / f).min(l.w - 1)) * l.ch;
    if l.ch == 1 {
        i32::from(l.data[i])
    } else {
        (77 * i32::from(l.data[i]) + 150 * i32::from(l.data[i + 1]) + 29 * i32::from(l.data[i + 2]))
            >> 8
    }
}

/// A layer as stored, decoded (by `jpeg-decoder`: the layers' optimised tables are read
/// right by it, as by every libjpeg-based viewer).
fn decoded(jpeg: &[u8], ch: usize) -> Option<Raster> {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let px = d.decode().ok()?;
    let info = d.info()?;
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    let data = match (info.pixel_format, ch) {
        (jpeg_decoder::PixelFormat::L8, 1) | (jpeg_decoder::PixelFormat::RGB24, 3) => px,
        _ => return None,
    };
    (data.len() == w * h * ch).then_some(Raster { w, h, ch, data })
}

/// The background as JPEG (4:2:0 in colour).
fn jpeg(r: &Raster, quality: u8) -> Option<Vec<u8>> {
    super::encode::encode_jpeg_layer(r, quality, false).ok()
}

/// The foreground: its colour at full resolution (the strokes are thin, their hue matters).
fn jpeg_full_chroma(r: &Raster, quality: u8) -> Option<Vec<u8>> {
    super::encode::encode_jpeg_layer(r, quality, true).ok()
}

impl Layers {
    /// What the page log says about the page's archived form.
    pub fn log(&self) -> serde_json::Value {
        let s = &self.settings;
        serde_json::json!({
            "method": "mrc",
            "mask": "ccitt-g4",
            "mask_bytes": self.mask.len(),
            "foreground": format!("jpeg q{} 1/{}", s.foreground_quality, self.foreground_scale),
            "foreground_bytes": self.foreground.len(),
            "background": format!("jpeg q{} 1/{}", s.background_quality, s.background_scale),
            "background_bytes": self.background.len(),
            "ink_permille": self.ink_permille,
            "changed_permille": self.changed_permille,
        })
    }
}

/// A stored page as MRC layers (`Ok(Err(why))`: it stays the plain image, and why); bilevel
/// pages are already as small as they get (G4) and stay so.
pub fn layers_of(
    what: &str,
    page: &eingang_pdf::ScanPage,
    s: &MrcSettings,
) -> Result<Result<Layers, Refused>, crate::CaptureError> {
    use eingang_pdf::PageImage;
    let plain = match &page.image {
        PageImage::G4 { .. } | PageImage::Bilevel { .. } => return Ok(Err(Refused::Bilevel)),
        PageImage::Jpeg(bytes) => bytes.len(),
        PageImage::Gray8 { data, .. } | PageImage::Rgb8 { data, .. } => data.len(),
    };
    let r = super::raster::raster_of(what, &page.image)?;
    Ok(encode(&r, page.dpi.0, s, plain))
}

/// Splits page `r` (scanned at `dpi`) into MRC layers, or says why it stays plain JPEG;
/// `plain_jpeg` is what the page would be as plain JPEG (bytes), for the size check.
pub(crate) fn encode(
    r: &Raster,
    dpi: f32,
    s: &MrcSettings,
    plain_jpeg: usize,
) -> Result<Layers, Refused> {
    let (w, h) = (r.w, r.h);
    if w == 0 || h == 0 || w > 65_535 || h > 65_535 {
        return Err(Refused::TooLarge);
    }
    let luma = r.luma();
    let fg_scale = s.foreground_scale_for(r.ch);
    let Ink {
        mask: ink,
        depth,
        midtones,
        paper,
    } = ink_mask(&luma, w, h, dpi);
    if paper < MIN_PAPER {
        return Err(Refused::Dark { paper });
    }
    let inked = ink.iter().filter(|&&i| i).count();
    let permille = |n: usize| (n as u64 * 1000 / (w * h) as u64) as u32;
    let ink_permille = permille(inked);
    if ink_permille >= MAX_INK_PERMILLE {
        return Err(Refused::MostlyInk { ink_permille });
    }
    let midtone_permille = permille(midtones);
    if midtone_permille > MAX_MIDTONE_PERMILLE {
        return Err(Refused::Photo { midtone_permille });
    }
    let mask = encode_g4(w, h, |i| ink[i]).ok_or(Refused::TooLarge)?;
    let mut fg = cell_means(r, fg_scale, |i| u64::from(depth[i]).pow(2), CORE_WEIGHT, 0);
    flatten_black(&mut fg);
    // The paper under and right beside the ink is not sampled: a stroke's soft edge would
    // leave a ghost of the text in the background, which costs the JPEG most of its bytes.
    let near = grown(&ink, w, h);
    let mut bg = cell_means(r, s.background_scale, |i| u64::from(!near[i]), 0, 255);
    // Near-white, colourless paper becomes white (the background's bytes go to what is on
    // it); tinted paper keeps its colour (a yellow form stays yellow).
    let bg_luma = bg.luma();
    for (c, &v) in bg_luma.iter().enumerate() {
        let px = &bg.data[c * bg.ch..(c + 1) * bg.ch];
        let spread = px.iter().max().unwrap_or(&0) - px.iter().min().unwrap_or(&0);
        if v >= 232 && spread < 12 {
            bg.data[c * bg.ch..(c + 1) * bg.ch].fill(255);
        }
    }
    let foreground = jpeg_full_chroma(&fg, s.foreground_quality).ok_or(Refused::TooLarge)?;
    let background = jpeg(&bg, s.background_quality).ok_or(Refused::TooLarge)?;
    // The guard: the page as a viewer draws it, from the layers as stored.
    let (fg_seen, bg_seen) = (
        decoded(&foreground, r.ch).ok_or(Refused::TooLarge)?,
        decoded(&background, r.ch).ok_or(Refused::TooLarge)?,
    );
    // Each layer's luma per cell, and which cell every column falls in (no division per
    // pixel: this runs over every pixel of the page).
    let cells = |l: &Raster| -> Vec<i32> {
        (0..l.w * l.h)
            .map(|c| layer_luma(l, 1, c % l.w, c / l.w))
            .collect()
    };
    let columns =
        |l: &Raster, f: usize| -> Vec<usize> { (0..w).map(|x| (x / f).min(l.w - 1)).collect() };
    let (fg_cells, bg_cells) = (cells(&fg_seen), cells(&bg_seen));
    let (fg_col, bg_col) = (
        columns(&fg_seen, fg_scale),
        columns(&bg_seen, s.background_scale),
    );
    let mut changed = 0u64;
    for y in 0..h {
        let fg_row = &fg_cells[(y / fg_scale).min(fg_seen.h - 1) * fg_seen.w..][..fg_seen.w];
        let bg_row =
            &bg_cells[(y / s.background_scale).min(bg_seen.h - 1) * bg_seen.w..][..bg_seen.w];
        for x in 0..w {
            let i = y * w + x;
            let scanned = i32::from(luma[i]);
            // Ink drawn darker than scanned (a stroke's soft edge in the stroke's colour)
            // keeps its contrast to the paper; ink drawn lighter, or paper drawn otherwise,
            // loses what was there.
            let lost = if ink[i] {
                fg_row[fg_col[x]] - scanned
            } else {
                (bg_row[bg_col[x]] - scanned).abs()
            };
            if lost > VISIBLE {
                changed += 1;
            }
        }
    }
    let changed_permille = (changed * 1000 / (w * h) as u64) as u32;
    if changed_permille > MAX_CHANGED_PERMILLE {
        return Err(Refused::LosesDetail { changed_permille });
    }
    let total = mask.len() + foreground.len() + background.len();
    if total >= plain_jpeg {
        return Err(Refused::NotSmaller {
            mrc: total,
            jpeg: plain_jpeg,
        });
    }
    Ok(Layers {
        width: w as u32,
        height: h as u32,
        mask,
        foreground,
        background,
        ink_permille,
        changed_permille,
        settings: *s,
        foreground_scale: fg_scale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A letter at 150 dpi on tinted paper: black text lines, a red stamp, a photo-free page.
    fn letter(tint: [u8; 3]) -> Raster {
        let (w, h) = (1240, 1754);
        let mut data = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                let text = (300..1500).contains(&y)
                    && (y / 12) % 3 == 0
                    && (120..1100).contains(&x)
                    && (x / 7) % 4 != 0;
                let stamp = (200..400).contains(&y)
                    && (800..1100).contains(&x)
                    && ((y - 200) % 20 < 4 || (x - 800) % 20 < 4);
                let px = if stamp {
                    [200, 20, 30]
                } else if text {
                    [20, 20, 25]
                } else {
                    tint
                };
                data.extend(px);
            }
        }
        Raster { w, h, ch: 3, data }
    }

    #[test]
    fn a_letter_on_tinted_paper_separates_and_keeps_its_red_stamp() {
        let page = letter([235, 228, 200]);
        let plain = jpeg(&page, 85).unwrap().len();
        let l = encode(&page, 150.0, &MrcSettings::default(), plain).expect("MRC");
        assert!(
            l.ink_permille > 20 && l.ink_permille < 300,
            "{}",
            l.ink_permille
        );
        assert!(l.changed_permille <= MAX_CHANGED_PERMILLE);
        let total = l.mask.len() + l.foreground.len() + l.background.len();
        assert!(total * 3 < plain, "MRC {total} bytes vs JPEG {plain}");
        // The stamp's ink is red in the foreground.
        let fg = decoded(&l.foreground, 3).unwrap();
        let f = l.foreground_scale;
        let i = ((300 / f) * fg.w + 950 / f) * 3;
        let (r, g) = (fg.data[i], fg.data[i + 1]);
        assert!(r > 140 && g < 90, "stamp colour {r},{g}");
        // The tinted paper keeps its tint in the background (not whitened).
        let bg = decoded(&l.background, 3).unwrap();
        let j = ((1600 / 3) * bg.w + 600 / 3) * 3;
        assert!(
            (i32::from(bg.data[j + 2]) - 200).abs() < 20,
            "tint {}",
            bg.data[j + 2]
        );
    }

    /// A grey page of `w`×`h` from a function of the pixel.
    fn grey(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Raster {
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                data.push(f(x, y));
            }
        }
        Raster { w, h, ch: 1, data }
    }

    /// Text lines (dark bars broken into words) on paper of luma `paper`.
    fn text(x: usize, y: usize, paper: u8, ink: u8) -> u8 {
        let line = (150..1100).contains(&y) && (y / 12) % 3 == 0;
        if line && (60..540).contains(&x) && (x / 7) % 4 != 0 {
            ink
        } else {
            paper
        }
    }

    fn refused(r: &Raster) -> Refused {
        match encode(r, 150.0, &MrcSettings::default(), usize::MAX) {
            Ok(l) => panic!("MRC, {} ‰ ink", l.ink_permille),
            Err(e) => e,
        }
    }

    /// The page as a viewer draws it from `l` (luma): the foreground where the mask has
    /// ink, the background elsewhere.
    fn rebuilt(r: &Raster, l: &Layers) -> Vec<u8> {
        let ink = ink_mask(&r.luma(), r.w, r.h, 150.0).mask;
        let s = MrcSettings::default();
        let (fg, bg) = (
            decoded(&l.foreground, r.ch).unwrap(),
            decoded(&l.background, r.ch).unwrap(),
        );
        (0..r.w * r.h)
            .map(|i| {
                let (x, y) = (i % r.w, i / r.w);
                if ink[i] {
                    layer_luma(&fg, s.foreground_scale_for(r.ch), x, y)
                } else {
                    layer_luma(&bg, s.background_scale, x, y)
                }
                .clamp(0, 255) as u8
            })
            .collect()
    }

    /// The largest difference of the mean luma over 8×8 windows (the tone an eye sees).
    fn worst_tone_difference(a: &[u8], b: &[u8], w: usize, h: usize) -> i32 {
        let mut worst = 0;
        for wy in (0..h - 8).step_by(8) {
            for wx in (0..w - 8).step_by(8) {
                let mean = |v: &[u8]| {
                    let mut sum = 0i32;
                    for y in wy..wy + 8 {
                        for x in wx..wx + 8 {
                            sum += i32::from(v[y * w + x]);
                        }
                    }
                    sum / 64
                };
                worst = worst.max((mean(a) - mean(b)).abs());
            }
        }
        worst
    }

    #[test]
    fn a_photo_stays_plain_and_says_why() {
        // Noise-like photo: every pixel a different grey.
        let photo = grey(600, 800, |x, y| (((y * 600 + x) * 7919) % 251) as u8);
        let err = refused(&photo);
        assert!(
            matches!(
                err,
                Refused::LosesDetail { .. } | Refused::MostlyInk { .. } | Refused::Photo { .. }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("plain JPEG"), "{err}");
    }

    #[test]
    fn a_nearly_black_page_stays_plain_because_its_paper_is_dark() {
        // A dark page (a copy of a copy, a negative) with slightly darker writing on it.
        let page = grey(600, 1200, |x, y| text(x, y, 40, 12));
        let err = refused(&page);
        assert!(
            matches!(err, Refused::Dark { paper } if paper < 60),
            "{err}"
        );
        assert!(err.to_string().contains("dark"), "{err}");
    }

    #[test]
    fn a_page_of_fine_halftone_keeps_its_tone_or_stays_plain() {
        // A printed picture as scanners see it: a dot screen (about 75 lpi at 150 dpi's
        // double) whose dots grow from light to dark across the picture, softened by the
        // optics, over half the page, with text above it.
        let page = grey(600, 1200, |x, y| {
            if y >= 500 {
                let coverage = x as f32 / 600.0;
                let (dx, dy) = ((x % 4) as f32 - 1.5, (y % 4) as f32 - 1.5);
                let d = (dx * dx + dy * dy).sqrt() / 2.2;
                let v = if d < coverage { 30.0 } else { 235.0 };
                // Blur: mix with the screen's mean (what a 2-px optical blur leaves).
                (v * 0.4 + (235.0 - coverage * 205.0) * 0.6) as u8
            } else {
                text(x, y, 235, 25)
            }
        });
        // Either MRC keeps the picture's tone everywhere (the dots are in the full-resolution
        // mask) or the page stays plain and says why — never a washed-out picture.
        let plain = jpeg(&page, 80).unwrap().len();
        match encode(&page, 150.0, &MrcSettings::default(), plain) {
            Ok(l) => {
                let worst = worst_tone_difference(&page.data, &rebuilt(&page, &l), 600, 1200);
                assert!(worst <= 24, "the halftone's tone changed by {worst}");
            }
            Err(e) => assert!(
                matches!(
                    e,
                    Refused::Photo { .. }
                        | Refused::LosesDetail { .. }
                        | Refused::NotSmaller { .. }
                ),
                "{e}"
            ),
        }
    }

    #[test]
    fn a_drawing_of_one_pixel_lines_keeps_every_line_in_the_mask() {
        // A plan: 1-px lines, some grey (a pencil, a faint print), every 10 px both ways.
        let line = |x: usize, y: usize| x % 10 == 3 || y % 10 == 3;
        let page = grey(800, 1100, |x, y| {
            if !line(x, y) {
                245
            } else if (x / 100 + y / 100) % 2 == 0 {
                20
            } else {
                150
            }
        });
        let ink = ink_mask(&page.data, page.w, page.h, 150.0);
        let lines: Vec<usize> = (0..page.w * page.h)
            .filter(|&i| line(i % page.w, i / page.w))
            .collect();
        let kept = lines.iter().filter(|&&i| ink.mask[i]).count();
        assert!(
            kept * 100 >= lines.len() * 99,
            "{kept} of {} line pixels in the mask",
            lines.len()
        );
        // MRC (the lines are in the full-resolution mask) — or, if not smaller, plain; never
        // lines lost.
        match encode(&page, 150.0, &MrcSettings::default(), usize::MAX) {
            Ok(l) => {
                let seen = rebuilt(&page, &l);
                let dark = lines.iter().filter(|&&i| seen[i] < 200).count();
                assert!(
                    dark * 100 >= lines.len() * 99,
                    "{dark} of {} line pixels still drawn",
                    lines.len()
                );
            }
            Err(e) => assert!(!matches!(e, Refused::Dark { .. }), "{e}"),
        }
    }

    #[test]
    fn an_extreme_colour_cast_is_kept_and_its_text_separated() {
        // Orange paper (or a scanner lamp gone wrong) with brown text.
        let (w, h) = (600, 1200);
        let mut data = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            for x in 0..w {
                data.extend(if text(x, y, 1, 0) == 0 {
                    [70, 35, 10]
                } else {
                    [250, 160, 50]
                });
            }
        }
        let page = Raster { w, h, ch: 3, data };
        let plain = jpeg(&page, 85).unwrap().len();
        let l = encode(&page, 150.0, &MrcSettings::default(), plain).expect("MRC");
        assert!(l.ink_permille > 20, "the text is ink: {}", l.ink_permille);
        let bg = decoded(&l.background, 3).unwrap();
        let j = ((1150 / 3) * bg.w + 300 / 3) * 3;
        let px = &bg.data[j..j + 3];
        assert!(
            px[0] > 230 && (140..185).contains(&px[1]) && px[2] < 80,
            "the cast stays: {px:?}"
        );
    }
}
