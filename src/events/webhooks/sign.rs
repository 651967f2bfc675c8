//! The `Stockroom-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`, the MAC taken
//! under the endpoint's secret over `"<t>.<body>"` (Stripe's scheme, so receivers can reuse
//! their verification code). The timestamp is fresh on every attempt, so a receiver can
//! refuse old (replayed) requests with a tolerance window; `v1` may appear more than once
//! (a receiver accepts if any matches).

use crate::crypto::{hex, hmac_sha256, hmac_sha256_verify, unhex};

/// The header's name.
pub const HEADER: &str = "Stockroom-Signature";

/// The header value for `body` signed at `timestamp` (unix seconds).
pub fn header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = hmac_sha256(secret.as_bytes(), &signed_payload(timestamp, body));
    format!("t={timestamp},v1={}", hex(&tag))
}

/// Whether `header` is a valid signature of `body` under `secret`, with a timestamp at most
/// `tolerance_secs` away from `now` (unix seconds). Compares in constant time.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut timestamp = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => tags.extend(unhex(value)),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    if (now - timestamp).abs() > tolerance_secs {
        return false;
    }
    let payload = signed_payload(timestamp, body);
    tags.iter()
        .any(|tag| hmac_sha256_verify(secret.as_bytes(), &payload, tag))
}

fn signed_payload(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut payload = format!("{timestamp}.").into_bytes();
    payload.extend_from_slice(body);
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_a_recent_time() {
        let body = br#"{"id":"evt_1","type":"order.placed"}"#;
        let h = header("whsec_right", 1_700_000_000, body);
        assert!(h.starts_with("t=1700000000,v1="));
        assert!(verify("whsec_right", &h, body, 1_700_000_100, 300));
        assert!(!verify("whsec_wrong", &h, body, 1_700_000_100, 300));
        assert!(!verify("whsec_right", &h, b"{}", 1_700_000_100, 300));
        assert!(!verify("whsec_right", &h, body, 1_700_001_000, 300));
        let forged = h.replace("t=1700000000", "t=1700000900");
        assert!(!verify("whsec_right", &forged, body, 1_700_000_900, 300));
        assert!(!verify("whsec_right", "v1=zz", body, 0, 300));
    }
}
