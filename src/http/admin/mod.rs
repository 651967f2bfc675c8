//! `/admin` route families, one file each, plus the small helpers they share (pagination,
//! serialization, delete envelopes).

pub mod api_keys;
pub mod channels;
pub mod customer_groups;
pub mod customers;
pub mod inventory;
pub mod invites;
pub mod order_json;
pub mod orders;
pub mod price_lists;
pub mod products;
pub mod regions;
pub mod stock_locations;
pub mod taxonomy;
pub mod users;
pub mod variants;
pub mod workflows;

use super::{Access, Request, Response, Route};
use crate::error::{Error, Result};
use crate::http::query::list_params;
use serde::Serialize;
use serde_json::{Value, json};

/// The accounts and operations `/admin` routes.
pub fn routes() -> Vec<Route> {
    let mut routes = customers::routes();
    routes.extend(customer_groups::routes());
    routes.extend(users::routes());
    routes.extend(invites::routes());
    routes.extend(api_keys::routes());
    routes.extend(workflows::routes());
    routes.extend(orders::routes());
    routes.extend(inventory::routes());
    routes.extend(stock_locations::routes());
    routes
}

/// `(offset, limit)` from the query with Medusa's coercion; `default_limit` when unsent.
///
/// # Errors
/// 400 `invalid_data` for malformed values.
pub fn page(request: &Request, default_limit: u64) -> Result<(u64, u64)> {
    let params = list_params(&request.query).map_err(|e| Error::InvalidData(e.to_string()))?;
    // SQLite integers are signed: larger values would be a type error, not a bigger page.
    let clamp = |n: u64| n.min(i64::MAX as u64);
    Ok((
        clamp(params.offset.unwrap_or(0)),
        clamp(params.limit.unwrap_or(default_limit)),
    ))
}

/// Serializes a model struct.
///
/// # Errors
/// 500 if serialization fails (it does not for plain structs).
pub fn to_json<T: Serialize>(value: &T) -> Result<Value> {
    Ok(serde_json::to_value(value)?)
}

/// Medusa's delete envelope `{id, object, deleted: true}`.
pub fn deleted(id: &str, object: &str) -> Response {
    Response::json(json!({ "id": id, "object": object, "deleted": true }))
}

/// A body's object as a map (after a schema check it always is one).
pub fn as_map(body: Value) -> serde_json::Map<String, Value> {
    match body {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// The string array at `key` of a validated body (empty when absent).
pub fn strings(body: &Value, key: &str) -> Vec<String> {
    body.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The catalog's admin routes.
pub fn catalog_routes() -> Vec<Route> {
    let a = Access::Admin;
    let mut routes = vec![
        Route::new("GET", "/admin/products", a, "List products", products::list),
        Route::new(
            "POST",
            "/admin/products",
            a,
            "Create a product",
            products::create,
        ),
        Route::new(
            "GET",
            "/admin/products/:id",
            a,
            "Retrieve a product",
            products::retrieve,
        ),
        Route::new(
            "POST",
            "/admin/products/:id",
            a,
            "Update a product",
            products::update,
        ),
        Route::new(
            "DELETE",
            "/admin/products/:id",
            a,
            "Delete a product",
            products::delete,
        ),
        Route::new("GET", "/admin/regions", a, "List regions", regions::list),
        Route::new(
            "POST",
            "/admin/regions",
            a,
            "Create a region",
            regions::create,
        ),
        Route::new(
            "GET",
            "/admin/regions/:id",
            a,
            "Retrieve a region",
            regions::retrieve,
        ),
        Route::new(
            "DELETE",
            "/admin/regions/:id",
            a,
            "Delete a region",
            regions::delete,
        ),
        Route::new(
            "GET",
            "/admin/tax-regions",
            a,
            "List tax regions",
            regions::list_tax_regions,
        ),
        Route::new(
            "POST",
            "/admin/tax-regions",
            a,
            "Create a tax region",
            regions::create_tax_region,
        ),
        Route::new(
            "POST",
            "/admin/tax-rates",
            a,
            "Create a tax rate",
            regions::create_tax_rate,
        ),
        Route::new(
            "POST",
            "/admin/price-lists",
            a,
            "Create a price list",
            price_lists::create,
        ),
        Route::new(
            "GET",
            "/admin/price-lists/:id",
            a,
            "Retrieve a price list",
            price_lists::retrieve,
        ),
    ];
    routes.push(Route::new(
        "POST",
        "/admin/products/:id/variants",
        a,
        "Add a variant",
        variants::create,
    ));
    routes.push(Route::new(
        "DELETE",
        "/admin/products/:id/variants/:variant_id",
        a,
        "Delete a variant",
        variants::delete,
    ));
    routes.extend(taxonomy_routes());
    routes.extend(channel_routes());
    routes
}

fn taxonomy_routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new(
            "GET",
            "/admin/product-categories",
            a,
            "List categories",
            taxonomy::list_categories,
        ),
        Route::new(
            "POST",
            "/admin/product-categories",
            a,
            "Create a category",
            taxonomy::create_category,
        ),
        Route::new(
            "GET",
            "/admin/product-categories/:id",
            a,
            "Retrieve a category",
            taxonomy::retrieve_category,
        ),
        Route::new(
            "GET",
            "/admin/collections",
            a,
            "List collections",
            taxonomy::list_collections,
        ),
        Route::new(
            "POST",
            "/admin/collections",
            a,
            "Create a collection",
            taxonomy::create_collection,
        ),
        Route::new(
            "GET",
            "/admin/collections/:id",
            a,
            "Retrieve a collection",
            taxonomy::retrieve_collection,
        ),
        Route::new(
            "GET",
            "/admin/product-tags",
            a,
            "List tags",
            taxonomy::list_tags,
        ),
        Route::new(
            "POST",
            "/admin/product-tags",
            a,
            "Create a tag",
            taxonomy::create_tag,
        ),
        Route::new(
            "GET",
            "/admin/product-tags/:id",
            a,
            "Retrieve a tag",
            taxonomy::retrieve_tag,
        ),
        Route::new(
            "GET",
            "/admin/product-types",
            a,
            "List types",
            taxonomy::list_types,
        ),
        Route::new(
            "POST",
            "/admin/product-types",
            a,
            "Create a type",
            taxonomy::create_type,
        ),
        Route::new(
            "GET",
            "/admin/product-types/:id",
            a,
            "Retrieve a type",
            taxonomy::retrieve_type,
        ),
        Route::new(
            "DELETE",
            "/admin/product-categories/:id",
            a,
            "Delete a category",
            taxonomy::delete_category,
        ),
        Route::new(
            "DELETE",
            "/admin/collections/:id",
            a,
            "Delete a collection",
            taxonomy::delete_collection,
        ),
        Route::new(
            "DELETE",
            "/admin/product-tags/:id",
            a,
            "Delete a tag",
            taxonomy::delete_tag,
        ),
        Route::new(
            "DELETE",
            "/admin/product-types/:id",
            a,
            "Delete a type",
            taxonomy::delete_type,
        ),
    ]
}

fn channel_routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new(
            "GET",
            "/admin/sales-channels",
            a,
            "List sales channels",
            channels::list_channels,
        ),
        Route::new(
            "POST",
            "/admin/sales-channels",
            a,
            "Create a sales channel",
            channels::create_channel,
        ),
        Route::new(
            "GET",
            "/admin/sales-channels/:id",
            a,
            "Retrieve a sales channel",
            channels::retrieve_channel,
        ),
        Route::new(
            "POST",
            "/admin/api-keys",
            a,
            "Create a publishable key",
            channels::create_key,
        ),
        Route::new(
            "GET",
            "/admin/api-keys/:id",
            a,
            "Retrieve an API key",
            channels::retrieve_key,
        ),
        Route::new(
            "POST",
            "/admin/api-keys/:id/revoke",
            a,
            "Revoke an API key",
            channels::revoke_key,
        ),
        Route::new(
            "POST",
            "/admin/api-keys/:id/sales-channels",
            a,
            "Link sales channels to a key",
            channels::key_channels,
        ),
        Route::new(
            "GET",
            "/admin/stores",
            a,
            "List stores",
            channels::list_stores,
        ),
        Route::new(
            "GET",
            "/admin/stores/:id",
            a,
            "Retrieve a store",
            channels::retrieve_store,
        ),
    ]
}
