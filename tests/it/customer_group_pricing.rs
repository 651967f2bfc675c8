//! A sale price list restricted to a customer group (issue 14): its price shows in
//! `/store/products` (`calculated_price`) and applies in the cart only for signed-in members
//! of the group; a guest cart taken over by a member is re-priced.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

const REGION_FIELDS: &str = "fields=*variants.calculated_price&limit=1";

fn usd_region(app: &TestApp) -> String {
    let regions = app.store_get("/store/regions").json();
    regions["regions"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["currency_code"] == "usd"))
        .and_then(|r| r["id"].as_str())
        .expect("a usd region")
        .to_string()
}

/// The first product's first variant id and its calculated amount for `token` (or a guest).
fn first_price(app: &TestApp, region: &str, token: Option<&str>) -> (String, f64) {
    let path = format!("/store/products?region_id={region}&{REGION_FIELDS}");
    let reply = match token {
        Some(token) => app.store_call("GET", &path, token, None),
        None => app.store_get(&path),
    };
    let variant = &reply.json()["products"][0]["variants"][0];
    (
        variant["id"].as_str().expect("variant").to_string(),
        variant["calculated_price"]["calculated_amount"]
            .as_f64()
            .expect("a calculated amount"),
    )
}

fn line_price(cart: &Value) -> f64 {
    cart["cart"]["items"][0]["unit_price"]
        .as_f64()
        .expect("unit price")
}

#[test]
fn a_group_price_list_prices_its_members_only_in_listing_and_cart() {
    let app = TestApp::start();
    let admin = format!("Bearer {}", app.admin_token());
    let region = usd_region(&app);
    let (variant, list_price) = first_price(&app, &region, None);
    let sale = list_price - 1.0;

    let group = app
        .admin_call(
            "POST",
            "/admin/customer-groups",
            &admin,
            Some(&json!({"name": "Gold"})),
        )
        .json()["customer_group"]["id"]
        .as_str()
        .expect("group")
        .to_string();
    let (member, member_token) = app.signup("vip@example.com", "pw-vip");
    let (_, other_token) = app.signup("plain@example.com", "pw-plain");
    let added = app.admin_call(
        "POST",
        &format!("/admin/customer-groups/{group}/customers"),
        &admin,
        Some(&json!({"add": [member]})),
    );
    assert_eq!(added.status, 200, "{}", added.text());
    let list = app.admin_call(
        "POST",
        "/admin/price-lists",
        &admin,
        Some(&json!({
            "title": "VIP sale", "description": "For VIPs", "type": "sale", "status": "active",
            "rules": {"customer.groups.id": [group]},
            "prices": [{"variant_id": variant, "currency_code": "usd", "amount": sale}],
        })),
    );
    assert_eq!(list.status, 200, "{}", list.text());

    assert_eq!(first_price(&app, &region, None).1, list_price);
    assert_eq!(first_price(&app, &region, Some(&other_token)).1, list_price);
    assert_eq!(first_price(&app, &region, Some(&member_token)).1, sale);

    let line = json!({"variant_id": variant, "quantity": 1});
    let cart_of = |token: Option<&str>| {
        let body = json!({"region_id": region});
        let created = match token {
            Some(t) => app.store_call("POST", "/store/carts", t, Some(&body)),
            None => app.store_post("/store/carts", &body),
        };
        let id = created.json()["cart"]["id"]
            .as_str()
            .expect("cart")
            .to_string();
        let path = format!("/store/carts/{id}/line-items");
        let with_line = match token {
            Some(t) => app.store_call("POST", &path, t, Some(&line)),
            None => app.store_post(&path, &line),
        };
        (id, with_line.json())
    };
    assert_eq!(line_price(&cart_of(Some(&member_token)).1), sale);
    let (guest_cart, guest) = cart_of(None);
    assert_eq!(line_price(&guest), list_price);
    let taken = app.store_call(
        "POST",
        &format!("/store/carts/{guest_cart}/customer"),
        &member_token,
        Some(&json!({})),
    );
    assert_eq!(taken.status, 200, "{}", taken.text());
    assert_eq!(line_price(&taken.json()), sale);
}

/// Quantity tiers apply per line quantity: a price list's `min_quantity: 3` price applies once
/// the line reaches 3 units and stops applying below.
#[test]
fn quantity_tiers_apply_per_line_quantity() {
    let app = TestApp::start();
    let admin = format!("Bearer {}", app.admin_token());
    let region = usd_region(&app);
    let (variant, list_price) = first_price(&app, &region, None);
    let bulk = list_price - 2.0;
    let list = app.admin_call(
        "POST",
        "/admin/price-lists",
        &admin,
        Some(&json!({
            "title": "Bulk", "description": "3 or more", "type": "sale", "status": "active",
            "prices": [{"variant_id": variant, "currency_code": "usd", "amount": bulk, "min_quantity": 3}],
        })),
    );
    assert_eq!(list.status, 200, "{}", list.text());
    let cart = app
        .store_post("/store/carts", &json!({"region_id": region}))
        .json();
    let id = cart["cart"]["id"].as_str().expect("cart").to_string();
    let one = app.store_post(
        &format!("/store/carts/{id}/line-items"),
        &json!({"variant_id": variant, "quantity": 1}),
    );
    assert_eq!(line_price(&one.json()), list_price);
    let line = one.json()["cart"]["items"][0]["id"]
        .as_str()
        .expect("line")
        .to_string();
    let path = format!("/store/carts/{id}/line-items/{line}");
    let three = app.store_post(&path, &json!({"quantity": 3}));
    assert_eq!(line_price(&three.json()), bulk);
    let two = app.store_post(&path, &json!({"quantity": 2}));
    assert_eq!(line_price(&two.json()), list_price);
}

/// `GET /admin/price-lists/:id/prices` pages a list's prices, each with its variant.
#[test]
fn a_price_lists_prices_are_listed() {
    let app = TestApp::start();
    let admin = format!("Bearer {}", app.admin_token());
    let region = usd_region(&app);
    let (variant, price) = first_price(&app, &region, None);
    let created = app.admin_call(
        "POST",
        "/admin/price-lists",
        &admin,
        Some(&json!({
            "title": "Two prices", "description": "usd and eur", "type": "sale", "status": "draft",
            "prices": [
                {"variant_id": variant, "currency_code": "usd", "amount": price - 1.0},
                {"variant_id": variant, "currency_code": "eur", "amount": price - 1.0}
            ],
        })),
    );
    let list = created.json()["price_list"]["id"]
        .as_str()
        .expect("list")
        .to_string();
    let prices = app.admin_call(
        "GET",
        &format!("/admin/price-lists/{list}/prices"),
        &admin,
        None,
    );
    assert_eq!(prices.status, 200, "{}", prices.text());
    let body = prices.json();
    assert_eq!(
        (body["count"].clone(), body["limit"].clone()),
        (json!(2), json!(50))
    );
    assert_eq!(body["prices"][0]["variant_id"], variant.as_str());
    let first = body["prices"][0]["id"].as_str().expect("price").to_string();
    let one = app.admin_call(
        "GET",
        &format!("/admin/price-lists/{list}/prices?id={first}&limit=1"),
        &admin,
        None,
    );
    assert_eq!(one.json()["count"], 1);
    let missing = app.admin_call(
        "GET",
        "/admin/price-lists/plist_missing/prices",
        &admin,
        None,
    );
    assert_eq!(missing.status, 404);
}

#[test]
fn the_demo_vip_customer_sees_the_vip_prices() {
    let app = TestApp::start();
    let region = usd_region(&app);
    let path = format!(
        "/store/products?handle=classic-shorts&region_id={region}&fields=*variants.calculated_price"
    );
    let amount = |reply: Value| {
        reply["products"][0]["variants"]
            .as_array()
            .expect("variants")
            .iter()
            .find(|v| v["sku"] == "CLASSIC-SHORTS-S-OLIVE")
            .expect("the small shorts")["calculated_price"]["calculated_amount"]
            .as_f64()
            .expect("an amount")
    };
    assert_eq!(amount(app.store_get(&path).json()), 29.0, "a guest");
    let token = app.login("customer", "vera@example.com", "vipsecret");
    let vip = app.store_call("GET", &path, &token, None).json();
    assert_eq!(amount(vip), 23.0, "the VIP group's member");
}
