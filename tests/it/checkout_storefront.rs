//! The Next.js starter's whole purchase, call by call, with its exact `fields=` strings
//! (shared/storefront-routes.md), as a guest.

use crate::common;

use common::TestApp;
use common::checkout::{address, enc};
use serde_json::json;

const CART_FIELDS: &str = "*items, *region, *items.product, *items.variant, *items.thumbnail, *items.metadata, +items.total, *promotions, +shipping_methods.name";
const PRODUCT_FIELDS: &str =
    "*variants.calculated_price,+variants.inventory_quantity,*variants.images,+metadata,+tags,";
const ORDER_FIELDS: &str =
    "*payment_collections.payments,*items,*items.metadata,*items.variant,*items.product";

#[test]
fn the_storefront_journey() {
    let app = TestApp::start();
    let region = app.region("usd");
    let variant = app.variant();
    assert_eq!(
        app.store_get(&format!("/store/customers/me?fields={}", enc("*orders")))
            .status,
        401
    );
    let listing = app.store_get(&format!(
        "/store/products?limit=100&offset=0&region_id={region}&order=created_at&fields={}",
        enc(PRODUCT_FIELDS)
    ));
    assert_eq!(listing.status, 200, "{}", listing.text());
    let products = listing.json()["products"].clone();
    let listed = products
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["variants"].as_array().unwrap().clone())
        .find(|v| v["id"] == json!(variant))
        .expect("the variant is listed");
    assert_eq!(listed["manage_inventory"], true);
    assert!(
        listed["inventory_quantity"].as_i64().unwrap() > 0,
        "{listed}"
    );
    let cart = app.ok("/store/carts", &json!({"region_id": region}));
    let id = cart["cart"]["id"].as_str().unwrap().to_string();
    assert_eq!(cart["cart"]["shipping_address"]["country_code"], "us");
    app.ok(
        &format!("/store/carts/{id}/line-items"),
        &json!({"variant_id": variant, "quantity": 1}),
    );
    let get = |label: &str| {
        let reply = app.store_get(&format!("/store/carts/{id}?fields={}", enc(CART_FIELDS)));
        assert_eq!(reply.status, 200, "{label}: {}", reply.text());
        reply.json()["cart"].clone()
    };
    let c = get("after add");
    let item = &c["items"][0];
    assert!(
        item["total"].is_number() && item["thumbnail"].is_string() || item["thumbnail"].is_null()
    );
    assert_eq!(item["variant"]["id"], json!(variant));
    assert_eq!(item["product"]["id"], item["product_id"]);
    assert_eq!(c["region"]["id"], json!(region));
    assert_eq!(c["promotions"], json!([]));
    assert_eq!(
        app.store_get(&format!("/store/shipping-options?cart_id={id}"))
            .status,
        200
    );
    let providers = app.store_get(&format!("/store/payment-providers?region_id={region}"));
    assert_eq!(providers.status, 200, "{}", providers.text());
    let body = json!({"shipping_address": address("us"), "billing_address": address("us"), "email": "ada@example.com"});
    app.ok(&format!("/store/carts/{id}"), &body);
    let options = app
        .store_get(&format!("/store/shipping-options?cart_id={id}"))
        .json();
    let option = options["shipping_options"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        &format!("/store/carts/{id}/shipping-methods"),
        &json!({"option_id": option}),
    );
    let c = get("after shipping");
    assert_eq!(c["shipping_methods"][0]["name"], "Standard Shipping");
    assert_eq!(c["payment_collection"], json!(null));
    let pc = app.ok("/store/payment-collections", &json!({"cart_id": id}));
    let pc = pc["payment_collection"]["id"].as_str().unwrap().to_string();
    app.ok(
        &format!("/store/payment-collections/{pc}/payment-sessions"),
        &json!({"provider_id": "pp_system_default"}),
    );
    let c = get("before completion");
    assert_eq!(
        c["payment_collection"]["payment_sessions"][0]["provider_id"],
        "pp_system_default"
    );
    let done = app.ok(&format!("/store/carts/{id}/complete"), &json!({}));
    assert_eq!(done["type"], "order");
    let order_id = done["order"]["id"].as_str().unwrap();
    assert_eq!(done["order"]["shipping_address"]["country_code"], "us");
    let reply = app.store_get(&format!(
        "/store/orders/{order_id}?fields={}",
        enc(ORDER_FIELDS)
    ));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let order = reply.json()["order"].clone();
    assert_eq!(order["items"][0]["variant"]["id"], json!(variant));
    assert!(order["items"][0]["product"]["id"].is_string());
    assert_eq!(order["items"][0]["metadata"], json!({}));
    assert_eq!(
        order["payment_collections"][0]["payments"][0]["provider_id"],
        "pp_system_default"
    );
    assert_eq!(order["total"], c["total"]);
    let reply = app.store_get(&format!(
        "/store/products?region_id={region}&fields={}",
        enc(PRODUCT_FIELDS)
    ));
    let after = reply.json()["products"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["variants"].as_array().unwrap().clone())
        .find(|v| v["id"] == json!(variant))
        .map(|v| v["inventory_quantity"].as_i64().unwrap());
    assert_eq!(
        after,
        Some(listed["inventory_quantity"].as_i64().unwrap() - 1)
    );
}
