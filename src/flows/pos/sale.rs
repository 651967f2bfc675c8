//! `pos-complete-sale` `{session_id, user_id, tenders: [{kind, tendered, reference?}]}` →
//! `{order_id, receipt_number, change}`: the basket becomes an order the customer walks out
//! with.
//!
//! 1. `plan-sale` (local): the session is open, the basket has lines; the tenders are split
//!    ([`super::tenders::plan`]).
//! 2. `authorize-tenders` (external): each tender is authorized at the manual provider
//!    `pp_system_default` (no card terminal is integrated: a card tender records what the
//!    terminal beside the till took) under `<execution>:authorize:<n>`; compensated by
//!    canceling them.
//! 3. `place-sale` (local, one write job): the session is still open and the basket's total
//!    unchanged; the cart's order is created as a draft and converted with
//!    `drafts::convert` (guest customer, stock reserved at the till's location,
//!    `order.placed`; the `order_placed` hook point runs too), its metadata naming the
//!    register, session, staff member and receipt number; promotion usage registered; one payment per tender authorized and captured
//!    (`capture-payment`'s `record-capture`); fulfilled at the till's location, shipped and
//!    delivered (`create-order-fulfillment`, `create-order-shipment`,
//!    `mark-order-fulfillment-as-delivered`, their local steps run inside this one); the
//!    order completed (`complete-order-workflow`'s step, `order.completed`); the
//!    sale's figures recorded for the Z-report; the basket cleared.
//! 4. `capture-at-provider` (external, retried): each capture at the provider under
//!    `capture-payment`'s key `<payment>:capture:<capture>`.
//! 5. `emit-captured` (local): `payment.captured` per payment (`capture-payment`'s step).
//!
//! After a crash the execution resumes (a sale that happened is finished, never undone).

use super::tenders::{self, Plan};
use super::types::{Authorized, COMPLETE_SALE, CompleteSale, Placed, SaleDone, SalePlan};
use super::{run_local_step, run_local_steps, run_steps_with};

/// The fulfillment provider of a handover at the counter.
const MANUAL_FULFILLMENT: &str = "manual_manual";
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::checkout::{carts, complete, refresh};
use crate::flows::links;
use crate::flows::orders::drafts;
use crate::flows::orders::payments::ProviderPlan;
use crate::modules::cart;
use crate::modules::order::{self, manage::OrderUpdate};
use crate::modules::payment::{self, provider};
use crate::modules::pos::sales::{self, Sale, Tender};
use crate::modules::pos::{self, sessions};
use crate::modules::promotion::usage;
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Recovery, Step, StepCtx, Workflow};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// The workflow ([`COMPLETE_SALE`]).
pub fn workflow() -> Workflow {
    COMPLETE_SALE
        .workflow()
        .recovery(Recovery::Resume)
        .step(Step::local("plan-sale", plan_sale))
        .step(
            Step::external("authorize-tenders", authorize)
                .compensate_external(cancel_authorizations)
                .retry(3, Duration::from_millis(50)),
        )
        .step(Step::local("place-sale", place_sale))
        .step(
            Step::external("capture-at-provider", capture_at_provider)
                .retry(3, Duration::from_millis(50)),
        )
        .step(Step::local("emit-captured", emit_captured))
}

fn plan_sale(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: CompleteSale = step.input_as()?;
    let session = sessions::ensure_open(tx, &input.session_id)?;
    let cart_id = session
        .cart_id
        .ok_or_else(|| Error::invalid("The basket is empty"))?;
    let found = carts::retrieve_open(tx, &cart_id)?;
    let (items, _, totals) = refresh::totals(tx, &cart_id)?;
    if items.is_empty() {
        return Err(Error::invalid("The basket is empty"));
    }
    let plan = tenders::plan(totals.total(), &found.currency_code, &input.tenders)?;
    Done::of(&SalePlan {
        cart_id,
        register_id: session.register_id,
        total: totals.total(),
        currency_code: found.currency_code.clone(),
        plan,
    })
}

fn planned(step: &StepCtx) -> Result<SalePlan> {
    step.result_as("plan-sale")
}

fn provider_call(planned: &SalePlan, step: &StepCtx, n: usize, amount: i64) -> provider::Call {
    provider::Call {
        idempotency_key: format!("{}:authorize:{n}", step.execution_id),
        amount,
        currency_code: planned.currency_code.clone(),
        data: json!({}),
        scripted: None,
    }
}

/// The manual provider every tender is recorded through (no terminal integration).
fn manual<'a>(step: &'a StepCtx<'a>) -> Result<&'a dyn provider::PaymentProvider> {
    step.engine
        .providers()
        .payment(provider::SYSTEM)
        .ok_or_else(|| Error::Internal("the manual payment provider is missing".into()))
}

fn authorize(step: &StepCtx) -> Result<Done> {
    let planned = planned(step)?;
    let mut data = Vec::new();
    for (n, tender) in planned.plan.tenders.iter().enumerate() {
        let call = provider_call(&planned, step, n, tender.payment_amount);
        let reply = manual(step)?.authorize(&call)?;
        if reply.status != "authorized" {
            return Err(Error::PaymentAuthorization(
                "Payment authorization failed".into(),
            ));
        }
        data.push(reply.data);
    }
    Done::of(&Authorized { data })
}

fn cancel_authorizations(step: &StepCtx, _: &Value) -> Result<()> {
    let planned = planned(step)?;
    for (n, tender) in planned.plan.tenders.iter().enumerate() {
        manual(step)?.cancel(&provider_call(&planned, step, n, tender.payment_amount))?;
    }
    Ok(())
}

fn place_sale(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: CompleteSale = step.input_as()?;
    let planned = planned(step)?;
    let session = sessions::ensure_open(tx, &input.session_id)?;
    let register = pos::retrieve_register(tx, &session.register_id)?;
    let cart_id = planned.cart_id.as_str();
    if session.cart_id.as_deref() != Some(cart_id) {
        return Err(Error::Conflict(
            "The basket changed while paying; try again".into(),
        ));
    }
    let found = carts::retrieve_open(tx, cart_id)?;
    let (items, _, totals) = refresh::totals(tx, cart_id)?;
    if totals.total() != planned.total {
        return Err(Error::Conflict(
            "The basket changed while paying; try again".into(),
        ));
    }
    let user_id = input.user_id.as_str();
    let mut new = complete::new_order(tx, &found)?;
    let mut metadata = json!({
        "pos_register_id": register.id, "pos_session_id": session.id, "staff_user_id": user_id,
    });
    new.metadata = Some(metadata.clone());
    let order_id = order::create(tx, ctx, &new)?;
    tx.prepare_cached_static("UPDATE \"order\" SET status = 'draft' WHERE id = ?1")?
        .execute([&order_id])?;
    let receipt = pos::receipt_number(&register.code, order::retrieve(tx, &order_id)?.display_id);
    metadata["receipt_number"] = json!(receipt);
    order::manage::set_fields(
        tx,
        ctx,
        &order_id,
        &OrderUpdate {
            metadata: Some(Some(metadata)),
            ..OrderUpdate::default()
        },
    )?;
    links::order_cart().create(tx, &ctx.id("ordcart"), &order_id, cart_id, &ctx.now())?;
    drafts::convert(tx, step, &order_id)?;
    // The same hook point as an online order, in the same write job as the order.
    hooks::run(
        tx,
        step.engine,
        points::ORDER_PLACED,
        &json!({"order_id": order_id, "cart_id": cart_id}),
        &Value::Null,
    )?;
    usage::register(tx, ctx, &complete::order_usage(tx, &order_id)?)?;
    cart::set_completed(tx, ctx, cart_id, true)?;
    let plan = planned.plan;
    let (payments, captures) = pay(tx, step, &order_id, &found, &plan)?;
    hand_over(tx, step, &order_id, &register.stock_location_id)?;
    // Paid and handed over: the order is complete (Medusa's `complete-order-workflow`).
    run_local_steps(
        tx,
        step,
        crate::flows::orders::manage::COMPLETE,
        &json!({ "order_id": order_id }),
    )?;
    let manual_discount: i64 = items
        .iter()
        .filter_map(|i| {
            i.metadata
                .get("pos_discount")
                .and_then(|d| d["amount"].as_i64())
                .map(|a| a * i.quantity)
        })
        .sum();
    let recorded: Vec<Tender> = plan
        .tenders
        .iter()
        .zip(&payments)
        .map(|(t, payment_id)| Tender {
            kind: t.kind.clone(),
            amount: t.kept,
            tendered: t.tendered,
            change_given: t.change,
            payment_id: payment_id.clone(),
            reference: t.reference.clone(),
        })
        .collect();
    sales::record(
        tx,
        ctx,
        &Sale {
            session_id: session.id.clone(),
            register_id: register.id.clone(),
            order_id: order_id.clone(),
            receipt_number: receipt.clone(),
            staff_user_id: user_id.to_string(),
            currency_code: found.currency_code.clone(),
            subtotal: totals.items.subtotal + manual_discount,
            discount_total: totals.items.discount_total,
            manual_discount_total: manual_discount,
            tax_total: totals.items.tax_total,
            total: totals.total(),
            cash_rounding: plan.rounding,
            ..Sale::default()
        },
        &recorded,
    )?;
    sessions::set_cart(tx, &session.id, None)?;
    Done::of(&Placed {
        order_id,
        receipt_number: receipt,
        change: plan.change,
        payments,
        captures,
    })
}

/// One payment per tender in a collection linked to the order, each authorized (the
/// provider already said so) and captured through `capture-payment`'s recording step.
fn pay(
    tx: &Tx,
    step: &StepCtx,
    order_id: &str,
    found: &cart::Cart,
    plan: &Plan,
) -> Result<(Vec<String>, Vec<ProviderPlan>)> {
    let ctx = step.engine.ctx();
    let total: i64 = plan.tenders.iter().map(|t| t.payment_amount).sum();
    let collection_id = payment::create_collection(
        tx,
        ctx,
        &found.currency_code,
        total,
        found.region_id.as_deref(),
    )?;
    links::order_payment_collection().create(
        tx,
        &ctx.id("ordpc"),
        order_id,
        &collection_id,
        &ctx.now(),
    )?;
    let collection = payment::retrieve_collection(tx, &collection_id)?;
    let authorized: Authorized = step.result_as("authorize-tenders")?;
    let (mut payments, mut captures) = (Vec::new(), Vec::new());
    for (n, tender) in plan.tenders.iter().enumerate() {
        let mut data = authorized
            .data
            .get(n)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        data.insert("pos_tender".into(), json!(tender.kind));
        data.insert("tendered".into(), json!(tender.tendered));
        data.insert("change".into(), json!(tender.change));
        if let Some(reference) = &tender.reference {
            data.insert("reference".into(), json!(reference));
        }
        let data = Value::Object(data);
        let session = payment::add_session(
            tx,
            ctx,
            &collection,
            provider::SYSTEM,
            tender.payment_amount,
            &data,
        )?;
        let payment_id = payment::record_authorization(tx, ctx, &session, &data)?;
        let capture = run_local_step(
            tx,
            step,
            "capture-payment",
            "record-capture",
            &json!({ "payment_id": payment_id }),
        )?;
        payments.push(payment_id);
        captures.push(serde_json::from_value(capture).map_err(|e| {
            Error::UnexpectedState(format!(
                "record-capture's plan is not what the till reads: {e}"
            ))
        })?);
    }
    Ok((payments, captures))
}

/// Every line fulfilled at the till's location, shipped and delivered: the customer walks
/// out with it.
fn hand_over(tx: &Tx, step: &StepCtx, order_id: &str, location_id: &str) -> Result<()> {
    let lines: Vec<Value> = order::items::items_of(tx, order_id)?
        .iter()
        .map(|l| json!({"id": l.id, "quantity": l.quantity}))
        .collect();
    // Handed over at the counter: no carrier. Only the manual provider (which records an empty
    // answer) may stand in for the fulfillment workflow's provider call.
    let input = json!({"order_id": order_id, "items": lines, "location_id": location_id, "no_notification": true});
    let plan = run_local_step(
        tx,
        step,
        "create-order-fulfillment",
        "validate-fulfillment",
        &input,
    )?;
    if plan["provider_id"] != json!(MANUAL_FULFILLMENT) {
        return Err(Error::invalid(format!(
            "A till sale is handed over at the counter; its order names the fulfillment provider {}",
            plan["provider_id"]
        )));
    }
    let mut stand_ins = Map::new();
    stand_ins.insert("provider-create-fulfillment".into(), json!({ "data": {} }));
    let made = run_steps_with(tx, step, "create-order-fulfillment", &input, &stand_ins)?;
    let fulfillment_id = made["create-fulfillment"]["fulfillment_id"].clone();
    run_local_steps(
        tx,
        step,
        "create-order-shipment",
        &json!({"order_id": order_id, "fulfillment_id": fulfillment_id, "items": lines, "no_notification": true}),
    )?;
    run_local_steps(
        tx,
        step,
        "mark-order-fulfillment-as-delivered",
        &json!({"order_id": order_id, "fulfillment_id": fulfillment_id}),
    )?;
    Ok(())
}

fn capture_at_provider(step: &StepCtx) -> Result<Done> {
    let placed: Placed = step.result_as("place-sale")?;
    for plan in &placed.captures {
        manual(step)?.capture(&super::planned_call(plan))?;
    }
    Ok(Done::new(Value::Null))
}

fn emit_captured(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let placed: Placed = step.result_as("place-sale")?;
    for payment_id in &placed.payments {
        run_local_step(
            tx,
            step,
            "capture-payment",
            "emit-captured",
            &json!({ "payment_id": payment_id }),
        )?;
    }
    Done::of(&SaleDone {
        order_id: placed.order_id,
        receipt_number: placed.receipt_number,
        change: placed.change,
    })
}
