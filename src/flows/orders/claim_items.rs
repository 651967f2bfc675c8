//! A claim's claim items (Medusa 2.21.2's `claim-item`, `update-claim-item`,
//! `remove-claim-item-action`): WRITE_OFF_ITEM actions on the claim's change, each a number
//! of units of an order line — no more than were ordered and not yet claimed — with one of
//! Medusa's reasons, worth its share of the line's total (tax and discounts included).

use super::change_inputs::note_of;
use super::exchange_types::{ClaimItem, ClaimItems, OnRecord, UpdateClaimItem};
use super::exchanges::{Open, open};
use super::targets::ActionRef;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::order::after_sales::{self, CLAIM_REASONS};
use crate::modules::order::changes::{self, NewAction, WRITE_OFF_ITEM};
use crate::modules::order::return_actions;
use crate::modules::order::{self};
use crate::workflow::{Done, StepCtx};
use rusqlite::Connection;
use serde_json::json;

/// Refuses claiming more units of `line` than were ordered, counting the order's other
/// claims and this change's other claim items (leaving out `skip`).
pub(super) fn check_claimable(
    conn: &Connection,
    o: &Open,
    line: &order::LineItem,
    quantity: i64,
    skip: Option<&str>,
) -> Result<()> {
    if quantity < 1 {
        return Err(Error::invalid(format!(
            "Quantity to claim must be greater than 0 for the item: {}",
            line.id
        )));
    }
    let claimed = after_sales::claimed_by_line(conn, &o.order.id)?
        .get(&line.id)
        .copied()
        .unwrap_or(0);
    let asked: i64 = changes::actions_of(conn, &o.change.id)?
        .iter()
        .filter(|a| a.action == WRITE_OFF_ITEM && Some(a.id.as_str()) != skip)
        .filter(|a| return_actions::line_of(a) == line.id)
        .map(return_actions::quantity_of)
        .sum();
    if claimed + asked + quantity > line.quantity {
        return Err(Error::invalid(
            "Cannot claim more items than what was ordered.",
        ));
    }
    Ok(())
}

fn check_reason(reason: Option<&str>) -> Result<()> {
    match reason {
        None => Ok(()),
        Some(r) if CLAIM_REASONS.contains(&r) => Ok(()),
        _ => Err(Error::invalid(format!(
            "Invalid request: Field 'reason' must be one of {}",
            CLAIM_REASONS.join(", ")
        ))),
    }
}

fn order_line(conn: &Connection, o: &Open, id: &str) -> Result<order::LineItem> {
    order::items::items_of(conn, &o.order.id)?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| {
            Error::invalid(format!(
                "Items with ids {id} does not exist in order with id {}.",
                o.order.id
            ))
        })
}

/// `claim-item`: WRITE_OFF_ITEM actions for `items` (`[{id, quantity, reason?,
/// description?, internal_note?}]`), each worth its share of the line's total.
pub(super) fn claim_items_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<true, ClaimItems> = step.input_as()?;
    let o = open::<true>(tx, &input.id)?;
    let items = &input.body.items;
    if items.is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    for item in items {
        let line = order_line(tx, &o, &item.id)?;
        let quantity = item.quantity;
        check_reason(item.reason.as_deref())?;
        check_claimable(tx, &o, &line, quantity, None)?;
        add_write_off(tx, step.engine.ctx(), &o, &line, quantity, item)?;
    }
    o.done()
}

fn add_write_off(
    tx: &Tx,
    ctx: &Ctx,
    o: &Open,
    line: &order::LineItem,
    quantity: i64,
    item: &ClaimItem,
) -> Result<()> {
    let action = NewAction {
        action: WRITE_OFF_ITEM.into(),
        reference: Some("order_claim".into()),
        reference_id: Some(o.record.id.clone()),
        details: json!({
            "reference_id": line.id, "quantity": quantity, "reason": item.reason,
            "note": item.description,
        }),
        // Medusa's WRITE_OFF_ITEM carries no amount: a claimed unit moves no money.
        amount: None,
        internal_note: item.internal_note.clone(),
        return_id: None,
    };
    changes::add_action(tx, ctx, &o.change, &action)?;
    Ok(())
}

pub(super) fn update_claim_item_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<true, UpdateClaimItem> = step.input_as()?;
    let sent = &input.body;
    let o = open::<true>(tx, &input.id)?;
    let action = o.action(tx, &sent.action_id, WRITE_OFF_ITEM, |_| true)?;
    let line = order_line(tx, &o, return_actions::line_of(&action))?;
    let quantity = sent
        .quantity
        .unwrap_or_else(|| return_actions::quantity_of(&action));
    check_claimable(tx, &o, &line, quantity, Some(&action.id))?;
    let mut details = action.details.clone();
    details["quantity"] = json!(quantity);
    if let Some(reason) = &sent.reason {
        check_reason(reason.as_deref())?;
        details["reason"] = json!(reason);
    }
    if let Some(note) = &sent.description {
        details["note"] = json!(note);
    }
    let note = note_of(&sent.internal_note, &action);
    let ctx = step.engine.ctx();
    changes::update_action(tx, ctx, &action, &details, None, note.as_deref())?;
    o.done()
}

pub(super) fn remove_claim_item_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnRecord<true, ActionRef> = step.input_as()?;
    let o = open::<true>(tx, &input.id)?;
    let action = o.action(tx, &input.body.action_id, WRITE_OFF_ITEM, |_| true)?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    o.done()
}
