//! The watched hot folder network scanners drop files into.
//!
//! - A file is taken only when it is complete: hidden and `.part`/`.tmp` names are skipped
//!   (writers that rename when done), and any other file must keep the same size and time
//!   for `settle` before it is read.
//! - After it was read it moves to `archive/<YYYY-MM-DD>/`; a file that cannot be read moves
//!   to `failed/` with a `.txt` beside it saying why — it is never retried unseen.
//! - Never imported twice: the SHA-256 of every file handed over is appended to
//!   `archive/.eingang-imported` (fsynced) before the file is moved, so a crash between the
//!   two finds the hash on restart and only finishes the move. (The caller's own import
//!   must be idempotent for the instant between its import and this record; with batches
//!   in the store, the record moves into the store's transaction.)

use crate::{read_bytes, CaptureError, Limits, Page};
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

const LEDGER: &str = ".eingang-imported";

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Read and handed over; moved to the archive.
    Imported {
        file: String,
        pages: usize,
        archived: PathBuf,
    },
    /// Already imported earlier (same content); moved to the archive, not handed over.
    Duplicate { file: String, archived: PathBuf },
    /// Could not be read; moved to `failed/` with the reason beside it.
    Failed {
        file: String,
        reason: String,
        moved: PathBuf,
    },
}

/// Takes a file's name and bytes; returns its number of pages or why it is refused.
pub type ImportFn<'a> = dyn FnMut(&str, Vec<u8>) -> Result<usize, CaptureError> + 'a;

#[derive(Debug)]
pub struct HotFolder {
    inbox: PathBuf,
    archive: PathBuf,
    failed: PathBuf,
    settle: Duration,
    limits: Limits,
    /// Last seen (size, modified) per file and since when it has not changed.
    seen: HashMap<PathBuf, ((u64, Option<SystemTime>), Instant)>,
    imported: HashSet<String>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CaptureError + '_ {
    move |e| CaptureError::Io {
        file: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Today's date for the archive folder (UTC).
fn today() -> String {
    eingang_model::time::rfc3339_utc(eingang_model::time::now_ms())[..10].to_owned()
}

/// `dir/name`, or `dir/name (2)` … if that is taken: nothing in the archive is overwritten.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s.to_owned(), format!(".{e}")),
        None => (name.to_owned(), String::new()),
    };
    (2..100_000)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

impl HotFolder {
    /// Watches `inbox`; archives into `archive` (both made if missing).
    pub fn new(
        inbox: &Path,
        archive: &Path,
        settle: Duration,
        limits: Limits,
    ) -> Result<Self, CaptureError> {
        for d in [inbox, archive] {
            std::fs::create_dir_all(d).map_err(io(d))?;
        }
        let ledger = archive.join(LEDGER);
        let imported = match std::fs::read_to_string(&ledger) {
            Ok(t) => t
                .lines()
                .map(|l| l.trim().to_owned())
                .filter(|l| l.len() == 64)
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
            Err(e) => return Err(io(&ledger)(e)),
        };
        Ok(Self {
            inbox: inbox.to_path_buf(),
            archive: archive.to_path_buf(),
            failed: inbox.join("failed"),
            settle,
            limits,
            seen: HashMap::new(),
            imported,
        })
    }

    /// The files that have stayed unchanged for `settle`, oldest observation first.
    fn ready(&mut self) -> Result<Vec<PathBuf>, CaptureError> {
        let now = Instant::now();
        let mut ready = Vec::new();
        let mut present = HashSet::new();
        for entry in std::fs::read_dir(&self.inbox).map_err(io(&self.inbox))? {
            let entry = entry.map_err(io(&self.inbox))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let unfinished = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("part") || e.eq_ignore_ascii_case("tmp"));
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || name.starts_with('.') || unfinished {
                continue;
            }
            present.insert(path.clone());
            let stamp = (meta.len(), meta.modified().ok());
            match self.seen.get(&path) {
                Some((s, since)) if *s == stamp => {
                    if now.duration_since(*since) >= self.settle {
                        ready.push(path);
                    }
                }
                _ => {
                    self.seen.insert(path, (stamp, now));
                }
            }
        }
        self.seen.retain(|p, _| present.contains(p));
        ready.sort();
        Ok(ready)
    }

    fn record(&mut self, hash: &str) -> Result<(), CaptureError> {
        let ledger = self.archive.join(LEDGER);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&ledger)
            .map_err(io(&ledger))?;
        writeln!(f, "{hash}")
            .and_then(|()| f.sync_all())
            .map_err(io(&ledger))?;
        self.imported.insert(hash.to_owned());
        Ok(())
    }

    fn archive(&self, path: &Path, name: &str) -> Result<PathBuf, CaptureError> {
        let dir = self.archive.join(today());
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let to = free_name(&dir, name);
        std::fs::rename(path, &to).map_err(io(path))?;
        Ok(to)
    }

    /// Takes every complete file: reads its pages and hands them to `on_file`, then
    /// archives it. One bad file does not stop the others.
    pub fn poll(
        &mut self,
        on_file: &mut dyn FnMut(&str, Vec<Page>),
    ) -> Result<Vec<Taken>, CaptureError> {
        let limits = self.limits;
        self.poll_bytes(&mut |file, bytes| {
            let pages = read_bytes(file, bytes, limits)?;
            let n = pages.len();
            on_file(file, pages);
            Ok(n)
        })
    }

    /// Takes every complete file and hands its bytes to `import`, which returns the number
    /// of pages it took or why the file is refused (then it moves to `failed/` with the
    /// reason). A file that vanishes before it is read is skipped.
    pub fn poll_bytes(&mut self, import: &mut ImportFn<'_>) -> Result<Vec<Taken>, CaptureError> {
        let mut taken = Vec::new();
        for path in self.ready()? {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.seen.remove(&path);
            // Too large: refused by its size, never read into memory.
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            if size > self.limits.max_file_bytes {
                let e = CaptureError::TooLarge {
                    file: file.clone(),
                    page: None,
                    reason: format!("larger than {} MiB", self.limits.max_file_bytes >> 20),
                };
                taken.push(self.refuse(&path, file, &e)?);
                continue;
            }
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                // Taken away by someone else meanwhile: nothing to import.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(&path)(e)),
            };
            let hash = sha256_hex(&bytes);
            if self.imported.contains(&hash) {
                let archived = self.archive(&path, &file)?;
                taken.push(Taken::Duplicate { file, archived });
                continue;
            }
            match import(&file, bytes) {
                Ok(n) => {
                    self.record(&hash)?;
                    let archived = self.archive(&path, &file)?;
                    taken.push(Taken::Imported {
                        file,
                        pages: n,
                        archived,
                    });
                }
                Err(e) => taken.push(self.refuse(&path, file, &e)?),
            }
        }
        Ok(taken)
    }

    /// Moves a refused file to `failed/` with a note saying why.
    fn refuse(&self, path: &Path, file: String, e: &CaptureError) -> Result<Taken, CaptureError> {
        std::fs::create_dir_all(&self.failed).map_err(io(&self.failed))?;
        let moved = free_name(&self.failed, &file);
        std::fs::rename(path, &moved).map_err(io(path))?;
        let reason = e.to_string();
        let note = moved.with_file_name(format!(
            "{}.txt",
            moved
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        std::fs::write(&note, format!("{reason}\n")).map_err(io(&note))?;
        Ok(Taken::Failed {
            file,
            reason,
            moved,
        })
    }
}
