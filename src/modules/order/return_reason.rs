//! Return reasons (Medusa's `ReturnReason`): why an item comes back. `value` is the stable
//! key (unique among live reasons); a reason may sit under a parent. Soft-deleted, so returns
//! that named one keep resolving it.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list, metadata_from_sql, update_columns};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// A return reason, in Medusa's default fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnReason {
    /// `rr_…`
    pub id: String,
    /// Stable key.
    pub value: String,
    /// Shown to customers and staff.
    pub label: String,
    /// Longer explanation.
    pub description: Option<String>,
    /// The reason this one refines.
    pub parent_return_reason_id: Option<String>,
    /// Free-form data.
    pub metadata: Option<Value>,
    /// ISO 8601.
    pub created_at: String,
    /// ISO 8601.
    pub updated_at: String,
    /// ISO 8601 once deleted.
    pub deleted_at: Option<String>,
}

/// What a new reason is made of.
#[derive(Debug, Clone, Default)]
pub struct NewReturnReason {
    /// Stable key.
    pub value: String,
    /// Label.
    pub label: String,
    /// Description.
    pub description: Option<String>,
    /// Parent reason.
    pub parent_return_reason_id: Option<String>,
    /// Metadata object.
    pub metadata: Option<Value>,
}

const COLUMNS: &str = "id, value, label, description, parent_return_reason_id, metadata, \
                       created_at, updated_at, deleted_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ReturnReason> {
    Ok(ReturnReason {
        id: r.get(0)?,
        value: r.get(1)?,
        label: r.get(2)?,
        description: r.get(3)?,
        parent_return_reason_id: r.get(4)?,
        metadata: metadata_from_sql(r.get(5)?),
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        deleted_at: r.get(8)?,
    })
}

/// Creates a reason; its parent must be a live reason.
///
/// # Errors
/// 404 for an unknown parent; 422 when `value` is taken.
pub fn create(conn: &Connection, ctx: &Ctx, new: &NewReturnReason) -> Result<ReturnReason> {
    if let Some(parent) = &new.parent_return_reason_id {
        retrieve(conn, parent)?;
    }
    let (id, now) = (ctx.id("rr"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO order_return_reason (id, value, label, description, parent_return_reason_id,
         metadata, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?
    .execute(params![
        id,
        new.value,
        new.label,
        new.description,
        new.parent_return_reason_id,
        new.metadata.as_ref().map(Value::to_string),
        now
    ])?;
    retrieve(conn, &id)
}

/// A live reason.
///
/// # Errors
/// 404 when absent or deleted.
pub fn retrieve(conn: &Connection, id: &str) -> Result<ReturnReason> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM order_return_reason WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Return reason", id))
}

/// Filters of a reason list.
#[derive(Debug, Clone, Default)]
pub struct ReturnReasonFilter {
    /// Contained in value, label or description (case-insensitive).
    pub q: Option<String>,
    /// Among these ids.
    pub ids: Vec<String>,
    /// Among these values.
    pub values: Vec<String>,
    /// Children of these reasons.
    pub parents: Vec<String>,
}

/// A page of live reasons, oldest first, and their count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    filter: &ReturnReasonFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<ReturnReason>, u64)> {
    let sql_filter = "deleted_at IS NULL
        AND (?1 = '' OR instr(lower(value || ' ' || label || ' ' || coalesce(description, '')), ?1) > 0)
        AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))
        AND (?3 = '[]' OR value IN (SELECT value FROM json_each(?3)))
        AND (?4 = '[]' OR parent_return_reason_id IN (SELECT value FROM json_each(?4)))";
    let q = filter.q.as_deref().unwrap_or("").to_lowercase();
    let (ids, values, parents) = (
        json_list(&filter.ids),
        json_list(&filter.values),
        json_list(&filter.parents),
    );
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM order_return_reason WHERE {sql_filter}"
        ))?
        .query_row(params![q, ids, values, parents], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM order_return_reason WHERE {sql_filter} ORDER BY id LIMIT ?5 OFFSET ?6"
    ))?;
    let rows = stmt.query_map(
        params![q, ids, values, parents, clamp(limit), clamp(offset)],
        from_row,
    )?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

/// Updates `value`, `label`, `description` and/or `metadata`.
///
/// # Errors
/// 404 when absent; 422 when the new `value` is taken.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
) -> Result<ReturnReason> {
    retrieve(conn, id)?;
    update_columns(
        conn,
        "order_return_reason",
        id,
        &["value", "label", "description", "metadata"],
        changes,
        &ctx.now(),
    )?;
    retrieve(conn, id)
}

/// Soft-deletes a reason; its children lose their parent (Medusa detaches them).
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    let now = ctx.now();
    conn.prepare_cached_static(
        "UPDATE order_return_reason SET parent_return_reason_id = NULL, updated_at = ?2
         WHERE parent_return_reason_id = ?1",
    )?
    .execute(params![id, now])?;
    conn.prepare_cached_static("UPDATE order_return_reason SET deleted_at = ?2 WHERE id = ?1")?
        .execute(params![id, now])?;
    Ok(())
}
