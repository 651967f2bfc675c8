//! `/admin/fulfillments/:id/shipment` and `/:id/cancel` outside an order's routes (issue 13,
//! item 2): they act through the order's own workflows, so stock and events match the order
//! routes.

use crate::common;

use common::orders::{Admin, id};
use serde_json::json;

#[test]
fn a_fulfillment_is_shipped_through_its_own_route() {
    let admin = Admin::start();
    let order = admin.order(1);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    let path = format!("/admin/orders/{order_id}/fulfillments");
    let after = admin.post(&path, &json!({"items": [{"id": line, "quantity": 1}]}));
    let ful = id(&after["order"]["fulfillments"][0]);
    let label =
        json!({"tracking_number": "T1", "tracking_url": "https://t/1", "label_url": "https://l/1"});
    let shipped = admin.post(
        &format!("/admin/fulfillments/{ful}/shipment"),
        &json!({"labels": [label]}),
    );
    let doc = &shipped["fulfillment"];
    assert_eq!(doc["id"], ful.as_str());
    assert!(doc["shipped_at"].is_string());
    assert_eq!(doc["labels"][0]["tracking_number"], "T1");
    let order = admin.get(&format!("/admin/orders/{order_id}"))["order"].clone();
    assert_eq!(order["fulfillment_status"], "shipped");
    let refused = admin.refused(
        &format!("/admin/fulfillments/{ful}/cancel"),
        &json!({}),
        400,
        "not_allowed",
    );
    assert!(
        refused["message"].as_str().unwrap().contains("shipped"),
        "{refused}"
    );
    let shipments: Vec<_> = admin
        .events()
        .into_iter()
        .filter(|(n, _)| n == "shipment.created")
        .collect();
    assert_eq!(shipments.len(), 1);
}

#[test]
fn canceling_through_the_fulfillment_route_puts_stock_back() {
    let admin = Admin::start();
    let order = admin.order(2);
    let (order_id, line) = (id(&order), id(&order["items"][0]));
    let before = admin.stock(&line);
    let path = format!("/admin/orders/{order_id}/fulfillments");
    let after = admin.post(&path, &json!({"items": [{"id": line, "quantity": 2}]}));
    let ful = id(&after["order"]["fulfillments"][0]);
    let canceled = admin.post(&format!("/admin/fulfillments/{ful}/cancel"), &json!({}));
    assert!(canceled["fulfillment"]["canceled_at"].is_string());
    assert_eq!(
        admin.stock(&line),
        before,
        "stocked and reserved as before fulfilling"
    );
    let events: Vec<_> = admin
        .events()
        .into_iter()
        .filter(|(n, _)| n == "order.fulfillment_canceled")
        .collect();
    assert_eq!(events[0].1["fulfillment_id"], ful.as_str());
    admin.refused(
        "/admin/fulfillments/ful_nope/cancel",
        &json!({}),
        404,
        "not_found",
    );
    admin.refused(
        &format!("/admin/fulfillments/{ful}/shipment"),
        &json!({}),
        400,
        "invalid_data",
    );
}
