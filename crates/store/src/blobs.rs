//! Content-addressed blob store for large bytes (page images, attachments, PDFs).
//!
//! A blob is the file `blobs/<first two hex digits>/<sha256 hex>`. [`BlobStore::put`]
//! writes to a temporary file in the same folder, fsyncs it, renames it into place and
//! fsyncs the folder, so when `put` returns the bytes are durable — before the database
//! row that names them commits. Reads verify the content against the name.
//! With a key (every store opened by [`crate::Store`]) files are sealed ([`crate::seal`]):
//! the name stays the SHA-256 of the plaintext; files from before are read as they are and
//! sealed by [`crate::Store::seal_plain_blobs`].

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// A stored blob: its SHA-256 (lowercase hex) and size in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    pub hash: String,
    pub size: i64,
}

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    key: Option<crate::seal::BlobKey>,
}

/// A blob's plaintext as a stream (sealed files decrypted on the way).
pub enum BlobReader {
    Plain(File),
    Sealed(crate::seal::Opener<File>),
}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Plain(_) => "BlobReader::Plain",
            Self::Sealed(_) => "BlobReader::Sealed",
        })
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(f) => f.read(buf),
            Self::Sealed(o) => o.read(buf),
        }
    }
}

/// Where a blob's bytes are, for a connector that streams them (and may start mid-file).
#[derive(Debug, Clone)]
pub struct BlobSource {
    pub path: PathBuf,
    key: Option<crate::seal::BlobKey>,
}

impl PartialEq for BlobSource {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path
    }
}

impl Eq for BlobSource {}

impl BlobSource {
    /// An ordinary file outside the store (tools and tests).
    pub fn plain(path: PathBuf) -> Self {
        Self { path, key: None }
    }

    /// The plaintext from `offset` on.
    pub fn open(&self, offset: u64) -> io::Result<BlobReader> {
        open_reader(&self.path, self.key.as_ref(), offset)
    }
}

fn open_reader(
    path: &Path,
    key: Option<&crate::seal::BlobKey>,
    offset: u64,
) -> io::Result<BlobReader> {
    use std::io::Seek as _;
    let mut f = File::open(path)?;
    let mut head = [0u8; 4];
    let n = f.read(&mut head)?;
    match key {
        Some(k) if crate::seal::is_sealed(&head[..n]) => {
            let len = f.metadata()?.len();
            let mut o = crate::seal::Opener::new(f, len, k)?;
            o.seek_plain(offset)?;
            Ok(BlobReader::Sealed(o))
        }
        _ => {
            f.seek(io::SeekFrom::Start(offset))?;
            Ok(BlobReader::Plain(f))
        }
    }
}

/// Whether `hash` is 64 lowercase hex digits (a blob's name).
pub(crate) fn is_blob_name(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Checks that `hash` is 64 lowercase hex digits (so it can never escape the store's folder).
fn validate_name(hash: &str) -> Result<()> {
    if is_blob_name(hash) {
        Ok(())
    } else {
        Err(Error::BadBlobName {
            input: hash.chars().take(80).collect(),
        })
    }
}

impl BlobStore {
    /// A store of plain files (tools and tests; the app's store is sealed).
    pub fn open(root: &Path) -> Result<Self> {
        fs::create_dir_all(root).map_err(Error::io(root))?;
        Ok(Self {
            root: root.to_path_buf(),
            key: None,
        })
    }

    /// A store whose new files are sealed with `key`.
    pub fn open_sealed(root: &Path, key: crate::seal::BlobKey) -> Result<Self> {
        let mut s = Self::open(root)?;
        s.key = Some(key);
        Ok(s)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[..2]).join(hash)
    }

    /// Stores `bytes`; storing the same content again returns the same reference.
    pub fn put(&self, bytes: &[u8]) -> Result<BlobRef> {
        self.put_reader(bytes)
    }

    /// Stores everything `reader` yields, hashing while writing (no second pass).
    pub fn put_reader(&self, reader: impl Read) -> Result<BlobRef> {
        self.write(reader, true).map(|(r, _)| r)
    }

    /// Many blobs with one sync at the end instead of two per file — for loading a whole
    /// archive at once (and the scale benchmark's year of data). Rows that name them must
    /// commit only after [`Bulk::finish`].
    pub fn bulk(&self) -> Bulk<'_> {
        Bulk {
            store: self,
            written: Vec::new(),
        }
    }

    /// Writes a blob; `durable`: the file and its folder are synced before it returns.
    /// Returns the reference and the file (when it was written now).
    fn write(&self, mut reader: impl Read, durable: bool) -> Result<(BlobRef, Option<PathBuf>)> {
        let tmp_dir = self.root.join("tmp");
        fs::create_dir_all(&tmp_dir).map_err(Error::io(&tmp_dir))?;
        let tmp_path = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7()));
        let result = (|| {
            let file = File::create(&tmp_path).map_err(Error::io(&tmp_path))?;
            let mut out = match &self.key {
                Some(k) => Out::Sealed(
                    crate::seal::Sealer::new(io::BufWriter::new(file), k)
                        .map_err(Error::io(&tmp_path))?,
                ),
                None => Out::Plain(io::BufWriter::new(file)),
            };
            let mut hasher = Sha256::new();
            let mut size: i64 = 0;
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(Error::io(&tmp_path)(e)),
                };
                hasher.update(&buf[..n]);
                out.write(&buf[..n]).map_err(Error::io(&tmp_path))?;
                size += i64::try_from(n).unwrap_or(i64::MAX);
            }
            let file = out.finish().map_err(Error::io(&tmp_path))?;
            if durable {
                file.sync_all().map_err(Error::io(&tmp_path))?;
            }
            drop(file);
            let hash = hex::encode(hasher.finalize());
            let dest = self.path_of(&hash);
            let dir = dest.parent().unwrap_or(&self.root);
            fs::create_dir_all(dir).map_err(Error::io(dir))?;
            let written = if dest.exists() {
                // Same name, same content (by construction): keep the existing file.
                fs::remove_file(&tmp_path).map_err(Error::io(&tmp_path))?;
                None
            } else {
                fs::rename(&tmp_path, &dest).map_err(Error::io(&dest))?;
                if durable {
                    sync_dir(dir)?;
                }
                Some(dest)
            };
            Ok((BlobRef { hash, size }, written))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp_path);
        }
        result
    }

    /// Reads a blob and checks that its content still matches its name.
    pub fn get(&self, hash: &str) -> Result<Vec<u8>> {
        validate_name(hash)?;
        let path = self.path_of(hash);
        let mut bytes = Vec::new();
        let read =
            open_reader(&path, self.key.as_ref(), 0).and_then(|mut r| r.read_to_end(&mut bytes));
        if let Err(e) = read {
            return Err(match e.kind() {
                io::ErrorKind::NotFound => Error::BlobMissing {
                    hash: hash.to_owned(),
                    path: path.clone(),
                },
                io::ErrorKind::InvalidData => Error::BlobCorrupt {
                    hash: hash.to_owned(),
                },
                _ => Error::io(&path)(e),
            });
        }
        if hex::encode(Sha256::digest(&bytes)) != hash {
            return Err(Error::BlobCorrupt {
                hash: hash.to_owned(),
            });
        }
        Ok(bytes)
    }

    /// Checks a blob without keeping its bytes.
    pub fn verify(&self, hash: &str) -> Result<()> {
        self.get(hash).map(drop)
    }

    /// The file holding a blob, for streaming it (a connector hashes while it sends and
    /// checks the result against the name).
    pub fn path(&self, hash: &str) -> Result<PathBuf> {
        validate_name(hash)?;
        let path = self.path_of(hash);
        if path.is_file() {
            Ok(path)
        } else {
            Err(Error::BlobMissing {
                hash: hash.to_owned(),
                path,
            })
        }
    }

    /// A blob as a source a connector streams from.
    pub fn source(&self, hash: &str) -> Result<BlobSource> {
        Ok(BlobSource {
            path: self.path(hash)?,
            key: self.key.clone(),
        })
    }

    pub fn contains(&self, hash: &str) -> Result<bool> {
        validate_name(hash)?;
        Ok(self.path_of(hash).is_file())
    }

    /// Re-seals every blob file that opens only with `key`'s previous key under its current
    /// key (a rotation): file by file — a re-sealed file replaces the old atomically, so a
    /// stop or a crash leaves every file readable and the next run goes on where this one
    /// ended. Returns (re-sealed, already under the current key); stops early when `stop`.
    pub(crate) fn reseal_all(
        &self,
        key: &crate::seal::BlobKey,
        stop: &std::sync::atomic::AtomicBool,
    ) -> Result<(usize, usize)> {
        let (mut resealed, mut current) = (0, 0);
        let only_current = key.current_only();
        let tmp_dir = self.root.join("tmp");
        fs::create_dir_all(&tmp_dir).map_err(Error::io(&tmp_dir))?;
        self.each_blob(|name| {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(false);
            }
            let path = self.path_of(name);
            let opens = |k: &crate::seal::BlobKey| -> io::Result<crate::seal::Opener<File>> {
                let f = File::open(&path)?;
                let len = f.metadata()?.len();
                crate::seal::Opener::new(f, len, k)
            };
            let mut head = [0u8; 4];
            if File::open(&path)
                .and_then(|mut f| f.read_exact(&mut head))
                .is_err()
                || !crate::seal::is_sealed(&head)
            {
                return Ok(true);
            }
            if opens(&only_current)
                .and_then(|mut o| o.read(&mut [0u8; 1]))
                .is_ok()
            {
                current += 1;
                return Ok(true);
            }
            let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7()));
            let write = || -> io::Result<()> {
                let mut reader = opens(key)?;
                let mut sealer = crate::seal::Sealer::new(
                    io::BufWriter::new(File::create(&tmp)?),
                    &only_current,
                )?;
                io::copy(&mut reader, &mut SealWriter(&mut sealer))?;
                let file = sealer
                    .finish()?
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?;
                file.sync_all()?;
                // Closed before the rename: Windows refuses to replace an open file.
                drop((reader, file));
                crate::durable::replace(&tmp, &path)
            };
            if let Err(e) = write() {
                let _ = fs::remove_file(&tmp);
                return Err(Error::io(&path)(e));
            }
            sync_dir(path.parent().unwrap_or(&self.root))?;
            resealed += 1;
            Ok(true)
        })?;
        Ok((resealed, current))
    }

    /// Calls `f` with every blob file's name, one folder's listing at a time (never the
    /// whole store's list in memory); `f` returns `false` to stop.
    fn each_blob(&self, mut f: impl FnMut(&str) -> Result<bool>) -> Result<()> {
        for dir in fs::read_dir(&self.root)
            .map_err(Error::io(&self.root))?
            .flatten()
        {
            let dir_path = dir.path();
            if !dir_path.is_dir() || dir.file_name() == "tmp" {
                continue;
            }
            let names: Vec<String> = fs::read_dir(&dir_path)
                .map_err(Error::io(&dir_path))?
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| validate_name(n).is_ok())
                .collect();
            for name in names {
                if !f(&name)? {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// Blobs written without a sync each ([`BlobStore::bulk`]); [`Bulk::finish`] makes them
/// durable at once.
#[derive(Debug)]
pub struct Bulk<'a> {
    store: &'a BlobStore,
    written: Vec<PathBuf>,
}

impl Bulk<'_> {
    /// Stores `bytes` (not yet durable).
    pub fn put(&mut self, bytes: &[u8]) -> Result<BlobRef> {
        let (r, file) = self.store.write(bytes, false)?;
        self.written.extend(file);
        Ok(r)
    }

    /// Makes every file written so far durable: the whole file system synced once where
    /// the system allows it, else file by file, and then their folders.
    pub fn finish(self) -> Result<usize> {
        let n = self.written.len();
        if n == 0 {
            return Ok(0);
        }
        #[cfg(unix)]
        {
            let root = &self.store.root;
            let dir = File::open(root).map_err(Error::io(root))?;
            rustix::fs::syncfs(&dir).map_err(|e| Error::io(root)(e.into()))?;
        }
        #[cfg(not(unix))]
        for f in &self.written {
            crate::durable::sync_file(f).map_err(Error::io(f))?;
        }
        Ok(n)
    }
}

/// A [`crate::seal::Sealer`] as an `io::Write` (for `io::copy`).
struct SealWriter<'a, W: Write>(&'a mut crate::seal::Sealer<W>);

impl<W: Write> Write for SealWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write_plain(data)?;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Where `put_reader` writes: plain, or through the sealer.
enum Out {
    Plain(io::BufWriter<File>),
    Sealed(crate::seal::Sealer<io::BufWriter<File>>),
}

impl Out {
    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Self::Plain(w) => w.write_all(data),
            Self::Sealed(s) => s.write_plain(data),
        }
    }

    fn finish(self) -> io::Result<File> {
        let w = match self {
            Self::Plain(w) => w,
            Self::Sealed(s) => s.finish()?,
        };
        w.into_inner().map_err(io::IntoInnerError::into_error)
    }
}

/// A file time in ms since the epoch (0 before it).
fn time_ms(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Whether a blob is named anywhere: the `blobs` table, and (to be safe) every column that
/// names one — each along its index.
const NAMED: &str = "SELECT EXISTS (SELECT 1 FROM blobs WHERE hash = ?1)
     OR EXISTS (SELECT 1 FROM pages WHERE raw_blob = ?1)
     OR EXISTS (SELECT 1 FROM pages WHERE image_blob = ?1)
     OR EXISTS (SELECT 1 FROM pages WHERE thumb_blob = ?1)
     OR EXISTS (SELECT 1 FROM documents WHERE pdf_blob = ?1)
     OR EXISTS (SELECT 1 FROM documents WHERE transfer_blob = ?1)
     OR EXISTS (SELECT 1 FROM submissions WHERE pdf_blob = ?1)";

/// What [`crate::Store::sweep_blobs`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Blob files no database row names (a crash between writing the file and committing
    /// its row), removed.
    pub orphans_removed: usize,
    /// Unfinished writes (`tmp/*.part`), removed.
    pub parts_removed: usize,
    /// Recorded blobs whose file is missing or does not match its name.
    pub missing: Vec<String>,
}

impl crate::Store {
    /// Seals blob files written before encryption (plain files, read as they are until
    /// then): each is checked against its name, sealed into a new file and renamed over
    /// the old one. Returns how many were sealed.
    pub fn seal_plain_blobs(&self) -> Result<usize> {
        // New files are always sealed: once a pass found nothing left, later starts skip
        // reading every file's first bytes.
        const DONE: &str = "blobs.all_sealed";
        if self.blobs().key.is_none()
            || self
                .with_conn(|c| crate::tables::preferences::get(c, DONE))?
                .is_some()
        {
            return Ok(0);
        }
        let sealed = self.seal_plain_pass()?;
        self.with_tx(|c| crate::tables::preferences::set(c, DONE, "1"))?;
        Ok(sealed)
    }

    fn seal_plain_pass(&self) -> Result<usize> {
        let Some(key) = &self.blobs().key else {
            return Ok(0);
        };
        let mut sealed = 0;
        self.blobs().each_blob(|hash| {
            let path = self.blobs().path_of(hash);
            let mut head = [0u8; 4];
            let n = File::open(&path)
                .and_then(|mut f| f.read(&mut head))
                .map_err(Error::io(&path))?;
            if crate::seal::is_sealed(&head[..n]) {
                return Ok(true);
            }
            let plain = fs::read(&path).map_err(Error::io(&path))?;
            if hex::encode(Sha256::digest(&plain)) != hash {
                // Damaged: left for `sweep_blobs(verify)` to report, never sealed as if whole.
                return Ok(true);
            }
            // Sealed into a temporary file, fsynced, renamed over the plain one: at every
            // instant one whole copy exists.
            let tmp_dir = self.blobs().root.join("tmp");
            fs::create_dir_all(&tmp_dir).map_err(Error::io(&tmp_dir))?;
            let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7()));
            let written = (|| -> io::Result<()> {
                let mut s = crate::seal::Sealer::new(io::BufWriter::new(File::create(&tmp)?), key)?;
                s.write_plain(&plain)?;
                let f = s
                    .finish()?
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?;
                f.sync_all()
            })();
            if let Err(e) = written {
                let _ = fs::remove_file(&tmp);
                return Err(Error::io(&tmp)(e));
            }
            crate::durable::replace(&tmp, &path).map_err(Error::io(&path))?;
            sync_dir(path.parent().unwrap_or(&self.blobs().root))?;
            sealed += 1;
            Ok(true)
        })?;
        Ok(sealed)
    }

    /// Removes blob files that no row names and unfinished writes, once older than
    /// `min_age` (another process on the same folder may be between writing a file and
    /// committing its row); reports recorded blobs whose file is missing. With `verify`,
    /// every recorded file is also read and checked against its name.
    pub fn sweep_blobs(&self, min_age: std::time::Duration, verify: bool) -> Result<Sweep> {
        // Files are recorded in the transaction that names them, and every deletion of a
        // row removes its file (`purge_files`, `forget`): an orphan is a file whose write a
        // crash cut off from its commit. A sweep therefore looks only at files the last
        // sweep did not judge (written after it began, or too young then) — not at the
        // whole store — and holds one folder listing at a time. `verify` checks everything.
        const SWEPT: &str = "blobs.swept_at";
        let started = crate::now_ms();
        let grace = i64::try_from(min_age.as_millis()).unwrap_or(i64::MAX);
        let since = if verify {
            0
        } else {
            self.with_conn(|c| crate::tables::preferences::get(c, SWEPT))?
                .and_then(|t| t.parse::<i64>().ok())
                // A clock set back since then: everything is looked at once more.
                .filter(|t| *t <= started)
                .unwrap_or(0)
        };
        let mut out = Sweep::default();
        let root = &self.blobs().root;
        for dir in fs::read_dir(root).map_err(Error::io(root))?.flatten() {
            let dir_path = dir.path();
            if !dir_path.is_dir() {
                continue;
            }
            let is_tmp = dir.file_name() == "tmp";
            let mut fresh = Vec::new();
            for f in fs::read_dir(&dir_path)
                .map_err(Error::io(&dir_path))?
                .flatten()
            {
                let Ok(modified) = f.metadata().and_then(|m| m.modified()) else {
                    continue;
                };
                let age = modified.elapsed().unwrap_or_default();
                let name = f.file_name().to_string_lossy().into_owned();
                if is_tmp {
                    if age >= min_age && fs::remove_file(f.path()).is_ok() {
                        out.parts_removed += 1;
                    }
                } else if age >= min_age
                    && time_ms(modified) >= since
                    && validate_name(&name).is_ok()
                {
                    fresh.push(name);
                }
            }
            if fresh.is_empty() {
                continue;
            }
            let unrecorded = self.with_conn(|c| {
                let mut named = c.prepare_cached(NAMED)?;
                let mut gone = Vec::new();
                for hash in fresh {
                    if !named.query_row([&hash], |r| r.get::<_, bool>(0))? {
                        gone.push(hash);
                    }
                }
                Ok(gone)
            })?;
            for hash in unrecorded {
                let path = self.blobs().path_of(&hash);
                fs::remove_file(&path).map_err(Error::io(&path))?;
                out.orphans_removed += 1;
            }
        }
        // Recorded blobs whose file is missing (or, verifying, does not match its name):
        // those recorded since `since`, streamed in pages along `blobs_by_created`.
        let mut after = (since - 1, String::new());
        loop {
            let page: Vec<(i64, String)> = self.with_conn(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT created_at, hash FROM blobs WHERE (created_at, hash) > (?1, ?2)
                     ORDER BY created_at, hash LIMIT 1000",
                )?;
                let rows = stmt.query_map(rusqlite::params![after.0, after.1], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })?;
            let Some(last) = page.last().cloned() else {
                break;
            };
            for (_, hash) in page {
                let bad = if verify {
                    self.blobs().verify(&hash).is_err()
                } else {
                    !self.blobs().path_of(&hash).exists()
                };
                if bad {
                    out.missing.push(hash);
                }
            }
            after = last;
        }
        out.missing.sort();
        // The next sweep starts where this one's judgement ended: files younger than the
        // grace were left for it.
        let judged_until = started.saturating_sub(grace).to_string();
        self.with_conn(|c| crate::tables::preferences::set(c, SWEPT, &judged_until))?;
        Ok(out)
    }
}

fn sync_dir(dir: &Path) -> Result<()> {
    crate::durable::sync_dir(dir).map_err(Error::io(dir))
}
