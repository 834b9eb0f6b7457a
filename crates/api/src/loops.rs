//! The long-running loops, started the same way by the app and by the CLI (`eingang sync
//! --watch`, `eingang ocr run --watch`, `eingang hotfolder`): each runs until its
//! [`Shutdown`] is requested and reports through callbacks; none holds a store connection
//! while it waits. The sync loop is [`eingang_sync::worker::run_forever`] (async); the OCR
//! and hot-folder loops block and belong on a thread of their own.

use crate::error::{Error, Result};
use eingang_capture::hotfolder::{HotFolder, Taken};
use eingang_capture::intake;
use eingang_capture::intake::Event;
use eingang_capture::ocr::{self, Tesseract};
use eingang_capture::profile::ScanProfile;
use eingang_capture::Limits;
use eingang_store::tables::pages;
use eingang_store::Store;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use eingang_sync::worker::{run_forever as sync_forever, Shutdown};

/// How often the OCR loop looks for new pages, and a missing Tesseract is looked for again.
const OCR_LOOK: Duration = Duration::from_millis(700);
const OCR_FIND_AGAIN: Duration = Duration::from_secs(60);

/// Tesseract as the configuration says (`[scan] ocr_languages`, `ocr_timeout_secs`;
/// default German and English, 120 s a page).
pub fn tesseract(scan: &eingang_config::ScanSection) -> Result<Tesseract, ocr::Unavailable> {
    let mut t = Tesseract::find(scan.ocr_languages.as_deref().unwrap_or("deu+eng"))?;
    if let Some(secs) = scan.ocr_timeout_secs {
        t.timeout = Duration::from_secs(secs);
    }
    Ok(t)
}

/// Works the OCR queue until `shutdown`: one Tesseract process per page, `jobs` at once.
/// `find` locates Tesseract as the configuration says; while it cannot, `on_notice` is told
/// why (and `None` once it can) and it is looked for again every minute. `on_page` after
/// every page read; `after` every time it looked (automatic indexing of the batches read).
pub fn ocr_forever(
    store: &Store,
    find: &dyn Fn() -> Result<Tesseract, ocr::Unavailable>,
    jobs: usize,
    shutdown: &Shutdown,
    on_notice: &dyn Fn(Option<String>),
    on_page: &(dyn Fn(&eingang_model::PageId, &Result<usize, ocr::OcrError>) + Sync),
    after: &dyn Fn(),
) {
    let mut tess: Option<Tesseract> = None;
    let mut last_look: Option<Instant> = None;
    loop {
        if tess.is_none() && last_look.is_none_or(|t| t.elapsed() > OCR_FIND_AGAIN) {
            last_look = Some(Instant::now());
            match find() {
                Ok(t) => {
                    on_notice(None);
                    tess = Some(t);
                }
                Err(e) => {
                    tracing::warn!("OCR unavailable");
                    on_notice(Some(e.to_string()));
                }
            }
        }
        if let Some(t) = &tess {
            let waiting = store
                .with_conn(|c| pages::ocr_pending(c, None, 1))
                .map_or(0, |p| p.len());
            if waiting > 0 {
                if let Err(e) = ocr::run_pending(store, t, None, jobs, shutdown.flag(), on_page) {
                    tracing::warn!(error = %e, "the OCR queue could not be read");
                }
            }
        }
        after();
        if shutdown.sleep_blocking(OCR_LOOK) {
            return;
        }
    }
}

/// What the hot folder is: the folder network scanners drop files into, the scan profile
/// its pages get, and how long a file must stay unchanged before it is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotFolderSettings {
    pub inbox: PathBuf,
    pub profile_id: String,
    pub settle: Duration,
}

impl HotFolderSettings {
    /// From `[scan]` in the configuration (profile `standard`, 2 s unless set); `None`
    /// when no hot folder is configured.
    pub fn configured(scan: &eingang_config::ScanSection) -> Option<Self> {
        Some(Self {
            inbox: scan.hotfolder.clone()?,
            profile_id: scan
                .hotfolder_profile
                .clone()
                .unwrap_or_else(|| "standard".into()),
            settle: Duration::from_secs(scan.hotfolder_settle_secs.unwrap_or(2)),
        })
    }

    /// The configured hot folder with what the command line says instead (folder, profile,
    /// seconds to settle); an error when neither names a folder.
    pub fn overridden(
        scan: &eingang_config::ScanSection,
        inbox: Option<PathBuf>,
        profile_id: Option<&str>,
        settle_secs: Option<u64>,
    ) -> Result<Self> {
        let configured = Self::configured(scan);
        let inbox = inbox
            .or(configured.as_ref().map(|c| c.inbox.clone()))
            .ok_or_else(|| {
                Error::input(
                    "input.hotfolder",
                    "no folder given and no [scan] hotfolder configured",
                )
            })?;
        Ok(Self {
            inbox,
            profile_id: profile_id
                .map(str::to_owned)
                .or(configured.as_ref().map(|c| c.profile_id.clone()))
                .unwrap_or_else(|| "standard".into()),
            settle: settle_secs
                .map(Duration::from_secs)
                .or(configured.map(|c| c.settle))
                .unwrap_or(Duration::from_secs(2)),
        })
    }
}

/// A hot folder being watched.
#[derive(Debug)]
pub struct HotFolderWatch {
    settings: HotFolderSettings,
    folder: HotFolder,
    profile: ScanProfile,
}

impl HotFolderWatch {
    /// Opens the folder (its `archive/` and `failed/` beside the files) with its profile.
    pub fn open(store: &Store, settings: HotFolderSettings) -> Result<Self> {
        let profile = crate::batches::profile(store, Some(&settings.profile_id))?;
        let folder = HotFolder::new(
            &settings.inbox,
            &settings.inbox.join("archive"),
            settings.settle,
            Limits::default(),
        )?;
        Ok(Self {
            settings,
            folder,
            profile,
        })
    }

    pub fn inbox(&self) -> &Path {
        &self.settings.inbox
    }

    pub fn profile_id(&self) -> &str {
        &self.profile.id
    }

    /// One look: every complete file goes into the day's batch (raw kept, processed by the
    /// profile), then is archived; refused files move to `failed/` with the reason.
    pub fn look(&mut self, store: &Store, on_event: &(dyn Fn(Event) + Sync)) -> Result<Vec<Taken>> {
        // Below the disk floor the files wait in the folder until there is room.
        crate::disk::ensure_room(store)?;
        Ok(intake::hotfolder_poll(
            store,
            &mut self.folder,
            &self.settings.inbox,
            &self.profile,
            on_event,
        )?)
    }

    /// Complete files still waiting in the folder (not hidden, not `.part`/`.tmp`).
    pub fn waiting(&self) -> usize {
        std::fs::read_dir(&self.settings.inbox).map_or(0, |d| {
            d.flatten()
                .filter(|e| {
                    let path = e.path();
                    let unfinished = path.extension().is_some_and(|x| {
                        x.eq_ignore_ascii_case("part") || x.eq_ignore_ascii_case("tmp")
                    });
                    path.is_file()
                        && !unfinished
                        && !e.file_name().to_string_lossy().starts_with('.')
                })
                .count()
        })
    }
}

/// How often the hot folder is looked at.
pub const HOT_FOLDER_LOOK: Duration = Duration::from_millis(500);
/// … and while the disk is below the floor (`store.disk_floor`).
const HOT_FOLDER_DISK_FULL: Duration = Duration::from_secs(30);

/// Watches the hot folder until `shutdown`. `settings` is asked before every look (the
/// app's configuration can change; `None` idles); `current` is a folder already opened
/// (the CLI opens it first to report a mistake at once). `on_look` hears every look's
/// result.
pub fn hot_folder_forever(
    store: &Store,
    mut current: Option<HotFolderWatch>,
    settings: &dyn Fn() -> Option<HotFolderSettings>,
    shutdown: &Shutdown,
    on_event: &(dyn Fn(Event) + Sync),
    on_look: &dyn Fn(&HotFolderWatch, Result<Vec<Taken>>),
) {
    loop {
        if shutdown.is_requested() {
            return;
        }
        match settings() {
            None => current = None,
            Some(wanted) => {
                if current.as_ref().is_none_or(|c| c.settings != wanted) {
                    current = match HotFolderWatch::open(store, wanted) {
                        Ok(w) => Some(w),
                        Err(e) => {
                            tracing::warn!(code = e.code(), "the hot folder cannot be watched");
                            None
                        }
                    };
                }
            }
        }
        let mut pause = HOT_FOLDER_LOOK;
        if let Some(watch) = current.as_mut() {
            let taken = watch.look(store, on_event);
            if matches!(&taken, Err(e) if e.code() == "store.disk_floor") {
                // The files wait in the folder; looking twice a second would only repeat it.
                pause = HOT_FOLDER_DISK_FULL;
            }
            on_look(watch, taken);
        }
        if shutdown.sleep_blocking(pause) {
            return;
        }
    }
}

/// Counts what one look took, for a log line.
pub fn refused(taken: &[Taken]) -> usize {
    taken
        .iter()
        .filter(|t| matches!(t, Taken::Failed { .. }))
        .count()
}
