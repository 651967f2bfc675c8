//! The admin's direct order edits (Medusa 2.21.2): `POST /admin/orders/:id` (email,
//! addresses, metadata), `…/archive`, `…/complete`, and staff-initiated transfers
//! (`…/transfer`, `…/transfer/guest`, `…/transfer/cancel`). Each validates its body as Medusa's validators do,
//! runs its workflow (`flows::orders::manage`, `flows::orders::transfer`) under the
//! request's `Idempotency-Key`, and answers `{order}` as `GET /admin/orders/:id` does.

use super::orders::{order_reply, run_handle};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::orders::{manage, transfer, transfer_guest};
use crate::http::validate::{Kind, Schema, is_email};
use crate::http::{Access, Request, Response, Route};
use serde_json::{Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new("POST", "/admin/orders/:id", a, "Update an order", update),
        Route::new(
            "POST",
            "/admin/orders/:id/archive",
            a,
            "Archive an order",
            archive,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/complete",
            a,
            "Complete an order",
            complete,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/transfer",
            a,
            "Request the transfer of an order to a customer",
            request_transfer,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/transfer/guest",
            a,
            "Transfer an order to a guest customer",
            transfer_to_guest,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/transfer/cancel",
            a,
            "Cancel an order's transfer request",
            cancel_transfer,
        ),
    ]
}

/// Who acts: the signed-in user, or the secret key (Medusa's `auth_context.actor_id`).
fn actor(request: &Request) -> Option<String> {
    request.actor.admin_id()
}

/// Medusa's `AddressPayload` (strict, every field nullish).
fn address() -> Schema {
    let text = || Kind::String.nullable();
    Schema::new()
        .optional("first_name", text())
        .optional("last_name", text())
        .optional("phone", text())
        .optional("company", text())
        .optional("address_1", text())
        .optional("address_2", text())
        .optional("city", text())
        .optional("country_code", text())
        .optional("province", text())
        .optional("postal_code", text())
        .optional("metadata", Kind::Object.nullable())
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let mut body = request.body_with(
        &Schema::new()
            .optional("email", Kind::String)
            .optional_object("shipping_address", address())
            .optional_object("billing_address", address())
            .optional("locale", Kind::String.nullable())
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let id = request.param("id");
    let valid = body["email"].as_str().is_some_and(is_email);
    body["order_id"] = json!(id);
    body["user_id"] = json!(actor(request));
    body["email_valid"] = json!(valid);
    run_handle(engine, request, manage::UPDATE_ORDER, body)?;
    order_reply(engine, request, id)
}

fn archive(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new())?;
    let id = request.param("id");
    run_handle(
        engine,
        request,
        manage::ARCHIVE_ORDER,
        json!({ "order_id": id }),
    )?;
    order_reply(engine, request, id)
}

fn complete(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new().optional("additional_data", Kind::Object.nullable()))?;
    let id = request.param("id");
    run_handle(
        engine,
        request,
        manage::COMPLETE_ORDER,
        json!({ "order_id": id }),
    )?;
    order_reply(engine, request, id)
}

fn request_transfer(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("customer_id", Kind::String)
            .optional("description", Kind::String)
            .optional("internal_note", Kind::String)
            .optional("update_order_email", Kind::Boolean),
    )?;
    let id = request.param("id");
    let input = json!({
        "order_id": id,
        "customer_id": body["customer_id"],
        "logged_in_user": actor(request),
        "description": body.get("description"),
        "internal_note": body.get("internal_note"),
        "update_order_email": body.get("update_order_email"),
    });
    run_handle(engine, request, transfer::REQUEST_TRANSFER, input)?;
    order_reply(engine, request, id)
}

fn transfer_to_guest(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("email", Kind::Email)
            .optional("description", Kind::String)
            .optional("internal_note", Kind::String),
    )?;
    let id = request.param("id");
    let input = json!({
        "order_id": id,
        "email": body["email"],
        "logged_in_user": actor(request),
        "description": body.get("description"),
        "internal_note": body.get("internal_note"),
    });
    run_handle(engine, request, transfer_guest::TRANSFER_TO_GUEST, input)?;
    order_reply(engine, request, id)
}

fn cancel_transfer(engine: &Engine, request: &Request) -> Result<Response> {
    // Medusa 2.21.2 validates no body on this route.
    let id = request.param("id");
    let input: Value = json!({
        "order_id": id,
        "logged_in_user": actor(request),
        "actor_type": "user",
    });
    run_handle(engine, request, transfer::CANCEL_TRANSFER, input)?;
    order_reply(engine, request, id)
}
