//! API keys. Publishable keys (`pk_…`) identify a storefront and scope it to sales channels;
//! they are public by design and stored as is. Secret keys (`sk_…`) authenticate admin API
//! calls: the token is shown once, at creation, and stored only as HMAC-SHA256 under a
//! per-key random salt (checked in constant time).

use crate::crypto;
use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// The module: tables `api_key*`.
pub fn module() -> Module {
    Module::new("api_key", "api_key").migration(migration!("api_key", "0001_init.sql"))
}

/// An API key as Medusa shows it (the secret-key token is never part of this struct).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKey {
    /// `apk_…`
    pub id: String,
    /// The token for publishable keys; empty for secret keys.
    pub token: String,
    /// Display form (`pk_01…a3f`).
    pub redacted: String,
    /// Human title.
    pub title: String,
    /// `publishable` or `secret`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it was last used, if tracked.
    pub last_used_at: Option<String>,
    /// Actor that created it.
    pub created_by: String,
    /// Actor that revoked it.
    pub revoked_by: Option<String>,
    /// When it stops (stopped) being valid.
    pub revoked_at: Option<String>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

const COLUMNS: &str = "id, CASE type WHEN 'publishable' THEN token ELSE '' END, redacted, title, type, \
     last_used_at, created_by, revoked_by, revoked_at, created_at, updated_at, deleted_at";

fn from_row(r: &Row) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey {
        id: r.get(0)?,
        token: r.get(1)?,
        redacted: r.get(2)?,
        title: r.get(3)?,
        kind: r.get(4)?,
        last_used_at: r.get(5)?,
        created_by: r.get(6)?,
        revoked_by: r.get(7)?,
        revoked_at: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        deleted_at: r.get(11)?,
    })
}

/// Creates a publishable key. `token` lets fixtures pin a documented key; otherwise a fresh
/// `pk_` + 64 hex is generated.
///
/// # Errors
/// An empty title, a malformed or duplicate token; database failures.
pub fn create_publishable(
    conn: &Connection,
    ctx: &Ctx,
    title: &str,
    token: Option<&str>,
    created_by: &str,
) -> Result<ApiKey> {
    if title.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'title' is required"));
    }
    let token = match token {
        Some(t) if t.starts_with("pk_") && t.len() > 3 => t.to_string(),
        Some(_) => {
            return Err(Error::invalid(
                "A publishable key token must start with 'pk_'",
            ));
        }
        None => format!("pk_{}", ctx.ids.token_hex()),
    };
    let id = ctx.id("apk");
    let now = ctx.now();
    conn.prepare_cached_static(
        "INSERT INTO api_key (id, token, redacted, title, type, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'publishable', ?5, ?6, ?6)",
    )?
    .execute(params![id, token, redact(&token), title, created_by, now])?;
    retrieve(conn, &id)
}

/// A key by id.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<ApiKey> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM api_key WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("API key", id))
}

/// The publishable key with this token if it is valid at `now` (not revoked, or revoked
/// in the future).
///
/// # Errors
/// Database failures.
pub fn find_valid_publishable(conn: &Connection, token: &str, now: &str) -> Result<Option<ApiKey>> {
    Ok(conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {COLUMNS} FROM api_key
             WHERE token = ?1 AND type = 'publishable' AND deleted_at IS NULL
               AND (revoked_at IS NULL OR revoked_at > ?2)"
        ))?
        .query_row(params![token, now], from_row)
        .optional()?)
}

/// Creates a secret key; returns the key and its token, which is never retrievable again.
///
/// # Errors
/// An empty title; database failures.
pub fn create_secret(
    conn: &Connection,
    ctx: &Ctx,
    title: &str,
    created_by: &str,
) -> Result<(ApiKey, String)> {
    if title.trim().is_empty() {
        return Err(Error::invalid("Invalid request: Field 'title' is required"));
    }
    let token = format!("sk_{}", crypto::random_hex(32));
    let salt = crypto::random_hex(16);
    let stored = crypto::hex(&crypto::hmac_sha256(salt.as_bytes(), token.as_bytes()));
    let (id, now) = (ctx.id("apk"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO api_key (id, token, salt, redacted, title, type, created_by, created_at,
            updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'secret', ?6, ?7, ?7)",
    )?
    .execute(params![
        id,
        stored,
        salt,
        redact(&token),
        title,
        created_by,
        now
    ])?;
    Ok((retrieve(conn, &id)?, token))
}

/// The secret key whose token is `token`, if valid at `now`.
///
/// # Errors
/// Database failures.
pub fn find_valid_secret(conn: &Connection, token: &str, now: &str) -> Result<Option<ApiKey>> {
    if !token.starts_with("sk_") {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, token, salt FROM api_key
         WHERE type = 'secret' AND deleted_at IS NULL AND (revoked_at IS NULL OR revoked_at > ?1)",
    )?;
    let candidates = stmt.query_map([now], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for candidate in candidates {
        let (id, stored, salt) = candidate?;
        let Some(tag) = crypto::unhex(&stored) else {
            continue;
        };
        if crypto::hmac_sha256_verify(salt.as_bytes(), token.as_bytes(), &tag) {
            return retrieve(conn, &id).map(Some);
        }
    }
    Ok(None)
}

/// A page of live keys (of one type, and among `ids`, if given), oldest first, and the
/// count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    kind: Option<&str>,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<ApiKey>, u64)> {
    let filter = "deleted_at IS NULL AND (?1 IS NULL OR type = ?1)
        AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))";
    let ids = crate::modules::json_list(ids);
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM api_key WHERE {filter}"),
        params![kind, ids],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM api_key WHERE {filter} ORDER BY id LIMIT {limit} OFFSET {offset}"
    ))?;
    let rows = stmt.query_map(params![kind, ids], from_row)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

/// Revokes a key now.
///
/// # Errors
/// 404 when absent.
pub fn revoke(conn: &Connection, ctx: &Ctx, id: &str, revoked_by: &str) -> Result<ApiKey> {
    let now = ctx.now();
    let changed = conn
        .prepare_cached_static(
            "UPDATE api_key SET revoked_at = ?2, revoked_by = ?3, updated_at = ?2
             WHERE id = ?1 AND deleted_at IS NULL AND revoked_at IS NULL",
        )?
        .execute(params![id, now, revoked_by])?;
    if changed == 0 {
        retrieve(conn, id)?;
    }
    retrieve(conn, id)
}

/// Renames a key (its title is the one thing Medusa lets change).
///
/// # Errors
/// 404 when absent.
pub fn update_title(conn: &Connection, ctx: &Ctx, id: &str, title: &str) -> Result<ApiKey> {
    conn.prepare_cached_static(
        "UPDATE api_key SET title = ?2, updated_at = ?3 WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, title, ctx.now()])?;
    retrieve(conn, id)
}

/// Soft-deletes a revoked key. Medusa refuses to delete a key that still works, so a key
/// is always revoked (and stops authenticating) before it disappears.
///
/// # Errors
/// 404 when absent; 400 `not_allowed` while it is not revoked (or revoked only in future).
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    let key = retrieve(conn, id)?;
    let now = ctx.now();
    if key.revoked_at.as_deref().is_none_or(|at| at > now.as_str()) {
        return Err(Error::not_allowed(format!(
            "Cannot delete api keys that are not revoked - {id}"
        )));
    }
    conn.prepare_cached_static(
        "UPDATE api_key SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// `pk_01…` → `pk_01***…3f9` style display form: enough to recognize, not to use.
fn redact(token: &str) -> String {
    let head: String = token.chars().take(6).collect();
    let tail: String = token
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{head}***{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;

    fn setup() -> (Connection, Ctx) {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        (
            conn,
            Ctx::new(
                Clock::fixed(1_000),
                IdGenerator::seeded(Clock::fixed(1_000), 1),
            ),
        )
    }

    #[test]
    fn publishable_key_is_found_until_revoked() {
        let (conn, ctx) = setup();
        let key = create_publishable(&conn, &ctx, "Web", Some("pk_test"), "").unwrap();
        assert_eq!(key.redacted, "pk_tes***est");
        assert!(
            find_valid_publishable(&conn, "pk_test", &ctx.now())
                .unwrap()
                .is_some()
        );
        revoke(&conn, &ctx, &key.id, "user_1").unwrap();
        ctx.clock.advance(1);
        assert!(
            find_valid_publishable(&conn, "pk_test", &ctx.now())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn secret_keys_are_stored_hashed_and_found_until_revoked() {
        let (conn, ctx) = setup();
        let (key, token) = create_secret(&conn, &ctx, "CI", "user_1").unwrap();
        assert!(token.starts_with("sk_") && token.len() == 67);
        assert_eq!(key.token, "");
        let stored: String = conn
            .query_row("SELECT token FROM api_key WHERE id = ?1", [&key.id], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(!stored.contains(&token[3..]));
        let found = find_valid_secret(&conn, &token, &ctx.now()).unwrap();
        assert_eq!(found.map(|k| k.id), Some(key.id.clone()));
        assert!(
            find_valid_secret(&conn, "sk_nope", &ctx.now())
                .unwrap()
                .is_none()
        );
        revoke(&conn, &ctx, &key.id, "user_1").unwrap();
        ctx.clock.advance(1);
        assert!(
            find_valid_secret(&conn, &token, &ctx.now())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn generated_tokens_are_pk_and_64_hex() {
        let (conn, ctx) = setup();
        let key = create_publishable(&conn, &ctx, "Web", None, "").unwrap();
        assert!(key.token.starts_with("pk_"));
        assert_eq!(key.token.len(), 67);
    }

    #[test]
    fn bad_tokens_and_titles_are_refused() {
        let (conn, ctx) = setup();
        assert_eq!(
            create_publishable(&conn, &ctx, "Web", Some("sk_x"), "")
                .unwrap_err()
                .status(),
            400
        );
        assert_eq!(
            create_publishable(&conn, &ctx, " ", None, "")
                .unwrap_err()
                .status(),
            400
        );
        create_publishable(&conn, &ctx, "Web", Some("pk_dup"), "").unwrap();
        assert_eq!(
            create_publishable(&conn, &ctx, "Web", Some("pk_dup"), "")
                .unwrap_err()
                .status(),
            422
        );
    }
}
