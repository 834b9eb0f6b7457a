//! What a sealed PDF says about itself, checked: for every signature, whether the signed
//! bytes are unchanged and the signature matches them, who signed, whether the certificate
//! chain ends at a trusted anchor (valid at the timestamp's time, else now), the
//! timestamp's time and authority, and whether bytes were added after the seal.

use crate::der_util::{
    self, certificates, decode_prefix, name_text, sha256, subject_name, verify_with,
};
use crate::{tsa, Error, Result};
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::OctetString;
use der::{Decode, Encode};
use lopdf::{Document, Object};
use serde::Serialize;
use x509_cert::Certificate;

/// One signature's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// The signature field's name.
    pub field: String,
    /// The signer's common name.
    pub signer: String,
    pub issuer: String,
    /// The claimed signing time (`/M`), as written.
    pub claimed_time: Option<String>,
    /// The timestamp's time (RFC 3339), when the signature is timestamped and the token
    /// checks out.
    pub timestamp: Option<String>,
    pub timestamp_authority: Option<String>,
    /// The signed bytes are unchanged and the signature matches them.
    pub intact: bool,
    /// The signer's chain ends at a trusted certificate and was valid at the signing time.
    pub trusted: bool,
    /// No byte was added after this signature.
    pub covers_whole_file: bool,
    /// What is wrong, in words.
    pub problems: Vec<String>,
}

impl SignatureReport {
    pub(crate) fn named(field: &str) -> Self {
        SignatureReport {
            field: field.to_owned(),
            signer: String::new(),
            issuer: String::new(),
            claimed_time: None,
            timestamp: None,
            timestamp_authority: None,
            intact: false,
            trusted: false,
            covers_whole_file: false,
            problems: Vec::new(),
        }
    }
}

/// Every signature of a PDF.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub signatures: Vec<SignatureReport>,
}

impl Report {
    /// Sealed, intact, trusted, and not changed since the last seal.
    pub fn valid(&self) -> bool {
        !self.signatures.is_empty()
            && self.signatures.iter().all(|s| s.intact && s.trusted)
            && self.signatures.iter().any(|s| s.covers_whole_file)
    }
}

/// Checks every signature of `pdf` against the trust anchors `trust`.
pub fn verify_pdf(pdf: &[u8], trust: &[Certificate]) -> Result<Report> {
    let doc = Document::load_mem(pdf).map_err(|e| Error::Pdf(e.to_string()))?;
    let mut signatures = Vec::new();
    for obj in doc.objects.values() {
        let Ok(field) = obj.as_dict() else { continue };
        if field.get(b"FT").and_then(Object::as_name).ok() != Some(b"Sig".as_slice()) {
            continue;
        }
        let sig = match field.get(b"V") {
            Ok(Object::Reference(r)) => doc.get_dictionary(*r).ok(),
            Ok(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let Some(sig) = sig else { continue };
        let name = field
            .get(b"T")
            .ok()
            .and_then(|t| lopdf::decode_text_string(t).ok())
            .unwrap_or_default();
        signatures.push(one(pdf, &name, sig, trust));
    }
    signatures.sort_by(|a, b| a.field.cmp(&b.field));
    Ok(Report { signatures })
}

fn one(pdf: &[u8], field: &str, sig: &lopdf::Dictionary, trust: &[Certificate]) -> SignatureReport {
    let mut r = SignatureReport::named(field);
    r.claimed_time = sig
        .get(b"M")
        .and_then(Object::as_str)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .ok();
    if let Err(e) = check(pdf, sig, trust, &mut r) {
        r.problems.push(e.to_string());
    }
    r
}

fn check(
    pdf: &[u8],
    sig: &lopdf::Dictionary,
    trust: &[Certificate],
    r: &mut SignatureReport,
) -> Result<()> {
    let bad = |m: &str| Error::Malformed(m.to_owned());
    let range: Vec<usize> = sig
        .get(b"ByteRange")
        .and_then(Object::as_array)
        .map_err(|_| bad("no byte range"))?
        .iter()
        .filter_map(|o| o.as_i64().ok().and_then(|i| usize::try_from(i).ok()))
        .collect();
    let [0, a, b, c] = range[..] else {
        return Err(bad("the byte range does not start at 0 with two parts"));
    };
    if a >= b
        || b.checked_add(c).is_none_or(|end| end > pdf.len())
        || pdf[a] != b'<'
        || pdf[b - 1] != b'>'
    {
        return Err(bad("the byte range does not frame the signature value"));
    }
    // Bytes after the signed range are allowed only when they add validation data (the
    // document security store) and change nothing else.
    r.covers_whole_file = b + c == pdf.len() || only_validation_data_added(pdf, b + c);
    if !r.covers_whole_file {
        r.problems.push(format!(
            "{} bytes were added after this seal, changing the document",
            pdf.len() - (b + c)
        ));
    }
    let contents = sig
        .get(b"Contents")
        .and_then(Object::as_str)
        .map_err(|_| bad("no signature value"))?;
    let digest = sha256(&[&pdf[..a], &pdf[b..b + c]]);
    check_cms(contents, &digest, trust, r)
}

/// A detached CMS signature over content with SHA-256 `digest`: signer, signature, the
/// timestamp, the chain.
pub(crate) fn check_cms(
    contents: &[u8],
    digest: &[u8],
    trust: &[Certificate],
    r: &mut SignatureReport,
) -> Result<()> {
    let bad = |m: &str| Error::Malformed(m.to_owned());
    let ci: ContentInfo = decode_prefix(contents)?;
    let sd: SignedData = ci.content.decode_as()?;
    let certs = certificates(&sd);
    let info = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| bad("a signature without a signer"))?;
    let cert =
        signer_cert(info, &certs).ok_or_else(|| bad("the signer's certificate is missing"))?;
    r.signer = subject_name(cert);
    r.issuer = name_text(&cert.tbs_certificate.issuer);
    let may_sign = der_util::may_sign(cert);
    if !may_sign {
        r.problems
            .push("the certificate's key usage does not allow signatures".into());
    }
    match signed_digest_ok(info, digest) {
        Ok(()) if verify_signer(cert, info)? => r.intact = true,
        Ok(()) => r
            .problems
            .push("the signature does not match (wrong key or altered signed attributes)".into()),
        Err(m) => r.problems.push(m),
    }
    // The timestamp over the signature value.
    let mut at = eingang_model::time::now_ms() / 1000;
    if let Some(token) = timestamp_token(info)? {
        match check_timestamp(&token, info.signature.as_bytes(), trust) {
            Ok((time, tsa_name)) => {
                at = time;
                r.timestamp = Some(der_util::rfc3339(time));
                r.timestamp_authority = Some(tsa_name);
            }
            Err(m) => r.problems.push(format!("timestamp: {m}")),
        }
    }
    match chain_trusted(cert, &certs, trust, at) {
        Ok(()) => r.trusted = may_sign,
        Err(m) => r.problems.push(m),
    }
    Ok(())
}

/// A detached CMS signature (`.p7s`) over content whose SHA-256 is `digest`, checked like a
/// PDF's: intact, signer, chain to `trust`, timestamp.
pub fn verify_detached(cms: &[u8], digest: &[u8; 32], trust: &[Certificate]) -> SignatureReport {
    let mut r = SignatureReport::named("");
    r.covers_whole_file = true;
    if let Err(e) = check_cms(cms, digest, trust, &mut r) {
        r.problems.push(e.to_string());
    }
    r
}

/// Whether everything after the first `signed` bytes only adds a document security store:
/// new streams and DSS/VRI dictionaries, and the catalog gaining `/DSS` and nothing else.
fn only_validation_data_added(pdf: &[u8], signed: usize) -> bool {
    // Nothing but line ends after the last revision's end.
    let end = pdf
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    if !pdf[..end].ends_with(b"%%EOF") {
        return false;
    }
    let (Ok(old), Ok(new)) = (Document::load_mem(&pdf[..signed]), Document::load_mem(pdf)) else {
        return false;
    };
    let root = new.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let is_dss = |o: &Object| {
        o.as_dict()
            .and_then(|d| d.get(b"Type"))
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"DSS")
    };
    let adds_dss = new
        .objects
        .iter()
        .any(|(id, o)| !old.objects.contains_key(id) && is_dss(o));
    adds_dss
        && new
            .objects
            .iter()
            .all(|(id, obj)| match old.objects.get(id) {
                Some(before) if before == obj => true,
                Some(Object::Dictionary(before)) if Some(*id) == root => {
                    let Ok(after) = obj.as_dict() else {
                        return false;
                    };
                    let mut stripped = after.clone();
                    stripped.remove(b"DSS");
                    stripped == *before
                }
                Some(_) => false,
                None => match obj {
                    Object::Stream(_) => true,
                    Object::Dictionary(d) => matches!(
                        d.get(b"Type").and_then(Object::as_name).ok(),
                        Some(b"DSS" | b"VRI")
                    ),
                    _ => false,
                },
            })
}

pub(crate) fn signer_cert<'a>(
    info: &SignerInfo,
    certs: &'a [Certificate],
) -> Option<&'a Certificate> {
    let SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer,
        serial_number,
    }) = &info.sid
    else {
        return None;
    };
    certs.iter().find(|c| {
        &c.tbs_certificate.issuer == issuer && &c.tbs_certificate.serial_number == serial_number
    })
}

/// The signed attributes' message digest equals `digest`.
fn signed_digest_ok(info: &SignerInfo, digest: &[u8]) -> std::result::Result<(), String> {
    let attrs = info
        .signed_attrs
        .as_ref()
        .ok_or("a signature without signed attributes")?;
    let md = attrs
        .iter()
        .find(|a| a.oid == der_util::ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or("a signature without a message digest")?;
    if md.as_bytes() == digest {
        Ok(())
    } else {
        Err("the document was changed after sealing (its digest differs)".into())
    }
}

/// The signature over the signed attributes, checked with the signer's public key.
fn verify_signer(cert: &Certificate, info: &SignerInfo) -> Result<bool> {
    let Some(attrs) = &info.signed_attrs else {
        return Ok(false);
    };
    // A bare `rsaEncryption` (what S/MIME agents write) takes its hash from the digest
    // algorithm.
    let alg = match (
        info.signature_algorithm.oid.to_string().as_str(),
        info.digest_alg.oid.to_string().as_str(),
    ) {
        ("1.2.840.113549.1.1.1", "2.16.840.1.101.3.4.2.2") => der_util::SHA384_WITH_RSA,
        ("1.2.840.113549.1.1.1", "2.16.840.1.101.3.4.2.3") => der_util::SHA512_WITH_RSA,
        _ => info.signature_algorithm.oid,
    };
    Ok(verify_with(
        cert,
        &alg,
        &attrs.to_der()?,
        info.signature.as_bytes(),
    ))
}

/// The chain from `cert` up to one of `trust`, each link's signature checked and each
/// certificate valid at `at`.
fn chain_trusted(
    cert: &Certificate,
    pool: &[Certificate],
    trust: &[Certificate],
    at: i64,
) -> std::result::Result<(), String> {
    let mut current = cert.clone();
    for _ in 0..10 {
        if !der_util::valid_at(&current, at) {
            return Err(format!(
                "the certificate of {} was not valid at {}",
                subject_name(&current),
                der_util::rfc3339(at)
            ));
        }
        if trust.contains(&current) {
            return Ok(());
        }
        let tbs = current
            .tbs_certificate
            .to_der()
            .map_err(|e| e.to_string())?;
        // An issuer must be a certification authority (basic constraints cA), or any
        // certificate of a trusted CA could vouch for a forged seal certificate.
        let issuer = trust.iter().chain(pool).find(|i| {
            i.tbs_certificate.subject == current.tbs_certificate.issuer
                && der_util::is_ca(i)
                && verify_with(
                    i,
                    &current.signature_algorithm.oid,
                    &tbs,
                    current.signature.raw_bytes(),
                )
        });
        match issuer {
            Some(i) if *i == current => break,
            Some(i) => current = i.clone(),
            None => break,
        }
    }
    Err(format!(
        "the certificate of {} does not lead to a trusted authority",
        subject_name(cert)
    ))
}

fn timestamp_token(info: &SignerInfo) -> Result<Option<ContentInfo>> {
    let Some(attrs) = &info.unsigned_attrs else {
        return Ok(None);
    };
    match attrs
        .iter()
        .find(|a| a.oid == der_util::ID_SIGNATURE_TIMESTAMP)
        .and_then(|a| a.values.iter().next())
    {
        Some(v) => Ok(Some(ContentInfo::from_der(&v.to_der()?)?)),
        None => Ok(None),
    }
}

/// A signature timestamp: over `signature`, signed by a trusted TSA; its time and the TSA.
fn check_timestamp(
    token: &ContentInfo,
    signature: &[u8],
    trust: &[Certificate],
) -> std::result::Result<(i64, String), String> {
    let info = tsa::tst_info(token).map_err(|e| e.to_string())?;
    if info.message_imprint.hashed_message.as_bytes() != sha256(&[signature]) {
        return Err("it stamps another signature".into());
    }
    let sd: SignedData = token.content.decode_as().map_err(|e| e.to_string())?;
    let certs = certificates(&sd);
    let si = sd.signer_infos.0.iter().next().ok_or("no signer")?;
    let cert = signer_cert(si, &certs).ok_or("the authority's certificate is missing")?;
    let content = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.decode_as::<OctetString>().ok())
        .ok_or("no content")?;
    signed_digest_ok(si, &sha256(&[content.as_bytes()]))
        .map_err(|_| "its content was altered".to_owned())?;
    if !verify_signer(cert, si).map_err(|e| e.to_string())? {
        return Err("its signature does not match".into());
    }
    if !der_util::has_purpose(cert, der_util::ID_KP_TIME_STAMPING) {
        return Err("the authority's certificate is not one for timestamps".into());
    }
    let time = info.gen_time;
    chain_trusted(cert, &certs, trust, time)?;
    Ok((time, subject_name(cert)))
}
