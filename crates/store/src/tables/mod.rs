//! One module per table, each with the reads and writes of that table. Functions take a
//! `&Connection` (a `Transaction` derefs to one), so callers choose the transaction. The
//! scan office's tables: `profiles`, `batches`, `pages`, `page_log`, `documents`, `qc`,
//! `masterdata`.

pub mod attachments;
pub mod audit;
pub mod auto;
pub mod batches;
pub mod blobs;
pub mod checkpoints;
pub mod credentials;
pub mod cursor;
pub mod documents;
pub mod drafts;
pub mod forms;
pub mod mail;
pub mod masterdata;
pub mod mirror;
pub mod outbox;
pub mod page_log;
pub mod pages;
pub mod preferences;
pub mod profiles;
pub mod qc;
pub mod submissions;
pub mod sync_status;
pub mod team;
