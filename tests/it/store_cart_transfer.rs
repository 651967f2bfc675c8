//! `POST /store/carts/:id/customer`: a shopper who signs in with a guest cart takes it over
//! (customer, email, customer-group prices), once; other customers' carts and completed
//! carts stay where they are.

use crate::common;

use common::{TestApp, check, config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::Engine;

type Seen = Arc<Mutex<Vec<Value>>>;

fn app_recording() -> (TestApp, Seen) {
    let seen = Seen::default();
    let recorder = seen.clone();
    let builder = Engine::builder().on(
        "test.transfer",
        "cart.customer_transferred",
        move |_, event| {
            recorder.lock().unwrap().push(event.data.clone());
            Ok(())
        },
    );
    (TestApp::with(config(), builder), seen)
}

fn guest_cart(app: &TestApp) -> String {
    let variant = app.variant();
    let cart = app.cart_with("usd", &variant, 1);
    app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"email": "guest@example.com"}),
    );
    cart
}

fn transfer(app: &TestApp, cart: &str, token: &str) -> common::client::Reply {
    app.store_call(
        "POST",
        &format!("/store/carts/{cart}/customer"),
        token,
        None,
    )
}

#[test]
fn a_signed_in_customer_takes_a_guest_cart_once() {
    let (app, seen) = app_recording();
    let cart = guest_cart(&app);
    let (customer, token) = app.signup("shopper@example.com", "secret-password");

    let reply = transfer(&app, &cart, &token);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["cart"]["id"], cart);
    assert_eq!(body["cart"]["customer_id"], customer);
    assert_eq!(body["cart"]["email"], "shopper@example.com");

    // The same customer again: nothing changes, nothing is emitted.
    app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"email": "edited@example.com"}),
    );
    let again = transfer(&app, &cart, &token);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["cart"]["email"], "edited@example.com");

    app.engine().wait_idle().unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![json!({"id": cart})]);
}

#[test]
fn the_route_wants_a_customer_an_empty_body_and_a_known_cart() {
    let app = TestApp::start();
    let cart = guest_cart(&app);
    let anonymous = app.store_post(&format!("/store/carts/{cart}/customer"), &json!({}));
    assert_eq!(anonymous.status, 401);

    let (_, token) = app.signup("strict@example.com", "secret-password");
    let extra = app.store_call(
        "POST",
        &format!("/store/carts/{cart}/customer"),
        &token,
        Some(&json!({"customer_id": "cus_other"})),
    );
    check(
        &extra,
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Unrecognized fields: 'customer_id'"}),
    );
    let unknown = transfer(&app, "cart_missing", &token);
    check(
        &unknown,
        404,
        json!({"type": "not_found", "message": "Cart id not found: cart_missing"}),
    );
    // `additional_data` is the one key accepted (Medusa's route hands it to the workflow);
    // it reaches the journaled input.
    let with_data = app.store_call(
        "POST",
        &format!("/store/carts/{cart}/customer"),
        &token,
        Some(&json!({"additional_data": {"source": "login"}})),
    );
    assert_eq!(with_data.status, 200, "{}", with_data.text());
    let journaled: String = app
        .engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT input FROM workflow_execution WHERE workflow = 'transfer-cart-customer' AND status = 'done'",
                [],
                |r| r.get(0),
            )?)
        })
        .expect("journaled input");
    let input: serde_json::Value = serde_json::from_str(&journaled).expect("json");
    assert_eq!(input["additional_data"], json!({"source": "login"}));
}

#[test]
fn another_registered_customers_cart_and_completed_carts_stay_put() {
    let app = TestApp::start();
    let cart = guest_cart(&app);
    let (_, owner) = app.signup("owner@example.com", "secret-password");
    assert_eq!(transfer(&app, &cart, &owner).status, 200);
    let (_, thief) = app.signup("thief@example.com", "secret-password");
    let stolen = transfer(&app, &cart, &thief);
    assert_eq!(stolen.status, 400, "{}", stolen.text());
    assert_eq!(stolen.json()["type"], "not_allowed");
    let cart_now = app.store_get(&format!("/store/carts/{cart}")).json();
    assert_eq!(cart_now["cart"]["email"], "owner@example.com");

    let done = guest_cart(&app);
    app.ready(&done, "us", "pp_system_default");
    assert_eq!(app.complete(&done).status, 200);
    let late = transfer(&app, &done, &thief);
    check(
        &late,
        400,
        json!({"type": "invalid_data", "message": format!("Cart {done} is already completed.")}),
    );
}

#[test]
fn the_cart_is_repriced_for_the_customers_groups() {
    let app = TestApp::start();
    let variant = app.variant();
    let cart = app.cart_with("usd", &variant, 1);
    let before =
        app.store_get(&format!("/store/carts/{cart}")).json()["cart"]["items"][0]["unit_price"]
            .as_f64()
            .unwrap();

    let (customer, token) = app.signup("vip@example.com", "secret-password");
    let admin = format!("Bearer {}", app.admin_token());
    let group = app.admin_call(
        "POST",
        "/admin/customer-groups",
        &admin,
        Some(&json!({"name": "Gold"})),
    );
    assert_eq!(group.status, 200, "{}", group.text());
    let group = group.json()["customer_group"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let add = app.admin_call(
        "POST",
        &format!("/admin/customer-groups/{group}/customers"),
        &admin,
        Some(&json!({"add": [customer]})),
    );
    assert_eq!(add.status, 200, "{}", add.text());
    let list = app.admin_call(
        "POST",
        "/admin/price-lists",
        &admin,
        Some(&json!({
            "title": "VIP", "description": "members", "type": "override", "status": "active",
            "rules": {"customer_group_id": [group]},
            "prices": [{"variant_id": variant, "currency_code": "usd", "amount": 1}]
        })),
    );
    assert_eq!(list.status, 200, "{}", list.text());
    // A guest's cart does not see the group's list.
    let guest = app.store_get(&format!("/store/carts/{cart}")).json();
    assert_eq!(
        guest["cart"]["items"][0]["unit_price"].as_f64(),
        Some(before)
    );

    let reply = transfer(&app, &cart, &token);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let item = &reply.json()["cart"]["items"][0];
    assert_eq!(item["unit_price"].as_f64(), Some(1.0), "{item}");
}
