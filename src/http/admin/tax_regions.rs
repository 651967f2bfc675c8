//! Tax regions as Medusa's admin shows them — with their rates (and the rates' rules), their
//! province children and parent — plus retrieve, update and delete, the tax-rate list and
//! the tax-provider list (the engine's registered providers). A tax region may only name a
//! registered tax provider (400 otherwise, at create and update); a row that still names one
//! no longer registered makes tax calculation answer 400 `not_allowed` saying so
//! (`Providers::tax_for`), never a 500.

use super::regions::rate_json;
use super::{as_map, deleted, page};
use crate::engine::Engine;
use crate::error::Result;
use crate::http::Paged;
use crate::http::catalog_json::object;
use crate::http::fields::ids;
use crate::http::query::exact_list;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::tax::{self, TaxRegion, rates, regions};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The routes of this file.
pub fn routes() -> Vec<Route> {
    let one = "/admin/tax-regions/:id";
    vec![
        Route::new("GET", one, Access::Admin, "Retrieve a tax region", retrieve),
        Route::new("POST", one, Access::Admin, "Update a tax region", update),
        Route::new("DELETE", one, Access::Admin, "Delete a tax region", delete),
        Route::new(
            "GET",
            "/admin/tax-rates",
            Access::Admin,
            "List tax rates",
            list_rates,
        ),
        Route::new(
            "GET",
            "/admin/tax-providers",
            Access::Admin,
            "List tax providers",
            list_providers,
        ),
    ]
}

/// A region without relations, plus its rates with their rules.
fn with_rates(conn: &Connection, region: &TaxRegion) -> Result<Value> {
    let mut doc = object(region);
    let rates: Vec<Value> = tax::rates_of(conn, &region.id)?
        .iter()
        .map(rate_json)
        .collect();
    doc.insert("tax_rates".into(), Value::Array(rates));
    Ok(Value::Object(doc))
}

/// Medusa's default tax region document: rates, children with their rates, and parent.
///
/// # Errors
/// Database failures.
pub fn region_doc(conn: &Connection, region: &TaxRegion) -> Result<Value> {
    let mut doc = with_rates(conn, region)?;
    let children = regions::children_of(conn, &region.id)?
        .iter()
        .map(|child| with_rates(conn, child))
        .collect::<Result<Vec<_>>>()?;
    doc["children"] = Value::Array(children);
    doc["parent"] = match &region.parent_id {
        Some(parent) => Value::Object(object(&tax::retrieve_region(conn, parent)?)),
        None => Value::Null,
    };
    Ok(doc)
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let doc = engine.store().read(|conn| {
        let region = tax::retrieve_region(conn, request.param("id"))?;
        region_doc(conn, &region)
    })?;
    Ok(Response::json(json!({ "tax_region": doc })))
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("province_code", Kind::String.nullable())
        .optional("provider_id", Kind::String)
        .optional("metadata", Kind::Object.nullable());
    let changes = as_map(request.body_with(&schema)?);
    if let Some(provider) = changes.get("provider_id").and_then(Value::as_str) {
        super::regions::ensure_tax_provider(engine, provider)?;
    }
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let doc = engine.store().write(move |tx| {
        let region = regions::update(tx, &ctx, &id, &changes)?;
        region_doc(tx, &region)
    })?;
    Ok(Response::json(json!({ "tax_region": doc })))
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| regions::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "tax_region"))
}

fn list_rates(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let ids = ids(&request.query)?;
    let in_regions = exact_list(&request.query, "tax_region_id")
        .map_err(|e| crate::error::Error::invalid(e.to_string()))?;
    let q = request.query_str("q").map(str::to_string);
    let (items, count) = engine.store().read(|conn| {
        let (found, count) =
            regions::rate_ids(conn, &in_regions, q.as_deref(), &ids, (offset, limit))?;
        let items = found
            .iter()
            .map(|id| rates::retrieve(conn, id).map(|rate| rate_json(&rate)))
            .collect::<Result<Vec<_>>>()?;
        Ok((items, count))
    })?;
    Ok(Response::json(list_envelope(
        "tax_rates",
        items,
        count,
        offset,
        limit,
    )))
}

/// Every registered tax provider (`tp_system`, and those `EngineBuilder::tax_provider`
/// added).
fn list_providers(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 20)?;
    let all: Vec<serde_json::Value> = engine
        .providers()
        .tax_ids()
        .into_iter()
        .map(|id| json!({"id": id, "is_enabled": true}))
        .collect();
    let items = all.iter().page(offset, limit).cloned().collect();
    Ok(Response::json(list_envelope(
        "tax_providers",
        items,
        all.len() as u64,
        offset,
        limit,
    )))
}
