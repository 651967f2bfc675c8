//! `/admin/price-lists`: create (with prices by variant) and retrieve.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::price_lists::{self, PriceListInput};
use crate::http::catalog_json::object;
use crate::http::validate::{Kind, Schema, get_array, get_str};
use crate::http::{Request, Response};
use crate::modules::pricing::{self, NewPrice, NewPriceList};
use serde_json::{Value, json};

fn schema() -> Schema {
    let price = Schema::new()
        .required("variant_id", Kind::String)
        .required("currency_code", Kind::String)
        .required("amount", Kind::Any)
        .optional("min_quantity", Kind::Integer.nullable())
        .optional("max_quantity", Kind::Integer.nullable())
        .optional("rules", Kind::Object);
    Schema::new()
        .required("title", Kind::String)
        .required("description", Kind::String)
        .optional("type", Kind::String)
        .optional("status", Kind::String)
        .optional("starts_at", Kind::String.nullable())
        .optional("ends_at", Kind::String.nullable())
        .optional("rules", Kind::Object)
        .optional_array("prices", price)
}

fn price(p: &Value) -> Result<(String, NewPrice)> {
    let currency = get_str(p, "currency_code")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let amount = p.get("amount").unwrap_or(&Value::Null);
    let amount =
        crate::money::parse_major(amount, &currency).map_err(|e| Error::invalid(e.to_string()))?;
    let variant = get_str(p, "variant_id").unwrap_or_default().to_string();
    Ok((
        variant,
        NewPrice {
            currency_code: currency,
            amount,
            min_quantity: p.get("min_quantity").and_then(Value::as_i64),
            max_quantity: p.get("max_quantity").and_then(Value::as_i64),
            rules: Vec::new(),
        },
    ))
}

fn enum_field(body: &Value, key: &str, allowed: &[&str], default: &str) -> Result<String> {
    let value = get_str(body, key).unwrap_or(default);
    if !allowed.contains(&value) {
        return Err(Error::invalid(format!(
            "Invalid request: Invalid enum value for field '{key}', received '{value}'"
        )));
    }
    Ok(value.to_string())
}

/// Parses a create body.
///
/// # Errors
/// 400 for a bad type, status or amount.
pub fn input(body: &Value) -> Result<PriceListInput> {
    let rules = body
        .get("rules")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .map(|(k, v)| {
                    let values = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.clone(), values)
                })
                .collect()
        })
        .unwrap_or_default();
    let list = NewPriceList {
        title: get_str(body, "title").unwrap_or_default().to_string(),
        description: get_str(body, "description").unwrap_or_default().to_string(),
        status: enum_field(body, "status", &["active", "draft"], "draft")?,
        kind: enum_field(body, "type", &["sale", "override"], "sale")?,
        starts_at: get_str(body, "starts_at").map(str::to_string),
        ends_at: get_str(body, "ends_at").map(str::to_string),
        rules,
        prices: Vec::new(),
    };
    let variant_prices = get_array(body, "prices")
        .map(|a| a.iter().map(price).collect::<Result<Vec<_>>>())
        .transpose()?
        .unwrap_or_default();
    Ok(PriceListInput {
        list,
        variant_prices,
    })
}

/// `POST /admin/price-lists`.
///
/// # Errors
/// 400 for an invalid body; 404 for a variant without prices.
pub fn create(engine: &Engine, req: &Request) -> Result<Response> {
    let input = input(&req.body_with(&schema())?)?;
    let ctx = engine.ctx().clone();
    let id = engine
        .store()
        .write(move |tx| price_lists::create(tx, &ctx, &input))?;
    let list = engine
        .store()
        .read(|c| pricing::retrieve_price_list(c, &id))?;
    Ok(Response::json(json!({ "price_list": object(&list) })))
}

/// `GET /admin/price-lists/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    let list = engine
        .store()
        .read(|c| pricing::retrieve_price_list(c, &id))?;
    Ok(Response::json(json!({ "price_list": object(&list) })))
}
