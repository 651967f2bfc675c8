//! Shipping profiles (`sp_…`): which options may ship which products. Names are unique among
//! live profiles; a profile still used by a live shipping option cannot be deleted (Medusa's
//! fulfillment module refuses the same).

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// A shipping profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShippingProfile {
    /// `sp_…`
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// `default`, `gift_card`, or any text.
    #[serde(rename = "type")]
    pub kind: String,
    /// Free-form data.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// List filters of [`list`]; empty vectors filter nothing.
#[derive(Debug, Clone, Default)]
pub struct ProfileFilter {
    /// Substring of the name.
    pub q: Option<String>,
    /// Exact ids.
    pub ids: Vec<String>,
    /// Exact name.
    pub name: Option<String>,
    /// Exact type.
    pub kind: Option<String>,
}

const COLUMNS: &str = "id, name, type, metadata, created_at, updated_at";

fn from_row(r: &Row) -> rusqlite::Result<ShippingProfile> {
    let metadata: Option<String> = r.get(3)?;
    Ok(ShippingProfile {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        metadata: metadata.and_then(|m| serde_json::from_str(&m).ok()),
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// Refuses a name another live profile has, with Medusa's message.
fn check_name_free(conn: &Connection, name: &str, except: &str) -> Result<()> {
    let taken: Option<String> = conn
        .prepare_cached_static(
            "SELECT id FROM fulfillment_shipping_profile
             WHERE name = ?1 AND id != ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![name, except], |r| r.get(0))
        .optional()?;
    match taken {
        Some(_) => Err(Error::Duplicate(format!(
            "Shipping profile with name: {name}, already exists."
        ))),
        None => Ok(()),
    }
}

/// Creates a profile.
///
/// # Errors
/// 422 `duplicate_error` for a name in use; database failures.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    name: &str,
    kind: &str,
    metadata: Option<&Value>,
) -> Result<ShippingProfile> {
    check_name_free(conn, name, "")?;
    let id = ctx.id("sp");
    conn.prepare_cached_static(
        "INSERT INTO fulfillment_shipping_profile (id, name, type, metadata, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, name, kind, metadata.map(Value::to_string), ctx.now()])?;
    retrieve(conn, &id)
}

/// A live profile by id.
///
/// # Errors
/// 404 when absent or deleted.
pub fn retrieve(conn: &Connection, id: &str) -> Result<ShippingProfile> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM fulfillment_shipping_profile WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("ShippingProfile", id))
}

const WHERE: &str = "deleted_at IS NULL
    AND (?1 IS NULL OR name LIKE ?1 ESCAPE '\\')
    AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))
    AND (?3 IS NULL OR name = ?3)
    AND (?4 IS NULL OR type = ?4)";

/// A page of live profiles (oldest first unless `order` says otherwise) and the count of all matching.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &ProfileFilter,
    order: Option<&str>,
    (offset, limit): (u64, u64),
) -> Result<(Vec<ShippingProfile>, u64)> {
    let order = super::order_by(
        order,
        &["name", "type", "created_at", "updated_at", "id"],
        "",
    )?;
    let q = filter.q.as_deref().map(super::like_pattern);
    let ids = json_list(&filter.ids);
    let count: i64 = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT COUNT(*) FROM fulfillment_shipping_profile WHERE {WHERE}"
        ))?
        .query_row(params![q, ids, filter.name, filter.kind], |r| r.get(0))?;
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM fulfillment_shipping_profile WHERE {WHERE}
             ORDER BY {order} LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![
                q,
                ids,
                filter.name,
                filter.kind,
                clamp(limit),
                clamp(offset)
            ],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, count as u64))
}

/// Changes name, type and metadata (`None` leaves a field; `Some(None)` clears metadata).
///
/// # Errors
/// 404 when absent; 422 for a name in use; database failures.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    name: Option<&str>,
    kind: Option<&str>,
    metadata: Option<Option<&Value>>,
) -> Result<ShippingProfile> {
    let current = retrieve(conn, id)?;
    if let Some(name) = name {
        check_name_free(conn, name, id)?;
    }
    let metadata = match metadata {
        Some(m) => m.map(Value::to_string),
        None => current.metadata.as_ref().map(Value::to_string),
    };
    conn.prepare_cached_static(
        "UPDATE fulfillment_shipping_profile
         SET name = coalesce(?2, name), type = coalesce(?3, type), metadata = ?4, updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![id, name, kind, metadata, ctx.now()])?;
    retrieve(conn, id)
}

/// Soft-deletes a profile no live option uses.
///
/// # Errors
/// 404 when absent; 400 `not_allowed` while options use it; database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    let used: i64 = conn
        .prepare_cached_static(
            "SELECT COUNT(*) FROM fulfillment_shipping_option
             WHERE shipping_profile_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| r.get(0))?;
    if used > 0 {
        return Err(Error::not_allowed(format!(
            "Cannot delete Shipping Profiles {id} with associated Shipping Options. Delete Shipping Options first and try again."
        )));
    }
    conn.prepare_cached_static(
        "UPDATE fulfillment_shipping_profile SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}
