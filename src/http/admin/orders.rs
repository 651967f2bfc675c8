//! `/admin/orders` (reference §4.4): list with filters, retrieve, fulfillments, shipments,
//! delivery, fulfillment cancel, cancel; and `/admin/payments/:id` capture and refund.
//! Handlers validate, run the workflow (`flows::orders`) under the request's
//! `Idempotency-Key`, and answer the order (or payment) document.

use super::order_json::{admin_order_json, select};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::{cancel, fulfill, payments};
use crate::http::fields::{ids, page, string, strings};
use crate::http::store::checkout_json::collection_json;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::order::admin::{self as order_admin, OrderFilter};
use crate::modules::payment::{self, ledger};
use crate::money;
use crate::workflow::Handle;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new("GET", "/admin/orders", a, "List orders", list),
        Route::new("GET", "/admin/orders/:id", a, "Retrieve an order", retrieve),
        Route::new(
            "POST",
            "/admin/orders/:id/cancel",
            a,
            "Cancel an order",
            cancel,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/fulfillments",
            a,
            "Create a fulfillment",
            fulfill,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/fulfillments/:fulfillment_id/shipments",
            a,
            "Ship a fulfillment",
            ship,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/fulfillments/:fulfillment_id/mark-as-delivered",
            a,
            "Mark a fulfillment delivered",
            deliver,
        ),
        Route::new(
            "GET",
            "/admin/payments/:id",
            a,
            "Retrieve a payment",
            payment,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/fulfillments/:fulfillment_id/cancel",
            a,
            "Cancel a fulfillment",
            cancel_fulfillment,
        ),
        Route::new(
            "POST",
            "/admin/payments/:id/capture",
            a,
            "Capture a payment",
            capture,
        ),
        Route::new(
            "POST",
            "/admin/payments/:id/refund",
            a,
            "Refund a payment",
            refund,
        ),
    ]
}

pub(super) fn ranges(query: &Map<String, Value>, key: &str) -> Result<Vec<(String, String)>> {
    match query.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Object(ops)) => ops
            .iter()
            .map(|(op, v)| match v {
                Value::String(s) => Ok((op.clone(), s.clone())),
                _ => Err(Error::invalid(format!(
                    "Invalid request: Expected type: 'string' for field '{key}, {op}'"
                ))),
            })
            .collect(),
        Some(_) => Err(Error::invalid(format!(
            "Invalid request: Expected type: 'object' for field '{key}'"
        ))),
    }
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&request.query, 50)?;
    let q = &request.query;
    let filter = OrderFilter {
        ids: ids(q)?,
        statuses: strings(q, "status")?,
        customer_ids: strings(q, "customer_id")?,
        region_ids: strings(q, "region_id")?,
        sales_channel_ids: strings(q, "sales_channel_id")?,
        created_at: ranges(q, "created_at")?,
        updated_at: ranges(q, "updated_at")?,
        q: string(q, "q")?,
        drafts: false,
        display_id: None,
        oldest_first: false,
    };
    let limit = limit.min(i64::MAX as u64);
    let offset = offset.min(i64::MAX as u64);
    let (orders, count) = engine.store().read(|conn| {
        let (orders, count) = order_admin::list(conn, &filter, offset, limit)?;
        let docs = orders
            .iter()
            .map(|o| admin_order_json(conn, &o.id).map(|d| select(d, fields.as_deref())))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })?;
    Ok(Response::json(list_envelope(
        "orders", orders, count, offset, limit,
    )))
}

pub(super) fn order_reply(engine: &Engine, request: &Request, id: &str) -> Result<Response> {
    let fields = request.query_str("fields").map(str::to_string);
    let doc = engine.store().read(|conn| admin_order_json(conn, id))?;
    Ok(Response::json(
        json!({ "order": select(doc, fields.as_deref()) }),
    ))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    order_reply(engine, request, request.param("id"))
}

/// Runs a typed workflow on a checked body under the request's `Idempotency-Key`, scoped to
/// the path (as the store routes do) so one key reused on another order or payment never
/// replays that one's answer; the body is parsed as the handle's input first.
pub(crate) fn run_handle<I, O>(
    engine: &Engine,
    request: &Request,
    handle: Handle<I, O>,
    input: Value,
) -> Result<O>
where
    I: Serialize + DeserializeOwned + 'static,
    O: DeserializeOwned,
{
    let key = request
        .header("idempotency-key")
        .map(|k| format!("{}:{k}", request.path));
    handle.run_json(engine, input, key.as_deref())
}

fn cancel(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new().optional("no_notification", Kind::Boolean))?;
    let id = request.param("id");
    run_handle(engine, request, cancel::CANCEL, json!({ "order_id": id }))?;
    order_reply(engine, request, id)
}

fn item_schema() -> Schema {
    Schema::new()
        .required("id", Kind::String)
        .required("quantity", Kind::Integer)
}

fn fulfill(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .array("items", item_schema())
            .optional("location_id", Kind::String.nullable())
            .optional("shipping_option_id", Kind::String.nullable())
            .optional("no_notification", Kind::Boolean)
            .optional("metadata", Kind::Object.nullable())
            .optional("additional_data", Kind::Object.nullable()),
    )?;
    let id = request.param("id");
    body["order_id"] = json!(id);
    run_handle(engine, request, fulfill::CREATE_FULFILLMENT, body)?;
    order_reply(engine, request, id)
}

fn ship(engine: &Engine, request: &Request) -> Result<Response> {
    let label = Schema::new()
        .required("tracking_number", Kind::String)
        .required("tracking_url", Kind::String)
        .required("label_url", Kind::String);
    let mut body = request.body_with(
        &Schema::new()
            .array("items", item_schema())
            .optional_array("labels", label)
            .optional("no_notification", Kind::Boolean)
            .optional("metadata", Kind::Object.nullable())
            .optional("additional_data", Kind::Object.nullable()),
    )?;
    let id = request.param("id");
    body["order_id"] = json!(id);
    body["fulfillment_id"] = json!(request.param("fulfillment_id"));
    run_handle(engine, request, fulfill::CREATE_SHIPMENT, body)?;
    order_reply(engine, request, id)
}

fn deliver(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new())?;
    let id = request.param("id");
    let input = json!({"order_id": id, "fulfillment_id": request.param("fulfillment_id")});
    run_handle(engine, request, fulfill::MARK_DELIVERED, input)?;
    order_reply(engine, request, id)
}

fn cancel_fulfillment(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(&Schema::new().optional("no_notification", Kind::Boolean))?;
    let id = request.param("id");
    body["order_id"] = json!(id);
    body["fulfillment_id"] = json!(request.param("fulfillment_id"));
    run_handle(engine, request, fulfill::CANCEL_FULFILLMENT, body)?;
    order_reply(engine, request, id)
}

fn payment_reply(engine: &Engine, id: &str) -> Result<Response> {
    let doc = engine.store().read(|conn| payment_doc(conn, id))?;
    Ok(Response::json(json!({ "payment": doc })))
}

/// A payment with its amounts, captures, refunds and collection, as the admin API shows it.
///
/// # Errors
/// 404 for an unknown payment.
pub(super) fn payment_doc(conn: &rusqlite::Connection, id: &str) -> Result<Value> {
    {
        let found = ledger::retrieve(conn, id)?;
        let currency = found.payment.currency_code.clone();
        let collection = payment::retrieve_collection(conn, &found.payment.payment_collection_id)?;
        let mut m = match serde_json::to_value(&found.payment)? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        m.insert(
            "amount".into(),
            money::to_json(found.payment.amount, &currency),
        );
        m.insert(
            "captured_amount".into(),
            money::to_json(found.captured(), &currency),
        );
        m.insert(
            "refunded_amount".into(),
            money::to_json(found.refunded(), &currency),
        );
        let captures: Vec<Value> = found.captures.iter().map(|(id, amount, at)| {
            json!({"id": id, "amount": money::to_json(*amount, &currency), "created_at": at})
        }).collect();
        let refunds: Vec<Value> = found.refunds.iter().map(|(id, amount, note, at)| {
            json!({"id": id, "amount": money::to_json(*amount, &currency), "note": note, "created_at": at})
        }).collect();
        m.insert("captures".into(), Value::Array(captures));
        m.insert("refunds".into(), Value::Array(refunds));
        m.insert("payment_collection".into(), collection_json(&collection));
        Ok(Value::Object(m))
    }
}

fn payment(engine: &Engine, request: &Request) -> Result<Response> {
    payment_reply(engine, request.param("id"))
}

fn capture(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&Schema::new().optional("amount", Kind::Number))?;
    let id = request.param("id");
    let input = json!({"payment_id": id, "amount": body.get("amount")});
    run_handle(engine, request, payments::CAPTURE_PAYMENT, input)?;
    payment_reply(engine, id)
}

fn refund(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("amount", Kind::Number)
            .optional("refund_reason_id", Kind::String.nullable())
            .optional("note", Kind::String.nullable()),
    )?;
    let id = request.param("id");
    let input = json!({"payment_id": id, "amount": body.get("amount"), "note": body.get("note")});
    run_handle(engine, request, payments::REFUND_PAYMENT, input)?;
    payment_reply(engine, id)
}
