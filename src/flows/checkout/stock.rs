//! Inventory across modules: a channel's stock locations, the add-to-cart availability check
//! and the reservation made when a cart becomes an order.

use super::catalog::{self, VariantInfo};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::inventory::{self, Want};
use rusqlite::Connection;
use std::collections::HashMap;

/// Stock locations linked to a sales channel, oldest link first.
///
/// # Errors
/// Database failures.
pub fn channel_locations(conn: &Connection, channel: Option<&str>) -> Result<Vec<String>> {
    match channel {
        Some(c) => links::sales_channel_stock_location().rights_of(conn, c),
        None => Ok(Vec::new()),
    }
}

/// Checks that `quantity` units of a variant can be sold in `channel` (Medusa's
/// confirmVariantInventory): always for unmanaged or backorderable variants; otherwise every
/// inventory item needs the quantity available at one of the channel's locations.
///
/// # Errors
/// 400 `not_allowed` / `insufficient_inventory`; 400 for a variant without inventory items
/// or a channel without locations.
pub fn confirm(
    conn: &Connection,
    variant_id: &str,
    info: &VariantInfo,
    channel: Option<&str>,
    quantity: i64,
) -> Result<()> {
    if !info.manage_inventory || info.allow_backorder {
        return Ok(());
    }
    let items = links::variant_inventory_item().rights_of(conn, variant_id)?;
    if items.is_empty() {
        return Err(Error::invalid(format!(
            "Variant {variant_id} does not have any inventory items associated with it."
        )));
    }
    let locations = channel_locations(conn, channel)?;
    if locations.is_empty() {
        return Err(Error::invalid(format!(
            "Sales channel {} is not associated with any stock location for variant {variant_id}.",
            channel.unwrap_or_default()
        )));
    }
    for item in &items {
        if !inventory::is_available(conn, item, &locations, quantity)? {
            return Err(inventory::insufficient());
        }
    }
    Ok(())
}

/// An order line to reserve stock for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The (order) line item holding the reservation.
    pub line_item_id: String,
    /// Its variant.
    pub variant_id: String,
    /// Units.
    pub quantity: i64,
}

/// Reserves stock for every managed line (summed per inventory item, so two lines sharing an
/// item are checked together). Returns the reservation ids.
///
/// # Errors
/// 400 `insufficient_inventory` (nothing is reserved then); database failures.
pub fn reserve(
    conn: &Connection,
    ctx: &Ctx,
    channel: Option<&str>,
    lines: &[Line],
) -> Result<Vec<String>> {
    let mut wants = Vec::new();
    for line in lines {
        let (managed, backorder) = catalog::inventory_flags(conn, &line.variant_id)?;
        if !managed {
            continue;
        }
        for inventory_item_id in
            links::variant_inventory_item().rights_of(conn, &line.variant_id)?
        {
            wants.push(Want {
                line_item_id: line.line_item_id.clone(),
                inventory_item_id,
                quantity: line.quantity,
                allow_backorder: backorder,
            });
        }
    }
    if wants.is_empty() {
        return Ok(Vec::new());
    }
    let locations = channel_locations(conn, channel)?;
    inventory::reserve(conn, ctx, &wants, &locations)
}

/// Sets a variant's stock at every location holding its inventory items (`None`: out of
/// stock, i.e. stocked = reserved). Returns the levels changed (fixture mode).
///
/// # Errors
/// 404 when the variant has no inventory item; database failures.
pub fn set_variant_stock(
    conn: &Connection,
    ctx: &Ctx,
    variant_id: &str,
    stocked: Option<i64>,
) -> Result<usize> {
    let items = links::variant_inventory_item().rights_of(conn, variant_id)?;
    if items.is_empty() {
        return Err(Error::not_found("Inventory item for variant", variant_id));
    }
    let mut changed = 0;
    for item in items {
        changed += inventory::set_stocked_everywhere(conn, ctx, &item, stocked)?;
    }
    Ok(changed)
}

/// Units each variant can still sell (Medusa's `variants.inventory_quantity`): for every
/// inventory item of the variant, its available quantity summed over the locations that stock
/// it; the variant gets the smallest of these. Variants without inventory items are absent.
///
/// # Errors
/// Database failures.
pub fn inventory_quantities(
    conn: &Connection,
    variant_ids: &[String],
) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for variant in variant_ids {
        let mut least: Option<i64> = None;
        for item in links::variant_inventory_item().rights_of(conn, variant)? {
            let available = inventory::available_everywhere(conn, &item)?;
            least = Some(least.map_or(available, |l| l.min(available)));
        }
        if let Some(quantity) = least {
            out.insert(variant.clone(), quantity);
        }
    }
    Ok(out)
}
