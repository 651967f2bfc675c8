//! Draft orders over HTTP (issue 15, Medusa 2.21.2's `/admin/draft-orders`): created by
//! staff with variant and custom lines, addresses and a shipping method; kept out of
//! `/admin/orders` until converted — the same id, `pending`, a guest customer for its email,
//! its stock reserved — and never converted twice.

use crate::common;

use common::orders::{Admin, id};
use serde_json::{Value, json};

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("a number: {v}")) * 100.0).round() as i64
}

/// `(stocked, reserved)` of a variant's inventory item.
fn variant_stock(admin: &Admin, variant: &str) -> (i64, i64) {
    let sql = format!(
        "SELECT stocked_quantity, reserved_quantity FROM inventory_level WHERE inventory_item_id =
           (SELECT inventory_item_id FROM link_product_variant_inventory_item WHERE variant_id = '{variant}')"
    );
    admin
        .app
        .engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .unwrap()
}

fn usd_region(admin: &Admin) -> String {
    let regions = admin.get("/admin/regions")["regions"].clone();
    let usd = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["currency_code"] == "usd")
        .expect("a usd region");
    id(usd)
}

fn draft_body(admin: &Admin, variant: &str) -> Value {
    json!({
        "email": "phone@example.com",
        "region_id": usd_region(admin),
        "items": [
            {"variant_id": variant, "quantity": 2},
            {"title": "Gift wrap", "unit_price": 5, "quantity": 1},
        ],
        "shipping_address": {"first_name": "Ada", "address_1": "1 Main St", "city": "Austin",
            "country_code": "us", "postal_code": "78701"},
        "shipping_methods": [{"name": "Courier", "amount": 10}],
    })
}

#[test]
fn a_draft_is_kept_apart_then_converted_once_with_its_stock_reserved() {
    let admin = Admin::start();
    let variant = admin.app.variant();
    let orders_before = admin.get("/admin/orders")["count"].clone();
    let (stocked, reserved) = variant_stock(&admin, &variant);

    let draft =
        admin.post("/admin/draft-orders", &draft_body(&admin, &variant))["draft_order"].clone();
    assert_eq!(draft["status"], "draft");
    assert!(
        draft["customer_id"].is_null(),
        "no customer until converted"
    );
    assert_eq!(draft["items"].as_array().unwrap().len(), 2);
    assert_eq!(draft["items"][1]["title"], "Gift wrap");
    assert_eq!(draft["items"][1]["unit_price"], 5);
    assert_eq!(draft["shipping_methods"][0]["amount"], 10);
    let items: i64 = draft["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| cents(&i["total"]))
        .sum();
    assert_eq!(
        cents(&draft["total"]),
        items + cents(&draft["shipping_total"])
    );
    assert!(cents(&draft["shipping_total"]) >= 1000);
    assert_eq!(
        variant_stock(&admin, &variant),
        (stocked, reserved),
        "a draft holds no stock"
    );

    assert_eq!(
        admin.get("/admin/orders")["count"],
        orders_before,
        "drafts are not orders"
    );
    let listed = admin.get("/admin/draft-orders?q=phone@");
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["draft_orders"][0]["id"], id(&draft).as_str());
    let path = format!("/admin/draft-orders/{}", id(&draft));
    assert_eq!(admin.get(&path)["draft_order"]["id"], id(&draft).as_str());

    // A draft holds no reservation: fulfilling or canceling it before conversion is refused.
    let item = draft["items"][0]["id"].as_str().unwrap();
    let fulfill = admin.call(
        "POST",
        &format!("/admin/orders/{}/fulfillments", id(&draft)),
        Some(&json!({"items": [{"id": item, "quantity": 1}]})),
    );
    assert_eq!(fulfill.status, 400, "{}", fulfill.text());
    let cancel = admin.call(
        "POST",
        &format!("/admin/orders/{}/cancel", id(&draft)),
        None,
    );
    assert_eq!(cancel.status, 400, "{}", cancel.text());
    assert_eq!(variant_stock(&admin, &variant), (stocked, reserved));

    let order = admin.post(&format!("{path}/convert-to-order"), &json!({}))["order"].clone();
    assert_eq!(
        (&order["id"], &order["status"]),
        (&draft["id"], &json!("pending"))
    );
    assert!(order["customer_id"].as_str().unwrap().starts_with("cus_"));
    assert_eq!(order["customer"]["email"], "phone@example.com");
    assert_eq!(order["customer"]["has_account"], false, "a guest");
    assert_eq!(variant_stock(&admin, &variant), (stocked, reserved + 2));
    let placed = admin
        .app
        .get("/test-control/events?name=order.placed")
        .json()["events"]
        .clone();
    let ids: Vec<&Value> = placed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["data"]["id"])
        .collect();
    assert_eq!(ids, [&draft["id"]], "placed once, when converted");

    let again = admin.refused(
        &format!("{path}/convert-to-order"),
        &json!({}),
        400,
        "invalid_data",
    );
    assert_eq!(
        again["message"],
        format!("Order {} is not a draft", id(&draft))
    );
    assert_eq!(
        variant_stock(&admin, &variant),
        (stocked, reserved + 2),
        "reserved once"
    );
    assert_eq!(
        admin.call("GET", &path, None).status,
        404,
        "no longer a draft"
    );
    assert_eq!(admin.get("/admin/draft-orders")["count"], 0);
    let orders_now = admin.get("/admin/orders")["count"].as_i64().unwrap();
    assert_eq!(orders_now, orders_before.as_i64().unwrap() + 1);
}

#[test]
fn drafts_are_checked_deleted_and_refused_when_stock_is_short() {
    let admin = Admin::start();
    let variant = admin.app.variant();
    let mut no_contact = draft_body(&admin, &variant);
    no_contact.as_object_mut().unwrap().remove("email");
    let reply = admin.refused("/admin/draft-orders", &no_contact, 400, "invalid_data");
    assert_eq!(
        reply["message"],
        "Either email or customer_id must be provided"
    );
    let mut priceless = draft_body(&admin, &variant);
    priceless["items"] = json!([{"title": "Mystery", "quantity": 1}]);
    let reply = admin.refused("/admin/draft-orders", &priceless, 400, "invalid_data");
    assert_eq!(
        reply["message"],
        "An item needs a variant_id, variant_sku or variant_barcode, or a title and a unit_price"
    );
    let mut two = draft_body(&admin, &variant);
    two["shipping_methods"] = json!([{"name": "A", "amount": 1}, {"name": "B", "amount": 2}]);
    admin.refused("/admin/draft-orders", &two, 400, "invalid_data");
    let mut bogus = draft_body(&admin, &variant);
    bogus["promo_codes"] = json!(["TEN"]);
    admin.refused("/admin/draft-orders", &bogus, 400, "invalid_data");
    let mut nowhere = draft_body(&admin, &variant);
    nowhere["region_id"] = json!("reg_nope");
    admin.refused("/admin/draft-orders", &nowhere, 404, "not_found");
    assert_eq!(
        admin.get("/admin/draft-orders")["count"],
        0,
        "nothing half-created"
    );

    let order = admin.order(1);
    let real = admin.call(
        "DELETE",
        &format!("/admin/draft-orders/{}", id(&order)),
        None,
    );
    assert_eq!(real.status, 404, "a placed order is not a draft");
    assert_eq!(
        admin.get(&format!("/admin/orders/{}", id(&order)))["order"]["status"],
        "pending"
    );
    let draft =
        admin.post("/admin/draft-orders", &draft_body(&admin, &variant))["draft_order"].clone();
    let path = format!("/admin/draft-orders/{}", id(&draft));
    let out = admin.app.request(
        "POST",
        &format!("/test-control/variants/{variant}/out-of-stock"),
        &[],
        None,
    );
    assert_eq!(out.status, 200);
    let short = admin.refused(
        &format!("{path}/convert-to-order"),
        &json!({}),
        400,
        "not_allowed",
    );
    assert_eq!(short["code"], "insufficient_inventory");
    assert_eq!(
        admin.get(&path)["draft_order"]["status"],
        "draft",
        "still a draft"
    );

    let gone = admin.call("DELETE", &path, None);
    assert_eq!(
        gone.json(),
        json!({"id": id(&draft), "object": "draft-order", "deleted": true})
    );
    assert_eq!(admin.call("GET", &path, None).status, 404);
}

#[test]
fn a_draft_is_edited_through_its_edit_routes_without_moving_stock_until_converted() {
    let admin = Admin::start();
    let variant = admin.app.variant();
    let draft =
        admin.post("/admin/draft-orders", &draft_body(&admin, &variant))["draft_order"].clone();
    let base = format!("/admin/draft-orders/{}/edit", id(&draft));
    let line = draft["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["variant_id"] == variant.as_str())
        .map(id)
        .unwrap();
    let refused = admin.refused(
        "/admin/order-edits",
        &json!({"order_id": id(&draft)}),
        400,
        "invalid_data",
    );
    assert_eq!(
        refused["message"],
        format!("Order {} is a draft: edit it as a draft order", id(&draft))
    );
    let (stocked, reserved) = variant_stock(&admin, &variant);

    let begun = admin.post(&base, &json!({}))["draft_order_preview"].clone();
    assert_eq!(begun["order_change"]["change_type"], "edit");
    let preview = admin.post(
        &format!("{base}/items"),
        &json!({"items": [{"variant_id": variant, "quantity": 1}]}),
    )["draft_order_preview"]
        .clone();
    assert_eq!(preview["items"].as_array().unwrap().len(), 3);
    admin.post(
        &format!("{base}/items/item/{line}"),
        &json!({"quantity": 4}),
    );
    let option = id(&admin.get("/admin/shipping-options?limit=1")["shipping_options"][0]);
    admin.post(
        &format!("{base}/shipping-methods"),
        &json!({"shipping_option_id": option, "custom_amount": 3}),
    );
    admin.post(&format!("{base}/request"), &json!({}));
    let confirmed =
        admin.post(&format!("{base}/confirm"), &json!({}))["draft_order_preview"].clone();
    assert_eq!(confirmed["status"], "draft", "still a draft");
    assert_eq!(confirmed["items"].as_array().unwrap().len(), 3);
    assert_eq!(confirmed["shipping_methods"].as_array().unwrap().len(), 2);
    assert_eq!(
        cents(&confirmed["shipping_total"]),
        cents(&draft["shipping_total"]) + 300,
        "{confirmed}"
    );
    assert_eq!(
        variant_stock(&admin, &variant),
        (stocked, reserved),
        "a draft reserves nothing"
    );

    // A second edit, canceled; then the conversion reserves everything the draft holds.
    admin.post(&base, &json!({}));
    let dropped = admin.call("DELETE", &base, None);
    assert_eq!(dropped.status, 200, "{}", dropped.text());
    assert_eq!(
        dropped.json(),
        json!({"id": id(&draft), "object": "draft-order", "deleted": true})
    );
    admin.post(
        &format!("/admin/draft-orders/{}/convert-to-order", id(&draft)),
        &json!({}),
    );
    assert_eq!(
        variant_stock(&admin, &variant),
        (stocked, reserved + 5),
        "4 + 1 units reserved at conversion"
    );
    let order = admin.get(&format!("/admin/orders/{}", id(&draft)))["order"].clone();
    let edit = admin.call(
        "POST",
        &format!("/admin/draft-orders/{}/edit", id(&order)),
        Some(&json!({})),
    );
    assert_eq!(edit.status, 400, "a placed order is edited as an order");
}

/// `(product id, sku)` of a variant.
fn product_and_sku(admin: &Admin, variant: &str) -> (String, String) {
    let sql = format!("SELECT product_id, sku FROM product_variant WHERE id = '{variant}'");
    admin
        .app
        .engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .unwrap()
}

#[test]
fn draft_lines_name_their_variant_by_sku_or_barcode_as_medusa_accepts() {
    let admin = Admin::start();
    let variant = admin.app.variant();
    let (product, sku) = product_and_sku(&admin, &variant);
    admin.post(
        &format!("/admin/products/{product}/variants/{variant}"),
        &json!({"barcode": "4006381333931"}),
    );
    let drafts_before = admin.get("/admin/draft-orders")["count"].clone();
    let mut body = draft_body(&admin, &variant);
    body["items"] = json!([
        {"variant_sku": sku, "quantity": 1},
        {"variant_barcode": "4006381333931", "quantity": 2, "variant_id": null},
        {"sku": sku, "quantity": 1, "barcode": null},
        {"variant_id": variant, "variant_sku": sku, "quantity": 1},
    ]);
    let draft = admin.post("/admin/draft-orders", &body)["draft_order"].clone();
    let lines = draft["items"].as_array().unwrap();
    assert_eq!(lines.len(), 4, "{draft}");
    assert!(
        lines.iter().all(|l| l["variant_id"] == variant.as_str()),
        "{draft}"
    );
    let units: i64 = lines.iter().map(|l| l["quantity"].as_i64().unwrap()).sum();
    assert_eq!(units, 5);

    let mut unknown = draft_body(&admin, &variant);
    unknown["items"] = json!([{"variant_sku": "NO-SUCH-SKU", "quantity": 1}]);
    let reply = admin.refused("/admin/draft-orders", &unknown, 400, "invalid_data");
    assert_eq!(reply["message"], "No variant has the SKU 'NO-SUCH-SKU'");
    unknown["items"] = json!([{"variant_barcode": "000", "quantity": 1}]);
    let reply = admin.refused("/admin/draft-orders", &unknown, 400, "invalid_data");
    assert_eq!(reply["message"], "No variant has the barcode '000'");
    let other = admin.app.variants(1).remove(0);
    unknown["items"] = json!([{"variant_id": other, "variant_sku": sku, "quantity": 1}]);
    let reply = admin.refused("/admin/draft-orders", &unknown, 400, "invalid_data");
    assert!(
        reply["message"].as_str().unwrap().contains("names variant"),
        "{reply}"
    );
    let drafts = admin.get("/admin/draft-orders")["count"].as_i64().unwrap();
    assert_eq!(
        drafts,
        drafts_before.as_i64().unwrap() + 1,
        "a refused draft writes nothing"
    );
}
