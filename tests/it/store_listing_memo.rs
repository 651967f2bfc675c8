//! The store listing keeps whole rendered pages between writes (issue 19): a kept page must
//! never show a price that is no longer true — not after a write, and not after the clock
//! crosses the start or the end of a price list, which no write announces.

use crate::common;

use common::TestApp;
use serde_json::json;
use stockroom::clock::format_iso8601;

const HOUR: i64 = 3_600_000;

fn usd_region(app: &TestApp) -> String {
    let regions = app.store_get("/store/regions").json();
    regions["regions"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["currency_code"] == "usd"))
        .and_then(|r| r["id"].as_str())
        .expect("a usd region")
        .to_string()
}

/// The first product's first variant id and its calculated amount, for a guest.
fn first_price(app: &TestApp, region: &str) -> (String, f64) {
    let path = format!(
        "/store/products?region_id={region}&fields=*variants.calculated_price&limit=1&order=title"
    );
    let reply = app.store_get(&path);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let variant = &reply.json()["products"][0]["variants"][0];
    (
        variant["id"].as_str().expect("variant").to_string(),
        variant["calculated_price"]["calculated_amount"]
            .as_f64()
            .expect("a calculated amount"),
    )
}

#[test]
fn a_kept_page_follows_price_list_windows_and_writes() {
    let app = TestApp::start();
    let admin = format!("Bearer {}", app.admin_token());
    let region = usd_region(&app);
    let (variant, base) = first_price(&app, &region);
    let now = app.engine().clock().now();
    let created = app.admin_call(
        "POST",
        "/admin/price-lists",
        &admin,
        Some(&json!({
            "title": "Weekend sale", "description": "Two hours only", "type": "sale",
            "status": "active",
            "starts_at": format_iso8601(now + HOUR),
            "ends_at": format_iso8601(now + 3 * HOUR),
            "prices": [{"variant_id": variant, "currency_code": "usd", "amount": base - 1.0}],
        })),
    );
    assert_eq!(created.status, 200, "{}", created.text());

    // Before the window: the base price, twice (the second answer is the kept page).
    assert_eq!(first_price(&app, &region), (variant.clone(), base));
    assert_eq!(first_price(&app, &region), (variant.clone(), base));
    // The clock enters the window; nothing was written, yet the page changes.
    app.engine().clock().advance(HOUR);
    assert_eq!(first_price(&app, &region), (variant.clone(), base - 1.0));
    assert_eq!(first_price(&app, &region), (variant.clone(), base - 1.0));
    // A write inside the window: the kept page goes with it.
    let list_id = created.json()["price_list"]["id"]
        .as_str()
        .expect("price list id")
        .to_string();
    let listed = app.admin_call(
        "GET",
        &format!("/admin/price-lists/{list_id}?fields=*prices"),
        &admin,
        None,
    );
    let price_id = listed.json()["price_list"]["prices"][0]["id"]
        .as_str()
        .expect("price id")
        .to_string();
    let updated = app.admin_call(
        "POST",
        &format!("/admin/price-lists/{list_id}/prices/batch"),
        &admin,
        Some(&json!({"update": [{"id": price_id, "variant_id": variant,
            "currency_code": "usd", "amount": base - 2.0}]})),
    );
    assert_eq!(updated.status, 200, "{}", updated.text());
    assert_eq!(first_price(&app, &region), (variant.clone(), base - 2.0));
    // The window ends: back to the base price.
    app.engine().clock().advance(2 * HOUR);
    assert_eq!(first_price(&app, &region), (variant, base));
}
