//! Paying for a cart: its payment collection (one per cart, created on demand) and payment
//! sessions — the provider's `initiate` is an external workflow step, never on the writer,
//! unless the provider lives in the process ([`in_process`](provider::PaymentProvider::in_process)):
//! then it runs inside the session's one write job.

use super::inputs::{CollectionRef, NewSession};
use super::{carts, refresh};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::links;
use crate::modules::cart;
use crate::modules::payment::{self, provider};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The cart's payment collection, created (amount = cart total) and linked when it has none.
/// Returns its id.
///
/// # Errors
/// 404 for an unknown cart; 400 for a completed one.
pub fn collection_for_cart(conn: &Connection, ctx: &Ctx, cart_id: &str) -> Result<String> {
    let cart = cart::shared(conn, cart_id)?;
    if let Some(existing) = links::cart_payment_collection()
        .rights_of(conn, cart_id)?
        .into_iter()
        .next()
    {
        return Ok(existing);
    }
    if cart.completed_at.is_some() {
        return Err(Error::invalid(format!(
            "Cart {cart_id} is already completed."
        )));
    }
    let (_, _, totals) = refresh::totals(conn, cart_id)?;
    let id = payment::create_collection(
        conn,
        ctx,
        &cart.currency_code,
        totals.total(),
        cart.region_id.as_deref(),
    )?;
    links::cart_payment_collection().create(conn, &ctx.id("cartpc"), cart_id, &id, &ctx.now())?;
    Ok(id)
}

/// The test provider's next scripted outcome (a write: it is consumed), `None` for others.
///
/// # Errors
/// Database failures.
pub fn scripted(step: &StepCtx, provider_id: &str) -> Result<Option<provider::Scripted>> {
    if provider_id != provider::TEST {
        return Ok(None);
    }
    step.engine.store().write(|tx| payment::script_pop(tx))
}

/// `create-payment-session` ([`CREATE_PAYMENT_SESSION`](super::CREATE_PAYMENT_SESSION)): a
/// [`NewSession`] in, the collection's [`CollectionRef`] out.
pub fn session_workflow() -> Workflow {
    super::CREATE_PAYMENT_SESSION
        .workflow()
        .transient()
        .step(Step::local("validate-collection", validate_collection))
        .step(
            Step::external("initiate-payment", initiate)
                .compensate_external(cancel_initiated)
                .inline_when(initiates_in_process),
        )
        .step(Step::local("create-session", create_session))
}

/// Whether the payment is started at a provider living in this process, so `initiate-payment`
/// may run inside the write job.
/// (Read from [`NewSession`]'s JSON in place: the rule is asked on the writer, on every run.)
fn initiates_in_process(step: &StepCtx) -> bool {
    step.input["provider_id"]
        .as_str()
        .is_some_and(|id| in_process(step, id))
}

/// Whether `provider_id` is a registered provider that lives in this process
/// ([`in_process`](provider::PaymentProvider::in_process)).
pub(crate) fn in_process(step: &StepCtx, provider_id: &str) -> bool {
    step.engine
        .providers()
        .payment(provider_id)
        .is_some_and(|p| p.in_process())
}

/// The collection a new session for `provider_id` may be started on, checked inside the
/// caller's write job (so it holds at the moment the session is written, even after the
/// provider's external call): its cart is still open and not being completed, and the cart's
/// region offers the provider. An unknown provider, and the scripted test provider on an
/// engine that has not enabled it, are answered like a provider the region does not offer,
/// with Medusa's 400 and wording.
///
/// # Errors
/// 404 unknown collection; 400 completed cart or a provider the region does not offer; 409
/// a cart being completed.
fn session_target(
    conn: &Connection,
    step: &StepCtx,
    id: &str,
    provider_id: &str,
) -> Result<payment::Collection> {
    let collection = payment::retrieve_collection(conn, id)?;
    let cart_id = links::cart_payment_collection()
        .lefts_of(conn, id)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::invalid(format!("Payment collection {id} does not belong to a cart"))
        })?;
    let cart = carts::retrieve_open(conn, &cart_id)?;
    let region = cart.region_id.as_deref().unwrap_or_default();
    if !region_offers(conn, step, region, provider_id)? {
        return Err(Error::invalid(format!(
            "Payment provider {provider_id} is not enabled in the cart's region {region}."
        )));
    }
    Ok(collection)
}

/// Whether a session for `provider_id` may be started in `region`: the provider exists, and
/// either it is the enabled test provider (offered everywhere) or the region links it.
pub(crate) fn region_offers(
    conn: &Connection,
    step: &StepCtx,
    region: &str,
    provider_id: &str,
) -> Result<bool> {
    if step.engine.providers().payment(provider_id).is_none() {
        return Ok(false);
    }
    if provider_id == provider::TEST {
        return Ok(step.engine.test_payment_provider());
    }
    Ok(!region.is_empty()
        && links::region_payment_provider()
            .rights_of(conn, region)?
            .iter()
            .any(|p| p == provider_id))
}

/// `validate-collection`'s output: what the provider is asked to start a payment for.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SessionAmount {
    /// Minor units.
    pub amount: i64,
    /// The collection's currency.
    pub currency_code: String,
}

/// `initiate-payment`'s output: the provider's answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Initiated {
    /// The session's status at the provider.
    pub status: String,
    /// Provider data to store on the session.
    pub data: Value,
}

fn validate_collection(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: NewSession = step.input_as()?;
    let collection = session_target(tx, step, &input.payment_collection_id, &input.provider_id)?;
    Done::of(&SessionAmount {
        amount: collection.amount,
        currency_code: collection.currency_code,
    })
}

/// The provider call of a session workflow (this one's and the order's): keyed by
/// collection, provider and amount, so a retry or a recovery never starts two payments.
fn call_for(step: &StepCtx) -> Result<provider::Call> {
    let input: NewSession = step.input_as()?;
    let collection: SessionAmount = step.result_as("validate-collection")?;
    let amount = collection.amount;
    Ok(provider::Call {
        idempotency_key: format!(
            "{}:session:{}:{amount}",
            input.payment_collection_id, input.provider_id
        ),
        amount,
        currency_code: collection.currency_code,
        data: input
            .data
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({})),
        scripted: None,
    })
}

/// Starts the payment at the provider (also the order's session workflow's step).
///
/// # Errors
/// 404 unknown provider; the provider's failure.
pub(crate) fn initiate(step: &StepCtx) -> Result<Done> {
    let provider_id = step.input_as::<NewSession>()?.provider_id;
    let provider = step
        .engine
        .providers()
        .payment(&provider_id)
        .ok_or_else(|| Error::not_found("Payment provider", &provider_id))?;
    let mut call = call_for(step)?;
    call.scripted =
        scripted(step, &provider_id)?.filter(|s| matches!(s, provider::Scripted::Slow(_)));
    let reply = provider.initiate(&call)?;
    Done::of(&Initiated {
        status: reply.status.to_string(),
        data: reply.data,
    })
}

/// Cancels a payment [`initiate`] may have started, by its key.
///
/// # Errors
/// The provider's failure.
pub(crate) fn cancel_initiated(step: &StepCtx, _: &Value) -> Result<()> {
    let provider_id = step.input_as::<NewSession>()?.provider_id;
    match step.engine.providers().payment(&provider_id) {
        Some(p) => p.cancel(&call_for(step)?).map(|_| ()),
        None => Ok(()),
    }
}

fn create_session(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: NewSession = step.input_as()?;
    let id = input.payment_collection_id;
    let collection = session_target(tx, step, &id, &input.provider_id)?;
    let initiated: Initiated = step.result_as("initiate-payment")?;
    payment::create_session(tx, ctx, &collection, &input.provider_id, &initiated.data)?;
    Done::of(&CollectionRef {
        payment_collection_id: id,
    })
}
