//! Tax regions as Medusa's admin dashboard reads them (with `tax_rates`, `children` and
//! `parent` — its tax page crashed without `tax_rates`), their update and cascading delete,
//! the tax-rate list and the tax-provider list (issue 13).

mod common;

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
