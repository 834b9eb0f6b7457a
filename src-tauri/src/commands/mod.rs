//! IPC commands, one module per area. Each command validates its input, then calls a crate.

pub mod app;
pub mod attachments;
pub mod drafts;
pub mod forms;
pub mod scan;
pub mod station;
pub mod submissions;
pub mod sync;
pub mod team;
pub mod terminal;
