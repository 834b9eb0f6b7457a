//! Scan profiles (TR-RESISCAN A.SC.6): named settings for a kind of document — scanner
//! settings, processing, PDF/A level, separation rules and the quality check — and the
//! station's stored profiles.

use crate::process::{ColourMode, Compression, Processing};
use crate::separate::Separation;
use crate::BatchError;
use eingang_pdf::PdfA;
use eingang_store::tables;
use eingang_store::Store;
use serde::{Deserialize, Serialize};

/// A scan profile (TR-RESISCAN A.SC.6): named settings for a kind of document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanProfile {
    pub id: String,
    pub name: String,
    /// Scanner settings: `Flatbed`, `ADF`, `ADF Duplex`… as the device names them.
    #[serde(default)]
    pub source: Option<String>,
    /// `Gray`, `Color`, `Lineart`.
    #[serde(default)]
    pub mode: Option<String>,
    pub resolution: u32,
    #[serde(default)]
    pub processing: Processing,
    /// `1b`, `2b` or `3b` (default; with 1b and 2b the Transfervermerk travels beside the
    /// document only).
    #[serde(default = "default_pdfa")]
    pub pdfa: String,
    /// How batches scanned with this profile are cut into documents.
    #[serde(default)]
    pub separation: Separation,
    /// The quality check batches of this profile get.
    #[serde(default)]
    pub qc: QcSettings,
    /// What automatic indexing may do by itself.
    #[serde(default)]
    pub auto: crate::auto::AutoIndexing,
}

fn default_pdfa() -> String {
    // PDF/A-3b: the Transfervermerk travels inside the document as an associated file.
    "3b".into()
}

impl ScanProfile {
    /// Checks the profile; the error names the setting.
    pub fn check(&self) -> Result<(), BatchError> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(BatchError::setting(
                "id",
                "letters, digits, '-' and '_' only, at most 64",
            ));
        }
        if self.name.trim().is_empty() || self.name.len() > 200 {
            return Err(BatchError::setting(
                "name",
                "required, at most 200 characters",
            ));
        }
        if !(50..=1200).contains(&self.resolution) {
            return Err(BatchError::setting("resolution", "between 50 and 1200 dpi"));
        }
        if PdfA::parse(&self.pdfa).is_none() {
            return Err(BatchError::setting("pdfa", "1b, 2b or 3b"));
        }
        self.separation.check()?;
        self.auto.check()?;
        self.processing.check()
    }

    pub fn level(&self) -> PdfA {
        PdfA::parse(&self.pdfa).unwrap_or_default()
    }

    /// The orientation confidence from which the built-in profiles turn a page.
    pub const ORIENT_CONFIDENCE: f32 = 0.1;

    /// The profiles a fresh installation starts with.
    pub fn builtin() -> Vec<Self> {
        let p = |id: &str, name: &str, mode: &str, colour: ColourMode, q: u8| Self {
            id: id.into(),
            name: name.into(),
            source: None,
            mode: Some(mode.into()),
            resolution: 300,
            processing: Processing {
                mode: colour,
                jpeg_quality: q,
                // Office paper in grey: lift the paper to white (smaller, cleaner pages).
                whiten_background: colour == ColourMode::Grey,
                // Grey and colour mail archived as mixed raster content (a tenth of the
                // plain JPEG's size; a page MRC would lose detail on stays plain).
                compression: if colour == ColourMode::Bilevel {
                    Compression::Jpeg
                } else {
                    Compression::Mrc
                },
                ocr: true,
                // Pages fed turned are turned upright when the reading is fairly sure.
                auto_orient: Some(Self::ORIENT_CONFIDENCE),
                ..Processing::default()
            },
            pdfa: default_pdfa(),
            separation: Separation::default(),
            qc: QcSettings::default(),
            auto: crate::auto::AutoIndexing::default(),
        };
        vec![
            p(
                "standard",
                "Schriftgut (Graustufen, 300 dpi)",
                "Gray",
                ColourMode::Grey,
                80,
            ),
            p(
                "text-sw",
                "Reiner Text (Schwarzweiß, CCITT G4)",
                "Gray",
                ColourMode::Bilevel,
                80,
            ),
            p(
                "farbe",
                "Farbe (Fotos, Pläne, Stempel)",
                "Color",
                ColourMode::Keep,
                85,
            ),
        ]
    }
}

/// The stored profiles; the built-in ones are added when there are none. A built-in
/// profile stored exactly as an earlier version shipped it (nobody changed it) becomes the
/// current one — the change logged like any other (grey and colour archived as MRC; pages
/// fed turned turned upright).
pub fn profiles(store: &Store) -> eingang_store::Result<Vec<ScanProfile>> {
    store.with_tx(|c| {
        let stored = tables::profiles::profiles(c)?;
        if stored.is_empty() {
            for p in ScanProfile::builtin() {
                let json = serde_json::to_string(&p).unwrap_or_default();
                tables::profiles::save_profile(c, &p.id, &p.name, &json)?;
            }
        }
        for now in ScanProfile::builtin() {
            // As shipped before: without orientation, and before that with plain JPEG.
            let unturned = ScanProfile {
                processing: Processing {
                    auto_orient: None,
                    ..now.processing.clone()
                },
                ..now.clone()
            };
            let jpeg = ScanProfile {
                processing: Processing {
                    compression: Compression::Jpeg,
                    ..unturned.processing.clone()
                },
                ..unturned.clone()
            };
            let untouched = stored.iter().any(|r| {
                r.id == now.id
                    && serde_json::from_str::<ScanProfile>(&r.settings_json)
                        .ok()
                        .is_some_and(|p| p == unturned || p == jpeg)
            });
            if untouched {
                let json = serde_json::to_string(&now).unwrap_or_default();
                tables::profiles::save_profile(c, &now.id, &now.name, &json)?;
            }
        }
        Ok(tables::profiles::profiles(c)?
            .into_iter()
            .filter_map(|r| serde_json::from_str(&r.settings_json).ok())
            .collect())
    })
}

/// Saves a profile after checking it (the change is logged by the store).
pub fn save_profile(store: &Store, p: &ScanProfile) -> Result<(), BatchError> {
    p.check()?;
    let json = serde_json::to_string(p).unwrap_or_default();
    Ok(store.with_tx(|c| tables::profiles::save_profile(c, &p.id, &p.name, &json))?)
}

/// The protection need of the documents a profile scans (Schutzbedarf).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    #[default]
    Normal,
    Hoch,
    SehrHoch,
}

impl Protection {
    /// The share of documents drawn for a check.
    pub fn sample_rate(self) -> f64 {
        match self {
            Self::Normal => 0.1,
            Self::Hoch => 0.5,
            Self::SehrHoch => 1.0,
        }
    }
}

/// A profile's quality check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QcSettings {
    pub protection: Protection,
    /// The checker must not be the person who scanned the batch.
    pub four_eyes: bool,
    /// Ink share (percent) above which a page is flagged too dark.
    pub dark_percent: f32,
    /// Ink share (percent) below which a page that is not blank is flagged too light.
    pub light_percent: f32,
    /// Why documents of protection need *normal* are released without a seal (TR-RESISCAN
    /// A.IS.1: a written justification must exist); over the machine's `[seal] justification`.
    pub justification: Option<String>,
    /// Duplex scans: a blank back of a sheet whose front is not blank (an even page of its
    /// document right after one that is not blank) is expected — noted in the
    /// Transfervermerk, not flagged for a check. Other blank pages are flagged as ever.
    pub blank_backs: bool,
}

impl Default for QcSettings {
    fn default() -> Self {
        Self {
            protection: Protection::Normal,
            four_eyes: true,
            dark_percent: 45.0,
            light_percent: 0.4,
            justification: None,
            blank_backs: false,
        }
    }
}
