//! A page's OCR words as lines of text with their places on the page.

// Page coordinates and counts are far inside f32's precision.
#![allow(clippy::cast_precision_loss)]

use eingang_model::auto::Region;
use eingang_pdf::TextWord;

/// One line of text: its words in reading order, joined with single spaces.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    /// Each word's first byte in `text` and its box (pixels).
    pub words: Vec<(usize, [u32; 4])>,
    /// Top and left of the line as shares of the page; the words' median height (pixels).
    pub y: f32,
    pub x: f32,
    pub height: u32,
}

/// The lines of a page read by OCR, top to bottom, and the page's size in the frame the
/// words were read in.
#[derive(Debug, Clone, Default)]
pub struct PageLines {
    pub lines: Vec<Line>,
    pub width: u32,
    pub height: u32,
}

impl PageLines {
    /// Groups words into lines: a word belongs to the line whose vertical middle it
    /// shares; lines in reading order.
    pub fn new(words: &[TextWord], width: u32, height: u32) -> Self {
        let mut sorted: Vec<&TextWord> =
            words.iter().filter(|w| !w.text.trim().is_empty()).collect();
        sorted.sort_by_key(|w| (w.y + w.h / 2, w.x));
        // (middle of the line, its words)
        let mut rows: Vec<(u32, Vec<&TextWord>)> = Vec::new();
        for w in sorted {
            let mid = w.y + w.h / 2;
            let tol = (w.h / 2).max(4);
            if let Some(row) = rows
                .iter_mut()
                .rev()
                .take(3)
                .find(|(m, _)| m.abs_diff(mid) <= tol)
            {
                row.1.push(w);
            } else {
                rows.push((mid, vec![w]));
            }
        }
        let (fw, fh) = (width.max(1) as f32, height.max(1) as f32);
        let mut lines: Vec<Line> = rows
            .into_iter()
            .map(|(_, mut ws)| {
                ws.sort_by_key(|w| w.x);
                let mut text = String::new();
                let mut boxes = Vec::new();
                for w in &ws {
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    boxes.push((text.len(), [w.x, w.y, w.w, w.h]));
                    text.push_str(w.text.trim());
                }
                let mut hs: Vec<u32> = ws.iter().map(|w| w.h).collect();
                hs.sort_unstable();
                Line {
                    text,
                    words: boxes,
                    y: ws.iter().map(|w| w.y).min().unwrap_or(0) as f32 / fh,
                    x: ws.first().map_or(0, |w| w.x) as f32 / fw,
                    height: hs[hs.len() / 2],
                }
            })
            .collect();
        lines.sort_by(|a, b| a.y.total_cmp(&b.y));
        Self {
            lines,
            width,
            height,
        }
    }

    /// The place of the bytes `range` of line `line`: the words they touch.
    pub fn region(&self, line: usize, range: std::ops::Range<usize>) -> Option<Region> {
        let l = self.lines.get(line)?;
        let mut b: Option<[u32; 4]> = None;
        for (k, &(start, [x, y, w, h])) in l.words.iter().enumerate() {
            let end = l.words.get(k + 1).map_or(l.text.len(), |n| n.0);
            if start < range.end && end > range.start {
                b = Some(match b {
                    None => [x, y, x + w, y + h],
                    Some([x0, y0, x1, y1]) => [x0.min(x), y0.min(y), x1.max(x + w), y1.max(y + h)],
                });
            }
        }
        let [x0, y0, x1, y1] = b?;
        let (fw, fh) = (self.width.max(1) as f32, self.height.max(1) as f32);
        Some(Region {
            x: x0 as f32 / fw,
            y: y0 as f32 / fh,
            w: (x1 - x0) as f32 / fw,
            h: (y1 - y0) as f32 / fh,
        })
    }

    /// Every line's text, one per line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            out.push_str(&l.text);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, x: u32, y: u32) -> TextWord {
        TextWord {
            text: text.into(),
            x,
            y,
            w: 20 * u32::try_from(text.len()).unwrap(),
            h: 40,
        }
    }

    #[test]
    fn words_become_lines_in_reading_order_with_their_places() {
        let page = PageLines::new(
            &[
                w("Grüßen", 500, 1002),
                w("Betreff:", 100, 400),
                w("Mit", 100, 1000),
                w("Antrag", 300, 405),
                w("freundlichen", 200, 998),
            ],
            1000,
            2000,
        );
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Betreff: Antrag", "Mit freundlichen Grüßen"]);
        let r = page.region(0, 9..15).unwrap();
        assert!(
            (r.x - 0.3).abs() < 1e-6 && (r.y - 405.0 / 2000.0).abs() < 1e-6,
            "{r:?}"
        );
        assert_eq!(page.text(), "Betreff: Antrag\nMit freundlichen Grüßen\n");
    }
}
