//! What the Transfervermerk says about one released document: who scanned and checked,
//! with which devices and profile, when, what was unusual.

use crate::profile::ScanProfile;
use crate::qc::QcState;
use crate::transfer::{self, Facts};
use eingang_pdf::PdfA;
use eingang_store::tables::batches::BatchRow;
use eingang_store::tables::pages::PageRow;

/// One document's place in its release.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub pages: &'a [&'a PageRow],
    pub index: &'a [(String, String)],
}

/// The facts of `doc`, released at `released` (RFC 3339) on workstation `station`.
pub(crate) fn of(
    batch: &BatchRow,
    profile: Option<&ScanProfile>,
    level: PdfA,
    qc: &QcState,
    doc: &Document<'_>,
    station: Option<&str>,
    released: &str,
) -> Facts {
    let check = qc
        .documents
        .iter()
        .find(|d| d.first_page == doc.pages[0].id);
    let verdict = check.and_then(|d| d.verdict.clone());
    let mut devices: Vec<String> = Vec::new();
    for p in doc.pages {
        let device = p
            .source
            .split_once(" (")
            .map_or(p.source.as_str(), |(d, _)| d);
        if !devices.iter().any(|d| d == device) {
            devices.push(device.to_owned());
        }
    }
    Facts {
        // The integrity protection is the release's to fill in.
        protection_kind: String::new(),
        justification: String::new(),
        document_id: doc.id.to_owned(),
        station: transfer::station_name(station),
        title: doc.title.to_owned(),
        pages: doc.pages.len(),
        scanned_by: batch.scanned_by.clone(),
        captured: eingang_store::rfc3339_utc(batch.created_at),
        released: released.to_owned(),
        devices,
        profile_id: profile.map(|p| p.id.clone()).unwrap_or_default(),
        profile_name: profile.map(|p| p.name.clone()).unwrap_or_default(),
        profile_json: batch.profile_json.clone(),
        pdfa: format!("PDF/A-{}b", level.part()),
        anomalies: check
            .map(|d| d.flags.iter().chain(&d.notes).cloned().collect())
            .unwrap_or_default(),
        qc_result: if verdict.is_some() {
            "bestanden"
        } else {
            "nicht_gezogen"
        }
        .into(),
        checker: verdict
            .as_ref()
            .map(|v| v.checker.clone())
            .unwrap_or_default(),
        checked_at: verdict
            .as_ref()
            .map(|v| eingang_store::rfc3339_utc(v.at))
            .unwrap_or_default(),
        protection: serde_json::to_value(qc.settings.protection)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        four_eyes: qc.settings.four_eyes,
        index: doc.index.to_vec(),
        ocr_pages: doc
            .pages
            .iter()
            .filter(|p| p.ocr_state.as_deref() == Some("done"))
            .count(),
        // The writer fills them in as it archives the pages.
        encodings: Vec::new(),
        // The release's to fill in.
        automatic: None,
        email_signature: None,
    }
}
