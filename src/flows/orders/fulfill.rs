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
use crate::modules::fulfillment::provider::{
    FulfilledLine, FulfillmentCall, FulfillmentProvider, MANUAL,
};
use crate::modules::fulfillment::records::{self, FulfillmentItem, Label};
use crate::modules::inventory::{self, reservations};
use crate::modules::order::{self, admin as order_admin};
use crate::modules::stock_location;
use crate::workflow::hooks::{self, points};
use crate::workflow::{Done, Step, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::HashMap;

fn input_str<'a>(step: &'a StepCtx, key: &str) -> &'a str {
    step.input[key].as_str().unwrap_or_default()
}

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

/// `create-order-fulfillment`: input `{order_id, items:[{id, quantity}], location_id?,
/// no_notification?, metadata?}`, result `{order_id, fulfillment_id}`.
pub fn create_workflow() -> Workflow {
    Workflow::new("create-order-fulfillment")
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
    let mut plan = plan(tx, step)?;
    let option = order::shipping::methods_of(tx, input_str(step, "order_id"))?
        .into_iter()
        .find_map(|m| m.shipping_option_id)
        .map(|id| fulfillment::retrieve_option(tx, &id))
        .transpose()?;
    let (provider, data) = match option {
        Some(o) => (o.provider_id, o.data.unwrap_or_else(|| json!({}))),
        None => (MANUAL.to_string(), json!({})),
    };
    step.engine.providers().fulfillment_or_404(&provider)?;
    plan["provider_id"] = json!(provider);
    plan["option_data"] = data;
    Ok(Done::new(plan))
}

/// The provider call of a fulfillment from the validated plan.
fn provider_call(step: &StepCtx, plan: &Value, data: Value) -> FulfillmentCall {
    FulfillmentCall {
        idempotency_key: format!("{}:provider-create-fulfillment", step.execution_id),
        order_id: input_str(step, "order_id").to_string(),
        location_id: plan["location_id"].as_str().unwrap_or_default().to_string(),
        option_data: plan["option_data"].clone(),
        items: plan["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| FulfilledLine {
                line_item_id: i["id"].as_str().unwrap_or_default().to_string(),
                quantity: i["quantity"].as_i64().unwrap_or_default(),
            })
            .collect(),
        data,
    }
}

fn plan_provider<'a>(step: &StepCtx<'a>) -> Result<&'a dyn FulfillmentProvider> {
    let plan = step.result("validate-fulfillment");
    let id = plan["provider_id"].as_str().unwrap_or(MANUAL);
    step.engine.providers().fulfillment_or_404(id)
}

/// The provider creates the fulfillment (outside the writer); its answer becomes `data`.
fn provider_create(step: &StepCtx) -> Result<Done> {
    let plan = step.result("validate-fulfillment");
    let data = plan_provider(step)?.create_fulfillment(&provider_call(step, plan, Value::Null))?;
    Ok(Done::new(json!({ "data": data })))
}

/// A later failure cancels at the provider what it created (by key alone after a crash).
fn provider_undo_create(step: &StepCtx, output: &Value) -> Result<()> {
    let plan = step.result("validate-fulfillment");
    let call = provider_call(step, plan, output["data"].clone());
    plan_provider(step)?.cancel_fulfillment(&call)
}

/// What the request asks, checked against the order as it is now: `{location_id, items}`.
fn plan(tx: &Tx, step: &StepCtx) -> Result<Value> {
    let order_id = input_str(step, "order_id");
    let found = order::retrieve(tx, order_id)?;
    order_admin::ensure_placed(&found)?;
    let lines = order::items::items_of(tx, order_id)?;
    let done = fulfilled_quantities(tx, order_id)?;
    let wanted = step.input["items"].as_array().cloned().unwrap_or_default();
    if wanted.is_empty() {
        return Err(Error::invalid(
            "Invalid request: Field 'items' must contain at least 1 item(s)",
        ));
    }
    let mut plan = Vec::new();
    for want in &wanted {
        let id = want["id"].as_str().unwrap_or_default();
        let quantity = want["quantity"].as_i64().unwrap_or_default();
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
        plan.push(json!({"id": id, "quantity": quantity}));
    }
    let location = match step.input["location_id"].as_str() {
        Some(given) => stock_location::retrieve(tx, given)?.id,
        None => default_location(tx, &found, &plan)?,
    };
    Ok(json!({"location_id": location, "items": plan}))
}

/// Where the first reservation of the lines is held, else the sales channel's first location.
fn default_location(conn: &Connection, found: &order::Order, plan: &[Value]) -> Result<String> {
    for line in plan {
        let id = line["id"].as_str().unwrap_or_default();
        if let Some(r) = inventory::reservations_of(conn, id)?.into_iter().next() {
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
    let order_id = input_str(step, "order_id");
    // The provider was called between the two write jobs: what is left to fulfil is
    // checked again here, so two concurrent requests cannot both take the same units.
    plan(tx, step)?;
    let plan = step.result("validate-fulfillment");
    let location = plan["location_id"].as_str().unwrap_or_default();
    let lines = order::items::items_of(tx, order_id)?;
    let mut items = Vec::new();
    for want in plan["items"].as_array().into_iter().flatten() {
        let id = want["id"].as_str().unwrap_or_default();
        let quantity = want["quantity"].as_i64().unwrap_or_default();
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
    let metadata = step.input.get("metadata").filter(|m| m.is_object());
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
    let provider = plan["provider_id"].as_str().unwrap_or(MANUAL);
    let data = &step.result("provider-create-fulfillment")["data"];
    records::set_provider(tx, &id, provider, data)?;
    links::order_fulfillment().create(tx, &ctx.id("ordful"), order_id, &id, &ctx.now())?;
    let quiet = step.input["no_notification"].as_bool().unwrap_or(false);
    ctx.emit(
        tx,
        "order.fulfillment_created",
        json!({"order_id": order_id, "fulfillment_id": id, "no_notification": quiet}),
    )?;
    Ok(Done::new(
        json!({"order_id": order_id, "fulfillment_id": id}),
    ))
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

fn order_fulfillment(tx: &Tx, step: &StepCtx) -> Result<String> {
    let (order_id, id) = (
        input_str(step, "order_id"),
        input_str(step, "fulfillment_id"),
    );
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

/// `create-order-shipment`: input `{order_id, fulfillment_id, items, labels?,
/// no_notification?}`; marks it shipped, emits `shipment.created {id, no_notification}`.
pub fn shipment_workflow() -> Workflow {
    Workflow::new("create-order-shipment").step(Step::local("ship-fulfillment", |tx, step| {
        let id = order_fulfillment(tx, step)?;
        let found = records::retrieve(tx, &id)?;
        for item in step.input["items"].as_array().into_iter().flatten() {
            let line = item["id"].as_str().unwrap_or_default();
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
        let labels: Vec<Label> = step.input["labels"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| Label {
                tracking_number: l["tracking_number"].as_str().unwrap_or_default().into(),
                tracking_url: l["tracking_url"].as_str().unwrap_or_default().into(),
                label_url: l["label_url"].as_str().unwrap_or_default().into(),
                ..Default::default()
            })
            .collect();
        let ctx = step.engine.ctx();
        records::ship(tx, ctx, &id, &labels)?;
        let quiet = step.input["no_notification"].as_bool().unwrap_or(false);
        ctx.emit(
            tx,
            "shipment.created",
            json!({"id": id, "no_notification": quiet}),
        )?;
        Ok(Done::new(json!({"fulfillment_id": id})))
    }))
}

/// `mark-order-fulfillment-as-delivered`: input `{order_id, fulfillment_id}`; emits
/// `delivery.created {id}`.
pub fn delivered_workflow() -> Workflow {
    Workflow::new("mark-order-fulfillment-as-delivered").step(Step::local(
        "deliver-fulfillment",
        |tx, step| {
            let id = order_fulfillment(tx, step)?;
            let ctx = step.engine.ctx();
            records::deliver(tx, ctx, &id)?;
            ctx.emit(tx, "delivery.created", json!({ "id": id }))?;
            Ok(Done::new(json!({"fulfillment_id": id})))
        },
    ))
}

/// `cancel-order-fulfillment`: input `{order_id, fulfillment_id, no_notification?}`; emits
/// `order.fulfillment_canceled {order_id, fulfillment_id, no_notification}`.
pub fn cancel_workflow() -> Workflow {
    Workflow::new("cancel-order-fulfillment")
        .step(Step::local("validate-cancel", |tx, step| {
            let id = order_fulfillment(tx, step)?;
            ensure_not_returned(tx, input_str(step, "order_id"), &id)?;
            let found = records::check_cancelable(tx, &id)?;
            Ok(Done::new(json!({
                "provider_id": found.provider_id,
                "data": found.data,
                "location_id": found.location_id,
                "items": found.items.iter().map(|i| json!({
                    "id": i.line_item_id, "quantity": i.quantity,
                })).collect::<Vec<_>>(),
            })))
        }))
        .step(Step::external("provider-cancel-fulfillment", |step| {
            let found = step.result("validate-cancel");
            let id = found["provider_id"].as_str().unwrap_or(MANUAL);
            let provider = step.engine.providers().fulfillment_or_404(id)?;
            let mut call = provider_call(step, found, found["data"].clone());
            call.idempotency_key = format!("{}:provider-cancel-fulfillment", step.execution_id);
            call.option_data = Value::Null;
            provider.cancel_fulfillment(&call)?;
            Ok(Done::new(Value::Null))
        }))
        .step(Step::local("cancel-fulfillment", cancel_local))
}

/// Cancels the fulfillment in the store (checked again: it may have shipped meanwhile).
fn cancel_local(tx: &Tx, step: &StepCtx) -> Result<Done> {
    {
        let id = order_fulfillment(tx, step)?;
        ensure_not_returned(tx, input_str(step, "order_id"), &id)?;
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
        let quiet = step.input["no_notification"].as_bool().unwrap_or(false);
        let order_id = input_str(step, "order_id");
        ctx.emit(
            tx,
            "order.fulfillment_canceled",
            json!({"order_id": order_id, "fulfillment_id": id, "no_notification": quiet}),
        )?;
        Ok(Done::new(json!({"fulfillment_id": id})))
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
