//! A publishable key's sales channels (Medusa's `linkSalesChannelsToApiKeyWorkflow`): the
//! api-key and sales-channel modules each vouch for their side, the link records the pair.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::{api_key, sales_channel};
use rusqlite::Connection;

/// Adds and removes sales channels of a publishable key; returns its channel ids after.
///
/// # Errors
/// 404 for an unknown key or channel; 400 for a secret key.
pub fn link_sales_channels(
    conn: &Connection,
    ctx: &Ctx,
    key_id: &str,
    add: &[String],
    remove: &[String],
) -> Result<Vec<String>> {
    let key = api_key::retrieve(conn, key_id)?;
    if key.kind != "publishable" {
        return Err(Error::invalid(
            "Sales channels can only be associated with publishable API keys",
        ));
    }
    let link = links::publishable_key_sales_channel();
    let now = ctx.now();
    for channel in add {
        sales_channel::retrieve(conn, channel)?;
        link.create(conn, &ctx.id("pksc"), key_id, channel, &now)?;
    }
    for channel in remove {
        link.dismiss(conn, key_id, channel, &now)?;
    }
    link.rights_of(conn, key_id)
}

/// Deletes a revoked API key and dismisses its sales-channel links (Medusa's
/// `deleteApiKeysWorkflow` removes the key's links with it).
///
/// # Errors
/// 404 for an unknown key; 400 `not_allowed` while it is not revoked.
pub fn delete_key(conn: &Connection, ctx: &Ctx, key_id: &str) -> Result<()> {
    api_key::delete(conn, ctx, key_id)?;
    let link = links::publishable_key_sales_channel();
    let now = ctx.now();
    for channel in link.rights_of(conn, key_id)? {
        link.dismiss(conn, key_id, &channel, &now)?;
    }
    Ok(())
}
