//! Evidence at release: the configured seal (`[seal]`, the key in a PKCS#11 token, its PIN
//! in the key store) and timestamp service (`[timestamp]`) made into the release's
//! [`Sealer`], and the verification of sealed PDFs (`eingang verify`).

use crate::{Error, Result};
use eingang_capture::transfer::{NoSeal, Protection, Sealer};
use eingang_capture::SealError;
use eingang_config::evidence::{SEAL_PIN_SECRET, TSA_PASSWORD_SECRET};
use eingang_config::{DirectorySection, SealSection, TimestampSection};
use eingang_seal::{KeySigner, Pkcs11Key, Pkcs11Settings, SealInfo, Tsa};
use eingang_store::Store;
use std::path::Path;
use zeroize::Zeroizing;

/// A PAdES seal with the key in a token, timestamped when a service is configured.
pub struct PadesSealer {
    key: Pkcs11Key,
    tsa: Option<Tsa>,
    info: SealInfo,
    name: String,
}

impl std::fmt::Debug for PadesSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PadesSealer")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl PadesSealer {
    fn failed(&self, e: &eingang_seal::Error) -> SealError {
        SealError {
            sealer: self.name.clone(),
            reason: e.to_string(),
        }
    }
}

impl Sealer for PadesSealer {
    fn name(&self) -> &str {
        &self.name
    }
    fn protection(&self) -> Protection {
        if self.tsa.is_some() {
            Protection::SealAndTimestamp
        } else {
            Protection::Seal
        }
    }
    /// A detached CMS signature (base64) over the integrity record's digest.
    fn seal(&self, digest: &[u8; 32]) -> Result<Option<String>, SealError> {
        use base64::Engine as _;
        let over: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(digest).into();
        let signed = eingang_seal::cms::sign_detached(&over, &self.key, self.tsa.as_ref())
            .map_err(|e| self.failed(&e))?;
        Ok(Some(
            base64::engine::general_purpose::STANDARD.encode(signed.der),
        ))
    }
    fn seal_pdf(&self, pdf: &[u8]) -> Result<Option<Vec<u8>>, SealError> {
        let (sealed, _) = eingang_seal::seal_pdf(pdf, &self.info, &self.key, self.tsa.as_ref())
            .map_err(|e| self.failed(&e))?;
        Ok(Some(sealed))
    }
}

/// The release's sealer from the configuration: none without `[seal]`; else the token
/// opened with the stored PIN (a wrong PIN, a missing token or an expired certificate is
/// an error in words, and nothing is released).
pub fn sealer(store: &Store, seal: &SealSection, ts: &TimestampSection) -> Result<Box<dyn Sealer>> {
    if !seal.configured() {
        return Ok(Box::new(NoSeal));
    }
    let pin = eingang_sync::secrets::password(store, SEAL_PIN_SECRET)?.ok_or_else(|| {
        Error::refused(
            "seal.no_pin",
            "the seal's PIN is not stored on this station: enter it once with `eingang seal pin`",
        )
    })?;
    let mut chain = Vec::new();
    for p in &seal.chain {
        chain.extend(read_certificates(p)?);
    }
    let settings = Pkcs11Settings {
        module: seal.module.clone().unwrap_or_default(),
        token: seal.token.clone().unwrap_or_default(),
        key: seal.key.clone().unwrap_or_default(),
        pin: Zeroizing::new(pin),
        chain,
    };
    let key = Pkcs11Key::open(&settings)?;
    let tsa = match &ts.url {
        Some(url) => {
            let mut tsa = Tsa::new(url);
            tsa.username.clone_from(&ts.user);
            if ts.user.is_some() {
                tsa.password = eingang_sync::secrets::password(store, TSA_PASSWORD_SECRET)?
                    .map(Zeroizing::new);
            }
            if let Some(secs) = ts.timeout_secs {
                tsa.timeout = std::time::Duration::from_secs(secs);
            }
            Some(tsa)
        }
        None => None,
    };
    let subject = x509_subject(&key);
    Ok(Box::new(PadesSealer {
        info: SealInfo {
            name: seal.name.clone().unwrap_or_else(|| subject.clone()),
            reason: "Ersetzendes Scannen nach BSI TR-03138 (TR-RESISCAN)".into(),
            location: seal.location.clone().unwrap_or_default(),
        },
        name: format!("PAdES ({subject})"),
        key,
        tsa,
    }))
}

fn x509_subject(key: &Pkcs11Key) -> String {
    key.certificate().tbs_certificate.subject.to_string()
}

/// Certificates from a file: DER, or PEM with one or more `CERTIFICATE` blocks.
pub fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>> {
    use base64::Engine as _;
    let bytes = std::fs::read(path)
        .map_err(|e| Error::refused("seal.certificate_file", format!("{}: {e}", path.display())))?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Ok(vec![bytes]);
    };
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Ok(vec![bytes]);
    }
    text.split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .map(|block| {
            let body: String = block
                .split("-----END CERTIFICATE-----")
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|e| {
                    Error::refused("seal.certificate_file", format!("{}: {e}", path.display()))
                })
        })
        .collect()
}

/// What `eingang verify` reports: every signature of the PDF checked against the
/// configured trust anchors (`[seal] trust`) and `extra` ones.
pub fn verify_file(
    file: &Path,
    seal: &SealSection,
    extra: &[std::path::PathBuf],
) -> Result<eingang_seal::Report> {
    use der::Decode as _;
    let bytes = std::fs::read(file)
        .map_err(|e| Error::refused("verify.read", format!("{}: {e}", file.display())))?;
    let mut trust = Vec::new();
    for p in seal.trust.iter().chain(extra) {
        for der in read_certificates(p)? {
            trust.push(x509_cert::Certificate::from_der(&der).map_err(|e| {
                Error::refused(
                    "seal.certificate_file",
                    format!("{}: not a certificate ({e})", p.display()),
                )
            })?);
        }
    }
    Ok(eingang_seal::verify_pdf(&bytes, &trust)?)
}

/// Signs `user` in against the configured directory: refused while locked out (too many
/// failures within `lockout_minutes`), every failure and success in the audit log (never
/// the password). Returns who signed in.
pub fn authenticate(
    store: &Store,
    cfg: &DirectorySection,
    user: &str,
    password: &str,
) -> Result<eingang_seal::directory::Identity> {
    use eingang_store::tables::audit;
    let user = user.trim();
    let subject = format!("signin:{}", user.to_lowercase());
    let max = cfg.max_failures.unwrap_or(5);
    let window_ms = i64::try_from(cfg.lockout_minutes.unwrap_or(15) * 60_000).unwrap_or(i64::MAX);
    let now = eingang_store::now_ms();
    let (failures, last_failure) = store.with_conn(|c| {
        let since = audit::last_at(c, "station.sign_in", &subject)?
            .unwrap_or(0)
            .max(now - window_ms);
        Ok((
            audit::count_since(c, "station.sign_in_failed", &subject, since)?,
            audit::last_at(c, "station.sign_in_failed", &subject)?,
        ))
    })?;
    if failures >= max {
        let until = last_failure.unwrap_or(now) + window_ms;
        let minutes = u64::try_from((until - now).max(0) / 60_000 + 1).unwrap_or(1);
        return Err(eingang_seal::Error::LockedOut {
            user: user.to_owned(),
            failures,
            minutes,
        }
        .into());
    }
    let directory = eingang_seal::directory::Directory {
        url: cfg.url.clone().unwrap_or_default(),
        ca: cfg.ca.clone(),
        user_dn: cfg.user_dn.clone().unwrap_or_default(),
        name_attribute: cfg.name_attribute.clone().unwrap_or_else(|| "cn".into()),
        timeout: std::time::Duration::from_secs(cfg.timeout_secs.unwrap_or(10)),
    };
    match directory.authenticate(user, password) {
        Ok(identity) => {
            eingang_store::tables::audit::set_operator(Some(&identity.actor()));
            store.with_tx(|c| {
                audit::append(
                    c,
                    "station.sign_in",
                    &subject,
                    &serde_json::json!({ "via": "directory", "dn": identity.dn }),
                )
            })?;
            Ok(identity)
        }
        Err(e @ eingang_seal::Error::WrongCredentials) => {
            store.with_tx(|c| {
                audit::append(
                    c,
                    "station.sign_in_failed",
                    &subject,
                    &serde_json::json!({ "via": "directory" }),
                )
            })?;
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}
