//! The admin's order document: the store's order JSON with what order management adds —
//! `canceled_at`, `fulfillments` (items, labels), each item's fulfilled / shipped / delivered
//! quantities, and `fulfillment_status` / `payment_status` derived from them and from the
//! payment collections; `summary` from the payments' captures and refunds and the
//! version's total before its change (`order::summary`); `version`; the
//! linked `customer`, `sales_channel` and `region` — and the `fields=` projection of the admin order routes.

use crate::error::Result;
use crate::flows::links;
use crate::http::fields::{Graph, project, selection};
use crate::http::store::checkout_json::{order_json, order_lines};
use crate::modules::fulfillment::records::{self, Fulfillment};
use crate::modules::order::{self, admin as order_admin};
use crate::modules::payment::{self, ledger};
use crate::modules::{customer, region, sales_channel};
use crate::money;
use rusqlite::Connection;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Top-level fields returned when no `fields` are requested (and the base of `+field`).
pub const DEFAULTS: &[&str] = &[
    "id",
    "display_id",
    "status",
    "email",
    "currency_code",
    "region_id",
    "customer_id",
    "sales_channel_id",
    "payment_status",
    "fulfillment_status",
    "total",
    "subtotal",
    "tax_total",
    "shipping_total",
    "item_total",
    "discount_total",
    "created_at",
    "updated_at",
    "canceled_at",
    "metadata",
    "summary",
    "*items",
    "*shipping_address",
    "*billing_address",
    "*shipping_methods",
    "*payment_collections",
    "*fulfillments",
];

const GRAPH: Graph = Graph {
    relations: &[
        "items",
        "shipping_methods",
        "fulfillments",
        "payment_collections",
        "shipping_address",
        "billing_address",
        "tax_lines",
        "payments",
        "payment_sessions",
        "labels",
        "detail",
        "adjustments",
        "credit_lines",
        "customer",
        "sales_channel",
        "region",
        "countries",
        "promotions",
    ],
    opaque: &["summary"],
    // An item's `detail` (its fulfilled, shipped, delivered and returned quantities) comes
    // with `*items` in Medusa: the dashboard's order page reads it without asking for it.
    embedded: &["items.detail"],
};

/// What every admin order read answers whatever `fields` asks: Medusa's `get-order-detail`
/// and `get-orders-list` workflows add these fields and compute the two statuses.
const ALWAYS: &[&str] = &[
    "+status",
    "+version",
    "+payment_status",
    "+fulfillment_status",
];

/// Per-line units: fulfilled, shipped, delivered.
type Progress = HashMap<String, (i64, i64, i64)>;

fn progress(fulfillments: &[Fulfillment]) -> Progress {
    let mut out: Progress = HashMap::new();
    for f in fulfillments.iter().filter(|f| f.canceled_at.is_none()) {
        for item in &f.items {
            let entry = out
                .entry(item.line_item_id.clone().unwrap_or_default())
                .or_default();
            entry.0 += item.quantity;
            if f.shipped_at.is_some() {
                entry.1 += item.quantity;
            }
            if f.delivered_at.is_some() {
                entry.2 += item.quantity;
            }
        }
    }
    out
}

fn fulfillment_status(items: &[Value], done: &Progress, canceled: bool) -> &'static str {
    if canceled {
        return "canceled";
    }
    let (mut ordered, mut f, mut s, mut d) = (0, 0, 0, 0);
    for item in items {
        let quantity = item["quantity"].as_i64().unwrap_or_default();
        let id = item["id"].as_str().unwrap_or_default();
        let (fi, si, di) = done.get(id).copied().unwrap_or_default();
        ordered += quantity;
        (f, s, d) = (f + fi, s + si, d + di);
    }
    match () {
        _ if d > 0 && d >= ordered => "delivered",
        _ if d > 0 => "partially_delivered",
        _ if s > 0 && s >= ordered => "shipped",
        _ if s > 0 => "partially_shipped",
        _ if f > 0 && f >= ordered => "fulfilled",
        _ if f > 0 => "partially_fulfilled",
        _ => "not_fulfilled",
    }
}

/// What the order's payments add up to, in minor units.
#[derive(Default)]
pub(super) struct Paid {
    authorized: i64,
    captured: i64,
    refunded: i64,
    /// Every payment canceled (vacuously true without payments).
    canceled: bool,
    any: bool,
}

pub(super) fn paid(conn: &Connection, order: &Map<String, Value>) -> Result<Paid> {
    let mut sums = Paid {
        canceled: true,
        ..Paid::default()
    };
    for collection in order["payment_collections"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for p in collection["payments"].as_array().into_iter().flatten() {
            let found = ledger::retrieve(conn, p["id"].as_str().unwrap_or_default())?;
            sums.any = true;
            sums.canceled &= found.payment.canceled_at.is_some();
            sums.authorized += found.payment.amount;
            sums.captured += found.captured();
            sums.refunded += found.refunded();
        }
    }
    Ok(sums)
}

fn payment_status(sums: &Paid, fallback: Value) -> Value {
    let status = match () {
        _ if !sums.any => return fallback,
        _ if sums.refunded > 0 && sums.refunded >= sums.captured => "refunded",
        _ if sums.refunded > 0 => "partially_refunded",
        _ if sums.canceled => "canceled",
        _ if sums.captured > 0 && sums.captured >= sums.authorized => "captured",
        _ if sums.captured > 0 => "partially_captured",
        _ => return fallback,
    };
    json!(status)
}

/// Medusa's order summary: `current_order_total` is the order's current total (the order
/// module's `summary::current_total`: requested and received returns and claims take what
/// they refund off it, so a return makes the pending difference negative — owed back — until
/// staff refund it); `original_order_total` the total before the change that made the order's
/// version (the current total for a version without a row); the transactions are the
/// payments' captures (plus their amount) and refunds (minus theirs), and what they do not
/// cover is pending.
pub(super) fn summary(original: i64, current: i64, sums: &Paid, currency: &str) -> Value {
    let transactions = sums.captured - sums.refunded;
    let t = money::to_json(current, currency);
    json!({
        "pending_difference": money::to_json(current - transactions, currency),
        "current_order_total": t,
        "original_order_total": money::to_json(original, currency),
        "transaction_total": money::to_json(transactions, currency),
        "paid_total": money::to_json(sums.captured, currency),
        "refunded_total": money::to_json(sums.refunded, currency),
        "accounting_total": t,
        "credit_line_total": 0,
    })
}

/// The linked records the dashboard asks for with `*customer`, `*sales_channel` and
/// `region.*`: `null` when unset or gone.
fn relations(conn: &Connection, m: &mut Map<String, Value>) -> Result<()> {
    let id =
        |m: &Map<String, Value>, key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
    let customer = match id(m, "customer_id") {
        Some(c) => customer::retrieve(conn, &c).ok().map(|c| {
            let mut doc = serde_json::to_value(c).unwrap_or(Value::Null);
            if let Some(map) = doc.as_object_mut() {
                map.remove("addresses");
            }
            doc
        }),
        None => None,
    };
    m.insert("customer".into(), customer.unwrap_or(Value::Null));
    let channel = id(m, "sales_channel_id")
        .and_then(|c| sales_channel::retrieve(conn, &c).ok())
        .and_then(|c| serde_json::to_value(c).ok());
    m.insert("sales_channel".into(), channel.unwrap_or(Value::Null));
    let region = id(m, "region_id")
        .and_then(|r| region::retrieve(conn, &r).ok())
        .and_then(|r| serde_json::to_value(r).ok());
    m.insert("region".into(), region.unwrap_or(Value::Null));
    // The store order document already lists the promotions behind its adjustments.
    m.entry("promotions").or_insert_with(|| json!([]));
    Ok(())
}

/// The admin order document.
///
/// # Errors
/// 404 for an unknown order; database failures.
pub fn admin_order_json(conn: &Connection, order_id: &str) -> Result<Value> {
    let Value::Object(mut m) = order_json(conn, order_id)? else {
        return Ok(Value::Null);
    };
    let fulfillments = links::order_fulfillment()
        .rights_of(conn, order_id)?
        .iter()
        .map(|id| records::retrieve(conn, id))
        .collect::<Result<Vec<_>>>()?;
    let done = progress(&fulfillments);
    let canceled_at = order_admin::canceled_at(conn, order_id)?;
    let returned = order::returns::detail_by_line(conn, order_id)?;
    if let Some(Value::Array(items)) = m.get_mut("items") {
        for item in items.iter_mut() {
            let id = item["id"].as_str().unwrap_or_default().to_string();
            let (f, s, d) = done.get(&id).copied().unwrap_or_default();
            let (asked, back, damaged) = returned.get(&id).copied().unwrap_or_default();
            if let Some(detail) = item.get_mut("detail").and_then(Value::as_object_mut) {
                detail.insert("fulfilled_quantity".into(), json!(f));
                detail.insert("shipped_quantity".into(), json!(s));
                detail.insert("delivered_quantity".into(), json!(d));
                detail.insert("return_requested_quantity".into(), json!(asked));
                detail.insert("return_received_quantity".into(), json!(back));
                detail.insert("return_dismissed_quantity".into(), json!(damaged));
            }
        }
    }
    let items = m
        .get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let status = fulfillment_status(&items, &done, canceled_at.is_some());
    m.insert("fulfillment_status".into(), json!(status));
    let fallback = m.get("payment_status").cloned().unwrap_or(Value::Null);
    let sums = paid(conn, &m)?;
    m.insert("payment_status".into(), payment_status(&sums, fallback));
    let found = order::retrieve(conn, order_id)?;
    // The exact total, read back from its `raw_total` decimal text (never from a float).
    let total = m["raw_total"]["value"]
        .as_str()
        .and_then(|t| money::parse_major(t, &found.currency_code).ok())
        .unwrap_or_default();
    let current = total
        - order::returns::refund_owed(conn, order_id)?
        - order::after_sales::claims_owed(conn, order_id)?;
    let original = order::summary::original_total(conn, &found)?.unwrap_or(current);
    m.insert(
        "summary".into(),
        summary(original, current, &sums, &found.currency_code),
    );
    m.insert("version".into(), json!(found.version));
    relations(conn, &mut m)?;
    m.insert("canceled_at".into(), json!(canceled_at));
    let docs: Vec<Value> = fulfillments
        .iter()
        .map(|f| serde_json::to_value(f).unwrap_or(Value::Null))
        .collect();
    m.insert("fulfillments".into(), Value::Array(docs));
    Ok(Value::Object(m))
}

/// What the admin UI's order list shows of an order beyond its row: the total and the
/// payment and fulfillment statuses, derived exactly as in [`admin_order_json`] but without
/// building the document (no item documents, addresses, promotions or linked records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSummary {
    /// The order's total, in minor units.
    pub total: i64,
    /// As the document's `payment_status`.
    pub payment_status: String,
    /// As the document's `fulfillment_status`.
    pub fulfillment_status: String,
}

/// The [`ListSummary`] of `order`.
///
/// # Errors
/// Database failures.
pub fn list_summary(conn: &Connection, found: &order::Order) -> Result<ListSummary> {
    let lines = order_lines(conn, &found.id)?;
    let total = lines.totals.total();
    let mut collections = Vec::new();
    let mut authorized = 0;
    for id in links::order_payment_collection().rights_of(conn, &found.id)? {
        let collection = payment::retrieve_collection(conn, &id)?;
        authorized += collection.authorized_amount;
        let payments: Vec<Value> = collection
            .payments
            .iter()
            .map(|p| json!({ "id": p.id }))
            .collect();
        collections.push(json!({ "payments": payments }));
    }
    let fallback = if authorized >= total && authorized > 0 {
        "authorized"
    } else {
        "not_paid"
    };
    let mut doc = Map::new();
    doc.insert("payment_collections".into(), Value::Array(collections));
    let sums = paid(conn, &doc)?;
    let fulfillments = links::order_fulfillment()
        .rights_of(conn, &found.id)?
        .iter()
        .map(|id| records::retrieve(conn, id))
        .collect::<Result<Vec<_>>>()?;
    let items: Vec<Value> = lines
        .items
        .iter()
        .map(|i| json!({"id": i.id, "quantity": i.quantity}))
        .collect();
    let canceled = order_admin::canceled_at(conn, &found.id)?.is_some();
    let fulfillment = fulfillment_status(&items, &progress(&fulfillments), canceled);
    let payment = payment_status(&sums, json!(fallback));
    Ok(ListSummary {
        total,
        payment_status: payment.as_str().unwrap_or(fallback).to_string(),
        fulfillment_status: fulfillment.to_string(),
    })
}

/// Applies a `fields=` selection (absent: the whole document).
pub fn select(mut order: Value, fields: Option<&str>) -> Value {
    if let (Some(f), Value::Object(map)) = (fields, &mut order) {
        project(map, &selection(Some(f), DEFAULTS, ALWAYS), &GRAPH, "");
    }
    order
}
