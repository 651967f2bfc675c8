//! `cancel-order` (reference §4.4): refused while a fulfillment is live (Medusa's message).
//! One local group releases the reservations of the order's lines and records a refund of
//! whatever was captured and not yet refunded (both compensable); the provider then refunds
//! captured payments and cancels uncaptured authorizations as an external step, retried,
//! under keys `<order>:cancel:<payment>`; a last local group records the cancellations, marks
//! the order `canceled` and emits `order.canceled {id}` (and `payment.refunded {id}` per
//! refund). If the provider keeps failing, the reservations and refund records come back.

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::checkout::payment::scripted;
use crate::flows::links;
use crate::modules::fulfillment::records;
use crate::modules::inventory::{self, reservations};
use crate::modules::order::{self, admin as order_admin};
use crate::modules::payment::{self, ledger, provider};
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Handle, Recovery, Step, StepCtx, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// The workflow's input and output: the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelOrder {
    /// The order to cancel.
    pub order_id: String,
}

/// The typed handle (Medusa's id `cancel-order`).
pub const CANCEL: Handle<CancelOrder, CancelOrder> = Handle::new("cancel-order");

/// What `validate-cancel` decided to do with one payment, read by the later steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Settlement {
    payment_id: String,
    action: Settle,
    amount: i64,
    provider_id: String,
    currency_code: String,
    data: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Settle {
    Refund,
    Cancel,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Plan {
    actions: Vec<Settlement>,
}

fn order_id(step: &StepCtx) -> Result<String> {
    Ok(step.input_as::<CancelOrder>()?.order_id)
}

/// The workflow; input and result `{order_id}`.
pub fn workflow() -> Workflow {
    CANCEL
        .workflow()
        .recovery(Recovery::Resume)
        .step(Step::local("validate-cancel", validate))
        .step(Step::local("release-reservations", release).compensate_with(restore))
        .step(Step::local("record-refunds", record_refunds).compensate_with(undo_refunds))
        .step(hooks::step(points::ORDER_CANCELED, |s| {
            Ok(Some(json!({ "order_id": order_id(s)? })))
        }))
        .step(Step::external("settle-payments", settle).retry(3, Duration::from_millis(50)))
        .step(Step::local("mark-canceled", mark_canceled))
}

fn validate(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let id = order_id(step)?;
    let found = order::retrieve(tx, &id)?;
    order_admin::ensure_placed(&found)?;
    for fulfillment in links::order_fulfillment().rights_of(tx, &id)? {
        if records::retrieve(tx, &fulfillment)?.canceled_at.is_none() {
            return Err(Error::not_allowed(
                "All fulfillments must be canceled before canceling an order",
            ));
        }
    }
    let mut actions = Vec::new();
    for collection in links::order_payment_collection().rights_of(tx, &id)? {
        for p in payment::payments_of(tx, &collection)? {
            let found = ledger::retrieve(tx, &p.id)?;
            let left = found.captured() - found.refunded();
            let action = if left > 0 {
                Settle::Refund
            } else if found.captured() == 0 && p.canceled_at.is_none() {
                Settle::Cancel
            } else {
                continue;
            };
            actions.push(Settlement {
                payment_id: p.id,
                action,
                amount: left,
                provider_id: p.provider_id,
                currency_code: p.currency_code,
                data: p.data,
            });
        }
    }
    Done::of(&Plan { actions })
}

fn release(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let mut held = Vec::new();
    for line in order::items::items_of(tx, &order_id(step)?)? {
        for (id, item, location, quantity) in inventory::reservations_of(tx, &line.id)? {
            held.push((id, line.id.clone(), item, location, quantity));
        }
    }
    let ids: Vec<String> = held.iter().map(|h| h.0.clone()).collect();
    inventory::release(tx, step.engine.ctx(), &ids)?;
    let restore: Vec<Value> = held.iter().map(|h| json!([h.1, h.2, h.3, h.4])).collect();
    Ok(Done::with_compensation(
        json!({"released": ids.len()}),
        Value::Array(restore),
    ))
}

/// Reservations released: (line item, inventory item, location, quantity).
type Held = Vec<(String, String, String, i64)>;

fn restore(tx: &Tx, step: &StepCtx, held: Held) -> Result<()> {
    reservations::restore(tx, step.engine.ctx(), &held)
}

fn actions(step: &StepCtx) -> Result<Vec<Settlement>> {
    Ok(step.result_as::<Plan>("validate-cancel")?.actions)
}

fn record_refunds(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let mut ids = Vec::new();
    for a in actions(step)?
        .into_iter()
        .filter(|a| a.action == Settle::Refund)
    {
        let amount = ledger::retrieve(tx, &a.payment_id)?.check_refund(Some(a.amount))?;
        let note = Some("Order canceled");
        ids.push(payment::record_refund(
            tx,
            step.engine.ctx(),
            &a.payment_id,
            amount,
            note,
        )?);
    }
    Done::of(&ids)?.undo_with(&ids)
}

fn undo_refunds(tx: &Tx, step: &StepCtx, ids: Vec<String>) -> Result<()> {
    for id in ids {
        ledger::undo_refund(tx, step.engine.ctx(), &id)?;
    }
    Ok(())
}

fn settle(step: &StepCtx) -> Result<Done> {
    let order = order_id(step)?;
    for a in actions(step)? {
        let Some(p) = step.engine.providers().payment(&a.provider_id) else {
            continue;
        };
        let call = provider::Call {
            idempotency_key: format!("{order}:cancel:{}", a.payment_id),
            amount: a.amount,
            currency_code: a.currency_code,
            data: a.data,
            scripted: scripted(step, &a.provider_id)?,
        };
        if a.action == Settle::Refund {
            p.refund(&call)?;
        } else {
            p.cancel(&call)?;
        }
    }
    Ok(Done::new(Value::Null))
}

fn mark_canceled(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (id, ctx) = (order_id(step)?, step.engine.ctx());
    for a in actions(step)? {
        match a.action {
            Settle::Refund => ctx.emit(tx, "payment.refunded", json!({ "id": a.payment_id }))?,
            Settle::Cancel => ledger::record_cancel(tx, ctx, &a.payment_id)?,
        }
    }
    order_admin::mark_canceled(tx, ctx, &id)?;
    ctx.emit(tx, "order.canceled", json!({ "id": id }))?;
    Done::of(&CancelOrder { order_id: id })
}
