//! The TLS client settings every connection of Eingang's own makes (the directory, the
//! mailbox, the team database): the system's roots and the CA files IT names, ring as the
//! provider, TLS 1.2 and 1.3, the server's name checked.

use std::path::PathBuf;
use std::sync::Arc;

/// Why the TLS settings cannot be made: a CA file named with what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TlsError(pub String);

/// A client configuration trusting the system's roots and every certificate in `ca_files`
/// (PEM with one or more certificates, or DER); the error names the file and what is
/// wrong with it.
pub fn client_config(ca_files: &[PathBuf]) -> Result<rustls::ClientConfig, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    for path in ca_files {
        let named = |e: &dyn std::fmt::Display| TlsError(format!("{}: {e}", path.display()));
        let bytes = std::fs::read(path).map_err(|e| named(&e))?;
        let certs = crate::der_util::certificates_from(&bytes);
        if certs.is_empty() || bytes.is_empty() {
            return Err(named(&"no certificate in it"));
        }
        for der in certs {
            roots
                .add(der.into())
                .map_err(|e| named(&format!("not a certificate ({e})")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
