//! The admin's direct order edits (Medusa 2.21.2's `update-order-workflow`,
//! `archive-order-workflow`, `complete-order-workflow`): one local step each, so the state
//! check, the write and the event commit together in one write job.
//!
//! Updating follows Medusa's order of checks — canceled, then country codes, then the email
//! — writes the fields, and registers one confirmed `update_order` change per field touched
//! (`{type, old, new}`), the order's visible history. The email check itself runs in the
//! HTTP layer (only it knows the address grammar), which passes its verdict as
//! `email_valid`; the step decides where in the sequence it bites.

use super::transfer_guest::find_or_create;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::modules::order::changes_admin;
use crate::modules::order::manage::{self, AddressKind, OrderUpdate};
use crate::modules::order::{self, Order};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use serde_json::{Map, Value, json};

/// `POST /admin/orders/:id`.
pub const UPDATE: &str = "update-order-workflow";
/// `POST /admin/orders/:id/archive`.
pub const ARCHIVE: &str = "archive-order-workflow";
/// `POST /admin/orders/:id/complete`.
pub const COMPLETE: &str = "complete-order-workflow";

/// The three workflows, registered with the other order workflows.
pub fn workflows() -> Vec<Workflow> {
    vec![
        Workflow::new(UPDATE).step(Step::local("update-order", update_step)),
        Workflow::new(ARCHIVE).step(Step::local("archive-orders", archive_step)),
        Workflow::new(COMPLETE).step(Step::local("complete-orders", complete_step)),
    ]
}

fn order_id<'a>(step: &'a StepCtx) -> &'a str {
    step.input["order_id"].as_str().unwrap_or_default()
}

fn archive_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let found = manage::archive(tx, ctx, order_id(step))?;
    ctx.emit(tx, "order.archived", json!({ "id": found.id }))?;
    Ok(Done::new(json!({ "order_id": found.id })))
}

fn complete_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let found = manage::complete(tx, ctx, order_id(step))?;
    ctx.emit(tx, "order.completed", json!({ "id": found.id }))?;
    Ok(Done::new(json!({ "order_id": found.id })))
}

/// The update asked for, read from the workflow input.
fn requested(input: &Value) -> OrderUpdate {
    let object = |key: &str| input.get(key).and_then(Value::as_object).cloned();
    OrderUpdate {
        email: input["email"].as_str().map(str::to_string),
        shipping_address: object("shipping_address"),
        billing_address: object("billing_address"),
        metadata: input
            .get("metadata")
            .map(|m| Some(m.clone()).filter(|m| !m.is_null())),
    }
}

/// Medusa's `updateOrderValidationStep`.
fn validate(tx: &Tx, found: &Order, wanted: &OrderUpdate, email_valid: bool) -> Result<()> {
    if found.status == "canceled" {
        return Err(Error::invalid(format!(
            "Order with id {} has been canceled.",
            found.id
        )));
    }
    if let Some(input) = &wanted.shipping_address {
        let current = order::address(tx, found.shipping_address_id.as_deref())?;
        manage::check_country(current.as_ref(), input)?;
    }
    if let Some(input) = &wanted.billing_address {
        let current = order::address(tx, found.billing_address_id.as_deref())?;
        manage::check_country(current.as_ref(), input)?;
    }
    if wanted.email.as_deref().is_some_and(|e| !e.is_empty()) && !email_valid {
        return Err(Error::invalid("The email is not valid"));
    }
    Ok(())
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let found = order::retrieve(tx, order_id(step))?;
    let wanted = requested(step.input);
    validate(
        tx,
        &found,
        &wanted,
        step.input["email_valid"].as_bool() == Some(true),
    )?;
    let mut history = Vec::new();
    for (kind, input) in [
        (AddressKind::Shipping, &wanted.shipping_address),
        (AddressKind::Billing, &wanted.billing_address),
    ] {
        let Some(input) = input else { continue };
        history.push(replace_address(tx, step, &found, kind, input)?);
    }
    manage::set_fields(tx, ctx, &found.id, &wanted)?;
    // Medusa: an order that had no email gets the customer of the one it is given.
    if let Some(email) = wanted.email.as_deref().filter(|e| !e.is_empty())
        && found.email.as_deref().is_none_or(str::is_empty)
    {
        let taker = find_or_create(tx, step, email)?;
        manage::set_customer(tx, ctx, &found.id, &taker.id)?;
    }
    if let Some(email) = wanted.email.as_deref().filter(|e| !e.is_empty()) {
        history.push(manage::change_details(
            "email",
            json!(found.email),
            json!(email),
        ));
    }
    if let Some(metadata) = &wanted.metadata {
        history.push(manage::change_details(
            "metadata",
            json!(found.metadata),
            json!(metadata),
        ));
    }
    let by = step.input["user_id"].as_str();
    for details in &history {
        changes_admin::register(tx, ctx, &found.id, by, details)?;
    }
    ctx.emit(tx, "order.updated", json!({ "id": found.id }))?;
    Ok(Done::new(json!({ "order_id": found.id })))
}

/// Replaces one address and describes the change (`old` and `new` as whole addresses).
fn replace_address(
    tx: &Tx,
    step: &StepCtx,
    found: &Order,
    kind: AddressKind,
    input: &Map<String, Value>,
) -> Result<Value> {
    let old_id = match kind {
        AddressKind::Shipping => found.shipping_address_id.as_deref(),
        AddressKind::Billing => found.billing_address_id.as_deref(),
    };
    let old = order::address(tx, old_id)?;
    let new_id = manage::replace_address(tx, step.engine.ctx(), found, kind, input)?;
    let new = order::address(tx, new_id.as_deref())?;
    Ok(manage::change_details(kind.name(), json!(old), json!(new)))
}
