//! A return's shipping method (Medusa 2.21.2's `create-return-shipping-method`,
//! `update-return-shipping-method`, `remove-return-shipping-method`): a `SHIPPING_ADD`
//! action on the return's request, priced from a return option (its `is_return` rule must be
//! `true`) for the order's currency and region, or from staff's `custom_amount`.

use super::returns::{
    REQUEST, active_change, change_action, done, ensure_open, load, note_of, text,
};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::fulfillment as options;
use crate::modules::order::Order;
use crate::modules::order::changes::{self, NewAction};
use crate::modules::order::return_actions::SHIPPING_ADD;
use crate::modules::order::returns::Return;
use crate::money;
use crate::workflow::{Done, StepCtx};
use serde_json::{Value, json};

/// The minor units of a sent major-unit amount, never negative.
fn amount_of(value: &Value, currency: &str) -> Result<Option<i64>> {
    if value.is_null() {
        return Ok(None);
    }
    money::parse_major_non_negative(value, currency)
        .map(Some)
        .map_err(|e| Error::invalid(format!("custom_amount: {e}")))
}

/// Adds the return's SHIPPING_ADD action: the option must be a return option; its price
/// for the order (or `custom_amount`, staff only) is what the customer pays for it.
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
    let option = options::retrieve_option(tx, option_id)?;
    if !option.rule_allows("is_return", "true") || option.rule_allows("is_return", "false") {
        return Err(Error::invalid(format!(
            "Shipping option {option_id} is not a return shipping option"
        )));
    }
    let amount = match amount_of(custom_amount, &owner.currency_code)? {
        Some(a) => a,
        None => options::price_for(&option, &owner.currency_code, owner.region_id.as_deref())
            .map(|p| p.amount)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Shipping option {option_id} has no price in {}",
                    owner.currency_code
                ))
            })?,
    };
    let action = NewAction {
        action: SHIPPING_ADD.into(),
        reference: Some("order_shipping_method".into()),
        reference_id: None,
        details: json!({"shipping_option_id": option.id, "name": option.name, "return_id": found.id}),
        amount: Some(amount),
        internal_note: None,
        return_id: Some(found.id.clone()),
    };
    changes::add_action(tx, ctx, &change, &action)?;
    Ok(())
}

pub(super) fn add_shipping_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (found, owner) = load(tx, text(step, "return_id").unwrap_or_default())?;
    let option = text(step, "shipping_option_id").unwrap_or_default();
    add_shipping(
        tx,
        step.engine.ctx(),
        &found,
        &owner,
        option,
        &step.input["custom_amount"],
    )?;
    Ok(done(&found))
}

pub(super) fn update_shipping_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (found, owner) = load(tx, text(step, "return_id").unwrap_or_default())?;
    ensure_open(&found)?;
    let action_id = text(step, "action_id").unwrap_or_default();
    let action = change_action(tx, &found, REQUEST, action_id, &[SHIPPING_ADD])?;
    let amount = amount_of(&step.input["custom_amount"], &owner.currency_code)?.or(action.amount);
    let note = note_of(step, &action);
    changes::update_action(
        tx,
        step.engine.ctx(),
        &action,
        &action.details,
        amount,
        note.as_deref(),
    )?;
    Ok(done(&found))
}

pub(super) fn remove_shipping_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (found, _) = load(tx, text(step, "return_id").unwrap_or_default())?;
    ensure_open(&found)?;
    let action_id = text(step, "action_id").unwrap_or_default();
    let action = change_action(tx, &found, REQUEST, action_id, &[SHIPPING_ADD])?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    Ok(done(&found))
}
