//! A variant's inventory items (Medusa's product ↔ inventory link with its
//! `required_quantity`), changed from the admin: linked, "updated", unlinked, and the three
//! in one batch. Stockroom's checkout reserves and ships one unit of every linked item per
//! variant unit, so `required_quantity` must be 1 (anything else is refused, not ignored); an
//! item holding reserved units is not unlinked, because the orders holding them would then
//! be fulfilled from the variant's other items.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::inventory::manage;
use crate::modules::product;
use rusqlite::Connection;

/// One link: `(variant id, inventory item id, required quantity)`.
pub type LinkInput = (String, String, i64);

fn require_variant(conn: &Connection, product_id: &str, variant_id: &str) -> Result<()> {
    let variants = product::relations::variants_of(conn, &[product_id.to_string()])?;
    let found = variants
        .get(product_id)
        .is_some_and(|list| list.iter().any(|v| v.id == variant_id));
    if !found {
        product::read::retrieve_any(conn, product_id)?;
        return Err(Error::not_found("Variant", variant_id));
    }
    Ok(())
}

fn require_one(required_quantity: i64) -> Result<()> {
    if required_quantity != 1 {
        return Err(Error::invalid(format!(
            "required_quantity {required_quantity} is not supported: each variant unit takes one unit of every linked inventory item"
        )));
    }
    Ok(())
}

fn linked(conn: &Connection, variant_id: &str, item_id: &str) -> Result<bool> {
    Ok(links::variant_inventory_item()
        .rights_of(conn, variant_id)?
        .iter()
        .any(|i| i == item_id))
}

/// Links item `item_id` to variant `variant_id` of product `product_id`.
///
/// # Errors
/// 404 unknown product, variant or item; 400 an existing link or a quantity other than 1.
pub fn link(
    tx: &Tx,
    ctx: &Ctx,
    product_id: &str,
    (variant, item, quantity): &LinkInput,
) -> Result<()> {
    require_variant(tx, product_id, variant)?;
    manage::retrieve(tx, item)?;
    require_one(*quantity)?;
    if linked(tx, variant, item)? {
        return Err(Error::invalid(format!(
            "Variant {variant} is already linked to inventory item {item}"
        )));
    }
    links::variant_inventory_item().create(tx, &ctx.id("pvitem"), variant, item, &ctx.now())
}

/// Changes an existing link (only a required quantity of 1 is possible).
///
/// # Errors
/// 404 unknown product or variant, or no such link; 400 a quantity other than 1.
pub fn update(tx: &Tx, product_id: &str, (variant, item, quantity): &LinkInput) -> Result<()> {
    require_variant(tx, product_id, variant)?;
    if !linked(tx, variant, item)? {
        return Err(Error::not_found("Variant inventory item link", item));
    }
    require_one(*quantity)
}

/// Unlinks item `item_id` from variant `variant_id`.
///
/// # Errors
/// 404 unknown product or variant, or no such link; 400 `not_allowed` while the item has
/// reserved units.
pub fn unlink(tx: &Tx, ctx: &Ctx, product_id: &str, variant: &str, item: &str) -> Result<()> {
    require_variant(tx, product_id, variant)?;
    if !linked(tx, variant, item)? {
        return Err(Error::not_found("Variant inventory item link", item));
    }
    let reserved: i64 = manage::levels_of(tx, item)?
        .iter()
        .map(|l| l.reserved_quantity)
        .sum();
    if reserved > 0 {
        return Err(Error::not_allowed(format!(
            "Inventory item {item} has {reserved} reserved units: fulfill or cancel those orders before unlinking it"
        )));
    }
    links::variant_inventory_item().dismiss(tx, variant, item, &ctx.now())?;
    Ok(())
}

/// The three in one job: links to create, to update, `(variant, item)` pairs to remove.
///
/// # Errors
/// As [`link`], [`update`] and [`unlink`]; one failure fails the batch.
pub fn batch(
    tx: &Tx,
    ctx: &Ctx,
    product_id: &str,
    (create, update_links, delete): (&[LinkInput], &[LinkInput], &[(String, String)]),
) -> Result<()> {
    for (variant, item) in delete {
        unlink(tx, ctx, product_id, variant, item)?;
    }
    for one in create {
        link(tx, ctx, product_id, one)?;
    }
    for one in update_links {
        update(tx, product_id, one)?;
    }
    Ok(())
}
