//! The values of `[update]`: where the signed update manifest is (an https server or a
//! share) and the public key its packages are signed with. Taking updates is
//! `eingang_update`'s.

use std::path::{Path, PathBuf};

/// A value of `[update]` that cannot be used, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

/// Where the manifest is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Http(url::Url),
    File(PathBuf),
}

impl Source {
    /// `https://…`/`http://…`, `file://…`, or an absolute path.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        Self::parse_str(s).map_err(ValueError)
    }

    fn parse_str(s: &str) -> Result<Self, String> {
        if s.starts_with("http://") || s.starts_with("https://") {
            let u = url::Url::parse(s).map_err(|e| format!("{s:?}: {e}"))?;
            if u.password().is_some() {
                return Err(format!("{s:?} contains a password"));
            }
            return Ok(Self::Http(u));
        }
        if s.starts_with("file:") {
            let u = url::Url::parse(s).map_err(|e| format!("{s:?}: {e}"))?;
            let p = u
                .to_file_path()
                .map_err(|()| format!("{s:?} is not a local path"))?;
            return Ok(Self::File(p));
        }
        let p = PathBuf::from(s);
        if p.is_absolute() {
            Ok(Self::File(p))
        } else {
            Err(format!(
                "{s:?}: an https:// URL or an absolute path to the manifest (latest.json)"
            ))
        }
    }

    /// Where `reference` (a package's url in the manifest) points, seen from the manifest.
    pub fn join(&self, reference: &str) -> Result<Source, ValueError> {
        let bad = ValueError;
        if reference.starts_with("http://") || reference.starts_with("https://") {
            return Source::parse(reference);
        }
        match self {
            Self::Http(base) => base
                .join(reference)
                .map(Self::Http)
                .map_err(|e| bad(format!("url {reference:?}: {e}"))),
            Self::File(manifest) => {
                let name = Path::new(reference);
                let plain = name.components().count() == 1
                    && matches!(
                        name.components().next(),
                        Some(std::path::Component::Normal(_))
                    );
                if !plain {
                    return Err(bad(format!(
                        "url {reference:?}: on a share, name a file beside the manifest"
                    )));
                }
                Ok(Self::File(
                    manifest.parent().unwrap_or(Path::new("/")).join(name),
                ))
            }
        }
    }

    /// The file name the package is kept under (only safe characters).
    pub fn file_name(&self) -> String {
        let raw = match self {
            Self::Http(u) => u
                .path_segments()
                .and_then(|mut s| s.next_back())
                .unwrap_or("")
                .to_owned(),
            Self::File(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let clean: String = raw
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .collect();
        if clean.trim_matches('.').is_empty() {
            "update.bin".to_owned()
        } else {
            clean
        }
    }

    /// Where it is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Self::Http(u) => u.to_string(),
            Self::File(p) => p.display().to_string(),
        }
    }
}

/// Reads the public key: as `tauri signer generate` prints it (the base64 of the whole
/// `.pub` file) or minisign's bare key line (`RW…`).
pub fn public_key(text: &str) -> Result<minisign_verify::PublicKey, ValueError> {
    let text = text.trim();
    if let Some(decoded) = decode_b64_text(text) {
        if decoded.starts_with("untrusted comment:") {
            return minisign_verify::PublicKey::decode(&decoded)
                .map_err(|e| ValueError(format!("not a minisign public key: {e}")));
        }
    }
    minisign_verify::PublicKey::from_base64(text)
        .map_err(|e| ValueError(format!("not a minisign public key: {e}")))
}

/// The text a base64 string encodes, if it is one.
pub fn decode_b64_text(text: &str) -> Option<String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}
