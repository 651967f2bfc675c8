//! An order's extra payment collections, as staff manage them from the admin (Medusa's
//! `createOrderPaymentCollectionWorkflow`, `markPaymentCollectionAsPaid`,
//! `deleteOrderPaymentCollections`, and `createPaymentSessionsWorkflow` on an order's
//! collection): a collection for an amount still to collect (an edit's difference), marked as
//! paid outside any provider (the system provider: a session, an authorized payment and a
//! capture of the whole amount, in one write), a session started with a provider the
//! order's region offers, and an unpaid one dropped. Stricter than Medusa where Medusa
//! trusts its caller: the amount must be positive, marking as paid names the collection's
//! own order, and only an order's collection can be deleted here (Medusa would also unlink a
//! cart's, breaking its checkout).

use super::payments::PaymentRef;
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::checkout::inputs::{CollectionRef, NewSession};
use crate::flows::checkout::payment::{
    Initiated, SessionAmount, cancel_initiated, initiate, region_offers,
};
use crate::flows::links;
use crate::modules::order;
use crate::modules::payment::{self, provider};
use crate::workflow::{Done, Handle, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The workflows of this file.
pub fn workflows() -> Vec<Workflow> {
    vec![
        mark_paid_workflow(),
        session_workflow(),
        authorize_workflow(),
    ]
}

/// The order a collection belongs to.
///
/// # Errors
/// 404 for an unknown collection; 400 when it belongs to no order (a cart's).
pub fn order_of(conn: &Connection, collection_id: &str) -> Result<String> {
    payment::retrieve_collection(conn, collection_id)?;
    links::order_payment_collection()
        .lefts_of(conn, collection_id)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::invalid(format!(
                "Payment collection {collection_id} does not belong to an order"
            ))
        })
}

/// A new collection of `amount` (minor units, in the order's currency) linked to order
/// `order_id`; returns its id.
///
/// # Errors
/// 404 for an unknown order; 400 for an amount that is not positive or a canceled order.
pub fn create(conn: &Connection, ctx: &Ctx, order_id: &str, amount: i64) -> Result<String> {
    let found = order::retrieve(conn, order_id)?;
    if found.status == "canceled" {
        return Err(Error::not_allowed(format!(
            "Order {order_id} is canceled: there is nothing to collect"
        )));
    }
    if amount <= 0 {
        return Err(Error::invalid(
            "Invalid request: amount must be greater than 0",
        ));
    }
    let id = payment::create_collection(
        conn,
        ctx,
        &found.currency_code,
        amount,
        found.region_id.as_deref(),
    )?;
    links::order_payment_collection().create(conn, &ctx.id("ordpc"), order_id, &id, &ctx.now())?;
    Ok(id)
}

/// Drops an order's unpaid collection: unlinked and soft-deleted with its sessions.
///
/// # Errors
/// 404 unknown; 400 a cart's collection, or one that is not `not_paid` (Medusa's message).
pub fn delete(conn: &Connection, ctx: &Ctx, collection_id: &str) -> Result<()> {
    let order_id = order_of(conn, collection_id)?;
    let collection = payment::retrieve_collection(conn, collection_id)?;
    if collection.status != "not_paid" {
        return Err(Error::not_allowed(
            "Can only delete payment collections where status is not_paid",
        ));
    }
    links::order_payment_collection().dismiss(conn, &order_id, collection_id, &ctx.now())?;
    payment::delete_collection(conn, ctx, collection_id)
}

/// `mark-payment-collection-as-paid`'s input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkPaid {
    /// The collection.
    pub payment_collection_id: String,
    /// Its order (checked).
    pub order_id: String,
    /// Only the system provider, the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// `authorize-order-payment-session`'s input.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeSession {
    /// The order.
    pub order_id: String,
    /// A pending session on one of its collections.
    pub payment_session_id: String,
}

/// `validate-session`'s output: what the provider authorizes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionPlan {
    provider_id: String,
    amount: i64,
    currency_code: String,
    data: Value,
}

/// The provider's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ProviderData {
    data: Value,
}

/// `mark-payment-collection-as-paid`.
pub const MARK_PAID: Handle<MarkPaid, PaymentRef> = Handle::new("mark-payment-collection-as-paid");
/// `create-order-payment-session` (input as the cart's `create-payment-session`).
pub const CREATE_ORDER_PAYMENT_SESSION: Handle<NewSession, CollectionRef> =
    Handle::new("create-order-payment-session");
/// `authorize-order-payment-session`.
pub const AUTHORIZE_ORDER_PAYMENT_SESSION: Handle<AuthorizeSession, PaymentRef> =
    Handle::new("authorize-order-payment-session");

/// `mark-payment-collection-as-paid` ([`MARK_PAID`]).
/// Only the system provider (`pp_system_default`, the default) records money taken outside
/// Stockroom; it calls no one, so the whole payment is one local step.
pub fn mark_paid_workflow() -> Workflow {
    MARK_PAID
        .workflow()
        .step(Step::local("record-paid", mark_paid))
}

fn mark_paid(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: MarkPaid = step.input_as()?;
    let id = input.payment_collection_id.as_str();
    let order_id = order_of(tx, id)?;
    if order_id != input.order_id {
        return Err(Error::invalid(format!(
            "Payment collection {id} does not belong to order {}",
            input.order_id
        )));
    }
    let provider_id = input.provider_id.as_deref().unwrap_or(provider::SYSTEM);
    if provider_id != provider::SYSTEM {
        return Err(Error::invalid(format!(
            "Only {} can mark a payment collection as paid; {provider_id} takes payments through a payment session",
            provider::SYSTEM
        )));
    }
    let collection = payment::retrieve_collection(tx, id)?;
    if collection.status != "not_paid" {
        return Err(Error::not_allowed(
            "Can only mark 'not_paid' payment collection as paid",
        ));
    }
    let session = payment::create_session(tx, ctx, &collection, provider_id, &json!({}))?;
    let payment_id = payment::record_authorization(tx, ctx, &session, &json!({}))?;
    payment::record_capture(tx, ctx, &payment_id, collection.amount)?;
    ctx.emit(tx, "payment.captured", json!({ "id": payment_id }))?;
    Done::of(&PaymentRef { payment_id })
}

/// `create-order-payment-session` ([`CREATE_ORDER_PAYMENT_SESSION`]); the
/// provider's `initiate` is an external step, checked before and again when the session is
/// written.
pub fn session_workflow() -> Workflow {
    CREATE_ORDER_PAYMENT_SESSION
        .workflow()
        .step(Step::local("validate-collection", validate_session))
        .step(Step::external("initiate-payment", initiate).compensate_external(cancel_initiated))
        .step(Step::local("create-session", create_session))
}

/// The order collection a session may start on: the order is live, the collection not yet
/// paid, and the order's region offers the provider.
fn session_target(tx: &Tx, step: &StepCtx) -> Result<payment::Collection> {
    let input: NewSession = step.input_as()?;
    let (id, provider_id) = (
        input.payment_collection_id.as_str(),
        input.provider_id.as_str(),
    );
    let order_id = order_of(tx, id)?;
    let found = order::retrieve(tx, &order_id)?;
    if found.status == "canceled" {
        return Err(Error::not_allowed(format!("Order {order_id} is canceled")));
    }
    let collection = payment::retrieve_collection(tx, id)?;
    if matches!(
        collection.status.as_str(),
        "authorized" | "completed" | "canceled"
    ) {
        return Err(Error::not_allowed(format!(
            "Payment collection {id} is {}: it takes no new session",
            collection.status
        )));
    }
    let region = found.region_id.as_deref().unwrap_or_default();
    if !region_offers(tx, step, region, provider_id)? {
        return Err(Error::invalid(format!(
            "Payment provider {provider_id} is not enabled in the order's region {region}."
        )));
    }
    Ok(collection)
}

fn validate_session(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let collection = session_target(tx, step)?;
    Done::of(&SessionAmount {
        amount: collection.amount,
        currency_code: collection.currency_code,
    })
}

fn create_session(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let collection = session_target(tx, step)?;
    let initiated: Initiated = step.result_as("initiate-payment")?;
    let provider_id = step.input_as::<NewSession>()?.provider_id;
    let ctx = step.engine.ctx();
    payment::create_session(tx, ctx, &collection, &provider_id, &initiated.data)?;
    Done::of(&CollectionRef {
        payment_collection_id: collection.id,
    })
}

/// `authorize-order-payment-session` ([`AUTHORIZE_ORDER_PAYMENT_SESSION`], Medusa's
/// `authorizePaymentSessionForOrderWorkflow`). The provider's `authorize` is an external step
/// under the key `<session>:authorize`; the payment is recorded after it, the session
/// checked again in that write.
pub fn authorize_workflow() -> Workflow {
    AUTHORIZE_ORDER_PAYMENT_SESSION
        .workflow()
        .step(Step::local("validate-session", |tx, step| {
            let session = pending_session(tx, step)?;
            Done::of(&SessionPlan {
                provider_id: session.provider_id,
                amount: session.amount,
                currency_code: session.currency_code,
                data: session.data,
            })
        }))
        .step(
            Step::external("authorize-payment", authorize_at_provider)
                .compensate_external(cancel_at_provider),
        )
        .step(Step::local("record-authorization", |tx, step| {
            let session = pending_session(tx, step)?;
            let authorized: ProviderData = step.result_as("authorize-payment")?;
            let ctx = step.engine.ctx();
            let id = payment::record_authorization(tx, ctx, &session.id, &authorized.data)?;
            Done::of(&PaymentRef { payment_id: id })
        }))
}

/// The session named by the input, pending, on a collection of the input's order.
fn pending_session(tx: &Tx, step: &StepCtx) -> Result<payment::Session> {
    let input: AuthorizeSession = step.input_as()?;
    let (order_id, session_id) = (input.order_id.as_str(), input.payment_session_id.as_str());
    let collection = payment::collection_of_session(tx, session_id)?;
    if order_of(tx, &collection)? != order_id {
        return Err(Error::invalid(format!(
            "Payment session {session_id} does not belong to order {order_id}"
        )));
    }
    let session = payment::sessions_of(tx, &collection)?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or_else(|| Error::not_found("Payment session", session_id))?;
    if session.status != "pending" {
        return Err(Error::not_allowed(format!(
            "Payment session {session_id} is {}: only a pending session can be authorized",
            session.status
        )));
    }
    Ok(session)
}

fn authorization_call(step: &StepCtx) -> Result<(SessionPlan, provider::Call)> {
    let input: AuthorizeSession = step.input_as()?;
    let plan: SessionPlan = step.result_as("validate-session")?;
    let call = provider::Call {
        idempotency_key: format!("{}:authorize", input.payment_session_id),
        amount: plan.amount,
        currency_code: plan.currency_code.clone(),
        data: plan.data.clone(),
        scripted: None,
    };
    Ok((plan, call))
}

fn authorize_at_provider(step: &StepCtx) -> Result<Done> {
    let (plan, mut call) = authorization_call(step)?;
    let provider_id = plan.provider_id;
    let provider = step
        .engine
        .providers()
        .payment(&provider_id)
        .ok_or_else(|| Error::not_found("Payment provider", &provider_id))?;
    call.scripted = crate::flows::checkout::payment::scripted(step, &provider_id)?;
    let reply = provider.authorize(&call)?;
    if reply.status != "authorized" {
        let session = step.input_as::<AuthorizeSession>()?.payment_session_id;
        return Err(Error::PaymentAuthorization(format!(
            "Payment session {session} was not authorized ({})",
            reply.status
        )));
    }
    Done::of(&ProviderData { data: reply.data })
}

fn cancel_at_provider(step: &StepCtx, _: &Value) -> Result<()> {
    let (plan, call) = authorization_call(step)?;
    match step.engine.providers().payment(&plan.provider_id) {
        Some(p) => p.cancel(&call).map(|_| ()),
        None => Ok(()),
    }
}
