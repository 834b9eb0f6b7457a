//! `[retention]`: how long what was delivered stays on this station (TR-RESISCAN allows raw
//! scans to go once the scan product passed its check and is delivered; GDPR wants no
//! personal data kept longer than needed). Machine-only: the office decides, not a user.
//! Nothing is ever deleted without its delivery receipts, nor from a batch on legal hold;
//! drafts are never deleted automatically (a field worker's work), only listed.
//!
//! ```toml
//! [retention]
//! scans_days = 30          # raw scans and page images: days after the batch's last receipt
//! documents_days = 90      # released PDFs and Transfervermerke: days after their receipts
//! submissions_days = 90    # delivered submissions' files: days after their receipts
//! drafts_listed_days = 60  # drafts untouched this long are listed (never deleted)
//! enabled = true           # false: nothing is deleted
//! ```

use crate::{err, ConfigError};
use serde::Deserialize;
use std::path::Path;

/// The longest period a rule may name (ten years).
const MAX_DAYS: u32 = 3650;

/// `[retention]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSection {
    pub scans_days: Option<u32>,
    pub documents_days: Option<u32>,
    pub submissions_days: Option<u32>,
    pub drafts_listed_days: Option<u32>,
    pub enabled: Option<bool>,
}

impl RetentionSection {
    pub fn enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }
    pub fn scans_days(&self) -> u32 {
        self.scans_days.unwrap_or(30)
    }
    pub fn documents_days(&self) -> u32 {
        self.documents_days.unwrap_or(90)
    }
    pub fn submissions_days(&self) -> u32 {
        self.submissions_days.unwrap_or(90)
    }
    pub fn drafts_listed_days(&self) -> u32 {
        self.drafts_listed_days.unwrap_or(60)
    }
}

pub(crate) fn check(file: &Path, r: &RetentionSection) -> Result<(), ConfigError> {
    for (name, days) in [
        ("scans_days", r.scans_days),
        ("documents_days", r.documents_days),
        ("submissions_days", r.submissions_days),
        ("drafts_listed_days", r.drafts_listed_days),
    ] {
        if days.is_some_and(|d| d == 0 || d > MAX_DAYS) {
            return Err(err(
                file,
                format!("[retention] {name}: 1–{MAX_DAYS} days (what was delivered stays at least a day)"),
            ));
        }
    }
    if let (Some(s), Some(d)) = (r.scans_days, r.documents_days) {
        if s > d {
            return Err(err(
                file,
                format!("[retention] scans_days ({s}) is longer than documents_days ({d}): page images would outlive the documents made of them"),
            ));
        }
    }
    Ok(())
}
