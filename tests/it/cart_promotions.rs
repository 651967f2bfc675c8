//! Promotions on carts through the Store API (issue 14): codes added, removed and replaced,
//! which codes are refused and which are silently not kept, automatic promotions on every
//! refresh, adjustments and totals to the cent (uneven percentages, lines with different tax
//! rates in a tax-inclusive region, free shipping), and what completion keeps.

use crate::common;

use common::checkout::address;
use common::orders::Admin;
use serde_json::{Value, json};

fn promotion(a: &Admin, code: &str, method: Value) -> String {
    let body =
        json!({"code": code, "type": "standard", "status": "active", "application_method": method});
    a.post("/admin/promotions", &body)["promotion"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn percent_off_order(a: &Admin, code: &str, value: f64) -> String {
    promotion(
        a,
        code,
        json!({"type": "percentage", "target_type": "order", "value": value}),
    )
}

/// A cart in `currency` with one unit of the first variant of each of the first two demo
/// products (usd, on the demo's sale price list: 17.20 and 39.20; eur, tax included: 19.99
/// and 46.99).
fn two_line_cart(a: &Admin, currency: &str) -> String {
    let app = &a.app;
    let cart = app.cart_with(currency, &app.variants(0)[0], 1);
    app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": app.variants(1)[0], "quantity": 1}),
    );
    cart
}

fn codes(a: &Admin, cart: &str, codes: &[&str]) -> Value {
    a.app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({ "promo_codes": codes }),
    )["cart"]
        .clone()
}

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")) * 100.0).round() as i64
}

fn adjustments(cart: &Value) -> Vec<i64> {
    cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["adjustments"].as_array().unwrap().clone())
        .map(|a| cents(&a["amount"]))
        .collect()
}

#[test]
fn a_code_is_applied_then_removed() {
    let a = Admin::start();
    let id = percent_off_order(&a, "TEN", 10.0);
    let cart = two_line_cart(&a, "usd");
    let c = codes(&a, &cart, &["TEN"]);
    // 10% of 56.40 = 5.64, split 17.20 : 39.20 exactly.
    assert_eq!(adjustments(&c), vec![172, 392]);
    let adj = &c["items"][0]["adjustments"][0];
    assert_eq!(
        (&adj["code"], &adj["promotion_id"]),
        (&json!("TEN"), &json!(id))
    );
    assert!(adj["id"].as_str().unwrap().starts_with("caliadj_"));
    assert_eq!(adj["item_id"], c["items"][0]["id"]);
    assert_eq!(
        [
            &c["discount_total"],
            &c["discount_subtotal"],
            &c["item_total"],
            &c["total"]
        ],
        [&json!(5.64), &json!(5.64), &json!(50.76), &json!(50.76)]
    );
    assert_eq!(
        (&c["item_subtotal"], &c["original_total"]),
        (&json!(56.4), &json!(56.4))
    );
    assert_eq!(c["items"][1]["discount_total"], 3.92);
    assert_eq!(c["promotions"][0]["code"], "TEN");
    // Refreshes keep the code: a quantity change recomputes the adjustments.
    let line = c["items"][0]["id"].as_str().unwrap();
    let more = a.app.ok(
        &format!("/store/carts/{cart}/line-items/{line}"),
        &json!({"quantity": 2}),
    )["cart"]
        .clone();
    assert_eq!(adjustments(&more), vec![344, 392]);
    let reply = a.app.store_with(
        "DELETE",
        &format!("/store/carts/{cart}/promotions"),
        &[],
        Some(&json!({"promo_codes": ["TEN"]})),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let c = reply.json()["cart"].clone();
    assert_eq!(
        (adjustments(&c), c["total"].clone(), c["promotions"].clone()),
        (Vec::<i64>::new(), json!(73.6), json!([]))
    );
}

#[test]
fn unknown_codes_are_refused_and_codes_that_give_nothing_are_not_kept() {
    let a = Admin::start();
    let cart = two_line_cart(&a, "usd");
    let reply = a.app.store_post(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": ["NOPE"]}),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({"type": "invalid_data", "message": "The promotion code NOPE is invalid"})
    );
    a.post(
        "/admin/promotions",
        &json!({"code": "DRAFT", "type": "standard",
        "application_method": {"type": "percentage", "target_type": "order", "value": 10}}),
    );
    let eur_only = json!({"code": "EURO", "type": "standard", "status": "active",
        "application_method": {"type": "percentage", "target_type": "order", "value": 10},
        "rules": [{"attribute": "currency_code", "operator": "eq", "values": "eur"}]});
    a.post("/admin/promotions", &eur_only);
    let c = codes(&a, &cart, &["DRAFT", "EURO"]);
    assert_eq!(
        (adjustments(&c), c["promotions"].clone()),
        (Vec::<i64>::new(), json!([]))
    );
    // promo_codes on the cart replaces the set.
    percent_off_order(&a, "A", 10.0);
    percent_off_order(&a, "B", 20.0);
    codes(&a, &cart, &["A"]);
    let c = a.app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"promo_codes": ["B"]}),
    )["cart"]
        .clone();
    let kept: Vec<&Value> = c["promotions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["code"])
        .collect();
    assert_eq!(kept, [&json!("B")]);
    let c = a
        .app
        .ok(&format!("/store/carts/{cart}"), &json!({"promo_codes": []}))["cart"]
        .clone();
    assert_eq!(c["discount_total"], 0);
}

#[test]
fn uneven_percentages_and_per_unit_amounts_are_exact() {
    let a = Admin::start();
    promotion(
        &a,
        "SEVEN",
        json!({"type": "percentage", "target_type": "items", "allocation": "across", "value": 7}),
    );
    let cart = two_line_cart(&a, "usd");
    // 7% of 56.40 = 3.948 → 3.95, split 1.2046 / 2.7454 → 1.20 + 2.75 (the leftover cent
    // goes to the larger remainder), adding up to the total exactly; rounding each line
    // (1.20 + 2.74) would lose a cent.
    let c = codes(&a, &cart, &["SEVEN"]);
    assert_eq!(adjustments(&c), vec![120, 275]);
    assert_eq!(c["discount_total"], 3.95);
    // 5.00 off each of at most two units per line: 3 T-shirts get 10.00 off, not 15.00.
    promotion(
        &a,
        "FIVE",
        json!({"type": "fixed", "target_type": "items", "allocation": "each",
        "max_quantity": 2, "value": 5, "currency_code": "usd"}),
    );
    let three = a.app.cart_with("usd", &a.app.variants(0)[0], 3);
    let c = codes(&a, &three, &["FIVE"]);
    assert_eq!(adjustments(&c), vec![1000]);
    assert_eq!(cents(&c["item_subtotal"]) - 1000, cents(&c["total"]));
    // 33% of one 17.20 T-shirt is 5.676 → 5.68 (half up).
    promotion(
        &a,
        "THIRD",
        json!({"type": "percentage", "target_type": "items", "allocation": "each",
        "max_quantity": 1, "value": 33}),
    );
    let one = a.app.cart_with("usd", &a.app.variants(0)[0], 1);
    assert_eq!(adjustments(&codes(&a, &one, &["THIRD"])), vec![568]);
}

#[test]
fn lines_with_different_tax_rates_are_discounted_before_tax() {
    let a = Admin::start();
    let sweatshirt = a.app.variants(1)[0].clone();
    let product = a.app.store_get("/store/products?limit=1&offset=1").json()["products"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ctx = a.app.engine().ctx().clone();
    a.app
        .engine()
        .store()
        .write(move |tx| {
            use stockroom::modules::tax;
            let region = tax::region_for(tx, "de", None)?.expect("the demo's de tax region");
            let rate = tax::NewRate {
                rate: stockroom::money::Rate::parse_percent("7").ok(),
                code: "REDUCED".into(),
                name: "Reduced".into(),
                rules: vec![("product".into(), product)],
                ..tax::NewRate::default()
            };
            tax::create_rate(tx, &ctx, &region.id, &rate).map(|_| ())
        })
        .unwrap();
    percent_off_order(&a, "TEN", 10.0);
    let cart = two_line_cart(&a, "eur");
    a.app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"shipping_address": address("de")}),
    );
    let c = codes(&a, &cart, &["TEN"]);
    assert_eq!(c["items"][1]["variant_id"], sweatshirt);
    assert_eq!(
        (
            cents(&c["items"][0]["tax_lines"][0]["rate"]),
            cents(&c["items"][1]["tax_lines"][0]["rate"])
        ),
        (1900, 700)
    );
    // Tax-inclusive 19.99 @19% = 16.80 + 3.19; 46.99 @7% = 43.92 + 3.07. 10% of the
    // subtotals (60.72) is 6.072 → 6.07, split 1.6794 / 4.3906 → 1.68 + 4.39.
    assert_eq!(adjustments(&c), vec![168, 439]);
    let (t, s) = (&c["items"][0], &c["items"][1]);
    // Tax on what is left: 15.12 × 19% = 2.87; 39.53 × 7% = 2.77.
    assert_eq!(
        [
            cents(&t["tax_total"]),
            cents(&t["total"]),
            cents(&t["discount_tax_total"])
        ],
        [287, 1799, 32]
    );
    assert_eq!(
        [
            cents(&s["tax_total"]),
            cents(&s["total"]),
            cents(&s["discount_tax_total"])
        ],
        [277, 4230, 30]
    );
    assert_eq!(
        [
            &c["item_subtotal"],
            &c["discount_subtotal"],
            &c["discount_tax_total"],
            &c["discount_total"],
            &c["item_tax_total"],
            &c["item_total"]
        ],
        [
            &json!(60.72),
            &json!(6.07),
            &json!(0.62),
            &json!(6.69),
            &json!(5.64),
            &json!(60.29)
        ]
    );
    assert_eq!(
        cents(&c["original_item_total"]) - cents(&c["item_discount_total"]),
        cents(&c["item_total"])
    );
}

#[test]
fn free_shipping_and_automatic_promotions() {
    let a = Admin::start();
    // FREESHIP is one of the demo's codes: 100% off each shipping method.
    let cart = a.app.cart_with("usd", &a.app.variants(0)[0], 1);
    a.app.ready(&cart, "us", "pp_system_default");
    let c = codes(&a, &cart, &["FREESHIP"]);
    let method = &c["shipping_methods"][0];
    assert_eq!(
        (&method["adjustments"][0]["code"], &method["amount"]),
        (&json!("FREESHIP"), &json!(10))
    );
    assert!(
        method["adjustments"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("casmadj_")
    );
    assert_eq!(
        (
            &c["shipping_discount_total"],
            &c["shipping_total"],
            &c["total"]
        ),
        (&json!(10), &json!(0), &json!(17.2))
    );
    // The payment collection follows the discounted total.
    assert_eq!(c["payment_collection"]["amount"], 17.2);
    // An active automatic promotion applies on the next refresh without a code…
    let auto = a.post(
        "/admin/promotions",
        &json!({"code": "AUTO5", "type": "standard", "status": "active",
        "is_automatic": true, "application_method": {"type": "fixed", "target_type": "order",
        "value": 5, "currency_code": "usd"}}),
    )["promotion"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let c = a.app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"metadata": {"n": 1}}),
    )["cart"]
        .clone();
    assert_eq!(
        (adjustments(&c), c["total"].clone()),
        (vec![500], json!(12.2))
    );
    assert_eq!(c["promotions"].as_array().unwrap().len(), 2);
    // …and is dropped once it is no longer active, as a deleted promotion is.
    a.post(
        &format!("/admin/promotions/{auto}"),
        &json!({"status": "inactive"}),
    );
    let c = a.app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"metadata": {"n": 2}}),
    )["cart"]
        .clone();
    assert!(adjustments(&c).is_empty());
    let ship = a.get("/admin/promotions?code=FREESHIP")["promotions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.call("DELETE", &format!("/admin/promotions/{ship}"), None);
    let c = a.app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"metadata": {"n": 3}}),
    )["cart"]
        .clone();
    assert_eq!(
        (c["shipping_total"].clone(), c["promotions"].clone()),
        (json!(10), json!([]))
    );
}

#[test]
fn concurrent_code_updates_never_duplicate_adjustments() {
    // Medusa issue #15360: concurrent promotion updates of one cart left duplicate
    // adjustments. Here every cart change is one write job on the single writer.
    let a = Admin::start();
    percent_off_order(&a, "TEN", 10.0);
    let cart = two_line_cart(&a, "usd");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let (app, cart) = (&a.app, &cart);
                s.spawn(move || {
                    app.store_post(
                        &format!("/store/carts/{cart}/promotions"),
                        &json!({"promo_codes": ["TEN"]}),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let c = a.app.store_get(&format!("/store/carts/{cart}")).json()["cart"].clone();
    assert_eq!(adjustments(&c), vec![172, 392]);
    assert_eq!(c["discount_total"], 5.64);
}

#[test]
fn a_target_rule_on_the_shipping_option_type_picks_methods_by_type() {
    let a = Admin::start();
    let cart = a.app.cart_with("usd", &a.app.variants(0)[0], 1);
    a.app.ready(&cart, "us", "pp_system_default");
    let option = a.app.ok(&format!("/store/carts/{cart}"), &json!({}))["cart"]["shipping_methods"]
        [0]["shipping_option_id"]
        .as_str()
        .unwrap()
        .to_string();
    let type_id =
        a.get(&format!("/admin/shipping-options/{option}"))["shipping_option"]["type"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    let method = |type_id: &str| {
        json!({"type": "percentage", "target_type": "shipping_methods", "allocation": "each",
            "max_quantity": 1, "value": 50, "target_rules": [{"operator": "in",
            "attribute": "shipping_methods.shipping_option.shipping_option_type_id",
            "values": [type_id]}]})
    };
    promotion(&a, "HALFSHIP", method(&type_id));
    promotion(&a, "OTHERTYPE", method("sotype_not_this_one"));
    let c = codes(&a, &cart, &["OTHERTYPE"]);
    assert_eq!(
        c["shipping_discount_total"],
        json!(0),
        "another type: nothing"
    );
    let c = codes(&a, &cart, &["HALFSHIP"]);
    assert_eq!(
        (
            &c["shipping_methods"][0]["adjustments"][0]["code"],
            &c["shipping_discount_total"]
        ),
        (&json!("HALFSHIP"), &json!(5))
    );
}
