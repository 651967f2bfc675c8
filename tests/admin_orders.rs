//! Admin order management over HTTP (issue 6): orders placed through the store checkout, then
//! listed, fulfilled (stock leaves reserved and stocked), shipped, delivered, captured,
//! refunded (never more than captured) and canceled (reservations released, captures refunded),
//! with the events Medusa emits.

mod common;

use common::client::Reply;
use common::{TestApp, config};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stockroom::Engine;

type Seen = Arc<Mutex<Vec<(String, Value)>>>;

const EVENTS: &[&str] = &[
    "order.fulfillment_created",
    "order.fulfillment_canceled",
    "shipment.created",
    "delivery.created",
    "payment.captured",
    "payment.refunded",
    "order.canceled",
];

struct Admin {
    app: TestApp,
    auth: String,
    seen: Seen,
}

impl Admin {
    fn start() -> Admin {
        let seen = Seen::default();
        let mut builder = Engine::builder();
        for name in EVENTS {
            let seen = seen.clone();
            builder = builder.on(&format!("test.{name}"), name, move |_, event| {
                seen.lock()
                    .unwrap()
                    .push((event.name.clone(), event.data.clone()));
                Ok(())
            });
        }
        let app = TestApp::with(config(), builder);
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth, seen }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.app.admin_call(method, path, &self.auth, body)
    }

    #[track_caller]
    fn get(&self, path: &str) -> Value {
        let reply = self.call("GET", path, None);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
        reply.json()
    }

    #[track_caller]
    fn post(&self, path: &str, body: &Value) -> Value {
        let reply = self.call("POST", path, Some(body));
        assert_eq!(reply.status, 200, "POST {path}: {}", reply.text());
        reply.json()
    }

    #[track_caller]
    fn refused(&self, path: &str, body: &Value, status: u16, kind: &str) -> Value {
        let reply = self.call("POST", path, Some(body));
        assert_eq!(reply.status, status, "POST {path}: {}", reply.text());
        let json = reply.json();
        assert_eq!(json["type"], kind, "{json}");
        json
    }

    /// Places an order of `quantity` units of the first demo variant; returns the order.
    fn order(&self, quantity: i64) -> Value {
        let variant = self.app.variant();
        let cart = self.app.cart_with("usd", &variant, quantity);
        self.app.ready(&cart, "us", "pp_system_default");
        let reply = self.app.complete(&cart);
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["order"].clone()
    }

    /// `(stocked, reserved)` of the inventory item behind an order line.
    fn stock(&self, line: &str) -> (i64, i64) {
        let sql = format!(
            "SELECT stocked_quantity, reserved_quantity FROM inventory_level WHERE inventory_item_id =
               (SELECT inventory_item_id FROM inventory_reservation_item WHERE line_item_id = '{line}' LIMIT 1)"
        );
        self.app
            .engine()
            .store()
            .read(move |c| Ok(c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
            .unwrap()
    }

    fn events(&self) -> Vec<(String, Value)> {
        self.app.engine().wait_idle().unwrap();
        self.seen.lock().unwrap().clone()
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn payment_of(order: &Value) -> String {
    id(&order["payment_collections"][0]["payments"][0])
}

#[test]
fn orders_are_listed_filtered_and_retrieved() {
    let admin = Admin::start();
    let first = admin.order(1);
    let second = admin.order(2);
    let all = admin.get("/admin/orders");
    assert_eq!(all["count"], 2);
    assert_eq!(all["orders"][0]["id"], second["id"], "newest first");
    assert_eq!(
        admin.get("/admin/orders?limit=1&offset=1")["orders"][0]["id"],
        first["id"]
    );
    assert_eq!(admin.get("/admin/orders?status=pending")["count"], 2);
    assert_eq!(admin.get("/admin/orders?status=canceled")["count"], 0);
    assert_eq!(admin.get("/admin/orders?q=ada@example")["count"], 2);
    assert_eq!(admin.get("/admin/orders?q=2")["orders"][0]["display_id"], 2);
    let region = first["region_id"].as_str().unwrap();
    assert_eq!(
        admin.get(&format!("/admin/orders?region_id={region}"))["count"],
        2
    );
    assert_eq!(admin.get("/admin/orders?customer_id=cus_nope")["count"], 0);
    assert_eq!(
        admin.get("/admin/orders?sales_channel_id=sc_nope")["count"],
        0
    );
    assert_eq!(
        admin.get("/admin/orders?created_at[$gte]=2999-01-01")["count"],
        0
    );
    assert_eq!(
        admin.get("/admin/orders?created_at[$lt]=2999-01-01")["count"],
        2
    );
    let bad = admin.call("GET", "/admin/orders?created_at[$like]=x", None);
    assert_eq!(bad.status, 400, "{}", bad.text());

    let one = admin.get(&format!("/admin/orders/{}", id(&first)))["order"].clone();
    assert_eq!(one["display_id"], 1);
    assert_eq!(one["fulfillment_status"], "not_fulfilled");
    assert_eq!(one["payment_status"], "authorized");
    assert_eq!(one["fulfillments"], json!([]));
    let slim = admin.get(&format!("/admin/orders/{}?fields=id,email", id(&first)))["order"].clone();
    assert_eq!(slim, json!({"id": first["id"], "email": "ada@example.com"}));
    let missing = admin.call("GET", "/admin/orders/order_nope", None);
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.json()["message"],
        "Order with id: order_nope was not found"
    );
}

#[test]
fn fulfilling_moves_stock_from_reserved_to_shipped() {
    let admin = Admin::start();
    let order = admin.order(2);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    let (stocked, reserved) = admin.stock(&line);
    assert_eq!(reserved, 2);
    let path = format!("/admin/orders/{order_id}/fulfillments");
    let one = json!({"items": [{"id": line, "quantity": 1}]});
    let after = admin.post(&path, &one)["order"].clone();
    assert_eq!(admin.stock(&line), (stocked - 1, 1));
    assert_eq!(after["fulfillment_status"], "partially_fulfilled");
    assert_eq!(after["items"][0]["detail"]["fulfilled_quantity"], 1);
    let fulfillment = id(&after["fulfillments"][0]);
    assert!(fulfillment.starts_with("ful_"));
    assert!(after["fulfillments"][0]["packed_at"].is_string());

    let after = admin.post(&path, &one)["order"].clone();
    assert_eq!(admin.stock(&line), (stocked - 2, 0));
    assert_eq!(after["fulfillment_status"], "fulfilled");
    admin.refused(&path, &one, 400, "invalid_data");
    assert_eq!(
        admin.stock(&line),
        (stocked - 2, 0),
        "a refused fulfillment changes nothing"
    );

    admin.refused(
        &path,
        &json!({"items": [{"id": "ordli_nope", "quantity": 1}]}),
        400,
        "invalid_data",
    );
    admin.refused(
        &path,
        &json!({"items": [{"id": line}]}),
        400,
        "invalid_data",
    );
    admin.refused(
        &path,
        &json!({"items": [], "bogus": 1}),
        400,
        "invalid_data",
    );
    admin.refused(
        "/admin/orders/order_nope/fulfillments",
        &one,
        404,
        "not_found",
    );

    let ship = format!("/admin/orders/{order_id}/fulfillments/{fulfillment}/shipments");
    let label = json!({"tracking_number": "1Z", "tracking_url": "https://t/1Z", "label_url": "https://l/1Z"});
    let shipped = admin.post(
        &ship,
        &json!({"items": [{"id": line, "quantity": 1}], "labels": [label]}),
    )["order"]
        .clone();
    assert_eq!(shipped["fulfillment_status"], "partially_shipped");
    assert_eq!(
        shipped["fulfillments"][0]["labels"][0]["tracking_number"],
        "1Z"
    );
    admin.refused(
        &ship,
        &json!({"items": [{"id": line, "quantity": 1}]}),
        400,
        "not_allowed",
    );
    admin.refused(
        &format!("/admin/orders/{order_id}/fulfillments/ful_nope/shipments"),
        &json!({"items": []}),
        404,
        "not_found",
    );
    let delivered = admin.post(
        &format!("/admin/orders/{order_id}/fulfillments/{fulfillment}/mark-as-delivered"),
        &json!({}),
    )["order"]
        .clone();
    assert_eq!(delivered["fulfillment_status"], "partially_delivered");
    assert_eq!(delivered["items"][0]["detail"]["delivered_quantity"], 1);

    let events = admin.events();
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "order.fulfillment_created",
            "order.fulfillment_created",
            "shipment.created",
            "delivery.created"
        ]
    );
    assert_eq!(
        events[0].1,
        json!({"order_id": order_id, "fulfillment_id": fulfillment, "no_notification": false})
    );
    assert_eq!(
        events[2].1,
        json!({"id": fulfillment, "no_notification": false})
    );
    assert_eq!(events[3].1, json!({"id": fulfillment}));
}

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
fn a_fulfilled_order_cannot_be_canceled() {
    let admin = Admin::start();
    let order = admin.order(1);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    admin.post(
        &format!("/admin/orders/{order_id}/fulfillments"),
        &json!({"items": [{"id": line, "quantity": 1}], "no_notification": true}),
    );
    let refused = admin.refused(
        &format!("/admin/orders/{order_id}/cancel"),
        &json!({}),
        400,
        "not_allowed",
    );
    assert_eq!(
        refused["message"],
        "All fulfillments must be canceled before canceling an order"
    );
    let after = admin.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert_eq!(after["status"], "pending");
    assert_eq!(admin.events()[0].1["no_notification"], true);
}

#[test]
fn a_canceled_fulfillment_puts_the_stock_back_and_the_order_can_be_canceled() {
    let admin = Admin::start();
    let order = admin.order(2);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    let (stocked, _) = admin.stock(&line);
    let fulfilled = admin.post(
        &format!("/admin/orders/{order_id}/fulfillments"),
        &json!({"items": [{"id": line, "quantity": 2}]}),
    )["order"]
        .clone();
    assert_eq!(admin.stock(&line), (stocked - 2, 0));
    let fulfillment = id(&fulfilled["fulfillments"][0]);
    let cancel = format!("/admin/orders/{order_id}/fulfillments/{fulfillment}/cancel");
    let after = admin.post(&cancel, &json!({}))["order"].clone();
    assert_eq!(
        admin.stock(&line),
        (stocked, 2),
        "back on the shelf and reserved again"
    );
    assert_eq!(after["fulfillment_status"], "not_fulfilled");
    assert!(after["fulfillments"][0]["canceled_at"].is_string());
    admin.refused(&cancel, &json!({}), 400, "not_allowed");
    admin.refused(
        &format!("/admin/orders/{order_id}/fulfillments/ful_nope/cancel"),
        &json!({}),
        404,
        "not_found",
    );
    let canceled =
        admin.post(&format!("/admin/orders/{order_id}/cancel"), &json!({}))["order"].clone();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(admin.stock(&line), (stocked, 0));

    let shipped = admin.order(1);
    let (shipped_id, shipped_line) = (id(&shipped), id(&shipped["items"][0]));
    let items = json!({"items": [{"id": shipped_line, "quantity": 1}]});
    let f = admin.post(&format!("/admin/orders/{shipped_id}/fulfillments"), &items)["order"]
        ["fulfillments"][0]
        .clone();
    let base = format!("/admin/orders/{shipped_id}/fulfillments/{}", id(&f));
    admin.post(&format!("{base}/shipments"), &items);
    admin.refused(&format!("{base}/cancel"), &json!({}), 400, "not_allowed");
    let names: Vec<String> = admin.events().into_iter().map(|e| e.0).collect();
    assert!(
        names.contains(&"order.fulfillment_canceled".to_string()),
        "{names:?}"
    );
}
