//! `/admin` route families, one file each, plus the small helpers they share (pagination,
//! serialization, delete envelopes).

pub mod after_sale_json;
pub mod api_keys;
pub mod auth_throttle;
pub mod backups;
pub mod campaigns;
pub mod catalog_routes;
pub mod channels;
pub mod csv_exports;
pub mod customer_addresses;
pub mod customer_groups;
pub mod customers;
pub mod draft_orders;
pub mod exchanges;
pub mod fulfillment_records;
pub mod fulfillment_sets;
pub mod inventory;
pub mod inventory_batch;
pub mod invites;
pub mod layouts;
pub mod notifications;
pub mod options;
pub mod order_changes;
pub mod order_edits;
pub mod order_json;
pub mod order_manage;
pub mod order_reads;
pub mod orders;
pub mod payment_collections;
pub mod payments;
pub mod pos_sync;
pub mod preview_totals;
pub mod price_lists;
pub mod price_preferences;
pub mod product_import_export;
pub mod product_options;
pub mod product_reads;
pub mod products;
pub mod products_batch;
pub mod promotion_json;
pub mod promotion_options;
pub mod promotion_rule_reads;
pub mod promotion_rules;
pub mod promotions;
pub mod property_labels;
pub mod reasons;
pub mod regions;
pub mod return_json;
pub mod returns;
pub mod search;
pub mod search_indexes;
pub mod shell;
pub mod shipping_json;
pub mod shipping_option_read;
pub mod shipping_options;
pub mod shipping_profiles;
pub mod stock_locations;
pub mod tax_rate_rules;
pub mod tax_regions;
pub mod taxonomy;
pub mod upload_urls;
pub mod uploads;
pub mod users;
pub mod variant_inventory;
pub mod variants;
pub mod variants_batch;
pub mod webhooks;
pub mod workflow_runs;
pub mod workflows;

pub use catalog_routes::catalog_routes;

use super::{Request, Response, Route};
use crate::error::{Error, Result};
use crate::http::query::list_params;
use serde::Serialize;
use serde_json::{Value, json};

/// The accounts and operations `/admin` routes.
pub fn routes() -> Vec<Route> {
    let mut routes = customers::routes();
    routes.extend(customer_addresses::routes());
    routes.extend(customer_groups::routes());
    routes.extend(users::routes());
    routes.extend(invites::routes());
    routes.extend(api_keys::routes());
    routes.extend(auth_throttle::routes());
    routes.extend(workflows::routes());
    routes.extend(orders::routes());
    routes.extend(order_manage::routes());
    routes.extend(order_changes::routes());
    routes.extend(returns::routes());
    routes.extend(order_edits::routes());
    routes.extend(order_edits::draft_routes());
    routes.extend(draft_orders::routes());
    routes.extend(exchanges::routes());
    routes.extend(order_reads::routes());
    routes.extend(inventory::routes());
    routes.extend(inventory_batch::routes());
    routes.extend(price_preferences::routes());
    routes.extend(stock_locations::routes());
    routes.extend(reasons::routes());
    routes.extend(shell::routes());
    routes.extend(tax_regions::routes());
    routes.extend(product_reads::routes());
    routes.extend(payments::routes());
    routes.extend(shipping_profiles::routes());
    routes.extend(shipping_options::routes());
    routes.extend(shipping_option_read::routes());
    routes.extend(fulfillment_sets::routes());
    routes.extend(fulfillment_records::routes());
    routes.extend(promotions::routes());
    routes.extend(pos_sync::routes());
    routes.extend(promotion_rules::routes());
    routes.extend(promotion_options::routes());
    routes.extend(campaigns::routes());
    routes.extend(uploads::routes());
    routes.extend(webhooks::routes());
    routes.extend(notifications::routes());
    // Issue 13's remaining admin families (coverage branch).
    routes.extend(tax_rate_rules::routes());
    routes.extend(promotion_rule_reads::routes());
    routes.extend(property_labels::routes());
    routes.extend(layouts::routes());
    routes.extend(search_indexes::routes());
    routes.extend(workflow_runs::routes());
    routes.extend(payment_collections::routes());
    routes.extend(product_options::routes());
    routes.extend(product_import_export::routes());
    routes.extend(csv_exports::routes());
    routes.extend(search::routes());
    routes.extend(upload_urls::routes());
    routes.extend(variants_batch::routes());
    routes.extend(variant_inventory::routes());
    routes.push(Route::new(
        "POST",
        "/admin/price-lists/:id/products",
        crate::http::Access::Admin,
        "Remove products' prices from a price list",
        price_lists::remove_products,
    ));
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
