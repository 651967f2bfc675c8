//! The cart every cart-changing store route answers is rendered inside the write job that
//! changed the cart (issue 19), no longer read back on a pooled reader after the commit. It
//! must still be exactly what a read-back gives: each route's answer is compared byte for
//! byte with a fresh `GET /store/carts/:id` (both are the same cart text in the same
//! envelope, so any difference — a field, its order, a total — is a regression; comparing
//! the text rather than parsed JSON also pins the field order the storefront sees). A replay
//! under the same `Idempotency-Key` still answers the current cart, and a refused change
//! answers the error and changes nothing.

use crate::common;

use common::TestApp;
use common::checkout::address;
use common::client::Reply;
use common::orders::Admin;
use serde_json::{Value, json};

fn get_cart(app: &TestApp, cart: &str) -> String {
    let reply = app.store_get(&format!("/store/carts/{cart}"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.text()
}

/// A 200 whose body is byte-for-byte the cart a fresh `GET` answers; returns it parsed.
#[track_caller]
fn same_as_get(app: &TestApp, what: &str, reply: &Reply, cart: &str) -> Value {
    assert_eq!(reply.status, 200, "{what}: {}", reply.text());
    assert_eq!(reply.text(), get_cart(app, cart), "{what}");
    reply.json()
}

fn call(app: &TestApp, method: &str, path: &str, key: Option<&str>, body: &Value) -> Reply {
    let headers: Vec<(&str, &str)> = key.map(|k| ("idempotency-key", k)).into_iter().collect();
    app.store_with(method, path, &headers, Some(body))
}

fn post(app: &TestApp, path: &str, body: &Value) -> Reply {
    call(app, "POST", path, None, body)
}

fn line_ids(cart: &Value) -> Vec<String> {
    cart["cart"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("line id").to_string())
        .collect()
}

#[test]
fn every_cart_route_answers_what_a_fresh_get_reads() {
    let admin = Admin::start();
    let app = &admin.app;
    let body = json!({"code": "TENOFF", "type": "standard", "status": "active",
        "application_method": {"type": "percentage", "target_type": "order", "value": 10}});
    admin.post("/admin/promotions", &body);
    let variants = app.variants(0);
    let other = app.variants(1).remove(0);

    let created = post(
        app,
        "/store/carts",
        &json!({"region_id": app.region("usd"), "items": [{"variant_id": variants[0], "quantity": 1}]}),
    );
    let cart = created.json()["cart"]["id"]
        .as_str()
        .expect("cart id")
        .to_string();
    same_as_get(app, "create", &created, &cart);
    let path = format!("/store/carts/{cart}");

    let added = post(
        app,
        &format!("{path}/line-items"),
        &json!({"variant_id": other, "quantity": 2}),
    );
    let added = same_as_get(app, "add line item", &added, &cart);
    let lines = line_ids(&added);
    assert_eq!(lines.len(), 2);

    let changed = post(
        app,
        &format!("{path}/line-items/{}", lines[1]),
        &json!({"quantity": 3}),
    );
    same_as_get(app, "update line item", &changed, &cart);

    let body = json!({"email": "ada@example.com", "shipping_address": address("us"), "billing_address": address("us")});
    same_as_get(app, "update cart", &post(app, &path, &body), &cart);

    let options = app
        .store_get(&format!("/store/shipping-options?cart_id={cart}"))
        .json();
    let option = options["shipping_options"][0]["id"].clone();
    let shipped = post(
        app,
        &format!("{path}/shipping-methods"),
        &json!({"option_id": option}),
    );
    same_as_get(app, "shipping method", &shipped, &cart);

    let codes = json!({"promo_codes": ["TENOFF"]});
    let promoted = post(app, &format!("{path}/promotions"), &codes);
    let promoted = same_as_get(app, "add promotions", &promoted, &cart);
    assert_eq!(promoted["cart"]["promotions"][0]["code"], "TENOFF");
    let removed = call(app, "DELETE", &format!("{path}/promotions"), None, &codes);
    let removed = same_as_get(app, "remove promotions", &removed, &cart);
    assert_eq!(removed["cart"]["promotions"], json!([]));

    same_as_get(
        app,
        "taxes",
        &post(app, &format!("{path}/taxes"), &json!({})),
        &cart,
    );

    let deleted = call(
        app,
        "DELETE",
        &format!("{path}/line-items/{}", lines[0]),
        None,
        &json!({}),
    );
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    let expected = format!(
        r#"{{"id":"{}","object":"line-item","deleted":true,"parent":{}}}"#,
        lines[0],
        get_cart(app, &cart)
            .strip_prefix(r#"{"cart":"#)
            .and_then(|t| t.strip_suffix('}'))
            .expect("the cart envelope")
    );
    assert_eq!(deleted.text(), expected);
    let left = deleted.json()["parent"]["items"].as_array().map(Vec::len);
    assert_eq!(left, Some(1));
}

#[test]
fn a_replay_answers_the_current_cart_and_changes_nothing_again() {
    let app = TestApp::start();
    let variants = app.variants(0);
    let cart = app.cart_with("usd", &variants[0], 1);
    let path = format!("/store/carts/{cart}/line-items");
    let body = json!({"variant_id": app.variants(1)[0], "quantity": 2});
    let first = call(&app, "POST", &path, Some("add-1"), &body);
    let first = same_as_get(&app, "first run", &first, &cart);
    assert_eq!(line_ids(&first).len(), 2);

    // The cart moves on under another request, then the keyed request is repeated.
    let lines = line_ids(&first);
    let bump = format!("/store/carts/{cart}/line-items/{}", lines[0]);
    same_as_get(
        &app,
        "bump",
        &post(&app, &bump, &json!({"quantity": 5})),
        &cart,
    );
    let replay = call(&app, "POST", &path, Some("add-1"), &body);
    let replay = same_as_get(&app, "replay", &replay, &cart);
    assert_eq!(line_ids(&replay), lines, "the replay added nothing");
    assert_ne!(
        replay, first,
        "the replay answers the current cart, not the first"
    );
    assert_eq!(replay["cart"]["items"][0]["quantity"], 5);

    // A keyed create replays the same cart too.
    let create = json!({"region_id": app.region("usd")});
    let made = call(&app, "POST", "/store/carts", Some("make-1"), &create).json();
    let id = made["cart"]["id"].as_str().expect("cart id");
    let again = call(&app, "POST", "/store/carts", Some("make-1"), &create);
    same_as_get(&app, "create replay", &again, id);
}

#[test]
fn a_refused_change_answers_the_error_and_changes_nothing() {
    let app = TestApp::start();
    let cart = app.cart_with("usd", &app.variant(), 1);
    let before = get_cart(&app, &cart);
    let path = format!("/store/carts/{cart}/line-items");
    let unknown = json!({"variant_id": "variant_nope", "quantity": 1});
    let refused = call(&app, "POST", &path, Some("nope-1"), &unknown);
    assert_eq!(refused.status, 404, "{}", refused.text());
    assert_eq!(refused.json()["type"], "not_found");
    assert!(refused.json().get("cart").is_none(), "{}", refused.text());
    assert_eq!(get_cart(&app, &cart), before);

    let path = format!("/store/carts/{cart}");
    let elsewhere = json!({"region_id": "reg_nope", "email": "ada@example.com"});
    let refused = call(&app, "POST", &path, Some("nope-2"), &elsewhere);
    assert_eq!(refused.status, 404, "{}", refused.text());
    assert!(refused.json().get("cart").is_none(), "{}", refused.text());
    assert_eq!(get_cart(&app, &cart), before);

    let gone = post(&app, "/store/carts/cart_nope/taxes", &json!({}));
    assert_eq!(gone.status, 404, "{}", gone.text());
}
