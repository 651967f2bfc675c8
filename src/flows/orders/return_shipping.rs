//! A return's shipping method (Medusa 2.21.2's `create-return-shipping-method`,
//! `update-return-shipping-method`, `remove-return-shipping-method`): a `SHIPPING_ADD`
//! action on the return's request, priced from a return option (its `is_return` rule must be
//! `true`) for the order's currency and region, or from staff's `custom_amount`.

use super::change_inputs::{is_return_option, option_amount, update_shipping};
use super::return_types::OnReturn;
use super::returns::{REQUEST, active_change, change_action, done, ensure_open, load};
use super::targets::{ActionRef, NewShipping, ShippingUpdate, amount_json};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::fulfillment as options;
use crate::modules::order::Order;
use crate::modules::order::changes::{self, NewAction, OrderChange};
use crate::modules::order::return_actions::SHIPPING_ADD;
use crate::modules::order::returns::Return;
use crate::workflow::{Done, StepCtx};
use serde_json::{Value, json};

/// Adds the return's SHIPPING_ADD action to its request.
pub(super) fn add_shipping(
    tx: &Tx,
    ctx: &Ctx,
    found: &Return,
    owner: &Order,
    option_id: &str,
    custom_amount: &Value,
) -> Result<()> {
    ensure_open(found)?;
    let change = active_change(tx, found, REQUEST)?;
    add_shipping_to(tx, ctx, found, owner, &change, option_id, custom_amount)
}

/// Adds a SHIPPING_ADD action for the return to `change` (its request, or the exchange or
/// claim it is the inbound return of): the option must be a return option; its price for
/// the order (or `custom_amount`, staff only) is what the customer pays for it.
pub(super) fn add_shipping_to(
    tx: &Tx,
    ctx: &Ctx,
    found: &Return,
    owner: &Order,
    change: &OrderChange,
    option_id: &str,
    custom_amount: &Value,
) -> Result<()> {
    let option = options::retrieve_option(tx, option_id)?;
    if !is_return_option(&option) {
        return Err(Error::invalid(format!(
            "Shipping option {option_id} is not a return shipping option"
        )));
    }
    let region = owner.region_id.as_deref();
    let amount = option_amount(
        &option,
        &owner.currency_code,
        region,
        (custom_amount, "custom_amount"),
    )?;
    let action = NewAction {
        action: SHIPPING_ADD.into(),
        reference: Some("order_shipping_method".into()),
        reference_id: None,
        details: json!({"shipping_option_id": option.id, "name": option.name, "return_id": found.id}),
        amount: Some(amount),
        internal_note: None,
        return_id: Some(found.id.clone()),
    };
    changes::add_action(tx, ctx, change, &action)?;
    Ok(())
}

pub(super) fn add_shipping_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<NewShipping> = step.input_as()?;
    let (found, owner) = load(tx, &input.id)?;
    let option = input.body.shipping_option_id.as_str();
    let custom = amount_json(&input.body.custom_amount);
    add_shipping(tx, step.engine.ctx(), &found, &owner, option, &custom)?;
    done(&found)
}

pub(super) fn update_shipping_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<ShippingUpdate> = step.input_as()?;
    let (found, owner) = load(tx, &input.id)?;
    ensure_open(&found)?;
    let action_id = input.body.action_id.as_str();
    let action = change_action(tx, &found, REQUEST, action_id, &[SHIPPING_ADD])?;
    update_shipping(tx, step, &input.body, &owner.currency_code, &action)?;
    done(&found)
}

pub(super) fn remove_shipping_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<ActionRef> = step.input_as()?;
    let (found, _) = load(tx, &input.id)?;
    ensure_open(&found)?;
    let action_id = input.body.action_id.as_str();
    let action = change_action(tx, &found, REQUEST, action_id, &[SHIPPING_ADD])?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    done(&found)
}
