//! The exchange and claim documents of `/admin/exchanges` and `/admin/claims` (Medusa's
//! `AdminExchange` / `AdminClaim`): the record, its `additional_items` (outbound lines) — and
//! a claim's `claim_items` with their reasons — each with its order line as `item`, its
//! inbound `return` (items and shipping) when it has one, amounts in major units.

use super::return_json::return_json;
use crate::error::Result;
use crate::modules::order::after_sales::{self, AfterSale, Kind};
use crate::modules::order::{self, LineItem};
use crate::money;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

fn object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The order line an item names, with its price in major units (`null` once removed).
fn line_doc(lines: &[LineItem], id: &str, currency: &str) -> Value {
    lines.iter().find(|l| l.id == id).map_or(Value::Null, |l| {
        let mut doc = object(l);
        doc.insert("unit_price".into(), money::to_json(l.unit_price, currency));
        Value::Object(doc)
    })
}

/// An exchange or claim document.
///
/// # Errors
/// 404 for an unknown record; database failures.
pub fn after_sale_json(conn: &Connection, kind: Kind, id: &str) -> Result<Value> {
    let found = after_sales::retrieve(conn, kind, id)?;
    document(conn, &found)
}

/// The document of a loaded record.
///
/// # Errors
/// Database failures.
pub fn document(conn: &Connection, found: &AfterSale) -> Result<Value> {
    let currency = order::retrieve(conn, &found.order_id)?.currency_code;
    let mut m = object(found);
    for key in ["refund_amount", "difference_due"] {
        if let Some(Value::Number(n)) = m.get(key).cloned() {
            let minor = n.as_i64().unwrap_or_default();
            m.insert(key.into(), money::to_json(minor, &currency));
        }
    }
    if found.kind == Kind::Claim {
        m.entry("refund_amount").or_insert(Value::Null);
    } else {
        m.entry("difference_due").or_insert(Value::Null);
    }
    let lines = order::items::items_of(conn, &found.order_id)?;
    let (mut sent, mut claimed) = (Vec::new(), Vec::new());
    for item in after_sales::items_of(conn, found)? {
        let mut doc = object(&item);
        doc.insert(found.kind.column().into(), json!(found.id));
        doc.insert("item".into(), line_doc(&lines, &item.item_id, &currency));
        if found.kind == Kind::Exchange {
            doc.remove("is_additional_item");
            doc.remove("reason");
        }
        if item.is_additional_item {
            sent.push(Value::Object(doc));
        } else {
            claimed.push(Value::Object(doc));
        }
    }
    m.insert("additional_items".into(), Value::Array(sent));
    if found.kind == Kind::Claim {
        m.insert("claim_items".into(), Value::Array(claimed));
    }
    let inbound = match found.return_id.as_deref() {
        Some(r) => return_json(conn, r).unwrap_or(Value::Null),
        None => Value::Null,
    };
    m.insert("return".into(), inbound);
    Ok(Value::Object(m))
}
