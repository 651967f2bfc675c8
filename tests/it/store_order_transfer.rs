//! `POST /store/orders/:id/transfer/{request,accept,decline,cancel}` (Medusa 2.21.2): a
//! signed-in customer asks for a guest order, the token (delivered through the
//! `order.transfer_requested` event here) accepts or declines it, the requester may cancel;
//! one open transfer per order; the token never reaches the workflow journal.

use crate::common;

use common::client::Reply;
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
        "order.transfer_requested",
        move |_, event| {
            recorder.lock().unwrap().push(event.data.clone());
            Ok(())
        },
    );
    (TestApp::with(config(), builder), seen)
}

/// A guest order (email `ada@example.com`); returns its id.
fn guest_order(app: &TestApp) -> String {
    let reply = app.checkout("usd", &app.variant());
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["order"]["id"].as_str().unwrap().to_string()
}

fn call(app: &TestApp, order: &str, verb: &str, token: &str, body: &Value) -> Reply {
    let path = format!("/store/orders/{order}/transfer/{verb}");
    if token.is_empty() {
        app.store_post(&path, body)
    } else {
        app.store_call("POST", &path, token, Some(body))
    }
}

/// The token of the latest `order.transfer_requested` event.
fn latest_token(app: &TestApp, seen: &Seen) -> String {
    app.engine().wait_idle().unwrap();
    let events = seen.lock().unwrap();
    let token = events.last().expect("an event")["token"].as_str().unwrap();
    token.to_string()
}

#[track_caller]
fn refused(reply: &Reply, status: u16, kind: &str, message: &str) {
    check(reply, status, json!({"type": kind, "message": message}));
}

#[test]
fn a_customer_requests_a_guest_order_and_the_token_hands_it_over() {
    let (app, seen) = app_recording();
    let order = guest_order(&app);
    let (customer, token) = app.signup("claimer@example.com", "secret-password");

    let requested = call(
        &app,
        &order,
        "request",
        &token,
        &json!({"description": "mine"}),
    );
    assert_eq!(requested.status, 200, "{}", requested.text());
    assert_eq!(requested.json()["order"]["id"], order);
    assert_eq!(requested.json()["order"]["customer_id"], Value::Null);

    app.engine().wait_idle().unwrap();
    let event = seen.lock().unwrap()[0].clone();
    assert_eq!(event["id"], order);
    assert_eq!(event["email"], "ada@example.com");
    assert!(
        event["order_change_id"]
            .as_str()
            .unwrap()
            .starts_with("ordch_")
    );
    let secret = event["token"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64, "256 bits as hex");

    let wrong = call(&app, &order, "accept", "", &json!({"token": "nope"}));
    refused(&wrong, 400, "not_allowed", "Invalid token.");

    let accepted = call(&app, &order, "accept", "", &json!({"token": secret}));
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    assert_eq!(accepted.json()["order"]["customer_id"], customer);
    assert_eq!(accepted.json()["order"]["email"], "ada@example.com");
    let mine = app.store_call("GET", "/store/orders", &token, None).json();
    assert_eq!(mine["orders"][0]["id"], order);

    let again = call(&app, &order, "accept", "", &json!({"token": secret}));
    let message = format!("Order {order} does not have an order transfer request.");
    refused(&again, 400, "invalid_data", &message);
    let own = call(&app, &order, "request", &token, &json!({}));
    let message = format!("Order: {order} already belongs to customer: {customer}");
    refused(&own, 400, "invalid_data", &message);
}

#[test]
fn one_open_transfer_per_order_and_a_declined_one_frees_it() {
    let (app, seen) = app_recording();
    let order = guest_order(&app);
    let (_, first) = app.signup("first@example.com", "secret-password");
    let (_, second) = app.signup("second@example.com", "secret-password");

    assert_eq!(
        call(&app, &order, "request", &first, &json!({})).status,
        200
    );
    let twice = call(&app, &order, "request", &second, &json!({}));
    let message = format!("Order ({order}) already has an existing active order change");
    refused(&twice, 400, "invalid_data", &message);

    let secret = latest_token(&app, &seen);
    let bad = call(&app, &order, "decline", "", &json!({"token": "x"}));
    refused(&bad, 400, "not_allowed", "Invalid token.");
    let declined = call(&app, &order, "decline", "", &json!({"token": secret}));
    assert_eq!(declined.status, 200, "{}", declined.text());
    assert_eq!(declined.json()["order"]["customer_id"], Value::Null);

    let late = call(&app, &order, "accept", "", &json!({"token": secret}));
    let message = format!("Order {order} does not have an order transfer request.");
    refused(&late, 400, "invalid_data", &message);
    let closed = call(&app, &order, "decline", "", &json!({"token": secret}));
    refused(
        &closed,
        400,
        "invalid_data",
        "An active Order Change is required to proceed",
    );
    assert_eq!(
        call(&app, &order, "request", &second, &json!({})).status,
        200
    );
}

#[test]
fn only_the_requester_cancels_and_a_canceled_token_is_dead() {
    let (app, seen) = app_recording();
    let order = guest_order(&app);
    let (_, requester) = app.signup("req@example.com", "secret-password");
    let (_, other) = app.signup("other@example.com", "secret-password");

    assert_eq!(
        call(&app, &order, "request", &requester, &json!({})).status,
        200
    );
    let secret = latest_token(&app, &seen);
    let stranger = call(&app, &order, "cancel", &other, &json!({}));
    refused(
        &stranger,
        400,
        "not_allowed",
        "This customer is not allowed to cancel the transfer.",
    );

    let canceled = app.store_call(
        "POST",
        &format!("/store/orders/{order}/transfer/cancel"),
        &requester,
        None,
    );
    assert_eq!(canceled.status, 200, "{}", canceled.text());
    assert_eq!(canceled.json()["order"]["id"], order);
    let again = call(&app, &order, "cancel", &requester, &json!({}));
    refused(
        &again,
        400,
        "invalid_data",
        "An active Order Change is required to proceed",
    );
    let dead = call(&app, &order, "accept", "", &json!({"token": secret}));
    assert_eq!(dead.status, 400, "{}", dead.text());
}

#[test]
fn update_order_email_moves_the_email_with_the_order() {
    let (app, seen) = app_recording();
    let order = guest_order(&app);
    let (_, token) = app.signup("newmail@example.com", "secret-password");
    let body = json!({"update_order_email": true});
    assert_eq!(call(&app, &order, "request", &token, &body).status, 200);
    let secret = latest_token(&app, &seen);
    let accepted = call(&app, &order, "accept", "", &json!({"token": secret})).json();
    assert_eq!(accepted["order"]["email"], "newmail@example.com");
}

#[test]
fn who_may_call_and_what_bodies_pass() {
    let (app, _) = app_recording();
    let order = guest_order(&app);
    let (_, token) = app.signup("strict@example.com", "secret-password");

    assert_eq!(call(&app, &order, "request", "", &json!({})).status, 401);
    assert_eq!(call(&app, &order, "cancel", "", &json!({})).status, 401);
    let unknown = call(&app, &order, "request", &token, &json!({"foo": 1}));
    refused(
        &unknown,
        400,
        "invalid_data",
        "Invalid request: Unrecognized fields: 'foo'",
    );
    let missing = call(&app, &order, "accept", "", &json!({}));
    refused(
        &missing,
        400,
        "invalid_data",
        "Invalid request: Field 'token' is required",
    );
    let empty = call(&app, &order, "decline", "", &json!({"token": ""}));
    refused(
        &empty,
        400,
        "invalid_data",
        "Invalid request: String must contain at least 1 character(s)",
    );
    let nowhere = call(&app, "order_missing", "request", &token, &json!({}));
    refused(
        &nowhere,
        404,
        "not_found",
        "Order id not found: order_missing",
    );
    let nothing = call(&app, &order, "accept", "", &json!({"token": "abc"}));
    let message = format!("Order {order} does not have an order transfer request.");
    refused(&nothing, 400, "invalid_data", &message);
}

#[test]
fn another_registered_customers_order_is_not_found() {
    let (app, _) = app_recording();
    let (owner, owner_token) = app.signup("owner@example.com", "secret-password");
    let variant = app.variant();
    let cart = app.cart_with("usd", &variant, 1);
    let taken = app.store_call(
        "POST",
        &format!("/store/carts/{cart}/customer"),
        &owner_token,
        None,
    );
    assert_eq!(taken.status, 200, "{}", taken.text());
    app.ready(&cart, "us", "pp_system_default");
    let placed = app.complete(&cart).json();
    assert_eq!(placed["order"]["customer_id"], owner);
    let order = placed["order"]["id"].as_str().unwrap();

    let (_, thief) = app.signup("thief@example.com", "secret-password");
    let reply = call(&app, order, "request", &thief, &json!({}));
    refused(
        &reply,
        404,
        "not_found",
        &format!("Order id not found: {order}"),
    );
}

#[test]
fn the_journal_and_the_stored_action_never_hold_the_token() {
    let (app, seen) = app_recording();
    let order = guest_order(&app);
    let (_, token) = app.signup("journal@example.com", "secret-password");
    assert_eq!(
        call(&app, &order, "request", &token, &json!({})).status,
        200
    );
    let secret = latest_token(&app, &seen);
    assert_eq!(
        call(&app, &order, "accept", "", &json!({"token": secret})).status,
        200
    );

    let pattern = format!("%{secret}%");
    let found: i64 = app
        .engine()
        .store()
        .read(move |conn| {
            let sql = "SELECT (SELECT COUNT(*) FROM workflow_execution WHERE input || COALESCE(result, '') || COALESCE(steps, '') LIKE ?1)
                + (SELECT COUNT(*) FROM workflow_step WHERE COALESCE(output, '') || COALESCE(compensation, '') LIKE ?1)
                + (SELECT COUNT(*) FROM order_change_action WHERE details LIKE ?1)";
            Ok(conn.query_row(sql, [&pattern], |r| r.get(0))?)
        })
        .unwrap();
    assert_eq!(found, 0);
}

#[test]
fn fixture_tests_read_the_token_from_test_control_events_until_a_reset() {
    let app = TestApp::start();
    let order = guest_order(&app);
    let (_, token) = app.signup("fixture@example.com", "secret-password");
    assert_eq!(
        call(&app, &order, "request", &token, &json!({})).status,
        200
    );
    let path = "/test-control/events?name=order.transfer_requested";
    let events = app.get(path).json()["events"].clone();
    assert_eq!(events.as_array().unwrap().len(), 1);
    assert_eq!(events[0]["name"], "order.transfer_requested");
    let secret = events[0]["data"]["token"].as_str().unwrap();
    assert_eq!(
        call(&app, &order, "accept", "", &json!({"token": secret})).status,
        200
    );

    assert_eq!(
        app.request("POST", "/test-control/reset", &[], None).status,
        200
    );
    check(&app.get(path), 200, json!({"events": []}));
}

#[test]
fn a_canceled_order_is_not_transferred() {
    let (app, _) = app_recording();
    let order = guest_order(&app);
    let admin = format!("Bearer {}", app.admin_token());
    let path = format!("/admin/orders/{order}/cancel");
    let canceled = app.admin_call("POST", &path, &admin, Some(&json!({})));
    assert_eq!(canceled.status, 200, "{}", canceled.text());
    let (_, token) = app.signup("late@example.com", "secret-password");
    let reply = call(&app, &order, "request", &token, &json!({}));
    let message = format!("Order with id {order} has been canceled.");
    refused(&reply, 400, "invalid_data", &message);
}
