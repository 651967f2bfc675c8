//! Admin inventory operations that touch more than the inventory module: levels and
//! reservations name a stock location that must exist; deleting a location removes its sales
//! channel and fulfillment provider links and deletes its fulfillment sets; linking channels
//! to a location checks both ends.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::Result;
use crate::flows::{fulfillment_setup_locations, links};
use crate::modules::inventory::{Level, manage, reservations};
use crate::modules::{sales_channel, stock_location};

/// Creates a level of `item` at an existing location.
///
/// # Errors
/// 404 for an unknown item or location; a level already there; database failures.
pub fn create_level(
    tx: &Tx,
    ctx: &Ctx,
    item: &str,
    location: &str,
    stocked: i64,
    incoming: i64,
) -> Result<()> {
    stock_location::retrieve(tx, location)?;
    manage::create_level(tx, ctx, item, location, stocked, incoming)
}

/// Creates a reservation at an existing location.
///
/// # Errors
/// 404 for an unknown item, location or level; short stock; database failures.
pub fn create_reservation(
    tx: &Tx,
    ctx: &Ctx,
    input: &reservations::NewReservation,
) -> Result<reservations::Reservation> {
    manage::retrieve(tx, &input.inventory_item_id)?;
    stock_location::retrieve(tx, &input.location_id)?;
    reservations::create(tx, ctx, input)
}

/// Deletes a location, dismisses its sales channel and fulfillment provider links, and
/// deletes its fulfillment sets (Medusa's location ↔ set link cascades deletes to the set).
///
/// # Errors
/// 404 when absent; database failures.
pub fn delete_location(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    stock_location::manage::delete(tx, ctx, id)?;
    let link = links::sales_channel_stock_location();
    for channel in link.lefts_of(tx, id)? {
        link.dismiss(tx, &channel, id, &ctx.now())?;
    }
    let providers = links::location_fulfillment_provider();
    for provider in providers.rights_of(tx, id)? {
        providers.dismiss(tx, id, &provider, &ctx.now())?;
    }
    for set in fulfillment_setup_locations::sets_of_location(tx, id)? {
        fulfillment_setup_locations::delete_set(tx, ctx, &set.id)?;
    }
    Ok(())
}

/// Links (`add`) and unlinks (`remove`) sales channels to a location.
///
/// # Errors
/// 404 for an unknown location or channel to add; database failures.
pub fn location_channels(
    tx: &Tx,
    ctx: &Ctx,
    id: &str,
    add: &[String],
    remove: &[String],
) -> Result<()> {
    stock_location::retrieve(tx, id)?;
    let link = links::sales_channel_stock_location();
    for channel in add {
        sales_channel::retrieve(tx, channel)?;
        link.create(tx, &ctx.id("scloc"), channel, id, &ctx.now())?;
    }
    for channel in remove {
        link.dismiss(tx, channel, id, &ctx.now())?;
    }
    Ok(())
}

/// One level of a batch: its location and the quantities to set (`None`: unchanged; a
/// created level starts from 0).
#[derive(Debug, Clone)]
pub struct LevelChange {
    /// `sloc_…`
    pub location_id: String,
    /// Units on hand.
    pub stocked: Option<i64>,
    /// Units on their way.
    pub incoming: Option<i64>,
}

/// Medusa's `batchInventoryItemLevelsWorkflow` for one item, in one write job (a refusal
/// anywhere leaves every level as it was): creates levels at existing locations, updates
/// levels by location, deletes levels by id (refused while reserved or incoming, and while
/// stocked unless `force`). Returns the created and updated levels and the deleted ids.
///
/// # Errors
/// 404 for an unknown item, location or level; `not_allowed` as above.
pub fn batch_levels(
    tx: &Tx,
    ctx: &Ctx,
    item: &str,
    (create, update, delete): (&[LevelChange], &[LevelChange], &[String]),
    force: bool,
) -> Result<(Vec<Level>, Vec<Level>, Vec<String>)> {
    manage::retrieve(tx, item)?;
    let at = |location: &str| -> Result<Level> {
        manage::levels_of(tx, item)?
            .into_iter()
            .find(|l| l.location_id == location)
            .ok_or_else(|| crate::error::Error::not_found("Inventory level", location))
    };
    let mut created = Vec::with_capacity(create.len());
    for change in create {
        let (stocked, incoming) = (change.stocked.unwrap_or(0), change.incoming.unwrap_or(0));
        create_level(tx, ctx, item, &change.location_id, stocked, incoming)?;
        created.push(at(&change.location_id)?);
    }
    let mut updated = Vec::with_capacity(update.len());
    for change in update {
        manage::update_level(
            tx,
            ctx,
            item,
            &change.location_id,
            change.stocked,
            change.incoming,
        )?;
        updated.push(at(&change.location_id)?);
    }
    for id in delete {
        let level = manage::levels_of(tx, item)?
            .into_iter()
            .find(|l| &l.id == id)
            .ok_or_else(|| crate::error::Error::not_found("Inventory level", id))?;
        manage::delete_level(tx, ctx, item, &level.location_id, force)?;
    }
    Ok((created, updated, delete.to_vec()))
}

/// Medusa's `POST /admin/inventory-items/location-levels/batch`: [`batch_levels`] across
/// items — creates and updates name their item, deletes a level id of any item — in the
/// caller's one write job, so a refusal anywhere leaves every level as it was.
///
/// # Errors
/// As [`batch_levels`].
pub fn batch_levels_across(
    tx: &Tx,
    ctx: &Ctx,
    create: &[(String, LevelChange)],
    update: &[(String, LevelChange)],
    delete: &[String],
    force: bool,
) -> Result<(Vec<Level>, Vec<Level>, Vec<String>)> {
    let (mut created, mut updated) = (Vec::new(), Vec::new());
    for (item, change) in create {
        let one = std::slice::from_ref(change);
        created.extend(batch_levels(tx, ctx, item, (one, &[], &[]), force)?.0);
    }
    for (item, change) in update {
        let one = std::slice::from_ref(change);
        updated.extend(batch_levels(tx, ctx, item, (&[], one, &[]), force)?.1);
    }
    for id in delete {
        let item = manage::item_of_level(tx, id)?;
        batch_levels(tx, ctx, &item, (&[], &[], std::slice::from_ref(id)), force)?;
    }
    Ok((created, updated, delete.to_vec()))
}
