//! `pos-return` `{session_id, user_id, receipt_number, items: [{id, quantity}], refund:
//! cash | original}` → `{return_id, order_id, amount, from_drawer}`: a customer brings a till
//! sale back.
//!
//! 1. `take-return` (local, one write job): the session is open; the sale is found by its
//!    receipt number; the order's return is begun at **this till's** location, its items
//!    requested and confirmed, received and confirmed — the local steps of
//!    `begin-return-order`, `request-item-return`, `confirm-return-request`,
//!    `begin-receive-return`, `receive-item-return-request`, `confirm-return-receive`, run
//!    inside this job (so the units are back on this till's shelf and the return's
//!    `refund_amount` — the lines' paid value per unit — is set); the refund is recorded on
//!    the order's payments by `refund-payment`'s `record-refund` step (never more than
//!    captured and not yet refunded): `original` refunds the payments in the order they were
//!    taken, `cash` refunds the cash payments first; whatever is paid out in cash (all of it
//!    for `cash`, the cash payments' share for `original`) leaves this session's drawer as a
//!    `refund` movement; the return is recorded for the X/Z-report.
//! 2. `refund-at-provider` (external, retried) under `refund-payment`'s keys, then
//!    `emit-refunded` (its `payment.refunded` step). Resumed after a crash.

use super::types::{ReturnDone, TILL_RETURN, Taken, TillReturnIn};
use super::{run_local_step, run_local_steps};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::order::{self, returns};
use crate::modules::payment::{self, ledger};
use crate::modules::pos::sales::{self, TillReturn};
use crate::modules::pos::{self, sessions};
use crate::money;
use crate::workflow::{Done, Recovery, Step, StepCtx, Workflow};
use serde_json::{Value, json};
use std::time::Duration;

/// The workflow ([`TILL_RETURN`]).
pub fn workflow() -> Workflow {
    TILL_RETURN
        .workflow()
        .recovery(Recovery::Resume)
        .step(Step::local("take-return", take_return))
        .step(
            Step::external("refund-at-provider", refund_at_provider)
                .retry(3, Duration::from_millis(50)),
        )
        .step(Step::local("emit-refunded", emit_refunded))
}

/// A payment of the order that can still be refunded: `(id, is cash, refundable)`.
fn refundable(tx: &Tx, order_id: &str) -> Result<Vec<(String, bool, i64)>> {
    let mut out = Vec::new();
    for collection in links::order_payment_collection().rights_of(tx, order_id)? {
        for p in payment::payments_of(tx, &collection)? {
            let found = ledger::retrieve(tx, &p.id)?;
            let left = found.captured() - found.refunded();
            if left > 0 {
                out.push((p.id, p.data["pos_tender"] == "cash", left));
            }
        }
    }
    Ok(out)
}

/// `amount` spread over the payments: `(payment, amount, is cash)`.
fn allocate(
    mut payments: Vec<(String, bool, i64)>,
    amount: i64,
    cash_first: bool,
) -> Vec<(String, i64, bool)> {
    if cash_first {
        payments.sort_by_key(|p| !p.1);
    }
    let mut rest = amount;
    let mut out = Vec::new();
    for (id, cash, left) in payments {
        if rest == 0 {
            break;
        }
        let take = left.min(rest);
        rest -= take;
        out.push((id, take, cash));
    }
    out
}

fn take_return(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: TillReturnIn = step.input_as()?;
    let session = sessions::ensure_open(tx, &input.session_id)?;
    let register = pos::retrieve_register(tx, &session.register_id)?;
    let number = input.receipt_number.trim().to_ascii_uppercase();
    let sale =
        sales::by_receipt(tx, &number)?.ok_or_else(|| Error::not_found("Receipt", &number))?;
    let kind = input.refund.as_str();
    if !matches!(kind, "cash" | "original") {
        return Err(Error::invalid("refund must be cash or original"));
    }
    let user = input.user_id.as_str();
    let items = &input.items;
    let begun = run_local_steps(
        tx,
        step,
        "begin-return-order",
        &json!({"order_id": sale.order_id, "location_id": register.stock_location_id, "created_by": user}),
    )?;
    let return_id = begun["begin-return-order"]["return_id"].clone();
    let with_items = json!({"return_id": return_id, "items": items});
    let confirmed = json!({"return_id": return_id, "confirmed_by": user});
    let created = json!({"return_id": return_id, "created_by": user});
    for (name, input) in [
        ("request-item-return", &with_items),
        ("confirm-return-request", &confirmed),
        ("begin-receive-return", &created),
        ("receive-item-return-request", &with_items),
        ("confirm-return-receive", &confirmed),
    ] {
        run_local_steps(tx, step, name, input)?;
    }
    let return_id =
        crate::workflow::output_str(&begun["begin-return-order"], "return_id")?.to_string();
    let amount = returns::retrieve(tx, &return_id)?
        .refund_amount
        .unwrap_or(0);
    let currency = order::retrieve(tx, &sale.order_id)?.currency_code;
    let shares = allocate(refundable(tx, &sale.order_id)?, amount, kind == "cash");
    let (mut plans, mut payments, mut from_cash_payments) = (Vec::new(), Vec::new(), 0);
    for (payment_id, share, cash) in &shares {
        let plan = run_local_step(
            tx,
            step,
            "refund-payment",
            "record-refund",
            &json!({"payment_id": payment_id, "amount": money::to_json(*share, &currency),
                    "note": format!("Return at till {}", register.code)}),
        )?;
        plans.push(serde_json::from_value(plan).map_err(|e| {
            Error::UnexpectedState(format!(
                "record-refund's plan is not what the till reads: {e}"
            ))
        })?);
        payments.push(payment_id.clone());
        if *cash {
            from_cash_payments += share;
        }
    }
    let from_drawer = if kind == "cash" {
        amount
    } else {
        from_cash_payments
    };
    if from_drawer > 0 {
        sessions::add_movement(
            tx,
            ctx,
            &session.id,
            &sessions::Movement {
                kind: "refund",
                amount: from_drawer,
                reason: &format!("Return of {number}"),
                user_id: user,
                order_id: Some(&sale.order_id),
            },
        )?;
    }
    sales::record_return(
        tx,
        ctx,
        &TillReturn {
            session_id: session.id.clone(),
            order_id: sale.order_id.clone(),
            return_id: return_id.clone(),
            refund_kind: kind.to_string(),
            amount,
            staff_user_id: user.to_string(),
        },
    )?;
    Done::of(&Taken {
        return_id,
        order_id: sale.order_id,
        amount,
        from_drawer,
        refunds: plans,
        payments,
    })
}

fn refund_at_provider(step: &StepCtx) -> Result<Done> {
    let taken: Taken = step.result_as("take-return")?;
    for plan in &taken.refunds {
        let id = plan.provider_id.as_str();
        let found = step
            .engine
            .providers()
            .payment(id)
            .ok_or_else(|| Error::invalid(format!("Payment provider {id} is not known")))?;
        found.refund(&super::planned_call(plan))?;
    }
    Ok(Done::new(Value::Null))
}

fn emit_refunded(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let taken: Taken = step.result_as("take-return")?;
    for payment_id in &taken.payments {
        run_local_step(
            tx,
            step,
            "refund-payment",
            "emit-refunded",
            &json!({ "payment_id": payment_id }),
        )?;
    }
    Done::of(&ReturnDone {
        return_id: taken.return_id,
        order_id: taken.order_id,
        amount: taken.amount,
        from_drawer: taken.from_drawer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refunds_spread_over_payments_cash_first_when_asked() {
        let payments = vec![
            ("card".to_string(), false, 1000),
            ("cash".to_string(), true, 500),
        ];
        assert_eq!(
            allocate(payments.clone(), 1200, false),
            vec![("card".into(), 1000, false), ("cash".into(), 200, true)]
        );
        assert_eq!(
            allocate(payments, 1200, true),
            vec![("cash".into(), 500, true), ("card".into(), 700, false)]
        );
    }
}
