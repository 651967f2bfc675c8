//! `/admin/customers`: list, create (guest records), retrieve, update, and group membership.

use super::{as_map, page, strings, to_json};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::fields::ids;
use crate::http::store::customers::profile_schema;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::customer::{self, Customer, CustomerFilter, NewCustomer, group};
use crate::workflow::hooks::{self, points};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The `/admin/customers` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/customers",
            Access::Admin,
            "List customers",
            list,
        ),
        Route::new(
            "POST",
            "/admin/customers",
            Access::Admin,
            "Create a customer",
            create,
        ),
        Route::new(
            "GET",
            "/admin/customers/:id",
            Access::Admin,
            "Retrieve a customer",
            retrieve,
        ),
        Route::new(
            "POST",
            "/admin/customers/:id",
            Access::Admin,
            "Update a customer",
            update,
        ),
        Route::new(
            "DELETE",
            "/admin/customers/:id",
            Access::Admin,
            "Delete a customer",
            delete,
        ),
        Route::new(
            "POST",
            "/admin/customers/:id/customer-groups",
            Access::Admin,
            "Add or remove a customer's groups",
            set_groups,
        ),
    ]
}

/// A customer with its groups, as the admin API shows it.
pub(super) fn with_groups(conn: &Connection, found: &Customer) -> Result<Value> {
    let mut value = to_json(found)?;
    let groups = group::groups_of(conn, &found.id)?;
    value["groups"] = groups
        .iter()
        .map(to_json)
        .collect::<Result<Vec<_>>>()?
        .into();
    Ok(value)
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let filter = CustomerFilter {
        ids: ids(&request.query)?,
        q: request.query_str("q").map(str::to_string),
        email: crate::http::query::string_list(&request.query, "email")
            .map_err(|e| crate::error::Error::InvalidData(e.to_string()))?,
        has_account: request.query_str("has_account").map(|v| v == "true"),
    };
    let (items, count) = engine.store().read(|conn| {
        let (found, count) = customer::list(conn, &filter, offset, limit)?;
        let items = found
            .iter()
            .map(|c| with_groups(conn, c))
            .collect::<Result<Vec<_>>>()?;
        Ok((items, count))
    })?;
    Ok(Response::json(list_envelope(
        "customers",
        items,
        count,
        offset,
        limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = profile_schema()
        .required("email", Kind::Email)
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
        has_account: false,
        created_by: request.actor.user_id.clone(),
    };
    let (ctx, hooked) = (engine.ctx().clone(), engine.clone());
    let value = engine.store().write(move |tx| {
        let created = customer::create(tx, &ctx, &input)?;
        ctx.emit(tx, "customer.created", json!({"id": created.id}))?;
        let data = json!({ "customer_id": created.id });
        hooks::run(tx, &hooked, points::CUSTOMER_CREATED, &data, &additional)?;
        with_groups(tx, &created)
    })?;
    Ok(Response::json(json!({ "customer": value })))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let value = engine.store().read(|conn| {
        let found = customer::retrieve(conn, request.param("id"))?;
        with_groups(conn, &found)
    })?;
    Ok(Response::json(json!({ "customer": value })))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = profile_schema().optional("email", Kind::Email);
    let changes = as_map(request.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let value = engine.store().write(move |tx| {
        let updated = customer::update(tx, &ctx, &id, &changes)?;
        with_groups(tx, &updated)
    })?;
    Ok(Response::json(json!({ "customer": value })))
}

fn set_groups(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("add", Kind::array_of(Kind::String))
        .optional("remove", Kind::array_of(Kind::String));
    let body = request.body_with(&schema)?;
    let (add, remove) = (strings(&body, "add"), strings(&body, "remove"));
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let value = engine.store().write(move |tx| {
        let found = customer::retrieve(tx, &id)?;
        for group_id in &add {
            group::add_customers(tx, &ctx, group_id, std::slice::from_ref(&id))?;
        }
        for group_id in &remove {
            group::remove_customers(tx, group_id, std::slice::from_ref(&id))?;
        }
        with_groups(tx, &found)
    })?;
    Ok(Response::json(json!({ "customer": value })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    crate::flows::accounts::delete_customer(engine, id)?;
    Ok(super::deleted(id, "customer"))
}
