//! CCITT fax decoding (ITU-T T.4 Group 3, one- and two-dimensional, and T.6 Group 4) with
//! every parameter of PDF's `CCITTFaxDecode` filter: `K`, `Columns`, `Rows`, `EndOfLine`,
//! `EncodedByteAlign`, `EndOfBlock`, `BlackIs1` — and the image's `Decode [1 0]`, which the
//! caller applies through [`Params::invert`]. Scanners write Group 4 with the defaults
//! (`/K -1`, `BlackIs1 false`); fax software writes Group 3; both arrive in PDFs and TIFFs.
//!
//! The decoder is bounded: it reads at most `rows` lines of `columns` pixels, never more
//! than the data holds, and a code that is not in the tables is an error naming the line.

use std::sync::OnceLock;

/// How the data were encoded (PDF names in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // the filter's own flags, one each
pub struct Params {
    /// `K`: < 0 Group 4; 0 Group 3 one-dimensional; > 0 Group 3 mixed (a tag bit per line).
    pub k: i32,
    /// `Columns`: pixels per line.
    pub columns: u32,
    /// `Rows`: lines to decode (the image's height).
    pub rows: u32,
    /// `EndOfLine`: Group 3 lines begin with an EOL code (accepted when false too).
    pub end_of_line: bool,
    /// `EncodedByteAlign`: Group 4 lines, and Group 3 lines without EOL, begin on a byte
    /// boundary; Group 3 EOLs end on one (zero fill bits before them).
    pub byte_align: bool,
    /// `BlackIs1`: 1 bits are black in the decoded samples.
    pub black_is_1: bool,
    /// The image's `Decode [1 0]`: samples inverted once more.
    pub invert: bool,
}

impl Params {
    /// Group 4 as scanners write it: `/K -1 /Columns w`, defaults otherwise.
    pub fn g4(columns: u32, rows: u32) -> Self {
        Self {
            k: -1,
            columns,
            rows,
            end_of_line: false,
            byte_align: false,
            black_is_1: false,
            invert: false,
        }
    }

    /// Whether a decoded pixel coded black is shown black.
    fn coded_black_is_ink(&self) -> bool {
        // The sample of a coded-black pixel is 0 unless BlackIs1; DeviceGray shows 0 as
        // black, and Decode [1 0] turns that round.
        self.black_is_1 == self.invert
    }
}

/// Why the data cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CcittError {
    #[error("CCITT data damaged in line {line}: {what}")]
    Damaged { line: u32, what: &'static str },
    #[error("CCITT image of {columns} × {rows} pixels is not possible")]
    Size { columns: u32, rows: u32 },
}

/// A decoded page: 1 bit per pixel, rows padded to bytes, **1 = ink (black)**.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Bitmap {
    /// Whether the pixel at (x, y) is ink.
    pub fn ink(&self, x: u32, y: u32) -> bool {
        let row = self.width.div_ceil(8) as usize;
        self.data[y as usize * row + x as usize / 8] & (0x80 >> (x % 8)) != 0
    }
}

/// Decodes `data` to a bitmap of `p.columns` × `p.rows` with 1 = ink (as shown on the page).
/// Lines missing at the end (an encoder may stop after the last line with ink) are white.
pub fn decode(data: &[u8], p: &Params) -> Result<Bitmap, CcittError> {
    if p.columns == 0 || p.columns > 65_535 || p.rows == 0 || p.rows > 1_000_000 {
        return Err(CcittError::Size {
            columns: p.columns,
            rows: p.rows,
        });
    }
    let width = p.columns;
    let row_bytes = width.div_ceil(8) as usize;
    let mut out = vec![0u8; row_bytes * p.rows as usize];
    let ink_colour = p.coded_black_is_ink();
    let mut reader = Bits::new(data);
    let mut reference: Vec<u32> = Vec::new();
    let mut current: Vec<u32> = Vec::with_capacity(256);
    let mut line = 0;
    while line < p.rows {
        let damaged = |what| CcittError::Damaged {
            line: line + 1,
            what,
        };
        match start_line(&mut reader, p) {
            LineStart::End => break,
            LineStart::Line { two_d } => {
                current.clear();
                let decoded = if two_d {
                    line_2d(&mut reader, width, &reference, &mut current)
                } else {
                    line_1d(&mut reader, width, &mut current)
                };
                decoded.map_err(damaged)?;
            }
        }
        paint(
            &current,
            width,
            ink_colour,
            &mut out[line as usize * row_bytes..][..row_bytes],
        );
        std::mem::swap(&mut reference, &mut current);
        line += 1;
    }
    // Lines never sent (an encoder may stop after the last line with ink) are all-white
    // lines in the code's colours.
    for l in line..p.rows {
        paint(
            &[],
            width,
            ink_colour,
            &mut out[l as usize * row_bytes..][..row_bytes],
        );
    }
    Ok(Bitmap {
        width,
        height: p.rows,
        data: out,
    })
}

/// Sets the ink bits of one line from its changing elements (white first).
fn paint(changes: &[u32], width: u32, coded_black_is_ink: bool, row: &mut [u8]) {
    let mut colour_black = false;
    let mut from = 0u32;
    let mut fill = |a: u32, b: u32, black: bool| {
        if black == coded_black_is_ink {
            for x in a..b.min(width) {
                row[x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    };
    for &c in changes {
        let c = c.min(width);
        fill(from, c, colour_black);
        from = c;
        colour_black = !colour_black;
    }
    fill(from, width, colour_black);
}

enum LineStart {
    Line { two_d: bool },
    End,
}

const EOL: u32 = 0b0000_0000_0001;

/// Before a line: byte alignment, fill bits and an EOL (Group 3), the end of the page (EOFB
/// in Group 4, RTC in Group 3, or the end of the data), the tag bit of mixed Group 3.
fn start_line(r: &mut Bits<'_>, p: &Params) -> LineStart {
    let align_lines = p.byte_align && (p.k < 0 || !p.end_of_line);
    if align_lines {
        r.align();
    }
    while !r.at_end() && r.peek(12) == 0 {
        r.skip(1);
    }
    if r.at_end() {
        return LineStart::End;
    }
    if r.peek(12) == EOL {
        if p.k < 0 {
            return LineStart::End;
        }
        r.skip(12);
        let next = if p.k > 0 {
            r.peek(13) & 0xfff
        } else {
            r.peek(12)
        };
        if next == EOL || r.at_end() {
            return LineStart::End;
        }
    }
    let two_d = if p.k > 0 { r.read(1) == 0 } else { p.k < 0 };
    LineStart::Line { two_d }
}

/// One line of modified Huffman runs, white first.
fn line_1d(r: &mut Bits<'_>, width: u32, out: &mut Vec<u32>) -> Result<(), &'static str> {
    let mut pos = 0u32;
    let mut black = false;
    while pos < width {
        pos += run(r, black)?;
        if pos > width {
            return Err("a run goes past the end of the line");
        }
        out.push(pos);
        black = !black;
    }
    Ok(())
}

/// One line coded against the line above (T.4 two-dimensional / T.6).
fn line_2d(
    r: &mut Bits<'_>,
    width: u32,
    reference: &[u32],
    out: &mut Vec<u32>,
) -> Result<(), &'static str> {
    let mut a0: i64 = -1;
    let mut black = false;
    let mut i = 0usize; // where the search for b1 starts in `reference`
    let change = |j: usize| reference.get(j).copied().unwrap_or(width);
    while a0 < i64::from(width) {
        // b1: the first change on the line above right of a0 to the colour opposite a0's
        // (changes to black sit at even indices).
        while i < reference.len() && (i64::from(change(i)) <= a0 || (i % 2 == 1) != black) {
            i += 1;
        }
        let (b1, b2) = (change(i), change(i + 1));
        match mode(r)? {
            Mode::Pass => {
                a0 = i64::from(b2);
                i += 2;
            }
            Mode::Horizontal => {
                let start = u32::try_from(a0.max(0)).unwrap_or(0);
                let a1 = start + run(r, black)?;
                let a2 = a1 + run(r, !black)?;
                if a2 > width {
                    return Err("a run goes past the end of the line");
                }
                out.extend([a1, a2]);
                a0 = i64::from(a2);
            }
            Mode::Vertical(d) => {
                let a1 = i64::from(b1) + i64::from(d);
                if a1 < 0 || a1 > i64::from(width) || a1 < a0 {
                    return Err("a vertical code points outside the line");
                }
                out.push(u32::try_from(a1).map_err(|_| "a vertical code points outside the line")?);
                a0 = a1;
                black = !black;
                // b1 may now lie left of the new a0: step back one change, the search
                // above moves on from there.
                i = i.saturating_sub(1);
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Pass,
    Horizontal,
    Vertical(i8),
}

fn mode(r: &mut Bits<'_>) -> Result<Mode, &'static str> {
    // 1, 011, 010, 001, 0001, 000011, 000010, 0000011, 0000010
    let bits = r.peek(7);
    let (m, len) = if bits & 0x40 != 0 {
        (Mode::Vertical(0), 1)
    } else if bits & 0x20 != 0 {
        if bits & 0x10 != 0 {
            (Mode::Vertical(1), 3)
        } else {
            (Mode::Vertical(-1), 3)
        }
    } else if bits & 0x10 != 0 {
        (Mode::Horizontal, 3)
    } else if bits & 0x08 != 0 {
        (Mode::Pass, 4)
    } else if bits & 0x04 != 0 {
        if bits & 0x02 != 0 {
            (Mode::Vertical(2), 6)
        } else {
            (Mode::Vertical(-2), 6)
        }
    } else if bits & 0x02 != 0 {
        if bits & 0x01 != 0 {
            (Mode::Vertical(3), 7)
        } else {
            (Mode::Vertical(-3), 7)
        }
    } else {
        return Err("an unknown two-dimensional code (an extension or a lost line)");
    };
    if r.at_end() {
        return Err("the data end inside a line");
    }
    r.skip(len);
    Ok(m)
}

/// A run of one colour: make-up codes, then a terminating code.
fn run(r: &mut Bits<'_>, black: bool) -> Result<u32, &'static str> {
    let table = tables();
    let table = if black { &table.black } else { &table.white };
    let mut total = 0u32;
    loop {
        if r.at_end() {
            return Err("the data end inside a line");
        }
        let bits = r.peek(13);
        let found =
            (1..=13u32).find_map(|len| table.get(len, bits >> (13 - len)).map(|v| (v, len)));
        let Some((v, len)) = found else {
            return Err("a run length code that does not exist");
        };
        r.skip(len);
        total += u32::from(v);
        if v < 64 {
            return Ok(total);
        }
    }
}

/// Codes of one colour: for each code length, the run lengths by code value.
struct Table {
    by_len: Vec<Vec<u16>>,
}

const NONE: u16 = u16::MAX;

impl Table {
    fn new(codes: &[(u16, &str)]) -> Self {
        let mut by_len: Vec<Vec<u16>> = (0..=13).map(|l| vec![NONE; 1 << l]).collect();
        for (run, code) in codes {
            let v = u32::from_str_radix(code, 2).unwrap_or(0) as usize;
            by_len[code.len()][v] = *run;
        }
        Self { by_len }
    }

    fn get(&self, len: u32, code: u32) -> Option<u16> {
        let v = *self.by_len.get(len as usize)?.get(code as usize)?;
        (v != NONE).then_some(v)
    }
}

struct Tables {
    white: Table,
    black: Table,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let with_ext = |own: &[(u16, &'static str)]| {
            let mut v = own.to_vec();
            v.extend_from_slice(codes::EXTENDED_MAKEUP);
            v
        };
        Tables {
            white: Table::new(&with_ext(codes::WHITE)),
            black: Table::new(&with_ext(codes::BLACK)),
        }
    })
}

/// The code tables of ITU-T T.4 (run length, code bits).
pub mod codes {
    /// White terminating (0–63) and make-up (64–1728) codes.
    #[rustfmt::skip]
    pub const WHITE: &[(u16, &str)] = &[
        (0, "00110101"), (1, "000111"), (2, "0111"), (3, "1000"), (4, "1011"), (5, "1100"),
        (6, "1110"), (7, "1111"), (8, "10011"), (9, "10100"), (10, "00111"), (11, "01000"),
        (12, "001000"), (13, "000011"), (14, "110100"), (15, "110101"), (16, "101010"),
        (17, "101011"), (18, "0100111"), (19, "0001100"), (20, "0001000"), (21, "0010111"),
        (22, "0000011"), (23, "0000100"), (24, "0101000"), (25, "0101011"), (26, "0010011"),
        (27, "0100100"), (28, "0011000"), (29, "00000010"), (30, "00000011"),
        (31, "00011010"), (32, "00011011"), (33, "00010010"), (34, "00010011"),
        (35, "00010100"), (36, "00010101"), (37, "00010110"), (38, "00010111"),
        (39, "00101000"), (40, "00101001"), (41, "00101010"), (42, "00101011"),
        (43, "00101100"), (44, "00101101"), (45, "00000100"), (46, "00000101"),
        (47, "00001010"), (48, "00001011"), (49, "01010010"), (50, "01010011"),
        (51, "01010100"), (52, "01010101"), (53, "00100100"), (54, "00100101"),
        (55, "01011000"), (56, "01011001"), (57, "01011010"), (58, "01011011"),
        (59, "01001010"), (60, "01001011"), (61, "00110010"), (62, "00110011"),
        (63, "00110100"),
        (64, "11011"), (128, "10010"), (192, "010111"), (256, "0110111"), (320, "00110110"),
        (384, "00110111"), (448, "01100100"), (512, "01100101"), (576, "01101000"),
        (640, "01100111"), (704, "011001100"), (768, "011001101"), (832, "011010010"),
        (896, "011010011"), (960, "011010100"), (1024, "011010101"), (1088, "011010110"),
        (1152, "011010111"), (1216, "011011000"), (1280, "011011001"), (1344, "011011010"),
        (1408, "011011011"), (1472, "010011000"), (1536, "010011001"), (1600, "010011010"),
        (1664, "011000"), (1728, "010011011"),
    ];

    /// Black terminating (0–63) and make-up (64–1728) codes.
    #[rustfmt::skip]
    pub const BLACK: &[(u16, &str)] = &[
        (0, "0000110111"), (1, "010"), (2, "11"), (3, "10"), (4, "011"), (5, "0011"),
        (6, "0010"), (7, "00011"), (8, "000101"), (9, "000100"), (10, "0000100"),
        (11, "0000101"), (12, "0000111"), (13, "00000100"), (14, "00000111"),
        (15, "000011000"), (16, "0000010111"), (17, "0000011000"), (18, "0000001000"),
        (19, "00001100111"), (20, "00001101000"), (21, "00001101100"), (22, "00000110111"),
        (23, "00000101000"), (24, "00000010111"), (25, "00000011000"), (26, "000011001010"),
        (27, "000011001011"), (28, "000011001100"), (29, "000011001101"),
        (30, "000001101000"), (31, "000001101001"), (32, "000001101010"),
        (33, "000001101011"), (34, "000011010010"), (35, "000011010011"),
        (36, "000011010100"), (37, "000011010101"), (38, "000011010110"),
        (39, "000011010111"), (40, "000001101100"), (41, "000001101101"),
        (42, "000011011010"), (43, "000011011011"), (44, "000001010100"),
        (45, "000001010101"), (46, "000001010110"), (47, "000001010111"),
        (48, "000001100100"), (49, "000001100101"), (50, "000001010010"),
        (51, "000001010011"), (52, "000000100100"), (53, "000000110111"),
        (54, "000000111000"), (55, "000000100111"), (56, "000000101000"),
        (57, "000001011000"), (58, "000001011001"), (59, "000000101011"),
        (60, "000000101100"), (61, "000001011010"), (62, "000001100110"),
        (63, "000001100111"),
        (64, "0000001111"), (128, "000011001000"), (192, "000011001001"),
        (256, "000001011011"), (320, "000000110011"), (384, "000000110100"),
        (448, "000000110101"), (512, "0000001101100"), (576, "0000001101101"),
        (640, "0000001001010"), (704, "0000001001011"), (768, "0000001001100"),
        (832, "0000001001101"), (896, "0000001110010"), (960, "0000001110011"),
        (1024, "0000001110100"), (1088, "0000001110101"), (1152, "0000001110110"),
        (1216, "0000001110111"), (1280, "0000001010010"), (1344, "0000001010011"),
        (1408, "0000001010100"), (1472, "0000001010101"), (1536, "0000001011010"),
        (1600, "0000001011011"), (1664, "0000001100100"), (1728, "0000001100101"),
    ];

    /// Make-up codes 1792–2560, the same for both colours.
    #[rustfmt::skip]
    pub const EXTENDED_MAKEUP: &[(u16, &str)] = &[
        (1792, "00000001000"), (1856, "00000001100"), (1920, "00000001101"),
        (1984, "000000010010"), (2048, "000000010011"), (2112, "000000010100"),
        (2176, "000000010101"), (2240, "000000010110"), (2304, "000000010111"),
        (2368, "000000011100"), (2432, "000000011101"), (2496, "000000011110"),
        (2560, "000000011111"),
    ];
}

/// Bits, most significant first; reading past the end gives zeros.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.data.len() * 8
    }

    /// The next `n` (1 to 24) bits without taking them.
    fn peek(&self, n: u32) -> u32 {
        let byte = self.pos / 8;
        let window = (0..4).fold(0u64, |w, k| {
            (w << 8) | u64::from(self.data.get(byte + k).copied().unwrap_or(0))
        });
        // `pos % 8` is below 8 and the result has at most 24 bits: both fit.
        #[allow(clippy::cast_possible_truncation)]
        let shift = 32 - (self.pos % 8) as u32 - n;
        #[allow(clippy::cast_possible_truncation)]
        let bits = ((window >> shift) & ((1u64 << n) - 1)) as u32;
        bits
    }

    fn skip(&mut self, n: u32) {
        self.pos += n as usize;
    }

    fn read(&mut self, n: u32) -> u32 {
        let v = self.peek(n);
        self.skip(n);
        v
    }

    fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No code is the beginning of another in a colour's table: a typo in the tables would
    /// almost always break this.
    #[test]
    fn the_code_tables_are_prefix_free_and_complete() {
        for (name, own) in [("white", codes::WHITE), ("black", codes::BLACK)] {
            let mut all: Vec<(u16, &str)> = own.to_vec();
            all.extend_from_slice(codes::EXTENDED_MAKEUP);
            for (i, (ra, a)) in all.iter().enumerate() {
                for (rb, b) in all.iter().skip(i + 1) {
                    assert!(
                        !a.starts_with(b) && !b.starts_with(a),
                        "{name}: {ra} {a} and {rb} {b}"
                    );
                }
            }
            let runs: Vec<u16> = all.iter().map(|(r, _)| *r).collect();
            let want: Vec<u16> = (0..64).chain((1..=40).map(|m| m * 64)).collect();
            assert_eq!(runs, want, "{name}: every run length once, in order");
            // A complete prefix code (Kraft sum 1) apart from the EOL's share.
            let kraft: f64 = all
                .iter()
                .map(|(_, c)| 0.5f64.powi(i32::try_from(c.len()).unwrap()))
                .sum();
            assert!(kraft <= 1.0 && kraft > 0.99, "{name}: {kraft}");
        }
    }

    #[test]
    fn an_all_white_g4_page_and_a_page_with_nothing_sent_are_white() {
        // Every line "V0" against an all-white reference: one 1 bit per line.
        let p = Params::g4(16, 4);
        let b = decode(&[0b1111_0000], &p).unwrap();
        assert!(b.data.iter().all(|&x| x == 0), "{:?}", b.data);
        let b = decode(&[], &p).unwrap();
        assert!(b.data.iter().all(|&x| x == 0));
    }
}
