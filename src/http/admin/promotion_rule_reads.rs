//! `GET /admin/promotions/:id/:rule_type`: a promotion's rules of one type as Medusa's admin
//! dashboard edits them — each rule merged with its attribute's definition (label, field
//! type, operators), its values labelled (`{value, label}`: a region's name, a product's
//! title…), and the application method's "disguised" fields (currency, buy-get quantities)
//! shown as rules. Unlike Medusa, an unknown promotion is a 404 (Medusa answers the disguised
//! rules of the query's promotion type instead).

use super::promotion_options::{attributes_for, candidates};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Access, Request, Response, Route};
use crate::modules::promotion::{self, ApplicationMethod, Promotion, Rule};
use rusqlite::Connection;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The route.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "GET",
        "/admin/promotions/:id/:rule_type",
        Access::Admin,
        "List a promotion's rules of one type, labelled",
        list,
    )]
}

fn operator_label(operator: &str) -> &str {
    match operator {
        "in" => "In",
        "eq" => "Equals",
        "ne" => "Not In",
        other => other,
    }
}

fn rules_of<'a>(promotion: &'a Promotion, rule_type: &str) -> &'a [Rule] {
    let method = promotion.application_method.as_ref();
    match rule_type {
        "rules" => &promotion.rules,
        "target-rules" | "target_rules" => method.map_or(&[], |m| m.target_rules.as_slice()),
        _ => method.map_or(&[], |m| m.buy_rules.as_slice()),
    }
}

/// The application method's value of a disguised attribute.
fn method_field(method: Option<&ApplicationMethod>, attribute: &str) -> Value {
    let Some(m) = method else {
        return Value::Null;
    };
    match attribute {
        "currency_code" => json!(m.currency_code),
        "apply_to_quantity" => json!(m.apply_to_quantity),
        "buy_rules_min_quantity" => json!(m.buy_rules_min_quantity),
        _ => Value::Null,
    }
}

fn labels(conn: &Connection, attribute: &str) -> Result<HashMap<String, String>> {
    Ok(candidates(conn, attribute)?
        .into_iter()
        .map(|(label, value)| (value, label))
        .collect())
}

fn labelled(values: &[String], names: &HashMap<String, String>) -> Value {
    values
        .iter()
        .map(|v| json!({"value": v, "label": names.get(v).unwrap_or(v)}))
        .collect()
}

/// A disguised attribute shown as an `eq` rule over the method's field.
fn disguised_rule(conn: &Connection, attr: &Value, recorded: Value) -> Result<Value> {
    let mut rule: Map<String, Value> = attr.as_object().cloned().unwrap_or_default();
    let id = attr["id"].as_str().unwrap_or_default().to_string();
    let values = if attr["field_type"] == "number" {
        recorded
    } else {
        match recorded.as_str() {
            Some(v) if id == "currency_code" => labelled(&[v.to_string()], &labels(conn, &id)?),
            Some(v) => json!([{"label": v, "value": v}]),
            None => json!([]),
        }
    };
    rule.remove("id");
    rule.remove("value");
    rule.insert("attribute".into(), json!(id));
    rule.insert("attribute_label".into(), attr["label"].clone());
    rule.insert("operator".into(), json!("eq"));
    rule.insert("operator_label".into(), json!("Equals"));
    rule.insert("values".into(), values);
    Ok(Value::Object(rule))
}

/// A stored rule merged over its attribute's definition, values labelled.
fn stored_rule(conn: &Connection, attr: &Value, rule: &Rule) -> Result<Value> {
    let mut doc: Map<String, Value> = attr.as_object().cloned().unwrap_or_default();
    let names = labels(conn, attr["id"].as_str().unwrap_or_default())?;
    let values: Vec<String> = rule.values.iter().map(|(_, v)| v.clone()).collect();
    doc.insert("id".into(), json!(rule.id));
    doc.insert("attribute".into(), json!(rule.attribute));
    doc.insert("operator".into(), json!(rule.operator));
    doc.insert("description".into(), json!(rule.description));
    doc.insert("values".into(), labelled(&values, &names));
    doc.insert("attribute_label".into(), attr["label"].clone());
    doc.insert(
        "operator_label".into(),
        json!(operator_label(&rule.operator)),
    );
    Ok(Value::Object(doc))
}

fn list(engine: &Engine, request: &Request) -> Result<Response> {
    let (id, rule_type) = (request.param("id").to_string(), request.param("rule_type"));
    let rule_type = rule_type.to_string();
    let rules = engine.store().read(move |conn| {
        let promotion = promotion::model::retrieve(conn, &id)?;
        let method = promotion.application_method.as_ref();
        let buy_get = promotion.kind == "buyget";
        let fixed = method.is_some_and(|m| m.kind == "fixed");
        let attributes = attributes_for(&rule_type, buy_get, fixed)?;
        let mut out = Vec::new();
        for attr in attributes.iter().filter(|a| a["disguised"] == true) {
            let recorded = method_field(method, attr["id"].as_str().unwrap_or_default());
            let required = attr["required"].as_bool().unwrap_or(true);
            if required || !recorded.is_null() {
                out.push(disguised_rule(conn, attr, recorded)?);
            }
        }
        for rule in rules_of(&promotion, &rule_type) {
            let attr = attributes
                .iter()
                .find(|a| a["disguised"] != true && a["value"] == rule.attribute.as_str());
            if let Some(attr) = attr {
                out.push(stored_rule(conn, attr, rule)?);
            }
        }
        Ok::<_, Error>(out)
    })?;
    Ok(Response::json(json!({ "rules": rules })))
}
