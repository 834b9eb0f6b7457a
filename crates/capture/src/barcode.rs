//! Barcodes on a page: Code 39, Code 128 and QR codes (rxing) and printed Kodak patch
//! codes (read from bar widths), on a ~150 dpi copy of the page.

use crate::patch::read_patch_codes;
use crate::process::raster::{factor_for, shrink};
pub use eingang_model::scan::Barcode;

/// Reads the barcodes on a page (grey samples, its resolution). Damaged or absent codes
/// give none; this never fails.
pub fn read_barcodes(luma: &[u8], w: usize, h: usize, dpi: f32) -> Vec<Barcode> {
    use rxing::{BarcodeFormat, DecodeHints};
    let f = factor_for(dpi, 150.0);
    let (small, sw, sh) = shrink(luma, w, h, f);
    #[allow(clippy::cast_precision_loss)]
    let patches = read_patch_codes(&small, sw, sh, dpi / f as f32);
    let (Ok(sw), Ok(sh)) = (u32::try_from(sw), u32::try_from(sh)) else {
        return patches;
    };
    let mut hints = DecodeHints {
        PossibleFormats: Some(
            [
                BarcodeFormat::CODE_39,
                BarcodeFormat::CODE_128,
                BarcodeFormat::QR_CODE,
            ]
            .into_iter()
            .collect(),
        ),
        ..DecodeHints::default()
    };
    let found = rxing::helpers::detect_multiple_in_luma_with_hints(small, sw, sh, &mut hints)
        .unwrap_or_default();
    let mut out: Vec<Barcode> = found
        .iter()
        .map(|r| Barcode {
            format: match r.getBarcodeFormat() {
                BarcodeFormat::CODE_39 => "code39",
                BarcodeFormat::CODE_128 => "code128",
                BarcodeFormat::QR_CODE => "qr",
                _ => "other",
            }
            .into(),
            value: r.getText().chars().take(500).collect(),
        })
        .collect();
    out.extend(patches);
    out.sort_by(|a, b| (&a.format, &a.value).cmp(&(&b.format, &b.value)));
    out.dedup();
    out
}
