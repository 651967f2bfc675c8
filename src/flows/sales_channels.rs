//! Sales channels after creation (Medusa's `updateSalesChannelsWorkflow`,
//! `deleteSalesChannelsWorkflow`): the store's default channel cannot be deleted; a deleted
//! channel leaves its products and publishable keys. Emits `sales-channel.created|updated|
//! deleted`.

use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::sales_channel::{self, NewSalesChannel, SalesChannel};
use crate::modules::store;
use serde_json::{Map, Value, json};

/// Creates a sales channel; emits `sales-channel.created`.
///
/// # Errors
/// As `sales_channel::create`.
pub fn create(tx: &Tx, ctx: &Ctx, input: &NewSalesChannel) -> Result<SalesChannel> {
    let made = sales_channel::create(tx, ctx, input)?;
    ctx.emit(tx, "sales-channel.created", json!({ "id": made.id }))?;
    Ok(made)
}

/// Updates a sales channel; emits `sales-channel.updated`.
///
/// # Errors
/// As `sales_channel::update`.
pub fn update(tx: &Tx, ctx: &Ctx, id: &str, changes: &Map<String, Value>) -> Result<SalesChannel> {
    let updated = sales_channel::update(tx, ctx, id, changes)?;
    ctx.emit(tx, "sales-channel.updated", json!({ "id": id }))?;
    Ok(updated)
}

/// Soft-deletes a sales channel and dismisses its product and key links; emits
/// `sales-channel.deleted`.
///
/// # Errors
/// 404 when absent; 400 for the store's default sales channel.
pub fn delete(tx: &Tx, ctx: &Ctx, id: &str) -> Result<()> {
    sales_channel::retrieve(tx, id)?;
    let is_default = store::default_store(tx)?
        .is_some_and(|s| s.default_sales_channel_id.as_deref() == Some(id));
    if is_default {
        return Err(Error::invalid(format!(
            "Cannot delete default sales channels: {id}"
        )));
    }
    sales_channel::soft_delete(tx, ctx, id)?;
    let now = ctx.now();
    for link in [
        links::product_sales_channel(),
        links::publishable_key_sales_channel(),
    ] {
        for left in link.lefts_of(tx, id)? {
            link.dismiss(tx, &left, id, &now)?;
        }
    }
    ctx.emit(tx, "sales-channel.deleted", json!({ "id": id }))
}

/// Adds products to a channel and removes others (Medusa's
/// `linkProductsToSalesChannelWorkflow`): each added product must exist; removing a product
/// that is not in the channel does nothing. Emits `sales-channel.updated`.
///
/// # Errors
/// 404 for an unknown channel or product.
pub fn link_products(
    tx: &Tx,
    ctx: &Ctx,
    channel_id: &str,
    add: &[String],
    remove: &[String],
) -> Result<SalesChannel> {
    let channel = sales_channel::retrieve(tx, channel_id)?;
    let link = links::product_sales_channel();
    let now = ctx.now();
    for product_id in add {
        crate::modules::product::read::retrieve_any(tx, product_id)?;
        link.create(tx, &ctx.id("prodsc"), product_id, channel_id, &now)?;
    }
    for product_id in remove {
        link.dismiss(tx, product_id, channel_id, &now)?;
    }
    ctx.emit(tx, "sales-channel.updated", json!({ "id": channel.id }))?;
    Ok(channel)
}
