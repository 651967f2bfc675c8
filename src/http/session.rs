//! The session cookie: `connect.sid=s:<sid>.<signature>` as express-session writes it
//! (`:` percent-encoded), the signature being HMAC-SHA256 of the session id under
//! `COOKIE_SECRET`, checked in constant time. The session itself lives in `auth_session`.

use crate::crypto::{b64url, b64url_decode, hmac_sha256, hmac_sha256_verify};

/// The cookie's name (Medusa's default).
pub const COOKIE_NAME: &str = "connect.sid";

/// The `Set-Cookie` value for a new session of `max_age_secs`.
pub fn set_cookie(sid: &str, secret: &str, max_age_secs: i64) -> String {
    let signature = b64url(&hmac_sha256(secret.as_bytes(), sid.as_bytes()));
    format!(
        "{COOKIE_NAME}=s%3A{sid}.{signature}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax"
    )
}

/// The `Set-Cookie` value that clears the session cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// The session id of a `Cookie` header whose session cookie carries a valid signature.
pub fn session_id(cookie_header: &str, secret: &str) -> Option<String> {
    let value = cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)?
        .1;
    let value = value
        .strip_prefix("s%3A")
        .or_else(|| value.strip_prefix("s:"))?;
    let (sid, signature) = value.rsplit_once('.')?;
    let valid = hmac_sha256_verify(
        secret.as_bytes(),
        sid.as_bytes(),
        &b64url_decode(signature)?,
    );
    valid.then(|| sid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookie_of(set_cookie: &str) -> String {
        set_cookie.split(';').next().unwrap().to_string()
    }

    #[test]
    fn signed_cookie_round_trips() {
        let header = format!("a=b; {}", cookie_of(&set_cookie("abc", "secret", 10)));
        assert_eq!(session_id(&header, "secret").as_deref(), Some("abc"));
        assert_eq!(session_id(&header, "other"), None);
    }

    #[test]
    fn tampered_or_unsigned_cookies_are_ignored() {
        let good = cookie_of(&set_cookie("abc", "secret", 10));
        let forged = good.replace("abc", "abd");
        assert_eq!(session_id(&forged, "secret"), None);
        assert_eq!(session_id("connect.sid=abc", "secret"), None);
        assert_eq!(session_id("", "secret"), None);
    }

    #[test]
    fn attributes_are_http_only_and_lax() {
        let header = set_cookie("abc", "secret", 36000);
        assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax"));
        assert!(header.contains("Max-Age=36000"));
    }
}
