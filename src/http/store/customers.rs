//! `/store/customers` (reference §2.7): registration with a registration token, the signed-in
//! customer (`/me`) and its addresses. Every address query is scoped to the caller.
//!
//! `fields=*orders` (sent by the Next.js starter on every page) adds the customer's orders.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::accounts;
use crate::http::admin::{as_map, page, to_json};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::customer::{self, Customer, NewCustomer, address};
use serde_json::{Value, json};

/// The `/store/customers` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "POST",
            "/store/customers",
            Access::Store,
            "Register the customer of a registration token",
            create,
        ),
        Route::new(
            "GET",
            "/store/customers/me",
            Access::Customer,
            "The signed-in customer",
            me,
        ),
        Route::new(
            "POST",
            "/store/customers/me",
            Access::Customer,
            "Update the signed-in customer",
            update_me,
        ),
        Route::new(
            "GET",
            "/store/customers/me/addresses",
            Access::Customer,
            "List my addresses",
            list_addresses,
        ),
        Route::new(
            "POST",
            "/store/customers/me/addresses",
            Access::Customer,
            "Add an address",
            create_address,
        ),
        Route::new(
            "GET",
            "/store/customers/me/addresses/:address_id",
            Access::Customer,
            "One of my addresses",
            get_address,
        ),
        Route::new(
            "POST",
            "/store/customers/me/addresses/:address_id",
            Access::Customer,
            "Update an address",
            update_address,
        ),
        Route::new(
            "DELETE",
            "/store/customers/me/addresses/:address_id",
            Access::Customer,
            "Delete an address",
            delete_address,
        ),
    ]
}

fn text() -> Kind {
    Kind::String.nullable()
}

/// Fields a customer may set on itself.
pub fn profile_schema() -> Schema {
    Schema::new()
        .optional("company_name", text())
        .optional("first_name", text())
        .optional("last_name", text())
        .optional("phone", text())
        .optional("metadata", Kind::Object.nullable())
}

/// Address body fields (cart and customer addresses share them).
pub fn address_schema() -> Schema {
    let mut schema = Schema::new()
        .optional("is_default_shipping", Kind::Boolean)
        .optional("is_default_billing", Kind::Boolean)
        .optional("metadata", Kind::Object.nullable());
    for field in address::FIELDS
        .iter()
        .filter(|f| !f.starts_with("is_default") && **f != "metadata")
    {
        schema = schema.optional(field, text());
    }
    schema
}

fn customer_json(engine: &Engine, request: &Request, customer: &Customer) -> Result<Value> {
    let mut value = to_json(customer)?;
    let wants_orders = request.query_str("fields").is_some_and(|f| {
        f.split(',')
            .any(|p| p.trim().trim_start_matches(['*', '+']) == "orders")
    });
    if wants_orders {
        let (orders, _) = super::orders::orders_of(engine, &customer.id, &[], 0, 50)?;
        value["orders"] = json!(orders);
    }
    Ok(value)
}

fn caller(request: &Request) -> Result<String> {
    request.actor.customer_id.clone().ok_or(Error::Unauthorized)
}

fn read_customer(engine: &Engine, id: &str) -> Result<Customer> {
    engine.store().read(|conn| customer::retrieve(conn, id))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let context = request.actor.auth.clone().ok_or(Error::Unauthorized)?;
    let schema = profile_schema()
        .optional("email", Kind::Email)
        .optional("additional_data", Kind::Object.nullable());
    let body = request.body_with(&schema)?;
    let additional = body.get("additional_data").cloned().unwrap_or(Value::Null);
    let get = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let input = NewCustomer {
        email: get("email").unwrap_or_default(),
        company_name: get("company_name"),
        first_name: get("first_name"),
        last_name: get("last_name"),
        phone: get("phone"),
        metadata: body.get("metadata").filter(|m| m.is_object()).cloned(),
        has_account: true,
        created_by: None,
    };
    let created = accounts::register_customer_with(engine, &context, input, additional)?;
    Ok(Response::json(
        json!({ "customer": customer_json(engine, request, &created)? }),
    ))
}

fn me(engine: &Engine, request: &Request) -> Result<Response> {
    let found = read_customer(engine, &caller(request)?)?;
    Ok(Response::json(
        json!({ "customer": customer_json(engine, request, &found)? }),
    ))
}

fn update_me(engine: &Engine, request: &Request) -> Result<Response> {
    let changes = as_map(request.body_with(&profile_schema())?);
    let (id, ctx) = (caller(request)?, engine.ctx().clone());
    let updated = engine
        .store()
        .write(move |tx| customer::update(tx, &ctx, &id, &changes))?;
    Ok(Response::json(
        json!({ "customer": customer_json(engine, request, &updated)? }),
    ))
}

fn list_addresses(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let filter = address::AddressFilter {
        q: request.query_str("q").map(str::to_string),
        city: request.query_str("city").map(str::to_string),
        country_code: request.query_str("country_code").map(str::to_string),
        postal_code: request.query_str("postal_code").map(str::to_string),
    };
    let id = caller(request)?;
    let (items, count) = engine
        .store()
        .read(|conn| address::list(conn, &id, &filter, offset, limit))?;
    let items = items.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "addresses",
        items,
        count,
        offset,
        limit,
    )))
}

fn create_address(engine: &Engine, request: &Request) -> Result<Response> {
    let fields = as_map(request.body_with(&address_schema())?);
    let (id, ctx) = (caller(request)?, engine.ctx().clone());
    let updated = engine.store().write(move |tx| {
        address::create(tx, &ctx, &id, &fields)?;
        customer::retrieve(tx, &id)
    })?;
    Ok(Response::json(
        json!({ "customer": customer_json(engine, request, &updated)? }),
    ))
}

fn get_address(engine: &Engine, request: &Request) -> Result<Response> {
    let id = caller(request)?;
    let found = engine
        .store()
        .read(|conn| address::retrieve(conn, &id, request.param("address_id")))?;
    Ok(Response::json(json!({ "address": to_json(&found)? })))
}

fn update_address(engine: &Engine, request: &Request) -> Result<Response> {
    let fields = as_map(request.body_with(&address_schema())?);
    let (id, ctx) = (caller(request)?, engine.ctx().clone());
    let address_id = request.param("address_id").to_string();
    let updated = engine.store().write(move |tx| {
        address::update(tx, &ctx, &id, &address_id, &fields)?;
        customer::retrieve(tx, &id)
    })?;
    Ok(Response::json(
        json!({ "customer": customer_json(engine, request, &updated)? }),
    ))
}

fn delete_address(engine: &Engine, request: &Request) -> Result<Response> {
    let (id, ctx) = (caller(request)?, engine.ctx().clone());
    let address_id = request.param("address_id").to_string();
    let target = address_id.clone();
    let parent = engine.store().write(move |tx| {
        address::delete(tx, &ctx, &id, &target)?;
        customer::retrieve(tx, &id)
    })?;
    Ok(Response::json(json!({
        "id": address_id,
        "object": "address",
        "deleted": true,
        "parent": customer_json(engine, request, &parent)?,
    })))
}
