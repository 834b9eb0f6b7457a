//! Evidence that holds (TR-RESISCAN A.IS.1): electronic seals on scan products as PAdES
//! signatures, made with a key in a PKCS#11 token (an HSM, a smartcard; SoftHSM2 in the
//! tests), timestamped by the city's RFC 3161 service, and verified again by anyone.
//!
//! - [`token`]: the key and its certificates in a PKCS#11 token; the PIN only in memory.
//! - [`tsa`]: the RFC 3161 client.
//! - [`cms`]: the CMS `SignedData` of a PAdES baseline signature (B-B, with the timestamp
//!   B-T): signing-certificate-v2, the chain, the signature timestamp.
//! - [`pades`]: the signature put into a PDF as an incremental update, so the PDF/A stays
//!   PDF/A and every earlier byte stays as it was.
//! - [`verify`]: what a sealed PDF says about itself: signer, chain, timestamp, changes.
//! - [`directory`]: people signed in against the city's directory (LDAP bind over TLS).

pub mod cms;
mod der_util;
pub mod directory;
pub mod ocsp;
pub mod p12;
pub mod pades;
pub mod smime;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;
pub mod token;
pub mod tsa;
pub mod verify;

pub use der_util::certificates_from;
pub use p12::Pkcs12Key;
pub use pades::{seal_pdf, SealInfo};
pub use token::{KeySigner, Pkcs11Key, Pkcs11Settings};
pub use tsa::Tsa;
pub use verify::{verify_pdf, Report, SignatureReport};

/// Why a seal or a verification failed — each with a stable code and the thing to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the PKCS#11 module {module} could not be loaded: {reason} — check [seal] module in the machine configuration")]
    Module { module: String, reason: String },
    #[error("no token labelled \"{0}\" is present — insert the smartcard or check [seal] token")]
    NoToken(String),
    #[error("the token refused the PIN — check the seal PIN in the key store (the token may lock after more attempts)")]
    WrongPin,
    #[error("the token is locked (too many wrong PINs) — the security officer must unlock it")]
    PinLocked,
    #[error("no private key labelled \"{0}\" on the token — check [seal] key")]
    NoKey(String),
    #[error("no certificate for key \"{0}\" on the token or in [seal] chain")]
    NoCertificate(String),
    #[error(
        "the seal certificate is not valid now (valid {from} to {to}) — renew the seal certificate"
    )]
    CertificateExpired { from: String, to: String },
    #[error("the seal certificate of {subject} is revoked — it must not seal any more; a new certificate is needed")]
    CertificateRevoked { subject: String },
    #[error("the token failed: {0}")]
    Token(String),
    #[error("the timestamp service {url} cannot be reached: {reason} — the document stays unreleased; try again when the service is back")]
    TsaUnreachable { url: String, reason: String },
    #[error("the timestamp service {url} refused: {reason}")]
    TsaRefused { url: String, reason: String },
    #[error("the PDF cannot be sealed: {0}")]
    Pdf(String),
    #[error("malformed data: {0}")]
    Malformed(String),
    #[error(
        "the directory {url} cannot be reached: {reason} — sign in again when the network is back"
    )]
    DirectoryUnreachable { url: String, reason: String },
    #[error("the sign-in name or the password is wrong")]
    WrongCredentials,
    #[error("the directory refused: {0}")]
    Directory(String),
    #[error("{user} is locked out after {failures} failed sign-ins; try again in {minutes} minute(s) or ask IT")]
    LockedOut {
        user: String,
        failures: u32,
        minutes: u64,
    },
}

impl Error {
    /// Stable code for the UI's sentences and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Module { .. } => "seal.module",
            Error::NoToken(_) => "seal.no_token",
            Error::WrongPin => "seal.wrong_pin",
            Error::PinLocked => "seal.pin_locked",
            Error::NoKey(_) => "seal.no_key",
            Error::NoCertificate(_) => "seal.no_certificate",
            Error::CertificateExpired { .. } => "seal.certificate_expired",
            Error::CertificateRevoked { .. } => "seal.certificate_revoked",
            Error::Token(_) => "seal.token",
            Error::TsaUnreachable { .. } => "tsa.unreachable",
            Error::TsaRefused { .. } => "tsa.refused",
            Error::Pdf(_) => "seal.pdf",
            Error::Malformed(_) => "seal.malformed",
            Error::DirectoryUnreachable { .. } => "signin.unreachable",
            Error::WrongCredentials => "signin.wrong",
            Error::Directory(_) => "signin.directory",
            Error::LockedOut { .. } => "signin.locked",
        }
    }
}

impl From<der::Error> for Error {
    fn from(e: der::Error) -> Self {
        Error::Malformed(e.to_string())
    }
}

/// Every code an [`Error`] carries (the UI has a sentence for each).
pub const CODES: &[&str] = &[
    "seal.module",
    "seal.no_token",
    "seal.wrong_pin",
    "seal.pin_locked",
    "seal.no_key",
    "seal.no_certificate",
    "seal.certificate_expired",
    "seal.certificate_revoked",
    "seal.token",
    "tsa.unreachable",
    "tsa.refused",
    "seal.pdf",
    "seal.malformed",
    "signin.unreachable",
    "signin.wrong",
    "signin.directory",
    "signin.locked",
];

pub type Result<T, E = Error> = std::result::Result<T, E>;
