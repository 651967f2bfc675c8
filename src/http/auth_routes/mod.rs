//! `/auth` routes (reference §3): email/password register and login for customers and users,
//! token refresh, session cookies, and the password-reset flow. Handlers parse and delegate to
//! `flows::auth`; every failure of a login is the same 401.

use super::auth::{auth_context, bearer_context, bearer_token, session_id};
use super::session;
use super::{Access, Request, Response, Route};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::auth as flow;
use serde_json::{Value, json};

/// The `/auth` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/auth/:actor_type/emailpass/register",
            Access::Public,
            "Register an email/password identity",
            register,
        ),
        Route::new(
            "POST",
            "/auth/:actor_type/emailpass",
            Access::Public,
            "Log in with email and password",
            login,
        ),
        Route::new(
            "POST",
            "/auth/token/refresh",
            Access::Public,
            "Refresh an auth token",
            refresh,
        ),
        Route::new(
            "POST",
            "/auth/session",
            Access::Public,
            "Exchange a token for a session cookie",
            create_session,
        ),
        Route::new(
            "DELETE",
            "/auth/session",
            Access::Public,
            "End the session",
            delete_session,
        ),
        Route::new(
            "POST",
            "/auth/:actor_type/emailpass/reset-password",
            Access::Public,
            "Request a password reset",
            reset_password,
        ),
        Route::new(
            "POST",
            "/auth/:actor_type/emailpass/update",
            Access::Public,
            "Set a new password with a reset token",
            update_password,
        ),
        Route::new(
            "GET",
            "/auth/mfa/factors",
            Access::Public,
            "The signed-in identity's multi-factor factors",
            mfa_factors,
        ),
        Route::new(
            "GET",
            "/auth/:actor_type/providers",
            Access::Public,
            "Auth providers an actor type can log in with",
            providers,
        ),
    ]
}

/// Medusa 2.21.2's `GET /auth/:actor_type/providers` (the admin dashboard asks it whether to
/// show the email/password form): `{providers: [{id, identifier, display_name, flow}]}`.
/// This store's one provider is `emailpass`, for the actor types it serves; other actor
/// types get an empty list (Medusa lists every registered provider for an actor type without
/// an `authMethodsPerActor` entry, but here they could not log in with it).
fn providers(_: &Engine, request: &Request) -> Result<Response> {
    let providers: Vec<Value> = if flow::ACTOR_TYPES.contains(&request.param("actor_type")) {
        vec![json!({
            "id": "emailpass",
            "identifier": "emailpass",
            "display_name": "Email/Password Authentication",
            "flow": "credentials",
        })]
    } else {
        Vec::new()
    };
    Ok(Response::json(json!({ "providers": providers })))
}

/// Medusa 2.21.2's `GET /auth/mfa/factors` for any signed-in identity (session or bearer),
/// which the dashboard's profile page lists: this store has no multi-factor provider, so no
/// identity has a factor enrolled. Signed out: 401, as Medusa.
fn mfa_factors(engine: &Engine, request: &Request) -> Result<Response> {
    let signed_in = match session_id(engine, request) {
        Some(sid) => flow::session_context(engine, &sid)?.is_some(),
        None => false,
    } || bearer_context(engine, request).is_some();
    if !signed_in {
        return Err(Error::Unauthorized);
    }
    Ok(Response::json(json!({ "mfa_factors": [] })))
}

fn actor_type(request: &Request) -> Result<&str> {
    let actor = request.param("actor_type");
    if flow::ACTOR_TYPES.contains(&actor) {
        Ok(actor)
    } else {
        Err(Error::not_allowed(format!(
            "The actor type {actor} is not allowed to use the auth provider emailpass"
        )))
    }
}

/// `email` and `password` as Medusa's emailpass provider reads them (401 for non-strings).
fn credentials(request: &Request) -> Result<(String, String)> {
    let body = request.json()?;
    let text = |key: &str, what: &str| match body.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(Error::AuthFailed(format!("{what} should be a string"))),
    };
    Ok((text("email", "Email")?, text("password", "Password")?))
}

fn register(engine: &Engine, request: &Request) -> Result<Response> {
    let actor = actor_type(request)?;
    let (email, password) = credentials(request)?;
    let token = flow::register(engine, actor, &email, &password, request.remote_addr)?;
    Ok(Response::json(json!({ "token": token })))
}

fn login(engine: &Engine, request: &Request) -> Result<Response> {
    let actor = actor_type(request)?;
    let (email, password) =
        credentials(request).map_err(|_| Error::AuthFailed(flow::INVALID_CREDENTIALS.into()))?;
    let token = flow::login(engine, actor, &email, &password, request.remote_addr)?;
    Ok(Response::json(json!({ "token": token })))
}

fn refresh(engine: &Engine, request: &Request) -> Result<Response> {
    let context = bearer_context(engine, request).ok_or(Error::Unauthorized)?;
    let token = flow::refresh(engine, &context)?;
    Ok(Response::json(json!({ "token": token })))
}

fn create_session(engine: &Engine, request: &Request) -> Result<Response> {
    let context = bearer_context(engine, request).ok_or(Error::Unauthorized)?;
    let sid = flow::start_session(engine, &context)?;
    let config = engine.auth();
    let cookie = session::set_cookie(&sid, &config.cookie_secret, config.session_ttl_secs);
    Ok(Response::json(json!({ "user": context })).with_header("Set-Cookie", cookie))
}

fn delete_session(engine: &Engine, request: &Request) -> Result<Response> {
    if let Some(sid) = session_id(engine, request) {
        flow::end_session(engine, &sid)?;
    }
    Ok(Response::json(json!({ "success": true }))
        .with_header("Set-Cookie", session::clear_cookie()))
}

fn reset_password(engine: &Engine, request: &Request) -> Result<Response> {
    let actor = actor_type(request)?;
    let body = request.json()?;
    let identifier = body.get("identifier").and_then(Value::as_str).unwrap_or("");
    // The token is delivered by the `auth.password_reset` event (the notification module's
    // `password-reset` mail); the answer is 201 whether or not the identity exists.
    let _token = flow::request_password_reset(engine, actor, identifier)?;
    Ok(Response::empty(201))
}

fn update_password(engine: &Engine, request: &Request) -> Result<Response> {
    let actor = actor_type(request)?;
    let token = bearer_token(request)
        .or_else(|| request.query_str("token"))
        .ok_or_else(|| Error::AuthFailed("Invalid token".into()))?;
    let body = request.json()?;
    let password = body.get("password").and_then(Value::as_str).unwrap_or("");
    flow::reset_password(engine, actor, token, password)?;
    Ok(Response::json(json!({ "success": true })))
}

/// The registration context of `actor_type` a route like `POST /store/customers` needs:
/// a verified token or session of that actor type, bound or not.
///
/// # Errors
/// Bare 401 when there is none.
pub fn require_context(
    engine: &Engine,
    request: &Request,
    actor: &str,
) -> Result<crate::modules::auth::AuthContext> {
    auth_context(engine, request, actor)?.ok_or(Error::Unauthorized)
}
