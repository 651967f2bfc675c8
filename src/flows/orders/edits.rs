//! Order edits (Medusa 2.21.2's `begin-order-edit-order`, `order-edit-add-new-item`,
//! `order-edit-update-item-quantity`, `update-order-edit-add-item` /
//! `update-order-edit-item-quantity`, `remove-order-edit-item-action`,
//! `request-order-edit-request`, `confirm-order-edit-request`, `cancel-begin-order-edit`):
//! an order change of type `edit` whose `ITEM_ADD` / `ITEM_UPDATE` actions become new lines
//! and new quantities when it is confirmed. One local step each.
//!
//! A new line is priced (the variant's price for the order's currency and region, or the
//! staff's `unit_price`) and taxed (the order's shipping address) when it is added, and that
//! snapshot is what confirming writes. Confirming also moves the stock in the same write
//! job: a new line or a grown quantity is reserved at the order's channel locations (refused
//! with `insufficient_inventory` when short — nothing is written then), a reduced quantity
//! releases the line's reservations. A line cannot go below what was fulfilled. The order
//! summary then shows the difference to collect (positive `pending_difference`) or refund.

use super::change_inputs::{note_of, optional_amount};
use super::edit_types::{
    self as types, BeginEdit, EditBegun, EditedOrder, ItemQuantity, OnOrder, RequestEdit,
    UpdateEditAction,
};
use super::fulfill::fulfilled_quantities;
use super::returns::{one, units_value};
use super::targets::{ActionRef, Cancel, Confirm, NewItem, NewItems, amount_json};
use crate::ctx::Ctx;
use crate::db::Tx;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::checkout::catalog;
use crate::flows::checkout::refresh::provider_tax_lines;
use crate::flows::checkout::stock::{self, channel_locations};
use crate::flows::links;
use crate::modules::inventory::{self, reservations};
use crate::modules::order::changes::{
    self, ChangeAction, ITEM_ADD, ITEM_UPDATE, NewAction, NewChange, OrderChange,
};
use crate::modules::order::return_actions::SHIPPING_ADD;
use crate::modules::order::{self, LineItem, Order, TaxLine, admin as order_admin};
use crate::workflow::{Done, StepCtx, Workflow};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The change type of an order edit.
pub const EDIT: &str = "edit";

/// The order-edit workflows.
pub fn workflows() -> Vec<Workflow> {
    vec![
        one(types::BEGIN_EDIT, begin_step),
        one(types::BEGIN_DRAFT_EDIT, begin_draft_step),
        one(types::ADD_ITEMS, add_items_step),
        one(types::UPDATE_QUANTITY, update_quantity_step),
        one(types::UPDATE_ACTION, update_action_step),
        one(types::REMOVE_ACTION, remove_action_step),
        one(types::REQUEST_EDIT, request_step),
        one(types::CONFIRM_EDIT, confirm_step),
        one(types::CANCEL_EDIT, cancel_step),
    ]
    .into_iter()
    .chain(super::edit_shipping::workflows())
    .collect()
}

pub(super) fn done(order_id: &str) -> Result<Done> {
    Done::of(&EditedOrder {
        order_id: order_id.to_string(),
    })
}

pub(super) fn live_order(conn: &Connection, id: &str) -> Result<Order> {
    let found = order::retrieve(conn, id)?;
    order_admin::ensure_not_canceled(&found)?;
    Ok(found)
}

/// The order's open edit.
pub(super) fn active_edit(conn: &Connection, order_id: &str) -> Result<OrderChange> {
    changes::open_change(conn, order_id)?
        .filter(|c| c.change_type.as_deref() == Some(EDIT))
        .ok_or_else(|| Error::invalid(format!("Order {order_id} has no active order edit")))
}

fn edit_action(conn: &Connection, change: &OrderChange, id: &str) -> Result<ChangeAction> {
    changes::action(conn, id)
        .ok()
        .filter(|a| a.order_change_id.as_deref() == Some(&change.id))
        .filter(|a| a.action == ITEM_ADD || a.action == ITEM_UPDATE)
        .ok_or_else(|| {
            Error::invalid(format!(
                "Action {id} is not an item action of order edit {}",
                change.id
            ))
        })
}

fn begin_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    begin(tx, step, false)
}

/// `begin-draft-order-edit`: a draft is edited through the same `edit` change; confirming
/// it moves no stock (a draft holds none until it is converted).
fn begin_draft_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    begin(tx, step, true)
}

fn begin(tx: &Tx, step: &StepCtx, draft: bool) -> Result<Done> {
    let input: OnOrder<BeginEdit> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    if (found.status == "draft") != draft {
        let message = if draft {
            format!("Order {} is not a draft: edit it as an order", found.id)
        } else {
            format!("Order {} is a draft: edit it as a draft order", found.id)
        };
        return Err(Error::invalid(message));
    }
    let change = changes::create(
        tx,
        step.engine.ctx(),
        &NewChange {
            order_id: found.id.clone(),
            change_type: EDIT.into(),
            description: input.body.description,
            internal_note: input.body.internal_note,
            created_by: input.body.created_by,
            return_id: None,
            ..Default::default()
        },
    )?;
    Done::of(&EditBegun {
        order_id: found.id,
        order_change_id: change.id,
    })
}

/// Tax lines of a product (an empty line: of shipping) shipped to `(country, province)`
/// (none without a country), from the country tax region's provider in the engine's
/// registry — as the cart is taxed.
///
/// # Errors
/// 400 when the tax region names an unregistered provider; database failures.
pub(super) fn tax_lines(
    conn: &Connection,
    engine: &Engine,
    (country, province): (Option<&str>, Option<&str>),
    item: &LineItem,
) -> Result<Vec<TaxLine>> {
    let Some(country) = country else {
        return Ok(Vec::new());
    };
    provider_tax_lines(
        conn,
        engine.providers(),
        (country, province),
        item.product_id.as_deref().unwrap_or_default(),
        item.product_type_id.as_deref(),
    )
}

/// Tax lines of a new line of `found` (an empty line: of shipping), at its shipping address.
///
/// # Errors
/// As `tax_lines` (the provider's errors; 400 when the tax region names an unregistered one).
pub fn order_tax_lines(
    conn: &Connection,
    engine: &Engine,
    found: &Order,
    item: &LineItem,
) -> Result<Vec<TaxLine>> {
    let address = order::address(conn, found.shipping_address_id.as_deref())?.unwrap_or_default();
    let place = (
        address.get("country_code").and_then(Value::as_str),
        address.get("province").and_then(Value::as_str),
    );
    tax_lines(conn, engine, place, item)
}

/// Refuses a quantity of a variant its channel's locations cannot supply now (checked
/// again, and held, by the reservation at confirmation).
fn check_stock(conn: &Connection, found: &Order, variant: &str, quantity: i64) -> Result<()> {
    let (managed, backorder) = catalog::inventory_flags(conn, variant)?;
    if !managed || backorder {
        return Ok(());
    }
    let locations = channel_locations(conn, found.sales_channel_id.as_deref())?;
    for item in links::variant_inventory_item().rights_of(conn, variant)? {
        if !inventory::is_available(conn, &item, &locations, quantity)? {
            return Err(inventory::insufficient());
        }
    }
    Ok(())
}

fn add_items_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<NewItems> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    add_new_items(tx, step.engine, &found, &change, &input.body.items)?;
    done(&found.id)
}

/// Adds an ITEM_ADD action to `change` (an edit, an exchange or a claim) for each of
/// `items`: the variant priced for the order (or at staff's `unit_price`), taxed at its
/// address, its stock checked.
pub(super) fn add_new_items(
    tx: &Tx,
    engine: &Engine,
    found: &Order,
    change: &OrderChange,
    items: &[NewItem],
) -> Result<()> {
    let ctx = engine.ctx();
    let channels: Vec<String> = found.sales_channel_id.iter().cloned().collect();
    for want in items {
        let (variant, quantity) = (want.variant_id.as_str(), want.quantity);
        if quantity < 1 {
            return Err(Error::invalid(format!(
                "Quantity of variant {variant} must be at least 1"
            )));
        }
        let info = catalog::variant(
            tx,
            variant,
            &channels,
            &found.currency_code,
            found.region_id.as_deref(),
            &ctx.now(),
        )?;
        let mut item = info.item;
        let sent_price = amount_json(&want.unit_price);
        let price = optional_amount(&sent_price, &found.currency_code, "unit_price")?;
        if let Some(price) = price {
            (item.unit_price, item.is_custom_price) = (price, true);
        }
        item.quantity = quantity;
        item.tax_lines = order_tax_lines(tx, engine, found, &item)?;
        if let Some(m) = want.metadata.as_ref().filter(|m| m.is_object()) {
            item.metadata = m.clone();
        }
        check_stock(tx, found, variant, quantity)?;
        let action = NewAction {
            action: ITEM_ADD.into(),
            reference: Some("order_line_item".into()),
            reference_id: None,
            details: json!({"variant_id": variant, "quantity": quantity, "unit_price": item.unit_price, "item": item}),
            amount: Some(units_value(&item, quantity)?),
            internal_note: want.internal_note.clone(),
            return_id: None,
        };
        changes::add_action(tx, ctx, change, &action)?;
    }
    Ok(())
}

/// Refuses a new quantity below what was fulfilled of the line.
fn check_quantity(conn: &Connection, found: &Order, line: &str, quantity: i64) -> Result<()> {
    let fulfilled = fulfilled_quantities(conn, &found.id)?
        .get(line)
        .copied()
        .unwrap_or(0);
    if quantity < fulfilled {
        return Err(Error::invalid(format!(
            "Item {line} cannot have a quantity below its fulfilled quantity {fulfilled}"
        )));
    }
    Ok(())
}

fn update_quantity_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnOrder<ItemQuantity> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    let line_id = input.body.item_id.as_str();
    let lines = order::items::items_of(tx, &found.id)?;
    let line = lines.iter().find(|l| l.id == line_id).ok_or_else(|| {
        Error::invalid(format!(
            "Items with ids {line_id} does not exist in order with id {}.",
            found.id
        ))
    })?;
    let quantity = input.body.quantity;
    if quantity < 0 {
        return Err(Error::invalid("Quantity must not be negative"));
    }
    check_quantity(tx, &found, line_id, quantity)?;
    let amount = units_value(line, quantity)? - units_value(line, line.quantity)?;
    let details =
        json!({"reference_id": line_id, "quantity": quantity, "previous_quantity": line.quantity});
    let note = input.body.internal_note.as_deref();
    let existing = changes::actions_of(tx, &change.id)?
        .into_iter()
        .find(|a| a.action == ITEM_UPDATE && a.details["reference_id"].as_str() == Some(line_id));
    match existing {
        Some(a) => {
            changes::update_action(tx, ctx, &a, &details, Some(amount), note)?;
        }
        None => {
            let action = NewAction {
                action: ITEM_UPDATE.into(),
                reference: Some("order_line_item".into()),
                reference_id: Some(line_id.to_string()),
                details,
                amount: Some(amount),
                internal_note: note.map(str::to_string),
                return_id: None,
            };
            changes::add_action(tx, ctx, &change, &action)?;
        }
    }
    done(&found.id)
}

/// `POST /admin/order-edits/:id/items/:action_id`: a new line's or a quantity change's
/// quantity (and note).
fn update_action_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnOrder<UpdateEditAction> = step.input_as()?;
    let sent = &input.body;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    let action = edit_action(tx, &change, &sent.action_id)?;
    let quantity = sent
        .quantity
        .unwrap_or_else(|| action.details["quantity"].as_i64().unwrap_or(0));
    let note = note_of(&sent.internal_note, &action);
    let mut details = action.details.clone();
    details["quantity"] = json!(quantity);
    let amount = if action.action == ITEM_ADD {
        let unit_price = amount_json(&sent.unit_price);
        let (new, amount) = resized_new_item(tx, &found, &action, quantity, &unit_price)?;
        details = new;
        amount
    } else {
        if sent.unit_price.is_some() {
            return Err(Error::invalid("unit_price can only be set on a new item"));
        }
        let line_id = action.details["reference_id"].as_str().unwrap_or_default();
        check_quantity(tx, &found, line_id, quantity)?;
        let lines = order::items::items_of(tx, &found.id)?;
        let line = lines
            .iter()
            .find(|l| l.id == line_id)
            .ok_or_else(|| Error::invalid(format!("Line item {line_id} does not exist")))?;
        units_value(line, quantity)? - units_value(line, line.quantity)?
    };
    changes::update_action(tx, ctx, &action, &details, Some(amount), note.as_deref())?;
    done(&found.id)
}

/// An ITEM_ADD action's details and amount at `quantity` (and staff's `unit_price`, when
/// sent), its stock checked again.
pub(super) fn resized_new_item(
    tx: &Tx,
    found: &Order,
    action: &ChangeAction,
    quantity: i64,
    unit_price: &Value,
) -> Result<(Value, i64)> {
    if quantity < 1 {
        return Err(Error::invalid("Quantity of a new item must be at least 1"));
    }
    let mut details = action.details.clone();
    details["quantity"] = json!(quantity);
    let mut item: LineItem = serde_json::from_value(action.details["item"].clone())?;
    item.quantity = quantity;
    if let Some(price) = optional_amount(unit_price, &found.currency_code, "unit_price")? {
        (item.unit_price, item.is_custom_price) = (price, true);
        details["unit_price"] = json!(price);
    }
    let variant = item.variant_id.as_deref().unwrap_or_default();
    check_stock(tx, found, variant, quantity)?;
    details["item"] = serde_json::to_value(&item)?;
    let amount = units_value(&item, quantity)?;
    Ok((details, amount))
}

fn remove_action_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let input: OnOrder<ActionRef> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    let action = edit_action(tx, &change, &input.body.action_id)?;
    changes::delete_action(tx, step.engine.ctx(), &action)?;
    done(&found.id)
}

fn request_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnOrder<RequestEdit> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    if change.status != "pending" {
        return Err(Error::invalid(format!(
            "Order edit {} has already been requested",
            change.id
        )));
    }
    let by = input.body.requested_by.as_deref();
    changes::mark_requested(tx, ctx, &change.id, by)?;
    ctx.emit(
        tx,
        "order-edit.requested",
        json!({"order_id": found.id, "order_change_id": change.id}),
    )?;
    done(&found.id)
}

/// Writes one action and moves its stock: a new line is added and reserved; a quantity
/// change reserves the extra units or releases the dropped ones. A draft's own shipping
/// and promotion actions are written by `draft_shipping` and `draft_promotions`.
fn apply(tx: &Tx, engine: &Engine, found: &Order, action: &ChangeAction) -> Result<()> {
    let ctx = engine.ctx();
    let channel = found.sales_channel_id.as_deref();
    if action.action == SHIPPING_ADD {
        super::edit_shipping::apply(tx, engine, found, action)?;
        return Ok(());
    }
    if super::draft_promotions::apply(tx, ctx, found, action)?
        || super::draft_shipping::apply(tx, ctx, found, action)?
    {
        return Ok(());
    }
    if action.action == ITEM_ADD {
        add_new_line(tx, ctx, found, action)?;
        return Ok(());
    }
    let line_id = action.details["reference_id"].as_str().unwrap_or_default();
    let quantity = action.details["quantity"].as_i64().unwrap_or_default();
    let lines = order::items::items_of(tx, &found.id)?;
    let line = lines
        .iter()
        .find(|l| l.id == line_id)
        .ok_or_else(|| Error::invalid(format!("Line item {line_id} does not exist")))?;
    check_quantity(tx, found, line_id, quantity)?;
    if found.status == "draft" {
        return order::items::set_quantity(tx, ctx, line_id, quantity);
    }
    if quantity > line.quantity
        && let Some(variant) = line.variant_id.clone()
    {
        let want = stock::Line {
            line_item_id: line_id.to_string(),
            variant_id: variant,
            quantity: quantity - line.quantity,
        };
        stock::reserve(tx, ctx, channel, &[want])?;
    } else if quantity < line.quantity {
        reservations::shrink(tx, ctx, line_id, line.quantity - quantity)?;
    }
    order::items::set_quantity(tx, ctx, line_id, quantity)
}

/// Confirming an ITEM_ADD action: its priced line joins the order and its units are
/// reserved at the order's channel locations (not a draft's: it reserves at conversion).
/// Returns the line's id.
///
/// # Errors
/// `insufficient_inventory` when the stock ran short since it was added.
pub(super) fn add_new_line(
    tx: &Tx,
    ctx: &Ctx,
    found: &Order,
    action: &ChangeAction,
) -> Result<String> {
    let item: LineItem = serde_json::from_value(action.details["item"].clone())?;
    let line_id = order::items::add_line(tx, ctx, &found.id, &item)?;
    if found.status == "draft" {
        return Ok(line_id);
    }
    if let Some(variant) = item.variant_id.clone() {
        let want = stock::Line {
            line_item_id: line_id.clone(),
            variant_id: variant,
            quantity: item.quantity,
        };
        stock::reserve(tx, ctx, found.sales_channel_id.as_deref(), &[want])?;
    }
    Ok(line_id)
}

fn confirm_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnOrder<Confirm> = step.input_as()?;
    let found = live_order(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    let actions = changes::actions_of(tx, &change.id)?;
    for action in actions.iter().filter(|a| !a.applied) {
        apply(tx, step.engine, &found, action)?;
        changes::mark_applied(tx, ctx, &action.id)?;
    }
    if found.status == "draft" {
        super::draft_promotions::settle(tx, ctx, &found)?;
    }
    crate::failpoint::hit("order-edit:applied");
    changes::confirm(tx, ctx, &change.id, input.body.confirmed_by.as_deref())?;
    ctx.emit(
        tx,
        "order-edit.confirmed",
        json!({"order_id": found.id, "order_change_id": change.id}),
    )?;
    done(&found.id)
}

fn cancel_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let input: OnOrder<Cancel> = step.input_as()?;
    let found = order::retrieve(tx, &input.id)?;
    let change = active_edit(tx, &found.id)?;
    changes::cancel(tx, ctx, &change.id, input.body.canceled_by.as_deref())?;
    ctx.emit(
        tx,
        "order-edit.canceled",
        json!({"order_id": found.id, "order_change_id": change.id}),
    )?;
    done(&found.id)
}
