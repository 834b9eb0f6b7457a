//! The errors of intake and of the work on stored batches. Each has a stable `code()` (the
//! UI translates codes, it never parses messages) and names the file, page, setting or
//! document it is about.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    #[error("{file}: cannot be read: {reason}")]
    Io { file: String, reason: String },
    #[error("scanner: {reason}")]
    Scanner { reason: String },
    #[error("{file}: not a JPEG, PNG, PNM, TIFF, PDF or e-mail (.eml) file; scan or export it as one of those")]
    Unsupported { file: String },
    #[error("{file}{page}: damaged — {reason}; scan the page again or export the file anew", page = page.map(|p| format!(", page {}", p + 1)).unwrap_or_default())]
    Corrupt {
        file: String,
        page: Option<usize>,
        reason: String,
    },
    #[error("{file}{page}: too large — {reason}; split it or scan at a lower resolution", page = page.map(|p| format!(", page {}", p + 1)).unwrap_or_default())]
    TooLarge {
        file: String,
        page: Option<usize>,
        reason: String,
    },
    /// An office file LibreOffice did not (or must not) turn into pages; it stays in its
    /// e-mail file as it came.
    #[error("{file}: not converted into pages — {reason}")]
    Conversion { file: String, reason: String },
}

impl CaptureError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "capture.io",
            Self::Scanner { .. } => "capture.scanner",
            Self::Unsupported { .. } => "capture.unsupported",
            Self::Corrupt { .. } => "capture.corrupt",
            Self::TooLarge { .. } => "capture.too_large",
            Self::Conversion { .. } => "capture.conversion",
        }
    }
}

/// Why a step on a stored batch failed: reading or saving profiles, separation, the
/// quality check, release.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(transparent)]
    Store(#[from] eingang_store::Error),
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// A setting of a scan profile (or its separation rules) that cannot work.
    #[error("{setting}: {message}")]
    Setting {
        setting: &'static str,
        message: String,
    },
    #[error("the batch's scan profile cannot be read: {reason}")]
    Profile { reason: String },
    #[error("this batch was released already")]
    Released,
    #[error("applying the separation rules would replace {count} document break(s) set by hand; confirm to replace them (the change can be undone)")]
    ManualBreaks { count: u32 },
    #[error("page from {file} (page {page}) is not processed ({state}): rescan or delete it")]
    PageNotProcessed {
        file: String,
        page: u32,
        state: String,
    },
    #[error("OCR is still reading {pages} page(s); release when it is done")]
    OcrRunning { pages: u32 },
    #[error("quality check: {open} document(s) still need a verdict, {failed} failed (fix and check again)")]
    CheckOpen { open: usize, failed: usize },
    #[error("the batch has no pages")]
    NoPages,
    #[error("document {document}: {}", problems.join("; "))]
    IndexInvalid {
        document: usize,
        problems: Vec<String>,
    },
    #[error("{title}: the PDF/A could not be written ({reason}); nothing was queued")]
    Write { title: String, reason: String },
    #[error("{title}: not a valid PDF/A ({}); nothing was queued", problems.join("; "))]
    NotPdfA {
        title: String,
        problems: Vec<String>,
    },
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("protection need {protection}: {needs} is required to release this batch, but none is configured — set up [seal]{} in the machine configuration (eingang config check names what is missing)", if *.timestamp { " and [timestamp]" } else { "" })]
    SealRequired {
        protection: String,
        needs: &'static str,
        timestamp: bool,
    },
    #[error("protection need sehr_hoch: the four-eyes check needs people signed in against the directory ([directory] in the machine configuration); typed names do not count")]
    AuthenticationRequired,
    #[error("this document is no longer in the batch (its pages changed): reload")]
    DocumentChanged,
    #[error("checker: who checks must be named")]
    CheckerMissing,
    #[error("four-eyes check: {checker} scanned this batch and cannot check it; another person must sign in and check")]
    FourEyes { checker: String },
    #[error("note: say what is wrong, so the page can be rescanned or fixed")]
    NoteRequired,
    #[error("note: at most 2000 characters")]
    NoteTooLong,
}

impl BatchError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Store(e) => e.code(),
            Self::Capture(e) => e.code(),
            Self::Setting { .. } => "scan.profile_invalid",
            Self::Profile { .. } => "scan.profile",
            Self::Released => "scan.released",
            Self::ManualBreaks { .. } => "separation.manual_breaks",
            Self::PageNotProcessed { .. } => "scan.page_not_processed",
            Self::OcrRunning { .. } => "scan.ocr_running",
            Self::CheckOpen { .. } => "qc.open",
            Self::NoPages => "scan.no_pages",
            Self::IndexInvalid { .. } => "index.invalid",
            Self::Write { .. } => "scan.document",
            Self::NotPdfA { .. } => "pdf.not_pdfa",
            Self::Seal(e) => e.code,
            Self::SealRequired { .. } => "seal.required",
            Self::AuthenticationRequired => "signin.required",
            Self::DocumentChanged => "qc.document_changed",
            Self::CheckerMissing => "qc.checker",
            Self::FourEyes { .. } => "qc.four_eyes",
            Self::NoteRequired => "qc.note_required",
            Self::NoteTooLong => "qc.note_too_long",
        }
    }

    /// The input field (or profile setting) the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Setting { setting, .. } => Some(setting),
            Self::CheckerMissing => Some("checker"),
            Self::NoteRequired | Self::NoteTooLong => Some("note"),
            Self::Store(e) => e.field(),
            _ => None,
        }
    }

    pub(crate) fn setting(setting: &'static str, message: impl Into<String>) -> Self {
        Self::Setting {
            setting,
            message: message.into(),
        }
    }
}

/// Every code a [`CaptureError`] or [`BatchError`] of its own can carry (the UI has a text for
/// each; a test holds them together).
pub const CODES: &[&str] = &[
    "capture.io",
    "capture.scanner",
    "capture.unsupported",
    "capture.corrupt",
    "capture.too_large",
    "capture.conversion",
    "scan.profile_invalid",
    "scan.profile",
    "scan.released",
    "separation.manual_breaks",
    "scan.page_not_processed",
    "scan.ocr_running",
    "qc.open",
    "scan.no_pages",
    "index.invalid",
    "scan.document",
    "pdf.not_pdfa",
    "seal.failed",
    "seal.required",
    "signin.required",
    "qc.document_changed",
    "qc.checker",
    "qc.four_eyes",
    "qc.note_required",
    "qc.note_too_long",
    "ocr.failed",
];

/// A seal service that refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the seal ({sealer}) could not be made: {reason}")]
pub struct SealError {
    pub sealer: String,
    pub reason: String,
    /// The seal service's own error code (`tsa.unreachable`, `seal.wrong_pin`, …), or
    /// `seal.failed`.
    pub code: &'static str,
}

impl SealError {
    /// A service that was out of reach: the release waits and is tried again.
    pub fn transient(&self) -> bool {
        self.code == "tsa.unreachable"
    }
}

/// Why Tesseract could not read a page (kept with the page; the page stays without text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OcrError {
    #[error("Tesseract could not be started: {reason}")]
    Start { reason: String },
    #[error("Tesseract took longer than {secs} s on this page and was stopped; the page stays without text (try OCR again, or check the scan)")]
    TimedOut { secs: u64 },
    #[error("Tesseract failed on this page ({status}{}{reason})", if reason.is_empty() { "" } else { ": " })]
    Failed { status: String, reason: String },
    #[error("the page image cannot be read: {reason}")]
    Image { reason: String },
    #[error("the page could not be read or its text saved: {reason}")]
    Store { reason: String },
}

impl OcrError {
    pub fn code(&self) -> &'static str {
        "ocr.failed"
    }
}
