//! `/admin/customer-groups`: CRUD and membership (`/:id/customers {add, remove}`).

use super::{as_map, deleted, page, strings, to_json};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::fields::ids;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::customer::group::{self, CustomerGroup};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The `/admin/customer-groups` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/customer-groups",
            Access::Admin,
            "List customer groups",
            list,
        ),
        Route::new(
            "POST",
            "/admin/customer-groups",
            Access::Admin,
            "Create a customer group",
            create,
        ),
        Route::new(
            "GET",
            "/admin/customer-groups/:id",
            Access::Admin,
            "Retrieve a customer group",
            retrieve,
        ),
        Route::new(
            "POST",
            "/admin/customer-groups/:id",
            Access::Admin,
            "Update a customer group",
            update,
        ),
        Route::new(
            "DELETE",
            "/admin/customer-groups/:id",
            Access::Admin,
            "Delete a customer group",
            delete,
        ),
        Route::new(
            "POST",
            "/admin/customer-groups/:id/customers",
            Access::Admin,
            "Add or remove customers",
            members,
        ),
    ]
}

/// A group with its member count, as the admin API lists it.
fn group_json(conn: &Connection, found: &CustomerGroup) -> Result<Value> {
    let mut value = to_json(found)?;
    let members = group::member_ids(conn, &found.id)?;
    value["customers"] = members.iter().map(|id| json!({ "id": id })).collect();
    Ok(value)
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let q = request.query_str("q").map(str::to_string);
    let ids = ids(&request.query)?;
    let (items, count) = engine.store().read(|conn| {
        let (found, count) = group::list(conn, q.as_deref(), &ids, offset, limit)?;
        let items = found
            .iter()
            .map(|g| group_json(conn, g))
            .collect::<Result<Vec<_>>>()?;
        Ok((items, count))
    })?;
    Ok(Response::json(list_envelope(
        "customer_groups",
        items,
        count,
        offset,
        limit,
    )))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .required("name", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let body = request.body_with(&schema)?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let metadata = body.get("metadata").filter(|m| m.is_object()).cloned();
    let (ctx, by) = (engine.ctx().clone(), request.actor.user_id.clone());
    let value = engine.store().write(move |tx| {
        let created = group::create(tx, &ctx, &name, metadata.as_ref(), by.as_deref())?;
        group_json(tx, &created)
    })?;
    Ok(Response::json(json!({ "customer_group": value })))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let value = engine.store().read(|conn| {
        let found = group::retrieve(conn, request.param("id"))?;
        group_json(conn, &found)
    })?;
    Ok(Response::json(json!({ "customer_group": value })))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("name", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(request.body_with(&schema)?);
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let value = engine.store().write(move |tx| {
        let updated = group::update(tx, &ctx, &id, &changes)?;
        group_json(tx, &updated)
    })?;
    Ok(Response::json(json!({ "customer_group": value })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| group::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "customer_group"))
}

fn members(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("add", Kind::array_of(Kind::String))
        .optional("remove", Kind::array_of(Kind::String));
    let body = request.body_with(&schema)?;
    let (add, remove) = (strings(&body, "add"), strings(&body, "remove"));
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let value = engine.store().write(move |tx| {
        group::add_customers(tx, &ctx, &id, &add)?;
        group::remove_customers(tx, &id, &remove)?;
        group_json(tx, &group::retrieve(tx, &id)?)
    })?;
    Ok(Response::json(json!({ "customer_group": value })))
}
