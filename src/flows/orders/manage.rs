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
use crate::workflow::{Done, Handle, Step, StepCtx, Workflow, keep_null};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// `POST /admin/orders/:id`.
pub const UPDATE: &str = "update-order-workflow";
/// `POST /admin/orders/:id/archive`.
pub const ARCHIVE: &str = "archive-order-workflow";
/// `POST /admin/orders/:id/complete`.
pub const COMPLETE: &str = "complete-order-workflow";

/// [`UPDATE`]'s input: `POST /admin/orders/:id`'s body with what the route adds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrder {
    /// The order.
    pub order_id: String,
    /// New email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Address fields to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Map<String, Value>>,
    /// Address fields to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Map<String, Value>>,
    /// Accepted like Medusa's; not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Value>,
    /// New metadata (`null` clears).
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub metadata: Option<Option<Value>>,
    /// The staff user.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The HTTP layer's verdict on `email` (only it knows the address grammar).
    #[serde(default)]
    pub email_valid: bool,
}

/// [`ARCHIVE`]'s and [`COMPLETE`]'s input, and every manage workflow's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderId {
    /// The order.
    pub order_id: String,
}

/// [`UPDATE`] typed.
pub const UPDATE_ORDER: Handle<UpdateOrder, OrderId> = Handle::new(UPDATE);
/// [`ARCHIVE`] typed.
pub const ARCHIVE_ORDER: Handle<OrderId, OrderId> = Handle::new(ARCHIVE);
/// [`COMPLETE`] typed.
pub const COMPLETE_ORDER: Handle<OrderId, OrderId> = Handle::new(COMPLETE);

/// The three workflows, registered with the other order workflows.
pub fn workflows() -> Vec<Workflow> {
    vec![
        UPDATE_ORDER
            .workflow()
            .step(Step::local("update-order", update_step)),
        ARCHIVE_ORDER
            .workflow()
            .step(Step::local("archive-orders", archive_step)),
        COMPLETE_ORDER
            .workflow()
            .step(Step::local("complete-orders", complete_step)),
    ]
}

fn archive_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let found = manage::archive(tx, ctx, &step.input_as::<OrderId>()?.order_id)?;
    ctx.emit(tx, "order.archived", json!({ "id": found.id }))?;
    Done::of(&OrderId { order_id: found.id })
}

fn complete_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let found = manage::complete(tx, ctx, &step.input_as::<OrderId>()?.order_id)?;
    ctx.emit(tx, "order.completed", json!({ "id": found.id }))?;
    Done::of(&OrderId { order_id: found.id })
}

/// The update asked for.
fn requested(input: &UpdateOrder) -> OrderUpdate {
    OrderUpdate {
        email: input.email.clone(),
        shipping_address: input.shipping_address.clone(),
        billing_address: input.billing_address.clone(),
        metadata: input.metadata.clone(),
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
    let input: UpdateOrder = step.input_as()?;
    let found = order::retrieve(tx, &input.order_id)?;
    let wanted = requested(&input);
    validate(tx, &found, &wanted, input.email_valid)?;
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
    let by = input.user_id.as_deref();
    for details in &history {
        changes_admin::register(tx, ctx, &found.id, by, details)?;
    }
    ctx.emit(tx, "order.updated", json!({ "id": found.id }))?;
    Done::of(&OrderId { order_id: found.id })
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
