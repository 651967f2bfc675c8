//! Admin order management over HTTP (issue 6): orders placed through the store checkout, then
//! listed, fulfilled (stock leaves reserved and stocked), shipped, delivered, fulfillments
//! canceled, with the events Medusa emits.

use crate::common;

use common::orders::{Admin, id};
use serde_json::json;

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
    // Medusa's order reads add the status, version and the two computed statuses to any
    // `fields` (its get-order-detail workflow).
    assert_eq!(
        slim,
        json!({"id": first["id"], "email": "ada@example.com", "status": "pending", "version": 1,
               "payment_status": "authorized", "fulfillment_status": "not_fulfilled"})
    );
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
