//! Two admin reads of an order's parts (Medusa 2.21.2): `GET /admin/orders/:id/line-items`
//! (`{order_items}`: each line at the order's version with its `item` and version
//! `history`; filters `id`, `item_id`, `version`) and `GET /admin/orders/:id/shipping-options`
//! (`{shipping_options}` with `insufficient_inventory`, from
//! `flows::orders::shipping_options`).

use super::order_json::admin_order_json;
use super::shipping_json::rule_json;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::orders::shipping_options::{self, OrderOption};
use crate::http::fields::{Graph, ids, project, selection, strings};
use crate::http::{Access, Request, Response, Route};
use crate::modules::order;
use serde_json::{Value, json};

/// The routes of this family.
pub fn routes() -> Vec<Route> {
    let a = Access::Admin;
    vec![
        Route::new(
            "GET",
            "/admin/orders/:id/line-items",
            a,
            "List an order's line items",
            line_items,
        ),
        Route::new(
            "GET",
            "/admin/orders/:id/shipping-options",
            a,
            "List the shipping options of an order",
            options,
        ),
    ]
}

/// Medusa's `defaultAdminOrderItemsFields`.
const ITEM_DEFAULTS: &[&str] = &["id", "order_id", "item_id", "version", "*item"];

const ITEM_GRAPH: Graph = Graph {
    relations: &[
        "item",
        "tax_lines",
        "adjustments",
        "variant",
        "product",
        "detail",
    ],
    opaque: &["history"],
    embedded: &["history"],
};

/// The `version` filter (Medusa parses the string as an integer).
fn version_filter(request: &Request) -> Result<Option<i64>> {
    match request.query_str("version") {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            Error::invalid("Invalid request: Expected number, received nan at \"version\"")
        }),
    }
}

fn line_items(engine: &Engine, request: &Request) -> Result<Response> {
    let (wanted_ids, item_ids) = (ids(&request.query)?, strings(&request.query, "item_id")?);
    let version = version_filter(request)?;
    let fields = request.query_str("fields").map(str::to_string);
    let order_id = request.param("id");
    let docs = engine.store().read(|conn| {
        let Ok(found) = order::retrieve(conn, order_id) else {
            return Ok(Vec::new());
        };
        if version.is_some_and(|v| v != found.version) {
            return Ok(Vec::new());
        }
        let doc = admin_order_json(conn, order_id)?;
        let items = doc["items"].as_array().cloned().unwrap_or_default();
        Ok(items
            .into_iter()
            .filter(|item| {
                let id = item["id"].as_str().unwrap_or_default().to_string();
                (wanted_ids.is_empty() || wanted_ids.contains(&id))
                    && (item_ids.is_empty() || item_ids.contains(&id))
            })
            .map(|item| {
                let mut row = json!({
                    "id": item["id"], "order_id": order_id, "item_id": item["id"],
                    "version": found.version, "item": item,
                    "history": {"version": {"from": 1, "to": found.version}},
                });
                if let (Some(f), Some(map)) = (fields.as_deref(), row.as_object_mut()) {
                    project(
                        map,
                        &selection(Some(f), ITEM_DEFAULTS, &[]),
                        &ITEM_GRAPH,
                        "",
                    );
                }
                row
            })
            .collect())
    })?;
    Ok(Response::json(json!({ "order_items": docs })))
}

/// The fields `list-shipping-options-for-order` selects, plus `insufficient_inventory`.
fn option_json(found: &OrderOption) -> Value {
    let o = &found.option;
    let location = found
        .location
        .as_ref()
        .map(|l| json!({"id": l.id, "name": l.name, "address": l.address}));
    let rules: Vec<Value> = o
        .rules
        .iter()
        .map(|r| {
            let mut rule = rule_json(r, &o.id);
            if let Some(map) = rule.as_object_mut() {
                map.retain(|k, _| ["attribute", "value", "operator"].contains(&k.as_str()));
            }
            rule
        })
        .collect();
    json!({
        "id": o.id, "name": o.name, "price_type": o.price_type,
        "service_zone_id": o.service_zone_id, "shipping_profile_id": o.shipping_profile_id,
        "provider_id": o.provider_id, "data": o.data,
        "service_zone": {"fulfillment_set_id": found.fulfillment_set_id,
            "fulfillment_set": {"type": found.fulfillment_set_type, "location": location}},
        "type": {"id": o.type_id, "label": o.type_label, "description": o.type_description,
            "code": o.type_code},
        "provider": {"id": o.provider_id, "is_enabled": true},
        "rules": rules,
        "insufficient_inventory": found.insufficient_inventory,
    })
}

fn options(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let found = engine
        .store()
        .read(|conn| shipping_options::for_order(conn, id))?;
    let docs: Vec<Value> = found.iter().map(option_json).collect();
    Ok(Response::json(json!({ "shipping_options": docs })))
}
