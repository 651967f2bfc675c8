//! TLS for `https://` webhook endpoints: rustls (already in the tree through lettre's SMTP)
//! with the Mozilla roots of `webpki-roots`, so no system OpenSSL or certificate store is
//! involved. The sender connects to the address [`super::target`] checked, then runs the
//! handshake over that socket here, by hand and against the delivery's deadline, so a peer
//! trickling handshake bytes cannot hold a worker past its timeout.

use crate::error::{Error, Result};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

/// The client configuration: webpki roots plus `extra_roots` (DER; tests trust their own CA
/// through [`super::WebhookSettings::extra_roots`]).
///
/// # Errors
/// An extra root that is not a usable certificate.
pub fn client_config(extra_roots: &[Vec<u8>]) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for der in extra_roots {
        roots
            .add(CertificateDer::from(der.clone()))
            .map_err(|e| Error::invalid(format!("webhook trust root: {e}")))?;
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Internal(format!("TLS configuration: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The crypto provider: ring, the one lettre already builds (aws-lc-rs would add a C and
/// cmake build). rustls 0.23.4x deprecates ring's provider only because it lacks the
/// post-quantum key exchange; classical X25519/P-256 remain sound for webhook posts.
#[allow(deprecated)]
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Starts a TLS session for `host` over `socket` and completes the handshake before
/// `deadline` (the certificate is verified against the roots and `host` here).
///
/// # Errors
/// The certificate is refused, the peer closes or stalls, or the name is not valid.
pub fn connect(
    config: &Arc<ClientConfig>,
    host: &str,
    socket: &mut TcpStream,
    deadline: Instant,
) -> std::result::Result<ClientConnection, String> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| format!("not a TLS server name '{host}': {e}"))?;
    let mut conn =
        ClientConnection::new(config.clone(), name).map_err(|e| format!("TLS session: {e}"))?;
    while conn.is_handshaking() {
        while conn.wants_write() {
            conn.write_tls(socket)
                .map_err(|e| format!("TLS handshake: {e}"))?;
        }
        if !conn.is_handshaking() {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("TLS handshake not finished before the timeout".into());
        }
        socket
            .set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        match conn.read_tls(socket) {
            Ok(0) => return Err("connection closed during the TLS handshake".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("TLS handshake: {e}")),
        }
        if let Err(e) = conn.process_new_packets() {
            // Tell the peer why (a certificate alert) before giving up.
            let _ = conn.write_tls(socket);
            return Err(format!("TLS: {e}"));
        }
    }
    Ok(conn)
}
