//! Totals through the Store API: taxes (exclusive and tax-inclusive prices), shipping,
//! several currencies, quantity tiers, unmanaged inventory.

use crate::common;

use common::checkout::{address, enc};
use common::{TestApp, check};
use serde_json::json;

#[test]
fn taxes_exclusive_and_inclusive() {
    let app = TestApp::start();
    let variant = app.variant();
    // EUR prices include tax; Germany charges 19%.
    let cart = app.cart_with("eur", &variant, 1);
    let updated = app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"shipping_address": address("de")}),
    );
    let c = &updated["cart"];
    let item = &c["items"][0];
    assert_eq!(item["is_tax_inclusive"], true);
    assert_eq!(item["tax_lines"][0]["rate"], 19);
    assert_eq!(item["total"], item["unit_price"]);
    let (sub, tax) = (
        item["subtotal"].as_f64().unwrap(),
        item["tax_total"].as_f64().unwrap(),
    );
    assert!((sub + tax - item["total"].as_f64().unwrap()).abs() < 1e-9);
    assert!(tax > 0.0);
    // USD prices exclude tax; add an 8.25% US rate and force the computation.
    let ctx = app.engine().ctx().clone();
    app.engine()
        .store()
        .write(move |tx| {
            use stockroom::modules::tax;
            let rate = tax::NewRate {
                rate: stockroom::money::Rate::parse_percent("8.25").ok(),
                code: "US".into(),
                name: "US Sales Tax".into(),
                is_default: true,
                ..tax::NewRate::default()
            };
            let region = tax::region_for(tx, "us", None)?.expect("the demo's us tax region");
            tax::create_rate(tx, &ctx, &region.id, &rate).map(|_| ())
        })
        .unwrap();
    let us = app.cart_with("usd", &variant, 2);
    let taxed = app.ok(&format!("/store/carts/{us}/taxes"), &json!({}));
    let item = &taxed["cart"]["items"][0];
    assert_eq!(item["tax_lines"][0]["rate"], 8.25);
    let unit = (item["unit_price"].as_f64().unwrap() * 100.0).round() as i64;
    let tax = (unit * 2 * 825 + 5000) / 10000;
    assert_eq!(
        (item["tax_total"].as_f64().unwrap() * 100.0).round() as i64,
        tax
    );
    assert_eq!(taxed["cart"]["tax_total"], item["tax_total"]);
    let no_country = app.ok("/store/carts", &json!({"region_id": app.region("eur")}));
    let id = no_country["cart"]["id"].as_str().unwrap();
    let reply = app.store_post(&format!("/store/carts/{id}/taxes"), &json!({}));
    check(
        &reply,
        400,
        json!({"type": "invalid_data", "message": "country code is required to calculate taxes"}),
    );
}

#[test]
fn shipping_and_currencies() {
    let app = TestApp::start();
    let variant = app.variant();
    let eur = app.cart_with("eur", &variant, 1);
    app.ok(
        &format!("/store/carts/{eur}"),
        &json!({"shipping_address": address("fr")}),
    );
    let options = app
        .store_get(&format!("/store/shipping-options?cart_id={eur}"))
        .json();
    let option = &options["shipping_options"][0];
    assert_eq!(
        (
            &option["amount"],
            &option["price_type"],
            &option["provider_id"]
        ),
        (&json!(8), &json!("flat"), &json!("manual_manual"))
    );
    let reply = app.store_post(
        &format!("/store/carts/{eur}/shipping-methods"),
        &json!({"option_id": "so_nope"}),
    );
    check(
        &reply,
        400,
        json!({"type": "invalid_data", "message": "Shipping Options are invalid for cart."}),
    );
    let done = app.checkout("eur", &variant).json();
    assert_eq!(
        (
            &done["order"]["currency_code"],
            &done["order"]["shipping_total"]
        ),
        (&json!("eur"), &json!(8))
    );
    let usd = app.checkout("usd", &variant).json();
    assert_eq!(
        (&usd["order"]["currency_code"], &usd["order"]["display_id"]),
        (&json!("usd"), &json!(2))
    );
    let cart = app.cart_with("usd", &variant, 1);
    let methods = app
        .store_get(&format!("/store/shipping-options?cart_id={cart}"))
        .json();
    assert_eq!(methods["shipping_options"].as_array().unwrap().len(), 2);
}

#[test]
fn unmanaged_variants_sell_without_stock_and_tiers_price_by_quantity() {
    let app = TestApp::start();
    let listing = app
        .store_get(&format!(
            "/store/products?limit=100&fields={}",
            enc("*variants")
        ))
        .json();
    let unmanaged = listing["products"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["variants"].as_array().unwrap().clone())
        .find(|v| v["manage_inventory"] == false)
        .expect("the demo has a variant without managed inventory");
    let id = unmanaged["id"].as_str().unwrap();
    let reply = app.request(
        "POST",
        &format!("/test-control/variants/{id}/out-of-stock"),
        &[],
        None,
    );
    assert!(
        reply.status == 200 || reply.status == 404,
        "{}",
        reply.text()
    );
    let cart = app.cart_with("usd", id, 3);
    app.ready(&cart, "us", "pp_system_default");
    assert_eq!(app.complete(&cart).json()["type"], "order");
    let variant = app.variant();
    let cart = app.cart_with("usd", &variant, 1);
    let one =
        app.store_get(&format!("/store/carts/{cart}")).json()["cart"]["items"][0]["unit_price"]
            .as_f64()
            .unwrap();
    let line = app.store_get(&format!("/store/carts/{cart}")).json()["cart"]["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ten = app.ok(
        &format!("/store/carts/{cart}/line-items/{line}"),
        &json!({"quantity": 10}),
    );
    let item = &ten["cart"]["items"][0];
    assert!(item["unit_price"].as_f64().unwrap() <= one);
    assert_eq!(item["quantity"], 10);
}
