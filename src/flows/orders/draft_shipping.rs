//! A draft order's existing shipping methods inside its edit (Medusa 2.21.2's
//! `update-draft-order-shipping-method` and `remove-draft-order-shipping-method`,
//! `POST` / `DELETE /admin/draft-orders/:id/edit/shipping-methods/method/:method_id`).
//!
//! Updating records a `SHIPPING_UPDATE` action (a new option at its price for the draft's
//! currency and region, and / or staff's `custom_amount`); removing records a
//! `SHIPPING_REMOVE`. Both show in the preview and are written when the edit is confirmed,
//! after which the draft's promotions are computed again. Where we differ from Medusa: Medusa
//! writes an update to the method at once (and restores it when the edit is canceled); here
//! nothing changes until the edit is confirmed, so a canceled edit has nothing to undo.

use super::change_inputs::{is_return_option, note_of, option_amount};
use super::draft_promotions::ensure_draft;
use super::edit_types::{self as types, DraftMethodChange, OnOrder};
use super::edits::{active_edit, done, live_order};
use super::returns::one;
use super::targets::amount_json;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::fulfillment as options;
use crate::modules::order::changes::{self, ChangeAction, NewAction, OrderChange, SHIPPING_REMOVE};
use crate::modules::order::draft_lines::{self, SHIPPING_UPDATE};
use crate::modules::order::{self, Order, ShippingMethod};
use crate::workflow::{Done, StepCtx, Workflow};
use serde_json::json;

/// The workflows of this file.
pub fn workflows() -> Vec<Workflow> {
    vec![
        one(types::UPDATE_DRAFT_METHOD, update_step),
        one(types::REMOVE_DRAFT_METHOD, remove_step),
    ]
}

/// The draft, its open edit, and its live method named by the input's `shipping_method_id`
/// (with the edit's earlier action on that method, if any).
fn open(
    tx: &Tx,
    input: &OnOrder<DraftMethodChange>,
) -> Result<(Order, OrderChange, ShippingMethod, Option<ChangeAction>)> {
    let found = live_order(tx, &input.id)?;
    ensure_draft(&found)?;
    let change = active_edit(tx, &found.id)?;
    let method_id = input.body.shipping_method_id.as_str();
    draft_lines::ensure_method_of(tx, &found.id, method_id)?;
    let method = order::shipping::methods_of(tx, &found.id)?
        .into_iter()
        .find(|m| m.id == method_id)
        .ok_or_else(|| Error::not_found("Shipping method", method_id))?;
    let earlier = changes::actions_of(tx, &change.id)?.into_iter().find(|a| {
        (a.action == SHIPPING_UPDATE || a.action == SHIPPING_REMOVE)
            && a.reference_id.as_deref() == Some(method_id)
    });
    if earlier
        .as_ref()
        .is_some_and(|a| a.action == SHIPPING_REMOVE)
    {
        return Err(Error::invalid(format!(
            "Shipping method {method_id} is already removed by this edit"
        )));
    }
    Ok((found, change, method, earlier))
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<DraftMethodChange> = step.input_as()?;
    let (found, change, method, earlier) = open(tx, &input)?;
    let custom = &amount_json(&input.body.custom_amount);
    let (option_id, name, amount) = match input.body.shipping_option_id.as_deref() {
        Some(id) => {
            let option = options::retrieve_option(tx, id)?;
            if is_return_option(&option) {
                return Err(Error::invalid(format!(
                    "Shipping option {id} is a return shipping option"
                )));
            }
            let region = found.region_id.as_deref();
            let amount = option_amount(
                &option,
                &found.currency_code,
                region,
                (custom, "custom_amount"),
            )?;
            (Some(option.id), option.name, amount)
        }
        None => {
            let amount = super::change_inputs::optional_amount(
                custom,
                &found.currency_code,
                "custom_amount",
            )?
            .unwrap_or(method.amount);
            (
                method.shipping_option_id.clone(),
                method.name.clone(),
                amount,
            )
        }
    };
    let details = json!({
        "old_shipping_option_id": method.shipping_option_id,
        "new_shipping_option_id": option_id,
        "old_name": method.name,
        "new_name": name,
        "old_amount": method.amount,
        "new_amount": amount,
    });
    let ctx = step.engine.ctx();
    match earlier {
        Some(a) => {
            let note = note_of(&input.body.internal_note, &a);
            changes::update_action(tx, ctx, &a, &details, Some(amount), note.as_deref())?;
        }
        None => {
            let action = NewAction {
                action: SHIPPING_UPDATE.into(),
                reference: Some("order_shipping_method".into()),
                reference_id: Some(method.id.clone()),
                details,
                amount: Some(amount),
                internal_note: input.body.internal_note.clone().flatten(),
                return_id: None,
            };
            changes::add_action(tx, ctx, &change, &action)?;
        }
    }
    done(&found.id)
}

fn remove_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<DraftMethodChange> = step.input_as()?;
    let (found, change, method, earlier) = open(tx, &input)?;
    let ctx = step.engine.ctx();
    if let Some(update) = earlier {
        changes::delete_action(tx, ctx, &update)?;
    }
    let action = NewAction {
        action: SHIPPING_REMOVE.into(),
        reference: Some("order_shipping_method".into()),
        reference_id: Some(method.id.clone()),
        details: json!({ "name": method.name, "amount": method.amount }),
        amount: Some(-method.amount),
        internal_note: None,
        return_id: None,
    };
    changes::add_action(tx, ctx, &change, &action)?;
    done(&found.id)
}

/// Writes a confirmed `SHIPPING_UPDATE` / `SHIPPING_REMOVE` of a draft's method. Returns
/// whether `action` was one.
///
/// # Errors
/// 400 when the method is no longer the draft's; database failures.
pub(super) fn apply(tx: &Tx, ctx: &Ctx, found: &Order, action: &ChangeAction) -> Result<bool> {
    let method = action.reference_id.as_deref().unwrap_or_default();
    match action.action.as_str() {
        SHIPPING_UPDATE => {
            let d = &action.details;
            let name = d["new_name"].as_str().unwrap_or_default();
            let amount = d["new_amount"].as_i64().unwrap_or_default();
            let option = d["new_shipping_option_id"].as_str();
            draft_lines::reprice_method(tx, ctx, &found.id, method, (option, name, amount))?;
        }
        SHIPPING_REMOVE => draft_lines::remove_method(tx, ctx, &found.id, method)?,
        _ => return Ok(false),
    }
    Ok(true)
}
