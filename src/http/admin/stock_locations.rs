//! `/admin/stock-locations`: CRUD, and `/:id/sales-channels {add, remove}`; documents carry
//! `fulfillment_sets` and `fulfillment_providers` when `fields=` asks for them.

use super::fulfillment_sets::{add_fulfillment, asks_for};
use super::shipping_json::option_doc;
use super::{as_map, deleted, strings};
use crate::engine::Engine;
use crate::error::Result;
use crate::flows::{links, stock_admin};
use crate::http::fields::{ids, page, string, strings as query_strings};
use crate::http::validate::{Kind, Schema, get_object, get_str};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::fulfillment::option_admin::{self, OptionFilter};
use crate::modules::sales_channel;
use crate::modules::stock_location::{self, LocationAddress, manage};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    let one = "/admin/stock-locations/:id";
    vec![
        Route::new(
            "GET",
            "/admin/stock-locations",
            a,
            "List stock locations",
            list,
        ),
        Route::new(
            "POST",
            "/admin/stock-locations",
            a,
            "Create a stock location",
            create,
        ),
        Route::new("GET", one, a, "Retrieve a stock location", retrieve),
        Route::new("POST", one, a, "Update a stock location", update),
        Route::new("DELETE", one, a, "Delete a stock location", delete),
        Route::new(
            "POST",
            "/admin/stock-locations/:id/sales-channels",
            a,
            "Link sales channels to a stock location",
            channels,
        ),
    ]
}

fn address_schema(required: bool) -> Schema {
    let mut schema = Schema::new();
    for field in manage::ADDRESS_FIELDS {
        let kind = if *field == "metadata" {
            Kind::Object.nullable()
        } else {
            Kind::String.nullable()
        };
        schema = match (*field, required) {
            ("address_1" | "country_code", true) => schema.required(field, Kind::String),
            _ => schema.optional(field, kind),
        };
    }
    schema
}

/// The location document; `fulfillment_sets` / `fulfillment_providers` / `sales_channels`
/// when `fields` asks.
fn document(conn: &Connection, id: &str, fields: Option<&str>) -> Result<Value> {
    let mut doc = manage::document(conn, id)?;
    add_fulfillment(conn, id, &mut doc, |relation| asks_for(fields, relation))?;
    if asks_for(fields, "sales_channels") {
        doc.insert("sales_channels".into(), linked_channels(conn, id)?);
    }
    if asks_for(fields, "fulfillment_sets.service_zones.shipping_options") {
        add_zone_options(conn, &mut doc)?;
    }
    Ok(Value::Object(doc))
}

/// Each service zone's live shipping options (with rules, type, prices and shipping
/// profile), as Medusa's graph answers `*fulfillment_sets.service_zones.shipping_options`:
/// the dashboard's location page counts a zone's store and return options from them.
fn add_zone_options(conn: &Connection, doc: &mut Map<String, Value>) -> Result<()> {
    let zones = doc
        .get_mut("fulfillment_sets")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(|set| set.get_mut("service_zones").and_then(Value::as_array_mut))
        .flatten();
    for zone in zones {
        let filter = OptionFilter {
            service_zone_ids: vec![zone["id"].as_str().unwrap_or_default().to_string()],
            ..OptionFilter::default()
        };
        let (options, _) = option_admin::list(conn, &filter, None, (0, u64::MAX))?;
        let docs = options
            .iter()
            .map(|o| option_doc(conn, o))
            .collect::<Result<Vec<_>>>()?;
        zone["shipping_options"] = Value::Array(docs);
    }
    Ok(())
}

/// The live sales channels linked to a location, as records (the dashboard's locations list
/// asks `*sales_channels` and shows their names).
fn linked_channels(conn: &Connection, id: &str) -> Result<Value> {
    let ids = links::sales_channel_stock_location().lefts_of(conn, id)?;
    if ids.is_empty() {
        return Ok(json!([]));
    }
    Ok(serde_json::to_value(sales_channel::list_ids(conn, &ids)?)?)
}

fn location_reply(engine: &Engine, request: &Request, id: &str) -> Result<Response> {
    let fields = request.query_str("fields");
    let doc = engine.store().read(|conn| document(conn, id, fields))?;
    Ok(Response::json(json!({ "stock_location": doc })))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&request.query, 50)?;
    let (limit, offset) = (limit.min(i64::MAX as u64), offset.min(i64::MAX as u64));
    let q = string(&request.query, "q")?;
    let names = query_strings(&request.query, "name")?;
    let wanted = ids(&request.query)?;
    let (docs, count) = engine.store().read(|conn| {
        let (ids, count) = manage::list(conn, q.as_deref(), &names, &wanted, offset, limit)?;
        let docs = ids
            .iter()
            .map(|id| document(conn, id, fields.as_deref()))
            .collect::<Result<Vec<_>>>()?;
        Ok((docs, count))
    })?;
    Ok(Response::json(list_envelope(
        "stock_locations",
        docs,
        count,
        offset,
        limit,
    )))
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    location_reply(engine, request, request.param("id"))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("name", Kind::String)
            .optional("address_id", Kind::String.nullable())
            .optional("address", Kind::shape(address_schema(true)))
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let name = get_str(&body, "name").unwrap_or_default().to_string();
    let address = get_object(&body, "address").cloned();
    let metadata = body.get("metadata").filter(|m| m.is_object()).cloned();
    let ctx = engine.ctx().clone();
    let id = engine.store().write(move |tx| {
        let base = address.as_ref().map(|a| LocationAddress {
            address_1: a
                .get("address_1")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into(),
            country_code: a
                .get("country_code")
                .and_then(Value::as_str)
                .unwrap_or("")
                .into(),
            ..Default::default()
        });
        let created = stock_location::create(tx, &ctx, &name, base.as_ref())?;
        let mut fields = serde_json::Map::new();
        if let Some(m) = metadata {
            fields.insert("metadata".into(), m);
        }
        manage::update(tx, &ctx, &created.id, &fields, address.as_ref())?;
        Ok(created.id)
    })?;
    location_reply(engine, request, &id)
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("name", Kind::String)
            .optional("address_id", Kind::String.nullable())
            .optional("address", Kind::shape(address_schema(false)))
            .optional("metadata", Kind::Object.nullable()),
    )?;
    let address = get_object(&body, "address").cloned();
    let mut fields = as_map(body);
    fields.remove("address");
    fields.remove("address_id");
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| manage::update(tx, &ctx, &target, &fields, address.as_ref()))?;
    location_reply(engine, request, &id)
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| stock_admin::delete_location(tx, &ctx, &target))?;
    Ok(deleted(&id, "stock_location"))
}

fn channels(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("add", Kind::array_of(Kind::String))
            .optional("remove", Kind::array_of(Kind::String)),
    )?;
    let (add, remove) = (strings(&body, "add"), strings(&body, "remove"));
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| stock_admin::location_channels(tx, &ctx, &target, &add, &remove))?;
    location_reply(engine, request, &id)
}
