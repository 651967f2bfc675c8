//! `POST /store/orders/:id/transfer/{request,accept,decline,cancel}` (Medusa 2.21.2): a
//! signed-in customer asks for a guest order (`{description?, update_order_email?}`), the
//! order's mailbox accepts or declines with the token (`{token}`, no sign-in — the token is
//! the credential, as in Medusa), and the requester may cancel. Each answers `{order}`, the
//! document of `GET /store/orders/:id`. The workflows are in `flows::orders::transfer`.

use super::checkout_json::order_json;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::transfer;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use crate::workflow;
use serde_json::{Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let route =
        |verb: &str, access, summary, handler: fn(&Engine, &Request) -> Result<Response>| {
            let path = format!("/store/orders/:id/transfer/{verb}");
            Route::new("POST", &path, access, summary, handler)
        };
    vec![
        route(
            "request",
            Access::Customer,
            "Request the transfer of an order to the signed-in customer",
            request,
        ),
        route(
            "accept",
            Access::Store,
            "Accept an order transfer with its token",
            accept,
        ),
        route(
            "decline",
            Access::Store,
            "Decline an order transfer with its token",
            decline,
        ),
        route(
            "cancel",
            Access::Customer,
            "Cancel the signed-in customer's order transfer request",
            cancel,
        ),
    ]
}

fn customer_id(request: &Request) -> Result<String> {
    request.actor.customer_id.clone().ok_or(Error::Unauthorized)
}

/// Runs `workflow` and answers with the order as it now is.
fn run_and_render(
    engine: &Engine,
    request: &Request,
    workflow: &str,
    input: Value,
) -> Result<Response> {
    workflow::run(engine, workflow, input, None)?;
    let order = engine
        .store()
        .read(|conn| order_json(conn, request.param("id")))?;
    Ok(Response::envelope("order", order))
}

fn request(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("description", Kind::String)
            .optional("update_order_email", Kind::Boolean),
    )?;
    let input = json!({
        "order_id": request.param("id"),
        "customer_id": customer_id(request)?,
        "description": body.get("description"),
        "update_order_email": body.get("update_order_email"),
    });
    run_and_render(engine, request, transfer::REQUEST, input)
}

/// The `{token}` body of accept and decline (`z.string().min(1)`).
fn token(request: &Request) -> Result<String> {
    let body = request.body_with(&Schema::new().required("token", Kind::String))?;
    let token = body["token"].as_str().unwrap_or_default();
    if token.is_empty() {
        return Err(Error::invalid(
            "Invalid request: String must contain at least 1 character(s)",
        ));
    }
    Ok(token.to_string())
}

fn accept(engine: &Engine, request: &Request) -> Result<Response> {
    let input = transfer::token_input(request.param("id"), &token(request)?);
    run_and_render(
        engine,
        request,
        transfer::ACCEPT,
        serde_json::to_value(input)?,
    )
}

fn decline(engine: &Engine, request: &Request) -> Result<Response> {
    let input = transfer::token_input(request.param("id"), &token(request)?);
    run_and_render(
        engine,
        request,
        transfer::DECLINE,
        serde_json::to_value(input)?,
    )
}

fn cancel(engine: &Engine, request: &Request) -> Result<Response> {
    // Medusa 2.21.2 validates no body on this route; the SDK posts none.
    let input = json!({"order_id": request.param("id"), "customer_id": customer_id(request)?});
    run_and_render(engine, request, transfer::CANCEL, input)
}
