//! The order-change actions of a return and what confirming each one writes (Medusa's
//! `RETURN_ITEM`, `RECEIVE_RETURN_ITEM`, `RECEIVE_DAMAGED_RETURN_ITEM` and a return's
//! `SHIPPING_ADD`). Each action carries its return in `return_id`; `details.reference_id`
//! names the order line item, `details.quantity` the units.

use super::changes::ChangeAction;
use super::returns;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use rusqlite::Connection;

/// Units of a line asked back.
pub const RETURN_ITEM: &str = "RETURN_ITEM";
/// Units of a line that came back in a sellable state (restocked).
pub const RECEIVE_RETURN_ITEM: &str = "RECEIVE_RETURN_ITEM";
/// Units of a line that came back damaged (not restocked).
pub const RECEIVE_DAMAGED_RETURN_ITEM: &str = "RECEIVE_DAMAGED_RETURN_ITEM";
/// A shipping method (of a return, when the action names one).
pub const SHIPPING_ADD: &str = "SHIPPING_ADD";

/// The order line an item action names.
pub fn line_of(action: &ChangeAction) -> &str {
    action.details["reference_id"].as_str().unwrap_or_default()
}

/// The units an item action moves.
pub fn quantity_of(action: &ChangeAction) -> i64 {
    action.details["quantity"].as_i64().unwrap_or_default()
}

/// Applies a return's action; `false` when the action is not one of them.
///
/// # Errors
/// 400 when a return action has no return or cannot be applied.
pub fn apply(conn: &Connection, ctx: &Ctx, action: &ChangeAction) -> Result<bool> {
    let kind = action.action.as_str();
    if ![
        RETURN_ITEM,
        RECEIVE_RETURN_ITEM,
        RECEIVE_DAMAGED_RETURN_ITEM,
        SHIPPING_ADD,
    ]
    .contains(&kind)
    {
        return Ok(false);
    }
    let return_id = action
        .return_id
        .as_deref()
        .ok_or_else(|| Error::invalid(format!("Order change action {kind} needs a return")))?;
    match kind {
        RETURN_ITEM => returns::add_item(conn, ctx, return_id, &action.details)?,
        RECEIVE_RETURN_ITEM | RECEIVE_DAMAGED_RETURN_ITEM => returns::receive_item(
            conn,
            ctx,
            return_id,
            line_of(action),
            quantity_of(action),
            kind == RECEIVE_DAMAGED_RETURN_ITEM,
        )?,
        _ => returns::add_shipping(
            conn,
            ctx,
            return_id,
            action.details["name"].as_str().unwrap_or("Return shipping"),
            action.details["shipping_option_id"].as_str(),
            action.amount.unwrap_or_default(),
        )?,
    }
    Ok(true)
}
