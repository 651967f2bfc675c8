//! Refund and return reasons (admin CRUD, store reads) and the dashboard's shell calls
//! (feature flags, plugins, currencies), through the routes (issue 13).

use crate::common;

use common::{TestApp, check};
use serde_json::{Value, json};

struct Admin {
    app: TestApp,
    auth: String,
}

impl Admin {
    fn new() -> Self {
        let app = TestApp::start();
        let auth = format!("Bearer {}", app.admin_token());
        Admin { app, auth }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> common::client::Reply {
        self.app.admin_call(method, path, &self.auth, body.as_ref())
    }

    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let reply = self.call(method, path, body);
        assert_eq!(reply.status, 200, "{method} {path}: {}", reply.text());
        reply.json()
    }
}

#[test]
fn refund_reasons_are_created_listed_updated_and_deleted() {
    let admin = Admin::new();
    let created = admin.ok(
        "POST",
        "/admin/refund-reasons",
        Some(json!({"label": "Damaged", "code": "damaged", "description": "Arrived broken"})),
    )["refund_reason"]
        .clone();
    let id = created["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("refr_"), "{id}");
    assert_eq!(created["code"], "damaged");
    assert_eq!(created["deleted_at"], Value::Null);
    admin.ok(
        "POST",
        "/admin/refund-reasons",
        Some(json!({"label": "Goodwill", "code": "goodwill"})),
    );
    let listed = admin.ok("GET", "/admin/refund-reasons?q=broken", None);
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["limit"], 20);
    assert_eq!(listed["refund_reasons"][0]["id"], id.as_str());
    let updated = admin.ok(
        "POST",
        &format!("/admin/refund-reasons/{id}"),
        Some(json!({"label": "Broken in transit"})),
    );
    assert_eq!(updated["refund_reason"]["label"], "Broken in transit");
    assert_eq!(updated["refund_reason"]["code"], "damaged");
    check(
        &admin.call("POST", "/admin/refund-reasons", Some(json!({"label": "x"}))),
        400,
        json!({"type": "invalid_data", "message": "Invalid request: Field 'code' is required"}),
    );
    let gone = admin.ok("DELETE", &format!("/admin/refund-reasons/{id}"), None);
    assert_eq!(
        gone,
        json!({"id": id, "object": "refund_reason", "deleted": true})
    );
    assert_eq!(
        admin
            .call("GET", &format!("/admin/refund-reasons/{id}"), None)
            .status,
        404
    );
    assert_eq!(admin.ok("GET", "/admin/refund-reasons", None)["count"], 1);
}

#[test]
fn return_reasons_nest_are_unique_by_value_and_are_readable_by_the_store() {
    let admin = Admin::new();
    let parent = admin.ok(
        "POST",
        "/admin/return-reasons",
        Some(json!({"value": "wrong_size", "label": "Wrong size"})),
    )["return_reason"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert!(parent.starts_with("rr_"), "{parent}");
    let child = admin.ok(
        "POST",
        "/admin/return-reasons",
        Some(json!({"value": "too_small", "label": "Too small", "parent_return_reason_id": parent, "metadata": {"k": 1}})),
    )["return_reason"]
        .clone();
    assert_eq!(child["parent_return_reason"]["id"], parent.as_str());
    assert_eq!(child["metadata"], json!({"k": 1}));
    let duplicate = admin.call(
        "POST",
        "/admin/return-reasons",
        Some(json!({"value": "wrong_size", "label": "Again"})),
    );
    assert_eq!(duplicate.status, 422, "{}", duplicate.text());
    assert_eq!(
        admin
            .call(
                "POST",
                "/admin/return-reasons",
                Some(json!({"value": "x", "label": "x", "parent_return_reason_id": "rr_none"}))
            )
            .status,
        404
    );

    let store = admin
        .app
        .store_get(&format!("/store/return-reasons/{parent}"))
        .json();
    assert_eq!(store["return_reason"]["value"], "wrong_size");
    assert_eq!(
        store["return_reason"]["return_reason_children"][0]["id"],
        child["id"]
    );
    let listed = admin
        .app
        .store_get("/store/return-reasons?value=too_small")
        .json();
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["return_reasons"][0]["id"], child["id"]);

    // Medusa 2.21.2 requires value and label on update.
    let partial = admin.call(
        "POST",
        &format!("/admin/return-reasons/{parent}"),
        Some(json!({"label": "Size"})),
    );
    assert_eq!(partial.status, 400);
    let updated = admin.ok(
        "POST",
        &format!("/admin/return-reasons/{parent}"),
        Some(json!({"value": "size", "label": "Size"})),
    );
    assert_eq!(updated["return_reason"]["value"], "size");

    admin.ok("DELETE", &format!("/admin/return-reasons/{parent}"), None);
    let orphan = admin.ok(
        "GET",
        &format!(
            "/admin/return-reasons/{}",
            child["id"].as_str().unwrap_or("")
        ),
        None,
    );
    assert_eq!(
        orphan["return_reason"]["parent_return_reason_id"],
        Value::Null
    );
    // The value of a deleted reason is free again.
    admin.ok(
        "POST",
        "/admin/return-reasons",
        Some(json!({"value": "size", "label": "Size again"})),
    );
}

#[test]
fn the_dashboard_shell_calls_answer_as_medusa_does() {
    let admin = Admin::new();
    // Medusa serves feature flags without authentication.
    let flags = admin.app.get("/admin/feature-flags");
    assert_eq!(flags.status, 200);
    assert_eq!(flags.json()["feature_flags"]["rbac"], false);
    assert_eq!(flags.json()["feature_flags"]["view_configurations"], false);
    assert_eq!(
        admin.ok("GET", "/admin/plugins", None),
        json!({"plugins": []})
    );
    assert_eq!(admin.app.get("/admin/plugins").status, 401);

    let currencies = admin.ok("GET", "/admin/currencies", None);
    assert_eq!(currencies["limit"], 200);
    assert!(currencies["count"].as_u64().unwrap_or(0) >= 20);
    let usd = admin.ok("GET", "/admin/currencies/usd", None);
    assert_eq!(usd["currency"]["code"], "usd");
    assert_eq!(usd["currency"]["decimal_digits"], 2);
    let some = admin.ok("GET", "/admin/currencies?code[]=eur&code[]=jpy", None);
    assert_eq!(some["count"], 2);
    assert_eq!(admin.call("GET", "/admin/currencies/zzz", None).status, 404);

    let openapi = admin.app.get("/openapi.json").json();
    for path in [
        "/admin/refund-reasons",
        "/admin/return-reasons/{id}",
        "/store/return-reasons",
        "/admin/currencies/{code}",
        "/admin/feature-flags",
        "/admin/plugins",
    ] {
        assert!(openapi["paths"].get(path).is_some(), "{path} missing");
    }
}
