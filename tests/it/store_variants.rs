//! `/store/product-variants` and `/store/product-options`: rows of published products in
//! the key's channels, Medusa's default fields, filters, prices for a region, stock when
//! asked for, 404s with Medusa's wording.

use crate::common;

use common::checkout::enc;
use common::{TestApp, check};
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// The first demo product with its variants (and their prices in `region`).
fn product(app: &TestApp, region: &str) -> Value {
    let reply = app.store_get(&format!(
        "/store/products?limit=1&region_id={region}&fields={}",
        enc("id,*variants,*variants.options,*variants.calculated_price")
    ));
    reply.json()["products"][0].clone()
}

#[test]
fn variants_list_with_medusas_defaults_and_filters() {
    let app = TestApp::start();
    let all = app.store_get("/store/product-variants?limit=500").json();
    let count = all["count"].as_u64().unwrap();
    assert!(count > 1);
    assert_eq!(all["variants"].as_array().unwrap().len() as u64, count);
    let page = app.store_get("/store/product-variants").json();
    assert_eq!(
        (page["limit"].clone(), page["offset"].clone()),
        (json!(20), json!(0))
    );
    let first = &page["variants"][0];
    let mut expected = vec![
        "id",
        "title",
        "sku",
        "barcode",
        "ean",
        "upc",
        "allow_backorder",
        "manage_inventory",
        "variant_rank",
        "product_id",
        "thumbnail",
        "hs_code",
        "origin_country",
        "mid_code",
        "material",
        "weight",
        "length",
        "height",
        "width",
        "created_at",
        "updated_at",
        "metadata",
        "options",
        "images",
        "product",
    ];
    expected.sort_unstable();
    assert_eq!(keys(first), expected);
    assert_eq!(keys(&first["product"]), vec!["id", "type_id"]);

    let region = app.region("usd");
    let product = product(&app, &region);
    let pid = product["id"].as_str().unwrap();
    let of_product = app
        .store_get(&format!("/store/product-variants?product_id={pid}"))
        .json();
    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&of_product["variants"]), ids(&product["variants"]));

    let sku = product["variants"][0]["sku"].as_str().unwrap();
    let by_sku = app
        .store_get(&format!("/store/product-variants?sku={}", enc(sku)))
        .json();
    assert_eq!(by_sku["count"], 1);
    assert_eq!(by_sku["variants"][0]["sku"], sku);

    let value = product["variants"][0]["options"][0]["value"]
        .as_str()
        .unwrap();
    let by_option = app
        .store_get(&format!(
            "/store/product-variants?product_id={pid}&options[value]={}",
            enc(value)
        ))
        .json();
    assert!(by_option["count"].as_u64().unwrap() >= 1);
    for v in by_option["variants"].as_array().unwrap() {
        assert!(
            v["options"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["value"] == value)
        );
    }
}

#[test]
fn a_variant_with_its_price_and_stock() {
    let app = TestApp::start();
    let region = app.region("usd");
    let product = product(&app, &region);
    let variant = &product["variants"][0];
    let id = variant["id"].as_str().unwrap();
    let reply = app.store_get(&format!(
        "/store/product-variants/{id}?region_id={region}&fields={}",
        enc("id,+inventory_quantity")
    ));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let got = &reply.json()["variant"];
    assert_eq!(got["id"], id);
    assert_eq!(
        got["calculated_price"]["calculated_amount"],
        variant["calculated_price"]["calculated_amount"]
    );
    assert!(got["inventory_quantity"].is_i64(), "{got}");

    let listed = app
        .store_get(&format!(
            "/store/product-variants?id={id}&region_id={region}"
        ))
        .json();
    assert_eq!(
        listed["variants"][0]["calculated_price"]["currency_code"],
        "usd"
    );
    let plain = app
        .store_get(&format!("/store/product-variants/{id}"))
        .json();
    assert!(plain["variant"].get("calculated_price").is_none());

    check(
        &app.store_get("/store/product-variants/variant_nope"),
        404,
        json!({"type": "not_found", "message": "Product variant with id: variant_nope was not found"}),
    );
}

#[test]
fn a_draft_products_variants_and_options_are_not_in_the_store() {
    let app = TestApp::start();
    let region = app.region("usd");
    let product = product(&app, &region);
    let pid = product["id"].as_str().unwrap();
    let vid = product["variants"][0]["id"].as_str().unwrap();
    let options = app.store_get("/store/product-options?limit=500").json();
    let total = options["count"].as_u64().unwrap();
    let option = app
        .store_get(&format!("/store/products/{pid}?fields={}", enc("*options")))
        .json()["product"]["options"][0]
        .clone();
    let oid = option["id"].as_str().unwrap();
    let one = app
        .store_get(&format!("/store/product-options/{oid}"))
        .json();
    assert_eq!(one["product_option"]["title"], option["title"]);
    assert_eq!(
        one["product_option"]["values"].as_array().unwrap().len(),
        option["values"].as_array().unwrap().len()
    );
    assert_eq!(one["product_option"]["is_exclusive"], true);

    let admin = format!("Bearer {}", app.admin_token());
    let draft = app.admin_call(
        "POST",
        &format!("/admin/products/{pid}"),
        &admin,
        Some(&json!({"status": "draft"})),
    );
    assert_eq!(draft.status, 200, "{}", draft.text());
    assert_eq!(
        app.store_get(&format!("/store/product-variants/{vid}"))
            .status,
        404
    );
    check(
        &app.store_get(&format!("/store/product-options/{oid}")),
        404,
        json!({"type": "not_found", "message": format!("Product option with id: {oid} was not found")}),
    );
    let after = app.store_get("/store/product-options?limit=500").json();
    assert!(after["count"].as_u64().unwrap() < total);
    let listed = app
        .store_get(&format!("/store/product-variants?product_id={pid}"))
        .json();
    assert_eq!(listed["count"], 0);
}

/// Price candidates are memoized per product for the slots of the plan that listed it: a
/// second plan with other variant slots for the same product must not reuse them.
#[test]
fn prices_are_right_whichever_plan_lists_a_product_first() {
    let app = TestApp::start();
    let region = app.region("usd");
    let list = |fields: &str| {
        app.store_get(&format!(
            "/store/products?limit=5&region_id={region}&fields={}",
            enc(fields)
        ))
        .json()["products"]
            .clone()
    };
    let first = list("id,title");
    let priced = list("id,*variants.calculated_price");
    let again = list("id,*variants,*variants.calculated_price");
    let lists = priced
        .as_array()
        .unwrap()
        .iter()
        .zip(again.as_array().unwrap());
    for ((a, b), c) in lists.zip(first.as_array().unwrap()) {
        let amounts = |p: &Value| -> Vec<Value> {
            p["variants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["calculated_price"]["calculated_amount"].clone())
                .collect()
        };
        assert!(!amounts(a).is_empty());
        assert!(amounts(a).iter().all(Value::is_number), "{a}");
        assert_eq!(amounts(a), amounts(b));
        if c.get("variants").is_some() {
            assert_eq!(amounts(a), amounts(c));
        }
    }
}
