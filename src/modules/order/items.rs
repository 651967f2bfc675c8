//! Line items (a snapshot of the variant and product at the time they were added) and their
//! tax lines.

use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::Connection;

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
