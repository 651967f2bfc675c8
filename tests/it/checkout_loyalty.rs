//! A real order feeds the loyalty example's `order.placed` subscriber: the event's
//! `{id, customer_id, currency_code, total}` (total in major units) is the contract it reads.

use crate::common;

use crate::example_loyalty as loyalty;

use common::{TestApp, config};
use serde_json::json;
use stockroom::Engine;

#[test]
fn a_placed_order_earns_points_once() {
    let app = TestApp::with(config(), loyalty::register(Engine::builder()));
    let (customer, token) = app.signup("ada@example.com", "secret-password-1");
    let region = app.region("usd");
    let created = app.store_call(
        "POST",
        "/store/carts",
        &token,
        Some(&json!({"region_id": region})),
    );
    let cart = created.json()["cart"]["id"].as_str().unwrap().to_string();
    app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": app.variant(), "quantity": 3}),
    );
    app.ready(&cart, "us", "pp_system_default");
    let order = app.complete(&cart).json()["order"].clone();
    assert_eq!(order["customer_id"], json!(customer));
    app.complete(&cart);
    app.engine().wait_idle().unwrap();
    let total = order["total"].as_f64().unwrap();
    let account = app.store_call("GET", "/store/loyalty", &token, None).json();
    assert_eq!(
        account["loyalty_account"]["points"],
        json!(total.floor() as i64),
        "{account}"
    );
}
