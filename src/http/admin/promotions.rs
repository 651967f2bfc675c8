//! `/admin/promotions`: list (`q`, `code`, `id`, `campaign_id`, `limit` / `offset`), create
//! (with its application method, rules and optionally an inline campaign), retrieve,
//! update, delete. Bodies are checked as Medusa's zod validators check them (types, enums,
//! the buy-get and automatic-limit refinements); the module then applies its own checks
//! of the application method.

use super::campaigns::{campaign_input, campaign_schema};
use super::promotion_json::promotion_json;
use super::{as_map, deleted, page};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::flows::promotions as flow;
use crate::http::fields::ids;
use crate::http::query::exact_list;
use crate::http::validate::{Kind, Schema};
use crate::http::{Access, Request, Response, Route, list_envelope};
use crate::modules::promotion::campaign::NewCampaign;
use crate::modules::promotion::write::{MethodFields, NewPromotion, NewRule};
use crate::modules::promotion::{self, model, rules::OPERATORS};
use serde_json::{Map, Value, json};

/// The `/admin/promotions` route table.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/promotions",
            Access::Admin,
            "List promotions",
            list,
        ),
        Route::new(
            "POST",
            "/admin/promotions",
            Access::Admin,
            "Create a promotion",
            create,
        ),
        Route::new(
            "GET",
            "/admin/promotions/:id",
            Access::Admin,
            "Retrieve a promotion",
            retrieve,
        ),
        Route::new(
            "POST",
            "/admin/promotions/:id",
            Access::Admin,
            "Update a promotion",
            update,
        ),
        Route::new(
            "DELETE",
            "/admin/promotions/:id",
            Access::Admin,
            "Delete a promotion",
            delete,
        ),
    ]
}

const PROMOTION_TYPES: &[&str] = &["standard", "buyget"];
const STATUSES: &[&str] = &["draft", "active", "inactive"];
const METHOD_TYPES: &[&str] = &["fixed", "percentage"];
const TARGET_TYPES: &[&str] = &["order", "shipping_methods", "items"];
const ALLOCATIONS: &[&str] = &["each", "across"];

/// zod's `nativeEnum` check with Medusa's message, for the value at `path` (if present).
///
/// # Errors
/// 400 "Invalid request: Expected: 'a, b' for field 'x', but got: 'y'".
pub fn one_of(body: &Value, path: &[&str], allowed: &[&str]) -> Result<()> {
    let mut at = body;
    for key in path {
        match at.get(*key) {
            Some(v) => at = v,
            None => return Ok(()),
        }
    }
    match at.as_str() {
        Some(s) if allowed.contains(&s) => Ok(()),
        None if at.is_null() => Ok(()),
        _ => Err(Error::invalid(format!(
            "Invalid request: Expected: '{}' for field '{}', but got: '{}'",
            allowed.join(", "),
            path.join(", "),
            at.as_str().map_or_else(|| at.to_string(), str::to_string)
        ))),
    }
}

fn rule_schema() -> Schema {
    Schema::new()
        .required("operator", Kind::String)
        .optional("description", Kind::String.nullable())
        .required("attribute", Kind::String)
        .required("values", Kind::Any)
}

fn method_schema(create: bool) -> Schema {
    let need = |s: Schema, name: &str, kind: Kind| {
        if create {
            s.required(name, kind)
        } else {
            s.optional(name, kind)
        }
    };
    let s = Schema::new().optional("description", Kind::String.nullable());
    let s = need(s, "value", Kind::Number);
    let s = s
        .optional("currency_code", Kind::String.nullable())
        .optional("max_quantity", Kind::Integer.nullable());
    let s = need(s, "type", Kind::String);
    let s = need(s, "target_type", Kind::String);
    let s = s.optional("allocation", Kind::String);
    let s = if create {
        s.optional_array("target_rules", rule_schema())
            .optional_array("buy_rules", rule_schema())
    } else {
        s
    };
    s.optional("apply_to_quantity", Kind::Integer.nullable())
        .optional("buy_rules_min_quantity", Kind::Integer.nullable())
}

/// Rules from a validated body array; `values` may be one string or a list of strings.
///
/// # Errors
/// 400 for values of another type.
pub fn parse_rules(body: Option<&Value>, path: &str) -> Result<Vec<NewRule>> {
    let mut out = Vec::new();
    for (i, rule) in body
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        one_of(rule, &["operator"], &OPERATORS)
            .map_err(|_| enum_error(path, i, &rule["operator"]))?;
        let values = match &rule["values"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => {
                return Err(Error::invalid(format!(
                    "Invalid request: Expected type: 'string, array' for field '{path}, {i}, values'"
                )));
            }
        };
        out.push(NewRule {
            attribute: rule["attribute"].as_str().unwrap_or_default().to_string(),
            operator: rule["operator"].as_str().unwrap_or_default().to_string(),
            description: rule["description"].as_str().map(str::to_string),
            values,
        });
    }
    Ok(out)
}

fn enum_error(path: &str, i: usize, got: &Value) -> Error {
    Error::invalid(format!(
        "Invalid request: Expected: '{}' for field '{path}, {i}, operator', but got: '{}'",
        OPERATORS.join(", "),
        got.as_str().unwrap_or_default()
    ))
}

fn create_schema() -> Schema {
    Schema::new()
        .required("code", Kind::String)
        .optional("is_automatic", Kind::Boolean)
        .required("type", Kind::String)
        .optional("is_tax_inclusive", Kind::Boolean)
        .optional("status", Kind::String)
        .optional("campaign_id", Kind::String.nullable())
        .optional_object("campaign", campaign_schema())
        .object("application_method", method_schema(true))
        .optional_array("rules", rule_schema())
        .optional("limit", Kind::Integer.nullable())
        .optional("additional_data", Kind::Object.nullable())
}

fn check_enums(body: &Value) -> Result<()> {
    one_of(body, &["type"], PROMOTION_TYPES)?;
    one_of(body, &["status"], STATUSES)?;
    one_of(body, &["application_method", "type"], METHOD_TYPES)?;
    one_of(body, &["application_method", "target_type"], TARGET_TYPES)?;
    one_of(body, &["application_method", "allocation"], ALLOCATIONS)
}

/// The refinements Medusa's validators add (`limit` must be at least 1, too).
fn check_refinements(body: &Value, create: bool) -> Result<()> {
    let invalid = |m: &str| Err(Error::invalid(format!("Invalid request: {m}")));
    if body["limit"].as_i64().is_some_and(|l| l < 1) {
        return invalid("Value for field 'limit' too small, expected at least: '1'");
    }
    if create && body.get("campaign").is_some() && body["campaign_id"].is_string() {
        return invalid(
            "Buyget promotions require at least one buy rule and quantities to be defined",
        );
    }
    if create && body["type"] == "buyget" {
        let m = &body["application_method"];
        let buy_rules = m["buy_rules"].as_array().is_some_and(|r| !r.is_empty());
        if !buy_rules
            || m.get("apply_to_quantity").is_none()
            || m.get("buy_rules_min_quantity").is_none()
        {
            return invalid(
                "Buyget promotions require at least one buy rule and quantities to be defined",
            );
        }
    }
    if body["is_automatic"] == true && body.get("limit").is_some_and(|l| !l.is_null()) {
        return invalid("Automatic promotions cannot have a usage limit");
    }
    Ok(())
}

/// The application method's fields from a validated create body.
fn method_fields(m: &Value) -> MethodFields {
    let text = |k: &str| m[k].as_str().map(str::to_string);
    MethodFields {
        kind: text("type").unwrap_or_default(),
        target_type: text("target_type").unwrap_or_default(),
        allocation: text("allocation"),
        value: m["value"].to_string(),
        currency_code: text("currency_code"),
        max_quantity: m["max_quantity"].as_i64(),
        apply_to_quantity: m["apply_to_quantity"].as_i64(),
        buy_rules_min_quantity: m["buy_rules_min_quantity"].as_i64(),
        description: text("description"),
    }
}

/// A fixed value must be exact in its currency's minor units.
fn check_fixed_value(m: &Value) -> Result<()> {
    let (Some("fixed"), Some(currency)) = (m["type"].as_str(), m["currency_code"].as_str()) else {
        return Ok(());
    };
    crate::money::parse_major(m["value"].to_string().as_str(), &currency.to_lowercase())
        .map(|_| ())
        .map_err(|e| Error::invalid(format!("Invalid request: application_method.value {e}")))
}

fn new_promotion(body: &Value) -> Result<NewPromotion> {
    let m = &body["application_method"];
    check_fixed_value(m)?;
    Ok(NewPromotion {
        code: body["code"].as_str().unwrap_or_default().to_string(),
        kind: body["type"].as_str().unwrap_or_default().to_string(),
        status: body["status"].as_str().unwrap_or("draft").to_string(),
        is_automatic: body["is_automatic"].as_bool().unwrap_or(false),
        is_tax_inclusive: body["is_tax_inclusive"].as_bool().unwrap_or(false),
        limit: body["limit"].as_i64(),
        campaign_id: body["campaign_id"].as_str().map(str::to_string),
        method: method_fields(m),
        target_rules: parse_rules(m.get("target_rules"), "application_method, target_rules")?,
        buy_rules: parse_rules(m.get("buy_rules"), "application_method, buy_rules")?,
        rules: parse_rules(body.get("rules"), "rules")?,
    })
}

fn reply(engine: &Engine, id: &str) -> Result<Response> {
    let found = engine.store().read(|conn| model::retrieve(conn, id))?;
    Ok(Response::json(
        json!({ "promotion": promotion_json(&found) }),
    ))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (offset, limit) = page(request, 50)?;
    let bad = |e: crate::http::query::QueryError| Error::invalid(e.to_string());
    let filter = promotion::Filter {
        q: request.query_str("q").map(str::to_string),
        codes: exact_list(&request.query, "code").map_err(bad)?,
        ids: ids(&request.query)?,
        campaign_ids: exact_list(&request.query, "campaign_id").map_err(bad)?,
    };
    let (found, count) = engine
        .store()
        .read(|conn| promotion::list(conn, &filter, offset, limit))?;
    let items = found.iter().map(promotion_json).collect();
    Ok(Response::json(list_envelope(
        "promotions",
        items,
        count,
        offset,
        limit,
    )))
}

/// A `POST /admin/promotions` body checked as the route checks it — its schema, the enums,
/// Medusa's refinements — as module input with its inline campaign. The admin UI builds the
/// same body from its form and comes through here too.
///
/// # Errors
/// 400 naming what does not fit.
pub fn create_input(body: &Value) -> Result<(NewPromotion, Option<NewCampaign>)> {
    create_schema()
        .check(body)
        .map_err(|e| Error::InvalidData(e.to_string()))?;
    check_enums(body)?;
    check_refinements(body, true)?;
    let input = new_promotion(body)?;
    let campaign = match body.get("campaign").filter(|c| c.is_object()) {
        Some(c) => Some(campaign_input(c)?),
        None => None,
    };
    Ok((input, campaign))
}

fn create(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&create_schema())?;
    let (input, campaign) = create_input(&body)?;
    let ctx = engine.ctx().clone();
    let id = engine
        .store()
        .write(move |tx| flow::create_promotion(tx, &ctx, &input, campaign.as_ref()))?;
    reply(engine, &id)
}

fn retrieve(engine: &Engine, request: &Request) -> Result<Response> {
    reply(engine, request.param("id"))
}

fn update_schema() -> Schema {
    Schema::new()
        .optional("code", Kind::String)
        .optional("is_automatic", Kind::Boolean)
        .optional("is_tax_inclusive", Kind::Boolean)
        .optional("type", Kind::String)
        .optional("status", Kind::String)
        .optional("campaign_id", Kind::String.nullable())
        .optional_object("application_method", method_schema(false))
        .optional("limit", Kind::Integer.nullable())
        .optional("additional_data", Kind::Object.nullable())
}

fn update(engine: &Engine, request: &Request) -> Result<Response> {
    let body = request.body_with(&update_schema())?;
    check_enums(&body)?;
    check_refinements(&body, false)?;
    if let Some(m) = body.get("application_method") {
        check_fixed_value(m)?;
    }
    let mut changes = as_map(body);
    let method: Option<Map<String, Value>> = changes
        .remove("application_method")
        .and_then(|m| m.as_object().cloned());
    changes.remove("additional_data");
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine.store().write(move |tx| {
        automatic_without_limit(tx, &target, &changes)?;
        flow::update_promotion(tx, &ctx, &target, &changes, method.as_ref())
    })?;
    reply(engine, &id)
}

/// An update may not leave an automatic promotion with a usage limit.
fn automatic_without_limit(
    conn: &rusqlite::Connection,
    id: &str,
    changes: &Map<String, Value>,
) -> Result<()> {
    let found = model::retrieve(conn, id)?;
    let automatic = changes
        .get("is_automatic")
        .and_then(Value::as_bool)
        .unwrap_or(found.is_automatic);
    let limit = match changes.get("limit") {
        Some(v) => v.as_i64(),
        None => found.limit,
    };
    if automatic && limit.is_some() {
        return Err(Error::invalid(
            "Invalid request: Automatic promotions cannot have a usage limit",
        ));
    }
    Ok(())
}

fn delete(engine: &Engine, request: &Request) -> Result<Response> {
    let (ctx, id) = (engine.ctx().clone(), request.param("id").to_string());
    let target = id.clone();
    engine
        .store()
        .write(move |tx| flow::delete_promotion(tx, &ctx, &target))?;
    Ok(deleted(&id, "promotion"))
}
