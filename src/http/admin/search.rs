//! `GET /admin/search` as Medusa 2.21.2 answers without a search module: its graph
//! fallback, one `q` search per registered entity (all 22 unless `entity` names some), each
//! answered as `{entity, data, count, offset, limit}` with the entity's few display fields.
//! Each entity is searched through this server's own admin list route (found in the route
//! table and called with `q`, `limit`, `offset`), so search sees exactly what the lists see.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Access, Body, Request, Response, Route};
use serde_json::{Map, Value, json};

/// A searchable entity: name, our list route (with fixed filters), the list's key, the
/// fields answered.
type Entity = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

/// Medusa's `ADMIN_SEARCH_ENTITIES`.
const ENTITIES: &[Entity] = &[
    (
        "order",
        "/admin/orders",
        "orders",
        &["id", "display_id", "email"],
    ),
    (
        "product",
        "/admin/products",
        "products",
        &["id", "title", "thumbnail"],
    ),
    (
        "product_variant",
        "/admin/product-variants",
        "variants",
        &["id", "title", "sku", "product_id"],
    ),
    (
        "product_category",
        "/admin/product-categories",
        "product_categories",
        &["id", "name"],
    ),
    (
        "product_collection",
        "/admin/collections",
        "collections",
        &["id", "title"],
    ),
    (
        "customer",
        "/admin/customers",
        "customers",
        &["id", "email", "first_name", "last_name"],
    ),
    (
        "customer_group",
        "/admin/customer-groups",
        "customer_groups",
        &["id", "name"],
    ),
    (
        "inventory_item",
        "/admin/inventory-items",
        "inventory_items",
        &["id", "title", "sku"],
    ),
    (
        "promotion",
        "/admin/promotions",
        "promotions",
        &["id", "code", "status"],
    ),
    ("campaign", "/admin/campaigns", "campaigns", &["id", "name"]),
    (
        "price_list",
        "/admin/price-lists",
        "price_lists",
        &["id", "title"],
    ),
    (
        "user",
        "/admin/users",
        "users",
        &["id", "email", "first_name", "last_name"],
    ),
    ("region", "/admin/regions", "regions", &["id", "name"]),
    (
        "tax_region",
        "/admin/tax-regions",
        "tax_regions",
        &["id", "country_code", "province_code"],
    ),
    (
        "return_reason",
        "/admin/return-reasons",
        "return_reasons",
        &["id", "label", "value"],
    ),
    (
        "sales_channel",
        "/admin/sales-channels",
        "sales_channels",
        &["id", "name"],
    ),
    (
        "product_type",
        "/admin/product-types",
        "product_types",
        &["id", "value"],
    ),
    (
        "product_tag",
        "/admin/product-tags",
        "product_tags",
        &["id", "value"],
    ),
    (
        "stock_location",
        "/admin/stock-locations",
        "stock_locations",
        &["id", "name"],
    ),
    (
        "shipping_profile",
        "/admin/shipping-profiles",
        "shipping_profiles",
        &["id", "name"],
    ),
    (
        "publishable_api_key",
        "/admin/api-keys?type=publishable",
        "api_keys",
        &["id", "title", "redacted"],
    ),
    (
        "secret_api_key",
        "/admin/api-keys?type=secret",
        "api_keys",
        &["id", "title", "redacted"],
    ),
];

/// The route.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "GET",
        "/admin/search",
        Access::Admin,
        "Search every admin entity by `q` (Medusa's answer without a search module)",
        search,
    )]
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid(format!("Invalid request: {}", message.into()))
}

fn number(query: &Map<String, Value>, key: &str, low: u64, high: u64, default: u64) -> Result<u64> {
    match query.get(key) {
        None => Ok(default),
        Some(Value::String(s)) => s
            .parse::<u64>()
            .ok()
            .filter(|n| (low..=high).contains(n))
            .ok_or_else(|| {
                invalid(format!(
                    "Expected an integer from {low} to {high} for field '{key}', but got: '{s}'"
                ))
            }),
        Some(_) => Err(invalid(format!("Expected a number for field '{key}'"))),
    }
}

/// The entity names asked for: `entity=a,b`, `entity[]=a`, or every one.
fn entities(query: &Map<String, Value>) -> Result<Vec<&'static Entity>> {
    let names: Vec<String> = match query.get("entity") {
        None => return Ok(ENTITIES.iter().collect()),
        Some(Value::String(s)) => s.split(',').map(|n| n.trim().to_string()).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|n| n.trim().to_string())
            .collect(),
        Some(_) => return Err(invalid("Expected a string or a list for field 'entity'")),
    };
    let names: Vec<String> = names.into_iter().filter(|n| !n.is_empty()).collect();
    if names.is_empty() {
        return Ok(ENTITIES.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            ENTITIES.iter().find(|e| e.0 == name).ok_or_else(|| {
                let all: Vec<&str> = ENTITIES.iter().map(|e| e.0).collect();
                Error::NotFound(format!(
                    "No search entity registered for \"{name}\". Registered entities: {}",
                    all.join(", ")
                ))
            })
        })
        .collect()
}

fn search(engine: &Engine, req: &Request) -> Result<Response> {
    if let Some(key) = req
        .query
        .keys()
        .find(|k| !["q", "entity", "limit", "offset"].contains(&k.as_str()))
    {
        return Err(invalid(format!("Unrecognized fields: '{key}'")));
    }
    let q = match req.query.get("q") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid("Expected a string for field 'q'")),
    };
    let limit = number(&req.query, "limit", 1, 100, 20)?;
    let offset = number(&req.query, "offset", 0, u64::MAX, 0)?;
    let mut results = Vec::new();
    for (name, path, key, fields) in entities(&req.query)? {
        let q = q.as_deref().map(|q| {
            if *name == "order" {
                q.trim_start_matches('#')
            } else {
                q
            }
        });
        let page = list(engine, req, path, q, limit, offset)?;
        let data: Vec<Value> = page[*key]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|item| {
                let picked: Map<String, Value> = fields
                    .iter()
                    .map(|f| {
                        (
                            (*f).to_string(),
                            item.get(*f).cloned().unwrap_or(Value::Null),
                        )
                    })
                    .collect();
                Value::Object(picked)
            })
            .collect();
        results.push(json!({
            "entity": name,
            "data": data,
            "count": page["count"].as_u64().unwrap_or(data.len() as u64),
            "offset": offset,
            "limit": limit,
        }));
    }
    Ok(Response::json(json!({ "results": results })))
}

/// One admin list route's page, called in-process as the same caller.
fn list(
    engine: &Engine,
    req: &Request,
    target: &str,
    q: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<Value> {
    let (path, fixed) = target.split_once('?').unwrap_or((target, ""));
    let (route, params) = engine.router().find("GET", path)?;
    let mut query = Map::new();
    for pair in fixed.split('&').filter(|p| !p.is_empty()) {
        if let Some((k, v)) = pair.split_once('=') {
            query.insert(k.to_string(), Value::String(v.to_string()));
        }
    }
    if let Some(q) = q.filter(|q| !q.is_empty()) {
        query.insert("q".into(), Value::String(q.to_string()));
    }
    query.insert("limit".into(), Value::String(limit.to_string()));
    query.insert("offset".into(), Value::String(offset.to_string()));
    let inner = Request {
        method: "GET".into(),
        path: path.to_string(),
        params,
        query,
        headers: req.headers.clone(),
        body: Vec::new(),
        actor: req.actor.clone(),
        remote_addr: req.remote_addr,
        local_addr: req.local_addr,
    };
    let response = (route.handler())(engine, &inner)?;
    match response.body {
        Body::Json(value) => Ok(value),
        Body::RawJson(text) => Ok(serde_json::from_str(&text)?),
        Body::SharedJson(text) => Ok(serde_json::from_str(&text)?),
        _ => Err(Error::UnexpectedState(format!("{path} answered no JSON"))),
    }
}
