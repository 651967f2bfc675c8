//! `/admin/inventory-items` (with `location-levels`) and `/admin/reservations` (reference
//! §4.3). Items answer with their summed `stocked_quantity` / `reserved_quantity` and their
//! `location_levels` (each with `available_quantity`).

use super::{as_map, deleted, to_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::stock_admin;
use crate::http::Paged;
use crate::http::fields::{boolean, ids, page, query_error, string};
use crate::http::query::exact_list;
use crate::http::validate::{Kind, Schema, get_array, get_i64};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::inventory::manage::{self, ITEM_FIELDS};
use crate::modules::inventory::reservations::{self, NewReservation, ReservationFilter};
use crate::workflow::parse_input;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    let items = "/admin/inventory-items";
    let item = "/admin/inventory-items/:id";
    let levels = "/admin/inventory-items/:id/location-levels";
    let level = "/admin/inventory-items/:id/location-levels/:location_id";
    vec![
        Route::new("GET", items, a, "List inventory items", list),
        Route::new("POST", items, a, "Create an inventory item", create),
        Route::new("GET", item, a, "Retrieve an inventory item", retrieve),
        Route::new("POST", item, a, "Update an inventory item", update),
        Route::new("DELETE", item, a, "Delete an inventory item", delete),
        Route::new("GET", levels, a, "List location levels", list_levels),
        Route::new("POST", levels, a, "Create a location level", create_level),
        Route::new("POST", level, a, "Update a location level", update_level),
        Route::new("DELETE", level, a, "Delete a location level", delete_level),
        Route::new(
            "GET",
            "/admin/reservations",
            a,
            "List reservations",
            list_reservations,
        ),
        Route::new(
            "POST",
            "/admin/reservations",
            a,
            "Create a reservation",
            create_reservation,
        ),
        Route::new(
            "GET",
            "/admin/reservations/:id",
            a,
            "Retrieve a reservation",
            retrieve_reservation,
        ),
        Route::new(
            "POST",
            "/admin/reservations/:id",
            a,
            "Update a reservation",
            update_reservation,
        ),
        Route::new(
            "DELETE",
            "/admin/reservations/:id",
            a,
            "Delete a reservation",
            delete_reservation,
        ),
    ]
}

fn item_schema() -> Schema {
    let mut schema = Schema::new();
    for field in ITEM_FIELDS {
        let kind = match *field {
            "requires_shipping" => Kind::Boolean,
            "weight" | "length" | "height" | "width" => Kind::Integer.nullable(),
            "metadata" => Kind::Object.nullable(),
            _ => Kind::String.nullable(),
        };
        schema = schema.optional(field, kind);
    }
    schema
}

fn level_schema() -> Schema {
    Schema::new()
        .optional("stocked_quantity", Kind::Integer)
        .optional("incoming_quantity", Kind::Integer)
}

fn quantity(body: &Value, key: &str) -> Result<Option<i64>> {
    match get_i64(body, key) {
        Some(q) if q < 0 => Err(Error::invalid(format!(
            "Invalid request: Value for field '{key}' too small, expected at least: '0'"
        ))),
        other => Ok(other),
    }
}

fn item_json(engine: &Engine, id: &str) -> Result<Value> {
    engine
        .store()
        .read(|conn| to_json(&manage::retrieve(conn, id)?))
}

fn item_reply(engine: &Engine, id: &str) -> Result<Response> {
    Ok(Response::json(
        json!({ "inventory_item": item_json(engine, id)? }),
    ))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&request.query, 50)?;
    let (limit, offset) = (limit.min(i64::MAX as u64), offset.min(i64::MAX as u64));
    let q = string(&request.query, "q")?;
    let sku = string(&request.query, "sku")?;
    let ids = ids(&request.query)?;
    let (items, count) = engine.store().read(|conn| {
        let (items, count) = manage::list(conn, q.as_deref(), sku.as_deref(), &ids, offset, limit)?;
        Ok((
            items.iter().map(to_json).collect::<Result<Vec<_>>>()?,
            count,
        ))
    })?;
    Ok(Response::json(list_envelope(
        "inventory_items",
        items,
        count,
        offset,
        limit,
    )))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    item_reply(engine, request.param("id"))
}

/// A level's `location_id`, once the level's schema has passed.
#[derive(Deserialize)]
struct AtLocation {
    location_id: String,
}

/// `POST /admin/reservations`'s ids and flags, once its schema has passed.
#[derive(Deserialize)]
struct ReservationBody {
    line_item_id: Option<String>,
    inventory_item_id: String,
    location_id: String,
    #[serde(default)]
    allow_backorder: bool,
    description: Option<String>,
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let level = level_schema().required("location_id", Kind::String);
    let body = request.body_with(&item_schema().optional_array("location_levels", level))?;
    let levels = get_array(&body, "location_levels")
        .cloned()
        .unwrap_or_default();
    let mut located = Vec::with_capacity(levels.len());
    for l in &levels {
        let stocked = quantity(l, "stocked_quantity")?.unwrap_or(0);
        let incoming = quantity(l, "incoming_quantity")?.unwrap_or(0);
        located.push((parse_input::<AtLocation>(l)?.location_id, stocked, incoming));
    }
    let mut fields = as_map(body);
    fields.remove("location_levels");
    let ctx = engine.ctx().clone();
    let id = engine.store().write(move |tx| {
        let id = manage::create(tx, &ctx, &fields)?;
        for (location, stocked, incoming) in &located {
            stock_admin::create_level(tx, &ctx, &id, location, *stocked, *incoming)?;
        }
        Ok(id)
    })?;
    item_reply(engine, &id)
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let fields = as_map(request.body_with(&item_schema())?);
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| manage::update(tx, &ctx, &target, &fields))?;
    item_reply(engine, &id)
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| manage::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "inventory_item"))
}

fn list_levels(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&request.query, 50)?;
    let (limit, offset) = (limit.min(i64::MAX as u64), offset.min(i64::MAX as u64));
    let id = request.param("id");
    let location = string(&request.query, "location_id")?;
    let levels = engine.store().read(|conn| {
        manage::retrieve(conn, id)?;
        manage::levels_of(conn, id)
    })?;
    let all: Vec<Value> = levels
        .iter()
        .filter(|l| location.as_ref().is_none_or(|loc| &l.location_id == loc))
        .map(to_json)
        .collect::<Result<_>>()?;
    let count = all.len() as u64;
    let page: Vec<Value> = all.into_iter().page(offset, limit).collect();
    Ok(Response::json(list_envelope(
        "inventory_levels",
        page,
        count,
        offset,
        limit,
    )))
}

fn create_level(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&level_schema().required("location_id", Kind::String))?;
    let stocked = quantity(&body, "stocked_quantity")?.unwrap_or(0);
    let incoming = quantity(&body, "incoming_quantity")?.unwrap_or(0);
    let location = parse_input::<AtLocation>(&body)?.location_id;
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine.store().write(move |tx| {
        stock_admin::create_level(tx, &ctx, &target, &location, stocked, incoming)
    })?;
    item_reply(engine, &id)
}

fn update_level(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&level_schema())?;
    let stocked = quantity(&body, "stocked_quantity")?;
    let incoming = quantity(&body, "incoming_quantity")?;
    let id = request.param("id").to_string();
    let location = request.param("location_id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| manage::update_level(tx, &ctx, &target, &location, stocked, incoming))?;
    item_reply(engine, &id)
}

fn delete_level(engine: &Engine, request: &Request) -> Result<Response> {
    let force = boolean(&request.query, "force")?.unwrap_or(false);
    let id = request.param("id").to_string();
    let location = request.param("location_id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    let level = engine
        .store()
        .write(move |tx| manage::delete_level(tx, &ctx, &target, &location, force))?;
    let parent = item_json(engine, &id)?;
    Ok(Response::json(
        json!({"id": level, "object": "inventory-level", "deleted": true, "parent": parent}),
    ))
}

fn reservation_reply(engine: &Engine, id: &str) -> Result<Response> {
    let found = engine
        .store()
        .read(|conn| reservations::retrieve(conn, id))?;
    Ok(Response::json(json!({ "reservation": to_json(&found)? })))
}

/// A `string | string[]` filter taken exactly as sent (no comma splitting, as Medusa's zod
/// union).
fn exact(request: &Request, key: &str) -> Result<Vec<String>> {
    exact_list(&request.query, key).map_err(query_error)
}

fn list_reservations(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&request.query, 50)?;
    let (limit, offset) = (limit.min(i64::MAX as u64), offset.min(i64::MAX as u64));
    let filter = ReservationFilter {
        ids: ids(&request.query)?,
        // Each a string or a list, as Medusa's validator (the dashboard's order page sends
        // `line_item_id[0]=…`).
        inventory_item_ids: exact(request, "inventory_item_id")?,
        location_ids: exact(request, "location_id")?,
        line_item_ids: exact(request, "line_item_id")?,
    };
    let (rows, count) = engine
        .store()
        .read(|conn| reservations::list(conn, &filter, offset, limit))?;
    let rows = rows.iter().map(to_json).collect::<Result<Vec<_>>>()?;
    Ok(Response::json(list_envelope(
        "reservations",
        rows,
        count,
        offset,
        limit,
    )))
}

fn metadata(body: &Value) -> Option<Value> {
    body.get("metadata").filter(|m| m.is_object()).cloned()
}

fn create_reservation(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("line_item_id", Kind::String.nullable())
            .required("location_id", Kind::String)
            .required("inventory_item_id", Kind::String)
            .required("quantity", Kind::Integer)
            .optional("allow_backorder", Kind::Boolean)
            .optional("description", Kind::String.nullable())
            .optional("metadata", Kind::Object.nullable()),
    )?;
    // The schema took 5.0 as an integer too, which serde would not: read as before.
    let quantity = get_i64(&body, "quantity")
        .filter(|q| *q >= 1)
        .ok_or_else(|| {
            Error::invalid(
                "Invalid request: Value for field 'quantity' too small, expected at least: '1'",
            )
        })?;
    let fields: ReservationBody = parse_input(&body)?;
    let input = NewReservation {
        line_item_id: fields.line_item_id,
        inventory_item_id: fields.inventory_item_id,
        location_id: fields.location_id,
        quantity,
        allow_backorder: fields.allow_backorder,
        description: fields.description,
        metadata: metadata(&body),
        created_by: request.actor.user_id.clone(),
    };
    let ctx = engine.ctx().clone();
    let created = engine
        .store()
        .write(move |tx| stock_admin::create_reservation(tx, &ctx, &input))?;
    reservation_reply(engine, &created.id)
}

fn update_reservation(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("location_id", Kind::String)
            .optional("quantity", Kind::Integer)
            .optional("description", Kind::String.nullable())
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let quantity = get_i64(&body, "quantity");
    if quantity.is_some_and(|q| q < 1) {
        return Err(Error::invalid(
            "Invalid request: Value for field 'quantity' too small, expected at least: '1'",
        ));
    }
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    let fields: Map<String, Value> = as_map(body);
    engine.store().write(move |tx| {
        let location = fields.get("location_id").and_then(Value::as_str);
        let description = fields.get("description").and_then(Value::as_str);
        let metadata = fields.get("metadata").filter(|m| m.is_object());
        reservations::update(tx, &ctx, &target, quantity, location, description, metadata)
    })?;
    reservation_reply(engine, &id)
}

fn retrieve_reservation(engine: &Engine, request: &Request) -> Result<Response> {
    reservation_reply(engine, request.param("id"))
}

fn delete_reservation(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| reservations::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "reservation"))
}
