//! Content-addressed blob store for large bytes (page images, attachments, PDFs).
//!
//! A blob is the file `blobs/<first two hex digits>/<sha256 hex>`. [`BlobStore::put`]
//! writes to a temporary file in the same folder, fsyncs it, renames it into place and
//! fsyncs the folder, so when `put` returns the bytes are durable — before the database
//! row that names them commits. Reads verify the content against the name.
//! (Encryption at rest arrives with the security issue, without changing names.)

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
}

/// Checks that `hash` is 64 lowercase hex digits (so it can never escape the store's folder).
fn validate_name(hash: &str) -> Result<()> {
    let ok = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(Error::BadBlobName {
            input: hash.chars().take(80).collect(),
        })
    }
}

impl BlobStore {
    pub fn open(root: &Path) -> Result<Self> {
        fs::create_dir_all(root).map_err(Error::io(root))?;
        Ok(Self {
            root: root.to_path_buf(),
        })
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
    pub fn put_reader(&self, mut reader: impl Read) -> Result<BlobRef> {
        let tmp_dir = self.root.join("tmp");
        fs::create_dir_all(&tmp_dir).map_err(Error::io(&tmp_dir))?;
        let tmp_path = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7()));
        let result = (|| {
            let mut file = File::create(&tmp_path).map_err(Error::io(&tmp_path))?;
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
                file.write_all(&buf[..n]).map_err(Error::io(&tmp_path))?;
                size += i64::try_from(n).unwrap_or(i64::MAX);
            }
            file.sync_all().map_err(Error::io(&tmp_path))?;
            drop(file);
            let hash = hex::encode(hasher.finalize());
            let dest = self.path_of(&hash);
            let dir = dest.parent().unwrap_or(&self.root);
            fs::create_dir_all(dir).map_err(Error::io(dir))?;
            if dest.exists() {
                // Same name, same content (by construction): keep the existing file.
                fs::remove_file(&tmp_path).map_err(Error::io(&tmp_path))?;
            } else {
                fs::rename(&tmp_path, &dest).map_err(Error::io(&dest))?;
                sync_dir(dir)?;
            }
            Ok(BlobRef { hash, size })
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
        let bytes = fs::read(&path).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Error::BlobMissing {
                    hash: hash.to_owned(),
                    path: path.clone(),
                }
            } else {
                Error::io(&path)(e)
            }
        })?;
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

    pub fn contains(&self, hash: &str) -> Result<bool> {
        validate_name(hash)?;
        Ok(self.path_of(hash).is_file())
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(Error::io(dir))
}

#[cfg(not(unix))]
#[allow(clippy::unnecessary_wraps)]
fn sync_dir(_dir: &Path) -> Result<()> {
    // Windows cannot fsync a directory; NTFS journals the rename.
    Ok(())
}
