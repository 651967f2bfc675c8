//! A cart being completed refuses every change (issue 12, finding 3): a line-item update that
//! lands while the provider authorizes is 409, one after completion is 400, and no order ever
//! ends with a payment collection that differs from its authorized payment or with a cart
//! whose lines differ from the order's.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn line_of(app: &TestApp, cart: &str) -> String {
    app.store_get(&format!("/store/carts/{cart}")).json()["cart"]["items"][0]["id"]
        .as_str()
        .expect("a line")
        .to_string()
}

/// Whether `complete-cart` has linked the cart to its order (its first write job), read
/// straight from the store: the completion is then in its external authorization step.
fn completion_started(app: &TestApp, cart: &str) -> bool {
    app.engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM link_order_cart WHERE cart_id = ?1 AND deleted_at IS NULL",
                [cart],
                |r| r.get::<_, i64>(0),
            )?)
        })
        .expect("read")
        > 0
}

fn wait_for_completion_start(app: &TestApp, cart: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !completion_started(app, cart) {
        assert!(Instant::now() < deadline, "completion never started");
        std::thread::yield_now();
    }
}

/// Orders whose payment collection amount differs from the authorized payment's amount.
fn collections_out_of_step(app: &TestApp) -> i64 {
    app.engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM link_order_payment_collection l
                 JOIN payment_collection pc ON pc.id = l.payment_collection_id
                 LEFT JOIN payment p ON p.payment_collection_id = pc.id AND p.deleted_at IS NULL
                 WHERE l.deleted_at IS NULL AND (p.id IS NULL OR p.amount <> pc.amount)",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("read")
}

/// Completed carts whose lines (variant, quantity) differ from their order's.
fn carts_out_of_step(app: &TestApp) -> i64 {
    app.engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM link_order_cart l WHERE l.deleted_at IS NULL AND (
                   SELECT group_concat(variant_id || 'x' || quantity) FROM
                     (SELECT variant_id, quantity FROM cart_line_item
                      WHERE cart_id = l.cart_id AND deleted_at IS NULL ORDER BY variant_id))
                 IS NOT (
                   SELECT group_concat(variant_id || 'x' || quantity) FROM
                     (SELECT variant_id, quantity FROM order_line_item
                      WHERE order_id = l.order_id AND deleted_at IS NULL ORDER BY variant_id))",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("read")
}

#[test]
fn a_line_change_during_authorization_is_refused_and_changes_nothing() {
    let app = Arc::new(TestApp::start());
    let variant = app.variant();
    // The change must reach the server while the authorization is in progress: a 250 ms
    // authorization leaves a loaded CI machine room to send it (20 ms once did not), and 25
    // rounds still race the check against many completions.
    for _ in 0..25 {
        let cart = app.cart_with("usd", &variant, 1);
        app.ready(&cart, "us", "pp_test_test");
        let line = line_of(&app, &cart);
        app.script_payments(&["slow:250"]);
        let completer = {
            let (app, cart) = (app.clone(), cart.clone());
            std::thread::spawn(move || app.complete(&cart))
        };
        wait_for_completion_start(&app, &cart);
        let path = format!("/store/carts/{cart}/line-items/{line}");
        let during = app.store_post(&path, &json!({"quantity": 4}));
        assert_eq!(during.status, 409, "{}", during.text());
        // Medusa's error handler answers every conflict with its one generic message.
        assert_eq!(during.json()["type"], "conflict");
        assert_eq!(during.json()["code"], "invalid_state_error");
        let placed = completer.join().expect("completer");
        assert_eq!(placed.json()["type"], "order", "{}", placed.text());
        let after = app.store_post(&path, &json!({"quantity": 4}));
        assert_eq!(after.status, 400, "{}", after.text());
        assert_eq!(
            after.json()["message"],
            format!("Cart {cart} is already completed.")
        );
    }
    assert_eq!(collections_out_of_step(&app), 0);
    assert_eq!(carts_out_of_step(&app), 0);
}

#[test]
fn a_payment_session_during_authorization_is_refused() {
    let app = Arc::new(TestApp::start());
    let cart = app.cart_with("usd", &app.variant(), 1);
    app.ready(&cart, "us", "pp_test_test");
    let cart_doc = app.store_get(&format!("/store/carts/{cart}")).json();
    let collection = cart_doc["cart"]["payment_collection"]["id"]
        .as_str()
        .expect("collection")
        .to_string();
    app.script_payments(&["slow:500"]);
    let completer = {
        let (app, cart) = (app.clone(), cart.clone());
        std::thread::spawn(move || app.complete(&cart))
    };
    wait_for_completion_start(&app, &cart);
    let path = format!("/store/payment-collections/{collection}/payment-sessions");
    let during = app.store_post(&path, &json!({"provider_id": "pp_system_default"}));
    assert_eq!(during.status, 409, "{}", during.text());
    assert_eq!(completer.join().expect("completer").json()["type"], "order");
    let after = app.store_post(&path, &json!({"provider_id": "pp_system_default"}));
    assert_eq!(after.status, 400, "{}", after.text());
    assert_eq!(collections_out_of_step(&app), 0);
}

#[test]
fn simultaneous_complete_and_line_change_never_corrupt_the_order() {
    let app = Arc::new(TestApp::start());
    let variant = app.variant();
    let mut statuses: Vec<(u16, u16)> = Vec::new();
    for _ in 0..40 {
        let cart = app.cart_with("usd", &variant, 1);
        app.ready(&cart, "us", "pp_system_default");
        let line = line_of(&app, &cart);
        let completer = {
            let (app, cart) = (app.clone(), cart.clone());
            std::thread::spawn(move || app.complete(&cart))
        };
        let change = app.store_post(
            &format!("/store/carts/{cart}/line-items/{line}"),
            &json!({"quantity": 4}),
        );
        let placed = completer.join().expect("completer");
        statuses.push((placed.status, change.status));
        let order: Value = placed.json();
        if order["type"] == "order" {
            assert!(
                matches!(change.status, 200 | 400 | 409),
                "{}",
                change.text()
            );
        }
    }
    assert_eq!(collections_out_of_step(&app), 0, "{statuses:?}");
    assert_eq!(carts_out_of_step(&app), 0, "{statuses:?}");
}
