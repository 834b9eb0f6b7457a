//! Object identifiers and small DER helpers shared by signing and verification.

use cms::cert::CertificateChoices;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier as Oid;
use der::asn1::Null;
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;
use x509_cert::Certificate;

pub(crate) const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
pub(crate) const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const ID_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub(crate) const ID_SIGNATURE_TIMESTAMP: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
pub(crate) const ID_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
pub(crate) const ID_SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
pub(crate) const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");

pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

pub(crate) fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

pub(crate) fn null_params(oid: Oid) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::encode_from(&Null).expect("NULL encodes")),
    }
}

/// The common name of a certificate's subject (or the whole name when it has none).
pub(crate) fn subject_name(cert: &Certificate) -> String {
    name_text(&cert.tbs_certificate.subject)
}

pub(crate) fn name_text(name: &x509_cert::name::Name) -> String {
    for rdn in &name.0 {
        for atv in rdn.0.iter() {
            if atv.oid == COMMON_NAME {
                if let Ok(s) = der::asn1::Utf8StringRef::try_from(&atv.value) {
                    return s.as_str().to_owned();
                }
                if let Ok(s) = der::asn1::PrintableStringRef::try_from(&atv.value) {
                    return s.as_str().to_owned();
                }
            }
        }
    }
    name.to_string()
}

/// Seconds since 1970 of an X.509 time.
pub(crate) fn time_secs(t: &Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// RFC 3339 (UTC) of seconds since 1970.
pub(crate) fn rfc3339(secs: i64) -> String {
    eingang_model::time::rfc3339_utc(secs.saturating_mul(1000))
}

/// Whether `cert` may issue certificates: basic constraints with `cA` true.
pub(crate) fn is_ca(cert: &Certificate) -> bool {
    use x509_cert::ext::pkix::BasicConstraints;
    const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
    cert.tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == BASIC_CONSTRAINTS))
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|bc| bc.ca)
}

/// Whether `cert`'s key may make signatures: no key usage named, or digitalSignature or
/// nonRepudiation among them.
pub(crate) fn may_sign(cert: &Certificate) -> bool {
    use x509_cert::ext::pkix::KeyUsage;
    const KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
    let Some(ext) = cert
        .tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == KEY_USAGE))
    else {
        return true;
    };
    KeyUsage::from_der(ext.extn_value.as_bytes())
        .is_ok_and(|ku| ku.digital_signature() || ku.non_repudiation())
}

/// Whether `cert` names `purpose` among its extended key usages.
pub(crate) fn has_purpose(cert: &Certificate, purpose: Oid) -> bool {
    use x509_cert::ext::pkix::ExtendedKeyUsage;
    const EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
    cert.tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == EXTENDED_KEY_USAGE))
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
        .is_some_and(|eku| eku.0.contains(&purpose))
}

/// The extended key usage of a timestamp authority (RFC 3161 2.3).
pub(crate) const ID_KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");

/// Whether `cert` is valid at `secs`.
pub(crate) fn valid_at(cert: &Certificate, secs: i64) -> bool {
    let v = &cert.tbs_certificate.validity;
    time_secs(&v.not_before) <= secs && secs <= time_secs(&v.not_after)
}

/// Reads one DER value from the front of `bytes`, ignoring what follows (a signature's
/// `/Contents` is padded with zeros).
pub(crate) fn decode_prefix<'a, T: Decode<'a>>(bytes: &'a [u8]) -> der::Result<T> {
    let mut r = der::SliceReader::new(bytes)?;
    T::decode(&mut r)
}

pub(crate) fn to_der<T: Encode>(v: &T) -> crate::Result<Vec<u8>> {
    Ok(v.to_der()?)
}

/// Certificates from a file's bytes: DER, or PEM with one or more `CERTIFICATE` blocks.
pub fn certificates_from(bytes: &[u8]) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let Ok(text) = std::str::from_utf8(bytes) else {
        return vec![bytes.to_vec()];
    };
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return vec![bytes.to_vec()];
    }
    text.split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .filter_map(|block| {
            let body: String = block
                .split("-----END CERTIFICATE-----")
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect();
            base64::engine::general_purpose::STANDARD.decode(body).ok()
        })
        .collect()
}

/// Verifies `sig` over `data` with `cert`'s key; SHA-256/384/512 RSA and ECDSA P-256/P-384.
pub(crate) fn verify_with(cert: &Certificate, alg: &Oid, data: &[u8], sig: &[u8]) -> bool {
    use ring::signature as s;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key = spki.subject_public_key.raw_bytes();
    let rsa = spki.algorithm.oid == RSA_ENCRYPTION;
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<Oid>().ok())
        .map(|o| o.to_string());
    let algorithm: &dyn s::VerificationAlgorithm =
        match (alg.to_string().as_str(), rsa, curve.as_deref()) {
            ("1.2.840.113549.1.1.11" | "1.2.840.113549.1.1.1", true, _) => {
                &s::RSA_PKCS1_2048_8192_SHA256
            }
            ("1.2.840.113549.1.1.12", true, _) => &s::RSA_PKCS1_2048_8192_SHA384,
            ("1.2.840.113549.1.1.13", true, _) => &s::RSA_PKCS1_2048_8192_SHA512,
            ("1.2.840.10045.4.3.2", false, Some("1.2.840.10045.3.1.7")) => {
                &s::ECDSA_P256_SHA256_ASN1
            }
            ("1.2.840.10045.4.3.3", false, Some("1.2.840.10045.3.1.7")) => {
                &s::ECDSA_P256_SHA384_ASN1
            }
            ("1.2.840.10045.4.3.2", false, Some("1.3.132.0.34")) => &s::ECDSA_P384_SHA256_ASN1,
            ("1.2.840.10045.4.3.3", false, Some("1.3.132.0.34")) => &s::ECDSA_P384_SHA384_ASN1,
            _ => return false,
        };
    s::UnparsedPublicKey::new(algorithm, key)
        .verify(data, sig)
        .is_ok()
}

/// Certificates of a `SignedData`.
pub(crate) fn certificates(sd: &SignedData) -> Vec<Certificate> {
    sd.certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c.clone()),
                    CertificateChoices::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}
