//! Shipping methods of an order (the chosen shipping option, priced) and their tax lines. The
//! rows are shared with the other owner kind through `crate::lines::ShippingTables`.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::lines::ShippingTables;
use rusqlite::Connection;

pub use crate::lines::ShippingMethod;

/// Where this module keeps its shipping methods.
const TABLES: ShippingTables = ShippingTables {
    methods: "order_shipping_method",
    owner: "order_id",
    prefix: "ordsm",
    tax_lines: "order_shipping_method_tax_line",
    adjustments: "order_shipping_method_adjustment",
};

/// Replaces every shipping method of an order with `method`. Returns the new id.
///
/// # Errors
/// Database failures.
pub fn replace_methods(
    conn: &Connection,
    ctx: &Ctx,
    order_id: &str,
    method: &ShippingMethod,
) -> Result<String> {
    TABLES.replace_methods(conn, ctx, order_id, method)
}

/// Soft-deletes every shipping method of an order.
///
/// # Errors
/// Database failures.
pub fn delete_methods(conn: &Connection, ctx: &Ctx, order_id: &str) -> Result<()> {
    TABLES.delete_methods(conn, ctx, order_id)
}

/// Sets a method's amount.
///
/// # Errors
/// Database failures.
pub fn set_amount(
    conn: &Connection,
    ctx: &Ctx,
    id: &str,
    amount: i64,
    is_tax_inclusive: bool,
) -> Result<()> {
    TABLES.set_amount(conn, ctx, id, amount, is_tax_inclusive)
}

/// Live shipping methods of an order with their tax lines.
///
/// # Errors
/// Database failures.
pub fn methods_of(conn: &Connection, order_id: &str) -> Result<Vec<ShippingMethod>> {
    TABLES.methods_of(conn, order_id)
}
