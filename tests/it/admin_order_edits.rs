//! Order edits over HTTP (issue 15, Medusa 2.21.2's `/admin/order-edits`): items added and
//! quantities changed on an order change of type `edit`, requested and confirmed as the
//! order's next version; stock reserved for what grows (refused when short — then nothing is
//! written) and released for what shrinks; the summary shows what to collect or refund.

use crate::common;

use common::after_sales::{cents, order_doc};
use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};
use stockroom::Result;
use stockroom::modules::tax::TaxRate;
use stockroom::modules::tax::provider::{LineRate, TaxProvider, TaxableLine};

fn captured_order(admin: &Admin, quantity: i64) -> Value {
    let order = admin.order(quantity);
    let payment = payment_of(&order);
    admin.post(&format!("/admin/payments/{payment}/capture"), &json!({}));
    order
}

fn edit_path(order: &Value, tail: &str) -> String {
    format!("/admin/order-edits/{}{tail}", id(order))
}

fn names(admin: &Admin, prefix: &str) -> Vec<String> {
    admin
        .events()
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with(prefix))
        .collect()
}

#[test]
fn an_edit_adds_items_and_grows_a_line_reserving_stock_and_asks_for_the_difference() {
    let admin = Admin::start();
    let order = captured_order(&admin, 1);
    let line = id(&order["items"][0]);
    let variant = order["items"][0]["variant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (stocked, reserved) = admin.stock(&line);

    let change =
        admin.post("/admin/order-edits", &json!({"order_id": id(&order)}))["order_change"].clone();
    assert_eq!(
        (
            &change["change_type"],
            &change["status"],
            &change["version"]
        ),
        (&json!("edit"), &json!("pending"), &json!(2))
    );
    let preview = admin.post(
        &edit_path(&order, "/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 2}]}),
    )["order_preview"]
        .clone();
    assert_eq!(preview["items"].as_array().unwrap().len(), 2);
    assert_eq!(preview["items"][1]["quantity"], 2);
    let preview = admin.post(
        &edit_path(&order, &format!("/items/item/{line}")),
        &json!({"quantity": 3}),
    )["order_preview"]
        .clone();
    assert_eq!(preview["items"][0]["quantity"], 3);
    assert_eq!(preview["items"][0]["actions"][0]["action"], "ITEM_UPDATE");
    let requested = admin.post(&edit_path(&order, "/request"), &json!({}))["order_preview"].clone();
    assert_eq!(requested["order_change"]["status"], "requested");
    admin.post(&edit_path(&order, "/confirm"), &json!({}));

    let after = order_doc(&admin, &order);
    assert_eq!(after["version"], 2);
    let quantities: Vec<i64> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["quantity"].as_i64().unwrap())
        .collect();
    assert_eq!(quantities, [3, 2]);
    assert_eq!(
        admin.stock(&line),
        (stocked, reserved + 4),
        "the grown line holds 2 more units, the new line 2 (one inventory item behind both)"
    );
    let new_line = id(&after["items"][1]);
    assert_eq!(admin.stock(&new_line), admin.stock(&line));
    let unit = cents(&order["items"][0]["total"]);
    assert_eq!(cents(&after["items"][0]["total"]), 3 * unit);
    assert_eq!(
        cents(&after["summary"]["pending_difference"]),
        cents(&after["total"]) - cents(&order["total"]),
        "what the edit added is to be collected"
    );
    assert!(cents(&after["summary"]["pending_difference"]) > 0);
    assert_eq!(
        names(&admin, "order-edit."),
        ["order-edit.requested", "order-edit.confirmed"]
    );
    // The preview's totals were the confirmed order's, before it was confirmed.
    for key in [
        "total",
        "subtotal",
        "tax_total",
        "item_total",
        "shipping_total",
    ] {
        assert_eq!(requested[key], after[key], "preview {key}");
    }
    assert_eq!(requested["summary"], after["summary"], "preview summary");
}

#[test]
fn reducing_a_line_releases_its_stock_and_owes_a_refund_but_never_below_fulfilled() {
    let admin = Admin::start();
    let order = captured_order(&admin, 3);
    let line = id(&order["items"][0]);
    let (stocked, reserved) = admin.stock(&line);
    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    admin.post(
        &edit_path(&order, &format!("/items/item/{line}")),
        &json!({"quantity": 1}),
    );
    admin.post(&edit_path(&order, "/confirm"), &json!({}));
    assert_eq!(admin.stock(&line), (stocked, reserved - 2));
    let after = order_doc(&admin, &order);
    assert_eq!(after["items"][0]["quantity"], 1);
    let owed = cents(&after["summary"]["pending_difference"]);
    assert_eq!(owed, cents(&after["total"]) - cents(&order["total"]));
    assert!(owed < 0, "the removed units are owed back: {owed}");
    let payment = payment_of(&order);
    admin.post(
        &format!("/admin/payments/{payment}/refund"),
        &json!({"amount": -owed as f64 / 100.0}),
    );
    assert_eq!(
        cents(&order_doc(&admin, &order)["summary"]["pending_difference"]),
        0
    );

    // One unit is fulfilled: the line cannot go below it.
    let path = format!("/admin/orders/{}/fulfillments", id(&order));
    admin.post(&path, &json!({"items": [{"id": line, "quantity": 1}]}));
    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    let reply = admin.refused(
        &edit_path(&order, &format!("/items/item/{line}")),
        &json!({"quantity": 0}),
        400,
        "invalid_data",
    );
    assert_eq!(
        reply["message"],
        format!("Item {line} cannot have a quantity below its fulfilled quantity 1")
    );
    let canceled = admin.call("DELETE", &edit_path(&order, ""), None);
    assert_eq!(
        canceled.json(),
        json!({"id": id(&order), "object": "order-edit", "deleted": true})
    );
    let changes = admin.get(&format!(
        "/admin/orders/{}/changes?change_type=edit",
        id(&order)
    ))["order_changes"]
        .clone();
    let statuses: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["confirmed", "canceled"]);
}

#[test]
fn an_edit_short_of_stock_is_refused_and_writes_nothing() {
    let admin = Admin::start();
    let order = captured_order(&admin, 1);
    let line = id(&order["items"][0]);
    let variant = order["items"][0]["variant_id"]
        .as_str()
        .unwrap()
        .to_string();
    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    let huge = json!({"items": [{"variant_id": variant, "quantity": 1_000_000}]});
    let reply = admin.refused(&edit_path(&order, "/items"), &huge, 400, "not_allowed");
    assert_eq!(reply["code"], "insufficient_inventory", "{reply}");

    admin.post(
        &edit_path(&order, "/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 2}]}),
    );
    // The stock runs out between adding and confirming.
    let out = admin.app.request(
        "POST",
        &format!("/test-control/variants/{variant}/out-of-stock"),
        &[],
        None,
    );
    assert_eq!(out.status, 200, "{}", out.text());
    let before = admin.stock(&line);
    let reply = admin.refused(
        &edit_path(&order, "/confirm"),
        &json!({}),
        400,
        "not_allowed",
    );
    assert_eq!(reply["code"], "insufficient_inventory");
    let after = order_doc(&admin, &order);
    assert_eq!(
        after["items"].as_array().unwrap().len(),
        1,
        "no line was added"
    );
    assert_eq!(after["version"], 1);
    assert_eq!(admin.stock(&line), before);
    let preview = admin.get(&format!("/admin/orders/{}/preview", id(&order)))["order"].clone();
    assert_eq!(
        preview["order_change"]["status"], "pending",
        "the edit stays open"
    );

    admin.refused(
        &edit_path(&order, "/items"),
        &json!({"items": [{"variant_id": "variant_nope", "quantity": 1}]}),
        404,
        "not_found",
    );
    admin.refused(
        "/admin/order-edits",
        &json!({"order_id": id(&order)}),
        400,
        "invalid_data",
    );
    admin.refused(
        "/admin/order-edits",
        &json!({"order_id": "order_nope"}),
        404,
        "not_found",
    );
}

#[test]
fn a_retried_confirmation_with_one_idempotency_key_reserves_once() {
    let admin = Admin::start();
    let order = captured_order(&admin, 1);
    let line = id(&order["items"][0]);
    let (stocked, reserved) = admin.stock(&line);
    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    admin.post(
        &edit_path(&order, &format!("/items/item/{line}")),
        &json!({"quantity": 2}),
    );
    let headers = [
        ("authorization", admin.auth.as_str()),
        ("content-type", "application/json"),
        ("idempotency-key", "edit-once"),
    ];
    for _ in 0..2 {
        let reply = admin
            .app
            .request("POST", &edit_path(&order, "/confirm"), &headers, Some("{}"));
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    assert_eq!(admin.stock(&line), (stocked, reserved + 1));
    assert_eq!(names(&admin, "order-edit."), ["order-edit.confirmed"]);
}

#[test]
fn an_edit_adds_a_shipping_method_alongside_the_order_s_own() {
    let admin = Admin::start();
    let order = captured_order(&admin, 1);
    let option = id(&admin.get("/admin/shipping-options?limit=1")["shipping_options"][0]);
    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    let preview = admin.post(
        &edit_path(&order, "/shipping-method"),
        &json!({"shipping_option_id": option, "custom_amount": 3}),
    )["order_preview"]
        .clone();
    let action = id(&preview["actions"][0]);
    assert_eq!(preview["actions"][0]["action"], "SHIPPING_ADD");
    admin.post(
        &edit_path(&order, &format!("/shipping-method/{action}")),
        &json!({"custom_amount": 7}),
    );
    admin.refused(
        &edit_path(&order, &format!("/shipping-method/{action}")),
        &json!({"custom_amount": -1}),
        400,
        "invalid_data",
    );
    admin.post(&edit_path(&order, "/confirm"), &json!({}));
    let after = order_doc(&admin, &order);
    let methods = after["shipping_methods"].as_array().unwrap();
    assert_eq!(methods.len(), 2, "the order's method stays");
    assert_eq!(methods[1]["amount"], 7);
    assert!(cents(&after["shipping_total"]) >= cents(&order["shipping_total"]) + 700);
    assert_eq!(
        cents(&after["summary"]["pending_difference"]),
        cents(&after["total"]) - cents(&order["total"])
    );

    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    let preview = admin.post(
        &edit_path(&order, "/shipping-method"),
        &json!({"shipping_option_id": option}),
    )["order_preview"]
        .clone();
    let action = id(&preview["actions"][0]);
    let removed = admin.call(
        "DELETE",
        &edit_path(&order, &format!("/shipping-method/{action}")),
        None,
    );
    assert_eq!(removed.status, 200, "{}", removed.text());
    assert!(removed.json()["order_preview"]["actions"].is_null());
}

/// Ten percent on everything, whatever the tax module's rates say.
struct FlatTax;

impl TaxProvider for FlatTax {
    fn id(&self) -> &'static str {
        "tp_flat"
    }
    fn rates_for_line(&self, line: &TaxableLine, _: &[TaxRate]) -> Result<Vec<LineRate>> {
        let name = if line.is_shipping {
            "Flat shipping"
        } else {
            "Flat"
        };
        Ok(vec![LineRate {
            tax_rate_id: None,
            code: "FLAT".into(),
            name: name.into(),
            rate_ppm: 10_000_000,
        }])
    }
}

/// Issue 15 / 20: an edit's new line and new shipping are taxed by the provider the
/// country's tax region names in the engine's registry, as the cart is — not by the system
/// provider behind its back.
#[test]
fn a_registered_tax_provider_taxes_an_edit_s_added_line_and_shipping() {
    let app = common::TestApp::with(
        common::config(),
        stockroom::Engine::builder().tax_provider(FlatTax),
    );
    let auth = format!("Bearer {}", app.admin_token());
    let admin = Admin {
        app,
        auth,
        seen: Default::default(),
    };
    let regions = admin.get("/admin/tax-regions")["tax_regions"].clone();
    let us = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country_code"] == "us")
        .map(id)
        .expect("the US tax region");
    admin.post(
        &format!("/admin/tax-regions/{us}"),
        &json!({"provider_id": "tp_flat"}),
    );
    let order = admin.order(1);
    assert_eq!(order["items"][0]["tax_lines"][0]["code"], "FLAT", "{order}");

    admin.post("/admin/order-edits", &json!({"order_id": id(&order)}));
    let variant = order["items"][0]["variant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let preview = admin.post(
        &edit_path(&order, "/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 1}]}),
    )["order_preview"]
        .clone();
    let added = preview["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(added["tax_lines"][0]["code"], "FLAT", "{added}");
    assert_eq!(added["tax_lines"][0]["provider_id"], "tp_flat");
    let option = id(&admin.get("/admin/shipping-options?limit=1")["shipping_options"][0]);
    admin.post(
        &edit_path(&order, "/shipping-method"),
        &json!({"shipping_option_id": option, "custom_amount": 5}),
    );
    admin.post(&edit_path(&order, "/request"), &json!({}));
    admin.post(&edit_path(&order, "/confirm"), &json!({}));
    let doc = order_doc(&admin, &order);
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["tax_lines"][0]["provider_id"], "tp_flat", "{item}");
        assert_eq!(item["tax_lines"][0]["rate"], 10);
    }
    let methods = doc["shipping_methods"].as_array().unwrap();
    let new = methods.last().unwrap();
    assert_eq!(cents(&new["amount"]), 500);
    assert_eq!(new["tax_lines"][0]["description"], "Flat shipping", "{new}");
    assert_eq!(cents(&new["tax_total"]), 50);
}
