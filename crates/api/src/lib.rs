//! Eingang's use cases: every operation that composes more than one crate, called alike by
//! the desktop shell (`src-tauri`, one Tauri command = argument checks + one call here) and
//! the CLI (`eingang …`). Functions block (store, image and PDF work); the shell runs them
//! on a blocking thread, the CLI calls them directly.
//!
//! - [`auto`]: automatic indexing — suggestions (document starts, type, unit, values),
//!   applying them, learning from released documents, the model's state.
//! - [`batches`]: the Scanstelle — profiles, batches, intake from files and scanners,
//!   page edits, separation, release into the outbox.
//! - [`release`]: a checked batch into the outbox, sealed; a release that waits for the
//!   timestamp service, retried automatically.
//! - [`disk`]: the free space intake needs (warn, floor).
//! - [`retention`]: the purge of what was delivered long enough ago, legal hold, old drafts.
//! - [`drafts`]: drafts in the editor, each answer with the form's state; [`forms`]: the
//!   catalogue's import.
//! - [`station`]: the index and check stations — operator, master data, index values,
//!   quality-check verdicts, OCR again.
//! - [`provision`]: the administrator's central master data and scan profiles, taken
//!   when they changed.
//! - [`submissions`]: finalising a draft (validate, render the PDF/A, queue).
//! - [`targets`]: delivery targets in the settings and the sync view, the outbox, the
//!   status bar.
//! - [`terminal`]: what the self-service terminal offers, a page scanned there, the receipt.
//! - [`loops`]: the long-running loops (sync, OCR, hot folder) with a shutdown handle.
//! - [`error::Error`]: typed errors with stable codes and the field to blame.

pub mod auto;
pub mod batches;
pub mod disk;
pub mod doctor;
pub mod drafts;
pub mod error;
pub mod evidence;
pub mod files;
pub mod forms;
pub mod loops;
pub mod mailbox;
pub mod preferences;
pub mod provision;
pub mod release;
mod remembered;
mod render;
pub mod retention;
pub mod station;
pub mod straight_through;
pub mod submissions;
pub mod targets;
pub mod team;
pub mod terminal;

pub use error::{Error, Result};
