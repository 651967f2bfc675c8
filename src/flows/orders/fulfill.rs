//! Fulfillments of an order (reference §4.4): `create-order-fulfillment` (validate, the
//! shipping option's fulfillment provider creates it — an external step, compensated by a
//! cancel at the provider —, then one local group that checks again: fulfillment + link +
//! inventory reserved → shipped + `order.fulfillment_created` + the hook),
//! `create-order-shipment` (`shipment.created`), `mark-order-fulfillment-as-delivered`
//! (`delivery.created`) and `cancel-order-fulfillment` (checked, canceled at the provider,
//! then — before shipping — the units go back on the shelf and are reserved for their lines
//! again; `order.fulfillment_canceled`).

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::flows::checkout::stock::channel_locations;
use crate::flows::links;
use crate::modules::fulfillment;
use crate::modules::fulfillment::provider::{FulfilledLine, FulfillmentCall, MANUAL};
use crate::modules::fulfillment::records::{self, FulfillmentItem, Label};
use crate::modules::inventory::{self, reservations};
use crate::modules::order::{self, admin as order_admin};
use crate::modules::stock_location;
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::HashMap;

pub use super::fulfill_types::{
    CANCEL_FULFILLMENT, CREATE_FULFILLMENT, CREATE_SHIPMENT, FulfillOrder, Fulfilled,
    FulfillmentOfOrder, FulfillmentRef, LabelInput, LineQuantity, MARK_DELIVERED, Plan,
    ShipFulfillment,
};
use super::fulfill_types::{CancelPlan, CanceledLine, ProviderData};

/// Units of each line item in the order's live (not canceled) fulfillments.
///
/// # Errors
/// Database failures.
pub fn fulfilled_quantities(conn: &Connection, order_id: &str) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for id in links::order_fulfillment().rights_of(conn, order_id)? {
        let found = records::retrieve(conn, &id)?;
        if found.canceled_at.is_some() {
            continue;
        }
        for item in found.items {
            *out.entry(item.line_item_id.unwrap_or_default())
                .or_insert(0) += item.quantity;
        }
    }
    Ok(out)
}

/// `create-order-fulfillment` ([`CREATE_FULFILLMENT`]): a [`FulfillOrder`] in, [`Fulfilled`]
/// out.
pub fn create_workflow() -> Workflow {
    CREATE_FULFILLMENT
        .workflow()
        .step(Step::local("validate-fulfillment", validate))
        .step(
            Step::external("provider-create-fulfillment", provider_create)
                .compensate_external(provider_undo_create),
        )
        .step(Step::local("create-fulfillment", create))
        .step(hooks::step(points::FULFILLMENT_CREATED, |s| {
            Ok(Some(s.result("create-fulfillment").clone()))
        }))
}

/// The plan (`{location_id, items}`) with the provider the order's shipping option names
/// (`manual_manual` without one) and the option's data.
fn validate(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: FulfillOrder = step.input_as()?;
    let (location_id, items) = plan(tx, &input)?;
    let option = order::shipping::methods_of(tx, &input.order_id)?
        .into_iter()
        .find_map(|m| m.shipping_option_id)
        .map(|id| fulfillment::retrieve_option(tx, &id))
        .transpose()?;
    let (provider, data) = match option {
        Some(o) => (o.provider_id, o.data.unwrap_or_else(|| json!({}))),
        None => (MANUAL.to_string(), json!({})),
    };
    step.engine.providers().fulfillment_or_404(&provider)?;
    Done::of(&Plan {
        location_id,
        items,
        provider_id: provider,
        option_data: data,
    })
}

/// The provider call of a fulfillment of `order_id`.
fn provider_call(
    step: &StepCtx,
    order_id: &str,
    location_id: &str,
    lines: Vec<FulfilledLine>,
    data: Value,
) -> FulfillmentCall {
    FulfillmentCall {
        idempotency_key: format!("{}:provider-create-fulfillment", step.execution_id),
        order_id: order_id.to_string(),
        location_id: location_id.to_string(),
        option_data: Value::Null,
        items: lines,
        data,
    }
}

/// The provider call of a new fulfillment, from the validated plan.
fn create_call(step: &StepCtx, data: Value) -> Result<(Plan, FulfillmentCall)> {
    let input: FulfillOrder = step.input_as()?;
    let plan: Plan = step.result_as("validate-fulfillment")?;
    let lines = plan
        .items
        .iter()
        .map(|i| FulfilledLine {
            line_item_id: i.id.clone(),
            quantity: i.quantity,
        })
        .collect();
    let mut call = provider_call(step, &input.order_id, &plan.location_id, lines, data);
    call.option_data = plan.option_data.clone();
    Ok((plan, call))
}

/// The provider creates the fulfillment (outside the writer); its answer becomes `data`.
fn provider_create(step: &StepCtx) -> Result<Done> {
    let (plan, call) = create_call(step, Value::Null)?;
    let provider = step
        .engine
        .providers()
        .fulfillment_or_404(&plan.provider_id)?;
    let data = provider.create_fulfillment(&call)?;
    Done::of(&ProviderData { data })
}

/// A later failure cancels at the provider what it created (by key alone after a crash, when
/// the output is `null`).
fn provider_undo_create(step: &StepCtx, output: &Value) -> Result<()> {
    let (plan, call) = create_call(step, output["data"].clone())?;
    let provider = step
        .engine
        .providers()
        .fulfillment_or_404(&plan.provider_id)?;
    provider.cancel_fulfillment(&call)
}

/// What the request asks, checked against the order as it is now: the location and the
/// lines.
fn plan(tx: &Tx, input: &FulfillOrder) -> Result<(String, Vec<LineQuantity>)> {
    let order_id = input.order_id.as_str();
    let found = order::retrieve(tx, order_id)?;
    order_admin::ensure_placed(&found)?;
    let lines = order::items::items_of(tx, order_id)?;
    let done = fulfilled_quantities(tx, order_id)?;
    if input.items.is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    let mut plan = Vec::new();
    for want in &input.items {
        let (id, quantity) = (want.id.as_str(), want.quantity);
        let line = lines.iter().find(|l| l.id == id).ok_or_else(|| {
            Error::invalid(format!("Item {id} does not exist in order {order_id}"))
        })?;
        if quantity <= 0 {
            return Err(Error::invalid(format!(
                "Quantity to fulfill must be greater than 0 for the item: {id}"
            )));
        }
        if quantity > line.quantity - done.get(id).copied().unwrap_or(0) {
            return Err(Error::invalid(format!(
                "Quantity to fulfill exceeds the remaining quantity for the item: {id}"
            )));
        }
        plan.push(want.clone());
    }
    let location = match input.location_id.as_deref() {
        Some(given) => stock_location::retrieve(tx, given)?.id,
        None => default_location(tx, &found, &plan)?,
    };
    Ok((location, plan))
}

/// Where the first reservation of the lines is held, else the sales channel's first location.
fn default_location(
    conn: &Connection,
    found: &order::Order,
    plan: &[LineQuantity],
) -> Result<String> {
    for line in plan {
        if let Some(r) = inventory::reservations_of(conn, &line.id)?
            .into_iter()
            .next()
        {
            return Ok(r.2);
        }
    }
    channel_locations(conn, found.sales_channel_id.as_deref())?
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::invalid(
                "Cannot create fulfillment without stock location, either provide a location or you should link the shipping option to a stock location.",
            )
        })
}

fn create(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: FulfillOrder = step.input_as()?;
    let order_id = input.order_id.as_str();
    // The provider was called between the two write jobs: what is left to fulfil is
    // checked again here, so two concurrent requests cannot both take the same units.
    plan(tx, &input)?;
    let plan: Plan = step.result_as("validate-fulfillment")?;
    let location = plan.location_id.as_str();
    let lines = order::items::items_of(tx, order_id)?;
    let mut items = Vec::new();
    for want in &plan.items {
        let (id, quantity) = (want.id.as_str(), want.quantity);
        let Some(line) = lines.iter().find(|l| l.id == id) else {
            continue;
        };
        let mut touched = reservations::fulfill_reserved(tx, ctx, id, location, quantity)?;
        if touched.is_empty() {
            touched = unreserved(tx, step, line.variant_id.as_deref(), location, quantity)?;
        }
        items.push(FulfillmentItem {
            title: line.title.clone(),
            sku: line.variant_sku.clone(),
            barcode: line.variant_barcode.clone(),
            quantity,
            line_item_id: Some(id.to_string()),
            inventory_item_id: touched.into_iter().next(),
            ..Default::default()
        });
    }
    let metadata = input.metadata.as_ref().filter(|m| m.is_object());
    let shipping_option = order::shipping::methods_of(tx, order_id)?
        .into_iter()
        .find_map(|m| m.shipping_option_id);
    let id = records::create(
        tx,
        ctx,
        location,
        shipping_option.as_deref(),
        &items,
        metadata,
    )?;
    let answer: ProviderData = step.result_as("provider-create-fulfillment")?;
    records::set_provider(tx, &id, &plan.provider_id, &answer.data)?;
    links::order_fulfillment().create(tx, &ctx.id("ordful"), order_id, &id, &ctx.now())?;
    let quiet = input.no_notification;
    ctx.emit(
        tx,
        "order.fulfillment_created",
        json!({"order_id": order_id, "fulfillment_id": id, "no_notification": quiet}),
    )?;
    Done::of(&Fulfilled {
        order_id: input.order_id,
        fulfillment_id: id,
    })
}

/// A line without a reservation at the location: managed inventory items of its variant
/// leave the shelf from what is available (none for unmanaged variants).
fn unreserved(
    tx: &Tx,
    step: &StepCtx,
    variant: Option<&str>,
    location: &str,
    quantity: i64,
) -> Result<Vec<String>> {
    let Some(variant) = variant else {
        return Ok(Vec::new());
    };
    let (managed, backorder) = crate::flows::checkout::catalog::inventory_flags(tx, variant)?;
    if !managed {
        return Ok(Vec::new());
    }
    let items = links::variant_inventory_item().rights_of(tx, variant)?;
    for item in &items {
        reservations::ship_unreserved(tx, step.engine.ctx(), item, location, quantity, backorder)?;
    }
    Ok(items)
}

/// The fulfillment the input names, checked to be one of the input order's.
fn order_fulfillment(tx: &Tx, order_id: &str, id: &str) -> Result<String> {
    order::retrieve(tx, order_id)?;
    if !links::order_fulfillment()
        .rights_of(tx, order_id)?
        .iter()
        .any(|f| f == id)
    {
        return Err(Error::not_found("Fulfillment", id));
    }
    Ok(id.to_string())
}

/// `create-order-shipment` ([`CREATE_SHIPMENT`]): marks it shipped, emits
/// `shipment.created {id, no_notification}`.
pub fn shipment_workflow() -> Workflow {
    CREATE_SHIPMENT
        .workflow()
        .step(Step::local("ship-fulfillment", |tx, step| {
            let input: ShipFulfillment = step.input_as()?;
            let id = order_fulfillment(tx, &input.order_id, &input.fulfillment_id)?;
            let found = records::retrieve(tx, &id)?;
            for item in &input.items {
                let line = item.id.as_str();
                if !found
                    .items
                    .iter()
                    .any(|i| i.line_item_id.as_deref() == Some(line))
                {
                    return Err(Error::invalid(format!(
                        "Item {line} is not part of fulfillment {id}"
                    )));
                }
            }
            let labels: Vec<Label> = input
                .labels
                .into_iter()
                .map(|l| Label {
                    tracking_number: l.tracking_number,
                    tracking_url: l.tracking_url,
                    label_url: l.label_url,
                    ..Default::default()
                })
                .collect();
            let ctx = step.engine.ctx();
            records::ship(tx, ctx, &id, &labels)?;
            let quiet = input.no_notification;
            ctx.emit(
                tx,
                "shipment.created",
                json!({"id": id, "no_notification": quiet}),
            )?;
            Done::of(&FulfillmentRef { fulfillment_id: id })
        }))
}

/// `mark-order-fulfillment-as-delivered` ([`MARK_DELIVERED`]): emits `delivery.created {id}`.
pub fn delivered_workflow() -> Workflow {
    MARK_DELIVERED
        .workflow()
        .step(Step::local("deliver-fulfillment", |tx, step| {
            let input: FulfillmentOfOrder = step.input_as()?;
            let id = order_fulfillment(tx, &input.order_id, &input.fulfillment_id)?;
            let ctx = step.engine.ctx();
            records::deliver(tx, ctx, &id)?;
            ctx.emit(tx, "delivery.created", json!({ "id": id }))?;
            Done::of(&FulfillmentRef { fulfillment_id: id })
        }))
}

/// `cancel-order-fulfillment` ([`CANCEL_FULFILLMENT`]): emits
/// `order.fulfillment_canceled {order_id, fulfillment_id, no_notification}`.
pub fn cancel_workflow() -> Workflow {
    CANCEL_FULFILLMENT
        .workflow()
        .step(Step::local("validate-cancel", |tx, step| {
            let input: FulfillmentOfOrder = step.input_as()?;
            let id = order_fulfillment(tx, &input.order_id, &input.fulfillment_id)?;
            ensure_not_returned(tx, &input.order_id, &id)?;
            let found = records::check_cancelable(tx, &id)?;
            Done::of(&CancelPlan {
                provider_id: found.provider_id,
                data: found.data.unwrap_or(Value::Null),
                location_id: found.location_id,
                items: found
                    .items
                    .iter()
                    .map(|i| CanceledLine {
                        id: i.line_item_id.clone(),
                        quantity: i.quantity,
                    })
                    .collect(),
            })
        }))
        .step(Step::external("provider-cancel-fulfillment", |step| {
            let input: FulfillmentOfOrder = step.input_as()?;
            let found: CancelPlan = step.result_as("validate-cancel")?;
            let provider = step
                .engine
                .providers()
                .fulfillment_or_404(&found.provider_id)?;
            let lines = found
                .items
                .into_iter()
                .map(|i| FulfilledLine {
                    line_item_id: i.id.unwrap_or_default(),
                    quantity: i.quantity,
                })
                .collect();
            let mut call =
                provider_call(step, &input.order_id, &found.location_id, lines, found.data);
            call.idempotency_key = format!("{}:provider-cancel-fulfillment", step.execution_id);
            provider.cancel_fulfillment(&call)?;
            Ok(Done::new(Value::Null))
        }))
        .step(Step::local("cancel-fulfillment", cancel_local))
}

/// Cancels the fulfillment in the store (checked again: it may have shipped meanwhile).
fn cancel_local(tx: &Tx, step: &StepCtx) -> Result<Done> {
    {
        let input: FulfillmentOfOrder = step.input_as()?;
        let id = order_fulfillment(tx, &input.order_id, &input.fulfillment_id)?;
        ensure_not_returned(tx, &input.order_id, &id)?;
        let ctx = step.engine.ctx();
        let found = records::cancel(tx, ctx, &id)?;
        for item in &found.items {
            if let Some(inventory_item) = &item.inventory_item_id {
                reservations::unfulfill(
                    tx,
                    ctx,
                    item.line_item_id.as_deref(),
                    inventory_item,
                    &found.location_id,
                    item.quantity,
                )?;
            }
        }
        let quiet = input.no_notification;
        ctx.emit(
            tx,
            "order.fulfillment_canceled",
            json!({"order_id": input.order_id, "fulfillment_id": id, "no_notification": quiet}),
        )?;
        Done::of(&FulfillmentRef { fulfillment_id: id })
    }
}

/// Refuses canceling a fulfillment whose units are asked back by a return: what stays
/// fulfilled must still cover every line's units in returns that are not canceled (else the
/// same units would come back on the shelf twice — once received, once un-fulfilled).
fn ensure_not_returned(conn: &Connection, order_id: &str, fulfillment_id: &str) -> Result<()> {
    let found = records::retrieve(conn, fulfillment_id)?;
    if found.canceled_at.is_some() {
        return Ok(()); // canceling it again is refused by `records::cancel`
    }
    let fulfilled = fulfilled_quantities(conn, order_id)?;
    let claimed = order::returns::claimed_by_line(conn, order_id)?;
    for item in &found.items {
        let line = item.line_item_id.clone().unwrap_or_default();
        let left = fulfilled.get(&line).copied().unwrap_or(0) - item.quantity;
        if claimed.get(&line).copied().unwrap_or(0) > left {
            return Err(Error::invalid(format!(
                "Fulfillment {fulfillment_id} cannot be canceled: item {line} is being returned"
            )));
        }
    }
    Ok(())
}
