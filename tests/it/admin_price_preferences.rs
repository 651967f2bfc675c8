//! `/admin/price-preferences`: whether a currency's or region's prices include tax — the rows
//! pricing reads (a tax-inclusive region writes one too).

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

#[test]
fn price_preferences_are_managed_through_the_admin_api() {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    let call = |method: &str, path: &str, body: Option<Value>| {
        let reply = app.admin_call(method, path, &auth, body.as_ref());
        (reply.status, reply.json())
    };
    // The demo's tax-inclusive Europe region already has one.
    let (status, listed) = call("GET", "/admin/price-preferences?attribute=region_id", None);
    assert_eq!(status, 200);
    assert_eq!(listed["limit"], 300);
    assert!(listed["count"].as_u64().unwrap_or(0) >= 1, "{listed}");
    assert_eq!(listed["price_preferences"][0]["is_tax_inclusive"], true);

    let (status, made) = call(
        "POST",
        "/admin/price-preferences",
        Some(json!({"attribute": "currency_code", "value": "gbp", "is_tax_inclusive": true})),
    );
    assert_eq!(status, 200, "{made}");
    let id = made["price_preference"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert!(id.starts_with("prpref_"), "{id}");
    let (status, _) = call(
        "POST",
        "/admin/price-preferences",
        Some(json!({"attribute": "currency_code", "value": "gbp"})),
    );
    assert_eq!(status, 422);
    let (status, _) = call(
        "POST",
        "/admin/price-preferences",
        Some(json!({"attribute": "country_code", "value": "gb"})),
    );
    assert_eq!(status, 400);
    let (_, updated) = call(
        "POST",
        &format!("/admin/price-preferences/{id}"),
        Some(json!({"is_tax_inclusive": false})),
    );
    assert_eq!(updated["price_preference"]["is_tax_inclusive"], false);
    assert_eq!(updated["price_preference"]["value"], "gbp");
    let (_, by_value) = call("GET", "/admin/price-preferences?value=gbp", None);
    assert_eq!(by_value["count"], 1);
    let (_, gone) = call("DELETE", &format!("/admin/price-preferences/{id}"), None);
    assert_eq!(
        gone,
        json!({"id": id, "object": "price_preference", "deleted": true})
    );
    let (status, _) = call("GET", &format!("/admin/price-preferences/{id}"), None);
    assert_eq!(status, 404);
}
