//! `/store/orders` (reference §2.8): one order by id (knowing the id is enough for a guest;
//! a signed-in customer never sees another customer's order), and the signed-in customer's
//! own orders.

use super::checkout_json::order_json;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::admin::page;
use crate::http::fields::ids;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::order;
use serde_json::Value;

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new("GET", "/store/orders", Access::Customer, "My orders", list),
        Route::new(
            "GET",
            "/store/orders/:id",
            Access::Store,
            "Retrieve an order",
            retrieve,
        ),
    ]
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let caller = request.actor.customer_id.clone();
    let order = engine.store().read(|conn| {
        let found = order::retrieve(conn, id)?;
        let theirs_only =
            caller.is_some() && found.customer_id.is_some() && found.customer_id != caller;
        if theirs_only || found.status == "draft" {
            return Err(Error::not_found("Order", id));
        }
        order_json(conn, id)
    })?;
    Ok(Response::envelope("order", order))
}

/// A customer's orders (among `ids` when not empty) as JSON documents, newest first, with
/// their count.
///
/// # Errors
/// Database failures.
pub fn orders_of(
    engine: &Engine,
    customer_id: &str,
    ids: &[String],
    offset: u64,
    limit: u64,
) -> Result<(Vec<Value>, u64)> {
    engine.store().read(|conn| {
        let (orders, count) = order::list_for_customer(conn, customer_id, ids, offset, limit)?;
        let docs = orders
            .iter()
            .map(|o| order_json(conn, &o.id))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let customer_id = request
        .actor
        .customer_id
        .clone()
        .ok_or(Error::Unauthorized)?;
    let (offset, limit) = page(request, 50)?;
    let ids = ids(&request.query)?;
    let (orders, count) = orders_of(engine, &customer_id, &ids, offset, limit)?;
    Ok(Response::json(list_envelope(
        "orders", orders, count, offset, limit,
    )))
}
