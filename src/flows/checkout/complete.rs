//! `complete-cart`: a cart becomes an order (reference §6.2, design.md).
//!
//! One write job validates the cart, creates the order (display id, links cart→order and
//! order→payment collection) and reserves its stock (guarded: available ≥ quantity summed per
//! inventory item) and registers its promotions' usage (guarded: `used + 1 ≤ limit`, and
//! the campaign budget). The provider's authorization follows as an external step, outside the
//! writer, under the key `<cart id>:authorize:<attempt>`. A second write job records the
//! payment, marks the cart completed and emits `order.placed`. If authorization fails, the
//! order and the reservations are compensated away: nothing is left behind.

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
use serde_json::{Value, json};

/// The message of a failed authorization (the route answers 200 with the cart).
pub const AUTHORIZATION_FAILED: &str = "Payment authorization failed";

/// The workflow; input `{cart_id}`, result `{order_id}`.
pub fn workflow() -> Workflow {
    Workflow::new("complete-cart")
        .step(Step::local("validate-cart", validate))
        .step(Step::local("create-order", create_order).compensate(delete_order))
        .step(Step::local("reserve-inventory", reserve).compensate(release))
        .step(Step::local("register-usage", register_usage).compensate(revert_usage))
        .step(hooks::step(points::ORDER_PLACED, |s| {
            let placed = existing(s).is_none();
            let order_id = &s.result("create-order")["order_id"];
            Ok(placed.then(|| json!({"order_id": order_id, "cart_id": cart_id(s)})))
        }))
        .step(
            Step::external("authorize-payment", authorize)
                .compensate_external(cancel_authorization),
        )
        .step(Step::local("finalize-order", finalize))
}

fn cart_id<'a>(step: &'a StepCtx) -> &'a str {
    step.input["cart_id"].as_str().unwrap_or_default()
}

fn existing(step: &StepCtx) -> Option<String> {
    step.result("validate-cart")["existing"]
        .as_str()
        .map(str::to_string)
}

fn validate(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let id = cart_id(step);
    let found = cart::retrieve(tx, id)?;
    if let Some(order_id) = links::order_cart().lefts_of(tx, id)?.into_iter().next() {
        if found.completed_at.is_none() {
            return Err(Error::Conflict(
                "Cart is already being completed by another request".into(),
            ));
        }
        return Ok(Done::new(json!({"existing": order_id})));
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
    Ok(Done::new(json!({
        "existing": null, "collection_id": collection_id, "session_id": session.id,
        "provider_id": session.provider_id, "amount": session.amount, "data": session.data,
        "currency_code": found.currency_code, "attempt": attempt, "total": totals.total(),
    })))
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
        items: convert(&items)?,
        shipping_methods: convert(&methods)?,
    })
}

/// Cart rows → order rows (the two modules share the field names, not the types).
fn convert<T: serde::Serialize, U: serde::de::DeserializeOwned>(rows: &T) -> Result<U> {
    let value = serde_json::to_value(rows).map_err(|e| Error::Internal(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| Error::Internal(e.to_string()))
}

fn create_order(tx: &Tx, step: &StepCtx) -> Result<Done> {
    if let Some(order_id) = existing(step) {
        return Ok(Done::new(json!({"order_id": order_id})));
    }
    let ctx = step.engine.ctx();
    let found = cart::retrieve(tx, cart_id(step))?;
    let order_id = order::create(tx, ctx, &new_order(tx, &found)?)?;
    links::order_cart().create(tx, &ctx.id("ordcart"), &order_id, &found.id, &ctx.now())?;
    let collection = step.result("validate-cart")["collection_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    links::order_payment_collection().create(
        tx,
        &ctx.id("ordpc"),
        &order_id,
        &collection,
        &ctx.now(),
    )?;
    let data = json!({"order_id": order_id, "collection_id": collection});
    Ok(Done::with_compensation(data.clone(), data))
}

fn delete_order(tx: &Tx, step: &StepCtx, data: &Value) -> Result<()> {
    let now = step.engine.ctx().now();
    let order_id = data["order_id"].as_str().unwrap_or_default();
    links::order_cart().dismiss(tx, order_id, cart_id(step), &now)?;
    links::order_payment_collection().dismiss(
        tx,
        order_id,
        data["collection_id"].as_str().unwrap_or_default(),
        &now,
    )?;
    order::delete(tx, order_id)
}

fn reserve(tx: &Tx, step: &StepCtx) -> Result<Done> {
    if existing(step).is_some() {
        return Ok(Done::new(Value::Null));
    }
    let order_id = step.result("create-order")["order_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let placed = order::retrieve(tx, &order_id)?;
    let lines: Vec<stock::Line> = order::items::items_of(tx, &order_id)?
        .into_iter()
        .filter_map(|i| {
            Some(stock::Line {
                line_item_id: i.id,
                variant_id: i.variant_id?,
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
    Ok(Done::with_compensation(
        json!({"reservations": ids.len()}),
        json!(ids),
    ))
}

fn release(tx: &Tx, step: &StepCtx, ids: &Value) -> Result<()> {
    let ids: Vec<String> = serde_json::from_value(ids.clone()).unwrap_or_default();
    inventory::release(tx, step.engine.ctx(), &ids)
}

/// Registers the order's promotion usage (Medusa's `registerUsageStep`) in the same write
/// job as the order and its reservations: each promotion's `used + 1 ≤ limit` and its
/// campaign budget are checked and counted by one guarded update, so concurrent completions
/// never overspend; the one that would is refused and its whole job rolls back.
fn register_usage(tx: &Tx, step: &StepCtx) -> Result<Done> {
    if existing(step).is_some() {
        return Ok(Done::new(Value::Null));
    }
    let order_id = step.result("create-order")["order_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let uses = order_usage(tx, &order_id)?;
    usage::register(tx, step.engine.ctx(), &uses)?;
    Ok(Done::with_compensation(
        json!({"promotions": uses.len()}),
        json!(uses),
    ))
}

/// The promotion usage an order's adjustments add up to, one entry per promotion (also
/// registered by the point of sale's sale).
pub(crate) fn order_usage(tx: &Tx, order_id: &str) -> Result<Vec<usage::Use>> {
    let placed = order::retrieve(tx, order_id)?;
    let mut uses: Vec<usage::Use> = Vec::new();
    let adjustments = order::items::items_of(tx, order_id)?
        .into_iter()
        .flat_map(|i| i.adjustments)
        .chain(
            order::shipping::methods_of(tx, order_id)?
                .into_iter()
                .flat_map(|m| m.adjustments),
        );
    for adjustment in adjustments {
        let Some(promotion_id) = adjustment.promotion_id else {
            continue;
        };
        match uses.iter_mut().find(|u| u.promotion_id == promotion_id) {
            Some(u) => u.amount += adjustment.amount,
            None => uses.push(usage::Use {
                promotion_id,
                amount: adjustment.amount,
                currency_code: placed.currency_code.clone(),
            }),
        }
    }
    Ok(uses)
}

fn revert_usage(tx: &Tx, step: &StepCtx, uses: &Value) -> Result<()> {
    let uses: Vec<usage::Use> = serde_json::from_value(uses.clone()).unwrap_or_default();
    usage::revert(tx, step.engine.ctx(), &uses)
}

fn authorization_call(step: &StepCtx) -> provider::Call {
    let v = step.result("validate-cart");
    provider::Call {
        idempotency_key: format!(
            "{}:authorize:{}",
            cart_id(step),
            v["attempt"].as_i64().unwrap_or(1)
        ),
        amount: v["amount"].as_i64().unwrap_or_default(),
        currency_code: v["currency_code"].as_str().unwrap_or_default().to_string(),
        data: v["data"].clone(),
        scripted: None,
    }
}

fn authorize(step: &StepCtx) -> Result<Done> {
    if existing(step).is_some() {
        return Ok(Done::new(Value::Null));
    }
    let provider_id = step.result("validate-cart")["provider_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let provider = step
        .engine
        .providers()
        .payment(&provider_id)
        .ok_or_else(|| Error::PaymentAuthorization(AUTHORIZATION_FAILED.into()))?;
    let mut call = authorization_call(step);
    call.scripted = super::payment::scripted(step, &provider_id)?;
    match provider.authorize(&call) {
        Ok(reply) if reply.status == "authorized" => Ok(Done::new(json!({"data": reply.data}))),
        _ => Err(Error::PaymentAuthorization(AUTHORIZATION_FAILED.into())),
    }
}

fn cancel_authorization(step: &StepCtx, _: &Value) -> Result<()> {
    let provider_id = step.result("validate-cart")["provider_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match step.engine.providers().payment(&provider_id) {
        Some(p) => p.cancel(&authorization_call(step)).map(|_| ()),
        None => Ok(()),
    }
}

fn finalize(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let order_id = step.result("create-order")["order_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if existing(step).is_some() {
        return Ok(Done::new(json!({"order_id": order_id})));
    }
    let ctx = step.engine.ctx();
    let v = step.result("validate-cart");
    let session = v["session_id"].as_str().unwrap_or_default();
    payment::record_authorization(tx, ctx, session, &step.result("authorize-payment")["data"])?;
    cart::set_completed(tx, ctx, cart_id(step), true)?;
    let placed = order::retrieve(tx, &order_id)?;
    let total = money::to_json(
        v["total"].as_i64().unwrap_or_default(),
        &placed.currency_code,
    );
    ctx.emit(
        tx,
        "order.placed",
        json!({"id": order_id, "customer_id": placed.customer_id, "currency_code": placed.currency_code, "total": total}),
    )?;
    Ok(Done::new(json!({"order_id": order_id})))
}
