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
use crate::workflow::{Done, Handle, Recovery, Step, StepCtx, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// `capture-payment`'s input (`POST /admin/payments/:id/capture`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapturePayment {
    /// The payment.
    pub payment_id: String,
    /// Major units as sent (a JSON number, read exactly by `money::parse_major` in the
    /// payment's currency); `None` captures what is left.
    #[serde(default)]
    pub amount: Option<Value>,
}

/// `refund-payment`'s input (`POST /admin/payments/:id/refund`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundPayment {
    /// The payment.
    pub payment_id: String,
    /// Major units as sent; `None` refunds what is captured and not yet refunded.
    #[serde(default)]
    pub amount: Option<Value>,
    /// Stored on the refund.
    #[serde(default)]
    pub note: Option<String>,
}

/// The payment a workflow acted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRef {
    /// `pay_…`
    pub payment_id: String,
}

/// The provider call a capture or refund recorded before making it (its first step's output).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProviderPlan {
    /// `pp_…`
    pub provider_id: String,
    /// Minor units.
    pub amount: i64,
    /// The payment's provider data.
    pub data: Value,
    /// The payment's currency.
    pub currency_code: String,
    /// `<payment>:<capture|refund>:<record id>`.
    pub key: String,
}

/// `capture-payment`.
pub const CAPTURE_PAYMENT: Handle<CapturePayment, PaymentRef> = Handle::new("capture-payment");
/// `refund-payment`.
pub const REFUND_PAYMENT: Handle<RefundPayment, PaymentRef> = Handle::new("refund-payment");

/// The requested amount in minor units of the payment's currency, if one was sent.
fn requested(amount: Option<&Value>, found: &Ledger) -> Result<Option<i64>> {
    match amount {
        None | Some(Value::Null) => Ok(None),
        Some(v) => money::parse_major(v, &found.payment.currency_code)
            .map(Some)
            .map_err(|e| Error::invalid(e.to_string())),
    }
}

fn plan(found: &Ledger, amount: i64, op: &str, record: &str) -> ProviderPlan {
    ProviderPlan {
        provider_id: found.payment.provider_id.clone(),
        amount,
        data: found.payment.data.clone(),
        currency_code: found.payment.currency_code.clone(),
        key: format!("{}:{op}:{record}", found.payment.id),
    }
}

fn call<'a>(step: &StepCtx<'a>, first: &str) -> Result<(&'a dyn PaymentProvider, Call)> {
    let plan: ProviderPlan = step.result_as(first)?;
    let provider_id = plan.provider_id.as_str();
    let found = step
        .engine
        .providers()
        .payment(provider_id)
        .ok_or_else(|| Error::invalid(format!("Payment provider {provider_id} is not known")))?;
    let scripted = scripted(step, provider_id)?;
    Ok((
        found,
        Call {
            idempotency_key: plan.key,
            amount: plan.amount,
            currency_code: plan.currency_code,
            data: plan.data,
            scripted,
        },
    ))
}

/// `capture-payment` ([`CAPTURE_PAYMENT`]): a [`CapturePayment`] in, [`PaymentRef`] out.
pub fn capture_workflow() -> Workflow {
    CAPTURE_PAYMENT
        .workflow()
        .recovery(Recovery::Resume)
        .step(
            Step::local("record-capture", |tx, step| {
                let input: CapturePayment = step.input_as()?;
                let found = ledger::retrieve(tx, &input.payment_id)?;
                let amount = found.check_capture(requested(input.amount.as_ref(), &found)?)?;
                let ctx = step.engine.ctx();
                let id = payment_module::record_capture(tx, ctx, &found.payment.id, amount)?;
                Done::of(&plan(&found, amount, "capture", &id))?.undo_with(&id)
            })
            .compensate_with(|tx, step, id: String| {
                ledger::undo_capture(tx, step.engine.ctx(), &id)
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
            let id = step.input_as::<CapturePayment>()?.payment_id;
            step.engine
                .ctx()
                .emit(tx, "payment.captured", json!({ "id": id }))?;
            Done::of(&PaymentRef { payment_id: id })
        }))
}

/// `refund-payment` ([`REFUND_PAYMENT`]): a [`RefundPayment`] in, [`PaymentRef`] out. Never more than captured and not yet refunded: the refund is recorded
/// (and checked) in one write job before the provider is called, and removed again if the
/// provider fails.
pub fn refund_workflow() -> Workflow {
    REFUND_PAYMENT
        .workflow()
        .recovery(Recovery::Resume)
        .step(
            Step::local("record-refund", |tx, step| {
                let input: RefundPayment = step.input_as()?;
                let found = ledger::retrieve(tx, &input.payment_id)?;
                let amount = found.check_refund(requested(input.amount.as_ref(), &found)?)?;
                let ctx = step.engine.ctx();
                let note = input.note.as_deref();
                let id = payment_module::record_refund(tx, ctx, &found.payment.id, amount, note)?;
                Done::of(&plan(&found, amount, "refund", &id))?.undo_with(&id)
            })
            .compensate_with(|tx, step, id: String| {
                ledger::undo_refund(tx, step.engine.ctx(), &id)
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
            let id = step.input_as::<RefundPayment>()?.payment_id;
            step.engine
                .ctx()
                .emit(tx, "payment.refunded", json!({ "id": id }))?;
            Done::of(&PaymentRef { payment_id: id })
        }))
}
