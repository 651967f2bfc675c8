//! Authentication flows: tokens, sessions and the password-reset token; email/password
//! registration and login (throttled per identity and client address) are in
//! `auth_login.rs`. Slow work (argon2) always runs on the calling thread, under the hashing
//! gate, **before** any write job, never inside one.

use crate::crypto;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::auth::{self, AuthContext, password, token};
use serde_json::{Value, json};

pub use super::auth_login::{IDENTITY_EXISTS, gated, login, register};

/// The message of every failed login, whether the email exists or not.
pub const INVALID_CREDENTIALS: &str = "Invalid email or password";

/// Actor types that may authenticate with email and password.
pub const ACTOR_TYPES: &[&str] = &["customer", "user"];

/// Normalizes an email the way identities and customers store it.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn now_secs(engine: &Engine) -> i64 {
    engine.clock().now().div_euclid(1000)
}

/// A signed JWT for `context`, valid for the configured token lifetime.
pub fn mint_token(engine: &Engine, context: &AuthContext) -> String {
    let config = engine.auth();
    let claims = context.claims(now_secs(engine), config.token_ttl_secs);
    token::sign(config.jwt_secret.as_bytes(), &claims)
}

/// The context of a valid (signed, unexpired) auth token; `None` for anything else.
pub fn verify_token(engine: &Engine, jwt: &str) -> Option<AuthContext> {
    let claims = token::verify(engine.auth().jwt_secret.as_bytes(), jwt, now_secs(engine))?;
    AuthContext::from_claims(&claims)
}

/// A fresh token for the identity behind `context`, re-reading its app metadata (so a
/// registration token becomes bound once the actor exists).
///
/// # Errors
/// 401 when the identity no longer exists.
pub fn refresh(engine: &Engine, context: &AuthContext) -> Result<String> {
    let id = context.auth_identity_id.clone();
    let metadata = engine
        .store()
        .read(move |conn| auth::app_metadata(conn, &id))
        .map_err(|_| Error::Unauthorized)?;
    let fresh = AuthContext::for_identity(&context.auth_identity_id, &context.actor_type, metadata);
    Ok(mint_token(engine, &fresh))
}

/// Starts a server-side session for `context`; returns its id (random, 256 bits).
///
/// # Errors
/// Database failures.
pub fn start_session(engine: &Engine, context: &AuthContext) -> Result<String> {
    let sid = crypto::random_hex(32);
    let expires = engine.clock().now() + engine.auth().session_ttl_secs * 1000;
    let (ctx, context, id) = (engine.ctx().clone(), context.clone(), sid.clone());
    engine
        .store()
        .write(move |tx| auth::create_session(tx, &ctx, &id, &context, expires))?;
    Ok(sid)
}

/// The context of a live session.
///
/// # Errors
/// Database failures.
pub fn session_context(engine: &Engine, sid: &str) -> Result<Option<AuthContext>> {
    let now = engine.clock().now();
    engine
        .store()
        .read(|conn| auth::find_session(conn, sid, now))
}

/// Ends a session.
///
/// # Errors
/// Database failures.
pub fn end_session(engine: &Engine, sid: &str) -> Result<()> {
    let (sid, now) = (sid.to_string(), engine.clock().now());
    engine
        .store()
        .write(move |tx| auth::delete_session(tx, &sid, now))
}

fn password_fingerprint(hash: &str) -> String {
    crypto::sha256_hex(hash.as_bytes())[..16].to_string()
}

/// A password-reset token for the `actor_type` identity of `email`, or `None` when there is
/// no such identity (the HTTP answer is the same either way). The token is single-use: it
/// carries a fingerprint of the current password hash, which the update changes.
///
/// # Errors
/// Database failures.
pub fn request_password_reset(
    engine: &Engine,
    actor_type: &str,
    email: &str,
) -> Result<Option<String>> {
    let email = normalize_email(email);
    let Some(record) = engine
        .store()
        .read(|conn| auth::find_emailpass(conn, &email))?
    else {
        return Ok(None);
    };
    let now = now_secs(engine);
    let claims = json!({
        "purpose": "reset_password",
        "actor_type": actor_type,
        "auth_identity_id": record.auth_identity_id,
        "pwv": password_fingerprint(&record.password_hash),
        "iat": now,
        "exp": now + engine.auth().reset_ttl_secs,
    });
    let reset_token = token::sign(engine.auth().jwt_secret.as_bytes(), &claims);
    // Medusa's notification hook: a subscriber (a mailer) sends the token to the user.
    let (ctx, data) = (
        engine.ctx().clone(),
        json!({"entity_id": email, "actor_type": actor_type, "token": reset_token}),
    );
    engine
        .store()
        .write(move |tx| ctx.emit(tx, "auth.password_reset", data))?;
    Ok(Some(reset_token))
}

/// Sets a new password with a reset token from [`request_password_reset`].
///
/// # Errors
/// 401 "Invalid token" for a bad, expired, used or foreign token; 400 for an empty password.
pub fn reset_password(
    engine: &Engine,
    actor_type: &str,
    reset_token: &str,
    new: &str,
) -> Result<()> {
    let invalid = || Error::AuthFailed("Invalid token".into());
    let claims = token::verify(
        engine.auth().jwt_secret.as_bytes(),
        reset_token,
        now_secs(engine),
    )
    .ok_or_else(invalid)?;
    let field = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if field("purpose") != "reset_password" || field("actor_type") != actor_type {
        return Err(invalid());
    }
    if new.is_empty() {
        return Err(Error::invalid("Password is required"));
    }
    password::check_length(new)?;
    let identity = field("auth_identity_id");
    let current = engine
        .store()
        .read(|conn| auth::password_hash_of(conn, &identity))?
        .ok_or_else(invalid)?;
    if password_fingerprint(&current) != field("pwv") {
        return Err(invalid());
    }
    let cost = engine.auth().hash_cost;
    let hash = gated(engine, |memory| password::hash_in(new, cost, memory))??;
    let (ctx, expected) = (engine.ctx().clone(), field("pwv"));
    engine.store().write(move |tx| {
        // Re-checked inside the write: two concurrent uses of one token cannot both succeed.
        let current = auth::password_hash_of(tx, &identity)?.unwrap_or_default();
        if password_fingerprint(&current) != expected {
            return Err(Error::AuthFailed("Invalid token".into()));
        }
        auth::set_password(tx, &ctx, &identity, &hash)
    })
}
