//! After-sales helpers shared by the return, exchange, claim and summary suites: money read
//! from documents, an order fulfilled and captured, the shipping options returns and
//! exchanges use.

use super::orders::{Admin, id, payment_of};
use serde_json::{Value, json};

/// Major units (a JSON number) as minor units (usd).
#[track_caller]
pub fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("a number: {v}")) * 100.0).round() as i64
}

/// The admin order document.
pub fn order_doc(admin: &Admin, order: &Value) -> Value {
    admin.get(&format!("/admin/orders/{}", id(order)))["order"].clone()
}

/// An order of `quantity` units of the first demo variant, all fulfilled and the payment
/// captured; returns the order (as placed) and its line's id.
pub fn fulfilled_order(admin: &Admin, quantity: i64) -> (Value, String) {
    let order = admin.order(quantity);
    let line = id(&order["items"][0]);
    let path = format!("/admin/orders/{}/fulfillments", id(&order));
    admin.post(
        &path,
        &json!({"items": [{"id": line, "quantity": quantity}]}),
    );
    let payment = payment_of(&order);
    admin.post(&format!("/admin/payments/{payment}/capture"), &json!({}));
    (order, line)
}

/// A return shipping option (`is_return` = true) at $5 in the demo's first service zone,
/// the manual provider enabled at the first stock location when it is not yet.
pub fn return_option(admin: &Admin) -> String {
    let some = admin.get("/admin/shipping-options?limit=1")["shipping_options"][0].clone();
    let location = id(&admin.get("/admin/stock-locations?limit=1")["stock_locations"][0]);
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

/// The demo's first (outbound) shipping option.
pub fn outbound_option(admin: &Admin) -> String {
    id(&admin.get("/admin/shipping-options?limit=1")["shipping_options"][0])
}
