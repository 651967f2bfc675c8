//! `/admin/draft-orders` (Medusa 2.21.2): create (`email` or `customer_id`, `region_id`,
//! `items` — a `variant_id`, or a custom `title` and `unit_price` —, addresses, one shipping
//! method — `name` and `amount`, or a `shipping_option_id`), list (`q` over the email and the
//! display id, `id`, `customer_id`, `region_id`, `sales_channel_id`, `created_at` /
//! `updated_at` ranges, `limit` / `offset`), retrieve, convert (`POST …/convert-to-order`: the same id,
//! now `pending`, answered as `{order}`), update (`POST …/:id`: email, customer, sales
//! channel, addresses, metadata) and delete; `promo_codes` on create link promotions.
//! Drafts answer as the admin order document under `draft_order`; they are not in
//! `/admin/orders`.

use super::order_json::{admin_order_json, select};
use super::orders::{ranges, run_handle};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::draft_types::{CONVERT_DRAFT, CREATE_DRAFT, DELETE_DRAFT, UPDATE_DRAFT};
use crate::http::fields::{ids, page, string, strings};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::order::{self, admin::OrderFilter};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    type Handler = fn(&Engine, &Request) -> Result<Response>;
    let r = |method, path: &str, what, handler: Handler| Route::new(method, path, a, what, handler);
    vec![
        r("GET", "/admin/draft-orders", "List draft orders", list),
        r(
            "POST",
            "/admin/draft-orders",
            "Create a draft order",
            create,
        ),
        r(
            "GET",
            "/admin/draft-orders/:id",
            "Retrieve a draft order",
            retrieve,
        ),
        r(
            "POST",
            "/admin/draft-orders/:id",
            "Update a draft order",
            update,
        ),
        r(
            "DELETE",
            "/admin/draft-orders/:id",
            "Delete a draft order",
            delete,
        ),
        r(
            "POST",
            "/admin/draft-orders/:id/convert-to-order",
            "Convert a draft order to an order",
            convert,
        ),
    ]
}

/// A draft's document; 404 when the id names no draft.
fn draft_json(conn: &Connection, id: &str) -> Result<Value> {
    let found = order::retrieve(conn, id).map_err(|_| Error::not_found("Draft order", id))?;
    if found.status != "draft" {
        return Err(Error::not_found("Draft order", id));
    }
    admin_order_json(conn, id)
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&request.query, 50)?;
    let query = &request.query;
    let filter = OrderFilter {
        ids: ids(query)?,
        q: string(query, "q")?,
        customer_ids: strings(query, "customer_id")?,
        region_ids: strings(query, "region_id")?,
        sales_channel_ids: strings(query, "sales_channel_id")?,
        created_at: ranges(query, "created_at")?,
        updated_at: ranges(query, "updated_at")?,
        drafts: true,
        ..OrderFilter::default()
    };
    let (docs, count) = engine.store().read(|conn| {
        let (found, count) = order::admin::list(conn, &filter, offset, limit)?;
        let docs = found
            .iter()
            .map(|o| admin_order_json(conn, &o.id).map(|d| select(d, fields.as_deref())))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })?;
    Ok(Response::json(list_envelope(
        "draft_orders",
        docs,
        count,
        offset,
        limit,
    )))
}

fn reply(engine: &Engine, request: &Request, id: &str) -> Result<Response> {
    let fields = request.query_str("fields").map(str::to_string);
    let doc = engine.store().read(|conn| draft_json(conn, id))?;
    Ok(Response::json(
        json!({ "draft_order": select(doc, fields.as_deref()) }),
    ))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    reply(engine, request, request.param("id"))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let item = Schema::new()
        .optional("variant_id", Kind::String.nullable())
        .optional("variant_sku", Kind::String.nullable())
        .optional("variant_barcode", Kind::String.nullable())
        .optional("sku", Kind::String.nullable())
        .optional("barcode", Kind::String.nullable())
        .optional("title", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("unit_price", Kind::Number.nullable())
        .optional("metadata", Kind::Object.nullable());
    let method = Schema::new()
        .optional("shipping_option_id", Kind::String)
        .optional("name", Kind::String)
        .optional("amount", Kind::Number)
        .optional("data", Kind::Object);
    let body = request.body_with(
        &Schema::new()
            .optional("email", Kind::Email.nullable())
            .optional("customer_id", Kind::String.nullable())
            .required("region_id", Kind::String)
            .optional("sales_channel_id", Kind::String.nullable())
            .optional_array("items", item)
            .optional("shipping_address", Kind::Object)
            .optional("billing_address", Kind::Object)
            .optional_array("shipping_methods", method)
            .optional("no_notification_order", Kind::Boolean)
            .optional("promo_codes", Kind::array_of(Kind::String))
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let made = run_handle(engine, request, CREATE_DRAFT, body)?;
    reply(engine, request, &made.order_id)
}

/// `POST /admin/draft-orders/:id`: email, customer, sales channel, addresses and metadata
/// (`update-draft-order`); the draft's lines, shipping and promotions change through its edit.
fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .optional("email", Kind::Email)
            .optional("customer_id", Kind::String)
            .optional("sales_channel_id", Kind::String)
            .optional("shipping_address", Kind::Object)
            .optional("billing_address", Kind::Object)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let id = request.param("id");
    body["order_id"] = json!(id);
    body["user_id"] = json!(request.actor.admin_id());
    run_handle(engine, request, UPDATE_DRAFT, body)?;
    reply(engine, request, id)
}

fn convert(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new())?;
    let id = request.param("id");
    run_handle(engine, request, CONVERT_DRAFT, json!({ "order_id": id }))?;
    let fields = request.query_str("fields").map(str::to_string);
    let doc = engine.store().read(|conn| admin_order_json(conn, id))?;
    Ok(Response::json(
        json!({ "order": select(doc, fields.as_deref()) }),
    ))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    engine.store().read(|conn| draft_json(conn, id))?;
    run_handle(engine, request, DELETE_DRAFT, json!({ "order_id": id }))?;
    Ok(Response::json(
        json!({"id": id, "object": "draft-order", "deleted": true}),
    ))
}
