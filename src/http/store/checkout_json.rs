//! Carts, payment collections and orders as Medusa's Store API shows them: amounts in major
//! units (with `raw_*` twins where Medusa sends them), totals computed on read, and every
//! relation the Next.js starter's `fields=` strings ask for (`*items.product`,
//! `*items.variant`, `*region`, `*payment_collection.payment_sessions`, …).

use super::item_text::{Owner, write_items, write_methods};
use crate::error::Result;
use crate::flows::links;
use crate::http::json_out::{self, Obj};
use crate::modules::{order, payment};
use crate::money::write_json_pair;
use crate::money::{raw_json, to_json};
use crate::totals::{Line, Totals};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value, json};

fn object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn money(map: &mut Map<String, Value>, key: &str, minor: Option<i64>, currency: &str) {
    map.insert(
        key.into(),
        minor.map_or(Value::Null, |m| to_json(m, currency)),
    );
    map.insert(
        format!("raw_{key}"),
        minor.map_or(Value::Null, |m| raw_json(m, currency)),
    );
}

/// The promotions behind a cart's or order's adjustments, as the storefront reads them.
pub(super) fn promotions_json<'a>(
    conn: &Connection,
    adjustments: impl Iterator<Item = &'a crate::lines::Adjustment>,
) -> Result<Value> {
    let mut ids: Vec<String> = Vec::new();
    for id in adjustments.filter_map(|a| a.promotion_id.clone()) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok(json!([]));
    }
    let found = crate::modules::promotion::model::by_ids(conn, &ids)?;
    Ok(Value::Array(
        found
            .iter()
            .map(|p| {
                let method = p.application_method.as_ref().map(|m| json!({
                    "id": m.id, "type": m.kind, "target_type": m.target_type, "allocation": m.allocation,
                    "value": crate::http::admin::promotion_json::number(&m.value),
                    "currency_code": m.currency_code,
                }));
                json!({"id": p.id, "code": p.code, "type": p.kind, "status": p.status,
                    "is_automatic": p.is_automatic, "is_tax_inclusive": p.is_tax_inclusive,
                    "application_method": method})
            })
            .collect(),
    ))
}

/// A payment collection with its sessions and payments.
pub fn collection_json(collection: &payment::Collection) -> Value {
    let currency = collection.currency_code.as_str();
    let mut m = object(collection);
    for key in [
        "amount",
        "authorized_amount",
        "captured_amount",
        "refunded_amount",
    ] {
        let minor = m.get(key).and_then(Value::as_i64);
        money(&mut m, key, minor, currency);
    }
    m.insert("completed_at".into(), Value::Null);
    m.insert("metadata".into(), Value::Null);
    m.insert("deleted_at".into(), Value::Null);
    let sessions = collection.payment_sessions.iter().map(|s| {
        let mut sm = object(s);
        money(&mut sm, "amount", Some(s.amount), currency);
        sm.insert("context".into(), json!({}));
        sm.insert("metadata".into(), json!({}));
        sm.insert("payment".into(), Value::Null);
        Value::Object(sm)
    });
    m.insert("payment_sessions".into(), Value::Array(sessions.collect()));
    let payments = collection.payments.iter().map(|p| {
        let mut pm = object(p);
        money(&mut pm, "amount", Some(p.amount), currency);
        Value::Object(pm)
    });
    m.insert("payments".into(), Value::Array(payments.collect()));
    Value::Object(m)
}

/// [`collection_json`] written as text: the same document (a test compares the two) without
/// building and dropping a value tree (a checkout renders three collections: the answers to
/// creating the collection and its session, and the order's).
pub fn write_collection(out: &mut String, collection: &payment::Collection) {
    let currency = collection.currency_code.as_str();
    let mut o = Obj::start(out);
    o.str("id", Some(&collection.id));
    o.str("currency_code", Some(currency));
    o.str("status", Some(&collection.status));
    o.str("created_at", Some(&collection.created_at));
    o.str("updated_at", Some(&collection.updated_at));
    for (key, minor) in [
        ("amount", collection.amount),
        ("authorized_amount", collection.authorized_amount),
        ("captured_amount", collection.captured_amount),
        ("refunded_amount", collection.refunded_amount),
    ] {
        o.with_separator(|out| write_json_pair(out, key, minor, currency));
    }
    for key in ["completed_at", "metadata", "deleted_at"] {
        o.raw(key, "null");
    }
    json_out::array(
        o.key("payment_sessions"),
        &collection.payment_sessions,
        |out, s| {
            let mut so = Obj::start(out);
            so.str("id", Some(&s.id));
            so.str("payment_collection_id", Some(&s.payment_collection_id));
            so.str("provider_id", Some(&s.provider_id));
            so.str("currency_code", Some(&s.currency_code));
            so.with_separator(|out| write_json_pair(out, "amount", s.amount, currency));
            so.value("data", Some(&s.data));
            so.str("status", Some(&s.status));
            so.str("authorized_at", s.authorized_at.as_deref());
            so.str("created_at", Some(&s.created_at));
            so.raw("context", "{}");
            so.raw("metadata", "{}");
            so.raw("payment", "null");
            so.end();
        },
    );
    json_out::array(o.key("payments"), &collection.payments, |out, p| {
        let mut po = Obj::start(out);
        po.str("id", Some(&p.id));
        po.str("payment_collection_id", Some(&p.payment_collection_id));
        po.str("payment_session_id", Some(&p.payment_session_id));
        po.str("provider_id", Some(&p.provider_id));
        po.str("currency_code", Some(&p.currency_code));
        po.with_separator(|out| write_json_pair(out, "amount", p.amount, currency));
        po.value("data", Some(&p.data));
        po.str("captured_at", p.captured_at.as_deref());
        po.str("canceled_at", p.canceled_at.as_deref());
        po.str("created_at", Some(&p.created_at));
        po.end();
    });
    o.end();
}

/// A document's totals fields (`total`, `subtotal`, … and their `raw_` forms) in major units.
pub fn totals_fields(totals: &Totals, currency: &str) -> Map<String, Value> {
    let mut m = Map::new();
    for (key, minor) in totals.fields() {
        m.insert(key.into(), to_json(minor, currency));
        m.insert(format!("raw_{key}"), raw_json(minor, currency));
    }
    m
}

/// An order's lines and totals: what its document and the admin UI's order list both add up.
pub struct OrderLines {
    /// The line items with their tax lines and adjustments.
    pub items: std::rc::Rc<Vec<order::LineItem>>,
    /// The shipping methods with theirs.
    pub methods: std::rc::Rc<Vec<order::ShippingMethod>>,
    item_lines: Vec<Line>,
    method_lines: Vec<Line>,
    /// The order's totals.
    pub totals: Totals,
}

/// Loads an order's lines and computes its totals.
///
/// # Errors
/// Database failures; amounts out of range.
pub fn order_lines(conn: &Connection, order_id: &str) -> Result<OrderLines> {
    let items = order::items::shared_items_of(conn, order_id)?;
    let methods = order::shipping::shared_methods_of(conn, order_id)?;
    let item_lines: Vec<Line> = items.iter().map(order::LineItem::totals_line).collect();
    let method_lines: Vec<Line> = methods
        .iter()
        .map(order::ShippingMethod::totals_line)
        .collect();
    let totals = Totals::of(&item_lines, &method_lines)?;
    Ok(OrderLines {
        items,
        methods,
        item_lines,
        method_lines,
        totals,
    })
}

/// The full order document, as JSON values (the admin routes add to it): [`order_text`]
/// parsed.
///
/// # Errors
/// 404 for an unknown order; database failures.
pub fn order_json(conn: &Connection, order_id: &str) -> Result<Value> {
    Ok(serde_json::from_str(&order_text(conn, order_id)?)?)
}

/// The full order document as JSON text (the storefront's answer when a cart completes):
/// its own fields, totals, items with their `detail`, shipping methods, addresses,
/// promotions, payment collections, statuses and summary.
///
/// # Errors
/// 404 for an unknown order; database failures.
pub fn order_text(conn: &Connection, order_id: &str) -> Result<String> {
    let found = order::retrieve(conn, order_id)?;
    let currency = found.currency_code.as_str();
    let OrderLines {
        items,
        methods,
        item_lines,
        method_lines,
        totals,
    } = order_lines(conn, order_id)?;
    let mut out = String::with_capacity(8 * 1024);
    let mut o = Obj::extend(&mut out, &found)?;
    for (key, minor) in totals.fields() {
        o.with_separator(|out| write_json_pair(out, key, minor, currency));
    }
    let owner = Owner::Order(order_id);
    write_items(o.key("items"), conn, &items, &item_lines, currency, owner)?;
    write_methods(
        o.key("shipping_methods"),
        &methods,
        &method_lines,
        currency,
        owner,
    )?;
    for (key, id) in [
        ("shipping_address", &found.shipping_address_id),
        ("billing_address", &found.billing_address_id),
    ] {
        o.serialized(key, &order::address(conn, id.as_deref())?)?;
    }
    o.raw("credit_lines", "[]");
    let adjustments = items
        .iter()
        .flat_map(|i| &i.adjustments)
        .chain(methods.iter().flat_map(|s| &s.adjustments));
    o.serialized("promotions", &promotions_json(conn, adjustments)?)?;
    let mut authorized = 0;
    let list = o.key("payment_collections");
    list.push('[');
    for (i, id) in links::order_payment_collection()
        .rights_of(conn, order_id)?
        .iter()
        .enumerate()
    {
        let collection = payment::retrieve_collection(conn, id)?;
        authorized += collection.authorized_amount;
        if i > 0 {
            list.push(',');
        }
        write_collection(list, &collection);
    }
    list.push(']');
    let status = if authorized >= totals.total() && authorized > 0 {
        "authorized"
    } else {
        "not_paid"
    };
    o.str("payment_status", Some(status));
    o.str("fulfillment_status", Some("not_fulfilled"));
    o.raw("fulfillments", "[]");
    let t = to_json(totals.total(), currency);
    let summary = json!({"pending_difference": t, "current_order_total": t, "original_order_total": t,
        "transaction_total": 0, "paid_total": 0, "refunded_total": 0, "accounting_total": t, "credit_line_total": 0});
    o.serialized("summary", &summary)?;
    o.end();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection() -> payment::Collection {
        let session = |id: &str, status: &str, authorized_at: Option<&str>| payment::Session {
            id: id.into(),
            payment_collection_id: "pay_col_1".into(),
            provider_id: "pp_system_default".into(),
            currency_code: "eur".into(),
            amount: 12_345,
            data: json!({"note": "a \"quoted\" line\nand more", "n": [1, 2.5]}),
            status: status.into(),
            authorized_at: authorized_at.map(Into::into),
            created_at: "2026-12-08T01:02:03.004Z".into(),
        };
        payment::Collection {
            id: "pay_col_1".into(),
            currency_code: "eur".into(),
            amount: 12_345,
            status: "authorized".into(),
            authorized_amount: 12_345,
            captured_amount: 0,
            refunded_amount: -5,
            created_at: "2026-12-08T01:02:03.004Z".into(),
            updated_at: "2026-12-08T01:02:04.000Z".into(),
            payment_sessions: vec![
                session("payses_1", "authorized", Some("2026-12-08T01:02:04.000Z")),
                session("payses_2", "pending", None),
            ],
            payments: vec![payment::Payment {
                id: "pay_1".into(),
                payment_collection_id: "pay_col_1".into(),
                payment_session_id: "payses_1".into(),
                provider_id: "pp_system_default".into(),
                currency_code: "eur".into(),
                amount: 12_345,
                data: json!({}),
                captured_at: None,
                canceled_at: Some("2026-12-08T01:02:05.000Z".into()),
                created_at: "2026-12-08T01:02:04.000Z".into(),
            }],
        }
    }

    #[test]
    fn a_collection_written_as_text_is_the_collection_document() {
        for c in [
            collection(),
            payment::Collection {
                payment_sessions: Vec::new(),
                payments: Vec::new(),
                currency_code: "jpy".into(),
                ..collection()
            },
        ] {
            let mut text = String::new();
            write_collection(&mut text, &c);
            let written: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(written, collection_json(&c));
        }
    }
}
