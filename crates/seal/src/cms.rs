//! The CMS `SignedData` of a PAdES baseline signature (ETSI EN 319 142-1, B-B and B-T):
//! detached (the signed bytes are the PDF's byte ranges), signed attributes content-type,
//! message-digest and signing-certificate-v2 (no signing-time: the PDF's `/M` carries the
//! claimed time), the signer's chain, and the RFC 3161 signature timestamp as an unsigned
//! attribute.

use crate::der_util::{self, sha256_alg, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST};
use crate::token::KeySigner;
use crate::tsa::Tsa;
use crate::Result;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

/// `IssuerSerial` of RFC 5035.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// `ESSCertIDv2` with the default hash algorithm (SHA-256), so it is left out.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2 {
    pub cert_hash: OctetString,
    pub issuer_serial: IssuerSerial,
}

/// `SigningCertificateV2` of RFC 5035 (no policies).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

/// A detached signature.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The CMS `ContentInfo`, DER.
    pub der: Vec<u8>,
    /// The timestamp's time (seconds since 1970), when a service stamped it.
    pub timestamp: Option<i64>,
}

fn attribute<T: Encode>(oid: der::oid::ObjectIdentifier, value: &T) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values.insert(Any::from_der(&value.to_der()?)?)?;
    Ok(Attribute { oid, values })
}

/// Signs `digest` (SHA-256 of the detached content) with `key`, stamped by `tsa`.
pub fn sign_detached(digest: &[u8; 32], key: &dyn KeySigner, tsa: Option<&Tsa>) -> Result<Signed> {
    let cert = key.certificate();
    let signing_cert = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(der_util::sha256(&[&der_util::to_der(cert)?]).to_vec())?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            },
        }],
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attribute(ID_CONTENT_TYPE, &ID_DATA)?,
        attribute(ID_MESSAGE_DIGEST, &OctetString::new(digest.to_vec())?)?,
        attribute(der_util::ID_SIGNING_CERTIFICATE_V2, &signing_cert)?,
    ])?;
    let signature = key.sign(&signed_attrs.to_der()?)?;
    let (unsigned_attrs, timestamp) = match tsa {
        Some(tsa) => {
            let stamp = tsa.stamp(&der_util::sha256(&[&signature]))?;
            let token = Any::from_der(&stamp.token)?;
            let mut set = SetOfVec::new();
            set.insert(attribute(der_util::ID_SIGNATURE_TIMESTAMP, &token)?)?;
            (Some(set), Some(stamp.time))
        }
        None => (None, None),
    };
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: key.signature_algorithm(),
        signature: OctetString::new(signature)?,
        unsigned_attrs,
    };
    let mut certs = SetOfVec::new();
    for c in std::iter::once(cert).chain(key.chain()) {
        certs.insert(CertificateChoices::Certificate(c.clone()))?;
    }
    let mut digests = SetOfVec::new();
    digests.insert(sha256_alg())?;
    let mut infos = SetOfVec::new();
    infos.insert(info)?;
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    let ci = ContentInfo {
        content_type: der_util::ID_SIGNED_DATA,
        content: Any::encode_from(&sd)?,
    };
    Ok(Signed {
        der: ci.to_der()?,
        timestamp,
    })
}
