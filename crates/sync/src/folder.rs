//! Folder targets: the connector for an importer's spool folder (nscale Pipeliner and similar,
//! a hot folder on a mounted network share) or simply a local folder — the zero-configuration
//! default `<data>/ausgang`.
//!
//! One delivery = the item's files plus an index file, each written as `.<name>.part`,
//! fsynced, then renamed; the index (`<id>.index.xml`, or what the target's template makes)
//! last, so an importer sees a delivery only when it is complete. A retry finds files that
//! are already there with the same hash and keeps them; a different file under the same
//! name is a conflict that is never overwritten.

use crate::connector::{BoxFuture, Connector, Receipt};
use crate::error::Failure;
use crate::package::{Content, Package, PackageFile};
use crate::template::{IndexTemplate, Render as _};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct FolderTarget {
    root: PathBuf,
    template: Option<IndexTemplate>,
}

fn unwritable(path: &Path, e: &io::Error) -> Failure {
    let hint = match e.raw_os_error() {
        Some(28) => " (the disk is full: free space there)",
        Some(13 | 1) => " (permission denied: let this user write there)",
        _ => "",
    };
    Failure::transient(
        "sync.folder_unwritable",
        format!("{} cannot be written: {e}{hint}", path.display()),
    )
}

/// SHA-256 of a file, streamed.
fn hash_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

impl FolderTarget {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            template: None,
        }
    }

    /// Writes the index with `template` instead of Eingang's own XML.
    #[must_use]
    pub fn with_template(mut self, template: IndexTemplate) -> Self {
        self.template = Some(template);
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `src` to `name` atomically; an existing `name` with the same hash is kept.
    fn place(&self, name: &str, sha256: &str, src: &mut dyn Read) -> Result<(), Failure> {
        let dest = self.root.join(name);
        if dest.exists() {
            return match hash_file(&dest) {
                Ok(h) if h == sha256 => Ok(()),
                Ok(_) => Err(Failure::permanent(
                    "sync.conflict",
                    format!(
                        "{} already holds a different file; it was left untouched — move it aside and retry",
                        dest.display()
                    ),
                )),
                Err(e) => Err(unwritable(&dest, &e)),
            };
        }
        let tmp = self.root.join(format!(".{name}.part"));
        let mut f = File::create(&tmp).map_err(|e| unwritable(&tmp, &e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match src.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = fs::remove_file(&tmp);
                    return Err(Failure::permanent(
                        "sync.local_missing",
                        format!("the stored file for {name} cannot be read: {e}"),
                    ));
                }
            };
            hasher.update(&buf[..n]);
            if let Err(e) = f.write_all(&buf[..n]) {
                let _ = fs::remove_file(&tmp);
                return Err(unwritable(&tmp, &e));
            }
        }
        if hex::encode(hasher.finalize()) != sha256 {
            let _ = fs::remove_file(&tmp);
            return Err(Failure::permanent(
                "sync.local_missing",
                format!(
                    "the stored file for {name} does not match its hash (damaged on this machine)"
                ),
            ));
        }
        f.sync_all().map_err(|e| unwritable(&tmp, &e))?;
        drop(f);
        eingang_store::durable::replace(&tmp, &dest).map_err(|e| unwritable(&dest, &e))
    }

    fn place_file(&self, file: &PackageFile) -> Result<(), Failure> {
        match &file.content {
            Content::Inline(bytes) => self.place(&file.name, &file.sha256, &mut bytes.as_slice()),
            Content::Blob(blob) => {
                let mut src = blob.open(0).map_err(|e| {
                    Failure::permanent(
                        "sync.local_missing",
                        format!("the stored file for {} cannot be read: {e}", file.name),
                    )
                })?;
                self.place(&file.name, &file.sha256, &mut src)
            }
        }
    }

    /// Delivers a package (blocking). Already delivered with the same content → the same
    /// receipt.
    pub fn deliver_blocking(&self, p: &Package) -> Result<Receipt, Failure> {
        fs::create_dir_all(&self.root).map_err(|e| unwritable(&self.root, &e))?;
        let (index_name, index) = match &self.template {
            Some(t) => (t.file_name(p), t.render(p)),
            None => (format!("{}.index.xml", p.id), p.index_xml.clone()),
        };
        let sha256 = hex::encode(Sha256::digest(index.as_bytes()));
        for f in &p.files {
            self.place_file(f)?;
        }
        // The index last: an importer sees a delivery only when it is complete.
        self.place(&index_name, &sha256, &mut index.as_bytes())?;
        eingang_store::durable::sync_dir(&self.root).map_err(|e| unwritable(&self.root, &e))?;
        Ok(Receipt {
            location: self.root.join(&index_name).display().to_string(),
            sha256,
        })
    }
}

impl Connector for FolderTarget {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn probe(&self) -> BoxFuture<'_, Result<(), Failure>> {
        Box::pin(async move {
            let root = self.root.clone();
            tokio::task::spawn_blocking(move || {
                fs::create_dir_all(&root).map_err(|e| unwritable(&root, &e))?;
                let md = fs::metadata(&root).map_err(|e| unwritable(&root, &e))?;
                if md.permissions().readonly() {
                    return Err(unwritable(
                        &root,
                        &io::Error::from(io::ErrorKind::PermissionDenied),
                    ));
                }
                Ok(())
            })
            .await
            .unwrap_or_else(|e| Err(Failure::transient("sync.folder_unwritable", e.to_string())))
        })
    }

    fn deliver<'a>(
        &'a self,
        package: &'a Package,
        _retry: bool,
    ) -> BoxFuture<'a, Result<Receipt, Failure>> {
        Box::pin(async move {
            let me = self.clone();
            let p = package.clone();
            tokio::task::spawn_blocking(move || me.deliver_blocking(&p))
                .await
                .unwrap_or_else(|e| {
                    Err(Failure::transient("sync.folder_unwritable", e.to_string()))
                })
        })
    }
}
