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
use crate::workflow::{Done, Recovery, Step, StepCtx, Workflow};
use serde_json::{Value, json};
use std::time::Duration;

fn order_id(step: &StepCtx) -> String {
    step.input["order_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The workflow; input `{order_id}`, result `{order_id}`.
pub fn workflow() -> Workflow {
    Workflow::new("cancel-order")
        .recovery(Recovery::Resume)
        .step(Step::local("validate-cancel", validate))
        .step(Step::local("release-reservations", release).compensate(restore))
        .step(Step::local("record-refunds", record_refunds).compensate(undo_refunds))
        .step(Step::external("settle-payments", settle).retry(3, Duration::from_millis(50)))
        .step(Step::local("mark-canceled", mark_canceled))
}

fn validate(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let id = order_id(step);
    let found = order::retrieve(tx, &id)?;
    order_admin::ensure_not_canceled(&found)?;
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
                "refund"
            } else if found.captured() == 0 && p.canceled_at.is_none() {
                "cancel"
            } else {
                continue;
            };
            actions.push(json!({"payment_id": p.id, "action": action, "amount": left,
                "provider_id": p.provider_id, "currency_code": p.currency_code, "data": p.data}));
        }
    }
    Ok(Done::new(json!({ "actions": actions })))
}

fn release(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let mut held = Vec::new();
    for line in order::items::items_of(tx, &order_id(step))? {
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

fn restore(tx: &Tx, step: &StepCtx, data: &Value) -> Result<()> {
    let held: Vec<(String, String, String, i64)> =
        serde_json::from_value(data.clone()).unwrap_or_default();
    reservations::restore(tx, step.engine.ctx(), &held)
}

fn actions<'a>(step: &'a StepCtx) -> impl Iterator<Item = &'a Value> {
    step.result("validate-cancel")["actions"]
        .as_array()
        .into_iter()
        .flatten()
}

fn record_refunds(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let mut ids = Vec::new();
    for a in actions(step).filter(|a| a["action"] == "refund") {
        let payment_id = a["payment_id"].as_str().unwrap_or_default();
        let amount = ledger::retrieve(tx, payment_id)?.check_refund(a["amount"].as_i64())?;
        let note = Some("Order canceled");
        ids.push(payment::record_refund(
            tx,
            step.engine.ctx(),
            payment_id,
            amount,
            note,
        )?);
    }
    Ok(Done::with_compensation(json!(ids), json!(ids)))
}

fn undo_refunds(tx: &Tx, step: &StepCtx, ids: &Value) -> Result<()> {
    for id in ids.as_array().into_iter().flatten() {
        ledger::undo_refund(tx, step.engine.ctx(), id.as_str().unwrap_or_default())?;
    }
    Ok(())
}

fn settle(step: &StepCtx) -> Result<Done> {
    let order = order_id(step);
    for a in actions(step) {
        let provider_id = a["provider_id"].as_str().unwrap_or_default();
        let Some(p) = provider::get(provider_id) else {
            continue;
        };
        let payment_id = a["payment_id"].as_str().unwrap_or_default();
        let call = provider::Call {
            idempotency_key: format!("{order}:cancel:{payment_id}"),
            amount: a["amount"].as_i64().unwrap_or_default(),
            currency_code: a["currency_code"].as_str().unwrap_or_default().into(),
            data: a["data"].clone(),
            scripted: scripted(step, provider_id)?,
        };
        if a["action"] == "refund" {
            p.refund(&call)?;
        } else {
            p.cancel(&call)?;
        }
    }
    Ok(Done::new(Value::Null))
}

fn mark_canceled(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let (id, ctx) = (order_id(step), step.engine.ctx());
    for a in actions(step) {
        let payment_id = a["payment_id"].as_str().unwrap_or_default();
        if a["action"] == "refund" {
            ctx.emit(tx, "payment.refunded", json!({ "id": payment_id }))?;
        } else {
            ledger::record_cancel(tx, ctx, payment_id)?;
        }
    }
    order_admin::mark_canceled(tx, ctx, &id)?;
    ctx.emit(tx, "order.canceled", json!({ "id": id }))?;
    Ok(Done::new(json!({ "order_id": id })))
}
