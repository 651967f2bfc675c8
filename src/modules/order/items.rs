//! Line items (a snapshot of the variant and product at the time they were added) and their
//! tax lines.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::{Connection, params};
use std::rc::Rc;

pub use crate::lines::LineItem;
use crate::lines::LineTables;

/// Where this module keeps its items.
const TABLES: LineTables = LineTables {
    items: "order_line_item",
    owner: "order_id",
    item_prefix: "ordli",
    item_tax_lines: "order_line_item_tax_line",
    item_adjustments: "order_line_item_adjustment",
};

/// Inserts a line item into an order. Returns its id.
///
/// # Errors
/// Database failures.
pub fn add_item(conn: &Connection, ctx: &Ctx, order_id: &str, item: &LineItem) -> Result<String> {
    TABLES.add_item(conn, ctx, order_id, item)
}

/// Live items of an order with their tax lines, oldest first.
///
/// # Errors
/// Database failures.
pub fn items_of(conn: &Connection, order_id: &str) -> Result<Vec<LineItem>> {
    TABLES.items_of(conn, order_id)
}

/// [`items_of`], shared with the write job's memo (for readers that change nothing).
///
/// # Errors
/// Database failures.
pub fn shared_items_of(conn: &Connection, order_id: &str) -> Result<Rc<Vec<LineItem>>> {
    TABLES.shared_items_of(conn, order_id)
}

/// Adds a line to a placed order (an order edit's new item) with its tax lines. Returns its
/// id.
///
/// # Errors
/// Database failures.
pub fn add_line(conn: &Connection, ctx: &Ctx, order_id: &str, item: &LineItem) -> Result<String> {
    let id = add_item(conn, ctx, order_id, item)?;
    super::set_tax_lines(
        conn,
        ctx,
        "order_line_item_tax_line",
        "item_id",
        &id,
        &item.tax_lines,
    )?;
    Ok(id)
}

/// Sets a live line's quantity; 0 removes the line (soft delete, so what referred to it —
/// fulfillments, reservations, returns — still names a row).
///
/// # Errors
/// 400 for a negative quantity or an unknown line.
pub fn set_quantity(conn: &Connection, ctx: &Ctx, item_id: &str, quantity: i64) -> Result<()> {
    if quantity < 0 {
        return Err(Error::invalid("Quantity must not be negative"));
    }
    let now = ctx.now();
    let changed = conn
        .prepare_cached_static(
            "UPDATE order_line_item SET quantity = ?2, updated_at = ?3,
               deleted_at = CASE WHEN ?2 = 0 THEN ?3 ELSE NULL END
             WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![item_id, quantity, now])?;
    if changed != 1 {
        return Err(Error::invalid(format!(
            "Line item {item_id} does not exist"
        )));
    }
    Ok(())
}
