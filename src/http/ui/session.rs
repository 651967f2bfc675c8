//! The admin UI's own session and CSRF tokens.
//!
//! * The session cookie `stockroom_app=<sid>.<sig>` (`Path=/app`, `HttpOnly`,
//!   `SameSite=Strict`, `Max-Age` = the engine's session lifetime, `Secure` when the request
//!   came over TLS as a proxy reports it with `X-Forwarded-Proto: https`). `sig` is
//!   HMAC-SHA256 of the sid under the cookie secret with a purpose prefix of its own, so the
//!   API's `connect.sid` value is never a valid UI cookie. The session row is the auth module's
//!   `auth_session` (same expiry, same `end_session`), and it must belong to a bound `user`
//!   identity: a customer session never reaches `/app`.
//! * The CSRF token of a session is HMAC-SHA256(cookie secret, `app-csrf:` + sid): one per
//!   session, nothing stored, compared in constant time. Every POST under `/app` carries it in
//!   the `_csrf` field.
//! * Before sign-in there is no session, so the sign-in form is bound to a random nonce in a
//!   short-lived `stockroom_app_signin` cookie (token = HMAC of the nonce): a page on another
//!   site cannot sign the browser into an account of its choosing.

use crate::crypto::{
    b64url, b64url_decode, constant_time_eq, hmac_sha256, hmac_sha256_verify, random_hex,
};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::auth as auth_flow;
use crate::http::Request;

/// The session cookie's name.
pub const COOKIE: &str = "stockroom_app";
/// The sign-in nonce cookie's name.
pub const SIGNIN_COOKIE: &str = "stockroom_app_signin";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
/// How long a sign-in form stays usable.
const SIGNIN_TTL_SECS: i64 = 3600;

/// A signed-in staff member's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSession {
    /// The `auth_session` id.
    pub sid: String,
    /// The signed-in user (`user_…`).
    pub user_id: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl AppSession {
    /// Whether `submitted` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), self.csrf.as_bytes()))
    }
}

pub(crate) fn tag(secret: &str, purpose: &str, value: &str) -> String {
    b64url(&hmac_sha256(
        secret.as_bytes(),
        format!("{purpose}:{value}").as_bytes(),
    ))
}

pub(crate) fn tag_matches(secret: &str, purpose: &str, value: &str, submitted: &str) -> bool {
    let message = format!("{purpose}:{value}");
    b64url_decode(submitted)
        .is_some_and(|given| hmac_sha256_verify(secret.as_bytes(), message.as_bytes(), &given))
}

/// A cookie's value from the request's `Cookie` header.
pub fn cookie<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .header("cookie")?
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the request reached us over TLS (as a TLS-terminating proxy reports it).
pub fn over_tls(request: &Request) -> bool {
    request
        .header("x-forwarded-proto")
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/app; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

/// The `Set-Cookie` of a new session.
pub fn set_session_cookie(engine: &Engine, sid: &str, secure: bool) -> String {
    let config = engine.auth();
    let value = format!("{sid}.{}", tag(&config.cookie_secret, "app-session", sid));
    cookie_header(COOKIE, &value, config.session_ttl_secs, secure)
}

/// The `Set-Cookie` that forgets the session.
pub fn clear_session_cookie(secure: bool) -> String {
    cookie_header(COOKIE, "", 0, secure)
}

/// The session id of a validly signed session cookie (the session may have ended).
pub fn signed_sid(engine: &Engine, request: &Request) -> Option<String> {
    let (sid, sig) = cookie(request, COOKIE)?.rsplit_once('.')?;
    tag_matches(&engine.auth().cookie_secret, "app-session", sid, sig).then(|| sid.to_string())
}

/// The live staff session of the request, if any.
///
/// # Errors
/// Database failures reading the session.
pub fn current(engine: &Engine, request: &Request) -> Result<Option<AppSession>> {
    let Some(sid) = signed_sid(engine, request) else {
        return Ok(None);
    };
    let Some(context) = auth_flow::session_context(engine, &sid)? else {
        return Ok(None);
    };
    if context.actor_type != "user" || context.actor_id.is_empty() {
        return Ok(None);
    }
    let csrf = tag(&engine.auth().cookie_secret, "app-csrf", &sid);
    Ok(Some(AppSession {
        sid,
        user_id: context.actor_id,
        csrf,
    }))
}

/// A fresh sign-in nonce and its `Set-Cookie`.
pub fn new_signin_nonce(secure: bool) -> (String, String) {
    let nonce = random_hex(16);
    let header = cookie_header(SIGNIN_COOKIE, &nonce, SIGNIN_TTL_SECS, secure);
    (nonce, header)
}

/// The token the sign-in form carries for `nonce`.
pub fn signin_token(engine: &Engine, nonce: &str) -> String {
    tag(&engine.auth().cookie_secret, "app-signin", nonce)
}

/// Whether the sign-in form's token matches the request's nonce cookie.
pub fn signin_token_matches(engine: &Engine, request: &Request, submitted: Option<&str>) -> bool {
    match (cookie(request, SIGNIN_COOKIE), submitted) {
        (Some(nonce), Some(token)) if !nonce.is_empty() => {
            tag_matches(&engine.auth().cookie_secret, "app-signin", nonce, token)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with_cookie(cookie: &str) -> Request {
        Request {
            headers: vec![("cookie".into(), cookie.into())],
            ..Request::default()
        }
    }

    #[test]
    fn cookies_are_strict_http_only_and_scoped_to_app() {
        let header = cookie_header(COOKIE, "v", 60, false);
        assert_eq!(
            header,
            "stockroom_app=v; Path=/app; Max-Age=60; HttpOnly; SameSite=Strict"
        );
        assert!(cookie_header(COOKIE, "v", 60, true).ends_with("; Secure"));
    }

    #[test]
    fn reads_one_cookie_among_many() {
        let request = request_with_cookie("a=1; stockroom_app=xyz.sig; b=2");
        assert_eq!(cookie(&request, COOKIE), Some("xyz.sig"));
        assert_eq!(cookie(&request, "c"), None);
    }

    #[test]
    fn tags_depend_on_purpose_and_value() {
        let t = tag("secret", "app-csrf", "sid1");
        assert!(tag_matches("secret", "app-csrf", "sid1", &t));
        assert!(!tag_matches("secret", "app-session", "sid1", &t));
        assert!(!tag_matches("secret", "app-csrf", "sid2", &t));
        assert!(!tag_matches("other", "app-csrf", "sid1", &t));
        assert!(!tag_matches("secret", "app-csrf", "sid1", "not base64!"));
    }

    #[test]
    fn csrf_compare_refuses_missing_and_wrong_tokens() {
        let session = AppSession {
            sid: "s".into(),
            user_id: "user_1".into(),
            csrf: "token".into(),
        };
        assert!(session.csrf_matches(Some("token")));
        assert!(!session.csrf_matches(Some("tokem")));
        assert!(!session.csrf_matches(Some("")));
        assert!(!session.csrf_matches(None));
    }
}
