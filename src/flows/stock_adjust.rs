//! Adjusting an item's stock at a location by a number of units, with a note (the admin UI's
//! "Adjust stock"): read, check and write in one write job, so two adjustments never lose
//! one another, and the note is kept in the outbox as `inventory-level.adjusted`
//! `{id: item, location_id, delta, stocked_quantity, note, user_id}` — the item's stock
//! history that its page shows.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::inventory::manage;
use serde_json::json;

/// What one adjustment asks.
#[derive(Debug, Clone)]
pub struct Adjustment {
    /// `iitem_…`
    pub item_id: String,
    /// `sloc_…`
    pub location_id: String,
    /// Units added (negative: removed).
    pub delta: i64,
    /// Why (free text, kept with the event).
    pub note: Option<String>,
    /// Who (`user_…`).
    pub user_id: String,
}

/// Applies `adjustment`; returns the new stocked quantity.
///
/// # Errors
/// 404 when the item is not stocked at the location; 400 when the result would be below
/// zero or below what is reserved there, or when the delta is zero.
pub fn adjust(tx: &Tx, ctx: &Ctx, adjustment: &Adjustment) -> Result<i64> {
    let a = adjustment;
    if a.delta == 0 {
        return Err(Error::invalid(
            "The adjustment must add or remove at least one unit",
        ));
    }
    let item = manage::retrieve(tx, &a.item_id)?;
    let level = item
        .location_levels
        .iter()
        .find(|l| l.location_id == a.location_id)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "Item {} is not stocked at location {}",
                a.item_id, a.location_id
            ))
        })?;
    let stocked = level
        .stocked_quantity
        .checked_add(a.delta)
        .ok_or_else(|| Error::invalid("The adjustment is too large"))?;
    if stocked < level.reserved_quantity.max(0) {
        return Err(Error::invalid(format!(
            "Stock cannot go below the {} units reserved there (it would be {stocked})",
            level.reserved_quantity
        )));
    }
    manage::update_level(tx, ctx, &a.item_id, &a.location_id, Some(stocked), None)?;
    ctx.emit(
        tx,
        "inventory-level.adjusted",
        json!({
            "id": a.item_id, "location_id": a.location_id, "delta": a.delta,
            "stocked_quantity": stocked, "note": a.note, "user_id": a.user_id,
        }),
    )?;
    Ok(stocked)
}
