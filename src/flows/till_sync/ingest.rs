//! Central's ingest of a till sale: the journaled workflow `ingest-pos-sale`, run under the
//! key `pos-sale:<till order id>`. All its steps are local, so the whole sale — order (with
//! central's own display id, the till's receipt number kept in metadata), payments recorded
//! as captured, the on-the-spot fulfillment and the stock it took at the till's location,
//! `order.placed` and `order.fulfillment_created`, and the `till_sync_sale` record — commits
//! in one write job or not at all.
//!
//! A till sale was paid and handed over, so central records it as Medusa ends such an order:
//! status `completed` (Medusa's `complete-order-workflow`, with `order.completed`), payment
//! status `captured` (every tender recorded captured), fulfillment status `delivered` (the
//! fulfillment shipped and delivered at the moment of ingest — the customer walked out with
//! it).
//!
//! A sale that happened is never refused for stock: units leave the shelf even past what is
//! available, and the shortfall is recorded in the order's `metadata.pos_stock_short` and
//! the sale's `stock_short` flag (`GET /admin/pos/sales?stock_short=true`). A repeat of a till
//! order id — sequential or concurrent (the writer serialises them; the second finds the
//! first's record) — answers the first result and writes nothing.

use super::message::SaleMessage;
use crate::db::Tx;
use crate::error::Result;
use crate::flows::checkout::catalog::inventory_flags;
use crate::flows::links;
use crate::modules::fulfillment::records::{self, FulfillmentItem};
use crate::modules::inventory::{self, manage, reservations};
use crate::modules::order::{self, LineItem};
use crate::modules::payment::{self, recorded};
use crate::modules::till_sync::{self, Sale};
use crate::modules::{customer, sales_channel, stock_location};
use crate::money;
use crate::workflow::{Done, Handle, Step, StepCtx, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// `ingest-pos-sale`: a [`SaleMessage`] in, what central recorded back.
pub const INGEST_POS_SALE: Handle<SaleMessage, Ingested> = Handle::new("ingest-pos-sale");

/// What central recorded for a till sale: the workflow's output, the push's answer for the
/// sale, `GET /admin/pos/sales/:id`'s `sale`, and what the till reads back (field names are
/// the journal's and the wire's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ingested {
    /// The till's order id.
    pub till_order_id: String,
    /// Central's order.
    pub order_id: String,
    /// Central's display id.
    pub display_id: i64,
    /// The till's receipt number.
    pub receipt_number: String,
    /// The till's register code.
    pub register: String,
    /// Whether some line took more than the till's location had.
    pub stock_short: bool,
    /// Those lines.
    pub short: Vec<Shortfall>,
}

/// One inventory item a sale took more of than was available at the till's location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    /// The inventory item.
    pub inventory_item_id: String,
    /// The line's variant.
    pub variant_id: String,
    /// The till's location.
    pub location_id: String,
    /// Units sold.
    pub quantity: i64,
    /// Units available before the line (never below 0).
    pub available: i64,
    /// Units missing.
    pub short: i64,
}

/// `ingest-pos-sale`'s one step.
pub fn workflow() -> Workflow {
    INGEST_POS_SALE
        .workflow()
        .step(Step::local("ingest-sale", ingest))
}

/// The idempotency key of a sale.
pub fn key(till_order_id: &str) -> String {
    format!("pos-sale:{till_order_id}")
}

fn ingest(tx: &Tx, step: &StepCtx) -> Result<Done> {
    let sale: SaleMessage = step.input_as()?;
    sale.check()?;
    if let Some(found) = till_sync::sale(tx, &sale.till_order_id)? {
        let first = Ingested::deserialize(&found.result)
            .map_err(|e| crate::error::Error::UnexpectedState(format!("the recorded sale: {e}")))?;
        return Done::of(&first);
    }
    stock_location::retrieve(tx, &sale.location_id)?;
    if let Some(channel) = &sale.sales_channel_id {
        sales_channel::retrieve(tx, channel)?;
    }
    let ctx = step.engine.ctx();
    let short = shortfalls(tx, &sale)?;
    let order_id = create_order(tx, step, &sale, &short)?;
    record_payments(tx, step, &sale, &order_id)?;
    fulfill_here(tx, step, &sale, &order_id)?;
    let placed = order::manage::complete(tx, ctx, &order_id)?;
    ctx.emit(
        tx,
        "order.placed",
        json!({"id": order_id, "customer_id": placed.customer_id, "currency_code": placed.currency_code,
               "total": money::to_json(sale.total, &placed.currency_code)}),
    )?;
    ctx.emit(tx, "order.completed", json!({ "id": order_id }))?;
    let result = Ingested {
        till_order_id: sale.till_order_id.clone(),
        order_id: order_id.clone(),
        display_id: placed.display_id,
        receipt_number: sale.receipt_number.clone(),
        register: sale.register.clone(),
        stock_short: !short.is_empty(),
        short,
    };
    let done = Done::of(&result)?;
    let record = Sale {
        order_id,
        stock_short: result.stock_short,
        result: done.output.clone(),
    };
    till_sync::record_sale(tx, ctx, &sale.till_order_id, &sale.register, &record)?;
    Ok(done)
}

/// Central's copy of the order: its own id and display id; the till's identity in metadata.
fn create_order(
    tx: &Tx,
    step: &StepCtx,
    sale: &SaleMessage,
    short: &[Shortfall],
) -> Result<String> {
    let mut metadata = match &sale.metadata {
        Some(Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    if !short.is_empty() {
        metadata.insert("pos_stock_short".into(), json!(short));
    }
    metadata.insert("pos_till_order_id".into(), json!(sale.till_order_id));
    metadata.insert("pos_register".into(), json!(sale.register));
    metadata.insert("pos_till_display_id".into(), json!(sale.till_display_id));
    metadata.insert("pos_placed_at".into(), json!(sale.placed_at));
    metadata
        .entry("receipt_number")
        .or_insert_with(|| json!(sale.receipt_number));
    let customer_id = match &sale.customer_id {
        Some(id) if customer::retrieve(tx, id).is_ok() => Some(id.clone()),
        Some(id) => {
            // A customer the till made offline: central keeps the email and the till's id.
            metadata.insert("pos_customer_id".into(), json!(id));
            None
        }
        None => None,
    };
    let input = order::NewOrder {
        region_id: sale.region_id.clone(),
        customer_id,
        sales_channel_id: sale.sales_channel_id.clone(),
        email: sale.email.clone(),
        currency_code: sale.currency_code.clone(),
        metadata: Some(Value::Object(metadata)),
        shipping_address: sale.shipping_address.clone(),
        billing_address: sale.billing_address.clone(),
        items: sale.items.iter().map(fresh_line).collect(),
        shipping_methods: sale.shipping_methods.clone(),
    };
    order::create(tx, step.engine.ctx(), &input)
}

/// A till line without the till's own row ids (central's rows get their own).
fn fresh_line(line: &LineItem) -> LineItem {
    let mut line = line.clone();
    line.id = String::new();
    line
}

fn record_payments(tx: &Tx, step: &StepCtx, sale: &SaleMessage, order_id: &str) -> Result<()> {
    let ctx = step.engine.ctx();
    let collection = payment::create_collection(
        tx,
        ctx,
        &sale.currency_code,
        sale.total,
        sale.region_id.as_deref(),
    )?;
    for tender in &sale.payments {
        recorded::record_captured(
            tx,
            ctx,
            &collection,
            &tender.provider_id,
            &sale.currency_code,
            tender.amount,
            &tender.data,
        )?;
    }
    links::order_payment_collection().create(
        tx,
        &ctx.id("ordpc"),
        order_id,
        &collection,
        &ctx.now(),
    )?;
    Ok(())
}

/// Where the sale takes more than is available at the till's location (managed variants,
/// lines of one item counted together): the order is flagged with these, never refused.
fn shortfalls(tx: &Tx, sale: &SaleMessage) -> Result<Vec<Shortfall>> {
    let location = std::slice::from_ref(&sale.location_id);
    let mut used: HashMap<String, i64> = HashMap::new();
    let mut short = Vec::new();
    for line in &sale.items {
        let Some(variant) = line.variant_id.as_deref() else {
            continue;
        };
        if !inventory_flags(tx, variant)?.0 {
            continue;
        }
        for item in links::variant_inventory_item().rights_of(tx, variant)? {
            let available = inventory::levels(tx, &item, location)?
                .first()
                .map_or(0, |l| l.available_quantity);
            let taken = used.entry(item.clone()).or_insert(0);
            let left = available - *taken;
            *taken += line.quantity;
            if line.quantity > left {
                short.push(Shortfall {
                    inventory_item_id: item.clone(),
                    variant_id: variant.to_string(),
                    location_id: sale.location_id.clone(),
                    quantity: line.quantity,
                    available: left.max(0),
                    short: line.quantity - left.max(0),
                });
            }
        }
    }
    Ok(short)
}

/// The customer walked out with the goods: one fulfillment at the till's location, its
/// units off the shelf there whatever was available (a missing level is created at 0).
fn fulfill_here(tx: &Tx, step: &StepCtx, sale: &SaleMessage, order_id: &str) -> Result<()> {
    let ctx = step.engine.ctx();
    let location = &sale.location_id;
    let mut items = Vec::new();
    for line in order::items::items_of(tx, order_id)? {
        let mut taken = None;
        if let Some(variant) = line.variant_id.as_deref()
            && inventory_flags(tx, variant)?.0
        {
            for item in links::variant_inventory_item().rights_of(tx, variant)? {
                if inventory::levels(tx, &item, std::slice::from_ref(location))?.is_empty() {
                    manage::create_level(tx, ctx, &item, location, 0, 0)?;
                }
                reservations::ship_unreserved(tx, ctx, &item, location, line.quantity, true)?;
                taken.get_or_insert(item);
            }
        }
        items.push(FulfillmentItem {
            title: line.title.clone(),
            sku: line.variant_sku.clone(),
            barcode: line.variant_barcode.clone(),
            quantity: line.quantity,
            line_item_id: Some(line.id.clone()),
            inventory_item_id: taken,
            ..Default::default()
        });
    }
    let metadata = json!({"pos_register": sale.register});
    let fulfillment = records::create(tx, ctx, location, None, &items, Some(&metadata))?;
    records::deliver(tx, ctx, &fulfillment)?; // shipped and delivered: handed over
    links::order_fulfillment().create(tx, &ctx.id("ordful"), order_id, &fulfillment, &ctx.now())?;
    ctx.emit(
        tx,
        "order.fulfillment_created",
        json!({"order_id": order_id, "fulfillment_id": fulfillment, "no_notification": true}),
    )?;
    Ok(())
}
