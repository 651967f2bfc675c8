//! The return document of `/admin/returns` and `/store/returns` (Medusa's
//! `defaultAdminDetailsReturnFields`: the return, `items` with their `reason`, and here also
//! its `shipping_methods`), amounts in major units, and the `fields=` projection.

use crate::error::Result;
use crate::http::fields::{Graph, project, selection};
use crate::modules::order::{self, return_reason, returns};
use crate::money;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// Medusa's `defaultAdminReturnFields` (the list's defaults).
pub const LIST_DEFAULTS: &[&str] = &[
    "id",
    "order_id",
    "exchange_id",
    "claim_id",
    "display_id",
    "location_id",
    "order_version",
    "status",
    "metadata",
    "no_notification",
    "refund_amount",
    "created_by",
    "created_at",
    "updated_at",
    "canceled_at",
    "requested_at",
    "received_at",
];

const GRAPH: Graph = Graph {
    relations: &["items", "reason", "shipping_methods"],
    opaque: &[],
    embedded: &[],
};

fn object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// A return with its items (and their reasons) and shipping methods.
///
/// # Errors
/// 404 for an unknown return; database failures.
pub fn return_json(conn: &Connection, id: &str) -> Result<Value> {
    let found = returns::retrieve(conn, id)?;
    let currency = order::retrieve(conn, &found.order_id)?.currency_code;
    let mut m = object(&found);
    let refund = found
        .refund_amount
        .map_or(Value::Null, |a| money::to_json(a, &currency));
    m.insert("refund_amount".into(), refund);
    let mut items = Vec::new();
    for item in returns::items_of(conn, id)? {
        let mut doc = object(&item);
        let reason = match item.reason_id.as_deref() {
            Some(r) => return_reason::retrieve(conn, r)
                .ok()
                .map(|r| Value::Object(object(&r))),
            None => None,
        };
        doc.insert("reason".into(), reason.unwrap_or(Value::Null));
        items.push(Value::Object(doc));
    }
    m.insert("items".into(), Value::Array(items));
    let shipping: Vec<Value> = returns::shipping_of(conn, id)?
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "return_id": s.return_id, "name": s.name,
                "shipping_option_id": s.shipping_option_id,
                "amount": money::to_json(s.amount, &currency),
            })
        })
        .collect();
    m.insert("shipping_methods".into(), Value::Array(shipping));
    Ok(Value::Object(m))
}

/// Applies a `fields=` selection; without one, a list shows [`LIST_DEFAULTS`] and a single
/// return the whole document.
pub fn select(mut doc: Value, fields: Option<&str>, list: bool) -> Value {
    if let Value::Object(map) = &mut doc
        && (fields.is_some() || list)
    {
        project(map, &selection(fields, LIST_DEFAULTS, &[]), &GRAPH, "");
    }
    doc
}
