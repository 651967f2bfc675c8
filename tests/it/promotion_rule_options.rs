//! The admin dashboard's helpers for promotion rules (issue 14):
//! `rule-attribute-options` and `rule-value-options`.

use crate::common;

use common::orders::Admin;
use serde_json::{Value, json};

#[test]
fn rule_attribute_options_are_offered_per_rule_type() {
    let a = Admin::start();
    let rules =
        a.get("/admin/promotions/rule-attribute-options/rules?application_method_type=fixed");
    let values: Vec<&Value> = rules["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["value"])
        .collect();
    assert_eq!(
        values,
        [
            &json!("customer.groups.id"),
            &json!("region.id"),
            &json!("shipping_address.country_code"),
            &json!("sales_channel_id"),
            &json!("currency_code")
        ]
    );
    assert_eq!(rules["attributes"][4]["required"], true);
    let buy = a.get("/admin/promotions/rule-attribute-options/buy-rules?promotion_type=buyget");
    assert_eq!(buy["attributes"][5]["id"], "buy_rules_min_quantity");
    let target = a.get("/admin/promotions/rule-attribute-options/target-rules");
    assert_eq!(target["attributes"].as_array().unwrap().len(), 5);
    let bad = a.call(
        "GET",
        "/admin/promotions/rule-attribute-options/other",
        None,
    );
    assert_eq!(
        (bad.status, bad.json()["message"].clone()),
        (400, json!("Invalid param rule_type (other)"))
    );
}

#[test]
fn rule_value_options_list_labels_and_values() {
    let a = Admin::start();
    let regions = a.get("/admin/promotions/rule-value-options/rules/region");
    let labels: Vec<&Value> = regions["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["label"])
        .collect();
    assert_eq!(labels, [&json!("United States"), &json!("Europe")]);
    assert!(
        regions["values"][0]["value"]
            .as_str()
            .unwrap()
            .starts_with("reg_")
    );
    let usd = a.get("/admin/promotions/rule-value-options/rules/currency_code?value=usd");
    assert_eq!(
        usd["values"],
        json!([{"label": "US Dollar", "value": "usd"}])
    );
    let winter =
        a.get("/admin/promotions/rule-value-options/target-rules/product_collection?q=wint");
    assert_eq!(winter["values"][0]["label"], "Winter Collection");
    let page = a.get("/admin/promotions/rule-value-options/target-rules/product?limit=2&offset=1");
    assert_eq!(page["values"].as_array().unwrap().len(), 2);
    let bad = a.call(
        "GET",
        "/admin/promotions/rule-value-options/target-rules/region",
        None,
    );
    assert_eq!(
        (bad.status, bad.json()["message"].clone()),
        (400, json!("Invalid rule attribute - region"))
    );
}
