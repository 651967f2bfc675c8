//! Reads of one product's parts as Medusa's admin answers them: `GET /admin/products/:id/
//! variants` (list and one) and `GET /admin/products/:id/options`. They are cut from the
//! admin product document, so a variant or option reads exactly as it does inside its
//! product (prices, options and values included).

use super::page;
use super::products::{ADMIN_PRODUCT_DEFAULTS, retrieve_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::ids;
use crate::http::query::FieldSelection;
use crate::http::{Access, Request, Response, Route, list_envelope};
use serde_json::{Value, json};

/// The routes of this file.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/products/:id/variants",
            Access::Admin,
            "List a product's variants",
            list_variants,
        ),
        Route::new(
            "GET",
            "/admin/products/:id/variants/:variant_id",
            Access::Admin,
            "Retrieve a product's variant",
            retrieve_variant,
        ),
        Route::new(
            "GET",
            "/admin/products/:id/options",
            Access::Admin,
            "List a product's options",
            list_options,
        ),
    ]
}

/// The admin document's `key` list of product `id` (404 for an unknown product).
fn parts_of(engine: &Engine, id: &str, key: &str) -> Result<Vec<Value>> {
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    let text = retrieve_json(engine, id, &selection)?;
    let mut doc: Value = serde_json::from_str(&text)?;
    match doc["product"][key].take() {
        Value::Array(items) => Ok(items),
        _ => Ok(Vec::new()),
    }
}

/// Items among the `id` filter, one page of them, as a list envelope under `key`.
fn paged(request: &Request, key: &str, items: Vec<Value>) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let wanted = ids(&request.query)?;
    let matching: Vec<Value> = items
        .into_iter()
        .filter(|item| wanted.is_empty() || wanted.iter().any(|id| item["id"].as_str() == Some(id)))
        .collect();
    let count = matching.len() as u64;
    let page = matching
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    Ok(Response::json(list_envelope(
        key, page, count, offset, limit,
    )))
}

fn list_variants(engine: &Engine, request: &Request) -> Result<Response> {
    let variants = parts_of(engine, request.param("id"), "variants")?;
    paged(request, "variants", variants)
}

fn retrieve_variant(engine: &Engine, request: &Request) -> Result<Response> {
    let wanted = request.param("variant_id");
    let variant = parts_of(engine, request.param("id"), "variants")?
        .into_iter()
        .find(|v| v["id"].as_str() == Some(wanted))
        .ok_or_else(|| Error::not_found("Variant", wanted))?;
    Ok(Response::json(json!({ "variant": variant })))
}

fn list_options(engine: &Engine, request: &Request) -> Result<Response> {
    let options = parts_of(engine, request.param("id"), "options")?;
    paged(request, "product_options", options)
}
