//! Exchanges and claims, confirmed or canceled (Medusa 2.21.2's `confirm-exchange-request`,
//! `cancel-begin-order-exchange`, `cancel-exchange` and the claim ones), one local step each.
//!
//! Confirming applies the change in one write job: each outbound item becomes an order line
//! reserved at the order's channel locations (`insufficient_inventory` writes nothing),
//! recorded as the record's item; each outbound shipping method joins the order's, naming
//! the record; each claim item is recorded; the inbound items and shipping become the
//! return's, which is then `requested` (or, for a claim without inbound items, dropped).
//! What the customer now owes or is owed follows from the order: the order total's growth
//! minus what the return gives back. As in Medusa 2.21.2, a claim item (`WRITE_OFF_ITEM`)
//! moves no money of its own: a claim's inbound items are credited through its return like
//! an exchange's, its outbound items are charged like new lines (staff may price them at
//! 0), and its `refund_amount` stays unset — a refund claim with nothing coming back credits
//! nothing until staff refund by hand (pinned in `tests/it/admin_claims.rs`). An exchange
//! records the difference as `difference_due`; when it is due, a payment collection for it
//! is linked to the order. `order.exchange_created` / `order.claim_created` are emitted.
//!
//! Canceling a confirmed record (only while none of its outbound lines is in a live
//! fulfillment and nothing came back) releases the outbound lines' reservations and takes
//! them and its shipping off the order (a confirmed change of ITEM_REMOVE / SHIPPING_REMOVE
//! actions, as Medusa records it) and cancels the inbound return.

use super::edit_shipping;
use super::edits::add_new_line;
use super::exchange_types::OnRecord;
use super::exchanges::{Open, active_change, done, kind, load, open};
use super::fulfill::fulfilled_quantities;
use super::returns_confirm::{mark_requested, recheck_returnable};
use super::targets::{Cancel, Confirm};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::inventory::reservations;
use crate::modules::order::after_sales::{self, AfterSale, Kind, NewItem};
use crate::modules::order::changes::{
    self, ChangeAction, ITEM_ADD, ITEM_REMOVE, NewAction, NewChange, SHIPPING_REMOVE,
    WRITE_OFF_ITEM,
};
use crate::modules::order::return_actions::{self, RETURN_ITEM, SHIPPING_ADD};
use crate::modules::order::{self, returns};
use crate::modules::payment;
use crate::workflow::{Done, StepCtx};
use serde_json::json;

fn count(actions: &[ChangeAction], kind: &str) -> usize {
    actions.iter().filter(|a| a.action == kind).count()
}

/// Medusa's checks of what a request must hold: an exchange at least one item in and one
/// out; a claim at least one claimed or returned item, and a replace claim something to
/// send.
fn check_complete(record: &AfterSale, actions: &[ChangeAction]) -> Result<()> {
    let (inbound, outbound) = (count(actions, RETURN_ITEM), count(actions, ITEM_ADD));
    match record.kind {
        Kind::Exchange if inbound == 0 || outbound == 0 => Err(Error::invalid(
            "Order exchange request should have at least 1 item inbound and 1 item outbound",
        )),
        Kind::Claim if inbound + count(actions, WRITE_OFF_ITEM) == 0 => Err(Error::invalid(
            "Order claim request should have at least 1 item",
        )),
        Kind::Claim if record.claim_type.as_deref() == Some("replace") && outbound == 0 => Err(
            Error::invalid("A replace claim should send at least 1 item out"),
        ),
        _ => Ok(()),
    }
}

/// Re-checks, in the confirming job, that the claim items claim no more than was ordered
/// (another claim may have been confirmed meanwhile).
fn recheck_claimable(tx: &Tx, o: &Open, actions: &[ChangeAction]) -> Result<()> {
    let lines = order::items::items_of(tx, &o.order.id)?;
    let claimed = after_sales::claimed_by_line(tx, &o.order.id)?;
    for a in actions.iter().filter(|a| a.action == WRITE_OFF_ITEM) {
        let line = return_actions::line_of(a);
        let ordered = lines
            .iter()
            .find(|l| l.id == line)
            .map_or(0, |l| l.quantity);
        let asked: i64 = actions
            .iter()
            .filter(|b| b.action == WRITE_OFF_ITEM && return_actions::line_of(b) == line)
            .map(return_actions::quantity_of)
            .sum();
        if claimed.get(line).copied().unwrap_or(0) + asked > ordered {
            return Err(Error::invalid(
                "Cannot claim more items than what was ordered.",
            ));
        }
    }
    Ok(())
}

/// Writes the actions `changes::confirm` does not know: outbound lines (reserved),
/// outbound shipping and claim items.
fn apply_own(tx: &Tx, engine: &Engine, o: &Open, actions: &[ChangeAction]) -> Result<()> {
    let ctx = engine.ctx();
    for a in actions.iter().filter(|a| !a.applied) {
        match a.action.as_str() {
            ITEM_ADD => {
                let line = add_new_line(tx, ctx, &o.order, a)?;
                let item = NewItem {
                    item_id: &line,
                    quantity: return_actions::quantity_of(a),
                    is_additional_item: true,
                    metadata: a.details["item"].get("metadata"),
                    ..NewItem::default()
                };
                after_sales::add_item(tx, ctx, &o.record, &item)?;
            }
            SHIPPING_ADD if a.return_id.is_none() => {
                let method = edit_shipping::apply(tx, engine, &o.order, a)?;
                order::shipping::belong_to(tx, ctx, &method, o.record.kind, &o.record.id)?;
            }
            WRITE_OFF_ITEM => {
                let item = NewItem {
                    item_id: return_actions::line_of(a),
                    quantity: return_actions::quantity_of(a),
                    reason: a.details["reason"].as_str(),
                    note: a.details["note"].as_str(),
                    ..NewItem::default()
                };
                after_sales::add_item(tx, ctx, &o.record, &item)?;
            }
            _ => continue,
        }
        changes::mark_applied(tx, ctx, &a.id)?;
    }
    Ok(())
}

/// Confirms the request (see the module documentation).
pub(super) fn confirm_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnRecord<CLAIM, Confirm> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let actions = changes::actions_of(tx, &o.change.id)?;
    check_complete(&o.record, &actions)?;
    recheck_returnable(tx, &o.order, &actions)?;
    recheck_claimable(tx, &o, &actions)?;
    let before = order::total(tx, &o.order.id)?;
    apply_own(tx, step.engine, &o, &actions)?;
    crate::failpoint::hit("exchange-confirm:applied");
    let by = input.body.confirmed_by.as_deref();
    changes::confirm(tx, ctx, &o.change.id, by)?;
    let returned = match (&o.inbound, count(&actions, RETURN_ITEM)) {
        (Some(inbound), 1..) => mark_requested(tx, ctx, inbound, &o.order, (&actions, true))?,
        (Some(inbound), 0) => {
            returns::delete_open(tx, ctx, &inbound.id)?;
            after_sales::set_return(tx, ctx, &o.record, None)?;
            0
        }
        (None, _) => 0,
    };
    // Medusa: a claim item (WRITE_OFF_ITEM) moves no money; what comes back is credited by
    // the return, what goes out is charged, and a claim's `refund_amount` stays unset.
    let difference = order::total(tx, &o.order.id)? - before - returned;
    if o.record.kind == Kind::Exchange {
        after_sales::set_amount(tx, ctx, &o.record, difference)?;
    }
    if difference > 0 {
        collect(tx, ctx, &o.order, difference)?;
    }
    let event = format!("order.{}_created", o.record.kind.change_type());
    let data = json!({"order_id": o.order.id, o.record.kind.column(): o.record.id});
    ctx.emit(tx, &event, data)?;
    done(&o.record)
}

/// A payment collection for what the customer now owes, linked to the order (Medusa's
/// `createOrUpdateOrderPaymentCollectionWorkflow`).
fn collect(tx: &Tx, ctx: &Ctx, owner: &order::Order, amount: i64) -> Result<()> {
    let region = owner.region_id.as_deref();
    let collection = payment::create_collection(tx, ctx, &owner.currency_code, amount, region)?;
    links::order_payment_collection().create(
        tx,
        &ctx.id("ordpc"),
        &owner.id,
        &collection,
        &ctx.now(),
    )
}

/// `DELETE …/request`: the change is canceled, and the record and its inbound return (still
/// `open`) deleted.
pub(super) fn cancel_request_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnRecord<CLAIM, Cancel> = step.input_as()?;
    let o = open::<CLAIM>(tx, &input.id)?;
    let by = input.body.canceled_by.as_deref();
    changes::cancel(tx, ctx, &o.change.id, by)?;
    if let Some(inbound) = &o.inbound {
        returns::delete_open(tx, ctx, &inbound.id)?;
    }
    after_sales::delete(tx, ctx, &o.record)?;
    done(&o.record)
}

/// Refuses canceling while an outbound line is in a live fulfillment or the inbound return
/// received anything.
fn check_cancelable(tx: &Tx, record: &AfterSale) -> Result<()> {
    let fulfilled = fulfilled_quantities(tx, &record.order_id)?;
    let items = after_sales::items_of(tx, record)?;
    let sent = items
        .iter()
        .filter(|i| i.is_additional_item)
        .any(|i| fulfilled.get(&i.item_id).copied().unwrap_or(0) > 0);
    if sent {
        return Err(Error::not_allowed(format!(
            "All fulfillments must be canceled before canceling {} {}",
            record.kind.change_type(),
            record.id
        )));
    }
    if let Some(inbound) = record.return_id.as_deref()
        && returns::items_of(tx, inbound)?
            .iter()
            .any(|i| i.received_quantity > 0)
    {
        return Err(Error::invalid(format!(
            "Return {inbound} has received items and cannot be canceled"
        )));
    }
    Ok(())
}

/// `POST …/cancel`: a confirmed record is canceled (see the module documentation).
pub(super) fn cancel_step<const CLAIM: bool>(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnRecord<CLAIM, Cancel> = step.input_as()?;
    let (record, owner) = load::<CLAIM>(tx, &input.id)?;
    after_sales::ensure_not_canceled(&record)?;
    if active_change(tx, &record).is_ok() {
        return Err(Error::invalid(format!(
            "{} {} is not confirmed yet: cancel its request instead",
            record.kind.name(),
            record.id
        )));
    }
    check_cancelable(tx, &record)?;
    let by = input.body.canceled_by.as_deref();
    let mut change = NewChange {
        order_id: owner.id.clone(),
        change_type: kind::<CLAIM>().change_type().into(),
        description: Some(format!(
            "Cancel {} {}",
            record.kind.change_type(),
            record.id
        )),
        created_by: by.map(str::to_string),
        ..NewChange::default()
    };
    match record.kind {
        Kind::Exchange => change.exchange_id = Some(record.id.clone()),
        Kind::Claim => change.claim_id = Some(record.id.clone()),
    }
    let change = changes::create(tx, ctx, &change)?;
    for item in after_sales::items_of(tx, &record)?
        .into_iter()
        .filter(|i| i.is_additional_item)
    {
        reservations::shrink(tx, ctx, &item.item_id, item.quantity)?;
        order::items::set_quantity(tx, ctx, &item.item_id, 0)?;
        let action = NewAction {
            action: ITEM_REMOVE.into(),
            reference: Some("order_line_item".into()),
            reference_id: Some(item.item_id.clone()),
            details: json!({"reference_id": item.item_id, "quantity": item.quantity}),
            ..NewAction::default()
        };
        let added = changes::add_action(tx, ctx, &change, &action)?;
        changes::mark_applied(tx, ctx, &added.id)?;
    }
    for (method, amount) in order::shipping::methods_for(tx, record.kind, &record.id)? {
        let action = NewAction {
            action: SHIPPING_REMOVE.into(),
            reference: Some("order_shipping_method".into()),
            reference_id: Some(method),
            amount: Some(amount),
            details: json!({}),
            ..NewAction::default()
        };
        let added = changes::add_action(tx, ctx, &change, &action)?;
        changes::mark_applied(tx, ctx, &added.id)?;
    }
    order::shipping::remove_of(tx, ctx, record.kind, &record.id)?;
    changes::confirm(tx, ctx, &change.id, by)?;
    if let Some(inbound) = record.return_id.as_deref()
        && returns::retrieve(tx, inbound)?.status != "canceled"
    {
        let from = ["open", "requested"];
        returns::move_status(tx, ctx, inbound, &from, "canceled", Some("canceled_at"))?;
    }
    after_sales::cancel(tx, ctx, &record)?;
    done(&after_sales::retrieve(tx, record.kind, &record.id)?)
}
