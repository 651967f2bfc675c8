//! `/admin/customers/:id/addresses`: staff manage a customer's address book with the same
//! rules as the customer's own `/store/customers/me/addresses` (one default shipping and one
//! default billing address; every query scoped to the customer in the path).

use super::{as_map, page, to_json};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::store::customers::address_schema;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::customer::{self, address};
use serde_json::{Value, json};

/// The address routes.
pub fn routes() -> Vec<Route> {
    let one = "/admin/customers/:id/addresses/:address_id";
    vec![
        Route::new(
            "GET",
            "/admin/customers/:id/addresses",
            Access::Admin,
            "List a customer's addresses",
            list,
        ),
        Route::new(
            "POST",
            "/admin/customers/:id/addresses",
            Access::Admin,
            "Add an address to a customer",
            create,
        ),
        Route::new(
            "GET",
            one,
            Access::Admin,
            "Retrieve a customer's address",
            retrieve,
        ),
        Route::new(
            "POST",
            one,
            Access::Admin,
            "Update a customer's address",
            update,
        ),
        Route::new(
            "DELETE",
            one,
            Access::Admin,
            "Delete a customer's address",
            delete,
        ),
    ]
}

/// The customer (with its groups and addresses) as the admin API answers address changes.
fn customer_json(engine: &Engine, id: &str) -> Result<Value> {
    engine.store().read(|conn| {
        let found = customer::retrieve(conn, id)?;
        super::customers::with_groups(conn, &found)
    })
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let filter = address::AddressFilter {
        q: request.query_str("q").map(str::to_string),
        city: request.query_str("city").map(str::to_string),
        country_code: request.query_str("country_code").map(str::to_string),
        postal_code: request.query_str("postal_code").map(str::to_string),
    };
    let id = request.param("id");
    let (items, count) = engine.store().read(|conn| {
        customer::retrieve(conn, id)?;
        address::list(conn, id, &filter, offset, limit)
    })?;
    let items = items.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "addresses",
        items,
        count,
        offset,
        limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let fields = as_map(request.body_with(&address_schema())?);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine.store().write(move |tx| {
        customer::retrieve(tx, &target)?;
        address::create(tx, &ctx, &target, &fields).map(|_| ())
    })?;
    Ok(Response::json(
        json!({ "customer": customer_json(engine, &id)? }),
    ))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let found = engine
        .store()
        .read(|conn| address::retrieve(conn, request.param("id"), request.param("address_id")))?;
    Ok(Response::json(json!({ "address": to_json(&found)? })))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let fields = as_map(request.body_with(&address_schema())?);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let (target, address_id) = (id.clone(), request.param("address_id").to_string());
    engine
        .store()
        .write(move |tx| address::update(tx, &ctx, &target, &address_id, &fields).map(|_| ()))?;
    Ok(Response::json(
        json!({ "customer": customer_json(engine, &id)? }),
    ))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let address_id = request.param("address_id").to_string();
    let (target, address) = (id.clone(), address_id.clone());
    engine
        .store()
        .write(move |tx| address::delete(tx, &ctx, &target, &address))?;
    Ok(Response::json(json!({
        "id": address_id,
        "object": "customer_address",
        "deleted": true,
        "parent": customer_json(engine, &id)?,
    })))
}
