//! `GET /auth/:actor_type/providers` (what the admin dashboard asks before showing the
//! email/password form) and `GET /admin/shipping-options/:id` (Medusa 2.21.2's shapes).

use crate::common;

use common::checkout::address;
use common::{TestApp, check};
use serde_json::{Value, json};

#[test]
fn both_actor_types_list_emailpass() {
    let app = TestApp::start();
    let emailpass = json!({"providers": [{"id": "emailpass", "identifier": "emailpass",
        "display_name": "Email/Password Authentication", "flow": "credentials"}]});
    for actor in ["user", "customer"] {
        check(
            &app.get(&format!("/auth/{actor}/providers")),
            200,
            emailpass.clone(),
        );
    }
    check(
        &app.get("/auth/robot/providers"),
        200,
        json!({"providers": []}),
    );
}

/// The first shipping option a US cart can use (Standard, 10 usd, in the demo store).
fn us_option(app: &TestApp) -> Value {
    let cart = app.cart_with("usd", &app.variant(), 1);
    let body = json!({"shipping_address": address("us")});
    app.ok(&format!("/store/carts/{cart}"), &body);
    let options = app.store_get(&format!("/store/shipping-options?cart_id={cart}"));
    options.json()["shipping_options"][0].clone()
}

fn admin_get(app: &TestApp, path: &str) -> common::client::Reply {
    let auth = format!("Bearer {}", app.admin_token());
    app.admin_call("GET", path, &auth, None)
}

#[test]
fn an_admin_retrieves_a_shipping_option_with_medusas_relations() {
    let app = TestApp::start();
    let listed = us_option(&app);
    let id = listed["id"].as_str().unwrap();
    let reply = admin_get(&app, &format!("/admin/shipping-options/{id}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let option = &reply.json()["shipping_option"];
    let mut keys: Vec<&str> = option
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "data",
            "id",
            "metadata",
            "name",
            "price_type",
            "prices",
            "provider",
            "provider_id",
            "rules",
            "service_zone",
            "shipping_profile",
            "type",
            "updated_at"
        ]
    );
    assert_eq!(option["name"], listed["name"]);
    assert_eq!(
        option["provider"],
        json!({"id": "manual_manual", "is_enabled": true})
    );
    let rules = option["rules"].as_array().unwrap();
    let store_rule = rules
        .iter()
        .find(|r| r["attribute"] == "enabled_in_store")
        .unwrap();
    assert_eq!(
        (&store_rule["operator"], &store_rule["value"]),
        (&json!("eq"), &json!("true"))
    );
    assert!(store_rule["id"].as_str().unwrap().starts_with("sorul_"));
    let usd = option["prices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["currency_code"] == "usd");
    assert_eq!(usd.unwrap()["amount"], 10);
    assert_eq!(option["type"]["code"], listed["type"]["code"]);
    assert!(
        option["service_zone"]["id"]
            .as_str()
            .unwrap()
            .starts_with("serzo_")
    );
    assert!(option["service_zone"]["fulfillment_set_id"].is_string());
}

#[test]
fn fields_select_and_unknown_ids_are_medusas_404() {
    let app = TestApp::start();
    let id = us_option(&app)["id"].as_str().unwrap().to_string();
    let only = admin_get(&app, &format!("/admin/shipping-options/{id}?fields=name"));
    check(
        &only,
        200,
        json!({"shipping_option": {"id": id, "name": "Standard Shipping"}}),
    );
    let more = admin_get(
        &app,
        &format!("/admin/shipping-options/{id}?fields=%2Bservice_zone_id"),
    );
    assert!(more.json()["shipping_option"]["service_zone_id"].is_string());
    assert!(more.json()["shipping_option"]["rules"].is_array());

    let missing = admin_get(&app, "/admin/shipping-options/so_missing");
    check(
        &missing,
        404,
        json!({"type": "not_found", "message": "Shipping Option with id: so_missing not found"}),
    );
    assert_eq!(
        app.get(&format!("/admin/shipping-options/{id}")).status,
        401
    );
}

#[test]
fn the_new_routes_are_in_the_openapi_document() {
    let app = TestApp::start();
    let document = app.get("/openapi.json").json();
    let paths = &document["paths"];
    for (path, method) in [
        ("/auth/{actor_type}/providers", "get"),
        ("/admin/shipping-options/{id}", "get"),
        ("/store/orders/{id}/transfer/request", "post"),
        ("/store/orders/{id}/transfer/accept", "post"),
        ("/store/orders/{id}/transfer/decline", "post"),
        ("/store/orders/{id}/transfer/cancel", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
}
