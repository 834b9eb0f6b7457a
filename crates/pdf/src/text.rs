//! The embedded font: glyph lookup, widths for line breaking, and the subset with its
//! CID widths and ToUnicode map.

use crate::Error;
use std::collections::BTreeMap;
use std::fmt::Write;
use subsetter::GlyphRemapper;

pub const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Glyphs used so far (old glyph id → new id in the subset) and the text they stand for.
pub struct FontUse {
    face: ttf_parser::Face<'static>,
    remapper: GlyphRemapper,
    /// new glyph id → (advance in font units, the characters)
    used: BTreeMap<u16, (u16, String)>,
    pub units_per_em: f32,
}

impl FontUse {
    pub fn new() -> Result<Self, Error> {
        let face = ttf_parser::Face::parse(FONT, 0).map_err(|e| Error::Font(e.to_string()))?;
        let units_per_em = f32::from(face.units_per_em());
        let mut remapper = GlyphRemapper::new();
        remapper.remap(0); // .notdef stays glyph 0
        Ok(Self {
            face,
            remapper,
            used: BTreeMap::new(),
            units_per_em,
        })
    }

    fn glyph(&self, c: char) -> ttf_parser::GlyphId {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .unwrap_or(ttf_parser::GlyphId(0))
    }

    /// Width of `s` at `size` points.
    pub fn width(&self, s: &str, size: f32) -> f32 {
        s.chars()
            .map(|c| f32::from(self.face.glyph_hor_advance(self.glyph(c)).unwrap_or(0)))
            .sum::<f32>()
            * size
            / self.units_per_em
    }

    /// The hex string of new glyph ids for `s` (recording the glyphs as used).
    pub fn encode(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() * 4);
        for c in s.chars() {
            if c.is_control() {
                continue;
            }
            let g = self.glyph(c);
            let new = self.remapper.remap(g.0);
            let advance = self.face.glyph_hor_advance(g).unwrap_or(0);
            self.used
                .entry(new)
                .or_insert_with(|| (advance, String::new()))
                .1
                .get_or_insert_char(c);
            let _ = write!(out, "{new:04X}");
        }
        out
    }

    pub fn ascent(&self) -> i16 {
        self.face.ascender()
    }
    pub fn descent(&self) -> i16 {
        self.face.descender()
    }
    pub fn bbox(&self) -> [i16; 4] {
        let b = self.face.global_bounding_box();
        [b.x_min, b.y_min, b.x_max, b.y_max]
    }
    pub fn cap_height(&self) -> i16 {
        self.face.capital_height().unwrap_or(self.face.ascender())
    }

    /// The subset font file.
    pub fn subset(&self) -> Result<Vec<u8>, Error> {
        subsetter::subset(FONT, 0, &self.remapper).map_err(|e| Error::Font(format!("{e:?}")))
    }

    /// `/W` entries: new glyph id → width in 1/1000 em.
    pub fn widths(&self) -> Vec<(u16, f32)> {
        self.used
            .iter()
            .map(|(g, (adv, _))| (*g, f32::from(*adv) * 1000.0 / self.units_per_em))
            .collect()
    }

    /// The ToUnicode CMap (new glyph id → the characters it shows).
    pub fn to_unicode(&self) -> String {
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<_> = self
            .used
            .iter()
            .filter(|(_, (_, t))| !t.is_empty())
            .collect();
        for chunk in entries.chunks(100) {
            let _ = writeln!(s, "{} beginbfchar", chunk.len());
            for (g, (_, text)) in chunk {
                let utf16 = text.encode_utf16().fold(String::new(), |mut acc, u| {
                    let _ = write!(acc, "{u:04X}");
                    acc
                });
                let _ = writeln!(s, "<{g:04X}> <{utf16}>");
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s
    }
}

trait PushOnce {
    fn get_or_insert_char(&mut self, c: char);
}

impl PushOnce for String {
    fn get_or_insert_char(&mut self, c: char) {
        if self.is_empty() {
            self.push(c);
        }
    }
}

/// Breaks `text` into lines no wider than `max` points (at word boundaries; very long
/// words are broken by character). Keeps explicit line breaks.
pub fn wrap(font: &FontUse, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if font.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone may still be too long: break it by character.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if font.width(&piece, size) > max && piece.chars().count() > 1 {
                    let last = piece.pop().unwrap_or_default();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(last);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}
