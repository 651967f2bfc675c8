//! Line items (a snapshot of the variant and product at the time they were added) and their
//! tax lines.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::rc::Rc;

pub use crate::lines::LineItem;
use crate::lines::{ITEM_COLUMNS as COLUMNS, LineTables, item_from_row as from_row};

/// Where this module keeps its items.
const TABLES: LineTables = LineTables {
    items: "cart_line_item",
    owner: "cart_id",
    item_prefix: "cali",
    item_tax_lines: "cart_line_item_tax_line",
    item_adjustments: "cart_line_item_adjustment",
};

/// Inserts a line item into a cart. Returns its id.
///
/// # Errors
/// Database failures.
pub fn add_item(conn: &Connection, ctx: &Ctx, cart_id: &str, item: &LineItem) -> Result<String> {
    TABLES.add_item(conn, ctx, cart_id, item)
}

/// Live items of a cart with their tax lines, oldest first.
///
/// # Errors
/// Database failures.
pub fn items_of(conn: &Connection, cart_id: &str) -> Result<Vec<LineItem>> {
    TABLES.items_of(conn, cart_id)
}

/// [`items_of`], shared with the write job's memo (for readers that change nothing).
///
/// # Errors
/// Database failures.
pub fn shared_items_of(conn: &Connection, cart_id: &str) -> Result<Rc<Vec<LineItem>>> {
    TABLES.shared_items_of(conn, cart_id)
}

/// One live item of a cart.
///
/// # Errors
/// 404 "Line item with id: X was not found".
pub fn item(conn: &Connection, cart_id: &str, item_id: &str) -> Result<LineItem> {
    conn.prepare_cached_static(crate::sql_text!(
        [],
        "SELECT {COLUMNS} FROM cart_line_item WHERE id = ?1 AND cart_id = ?2 AND deleted_at IS NULL"
    ))?
    .query_row([item_id, cart_id], from_row)
    .optional()?
    .ok_or_else(|| Error::not_found("Line item", item_id))
}

/// Sets an item's quantity (and metadata, when given).
///
/// # Errors
/// Database failures.
pub fn set_quantity(
    conn: &Connection,
    ctx: &Ctx,
    item_id: &str,
    quantity: i64,
    metadata: Option<&Value>,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE cart_line_item SET quantity = ?2, metadata = COALESCE(?3, metadata), updated_at = ?4 WHERE id = ?1",
    )?
    .execute(params![item_id, quantity, metadata.map(Value::to_string), ctx.now()])?;
    Ok(())
}

/// Sets an item's price.
///
/// # Errors
/// Database failures.
pub fn set_price(
    conn: &Connection,
    ctx: &Ctx,
    item_id: &str,
    unit_price: i64,
    is_tax_inclusive: bool,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE cart_line_item SET unit_price = ?2, is_tax_inclusive = ?3, updated_at = ?4
         WHERE id = ?1 AND (unit_price != ?2 OR is_tax_inclusive != ?3)",
    )?
    .execute(params![item_id, unit_price, is_tax_inclusive, ctx.now()])?;
    Ok(())
}

/// Fixes an item's price (`is_custom_price`: re-pricing leaves it alone) and its metadata —
/// a manual discount given at a till.
///
/// # Errors
/// Database failures.
pub fn set_custom_price(
    conn: &Connection,
    ctx: &Ctx,
    item_id: &str,
    unit_price: i64,
    metadata: &Value,
) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE cart_line_item SET unit_price = ?2, is_custom_price = 1, metadata = ?3, updated_at = ?4
         WHERE id = ?1",
    )?
    .execute(params![item_id, unit_price, metadata.to_string(), ctx.now()])?;
    Ok(())
}

/// Soft-deletes an item.
///
/// # Errors
/// Database failures.
pub fn delete_item(conn: &Connection, ctx: &Ctx, item_id: &str) -> Result<()> {
    conn.prepare_cached_static(
        "UPDATE cart_line_item SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![item_id, ctx.now()])?;
    Ok(())
}

/// Restores a soft-deleted item (compensation).
///
/// # Errors
/// Database failures.
pub fn restore_item(conn: &Connection, item_id: &str) -> Result<()> {
    conn.prepare_cached_static("UPDATE cart_line_item SET deleted_at = NULL WHERE id = ?1")?
        .execute([item_id])?;
    Ok(())
}
