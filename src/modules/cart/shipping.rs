//! Shipping methods of a cart (the chosen shipping option, priced) and their tax lines. The
//! rows are shared with the other owner kind through `crate::lines::ShippingTables`.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::lines::ShippingTables;
use rusqlite::Connection;
use std::rc::Rc;

pub use crate::lines::ShippingMethod;

/// Where this module keeps its shipping methods.
const TABLES: ShippingTables = ShippingTables {
    methods: "cart_shipping_method",
    owner: "cart_id",
    prefix: "casm",
    tax_lines: "cart_shipping_method_tax_line",
    adjustments: "cart_shipping_method_adjustment",
};

/// Replaces every shipping method of a cart with `method`. Returns the new id.
///
/// # Errors
/// Database failures.
pub fn replace_methods(
    conn: &Connection,
    ctx: &Ctx,
    cart_id: &str,
    method: &ShippingMethod,
) -> Result<String> {
    TABLES.replace_methods(conn, ctx, cart_id, method)
}

/// Soft-deletes every shipping method of a cart.
///
/// # Errors
/// Database failures.
pub fn delete_methods(conn: &Connection, ctx: &Ctx, cart_id: &str) -> Result<()> {
    TABLES.delete_methods(conn, ctx, cart_id)
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

/// Live shipping methods of a cart with their tax lines.
///
/// # Errors
/// Database failures.
pub fn methods_of(conn: &Connection, cart_id: &str) -> Result<Vec<ShippingMethod>> {
    TABLES.methods_of(conn, cart_id)
}

/// [`methods_of`], shared with the write job's memo (for readers that change nothing).
///
/// # Errors
/// Database failures.
pub fn shared_methods_of(conn: &Connection, cart_id: &str) -> Result<Rc<Vec<ShippingMethod>>> {
    TABLES.shared_methods_of(conn, cart_id)
}
