//! `/admin/payment-collections`: an order's extra collections (create for an amount still to
//! collect, mark as paid, start a payment session, delete an unpaid one); each answers with
//! the collection as `/store/payment-collections` shows it; and
//! `POST /admin/orders/:id/payment-sessions/authorize`, which authorizes a session started
//! on one of them and answers `{order, is_authorized}`. See
//! `flows::orders::payment_collections` for where this is stricter than Medusa.

use super::orders::run_handle;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::payment_collections as flow;
use crate::http::store::checkout_json::collection_json;
use crate::http::validate::{Kind, Schema, get_str};
use crate::http::{Access, Request, Response, Route};
use crate::modules::{order, payment};
use serde_json::json;

/// The routes.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/admin/payment-collections",
            Access::Admin,
            "Create a payment collection for an order",
            create,
        ),
        Route::new(
            "POST",
            "/admin/payment-collections/:id/mark-as-paid",
            Access::Admin,
            "Mark an order's payment collection as paid",
            mark_as_paid,
        ),
        Route::new(
            "POST",
            "/admin/payment-collections/:id/payment-sessions",
            Access::Admin,
            "Start a payment session on an order's payment collection",
            payment_session,
        ),
        Route::new(
            "POST",
            "/admin/orders/:id/payment-sessions/authorize",
            Access::Admin,
            "Authorize a payment session of an order's payment collection",
            authorize,
        ),
        Route::new(
            "DELETE",
            "/admin/payment-collections/:id",
            Access::Admin,
            "Delete an order's unpaid payment collection",
            delete,
        ),
    ]
}

fn reply(engine: &Engine, id: &str) -> Result<Response> {
    let collection = engine
        .store()
        .read(|conn| payment::retrieve_collection(conn, id))?;
    Ok(Response::json(
        json!({ "payment_collection": collection_json(&collection) }),
    ))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("order_id", Kind::String)
        .required("amount", Kind::Number);
    let body = request.body_with(&schema)?;
    let order_id = get_str(&body, "order_id").unwrap_or_default().to_string();
    let amount = body["amount"].clone();
    let ctx = engine.ctx().clone();
    let id = engine.store().write(move |tx| {
        let currency = order::retrieve(tx, &order_id)?.currency_code;
        let minor = crate::money::parse_major(&amount, &currency)
            .map_err(|e| Error::invalid(e.to_string()))?;
        flow::create(tx, &ctx, &order_id, minor)
    })?;
    reply(engine, &id)
}

fn mark_as_paid(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("order_id", Kind::String)
        .optional("provider_id", Kind::String);
    let body = request.body_with(&schema)?;
    let id = request.param("id");
    let mut input = json!({"payment_collection_id": id, "order_id": body["order_id"]});
    if let Some(provider) = get_str(&body, "provider_id") {
        input["provider_id"] = json!(provider);
    }
    run_handle(engine, request, flow::MARK_PAID, input)?;
    reply(engine, id)
}

fn payment_session(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("provider_id", Kind::String)
        .optional("data", Kind::Object);
    let body = request.body_with(&schema)?;
    let id = request.param("id");
    let input = json!({"payment_collection_id": id, "provider_id": body["provider_id"],
        "data": body.get("data")});
    run_handle(engine, request, flow::CREATE_ORDER_PAYMENT_SESSION, input)?;
    reply(engine, id)
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| flow::delete(tx, &ctx, &target))?;
    Ok(Response::json(
        json!({"id": id, "object": "payment-collection", "deleted": true}),
    ))
}

fn authorize(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&Schema::new().required("payment_session_id", Kind::String))?;
    let order_id = request.param("id");
    let input = json!({"order_id": order_id, "payment_session_id": body["payment_session_id"]});
    run_handle(
        engine,
        request,
        flow::AUTHORIZE_ORDER_PAYMENT_SESSION,
        input,
    )?;
    let fields = request.query_str("fields").map(str::to_string);
    let doc = engine
        .store()
        .read(|conn| crate::http::admin::order_json::admin_order_json(conn, order_id))?;
    Ok(Response::json(json!({
        "order": crate::http::admin::order_json::select(doc, fields.as_deref()),
        "is_authorized": true,
    })))
}
