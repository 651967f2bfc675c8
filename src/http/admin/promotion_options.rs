//! `GET /admin/promotions/rule-attribute-options/:rule_type`: the attributes the admin
//! dashboard offers for promotion rules, target rules and buy rules (Medusa's
//! `getRuleAttributesMap`), with their operators; the currency rule is required for fixed
//! promotions, buy-get promotions add their quantities as "disguised" rules.
//! `GET /admin/promotions/rule-value-options/:rule_type/:attribute`: the values one of them
//! may take, as `{label, value}` (Medusa's `ruleQueryConfigurations`: regions by name,
//! currencies, customer groups, sales channels, countries, products by title, categories,
//! collections, types, tags), filtered by `q` and `value`, paged by `limit` / `offset`.

use super::page;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::http::Paged;
use crate::http::query::exact_list;
use crate::http::{Access, Request, Response, Route};
use crate::modules::product::taxonomy::{SimpleFilter, ValueKind};
use crate::modules::{currency, customer, product, region, sales_channel};
use rusqlite::Connection;
use serde_json::{Value, json};

/// The route.
pub fn routes() -> Vec<Route> {
    vec![
        Route::new(
            "GET",
            "/admin/promotions/rule-attribute-options/:rule_type",
            Access::Admin,
            "Attributes promotion rules may use",
            attribute_options,
        ),
        Route::new(
            "GET",
            "/admin/promotions/rule-value-options/:rule_type/:rule_attribute_id",
            Access::Admin,
            "Values a promotion rule attribute may take",
            value_options,
        ),
    ]
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
    let attributes = attributes_for(rule_type, buy_get, fixed)?;
    Ok(Response::json(json!({ "attributes": attributes })))
}

/// The attributes a rule of `rule_type` may use (Medusa's `getRuleAttributesMap`).
///
/// # Errors
/// 400 for an unknown rule type.
pub(super) fn attributes_for(rule_type: &str, buy_get: bool, fixed: bool) -> Result<Vec<Value>> {
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
    Ok(attributes)
}

/// Every `(label, value)` an attribute may take, in the module's order.
pub(super) fn candidates(conn: &Connection, attribute: &str) -> Result<Vec<(String, String)>> {
    const ALL: u64 = i64::MAX as u64;
    let all = SimpleFilter::default();
    let pairs = |v: Vec<(String, String)>| Ok(v);
    match attribute {
        "region" => pairs(
            region::list(conn, &region::RegionFilter::default(), ALL, 0)?
                .0
                .into_iter()
                .map(|r| (r.name, r.id))
                .collect(),
        ),
        "currency_code" => pairs(
            currency::list(&[], None)
                .into_iter()
                .map(|c| (c.name.to_string(), c.code.to_string()))
                .collect(),
        ),
        "customer_group" => pairs(
            customer::group::list(conn, None, &[], 0, ALL)?
                .0
                .into_iter()
                .map(|g| (g.name, g.id))
                .collect(),
        ),
        "sales_channel" => pairs(
            sales_channel::list(conn)?
                .into_iter()
                .map(|c| (c.name, c.id))
                .collect(),
        ),
        "country" => pairs(
            region::countries::COUNTRIES
                .iter()
                .map(|c| (c.4.to_string(), c.0.to_string()))
                .collect(),
        ),
        "product" => pairs(
            product::read::list(
                conn,
                &product::read::ProductFilter::default(),
                &product::read::ProductOrder::default(),
                ALL,
                0,
            )?
            .0
            .into_iter()
            .map(|p| (p.title, p.id))
            .collect(),
        ),
        "product_category" => pairs(
            product::category::list_categories(conn, &all, ALL, 0)?
                .0
                .into_iter()
                .map(|c| (c.name, c.id))
                .collect(),
        ),
        "product_collection" => pairs(
            product::taxonomy::list_collections(conn, &all, ALL, 0)?
                .0
                .into_iter()
                .map(|c| (c.title, c.id))
                .collect(),
        ),
        "product_type" | "product_tag" => {
            let kind = if attribute == "product_type" {
                ValueKind::Type
            } else {
                ValueKind::Tag
            };
            pairs(
                product::taxonomy::list_values(conn, kind, &all, ALL, 0)?
                    .0
                    .into_iter()
                    .map(|t| (t.value, t.id))
                    .collect(),
            )
        }
        other => Err(Error::invalid(format!("Invalid rule attribute - {other}"))),
    }
}

fn value_options(engine: &Engine, request: &Request) -> Result<Response> {
    let rule_type = request.param("rule_type");
    if ![
        "rules",
        "target-rules",
        "target_rules",
        "buy-rules",
        "buy_rules",
    ]
    .contains(&rule_type)
    {
        return Err(Error::invalid(format!(
            "Invalid param rule_type ({rule_type})"
        )));
    }
    let attribute = request.param("rule_attribute_id").to_string();
    let for_rules = [
        "customer_group",
        "region",
        "country",
        "sales_channel",
        "currency_code",
    ];
    if (rule_type == "rules") != for_rules.contains(&attribute.as_str()) {
        return Err(Error::invalid(format!(
            "Invalid rule attribute - {attribute}"
        )));
    }
    let (offset, limit) = page(request, 100)?;
    let q = request.query_str("q").map(str::to_lowercase);
    let wanted = exact_list(&request.query, "value").map_err(|e| Error::invalid(e.to_string()))?;
    let found = engine.store().read(|conn| candidates(conn, &attribute))?;
    let values: Vec<Value> = found
        .into_iter()
        .filter(|(label, _)| {
            q.as_deref()
                .is_none_or(|q| label.to_lowercase().contains(q))
        })
        .filter(|(_, value)| wanted.is_empty() || wanted.contains(value))
        .page(offset, limit)
        .map(|(label, value)| json!({ "label": label, "value": value }))
        .collect();
    Ok(Response::json(json!({ "values": values })))
}
