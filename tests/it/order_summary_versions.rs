//! The order summary per order version (issue 15; Medusa 2.21.2's `order_summary`): each
//! confirmed change keeps the order's total from before it as `original_order_total`, while
//! `current_order_total` is the total after it and the payment figures follow the captures
//! and refunds. Medusa's figures, pinned for an edit that adds an item, a return received and
//! refunded, and an exchange with a difference due; the preview of an open change answers
//! the total before it as its original.

use crate::common;

use common::after_sales::{cents, fulfilled_order, order_doc, outbound_option};
use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};

/// The summary's figures in minor units: `(original, current, paid, refunded, transactions,
/// pending, accounting)`.
fn figures(summary: &Value) -> (i64, i64, i64, i64, i64, i64, i64) {
    (
        cents(&summary["original_order_total"]),
        cents(&summary["current_order_total"]),
        cents(&summary["paid_total"]),
        cents(&summary["refunded_total"]),
        cents(&summary["transaction_total"]),
        cents(&summary["pending_difference"]),
        cents(&summary["accounting_total"]),
    )
}

#[test]
fn an_edit_that_adds_an_item_keeps_the_total_before_it_as_the_original() {
    let admin = Admin::start();
    let order = admin.order(1);
    let payment = payment_of(&order);
    admin.post(&format!("/admin/payments/{payment}/capture"), &json!({}));
    let placed = order_doc(&admin, &order);
    let total = cents(&placed["total"]);
    assert_eq!(
        figures(&placed["summary"]),
        (total, total, total, 0, total, 0, total),
        "a placed order: original and current are its total"
    );

    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    let base = format!("/admin/order-edits/{}", id(&order));
    let variant = order["items"][0]["variant_id"].as_str().unwrap();
    let body = json!({"items": [{"variant_id": variant, "quantity": 1}]});
    let preview = admin.post(&format!("{base}/items"), &body)["order_preview"].clone();
    let added = cents(&preview["total"]) - total;
    assert!(added > 0, "{preview}");
    assert_eq!(
        figures(&preview["summary"]),
        (total, total + added, total, 0, total, added, total + added),
        "the preview: the original is the total before the change"
    );
    admin.post(&format!("{base}/request"), &json!({}));
    admin.post(&format!("{base}/confirm"), &json!({}));

    let edited = order_doc(&admin, &order);
    assert_eq!(edited["version"], 2);
    assert_eq!(cents(&edited["total"]), total + added);
    assert_eq!(
        figures(&edited["summary"]),
        (total, total + added, total, 0, total, added, total + added)
    );
}

#[test]
fn a_received_and_refunded_return_keeps_the_total_before_the_receipt() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let total = cents(&order["total"]);
    let unit = cents(&order["items"][0]["total"]) / 2;
    let begun = admin.post("/admin/returns", &json!({"order_id": id(&order)}));
    let base = format!("/admin/returns/{}", id(&begun["return"]));
    let one = json!({"items": [{"id": line, "quantity": 1}]});
    admin.post(&format!("{base}/request-items"), &one);
    admin.post(&format!("{base}/request"), &json!({}));
    assert_eq!(
        figures(&order_doc(&admin, &order)["summary"]),
        (total, total - unit, total, 0, total, -unit, total - unit),
        "requested: the refund is owed back"
    );

    admin.post(&format!("{base}/receive"), &json!({}));
    admin.post(&format!("{base}/receive-items"), &one);
    admin.post(&format!("{base}/receive/confirm"), &json!({}));
    let received = order_doc(&admin, &order);
    assert_eq!(received["version"], 3);
    assert_eq!(
        figures(&received["summary"]),
        (
            total - unit,
            total - unit,
            total,
            0,
            total,
            -unit,
            total - unit
        ),
        "received: the total before the receipt already owed the unit back"
    );

    let payment = payment_of(&order);
    let refund = json!({"amount": unit as f64 / 100.0});
    admin.post(&format!("/admin/payments/{payment}/refund"), &refund);
    assert_eq!(
        figures(&order_doc(&admin, &order)["summary"]),
        (
            total - unit,
            total - unit,
            total,
            unit,
            total - unit,
            0,
            total - unit
        ),
        "refunded: nothing is pending and the version's original total stays"
    );
}

#[test]
fn an_exchange_with_a_difference_due_keeps_the_total_before_it() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let total = cents(&order["total"]);
    let unit = cents(&order["items"][0]["total"]) / 2;
    let variant = order["items"][0]["variant_id"].as_str().unwrap();
    let begun = admin.post("/admin/exchanges", &json!({"order_id": id(&order)}));
    let base = format!("/admin/exchanges/{}", id(&begun["exchange"]));
    admin.post(
        &format!("{base}/inbound/items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    let outbound = json!({"items": [{"variant_id": variant, "quantity": 1, "unit_price": 30}]});
    admin.post(&format!("{base}/outbound/items"), &outbound);
    admin.post(
        &format!("{base}/outbound/shipping-method"),
        &json!({"shipping_option_id": outbound_option(&admin), "custom_amount": 2}),
    );
    let confirmed = admin.post(&format!("{base}/request"), &json!({}));
    let due = cents(&confirmed["exchange"]["difference_due"]);
    let after = order_doc(&admin, &order);
    let sent = cents(&after["total"]) - total;
    assert_eq!(
        due,
        sent - unit,
        "the new line and its shipping less the unit back"
    );
    assert!(due > 0, "{confirmed}");
    assert_eq!(
        figures(&after["summary"]),
        (total, total + due, total, 0, total, due, total + due)
    );
}
