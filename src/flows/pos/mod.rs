//! Point of sale (issue 17): the till's flows over the `pos` module and the core modules.
//!
//! * `registers.rs` — `pos-create-register`: a till with its own POS sales channel (linked
//!   to the till's stock location and carrying the default channel's products) and region.
//! * `sessions.rs` — `pos-open-session`, `pos-cash-movement`, `pos-close-session`: the
//!   drawer, each check of "is the session open" inside the write job that depends on it.
//! * `basket.rs` — `pos-update-basket`: the sale being rung up is an ordinary cart in the
//!   till's channel (the checkout's own add / quantity / remove / promotion functions, and
//!   its refresh: prices, taxes at the till's address, promotions).
//! * `sale.rs` — `pos-complete-sale`: tenders authorized at the manual provider, then one
//!   write job that turns the cart into an order through `drafts::convert` (reservation at
//!   the till's location, `order.placed`), records the payments and their captures
//!   (`capture-payment`'s own step) and fulfils, ships and delivers it on the spot
//!   (`create-order-fulfillment`, `create-order-shipment`,
//!   `mark-order-fulfillment-as-delivered` steps, composed); then the captures at the
//!   provider and `payment.captured`.
//! * `returns.rs` — `pos-return`: a till sale brought back, through the order's return flows.
//! * `lookup.rs` — scanned codes and title search.
//! * `types.rs` — each workflow's typed input and output and its [`Handle`](crate::workflow::Handle)
//!   (`CREATE_REGISTER`, `OPEN_SESSION`, `CASH_MOVEMENT`, `CLOSE_SESSION`, `UPDATE_BASKET`,
//!   `COMPLETE_SALE`, `TILL_RETURN`): callers run them through the handles.

pub mod basket;
pub mod lookup;
pub mod pins;
pub mod receipt_email;
pub mod registers;
pub mod returns;
pub mod sale;
pub mod sessions;
pub mod tenders;
pub mod types;

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::orders::payments::ProviderPlan;
use crate::workflow::{StepCtx, Workflow};
use serde_json::{Map, Value};

/// Every point-of-sale workflow, registered by `Engine::builder`.
pub fn workflows() -> Vec<Workflow> {
    let mut all = vec![registers::workflow(), basket::workflow(), sale::workflow()];
    all.extend(sessions::workflows());
    all.push(returns::workflow());
    all
}

/// Runs the local steps of the registered workflow `name` with `input`, inside the calling
/// step's write job (so they commit or roll back with it). The till composes the order
/// workflows this way instead of writing a second path around them. Returns each step's
/// output by step name.
///
/// # Errors
/// The steps' own errors; 404 for an unknown workflow; `unexpected_state` if it has an
/// external step.
pub fn run_local_steps(
    tx: &Tx,
    outer: &StepCtx,
    name: &str,
    input: &Value,
) -> Result<Map<String, Value>> {
    run_steps_with(tx, outer, name, input, &Map::new())
}

/// [`run_local_steps`], with `stand_ins` giving the result of named external steps instead of
/// calling them (the till hands goods over at the counter: the manual fulfillment provider
/// has nothing to call, so its empty answer stands in for `provider-create-fulfillment`).
///
/// # Errors
/// As [`run_local_steps`]; `unexpected_state` for an external step without a stand-in.
pub fn run_steps_with(
    tx: &Tx,
    outer: &StepCtx,
    name: &str,
    input: &Value,
    stand_ins: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    let workflow = outer
        .engine
        .workflow(name)
        .ok_or_else(|| Error::not_found("Workflow", name))?;
    let mut results = Map::new();
    for step in workflow.steps() {
        if let Some(result) = stand_ins.get(step.name()).filter(|_| !step.is_local()) {
            results.insert(step.name().to_string(), result.clone());
            continue;
        }
        let ctx = StepCtx {
            engine: outer.engine,
            execution_id: outer.execution_id,
            input,
            results: &results,
            step: step.name(),
            attempt: 1,
        };
        let done = step.invoke_local(tx, &ctx)?;
        results.insert(step.name().to_string(), done.output);
    }
    Ok(results)
}

/// Runs one local step of the registered workflow `name` (for a workflow whose other steps
/// are external: the till records a capture with `capture-payment`'s `record-capture` in its
/// own write job and calls the provider in its own external step). Returns its output.
///
/// # Errors
/// The step's own errors; 404 for an unknown workflow or step.
pub fn run_local_step(
    tx: &Tx,
    outer: &StepCtx,
    name: &str,
    step_name: &str,
    input: &Value,
) -> Result<Value> {
    let workflow = outer
        .engine
        .workflow(name)
        .ok_or_else(|| Error::not_found("Workflow", name))?;
    let step = workflow
        .steps()
        .iter()
        .find(|s| s.name() == step_name)
        .ok_or_else(|| Error::not_found("Workflow step", step_name))?;
    let results = Map::new();
    let ctx = StepCtx {
        engine: outer.engine,
        execution_id: outer.execution_id,
        input,
        results: &results,
        step: step.name(),
        attempt: 1,
    };
    Ok(step.invoke_local(tx, &ctx)?.output)
}

/// The provider call a journaled capture or refund plan describes.
fn planned_call(plan: &ProviderPlan) -> crate::modules::payment::provider::Call {
    crate::modules::payment::provider::Call {
        idempotency_key: plan.key.clone(),
        amount: plan.amount,
        currency_code: plan.currency_code.clone(),
        data: plan.data.clone(),
        scripted: None,
    }
}

#[cfg(test)]
mod recovery_tests;
