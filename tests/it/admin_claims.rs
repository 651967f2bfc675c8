//! Claims over HTTP (issue 15, Medusa 2.21.2's `/admin/claims`). Money follows Medusa: a
//! claim item (WRITE_OFF_ITEM) moves no money; what comes back through the claim's return is
//! credited (owed until the payment is refunded) and what goes out is charged — so a refund
//! claim for a unit that comes back owes its value, one for a unit that does not owes
//! nothing by itself, and a like-for-like replacement costs nothing. Claim items with
//! reasons, over-claims and the requests Medusa refuses; canceling.

use crate::common;

use common::after_sales::{cents, fulfilled_order, order_doc};
use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};

fn begin(admin: &Admin, order: &Value, kind: &str) -> (String, String) {
    let reply = admin.post(
        "/admin/claims",
        &json!({"order_id": id(order), "type": kind, "description": "Arrived broken"}),
    );
    let claim = id(&reply["claim"]);
    assert!(claim.starts_with("claim_"), "{claim}");
    assert_eq!(reply["claim"]["type"], kind);
    (claim.clone(), format!("/admin/claims/{claim}"))
}

#[track_caller]
fn refused_with(admin: &Admin, path: &str, body: &Value, message: &str) {
    let reply = admin.refused(path, body, 400, "invalid_data");
    assert_eq!(reply["message"], message, "{reply}");
}

#[test]
fn a_refund_claim_owes_what_comes_back_and_its_claim_items_move_no_money() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 3);
    let unit = cents(&order_doc(&admin, &order)["items"][0]["total"]) / 3;
    let (claim, path) = begin(&admin, &order, "refund");
    let added = admin.post(
        &format!("{path}/claim-items"),
        &json!({"items": [{"id": line, "quantity": 2, "reason": "production_failure", "description": "Torn seam"}]}),
    );
    let item = &added["order_preview"]["items"][0];
    assert_eq!(item["detail"]["written_off_quantity"], 2, "{item}");
    assert_eq!(item["actions"][0]["action"], "WRITE_OFF_ITEM");
    assert_eq!(item["actions"][0]["claim_id"], claim.as_str());
    assert!(
        item["actions"][0]["amount"].is_null(),
        "Medusa's WRITE_OFF_ITEM carries no amount: {item}"
    );
    let action = id(&item["actions"][0]);
    let updated = admin.post(
        &format!("{path}/claim-items/{action}"),
        &json!({"quantity": 1}),
    );
    let kept = &updated["order_preview"]["items"][0]["actions"][0];
    assert_eq!(
        (&kept["details"]["quantity"], &kept["amount"]),
        (&json!(1), &Value::Null),
        "{kept}"
    );
    let variant = order["items"][0]["variant_id"].clone();
    refused_with(
        &admin,
        &format!("{path}/outbound/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 1}]}),
        &format!(
            "Claim {claim} is a refund claim: it sends no items out (make it a replace claim)"
        ),
    );

    // The torn unit comes back through the claim's return.
    admin.post(
        &format!("{path}/inbound/items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    let preview = admin.get(&format!("/admin/orders/{}/preview", id(&order)))["order"].clone();
    let confirmed = admin.post(&format!("{path}/request"), &json!({}));
    let doc = &confirmed["claim"];
    assert!(
        doc["refund_amount"].is_null(),
        "Medusa leaves it unset: {doc}"
    );
    assert_eq!(
        cents(&confirmed["return"]["refund_amount"]),
        unit,
        "the returned unit is credited"
    );
    assert_eq!(preview["summary"], order_doc(&admin, &order)["summary"]);
    assert_eq!(doc["claim_items"][0]["reason"], "production_failure");
    assert_eq!(doc["claim_items"][0]["note"], "Torn seam");
    assert_eq!(doc["claim_items"][0]["quantity"], 1);
    assert!(doc["return_id"].is_string(), "{doc}");
    let after = order_doc(&admin, &order);
    assert_eq!(cents(&after["summary"]["pending_difference"]), -unit);
    assert_eq!(after["version"], 2);
    let created: Vec<Value> = admin
        .events()
        .into_iter()
        .filter(|(n, _)| n == "order.claim_created")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(
        created,
        [json!({"order_id": id(&order), "claim_id": claim})]
    );

    let payment = payment_of(&order);
    let body = json!({"amount": unit as f64 / 100.0});
    admin.post(&format!("/admin/payments/{payment}/refund"), &body);
    let settled = order_doc(&admin, &order);
    assert_eq!(cents(&settled["summary"]["pending_difference"]), 0);

    // Two more units can be claimed; a third cannot (three were ordered, one is claimed).
    let (_, second) = begin(&admin, &order, "refund");
    refused_with(
        &admin,
        &format!("{second}/claim-items"),
        &json!({"items": [{"id": line, "quantity": 3}]}),
        "Cannot claim more items than what was ordered.",
    );
    refused_with(
        &admin,
        &format!("{second}/claim-items"),
        &json!({"items": [{"id": line, "quantity": 1, "reason": "too_big"}]}),
        "Invalid request: Field 'reason' must be one of missing_item, wrong_item, production_failure, other",
    );
    refused_with(
        &admin,
        &format!("{second}/request"),
        &json!({}),
        "Order claim request should have at least 1 item",
    );
    // A missing unit (nothing comes back): the claim item alone credits nothing, as in
    // Medusa; staff refund the payment by hand.
    admin.post(
        &format!("{second}/claim-items"),
        &json!({"items": [{"id": line, "quantity": 1, "reason": "missing_item"}]}),
    );
    let missing = admin.post(&format!("{second}/request"), &json!({}));
    assert!(missing["claim"]["refund_amount"].is_null());
    assert!(missing["return"].is_null(), "no inbound items: no return");
    // The claim is the order's next version: its original total is the one it found.
    let mut unmoved = settled["summary"].clone();
    unmoved["original_order_total"] = settled["summary"]["current_order_total"].clone();
    assert_eq!(order_doc(&admin, &order)["summary"], unmoved);
    let listed = admin.get(&format!("/admin/claims?order_id={}", id(&order)));
    assert_eq!(listed["count"], 2);
}

#[test]
fn a_replace_claim_sends_a_reserved_replacement_and_takes_the_broken_unit_back() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 1);
    let variant = order["items"][0]["variant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = order_doc(&admin, &order);
    let (claim, path) = begin(&admin, &order, "replace");
    admin.post(
        &format!("{path}/claim-items"),
        &json!({"items": [{"id": line, "quantity": 1, "reason": "wrong_item"}]}),
    );
    let inbound = admin.post(
        &format!("{path}/inbound/items"),
        &json!({"items": [{"id": line, "quantity": 1}]}),
    );
    assert_eq!(inbound["return"]["claim_id"], claim.as_str());
    refused_with(
        &admin,
        &format!("{path}/request"),
        &json!({}),
        "A replace claim should send at least 1 item out",
    );
    admin.post(
        &format!("{path}/outbound/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 1}]}),
    );
    let reserved_before = admin.stock(&line).1;

    let confirmed = admin.post(&format!("{path}/request"), &json!({}));
    assert_eq!(confirmed["return"]["status"], "requested", "{confirmed}");
    let unit = cents(&before["items"][0]["total"]);
    assert_eq!(
        cents(&confirmed["return"]["refund_amount"]),
        unit,
        "the broken unit coming back is credited; the replacement is charged"
    );
    assert!(confirmed["claim"]["refund_amount"].is_null());
    let doc = &confirmed["claim"];
    let sent = doc["additional_items"].as_array().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(doc["claim_items"].as_array().unwrap().len(), 1);
    assert_eq!(
        admin.stock(&line).1,
        reserved_before + 1,
        "replacement reserved"
    );
    let after = order_doc(&admin, &order);
    assert_eq!(
        cents(&after["summary"]["pending_difference"]),
        0,
        "a like-for-like replacement costs nothing: {}",
        after["summary"]
    );
    assert_eq!(
        after["payment_collections"].as_array().unwrap().len(),
        1,
        "nothing to collect"
    );
    assert_eq!(
        cents(&after["summary"]["current_order_total"]),
        cents(&before["summary"]["current_order_total"])
    );

    // Canceled: the replacement's reservation is released and the claim no longer credits.
    let canceled = admin.post(&format!("{path}/cancel"), &json!({}))["claim"].clone();
    assert!(canceled["canceled_at"].is_string());
    assert_eq!(admin.stock(&line).1, reserved_before);
    let end = order_doc(&admin, &order);
    assert_eq!(end["summary"], before["summary"]);
}
