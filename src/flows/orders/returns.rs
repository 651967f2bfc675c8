//! Returns, requested (Medusa 2.21.2's `begin-return-order`, `update-return`,
//! `request-item-return`, `update-request-item-return`, `remove-item-return-action`,
//! `create-return-shipping-method`, `update-return-shipping-method`,
//! `remove-return-shipping-method`, `confirm-return-request`, `cancel-return-request`, and
//! the store's `create-complete-return-order`). Each is one local step: its checks, its
//! writes and its event commit together in one write job, so a check (how many units are
//! still returnable, whether the change is still open) always sees the state it guards.
//!
//! What may be asked back: the units of a line in live fulfillments, minus what the
//! order's other returns (not canceled) hold, minus what this request already asks. A
//! request's value is each line's total (tax and discounts included) per unit, rounded
//! half up, minus the return's shipping; confirming the request records it as the return's
//! `refund_amount`, which the order summary subtracts from the order total.

use super::change_inputs::note_of;
use super::fulfill::fulfilled_quantities;
use super::return_types::{
    self as types, BeginReturn, OnReturn, ReturnItem, ReturnItems, ReturnRef, UpdateReturn,
    UpdateReturnItem,
};
use super::targets::{ActionRef, Cancel};
use super::{return_shipping, return_store};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::fulfillment::records;
use crate::modules::order::changes::{self, ChangeAction, NewAction, NewChange, OrderChange};
use crate::modules::order::return_actions::{self, RETURN_ITEM};
use crate::modules::order::returns::{self, NewReturn, Return};
use crate::modules::order::{self, LineItem, Order, admin as order_admin, return_reason};
use crate::modules::stock_location;
use crate::workflow::{Done, Handle, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

/// The change type of a return's request.
pub const REQUEST: &str = "return_request";
/// The change type of a return's receipt.
pub const RECEIVE: &str = "return_receive";

/// A one-step workflow under `handle`'s name, its input checked as the handle's type.
pub(super) fn one<I, O>(handle: Handle<I, O>, f: fn(&Tx, &StepCtx) -> Result<Done>) -> Workflow
where
    I: Serialize + DeserializeOwned + 'static,
    O: DeserializeOwned,
{
    handle.workflow().step(Step::local(handle.name(), f))
}

/// Every return workflow (the receiving side is in `returns_receive`).
pub fn workflows() -> Vec<Workflow> {
    vec![
        one(types::BEGIN_RETURN, begin_step),
        one(types::UPDATE_RETURN, update_step),
        one(types::REQUEST_ITEMS, request_items_step),
        one(types::UPDATE_REQUEST_ITEM, update_item_step),
        one(types::REMOVE_REQUEST_ITEM, remove_item_step),
        one(types::ADD_SHIPPING, return_shipping::add_shipping_step),
        one(
            types::UPDATE_SHIPPING,
            return_shipping::update_shipping_step,
        ),
        one(
            types::REMOVE_SHIPPING,
            return_shipping::remove_shipping_step,
        ),
        one(types::CONFIRM_REQUEST, super::returns_confirm::confirm_step),
        one(types::CANCEL_REQUEST, cancel_request_step),
        one(types::STORE_RETURN, return_store::store_return_step),
    ]
    .into_iter()
    .chain(super::returns_receive::workflows())
    .collect()
}

pub(super) fn done(found: &Return) -> Result<Done> {
    Done::of(&ReturnRef {
        return_id: found.id.clone(),
        order_id: found.order_id.clone(),
    })
}

/// A return and its order, refused when the order is canceled.
pub(super) fn load(conn: &Connection, return_id: &str) -> Result<(Return, Order)> {
    let found = returns::retrieve(conn, return_id)?;
    let owner = order::retrieve(conn, &found.order_id)?;
    order_admin::ensure_not_canceled(&owner)?;
    Ok((found, owner))
}

/// The order's open change, when it is this return's change of `kind`.
pub(super) fn active_change(conn: &Connection, found: &Return, kind: &str) -> Result<OrderChange> {
    changes::open_change(conn, &found.order_id)?
        .filter(|c| c.return_id.as_deref() == Some(&found.id))
        .filter(|c| c.change_type.as_deref() == Some(kind))
        .ok_or_else(|| {
            Error::invalid(format!(
                "Return {} has no active {kind} order change",
                found.id
            ))
        })
}

/// An action of the return's active change of `kind`, of one of `actions`.
pub(super) fn change_action(
    conn: &Connection,
    found: &Return,
    kind: &str,
    action_id: &str,
    actions: &[&str],
) -> Result<ChangeAction> {
    let change = active_change(conn, found, kind)?;
    changes::action(conn, action_id)
        .ok()
        .filter(|a| a.order_change_id.as_deref() == Some(&change.id))
        .filter(|a| actions.contains(&a.action.as_str()))
        .ok_or_else(|| {
            Error::invalid(format!(
                "Action {action_id} is not a {} action of return {}",
                actions.join(" / "),
                found.id
            ))
        })
}

pub(super) fn ensure_open(found: &Return) -> Result<()> {
    returns::ensure_not_closed(found)?;
    if found.status != "open" {
        return Err(Error::invalid(format!(
            "Return {} has already been requested",
            found.id
        )));
    }
    Ok(())
}

/// What `units` of a line are worth: its total (tax and discounts included) per unit,
/// rounded half up.
///
/// # Errors
/// An amount out of range.
pub fn units_value(line: &LineItem, units: i64) -> Result<i64> {
    if line.quantity <= 0 {
        return Ok(0);
    }
    let totals = line.totals_line().totals()?;
    let scaled = i128::from(totals.total) * i128::from(units);
    let quantity = i128::from(line.quantity);
    i64::try_from((2 * scaled + quantity).div_euclid(2 * quantity))
        .map_err(|_| Error::invalid("Amount out of range"))
}

/// The location of the order's first live fulfillment: where its items left from.
pub(super) fn fulfillment_location(conn: &Connection, order_id: &str) -> Result<Option<String>> {
    for id in links::order_fulfillment().rights_of(conn, order_id)? {
        let found = records::retrieve(conn, &id)?;
        if found.canceled_at.is_none() {
            return Ok(Some(found.location_id));
        }
    }
    Ok(None)
}

/// Opens a return and its `return_request` change (Medusa's `begin-return-order`). Without
/// a location the return takes the order's fulfillment location, so receiving never finds
/// it missing.
pub(super) fn begin(tx: &Tx, ctx: &Ctx, input: &BeginReturn) -> Result<Return> {
    let order_id = input.order_id.as_str();
    let found = order::retrieve(tx, order_id)?;
    order_admin::ensure_not_canceled(&found)?;
    if found.status == "draft" {
        return Err(Error::invalid(format!(
            "Order {order_id} is a draft: it has nothing to return"
        )));
    }
    let location = match input.location_id.as_deref() {
        Some(given) => Some(stock_location::retrieve(tx, given)?.id),
        None => fulfillment_location(tx, order_id)?,
    };
    let created = returns::create(
        tx,
        ctx,
        &NewReturn {
            order_id: order_id.to_string(),
            location_id: location,
            created_by: input.created_by.clone(),
            no_notification: input.no_notification,
            metadata: input.metadata.clone().filter(|m| m.is_object()),
        },
    )?;
    let change = NewChange {
        order_id: order_id.to_string(),
        change_type: REQUEST.into(),
        description: input.description.clone(),
        internal_note: input.internal_note.clone(),
        created_by: input.created_by.clone(),
        return_id: Some(created.id.clone()),
        ..Default::default()
    };
    changes::create(tx, ctx, &change)?;
    Ok(created)
}

fn begin_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: BeginReturn = step.input_as()?;
    done(&begin(tx, step.engine.ctx(), &input)?)
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<UpdateReturn> = step.input_as()?;
    let (found, _) = load(tx, &input.id)?;
    let location = match input.body.location_id.as_deref() {
        Some(given) => Some(stock_location::retrieve(tx, given)?.id),
        None => None,
    };
    let update = returns::ReturnUpdate {
        location_id: location,
        no_notification: input.body.no_notification,
        metadata: input.body.metadata,
    };
    let updated = returns::update(tx, step.engine.ctx(), &found.id, &update)?;
    done(&updated)
}

/// Units of each line this change's RETURN_ITEM actions ask for, leaving out `skip`.
fn pending(
    conn: &Connection,
    change: &OrderChange,
    skip: Option<&str>,
) -> Result<Vec<(String, i64)>> {
    Ok(changes::actions_of(conn, &change.id)?
        .iter()
        .filter(|a| a.action == RETURN_ITEM && Some(a.id.as_str()) != skip)
        .map(|a| {
            (
                return_actions::line_of(a).to_string(),
                return_actions::quantity_of(a),
            )
        })
        .collect())
}

/// Refuses asking back more units of `line` than were fulfilled and are not yet returned.
fn check_returnable(
    conn: &Connection,
    owner: &Order,
    change: &OrderChange,
    line: &str,
    quantity: i64,
    skip: Option<&str>,
) -> Result<()> {
    if quantity < 1 {
        return Err(Error::invalid(format!(
            "Quantity to return must be greater than 0 for the item: {line}"
        )));
    }
    let fulfilled = fulfilled_quantities(conn, &owner.id)?;
    let claimed = returns::claimed_by_line(conn, &owner.id)?;
    let asked: i64 = pending(conn, change, skip)?
        .iter()
        .filter(|(l, _)| l == line)
        .map(|(_, q)| q)
        .sum();
    let left =
        fulfilled.get(line).copied().unwrap_or(0) - claimed.get(line).copied().unwrap_or(0) - asked;
    if quantity > left {
        return Err(Error::invalid(format!(
            "Cannot request to return more items than what was fulfilled for item {line}"
        )));
    }
    Ok(())
}

fn check_reason(conn: &Connection, reason: Option<&str>) -> Result<()> {
    match reason {
        Some(id) if return_reason::retrieve(conn, id).is_err() => Err(Error::invalid(format!(
            "Return reason with id {id} does not exist"
        ))),
        _ => Ok(()),
    }
}

fn line_of<'a>(lines: &'a [LineItem], owner: &Order, id: &str) -> Result<&'a LineItem> {
    lines.iter().find(|l| l.id == id).ok_or_else(|| {
        Error::invalid(format!(
            "Items with ids {id} does not exist in order with id {}.",
            owner.id
        ))
    })
}

/// Adds RETURN_ITEM actions for `items` to the return's request, each checked against what
/// is still returnable.
pub(super) fn add_items(
    tx: &Tx,
    ctx: &Ctx,
    found: &Return,
    owner: &Order,
    items: &[ReturnItem],
) -> Result<()> {
    ensure_open(found)?;
    let change = active_change(tx, found, REQUEST)?;
    add_items_to(tx, ctx, found, owner, &change, items)
}

/// Adds RETURN_ITEM actions for the return to `change` (its request, or the exchange or
/// claim it is the inbound return of).
pub(super) fn add_items_to(
    tx: &Tx,
    ctx: &Ctx,
    found: &Return,
    owner: &Order,
    change: &OrderChange,
    items: &[ReturnItem],
) -> Result<()> {
    if items.is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    let lines = order::items::items_of(tx, &owner.id)?;
    for item in items {
        let (id, quantity) = (item.id.as_str(), item.quantity);
        let line = line_of(&lines, owner, id)?;
        check_reason(tx, item.reason_id.as_deref())?;
        check_returnable(tx, owner, change, id, quantity, None)?;
        let action = NewAction {
            action: RETURN_ITEM.into(),
            reference: Some("return".into()),
            reference_id: Some(found.id.clone()),
            details: json!({
                "reference_id": id, "quantity": quantity, "reason_id": item.reason_id,
                "note": item.note, "metadata": item.metadata,
            }),
            amount: Some(units_value(line, quantity)?),
            internal_note: item.internal_note.clone(),
            return_id: Some(found.id.clone()),
        };
        changes::add_action(tx, ctx, change, &action)?;
    }
    Ok(())
}

fn request_items_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<ReturnItems> = step.input_as()?;
    let (found, owner) = load(tx, &input.id)?;
    add_items(tx, step.engine.ctx(), &found, &owner, &input.body.items)?;
    done(&found)
}

fn update_item_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<UpdateReturnItem> = step.input_as()?;
    let (found, owner) = load(tx, &input.id)?;
    ensure_open(&found)?;
    let action_id = input.body.action_id.as_str();
    let action = change_action(tx, &found, REQUEST, action_id, &[RETURN_ITEM])?;
    let change = active_change(tx, &found, REQUEST)?;
    update_item(tx, step, &input.body, (&owner, &change, &action))?;
    done(&found)
}

/// Updates a RETURN_ITEM action of `change` from the request (`quantity`, `reason_id`,
/// `internal_note`), checked against what is still returnable.
pub(super) fn update_item(
    tx: &Tx,
    step: &StepCtx,
    sent: &UpdateReturnItem,
    (owner, change, action): (&Order, &OrderChange, &ChangeAction),
) -> Result<()> {
    let action_id = action.id.as_str();
    let line_id = return_actions::line_of(action).to_string();
    let quantity = sent
        .quantity
        .unwrap_or_else(|| return_actions::quantity_of(action));
    check_returnable(tx, owner, change, &line_id, quantity, Some(action_id))?;
    let reason = match &sent.reason_id {
        Some(r) => json!(r),
        None => action.details["reason_id"].clone(),
    };
    check_reason(tx, reason.as_str())?;
    let mut details = action.details.clone();
    details["quantity"] = json!(quantity);
    details["reason_id"] = reason;
    let lines = order::items::items_of(tx, &owner.id)?;
    let amount = units_value(line_of(&lines, owner, &line_id)?, quantity)?;
    let note = note_of(&sent.internal_note, action);
    changes::update_action(
        tx,
        step.engine.ctx(),
        action,
        &details,
        Some(amount),
        note.as_deref(),
    )?;
    Ok(())
}

fn remove_item_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<ActionRef> = step.input_as()?;
    let (found, _) = load(tx, &input.id)?;
    ensure_open(&found)?;
    let action_id = input.body.action_id.as_str();
    let action = change_action(tx, &found, REQUEST, action_id, &[RETURN_ITEM])?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    done(&found)
}

/// Medusa's `cancel-return-request`: the request's change is canceled and the return, which
/// never got past `open`, deleted.
fn cancel_request_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnReturn<Cancel> = step.input_as()?;
    let found = returns::retrieve(tx, &input.id)?;
    ensure_open(&found)?;
    let change = active_change(tx, &found, REQUEST)?;
    let ctx = step.engine.ctx();
    changes::cancel(tx, ctx, &change.id, input.body.canceled_by.as_deref())?;
    returns::delete_open(tx, ctx, &found.id)?;
    done(&found)
}

#[cfg(test)]
#[path = "returns_tests.rs"]
mod tests;
