//! The admin UI's after-sales forms on an order's page — a return requested and received,
//! an exchange and a claim created and confirmed or canceled, an order edit previewed and
//! confirmed — and draft orders (list, create, convert): each form runs the Admin API's
//! workflows (checked through the Admin API afterwards), a refusal is shown on the form's
//! page and leaves no half-built change behind, and every form needs the CSRF token.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::Browser;
use common::after_sales::fulfilled_order;
use common::orders::{Admin, id, payment_of};
use serde_json::{Value, json};

fn signed_in(admin: &Admin) -> Browser<'_> {
    let mut browser = Browser::new(&admin.app);
    browser.sign_in();
    browser
}

/// The SKU of an order's first line (from the admin order document).
fn sku_of(admin: &Admin, order: &str) -> String {
    let doc = admin.get(&format!("/admin/orders/{order}"))["order"].clone();
    doc["items"][0]["variant_sku"].as_str().unwrap().to_string()
}

fn location(admin: &Admin) -> String {
    id(&admin.get("/admin/stock-locations?limit=1")["stock_locations"][0])
}

fn returns_of(admin: &Admin, order: &str) -> Vec<Value> {
    admin.get(&format!("/admin/returns?order_id={order}"))["returns"]
        .as_array()
        .unwrap()
        .clone()
}

fn open_changes(admin: &Admin, order: &str) -> usize {
    admin.get(&format!("/admin/orders/{order}/changes"))["order_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| matches!(c["status"].as_str(), Some("pending" | "requested")))
        .count()
}

#[track_caller]
fn redirected(reply: &common::client::Reply, to: &str) {
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(reply.header("location"), Some(to));
}

#[test]
fn a_return_is_requested_received_and_its_refund_offered() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let oid = id(&order);
    let reason = id(&admin.post(
        "/admin/return-reasons",
        &json!({"value": "too_big", "label": "Too big"}),
    )["return_reason"]);
    let mut browser = signed_in(&admin);
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    assert!(page.contains("Request a return") && page.contains("Too big"));
    let (stocked, _) = admin.stock(&line);

    let requested = browser.submit(
        &format!("/app/orders/{oid}/returns"),
        &[
            (&format!("return_{line}"), "1"),
            ("reason_id", &reason),
            ("location_id", &location(&admin)),
            ("shipping_option_id", ""),
            ("note", "Sleeves too long"),
        ],
    );
    redirected(
        &requested,
        &format!("/app/orders/{oid}?done=return_requested"),
    );
    let returns = returns_of(&admin, &oid);
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0]["status"], "requested");
    let rid = id(&returns[0]);
    let page = browser
        .get(&format!("/app/orders/{oid}?done=return_requested"))
        .text();
    assert!(page.contains("Return requested."));
    assert!(page.contains("Receive return 1"), "the receive form");
    assert!(page.contains("Too big"), "the item's reason");

    let received = browser.submit(
        &format!("/app/orders/{oid}/returns/{rid}/receive"),
        &[
            (&format!("received_{line}"), "1"),
            (&format!("damaged_{line}"), "0"),
        ],
    );
    redirected(
        &received,
        &format!("/app/orders/{oid}?done=return_received"),
    );
    assert_eq!(returns_of(&admin, &oid)[0]["status"], "received");
    // A return is received on its own order's page only.
    let other = id(&admin.order(1));
    let elsewhere = browser.submit(
        &format!("/app/orders/{other}/returns/{rid}/receive"),
        &[(&format!("received_{line}"), "1")],
    );
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.text());
    let missing = browser.submit(
        &format!("/app/orders/{oid}/returns/return_missing/receive"),
        &[(&format!("received_{line}"), "1")],
    );
    assert_eq!(missing.status, 404);
    assert_eq!(admin.stock(&line).0, stocked + 1, "back on the shelf");
    assert_eq!(open_changes(&admin, &oid), 0);

    // The summary owes the returned unit back; the refund form offers exactly that.
    let summary = admin.get(&format!("/admin/orders/{oid}"))["order"]["summary"].clone();
    let owed = -summary["pending_difference"].as_f64().unwrap();
    assert!(owed > 0.0, "{summary}");
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    assert!(page.contains("Pending difference"));
    let prefilled = format!("value=\"{owed:.2}\"");
    assert!(page.contains(&prefilled), "refund prefilled with {owed:.2}");
    let payment = payment_of(&order);
    let refunded = browser.submit(
        &format!("/app/orders/{oid}/payments/{payment}/refund"),
        &[("amount", &format!("{owed:.2}"))],
    );
    redirected(&refunded, &format!("/app/orders/{oid}?done=refunded"));
    let summary = admin.get(&format!("/admin/orders/{oid}"))["order"]["summary"].clone();
    assert_eq!(summary["pending_difference"], 0, "{summary}");
}

#[test]
fn a_refused_return_shows_why_and_leaves_nothing_open() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 1);
    let oid = id(&order);
    let mut browser = signed_in(&admin);
    let path = format!("/app/orders/{oid}/returns");
    let too_many = browser.submit(
        &path,
        &[
            (&format!("return_{line}"), "5"),
            ("location_id", &location(&admin)),
        ],
    );
    assert_eq!(too_many.status, 400, "{}", too_many.text());
    assert!(too_many.text().contains("role=\"alert\""));
    assert_eq!(open_changes(&admin, &oid), 0, "the begun return was undone");
    let nothing = browser.submit(&path, &[(&format!("return_{line}"), "0")]);
    assert_eq!(nothing.status, 400);
    assert!(
        nothing
            .text()
            .contains("Choose at least one item to return")
    );
    let negative = browser.submit(&path, &[(&format!("return_{line}"), "-1")]);
    assert!(negative.text().contains("cannot be negative"));
    assert!(
        returns_of(&admin, &oid)
            .iter()
            .all(|r| r["status"] == "canceled")
    );
}

#[test]
fn an_order_edit_is_previewed_then_confirmed() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 1);
    let oid = id(&order);
    let sku = sku_of(&admin, &oid);
    let mut browser = signed_in(&admin);
    let begun = browser.submit(&format!("/app/orders/{oid}/edit"), &[]);
    redirected(&begun, &format!("/app/orders/{oid}?done=edit_begun"));
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    assert!(page.contains("Open order edit") && page.contains("Confirm order edit"));
    assert!(!page.contains("Request a return"), "one change at a time");

    let added = browser.submit(
        &format!("/app/orders/{oid}/edit/items"),
        &[("sku", &sku), ("quantity", "2")],
    );
    redirected(&added, &format!("/app/orders/{oid}?done=edit_updated"));
    let unknown = browser.submit(
        &format!("/app/orders/{oid}/edit/items"),
        &[("sku", "NO-SUCH-SKU"), ("quantity", "1")],
    );
    assert_eq!(unknown.status, 400);
    assert!(unknown.text().contains("No variant has the SKU or barcode"));
    let below = browser.submit(
        &format!("/app/orders/{oid}/edit/quantities"),
        &[(&format!("edit_{line}"), "0")],
    );
    assert_eq!(below.status, 400, "below the fulfilled quantity");
    let preview = admin.get(&format!("/admin/orders/{oid}/preview"))["order"].clone();
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    assert!(page.contains("New total") && page.contains("item add"));
    let new_total = preview["total"].as_f64().unwrap();
    assert!(
        page.contains(&format!("{new_total:.2} USD")),
        "the preview's total {new_total}"
    );

    let confirmed = browser.submit(&format!("/app/orders/{oid}/changes/confirm"), &[]);
    redirected(
        &confirmed,
        &format!("/app/orders/{oid}?done=change_confirmed"),
    );
    let after = admin.get(&format!("/admin/orders/{oid}"))["order"].clone();
    assert_eq!(after["items"].as_array().unwrap().len(), 2);
    assert_eq!(after["total"].as_f64().unwrap(), new_total);
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    let before = order["total"].as_f64().unwrap();
    assert!(
        page.contains(&format!(
            "<dt>Before the last change</dt><dd>{before:.2} USD</dd>"
        )),
        "the summary's total before the edit, {before}"
    );
    let names: Vec<String> = admin.events().into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"order-edit.requested".to_string()));
    assert!(names.contains(&"order-edit.confirmed".to_string()));
    assert_eq!(open_changes(&admin, &oid), 0);
}

#[test]
fn exchanges_and_claims_are_created_then_confirmed_or_canceled() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let oid = id(&order);
    let sku = sku_of(&admin, &oid);
    let mut browser = signed_in(&admin);
    let created = browser.submit(
        &format!("/app/orders/{oid}/exchanges"),
        &[
            (&format!("exchange_in_{line}"), "1"),
            ("sku", &sku),
            ("quantity", "1"),
        ],
    );
    redirected(
        &created,
        &format!("/app/orders/{oid}?done=exchange_created"),
    );
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    assert!(page.contains("Open exchange") && page.contains("Confirm exchange"));
    let confirmed = browser.submit(&format!("/app/orders/{oid}/changes/confirm"), &[]);
    redirected(
        &confirmed,
        &format!("/app/orders/{oid}?done=change_confirmed"),
    );
    let exchanges = admin.get(&format!("/admin/exchanges?order_id={oid}"))["exchanges"].clone();
    assert_eq!(exchanges.as_array().unwrap().len(), 1);
    assert!(exchanges[0]["canceled_at"].is_null(), "{}", exchanges[0]);
    assert_eq!(open_changes(&admin, &oid), 0);

    let claim = browser.submit(
        &format!("/app/orders/{oid}/claims"),
        &[
            (&format!("claim_in_{line}"), "1"),
            ("type", "replace"),
            ("reason", "production_failure"),
            ("sku", &sku),
        ],
    );
    redirected(&claim, &format!("/app/orders/{oid}?done=claim_created"));
    assert_eq!(open_changes(&admin, &oid), 1);
    let canceled = browser.submit(&format!("/app/orders/{oid}/changes/cancel"), &[]);
    redirected(
        &canceled,
        &format!("/app/orders/{oid}?done=change_canceled"),
    );
    assert_eq!(open_changes(&admin, &oid), 0);
    let bad_reason = browser.submit(
        &format!("/app/orders/{oid}/claims"),
        &[(&format!("claim_in_{line}"), "1"), ("reason", "whim")],
    );
    assert_eq!(bad_reason.status, 400, "{}", bad_reason.text());
    assert_eq!(open_changes(&admin, &oid), 0, "the begun claim was undone");
    let nothing = browser.submit(&format!("/app/orders/{oid}/changes/confirm"), &[]);
    assert!(nothing.text().contains("has no open change"));
}

#[test]
fn after_sales_forms_need_the_csrf_token() {
    let admin = Admin::start();
    let (order, _) = fulfilled_order(&admin, 1);
    let oid = id(&order);
    let mut browser = signed_in(&admin);
    for path in [
        format!("/app/orders/{oid}/returns"),
        format!("/app/orders/{oid}/edit"),
        format!("/app/orders/{oid}/exchanges"),
        format!("/app/orders/{oid}/claims"),
        format!("/app/orders/{oid}/changes/confirm"),
        "/app/draft-orders".to_string(),
    ] {
        let reply = browser.post(&path, &[("_csrf", "forged")]);
        assert_eq!(reply.status, 403, "{path}");
    }
    assert_eq!(open_changes(&admin, &oid), 0);
}

#[test]
fn a_draft_order_is_created_listed_and_converted() {
    let admin = Admin::start();
    let placed = admin.order(1);
    let sku = sku_of(&admin, &id(&placed));
    let region = placed["region_id"].as_str().unwrap().to_string();
    let mut browser = signed_in(&admin);
    let form = browser.get("/app/draft-orders/new").text();
    assert!(form.contains("Customer email") && form.contains("Item 1 SKU or barcode"));
    let address = [
        ("first_name", "Ada"),
        ("address_1", "1 Main St"),
        ("city", "Austin"),
        ("postal_code", "78701"),
        ("country_code", "US"),
    ];
    let mut fields = vec![
        ("email", "phone@example.com"),
        ("region_id", region.as_str()),
        ("sku_1", sku.as_str()),
        ("quantity_1", "2"),
    ];
    fields.extend(address);
    let unknown = browser.submit(
        "/app/draft-orders",
        &[
            ("email", "x@example.com"),
            ("region_id", &region),
            ("sku_1", "NOPE"),
        ],
    );
    assert_eq!(unknown.status, 400);
    assert!(unknown.text().contains("No variant has the SKU or barcode"));
    assert!(unknown.text().contains("value=\"x@example.com\""), "kept");

    let created = browser.submit("/app/draft-orders", &fields);
    assert_eq!(created.status, 303, "{}", created.text());
    let location = created.header("location").unwrap().to_string();
    let draft = location
        .trim_start_matches("/app/draft-orders/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let listed = browser.get("/app/draft-orders?q=phone").text();
    assert!(listed.contains(&format!("/app/draft-orders/{draft}")));
    assert!(
        browser
            .get("/app/draft-orders?q=nobody")
            .text()
            .contains("No draft orders match.")
    );
    assert_eq!(browser.get("/app/draft-orders?sort=sideways").status, 400);
    let page = browser.get(&format!("/app/draft-orders/{draft}")).text();
    assert!(page.contains("Convert to order") && page.contains("phone@example.com"));
    let api = admin.get(&format!("/admin/draft-orders/{draft}"))["draft_order"].clone();
    assert_eq!(api["items"][0]["quantity"], 2);

    let converted = browser.submit(&format!("/app/draft-orders/{draft}/convert"), &[]);
    redirected(&converted, &format!("/app/orders/{draft}?done=converted"));
    let now = admin.get(&format!("/admin/orders/{draft}"))["order"].clone();
    assert_eq!(now["status"], "pending");
    assert_eq!(
        browser.get(&format!("/app/draft-orders/{draft}")).status,
        404
    );
    let again = browser.submit(&format!("/app/draft-orders/{draft}/convert"), &[]);
    assert_eq!(again.status, 404, "converted once");
}

/// A return shipping option (is_return = true) at $5 in the demo's first service zone.
fn return_option(admin: &Admin) -> String {
    let some = admin.get("/admin/shipping-options?limit=1")["shipping_options"][0].clone();
    let location = location(admin);
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

/// The actions of the order's open change, by kind, sorted.
fn open_actions(admin: &Admin, order: &str) -> Vec<String> {
    let changes = admin.get(&format!("/admin/orders/{order}/changes"))["order_changes"].clone();
    let open = changes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "pending")
        .cloned()
        .expect("an open change");
    let mut kinds: Vec<String> = open["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    kinds
}

#[test]
fn an_exchange_form_sends_several_new_items_with_shipping_both_ways() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let oid = id(&order);
    let sku = sku_of(&admin, &oid);
    let back = return_option(&admin);
    let out = id(&admin.get("/admin/shipping-options?limit=1")["shipping_options"][0]);
    let mut browser = signed_in(&admin);
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    for label in [
        "Exchange new item 2 SKU or barcode",
        "Exchange outbound shipping",
        "Claim return shipping",
        "Return by post",
    ] {
        assert!(page.contains(label), "the form offers {label}");
    }
    let created = browser.submit(
        &format!("/app/orders/{oid}/exchanges"),
        &[
            (&format!("exchange_in_{line}"), "1"),
            ("sku", &sku),
            ("quantity", "1"),
            ("sku_2", &sku),
            ("quantity_2", "2"),
            ("sku_3", ""),
            ("quantity_3", "1"),
            ("return_shipping_option_id", &back),
            ("shipping_option_id", &out),
        ],
    );
    redirected(
        &created,
        &format!("/app/orders/{oid}?done=exchange_created"),
    );
    assert_eq!(
        open_actions(&admin, &oid),
        [
            "ITEM_ADD",
            "ITEM_ADD",
            "RETURN_ITEM",
            "SHIPPING_ADD",
            "SHIPPING_ADD"
        ]
    );
    let confirmed = browser.submit(&format!("/app/orders/{oid}/changes/confirm"), &[]);
    redirected(
        &confirmed,
        &format!("/app/orders/{oid}?done=change_confirmed"),
    );
    let exchanges = admin.get(&format!("/admin/exchanges?order_id={oid}"))["exchanges"].clone();
    let sent = exchanges[0]["additional_items"].as_array().unwrap();
    let units: i64 = sent.iter().map(|i| i["quantity"].as_i64().unwrap()).sum();
    assert_eq!((sent.len(), units), (2, 3), "{exchanges}");
    // A claim whose second new item is unknown is refused before anything is begun.
    let refused = browser.submit(
        &format!("/app/orders/{oid}/claims"),
        &[
            (&format!("claim_in_{line}"), "1"),
            ("type", "replace"),
            ("reason", "production_failure"),
            ("sku", &sku),
            ("sku_2", "NO-SUCH-SKU"),
        ],
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert!(
        refused
            .text()
            .contains("No variant has the SKU or barcode 'NO-SUCH-SKU'")
    );
    assert_eq!(open_changes(&admin, &oid), 0);
}

/// `(for, text)` of every `<label for="…">text</label>` and every `id="…"` of a page.
fn labels_and_ids(page: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mut labels = Vec::new();
    for chunk in page.split("<label for=\"").skip(1) {
        let (target, rest) = chunk.split_once('"').unwrap();
        let text = rest[1..].split("</label>").next().unwrap();
        labels.push((target.to_string(), text.to_string()));
    }
    let ids = page
        .split(" id=\"")
        .skip(1)
        .map(|c| c.split('"').next().unwrap().to_string())
        .collect();
    (labels, ids)
}

#[test]
fn two_returns_awaiting_receipt_have_labels_and_ids_of_their_own() {
    let admin = Admin::start();
    let (order, line) = fulfilled_order(&admin, 2);
    let oid = id(&order);
    for _ in 0..2 {
        let begun = admin.post("/admin/returns", &json!({"order_id": oid}));
        let rid = id(&begun["return"]);
        admin.post(
            &format!("/admin/returns/{rid}/request-items"),
            &json!({"items": [{"id": line, "quantity": 1}]}),
        );
        admin.post(&format!("/admin/returns/{rid}/request"), &json!({}));
    }
    let mut browser = signed_in(&admin);
    let page = browser.get(&format!("/app/orders/{oid}")).text();
    assert!(page.contains("Receive return 1") && page.contains("Receive return 2"));
    let (labels, ids) = labels_and_ids(&page);
    assert!(labels.len() > 8, "{labels:?}");
    let mut texts: Vec<&str> = labels.iter().map(|(_, t)| t.as_str()).collect();
    texts.sort_unstable();
    let before = texts.len();
    texts.dedup();
    assert_eq!(texts.len(), before, "a label text repeats: {labels:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "an id repeats");
    for (target, text) in &labels {
        assert!(
            ids.contains(target),
            "label {text:?} names no field {target}"
        );
    }
}
