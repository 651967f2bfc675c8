//! Shipping methods of a cart (the chosen shipping option, priced) and their tax lines.

use super::TaxLine;
use crate::ctx::Ctx;
use crate::error::Result;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A shipping method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShippingMethod {
    /// `casm_…` (empty before creation).
    pub id: String,
    /// The option's name.
    pub name: String,
    /// Optional description.
    pub description: Option<String>,
    /// Minor units.
    pub amount: i64,
    /// Whether `amount` includes tax.
    pub is_tax_inclusive: bool,
    /// `so_…`
    pub shipping_option_id: Option<String>,
    /// Provider data.
    pub data: Value,
    /// ISO-8601.
    pub created_at: String,
    /// Tax lines.
    #[serde(default)]
    pub tax_lines: Vec<TaxLine>,
}

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
    let (id, now) = (ctx.id("casm"), ctx.now());
    delete_methods(conn, ctx, cart_id)?;
    conn.prepare_cached(
        "INSERT INTO cart_shipping_method (id, cart_id, name, description, amount, is_tax_inclusive, shipping_option_id, data, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![id, cart_id, method.name, method.description, method.amount, method.is_tax_inclusive, method.shipping_option_id, method.data.to_string(), now])?;
    Ok(id)
}

/// Soft-deletes every shipping method of a cart.
///
/// # Errors
/// Database failures.
pub fn delete_methods(conn: &Connection, ctx: &Ctx, cart_id: &str) -> Result<()> {
    conn.prepare_cached("UPDATE cart_shipping_method SET deleted_at = ?2, updated_at = ?2 WHERE cart_id = ?1 AND deleted_at IS NULL")?
        .execute(params![cart_id, ctx.now()])?;
    Ok(())
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
    conn.prepare_cached("UPDATE cart_shipping_method SET amount = ?2, is_tax_inclusive = ?3, updated_at = ?4 WHERE id = ?1")?
        .execute(params![id, amount, is_tax_inclusive, ctx.now()])?;
    Ok(())
}

/// Live shipping methods of a cart with their tax lines.
///
/// # Errors
/// Database failures.
pub fn methods_of(conn: &Connection, cart_id: &str) -> Result<Vec<ShippingMethod>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, description, amount, is_tax_inclusive, shipping_option_id, data, created_at
         FROM cart_shipping_method WHERE cart_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([cart_id], |r| {
        let data: String = r.get(6)?;
        Ok(ShippingMethod {
            id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            amount: r.get(3)?,
            is_tax_inclusive: r.get(4)?,
            shipping_option_id: r.get(5)?,
            data: serde_json::from_str(&data).unwrap_or(Value::Object(Default::default())),
            created_at: r.get(7)?,
            tax_lines: Vec::new(),
        })
    })?;
    let mut methods: Vec<ShippingMethod> = rows.collect::<rusqlite::Result<_>>()?;
    for method in &mut methods {
        method.tax_lines = super::tax_lines(
            conn,
            "cart_shipping_method_tax_line",
            "shipping_method_id",
            &method.id,
        )?;
    }
    Ok(methods)
}
