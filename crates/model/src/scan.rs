//! What the Scanstelle workspace shows: scan profiles, batches with their pages and
//! documents, scanners, and progress while pages arrive.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A scan profile as the workspace offers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScanProfileInfo {
    pub id: String,
    pub name: String,
    pub resolution: u32,
    /// `keep`, `grey`, `bilevel`.
    pub colour: String,
    /// `1b`, `2b`, `3b`.
    pub pdfa: String,
    pub deskew: bool,
    pub blank_threshold_percent: f32,
}

/// A batch as the list shows it (its flags are independent facts, not a state machine).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BatchSummary {
    pub id: String,
    pub name: String,
    pub profile_id: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    pub pages: u32,
    pub blank: u32,
    /// Who scanned it.
    pub scanned_by: String,
    pub released: bool,
    /// The paper originals may be destroyed: released after a passed check with integrity
    /// evidence, and every document delivered with a receipt.
    pub destroyable: bool,
    /// Released with a passed check and integrity evidence: destroyable once delivered.
    pub originals_eligible: bool,
    /// Documents made at release, and how many are delivered everywhere.
    pub documents: u32,
    pub documents_delivered: u32,
    /// Documents released for the team (issue 26): delivered by a station with the deliver
    /// role, not from here.
    pub documents_for_team: u32,
    /// Pages still waiting for OCR.
    pub ocr_pending: u32,
    /// The release waits for a service (the timestamp service) and is retried.
    pub release_waiting: Option<ReleaseWaiting>,
    /// On legal hold: never purged.
    pub hold: bool,
    /// When its page images were purged (retention), if they were.
    #[ts(type = "number | null")]
    pub purged_at: Option<i64>,
}

/// A release that waits: since when, how many tries, why (an error code), the next try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReleaseWaiting {
    #[ts(type = "number")]
    pub since: i64,
    pub attempts: u32,
    pub code: String,
    #[ts(type = "number")]
    pub next_at: i64,
}

/// One page of a batch (its flags as the store keeps them).
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageView {
    pub id: String,
    /// The file (or scanner) it came from, and the page within it (0-based).
    pub source: String,
    pub source_page: u32,
    /// `received`, `processed`, `failed`.
    pub state: String,
    pub error: Option<String>,
    pub blank: bool,
    /// Share of ink (percent), as the blank check measured it.
    pub ink: Option<f64>,
    /// The skew found (degrees).
    pub skew: Option<f64>,
    /// Quarter turns clockwise.
    pub rotation: u8,
    pub starts_document: bool,
    pub deleted: bool,
    /// Removed as a separator sheet (by the separation rules, not by hand).
    pub separator: bool,
    /// The barcode values read on the page.
    pub barcodes: Vec<String>,
    /// Index values of the document starting here (from barcodes or the index station).
    pub index: Vec<(String, String)>,
    /// OCR: `pending`, `done`, `failed`, or none (not wanted).
    pub ocr: Option<String>,
    /// Why OCR failed (Tesseract's words, in English).
    pub ocr_error: Option<String>,
}

/// One word the OCR read on a page, its box as shares (0–1) of the page as shown (turned
/// as the user turned it): what the index station's viewer lets people click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageWord {
    pub text: String,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

/// An index value the master data does not accept, tied to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldIssue {
    pub field: String,
    /// `required`, `unknown_doctype`, `unknown_unit`, `pattern`, `date`, `future_date`, `too_long`.
    pub code: String,
    pub message: String,
}

/// One document of a batch at the index and check stations.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckDocView {
    pub number: u32,
    pub first_page: String,
    pub pages: u32,
    /// `code` or `code:page` (blank, too_dark, too_light, skew, page_count, barcode_unread,
    /// ocr_failed, processing_failed).
    pub flags: Vec<String>,
    /// Recorded, no check needed: `blank_back:page` where the profile expects blank backs.
    pub notes: Vec<String>,
    pub sampled: bool,
    pub required: bool,
    /// `passed`, `failed`, or none yet.
    pub verdict: Option<String>,
    pub checker: Option<String>,
    pub note: Option<String>,
    pub index: Vec<(String, String)>,
    pub issues: Vec<FieldIssue>,
    /// Values automatic indexing suggests for the fields that are empty or not accepted,
    /// each with its confidence and where it was read.
    pub suggestions: Vec<crate::auto::FieldSuggestion>,
    /// Values a person typed into this document, and suggestions they took (each field once).
    pub typed: u32,
    pub taken: u32,
}

/// A batch at the index and check stations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CheckView {
    /// `normal`, `hoch`, `sehr_hoch`.
    pub protection: String,
    pub four_eyes: bool,
    pub scanned_by: String,
    /// The person signed in at this station.
    pub operator: String,
    pub open: u32,
    pub failed: u32,
    pub passed: bool,
    pub documents: Vec<CheckDocView>,
}

/// An entry of the master data (organisation unit or document type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MasterEntry {
    /// `unit` or `doctype`.
    pub kind: String,
    pub code: String,
    pub label: String,
}

/// The station: who works here, whether OCR can run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StationInfo {
    pub operator: String,
    /// Why OCR cannot run here (none when it can).
    pub ocr_notice: Option<String>,
    pub master: Vec<MasterEntry>,
    /// People sign in with their directory password (`[directory]`), not a typed name.
    pub directory: bool,
}

/// What applying the separation rules did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SeparationSummary {
    pub documents: u32,
    pub separator_sheets: u32,
    pub index_filled: u32,
    /// Breaks set by hand that the rules replaced (only after the user agreed).
    pub manual_replaced: u32,
    /// Every page the rules changed as it was before: undoing restores them.
    pub undo: Vec<PageBefore>,
}

/// A page's document break, separator flag and index values before the separation rules
/// changed them.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageBefore {
    pub page_id: String,
    pub starts_document: bool,
    pub deleted: bool,
    pub separator: bool,
    pub index: Vec<(String, String)>,
}

/// One document as a release would make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReleaseDocPreview {
    pub title: String,
    pub pages: u32,
    pub index: Vec<(String, String)>,
    /// What the master data (or the rule "every document has its type") misses.
    pub issues: Vec<FieldIssue>,
}

/// The summary the clerk confirms before a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReleasePreview {
    pub documents: Vec<ReleaseDocPreview>,
    pub pages: u32,
    pub qc_open: u32,
    pub qc_failed: u32,
    pub qc_passed: bool,
    /// `normal`, `hoch`, `sehr_hoch`.
    pub protection_need: String,
    /// What the documents would carry: `keiner`, `siegel`, `siegel+zeitstempel`.
    pub protection: String,
    /// A written justification for going without a seal applies.
    pub justification: bool,
    /// The originals may be destroyed once every document is delivered with a receipt.
    pub originals_after_delivery: bool,
    /// Where the documents go (target names).
    pub targets: Vec<String>,
    /// Why the release would be refused now (an error code and its English text).
    pub blocked: Option<(String, String)>,
}

/// A document made from a batch and its delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub pages: u32,
    pub pdfa: String,
    pub sha256: String,
    /// `pending`, `delivered`, … (the first target's outbox state).
    pub delivery: String,
}

/// One seal of a released document, checked (`eingang verify` in the scan station).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SealCheck {
    /// Who sealed (the certificate's common name).
    pub signer: String,
    /// The timestamp's time (RFC 3339) and authority, when timestamped.
    pub timestamp: Option<String>,
    pub authority: Option<String>,
    /// The signed bytes are unchanged and the signature matches them.
    pub intact: bool,
    /// The certificate chain ends at a configured trust anchor (`[seal] trust`).
    pub trusted: bool,
    /// Nothing but validation data was added after the seal.
    pub unchanged: bool,
}

/// A released document's seals, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentCheck {
    pub valid: bool,
    pub seals: Vec<SealCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BatchView {
    pub batch: BatchSummary,
    pub pages: Vec<PageView>,
    pub documents: Vec<DocumentView>,
}

/// A scanner SANE (or another source) offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScannerInfo {
    pub name: String,
    pub vendor: String,
    pub model: String,
    pub kind: String,
}

/// A page edit from the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "set", content = "value", rename_all = "snake_case")]
#[ts(export)]
pub enum PageEdit {
    Rotation(u8),
    Deleted(bool),
    StartsDocument(bool),
    Blank(bool),
}

/// Progress while pages arrive (the `scan-progress` event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ScanProgress {
    pub batch_id: String,
    /// `received`, `processed`, `page_failed`, `file_failed`, `finished`.
    pub kind: String,
    pub page_id: Option<String>,
    /// For failures: the stable code and the message naming the file or device.
    pub code: Option<String>,
    pub message: Option<String>,
    pub received: u32,
    pub processed: u32,
}

/// One barcode read on a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Barcode {
    /// `code39`, `code128`, `qr`, `patch`.
    pub format: String,
    pub value: String,
}

/// A mailbox the scan office reads (`[mailbox]`), as the batch list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MailboxView {
    /// `user@host:port/folder`.
    pub account: String,
    /// `connected`, `waiting` (offline or the server busy: tried again by itself) or
    /// `error` (needs IT: a password, a certificate, a folder).
    pub state: String,
    /// The error's stable code (the UI's sentence), when there is one.
    pub code: Option<String>,
    /// When the folder was last read through.
    #[ts(type = "number | null")]
    pub last_fetch: Option<i64>,
    /// Messages taken as documents, refused (moved aside with the reason), seen again.
    pub imported: u32,
    pub refused: u32,
    pub duplicates: u32,
}

/// The scan office's team (`[team]`), as the Scanstelle shows it: the day, the work waiting
/// per step, who works on what, and the work this station holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamView {
    /// `user@host:port/database`.
    pub server: String,
    /// This station's name and its roles (capture, index, check, release, deliver).
    pub station: String,
    pub roles: Vec<String>,
    /// `connected`, `unreachable` (tried again by itself) or `error` (needs IT).
    pub state: String,
    /// The error's stable code (the UI's sentence), when there is one.
    pub code: Option<String>,
    pub pages_today: u32,
    pub waiting: Vec<TeamWaiting>,
    pub desks: Vec<TeamDesk>,
    /// The day's batches as the team has them, newest first.
    pub today: Vec<TeamBatchView>,
    /// The work this station holds now.
    pub held: Vec<TeamTaken>,
    /// This station's batches handed over (or waiting to be, while the server is away).
    pub handed: Vec<String>,
    /// How many of them still wait for the server.
    pub uploads_waiting: u32,
}

/// Work of one step: open, and held by a desk now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamWaiting {
    pub step: String,
    pub open: u32,
    pub held: u32,
}

/// A desk at work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamDesk {
    pub station: String,
    pub person: String,
    pub step: String,
    pub batch: String,
}

/// Work a desk took: the claim's number, the step, its batch (in this station's store now),
/// the item (a document's first page, or the batch) and the document's number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamTaken {
    #[ts(type = "number")]
    pub claim: i64,
    pub step: String,
    pub batch: String,
    pub item: String,
    pub document: Option<u32>,
}

/// One of the day's batches in the team: where it was scanned, where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamBatchView {
    pub id: String,
    pub name: String,
    pub station: String,
    /// `scanning`, `ready` (in the queue) or `released`.
    pub state: String,
    pub pages: u32,
    /// Its work still open (index, check, release).
    pub open: u32,
}
