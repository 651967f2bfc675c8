//! Shipping methods of an order (the chosen shipping option, priced) and their tax lines. The
//! rows are shared with the other owner kind through `crate::lines::ShippingTables`.

use super::after_sales::Kind;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::lines::ShippingTables;
use rusqlite::{Connection, params};
use std::rc::Rc;

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

/// [`methods_of`], shared with the write job's memo (for readers that change nothing).
///
/// # Errors
/// Database failures.
pub fn shared_methods_of(conn: &Connection, order_id: &str) -> Result<Rc<Vec<ShippingMethod>>> {
    TABLES.shared_methods_of(conn, order_id)
}

/// Adds a shipping method to a placed order (an order edit's, an exchange's or a claim's),
/// keeping the others, with its tax lines. Returns its id.
///
/// # Errors
/// Database failures.
pub fn add_method(
    conn: &Connection,
    ctx: &Ctx,
    order_id: &str,
    method: &ShippingMethod,
) -> Result<String> {
    let id = TABLES.insert_method(conn, ctx, order_id, method)?;
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

/// Names the exchange or claim a method ships for (`kind` tells which column).
///
/// # Errors
/// Database failures.
pub fn belong_to(conn: &Connection, ctx: &Ctx, id: &str, kind: Kind, owner: &str) -> Result<()> {
    conn.prepare_cached(&format!(
        "UPDATE order_shipping_method SET {} = ?2, updated_at = ?3 WHERE id = ?1",
        kind.column()
    ))?
    .execute(params![id, owner, ctx.now()])?;
    Ok(())
}

/// Soft-deletes the live methods of an exchange or claim (it was canceled). Returns how many.
///
/// # Errors
/// Database failures.
pub fn remove_of(conn: &Connection, ctx: &Ctx, kind: Kind, owner: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached(&format!(
            "UPDATE order_shipping_method SET deleted_at = ?2, updated_at = ?2
             WHERE {} = ?1 AND deleted_at IS NULL",
            kind.column()
        ))?
        .execute(params![owner, ctx.now()])?)
}

/// Ids and amounts of the live methods of an exchange or claim.
///
/// # Errors
/// Database failures.
pub fn methods_for(conn: &Connection, kind: Kind, owner: &str) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, amount FROM order_shipping_method WHERE {} = ?1 AND deleted_at IS NULL
         ORDER BY id",
        kind.column()
    ))?;
    let rows = stmt.query_map([owner], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
