//! Authentication: auth identities, their email/password provider identities, login
//! throttling (`throttle.rs`), the password-hashing gate (`gate.rs`) and server-side
//! sessions. Knows nothing of customers or users: an identity's
//! `app_metadata` holds `customer_id` / `user_id`, written by the flows that create them.
//!
//! Tables `auth_identity`, `auth_provider_identity`, `auth_session`, `auth_login_attempt`. Password hashes never
//! leave this module except as [`EmailpassRecord::password_hash`] for verification.

pub mod config;
pub mod gate;
pub mod password;
pub mod throttle;
pub mod token;

pub use config::AuthConfig;
pub use throttle::Throttle;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The module: tables `auth*`.
pub fn module() -> Module {
    Module::new("auth", "auth")
        .migration(migration!("auth", "0001_init.sql"))
        .migration(migration!("auth", "0002_login_throttle.sql"))
}

/// The email/password provider's name.
pub const EMAILPASS: &str = "emailpass";

/// Who a token or session speaks for (Medusa's `auth_context`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthContext {
    /// `cus_…` / `user_…`, or empty for a registration token.
    pub actor_id: String,
    /// `customer`, `user`.
    pub actor_type: String,
    /// `authid_…`
    pub auth_identity_id: String,
    /// The identity's app metadata (`customer_id`, `user_id`).
    #[serde(default)]
    pub app_metadata: Map<String, Value>,
}

impl AuthContext {
    /// The context of `actor_type` for an identity: `actor_id` is
    /// `app_metadata["<actor_type>_id"]`, empty when that actor does not exist yet.
    pub fn for_identity(
        auth_identity_id: &str,
        actor_type: &str,
        app_metadata: Map<String, Value>,
    ) -> Self {
        let actor_id = app_metadata
            .get(&format!("{actor_type}_id"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        AuthContext {
            actor_id,
            actor_type: actor_type.to_string(),
            auth_identity_id: auth_identity_id.to_string(),
            app_metadata,
        }
    }

    /// JWT claims for this context: the context plus `iat` and `exp` (seconds).
    pub fn claims(&self, now_secs: i64, ttl_secs: i64) -> Value {
        json!({
            "actor_id": self.actor_id,
            "actor_type": self.actor_type,
            "auth_identity_id": self.auth_identity_id,
            "app_metadata": self.app_metadata,
            "iat": now_secs,
            "exp": now_secs + ttl_secs,
        })
    }

    /// The context carried by verified JWT claims; `None` when a field is missing.
    pub fn from_claims(claims: &Value) -> Option<Self> {
        Some(AuthContext {
            actor_id: claims.get("actor_id")?.as_str()?.to_string(),
            actor_type: claims.get("actor_type")?.as_str()?.to_string(),
            auth_identity_id: claims.get("auth_identity_id")?.as_str()?.to_string(),
            app_metadata: claims
                .get("app_metadata")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        })
    }
}

/// An email/password identity as login needs it.
#[derive(Debug, Clone)]
pub struct EmailpassRecord {
    /// `authpi_…`
    pub provider_identity_id: String,
    /// `authid_…`
    pub auth_identity_id: String,
    /// argon2 PHC string (verify it outside any write job).
    pub password_hash: String,
    /// The identity's app metadata.
    pub app_metadata: Map<String, Value>,
}

fn parse_metadata(text: &str) -> Map<String, Value> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The emailpass identity of `email` (already normalized), if any.
///
/// # Errors
/// Database failures.
pub fn find_emailpass(conn: &Connection, email: &str) -> Result<Option<EmailpassRecord>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT p.id, p.auth_identity_id, p.password_hash, i.app_metadata
             FROM auth_provider_identity p JOIN auth_identity i ON i.id = p.auth_identity_id
             WHERE p.entity_id = ?1 AND p.provider = ?2 AND p.deleted_at IS NULL",
        )?
        .query_row(params![email, EMAILPASS], |r| {
            Ok(EmailpassRecord {
                provider_identity_id: r.get(0)?,
                auth_identity_id: r.get(1)?,
                password_hash: r.get(2)?,
                app_metadata: parse_metadata(&r.get::<_, String>(3)?),
            })
        })
        .optional()?)
}

/// Creates an auth identity with an emailpass provider identity; returns the identity id.
///
/// # Errors
/// 401 "Identity with email already exists"; database failures.
pub fn create_emailpass(
    conn: &Connection,
    ctx: &Ctx,
    email: &str,
    password_hash: &str,
    app_metadata: &Map<String, Value>,
) -> Result<String> {
    if find_emailpass(conn, email)?.is_some() {
        return Err(Error::AuthFailed(
            "Identity with email already exists".into(),
        ));
    }
    let (identity_id, provider_id, now) = (ctx.id("authid"), ctx.id("authpi"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO auth_identity (id, app_metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?3)",
    )?
    .execute(params![
        identity_id,
        Value::from(app_metadata.clone()).to_string(),
        now
    ])?;
    conn.prepare_cached_static(
        "INSERT INTO auth_provider_identity
            (id, entity_id, provider, auth_identity_id, password_hash, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(params![
        provider_id,
        email,
        EMAILPASS,
        identity_id,
        password_hash,
        now
    ])?;
    Ok(identity_id)
}

/// The app metadata of an identity.
///
/// # Errors
/// 404 when the identity does not exist.
pub fn app_metadata(conn: &Connection, auth_identity_id: &str) -> Result<Map<String, Value>> {
    conn.prepare_cached_static(
        "SELECT app_metadata FROM auth_identity WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .query_row([auth_identity_id], |r| r.get::<_, String>(0))
    .optional()?
    .map(|text| parse_metadata(&text))
    .ok_or_else(|| Error::not_found("Auth identity", auth_identity_id))
}

/// Sets `app_metadata[key] = value` on an identity.
///
/// # Errors
/// 404 when the identity does not exist.
pub fn set_app_metadata(
    conn: &Connection,
    ctx: &Ctx,
    auth_identity_id: &str,
    key: &str,
    value: &str,
) -> Result<()> {
    let mut metadata = app_metadata(conn, auth_identity_id)?;
    metadata.insert(key.to_string(), Value::from(value));
    conn.prepare_cached_static(
        "UPDATE auth_identity SET app_metadata = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![
        auth_identity_id,
        Value::from(metadata).to_string(),
        ctx.now()
    ])?;
    Ok(())
}

/// Detaches a deleted actor from its identity: removes `app_metadata[key]` wherever it is
/// `value` and, as Medusa's remove-account workflows do, deletes an identity that no other
/// actor (`customer_id`, `user_id`) uses any more, with its provider identities — so the
/// email can register afresh, with a new password.
///
/// # Errors
/// Database failures.
pub fn forget_actor(conn: &Connection, ctx: &Ctx, key: &str, value: &str) -> Result<()> {
    let (path, now) = (format!("$.{key}"), ctx.now());
    let identities: Vec<String> = conn
        .prepare_cached_static(
            "SELECT id FROM auth_identity WHERE deleted_at IS NULL
             AND json_extract(app_metadata, ?1) = ?2",
        )?
        .query_map(params![path, value], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in identities {
        conn.prepare_cached_static(
            "UPDATE auth_identity SET app_metadata = json_remove(app_metadata, ?2), updated_at = ?3
             WHERE id = ?1",
        )?
        .execute(params![id, path, now])?;
        let unused = conn
            .prepare_cached_static(
                "SELECT json_extract(app_metadata, '$.customer_id') IS NULL
                    AND json_extract(app_metadata, '$.user_id') IS NULL
                 FROM auth_identity WHERE id = ?1",
            )?
            .query_row([&id], |r| r.get::<_, bool>(0))?;
        if unused {
            conn.prepare_cached_static(
                "UPDATE auth_provider_identity SET deleted_at = ?2, updated_at = ?2
                 WHERE auth_identity_id = ?1 AND deleted_at IS NULL",
            )?
            .execute(params![id, now])?;
            conn.prepare_cached_static("UPDATE auth_identity SET deleted_at = ?2 WHERE id = ?1")?
                .execute(params![id, now])?;
        }
    }
    Ok(())
}

/// Replaces a provider identity's hash with a stronger one of the same password, unless the
/// password changed meanwhile (the caller verified `old`).
///
/// # Errors
/// Database failures.
pub fn upgrade_hash(
    conn: &Connection,
    ctx: &Ctx,
    provider_identity_id: &str,
    old: &str,
    new: &str,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE auth_provider_identity SET password_hash = ?3, updated_at = ?4
         WHERE id = ?1 AND password_hash = ?2",
    )?
    .execute(params![provider_identity_id, old, new, ctx.now()])?;
    Ok(())
}

/// Replaces the password hash of an identity's emailpass provider identity.
///
/// # Errors
/// 404 when the identity has no emailpass provider identity.
pub fn set_password(
    conn: &Connection,
    ctx: &Ctx,
    auth_identity_id: &str,
    hash: &str,
) -> Result<()> {
    let changed = conn
        .prepare_cached_static(
            "UPDATE auth_provider_identity
             SET password_hash = ?2, updated_at = ?3
             WHERE auth_identity_id = ?1 AND provider = ?4 AND deleted_at IS NULL",
        )?
        .execute(params![auth_identity_id, hash, ctx.now(), EMAILPASS])?;
    if changed == 0 {
        return Err(Error::not_found("Auth identity", auth_identity_id));
    }
    Ok(())
}

/// The emailpass password hash of an identity (to fingerprint reset tokens).
///
/// # Errors
/// Database failures.
pub fn password_hash_of(conn: &Connection, auth_identity_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached_static(
            "SELECT password_hash FROM auth_provider_identity
             WHERE auth_identity_id = ?1 AND provider = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![auth_identity_id, EMAILPASS], |r| r.get(0))
        .optional()?)
}

/// Stores a session `sid` holding `context` until `expires_at_ms`.
///
/// # Errors
/// Database failures.
pub fn create_session(
    conn: &Connection,
    ctx: &Ctx,
    sid: &str,
    context: &AuthContext,
    expires_at_ms: i64,
) -> Result<()> {
    conn.prepare_cached_static(
        "INSERT INTO auth_session (id, auth_context, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![sid, serde_json::to_string(context)?, expires_at_ms, ctx.now()])?;
    Ok(())
}

/// The context of a live session.
///
/// # Errors
/// Database failures.
pub fn find_session(conn: &Connection, sid: &str, now_ms: i64) -> Result<Option<AuthContext>> {
    let text: Option<String> = conn
        .prepare_cached_static(
            "SELECT auth_context FROM auth_session WHERE id = ?1 AND expires_at > ?2",
        )?
        .query_row(params![sid, now_ms], |r| r.get(0))
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Ends a session (and sweeps expired ones).
///
/// # Errors
/// Database failures.
pub fn delete_session(conn: &Connection, sid: &str, now_ms: i64) -> Result<()> {
    conn.prepare_cached_static("DELETE FROM auth_session WHERE id = ?1 OR expires_at <= ?2")?
        .execute(params![sid, now_ms])?;
    Ok(())
}

#[cfg(test)]
mod tests;

/// `(provider, entity_id)` of every live provider identity of the live identities whose
/// `app_metadata[key]` is `value` (`("user_id", "user_…")`: how a user signs in).
///
/// # Errors
/// Database failures.
pub fn providers_of_actor(
    conn: &Connection,
    key: &str,
    value: &str,
) -> Result<Vec<(String, String)>> {
    let path = format!("$.{key}");
    let mut stmt = conn.prepare_cached_static(
        "SELECT p.provider, p.entity_id FROM auth_provider_identity p
         JOIN auth_identity i ON i.id = p.auth_identity_id
         WHERE i.deleted_at IS NULL AND p.deleted_at IS NULL
           AND json_extract(i.app_metadata, ?1) = ?2
         ORDER BY p.provider, p.id",
    )?;
    let rows = stmt.query_map(params![path, value], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
