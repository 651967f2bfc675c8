//! `/admin/order-edits` (Medusa 2.21.2; `:id` is the order's id): begin an edit
//! (`{order_change}`), add items, change a line's quantity (`items/item/:item_id`), update or
//! remove an item action (`items/:action_id`), add / update / remove a shipping method,
//! request, confirm (`{order_preview}` each) and
//! cancel (`DELETE`, `{id, object: "order-edit", deleted: true}`). Each runs its workflow
//! (`flows::orders::edits`) under the request's `Idempotency-Key`.

use super::order_changes::{change_doc, preview_json};
use super::orders::run_handle;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::edit_types::{self as types, EditedOrder, OnOrder};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use crate::modules::order::changes;
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
        r("POST", "/admin/order-edits", "Begin an order edit", begin),
        r(
            "DELETE",
            "/admin/order-edits/:id",
            "Cancel an order edit",
            cancel,
        ),
        r(
            "POST",
            "/admin/order-edits/:id/items",
            "Add items to an order edit",
            add_items::<false>,
        ),
        r(
            "POST",
            "/admin/order-edits/:id/items/item/:item_id",
            "Change an item's quantity in an order edit",
            update_quantity::<false>,
        ),
        r(
            "POST",
            "/admin/order-edits/:id/items/:action_id",
            "Update an item action of an order edit",
            update_action::<false>,
        ),
        r(
            "DELETE",
            "/admin/order-edits/:id/items/:action_id",
            "Remove an item action of an order edit",
            remove_action::<false>,
        ),
        r(
            "POST",
            "/admin/order-edits/:id/shipping-method",
            "Add a shipping method to an order edit",
            add_shipping::<false>,
        ),
        r(
            "POST",
            "/admin/order-edits/:id/shipping-method/:action_id",
            "Update a shipping method of an order edit",
            update_shipping::<false>,
        ),
        r(
            "DELETE",
            "/admin/order-edits/:id/shipping-method/:action_id",
            "Remove a shipping method of an order edit",
            remove_shipping::<false>,
        ),
        r(
            "POST",
            "/admin/order-edits/:id/request",
            "Request an order edit",
            request_edit::<false>,
        ),
        r(
            "POST",
            "/admin/order-edits/:id/confirm",
            "Confirm an order edit",
            confirm::<false>,
        ),
    ]
}

fn actor(request: &Request) -> Value {
    json!(request.actor.admin_id())
}

/// `{order_preview}`, or a draft's `{draft_order_preview}`.
fn preview<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let doc = engine.store().read(|conn| preview_json(conn, engine, id))?;
    let key = if DRAFT {
        "draft_order_preview"
    } else {
        "order_preview"
    };
    Ok(Response::json(json!({ key: doc })))
}

/// Runs `workflow` for the order in the path (and the path's `action_id` / `item_id`).
fn act<const DRAFT: bool, B>(
    engine: &Engine,
    request: &Request,
    workflow: Handle<OnOrder<B>, EditedOrder>,
    mut body: Value,
) -> Result<Response>
where
    B: Serialize + DeserializeOwned + 'static,
{
    body["order_id"] = json!(request.param("id"));
    for key in ["action_id", "item_id"] {
        let value = request.param(key);
        if !value.is_empty() {
            body[key] = json!(value);
        }
    }
    run_handle(engine, request, workflow, body)?;
    preview::<DRAFT>(engine, request)
}

fn begin(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .required("order_id", Kind::String)
            .optional("description", Kind::String)
            .optional("internal_note", Kind::String)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    body["created_by"] = actor(request);
    let id = run_handle(engine, request, types::BEGIN_EDIT, body)?.order_change_id;
    let doc = engine.store().read(|conn| {
        let change = changes::retrieve(conn, &id)?;
        change_doc(conn, &change)
    })?;
    Ok(Response::json(json!({ "order_change": doc })))
}

/// `/admin/draft-orders/:id/edit…` (Medusa 2.21.2): the same edit on a draft (begun by
/// `begin-draft-order-edit`, confirmed without moving stock), plus a draft's own routes —
/// its promotion codes and its existing shipping methods (`…/method/:method_id`) —,
/// answering `{draft_order_preview}`.
pub fn draft_routes() -> Vec<Route> {
    type Handler = fn(&Engine, &Request) -> Result<Response>;
    let r = |method, path: &str, what, handler: Handler| {
        let path = format!("/admin/draft-orders/:id/edit{path}");
        Route::new(method, &path, Access::Admin, what, handler)
    };
    vec![
        r("POST", "", "Begin a draft order edit", begin_draft),
        r("DELETE", "", "Cancel a draft order edit", cancel_draft),
        r(
            "POST",
            "/items",
            "Add items to a draft order edit",
            add_items::<true>,
        ),
        r(
            "POST",
            "/items/item/:item_id",
            "Change an item's quantity in a draft order edit",
            update_quantity::<true>,
        ),
        r(
            "POST",
            "/items/:action_id",
            "Update an item action of a draft order edit",
            update_action::<true>,
        ),
        r(
            "DELETE",
            "/items/:action_id",
            "Remove an item action of a draft order edit",
            remove_action::<true>,
        ),
        r(
            "POST",
            "/shipping-methods",
            "Add a shipping method to a draft order edit",
            add_shipping::<true>,
        ),
        r(
            "POST",
            "/shipping-methods/:action_id",
            "Update a shipping method of a draft order edit",
            update_shipping::<true>,
        ),
        r(
            "DELETE",
            "/shipping-methods/:action_id",
            "Remove a shipping method of a draft order edit",
            remove_shipping::<true>,
        ),
        r(
            "POST",
            "/shipping-methods/method/:method_id",
            "Update a shipping method of a draft order in its edit",
            update_draft_method,
        ),
        r(
            "DELETE",
            "/shipping-methods/method/:method_id",
            "Remove a shipping method of a draft order in its edit",
            remove_draft_method,
        ),
        r(
            "POST",
            "/promotions",
            "Add promotions to a draft order edit",
            draft_promotions::<true>,
        ),
        r(
            "DELETE",
            "/promotions",
            "Remove promotions from a draft order edit",
            draft_promotions::<false>,
        ),
        r(
            "POST",
            "/request",
            "Request a draft order edit",
            request_edit::<true>,
        ),
        r(
            "POST",
            "/confirm",
            "Confirm a draft order edit",
            confirm::<true>,
        ),
    ]
}

fn begin_draft(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .optional("description", Kind::String)
            .optional("internal_note", Kind::String)
            .optional("metadata", Kind::Object.nullable()),
    )?;
    body["order_id"] = json!(request.param("id"));
    body["created_by"] = actor(request);
    run_handle(engine, request, types::BEGIN_DRAFT_EDIT, body)?;
    preview::<true>(engine, request)
}

fn cancel_draft(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let body = json!({"order_id": id, "canceled_by": actor(request)});
    run_handle(engine, request, types::CANCEL_EDIT, body)?;
    Ok(Response::json(
        json!({"id": id, "object": "draft-order", "deleted": true}),
    ))
}

fn cancel(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let body = json!({"order_id": id, "canceled_by": actor(request)});
    run_handle(engine, request, types::CANCEL_EDIT, body)?;
    Ok(Response::json(
        json!({"id": id, "object": "order-edit", "deleted": true}),
    ))
}

fn add_items<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let item = Schema::new()
        .required("variant_id", Kind::String)
        .required("quantity", Kind::Integer)
        .optional("unit_price", Kind::Number.nullable())
        .optional("internal_note", Kind::String.nullable())
        .optional("metadata", Kind::Object);
    let body = request.body_with(&Schema::new().array("items", item))?;
    act::<DRAFT, _>(engine, request, types::ADD_ITEMS, body)
}

fn update_quantity<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("quantity", Kind::Integer)
            .optional("internal_note", Kind::String.nullable()),
    )?;
    act::<DRAFT, _>(engine, request, types::UPDATE_QUANTITY, body)
}

fn update_action<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("quantity", Kind::Integer)
            .optional("unit_price", Kind::Number.nullable())
            .optional("internal_note", Kind::String.nullable()),
    )?;
    act::<DRAFT, _>(engine, request, types::UPDATE_ACTION, body)
}

fn remove_action<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    act::<DRAFT, _>(engine, request, types::REMOVE_ACTION, json!({}))
}

fn request_edit<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new())?;
    act::<DRAFT, _>(
        engine,
        request,
        types::REQUEST_EDIT,
        json!({"requested_by": actor(request)}),
    )
}

fn confirm<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new())?;
    act::<DRAFT, _>(
        engine,
        request,
        types::CONFIRM_EDIT,
        json!({"confirmed_by": actor(request)}),
    )
}

fn add_shipping<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("shipping_option_id", Kind::String)
            .optional("custom_amount", Kind::Number)
            .optional("description", Kind::String)
            .optional("internal_note", Kind::String)
            .optional("metadata", Kind::Object),
    )?;
    act::<DRAFT, _>(engine, request, types::ADD_SHIPPING, body)
}

fn update_shipping<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("custom_amount", Kind::Number.nullable())
            .optional("internal_note", Kind::String.nullable())
            .optional("metadata", Kind::Object.nullable()),
    )?;
    act::<DRAFT, _>(engine, request, types::UPDATE_SHIPPING, body)
}

fn remove_shipping<const DRAFT: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    act::<DRAFT, _>(engine, request, types::REMOVE_SHIPPING, json!({}))
}

/// `POST` (`ADD`) / `DELETE /admin/draft-orders/:id/edit/promotions` with `{promo_codes}`.
fn draft_promotions<const ADD: bool>(engine: &Engine, request: &Request) -> Result<Response> {
    let body =
        request.body_with(&Schema::new().required("promo_codes", Kind::array_of(Kind::String)))?;
    let workflow = if ADD {
        types::ADD_PROMOTIONS
    } else {
        types::REMOVE_PROMOTIONS
    };
    act::<true, _>(engine, request, workflow, body)
}

/// `POST /admin/draft-orders/:id/edit/shipping-methods/method/:method_id`.
fn update_draft_method(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .optional("shipping_option_id", Kind::String)
            .optional("custom_amount", Kind::Number)
            .optional("internal_note", Kind::String.nullable()),
    )?;
    body["shipping_method_id"] = json!(request.param("method_id"));
    act::<true, _>(engine, request, types::UPDATE_DRAFT_METHOD, body)
}

/// `DELETE /admin/draft-orders/:id/edit/shipping-methods/method/:method_id`.
fn remove_draft_method(engine: &Engine, request: &Request) -> Result<Response> {
    let body = json!({ "shipping_method_id": request.param("method_id") });
    act::<true, _>(engine, request, types::REMOVE_DRAFT_METHOD, body)
}
