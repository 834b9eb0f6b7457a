//! The seal key in a PKCS#12 file (where no HSM or smartcard is used): opened with its
//! password — the seal PIN in the key store —, which stays in memory only. Signing through
//! the system's OpenSSL.

use crate::der_util::{self, null_params};
use crate::token::KeySigner;
use crate::{Error, Result};
use der::Decode;
use openssl::pkey::{Id, PKey, Private};
use spki::AlgorithmIdentifierOwned;
use std::path::Path;
use x509_cert::Certificate;

/// A seal key and its certificate from a PKCS#12 file.
pub struct Pkcs12Key {
    key: PKey<Private>,
    cert: Certificate,
    chain: Vec<Certificate>,
    revocation: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Pkcs12Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Key")
            .field("signer", &der_util::subject_name(&self.cert))
            .finish_non_exhaustive()
    }
}

impl Pkcs12Key {
    /// Opens `file` with `password`; checks the certificate like a token's (valid, not
    /// revoked). A wrong password is [`Error::WrongPin`].
    pub fn open(file: &Path, password: &str) -> Result<Self> {
        let bytes = std::fs::read(file).map_err(|e| Error::Module {
            module: file.display().to_string(),
            reason: e.to_string(),
        })?;
        let p12 = openssl::pkcs12::Pkcs12::from_der(&bytes).map_err(|e| {
            Error::Malformed(format!("{}: not a PKCS#12 file ({e})", file.display()))
        })?;
        let parsed = p12.parse2(password).map_err(|_| Error::WrongPin)?;
        let (Some(key), Some(cert)) = (parsed.pkey, parsed.cert) else {
            return Err(Error::NoKey(file.display().to_string()));
        };
        let to_cert = |c: &openssl::x509::X509Ref| -> Result<Certificate> {
            let der = c.to_der().map_err(|e| Error::Malformed(e.to_string()))?;
            Ok(Certificate::from_der(&der)?)
        };
        let cert = to_cert(&cert)?;
        let pool = parsed
            .ca
            .iter()
            .flatten()
            .map(to_cert)
            .collect::<Result<Vec<_>>>()?;
        let (chain, revocation) = crate::token::usable(&cert, &pool)?;
        Ok(Pkcs12Key {
            key,
            cert,
            chain,
            revocation,
        })
    }
}

impl KeySigner for Pkcs12Key {
    fn certificate(&self) -> &Certificate {
        &self.cert
    }
    fn chain(&self) -> &[Certificate] {
        &self.chain
    }
    fn revocation(&self) -> &[Vec<u8>] {
        &self.revocation
    }
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        if self.key.id() == Id::EC {
            AlgorithmIdentifierOwned {
                oid: der_util::ECDSA_WITH_SHA256,
                parameters: None,
            }
        } else {
            null_params(der_util::SHA256_WITH_RSA)
        }
    }
    /// RSA PKCS#1 v1.5 or ECDSA (DER) over SHA-256 of `data`.
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let mut signer =
            openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &self.key)
                .map_err(|e| Error::Token(e.to_string()))?;
        signer
            .sign_oneshot_to_vec(data)
            .map_err(|e| Error::Token(e.to_string()))
    }
}
