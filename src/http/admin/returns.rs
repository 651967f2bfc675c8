//! `/admin/returns` (Medusa 2.21.2): begin, list, retrieve, update; the request's items
//! and shipping method with their `/:action_id` updates and removals; confirm or cancel the
//! request; begin, fill (`receive-items`, `dismiss-items` for damaged units), confirm or
//! cancel a receipt; cancel the return. Each mutation runs its workflow
//! (`flows::orders::returns*`) under the request's `Idempotency-Key` and answers as Medusa
//! does: `{order, return}` after beginning, `{order_preview, return}` after an action,
//! `{id, object: "return", deleted: true}` after canceling a request or a receipt,
//! `{return}` after canceling the return.

use super::order_changes::preview_json;
use super::orders::run_handle;
use super::return_json::{return_json, select};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::return_types::{self as types, OnReturn, ReturnRef};
use crate::http::fields::{ids, page, strings};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::order::returns::{self, ReturnFilter};
use crate::workflow::Handle;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    type Handler = fn(&Engine, &Request) -> Result<Response>;
    let r = |method, path: &str, what, handler: Handler| Route::new(method, path, a, what, handler);
    vec![
        r("GET", "/admin/returns", "List returns", list),
        r("POST", "/admin/returns", "Begin a return", begin),
        r("GET", "/admin/returns/:id", "Retrieve a return", retrieve),
        r("POST", "/admin/returns/:id", "Update a return", update),
        r(
            "POST",
            "/admin/returns/:id/request",
            "Confirm a return request",
            confirm_request,
        ),
        r(
            "DELETE",
            "/admin/returns/:id/request",
            "Cancel a return request",
            cancel_request,
        ),
        r(
            "POST",
            "/admin/returns/:id/request-items",
            "Add items to a return request",
            request_items,
        ),
        r(
            "POST",
            "/admin/returns/:id/request-items/:action_id",
            "Update a requested item",
            update_request_item,
        ),
        r(
            "DELETE",
            "/admin/returns/:id/request-items/:action_id",
            "Remove a requested item",
            remove_request_item,
        ),
        r(
            "POST",
            "/admin/returns/:id/shipping-method",
            "Add a return shipping method",
            add_shipping,
        ),
        r(
            "POST",
            "/admin/returns/:id/shipping-method/:action_id",
            "Update a return shipping method",
            update_shipping,
        ),
        r(
            "DELETE",
            "/admin/returns/:id/shipping-method/:action_id",
            "Remove a return shipping method",
            remove_shipping,
        ),
        r(
            "POST",
            "/admin/returns/:id/receive",
            "Begin receiving a return",
            begin_receive,
        ),
        r(
            "DELETE",
            "/admin/returns/:id/receive",
            "Cancel receiving a return",
            cancel_receive,
        ),
        r(
            "POST",
            "/admin/returns/:id/receive-items",
            "Receive items of a return",
            receive_items,
        ),
        r(
            "POST",
            "/admin/returns/:id/receive-items/:action_id",
            "Update a received item",
            update_receipt,
        ),
        r(
            "DELETE",
            "/admin/returns/:id/receive-items/:action_id",
            "Remove a received item",
            remove_receipt,
        ),
        r(
            "POST",
            "/admin/returns/:id/dismiss-items",
            "Receive damaged items of a return",
            dismiss_items,
        ),
        r(
            "POST",
            "/admin/returns/:id/dismiss-items/:action_id",
            "Update a damaged item",
            update_receipt,
        ),
        r(
            "DELETE",
            "/admin/returns/:id/dismiss-items/:action_id",
            "Remove a damaged item",
            remove_receipt,
        ),
        r(
            "POST",
            "/admin/returns/:id/receive/confirm",
            "Confirm receiving a return",
            confirm_receive,
        ),
        r(
            "POST",
            "/admin/returns/:id/cancel",
            "Cancel a return",
            cancel,
        ),
    ]
}

/// Who acts: the signed-in user, or the secret key (Medusa's `auth_context.actor_id`).
pub(super) fn actor(request: &Request) -> Value {
    json!(request.actor.admin_id())
}

fn fields(request: &Request) -> Option<String> {
    request.query_str("fields").map(str::to_string)
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&request.query, 20)?;
    let q = &request.query;
    let filter = ReturnFilter {
        ids: ids(q)?,
        order_ids: strings(q, "order_id")?,
        statuses: strings(q, "status")?,
    };
    let (docs, count) = engine.store().read(|conn| {
        let (found, count) = returns::list(conn, &filter, offset, limit)?;
        let docs = found
            .iter()
            .map(|r| return_json(conn, &r.id).map(|d| select(d, fields.as_deref(), true)))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })?;
    Ok(Response::json(list_envelope(
        "returns", docs, count, offset, limit,
    )))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let fields = fields(request);
    let doc = engine.store().read(|conn| return_json(conn, id))?;
    Ok(Response::json(
        json!({ "return": select(doc, fields.as_deref(), false) }),
    ))
}

/// `{order_preview, return}` (or `{order, return}` with `preview_key` "order").
fn answer(
    engine: &Engine,
    request: &Request,
    return_id: &str,
    preview_key: &str,
) -> Result<Response> {
    let fields = fields(request);
    let (preview, doc) = engine.store().read(|conn| {
        let doc = return_json(conn, return_id)?;
        let order_id = doc["order_id"].as_str().unwrap_or_default().to_string();
        Ok((preview_json(conn, engine, &order_id)?, doc))
    })?;
    Ok(Response::json(json!({
        preview_key: preview,
        "return": select(doc, fields.as_deref(), false),
    })))
}

/// Runs `workflow` with the body, the return id and the action id (when the path has one).
fn act<B>(
    engine: &Engine,
    request: &Request,
    workflow: Handle<OnReturn<B>, ReturnRef>,
    mut body: Value,
) -> Result<String>
where
    B: Serialize + DeserializeOwned + 'static,
{
    body["return_id"] = json!(request.param("id"));
    let action = request.param("action_id");
    if !action.is_empty() {
        body["action_id"] = json!(action);
    }
    Ok(run_handle(engine, request, workflow, body)?.return_id)
}

fn begin(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .required("order_id", Kind::String)
            .optional("location_id", Kind::String)
            .optional("description", Kind::String)
            .optional("internal_note", Kind::String)
            .optional("no_notification", Kind::Boolean)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    body["created_by"] = actor(request);
    let begun = run_handle(engine, request, types::BEGIN_RETURN, body)?;
    answer(engine, request, &begun.return_id, "order")
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("location_id", Kind::String)
            .optional("no_notification", Kind::Boolean)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let id = act(engine, request, types::UPDATE_RETURN, body)?;
    answer(engine, request, &id, "order_preview")
}

fn confirm_request(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(&Schema::new().optional("no_notification", Kind::Boolean))?;
    body["confirmed_by"] = actor(request);
    let id = act(engine, request, types::CONFIRM_REQUEST, body)?;
    answer(engine, request, &id, "order_preview")
}

fn deleted(id: &str) -> Response {
    Response::json(json!({"id": id, "object": "return", "deleted": true}))
}

fn cancel_request(engine: &Engine, request: &Request) -> Result<Response> {
    let body = json!({"canceled_by": actor(request)});
    let id = act(engine, request, types::CANCEL_REQUEST, body)?;
    Ok(deleted(&id))
}

fn request_items(engine: &Engine, request: &Request) -> Result<Response> {
    let item = Schema::new()
        .required("id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("description", Kind::String)
        .optional("internal_note", Kind::String)
        .optional("reason_id", Kind::String)
        .optional("metadata", Kind::Object);
    let body = request.body_with(&Schema::new().array("items", item))?;
    let id = act(engine, request, types::REQUEST_ITEMS, body)?;
    answer(engine, request, &id, "order_preview")
}

fn update_request_item(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("quantity", Kind::Integer)
            .optional("internal_note", Kind::String.nullable())
            .optional("reason_id", Kind::String.nullable())
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let id = act(engine, request, types::UPDATE_REQUEST_ITEM, body)?;
    answer(engine, request, &id, "order_preview")
}

fn remove_request_item(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act(engine, request, types::REMOVE_REQUEST_ITEM, json!({}))?;
    answer(engine, request, &id, "order_preview")
}

fn add_shipping(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("shipping_option_id", Kind::String)
            .optional("custom_amount", Kind::Number)
            .optional("description", Kind::String)
            .optional("internal_note", Kind::String)
            .optional("metadata", Kind::Object),
    )?;
    let id = act(engine, request, types::ADD_SHIPPING, body)?;
    answer(engine, request, &id, "order_preview")
}

fn update_shipping(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("custom_amount", Kind::Number.nullable())
            .optional("internal_note", Kind::String.nullable())
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let id = act(engine, request, types::UPDATE_SHIPPING, body)?;
    answer(engine, request, &id, "order_preview")
}

fn remove_shipping(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act(engine, request, types::REMOVE_SHIPPING, json!({}))?;
    answer(engine, request, &id, "order_preview")
}

fn begin_receive(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .optional("internal_note", Kind::String)
            .optional("description", Kind::String)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    body["created_by"] = actor(request);
    let id = act(engine, request, types::BEGIN_RECEIVE, body)?;
    answer(engine, request, &id, "order")
}

fn cancel_receive(engine: &Engine, request: &Request) -> Result<Response> {
    let body = json!({"canceled_by": actor(request)});
    let id = act(engine, request, types::CANCEL_RECEIVE, body)?;
    Ok(deleted(&id))
}

fn receipts(request: &Request) -> Result<Value> {
    let item = Schema::new()
        .required("id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("description", Kind::String)
        .optional("internal_note", Kind::String);
    request.body_with(&Schema::new().array("items", item))
}

fn receive_items(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act(engine, request, types::RECEIVE_ITEMS, receipts(request)?)?;
    answer(engine, request, &id, "order_preview")
}

fn dismiss_items(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act(engine, request, types::DISMISS_ITEMS, receipts(request)?)?;
    answer(engine, request, &id, "order_preview")
}

fn update_receipt(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("quantity", Kind::Integer)
            .optional("internal_note", Kind::String.nullable()),
    )?;
    let id = act(engine, request, types::UPDATE_RECEIPT, body)?;
    answer(engine, request, &id, "order_preview")
}

fn remove_receipt(engine: &Engine, request: &Request) -> Result<Response> {
    let id = act(engine, request, types::REMOVE_RECEIPT, json!({}))?;
    answer(engine, request, &id, "order_preview")
}

fn confirm_receive(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(&Schema::new())?;
    body["confirmed_by"] = actor(request);
    let id = act(engine, request, types::CONFIRM_RECEIVE, body)?;
    answer(engine, request, &id, "order_preview")
}

fn cancel(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(&Schema::new().optional("no_notification", Kind::Boolean))?;
    body["canceled_by"] = actor(request);
    let id = act(engine, request, types::CANCEL_RETURN, body)?;
    let fields = fields(request);
    let doc = engine.store().read(|conn| return_json(conn, &id))?;
    Ok(Response::json(
        json!({ "return": select(doc, fields.as_deref(), false) }),
    ))
}
