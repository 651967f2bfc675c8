//! Shipping setup on the wire: the admin shipping option document (Medusa's default
//! `*rules, *type, *prices, *prices.price_rules, *service_zone, *shipping_profile,
//! *provider`), `fields=` projection for the setup routes, and the body parts the option
//! routes share (prices, rules, inline type).

use crate::error::{Error, Result};
use crate::flows::fulfillment_setup::PriceSpec;
use crate::http::fields::{Graph, project, selection};
use crate::http::validate::{BodyError, Kind, Schema, get_str};
use crate::modules::fulfillment::profiles;
use crate::modules::fulfillment::zones;
use crate::modules::fulfillment::{NewRule, OptionRule, ShippingOption, TypeChoice};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The relations of the setup documents, for `fields=`.
pub const GRAPH: Graph = Graph {
    relations: &[
        "rules",
        "type",
        "prices",
        "price_rules",
        "service_zone",
        "service_zones",
        "geo_zones",
        "shipping_profile",
        "provider",
        "fulfillment_sets",
        "fulfillment_providers",
        "address",
    ],
    opaque: &[],
    embedded: &[],
};

/// Medusa's default shipping option fields.
pub const OPTION_DEFAULTS: &[&str] = &[
    "id",
    "name",
    "price_type",
    "data",
    "provider_id",
    "metadata",
    "created_at",
    "updated_at",
    "service_zone_id",
    "shipping_profile_id",
    "shipping_option_type_id",
    "*rules",
    "*type",
    "*prices",
    "*prices.price_rules",
    "*service_zone",
    "*shipping_profile",
    "*provider",
];

/// Keeps what `fields` selects from `value` (everything when `fields` is absent).
pub fn select(mut value: Value, fields: Option<&str>, defaults: &[&str]) -> Value {
    if let (Some(f), Value::Object(map)) = (fields, &mut value) {
        project(map, &selection(Some(f), defaults, &[]), &GRAPH, "");
    }
    value
}

/// A stored rule value (JSON text) as Medusa answers it: the string or array it encodes.
fn rule_value(stored: &str) -> Value {
    serde_json::from_str(stored).unwrap_or_else(|_| Value::String(stored.to_string()))
}

/// A rule on the wire.
pub fn rule_json(rule: &OptionRule, option_id: &str) -> Value {
    json!({"id": rule.id, "attribute": rule.attribute, "operator": rule.operator,
        "value": rule_value(&rule.value), "shipping_option_id": option_id})
}

/// A related record that may be gone (answered as `null`); other failures stay errors.
fn present<T>(found: Result<T>) -> Result<Option<T>> {
    match found {
        Ok(value) => Ok(Some(value)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The admin document of an option.
///
/// # Errors
/// Database failures.
pub fn option_doc(conn: &Connection, o: &ShippingOption) -> Result<Value> {
    let zone = present(zones::retrieve_zone(conn, &o.service_zone_id))?;
    let profile = match &o.shipping_profile_id {
        Some(id) => present(profiles::retrieve(conn, id))?,
        None => None,
    };
    let prices: Vec<Value> = o
        .prices
        .iter()
        .map(|p| {
            let rules: Vec<Value> = p
                .region_id
                .iter()
                .map(|r| json!({"attribute": "region_id", "operator": "eq", "value": r}))
                .collect();
            json!({"id": p.id, "currency_code": p.currency_code,
            "amount": crate::money::to_json(p.amount, &p.currency_code),
            "rules_count": rules.len(), "price_rules": rules})
        })
        .collect();
    Ok(json!({
        "id": o.id, "name": o.name, "price_type": o.price_type, "data": o.data,
        "provider_id": o.provider_id, "metadata": Value::Null,
        "service_zone_id": o.service_zone_id, "shipping_profile_id": o.shipping_profile_id,
        "shipping_option_type_id": o.type_id,
        "created_at": o.created_at, "updated_at": o.updated_at,
        "rules": o.rules.iter().map(|r| rule_json(r, &o.id)).collect::<Vec<_>>(),
        "type": {"id": o.type_id, "label": o.type_label, "description": o.type_description,
            "code": o.type_code},
        "prices": prices,
        "service_zone": zone.map(|z| json!({"id": z.id, "name": z.name,
            "fulfillment_set_id": z.fulfillment_set_id, "created_at": z.created_at,
            "updated_at": z.updated_at})),
        "shipping_profile": profile,
        "provider": {"id": o.provider_id, "is_enabled": true},
    }))
}

/// `{operator, attribute, value}` of a rule (`id` too when `with_id`).
pub fn rule_schema(with_id: bool) -> Schema {
    let schema = Schema::new()
        .required("operator", Kind::String)
        .required("attribute", Kind::String)
        .required("value", Kind::Any);
    if with_id {
        schema.required("id", Kind::String)
    } else {
        schema
    }
}

const OPERATORS: &[&str] = &["gt", "lt", "eq", "ne", "in", "lte", "gte", "nin"];

/// A rule from a checked body: operator one of Medusa's `RuleOperator`, value a string or
/// an array of strings, stored JSON-encoded.
///
/// # Errors
/// 400 with zod's enum / union messages.
pub fn rule_of(value: &Value, path: &str) -> Result<NewRule> {
    let operator = get_str(value, "operator").unwrap_or_default();
    if !OPERATORS.contains(&operator) {
        return Err(Error::invalid(format!(
            "Invalid request: Expected: '{}' for field '{path}, operator', but got: '{operator}'",
            OPERATORS.join(", ")
        )));
    }
    let raw = value.get("value").unwrap_or(&Value::Null);
    let is_strings = raw.is_string()
        || raw
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string));
    if !is_strings {
        return Err(Error::invalid(format!(
            "Invalid request: Invalid input for field '{path}, value'"
        )));
    }
    let attribute = get_str(value, "attribute").unwrap_or_default().to_string();
    Ok((attribute, operator.to_string(), raw.to_string()))
}

/// The rules array of a body (`rules, N` paths in messages).
///
/// # Errors
/// As [`rule_of`].
pub fn rules_of(items: &[Value]) -> Result<Vec<(Option<String>, NewRule)>> {
    items
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = get_str(r, "id").map(str::to_string);
            Ok((id, rule_of(r, &format!("rules, {i}"))?))
        })
        .collect()
}

fn price_schema(key: &str, update: bool) -> Schema {
    if update {
        Schema::new()
            .optional("id", Kind::String.nullable())
            .optional(key, Kind::String.nullable())
            .optional("amount", Kind::Number.nullable())
    } else {
        Schema::new()
            .required(key, Kind::String)
            .required("amount", Kind::Number)
    }
}

/// An element's schema issues reported under `prefix` (`prices, 0, `), as zod paths them
/// when the element is checked inside its array.
pub fn at_path(error: BodyError, prefix: &str) -> Error {
    Error::invalid(
        error
            .0
            .replace("for field '", &format!("for field '{prefix}"))
            .replace("Field '", &format!("Field '{prefix}")),
    )
}

/// A price of a body: `{currency_code, amount}` or `{region_id, amount}` (strict; on
/// update every field is optional and `id` names a price to keep). Which of Medusa's union
/// members applies is decided by the presence of `region_id`.
///
/// # Errors
/// 400 for any other shape.
pub fn price_of(value: &Value, index: usize, update: bool) -> Result<PriceSpec> {
    let key = if value.get("region_id").is_some() {
        "region_id"
    } else {
        "currency_code"
    };
    price_schema(key, update)
        .check(value)
        .map_err(|e| at_path(e, &format!("prices, {index}, ")))?;
    Ok(PriceSpec {
        id: get_str(value, "id").map(str::to_string),
        currency_code: get_str(value, "currency_code").map(str::to_string),
        region_id: get_str(value, "region_id").map(str::to_string),
        amount: value.get("amount").filter(|a| !a.is_null()).cloned(),
    })
}

/// The inline `type` object `{label, description, code}`.
pub fn type_schema() -> Schema {
    Schema::new()
        .required("label", Kind::String)
        .required("description", Kind::String)
        .required("code", Kind::String)
}

/// The option type a body names: inline `type` or `type_id`.
pub fn type_of(body: &Value) -> Option<TypeChoice> {
    if let Some(t) = body.get("type").and_then(Value::as_object) {
        let text = |k: &str| {
            t.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        return Some(TypeChoice::New(
            text("label"),
            text("code"),
            text("description"),
        ));
    }
    get_str(body, "type_id").map(|id| TypeChoice::Existing(id.to_string()))
}
