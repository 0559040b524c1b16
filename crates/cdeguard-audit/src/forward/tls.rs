//! rustls client configuration (aws-lc-rs provider) trusting the CA certificates of a
//! PEM file.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use crate::error::{AuditError, Result};

/// A client config trusting the certificates in `ca_file`.
pub(crate) fn client_config(ca_file: &Path) -> Result<Arc<rustls::ClientConfig>> {
    let bad = |message: String| AuditError::BadFile {
        path: ca_file.to_owned(),
        line: 0,
        message,
    };
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca_file).map_err(|e| bad(e.to_string()))?;
    for cert in certs {
        roots
            .add(cert.map_err(|e| bad(e.to_string()))?)
            .map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no CA certificate found".into()));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| AuditError::Invalid(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The TLS server name for `host:port`.
pub(crate) fn server_name(addr: &str) -> Result<rustls_pki_types::ServerName<'static>, String> {
    let host = addr
        .rsplit_once(':')
        .map_or(addr, |(h, _)| h)
        .trim_start_matches('[')
        .trim_end_matches(']');
    rustls_pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| format!("bad TLS server name `{host}`: {e}"))
}
