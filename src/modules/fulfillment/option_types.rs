//! Shipping option types (`sotype_…`): a label and code shared by options ("Standard",
//! "Express"). Deleting a type soft-deletes it only; options pointing at it keep showing it,
//! as Medusa's `deleteShippingOptionTypesWorkflow` leaves them.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A shipping option type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShippingOptionType {
    /// `sotype_…`
    pub id: String,
    /// Display label.
    pub label: String,
    /// Machine code (`standard`, `express`).
    pub code: String,
    /// Free text; empty when unset.
    pub description: String,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

/// List filters of [`list`]; empty vectors filter nothing.
#[derive(Debug, Clone, Default)]
pub struct TypeFilter {
    /// Substring of label, code or description.
    pub q: Option<String>,
    /// Exact ids.
    pub ids: Vec<String>,
    /// Exact labels.
    pub labels: Vec<String>,
    /// Exact codes.
    pub codes: Vec<String>,
}

const COLUMNS: &str = "id, label, code, description, created_at, updated_at";

fn from_row(r: &Row) -> rusqlite::Result<ShippingOptionType> {
    Ok(ShippingOptionType {
        id: r.get(0)?,
        label: r.get(1)?,
        code: r.get(2)?,
        description: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

/// Creates a type.
///
/// # Errors
/// Database failures.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    label: &str,
    code: &str,
    description: &str,
) -> Result<ShippingOptionType> {
    let id = ctx.id("sotype");
    conn.prepare_cached_static(
        "INSERT INTO fulfillment_shipping_option_type (id, label, code, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, label, code, description, ctx.now()])?;
    retrieve(conn, &id)
}

/// A live type by id.
///
/// # Errors
/// 404 when absent or deleted.
pub fn retrieve(conn: &Connection, id: &str) -> Result<ShippingOptionType> {
    conn.prepare_cached_static(crate::sql_text!([], "SELECT {COLUMNS} FROM fulfillment_shipping_option_type WHERE id = ?1 AND deleted_at IS NULL"))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("ShippingOptionType", id))
}

const WHERE: &str = "deleted_at IS NULL
    AND (?1 IS NULL OR label LIKE ?1 ESCAPE '\\' OR code LIKE ?1 ESCAPE '\\' OR description LIKE ?1 ESCAPE '\\')
    AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))
    AND (?3 = '[]' OR label IN (SELECT value FROM json_each(?3)))
    AND (?4 = '[]' OR code IN (SELECT value FROM json_each(?4)))";

/// A page of live types (oldest first unless `order` says otherwise) and the count of all matching.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &TypeFilter,
    order: Option<&str>,
    (offset, limit): (u64, u64),
) -> Result<(Vec<ShippingOptionType>, u64)> {
    let allowed = [
        "label",
        "code",
        "description",
        "created_at",
        "updated_at",
        "id",
    ];
    let order = super::order_by(order, &allowed, "")?;
    let q = filter.q.as_deref().map(super::like_pattern);
    let (ids, labels, codes) = (
        json_list(&filter.ids),
        json_list(&filter.labels),
        json_list(&filter.codes),
    );
    let count: i64 = conn
        .prepare_cached_static(crate::sql_text!(
            [],
            "SELECT COUNT(*) FROM fulfillment_shipping_option_type WHERE {WHERE}"
        ))?
        .query_row(params![q, ids, labels, codes], |r| r.get(0))?;
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM fulfillment_shipping_option_type WHERE {WHERE}
             ORDER BY {order} LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![q, ids, labels, codes, clamp(limit), clamp(offset)],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok((rows, count as u64))
}

/// Changes the given fields (`None` leaves one as it is).
///
/// # Errors
/// 404 when absent; database failures.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    label: Option<&str>,
    code: Option<&str>,
    description: Option<&str>,
) -> Result<ShippingOptionType> {
    retrieve(conn, id)?;
    conn.prepare_cached_static(
        "UPDATE fulfillment_shipping_option_type
         SET label = coalesce(?2, label), code = coalesce(?3, code),
             description = coalesce(?4, description), updated_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![id, label, code, description, ctx.now()])?;
    retrieve(conn, id)
}

/// Soft-deletes a type; deleting a missing one is a no-op, as in Medusa.
///
/// # Errors
/// Database failures.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE fulfillment_shipping_option_type SET deleted_at = ?2, updated_at = ?2
         WHERE id = ?1 AND deleted_at IS NULL",
    )?
    .execute(params![id, ctx.now()])?;
    Ok(())
}
