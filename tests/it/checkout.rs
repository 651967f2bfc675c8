//! Cart and checkout through the Store API (issue 5): every cart route and rule, completion,
//! the failed-authorization path, idempotency.

use crate::common;

use common::checkout::{address, enc};
use common::{DEMO_KEY, TestApp, check};
use serde_json::{Value, json};

fn count(app: &TestApp, sql: &str) -> i64 {
    let sql = sql.to_string();
    app.engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn a_guest_checkout_places_an_order() {
    let app = TestApp::start();
    let variant = app.variant();
    let reply = app.checkout("usd", &variant);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["type"], "order");
    let order = &body["order"];
    assert!(order["id"].as_str().unwrap().starts_with("order_"));
    assert_eq!(order["display_id"], 1);
    assert_eq!(order["email"], "ada@example.com");
    assert_eq!(order["shipping_address"]["country_code"], "us");
    assert_eq!(order["items"].as_array().unwrap().len(), 1);
    assert!(
        order["items"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("ordli_")
    );
    assert_eq!(order["shipping_total"], 10);
    let total = order["total"].as_f64().unwrap();
    assert_eq!(order["payment_collections"][0]["status"], "authorized");
    assert_eq!(
        order["payment_collections"][0]["amount"].as_f64().unwrap(),
        total
    );
    assert_eq!(order["payment_status"], "authorized");
    let again = app.store_get(&format!("/store/orders/{}", order["id"].as_str().unwrap()));
    assert_eq!(again.json()["order"]["id"], order["id"]);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM inventory_reservation_item WHERE deleted_at IS NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM event_outbox WHERE name = 'order.placed'"
        ),
        1
    );
}

#[test]
fn completing_twice_returns_the_same_order() {
    let app = TestApp::start();
    let cart = app.cart_with("usd", &app.variant(), 1);
    app.ready(&cart, "us", "pp_system_default");
    let first = app.complete(&cart).json();
    let second = app.complete(&cart).json();
    assert_eq!(first["order"]["id"], second["order"]["id"]);
    let keyed = app.store_with(
        "POST",
        &format!("/store/carts/{cart}/complete"),
        &[("idempotency-key", "k1")],
        Some(&json!({})),
    );
    assert_eq!(keyed.json()["order"]["id"], first["order"]["id"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM \"order\""), 1);
}

#[test]
fn the_same_variant_twice_merges_and_quantity_zero_removes() {
    let app = TestApp::start();
    let variant = app.variant();
    let cart = app.cart_with("usd", &variant, 1);
    let merged = app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": variant, "quantity": 2}),
    );
    let items = merged["cart"]["items"].as_array().unwrap().clone();
    assert_eq!((items.len(), &items[0]["quantity"]), (1, &json!(3)));
    let other = app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": variant, "quantity": 1, "metadata": {"gift": true}}),
    );
    assert_eq!(other["cart"]["items"].as_array().unwrap().len(), 2);
    let line = items[0]["id"].as_str().unwrap();
    let updated = app.ok(
        &format!("/store/carts/{cart}/line-items/{line}"),
        &json!({"quantity": 0}),
    );
    assert_eq!(updated["cart"]["items"].as_array().unwrap().len(), 1);
    let last = updated["cart"]["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let deleted = app.store_with(
        "DELETE",
        &format!("/store/carts/{cart}/line-items/{last}"),
        &[],
        None,
    );
    let body = deleted.json();
    assert_eq!(
        (&body["id"], &body["object"], &body["deleted"]),
        (&json!(last), &json!("line-item"), &json!(true))
    );
    assert_eq!(body["parent"]["items"], json!([]));
    assert_eq!(body["parent"]["total"], 0);
}

#[test]
fn unknown_ids_are_404_and_bad_bodies_400() {
    let app = TestApp::start();
    check(
        &app.store_get("/store/carts/cart_nope"),
        404,
        json!({"type": "not_found", "message": "Cart id not found: cart_nope"}),
    );
    let cart = app.cart_with("usd", &app.variant(), 1);
    let reply = app.store_post(
        &format!("/store/carts/{cart}/line-items/cali_nope"),
        &json!({"quantity": 1}),
    );
    check(
        &reply,
        404,
        json!({"type": "not_found", "message": "Line item with id: cali_nope was not found"}),
    );
    let reply = app.store_post(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": "variant_nope", "quantity": 1}),
    );
    assert_eq!(reply.status, 404, "{}", reply.text());
    let reply = app.store_post(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"quantity": 1}),
    );
    assert_eq!(
        (reply.status, reply.json()["type"].clone()),
        (400, json!("invalid_data")),
        "{}",
        reply.text()
    );
    let reply = app.store_post(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": "x", "quantity": 1, "price": 1}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    let reply = app.store_post("/store/carts", &json!({"bogus": 1}));
    assert_eq!(reply.status, 400, "{}", reply.text());
    let reply = app.store_post(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": app.variant(), "quantity": 0}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    let reply = app.store_post(
        "/store/payment-collections/pay_col_nope/payment-sessions",
        &json!({"provider_id": "pp_system_default"}),
    );
    assert_eq!(reply.status, 404, "{}", reply.text());
    assert_eq!(app.store_get("/store/shipping-options").status, 400);
    assert_eq!(
        app.store_get("/store/shipping-options?cart_id=cart_nope")
            .status,
        404
    );
    assert_eq!(app.store_get("/store/orders/order_nope").status, 404);
    assert_eq!(
        app.request(
            "GET",
            "/store/orders",
            &[("x-publishable-api-key", DEMO_KEY)],
            None
        )
        .status,
        401
    );
}

#[test]
fn an_address_outside_the_region_is_rejected() {
    let app = TestApp::start();
    let cart = app.cart_with("usd", &app.variant(), 1);
    let reply = app.store_post(
        &format!("/store/carts/{cart}"),
        &json!({"shipping_address": address("dk")}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("Country with code dk is not within region")
    );
}

#[test]
fn a_changed_total_drops_the_payment_sessions() {
    let app = TestApp::start();
    let variant = app.variant();
    let cart = app.cart_with("usd", &variant, 1);
    app.ready(&cart, "us", "pp_system_default");
    let before = app.store_get(&format!("/store/carts/{cart}")).json();
    assert_eq!(
        before["cart"]["payment_collection"]["payment_sessions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let after = app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": variant, "quantity": 1}),
    );
    let collection = &after["cart"]["payment_collection"];
    assert_eq!(collection["payment_sessions"], json!([]));
    assert_eq!(collection["amount"], after["cart"]["total"]);
    let reply = app.complete(&cart);
    check(
        &reply,
        400,
        json!({"type": "invalid_data", "message": "Payment sessions are required to complete cart"}),
    );
}

#[test]
fn stock_is_confirmed_when_adding_and_reserved_when_completing() {
    let app = TestApp::start();
    let variant = app.variant();
    app.set_stock(&variant, 2);
    let cart = app.cart_with("usd", &variant, 2);
    let reply = app.store_post(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": variant, "quantity": 1}),
    );
    check(
        &reply,
        400,
        json!({"type": "not_allowed", "code": "insufficient_inventory", "message": "Some variant does not have the required inventory"}),
    );
    app.ready(&cart, "us", "pp_system_default");
    let other = app.cart_with("usd", &variant, 2);
    app.ready(&other, "us", "pp_system_default");
    assert_eq!(app.complete(&cart).json()["type"], "order");
    let reply = app.complete(&other);
    assert_eq!(
        (reply.status, reply.json()["code"].clone()),
        (400, json!("insufficient_inventory")),
        "{}",
        reply.text()
    );
    let reply = app.request(
        "POST",
        &format!("/test-control/variants/{variant}/out-of-stock"),
        &[],
        None,
    );
    assert_eq!(reply.status, 200);
    let reply = app.store_post(
        "/store/carts",
        &json!({"items": [{"variant_id": variant, "quantity": 1}]}),
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
}

fn no_trace_of_an_order(app: &TestApp) {
    assert_eq!(count(app, "SELECT COUNT(*) FROM \"order\""), 0);
    assert_eq!(count(app, "SELECT COUNT(*) FROM order_line_item"), 0);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM inventory_reservation_item WHERE deleted_at IS NULL"
        ),
        0
    );
    assert_eq!(
        count(
            app,
            "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level"
        ),
        0
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) FROM payment WHERE deleted_at IS NULL"),
        0
    );
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM link_order_cart WHERE deleted_at IS NULL"
        ),
        0
    );
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM event_outbox WHERE name = 'order.placed'"
        ),
        0
    );
}

#[test]
fn a_declined_or_failed_authorization_leaves_nothing_behind() {
    let app = TestApp::start();
    let cart = app.cart_with("usd", &app.variant(), 1);
    app.ready(&cart, "us", "pp_test_test");
    for outcome in ["decline", "error"] {
        app.script_payments(&[outcome]);
        let reply = app.complete(&cart);
        assert_eq!(reply.status, 200, "{}", reply.text());
        let body = reply.json();
        assert_eq!(body["type"], "cart");
        assert_eq!(body["cart"]["id"], json!(cart));
        assert_eq!(body["cart"]["completed_at"], Value::Null);
        assert_eq!(
            body["error"],
            json!({"message": "Payment authorization failed", "name": "Error", "type": "payment_authorization_error"})
        );
        no_trace_of_an_order(&app);
    }
    app.script_payments(&["slow:50"]);
    let reply = app.complete(&cart);
    assert_eq!(reply.json()["type"], "order", "{}", reply.text());
    let order = reply.json()["order"].clone();
    let key = &order["payment_collections"][0]["payments"][0]["data"]["idempotency_key"];
    assert_eq!(key, &json!(format!("{cart}:authorize:3")));
}

#[test]
fn payment_session_routes_honour_idempotency_keys() {
    let app = TestApp::start();
    let cart = app.cart_with("usd", &app.variant(), 1);
    let first = app.ok("/store/payment-collections", &json!({"cart_id": cart}));
    let again = app.ok("/store/payment-collections", &json!({"cart_id": cart}));
    assert_eq!(
        first["payment_collection"]["id"],
        again["payment_collection"]["id"]
    );
    let pc = first["payment_collection"]["id"].as_str().unwrap();
    let path = format!("/store/payment-collections/{pc}/payment-sessions");
    let body = json!({"provider_id": "pp_system_default"});
    let a = app
        .store_with("POST", &path, &[("idempotency-key", "s1")], Some(&body))
        .json();
    let b = app
        .store_with("POST", &path, &[("idempotency-key", "s1")], Some(&body))
        .json();
    assert_eq!(
        a["payment_collection"]["payment_sessions"],
        b["payment_collection"]["payment_sessions"]
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payment_session"), 1);
    // An unknown provider is Medusa's 400 "not enabled in the cart's region", not a 404.
    let reply = app.store_post(&path, &json!({"provider_id": "pp_nope"}));
    assert_eq!(reply.status, 400, "{}", reply.text());
}

#[test]
fn customers_see_their_own_orders_only() {
    let app = TestApp::start();
    let (_, ada) = app.signup("ada@example.com", "secret-password-1");
    let (_, bob) = app.signup("bob@example.com", "secret-password-2");
    let variant = app.variant();
    let created = app.store_call(
        "POST",
        "/store/carts",
        &ada,
        Some(&json!({"region_id": app.region("usd")})),
    );
    let cart = created.json()["cart"]["id"].as_str().unwrap().to_string();
    assert_eq!(created.json()["cart"]["email"], "ada@example.com");
    app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": variant, "quantity": 1}),
    );
    app.ready(&cart, "us", "pp_system_default");
    let order = app.complete(&cart).json()["order"].clone();
    let id = order["id"].as_str().unwrap();
    let mine = app.store_call("GET", "/store/orders", &ada, None).json();
    assert_eq!(
        (&mine["count"], &mine["orders"][0]["id"]),
        (&json!(1), &order["id"])
    );
    assert_eq!(
        app.store_call("GET", "/store/orders", &bob, None).json()["count"],
        0
    );
    assert_eq!(
        app.store_call("GET", &format!("/store/orders/{id}"), &bob, None)
            .status,
        404
    );
    assert_eq!(
        app.store_call("GET", &format!("/store/orders/{id}"), &ada, None)
            .status,
        200
    );
    let me = app
        .store_call(
            "GET",
            &format!("/store/customers/me?fields={}", enc("*orders")),
            &ada,
            None,
        )
        .json();
    assert_eq!(me["customer"]["orders"][0]["id"], order["id"]);
    app.engine().wait_idle().unwrap();
}

/// Issue 19, goal 7: setting an address replaces the cart's address row instead of leaving
/// the old one behind (every US checkout used to orphan the address the cart was created
/// with), and a checkout leaves no row that nothing refers to.
#[test]
fn a_checkout_leaves_no_orphaned_address_rows() {
    let app = TestApp::start();
    let variant = app.variant();
    for _ in 0..3 {
        let reply = app.checkout("usd", &variant);
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let cart = app.cart_with("usd", &variant, 1);
    for country in ["us", "us", "us"] {
        app.ok(
            &format!("/store/carts/{cart}"),
            &json!({"shipping_address": address(country), "billing_address": address(country)}),
        );
    }
    app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"billing_address": null}),
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM cart_address a WHERE NOT EXISTS (SELECT 1 FROM cart c \
             WHERE c.shipping_address_id = a.id OR c.billing_address_id = a.id)"
        ),
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM cart_line_item i WHERE NOT EXISTS \
             (SELECT 1 FROM cart c WHERE c.id = i.cart_id)"
        ),
        0
    );
}
