//! Admin payments and order cancellation over HTTP (issue 6): captures and refunds never
//! exceed what is there, a repeated key acts once, a provider failure leaves nothing recorded,
//! canceling releases reservations and refunds captures (compensated when the provider fails).

use crate::common;

use common::orders::{Admin, id, payment_of};
use serde_json::json;

#[test]
fn captures_and_refunds_never_exceed_what_is_there() {
    let admin = Admin::start();
    let order = admin.order(1);
    let payment = payment_of(&order);
    let total = order["total"].as_f64().unwrap();
    let capture = format!("/admin/payments/{payment}/capture");
    let refund = format!("/admin/payments/{payment}/refund");
    admin.refused(&refund, &json!({}), 400, "invalid_data");
    let part = admin.post(&capture, &json!({"amount": 10}))["payment"].clone();
    assert_eq!(part["captured_amount"], 10);
    admin.refused(&capture, &json!({"amount": total}), 400, "invalid_data");
    let full = admin.post(&capture, &json!({}))["payment"].clone();
    assert_eq!(full["captured_amount"].as_f64(), Some(total));
    assert_eq!(full["captures"].as_array().unwrap().len(), 2);
    admin.refused(&capture, &json!({}), 400, "invalid_data");
    let order_doc = admin.get(&format!("/admin/orders/{}", id(&order)))["order"].clone();
    assert_eq!(order_doc["payment_status"], "captured");

    let r = admin.post(&refund, &json!({"amount": 5, "note": "scratched"}))["payment"].clone();
    assert_eq!(r["refunded_amount"], 5);
    assert_eq!(r["refunds"][0]["note"], "scratched");
    let over = admin.refused(&refund, &json!({"amount": total}), 400, "invalid_data");
    assert_eq!(
        over["message"],
        "You cannot refund more than what is captured on the payment."
    );
    let rest = admin.post(&refund, &json!({}))["payment"].clone();
    assert_eq!(rest["refunded_amount"].as_f64(), Some(total));
    admin.refused(&refund, &json!({"amount": 1}), 400, "invalid_data");
    let order_doc = admin.get(&format!("/admin/orders/{}", id(&order)))["order"].clone();
    assert_eq!(order_doc["payment_status"], "refunded");

    admin.refused(&capture, &json!({"amount": "ten"}), 400, "invalid_data");
    admin.refused(&refund, &json!({"bogus": true}), 400, "invalid_data");
    admin.refused(
        "/admin/payments/pay_nope/capture",
        &json!({}),
        404,
        "not_found",
    );
    admin.refused(
        "/admin/payments/pay_nope/refund",
        &json!({}),
        404,
        "not_found",
    );
    assert_eq!(
        admin.call("GET", "/admin/payments/pay_nope", None).status,
        404
    );
    assert_eq!(
        admin.get(&format!("/admin/payments/{payment}"))["payment"]["id"],
        payment.as_str()
    );

    let events = admin.events();
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "payment.captured",
            "payment.captured",
            "payment.refunded",
            "payment.refunded"
        ]
    );
    assert!(events.iter().all(|e| e.1 == json!({"id": payment})));
}

#[test]
fn a_repeated_capture_with_one_idempotency_key_captures_once() {
    let admin = Admin::start();
    let order = admin.order(1);
    let payment = payment_of(&order);
    let path = format!("/admin/payments/{payment}/capture");
    let body = json!({"amount": 10}).to_string();
    let headers = [
        ("authorization", admin.auth.as_str()),
        ("content-type", "application/json"),
        ("idempotency-key", "capture-once"),
    ];
    for _ in 0..2 {
        let reply = admin.app.request("POST", &path, &headers, Some(&body));
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["payment"]["captured_amount"], 10);
    }
    let captured = admin.get(&format!("/admin/payments/{payment}"))["payment"].clone();
    assert_eq!(captured["captures"].as_array().unwrap().len(), 1);
    let names: Vec<String> = admin.events().into_iter().map(|e| e.0).collect();
    assert_eq!(names, ["payment.captured"]);
}

#[test]
fn a_refund_the_provider_refuses_leaves_nothing_recorded() {
    let admin = Admin::start();
    let variant = admin.app.variant();
    let cart = admin.app.cart_with("usd", &variant, 1);
    admin.app.ready(&cart, "us", "pp_test_test");
    let order = admin.app.complete(&cart).json()["order"].clone();
    let payment = payment_of(&order);
    admin.post(
        &format!("/admin/payments/{payment}/capture"),
        &json!({"amount": 10}),
    );
    admin.app.script_payments(&["error", "error", "error"]);
    let reply = admin.call(
        "POST",
        &format!("/admin/payments/{payment}/refund"),
        Some(&json!({"amount": 4})),
    );
    assert_eq!(reply.status, 500, "{}", reply.text());
    let p = admin.get(&format!("/admin/payments/{payment}"))["payment"].clone();
    assert_eq!(p["refunded_amount"], 0);
    assert_eq!(p["refunds"], json!([]));
    admin.post(
        &format!("/admin/payments/{payment}/refund"),
        &json!({"amount": 4}),
    );
}

#[test]
fn canceling_releases_reservations_and_refunds_captures() {
    let admin = Admin::start();
    let order = admin.order(2);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    let payment = payment_of(&order);
    let (stocked, _) = admin.stock(&line);
    admin.post(
        &format!("/admin/payments/{payment}/capture"),
        &json!({"amount": 10}),
    );
    let canceled =
        admin.post(&format!("/admin/orders/{order_id}/cancel"), &json!({}))["order"].clone();
    assert_eq!(canceled["status"], "canceled");
    assert!(canceled["canceled_at"].is_string());
    assert_eq!(canceled["fulfillment_status"], "canceled");
    assert_eq!(canceled["payment_status"], "refunded");
    assert_eq!(admin.stock(&line), (stocked, 0));
    let p = admin.get(&format!("/admin/payments/{payment}"))["payment"].clone();
    assert_eq!(p["refunded_amount"], 10);
    let again = admin.refused(
        &format!("/admin/orders/{order_id}/cancel"),
        &json!({}),
        400,
        "not_allowed",
    );
    assert_eq!(
        again["message"],
        format!("Order with id {order_id} has been canceled.")
    );
    admin.refused(
        &format!("/admin/orders/{order_id}/fulfillments"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
        400,
        "not_allowed",
    );
    admin.refused(
        "/admin/orders/order_nope/cancel",
        &json!({}),
        404,
        "not_found",
    );
    admin.refused(
        &format!("/admin/orders/{order_id}/cancel"),
        &json!({"x": 1}),
        400,
        "invalid_data",
    );
    assert_eq!(admin.get("/admin/orders?status=canceled")["count"], 1);

    // An uncaptured order: its authorization is canceled.
    let other = admin.order(1);
    let canceled =
        admin.post(&format!("/admin/orders/{}/cancel", id(&other)), &json!({}))["order"].clone();
    assert_eq!(canceled["payment_status"], "canceled");

    let events = admin.events();
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "payment.captured",
            "payment.refunded",
            "order.canceled",
            "order.canceled"
        ]
    );
    assert_eq!(events[2].1, json!({"id": order_id}));
}

#[test]
fn a_cancel_the_provider_refuses_is_compensated() {
    let admin = Admin::start();
    let variant = admin.app.variant();
    let cart = admin.app.cart_with("usd", &variant, 2);
    admin.app.ready(&cart, "us", "pp_test_test");
    let order = admin.app.complete(&cart).json()["order"].clone();
    let (order_id, line, payment) = (id(&order), id(&order["items"][0]), payment_of(&order));
    let before = admin.stock(&line);
    admin.post(
        &format!("/admin/payments/{payment}/capture"),
        &json!({"amount": 10}),
    );
    admin.app.script_payments(&["error", "error", "error"]);
    let cancel = format!("/admin/orders/{order_id}/cancel");
    let reply = admin.call("POST", &cancel, Some(&json!({})));
    assert_eq!(reply.status, 500, "{}", reply.text());
    assert_eq!(admin.stock(&line), before, "reservations restored");
    let p = admin.get(&format!("/admin/payments/{payment}"))["payment"].clone();
    assert_eq!(p["refunded_amount"], 0, "refund record compensated");
    let still = admin.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert_eq!(still["status"], "pending");
    let names: Vec<String> = admin.events().into_iter().map(|e| e.0).collect();
    assert_eq!(
        names,
        ["payment.captured"],
        "no order.canceled for a compensated cancel"
    );

    let canceled = admin.post(&cancel, &json!({}))["order"].clone();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(admin.stock(&line), (before.0, 0));
}

/// `GET /admin/payments` lists every payment newest first (with `id` and `provider_id`
/// filters), and `GET /admin/payments/payment-providers` the providers this store offers.
#[test]
fn payments_and_payment_providers_are_listed() {
    let admin = Admin::start();
    let first = payment_of(&admin.order(1));
    let second = payment_of(&admin.order(1));
    let listed = admin.get("/admin/payments");
    assert_eq!(listed["count"], 2);
    assert_eq!(listed["limit"], 20);
    assert_eq!(listed["payments"][0]["id"], second.as_str());
    assert_eq!(listed["payments"][1]["id"], first.as_str());
    assert!(listed["payments"][0]["payment_collection"]["id"].is_string());
    let one = admin.get(&format!("/admin/payments?id={first}"));
    assert_eq!(one["count"], 1);
    assert_eq!(
        admin.get("/admin/payments?provider_id=pp_nowhere")["count"],
        0
    );
    let providers = admin.get("/admin/payments/payment-providers");
    let ids: Vec<&str> = providers["payment_providers"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| p["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(ids.contains(&"pp_system_default"), "{providers}");
}
