//! `complete-cart`: a cart becomes an order (reference §6.2, design.md).
//!
//! One write job validates the cart, creates the order (display id, links cart→order and
//! order→payment collection) and reserves its stock (guarded: available ≥ quantity summed per
//! inventory item) and registers its promotions' usage (guarded: `used + 1 ≤ limit`, and
//! the campaign budget). The provider's authorization follows as an external step, outside the
//! writer, under the key `<cart id>:authorize:<attempt>`. A second write job records the
//! payment, marks the cart completed and emits `order.placed`. If authorization fails, the
//! order and the reservations are compensated away: nothing is left behind. When the
//! session's provider lives in the process (`pp_system_default`), the authorization runs
//! inline and all of it is one write job.

use super::CartRef;
use super::inputs::OrderRef;
use super::{refresh, stock};
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::cart::{self, Cart};
use crate::modules::payment::{self, provider};
use crate::modules::promotion::usage;
use crate::modules::{inventory, order};
use crate::money;
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The message of a failed authorization (the route answers 200 with the cart).
pub const AUTHORIZATION_FAILED: &str = "Payment authorization failed";

/// What `validate-cart` found: the order a repeat already placed (`{"existing": id}`), or the
/// payment to authorize (`{"existing": null, "collection_id": …}`) — the journal's shape since
/// before the types.
#[derive(Debug, Serialize, Deserialize)]
struct Validated {
    existing: Option<String>,
    #[serde(flatten)]
    payment: Option<Payment>,
}

/// The payment `complete-cart` authorizes and records.
#[derive(Debug, Serialize, Deserialize)]
struct Payment {
    collection_id: String,
    session_id: String,
    provider_id: String,
    amount: i64,
    data: Value,
    currency_code: String,
    attempt: i64,
    total: i64,
}

/// `create-order`'s output and compensation data.
#[derive(Debug, Serialize, Deserialize)]
struct Placed {
    order_id: String,
    collection_id: String,
}

/// `authorize-payment`'s output: the provider's data for the payment.
#[derive(Debug, Serialize, Deserialize)]
struct Authorized {
    data: Value,
}

/// The workflow ([`COMPLETE_CART`](super::COMPLETE_CART)): a [`CartRef`] in, an
/// [`OrderRef`] out.
pub fn workflow() -> Workflow {
    super::COMPLETE_CART
        .workflow()
        .step(Step::local("validate-cart", validate))
        .step(Step::local("create-order", create_order).compensate_with(delete_order))
        .step(Step::local("reserve-inventory", reserve).compensate_with(release))
        .step(Step::local("register-usage", register_usage).compensate_with(revert_usage))
        .step(hooks::step(points::ORDER_PLACED, |s| {
            if existing(s)?.is_some() {
                return Ok(None);
            }
            let order_id = placed_order(s)?;
            Ok(Some(json!({"order_id": order_id, "cart_id": cart_id(s)?})))
        }))
        .step(
            Step::external("authorize-payment", authorize)
                .compensate_external(cancel_authorization)
                .inline_when(authorizes_in_process),
        )
        .step(Step::local("finalize-order", finalize))
}

fn cart_id(step: &StepCtx) -> Result<String> {
    step.input_as::<CartRef>().map(|c| c.cart_id)
}

fn validated(step: &StepCtx) -> Result<Validated> {
    step.result_as("validate-cart")
}

fn existing(step: &StepCtx) -> Result<Option<String>> {
    validated(step).map(|v| v.existing)
}

/// The payment `validate-cart` found (none on a repeat, whose steps never ask).
fn payment_of(step: &StepCtx) -> Result<Payment> {
    validated(step)?.payment.ok_or_else(|| {
        Error::UnexpectedState(format!("{}: validate-cart found no payment", step.step))
    })
}

fn placed_order(step: &StepCtx) -> Result<String> {
    step.result_as::<OrderRef>("create-order")
        .map(|o| o.order_id)
}

fn validate(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let id = &cart_id(step)?;
    let found = cart::shared(tx, id)?;
    if let Some(order_id) = links::order_cart().lefts_of(tx, id)?.into_iter().next() {
        if found.completed_at.is_none() {
            return Err(Error::Conflict(
                "Cart is already being completed by another request".into(),
            ));
        }
        return Done::of(&Validated {
            existing: Some(order_id),
            payment: None,
        });
    }
    let (items, methods, totals) = refresh::totals(tx, id)?;
    if items.is_empty() {
        return Err(Error::invalid(
            "Cart must have at least one item to be completed",
        ));
    }
    if found.email.as_deref().is_none_or(str::is_empty) {
        return Err(Error::invalid("An email is required to complete the cart"));
    }
    if methods.is_empty() && items.iter().any(|i| i.requires_shipping) {
        return Err(Error::invalid(
            "No shipping method selected but the cart contains items that require shipping.",
        ));
    }
    let collection_id = links::cart_payment_collection()
        .rights_of(tx, id)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid("Payment collection has not been initiated for cart"))?;
    let session = payment::sessions_of(tx, &collection_id)?
        .into_iter()
        .find(|s| {
            matches!(
                s.status.as_str(),
                "pending" | "requires_more" | "authorized"
            )
        })
        .ok_or_else(|| Error::invalid("Payment sessions are required to complete cart"))?;
    let attempt = cart::next_attempt(tx, id)?;
    Done::of(&Validated {
        existing: None,
        payment: Some(Payment {
            collection_id,
            session_id: session.id,
            provider_id: session.provider_id,
            amount: session.amount,
            data: session.data,
            currency_code: found.currency_code.clone(),
            attempt,
            total: totals.total(),
        }),
    })
}

/// The order a cart becomes (also the point of sale's).
pub(crate) fn new_order(tx: &Tx, found: &Cart) -> Result<order::NewOrder> {
    let (items, methods, _) = refresh::totals(tx, &found.id)?;
    let strip = |a: Option<serde_json::Map<String, Value>>| {
        a.map(|mut m| {
            m.remove("id");
            m
        })
    };
    Ok(order::NewOrder {
        region_id: found.region_id.clone(),
        customer_id: found.customer_id.clone(),
        sales_channel_id: found.sales_channel_id.clone(),
        email: found.email.clone(),
        currency_code: found.currency_code.clone(),
        metadata: found.metadata.clone(),
        shipping_address: strip(cart::address(tx, found.shipping_address_id.as_deref())?),
        billing_address: strip(cart::address(tx, found.billing_address_id.as_deref())?),
        // The cart's and the order's lines are the same type (`crate::lines`).
        items: items.to_vec(),
        shipping_methods: methods.to_vec(),
    })
}

fn create_order(tx: &Tx, step: &StepCtx) -> Result<Done> {
    if let Some(order_id) = existing(step)? {
        return Done::of(&OrderRef { order_id });
    }
    let ctx = step.engine.ctx();
    let found = cart::shared(tx, &cart_id(step)?)?;
    let order_id = order::create(tx, ctx, &new_order(tx, &found)?)?;
    links::order_cart().create(tx, &ctx.id("ordcart"), &order_id, &found.id, &ctx.now())?;
    let collection_id = payment_of(step)?.collection_id;
    links::order_payment_collection().create(
        tx,
        &ctx.id("ordpc"),
        &order_id,
        &collection_id,
        &ctx.now(),
    )?;
    let placed = Placed {
        order_id,
        collection_id,
    };
    Done::of(&placed)?.undo_with(&placed)
}

/// Undoes `create-order` (nothing on a repeat, which created no order).
fn delete_order(tx: &Tx, step: &StepCtx, placed: Option<Placed>) -> Result<()> {
    let Some(placed) = placed else {
        return Ok(());
    };
    let now = step.engine.ctx().now();
    let order_id = placed.order_id.as_str();
    links::order_cart().dismiss(tx, order_id, &cart_id(step)?, &now)?;
    links::order_payment_collection().dismiss(tx, order_id, &placed.collection_id, &now)?;
    order::delete(tx, order_id)
}

fn reserve(tx: &Tx, step: &StepCtx) -> Result<Done> {
    if existing(step)?.is_some() {
        return Ok(Done::new(Value::Null));
    }
    let order_id = placed_order(step)?;
    let placed = order::retrieve(tx, &order_id)?;
    let lines: Vec<stock::Line> = order::items::shared_items_of(tx, &order_id)?
        .iter()
        .filter_map(|i| {
            Some(stock::Line {
                line_item_id: i.id.clone(),
                variant_id: i.variant_id.clone()?,
                quantity: i.quantity,
            })
        })
        .collect();
    let ids = stock::reserve(
        tx,
        step.engine.ctx(),
        placed.sales_channel_id.as_deref(),
        &lines,
    )?;
    Done::of(&json!({"reservations": ids.len()}))?.undo_with(&ids)
}

fn release(tx: &Tx, step: &StepCtx, ids: Option<Vec<String>>) -> Result<()> {
    match ids {
        Some(ids) => inventory::release(tx, step.engine.ctx(), &ids),
        None => Ok(()),
    }
}

/// Registers the order's promotion usage (Medusa's `registerUsageStep`) in the same write
/// job as the order and its reservations: each promotion's `used + 1 ≤ limit` and its
/// campaign budget are checked and counted by one guarded update, so concurrent completions
/// never overspend; the one that would is refused and its whole job rolls back.
fn register_usage(tx: &Tx, step: &StepCtx) -> Result<Done> {
    if existing(step)?.is_some() {
        return Ok(Done::new(Value::Null));
    }
    let uses = order_usage(tx, &placed_order(step)?)?;
    usage::register(tx, step.engine.ctx(), &uses)?;
    Done::of(&json!({"promotions": uses.len()}))?.undo_with(&uses)
}

/// The promotion usage an order's adjustments add up to, one entry per promotion (also
/// registered by the point of sale's sale).
pub(crate) fn order_usage(tx: &Tx, order_id: &str) -> Result<Vec<usage::Use>> {
    let placed = order::retrieve(tx, order_id)?;
    let mut uses: Vec<usage::Use> = Vec::new();
    let (items, methods) = (
        order::items::shared_items_of(tx, order_id)?,
        order::shipping::shared_methods_of(tx, order_id)?,
    );
    let adjustments = items
        .iter()
        .flat_map(|i| &i.adjustments)
        .chain(methods.iter().flat_map(|m| &m.adjustments));
    for adjustment in adjustments {
        let Some(promotion_id) = &adjustment.promotion_id else {
            continue;
        };
        match uses.iter_mut().find(|u| &u.promotion_id == promotion_id) {
            Some(u) => u.amount += adjustment.amount,
            None => uses.push(usage::Use {
                promotion_id: promotion_id.clone(),
                amount: adjustment.amount,
                currency_code: placed.currency_code.clone(),
            }),
        }
    }
    Ok(uses)
}

fn revert_usage(tx: &Tx, step: &StepCtx, uses: Option<Vec<usage::Use>>) -> Result<()> {
    match uses {
        Some(uses) => usage::revert(tx, step.engine.ctx(), &uses),
        None => Ok(()),
    }
}

fn authorization_call(step: &StepCtx, payment: Payment) -> Result<provider::Call> {
    Ok(provider::Call {
        idempotency_key: format!("{}:authorize:{}", cart_id(step)?, payment.attempt),
        amount: payment.amount,
        currency_code: payment.currency_code,
        data: payment.data,
        scripted: None,
    })
}

/// Whether `authorize-payment` may run inside the write job: on a repeat (it calls nothing)
/// or when the session's provider lives in this process.
/// (Read from [`Validated`]'s JSON in place: the rule is asked on the writer, on every run.)
fn authorizes_in_process(step: &StepCtx) -> bool {
    let found = step.result("validate-cart");
    !found["existing"].is_null()
        || found["provider_id"]
            .as_str()
            .is_some_and(|id| super::payment::in_process(step, id))
}

fn authorize(step: &StepCtx) -> Result<Done> {
    if existing(step)?.is_some() {
        return Ok(Done::new(Value::Null));
    }
    let payment = payment_of(step)?;
    let provider_id = payment.provider_id.clone();
    let provider = step
        .engine
        .providers()
        .payment(&provider_id)
        .ok_or_else(|| Error::PaymentAuthorization(AUTHORIZATION_FAILED.into()))?;
    let mut call = authorization_call(step, payment)?;
    call.scripted = super::payment::scripted(step, &provider_id)?;
    match provider.authorize(&call) {
        Ok(reply) if reply.status == "authorized" => Done::of(&Authorized { data: reply.data }),
        _ => Err(Error::PaymentAuthorization(AUTHORIZATION_FAILED.into())),
    }
}

/// Cancels an authorization that may have happened (nothing on a repeat, which authorized
/// nothing).
fn cancel_authorization(step: &StepCtx, _: &Value) -> Result<()> {
    let Some(payment) = validated(step)?.payment else {
        return Ok(());
    };
    match step.engine.providers().payment(&payment.provider_id) {
        Some(p) => p.cancel(&authorization_call(step, payment)?).map(|_| ()),
        None => Ok(()),
    }
}

fn finalize(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let order_id = placed_order(step)?;
    if existing(step)?.is_some() {
        return Done::of(&OrderRef { order_id });
    }
    let ctx = step.engine.ctx();
    let payment = payment_of(step)?;
    let authorized: Authorized = step.result_as("authorize-payment")?;
    payment::record_authorization(tx, ctx, &payment.session_id, &authorized.data)?;
    cart::set_completed(tx, ctx, &cart_id(step)?, true)?;
    let placed = order::retrieve(tx, &order_id)?;
    let total = money::to_json(payment.total, &placed.currency_code);
    ctx.emit(
        tx,
        "order.placed",
        json!({"id": order_id, "customer_id": placed.customer_id, "currency_code": placed.currency_code, "total": total}),
    )?;
    Done::of(&OrderRef { order_id })
}
