//! S/MIME signatures of e-mail (RFC 8551) checked on arrival: whether the signed content
//! is unchanged and the signature matches it, who signed, whether the signer's certificate
//! leads to a trusted authority and was valid now, and whether it names the sender's
//! address (RFC 8550 3). Both forms: `multipart/signed` (the signature detached beside the
//! content) and `application/pkcs7-mime; smime-type=signed-data` (the content inside).
//!
//! The verdict is recorded with the message (its page, its index, its Transfervermerk);
//! the message itself is kept whatever the verdict.

use crate::der_util::{self, decode_prefix, name_text, subject_name};
use crate::verify::{check_cms, signer_cert, SignatureReport};
use crate::Error;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier as Oid;
use der::asn1::OctetString;
use der::Decode;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::fmt::Write as _;
use x509_cert::Certificate;

const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const EMAIL_ADDRESS: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
const SUBJECT_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.17");

/// What the check of a signed message found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Unchanged, the signature matches, the certificate leads to a trusted authority and
    /// names the sender's address.
    Gueltig,
    /// Unchanged and matching, but the certificate is not trusted here (unknown authority,
    /// expired) or names another address than the sender's.
    NichtVertrauenswuerdig,
    /// Changed after signing, or the signature does not match.
    Ungueltig,
    /// The signature could not be read (damaged, an algorithm not accepted here).
    NichtPruefbar,
}

impl Verdict {
    /// The verdict as written in the Transfervermerk and the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Gueltig => "gueltig",
            Verdict::NichtVertrauenswuerdig => "nicht_vertrauenswuerdig",
            Verdict::Ungueltig => "ungueltig",
            Verdict::NichtPruefbar => "nicht_pruefbar",
        }
    }

    /// The verdict in words (German, as on the archived message page).
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Gueltig => "Signatur gültig",
            Verdict::NichtVertrauenswuerdig => "Signatur unversehrt, aber nicht vertrauenswürdig",
            Verdict::Ungueltig => "Signatur ungültig – die Nachricht wurde nach dem Signieren verändert oder die Signatur passt nicht",
            Verdict::NichtPruefbar => "Signatur nicht prüfbar",
        }
    }
}

/// A signed message's check, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailSignature {
    pub verdict: Verdict,
    /// The signer's common name.
    pub signer: String,
    pub issuer: String,
    /// The addresses the signer's certificate names.
    pub signer_email: Vec<String>,
    /// The signing time the signer claims (RFC 3339), when given.
    pub signing_time: Option<String>,
    /// When it was checked (RFC 3339).
    pub checked_at: String,
    /// What is wrong, in words.
    pub problems: Vec<String>,
}

impl MailSignature {
    /// One line for the message page and the index: the verdict, who signed, what is wrong.
    pub fn statement(&self) -> String {
        let mut s = format!("S/MIME: {}", self.verdict.words());
        if !self.signer.is_empty() {
            let _ = write!(s, "; signiert von {}", self.signer);
            if let Some(m) = self.signer_email.first() {
                let _ = write!(s, " <{m}>");
            }
            if !self.issuer.is_empty() {
                let _ = write!(s, ", Zertifikat von {}", self.issuer);
            }
        }
        if !self.problems.is_empty() {
            let _ = write!(s, " ({})", self.problems.join("; "));
        }
        s
    }
}

/// Checks the CMS signature `cms` of a message from `sender` (an address). `content`: the
/// signed part's bytes as they came (`multipart/signed`; line ends are made CRLF here, the
/// canonical form that was signed), or `None` when the content is inside the signature
/// (`signed-data`), which is then returned for reading.
pub fn verify_smime(
    cms: &[u8],
    content: Option<&[u8]>,
    sender: &str,
    trust: &[Certificate],
) -> (MailSignature, Option<Vec<u8>>) {
    let mut r = MailSignature {
        verdict: Verdict::NichtPruefbar,
        signer: String::new(),
        issuer: String::new(),
        signer_email: Vec::new(),
        signing_time: None,
        checked_at: eingang_model::time::rfc3339_utc(eingang_model::time::now_ms()),
        problems: Vec::new(),
    };
    let inner = match read(cms, content, &mut r) {
        Ok((digest, inner)) => {
            let mut report = SignatureReport::named("");
            match check_cms(cms, &digest, trust, &mut report) {
                Ok(()) => judge(&mut r, &report, sender),
                Err(e) => r.problems.push(e.to_string()),
            }
            inner
        }
        Err(e) => {
            r.problems.push(e.to_string());
            None
        }
    };
    (r, inner)
}

/// The content inside a `signed-data` signature, unchecked (to find what it carries);
/// `None` for a detached signature or one that cannot be read.
pub fn signed_content(cms: &[u8]) -> Option<Vec<u8>> {
    let ci: ContentInfo = decode_prefix(cms).ok()?;
    let sd: SignedData = ci.content.decode_as().ok()?;
    let content = sd.encap_content_info.econtent?;
    Some(content.decode_as::<OctetString>().ok()?.into_bytes())
}

/// The digest of the signed content by the signer's algorithm, the encapsulated content,
/// and what the signature says of its signer.
type Read = (Vec<u8>, Option<Vec<u8>>);

fn read(cms: &[u8], content: Option<&[u8]>, r: &mut MailSignature) -> crate::Result<Read> {
    let bad = |m: &str| Error::Malformed(m.to_owned());
    let ci: ContentInfo = decode_prefix(cms)?;
    if ci.content_type != der_util::ID_SIGNED_DATA {
        return Err(bad("the signature part holds no signed data"));
    }
    let sd: SignedData = ci.content.decode_as()?;
    let inner = sd
        .encap_content_info
        .econtent
        .as_ref()
        .map(der::Any::decode_as::<OctetString>)
        .transpose()?
        .map(OctetString::into_bytes);
    let info = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| bad("a signature without a signer"))?;
    let certs = der_util::certificates(&sd);
    if let Some(cert) = signer_cert(info, &certs) {
        r.signer = subject_name(cert);
        r.issuer = name_text(&cert.tbs_certificate.issuer);
        r.signer_email = emails(cert);
    }
    r.signing_time = info
        .signed_attrs
        .as_ref()
        .and_then(|a| a.iter().find(|a| a.oid == SIGNING_TIME))
        .and_then(|a| a.values.iter().next())
        .and_then(|v| der::Encode::to_der(v).ok())
        .and_then(|d| x509_cert::time::Time::from_der(&d).ok())
        .map(|t| der_util::rfc3339(der_util::time_secs(&t)));
    let signed = match (content, &inner) {
        (Some(c), _) => canonical(c),
        (None, Some(c)) => c.clone(),
        (None, None) => return Err(bad("the signed content is missing")),
    };
    let digest = match info.digest_alg.oid.to_string().as_str() {
        "2.16.840.1.101.3.4.2.1" => sha2::Sha256::digest(&signed).to_vec(),
        "2.16.840.1.101.3.4.2.2" => sha2::Sha384::digest(&signed).to_vec(),
        "2.16.840.1.101.3.4.2.3" => sha2::Sha512::digest(&signed).to_vec(),
        "1.3.14.3.2.26" => {
            return Err(bad(
                "signed with SHA-1, which is no longer accepted as secure",
            ))
        }
        other => return Err(bad(&format!("an unknown digest algorithm ({other})"))),
    };
    Ok((digest, inner))
}

fn judge(r: &mut MailSignature, report: &SignatureReport, sender: &str) {
    r.problems.extend(report.problems.iter().cloned());
    if !report.intact {
        r.verdict = Verdict::Ungueltig;
        return;
    }
    let matches = r
        .signer_email
        .iter()
        .any(|m| m.eq_ignore_ascii_case(sender.trim()));
    if !matches {
        r.problems.push(if r.signer_email.is_empty() {
            format!("the certificate names no e-mail address, the sender is {sender}")
        } else {
            format!(
                "the certificate is for {}, the sender is {sender}",
                r.signer_email.join(", ")
            )
        });
    }
    r.verdict = if report.trusted && matches {
        Verdict::Gueltig
    } else {
        Verdict::NichtVertrauenswuerdig
    };
}

/// The addresses a certificate names: its subject alternative names of type rfc822Name,
/// and the subject's `emailAddress`.
fn emails(cert: &Certificate) -> Vec<String> {
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;
    let mut out: Vec<String> = cert
        .tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == SUBJECT_ALT_NAME))
        .and_then(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .map(|san| {
            san.0
                .into_iter()
                .filter_map(|n| match n {
                    GeneralName::Rfc822Name(m) => Some(m.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    for rdn in &cert.tbs_certificate.subject.0 {
        for atv in rdn.0.iter().filter(|a| a.oid == EMAIL_ADDRESS) {
            if let Ok(m) = der::asn1::Ia5StringRef::try_from(&atv.value) {
                let m = m.as_str().to_owned();
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// Line ends made CRLF (a bare LF gets its CR), the canonical form S/MIME signs.
fn canonical(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    let mut prev = 0u8;
    for &b in bytes {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// The authorities whose certificates vouch for signers: the files configured
/// (`[mailbox] smime_trust`), else the operating system's trusted authorities.
#[derive(Debug, Clone, Default)]
pub struct Trust(Vec<Certificate>);

impl Trust {
    /// Certificates from files (DER, or PEM with one or more certificates); an unreadable
    /// file or one without a certificate is named.
    pub fn from_files(paths: &[std::path::PathBuf]) -> crate::Result<Trust> {
        let bad = |p: &std::path::Path, why: String| {
            Error::Malformed(format!("trust file {}: {why}", p.display()))
        };
        let mut certs = Vec::new();
        for p in paths {
            let bytes = std::fs::read(p).map_err(|e| bad(p, e.to_string()))?;
            let before = certs.len();
            for der in der_util::certificates_from(&bytes) {
                certs.push(
                    Certificate::from_der(&der)
                        .map_err(|e| bad(p, format!("not a certificate ({e})")))?,
                );
            }
            if certs.len() == before {
                return Err(bad(p, "no certificate in it".into()));
            }
        }
        Ok(Trust(certs))
    }

    /// The operating system's trusted authorities (those it cannot read are left out).
    pub fn system() -> Trust {
        let found = rustls_native_certs::load_native_certs();
        Trust(
            found
                .certs
                .iter()
                .filter_map(|c| Certificate::from_der(c.as_ref()).ok())
                .collect(),
        )
    }

    pub fn certs(&self) -> &[Certificate] {
        &self.0
    }
}
