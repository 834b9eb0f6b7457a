//! Domain types shared by every Eingang crate. No I/O lives here.
//!
//! Vocabulary (see `docs/GLOSSARY.md` for the German terms):
//! - **Form** (`Formular`): a versioned definition of fields (`crates/forms`).
//! - **Draft** (`Entwurf`): a form being filled in; saved on every change, never lost.
//! - **Outbox** (`Postausgang`): items waiting to be delivered to the DMS.
//!
//! Types that cross into the UI derive [`ts_rs::TS`]; the generated TypeScript lives in
//! `ui/src/lib/bindings/` and is checked for staleness in CI (`scripts/check-bindings.sh`).

pub mod auto;
pub mod csv;
pub mod draft;
pub mod ids;
pub mod paging;
pub mod scan;
pub mod status;
pub mod sync;
pub mod time;

pub use draft::{
    AttachmentRef, Draft, DraftSummary, DraftValues, ImportNote, ImportOutcome, SubmissionSummary,
};
pub use ids::{BatchId, DocumentId, DraftId, IdError, PageId, SubmissionId};
pub use paging::{page_size, Paged, PAGE_DEFAULT, PAGE_MAX};
pub use scan::{
    BatchSummary, BatchView, DocumentView, MailboxView, PageBefore, PageEdit, PageView, PageWord,
    ReleaseDocPreview, ReleasePreview, ReleaseWaiting, ScanProfileInfo, ScanProgress, ScannerInfo,
    SeparationSummary, TeamBatchView, TeamDesk, TeamTaken, TeamView, TeamWaiting,
};
pub use status::{
    AppInfo, BoundaryError, Role, StatusSnapshot, StoreUsage, SyncStatus, UpdateInfo,
};
pub use sync::{OutboxItem, OutboxState, Receipt, SyncIssue, TargetSetting, TargetStatus};

/// The zero-configuration delivery target: the local folder `<data>/ausgang`.
pub const DEFAULT_TARGET: &str = "default";
