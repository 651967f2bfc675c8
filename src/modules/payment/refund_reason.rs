//! Refund reasons (Medusa's `RefundReason`): a label and a code that staff pick when they
//! refund a payment. Soft-deleted like Medusa's, so refunds that named one keep resolving it.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::{clamp, json_list, update_columns};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value};

/// A refund reason, in Medusa's default admin fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefundReason {
    /// `refr_…`
    pub id: String,
    /// Shown to staff.
    pub label: String,
    /// Stable key for integrations.
    pub code: String,
    /// Longer explanation.
    pub description: Option<String>,
    /// ISO 8601.
    pub created_at: String,
    /// ISO 8601.
    pub updated_at: String,
    /// ISO 8601 once deleted.
    pub deleted_at: Option<String>,
}

const COLUMNS: &str = "id, label, code, description, created_at, updated_at, deleted_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<RefundReason> {
    Ok(RefundReason {
        id: r.get(0)?,
        label: r.get(1)?,
        code: r.get(2)?,
        description: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        deleted_at: r.get(6)?,
    })
}

/// Creates a reason.
///
/// # Errors
/// Database failures.
pub fn create(
    conn: &Connection,
    ctx: &Ctx,
    label: &str,
    code: &str,
    description: Option<&str>,
) -> Result<RefundReason> {
    let (id, now) = (ctx.id("refr"), ctx.now());
    conn.prepare_cached_static(
        "INSERT INTO payment_refund_reason (id, label, code, description, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![id, label, code, description, now])?;
    retrieve(conn, &id)
}

/// A live reason.
///
/// # Errors
/// 404 when absent or deleted.
pub fn retrieve(conn: &Connection, id: &str) -> Result<RefundReason> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM payment_refund_reason WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Refund reason", id))
}

/// A page of live reasons (label, code or description containing `q`; among `ids` when
/// given), oldest first, and their count.
///
/// # Errors
/// Database failures.
pub fn list(
    conn: &Connection,
    q: Option<&str>,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<RefundReason>, u64)> {
    let filter = "deleted_at IS NULL
        AND (?1 = '' OR instr(lower(label || ' ' || code || ' ' || coalesce(description, '')), ?1) > 0)
        AND (?2 = '[]' OR id IN (SELECT value FROM json_each(?2)))";
    let q = q.unwrap_or("").to_lowercase();
    let ids = json_list(ids);
    let count: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM payment_refund_reason WHERE {filter}"
        ))?
        .query_row(params![q, ids], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_refund_reason WHERE {filter} ORDER BY id LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt.query_map(params![q, ids, clamp(limit), clamp(offset)], from_row)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, count.max(0) as u64))
}

/// Updates `label`, `code` and/or `description`.
///
/// # Errors
/// 404 when absent.
pub fn update(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    changes: &Map<String, Value>,
) -> Result<RefundReason> {
    retrieve(conn, id)?;
    update_columns(
        conn,
        "payment_refund_reason",
        id,
        &["label", "code", "description"],
        changes,
        &ctx.now(),
    )?;
    retrieve(conn, id)
}

/// Soft-deletes a reason.
///
/// # Errors
/// 404 when absent.
pub fn delete(conn: &Connection, ctx: &Ctx, id: &str) -> Result<()> {
    retrieve(conn, id)?;
    conn.prepare_cached_static("UPDATE payment_refund_reason SET deleted_at = ?2 WHERE id = ?1")?
        .execute(params![id, ctx.now()])?;
    Ok(())
}
