//! A CCITT fax encoder for the tests: writes a bitmap the ways scanners and fax software
//! do — Group 4, Group 3 one-dimensional and mixed two-dimensional, with or without EOL
//! codes, byte-aligned or not, with or without the end-of-page codes. Its output is checked
//! against poppler, not against Eingang's decoder alone.

use eingang_capture::ccitt::codes;

/// How to write (the PDF `CCITTFaxDecode` parameters of the same names).
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    pub k: i32,
    pub end_of_line: bool,
    pub byte_align: bool,
    pub end_of_block: bool,
}

struct BitWriter {
    out: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    fn push(&mut self, code: u32, len: usize) {
        for i in (0..len).rev() {
            if self.bits % 8 == 0 {
                self.out.push(0);
            }
            if (code >> i) & 1 == 1 {
                let last = self.out.len() - 1;
                self.out[last] |= 0x80 >> (self.bits % 8);
            }
            self.bits += 1;
        }
    }

    fn push_str(&mut self, bits: &str) {
        self.push(u32::from_str_radix(bits, 2).unwrap(), bits.len());
    }

    fn align(&mut self) {
        self.bits = self.bits.div_ceil(8) * 8;
    }

    /// Zero bits so that the next `len` bits end on a byte boundary.
    fn fill_before(&mut self, len: usize) {
        while (self.bits + len) % 8 != 0 {
            self.push(0, 1);
        }
    }
}

fn code(table: &[(u16, &'static str)], run: u32) -> &'static str {
    table
        .iter()
        .chain(codes::EXTENDED_MAKEUP)
        .find(|(r, _)| u32::from(*r) == run)
        .map(|(_, c)| *c)
        .unwrap()
}

fn run(w: &mut BitWriter, black: bool, mut n: u32) {
    let table = if black { codes::BLACK } else { codes::WHITE };
    while n >= 2560 {
        w.push_str(code(table, 2560));
        n -= 2560;
    }
    if n >= 64 {
        w.push_str(code(table, n / 64 * 64));
    }
    w.push_str(code(table, n % 64));
}

/// Where the colour changes along a line (white first), then `width` twice.
fn changes(row: &[bool]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut colour = false;
    for (x, &ink) in row.iter().enumerate() {
        if ink != colour {
            out.push(x as u32);
            colour = ink;
        }
    }
    out.extend([row.len() as u32; 2]);
    out
}

fn line_1d(w: &mut BitWriter, row: &[bool]) {
    let mut pos = 0;
    let mut black = false;
    for c in changes(row) {
        if pos >= row.len() as u32 {
            break;
        }
        run(w, black, c - pos);
        pos = c;
        black = !black;
    }
}

fn line_2d(w: &mut BitWriter, row: &[bool], reference: &[u32]) {
    let width = row.len() as u32;
    let cur = changes(row);
    let mut a0: i64 = -1;
    let mut black = false;
    while a0 < i64::from(width) {
        let next = |list: &[u32], after: i64, want_black: Option<bool>| -> usize {
            list.iter()
                .enumerate()
                .position(|(i, &c)| {
                    i64::from(c) > after && want_black.is_none_or(|b| (i % 2 == 0) == b)
                })
                .unwrap_or(list.len() - 1)
        };
        let ia1 = next(&cur, a0, None);
        let (a1, a2) = (cur[ia1], cur[(ia1 + 1).min(cur.len() - 1)]);
        let ib1 = next(reference, a0, Some(!black));
        let (b1, b2) = (
            reference[ib1],
            reference[(ib1 + 1).min(reference.len() - 1)],
        );
        if b2 < a1 {
            w.push_str("0001");
            a0 = i64::from(b2);
        } else if (i64::from(a1) - i64::from(b1)).abs() <= 3 {
            w.push_str(match i64::from(a1) - i64::from(b1) {
                0 => "1",
                1 => "011",
                2 => "000011",
                3 => "0000011",
                -1 => "010",
                -2 => "000010",
                _ => "0000010",
            });
            a0 = i64::from(a1);
            black = !black;
        } else {
            w.push_str("001");
            let start = a0.max(0) as u32;
            run(w, black, a1 - start);
            run(w, !black, a2 - a1);
            a0 = i64::from(a2);
        }
    }
}

const EOL: &str = "000000000001";

/// The bitmap (`true` = coded black) as CCITT data.
pub fn encode(rows: &[Vec<bool>], v: Variant) -> Vec<u8> {
    let mut w = BitWriter {
        out: Vec::new(),
        bits: 0,
    };
    let width = rows[0].len() as u32;
    let mut reference = vec![width, width];
    for (i, row) in rows.iter().enumerate() {
        let one_d = v.k == 0 || (v.k > 0 && i % v.k as usize == 0);
        if v.k >= 0 && v.end_of_line {
            if v.byte_align {
                w.fill_before(12);
            }
            w.push_str(EOL);
        } else if v.byte_align {
            w.align();
        }
        if v.k > 0 {
            w.push(u32::from(one_d), 1);
        }
        if one_d {
            line_1d(&mut w, row);
        } else {
            line_2d(&mut w, row, &reference);
        }
        reference = changes(row);
    }
    if v.end_of_block {
        let n = if v.k < 0 { 2 } else { 6 };
        for _ in 0..n {
            w.push_str(EOL);
            if v.k > 0 {
                w.push(1, 1);
            }
        }
    }
    w.out
}
