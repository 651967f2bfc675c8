//! Promotions and campaigns in the fixture format (issue 14): the demo's codes, and a store's
//! promotions through export → load → export, byte-identical, with rule values naming
//! collections, categories, regions and channels by their fixture keys.

use crate::common;

use common::orders::Admin;
use common::{TestApp, config};
use serde_json::{Value, json};
use stockroom::flows::export::{self, Export};

fn export_of(app: &TestApp) -> Export {
    app.engine().store().read(export::export).unwrap()
}

/// Loads an export of the demo: the fixture text in a folder of its own, beside the demo's
/// image files (which an export names by the same paths).
fn load(name: &str, text: &str) -> TestApp {
    let dir = std::env::temp_dir().join(format!("stockroom-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let images = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo-images");
    let link = dir.join("demo-images");
    std::fs::remove_file(&link).ok();
    std::os::unix::fs::symlink(images, &link).unwrap();
    let path = dir.join("fixture.json");
    std::fs::write(&path, text).unwrap();
    let mut cfg = config();
    cfg.fixture = Some(path.clone());
    cfg.demo = false;
    let app = TestApp::with(cfg, stockroom::Engine::builder());
    std::fs::remove_dir_all(&dir).ok();
    app
}

#[test]
fn the_demo_has_a_ten_percent_code_free_shipping_and_an_inactive_buy_get() {
    let a = Admin::start();
    let list = a.get("/admin/promotions?limit=10");
    let mut codes: Vec<(&str, &str, bool)> = list["promotions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap(),
                p["status"].as_str().unwrap(),
                p["is_automatic"].as_bool().unwrap(),
            )
        })
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            ("BUY2GET1", "inactive", true),
            ("FREESHIP", "active", false),
            ("WELCOME10", "active", false)
        ]
    );
    // The buy-get rule names the Essentials collection by id once loaded, by key in the export.
    let buy_get = list["promotions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "BUY2GET1")
        .unwrap()
        .clone();
    let value = buy_get["application_method"]["buy_rules"][0]["values"][0]["value"].clone();
    assert!(value.as_str().unwrap().starts_with("pcol_"), "{value}");
    let exported = export_of(&a.app);
    let text = export::to_json(&exported.fixture).unwrap();
    assert!(text.contains("\"essentials\""));
    // WELCOME10 takes 10% off a demo cart; the inactive automatic promotion changes nothing.
    let cart = a.app.cart_with("usd", &a.app.variants(0)[0], 3);
    let before = a.app.store_get(&format!("/store/carts/{cart}")).json()["cart"]["total"].clone();
    let c = a.app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": ["WELCOME10"]}),
    );
    let cents = |v: &Value| (v.as_f64().unwrap() * 100.0).round() as i64;
    assert_eq!(
        cents(&c["cart"]["discount_total"]),
        (cents(&before) + 5) / 10
    );
}

#[test]
fn promotions_and_campaigns_survive_export_and_load_byte_identically() {
    let a = Admin::start();
    let region = a.app.region("eur");
    let collection = a.get("/admin/collections?handle=winter")["collections"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.post(
        "/admin/campaigns",
        &json!({"name": "Summer", "campaign_identifier": "summer",
        "starts_at": "2024-01-01T00:00:00.000Z",
        "budget": {"type": "spend", "limit": 250.5, "currency_code": "eur"}}),
    );
    let campaign = a.get("/admin/campaigns")["campaigns"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let group =
        a.post("/admin/customer-groups", &json!({"name": "Wholesale"}))["customer_group"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    a.post(
        "/admin/promotions",
        &json!({"code": "WINTER15", "type": "standard", "status": "active", "campaign_id": campaign,
        "is_tax_inclusive": true, "limit": 40,
        "application_method": {"type": "fixed", "target_type": "items", "allocation": "each",
            "max_quantity": 2, "value": 2.5, "currency_code": "eur",
            "target_rules": [{"attribute": "items.product.collection_id", "operator": "in", "values": [collection]}]},
        "rules": [{"attribute": "region.id", "operator": "eq", "values": [region]},
            {"attribute": "customer.groups.id", "operator": "in", "values": [group]}]}),
    );
    let first = export::to_json(&export_of(&a.app).fixture).unwrap();
    assert!(
        first.contains("\"winter\"")
            && first.contains("\"europe\"")
            && first.contains("\"wholesale\""),
        "{first}"
    );
    let loaded = load("promotions", &first);
    let second = export::to_json(&export_of(&loaded).fixture).unwrap();
    assert_eq!(first, second, "export → load → export is byte-identical");
    let auth = format!("Bearer {}", loaded.admin_token());
    let again = loaded
        .admin_call("GET", "/admin/promotions?code=WINTER15", &auth, None)
        .json()["promotions"][0]
        .clone();
    assert_eq!(
        (
            &again["limit"],
            &again["campaign"]["budget"]["limit"],
            &again["rules"][0]["values"][0]["value"]
        ),
        (&json!(40), &json!(250.5), &json!(region))
    );
    // Usage is not part of the format: the export says so.
    let cart = a.app.cart_with("usd", &a.app.variants(0)[0], 1);
    a.app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": ["WELCOME10"]}),
    );
    a.app.ready(&cart, "us", "pp_system_default");
    assert_eq!(a.app.complete(&cart).status, 200);
    let skipped = export_of(&a.app).skipped;
    assert!(
        skipped.iter().any(|s| s.contains("1 promotion use(s)")),
        "{skipped:?}"
    );
}
