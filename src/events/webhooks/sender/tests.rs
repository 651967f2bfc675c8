//! The sender's tests: plain and https receivers on loopback.

use super::*;
use std::net::TcpListener;

fn due(url: &str) -> Due {
    Due {
        id: "whd_1".into(),
        webhook_id: "wh_1".into(),
        url: url.into(),
        secret: "whsec_test".into(),
        event_id: "evt_1".into(),
        body: r#"{"id":"evt_1"}"#.into(),
        attempts: 0,
    }
}

fn settings(allow_loopback: bool) -> Client {
    client(allow_loopback, Vec::new())
}

fn client(allow_loopback: bool, extra_roots: Vec<Vec<u8>>) -> Client {
    let settings = WebhookSettings {
        allow_loopback,
        io_timeout: Duration::from_millis(500),
        extra_roots,
        ..WebhookSettings::default()
    };
    let tls = crate::events::webhooks::tls::client_config(&settings.extra_roots).unwrap();
    Client { settings, tls }
}

const TEST_CA: &[u8] = include_bytes!("../../../../tests/tls/test-ca.der");
const LOCALHOST_CERT: &[u8] = include_bytes!("../../../../tests/tls/localhost.der");
const LOCALHOST_KEY: &[u8] = include_bytes!("../../../../tests/tls/localhost.key.der");

/// An HTTPS receiver on `ip` (certificate for localhost / 127.0.0.1, from the test CA)
/// answering 204 to one request; returns its URL and the request seen (empty when the
/// handshake failed).
fn tls_receiver(ip: &str) -> (String, std::thread::JoinHandle<String>) {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let provider = crate::events::webhooks::tls::provider();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(LOCALHOST_CERT.to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(LOCALHOST_KEY.to_vec())),
        )
        .unwrap();
    let listener = TcpListener::bind((ip, 0)).unwrap();
    let url = format!("https://{}/hook", listener.local_addr().unwrap());
    let seen = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::Stream::new(&mut conn, &mut socket);
        let mut request = vec![0u8; 4096];
        let Ok(n) = tls.read(&mut request) else {
            return String::new();
        };
        let _ = tls.write_all(b"HTTP/1.1 204 No Content\r\n\r\n");
        let _ = tls.flush();
        conn.send_close_notify();
        let _ = conn.write_tls(&mut socket);
        String::from_utf8_lossy(&request[..n]).to_string()
    });
    (url, seen)
}

#[test]
fn an_https_post_is_verified_against_the_trusted_roots() {
    let (url, seen) = tls_receiver("127.0.0.1");
    let trusted = client(true, vec![TEST_CA.to_vec()]);
    assert_eq!(
        post(&due(&url), 1_700_000_000, &trusted),
        Outcome::Delivered(204)
    );
    let request = seen.join().unwrap();
    assert!(request.starts_with("POST /hook HTTP/1.1\r\n"), "{request}");
    assert!(request.contains("Stockroom-Signature: t=1700000000,v1="));
}

#[test]
fn an_https_receiver_with_an_unknown_or_wrong_certificate_is_refused() {
    // Signed by a CA only the test trusts: refused with the webpki roots alone.
    let (url, seen) = tls_receiver("127.0.0.1");
    let Outcome::Failed(None, why) = post(&due(&url), 0, &settings(true)) else {
        panic!("an untrusted certificate is refused")
    };
    assert!(why.contains("certificate"), "{why}");
    assert_eq!(seen.join().unwrap(), "", "nothing was sent");
    // Trusted, but for another name (127.0.0.2 is not in the certificate).
    let (url, seen) = tls_receiver("127.0.0.2");
    let Outcome::Failed(None, why) = post(&due(&url), 0, &client(true, vec![TEST_CA.to_vec()]))
    else {
        panic!("a certificate for another name is refused")
    };
    assert!(why.contains("certificate"), "{why}");
    assert_eq!(seen.join().unwrap(), "");
    // And the address checks stay: loopback over https is refused unless allowed.
    let (url, _seen) = tls_receiver("127.0.0.1");
    let Outcome::Failed(None, why) = post(&due(&url), 0, &client(false, vec![TEST_CA.to_vec()]))
    else {
        panic!("loopback refused")
    };
    assert!(why.contains("refused"), "{why}");
}

/// A receiver answering `answer` to one request; returns its URL and the request seen.
fn receiver(answer: &'static [u8]) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = vec![0u8; 4096];
        let n = stream.read(&mut request).unwrap();
        stream.write_all(answer).unwrap();
        String::from_utf8_lossy(&request[..n]).to_string()
    });
    (url, seen)
}

#[test]
fn a_post_is_signed_and_its_status_read() {
    let (url, seen) = receiver(b"HTTP/1.1 204 No Content\r\n\r\n");
    assert_eq!(
        post(&due(&url), 1_700_000_000, &settings(true)),
        Outcome::Delivered(204)
    );
    let request = seen.join().unwrap();
    assert!(request.starts_with("POST /hook HTTP/1.1\r\n"), "{request}");
    let signature = request
        .lines()
        .find_map(|l| l.strip_prefix("Stockroom-Signature: "))
        .unwrap();
    assert!(sign::verify(
        "whsec_test",
        signature,
        br#"{"id":"evt_1"}"#,
        1_700_000_000,
        300
    ));
    assert!(request.contains("Stockroom-Event-Id: evt_1\r\n"));
}

#[test]
fn failures_say_why() {
    let (url, _seen) = receiver(b"HTTP/1.1 500 Oops\r\n\r\n");
    assert_eq!(
        post(&due(&url), 0, &settings(true)),
        Outcome::Failed(Some(500), "answered HTTP 500".into())
    );
    let Outcome::Failed(None, refused) = post(&due("http://127.0.0.1:9/x"), 0, &settings(false))
    else {
        panic!("a loopback target is refused")
    };
    assert!(refused.contains("refused"), "{refused}");
}
