//! Returns, received and canceled (Medusa 2.21.2's `begin-receive-return`,
//! `receive-item-return-request`, `dismiss-item-return-request`,
//! `update-receive-item-return-request`, `remove-item-receive-return-action`,
//! `confirm-return-receive`, `cancel-receive-return` and `cancel-return`), one local step
//! each.
//!
//! Confirming a receipt writes the received and damaged quantities, puts the undamaged
//! units back on the shelf at the return's location (each managed inventory item of the
//! line's variant; damaged units are not restocked), moves the return to `received` (every
//! unit back) or `partially_received`, and emits `order.return_received` — all in one write
//! job, so a crash anywhere in it leaves the stock and the return as they were.

use super::change_inputs::note_of;
use super::returns::{RECEIVE, active_change, change_action, done, load, text};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::inventory;
use crate::modules::order::changes::{self, NewAction, NewChange};
use crate::modules::order::return_actions::{
    self, RECEIVE_DAMAGED_RETURN_ITEM, RECEIVE_RETURN_ITEM,
};
use crate::modules::order::returns::{self, Return};
use crate::modules::order::{self};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::json;

/// The workflows of this file.
pub fn workflows() -> Vec<Workflow> {
    let one = |name: &str, f: fn(&Tx, &StepCtx) -> Result<Done>| {
        Workflow::new(name).step(Step::local(name, f))
    };
    vec![
        one("begin-receive-return", begin_step),
        one("receive-item-return-request", receive_step),
        one("dismiss-item-return-request", dismiss_step),
        one("update-receive-item-return-request", update_step),
        one("remove-item-receive-return-action", remove_step),
        one("confirm-return-receive", confirm_step),
        one("cancel-receive-return", cancel_receive_step),
        one("cancel-return", cancel_step),
    ]
}

const RECEIPTS: &[&str] = &[RECEIVE_RETURN_ITEM, RECEIVE_DAMAGED_RETURN_ITEM];

fn ensure_receivable(found: &Return) -> Result<()> {
    returns::ensure_not_closed(found)?;
    if found.status == "open" {
        return Err(Error::invalid(format!(
            "Return {} must be requested before it is received",
            found.id
        )));
    }
    if found.location_id.is_none() {
        return Err(Error::invalid(format!(
            "Return {} has no location to receive its items at: set location_id first",
            found.id
        )));
    }
    Ok(())
}

fn begin_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (found, owner) = load(tx, text(step, "return_id").unwrap_or_default())?;
    ensure_receivable(&found)?;
    let change = NewChange {
        order_id: owner.id.clone(),
        change_type: RECEIVE.into(),
        description: text(step, "description").map(str::to_string),
        internal_note: text(step, "internal_note").map(str::to_string),
        created_by: text(step, "created_by").map(str::to_string),
        return_id: Some(found.id.clone()),
        ..Default::default()
    };
    changes::create(tx, step.engine.ctx(), &change)?;
    Ok(done(&found))
}

/// Refuses receiving more units of `line` than the return asks for, counting what came back
/// already and the change's other receipts (leaving out `skip`).
fn check_receivable(
    conn: &Connection,
    found: &Return,
    change_id: &str,
    line: &str,
    quantity: i64,
    skip: Option<&str>,
) -> Result<()> {
    if quantity < 1 {
        return Err(Error::invalid(format!(
            "Quantity to receive must be greater than 0 for the item: {line}"
        )));
    }
    let item = returns::items_of(conn, &found.id)?
        .into_iter()
        .find(|i| i.item_id == line)
        .ok_or_else(|| Error::invalid(format!("Item {line} is not part of return {}", found.id)))?;
    let pending: i64 = changes::actions_of(conn, change_id)?
        .iter()
        .filter(|a| RECEIPTS.contains(&a.action.as_str()) && Some(a.id.as_str()) != skip)
        .filter(|a| return_actions::line_of(a) == line)
        .map(return_actions::quantity_of)
        .sum();
    if item.received_quantity + pending + quantity > item.quantity {
        return Err(Error::invalid(format!(
            "Cannot receive more items than what was requested to be returned for item {line}"
        )));
    }
    Ok(())
}

fn add_receipts(tx: &Tx, step: &StepCtx, kind: &str) -> Result<Done> {
    let (found, _) = load(tx, text(step, "return_id").unwrap_or_default())?;
    ensure_receivable(&found)?;
    let change = active_change(tx, &found, RECEIVE)?;
    let items = step.input["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    for item in &items {
        let line = item["id"].as_str().unwrap_or_default();
        let quantity = item["quantity"].as_i64().unwrap_or_default();
        check_receivable(tx, &found, &change.id, line, quantity, None)?;
        let action = NewAction {
            action: kind.into(),
            reference: Some("return".into()),
            reference_id: Some(found.id.clone()),
            details: json!({"reference_id": line, "quantity": quantity}),
            amount: None,
            internal_note: item["internal_note"].as_str().map(str::to_string),
            return_id: Some(found.id.clone()),
        };
        changes::add_action(tx, step.engine.ctx(), &change, &action)?;
    }
    Ok(done(&found))
}

fn receive_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    add_receipts(tx, step, RECEIVE_RETURN_ITEM)
}

fn dismiss_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    add_receipts(tx, step, RECEIVE_DAMAGED_RETURN_ITEM)
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (found, _) = load(tx, text(step, "return_id").unwrap_or_default())?;
    ensure_receivable(&found)?;
    let action_id = text(step, "action_id").unwrap_or_default();
    let action = change_action(tx, &found, RECEIVE, action_id, RECEIPTS)?;
    let quantity = step.input["quantity"]
        .as_i64()
        .unwrap_or_else(|| return_actions::quantity_of(&action));
    let change_id = action.order_change_id.clone().unwrap_or_default();
    let line = return_actions::line_of(&action).to_string();
    check_receivable(tx, &found, &change_id, &line, quantity, Some(action_id))?;
    let mut details = action.details.clone();
    details["quantity"] = json!(quantity);
    let note = note_of(step.input, &action);
    changes::update_action(
        tx,
        step.engine.ctx(),
        &action,
        &details,
        None,
        note.as_deref(),
    )?;
    Ok(done(&found))
}

fn remove_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (found, _) = load(tx, text(step, "return_id").unwrap_or_default())?;
    let action_id = text(step, "action_id").unwrap_or_default();
    let action = change_action(tx, &found, RECEIVE, action_id, RECEIPTS)?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    Ok(done(&found))
}

/// Puts `quantity` units of an order line back on the shelf at `location`: every managed
/// inventory item of its variant (unmanaged variants and custom lines hold no stock).
fn restock(
    tx: &Tx,
    ctx: &Ctx,
    line: &order::LineItem,
    location: &str,
    quantity: i64,
) -> Result<()> {
    let Some(variant) = line.variant_id.as_deref() else {
        return Ok(());
    };
    let (managed, _) = crate::flows::checkout::catalog::inventory_flags(tx, variant)?;
    if !managed {
        return Ok(());
    }
    for item in links::variant_inventory_item().rights_of(tx, variant)? {
        inventory::receive(tx, ctx, &item, location, quantity)?;
    }
    Ok(())
}

fn confirm_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let (found, owner) = load(tx, text(step, "return_id").unwrap_or_default())?;
    ensure_receivable(&found)?;
    let change = active_change(tx, &found, RECEIVE)?;
    let actions = changes::actions_of(tx, &change.id)?;
    changes::confirm(tx, ctx, &change.id, text(step, "confirmed_by"))?;
    let location = found.location_id.clone().unwrap_or_default();
    let lines = order::items::items_of(tx, &owner.id)?;
    for a in actions.iter().filter(|a| a.action == RECEIVE_RETURN_ITEM) {
        if let Some(line) = lines.iter().find(|l| l.id == return_actions::line_of(a)) {
            restock(tx, ctx, line, &location, return_actions::quantity_of(a))?;
        }
    }
    crate::failpoint::hit("return-receive:restocked");
    let items = returns::items_of(tx, &found.id)?;
    let all_back = items.iter().all(|i| i.received_quantity >= i.quantity);
    let status = if all_back {
        "received"
    } else {
        "partially_received"
    };
    returns::move_status(
        tx,
        ctx,
        &found.id,
        &["requested", "partially_received"],
        status,
        Some("received_at"),
    )?;
    ctx.emit(
        tx,
        "order.return_received",
        json!({"order_id": owner.id, "return_id": found.id}),
    )?;
    Ok(done(&found))
}

fn cancel_receive_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let found = returns::retrieve(tx, text(step, "return_id").unwrap_or_default())?;
    let change = active_change(tx, &found, RECEIVE)?;
    changes::cancel(tx, step.engine.ctx(), &change.id, text(step, "canceled_by"))?;
    Ok(done(&found))
}

/// Medusa's `cancel-return`: only while nothing came back; the return's open change (if
/// any) is canceled with it. What it owed back no longer counts in the order summary.
fn cancel_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let found = returns::retrieve(tx, text(step, "return_id").unwrap_or_default())?;
    returns::ensure_not_closed(&found)?;
    if returns::items_of(tx, &found.id)?
        .iter()
        .any(|i| i.received_quantity > 0)
    {
        return Err(Error::invalid(format!(
            "Return {} has received items and cannot be canceled",
            found.id
        )));
    }
    if let Some(change) = changes::open_change(tx, &found.order_id)?
        .filter(|c| c.return_id.as_deref() == Some(&found.id))
    {
        changes::cancel(tx, ctx, &change.id, text(step, "canceled_by"))?;
    }
    returns::move_status(
        tx,
        ctx,
        &found.id,
        &["open", "requested"],
        "canceled",
        Some("canceled_at"),
    )?;
    let quiet = step.input["no_notification"].as_bool().unwrap_or(false);
    ctx.emit(
        tx,
        "order.return_canceled",
        json!({"order_id": found.order_id, "return_id": found.id, "no_notification": quiet}),
    )?;
    Ok(done(&found))
}
