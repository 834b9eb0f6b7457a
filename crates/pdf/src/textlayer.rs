//! The invisible text layer of a scanned page: the words OCR found, each placed over its
//! image with text render mode 3 (neither filled nor stroked), so the PDF can be searched
//! and its text selected while the page shows only the scan.
//!
//! The words are set in a font made here: a TrueType font with one empty glyph, 500 units
//! wide, that every character code maps to (`/CIDToGIDMap`), and a `/ToUnicode` map that
//! gives each code back as the character it stands for. Each word is stretched to its box
//! with horizontal scaling (`Tz`), so selecting it highlights what the scan shows. PDF/A
//! asks for every font to be embedded, also for invisible text; this one is 300 bytes.

use std::fmt::Write as _;

/// One word found on a page, its box in the page image's pixels (origin top left).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextWord {
    pub text: String,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// Advance width of the one glyph, in units of 1/1000 em.
const ADVANCE: u16 = 500;

fn table_checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn be16(out: &mut Vec<u8>, values: &[u16]) {
    for v in values {
        out.extend(v.to_be_bytes());
    }
}

/// The font program: glyph 0 (`.notdef`) and glyph 1, both without outlines, 500 units
/// wide on a 1000-unit em, ascent 1000 and descent 0 (so a word's glyph boxes are its box).
pub fn glyphless_font() -> Vec<u8> {
    let mut head = Vec::new();
    head.extend(0x0001_0000u32.to_be_bytes()); // version
    head.extend(0x0001_0000u32.to_be_bytes()); // fontRevision
    head.extend(0u32.to_be_bytes()); // checkSumAdjustment, set below
    head.extend(0x5F0F_3CF5u32.to_be_bytes()); // magic
    be16(&mut head, &[0x000B, 1000]); // flags, unitsPerEm
    head.extend([0u8; 16]); // created, modified
    be16(&mut head, &[0, 0, ADVANCE, 1000]); // xMin yMin xMax yMax
    be16(&mut head, &[0, 3, 2, 0, 0]); // macStyle lowestRecPPEM direction locFormat glyphFormat

    let mut hhea = Vec::new();
    hhea.extend(0x0001_0000u32.to_be_bytes());
    be16(&mut hhea, &[1000, 0, 0, ADVANCE, 0, 0, ADVANCE, 1, 0, 0]);
    be16(&mut hhea, &[0, 0, 0, 0, 0, 2]); // reserved ×4, metricDataFormat, numberOfHMetrics

    let mut maxp = Vec::new();
    maxp.extend(0x0001_0000u32.to_be_bytes());
    be16(&mut maxp, &[2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]);

    let mut hmtx = Vec::new();
    be16(&mut hmtx, &[ADVANCE, 0, ADVANCE, 0]);
    let mut loca = Vec::new();
    be16(&mut loca, &[0, 0, 0]);
    let glyf = Vec::new();

    // cmap: one empty format-4 subtable (the PDF maps codes to glyphs itself).
    let mut cmap = Vec::new();
    be16(&mut cmap, &[0, 1, 3, 1]);
    cmap.extend(12u32.to_be_bytes());
    be16(&mut cmap, &[4, 24, 0, 2, 2, 0, 0, 0xFFFF, 0, 0xFFFF, 1, 0]);

    let mut post = Vec::new();
    post.extend(0x0003_0000u32.to_be_bytes());
    post.extend(0u32.to_be_bytes()); // italicAngle
    be16(&mut post, &[0xFF9C, 50]); // underline position −100, thickness
    post.extend(1u32.to_be_bytes()); // isFixedPitch
    post.extend([0u8; 16]);

    let family: Vec<u8> = "GlyphLessFont"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    let mut name = Vec::new();
    let len = u16::try_from(family.len()).unwrap_or(0);
    be16(&mut name, &[0, 3, 6 + 3 * 12]);
    for id in [1u16, 4, 6] {
        be16(&mut name, &[3, 1, 0x409, id, len, 0]);
    }
    name.extend(&family);

    let mut tables: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"cmap", cmap),
        (b"glyf", glyf),
        (b"head", head),
        (b"hhea", hhea),
        (b"hmtx", hmtx),
        (b"loca", loca),
        (b"maxp", maxp),
        (b"name", name),
        (b"post", post),
    ];
    let count = u16::try_from(tables.len()).unwrap_or(0);
    let mut font = Vec::new();
    font.extend(0x0001_0000u32.to_be_bytes());
    // searchRange, entrySelector, rangeShift for 9 tables: 8 is the largest power of two.
    be16(&mut font, &[count, 128, 3, count * 16 - 128]);
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    let mut head_at = 0;
    for (tag, data) in &mut tables {
        font.extend(tag.iter());
        font.extend(table_checksum(data).to_be_bytes());
        font.extend(u32::try_from(offset).unwrap_or(0).to_be_bytes());
        font.extend(u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        if *tag == b"head" {
            head_at = offset;
        }
        let padded = data.len().div_ceil(4) * 4;
        body.extend(data.iter());
        body.resize(body.len() + padded - data.len(), 0);
        offset += padded;
    }
    font.extend(body);
    let adjust = 0xB1B0_AFBAu32.wrapping_sub(table_checksum(&font));
    font[head_at + 8..head_at + 12].copy_from_slice(&adjust.to_be_bytes());
    font
}

/// Every CID (0–65535) to glyph 1, two bytes each.
pub(crate) fn cid_to_gid_map() -> Vec<u8> {
    [0u8, 1].repeat(65_536)
}

/// Codes are UTF-16 code units; each stands for itself.
pub(crate) const TO_UNICODE: &str = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\nendcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend\n";

/// Where a page's image lies: its size in pixels and points, its resolution.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub pixels: (u32, u32),
    pub points: (f32, f32),
    pub dpi: (f32, f32),
}

/// The content stream fragment that sets `words` invisibly over a page image. The words
/// were read with the image turned `turned` quarter turns clockwise (as the page is shown
/// with `/Rotate`): their boxes are in the turned image's pixels, and each word runs the
/// way the turned page reads. `font` is the resource name.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn content(words: &[TextWord], frame: Frame, turned: u8, font: &str) -> String {
    let mut out = String::from("BT 3 Tr\n");
    let (w_px, h_px) = (frame.pixels.0 as f32, frame.pixels.1 as f32);
    let (sx, sy) = (72.0 / frame.dpi.0, 72.0 / frame.dpi.1);
    // The text direction in the page's own space: the turn undone (counter-clockwise).
    let (cos, sin) = match turned % 4 {
        1 => (0.0, 1.0),
        2 => (-1.0, 0.0),
        3 => (0.0, -1.0),
        _ => (1.0, 0.0),
    };
    for word in words {
        let text = word.text.trim();
        let units: Vec<u16> = text.encode_utf16().filter(|u| *u >= 0x20).collect();
        if units.is_empty() || word.w == 0 || word.h == 0 {
            continue;
        }
        // The word's bottom-left corner in the turned image, back in the image's pixels
        // (origin top left), then in points (origin bottom left).
        let (u, v) = (word.x as f32, (word.y + word.h) as f32);
        let (x, y) = match turned % 4 {
            1 => (v, h_px - u),
            2 => (w_px - u, h_px - v),
            3 => (w_px - v, u),
            _ => (u, v),
        };
        let (x, y) = (x * sx, frame.points.1 - y * sy);
        // Along the text and across it, in points (the axes swap on a quarter turn).
        let (along, across) = if turned % 2 == 1 { (sy, sx) } else { (sx, sy) };
        let (w, h) = (word.w as f32 * along, word.h as f32 * across);
        let natural = units.len() as f32 * f32::from(ADVANCE) / 1000.0 * h;
        let scale = 100.0 * w / natural;
        let _ = write!(
            out,
            "/{font} {h:.3} Tf {scale:.2} Tz {cos} {sin} {} {cos} {x:.3} {y:.3} Tm <",
            -sin
        );
        for u in units {
            let _ = write!(out, "{u:04X}");
        }
        out.push_str("> Tj\n");
    }
    out.push_str("ET\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_parses_and_has_one_blank_glyph_500_wide() {
        let font = glyphless_font();
        let face = ttf_parser::Face::parse(&font, 0).expect("a valid TrueType font");
        assert_eq!(face.number_of_glyphs(), 2);
        assert_eq!(face.units_per_em(), 1000);
        assert_eq!(face.glyph_hor_advance(ttf_parser::GlyphId(1)), Some(500));
        assert_eq!(face.ascender(), 1000);
        assert!(face
            .outline_glyph(ttf_parser::GlyphId(1), &mut NoOutline)
            .is_none());
        // The whole font sums to the magic number, as the head table's adjustment promises.
        assert_eq!(table_checksum(&font), 0xB1B0_AFBA);
    }

    struct NoOutline;
    impl ttf_parser::OutlineBuilder for NoOutline {
        fn move_to(&mut self, _: f32, _: f32) {}
        fn line_to(&mut self, _: f32, _: f32) {}
        fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
        fn close(&mut self) {}
    }

    #[test]
    fn words_are_stretched_to_their_boxes() {
        let words = [TextWord {
            text: "Bescheid".into(),
            x: 300,
            y: 600,
            w: 400,
            h: 50,
        }];
        let frame = Frame {
            pixels: (2480, 3508),
            points: (595.2, 842.0),
            dpi: (300.0, 300.0),
        };
        let c = content(&words, frame, 0, "OCR");
        // 50 px at 300 dpi = 12 pt high; 8 characters × 0.5 em × 12 pt = 48 pt natural,
        // the box is 96 pt wide: 200 % horizontal scaling; the bottom at 842 − 156 pt.
        assert!(
            c.contains("/OCR 12.000 Tf 200.00 Tz 1 0 -0 1 72.000 686.000 Tm <00420065"),
            "{c}"
        );
        assert!(c.starts_with("BT 3 Tr"));
        assert!(content(&[], frame, 0, "OCR").ends_with("BT 3 Tr\nET\n"));
        // Read with the page turned upside down: the same box seen from the other side;
        // the word runs right to left in the page's own space. Its bottom-left corner (as
        // read) is the box's top-right corner unturned: x = 700 px = 168 pt, y = 600 px
        // from the top = 842 − 144 pt.
        let turned = TextWord {
            x: 2480 - 300 - 400,
            y: 3508 - 600 - 50,
            ..words[0].clone()
        };
        let c = content(&[turned], frame, 2, "OCR");
        assert!(c.contains("200.00 Tz -1 0 -0 -1 168.000 698.000 Tm"), "{c}");
    }
}
