//! Promotion rules and target rules on carts (issue 14): products by collection and
//! category, customer groups, regions, and a zero-decimal currency.

use crate::common;

use common::orders::Admin;
use serde_json::{Value, json};

fn promotion(a: &Admin, code: &str, method: Value, rules: Value) -> String {
    let body = json!({"code": code, "type": "standard", "status": "active",
        "application_method": method, "rules": rules});
    a.post("/admin/promotions", &body)["promotion"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn one(a: &Admin, sql: &str) -> String {
    let sql = sql.to_string();
    a.app
        .engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
        .unwrap()
}

fn adjusted_lines(cart: &Value) -> Vec<(String, i64)> {
    cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| {
            let a = i["adjustments"].as_array()?.first()?;
            Some((
                i["variant_id"].as_str()?.to_string(),
                (a["amount"].as_f64()? * 100.0).round() as i64,
            ))
        })
        .collect()
}

fn apply(a: &Admin, cart: &str, code: &str) -> Value {
    a.app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({ "promo_codes": [code] }),
    )["cart"]
        .clone()
}

#[test]
fn target_rules_pick_items_by_collection_and_category() {
    let a = Admin::start();
    let (shirt, sweat) = (a.app.variants(0)[0].clone(), a.app.variants(1)[0].clone());
    let product = one(
        &a,
        &format!("SELECT product_id FROM product_variant WHERE id = '{sweat}'"),
    );
    let collection = one(
        &a,
        &format!("SELECT collection_id FROM product WHERE id = '{product}'"),
    );
    let category = one(
        &a,
        &format!(
            "SELECT product_category_id FROM product_category_product WHERE product_id = '{product}'"
        ),
    );
    let method = |rule: Value| {
        json!({"type": "percentage", "target_type": "items", "allocation": "across",
        "value": 10, "target_rules": [rule]})
    };
    promotion(
        &a,
        "WINTER",
        method(
            json!({"attribute": "items.product.collection_id", "operator": "eq", "values": collection}),
        ),
        json!([]),
    );
    promotion(
        &a,
        "SWEATS",
        method(
            json!({"attribute": "items.product.categories.id", "operator": "in", "values": [category]}),
        ),
        json!([]),
    );
    promotion(
        &a,
        "NOTSWEATS",
        method(json!({"attribute": "items.product.id", "operator": "ne", "values": [product]})),
        json!([]),
    );
    let cart = a.app.cart_with("usd", &shirt, 1);
    a.app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": sweat, "quantity": 1}),
    );
    // Only the sweatshirt (39.20) is in the collection: 10% of it alone.
    assert_eq!(
        adjusted_lines(&apply(&a, &cart, "WINTER")),
        vec![(sweat.clone(), 392)]
    );
    let c = a.app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"promo_codes": ["SWEATS"]}),
    )["cart"]
        .clone();
    assert_eq!(adjusted_lines(&c), vec![(sweat.clone(), 392)]);
    let c = a.app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"promo_codes": ["NOTSWEATS"]}),
    )["cart"]
        .clone();
    assert_eq!(adjusted_lines(&c), vec![(shirt, 172)]);
}

#[test]
fn promotion_rules_on_customer_groups_and_regions() {
    let a = Admin::start();
    let (customer, token) = a.app.signup("vip@example.com", "secret-password-1");
    let group = a.post("/admin/customer-groups", &json!({"name": "Gold"}))["customer_group"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.post(
        &format!("/admin/customer-groups/{group}/customers"),
        &json!({"add": [customer]}),
    );
    let method = json!({"type": "percentage", "target_type": "order", "value": 10});
    promotion(
        &a,
        "VIP",
        method.clone(),
        json!([{"attribute": "customer.groups.id", "operator": "in", "values": [group]}]),
    );
    let eur = a.app.region("eur");
    promotion(
        &a,
        "EUROPE",
        method,
        json!([{"attribute": "region.id", "operator": "eq", "values": [eur]}]),
    );
    let variant = a.app.variants(0)[0].clone();
    // A guest's cart does not keep the group's code, nor the other region's.
    let guest = a.app.cart_with("usd", &variant, 1);
    assert_eq!(apply(&a, &guest, "VIP")["promotions"], json!([]));
    assert_eq!(apply(&a, &guest, "EUROPE")["promotions"], json!([]));
    // The group's customer does.
    let made = a.app.store_call("POST", "/store/carts", &token,
        Some(&json!({"region_id": a.app.region("usd"), "items": [{"variant_id": variant, "quantity": 1}]})));
    assert_eq!(made.status, 200, "{}", made.text());
    let mine = made.json()["cart"]["id"].as_str().unwrap().to_string();
    let reply = a.app.store_call(
        "POST",
        &format!("/store/carts/{mine}/promotions"),
        &token,
        Some(&json!({"promo_codes": ["VIP"]})),
    );
    assert_eq!(reply.json()["cart"]["promotions"][0]["code"], "VIP");
    let europe = a.app.cart_with("eur", &variant, 1);
    assert_eq!(
        apply(&a, &europe, "EUROPE")["promotions"][0]["code"],
        "EUROPE"
    );
    // A rule on the shipping country (Medusa's "Country" attribute).
    let in_france =
        json!([{"attribute": "shipping_address.country_code", "operator": "in", "values": ["fr"]}]);
    promotion(
        &a,
        "FRANCE",
        json!({"type": "percentage", "target_type": "order", "value": 5}),
        in_france,
    );
    assert_eq!(
        apply(&a, &europe, "FRANCE")["promotions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    a.app.ok(
        &format!("/store/carts/{europe}"),
        &json!({"shipping_address": {"country_code": "fr"}}),
    );
    assert_eq!(
        apply(&a, &europe, "FRANCE")["promotions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // promo_codes on cart creation apply once the items are in.
    let created = a.app.ok(
        "/store/carts",
        &json!({"region_id": eur, "promo_codes": ["EUROPE"],
        "items": [{"variant_id": variant, "quantity": 1}]}),
    );
    assert_eq!(created["cart"]["promotions"][0]["code"], "EUROPE");
}

#[test]
fn a_zero_decimal_currency_is_discounted_in_whole_yen() {
    let a = Admin::start();
    let region = a.post(
        "/admin/regions",
        &json!({"name": "Japan", "currency_code": "jpy", "countries": ["jp"]}),
    )["region"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let variant = a.app.variants(2)[0].clone();
    let product = one(
        &a,
        &format!("SELECT product_id FROM product_variant WHERE id = '{variant}'"),
    );
    a.post(
        &format!("/admin/products/{product}/variants/{variant}"),
        &json!({"prices": [{"currency_code": "jpy", "amount": 1999}]}),
    );
    let cart = a.app.ok(
        "/store/carts",
        &json!({"region_id": region,
        "items": [{"variant_id": variant, "quantity": 1}]}),
    )["cart"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    promotion(
        &a,
        "YEN15",
        json!({"type": "percentage", "target_type": "order", "value": 15}),
        json!([]),
    );
    promotion(
        &a,
        "YEN500",
        json!({"type": "fixed", "target_type": "order", "value": 500, "currency_code": "jpy"}),
        json!([]),
    );
    promotion(
        &a,
        "USD5",
        json!({"type": "fixed", "target_type": "order", "value": 5, "currency_code": "usd"}),
        json!([]),
    );
    // Medusa applies the larger value first (`sortByBuyGetType` compares the plain values:
    // 500 before 15): ¥500 off, then 15% of the ¥1,499 left = ¥224.85 → ¥225.
    let c = a.app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": ["YEN15", "YEN500", "USD5"]}),
    )["cart"]
        .clone();
    let amounts: Vec<&Value> = c["items"][0]["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["amount"])
        .collect();
    assert_eq!(amounts, [&json!(500), &json!(225)]);
    assert_eq!(
        (&c["discount_total"], &c["total"], &c["currency_code"]),
        (&json!(725), &json!(1274), &json!("jpy"))
    );
    // A fixed value in another currency does not apply.
    assert_eq!(c["promotions"].as_array().unwrap().len(), 2);
    // A yen value with decimals is refused rather than rounded.
    let reply = a.call("POST", "/admin/promotions", Some(&json!({"code": "BAD", "type": "standard",
        "application_method": {"type": "fixed", "target_type": "order", "value": 1.5, "currency_code": "jpy"}})));
    assert_eq!(reply.status, 400, "{}", reply.text());
}

#[test]
fn buy_two_shirts_get_a_sweatshirt_free() {
    let a = Admin::start();
    let (shirt, sweat) = (a.app.variants(0)[0].clone(), a.app.variants(1)[0].clone());
    let product_of = |variant: &str| {
        one(
            &a,
            &format!("SELECT product_id FROM product_variant WHERE id = '{variant}'"),
        )
    };
    let (shirts, sweats) = (product_of(&shirt), product_of(&sweat));
    let body = json!({"code": "B2G1", "type": "buyget", "status": "active",
        "application_method": {"type": "percentage", "target_type": "items",
            "allocation": "each", "value": 100, "max_quantity": 1,
            "apply_to_quantity": 1, "buy_rules_min_quantity": 2,
            "buy_rules": [{"attribute": "items.product.id", "operator": "eq", "values": [shirts]}],
            "target_rules": [{"attribute": "items.product.id", "operator": "eq", "values": [sweats]}]}});
    a.post("/admin/promotions", &body);
    let cart = a.app.cart_with("usd", &shirt, 1);
    let line = a.app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": sweat, "quantity": 1}),
    )["cart"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["variant_id"] == sweat.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Asked of the real Medusa 2.21.2 (the peer, 2026-12-06): with one unit bought the code
    // gives nothing and is not kept; with two, the target line's whole price comes off; and a
    // 50% code applies before a fixed 8 on the same line (13 then 8 off 26). Same here.
    // One shirt is not enough: the code gives nothing, so the cart does not keep it.
    assert!(adjusted_lines(&apply(&a, &cart, "B2G1")).is_empty());
    let shirt_line = a.app.ok(&format!("/store/carts/{cart}"), &json!({}))["cart"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["variant_id"] == shirt.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.app.ok(
        &format!("/store/carts/{cart}/line-items/{shirt_line}"),
        &json!({"quantity": 2}),
    );
    let c = apply(&a, &cart, "B2G1");
    // The sweatshirt (39.20) is free.
    assert_eq!(adjusted_lines(&c), vec![(sweat.clone(), 3920)]);
    assert_eq!(c["promotions"][0]["code"], "B2G1");
    // Two sweatshirts: still one free (max_quantity 1).
    let c = a.app.ok(
        &format!("/store/carts/{cart}/line-items/{line}"),
        &json!({"quantity": 2}),
    )["cart"]
        .clone();
    assert_eq!(adjusted_lines(&c), vec![(sweat, 3920)]);
}
