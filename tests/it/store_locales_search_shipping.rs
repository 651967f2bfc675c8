//! `GET /store/locales`, `POST /store/search` and `POST /store/shipping-options/:id/calculate`
//! answer as Medusa 2.21.2 does without translations, without a Search Module, and with flat
//! options.

use crate::common;

use common::checkout::address;
use common::{TestApp, check};
use serde_json::json;

#[test]
fn locales_are_an_empty_list() {
    let app = TestApp::start();
    check(
        &app.store_get("/store/locales"),
        200,
        json!({"locales": []}),
    );
    assert_eq!(app.get("/store/locales").status, 400);
}

#[test]
fn search_validates_then_says_no_search_module_is_installed() {
    let app = TestApp::start();
    let refused = json!({"type": "not_allowed",
        "message": "The Search Module is not installed, so nothing can be searched."});
    check(
        &app.store_post("/store/search", &json!({"entity": "product"})),
        400,
        refused.clone(),
    );
    check(
        &app.store_post(
            "/store/search",
            &json!({"queries": [{"entity": "product", "pagination": {"take": 10}}]}),
        ),
        400,
        refused,
    );
    let missing = app.store_post("/store/search", &json!({"filters": {}}));
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["type"], "invalid_data");
    let extra = app.store_post("/store/search", &json!({"entity": "product", "nope": 1}));
    check(
        &extra,
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'nope'"}),
    );
    let empty = app.store_post("/store/search", &json!({"queries": []}));
    assert_eq!(empty.json()["type"], "invalid_data");
}

#[test]
fn a_flat_option_calculates_to_its_price_for_the_cart() {
    let app = TestApp::start();
    let variant = app.variant();
    let cart = app.cart_with("usd", &variant, 1);
    app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"shipping_address": address("us")}),
    );
    let listed = app
        .store_get(&format!("/store/shipping-options?cart_id={cart}"))
        .json();
    let option = &listed["shipping_options"][0];
    let id = option["id"].as_str().unwrap();

    let reply = app.store_post(
        &format!("/store/shipping-options/{id}/calculate"),
        &json!({"cart_id": cart, "data": {"note": "x"}}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let got = &reply.json()["shipping_option"];
    assert_eq!(got["id"], id);
    assert_eq!(got["name"], option["name"]);
    assert_eq!(got["price_type"], "flat");
    assert_eq!(got["amount"], option["amount"]);
    assert_eq!(got["is_tax_inclusive"], option["is_tax_inclusive"]);
    assert_eq!(
        got["calculated_price"],
        json!({"calculated_amount": option["amount"],
            "is_calculated_price_tax_inclusive": option["is_tax_inclusive"]})
    );
    assert!(got.get("prices").is_none(), "defaults only: {got}");

    let with_prices = app.store_post(
        &format!("/store/shipping-options/{id}/calculate?fields=id,*prices"),
        &json!({"cart_id": cart}),
    );
    assert!(with_prices.json()["shipping_option"]["prices"].is_array());

    let no_cart = app.store_post(
        &format!("/store/shipping-options/{id}/calculate"),
        &json!({}),
    );
    check(
        &no_cart,
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Field 'cart_id' is required"}),
    );
    let unknown_cart = app.store_post(
        &format!("/store/shipping-options/{id}/calculate"),
        &json!({"cart_id": "cart_nope"}),
    );
    assert_eq!(unknown_cart.status, 404);
    let unknown_option = app.store_post(
        "/store/shipping-options/so_nope/calculate",
        &json!({"cart_id": cart}),
    );
    assert_eq!(unknown_option.status, 404);
}
