//! `GET /admin/shipping-options/:id` (Medusa 2.21.2): `{shipping_option}` with Medusa's
//! default fields (`id, name, price_type, data, provider_id, metadata, created_at,
//! updated_at, *rules, *type, *prices, *prices.price_rules, *service_zone,
//! *shipping_profile, *provider`) or a `fields=` selection over the same document.
//!
//! Prices are the option's flat prices in major units. Medusa keeps them in a price set
//! (`price_set_id`, `raw_amount`…); here the fulfillment module stores them itself, so a
//! region price shows its region as Medusa's `price_rules` entry (`region_id eq …`) without a
//! rule id, and `price_set_id` is null.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::fields::{Graph, project, selection, string};
use crate::http::{Access, Request, Response, Route};
use crate::modules::fulfillment::{self, OptionPrice, ShippingOption, option_parts};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// Medusa's `defaultAdminShippingOptionFields`.
const DEFAULTS: &[&str] = &[
    "id",
    "name",
    "price_type",
    "data",
    "provider_id",
    "metadata",
    "created_at",
    "updated_at",
    "*rules",
    "*type",
    "*prices",
    "*prices.price_rules",
    "*service_zone",
    "*shipping_profile",
    "*provider",
];

const GRAPH: Graph = Graph {
    relations: &[
        "rules",
        "type",
        "prices",
        "price_rules",
        "service_zone",
        "shipping_profile",
        "provider",
    ],
    opaque: &[],
    embedded: &[],
};

/// The route of this family.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "GET",
        "/admin/shipping-options/:id",
        Access::Admin,
        "Retrieve a shipping option",
        retrieve,
    )]
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    let id = request.param("id");
    let fields = string(&request.query, "fields")?;
    let mut option = engine.store().read(|conn| document(conn, id))?;
    project(
        &mut option,
        &selection(fields.as_deref(), DEFAULTS, &[]),
        &GRAPH,
        "",
    );
    Ok(Response::json(json!({ "shipping_option": option })))
}

/// The whole document; `fields` picks from it.
fn document(conn: &Connection, id: &str) -> Result<Map<String, Value>> {
    let option = fulfillment::retrieve_option(conn, id).map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound(format!("Shipping Option with id: {id} not found")),
        other => other,
    })?;
    let prices: Vec<Value> = option
        .prices
        .iter()
        .map(|p| price_json(p, &option))
        .collect();
    let value = json!({
        "id": option.id,
        "name": option.name,
        "price_type": option.price_type,
        "service_zone_id": option.service_zone_id,
        "shipping_profile_id": option.shipping_profile_id,
        "provider_id": option.provider_id,
        "shipping_option_type_id": option.type_id,
        "data": option.data,
        "metadata": null,
        "created_at": option.created_at,
        "updated_at": option.updated_at,
        "deleted_at": null,
        "rules": option_parts::rules_of(conn, id)?,
        "type": {
            "id": option.type_id, "label": option.type_label,
            "description": option.type_description, "code": option.type_code,
            "created_at": option.created_at, "updated_at": option.updated_at, "deleted_at": null,
        },
        "prices": prices,
        "service_zone": option_parts::service_zone(conn, &option.service_zone_id)?,
        "shipping_profile": option_parts::shipping_profile(conn, option.shipping_profile_id.as_deref())?,
        "provider": {"id": option.provider_id, "is_enabled": true},
    });
    Ok(match value {
        Value::Object(map) => map,
        _ => Map::new(),
    })
}

fn price_json(price: &OptionPrice, option: &ShippingOption) -> Value {
    let rules: Vec<Value> = price
        .region_id
        .iter()
        .map(|region| {
            json!({"attribute": "region_id", "operator": "eq", "value": region,
                "priority": 0, "price_id": price.id})
        })
        .collect();
    json!({
        "id": price.id,
        "title": null,
        "currency_code": price.currency_code,
        "amount": crate::money::to_json(price.amount, &price.currency_code),
        "min_quantity": null,
        "max_quantity": null,
        "price_set_id": null,
        "price_list_id": null,
        "rules_count": rules.len(),
        "price_rules": rules,
        "created_at": option.created_at,
        "updated_at": option.updated_at,
        "deleted_at": null,
    })
}
