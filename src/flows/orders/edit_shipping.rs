//! An order edit's shipping method (Medusa 2.21.2's `create-order-edit-shipping-method`,
//! `update-order-edit-shipping-method`, `remove-order-edit-shipping-method`): a `SHIPPING_ADD`
//! action on the edit (without a return), priced from an outbound option for the order's
//! currency and region or from staff's `custom_amount`; confirming the edit adds the method to
//! the order (the others stay) with the tax lines of shipping at the order's address (from
//! the tax region's provider in the engine's registry).

use super::change_inputs::{is_return_option, option_amount, update_shipping};
use super::edit_types::{self as types, OnOrder};
use super::edits::{active_edit, done, live_order, order_tax_lines};
use super::returns::one;
use super::targets::{ActionRef, NewShipping, ShippingUpdate, amount_json};
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::modules::fulfillment as options;
use crate::modules::order::changes::{self, ChangeAction, NewAction, OrderChange};
use crate::modules::order::return_actions::SHIPPING_ADD;
use crate::modules::order::{self, LineItem, Order, ShippingMethod};
use crate::workflow::{Done, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::json;

/// The workflows of this file.
pub fn workflows() -> Vec<Workflow> {
    vec![
        one(types::ADD_SHIPPING, add_step),
        one(types::UPDATE_SHIPPING, update_step),
        one(types::REMOVE_SHIPPING, remove_step),
    ]
}

fn shipping_action(conn: &Connection, change: &OrderChange, id: &str) -> Result<ChangeAction> {
    changes::action(conn, id)
        .ok()
        .filter(|a| a.order_change_id.as_deref() == Some(&change.id))
        .filter(|a| a.action == SHIPPING_ADD && a.return_id.is_none())
        .ok_or_else(|| {
            Error::invalid(format!(
                "Action {id} is not a shipping action of order edit {}",
                change.id
            ))
        })
}

fn add_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<NewShipping> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    let action = outbound_action(tx, &found, &input.body)?;
    changes::add_action(tx, step.engine.ctx(), &change, &action)?;
    done(&found.id)
}

/// An outbound SHIPPING_ADD action (no return) from a request's `shipping_option_id`,
/// `custom_amount` and `internal_note`: the option must not be a return option; its price
/// for the order, or the custom amount, is what it costs.
pub(super) fn outbound_action(tx: &Tx, found: &Order, sent: &NewShipping) -> Result<NewAction> {
    let option_id = sent.shipping_option_id.as_str();
    let option = options::retrieve_option(tx, option_id)?;
    if is_return_option(&option) {
        return Err(Error::invalid(format!(
            "Shipping option {option_id} is a return shipping option"
        )));
    }
    let region = found.region_id.as_deref();
    let custom = amount_json(&sent.custom_amount);
    let amount = option_amount(
        &option,
        &found.currency_code,
        region,
        (&custom, "custom_amount"),
    )?;
    Ok(NewAction {
        action: SHIPPING_ADD.into(),
        reference: Some("order_shipping_method".into()),
        reference_id: None,
        details: json!({"shipping_option_id": option.id, "name": option.name}),
        amount: Some(amount),
        internal_note: sent.internal_note.clone(),
        return_id: None,
    })
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<ShippingUpdate> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    let action = shipping_action(tx, &change, &input.body.action_id)?;
    update_shipping(tx, step, &input.body, &found.currency_code, &action)?;
    done(&found.id)
}

fn remove_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<ActionRef> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    let action = shipping_action(tx, &change, &input.body.action_id)?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    done(&found.id)
}

/// Confirming: the method joins the order's others, taxed as shipping at its address.
/// Returns its id.
pub(super) fn apply(
    tx: &Tx,
    engine: &Engine,
    found: &Order,
    action: &ChangeAction,
) -> Result<String> {
    let method = ShippingMethod {
        name: action.details["name"]
            .as_str()
            .unwrap_or("Shipping")
            .to_string(),
        amount: action.amount.unwrap_or_default(),
        shipping_option_id: action.details["shipping_option_id"]
            .as_str()
            .map(str::to_string),
        data: json!({}),
        tax_lines: order_tax_lines(tx, engine, found, &LineItem::default())?,
        ..ShippingMethod::default()
    };
    order::shipping::add_method(tx, engine.ctx(), &found.id, &method)
}
