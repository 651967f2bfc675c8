//! `/admin/fulfillments/:id/shipment` (`{labels}`) and `/admin/fulfillments/:id/cancel`,
//! answering `{fulfillment}`. They run the order workflows through
//! `flows::fulfillment_setup_orders` under the request's `Idempotency-Key`.

use super::orders::run_handle;
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::fulfillment_setup_orders::order_of_fulfillment;
use crate::flows::orders::fulfill;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use crate::modules::fulfillment::records;
use serde_json::json;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new(
            "POST",
            "/admin/fulfillments/:id/shipment",
            a,
            "Mark a fulfillment shipped",
            shipment,
        ),
        Route::new(
            "POST",
            "/admin/fulfillments/:id/cancel",
            a,
            "Cancel a fulfillment",
            cancel,
        ),
    ]
}

fn reply(engine: &Engine, id: &str) -> Result<Response> {
    let found = engine.store().read(|conn| records::retrieve(conn, id))?;
    Ok(Response::json(json!({ "fulfillment": found })))
}

fn shipment(engine: &Engine, request: &Request) -> Result<Response> {
    let label = Schema::new()
        .required("tracking_number", Kind::String)
        .required("tracking_url", Kind::String)
        .required("label_url", Kind::String);
    let body = request.body_with(&Schema::new().array("labels", label).allow_unknown())?;
    let id = request.param("id");
    let order = engine.store().read(|conn| order_of_fulfillment(conn, id))?;
    let input = json!({"order_id": order, "fulfillment_id": id, "items": [],
        "labels": body["labels"]});
    run_handle(engine, request, fulfill::CREATE_SHIPMENT, input)?;
    reply(engine, id)
}

fn cancel(engine: &Engine, request: &Request) -> Result<Response> {
    request.body_with(&Schema::new())?;
    let id = request.param("id");
    let order = engine.store().read(|conn| order_of_fulfillment(conn, id))?;
    let input = json!({"order_id": order, "fulfillment_id": id});
    run_handle(engine, request, fulfill::CANCEL_FULFILLMENT, input)?;
    reply(engine, id)
}
