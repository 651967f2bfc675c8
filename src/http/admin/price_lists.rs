//! `/admin/price-lists`: list, create (with prices by variant), retrieve, update, delete, and
//! `prices/batch` (add, change, remove prices by variant).

use super::{as_map, deleted};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::price_lists::{self, PriceBatch, PriceListDetail, PriceListInput};
use crate::http::Paged;
use crate::http::catalog_json::object;
use crate::http::fields::{ids, page, string, strings};
use crate::http::validate::{Kind, Schema, get_array, get_str};
use crate::http::{Request, Response, list_envelope};
use crate::modules::pricing::lists::{ListPrice, PriceListFilter};
use crate::modules::pricing::{self, NewPrice, NewPriceList};
use crate::workflow::parse_input;
use serde::Deserialize;
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

/// A price's variant and currency, once the price's schema has passed.
#[derive(Deserialize)]
struct PriceBody {
    variant_id: String,
    currency_code: String,
}

/// A price to update names its id.
#[derive(Deserialize)]
struct PriceId {
    id: String,
}

/// A list's title and description (both required by its schema).
#[derive(Deserialize)]
struct ListTexts {
    title: String,
    description: String,
}

fn price(p: &Value) -> Result<(String, NewPrice)> {
    let PriceBody {
        variant_id: variant,
        currency_code,
    } = parse_input(p)?;
    let currency = currency_code.to_ascii_lowercase();
    let amount = p.get("amount").unwrap_or(&Value::Null);
    let amount =
        crate::money::parse_major(amount, &currency).map_err(|e| Error::invalid(e.to_string()))?;
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

/// The `rules` object of a body: attribute → accepted values.
fn list_rules(body: &Value) -> Vec<(String, Vec<String>)> {
    body.get("rules")
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
        .unwrap_or_default()
}

/// Parses a create body.
///
/// # Errors
/// 400 for a bad type, status or amount.
pub fn input(body: &Value) -> Result<PriceListInput> {
    let rules = list_rules(body);
    let texts: ListTexts = parse_input(body)?;
    let list = NewPriceList {
        title: texts.title,
        description: texts.description,
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
    Ok(Response::json(
        json!({ "price_list": detail(engine, &id)? }),
    ))
}

/// `GET /admin/price-lists/:id`.
///
/// # Errors
/// 404 when absent.
pub fn retrieve(engine: &Engine, req: &Request) -> Result<Response> {
    let id = req.param("id").to_string();
    Ok(Response::json(
        json!({ "price_list": detail(engine, &id)? }),
    ))
}

/// `GET /admin/price-lists` → `{price_lists, count, offset, limit}`.
///
/// # Errors
/// 400 for bad parameters.
pub fn list(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 10)?;
    let filter = PriceListFilter {
        ids: ids(&req.query)?,
        statuses: strings(&req.query, "status")?,
        q: string(&req.query, "q")?,
    };
    let (lists, count) = engine.store().read(|c| {
        let (lists, count) = pricing::lists::list(c, &filter, limit, offset)?;
        Ok((price_lists::details(c, lists)?, count))
    })?;
    let items = lists.iter().map(detail_json).collect();
    Ok(Response::json(list_envelope(
        "price_lists",
        items,
        count,
        offset,
        limit,
    )))
}

/// `POST /admin/price-lists/:id` → `{price_list}`.
///
/// # Errors
/// 400 for an invalid body, type or status; 404 when absent.
pub fn update(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new()
        .optional("title", Kind::String)
        .optional("description", Kind::String)
        .optional("type", Kind::String)
        .optional("status", Kind::String)
        .optional("starts_at", Kind::String.nullable())
        .optional("ends_at", Kind::String.nullable())
        .optional("rules", Kind::Object);
    let body = req.body_with(&schema)?;
    if body.get("status").is_some() {
        enum_field(&body, "status", &["active", "draft"], "draft")?;
    }
    if body.get("type").is_some() {
        enum_field(&body, "type", &["sale", "override"], "sale")?;
    }
    let rules = body.get("rules").map(|_| list_rules(&body));
    let mut changes = as_map(body);
    changes.remove("rules");
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| pricing::lists::update(tx, &ctx, &target, &changes, rules.as_deref()))?;
    Ok(Response::json(
        json!({ "price_list": detail(engine, &id)? }),
    ))
}

/// `DELETE /admin/price-lists/:id` → `{id, object: "price_list", deleted: true}`.
///
/// # Errors
/// 404 when absent.
pub fn delete(engine: &Engine, req: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| pricing::lists::delete(tx, &ctx, &target))?;
    Ok(deleted(&id, "price_list"))
}

/// A price list as Medusa's admin shows it: its fields, `rules` (attribute → values) and
/// `prices` (each with its `variant_id`).
fn detail_json(d: &PriceListDetail) -> Value {
    let mut map = object(&d.list);
    let rules: serde_json::Map<String, Value> = d
        .rules
        .iter()
        .map(|(attribute, values)| (attribute.clone(), json!(values)))
        .collect();
    map.insert("rules".into(), Value::Object(rules));
    let prices = d
        .prices
        .iter()
        .map(|(variant, price)| {
            let mut p = price_json(price);
            if let Value::Object(fields) = &mut p {
                fields.insert("variant_id".into(), json!(variant));
                fields.insert("rules".into(), json!({}));
            }
            p
        })
        .collect();
    map.insert("prices".into(), Value::Array(prices));
    Value::Object(map)
}

/// `{…price list detail…}` of list `id`.
fn detail(engine: &Engine, id: &str) -> Result<Value> {
    let id = id.to_string();
    let mut found = engine.store().read(move |c| {
        let list = pricing::retrieve_price_list(c, &id)?;
        price_lists::details(c, vec![list])
    })?;
    found
        .pop()
        .map(|d| detail_json(&d))
        .ok_or_else(|| Error::Internal("price list detail missing".into()))
}

fn price_json(p: &ListPrice) -> Value {
    let currency = p.currency_code.as_str();
    json!({
        "id": p.id,
        "currency_code": currency,
        "amount": crate::money::Amount(p.amount).to_json(currency),
        "raw_amount": crate::money::Amount(p.amount).raw_json(currency),
        "min_quantity": p.min_quantity,
        "max_quantity": p.max_quantity,
        "price_set_id": p.price_set_id,
        "price_list_id": p.price_list_id,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    })
}

/// `POST /admin/price-lists/:id/prices/batch` with `{create, update, delete}` →
/// `{created, updated, deleted: {ids, object: "price", deleted: true}}`.
///
/// # Errors
/// 400 for an invalid body or amount; 404 for an unknown list, variant or price.
pub fn batch_prices(engine: &Engine, req: &Request) -> Result<Response> {
    let price_schema = || {
        Schema::new()
            .required("variant_id", Kind::String)
            .required("currency_code", Kind::String)
            .required("amount", Kind::Any)
            .optional("min_quantity", Kind::Integer.nullable())
            .optional("max_quantity", Kind::Integer.nullable())
    };
    let schema = Schema::new()
        .optional_array("create", price_schema())
        .optional_array("update", price_schema().required("id", Kind::String))
        .optional("delete", Kind::array_of(Kind::String));
    let body = req.body_with(&schema)?;
    let items = |key: &str| get_array(&body, key).map(Vec::as_slice).unwrap_or_default();
    let batch = PriceBatch {
        create: items("create").iter().map(price).collect::<Result<_>>()?,
        update: items("update")
            .iter()
            .map(|p| {
                let (variant, new) = price(p)?;
                let id = parse_input::<PriceId>(p)?.id;
                Ok((id, variant, new))
            })
            .collect::<Result<_>>()?,
        delete: super::strings(&body, "delete"),
    };
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let (created, updated, deleted_ids) = engine.store().write(move |tx| {
        let done = price_lists::batch_prices(tx, &ctx, &id, &batch)?;
        Ok((
            pricing::lists::prices(tx, &id, &done.created)?,
            pricing::lists::prices(tx, &id, &done.updated)?,
            done.deleted,
        ))
    })?;
    Ok(Response::json(json!({
        "created": created.iter().map(price_json).collect::<Vec<_>>(),
        "updated": updated.iter().map(price_json).collect::<Vec<_>>(),
        "deleted": {"ids": deleted_ids, "object": "price", "deleted": true},
    })))
}

/// `GET /admin/price-lists/:id/prices` → `{prices, count, offset, limit}`: the list's prices
/// (each with its `variant_id`), `id` filter, pages; Medusa's default limit 50.
///
/// # Errors
/// 404 for an unknown list; 400 for bad parameters.
pub fn list_prices(engine: &Engine, req: &Request) -> Result<Response> {
    let (limit, offset, _, _) = page(&req.query, 50)?;
    let wanted = ids(&req.query)?;
    let mut doc = detail(engine, req.param("id"))?;
    let prices: Vec<Value> = match doc["prices"].take() {
        Value::Array(all) => all,
        _ => Vec::new(),
    };
    let matching: Vec<Value> = prices
        .into_iter()
        .filter(|p| wanted.is_empty() || wanted.iter().any(|w| p["id"].as_str() == Some(w)))
        .collect();
    let count = matching.len() as u64;
    let items = matching.into_iter().page(offset, limit).collect();
    Ok(Response::json(list_envelope(
        "prices", items, count, offset, limit,
    )))
}

/// `POST /admin/price-lists/:id/products` with `{remove: [product ids]}` → `{price_list}`:
/// the list's prices of those products' variants are removed.
///
/// # Errors
/// 400 for an invalid body or no product ids (Medusa's message); 404 for an unknown list.
pub fn remove_products(engine: &Engine, req: &Request) -> Result<Response> {
    let schema = Schema::new().optional("remove", Kind::array_of(Kind::String));
    let body = req.body_with(&schema)?;
    let products = super::strings(&body, "remove");
    let (ctx, id) = (engine.ctx().clone(), req.param("id").to_string());
    let list = id.clone();
    engine
        .store()
        .write(move |tx| price_lists::remove_products(tx, &ctx, &list, &products))?;
    Ok(Response::json(
        json!({ "price_list": detail(engine, &id)? }),
    ))
}
