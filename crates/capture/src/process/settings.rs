//! What a scan profile asks of page processing, and the steps done (the processing log).

use crate::BatchError;
use serde::{Deserialize, Serialize};

/// What a page becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColourMode {
    /// As scanned.
    #[default]
    Keep,
    Grey,
    Bilevel,
}

/// How grey and colour pages are stored (bilevel pages are always CCITT G4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    #[default]
    Jpeg,
    Lossless,
    /// Stored as JPEG; archived as mixed raster content (`process::mrc`): a G4 mask of the
    /// text, its colours and the paper as small JPEGs — a page where that would lose detail
    /// goes in as the plain JPEG, the reason in its log.
    Mrc,
}

/// Margins trimmed from each side, in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crop {
    pub left: f32,
    pub top: f32,
    pub right: f32,
    pub bottom: f32,
}

/// A scan profile's processing settings (switches, as the profile file has them).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Processing {
    pub deskew: bool,
    pub blank_detection: bool,
    /// A page with less ink than this share of its area (percent) is flagged blank.
    pub blank_threshold_percent: f32,
    pub mode: ColourMode,
    pub compression: Compression,
    /// Paper noise and tint become white (levels near the paper's are lifted to 255, the
    /// rest stretched): smaller files, cleaner pages. Grey and colour pages only.
    pub whiten_background: bool,
    /// Read barcodes (Code 39, Code 128, QR) while processing, for separation and index
    /// values (≈ 10–70 ms a page). Otherwise they are read when separation rules are applied.
    pub read_barcodes: bool,
    /// 1–100.
    pub jpeg_quality: u8,
    pub crop: Option<Crop>,
    /// Queue the page for OCR (Tesseract) after processing: a searchable text layer.
    pub ocr: bool,
    /// Pages fed at 90°, 180° or 270° are turned upright (a quarter turn, lossless, as a
    /// person's turn would be) when the reading is at least this sure (0–1); `None`: off.
    pub auto_orient: Option<f32>,
}

impl Default for Processing {
    fn default() -> Self {
        Self {
            deskew: true,
            blank_detection: true,
            blank_threshold_percent: 0.1,
            mode: ColourMode::Keep,
            compression: Compression::Jpeg,
            // Off by default: faithful reproduction, and an untouched JPEG passes through.
            whiten_background: false,
            read_barcodes: false,
            jpeg_quality: 80,
            crop: None,
            ocr: false,
            auto_orient: None,
        }
    }
}

impl Processing {
    /// Checks the settings; the error names the setting.
    pub fn check(&self) -> Result<(), BatchError> {
        if !(1..=100).contains(&self.jpeg_quality) {
            return Err(BatchError::setting(
                "jpeg_quality",
                "must be between 1 and 100",
            ));
        }
        if !(0.0..=50.0).contains(&self.blank_threshold_percent) {
            return Err(BatchError::setting(
                "blank_threshold_percent",
                "must be between 0 and 50",
            ));
        }
        if self.auto_orient.is_some_and(|c| !(0.0..=1.0).contains(&c)) {
            return Err(BatchError::setting(
                "auto_orient",
                "the confidence must be between 0 and 1",
            ));
        }
        if let Some(c) = self.crop {
            if [c.left, c.top, c.right, c.bottom]
                .iter()
                .any(|m| !(0.0..=200.0).contains(m))
            {
                return Err(BatchError::setting(
                    "crop",
                    "each margin must be between 0 and 200 mm",
                ));
            }
        }
        Ok(())
    }
}

/// One step done to a page, with its parameters: the processing log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// The page's orientation read from its text lines; `turn_degrees` clockwise.
    Orientation {
        turn_degrees: u16,
        confidence: f32,
        lines: u32,
        applied: bool,
    },
    Deskew {
        detected_degrees: f32,
        corrected: bool,
    },
    Crop {
        left_px: u32,
        top_px: u32,
        right_px: u32,
        bottom_px: u32,
    },
    Grey,
    Bilevel {
        threshold: u8,
    },
    BlankCheck {
        ink_percent: f32,
        threshold_percent: f32,
        flagged: bool,
    },
    Encode {
        format: String,
        quality: Option<u8>,
    },
    Passthrough,
    WhitenBackground {
        paper: u8,
        white_from: u8,
    },
}
