//! Updating a draft order's details (Medusa 2.21.2's `update-draft-order`,
//! `POST /admin/draft-orders/:id`): its email, customer, sales channel, addresses and
//! metadata. Its items, shipping methods and promotions change only through its edit.
//!
//! Each field sent is written and registered as a confirmed `update_order` change
//! (`{type, old, new}`, the draft's history, as Medusa's `registerOrderChangesStep`), and
//! `order.updated` is emitted, all in one write job. A draft may move to another country
//! (an order may not); unlike Medusa, whose draft keeps the tax lines of its old address,
//! a new shipping address re-taxes the draft's lines and methods there (through the tax
//! region's provider), and the draft's promotions are computed again for its new buyer.

use super::draft_promotions::{self, ensure_draft};
use super::draft_types::{self as types, DraftUpdate};
use super::edit_types::{EditedOrder, OnOrder};
use super::edits::order_tax_lines;
use super::returns::one;
use crate::db::Tx;
use crate::error::Result;
use crate::modules::order::changes_admin;
use crate::modules::order::draft_lines;
use crate::modules::order::manage::{self, AddressKind, OrderUpdate};
use crate::modules::order::{self, LineItem, Order};
use crate::modules::{customer, sales_channel};
use crate::workflow::{Done, StepCtx, Workflow};
use serde_json::{Map, Value, json};

/// `POST /admin/draft-orders/:id`.
pub const UPDATE: &str = "update-draft-order";

/// The workflow of this file.
pub fn workflows() -> Vec<Workflow> {
    vec![one(types::UPDATE_DRAFT, update_step)]
}

fn update_step(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let ctx = step.engine.ctx();
    let sent: OnOrder<DraftUpdate> = step.input_as()?;
    let input = &sent.body;
    let found = order::retrieve(tx, &sent.id)?;
    ensure_draft(&found)?;
    let mut history = Vec::new();
    if let Some(id) = input.customer_id.as_deref() {
        let taker = customer::retrieve(tx, id)?;
        manage::set_customer(tx, ctx, &found.id, &taker.id)?;
        history.push(manage::change_details(
            "customer_id",
            json!(found.customer_id),
            json!(taker.id),
        ));
    }
    if let Some(id) = input.sales_channel_id.as_deref() {
        let channel = sales_channel::retrieve(tx, id)?;
        draft_lines::set_sales_channel(tx, ctx, &found.id, &channel.id)?;
        history.push(manage::change_details(
            "sales_channel_id",
            json!(found.sales_channel_id),
            json!(channel.id),
        ));
    }
    let wanted = OrderUpdate {
        email: input.email.clone(),
        shipping_address: input.shipping_address.clone(),
        billing_address: input.billing_address.clone(),
        metadata: input.metadata.clone(),
    };
    for (kind, fields) in [
        (AddressKind::Shipping, &wanted.shipping_address),
        (AddressKind::Billing, &wanted.billing_address),
    ] {
        if let Some(fields) = fields {
            history.push(replace_address(tx, step, &found, kind, fields)?);
        }
    }
    manage::set_fields(tx, ctx, &found.id, &wanted)?;
    if let Some(email) = &wanted.email {
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
    if wanted.shipping_address.is_some() {
        retax(tx, step, &found.id)?;
    }
    draft_promotions::settle(tx, ctx, &found)?;
    let by = input.user_id.as_deref();
    for details in &history {
        changes_admin::register(tx, ctx, &found.id, by, details)?;
    }
    ctx.emit(tx, "order.updated", json!({ "id": found.id }))?;
    Done::of(&EditedOrder { order_id: found.id })
}

/// Replaces one address (the fields sent over the current ones) and describes the change.
fn replace_address(
    tx: &Tx,
    step: &StepCtx,
    found: &Order,
    kind: AddressKind,
    fields: &Map<String, Value>,
) -> Result<Value> {
    let old_id = match kind {
        AddressKind::Shipping => found.shipping_address_id.as_deref(),
        AddressKind::Billing => found.billing_address_id.as_deref(),
    };
    let old = order::address(tx, old_id)?;
    let current = order::retrieve(tx, &found.id)?;
    let new_id = manage::replace_address(tx, step.engine.ctx(), &current, kind, fields)?;
    let new = order::address(tx, new_id.as_deref())?;
    Ok(manage::change_details(kind.name(), json!(old), json!(new)))
}

/// Taxes the draft's lines and methods again at its (new) shipping address.
fn retax(tx: &Tx, step: &StepCtx, id: &str) -> Result<()> {
    let (engine, ctx) = (step.engine, step.engine.ctx());
    let found = order::retrieve(tx, id)?;
    for item in order::items::items_of(tx, id)? {
        let lines = order_tax_lines(tx, engine, &found, &item)?;
        draft_lines::set_tax_lines(tx, ctx, true, &item.id, &lines)?;
    }
    let shipping = order_tax_lines(tx, engine, &found, &LineItem::default())?;
    for method in order::shipping::methods_of(tx, id)? {
        draft_lines::set_tax_lines(tx, ctx, false, &method.id, &shipping)?;
    }
    Ok(())
}
