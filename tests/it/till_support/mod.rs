//! Shared by the till sync tests: the POS fixture's keys, a storefront checkout on a till
//! (the contract: a till sale is an ordinary order in the till's POS channel), reads of
//! central's stock, and polling with a deadline.
#![allow(dead_code)] // each test crate uses a part of it

use crate::common::client;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Till A's publishable key (fixtures/pos.json), scoped to the `pos-a` channel.
pub const KEY_A: &str = "pk_pos_a_000000000000000000000000000000000000000000000000000000000";
/// Till B's publishable key, scoped to `pos-b`.
pub const KEY_B: &str = "pk_pos_b_000000000000000000000000000000000000000000000000000000000";
/// The POS fixture.
pub const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pos.json");

/// A call with a publishable key; `None` when the server is away or answers non-200.
pub fn store_call(
    addr: &str,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Option<Value> {
    let text = body.map(|b| b.to_string());
    let headers = [
        ("x-publishable-api-key", key),
        ("content-type", "application/json"),
    ];
    let reply = client::try_send(
        addr,
        method,
        path,
        &headers,
        text.as_deref().map(str::as_bytes),
    )?;
    (reply.status == 200).then(|| reply.json())
}

/// A call with a secret key (`Authorization: Basic sk_…`): (status, body).
pub fn admin_call(
    addr: &str,
    sk: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let text = body.map(|b| b.to_string());
    let auth = format!("Basic {sk}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    let reply = client::try_send(
        addr,
        method,
        path,
        &headers,
        text.as_deref().map(str::as_bytes),
    )?;
    Some((reply.status, reply.json()))
}

/// The usd region and the first variant a key's channel sells.
pub fn discover(addr: &str, key: &str) -> (String, String) {
    let regions = store_call(addr, key, "GET", "/store/regions", None).expect("regions");
    let region = regions["regions"][0]["id"]
        .as_str()
        .expect("a region")
        .to_string();
    let products = store_call(
        addr,
        key,
        "GET",
        &format!("/store/products?region_id={region}&fields=*variants&order=created_at"),
        None,
    )
    .expect("products");
    let variant = products["products"][0]["variants"][0]["id"]
        .as_str()
        .expect("a variant")
        .to_string();
    (region, variant)
}

/// One sale on a till through the Store API; the till's order id once acknowledged.
pub fn sell(addr: &str, key: &str, region: &str, variant: &str, quantity: i64) -> Option<String> {
    let cart = store_call(
        addr,
        key,
        "POST",
        "/store/carts",
        Some(json!({"region_id": region})),
    )?;
    let cart = cart["cart"]["id"].as_str()?.to_string();
    let line = json!({"variant_id": variant, "quantity": quantity});
    store_call(
        addr,
        key,
        "POST",
        &format!("/store/carts/{cart}/line-items"),
        Some(line),
    )?;
    let a = json!({"first_name": "Till", "last_name": "Sale", "address_1": "1 High Street", "city": "Austin", "postal_code": "78701", "country_code": "us"});
    let update =
        json!({"email": "counter@example.com", "shipping_address": a, "billing_address": a});
    store_call(
        addr,
        key,
        "POST",
        &format!("/store/carts/{cart}"),
        Some(update),
    )?;
    let options = store_call(
        addr,
        key,
        "GET",
        &format!("/store/shipping-options?cart_id={cart}"),
        None,
    )?;
    let option = options["shipping_options"][0]["id"].as_str()?.to_string();
    store_call(
        addr,
        key,
        "POST",
        &format!("/store/carts/{cart}/shipping-methods"),
        Some(json!({"option_id": option})),
    )?;
    let pc = store_call(
        addr,
        key,
        "POST",
        "/store/payment-collections",
        Some(json!({"cart_id": cart})),
    )?;
    let pc = pc["payment_collection"]["id"].as_str()?.to_string();
    store_call(
        addr,
        key,
        "POST",
        &format!("/store/payment-collections/{pc}/payment-sessions"),
        Some(json!({"provider_id": "pp_system_default"})),
    )?;
    let done = store_call(
        addr,
        key,
        "POST",
        &format!("/store/carts/{cart}/complete"),
        None,
    )?;
    (done["type"] == "order").then(|| done["order"]["id"].as_str().unwrap_or_default().to_string())
}

/// Polls `check` until it holds or `limit` passes (no fixed sleeps: CI runs at its own pace).
pub fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    check()
}

/// Stocked units of a variant's inventory item at a location, read from a store's file.
pub fn stocked(conn: &rusqlite::Connection, variant: &str, location: &str) -> i64 {
    conn.query_row(
        "SELECT l.stocked_quantity FROM inventory_level l
         JOIN link_product_variant_inventory_item k ON k.inventory_item_id = l.inventory_item_id
         WHERE k.variant_id = ?1 AND l.location_id = ?2 AND l.deleted_at IS NULL AND k.deleted_at IS NULL",
        [variant, location],
        |r| r.get(0),
    )
    .expect("a level")
}
