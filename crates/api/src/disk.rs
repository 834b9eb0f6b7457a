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

/// How many days the free space lasts at last week's growth (`None`: nothing stored
/// lately, or the disk cannot be measured). The week's sum is read at most every five
/// minutes — the status bar asks every few seconds.
pub fn days_left(store: &Store, free: Option<u64>) -> Option<u32> {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    type Seen = Option<(std::path::PathBuf, Instant, u64)>;
    static WEEK: Mutex<Seen> = Mutex::new(None);
    const FRESH: Duration = Duration::from_secs(300);
    let free = free?;
    let dir = store.data_dir().to_path_buf();
    let mut seen = WEEK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let week = match &*seen {
        Some((d, at, week)) if *d == dir && at.elapsed() < FRESH => *week,
        _ => {
            let week = store
                .with_conn(|c| Ok(eingang_store::inspect::last_week(c)?))
                .ok()?;
            *seen = Some((dir, Instant::now(), week));
            week
        }
    };
    let per_day = week / 7;
    (per_day > 0).then(|| u32::try_from(free / per_day).unwrap_or(u32::MAX))
}

/// What the data folder holds by kind (the status bar's "Speicher" details, on request).
pub fn usage(store: &Store) -> Result<eingang_model::StoreUsage> {
    let s = store.with_conn(|c| Ok(eingang_store::inspect::storage(c)?))?;
    let database = std::fs::metadata(store.data_dir().join(eingang_store::DB_FILE_NAME))
        .map_or(0, |m| m.len());
    Ok(eingang_model::StoreUsage {
        pages: s.pages,
        documents: s.documents,
        submissions: s.submissions,
        files: s.total,
        database,
        last_week: s.last_week,
    })
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
