//! Returns over HTTP (issue 15, Medusa 2.21.2's `/admin/returns` and `POST /store/returns`):
//! request → confirm → receive (sellable and damaged units) with the stock coming back at the
//! return's location, the order summary owing the refund until staff refund it through the
//! payment, over-returns and over-receipts refused, cancellation, idempotent retries, and a
//! customer's return from the store.

use crate::common;

use common::after_sales::{cents, fulfilled_order, return_option};
use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};

fn reason(admin: &Admin) -> String {
    let body = json!({"value": "too_big", "label": "Too big"});
    id(&admin.post("/admin/return-reasons", &body)["return_reason"])
}

fn summary(admin: &Admin, order: &Value) -> Value {
    admin.get(&format!("/admin/orders/{}", id(order)))["order"]["summary"].clone()
}

fn events_named(admin: &Admin, name: &str) -> Vec<Value> {
    admin
        .events()
        .into_iter()
        .filter(|(n, _)| n == name)
        .map(|(_, d)| d)
        .collect()
}

#[track_caller]
fn refused_with(admin: &Admin, path: &str, body: &Value, message: &str) {
    let reply = admin.refused(path, body, 400, "invalid_data");
    assert_eq!(reply["message"], message, "{reply}");
}

#[test]
fn a_return_is_requested_received_restocked_and_refunded() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let (option, reason) = (return_option(&admin), reason(&admin));
    let (stocked, reserved) = admin.stock(&line);

    let begun = admin.post("/admin/returns", &json!({"order_id": id(&order)}));
    let ret = begun["return"].clone();
    assert_eq!(ret["status"], "open");
    assert_eq!(begun["order"]["id"], id(&order).as_str());
    assert!(
        ret["location_id"].as_str().unwrap().starts_with("sloc_"),
        "a return without a location takes the fulfillment's: {ret}"
    );
    let base = format!("/admin/returns/{}", id(&ret));

    let over = json!({"items": [{"id": line, "quantity": 3, "reason_id": reason}]});
    let message =
        format!("Cannot request to return more items than what was fulfilled for item {line}");
    refused_with(&admin, &format!("{base}/request-items"), &over, &message);
    let asked = json!({"items": [{"id": line, "quantity": 2, "reason_id": reason}]});
    let preview = admin.post(&format!("{base}/request-items"), &asked)["order_preview"].clone();
    assert_eq!(
        preview["items"][0]["detail"]["return_requested_quantity"],
        2
    );
    assert_eq!(preview["order_change"]["change_type"], "return_request");
    assert_eq!(preview["order_change"]["return_id"], id(&ret).as_str());
    admin.post(
        &format!("{base}/shipping-method"),
        &json!({"shipping_option_id": option}),
    );

    let requested = admin.post(&format!("{base}/request"), &json!({}))["return"].clone();
    assert_eq!(requested["status"], "requested");
    assert_eq!(requested["items"][0]["quantity"], 2);
    assert_eq!(requested["items"][0]["reason"]["value"], "too_big");
    assert_eq!(requested["shipping_methods"][0]["amount"], 5);
    let refund = cents(&order["items"][0]["total"]) - 500;
    assert_eq!(cents(&requested["refund_amount"]), refund);
    let owed = summary(&admin, &order);
    assert_eq!(cents(&owed["pending_difference"]), -refund, "{owed}");
    assert_eq!(
        cents(&owed["current_order_total"]),
        cents(&order["total"]) - refund
    );
    assert_eq!(
        events_named(&admin, "order.return_requested"),
        vec![json!({"order_id": id(&order), "return_id": id(&ret)})]
    );

    // Everything fulfilled is now asked back: a second return finds nothing left.
    let second = admin.post("/admin/returns", &json!({"order_id": id(&order)}))["return"].clone();
    let again = json!({"items": [{"id": line, "quantity": 1}]});
    refused_with(
        &admin,
        &format!("/admin/returns/{}/request-items", id(&second)),
        &again,
        &message,
    );
    let gone = admin.call(
        "DELETE",
        &format!("/admin/returns/{}/request", id(&second)),
        None,
    );
    assert_eq!(
        gone.json(),
        json!({"id": id(&second), "object": "return", "deleted": true})
    );
    assert_eq!(
        admin
            .call("GET", &format!("/admin/returns/{}", id(&second)), None)
            .status,
        404
    );

    admin.post(&format!("{base}/receive"), &json!({}));
    let one = json!({"items": [{"id": line, "quantity": 1}]});
    admin.post(&format!("{base}/receive-items"), &one);
    admin.post(&format!("{base}/dismiss-items"), &one);
    let too_many =
        format!("Cannot receive more items than what was requested to be returned for item {line}");
    refused_with(&admin, &format!("{base}/receive-items"), &one, &too_many);
    let received = admin.post(&format!("{base}/receive/confirm"), &json!({}))["return"].clone();
    assert_eq!(received["status"], "received");
    assert_eq!(
        (
            &received["items"][0]["received_quantity"],
            &received["items"][0]["damaged_quantity"]
        ),
        (&json!(2), &json!(1))
    );
    assert_eq!(
        admin.stock(&line),
        (stocked + 1, reserved),
        "the sellable unit is back on the shelf, the damaged one is not"
    );
    assert_eq!(events_named(&admin, "order.return_received").len(), 1);
    let detail =
        admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["items"][0]["detail"].clone();
    assert_eq!(
        (
            &detail["return_requested_quantity"],
            &detail["return_received_quantity"],
            &detail["return_dismissed_quantity"]
        ),
        (&json!(0), &json!(1), &json!(1))
    );

    let fulfillment =
        id(&admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["fulfillments"][0]);
    refused_with(
        &admin,
        &format!(
            "/admin/orders/{}/fulfillments/{fulfillment}/cancel",
            id(&order)
        ),
        &json!({}),
        &format!("Fulfillment {fulfillment} cannot be canceled: item {line} is being returned"),
    );

    let payment = payment_of(&order);
    let path = format!("/admin/payments/{payment}/refund");
    admin.post(&path, &json!({"amount": refund as f64 / 100.0}));
    assert_eq!(cents(&summary(&admin, &order)["pending_difference"]), 0);
    let too_much = json!({"amount": cents(&order["total"]) as f64 / 100.0});
    admin.refused(&path, &too_much, 400, "invalid_data");

    let listed = admin.get(&format!("/admin/returns?order_id={}", id(&order)));
    assert_eq!(listed["count"], 1, "the canceled request's return is gone");
    assert_eq!(listed["returns"][0]["status"], "received");
    assert!(
        listed["returns"][0].get("items").is_none(),
        "lists show Medusa's list fields"
    );
}

#[test]
fn returns_are_checked_before_anything_is_written() {
    let admin = Admin::start();
    let unfulfilled = admin.order(1);
    let ret =
        admin.post("/admin/returns", &json!({"order_id": id(&unfulfilled)}))["return"].clone();
    let line = id(&unfulfilled["items"][0]);
    let base = format!("/admin/returns/{}", id(&ret));
    assert!(
        ret["location_id"].is_null(),
        "nothing fulfilled: no location yet"
    );
    let asked = json!({"items": [{"id": line, "quantity": 1}]});
    refused_with(
        &admin,
        &format!("{base}/request-items"),
        &asked,
        &format!("Cannot request to return more items than what was fulfilled for item {line}"),
    );
    refused_with(
        &admin,
        &format!("{base}/request"),
        &json!({}),
        "Order return request should have at least 1 item",
    );
    let begin_again = json!({"order_id": id(&unfulfilled)});
    let message = format!(
        "Order ({}) already has an existing active order change",
        id(&unfulfilled)
    );
    refused_with(&admin, "/admin/returns", &begin_again, &message);
    refused_with(
        &admin,
        &format!("{base}/receive"),
        &json!({}),
        &format!(
            "Return {} must be requested before it is received",
            id(&ret)
        ),
    );
    admin.refused(
        "/admin/returns",
        &json!({"order_id": "order_nope"}),
        404,
        "not_found",
    );
    admin.refused(
        "/admin/returns",
        &json!({"order_id": id(&unfulfilled), "bogus": 1}),
        400,
        "invalid_data",
    );
    admin.refused(
        "/admin/returns",
        &json!({"order_id": id(&unfulfilled), "location_id": "sloc_nope"}),
        404,
        "not_found",
    );
    admin.refused(
        &format!("{base}/request-items"),
        &json!({"items": [{"id": line, "quantity": "1"}]}),
        400,
        "invalid_data",
    );

    let (order, line) = fulfilled_order(&admin, 1);
    let ret = admin.post("/admin/returns", &json!({"order_id": id(&order)}))["return"].clone();
    let base = format!("/admin/returns/{}", id(&ret));
    refused_with(
        &admin,
        &format!("{base}/request-items"),
        &json!({"items": [{"id": line, "quantity": 1, "reason_id": "rr_nope"}]}),
        "Return reason with id rr_nope does not exist",
    );
    refused_with(
        &admin,
        &format!("{base}/request-items"),
        &json!({"items": [{"id": "ordli_nope", "quantity": 1}]}),
        &format!(
            "Items with ids ordli_nope does not exist in order with id {}.",
            id(&order)
        ),
    );
    let outbound = admin.get("/admin/shipping-options?limit=1")["shipping_options"][0].clone();
    refused_with(
        &admin,
        &format!("{base}/shipping-method"),
        &json!({"shipping_option_id": id(&outbound)}),
        &format!(
            "Shipping option {} is not a return shipping option",
            id(&outbound)
        ),
    );
    let option = return_option(&admin);
    refused_with(
        &admin,
        &format!("{base}/shipping-method"),
        &json!({"shipping_option_id": option, "custom_amount": -1}),
        "custom_amount: -1 must not be negative",
    );

    // A requested return can be canceled while nothing came back: nothing is owed then.
    admin.post(
        &format!("{base}/request-items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    admin.post(&format!("{base}/request"), &json!({}));
    assert!(cents(&summary(&admin, &order)["pending_difference"]) < 0);
    let canceled = admin.post(&format!("{base}/cancel"), &json!({}))["return"].clone();
    assert_eq!(canceled["status"], "canceled");
    assert!(canceled["canceled_at"].is_string());
    assert_eq!(cents(&summary(&admin, &order)["pending_difference"]), 0);
    refused_with(
        &admin,
        &format!("{base}/receive"),
        &json!({}),
        &format!("Return with id {} has been canceled.", id(&ret)),
    );
    // Its units can be asked back again.
    let next = admin.post("/admin/returns", &json!({"order_id": id(&order)}))["return"].clone();
    admin.post(
        &format!("/admin/returns/{}/request-items", id(&next)),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
}

#[test]
fn requested_items_and_receipts_are_edited_through_their_actions() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 3);
    let ret = admin.post("/admin/returns", &json!({"order_id": id(&order)}))["return"].clone();
    let base = format!("/admin/returns/{}", id(&ret));
    let preview = admin.post(
        &format!("{base}/request-items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    )["order_preview"]
        .clone();
    let action = id(&preview["items"][0]["actions"][0]);
    let path = format!("{base}/request-items/{action}");
    let grown = admin.post(
        &path,
        &json!({"quantity": 3, "internal_note": "all of them"}),
    );
    assert_eq!(
        grown["order_preview"]["items"][0]["detail"]["return_requested_quantity"],
        3
    );
    refused_with(
        &admin,
        &path,
        &json!({"quantity": 4}),
        &format!("Cannot request to return more items than what was fulfilled for item {line}"),
    );
    let removed = admin.call("DELETE", &path, None);
    assert_eq!(removed.status, 200, "{}", removed.text());
    assert!(removed.json()["order_preview"]["items"][0]["actions"].is_null());
    admin.post(
        &format!("{base}/request-items"),
        &json!({"items": [{"id": line, "quantity": 2}]}),
    );
    admin.post(&format!("{base}/request"), &json!({}));

    admin.post(&format!("{base}/receive"), &json!({}));
    let preview = admin.post(
        &format!("{base}/receive-items"),
        &json!({"items": [{"id": line, "quantity": 2}]}),
    )["order_preview"]
        .clone();
    let receipt = id(&preview["items"][0]["actions"][0]);
    admin.post(
        &format!("{base}/receive-items/{receipt}"),
        &json!({"quantity": 1}),
    );
    let received = admin.post(&format!("{base}/receive/confirm"), &json!({}))["return"].clone();
    assert_eq!(received["status"], "partially_received");
    assert_eq!(received["items"][0]["received_quantity"], 1);
    // A later receipt brings the rest.
    admin.post(&format!("{base}/receive"), &json!({}));
    let canceled = admin.call("DELETE", &format!("{base}/receive"), None);
    assert_eq!(canceled.json()["deleted"], true);
    admin.post(&format!("{base}/receive"), &json!({}));
    admin.post(
        &format!("{base}/receive-items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    let done = admin.post(&format!("{base}/receive/confirm"), &json!({}))["return"].clone();
    assert_eq!(done["status"], "received");
    let changes =
        admin.get(&format!("/admin/orders/{}/changes", id(&order)))["order_changes"].clone();
    let kinds: Vec<(&str, &str)> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change_type"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("return_request", "confirmed"),
            ("return_receive", "confirmed"),
            ("return_receive", "canceled"),
            ("return_receive", "confirmed"),
        ]
    );
    let order_now = admin.get(&format!("/admin/orders/{}", id(&order)))["order"].clone();
    assert_eq!(
        order_now["version"], 4,
        "each confirmed change is a version"
    );
}

#[test]
fn a_retried_receipt_with_one_idempotency_key_restocks_once() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let ret = admin.post("/admin/returns", &json!({"order_id": id(&order)}))["return"].clone();
    let base = format!("/admin/returns/{}", id(&ret));
    admin.post(
        &format!("{base}/request-items"),
        &json!({"items": [{"id": line, "quantity": 2}]}),
    );
    admin.post(&format!("{base}/request"), &json!({}));
    admin.post(&format!("{base}/receive"), &json!({}));
    admin.post(
        &format!("{base}/receive-items"),
        &json!({"items": [{"id": line, "quantity": 2}]}),
    );
    let before = admin.stock(&line);
    let headers = [
        ("authorization", admin.auth.as_str()),
        ("content-type", "application/json"),
        ("idempotency-key", "receive-once"),
    ];
    for _ in 0..2 {
        let path = format!("{base}/receive/confirm");
        let reply = admin.app.request("POST", &path, &headers, Some("{}"));
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    assert_eq!(admin.stock(&line), (before.0 + 2, before.1));
    assert_eq!(events_named(&admin, "order.return_received").len(), 1);
}

#[test]
fn a_customer_returns_an_order_from_the_store() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 1);
    let option = return_option(&admin);
    let reason = reason(&admin);
    let body = json!({
        "order_id": id(&order),
        "items": [{"id": line, "quantity": 1, "reason_id": reason, "note": "too big"}],
        "return_shipping": {"option_id": option, "price": -100},
    });
    let reply = admin.app.store_post("/store/returns", &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let ret = reply.json()["return"].clone();
    assert_eq!(ret["status"], "requested");
    assert_eq!(ret["items"][0]["note"], "too big");
    assert_eq!(
        ret["shipping_methods"][0]["amount"], 5,
        "the sent price is not used"
    );
    assert!(ret["location_id"].as_str().unwrap().starts_with("sloc_"));
    assert_eq!(
        cents(&ret["refund_amount"]),
        cents(&order["items"][0]["total"]) - 500
    );
    assert_eq!(events_named(&admin, "order.return_requested").len(), 1);

    let again = admin.app.store_post("/store/returns", &body);
    assert_eq!(again.status, 400, "{}", again.text());
    let mut no_shipping = body.clone();
    no_shipping
        .as_object_mut()
        .unwrap()
        .remove("return_shipping");
    assert_eq!(
        admin.app.store_post("/store/returns", &no_shipping).status,
        400
    );
    let mut unknown = body.clone();
    unknown["order_id"] = json!("order_nope");
    assert_eq!(admin.app.store_post("/store/returns", &unknown).status, 404);
}
