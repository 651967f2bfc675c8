//! Admin users and invites. Credentials live in the auth module; binding a user to its auth
//! identity is a flow (`flows::accounts`).
//!
//! Tables `user`, `user_invite`. An invite's token is shown once, at creation; only its
//! SHA-256 is stored.

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use crate::modules::{metadata_from_sql, update_columns};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// The module: tables `user*`.
pub fn module() -> Module {
    Module::new("user", "user").migration(migration!("user", "0001_init.sql"))
}

/// An admin user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// `user_…`
    pub id: String,
    /// Lower-cased email.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
    /// ISO-8601 when soft-deleted.
    pub deleted_at: Option<String>,
}

/// An invite (the token appears only in the answer to its creation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invite {
    /// `invite_…`
    pub id: String,
    /// Who is invited.
    pub email: String,
    /// Whether it was used.
    pub accepted: bool,
    /// The token, only right after creation; empty otherwise.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub token: String,
    /// ISO-8601.
    pub expires_at: String,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

const COLUMNS: &str =
    "id, email, first_name, last_name, avatar_url, metadata, created_at, updated_at, deleted_at";

/// Fields an update may set.
pub const UPDATABLE: &[&str] = &["first_name", "last_name", "avatar_url", "metadata"];

fn from_row(r: &Row) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        email: r.get(1)?,
        first_name: r.get(2)?,
        last_name: r.get(3)?,
        avatar_url: r.get(4)?,
        metadata: metadata_from_sql(r.get(5)?),
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        deleted_at: r.get(8)?,
    })
}

/// Creates a user.
///
/// # Errors
/// 400 without an email; 422 when the email is taken.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    email: &str,
    first_name: Option<&str>,
    last_name: Option<&str>,
) -> Result<User> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(Error::invalid("Invalid request: Field 'email' is required"));
    }
    let (id, now) = (ctx.id("user"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO user (id, email, first_name, last_name, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, email, first_name, last_name, now])?;
    retrieve(conn, &id)
}

/// A live user.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(conn: &Connection, id: &str) -> Result<User> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM user WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("User", id))
}

/// A page of live users (email or name contains `q`; among `ids`, if given), oldest first,
/// and the count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    q: Option<&str>,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<User>, u64)> {
    let pattern = format!("%{}%", q.unwrap_or("").to_lowercase());
    let ids = crate::modules::json_list(ids);
    let filter = "deleted_at IS NULL AND lower(email || ' ' || coalesce(first_name, '') || ' ' \
                  || coalesce(last_name, '')) LIKE ?1
                  AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))";
    let count: i64 = conn.query_row(
        &format!("SELECT count(*) FROM user WHERE {filter}"),
        [&pattern, &ids],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM user WHERE {filter} ORDER BY id LIMIT {limit} OFFSET {offset}"
    ))?;
    let rows = stmt.query_map([&pattern, &ids], from_row)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

/// Updates the given columns (keys in [`UPDATABLE`]).
///
/// # Errors
/// 404 when absent.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
) -> Result<User> {
    if !update_columns(conn, "user", id, UPDATABLE, changes, &ctx.now())? {
        return Err(Error::not_found("User", id));
    }
    retrieve(conn, id)
}

/// Soft-deletes a user.
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    conn.prepare_cached_static("UPDATE user SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
        .execute(params![id, ctx.now()])?;
    Ok(())
}

/// Creates an invite for `email` valid until `expires_at`; `token` is stored as its SHA-256
/// and returned once in the result.
///
/// # Errors
/// 422 when an invite for the email exists; database failures.
pub fn create_invite(
    conn: &Connection,
    ctx: &Ctx,
    email: &str,
    token: &str,
    expires_at: &str,
) -> Result<Invite> {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Err(Error::invalid("Invalid request: Field 'email' is required"));
    }
    let (id, now) = (ctx.id("invite"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO user_invite (id, email, token_hash, expires_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        id,
        email,
        crate::crypto::sha256_hex(token.as_bytes()),
        expires_at,
        now
    ])?;
    let mut invite = retrieve_invite(conn, &id)?;
    invite.token = token.to_string();
    Ok(invite)
}

const INVITE_COLUMNS: &str = "id, email, accepted, expires_at, metadata, created_at, updated_at";

fn invite_from_row(r: &Row) -> rusqlite::Result<Invite> {
    Ok(Invite {
        id: r.get(0)?,
        email: r.get(1)?,
        accepted: r.get(2)?,
        token: String::new(),
        expires_at: r.get(3)?,
        metadata: metadata_from_sql(r.get(4)?),
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

/// A live invite.
///
/// # Errors
/// 404 when absent.
pub fn retrieve_invite(conn: &Connection, id: &str) -> Result<Invite> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {INVITE_COLUMNS} FROM user_invite WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], invite_from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Invite", id))
}

/// Every live invite (among `ids`, if given), oldest first.
///
/// # Errors
/// Database failures.
pub fn list_invites(conn: &Connection, ids: &[String]) -> Result<Vec<Invite>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {INVITE_COLUMNS} FROM user_invite WHERE deleted_at IS NULL
         AND (?1 = '[]' OR id IN (SELECT value FROM json_each(?1))) ORDER BY id"
    ))?;
    let rows = stmt.query_map([crate::modules::json_list(ids)], invite_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Gives an invite a new token (stored as its SHA-256, returned once in the result) and a
/// new expiry: the old token stops working. Medusa's `refreshInviteTokensWorkflow`.
///
/// # Errors
/// 404 when absent.
pub fn refresh_invite(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    token: &str,
    expires_at: &str,
) -> Result<Invite> {
    retrieve_invite(conn, id)?;
    conn.prepare_cached_static(
        "UPDATE user_invite SET token_hash = ?2, expires_at = ?3, updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![
        id,
        crate::crypto::sha256_hex(token.as_bytes()),
        expires_at,
        ctx.now()
    ])?;
    let mut invite = retrieve_invite(conn, id)?;
    invite.token = token.to_string();
    Ok(invite)
}

/// Soft-deletes an invite: its token stops working.
///
/// # Errors
/// 404 when absent.
pub fn delete_invite(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve_invite(conn, id)?;
    conn.prepare_cached_static(
        "UPDATE user_invite SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}

/// The unaccepted invite with this token if it has not expired at `now`, marked accepted
/// and deleted.
///
/// # Errors
/// 401 "Invalid invite" when no such invite; database failures.
pub fn accept_invite(conn: &Connection, ctx: &Ctx, token: &str) -> Result<Invite> {
    let now = ctx.now();
    let invite = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT {INVITE_COLUMNS} FROM user_invite
             WHERE token_hash = ?1 AND accepted = 0 AND expires_at > ?2 AND deleted_at IS NULL"
        ))?
        .query_row(
            params![crate::crypto::sha256_hex(token.as_bytes()), now],
            invite_from_row,
        )
        .optional()?
        .ok_or_else(|| Error::AuthFailed("Invalid invite".into()))?;
    // Accepted, the invite is also deleted (Medusa's accept-invite workflow deletes it), so
    // the email can be invited again should that user ever be removed.
    conn.prepare_cached_static(
        "UPDATE user_invite SET accepted = 1, updated_at = ?2, deleted_at = ?2 WHERE id = ?1",
    )?
    .execute(params![invite.id, now])?;
    Ok(Invite {
        accepted: true,
        updated_at: now,
        ..invite
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::id::IdGenerator;

    fn setup() -> (Connection, Ctx) {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::module::migrate(&conn, &[module()], "t").unwrap();
        let ctx = Ctx::new(Clock::fixed(0), IdGenerator::seeded(Clock::fixed(0), 1));
        (conn, ctx)
    }

    #[test]
    fn emails_are_unique_and_lower_cased() {
        let (conn, ctx) = setup();
        let user = create(&conn, &ctx, "Admin@X.io", None, None).unwrap();
        assert_eq!(user.email, "admin@x.io");
        assert_eq!(
            create(&conn, &ctx, "admin@x.io", None, None)
                .unwrap_err()
                .status(),
            422
        );
    }

    #[test]
    fn an_invite_is_accepted_once_and_hides_its_token() {
        let (conn, ctx) = setup();
        let invite = create_invite(&conn, &ctx, "new@x.io", "tok", "9999").unwrap();
        assert_eq!(invite.token, "tok");
        assert_eq!(list_invites(&conn, &[]).unwrap()[0].token, "");
        assert!(accept_invite(&conn, &ctx, "tok").unwrap().accepted);
        assert_eq!(accept_invite(&conn, &ctx, "tok").unwrap_err().status(), 401);
    }
}
