//! The hot-folder connector: one delivery = the submission's files plus an index file, all
//! written as `.<name>.part`, fsynced, then renamed; the index (`<id>.index.xml`) last.

use eingang_store::tables::submissions::Package;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("the delivery folder {path} cannot be written: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} already holds a different delivery of {id}; it was left untouched — move it aside"
    )]
    Conflict { path: PathBuf, id: String },
}

/// Where a delivery went and the hash the index file confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub location: String,
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct HotFolder {
    root: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DeliveryError + '_ {
    move |source| DeliveryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl HotFolder {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn write_atomically(&self, name: &str, bytes: &[u8]) -> Result<(), DeliveryError> {
        let tmp = self.root.join(format!(".{name}.part"));
        let dest = self.root.join(name);
        let mut f = File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        drop(f);
        fs::rename(&tmp, &dest).map_err(io(&dest))?;
        Ok(())
    }

    /// Delivers a package. Already delivered with the same content → the same receipt.
    pub fn deliver(&self, p: &Package) -> Result<Receipt, DeliveryError> {
        fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        let index_name = format!("{}.index.xml", p.id);
        let index = p.index_xml.as_bytes();
        let sha256 = hex::encode(Sha256::digest(index));
        let index_path = self.root.join(&index_name);
        if let Ok(existing) = fs::read(&index_path) {
            if existing == index {
                return Ok(Receipt {
                    location: index_path.display().to_string(),
                    sha256,
                });
            }
            return Err(DeliveryError::Conflict {
                path: index_path,
                id: p.id.clone(),
            });
        }
        for (name, bytes) in &p.files {
            self.write_atomically(name, bytes)?;
        }
        // The index last: an importer sees a delivery only when it is complete.
        self.write_atomically(&index_name, index)?;
        File::open(&self.root)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.root))?;
        Ok(Receipt {
            location: index_path.display().to_string(),
            sha256,
        })
    }
}
