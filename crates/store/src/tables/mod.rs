//! One module per table, each with the reads and writes of that table. Functions take a
//! `&Connection` (a `Transaction` derefs to one), so callers choose the transaction.

pub mod attachments;
pub mod audit;
pub mod blobs;
pub mod credentials;
pub mod drafts;
pub mod forms;
pub mod masterdata;
pub mod outbox;
pub mod preferences;
pub mod qc;
pub mod scans;
pub mod submissions;
pub mod sync_status;
