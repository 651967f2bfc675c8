//! A return's items (Medusa's `ReturnItem`): the units of an order line asked back, and how
//! many came back (damaged ones included) and came back damaged; written only when a
//! change's actions are applied. Also the per-line counts the order reads from them.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::modules::metadata_from_sql;
use rusqlite::{Connection, Row, params};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// One returned line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReturnItem {
    /// `retitem_…`
    pub id: String,
    /// `return_…`
    pub return_id: String,
    /// The order line item (`ordli_…`).
    pub item_id: String,
    /// Units asked back.
    pub quantity: i64,
    /// Units that came back (damaged ones included).
    pub received_quantity: i64,
    /// Units that came back damaged (not restocked).
    pub damaged_quantity: i64,
    /// `rr_…`
    pub reason_id: Option<String>,
    /// The customer's or staff's note.
    pub note: Option<String>,
    /// Free-form JSON.
    pub metadata: Option<Value>,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub updated_at: String,
}

const ITEM_COLUMNS: &str = "id, return_id, item_id, quantity, received_quantity,
    damaged_quantity, reason_id, note, metadata, created_at, updated_at";

fn item_from_row(r: &Row) -> rusqlite::Result<ReturnItem> {
    Ok(ReturnItem {
        id: r.get(0)?,
        return_id: r.get(1)?,
        item_id: r.get(2)?,
        quantity: r.get(3)?,
        received_quantity: r.get(4)?,
        damaged_quantity: r.get(5)?,
        reason_id: r.get(6)?,
        note: r.get(7)?,
        metadata: metadata_from_sql(r.get(8)?),
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

/// A return's items, oldest first.
///
/// # Errors
/// Database failures.
pub fn items_of(conn: &Connection, return_id: &str) -> Result<Vec<ReturnItem>> {
    let mut stmt = conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {ITEM_COLUMNS} FROM order_return_item WHERE return_id = ?1 AND deleted_at IS NULL
         ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([return_id], item_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Units of each order line claimed by the order's returns that are not canceled (what
/// can no longer be asked back).
///
/// # Errors
/// Database failures.
pub fn claimed_by_line(conn: &Connection, order_id: &str) -> Result<HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT i.item_id, SUM(i.quantity) FROM order_return_item i
           JOIN order_return r ON r.id = i.return_id
         WHERE r.order_id = ?1 AND r.deleted_at IS NULL AND r.status <> 'canceled'
           AND i.deleted_at IS NULL
         GROUP BY i.item_id",
    )?;
    let rows = stmt.query_map([order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds `quantity` units of a line to a return (to its row for that line when it has one).
///
/// # Errors
/// Database failures.
pub fn add_item(conn: &Connection, ctx: &Ctx, return_id: &str, details: &Value) -> Result<()> {
    let line = details["reference_id"].as_str().unwrap_or_default();
    let quantity = details["quantity"].as_i64().unwrap_or_default();
    let reason = details["reason_id"].as_str();
    let note = details["note"].as_str();
    let metadata = details.get("metadata").filter(|m| m.is_object());
    let now = ctx.now();
    let grown = conn
        .prepare_cached_static(
            "UPDATE order_return_item SET quantity = quantity + ?3,
               reason_id = COALESCE(?4, reason_id), updated_at = ?5
             WHERE return_id = ?1 AND item_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![return_id, line, quantity, reason, now])?;
    if grown == 0 {
        conn.prepare_cached_static(
            "INSERT INTO order_return_item (id, return_id, item_id, quantity, reason_id, note,
               metadata, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        )?
        .execute(params![
            ctx.id("retitem"),
            return_id,
            line,
            quantity,
            reason,
            note,
            metadata.map(Value::to_string),
            now
        ])?;
    }
    Ok(())
}

/// Records `quantity` more units of a line as received (and damaged when `damaged`).
///
/// # Errors
/// 400 when the return holds fewer units of the line than would then be received.
pub fn receive_item(
    conn: &Connection,
    ctx: &Ctx,
    return_id: &str,
    line: &str,
    quantity: i64,
    damaged: bool,
) -> Result<()> {
    let changed = conn
        .prepare_cached_static(
            "UPDATE order_return_item SET received_quantity = received_quantity + ?3,
               damaged_quantity = damaged_quantity + (CASE WHEN ?4 THEN ?3 ELSE 0 END),
               updated_at = ?5
             WHERE return_id = ?1 AND item_id = ?2 AND deleted_at IS NULL
               AND received_quantity + ?3 <= quantity",
        )?
        .execute(params![return_id, line, quantity, damaged, ctx.now()])?;
    if changed != 1 {
        return Err(Error::invalid(format!(
            "Cannot receive more items than what was requested to be returned for item {line}"
        )));
    }
    Ok(())
}

/// Per order line, Medusa's item detail counts over the order's returns:
/// `(return_requested_quantity, return_received_quantity, return_dismissed_quantity)` —
/// units asked back and not yet come back (requested or partially received returns), units
/// come back sellable, units come back damaged.
///
/// # Errors
/// Database failures.
pub fn detail_by_line(
    conn: &Connection,
    order_id: &str,
) -> Result<HashMap<String, (i64, i64, i64)>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT i.item_id,
           SUM(CASE WHEN r.status IN ('requested', 'partially_received')
                    THEN i.quantity - i.received_quantity ELSE 0 END),
           SUM(i.received_quantity - i.damaged_quantity), SUM(i.damaged_quantity)
         FROM order_return_item i JOIN order_return r ON r.id = i.return_id
         WHERE r.order_id = ?1 AND r.deleted_at IS NULL AND r.status <> 'canceled'
           AND i.deleted_at IS NULL
         GROUP BY i.item_id",
    )?;
    let rows = stmt.query_map([order_id], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
