//! The after-sales invariants of issue 15, checked after every flow of one shop day through
//! the routes: stock at every location equals the seeded stock minus what live fulfillments
//! took plus what returns brought back undamaged, and reserved stock equals the live
//! reservations; an order's paid, refunded and outstanding amounts reconcile with its
//! payments' captures and refunds; a refund retried with one idempotency key moves money once.
//! The day includes an exchange and a replace claim, checked after each of their steps.

use crate::common;

use common::after_sales::cents;
use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};
use std::collections::BTreeMap;

type Levels = BTreeMap<(String, String), (i64, i64)>;

fn rows(admin: &Admin, sql: &'static str) -> Vec<(String, String, i64)> {
    admin
        .app
        .engine()
        .store()
        .read(move |c| {
            let mut stmt = c.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap()
}

/// `(item, location) → (stocked, reserved)` of every level.
fn levels(admin: &Admin) -> Levels {
    let stocked = rows(
        admin,
        "SELECT inventory_item_id, location_id, stocked_quantity FROM inventory_level WHERE deleted_at IS NULL",
    );
    let reserved = rows(
        admin,
        "SELECT inventory_item_id, location_id, reserved_quantity FROM inventory_level WHERE deleted_at IS NULL",
    );
    stocked
        .into_iter()
        .zip(reserved)
        .map(|((i, l, s), (_, _, r))| ((i, l), (s, r)))
        .collect()
}

fn sums(list: Vec<(String, String, i64)>) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for (item, location, n) in list {
        *out.entry((item, location)).or_insert(0) += n;
    }
    out
}

/// Every level is the seeded stock moved by fulfillments and received returns, and holds
/// exactly its live reservations.
#[track_caller]
fn assert_stock_balances(admin: &Admin, seeded: &Levels, after: &str) {
    let shipped = sums(rows(
        admin,
        "SELECT fi.inventory_item_id, f.location_id, fi.quantity FROM fulfillment_item fi
           JOIN fulfillment f ON f.id = fi.fulfillment_id
         WHERE f.canceled_at IS NULL AND fi.inventory_item_id IS NOT NULL",
    ));
    let returned = sums(rows(
        admin,
        "SELECT l.inventory_item_id, r.location_id, ri.received_quantity - ri.damaged_quantity
         FROM order_return_item ri JOIN order_return r ON r.id = ri.return_id
           JOIN order_line_item li ON li.id = ri.item_id
           JOIN link_product_variant_inventory_item l ON l.variant_id = li.variant_id
         WHERE r.deleted_at IS NULL AND ri.deleted_at IS NULL",
    ));
    let held = sums(rows(
        admin,
        "SELECT inventory_item_id, location_id, quantity FROM inventory_reservation_item
         WHERE deleted_at IS NULL",
    ));
    for (key, (stocked, reserved)) in levels(admin) {
        let start = seeded.get(&key).map_or(0, |l| l.0);
        let moved = start - shipped.get(&key).copied().unwrap_or(0)
            + returned.get(&key).copied().unwrap_or(0);
        assert_eq!(stocked, moved, "stocked of {key:?} after {after}");
        assert_eq!(
            reserved,
            held.get(&key).copied().unwrap_or(0),
            "reserved of {key:?} after {after}"
        );
    }
}

/// The summary agrees with the payments: paid = captured, refunded = refunded, outstanding
/// = current total − (paid − refunded).
#[track_caller]
fn assert_money_reconciles(admin: &Admin, order: &Value, after: &str) {
    let doc = admin.get(&format!("/admin/orders/{}", id(order)))["order"].clone();
    let payment = admin.get(&format!("/admin/payments/{}", payment_of(order)))["payment"].clone();
    let summary = &doc["summary"];
    let (captured, refunded) = (
        cents(&payment["captured_amount"]),
        cents(&payment["refunded_amount"]),
    );
    assert_eq!(
        cents(&summary["paid_total"]),
        captured,
        "paid after {after}"
    );
    assert_eq!(
        cents(&summary["refunded_total"]),
        refunded,
        "refunded after {after}"
    );
    assert_eq!(
        cents(&summary["pending_difference"]),
        cents(&summary["current_order_total"]) - (captured - refunded),
        "outstanding after {after}"
    );
    let listed: i64 = payment["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| cents(&r["amount"]))
        .sum();
    assert_eq!(listed, refunded, "refund records after {after}");
}

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
        "prices": [{"currency_code": "usd", "amount": 3}],
        "rules": [{"attribute": "is_return", "operator": "eq", "value": "true"}],
    });
    id(&admin.post("/admin/shipping-options", &body)["shipping_option"])
}

#[test]
fn stock_and_money_add_up_after_every_after_sales_flow() {
    let admin = Admin::start();
    let seeded = levels(&admin);
    let option = return_option(&admin);
    let order = admin.order(3);
    let line = id(&order["items"][0]);
    assert_stock_balances(&admin, &seeded, "placing");
    let payment = payment_of(&order);
    admin.post(&format!("/admin/payments/{payment}/capture"), &json!({}));
    assert_money_reconciles(&admin, &order, "capturing");

    // An edit: one more unit; the difference stays outstanding (nothing collects it here).
    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    admin.post(
        &format!("/admin/order-edits/{}/items/item/{line}", id(&order)),
        &json!({"quantity": 4}),
    );
    admin.post(
        &format!("/admin/order-edits/{}/confirm", id(&order)),
        &json!({}),
    );
    assert_stock_balances(&admin, &seeded, "an order edit");
    assert_money_reconciles(&admin, &order, "an order edit");

    let fulfill = format!("/admin/orders/{}/fulfillments", id(&order));
    admin.post(&fulfill, &json!({"items": [{"id": line, "quantity": 4}]}));
    assert_stock_balances(&admin, &seeded, "fulfilling");

    let ret = admin.post("/admin/returns", &json!({"order_id": id(&order)}))["return"].clone();
    let base = format!("/admin/returns/{}", id(&ret));
    admin.post(
        &format!("{base}/request-items"),
        &json!({"items": [{"id": line, "quantity": 3}]}),
    );
    admin.post(
        &format!("{base}/shipping-method"),
        &json!({"shipping_option_id": option}),
    );
    admin.post(&format!("{base}/request"), &json!({}));
    assert_money_reconciles(&admin, &order, "a return request");
    admin.post(&format!("{base}/receive"), &json!({}));
    admin.post(
        &format!("{base}/receive-items"),
        &json!({"items": [{"id": line, "quantity": 2}]}),
    );
    admin.post(
        &format!("{base}/dismiss-items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    admin.post(&format!("{base}/receive/confirm"), &json!({}));
    assert_stock_balances(&admin, &seeded, "receiving a return");

    // What is owed back, refunded twice under one key: the money moves once.
    let owed = -cents(
        &admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["summary"]["pending_difference"],
    );
    assert!(owed > 0, "the return is owed back: {owed}");
    let headers = [
        ("authorization", admin.auth.as_str()),
        ("content-type", "application/json"),
        ("idempotency-key", "refund-the-return"),
    ];
    let body = json!({"amount": owed as f64 / 100.0}).to_string();
    for _ in 0..2 {
        let path = format!("/admin/payments/{payment}/refund");
        let reply = admin.app.request("POST", &path, &headers, Some(&body));
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let paid = admin.get(&format!("/admin/payments/{payment}"))["payment"].clone();
    assert_eq!(
        paid["refunds"].as_array().unwrap().len(),
        1,
        "refunded once"
    );
    assert_money_reconciles(&admin, &order, "refunding");
    assert_eq!(
        cents(
            &admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["summary"]["pending_difference"]
        ),
        cents(
            &admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["summary"]["current_order_total"]
        ) - (cents(&paid["captured_amount"]) - cents(&paid["refunded_amount"]))
    );

    exchange_and_claim_day(&admin, &seeded);

    // A fulfillment canceled on another order, and a draft converted.
    let other = admin.order(1);
    let other_line = id(&other["items"][0]);
    let fulfilled = admin.post(
        &format!("/admin/orders/{}/fulfillments", id(&other)),
        &json!({"items": [{"id": other_line, "quantity": 1}]}),
    )["order"]["fulfillments"][0]
        .clone();
    admin.post(
        &format!(
            "/admin/orders/{}/fulfillments/{}/cancel",
            id(&other),
            id(&fulfilled)
        ),
        &json!({}),
    );
    assert_stock_balances(&admin, &seeded, "canceling a fulfillment");
    let region = admin.get("/admin/regions")["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["currency_code"] == "usd")
        .map(id)
        .unwrap();
    let variant = order["items"][0]["variant_id"].clone();
    let draft = admin.post(
        "/admin/draft-orders",
        &json!({"email": "d@example.com", "region_id": region, "items": [{"variant_id": variant, "quantity": 2}]}),
    )["draft_order"]
        .clone();
    admin.post(
        &format!("/admin/draft-orders/{}/convert-to-order", id(&draft)),
        &json!({}),
    );
    assert_stock_balances(&admin, &seeded, "converting a draft");
}

/// Both invariants after a step of the exchange and claim part of the day.
#[track_caller]
fn assert_balanced(admin: &Admin, seeded: &Levels, order: &Value, after: &str) {
    assert_stock_balances(admin, seeded, after);
    assert_money_reconciles(admin, order, after);
}

/// An exchange (one unit back, one new unit out, shipping both ways), then a replace claim
/// (one claimed unit, sent back, replaced), each new line fulfilled, on a captured order.
fn exchange_and_claim_day(admin: &Admin, seeded: &Levels) {
    let order = admin.order(2);
    let (line, variant) = (
        id(&order["items"][0]),
        order["items"][0]["variant_id"].clone(),
    );
    let payment = payment_of(&order);
    admin.post(&format!("/admin/payments/{payment}/capture"), &json!({}));
    let fulfill = format!("/admin/orders/{}/fulfillments", id(&order));
    admin.post(&fulfill, &json!({"items": [{"id": line, "quantity": 2}]}));
    assert_balanced(admin, seeded, &order, "fulfilling the exchanged order");

    let exchange =
        id(&admin.post("/admin/exchanges", &json!({"order_id": id(&order)}))["exchange"]);
    let base = format!("/admin/exchanges/{exchange}");
    let outbound_option = id(&admin.get("/admin/shipping-options?limit=1")["shipping_options"][0]);
    let steps = [
        (
            "inbound/items",
            json!({"items": [{"id": line, "quantity": 1}]}),
        ),
        (
            "inbound/shipping-method",
            json!({"shipping_option_id": return_option(admin)}),
        ),
        (
            "outbound/items",
            json!({"items": [{"variant_id": variant, "quantity": 1}]}),
        ),
        (
            "outbound/shipping-method",
            json!({"shipping_option_id": outbound_option, "custom_amount": 4}),
        ),
        ("request", json!({})),
    ];
    for (step, body) in &steps {
        let reply = admin.post(&format!("{base}/{step}"), body);
        assert_balanced(admin, seeded, &order, &format!("exchange {step}"));
        if *step == "request" {
            let new_line = reply["exchange"]["additional_items"][0]["item_id"].clone();
            let ret = format!("/admin/returns/{}", reply["return"]["id"].as_str().unwrap());
            admin.post(&format!("{ret}/receive"), &json!({}));
            let items = json!({"items": [{"id": line, "quantity": 1}]});
            admin.post(&format!("{ret}/receive-items"), &items);
            admin.post(&format!("{ret}/receive/confirm"), &json!({}));
            assert_balanced(admin, seeded, &order, "receiving the exchange's return");
            admin.post(
                &fulfill,
                &json!({"items": [{"id": new_line, "quantity": 1}]}),
            );
            assert_balanced(admin, seeded, &order, "fulfilling the exchange's new line");
        }
    }
    let due = cents(&admin.get(&base)["exchange"]["difference_due"]);
    let summary = admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["summary"].clone();
    assert_eq!(cents(&summary["pending_difference"]), due, "{summary}");

    let claim = admin.post(
        "/admin/claims",
        &json!({"order_id": id(&order), "type": "replace"}),
    )["claim"]
        .clone();
    let base = format!("/admin/claims/{}", id(&claim));
    let steps = [
        (
            "claim-items",
            json!({"items": [{"id": line, "quantity": 1, "reason": "production_failure"}]}),
        ),
        (
            "inbound/items",
            json!({"items": [{"id": line, "quantity": 1}]}),
        ),
        (
            "outbound/items",
            json!({"items": [{"variant_id": variant, "quantity": 1}]}),
        ),
        ("request", json!({})),
    ];
    for (step, body) in &steps {
        let reply = admin.post(&format!("{base}/{step}"), body);
        assert_balanced(admin, seeded, &order, &format!("claim {step}"));
        if *step == "request" {
            let new_line = reply["claim"]["additional_items"][0]["item_id"].clone();
            let ret = format!("/admin/returns/{}", reply["return"]["id"].as_str().unwrap());
            admin.post(&format!("{ret}/receive"), &json!({}));
            let items = json!({"items": [{"id": line, "quantity": 1}]});
            admin.post(&format!("{ret}/dismiss-items"), &items);
            admin.post(&format!("{ret}/receive/confirm"), &json!({}));
            assert_balanced(admin, seeded, &order, "receiving the claim's damaged unit");
            admin.post(
                &fulfill,
                &json!({"items": [{"id": new_line, "quantity": 1}]}),
            );
            assert_balanced(admin, seeded, &order, "fulfilling the replacement");
        }
    }
    let after = admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["summary"].clone();
    assert_eq!(
        after["pending_difference"], summary["pending_difference"],
        "a like-for-like replacement is free"
    );
}
