//! Tax regions as Medusa's admin dashboard reads them (with `tax_rates`, `children` and
//! `parent` — its tax page crashed without `tax_rates`), their update and cascading delete,
//! the tax-rate list and the tax-provider list (issue 13).

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

struct Admin {
    app: TestApp,
    auth: String,
}

impl Admin {
    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let reply = self.app.admin_call(method, path, &self.auth, body.as_ref());
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }

    fn status(&self, method: &str, path: &str) -> u16 {
        self.app.admin_call(method, path, &self.auth, None).status
    }
}

fn admin() -> Admin {
    let app = TestApp::start();
    let auth = format!("Bearer {}", app.admin_token());
    Admin { app, auth }
}

#[test]
fn tax_regions_carry_rates_children_and_parent_and_delete_as_a_tree() {
    let a = admin();
    let country = a.ok(
        "POST",
        "/admin/tax-regions",
        Some(json!({"country_code": "ca", "default_tax_rate": {"rate": 5, "code": "GST", "name": "GST"}})),
    )["tax_region"]
        .clone();
    let country_id = country["id"].as_str().expect("id").to_string();
    assert_eq!(country["tax_rates"][0]["code"], "GST");
    assert_eq!(country["tax_rates"][0]["is_default"], true);
    assert_eq!(country["children"], json!([]));
    assert_eq!(country["parent"], Value::Null);
    let province = a.ok(
        "POST",
        "/admin/tax-regions",
        Some(json!({"country_code": "ca", "province_code": "QC", "default_tax_rate": {"rate": 9.975, "code": "QST", "name": "QST"}})),
    )["tax_region"]
        .clone();
    let province_id = province["id"].as_str().expect("id").to_string();
    assert_eq!(province["parent"]["id"], country_id.as_str());

    let listed = a.ok("GET", &format!("/admin/tax-regions?id={country_id}"), None);
    let doc = &listed["tax_regions"][0];
    assert_eq!(doc["tax_rates"][0]["rate"], 5);
    assert_eq!(doc["children"][0]["id"], province_id.as_str());
    assert_eq!(doc["children"][0]["tax_rates"][0]["code"], "QST");

    let updated = a.ok(
        "POST",
        &format!("/admin/tax-regions/{province_id}"),
        Some(json!({"metadata": {"note": "Quebec"}})),
    );
    assert_eq!(updated["tax_region"]["metadata"], json!({"note": "Quebec"}));
    assert_eq!(
        a.app
            .admin_call(
                "POST",
                &format!("/admin/tax-regions/{province_id}"),
                &a.auth,
                Some(&json!({"country_code": "us"}))
            )
            .status,
        400
    );

    let rates = a.ok(
        "GET",
        &format!("/admin/tax-rates?tax_region_id={province_id}"),
        None,
    );
    assert_eq!(rates["count"], 1);
    let rate = rates["tax_rates"][0]["id"]
        .as_str()
        .expect("rate")
        .to_string();
    assert_eq!(a.ok("GET", "/admin/tax-rates?q=qst", None)["count"], 1);

    let gone = a.ok("DELETE", &format!("/admin/tax-regions/{country_id}"), None);
    assert_eq!(
        gone,
        json!({"id": country_id, "object": "tax_region", "deleted": true})
    );
    assert_eq!(
        a.status("GET", &format!("/admin/tax-regions/{province_id}")),
        404
    );
    assert_eq!(a.status("GET", &format!("/admin/tax-rates/{rate}")), 404);
    // The country can be set up again.
    a.ok(
        "POST",
        "/admin/tax-regions",
        Some(json!({"country_code": "ca"})),
    );
}

#[test]
fn the_system_tax_provider_is_listed() {
    let a = admin();
    assert_eq!(
        a.ok("GET", "/admin/tax-providers", None),
        json!({"tax_providers": [{"id": "tp_system", "is_enabled": true}], "count": 1, "offset": 0, "limit": 20})
    );
}

/// Issue 20: a tax region may only name a registered tax provider and a region only
/// registered payment providers; a row still naming a provider that left the build makes
/// tax calculation answer a 400 that says what to fix, never a 500, and writes nothing.
#[test]
fn providers_must_be_registered_and_a_vanished_tax_provider_is_a_clear_400() {
    let a = admin();
    let call = |method: &str, path: &str, body: Value| {
        a.app.admin_call(method, path, &a.auth, Some(&body))
    };
    let made = call(
        "POST",
        "/admin/tax-regions",
        json!({"country_code": "ca", "provider_id": "tp_nope"}),
    );
    assert_eq!(made.status, 400, "{}", made.text());
    assert_eq!(
        made.json()["message"],
        "Tax provider tp_nope is not registered"
    );
    let regions = a.ok("GET", "/admin/tax-regions", None)["tax_regions"].clone();
    let us = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country_code"] == "us")
        .and_then(|r| r["id"].as_str())
        .expect("the US tax region")
        .to_string();
    let path = format!("/admin/tax-regions/{us}");
    let moved = call("POST", &path, json!({"provider_id": "tp_nope"}));
    assert_eq!(moved.status, 400, "{}", moved.text());
    assert_eq!(
        a.ok("GET", &path, None)["tax_region"]["provider_id"],
        "tp_system"
    );
    a.ok("POST", &path, Some(json!({"provider_id": "tp_system"})));

    let region = json!({"name": "Nowhere", "currency_code": "usd",
        "payment_providers": ["pp_system_default", "pp_nope", "pp_gone"]});
    let refused = call("POST", "/admin/regions", region);
    assert_eq!(refused.status, 404, "{}", refused.text());
    assert_eq!(
        refused.json()["message"],
        "Payment providers with ids pp_nope, pp_gone not found or not enabled"
    );
    let usd = a.app.region("usd");
    let update = call(
        "POST",
        &format!("/admin/regions/{usd}"),
        json!({"name": "Renamed", "payment_providers": ["pp_nope"]}),
    );
    assert_eq!(update.status, 404, "{}", update.text());
    let kept = a.ok("GET", &format!("/admin/regions/{usd}"), None)["region"].clone();
    assert_ne!(kept["name"], "Renamed", "nothing written");

    // A tax region written before its provider left the build.
    let cart = a.app.cart_with("usd", &a.app.variant(), 1);
    a.app.ready(&cart, "us", "pp_system_default");
    let sql = format!("UPDATE tax_region SET provider_id = 'tp_gone' WHERE id = '{us}'");
    a.app
        .engine()
        .store()
        .write(move |tx| Ok(tx.execute(&sql, [])?))
        .unwrap();
    let line = a.app.store_post(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": a.app.variant(), "quantity": 1}),
    );
    assert_eq!(line.status, 400, "{}", line.text());
    let body = line.json();
    assert_eq!(body["type"], "not_allowed");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("tp_gone, which is not registered"),
        "{body}"
    );
    let doc = a.app.store_get(&format!("/store/carts/{cart}")).json();
    assert_eq!(doc["cart"]["items"][0]["quantity"], 1, "nothing written");
}
