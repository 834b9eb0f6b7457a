//! Revocation at sealing time (RFC 6960): the seal certificate's status asked of the OCSP
//! responder its certificate names (Authority Information Access). A revoked certificate
//! never seals; a good answer, checked against the issuer, goes into the PDF's document
//! security store (PAdES B-LT) so the seal can be validated long after.

use crate::der_util::{decode_prefix, valid_at, verify_with};
use crate::{Error, Result};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::{BitString, Null, OctetString};
use der::{Any, Decode, Encode, Reader, Tag, TagNumber};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
use x509_cert::Certificate;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest, Version};

const ID_PE_AIA: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
const ID_AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
const ID_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");

/// The OCSP responder URL in `cert`, if it names one.
pub fn responder_url(cert: &Certificate) -> Option<String> {
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == ID_PE_AIA)?;
    let aia = AuthorityInfoAccessSyntax::from_der(ext.extn_value.as_bytes()).ok()?;
    aia.0.iter().find_map(|ad| match &ad.access_location {
        GeneralName::UniformResourceIdentifier(u) if ad.access_method == ID_AD_OCSP => {
            Some(u.to_string())
        }
        _ => None,
    })
}

fn sha1(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

fn cert_id(cert: &Certificate, issuer: &Certificate) -> Result<CertId> {
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(Any::encode_from(&Null)?),
        },
        issuer_name_hash: OctetString::new(sha1(&issuer.tbs_certificate.subject.to_der()?))?,
        issuer_key_hash: OctetString::new(sha1(
            issuer
                .tbs_certificate
                .subject_public_key_info
                .subject_public_key
                .raw_bytes(),
        ))?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// Asks the responder about `cert`: `Ok(Some(response))` when it is good (the DER to keep),
/// `Ok(None)` when no responder is named or reachable, an error when it is revoked.
pub fn check(
    cert: &Certificate,
    issuer: &Certificate,
    timeout: std::time::Duration,
) -> Result<Option<Vec<u8>>> {
    let Some(url) = responder_url(cert) else {
        return Ok(None);
    };
    let req = OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id(cert, issuer)?,
                single_request_extensions: None,
            }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| Error::Token(e.to_string()))?;
    let Ok(resp) = client
        .post(&url)
        .header("Content-Type", "application/ocsp-request")
        .body(req.to_der()?)
        .send()
    else {
        return Ok(None);
    };
    if !resp.status().is_success() {
        return Ok(None);
    }
    let Ok(body) = resp.bytes() else {
        return Ok(None);
    };
    let answer = parse(&body)?;
    answer.check_signed(issuer)?;
    let serial = &cert.tbs_certificate.serial_number;
    match answer
        .statuses
        .iter()
        .find(|(s, _)| s == serial)
        .map(|(_, st)| *st)
    {
        Some(Status::Good) => Ok(Some(body.to_vec())),
        Some(Status::Revoked) => Err(Error::CertificateRevoked {
            subject: crate::der_util::subject_name(cert),
        }),
        Some(Status::Unknown) | None => Err(Error::Malformed(format!(
            "the revocation service {url} does not know the seal certificate"
        ))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Good,
    Revoked,
    Unknown,
}

/// What Eingang reads of an OCSP response (by hand: its times may carry fractions of a
/// second, which the strict DER `GeneralizedTime` refuses).
struct Answer {
    tbs: Vec<u8>,
    algorithm: Oid,
    signature: BitString,
    certs: Vec<Certificate>,
    statuses: Vec<(x509_cert::serial_number::SerialNumber, Status)>,
}

impl Answer {
    /// Signed by the issuer, or by a responder the issuer certified.
    fn check_signed(&self, issuer: &Certificate) -> Result<()> {
        let now = eingang_model::time::now_ms() / 1000;
        let sig = self.signature.raw_bytes();
        if verify_with(issuer, &self.algorithm, &self.tbs, sig) {
            return Ok(());
        }
        for r in &self.certs {
            let by_issuer = r.tbs_certificate.issuer == issuer.tbs_certificate.subject
                && verify_with(
                    issuer,
                    &r.signature_algorithm.oid,
                    &r.tbs_certificate.to_der()?,
                    r.signature.raw_bytes(),
                );
            if by_issuer && valid_at(r, now) && verify_with(r, &self.algorithm, &self.tbs, sig) {
                return Ok(());
            }
        }
        Err(Error::Malformed(
            "the revocation answer is not signed by the seal certificate's issuer".into(),
        ))
    }
}

fn context(tag: Tag, n: u8) -> bool {
    matches!(tag, Tag::ContextSpecific { number, .. } if number == TagNumber::new(n))
}

fn parse(bytes: &[u8]) -> Result<Answer> {
    let bad = |m: &str| Error::Malformed(format!("revocation answer: {m}"));
    let outer: Any = decode_prefix(bytes)?;
    let mut r = der::SliceReader::new(outer.value())?;
    let status: Any = r.decode()?;
    if status.value() != [0] {
        return Err(bad("the responder refused"));
    }
    let wrapped: Any = r.decode()?;
    let mut rb = der::SliceReader::new(wrapped.value())?;
    let inner: Any = rb.decode()?;
    let mut rb = der::SliceReader::new(inner.value())?;
    let _kind: Oid = rb.decode()?;
    let basic: OctetString = rb.decode()?;
    let basic_seq: Any = decode_prefix(basic.as_bytes())?;
    let mut b = der::SliceReader::new(basic_seq.value())?;
    let tbs: Any = b.decode()?;
    let alg: AlgorithmIdentifierOwned = b.decode()?;
    let signature: BitString = b.decode()?;
    let mut certs = Vec::new();
    if !b.is_finished() {
        let list: Any = b.decode()?;
        let seq: Any = decode_prefix(list.value())?;
        let mut c = der::SliceReader::new(seq.value())?;
        while !c.is_finished() {
            certs.push(c.decode::<Certificate>()?);
        }
    }
    let mut statuses = Vec::new();
    let mut t = der::SliceReader::new(tbs.value())?;
    while !t.is_finished() {
        let field: Any = t.decode()?;
        if der::Tagged::tag(&field) != Tag::Sequence {
            continue;
        }
        // The responses: a SEQUENCE OF SingleResponse.
        let mut list = der::SliceReader::new(field.value())?;
        while !list.is_finished() {
            let single: Any = list.decode()?;
            let mut s = der::SliceReader::new(single.value())?;
            let id: CertId = s.decode()?;
            let st: Any = s.decode()?;
            let tag = der::Tagged::tag(&st);
            let status = if context(tag, 0) {
                Status::Good
            } else if context(tag, 1) {
                Status::Revoked
            } else {
                Status::Unknown
            };
            statuses.push((id.serial_number, status));
        }
    }
    Ok(Answer {
        tbs: tbs.to_der()?,
        algorithm: alg.oid,
        signature,
        certs,
        statuses,
    })
}
