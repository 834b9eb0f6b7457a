//! The seal key in a PKCS#11 token (an HSM, a smartcard, SoftHSM2): found by token and key
//! label, used after a login with the PIN, which stays in memory only. The certificate comes
//! from the token (same label or id as the key); issuer certificates from the token or the
//! configured chain.

use crate::der_util::{self, null_params};
use crate::{Error, Result};
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use der::Decode;
use spki::AlgorithmIdentifierOwned;
use std::path::PathBuf;
use std::sync::Mutex;
use x509_cert::Certificate;
use zeroize::Zeroizing;

/// Signs with SHA-256: a seal key wherever it lives.
pub trait KeySigner: Send + Sync {
    /// The signer's certificate.
    fn certificate(&self) -> &Certificate;
    /// Issuer certificates up to (and possibly including) the root.
    fn chain(&self) -> &[Certificate];
    /// The CMS `signatureAlgorithm` of [`KeySigner::sign`]'s result.
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned;
    /// The signature over `data` (hashed with SHA-256 by the signer).
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>>;
    /// Revocation answers (OCSP responses, DER) about the certificate, checked when the key
    /// was opened: they go into the PDF's document security store.
    fn revocation(&self) -> &[Vec<u8>] {
        &[]
    }
}

/// Where the seal key is.
#[derive(Clone)]
pub struct Pkcs11Settings {
    /// The PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`, the smartcard's driver).
    pub module: PathBuf,
    /// The token's label.
    pub token: String,
    /// The private key's label.
    pub key: String,
    /// The user PIN (from the key store; never written anywhere).
    pub pin: Zeroizing<String>,
    /// Issuer certificates not on the token (DER).
    pub chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Pkcs11Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Settings")
            .field("module", &self.module)
            .field("token", &self.token)
            .field("key", &self.key)
            .field("pin", &"…")
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rsa,
    Ec,
}

/// A logged-in session on the token with the seal key found.
pub struct Pkcs11Key {
    // Field order: the session closes before the module is finalised.
    session: Mutex<Session>,
    _module: Pkcs11,
    key: ObjectHandle,
    kind: Kind,
    cert: Certificate,
    chain: Vec<Certificate>,
    revocation: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Key")
            .field("signer", &der_util::subject_name(&self.cert))
            .finish_non_exhaustive()
    }
}

/// One initialised context per module for the whole process: a PKCS#11 library is
/// initialised once, and finalising it would end every other session on it.
fn context(path: &std::path::Path) -> Result<Pkcs11> {
    static CONTEXTS: std::sync::OnceLock<Mutex<Vec<(PathBuf, Pkcs11)>>> =
        std::sync::OnceLock::new();
    let mut contexts = CONTEXTS
        .get_or_init(|| Mutex::new(Vec::new()))
        .lock()
        .map_err(|_| Error::Token("the module registry is poisoned".into()))?;
    if let Some((_, m)) = contexts.iter().find(|(p, _)| p == path) {
        return Ok(m.clone());
    }
    let module = Pkcs11::new(path).map_err(|e| Error::Module {
        module: path.display().to_string(),
        reason: e.to_string(),
    })?;
    match module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(token_error(e)),
    }
    contexts.push((path.to_owned(), module.clone()));
    Ok(module)
}

fn token_error(e: CkError) -> Error {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange, _) => {
            Error::WrongPin
        }
        CkError::Pkcs11(RvError::PinLocked, _) => Error::PinLocked,
        other => Error::Token(other.to_string()),
    }
}

impl Pkcs11Key {
    /// Loads the module, finds the token, logs in and finds key and certificate.
    pub fn open(s: &Pkcs11Settings) -> Result<Self> {
        let module = context(&s.module)?;
        let slot = module
            .get_slots_with_token()
            .map_err(token_error)?
            .into_iter()
            .find(|slot| {
                module
                    .get_token_info(*slot)
                    .is_ok_and(|i| i.label().trim() == s.token)
            })
            .ok_or_else(|| Error::NoToken(s.token.clone()))?;
        let session = module.open_ro_session(slot).map_err(token_error)?;
        let pin = AuthPin::from(s.pin.as_str().to_owned());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => return Err(token_error(e)),
        }
        let label = Attribute::Label(s.key.as_bytes().to_vec());
        let key = *session
            .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY), label.clone()])
            .map_err(token_error)?
            .first()
            .ok_or_else(|| Error::NoKey(s.key.clone()))?;
        let attrs = session
            .get_attributes(key, &[AttributeType::KeyType, AttributeType::Id])
            .map_err(token_error)?;
        let mut kind = Kind::Rsa;
        let mut id = None;
        for a in attrs {
            match a {
                Attribute::KeyType(k) if k == KeyType::EC => kind = Kind::Ec,
                Attribute::Id(i) => id = Some(i),
                _ => {}
            }
        }
        let certs = certificates(&session)?;
        let mut by_label = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), label])
            .map_err(token_error)?;
        if by_label.is_empty() {
            if let Some(id) = id {
                by_label = session
                    .find_objects(&[
                        Attribute::Class(ObjectClass::CERTIFICATE),
                        Attribute::Id(id),
                    ])
                    .map_err(token_error)?;
            }
        }
        let cert = match by_label.first() {
            Some(h) => Certificate::from_der(&value(&session, *h)?)?,
            None => return Err(Error::NoCertificate(s.key.clone())),
        };
        let mut pool = certs;
        for der in &s.chain {
            pool.push(Certificate::from_der(der)?);
        }
        let (chain, revocation) = usable(&cert, &pool)?;
        Ok(Pkcs11Key {
            session: Mutex::new(session),
            _module: module,
            key,
            kind,
            cert,
            chain,
            revocation,
        })
    }
}

/// Whether `cert` may seal now: valid today and not revoked (asked of its OCSP responder
/// when it names one). Returns its issuer chain from `pool` and the good OCSP answer for the
/// PDF's document security store (B-LT).
pub(crate) fn usable(
    cert: &Certificate,
    pool: &[Certificate],
) -> Result<(Vec<Certificate>, Vec<Vec<u8>>)> {
    let now = eingang_model::time::now_ms() / 1000;
    if !der_util::valid_at(cert, now) {
        let v = &cert.tbs_certificate.validity;
        return Err(Error::CertificateExpired {
            from: der_util::rfc3339(der_util::time_secs(&v.not_before)),
            to: der_util::rfc3339(der_util::time_secs(&v.not_after)),
        });
    }
    let chain = issuers(cert, pool);
    let revocation = match chain.first() {
        Some(issuer) => crate::ocsp::check(cert, issuer, std::time::Duration::from_secs(10))?
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    Ok((chain, revocation))
}

/// The issuers of `cert` found in `pool`, nearest first (by name; the verifier checks the
/// signatures).
fn issuers(cert: &Certificate, pool: &[Certificate]) -> Vec<Certificate> {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = cert;
    while let Some(issuer) = pool.iter().find(|c| {
        c.tbs_certificate.subject == current.tbs_certificate.issuer
            && *c != current
            && !chain.contains(c)
    }) {
        chain.push(issuer.clone());
        current = issuer;
    }
    chain
}

fn value(session: &Session, h: ObjectHandle) -> Result<Vec<u8>> {
    for a in session
        .get_attributes(h, &[AttributeType::Value])
        .map_err(token_error)?
    {
        if let Attribute::Value(v) = a {
            return Ok(v);
        }
    }
    Err(Error::Token("a certificate without a value".into()))
}

fn certificates(session: &Session) -> Result<Vec<Certificate>> {
    session
        .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        .map_err(token_error)?
        .into_iter()
        .map(|h| Ok(Certificate::from_der(&value(session, h)?)?))
        .collect()
}

impl KeySigner for Pkcs11Key {
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
        match self.kind {
            Kind::Rsa => null_params(der_util::SHA256_WITH_RSA),
            Kind::Ec => AlgorithmIdentifierOwned {
                oid: der_util::ECDSA_WITH_SHA256,
                parameters: None,
            },
        }
    }
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        let session = self
            .session
            .lock()
            .map_err(|_| Error::Token("session poisoned".into()))?;
        match self.kind {
            Kind::Rsa => session
                .sign(&Mechanism::Sha256RsaPkcs, self.key, data)
                .map_err(token_error),
            Kind::Ec => {
                let digest = der_util::sha256(&[data]);
                let raw = session
                    .sign(&Mechanism::Ecdsa, self.key, &digest)
                    .map_err(token_error)?;
                ecdsa_der(&raw)
            }
        }
    }
}

/// PKCS#11 returns ECDSA signatures as r‖s; CMS wants `SEQUENCE { INTEGER r, INTEGER s }`.
fn ecdsa_der(raw: &[u8]) -> Result<Vec<u8>> {
    use der::Encode;
    if raw.is_empty() || raw.len() % 2 != 0 {
        return Err(Error::Token("an ECDSA signature of odd length".into()));
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let ints = [der::asn1::Uint::new(r)?, der::asn1::Uint::new(s)?];
    Ok(ints.to_vec().to_der()?)
}
