//! Exchanges over HTTP (issue 15, Medusa 2.21.2's `/admin/exchanges`): a returned unit
//! swapped for a new one with shipping both ways — the new line reserved at confirmation,
//! the difference due in the order summary and a payment collection for it, the return
//! received back into stock, the new line fulfilled — an exchange that leaves money owed
//! refunded through the payment, the requests Medusa refuses, canceling a request and a
//! confirmed exchange (its reservation released, its line and shipping taken off).

use crate::common;

use common::after_sales::{cents, fulfilled_order, order_doc, outbound_option, return_option};
use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};

fn variant_of(order: &Value) -> String {
    order["items"][0]["variant_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `(stocked, reserved)` of the variant's inventory item, over its levels.
fn variant_stock(admin: &Admin, variant: &str) -> (i64, i64) {
    let sql = format!(
        "SELECT COALESCE(SUM(stocked_quantity), 0), COALESCE(SUM(reserved_quantity), 0)
         FROM inventory_level WHERE deleted_at IS NULL AND inventory_item_id IN
           (SELECT inventory_item_id FROM link_product_variant_inventory_item
            WHERE variant_id = '{variant}' AND deleted_at IS NULL)"
    );
    admin
        .app
        .engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .unwrap()
}

/// Begins an exchange of `order`; returns `(exchange id, its path)`.
fn begin(admin: &Admin, order: &Value) -> (String, String) {
    let reply = admin.post("/admin/exchanges", &json!({"order_id": id(order)}));
    assert_eq!(reply["order"]["id"], id(order).as_str(), "{reply}");
    let exchange = id(&reply["exchange"]);
    assert!(exchange.starts_with("oexc_"), "{exchange}");
    (exchange.clone(), format!("/admin/exchanges/{exchange}"))
}

#[track_caller]
fn refused_with(admin: &Admin, path: &str, body: &Value, message: &str) {
    let reply = admin.refused(path, body, 400, "invalid_data");
    assert_eq!(reply["message"], message, "{reply}");
}

#[test]
fn an_exchange_swaps_a_returned_unit_for_a_new_one_and_collects_the_difference() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let variant = variant_of(&order);
    let before = order_doc(&admin, &order);
    let unit = cents(&before["items"][0]["total"]) / 2;
    let (exchange, path) = begin(&admin, &order);

    let inbound = admin.post(
        &format!("{path}/inbound/items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    let return_id = id(&inbound["return"]);
    assert_eq!(inbound["return"]["exchange_id"], exchange.as_str());
    assert_eq!(inbound["return"]["status"], "open");
    let actions = inbound["order_preview"]["items"][0]["actions"].clone();
    assert_eq!(actions[0]["action"], "RETURN_ITEM", "{actions}");
    assert_eq!(actions[0]["exchange_id"], exchange.as_str());
    admin.post(
        &format!("{path}/inbound/shipping-method"),
        &json!({"shipping_option_id": return_option(&admin)}),
    );
    let outbound = admin.post(
        &format!("{path}/outbound/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 1, "unit_price": 30}]}),
    );
    assert_eq!(outbound["exchange"]["id"], exchange.as_str());
    let items = outbound["order_preview"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the new item shows in the preview");
    admin.post(
        &format!("{path}/outbound/shipping-method"),
        &json!({"shipping_option_id": outbound_option(&admin), "custom_amount": 2}),
    );
    let stock_before = variant_stock(&admin, &variant);
    let preview = admin.get(&format!("/admin/orders/{}/preview", id(&order)))["order"].clone();

    let confirmed = admin.post(&format!("{path}/request"), &json!({}));
    let doc = confirmed["exchange"].clone();
    assert_eq!(confirmed["return"]["status"], "requested", "{confirmed}");
    assert_eq!(confirmed["return"]["id"], return_id.as_str());
    let sent = doc["additional_items"].as_array().unwrap();
    assert_eq!(sent.len(), 1, "{doc}");
    assert_eq!(sent[0]["quantity"], 1);
    let new_line = sent[0]["item_id"].as_str().unwrap().to_string();
    let stock_after = variant_stock(&admin, &variant);
    assert_eq!(
        (stock_after.0, stock_after.1),
        (stock_before.0, stock_before.1 + 1),
        "the new unit is reserved at confirmation"
    );

    // The difference: the new line and its shipping minus the returned unit, less the
    // return's shipping.
    let after = order_doc(&admin, &order);
    assert_eq!(after["version"], 2);
    let added = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == new_line.as_str())
        .map(|i| cents(&i["total"]))
        .expect("the new line is on the order");
    let shipping_added = cents(&after["shipping_total"]) - cents(&before["shipping_total"]);
    assert_eq!(shipping_added, 200, "untaxed custom shipping");
    let due = added + shipping_added - (unit - 500);
    assert_eq!(cents(&doc["difference_due"]), due, "{doc}");
    let summary = &after["summary"];
    assert_eq!(cents(&summary["pending_difference"]), due, "{summary}");
    assert_eq!(
        cents(&summary["current_order_total"]),
        cents(&before["total"]) + added + shipping_added - (unit - 500)
    );
    assert_eq!(preview["total"], after["total"], "the preview's total");
    assert_eq!(
        preview["summary"], after["summary"],
        "the preview's summary"
    );
    let collections = after["payment_collections"].as_array().unwrap();
    assert_eq!(collections.len(), 2, "a collection for what is due");
    assert_eq!(cents(&collections[1]["amount"]), due);
    assert_eq!(collections[1]["status"], "not_paid");
    let created: Vec<Value> = admin
        .events()
        .into_iter()
        .filter(|(n, _)| n == "order.exchange_created")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        created,
        [json!({"order_id": id(&order), "exchange_id": exchange})]
    );

    // The returned unit comes back into stock; the new line is fulfilled like any other.
    let ret = format!("/admin/returns/{return_id}");
    admin.post(&format!("{ret}/receive"), &json!({}));
    admin.post(
        &format!("{ret}/receive-items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    admin.post(&format!("{ret}/receive/confirm"), &json!({}));
    let fulfill = format!("/admin/orders/{}/fulfillments", id(&order));
    admin.post(
        &fulfill,
        &json!({"items": [{"id": new_line, "quantity": 1}]}),
    );
    let stock_end = variant_stock(&admin, &variant);
    assert_eq!(
        stock_end,
        (stock_after.0 + 1 - 1, stock_after.1 - 1),
        "one back, one out"
    );
    let listed = admin.get(&format!("/admin/exchanges?order_id={}", id(&order)));
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["exchanges"][0]["id"], exchange.as_str());
    let one = admin.get(&path)["exchange"].clone();
    assert_eq!(one["return"]["status"], "received");
    assert_eq!(one["additional_items"][0]["item"]["id"], new_line.as_str());
    let reply = admin.refused(&format!("{path}/cancel"), &json!({}), 400, "not_allowed");
    assert_eq!(
        reply["message"],
        format!("All fulfillments must be canceled before canceling exchange {exchange}")
    );
}

#[test]
fn an_exchange_for_less_leaves_money_owed_that_a_refund_settles() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 1);
    let variant = variant_of(&order);
    let (_, path) = begin(&admin, &order);
    admin.post(
        &format!("{path}/inbound/items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    admin.post(
        &format!("{path}/outbound/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 1, "unit_price": 1}]}),
    );
    let confirmed = admin.post(&format!("{path}/request"), &json!({}));
    let due = cents(&confirmed["exchange"]["difference_due"]);
    assert!(due < 0, "owed back: {due}");
    let after = order_doc(&admin, &order);
    assert_eq!(cents(&after["summary"]["pending_difference"]), due);
    assert_eq!(
        after["payment_collections"].as_array().unwrap().len(),
        1,
        "nothing to collect"
    );
    let payment = payment_of(&order);
    let body = json!({"amount": -due as f64 / 100.0});
    admin.post(&format!("/admin/payments/{payment}/refund"), &body);
    let settled = order_doc(&admin, &order);
    assert_eq!(cents(&settled["summary"]["pending_difference"]), 0);
    let over = json!({"amount": 1_000_000});
    let path = format!("/admin/payments/{payment}/refund");
    let reply = admin.call("POST", &path, Some(&over));
    assert_eq!(reply.status, 400, "over-refunding: {}", reply.text());
}

#[test]
fn exchange_requests_medusa_refuses_are_refused_and_write_nothing() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 1);
    let variant = variant_of(&order);
    let (exchange, path) = begin(&admin, &order);
    let again = json!({"order_id": id(&order)});
    refused_with(
        &admin,
        "/admin/exchanges",
        &again,
        &format!(
            "Order ({}) already has an existing active order change",
            id(&order)
        ),
    );
    refused_with(
        &admin,
        &format!("{path}/inbound/items"),
        &json!({"items": [{"id": line, "quantity": 2}]}),
        &format!("Cannot request to return more items than what was fulfilled for item {line}"),
    );
    let option = return_option(&admin);
    refused_with(
        &admin,
        &format!("{path}/outbound/shipping-method"),
        &json!({"shipping_option_id": option}),
        &format!("Shipping option {option} is a return shipping option"),
    );
    let huge = json!({"items": [{"variant_id": variant, "quantity": 1_000_000}]});
    let reply = admin.refused(&format!("{path}/outbound/items"), &huge, 400, "not_allowed");
    assert_eq!(reply["code"], "insufficient_inventory", "{reply}");
    let body = json!({"items": [{"variant_id": variant, "quantity": 1}]});
    admin.post(&format!("{path}/outbound/items"), &body);
    refused_with(
        &admin,
        &format!("{path}/request"),
        &json!({}),
        "Order exchange request should have at least 1 item inbound and 1 item outbound",
    );
    refused_with(
        &admin,
        &format!("{path}/cancel"),
        &json!({}),
        &format!("Exchange {exchange} is not confirmed yet: cancel its request instead"),
    );
    let unknown = admin.call("GET", "/admin/exchanges/oexc_nope", None);
    assert_eq!(unknown.status, 404);

    // Canceling the request deletes the exchange and its open return.
    let preview = admin.get(&format!("/admin/orders/{}/preview", id(&order)))["order"].clone();
    assert_eq!(preview["order_change"]["exchange_id"], exchange.as_str());
    let deleted = admin.call("DELETE", &format!("{path}/request"), None);
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(
        deleted.json(),
        json!({"id": exchange, "object": "exchange", "deleted": true})
    );
    assert_eq!(admin.call("GET", &path, None).status, 404);
    let returns = admin.get(&format!("/admin/returns?order_id={}", id(&order)));
    assert_eq!(returns["count"], 0, "{returns}");
    assert_eq!(order_doc(&admin, &order)["version"], 1, "nothing confirmed");
}

#[test]
fn canceling_a_confirmed_exchange_releases_its_stock_and_takes_its_line_off() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 1);
    let variant = variant_of(&order);
    let before = order_doc(&admin, &order);
    let stock_before = variant_stock(&admin, &variant);
    let (exchange, path) = begin(&admin, &order);
    admin.post(
        &format!("{path}/inbound/items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    let body = json!({"items": [{"variant_id": variant, "quantity": 1}]});
    admin.post(&format!("{path}/outbound/items"), &body);
    admin.post(
        &format!("{path}/outbound/shipping-method"),
        &json!({"shipping_option_id": outbound_option(&admin)}),
    );
    let confirmed = admin.post(&format!("{path}/request"), &json!({}));
    let new_line = confirmed["exchange"]["additional_items"][0]["item_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(variant_stock(&admin, &variant).1, stock_before.1 + 1);

    // Fulfilled, it cannot be canceled; with the fulfillment canceled, it can.
    let fulfill = format!("/admin/orders/{}/fulfillments", id(&order));
    let fulfilled = admin.post(
        &fulfill,
        &json!({"items": [{"id": new_line, "quantity": 1}]}),
    )["order"]["fulfillments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["items"][0]["line_item_id"] == new_line.as_str())
        .map(id)
        .unwrap();
    admin.refused(&format!("{path}/cancel"), &json!({}), 400, "not_allowed");
    admin.post(&format!("{fulfill}/{fulfilled}/cancel"), &json!({}));

    let canceled = admin.post(&format!("{path}/cancel"), &json!({}))["exchange"].clone();
    assert!(canceled["canceled_at"].is_string(), "{canceled}");
    assert_eq!(canceled["return"]["status"], "canceled");
    assert_eq!(
        variant_stock(&admin, &variant),
        stock_before,
        "reservation released"
    );
    let after = order_doc(&admin, &order);
    assert_eq!(
        after["items"].as_array().unwrap().len(),
        1,
        "line taken off"
    );
    assert_eq!(after["total"], before["total"]);
    assert_eq!(
        after["summary"]["pending_difference"],
        before["summary"]["pending_difference"]
    );
    assert_eq!(
        after["version"], 3,
        "the cancellation is a confirmed change"
    );
    refused_with(
        &admin,
        &format!("{path}/cancel"),
        &json!({}),
        &format!("Exchange with id {exchange} has been canceled."),
    );
}
