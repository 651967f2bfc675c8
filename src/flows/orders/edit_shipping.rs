//! An order edit's shipping method (Medusa 2.21.2's `create-order-edit-shipping-method`,
//! `update-order-edit-shipping-method`, `remove-order-edit-shipping-method`): a `SHIPPING_ADD`
//! action on the edit (without a return), priced from an outbound option for the order's
//! currency and region or from staff's `custom_amount`; confirming the edit adds the method to
//! the order (the others stay) with the tax lines of shipping at the order's address.

use super::edits::{active_edit, done, live_order, order_tax_lines, text};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::fulfillment as options;
use crate::modules::order::changes::{self, ChangeAction, NewAction, OrderChange};
use crate::modules::order::return_actions::SHIPPING_ADD;
use crate::modules::order::{self, LineItem, Order, ShippingMethod};
use crate::money;
use crate::workflow::{Done, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The workflows of this file.
pub fn workflows() -> Vec<Workflow> {
    let one = |name: &str, f: fn(&Tx, &StepCtx) -> Result<Done>| {
        Workflow::new(name).step(Step::local(name, f))
    };
    vec![
        one("create-order-edit-shipping-method", add_step),
        one("update-order-edit-shipping-method", update_step),
        one("remove-order-edit-shipping-method", remove_step),
    ]
}

fn custom(value: &Value, currency: &str) -> Result<Option<i64>> {
    if value.is_null() {
        return Ok(None);
    }
    money::parse_major_non_negative(value, currency)
        .map(Some)
        .map_err(|e| Error::invalid(format!("custom_amount: {e}")))
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
    let found = live_order(tx, text(step, "order_id").unwrap_or_default())?;
    let change = active_edit(tx, &found.id)?;
    let option_id = text(step, "shipping_option_id").unwrap_or_default();
    let option = options::retrieve_option(tx, option_id)?;
    if option.rule_allows("is_return", "true") && !option.rule_allows("is_return", "false") {
        return Err(Error::invalid(format!(
            "Shipping option {option_id} is a return shipping option"
        )));
    }
    let amount = match custom(&step.input["custom_amount"], &found.currency_code)? {
        Some(a) => a,
        None => options::price_for(&option, &found.currency_code, found.region_id.as_deref())
            .map(|p| p.amount)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Shipping option {option_id} has no price in {}",
                    found.currency_code
                ))
            })?,
    };
    let action = NewAction {
        action: SHIPPING_ADD.into(),
        reference: Some("order_shipping_method".into()),
        reference_id: None,
        details: json!({"shipping_option_id": option.id, "name": option.name}),
        amount: Some(amount),
        internal_note: text(step, "internal_note").map(str::to_string),
        return_id: None,
    };
    changes::add_action(tx, step.engine.ctx(), &change, &action)?;
    Ok(done(&found.id))
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let found = live_order(tx, text(step, "order_id").unwrap_or_default())?;
    let change = active_edit(tx, &found.id)?;
    let action = shipping_action(tx, &change, text(step, "action_id").unwrap_or_default())?;
    let amount = custom(&step.input["custom_amount"], &found.currency_code)?.or(action.amount);
    let note = match step.input.get("internal_note") {
        Some(v) => v.as_str().map(str::to_string),
        None => action.internal_note.clone(),
    };
    let ctx = step.engine.ctx();
    changes::update_action(tx, ctx, &action, &action.details, amount, note.as_deref())?;
    Ok(done(&found.id))
}

fn remove_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let found = live_order(tx, text(step, "order_id").unwrap_or_default())?;
    let change = active_edit(tx, &found.id)?;
    let action = shipping_action(tx, &change, text(step, "action_id").unwrap_or_default())?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    Ok(done(&found.id))
}

/// Confirming: the method joins the order's others, taxed as shipping at its address.
pub(super) fn apply(tx: &Tx, ctx: &Ctx, found: &Order, action: &ChangeAction) -> Result<()> {
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
        tax_lines: order_tax_lines(tx, found, &LineItem::default())?,
        ..ShippingMethod::default()
    };
    order::shipping::add_method(tx, ctx, &found.id, &method)?;
    Ok(())
}
