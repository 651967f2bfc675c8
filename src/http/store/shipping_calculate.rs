//! `POST /store/shipping-options/:id/calculate` `{cart_id, data?}`: the option (Medusa's
//! default fields, or `fields=`) with its price for the cart as `calculated_price`, `amount`
//! and `is_tax_inclusive` — the shape of a flat option in the listing.

use crate::engine::Engine;
use crate::error::Result;
use crate::flows::checkout::shipping_price::{self, OptionPrice};
use crate::http::fields::{self, Graph, project, string};
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route};
use serde_json::{Map, Value, json};

/// Medusa's `defaultStoreShippingOptionsFields`.
const DEFAULTS: &[&str] = &[
    "id",
    "name",
    "price_type",
    "service_zone_id",
    "shipping_profile_id",
    "provider_id",
    "shipping_option_type_id",
    "metadata",
];

const GRAPH: Graph = Graph {
    relations: &["type", "provider", "prices"],
    opaque: &[],
    embedded: &[],
};

/// The route of this family.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "POST",
        "/store/shipping-options/:id/calculate",
        Access::Store,
        "Calculate a shipping option's price for a cart",
        calculate,
    )]
}

fn option_json(p: &OptionPrice) -> Map<String, Value> {
    let o = &p.option;
    let prices: Vec<Value> = o
        .prices
        .iter()
        .map(|price| {
            json!({"id": price.id, "currency_code": price.currency_code,
                "amount": crate::money::to_json(price.amount, &price.currency_code)})
        })
        .collect();
    let value = json!({
        "id": o.id, "name": o.name, "price_type": o.price_type,
        "service_zone_id": o.service_zone_id, "shipping_profile_id": o.shipping_profile_id,
        "provider_id": o.provider_id, "shipping_option_type_id": o.type_id, "metadata": null,
        "data": o.data,
        "type": {"id": o.type_id, "label": o.type_label, "description": o.type_description,
            "code": o.type_code},
        "provider": {"id": o.provider_id, "is_enabled": true},
        "prices": prices,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn calculate(engine: &Engine, request: &Request) -> Result<Response> {
    // Medusa's `StoreCalculateShippingOptionPrice` is not strict: other keys are dropped.
    let body = request.body_with(
        &Schema::new()
            .required("cart_id", Kind::String)
            .optional("data", Kind::Object)
            .allow_unknown(),
    )?;
    let fields = string(&request.query, "fields")?;
    let selection = fields::selection(fields.as_deref(), DEFAULTS, &[]);
    let cart_id = body["cart_id"].as_str().unwrap_or_default();
    let option_id = request.param("id");
    let priced = engine
        .store()
        .read(|conn| shipping_price::calculate(conn, engine.providers(), option_id, cart_id))?;
    let mut option = option_json(&priced);
    project(&mut option, &selection, &GRAPH, "");
    let amount = crate::money::to_json(priced.amount, &priced.currency_code);
    option.insert(
        "calculated_price".into(),
        json!({"calculated_amount": amount, "is_calculated_price_tax_inclusive": priced.is_tax_inclusive}),
    );
    option.insert("amount".into(), amount);
    option.insert("is_tax_inclusive".into(), json!(priced.is_tax_inclusive));
    Ok(Response::json(json!({ "shipping_option": option })))
}
