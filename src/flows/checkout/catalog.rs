//! What the checkout needs from the catalog (products, variants, prices, regions), in one
//! place: a variant's snapshot and price for a cart, a region's countries and tax settings.

use crate::error::{Error, Result};
use crate::modules::cart::LineItem;
use rusqlite::Connection;
use serde_json::Value;

/// A variant as a cart sees it.
#[derive(Debug, Clone, Default)]
pub struct VariantInfo {
    /// The line-item snapshot (quantity 0), priced for the cart.
    pub item: LineItem,
    /// Whether stock is counted.
    pub manage_inventory: bool,
    /// Whether it sells beyond stock.
    pub allow_backorder: bool,
}

/// A region as a cart sees it.
#[derive(Debug, Clone, Default)]
pub struct RegionInfo {
    /// `reg_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Currency.
    pub currency_code: String,
    /// Whether taxes are computed on every change.
    pub automatic_taxes: bool,
    /// ISO-2 codes, lower case.
    pub countries: Vec<String>,
    /// The region as Medusa JSON (with `countries`).
    pub json: Value,
}

/// The variant `id`, sold in one of `channels`, priced in `currency` / `region`.
///
/// # Errors
/// 404 for an unknown variant; 400 "Variants with IDs X do not have a price".
pub fn variant(
    conn: &Connection,
    id: &str,
    channels: &[String],
    currency: &str,
    region: Option<&str>,
) -> Result<VariantInfo> {
    let _ = (conn, channels, currency, region);
    Err(Error::not_found("Variant", id))
}

/// A region by id.
///
/// # Errors
/// 404.
pub fn region(conn: &Connection, id: &str) -> Result<RegionInfo> {
    let _ = conn;
    Err(Error::not_found("Region", id))
}

/// The store's default region, else any region.
///
/// # Errors
/// Database failures.
pub fn default_region(conn: &Connection) -> Result<Option<RegionInfo>> {
    let _ = conn;
    Ok(None)
}

/// Whether prices in this currency / region include tax.
///
/// # Errors
/// Database failures.
pub fn prices_include_tax(conn: &Connection, currency: &str, region: Option<&str>) -> Result<bool> {
    let _ = (conn, currency, region);
    Ok(false)
}

/// `items.product` / `items.variant` for the cart and order JSON, by product and variant id.
///
/// # Errors
/// Database failures.
pub fn item_relations(
    conn: &Connection,
    product_ids: &[String],
    variant_ids: &[String],
) -> Result<(
    serde_json::Map<String, Value>,
    serde_json::Map<String, Value>,
)> {
    let _ = (conn, product_ids, variant_ids);
    Ok(Default::default())
}

/// `(manage_inventory, allow_backorder)` of a variant (`(false, false)` when unknown).
///
/// # Errors
/// Database failures.
pub fn inventory_flags(conn: &Connection, variant_id: &str) -> Result<(bool, bool)> {
    let _ = (conn, variant_id);
    Ok((false, false))
}

/// Every live variant with a SKU: `(variant id, sku, title)` (for seeding inventory).
///
/// # Errors
/// Database failures.
pub fn variants_with_sku(conn: &Connection) -> Result<Vec<(String, String, String)>> {
    let _ = conn;
    Ok(Vec::new())
}
