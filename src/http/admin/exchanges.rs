//! `/admin/exchanges` and `/admin/claims` (Medusa 2.21.2): begin, list, retrieve; the
//! inbound (returned) items and return shipping, the outbound (new) items and shipping —
//! each with its `/:action_id` update and removal; a claim's `claim-items`; confirm
//! (`POST …/request`) or cancel (`DELETE …/request`) the request; cancel a confirmed one.
//! Each mutation runs its workflow (`flows::orders::exchanges*`) under the request's
//! `Idempotency-Key` and answers as Medusa does: `{order, exchange}` after beginning,
//! `{order_preview, return}` after an inbound change, `{order_preview, exchange}` after an
//! outbound one, `{order_preview, exchange, return}` after confirming, `{id, object,
//! deleted}` after canceling the request, `{exchange}` after canceling (`claim` for claims).

use super::after_sale_json::after_sale_json;
use super::order_changes::preview_json;
use super::orders::run_handle;
use super::return_json::return_json;
use super::returns::actor;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::exchange_types::{self as types, OnRecord, RecordRef, handles as h};
use crate::http::fields::{page, strings};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::order::after_sales::{self, Kind as RecordKind};
use crate::workflow::Handle;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn kind<const CLAIM: bool>() -> RecordKind {
    if CLAIM {
        RecordKind::Claim
    } else {
        RecordKind::Exchange
    }
}

/// `exchange` / `claim`: the document key, the path's and the workflows' word.
fn word<const CLAIM: bool>() -> &'static str {
    kind::<CLAIM>().change_type()
}

type Handler = fn(&Engine, &Request) -> Result<Response>;

/// The routes of both families.
pub fn routes() -> Vec<Route> {
    let mut out = family::<false>();
    out.extend(family::<true>());
    let r = |method, path: &str, what, handler: Handler| {
        Route::new(method, path, Access::Admin, what, handler)
    };
    out.extend([
        r(
            "POST",
            "/admin/claims/:id/claim-items",
            "Add claim items",
            claim_items,
        ),
        r(
            "POST",
            "/admin/claims/:id/claim-items/:action_id",
            "Update a claim item",
            update_claim_item,
        ),
        r(
            "DELETE",
            "/admin/claims/:id/claim-items/:action_id",
            "Remove a claim item",
            remove_claim_item,
        ),
    ]);
    out
}

/// The OpenAPI summaries of [`family`]'s routes, in its order.
const EXCHANGE_SUMMARIES: [&str; 18] = [
    "List exchanges",
    "Begin an exchange",
    "Retrieve an exchange",
    "Confirm an exchange request",
    "Cancel an exchange request",
    "Cancel an exchange",
    "Add inbound items to an exchange",
    "Update an exchange's inbound item",
    "Remove an exchange's inbound item",
    "Add an exchange's return shipping",
    "Update an exchange's return shipping",
    "Remove an exchange's return shipping",
    "Add outbound items to an exchange",
    "Update an exchange's outbound item",
    "Remove an exchange's outbound item",
    "Add an exchange's outbound shipping",
    "Update an exchange's outbound shipping",
    "Remove an exchange's outbound shipping",
];

const CLAIM_SUMMARIES: [&str; 18] = [
    "List claims",
    "Begin a claim",
    "Retrieve a claim",
    "Confirm a claim request",
    "Cancel a claim request",
    "Cancel a claim",
    "Add inbound items to a claim",
    "Update a claim's inbound item",
    "Remove a claim's inbound item",
    "Add a claim's return shipping",
    "Update a claim's return shipping",
    "Remove a claim's return shipping",
    "Add outbound items to a claim",
    "Update a claim's outbound item",
    "Remove a claim's outbound item",
    "Add a claim's outbound shipping",
    "Update a claim's outbound shipping",
    "Remove a claim's outbound shipping",
];

fn family<const C: bool>() -> Vec<Route> {
    let base = format!("/admin/{}s", word::<C>());
    let summaries = if C {
        CLAIM_SUMMARIES
    } else {
        EXCHANGE_SUMMARIES
    };
    let routes: [(&str, &str, Handler); 18] = [
        ("GET", "", list::<C>),
        ("POST", "", begin::<C>),
        ("GET", "/:id", retrieve::<C>),
        ("POST", "/:id/request", confirm::<C>),
        ("DELETE", "/:id/request", cancel_request::<C>),
        ("POST", "/:id/cancel", cancel::<C>),
        ("POST", "/:id/inbound/items", inbound_add::<C>),
        ("POST", "/:id/inbound/items/:action_id", inbound_update::<C>),
        (
            "DELETE",
            "/:id/inbound/items/:action_id",
            inbound_remove::<C>,
        ),
        (
            "POST",
            "/:id/inbound/shipping-method",
            inbound_shipping::<C>,
        ),
        (
            "POST",
            "/:id/inbound/shipping-method/:action_id",
            inbound_shipping_update::<C>,
        ),
        (
            "DELETE",
            "/:id/inbound/shipping-method/:action_id",
            inbound_shipping_remove::<C>,
        ),
        ("POST", "/:id/outbound/items", outbound_add::<C>),
        (
            "POST",
            "/:id/outbound/items/:action_id",
            outbound_update::<C>,
        ),
        (
            "DELETE",
            "/:id/outbound/items/:action_id",
            outbound_remove::<C>,
        ),
        (
            "POST",
            "/:id/outbound/shipping-method",
            outbound_shipping::<C>,
        ),
        (
            "POST",
            "/:id/outbound/shipping-method/:action_id",
            outbound_shipping_update::<C>,
        ),
        (
            "DELETE",
            "/:id/outbound/shipping-method/:action_id",
            outbound_shipping_remove::<C>,
        ),
    ];
    routes
        .into_iter()
        .zip(summaries)
        .map(|((method, path, handler), summary)| {
            Route::new(
                method,
                &format!("{base}{path}"),
                Access::Admin,
                summary,
                handler,
            )
        })
        .collect()
}

fn list<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&request.query, 20)?;
    let orders = strings(&request.query, "order_id")?;
    let (docs, count) = engine.store().read(|conn| {
        let (found, count) = after_sales::list(conn, kind::<C>(), &orders, offset, limit)?;
        let docs = found
            .iter()
            .map(|r| super::after_sale_json::document(conn, r))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })?;
    let key = format!("{}s", word::<C>());
    Ok(Response::json(list_envelope(
        &key, docs, count, offset, limit,
    )))
}

fn retrieve<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let doc = engine
        .store()
        .read(|conn| after_sale_json(conn, kind::<C>(), id))?;
    Ok(Response::json(json!({ word::<C>(): doc })))
}

/// Runs `{k}`-pattern workflow with the body, the record id and the action id (when the
/// path has one).
fn act<const C: bool, B>(
    engine: &Engine,
    request: &Request,
    workflow: Handle<OnRecord<C, B>, RecordRef>,
    mut body: Value,
) -> Result<String>
where
    B: Serialize + DeserializeOwned + 'static,
{
    body[kind::<C>().column()] = json!(request.param("id"));
    let action = request.param("action_id");
    if !action.is_empty() {
        body["action_id"] = json!(action);
    }
    Ok(run_handle(engine, request, workflow, body)?
        .id()?
        .to_string())
}

/// What Medusa answers after a change: the order's preview and the record (`record_key`
/// its word), its inbound return (`return`), or both.
fn answer<const C: bool>(
    engine: &Engine,
    id: &str,
    preview_key: &str,
    record: bool,
    inbound: bool,
) -> Result<Response> {
    let doc = engine.store().read(|conn| {
        let doc = after_sale_json(conn, kind::<C>(), id)?;
        let order_id = doc["order_id"].as_str().unwrap_or_default().to_string();
        let mut out = json!({ preview_key: preview_json(conn, engine, &order_id)? });
        if record {
            out[word::<C>()] = doc.clone();
        }
        if inbound {
            out["return"] = match doc["return_id"].as_str() {
                Some(r) => return_json(conn, r)?,
                None => Value::Null,
            };
        }
        Ok(out)
    })?;
    Ok(Response::json(doc))
}

fn begin<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let mut schema = Schema::new()
        .required("order_id", Kind::String)
        .optional("description", Kind::String)
        .optional("internal_note", Kind::String)
        .optional("no_notification", Kind::Boolean)
        .optional("metadata", Kind::Object.nullable());
    if C {
        schema = schema
            .required("type", Kind::String)
            .optional("reason_id", Kind::String.nullable());
    }
    let mut body = request.body_with(&schema)?;
    body["created_by"] = actor(request);
    let begun = run_handle(engine, request, h::<C>().begin, body)?;
    answer::<C>(engine, begun.id()?, "order", true, false)
}

fn confirm<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(&Schema::new().optional("no_notification", Kind::Boolean))?;
    body["confirmed_by"] = actor(request);
    let id = act::<C, _>(engine, request, h::<C>().confirm, body)?;
    answer::<C>(engine, &id, "order_preview", true, true)
}

fn cancel_request<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = json!({"canceled_by": actor(request)});
    let id = act::<C, _>(engine, request, h::<C>().cancel_request, body)?;
    Ok(Response::json(
        json!({"id": id, "object": word::<C>(), "deleted": true}),
    ))
}

fn cancel<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(&Schema::new().optional("no_notification", Kind::Boolean))?;
    body["canceled_by"] = actor(request);
    let id = act::<C, _>(engine, request, h::<C>().cancel, body)?;
    retrieve_id::<C>(engine, &id)
}

fn retrieve_id<const C: bool>(engine: &Engine, id: &str) -> Result<Response> {
    let doc = engine
        .store()
        .read(|conn| after_sale_json(conn, kind::<C>(), id))?;
    Ok(Response::json(json!({ word::<C>(): doc })))
}

fn inbound_add<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let item = Schema::new()
        .required("id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("description", Kind::String)
        .optional("internal_note", Kind::String)
        .optional("reason_id", Kind::String)
        .optional("metadata", Kind::Object);
    let body = request.body_with(&Schema::new().array("items", item))?;
    let id = act::<C, _>(engine, request, h::<C>().inbound_add, body)?;
    answer::<C>(engine, &id, "order_preview", false, true)
}

fn inbound_update<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("quantity", Kind::Integer)
            .optional("internal_note", Kind::String.nullable())
            .optional("reason_id", Kind::String.nullable())
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let id = act::<C, _>(engine, request, h::<C>().inbound_update, body)?;
    answer::<C>(engine, &id, "order_preview", false, true)
}

fn inbound_remove<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act::<C, _>(engine, request, h::<C>().inbound_remove, json!({}))?;
    answer::<C>(engine, &id, "order_preview", false, true)
}

fn shipping_schema() -> Schema {
    Schema::new()
        .required("shipping_option_id", Kind::String)
        .optional("custom_amount", Kind::Number)
        .optional("description", Kind::String)
        .optional("internal_note", Kind::String)
        .optional("metadata", Kind::Object)
}

fn shipping_update_schema() -> Schema {
    Schema::new()
        .optional("custom_amount", Kind::Number.nullable())
        .optional("internal_note", Kind::String.nullable())
        .optional("metadata", Kind::Object.nullable())
}

fn inbound_shipping<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&shipping_schema())?;
    let id = act::<C, _>(engine, request, h::<C>().inbound_shipping, body)?;
    answer::<C>(engine, &id, "order_preview", false, true)
}

fn inbound_shipping_update<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&shipping_update_schema())?;
    let id = act::<C, _>(engine, request, h::<C>().inbound_shipping_update, body)?;
    answer::<C>(engine, &id, "order_preview", false, true)
}

fn inbound_shipping_remove<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act::<C, _>(engine, request, h::<C>().inbound_shipping_remove, json!({}))?;
    answer::<C>(engine, &id, "order_preview", false, true)
}

fn outbound_add<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let item = Schema::new()
        .required("variant_id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("unit_price", Kind::Number.nullable())
        .optional("internal_note", Kind::String)
        .optional("allow_backorder", Kind::Boolean)
        .optional("metadata", Kind::Object);
    let body = request.body_with(&Schema::new().array("items", item))?;
    let id = act::<C, _>(engine, request, h::<C>().outbound_add, body)?;
    answer::<C>(engine, &id, "order_preview", true, false)
}

fn outbound_update<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("quantity", Kind::Integer)
            .optional("internal_note", Kind::String.nullable()),
    )?;
    let id = act::<C, _>(engine, request, h::<C>().outbound_update, body)?;
    answer::<C>(engine, &id, "order_preview", true, false)
}

fn outbound_remove<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act::<C, _>(engine, request, h::<C>().outbound_remove, json!({}))?;
    answer::<C>(engine, &id, "order_preview", true, false)
}

fn outbound_shipping<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&shipping_schema())?;
    let id = act::<C, _>(engine, request, h::<C>().outbound_shipping, body)?;
    answer::<C>(engine, &id, "order_preview", true, false)
}

fn outbound_shipping_update<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&shipping_update_schema())?;
    let id = act::<C, _>(engine, request, h::<C>().outbound_shipping_update, body)?;
    answer::<C>(engine, &id, "order_preview", true, false)
}

fn outbound_shipping_remove<const C: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act::<C, _>(
        engine,
        request,
        h::<C>().outbound_shipping_remove,
        json!({}),
    )?;
    answer::<C>(engine, &id, "order_preview", true, false)
}

fn claim_items(engine: &Engine, request: &Request) -> Result<Response> {
    let item = Schema::new()
        .required("id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("reason", Kind::String)
        .optional("description", Kind::String)
        .optional("internal_note", Kind::String);
    let body = request.body_with(&Schema::new().array("items", item))?;
    let id = act::<true, _>(engine, request, types::CLAIM_ITEMS, body)?;
    answer::<true>(engine, &id, "order_preview", true, false)
}

fn update_claim_item(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("quantity", Kind::Integer)
            .optional("reason", Kind::String.nullable())
            .optional("description", Kind::String.nullable())
            .optional("internal_note", Kind::String.nullable()),
    )?;
    let id = act::<true, _>(engine, request, types::UPDATE_CLAIM_ITEM, body)?;
    answer::<true>(engine, &id, "order_preview", true, false)
}

fn remove_claim_item(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act::<true, _>(engine, request, types::REMOVE_CLAIM_ITEM, json!({}))?;
    answer::<true>(engine, &id, "order_preview", true, false)
}
