//! The till's own sign-in: the admin UI's session machinery (`auth_session` rows of a user
//! identity, HMAC-signed cookie, per-session CSRF token, login CSRF nonce) under a sibling
//! cookie `stockroom_pos` scoped to `Path=/pos` with purposes of its own (`pos-session`,
//! `pos-csrf`, `pos-signin`), so neither UI's cookie or token is valid in the other. Sign-in
//! is `flows::auth::login` itself (throttle, hashing gate, same answer for unknown email and
//! wrong password) and rotates the session.

use crate::crypto::random_hex;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::auth as auth_flow;
use crate::http::form::Form;
use crate::http::ui::respond::{self, html_page};
use crate::http::ui::session::{AppSession, cookie, over_tls, tag, tag_matches};
use crate::http::{Access, Request, Response, Route};
use maud::html;

/// The till's session cookie.
pub const COOKIE: &str = "stockroom_pos";
/// The till's sign-in nonce cookie.
pub const SIGNIN_COOKIE: &str = "stockroom_pos_signin";

/// A till cookie (`Path=/pos`, `HttpOnly`, `SameSite=Strict`, `Secure` over TLS).
pub(crate) fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/pos; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}")
}

fn signed_sid(engine: &Engine, request: &Request) -> Option<String> {
    let (sid, sig) = cookie(request, COOKIE)?.rsplit_once('.')?;
    tag_matches(&engine.auth().cookie_secret, "pos-session", sid, sig).then(|| sid.to_string())
}

/// The live staff session of a till request, if any.
///
/// # Errors
/// Database failures.
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
    let csrf = tag(&engine.auth().cookie_secret, "pos-csrf", &sid);
    Ok(Some(AppSession {
        sid,
        user_id: context.actor_id,
        csrf,
    }))
}

/// Whether `next` is a till path safe to return to after sign-in.
pub fn is_safe_next(next: &str) -> bool {
    let Some(rest) = next.strip_prefix("/pos") else {
        return false;
    };
    (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
        && !next.contains("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 512
}

/// The redirect of a signed-out visit.
pub fn to_sign_in(request: &Request) -> Response {
    let next = respond::here(request);
    if request.method == "GET" && is_safe_next(&next) && next != "/pos" {
        respond::redirect(&format!("/pos/sign-in?next={}", respond::encode(&next)))
    } else {
        respond::redirect("/pos/sign-in")
    }
}

/// Sign-in and sign-out routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/pos/sign-in",
            Access::Public,
            "Till sign-in page",
            |e, r| Ok(show(e, r).unwrap_or_else(|err| super::error_page(&err))),
        ),
        Route::new(
            "POST",
            "/pos/sign-in",
            Access::Public,
            "Till sign-in",
            |e, r| Ok(sign_in(e, r).unwrap_or_else(|err| super::error_page(&err))),
        ),
        super::pos_route(
            "POST",
            "/pos/sign-out",
            "Till sign-out",
            |engine, request, ui| {
                auth_flow::end_session(engine, &ui.session.sid)?;
                Ok(respond::redirect("/pos/sign-in")
                    .with_header(
                        "Set-Cookie",
                        cookie_header(COOKIE, "", 0, over_tls(request)),
                    )
                    .with_header("Set-Cookie", super::staff::clear_cookie(request)))
            },
        ),
    ]
}

fn destination(next: Option<&str>) -> &str {
    next.filter(|n| is_safe_next(n)).unwrap_or("/pos")
}

fn show(engine: &Engine, request: &Request) -> Result<Response> {
    let next = destination(request.query_str("next"));
    if current(engine, request)?.is_some() {
        return Ok(respond::redirect(next));
    }
    Ok(form_page(engine, request, 200, next, "", None))
}

fn form_page(
    engine: &Engine,
    request: &Request,
    status: u16,
    next: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let nonce = random_hex(16);
    let token = tag(&engine.auth().cookie_secret, "pos-signin", &nonce);
    let markup = super::layout::bare(
        "Sign in to the till",
        html! {
            h1 { "Sign in to the till" }
            @if let Some(message) = error {
                div class="notice error" role="alert" { (message) }
            }
            form method="post" action="/pos/sign-in" {
                input type="hidden" name="_signin" value=(token);
                input type="hidden" name="next" value=(next);
                div class="field" {
                    label for="email" { "Email" }
                    input id="email" name="email" type="email" autocomplete="username" required autofocus value=(email);
                }
                div class="field" {
                    label for="password" { "Password" }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                button type="submit" { "Sign in" }
            }
        },
    );
    html_page(status, markup).with_header(
        "Set-Cookie",
        cookie_header(SIGNIN_COOKIE, &nonce, 3600, over_tls(request)),
    )
}

fn sign_in(engine: &Engine, request: &Request) -> Result<Response> {
    let form = Form::of(request)?;
    let nonce_ok = match (cookie(request, SIGNIN_COOKIE), form.get("_signin")) {
        (Some(nonce), Some(token)) if !nonce.is_empty() => {
            tag_matches(&engine.auth().cookie_secret, "pos-signin", nonce, token)
        }
        _ => false,
    };
    if !nonce_ok {
        return Ok(super::forbidden());
    }
    let next = destination(form.get("next")).to_string();
    let email = form.get("email").unwrap_or("");
    let password = form.get("password").unwrap_or("");
    let refused = |status: u16, message: &str| {
        form_page(engine, request, status, &next, email, Some(message))
    };
    let context = match crate::http::ui::sign_in::staff_login(engine, request, email, password)? {
        Ok(context) => context,
        Err(refusal) => return Ok(refusal.show(refused)),
    };
    if let Some(old) = signed_sid(engine, request) {
        auth_flow::end_session(engine, &old)?;
    }
    let sid = auth_flow::start_session(engine, &context)?;
    let tls = over_tls(request);
    let value = format!(
        "{sid}.{}",
        tag(&engine.auth().cookie_secret, "pos-session", &sid)
    );
    Ok(respond::redirect(&next)
        .with_header(
            "Set-Cookie",
            cookie_header(COOKIE, &value, engine.auth().session_ttl_secs, tls),
        )
        .with_header("Set-Cookie", cookie_header(SIGNIN_COOKIE, "", 0, tls)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_a_till_path() {
        assert!(is_safe_next("/pos"));
        assert!(is_safe_next("/pos/till/T1"));
        assert!(!is_safe_next("/app"));
        assert!(!is_safe_next("/pos//evil.example"));
        assert!(!is_safe_next("/possibly"));
        assert!(!is_safe_next("https://evil.example/pos"));
    }

    #[test]
    fn cookies_are_scoped_to_the_till() {
        assert_eq!(
            cookie_header(COOKIE, "v", 60, false),
            "stockroom_pos=v; Path=/pos; Max-Age=60; HttpOnly; SameSite=Strict"
        );
    }
}
