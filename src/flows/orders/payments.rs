//! `capture-payment` and `refund-payment` (reference §4.4). A local step checks the amount
//! against the payment's ledger and records the capture / refund in the same write job (so
//! two concurrent requests can never together exceed what is authorized / captured); the
//! provider acts as an external step (outside the writer, retried) under a key naming the
//! logical operation — `<payment>:capture:<capture id>` / `<payment>:refund:<refund id>`;
//! if it fails, the record is compensated away. A last local step emits `payment.captured` /
//! `payment.refunded`. After a crash they resume (the provider call is repeated under the
//! same key, so it acts once) rather than undo a capture the provider may have made.

use crate::error::{Error, Result};
use crate::flows::checkout::payment::scripted;
use crate::modules::payment::ledger::{self, Ledger};
use crate::modules::payment::provider::Call;
use crate::modules::payment::{self as payment_module};
use crate::money;
use crate::providers::PaymentProvider;
use crate::workflow::{Done, Recovery, Step, StepCtx, Workflow};
use serde_json::{Value, json};
use std::time::Duration;

fn payment_id(step: &StepCtx) -> String {
    step.input["payment_id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The requested amount in minor units of the payment's currency, if one was sent.
fn requested(step: &StepCtx, found: &Ledger) -> Result<Option<i64>> {
    match step.input.get("amount") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => money::parse_major(v, &found.payment.currency_code)
            .map(Some)
            .map_err(|e| Error::invalid(e.to_string())),
    }
}

fn plan(found: &Ledger, amount: i64, op: &str, record: &str) -> Value {
    json!({
        "provider_id": found.payment.provider_id, "amount": amount, "data": found.payment.data,
        "currency_code": found.payment.currency_code,
        "key": format!("{}:{op}:{record}", found.payment.id),
    })
}

fn call<'a>(step: &StepCtx<'a>, first: &str) -> Result<(&'a dyn PaymentProvider, Call)> {
    let plan = step.result(first);
    let provider_id = plan["provider_id"].as_str().unwrap_or_default();
    let found = step
        .engine
        .providers()
        .payment(provider_id)
        .ok_or_else(|| Error::invalid(format!("Payment provider {provider_id} is not known")))?;
    Ok((
        found,
        Call {
            idempotency_key: plan["key"].as_str().unwrap_or_default().to_string(),
            amount: plan["amount"].as_i64().unwrap_or_default(),
            currency_code: plan["currency_code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            data: plan["data"].clone(),
            scripted: scripted(step, provider_id)?,
        },
    ))
}

/// `capture-payment`: input `{payment_id, amount?}` (major units), result `{payment_id}`.
pub fn capture_workflow() -> Workflow {
    Workflow::new("capture-payment")
        .recovery(Recovery::Resume)
        .step(
            Step::local("record-capture", |tx, step| {
                let found = ledger::retrieve(tx, &payment_id(step))?;
                let amount = found.check_capture(requested(step, &found)?)?;
                let ctx = step.engine.ctx();
                let id = payment_module::record_capture(tx, ctx, &found.payment.id, amount)?;
                Ok(Done::with_compensation(
                    plan(&found, amount, "capture", &id),
                    json!(id),
                ))
            })
            .compensate(|tx, step, id| {
                let id = id.as_str().unwrap_or_default();
                ledger::undo_capture(tx, step.engine.ctx(), id)
            }),
        )
        .step(
            Step::external("capture-at-provider", |step| {
                let (p, call) = call(step, "record-capture")?;
                p.capture(&call)?;
                Ok(Done::new(Value::Null))
            })
            .retry(3, Duration::from_millis(50)),
        )
        .step(Step::local("emit-captured", |tx, step| {
            let id = payment_id(step);
            step.engine
                .ctx()
                .emit(tx, "payment.captured", json!({ "id": id }))?;
            Ok(Done::new(json!({ "payment_id": id })))
        }))
}

/// `refund-payment`: input `{payment_id, amount?, note?}` (major units), result
/// `{payment_id}`. Never more than captured and not yet refunded: the refund is recorded
/// (and checked) in one write job before the provider is called, and removed again if the
/// provider fails.
pub fn refund_workflow() -> Workflow {
    Workflow::new("refund-payment")
        .recovery(Recovery::Resume)
        .step(
            Step::local("record-refund", |tx, step| {
                let found = ledger::retrieve(tx, &payment_id(step))?;
                let amount = found.check_refund(requested(step, &found)?)?;
                let ctx = step.engine.ctx();
                let note = step.input["note"].as_str();
                let id = payment_module::record_refund(tx, ctx, &found.payment.id, amount, note)?;
                Ok(Done::with_compensation(
                    plan(&found, amount, "refund", &id),
                    json!(id),
                ))
            })
            .compensate(|tx, step, id| {
                let id = id.as_str().unwrap_or_default();
                ledger::undo_refund(tx, step.engine.ctx(), id)
            }),
        )
        .step(
            Step::external("refund-at-provider", |step| {
                let (p, call) = call(step, "record-refund")?;
                p.refund(&call)?;
                Ok(Done::new(Value::Null))
            })
            .retry(3, Duration::from_millis(50)),
        )
        .step(Step::local("emit-refunded", |tx, step| {
            let id = payment_id(step);
            step.engine
                .ctx()
                .emit(tx, "payment.refunded", json!({ "id": id }))?;
            Ok(Done::new(json!({ "payment_id": id })))
        }))
}
