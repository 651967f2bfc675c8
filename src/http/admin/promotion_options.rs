//! `GET /admin/promotions/rule-attribute-options/:rule_type`: the attributes the admin
//! dashboard offers for promotion rules, target rules and buy rules (Medusa's
//! `getRuleAttributesMap`), with their operators; the currency rule is required for fixed
//! promotions, buy-get promotions add their quantities as "disguised" rules.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::{Access, Request, Response, Route};
use serde_json::{Value, json};

/// The route.
pub fn routes() -> Vec<Route> {
    vec![Route::new(
        "GET",
        "/admin/promotions/rule-attribute-options/:rule_type",
        Access::Admin,
        "Attributes promotion rules may use",
        attribute_options,
    )]
}

fn operators() -> Value {
    json!([
        {"id": "in", "value": "in", "label": "In"},
        {"id": "eq", "value": "eq", "label": "Equals"},
        {"id": "ne", "value": "ne", "label": "Not In"},
    ])
}

fn multiselect(id: &str, value: &str, label: &str) -> Value {
    json!({"id": id, "value": value, "label": label, "required": false,
        "field_type": "multiselect", "operators": operators()})
}

fn disguised(id: &str, label: &str, field_type: &str, required: bool) -> Value {
    json!({"id": id, "value": id, "label": label, "field_type": field_type, "required": required,
        "disguised": true, "operators": [{"id": "eq", "value": "eq", "label": "Equals"}]})
}

fn item_attributes() -> Vec<Value> {
    vec![
        multiselect("product", "items.product.id", "Product"),
        multiselect(
            "product_category",
            "items.product.categories.id",
            "Product Category",
        ),
        multiselect(
            "product_collection",
            "items.product.collection_id",
            "Product Collection",
        ),
        multiselect("product_type", "items.product.type_id", "Product Type"),
        multiselect("product_tag", "items.product.tags.id", "Product Tag"),
    ]
}

fn attribute_options(_: &Engine, request: &Request) -> Result<Response> {
    let rule_type = request.param("rule_type");
    let buy_get = request.query_str("promotion_type") == Some("buyget");
    let fixed = request.query_str("application_method_type") == Some("fixed");
    let attributes = match rule_type {
        "rules" => {
            let mut currency = disguised("currency_code", "Currency Code", "select", fixed);
            currency["hydrate"] = json!(true);
            vec![
                multiselect("customer_group", "customer.groups.id", "Customer Group"),
                multiselect("region", "region.id", "Region"),
                multiselect("country", "shipping_address.country_code", "Country"),
                multiselect("sales_channel", "sales_channel_id", "Sales Channel"),
                currency,
            ]
        }
        "target-rules" | "target_rules" => {
            let mut list = item_attributes();
            if buy_get {
                list.push(disguised(
                    "apply_to_quantity",
                    "Quantity of items promotion will apply to",
                    "number",
                    true,
                ));
            }
            list
        }
        "buy-rules" | "buy_rules" => {
            let mut list = item_attributes();
            if buy_get {
                list.push(disguised(
                    "buy_rules_min_quantity",
                    "Minimum quantity of items",
                    "number",
                    true,
                ));
            }
            list
        }
        other => {
            return Err(Error::invalid(format!("Invalid param rule_type ({other})")));
        }
    };
    Ok(Response::json(json!({ "attributes": attributes })))
}
