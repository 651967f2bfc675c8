//! Inventory: items (what is counted), levels (how many per stock location: stocked,
//! reserved, incoming) and reservations (held by order line items).
//!
//! `available = stocked − reserved`. Reserving is one guarded `UPDATE` per inventory item
//! (`… WHERE stocked − reserved ≥ wanted`), and every write runs on the single writer, so two
//! buyers can never both take the last unit.

pub mod low_stock;
pub mod manage;
pub mod reservations;
#[cfg(test)]
mod tests;

use crate::ctx::Ctx;
use crate::db::module::Module;
use crate::error::{Error, Result};
use crate::migration;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::BTreeMap;

/// The module: tables `inventory_*`.
pub fn module() -> Module {
    Module::new("inventory", "inventory")
        .migration(migration!("inventory", "0001_init.sql"))
        .migration(migration!("inventory", "0002_low_stock_index.sql"))
}

/// The error Medusa answers when stock is short.
pub fn insufficient() -> Error {
    Error::NotAllowed {
        message: "Some variant does not have the required inventory".into(),
        code: Some("insufficient_inventory"),
    }
}

/// An inventory level as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Level {
    /// `ilev_…`
    pub id: String,
    /// `iitem_…`
    pub inventory_item_id: String,
    /// `sloc_…`
    pub location_id: String,
    /// Units on the shelf.
    pub stocked_quantity: i64,
    /// Units held by reservations.
    pub reserved_quantity: i64,
    /// Units on their way.
    pub incoming_quantity: i64,
    /// `stocked − reserved`.
    pub available_quantity: i64,
}

/// One wanted reservation: `quantity` units of an item for a line item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Want {
    /// The line item holding the reservation.
    pub line_item_id: String,
    /// `iitem_…`
    pub inventory_item_id: String,
    /// Units.
    pub quantity: i64,
    /// Reserve even beyond what is available.
    pub allow_backorder: bool,
}

/// Creates an inventory item.
///
/// # Errors
/// Database failures.
pub fn create_item(conn: &Connection, ctx: &Ctx, sku: Option<&str>, title: &str) -> Result<String> {
    let id = ctx.id("iitem");
    conn.prepare_cached_static(
        "INSERT INTO inventory_item (id, sku, title, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
    )?
    .execute(params![id, sku, title, ctx.now()])?;
    Ok(id)
}

/// Sets the stocked quantity of an item at a location (creating the level).
///
/// # Errors
/// A negative quantity; an unknown item; database failures.
pub fn set_stocked(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    location: &str,
    stocked: i64,
) -> Result<()> {
    if stocked < 0 {
        return Err(Error::invalid("stocked_quantity must not be negative"));
    }
    let now = ctx.now();
    let updated = conn
        .prepare_cached_static(
            "UPDATE inventory_level SET stocked_quantity = ?3, updated_at = ?4
             WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![item, location, stocked, now])?;
    if updated == 0 {
        conn.prepare_cached_static(
            "INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![ctx.id("ilev"), item, location, stocked, now])?;
    }
    Ok(())
}

/// Puts `quantity` units of an item back on the shelf at a location (a received return):
/// `stocked` rises, creating the level when the item was never stocked there.
///
/// # Errors
/// A quantity below 1; database failures.
pub fn receive(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    location: &str,
    quantity: i64,
) -> Result<()> {
    if quantity < 1 {
        return Err(Error::invalid("Received quantity must be at least 1"));
    }
    let now = ctx.now();
    let updated = conn
        .prepare_cached_static(
            "UPDATE inventory_level SET stocked_quantity = stocked_quantity + ?3, updated_at = ?4
             WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![item, location, quantity, now])?;
    if updated == 0 {
        set_stocked(conn, ctx, item, location, quantity)?;
    }
    Ok(())
}

/// Levels of `item` at `locations`, in the order of `locations`.
///
/// # Errors
/// Database failures.
pub fn levels(conn: &Connection, item: &str, locations: &[String]) -> Result<Vec<Level>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity
         FROM inventory_level WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
    )?;
    let mut out = Vec::new();
    for location in locations {
        let level = stmt
            .query_row(params![item, location], |r| {
                let (stocked, reserved): (i64, i64) = (r.get(3)?, r.get(4)?);
                Ok(Level {
                    id: r.get(0)?,
                    inventory_item_id: r.get(1)?,
                    location_id: r.get(2)?,
                    stocked_quantity: stocked,
                    reserved_quantity: reserved,
                    incoming_quantity: r.get(5)?,
                    available_quantity: stocked - reserved,
                })
            })
            .optional()?;
        out.extend(level);
    }
    Ok(out)
}

/// Whether `quantity` units of `item` are available at one of `locations`.
///
/// # Errors
/// Database failures.
pub fn is_available(
    conn: &Connection,
    item: &str,
    locations: &[String],
    quantity: i64,
) -> Result<bool> {
    Ok(levels(conn, item, locations)?
        .iter()
        .any(|l| l.available_quantity >= quantity))
}

/// Reserves every want, summed per inventory item (two lines sharing one item are checked
/// against their total), at the first of `locations` that can cover the sum. Returns the
/// reservation ids.
///
/// # Errors
/// `not_allowed` / `insufficient_inventory` when an item is short everywhere (nothing is
/// left reserved: the caller's transaction or savepoint rolls back); database failures.
pub fn reserve(
    conn: &Connection,
    ctx: &Ctx,
    wants: &[Want],
    locations: &[String],
) -> Result<Vec<String>> {
    let mut per_item: BTreeMap<&str, (i64, bool)> = BTreeMap::new();
    for want in wants {
        let entry = per_item.entry(&want.inventory_item_id).or_insert((0, true));
        entry.0 += want.quantity;
        entry.1 &= want.allow_backorder;
    }
    let mut chosen: BTreeMap<&str, String> = BTreeMap::new();
    for (item, (quantity, backorder)) in &per_item {
        let location = take(conn, ctx, item, locations, *quantity, *backorder)?;
        chosen.insert(item, location);
    }
    let now = ctx.now();
    let mut ids = Vec::with_capacity(wants.len());
    let mut insert = conn.prepare_cached_static(
        "INSERT INTO inventory_reservation_item
           (id, line_item_id, inventory_item_id, location_id, quantity, allow_backorder, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?;
    for want in wants {
        let id = ctx.id("resitem");
        let location = chosen
            .get(want.inventory_item_id.as_str())
            .cloned()
            .unwrap_or_default();
        insert.execute(params![
            id,
            want.line_item_id,
            want.inventory_item_id,
            location,
            want.quantity,
            want.allow_backorder,
            now
        ])?;
        ids.push(id);
    }
    Ok(ids)
}

/// The guarded decrement: adds `quantity` to `reserved` at the first location that has it.
fn take(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    locations: &[String],
    quantity: i64,
    backorder: bool,
) -> Result<String> {
    let mut stmt = conn.prepare_cached_static(
        "UPDATE inventory_level SET reserved_quantity = reserved_quantity + ?3, updated_at = ?5
         WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL
           AND (?4 OR stocked_quantity - reserved_quantity >= ?3)",
    )?;
    let now = ctx.now();
    for location in locations {
        if stmt.execute(params![item, location, quantity, backorder, now])? > 0 {
            return Ok(location.clone());
        }
    }
    Err(insufficient())
}

/// Deletes reservations and gives their units back.
///
/// # Errors
/// Database failures.
pub fn release(conn: &Connection, ctx: &Ctx, reservation_ids: &[String]) -> Result<()> {
    let now = ctx.now();
    for id in reservation_ids {
        let found: Option<(String, String, i64)> = conn
            .prepare_cached_static(
                "SELECT inventory_item_id, location_id, quantity FROM inventory_reservation_item
                 WHERE id = ?1 AND deleted_at IS NULL",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((item, location, quantity)) = found else {
            continue;
        };
        conn.prepare_cached_static(
            "UPDATE inventory_level SET reserved_quantity = MAX(reserved_quantity - ?3, 0), updated_at = ?4
             WHERE inventory_item_id = ?1 AND location_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![item, location, quantity, now])?;
        conn.prepare_cached_static(
            "UPDATE inventory_reservation_item SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
        )?
        .execute(params![id, now])?;
    }
    Ok(())
}

/// Live reservations held by a line item: `(id, inventory_item_id, location_id, quantity)`.
///
/// # Errors
/// Database failures.
pub fn reservations_of(
    conn: &Connection,
    line_item_id: &str,
) -> Result<Vec<(String, String, String, i64)>> {
    let mut stmt = conn.prepare_cached_static(
        "SELECT id, inventory_item_id, location_id, quantity FROM inventory_reservation_item
         WHERE line_item_id = ?1 AND deleted_at IS NULL ORDER BY id",
    )?;
    let rows = stmt.query_map([line_item_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Sets the stocked quantity of an item at every location that has a level for it;
/// `None` sets it to what is reserved (nothing left to sell). Returns the levels changed.
///
/// # Errors
/// A negative quantity; database failures.
pub fn set_stocked_everywhere(
    conn: &Connection,
    ctx: &Ctx,
    item: &str,
    stocked: Option<i64>,
) -> Result<usize> {
    if stocked.is_some_and(|s| s < 0) {
        return Err(Error::invalid("stocked_quantity must not be negative"));
    }
    Ok(conn
        .prepare_cached_static(
            "UPDATE inventory_level SET stocked_quantity = COALESCE(?2, reserved_quantity), updated_at = ?3
             WHERE inventory_item_id = ?1 AND deleted_at IS NULL",
        )?
        .execute(params![item, stocked, ctx.now()])?)
}

/// Units of an item available over every location (`Σ stocked − reserved`).
///
/// # Errors
/// Database failures.
pub fn available_everywhere(conn: &Connection, item: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached_static(
            "SELECT COALESCE(SUM(stocked_quantity - reserved_quantity), 0) FROM inventory_level
             WHERE inventory_item_id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([item], |r| r.get(0))?)
}
