//! The after-sales operations that chain workflows (`flows::orders::sequences`), called
//! directly as a Rust caller would: each does the whole operation, and a later workflow that
//! is refused undoes the change the operation began — no open change is left behind.

use crate::common;

use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};
use stockroom::flows::orders::exchange_types::ClaimItem;
use stockroom::flows::orders::return_types::{Receipt, ReturnItem};
use stockroom::flows::orders::sequences::{
    self, QuantityEdit, RecordRequest, ReturnReceipt, ReturnRequest,
};
use stockroom::flows::orders::targets::NewItem;

/// An order of `quantity` units, all fulfilled and the payment captured.
fn fulfilled_order(admin: &Admin, quantity: i64) -> (String, String) {
    let order = admin.order(quantity);
    let line = id(&order["items"][0]);
    let path = format!("/admin/orders/{}/fulfillments", id(&order));
    admin.post(
        &path,
        &json!({"items": [{"id": line, "quantity": quantity}]}),
    );
    let payment = payment_of(&order);
    admin.post(&format!("/admin/payments/{payment}/capture"), &json!({}));
    (id(&order), line)
}

/// A return shipping option (is_return = true) at $5 in the demo's first service zone.
fn return_option(admin: &Admin) -> String {
    let some = admin.get("/admin/shipping-options?limit=1")["shipping_options"][0].clone();
    let location = id(&admin.get("/admin/stock-locations?limit=1")["stock_locations"][0]);
    let enabled = admin.get(&format!(
        "/admin/fulfillment-providers?stock_location_id={location}"
    ));
    if enabled["count"] == 0 {
        let path = format!("/admin/stock-locations/{location}/fulfillment-providers");
        admin.post(&path, &json!({"add": ["manual_manual"]}));
    }
    let body = json!({
        "name": "Return by post", "service_zone_id": some["service_zone_id"],
        "shipping_profile_id": some["shipping_profile_id"], "provider_id": "manual_manual",
        "price_type": "flat", "type": {"label": "Return", "description": "", "code": "return"},
        "prices": [{"currency_code": "usd", "amount": 5}],
        "rules": [{"attribute": "is_return", "operator": "eq", "value": "true"}],
    });
    id(&admin.post("/admin/shipping-options", &body)["shipping_option"])
}

fn outbound_option(admin: &Admin) -> String {
    id(&admin.get("/admin/shipping-options?limit=1")["shipping_options"][0])
}

fn changes_of(admin: &Admin, order: &str) -> Vec<Value> {
    admin.get(&format!("/admin/orders/{order}/changes"))["order_changes"]
        .as_array()
        .unwrap()
        .clone()
}

fn open_changes(admin: &Admin, order: &str) -> usize {
    changes_of(admin, order)
        .iter()
        .filter(|c| matches!(c["status"].as_str(), Some("pending" | "requested")))
        .count()
}

fn unit(line: &str, quantity: i64) -> ReturnItem {
    ReturnItem {
        id: line.to_string(),
        quantity,
        ..ReturnItem::default()
    }
}

fn receipt(line: &str, quantity: i64) -> Receipt {
    Receipt {
        id: line.to_string(),
        quantity,
        ..Receipt::default()
    }
}

fn new_item(variant: &str, quantity: i64) -> NewItem {
    NewItem {
        variant_id: variant.to_string(),
        quantity,
        ..NewItem::default()
    }
}

#[test]
fn a_return_is_requested_and_received_in_one_call_each() {
    let admin = Admin::start();
    let engine = admin.app.engine();
    let (order, line) = fulfilled_order(&admin, 3);
    let request = ReturnRequest {
        order_id: order.clone(),
        items: vec![unit(&line, 2)],
        shipping_option_id: Some(return_option(&admin)),
        by: Some("user_test".into()),
        ..ReturnRequest::default()
    };
    let made = sequences::request_return_with_items(engine, &request).expect("requested");
    assert_eq!(made.order_id, order);
    let doc = admin.get(&format!("/admin/returns/{}", made.return_id))["return"].clone();
    assert_eq!(doc["status"], "requested");
    assert_eq!(open_changes(&admin, &order), 0);
    let (stocked, _) = admin.stock(&line);
    let receipt = ReturnReceipt {
        return_id: made.return_id.clone(),
        received: vec![receipt(&line, 1)],
        damaged: vec![receipt(&line, 1)],
        by: Some("user_test".into()),
    };
    sequences::receive_return(engine, &receipt).expect("received");
    let doc = admin.get(&format!("/admin/returns/{}", made.return_id))["return"].clone();
    assert_eq!(doc["status"], "received");
    assert_eq!(
        admin.stock(&line).0,
        stocked + 1,
        "only the good unit is restocked"
    );
    assert_eq!(open_changes(&admin, &order), 0);
}

#[test]
fn a_refused_later_step_of_a_return_leaves_no_open_change() {
    let admin = Admin::start();
    let engine = admin.app.engine();
    let (order, line) = fulfilled_order(&admin, 1);
    // The items are fine; the shipping option is an outbound one, which a return refuses.
    let request = ReturnRequest {
        order_id: order.clone(),
        items: vec![unit(&line, 1)],
        shipping_option_id: Some(outbound_option(&admin)),
        ..ReturnRequest::default()
    };
    let err = sequences::request_return_with_items(engine, &request).unwrap_err();
    assert!(
        err.to_string().contains("not a return shipping option"),
        "{err}"
    );
    assert_eq!(open_changes(&admin, &order), 0);
    let returns = admin.get(&format!("/admin/returns?order_id={order}"))["returns"].clone();
    assert_eq!(
        returns.as_array().unwrap().len(),
        0,
        "the begun return is gone"
    );
    // Receiving more than was asked back is refused and its receipt canceled.
    let request = ReturnRequest {
        order_id: order.clone(),
        items: vec![unit(&line, 1)],
        ..ReturnRequest::default()
    };
    let made = sequences::request_return_with_items(engine, &request).expect("requested");
    let too_many = ReturnReceipt {
        return_id: made.return_id,
        received: vec![receipt(&line, 2)],
        ..ReturnReceipt::default()
    };
    assert!(sequences::receive_return(engine, &too_many).is_err());
    assert_eq!(open_changes(&admin, &order), 0);
}

#[test]
fn an_exchange_takes_several_new_items_and_shipping_both_ways() {
    let admin = Admin::start();
    let engine = admin.app.engine();
    let (order, line) = fulfilled_order(&admin, 2);
    let (first, second) = (admin.app.variant(), admin.app.variants(1).remove(0));
    let request = RecordRequest {
        order_id: order.clone(),
        returned: vec![unit(&line, 1)],
        new_items: vec![new_item(&first, 1), new_item(&second, 2)],
        return_shipping_option_id: Some(return_option(&admin)),
        outbound_shipping_option_id: Some(outbound_option(&admin)),
        by: Some("user_test".into()),
        ..RecordRequest::default()
    };
    let made = sequences::create_exchange_with_items(engine, &request).expect("exchange");
    let exchange = made.exchange_id.clone().expect("an exchange id");
    let open: Vec<Value> = changes_of(&admin, &order)
        .into_iter()
        .filter(|c| c["status"] == "pending")
        .collect();
    assert_eq!(open.len(), 1);
    let mut kinds: Vec<String> = open[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "ITEM_ADD",
            "ITEM_ADD",
            "RETURN_ITEM",
            "SHIPPING_ADD",
            "SHIPPING_ADD"
        ]
    );
    sequences::settle_open_change(engine, &order, true, Some("user_test")).expect("confirmed");
    let doc = admin.get(&format!("/admin/exchanges/{exchange}"))["exchange"].clone();
    assert_eq!(
        doc["additional_items"].as_array().map(Vec::len),
        Some(2),
        "{doc}"
    );
    assert_eq!(open_changes(&admin, &order), 0);
}

#[test]
fn a_refused_new_item_cancels_the_exchange_or_claim_it_began() {
    let admin = Admin::start();
    let engine = admin.app.engine();
    let (order, line) = fulfilled_order(&admin, 2);
    let request = RecordRequest {
        order_id: order.clone(),
        returned: vec![unit(&line, 1)],
        new_items: vec![
            new_item(&admin.app.variant(), 1),
            new_item("variant_nope", 1),
        ],
        ..RecordRequest::default()
    };
    assert!(sequences::create_exchange_with_items(engine, &request).is_err());
    assert_eq!(open_changes(&admin, &order), 0);
    let exchanges = admin.get(&format!("/admin/exchanges?order_id={order}"))["exchanges"].clone();
    assert_eq!(exchanges.as_array().unwrap().len(), 0);
    // A claim: its claim item is fine, its outbound shipping is a return option.
    let claim = RecordRequest {
        order_id: order.clone(),
        claim_type: Some("replace".into()),
        claimed: vec![ClaimItem {
            id: line.clone(),
            quantity: 1,
            reason: Some("production_failure".into()),
            ..ClaimItem::default()
        }],
        new_items: vec![new_item(&admin.app.variant(), 1)],
        outbound_shipping_option_id: Some(return_option(&admin)),
        ..RecordRequest::default()
    };
    let err = sequences::create_claim_with_items(engine, &claim).unwrap_err();
    assert!(err.to_string().contains("return shipping option"), "{err}");
    assert_eq!(open_changes(&admin, &order), 0);
    // Claim items on an exchange are refused before anything is written.
    let wrong = RecordRequest {
        claimed: claim.claimed.clone(),
        ..request
    };
    let before = changes_of(&admin, &order).len();
    assert!(sequences::create_exchange_with_items(engine, &wrong).is_err());
    assert_eq!(
        changes_of(&admin, &order).len(),
        before,
        "nothing was begun"
    );
}

#[test]
fn quantities_are_edited_in_one_call_and_a_refusal_cancels_the_edit_it_began() {
    let admin = Admin::start();
    let engine = admin.app.engine();
    let (order, line) = fulfilled_order(&admin, 2);
    // Below the fulfilled quantity: refused, and the edit begun for it canceled.
    let below = QuantityEdit {
        order_id: order.clone(),
        quantities: vec![(line.clone(), 1)],
        by: Some("user_test".into()),
    };
    assert!(sequences::edit_order_quantities(engine, &below).is_err());
    assert_eq!(open_changes(&admin, &order), 0);
    let more = QuantityEdit {
        quantities: vec![(line.clone(), 3)],
        ..below
    };
    sequences::edit_order_quantities(engine, &more).expect("edited");
    assert_eq!(
        open_changes(&admin, &order),
        1,
        "the edit stays open for review"
    );
    sequences::settle_open_change(engine, &order, true, None).expect("confirmed");
    let doc = admin.get(&format!("/admin/orders/{order}"))["order"].clone();
    assert_eq!(doc["items"][0]["quantity"], 3);
    assert_eq!(open_changes(&admin, &order), 0);
}
