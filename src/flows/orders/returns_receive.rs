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
use super::return_types::{self as types, BeginReceive, OnReturn, Receipts, UpdateReceipt};
use super::returns::{RECEIVE, active_change, change_action, done, load, one};
use super::targets::{ActionRef, Cancel, Confirm};
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
use crate::workflow::{Done, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::json;

/// The workflows of this file.
pub fn workflows() -> Vec<Workflow> {
    vec![
        one(types::BEGIN_RECEIVE, begin_step),
        one(types::RECEIVE_ITEMS, receive_step),
        one(types::DISMISS_ITEMS, dismiss_step),
        one(types::UPDATE_RECEIPT, update_step),
        one(types::REMOVE_RECEIPT, remove_step),
        one(types::CONFIRM_RECEIVE, confirm_step),
        one(types::CANCEL_RECEIVE, cancel_receive_step),
        one(types::CANCEL_RETURN, cancel_step),
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
    let input: OnReturn<BeginReceive> = step.input_as()?;
    let (found, owner) = load(tx, &input.id)?;
    ensure_receivable(&found)?;
    let change = NewChange {
        order_id: owner.id.clone(),
        change_type: RECEIVE.into(),
        description: input.body.description,
        internal_note: input.body.internal_note,
        created_by: input.body.created_by,
        return_id: Some(found.id.clone()),
        ..Default::default()
    };
    changes::create(tx, step.engine.ctx(), &change)?;
    done(&found)
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
    let input: OnReturn<Receipts> = step.input_as()?;
    let (found, _) = load(tx, &input.id)?;
    ensure_receivable(&found)?;
    let change = active_change(tx, &found, RECEIVE)?;
    let items = input.body.items;
    if items.is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    for item in &items {
        let (line, quantity) = (item.id.as_str(), item.quantity);
        check_receivable(tx, &found, &change.id, line, quantity, None)?;
        let action = NewAction {
            action: kind.into(),
            reference: Some("return".into()),
            reference_id: Some(found.id.clone()),
            details: json!({"reference_id": line, "quantity": quantity}),
            amount: None,
            internal_note: item.internal_note.clone(),
            return_id: Some(found.id.clone()),
        };
        changes::add_action(tx, step.engine.ctx(), &change, &action)?;
    }
    done(&found)
}

fn receive_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    add_receipts(tx, step, RECEIVE_RETURN_ITEM)
}

fn dismiss_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    add_receipts(tx, step, RECEIVE_DAMAGED_RETURN_ITEM)
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<UpdateReceipt> = step.input_as()?;
    let (found, _) = load(tx, &input.id)?;
    ensure_receivable(&found)?;
    let action_id = input.body.action_id.as_str();
    let action = change_action(tx, &found, RECEIVE, action_id, RECEIPTS)?;
    let quantity = input
        .body
        .quantity
        .unwrap_or_else(|| return_actions::quantity_of(&action));
    let change_id = action.order_change_id.clone().unwrap_or_default();
    let line = return_actions::line_of(&action).to_string();
    check_receivable(tx, &found, &change_id, &line, quantity, Some(action_id))?;
    let mut details = action.details.clone();
    details["quantity"] = json!(quantity);
    let note = note_of(&input.body.internal_note, &action);
    changes::update_action(
        tx,
        step.engine.ctx(),
        &action,
        &details,
        None,
        note.as_deref(),
    )?;
    done(&found)
}

fn remove_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<ActionRef> = step.input_as()?;
    let (found, _) = load(tx, &input.id)?;
    let action_id = input.body.action_id.as_str();
    let action = change_action(tx, &found, RECEIVE, action_id, RECEIPTS)?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    done(&found)
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
    let input: OnReturn<Confirm> = step.input_as()?;
    let (found, owner) = load(tx, &input.id)?;
    ensure_receivable(&found)?;
    let change = active_change(tx, &found, RECEIVE)?;
    let actions = changes::actions_of(tx, &change.id)?;
    let by = input.body.confirmed_by.as_deref();
    changes::confirm(tx, ctx, &change.id, by)?;
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
    done(&found)
}

fn cancel_receive_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<Cancel> = step.input_as()?;
    let found = returns::retrieve(tx, &input.id)?;
    let change = active_change(tx, &found, RECEIVE)?;
    let by = input.body.canceled_by.as_deref();
    changes::cancel(tx, step.engine.ctx(), &change.id, by)?;
    done(&found)
}

/// Medusa's `cancel-return`: only while nothing came back; the return's open change (if
/// any) is canceled with it. What it owed back no longer counts in the order summary.
fn cancel_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnReturn<Cancel> = step.input_as()?;
    let found = returns::retrieve(tx, &input.id)?;
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
        changes::cancel(tx, ctx, &change.id, input.body.canceled_by.as_deref())?;
    }
    returns::move_status(
        tx,
        ctx,
        &found.id,
        &["open", "requested"],
        "canceled",
        Some("canceled_at"),
    )?;
    let quiet = input.body.no_notification.unwrap_or(false);
    ctx.emit(
        tx,
        "order.return_canceled",
        json!({"order_id": found.order_id, "return_id": found.id, "no_notification": quiet}),
    )?;
    done(&found)
}
