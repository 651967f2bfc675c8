//! Where a shop ships from: `/admin/stock-locations/:id/fulfillment-sets` (create a set),
//! `/admin/stock-locations/:id/fulfillment-providers` (`{add, remove}`),
//! `/admin/fulfillment-sets/:id` (delete), its `/service-zones` (create; retrieve, update,
//! delete one), and `/admin/fulfillment-providers` (list). Geo zones are `country` or
//! `province` zones; Medusa's `city` and `zip` zones are refused (no columns for them).

use super::channels::AddRemove;
use super::deleted;
use super::shipping_json::{at_path, select};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::fulfillment_setup_locations::{
    self as setup, providers_of_location, sets_of_location,
};
use crate::http::Paged;
use crate::http::fields::{boolean, ids, page, string, strings};
use crate::http::validate::{Kind, Schema, get_array, get_str};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::fulfillment::GeoZone;
use crate::modules::fulfillment::zones::{self, GeoZoneInput};
use crate::modules::stock_location::manage;
use crate::workflow::parse_input;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    let zone = "/admin/fulfillment-sets/:id/service-zones/:zone_id";
    vec![
        Route::new(
            "POST",
            "/admin/stock-locations/:id/fulfillment-sets",
            a,
            "Create a fulfillment set at a stock location",
            create_set,
        ),
        Route::new(
            "POST",
            "/admin/stock-locations/:id/fulfillment-providers",
            a,
            "Enable and disable fulfillment providers at a stock location",
            location_providers,
        ),
        Route::new(
            "GET",
            "/admin/fulfillment-providers/:id/options",
            a,
            "List a fulfillment provider's options",
            provider_options,
        ),
        Route::new(
            "GET",
            "/admin/fulfillment-providers",
            a,
            "List fulfillment providers",
            list_providers,
        ),
        Route::new(
            "DELETE",
            "/admin/fulfillment-sets/:id",
            a,
            "Delete a fulfillment set",
            delete_set,
        ),
        Route::new(
            "POST",
            "/admin/fulfillment-sets/:id/service-zones",
            a,
            "Create a service zone",
            create_zone,
        ),
        Route::new("GET", zone, a, "Retrieve a service zone", retrieve_zone),
        Route::new("POST", zone, a, "Update a service zone", update_zone),
        Route::new("DELETE", zone, a, "Delete a service zone", delete_zone),
    ]
}

/// Adds a location's `fulfillment_sets` (with zones and geo zones) and / or
/// `fulfillment_providers` to its document, each when `wanted` names it.
///
/// # Errors
/// Database failures.
pub fn add_fulfillment(
    conn: &Connection,
    id: &str,
    doc: &mut Map<String, Value>,
    wanted: impl Fn(&str) -> bool,
) -> Result<()> {
    if wanted("fulfillment_sets") {
        let sets = serde_json::to_value(sets_of_location(conn, id)?)?;
        doc.insert("fulfillment_sets".into(), sets);
    }
    if wanted("fulfillment_providers") {
        let providers: Vec<Value> = providers_of_location(conn, id)?
            .into_iter()
            .map(|p| json!({"id": p, "is_enabled": true}))
            .collect();
        doc.insert("fulfillment_providers".into(), Value::Array(providers));
    }
    Ok(())
}

/// Whether a `fields=` string reaches `relation`.
pub fn asks_for(fields: Option<&str>, relation: &str) -> bool {
    fields.is_some_and(|f| {
        f.split(',')
            .any(|part| part.trim_start_matches(['+', '*']).starts_with(relation))
    })
}

/// The stock location document with its fulfillment sets and providers.
fn location_doc(conn: &Connection, id: &str) -> Result<Value> {
    let mut doc = manage::document(conn, id)?;
    add_fulfillment(conn, id, &mut doc, |_| true)?;
    Ok(Value::Object(doc))
}

fn location_reply(engine: &Engine, request: &Request, id: &str) -> Result<Response> {
    let doc = engine.store().read(|conn| location_doc(conn, id))?;
    let doc = select(doc, request.query_str("fields"), &["*address"]);
    Ok(Response::json(json!({ "stock_location": doc })))
}

fn set_reply(engine: &Engine, request: &Request, id: &str) -> Result<Response> {
    let set = engine.store().read(|conn| zones::retrieve_set(conn, id))?;
    let defaults = [
        "id",
        "name",
        "type",
        "created_at",
        "updated_at",
        "*service_zones",
        "*service_zones.geo_zones",
    ];
    let doc = select(
        serde_json::to_value(set)?,
        request.query_str("fields"),
        &defaults,
    );
    Ok(Response::json(json!({ "fulfillment_set": doc })))
}

/// `POST /admin/stock-locations/:id/fulfillment-sets`'s body, once its schema has passed.
#[derive(Deserialize)]
struct SetBody {
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

/// A body whose `name` is required (the rest is read elsewhere).
#[derive(Deserialize)]
struct Named {
    name: String,
}

/// A geo zone, once [`geo_zone_of`]'s schema for its type has passed.
#[derive(Deserialize)]
struct ZoneBody {
    id: Option<String>,
    country_code: String,
    province_code: Option<String>,
}

fn create_set(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("name", Kind::String)
            .required("type", Kind::String),
    )?;
    let body: SetBody = parse_input(&body)?;
    let (name, kind) = (body.name, body.kind);
    let location = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), location.clone());
    engine
        .store()
        .write(move |tx| setup::create_location_set(tx, &ctx, &target, &name, &kind))?;
    location_reply(engine, request, &location)
}

fn location_providers(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("add", Kind::array_of(Kind::String))
            .optional("remove", Kind::array_of(Kind::String)),
    )?;
    let body: AddRemove = parse_input(&body)?;
    let (add, remove) = (body.add, body.remove);
    let location = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), location.clone());
    let known = engine.providers().fulfillment_ids();
    engine
        .store()
        .write(move |tx| setup::location_providers(tx, &ctx, &target, (&add, &remove), &known))?;
    location_reply(engine, request, &location)
}

fn list_providers(engine: &Engine, request: &Request) -> Result<Response> {
    let (limit, offset, _, fields) = page(&request.query, 50)?;
    let q = &request.query;
    let (wanted, text) = (ids(q)?, string(q, "q")?);
    let enabled = boolean(q, "is_enabled")?;
    let locations = strings(q, "stock_location_id")?;
    let at = engine.store().read(|c| {
        let mut at = Vec::new();
        for location in &locations {
            at.extend(providers_of_location(c, location)?);
        }
        Ok(at)
    })?;
    let matching: Vec<&str> = engine
        .providers()
        .fulfillment_ids()
        .into_iter()
        .filter(|p| wanted.is_empty() || wanted.iter().any(|w| w == p))
        .filter(|p| text.as_deref().is_none_or(|t| p.contains(t)))
        .filter(|_| enabled != Some(false))
        .filter(|p| locations.is_empty() || at.iter().any(|x| x == p))
        .collect();
    let count = matching.len() as u64;
    let docs = matching
        .iter()
        .page(offset, limit)
        .map(|p| {
            select(
                json!({"id": p, "is_enabled": true}),
                fields.as_deref(),
                &["id", "is_enabled"],
            )
        })
        .collect();
    Ok(Response::json(list_envelope(
        "fulfillment_providers",
        docs,
        count,
        offset,
        limit,
    )))
}

fn delete_set(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), id.clone());
    engine
        .store()
        .write(move |tx| setup::delete_set(tx, &ctx, &target))?;
    Ok(deleted(&id, "fulfillment_set"))
}

/// A geo zone of a body (`geo_zones, N` in messages): `country` (`country_code`) or
/// `province` (`country_code`, `province_code`), `metadata` accepted and not stored.
fn geo_zone_of(value: &Value, index: usize, with_id: bool) -> Result<GeoZoneInput> {
    let kind = get_str(value, "type").unwrap_or_default();
    let mut schema = Schema::new()
        .required("type", Kind::String)
        .required("country_code", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    match kind {
        "country" => {}
        "province" => schema = schema.required("province_code", Kind::String),
        "city" | "zip" => {
            return Err(Error::invalid(format!(
                "Geo zones of type '{kind}' are not supported; use 'country' or 'province'"
            )));
        }
        _ => {
            return Err(Error::invalid(format!(
                "Invalid request: Invalid discriminator value. Expected 'country' | 'province' | 'city' | 'zip' for field 'geo_zones, {index}, type'"
            )));
        }
    }
    if with_id {
        schema = schema.optional("id", Kind::String);
    }
    schema
        .check(value)
        .map_err(|e| at_path(e, &format!("geo_zones, {index}, ")))?;
    let zone: ZoneBody = parse_input(value)?;
    Ok(GeoZoneInput {
        id: zone.id,
        zone: GeoZone {
            country_code: zone.country_code.to_lowercase(),
            province_code: zone.province_code.map(|p| p.to_lowercase()),
        },
    })
}

fn geo_zones_of(body: &Value, with_id: bool) -> Result<Option<Vec<GeoZoneInput>>> {
    get_array(body, "geo_zones")
        .map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, g)| geo_zone_of(g, i, with_id))
                .collect()
        })
        .transpose()
}

fn create_zone(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .required("name", Kind::String)
            .optional("geo_zones", Kind::array_of(Kind::Object)),
    )?;
    let geo: Vec<GeoZone> = geo_zones_of(&body, false)?
        .unwrap_or_default()
        .into_iter()
        .map(|g| g.zone)
        .collect();
    let name = parse_input::<Named>(&body)?.name;
    let set = request.param("id").to_string();
    let (ctx, target) = (engine.ctx().clone(), set.clone());
    engine
        .store()
        .write(move |tx| setup::create_zone(tx, &ctx, &target, &name, &geo))?;
    set_reply(engine, request, &set)
}

fn retrieve_zone(engine: &Engine, request: &Request) -> Result<Response> {
    let zone_id = request.param("zone_id");
    let zone = engine
        .store()
        .read(|conn| zones::retrieve_zone(conn, zone_id))
        .map_err(|e| match e {
            Error::NotFound(_) => {
                Error::NotFound(format!("Service zone with id: {zone_id} not found"))
            }
            other => other,
        })?;
    let defaults = ["id", "name", "created_at", "updated_at", "*geo_zones"];
    let doc = select(
        serde_json::to_value(zone)?,
        request.query_str("fields"),
        &defaults,
    );
    Ok(Response::json(json!({ "service_zone": doc })))
}

fn update_zone(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(
        &Schema::new()
            .optional("name", Kind::String.nullable())
            .optional("geo_zones", Kind::array_of(Kind::Object)),
    )?;
    let geo = geo_zones_of(&body, true)?;
    let name = get_str(&body, "name").map(str::to_string);
    let set = request.param("id").to_string();
    let zone = request.param("zone_id").to_string();
    let (ctx, target) = (engine.ctx().clone(), set.clone());
    engine.store().write(move |tx| {
        setup::update_zone(tx, &ctx, &target, &zone, name.as_deref(), geo.as_deref())
    })?;
    set_reply(engine, request, &set)
}

fn delete_zone(engine: &Engine, request: &Request) -> Result<Response> {
    let set = request.param("id").to_string();
    let zone = request.param("zone_id").to_string();
    let (ctx, target, zone_id) = (engine.ctx().clone(), set.clone(), zone.clone());
    engine
        .store()
        .write(move |tx| setup::delete_zone(tx, &ctx, &target, &zone_id))?;
    let parent = engine
        .store()
        .read(|conn| zones::retrieve_set(conn, &set))?;
    Ok(Response::json(json!({
        "id": zone, "object": "service_zone", "deleted": true,
        "parent": serde_json::to_value(parent)?,
    })))
}

/// `GET /admin/fulfillment-providers/:id/options` → `{fulfillment_options, count, limit,
/// offset}`, all of them at once as Medusa answers (it does not page them).
fn provider_options(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let options = engine.providers().fulfillment_or_404(id)?.options();
    let items: Vec<serde_json::Value> = options
        .iter()
        .map(|option| match option.is_return {
            true => serde_json::json!({"id": option.id, "is_return": true}),
            false => serde_json::json!({"id": option.id}),
        })
        .collect();
    let count = items.len();
    Ok(Response::json(serde_json::json!({
        "fulfillment_options": items, "count": count, "limit": count, "offset": 0,
    })))
}
