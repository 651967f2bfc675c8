//! JSON Web Tokens, HS256 only: what Medusa issues by default (`jwtSecret`, `jwtExpiresIn`
//! one day). Verification checks the header's algorithm, the signature in constant time
//! (`hmac`'s `verify_slice`) and `exp` against the engine clock.

use crate::crypto::{b64url, b64url_decode, hmac_sha256, hmac_sha256_verify};
use serde_json::{Value, json};

/// Signs `claims` (a JSON object) with `secret`.
pub fn sign(secret: &[u8], claims: &Value) -> String {
    let header = b64url(json!({"alg": "HS256", "typ": "JWT"}).to_string().as_bytes());
    let payload = b64url(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{payload}");
    let signature = b64url(&hmac_sha256(secret, signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// The claims of `token` if it is an HS256 JWT signed with `secret` whose `exp` (seconds) is
/// after `now_secs`; `None` for anything else (malformed, other algorithm, tampered, expired,
/// no `exp`).
pub fn verify(secret: &[u8], token: &str, now_secs: i64) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&b64url_decode(header)?).ok()?;
    if header.get("alg")?.as_str()? != "HS256" {
        return None;
    }
    let signing_input_len = token.len() - signature.len() - 1;
    let signing_input = token.get(..signing_input_len)?;
    if !hmac_sha256_verify(secret, signing_input.as_bytes(), &b64url_decode(signature)?) {
        return None;
    }
    let claims: Value = serde_json::from_slice(&b64url_decode(payload)?).ok()?;
    let exp = claims.get("exp")?.as_i64()?;
    (exp > now_secs).then_some(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip_until_expiry() {
        let token = sign(SECRET, &json!({"actor_id": "cus_1", "exp": 100}));
        assert_eq!(verify(SECRET, &token, 99).unwrap()["actor_id"], "cus_1");
        assert!(verify(SECRET, &token, 100).is_none());
    }

    #[test]
    fn tampering_and_other_secrets_fail() {
        let token = sign(SECRET, &json!({"actor_id": "cus_1", "exp": 100}));
        let forged_payload = b64url(br#"{"actor_id":"cus_2","exp":100}"#);
        let mut parts: Vec<&str> = token.split('.').collect();
        parts[1] = &forged_payload;
        assert!(verify(SECRET, &parts.join("."), 0).is_none());
        assert!(verify(b"another secret of enough length!!", &token, 0).is_none());
        assert!(verify(SECRET, "a.b", 0).is_none());
        assert!(verify(SECRET, &format!("{token}.x"), 0).is_none());
    }

    #[test]
    fn alg_none_is_refused() {
        let header = b64url(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = b64url(br#"{"actor_id":"cus_1","exp":100}"#);
        assert!(verify(SECRET, &format!("{header}.{payload}."), 0).is_none());
    }
}
