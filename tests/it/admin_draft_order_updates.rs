//! A draft order's own routes (issue 15, Medusa 2.21.2): `POST /admin/draft-orders/:id`
//! (details, each registered as an `update_order` change), its edit's promotion codes
//! (re-priced through the cart's promotion computation, usage counted only at conversion)
//! and its existing shipping methods (`…/edit/shipping-methods/method/:method_id`).

use crate::common;

use common::orders::{Admin, id};
use serde_json::{Value, json};

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("a number: {v}")) * 100.0).round() as i64
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

/// A draft of two units of the demo variant, a custom line and a $10 courier.
fn draft(admin: &Admin, extra: Value) -> Value {
    let mut body = json!({
        "email": "phone@example.com",
        "region_id": usd_region(admin),
        "items": [
            {"variant_id": admin.app.variant(), "quantity": 2},
            {"title": "Gift wrap", "unit_price": 5, "quantity": 1},
        ],
        "shipping_address": {"first_name": "Ada", "address_1": "1 Main St", "city": "Austin",
            "country_code": "us", "postal_code": "78701"},
        "shipping_methods": [{"name": "Courier", "amount": 10}],
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    admin.post("/admin/draft-orders", &body)["draft_order"].clone()
}

/// A `percent`-off-the-order promotion; `limit` uses at most.
fn promotion(admin: &Admin, code: &str, percent: f64, limit: Option<i64>) -> String {
    let body = json!({"code": code, "type": "standard", "status": "active", "limit": limit,
        "application_method": {"type": "percentage", "target_type": "order", "value": percent}});
    id(&admin.post("/admin/promotions", &body)["promotion"])
}

fn used(admin: &Admin, code: &str) -> i64 {
    let sql = format!("SELECT used FROM promotion WHERE code = '{code}'");
    admin
        .app
        .engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
        .unwrap()
}

fn delete(admin: &Admin, path: &str, body: &Value) -> Value {
    let reply = admin.call("DELETE", path, Some(body));
    assert_eq!(reply.status, 200, "DELETE {path}: {}", reply.text());
    reply.json()
}

#[test]
fn a_draft_s_details_are_updated_and_each_change_is_registered() {
    let admin = Admin::start();
    let d = draft(&admin, json!({}));
    let path = format!("/admin/draft-orders/{}", id(&d));
    let customer = admin.post(
        "/admin/customers",
        &json!({"email": "grace@example.com", "first_name": "Grace"}),
    )["customer"]
        .clone();
    let updated = admin.post(
        &path,
        &json!({"email": "grace@example.com", "customer_id": id(&customer),
            "metadata": {"source": "phone"},
            "billing_address": {"first_name": "Grace", "city": "Boston", "country_code": "us"},
            "shipping_address": {"city": "Dallas"}}),
    )["draft_order"]
        .clone();
    assert_eq!(updated["status"], "draft");
    assert_eq!(updated["email"], "grace@example.com");
    assert_eq!(updated["customer_id"], id(&customer).as_str());
    assert_eq!(updated["metadata"], json!({"source": "phone"}));
    assert_eq!(updated["billing_address"]["city"], "Boston");
    assert_eq!(updated["shipping_address"]["city"], "Dallas");
    assert_eq!(
        updated["shipping_address"]["address_1"], "1 Main St",
        "the fields not sent are kept"
    );
    assert_eq!(
        updated["total"], d["total"],
        "the same lines, the same total"
    );
    let history = admin.get(&format!(
        "/admin/orders/{}/changes?change_type=update_order",
        id(&d)
    ))["order_changes"]
        .clone();
    let mut kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["actions"][0]["details"]["type"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "billing_address",
            "customer_id",
            "email",
            "metadata",
            "shipping_address"
        ]
    );
    // Medusa's list filters.
    let by = |query: &str| admin.get(&format!("/admin/draft-orders?{query}"))["count"].clone();
    assert_eq!(by(&format!("customer_id={}", id(&customer))), 1);
    assert_eq!(by("customer_id=cus_nobody"), 0);
    assert_eq!(by(&format!("region_id={}", usd_region(&admin))), 1);
    assert_eq!(by("created_at[$lt]=2000-01-01T00:00:00Z"), 0);
    let updates = admin
        .events()
        .into_iter()
        .filter(|(n, e)| n == "order.updated" && e["id"] == d["id"])
        .count();
    assert_eq!(updates, 1, "order.updated once");

    for bad in [
        json!({"email": "not an email"}),
        json!({"status": "pending"}),
    ] {
        let reply = admin.call("POST", &path, Some(&bad));
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text());
    }
    admin.refused(&path, &json!({"customer_id": "cus_nope"}), 404, "not_found");
    admin.refused(
        "/admin/draft-orders/order_nope",
        &json!({"email": "a@example.com"}),
        404,
        "not_found",
    );
    let placed = admin.order(1);
    let refused = admin.refused(
        &format!("/admin/draft-orders/{}", id(&placed)),
        &json!({"email": "a@example.com"}),
        400,
        "invalid_data",
    );
    assert_eq!(refused["message"], "Order is not a draft");
    assert_eq!(
        admin.get(&path)["draft_order"]["email"],
        "grace@example.com",
        "refusals wrote nothing"
    );
}

#[test]
fn a_draft_s_own_shipping_method_is_repriced_and_removed_through_its_edit() {
    let admin = Admin::start();
    let d = draft(&admin, json!({}));
    let method = id(&d["shipping_methods"][0]);
    let base = format!("/admin/draft-orders/{}/edit", id(&d));
    let on_method = format!("{base}/shipping-methods/method/{method}");
    let closed = admin.refused(
        &on_method,
        &json!({"custom_amount": 4}),
        400,
        "invalid_data",
    );
    assert!(
        closed["message"]
            .as_str()
            .unwrap()
            .contains("no active order edit"),
        "{closed}"
    );

    admin.post(&base, &json!({}));
    let preview =
        admin.post(&on_method, &json!({"custom_amount": 4}))["draft_order_preview"].clone();
    assert_eq!(
        cents(&preview["shipping_subtotal"]),
        400,
        "the preview shows the new amount"
    );
    assert_eq!(
        cents(
            &admin.get(&format!("/admin/draft-orders/{}", id(&d)))["draft_order"]["shipping_subtotal"]
        ),
        1000,
        "nothing changes before confirmation"
    );
    let other = draft(&admin, json!({}));
    let foreign = format!(
        "{base}/shipping-methods/method/{}",
        id(&other["shipping_methods"][0])
    );
    admin.refused(&foreign, &json!({"custom_amount": 1}), 400, "invalid_data");
    let confirmed =
        admin.post(&format!("{base}/confirm"), &json!({}))["draft_order_preview"].clone();
    assert_eq!(confirmed["shipping_methods"][0]["amount"], 4);
    assert_eq!(
        cents(&confirmed["total"]),
        cents(&d["total"]) - 600,
        "{confirmed}"
    );

    admin.post(&base, &json!({}));
    let removed = delete(&admin, &on_method, &json!({}))["draft_order_preview"].clone();
    assert_eq!(cents(&removed["shipping_total"]), 0);
    let twice = admin.call("DELETE", &on_method, None);
    assert_eq!(twice.status, 400, "removed once: {}", twice.text());
    admin.post(&format!("{base}/confirm"), &json!({}));
    let after = admin.get(&format!("/admin/draft-orders/{}", id(&d)))["draft_order"].clone();
    assert_eq!(after["shipping_methods"], json!([]));
    assert_eq!(cents(&after["total"]), cents(&removed["total"]));
}

#[test]
fn promotion_codes_reprice_a_draft_through_its_edit_and_count_once_converted() {
    let admin = Admin::start();
    promotion(&admin, "TEN", 10.0, Some(1));
    let d = draft(&admin, json!({}));
    let base = format!("/admin/draft-orders/{}/edit", id(&d));
    let promotions = format!("{base}/promotions");
    let closed = admin.refused(
        &promotions,
        &json!({"promo_codes": ["TEN"]}),
        400,
        "invalid_data",
    );
    assert!(
        closed["message"]
            .as_str()
            .unwrap()
            .contains("no active order edit")
    );

    admin.post(&base, &json!({}));
    let missing = admin.refused(
        &promotions,
        &json!({"promo_codes": ["NOPE", "GONE"]}),
        400,
        "invalid_data",
    );
    assert_eq!(
        missing["message"],
        "Promotion codes \"NOPE\", \"GONE\" not found"
    );
    let body = json!({"code": "SLEEPY", "type": "standard", "status": "draft",
        "application_method": {"type": "percentage", "target_type": "order", "value": 50}});
    admin.post("/admin/promotions", &body);
    let asleep = admin.refused(
        &promotions,
        &json!({"promo_codes": ["SLEEPY"]}),
        400,
        "invalid_data",
    );
    assert_eq!(asleep["message"], "Promotion code \"SLEEPY\" is not active");

    let preview =
        admin.post(&promotions, &json!({"promo_codes": ["TEN"]}))["draft_order_preview"].clone();
    // The custom gift wrap is not discountable: ten percent of the variant's line.
    let tenth = cents(&d["items"][0]["subtotal"]) / 10;
    let off = |doc: &Value| cents(&doc["discount_subtotal"]);
    assert!((off(&preview) - tenth).abs() <= 1, "{preview}");
    assert_eq!(
        admin.get(&format!("/admin/draft-orders/{}", id(&d)))["draft_order"]["total"],
        d["total"],
        "not applied before confirmation"
    );
    let confirmed =
        admin.post(&format!("{base}/confirm"), &json!({}))["draft_order_preview"].clone();
    assert_eq!(
        confirmed["total"], preview["total"],
        "the preview was the outcome"
    );
    let path = format!("/admin/draft-orders/{}", id(&d));
    let doc = admin.get(&path)["draft_order"].clone();
    assert_eq!(off(&doc), off(&preview));
    assert_eq!(doc["summary"]["current_order_total"], doc["total"]);
    assert!(cents(&doc["total"]) < cents(&d["total"]));
    assert_eq!(doc["promotions"][0]["code"], "TEN");
    assert_eq!(used(&admin, "TEN"), 0, "a draft uses nothing yet");

    // Removing restores the draft's prices.
    admin.post(&base, &json!({}));
    let restored =
        delete(&admin, &promotions, &json!({"promo_codes": ["TEN"]}))["draft_order_preview"]
            .clone();
    assert_eq!(restored["total"], d["total"]);
    admin.post(&format!("{base}/confirm"), &json!({}));
    assert_eq!(admin.get(&path)["draft_order"]["total"], d["total"]);

    // Given at creation, counted at conversion; a used-up code refuses the next conversion.
    let first = draft(&admin, json!({"promo_codes": ["TEN"]}));
    assert_eq!(off(&first), off(&preview), "{first}");
    let second = draft(&admin, json!({"promo_codes": ["TEN"]}));
    assert_eq!(used(&admin, "TEN"), 0);
    let order = admin.post(
        &format!("/admin/draft-orders/{}/convert-to-order", id(&first)),
        &json!({}),
    )["order"]
        .clone();
    assert_eq!(order["total"], first["total"]);
    assert_eq!(used(&admin, "TEN"), 1, "counted when converted");
    let refused = admin.refused(
        &format!("/admin/draft-orders/{}/convert-to-order", id(&second)),
        &json!({}),
        400,
        "not_allowed",
    );
    assert!(
        refused["message"].as_str().unwrap().contains("usage limit"),
        "{refused}"
    );
    assert_eq!(
        admin.get(&format!("/admin/draft-orders/{}", id(&second)))["draft_order"]["status"],
        "draft",
        "nothing converted"
    );
    assert_eq!(used(&admin, "TEN"), 1);
}

#[test]
fn a_draft_whose_promotion_was_deactivated_is_not_converted_and_says_what_to_do() {
    let admin = Admin::start();
    let promo = promotion(&admin, "SPRING", 10.0, None);
    let d = draft(&admin, json!({"promo_codes": ["SPRING"]}));
    assert!(cents(&d["discount_subtotal"]) > 0, "{d}");
    admin.post(
        &format!("/admin/promotions/{promo}"),
        &json!({"status": "inactive"}),
    );

    let convert = format!("/admin/draft-orders/{}/convert-to-order", id(&d));
    let refused = admin.refused(&convert, &json!({}), 400, "invalid_data");
    assert_eq!(
        refused["message"],
        format!(
            "Draft order {} cannot be converted: its promotion SPRING is no longer active. \
             Remove it from the draft (edit the draft's promotions) or reactivate it, then \
             convert again",
            id(&d)
        )
    );
    let path = format!("/admin/draft-orders/{}", id(&d));
    assert_eq!(
        admin.get(&path)["draft_order"]["status"],
        "draft",
        "nothing converted"
    );
    assert_eq!(used(&admin, "SPRING"), 0);

    // Done as the message says: the promotion taken off the draft, the draft converts.
    let base = format!("{path}/edit");
    admin.post(&base, &json!({}));
    delete(
        &admin,
        &format!("{base}/promotions"),
        &json!({"promo_codes": ["SPRING"]}),
    );
    admin.post(&format!("{base}/confirm"), &json!({}));
    let order = admin.post(&convert, &json!({}))["order"].clone();
    assert_eq!(order["status"], "pending");
    assert_eq!(cents(&order["discount_subtotal"]), 0);
}
