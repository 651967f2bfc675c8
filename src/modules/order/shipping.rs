//! Shipping methods of an order (the chosen shipping option, priced) and their tax lines. The
//! rows are shared with the other owner kind through [`crate::lines::ShippingTables`].

use crate::ctx::Ctx;
use crate::error::Result;
use crate::lines::ShippingTables;
use rusqlite::{Connection, params};

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

/// Adds a shipping method to a placed order (an order edit's), keeping the others, with its
/// tax lines. Returns its id.
///
/// # Errors
/// Database failures.
pub fn add_method(
    conn: &Connection,
    ctx: &Ctx,
    order_id: &str,
    method: &ShippingMethod,
) -> Result<String> {
    let (id, now) = (ctx.id("ordsm"), ctx.now());
    conn.prepare_cached(
        "INSERT INTO order_shipping_method (id, order_id, name, description, amount,
           is_tax_inclusive, shipping_option_id, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        id,
        order_id,
        method.name,
        method.description,
        method.amount,
        method.is_tax_inclusive,
        method.shipping_option_id,
        method.data.to_string(),
        now
    ])?;
    super::set_tax_lines(
        conn,
        ctx,
        "order_shipping_method_tax_line",
        "shipping_method_id",
        &id,
        &method.tax_lines,
    )?;
    Ok(id)
}
