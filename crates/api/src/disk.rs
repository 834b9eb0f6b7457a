//! A disk that never fills by surprise: below [`DISK_WARN_BYTES`] free the status bar
//! warns, below [`DISK_FLOOR_BYTES`] intake (files, scanner, hot folder) takes no new
//! pages, while delivery and the retention purge go on and free space.

use crate::error::Result;
use eingang_store::Store;

/// Below this much free space intake warns (the status bar, `eingang doctor`)…
pub const DISK_WARN_BYTES: u64 = 2 << 30;
/// … and below this it takes no new pages (delivery and the purge go on and free space).
pub const DISK_FLOOR_BYTES: u64 = 512 << 20;

/// How much room the data folder's disk has: `ok`, `low` (intake warns) or `full` (intake
/// stops), with the free bytes (`None` when it cannot be measured: then intake goes on).
pub fn room(store: &Store) -> (Option<u64>, &'static str) {
    let free = fs4::available_space(store.data_dir()).ok();
    let state = match free {
        Some(f) if f < DISK_FLOOR_BYTES => "full",
        Some(f) if f < DISK_WARN_BYTES => "low",
        _ => "ok",
    };
    (free, state)
}

/// Refuses new pages when the disk is below the floor, naming the folder and what to do.
pub fn ensure_room(store: &Store) -> Result<()> {
    match room(store) {
        (Some(free), "full") => Err(crate::Error::refused(
            "store.disk_floor",
            format!(
                "only {} MiB are free at {}: no new pages are taken below {} MiB (deliveries and the retention purge go on and free space); free space on the disk, or let `eingang retention run` purge what was delivered",
                free >> 20,
                store.data_dir().display(),
                DISK_FLOOR_BYTES >> 20
            ),
        )),
        _ => Ok(()),
    }
}
