//! Evidence at release: the configured seal (`[seal]`, the key in a PKCS#11 token, its PIN
//! in the key store) and timestamp service (`[timestamp]`) made into the release's
//! [`Sealer`], and the verification of sealed PDFs (`eingang verify`).

use crate::{Error, Result};
use eingang_capture::transfer::{NoSeal, Protection, Sealer};
use eingang_capture::SealError;
use eingang_config::evidence::{SEAL_PIN_SECRET, TSA_PASSWORD_SECRET};
use eingang_config::{DirectorySection, SealSection, TimestampSection};
use eingang_seal::{KeySigner, Pkcs11Key, Pkcs11Settings, Pkcs12Key, SealInfo, Tsa};
use eingang_store::Store;
use std::path::Path;
use zeroize::Zeroizing;

/// A PAdES seal with the key in a token (or a PKCS#12 file), timestamped when a service is
/// configured.
pub struct PadesSealer {
    key: Box<dyn KeySigner>,
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
            code: e.code(),
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
        let signed = eingang_seal::cms::sign_detached(&over, self.key.as_ref(), self.tsa.as_ref())
            .map_err(|e| self.failed(&e))?;
        Ok(Some(
            base64::engine::general_purpose::STANDARD.encode(signed.der),
        ))
    }
    fn seal_pdf(&self, pdf: &[u8]) -> Result<Option<Vec<u8>>, SealError> {
        let (sealed, _) =
            eingang_seal::seal_pdf(pdf, &self.info, self.key.as_ref(), self.tsa.as_ref())
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
    let pin = Zeroizing::new(pin);
    let key: Box<dyn KeySigner> = if let Some(file) = &seal.pkcs12 {
        Box::new(Pkcs12Key::open(file, &pin)?)
    } else {
        let mut chain = Vec::new();
        for p in &seal.chain {
            chain.extend(read_certificates(p)?);
        }
        Box::new(Pkcs11Key::open(&Pkcs11Settings {
            module: seal.module.clone().unwrap_or_default(),
            token: seal.token.clone().unwrap_or_default(),
            key: seal.key.clone().unwrap_or_default(),
            pin,
            chain,
        })?)
    };
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
    let subject = key.certificate().tbs_certificate.subject.to_string();
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

/// Certificates from a file: DER, or PEM with one or more `CERTIFICATE` blocks.
pub fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::refused("seal.certificate_file", format!("{}: {e}", path.display())))?;
    Ok(eingang_seal::certificates_from(&bytes))
}

/// What `eingang verify` reports: every signature of the PDF checked against the
/// configured trust anchors (`[seal] trust`) and `extra` ones.
pub fn verify_file(
    file: &Path,
    seal: &SealSection,
    extra: &[std::path::PathBuf],
) -> Result<eingang_seal::Report> {
    let bytes = std::fs::read(file)
        .map_err(|e| Error::refused("verify.read", format!("{}: {e}", file.display())))?;
    Ok(eingang_seal::verify_pdf(
        &bytes,
        &trust_anchors(seal, extra)?,
    )?)
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

/// Anchors the audit chain: a checkpoint of its head (sequence number and hash, the chain's
/// first hash naming which log), sealed by `sealer` when it seals, recorded and queued for
/// `targets` in one transaction. `None` when the head is already anchored.
pub fn checkpoint(
    store: &Store,
    sealer: &dyn Sealer,
    targets: &[&str],
    station: Option<&str>,
) -> Result<Option<String>> {
    use eingang_store::tables::{audit, checkpoints};
    let (head, first, last) = store.with_conn(|c| {
        Ok((
            audit::head(c)?,
            audit::records_from(c, 1, 1)?
                .into_iter()
                .next()
                .map(|r| r.hash),
            checkpoints::last(c)?,
        ))
    })?;
    let Some((seq, hash)) = head else {
        return Ok(None);
    };
    // The record of the previous checkpoint itself does not need an anchor of its own.
    if last.as_ref().is_some_and(|l| l.seq + 1 >= seq) {
        return Ok(None);
    }
    let at = eingang_store::now_ms();
    let id = format!("audit-{seq:08}-{}", eingang_model::DocumentId::new());
    let body = serde_json::json!({
        "art": "eingang-audit-anker",
        "version": 1,
        "id": id,
        "kette": first.unwrap_or_default(),
        "sequenz": seq,
        "kopf": hash,
        "zeitpunkt": eingang_store::rfc3339_utc(at),
        "arbeitsplatz": eingang_capture::transfer::station_name(station),
        "anwendung": format!("Eingang {}", env!("CARGO_PKG_VERSION")),
    })
    .to_string();
    let digest: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(body.as_bytes()).into();
    let seal = sealer
        .seal(&digest)
        .map_err(eingang_capture::BatchError::from)?;
    let c = checkpoints::Checkpoint {
        id: id.clone(),
        seq,
        hash,
        at,
        body,
        seal,
    };
    store.with_tx(|tx| {
        checkpoints::add(tx, &c, targets)?;
        audit::append(
            tx,
            "audit.checkpoint",
            &c.id,
            &serde_json::json!({ "sequenz": c.seq, "gesiegelt": c.seal.is_some() }),
        )
    })?;
    Ok(Some(id))
}

/// A checkpoint now (`eingang audit checkpoint`), sealed with the configured seal, queued
/// for `targets`.
pub fn checkpoint_now(
    store: &Store,
    cfg: &eingang_config::Config,
    targets: &[String],
) -> Result<Option<String>> {
    let sealer = sealer(store, &cfg.seal, &cfg.timestamp)?;
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    checkpoint(
        store,
        sealer.as_ref(),
        &targets,
        cfg.station.name.as_deref(),
    )
}

/// A checkpoint when the last is older than `max_age` (and the chain grew since) — the
/// daily anchor, beside the one after every release.
pub fn checkpoint_if_due(
    store: &Store,
    seal: &SealSection,
    ts: &TimestampSection,
    targets: &[&str],
    station: Option<&str>,
    max_age: std::time::Duration,
) -> Result<Option<String>> {
    let last_at = store
        .with_conn(eingang_store::tables::checkpoints::last)?
        .map(|c| c.at);
    let age_ms = i64::try_from(max_age.as_millis()).unwrap_or(i64::MAX);
    if last_at.is_some_and(|at| eingang_store::now_ms() - at < age_ms) {
        return Ok(None);
    }
    let sealer = sealer(store, seal, ts)?;
    checkpoint(store, sealer.as_ref(), targets, station)
}

/// What `eingang audit verify --anchors` found: checkpoints the local chain matches, and
/// the first one it does not (a rewritten or truncated tail).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AnchorReport {
    pub checked: usize,
    /// Checkpoints of another station's log (another chain), skipped.
    pub other_chains: usize,
    pub problems: Vec<String>,
}

/// Checks the local audit chain against delivered checkpoints (`*.json` under `dir`, as
/// the DMS holds them): each anchored head must still be in the chain with the same hash.
pub fn verify_anchors(store: &Store, dir: &Path) -> Result<AnchorReport> {
    use eingang_store::tables::audit;
    let (first, last) = store.with_conn(|c| {
        Ok((
            audit::hash_at(c, 1)?.unwrap_or_default(),
            audit::head(c)?.map_or(0, |(seq, _)| seq),
        ))
    })?;
    let mut report = AnchorReport::default();
    let mut files = Vec::new();
    collect_json(dir, &mut files, 0);
    files.sort();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if v["art"] != "eingang-audit-anker" {
            continue;
        }
        if v["kette"].as_str() != Some(first.as_str()) {
            report.other_chains += 1;
            continue;
        }
        report.checked += 1;
        let (seq, head) = (
            v["sequenz"].as_i64().unwrap_or(0),
            v["kopf"].as_str().unwrap_or(""),
        );
        let when = v["zeitpunkt"].as_str().unwrap_or("");
        match store.with_conn(|c| audit::hash_at(c, seq))? {
            None => report.problems.push(format!(
                "the log ends at record {last} but the checkpoint of {when} anchors record {seq}: records were removed (truncated tail)"
            )),
            Some(hash) if hash != head => report.problems.push(format!(
                "record {seq} differs from the checkpoint of {when}: the log was rewritten at or before it"
            )),
            Some(_) => {}
        }
    }
    Ok(report)
}

fn collect_json(dir: &Path, out: &mut Vec<std::path::PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && depth < 8 {
            collect_json(&p, out, depth + 1);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// One PDF sealed outside a release (re-protection of older scan products, TR-RESISCAN
/// A.AM.IN.H.5, or any PDF the office must seal): written to `out` only when sealed.
pub fn seal_file(sealer: &dyn Sealer, input: &Path, out: &Path) -> Result<()> {
    let read = |p: &Path, e: std::io::Error| {
        Error::refused("verify.read", format!("{}: {e}", p.display()))
    };
    let bytes = std::fs::read(input).map_err(|e| read(input, e))?;
    let with_seal = sealer
        .seal_pdf(&bytes)
        .map_err(eingang_capture::BatchError::from)?
        .ok_or_else(|| {
            Error::refused(
                "seal.required",
                "no seal is configured ([seal] in the machine's configuration)",
            )
        })?;
    let tmp = out.with_extension("pdf.part");
    std::fs::write(&tmp, &with_seal)
        .and_then(|()| std::fs::rename(&tmp, out))
        .map_err(|e| read(out, e))
}

/// What the scan profiles' protection needs lack on this machine (for `eingang config
/// check` and `eingang doctor`), one sentence each; empty when every need is met.
pub fn gaps(store: &Store, cfg: &eingang_config::Config) -> Result<Vec<String>> {
    use eingang_capture::profile::Protection as Need;
    let mut out = Vec::new();
    let pin =
        cfg.seal.configured() && eingang_sync::secrets::password(store, SEAL_PIN_SECRET)?.is_some();
    if cfg.seal.configured() && !pin {
        out.push(
            "[seal] is set up but its PIN is not stored on this station: `eingang seal pin`".into(),
        );
    }
    for p in eingang_capture::profile::profiles(store)? {
        let name = format!("profile {} ({})", p.id, p.name);
        match p.qc.protection {
            Need::Normal => {
                let justified = p.qc.justification.is_some() || cfg.seal.justification.is_some();
                if !cfg.seal.configured() && !justified {
                    out.push(format!(
                        "{name}, protection need normal: neither a seal nor a written justification (A.IS.1) — its originals are kept after release; set up [seal] or write [seal] justification"
                    ));
                }
            }
            Need::Hoch if !cfg.seal.configured() => out.push(format!(
                "{name}, protection need hoch: needs an electronic seal ([seal]); release is refused until it is set up"
            )),
            Need::SehrHoch => {
                for (missing, what) in [
                    (!cfg.seal.configured(), "an electronic seal ([seal])"),
                    (cfg.timestamp.url.is_none(), "a timestamp service ([timestamp])"),
                    (!cfg.directory.configured(), "sign-in against the directory ([directory]) for the four-eyes check"),
                ] {
                    if missing {
                        out.push(format!(
                            "{name}, protection need sehr_hoch: needs {what}; release is refused until it is set up"
                        ));
                    }
                }
            }
            Need::Hoch => {}
        }
    }
    Ok(out)
}

/// What a delivered integrity record (`ID.integritaet.json`) and the files beside it say.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IntegrityReport {
    /// The PDF beside it has the recorded SHA-256 (none: not found).
    pub pdf: Option<bool>,
    /// The Transfervermerk beside it has the recorded SHA-256 (none: not found).
    pub transfervermerk: Option<bool>,
    /// The record's digest follows from its hashes.
    pub record: bool,
    /// The record's seal, checked (none: the record is not sealed).
    pub seal: Option<eingang_seal::SignatureReport>,
    pub problems: Vec<String>,
}

impl IntegrityReport {
    pub fn valid(&self) -> bool {
        self.problems.is_empty()
            && self.record
            && self.pdf != Some(false)
            && self.transfervermerk != Some(false)
            && self.seal.as_ref().is_some_and(|s| s.intact && s.trusted)
    }
}

/// Checks an integrity record as the DMS holds it: the PDF and the Transfervermerk beside it
/// against its hashes, its digest, and its seal (against `[seal] trust` and `extra`).
pub fn verify_integrity(
    record: &Path,
    seal: &SealSection,
    extra: &[std::path::PathBuf],
) -> Result<IntegrityReport> {
    use base64::Engine as _;
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| Error::refused("verify.read", format!("{}: {e}", p.display())))
    };
    let v: serde_json::Value = serde_json::from_slice(&read(record)?).map_err(|e| {
        Error::refused(
            "verify.read",
            format!("{}: not an integrity record ({e})", record.display()),
        )
    })?;
    let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let name = record.to_string_lossy();
    let stem = name.strip_suffix(".integritaet.json").unwrap_or(&name);
    let hex = |b: &[u8]| hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b));
    let beside = |ext: &str, key: &str| -> Option<bool> {
        std::fs::read(format!("{stem}{ext}"))
            .ok()
            .map(|b| hex(&b) == field(key))
    };
    let mut problems = Vec::new();
    let (pdf, transfervermerk) = (
        beside(".pdf", "pdf"),
        beside(".transfervermerk.xml", "transfervermerk"),
    );
    if pdf == Some(false) {
        problems.push("the PDF beside the record was changed".to_owned());
    }
    if transfervermerk == Some(false) {
        problems.push("the Transfervermerk beside the record was changed".to_owned());
    }
    let joined = format!(
        "{}\n{}\n{}",
        field("pdf"),
        field("transfervermerk"),
        field("metadata")
    );
    let record_ok = hex(joined.as_bytes()) == field("digest");
    if !record_ok {
        problems
            .push("the record's hashes were changed (its digest does not follow from them)".into());
    }
    let trust = trust_anchors(seal, extra)?;
    let sealed = v["seal"]
        .as_str()
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok());
    let report = sealed.map(|cms| {
        let digest = hex::decode(field("digest")).unwrap_or_default();
        let over: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(&digest).into();
        eingang_seal::verify::verify_detached(&cms, &over, &trust)
    });
    if report.is_none() {
        problems.push("the record is not sealed".into());
    }
    Ok(IntegrityReport {
        pdf,
        transfervermerk,
        record: record_ok,
        seal: report,
        problems,
    })
}

fn trust_anchors(
    seal: &SealSection,
    extra: &[std::path::PathBuf],
) -> Result<Vec<x509_cert::Certificate>> {
    use der::Decode as _;
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
    Ok(trust)
}

/// A released document's seals checked as `eingang verify` checks its PDF (the delivered
/// bytes are the stored ones), against `[seal] trust`.
pub fn check_document(
    store: &Store,
    id: &eingang_model::DocumentId,
    seal: &SealSection,
) -> Result<eingang_model::scan::DocumentCheck> {
    let doc = store.with_conn(|c| eingang_store::tables::documents::document(c, id))?;
    if doc.pdf_blob.is_empty() {
        return Err(Error::refused(
            "document.purged",
            "this document's PDF was deleted here after its retention period; check the copy in the DMS with `eingang verify`",
        ));
    }
    let pdf = store.blobs().get(&doc.pdf_blob)?;
    let report = eingang_seal::verify_pdf(&pdf, &trust_anchors(seal, &[])?)?;
    Ok(eingang_model::scan::DocumentCheck {
        valid: report.valid(),
        seals: report
            .signatures
            .iter()
            .map(|s| eingang_model::scan::SealCheck {
                signer: s.signer.clone(),
                timestamp: s.timestamp.clone(),
                authority: s.timestamp_authority.clone(),
                intact: s.intact,
                trusted: s.trusted,
                unchanged: s.covers_whole_file,
            })
            .collect(),
    })
}
