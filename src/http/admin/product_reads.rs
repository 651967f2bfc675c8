//! Reads of products' parts as Medusa's admin answers them: `GET /admin/products/:id/
//! variants` (list and one), `GET /admin/products/:id/options`, and `GET /admin/
//! product-variants` (variants across products, each with its `product`). They are cut from
//! the admin product document, so a variant or option reads exactly as it does inside its
//! product (prices, options and values included).

use super::page;
use super::products::{ADMIN_PRODUCT_DEFAULTS, retrieve_json};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::Paged;
use crate::http::fields::ids;
use crate::http::query::FieldSelection;
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::product::store_read::{Order, ProductScope, VARIANT_ORDER, variant_page};
use serde_json::{Value, json};
use std::collections::HashMap;

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
            "/admin/product-variants",
            Access::Admin,
            "List variants across products",
            list_all_variants,
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

/// Product `id`'s admin document (404 for an unknown product) with its `key` list taken
/// out of it.
pub(super) fn take_part(engine: &Engine, id: &str, key: &str) -> Result<(Value, Vec<Value>)> {
    let selection = FieldSelection::from_defaults(ADMIN_PRODUCT_DEFAULTS);
    let mut doc: Value = serde_json::from_str(&retrieve_json(engine, id, &selection)?)?;
    let mut product = doc["product"].take();
    let part = match product.as_object_mut().and_then(|map| map.remove(key)) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    Ok((product, part))
}

/// The admin document's `key` list of product `id`.
fn parts_of(engine: &Engine, id: &str, key: &str) -> Result<Vec<Value>> {
    Ok(take_part(engine, id, key)?.1)
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
    let page = matching.into_iter().page(offset, limit).collect();
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

fn list_all_variants(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let filter = crate::http::store::variants::variant_filter(&request.query)?;
    let order = Order::parse(request.query_str("order").unwrap_or("id"), VARIANT_ORDER)?;
    let (rows, count) = engine.store().read(|conn| {
        variant_page(
            conn,
            &ProductScope::default(),
            &filter,
            order,
            (limit, offset),
        )
    })?;
    let mut products: HashMap<String, (Value, Vec<Value>)> = HashMap::new();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        if !products.contains_key(&row.product_id) {
            let parts = take_part(engine, &row.product_id, "variants")?;
            products.insert(row.product_id.clone(), parts);
        }
        let Some((product, variants)) = products.get(&row.product_id) else {
            continue;
        };
        let found = variants
            .iter()
            .find(|v| v["id"].as_str() == Some(row.id.as_str()));
        if let Some(variant) = found {
            let mut variant = variant.clone();
            variant["product"] = product.clone();
            items.push(variant);
        }
    }
    Ok(Response::json(list_envelope(
        "variants", items, count, offset, limit,
    )))
}
