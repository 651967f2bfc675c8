//! The publishable key is memoized between requests until a write changes the key table or
//! the key–sales-channel links: a new link, a revocation and a deletion are seen by the very
//! next store request, and writes elsewhere (a cart) do not hide them.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

fn store_with(app: &TestApp, token: &str, method: &str, path: &str, body: Option<&Value>) -> u16 {
    let text = body.map(Value::to_string);
    app.request(
        method,
        path,
        &[
            ("x-publishable-api-key", token),
            ("content-type", "application/json"),
        ],
        text.as_deref(),
    )
    .status
}

fn created_id(reply: &common::client::Reply, field: &str) -> String {
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()[field]["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

#[test]
fn link_revocation_and_deletion_reach_the_next_request() {
    let app = TestApp::start();
    let bearer = format!("Bearer {}", app.admin_token());
    let created = app.admin_call(
        "POST",
        "/admin/api-keys",
        &bearer,
        Some(&json!({"title": "Web", "type": "publishable"})),
    );
    let key_id = created_id(&created, "api_key");
    let token = created.json()["api_key"]["token"]
        .as_str()
        .expect("a token")
        .to_string();
    let channel = app.admin_call(
        "POST",
        "/admin/sales-channels",
        &bearer,
        Some(&json!({"name": "Kiosk"})),
    );
    let channel_id = created_id(&channel, "sales_channel");
    let cart = json!({"sales_channel_id": channel_id});

    // Known and unlinked: twice, so the second answer comes from the memo.
    for _ in 0..2 {
        assert_eq!(store_with(&app, &token, "GET", "/store/regions", None), 200);
        assert_eq!(
            store_with(&app, &token, "POST", "/store/carts", Some(&cart)),
            400,
            "a channel the key is not linked to"
        );
    }
    let linked = app.admin_call(
        "POST",
        &format!("/admin/api-keys/{key_id}/sales-channels"),
        &bearer,
        Some(&json!({"add": [channel_id]})),
    );
    assert_eq!(linked.status, 200, "{}", linked.text());
    assert_eq!(
        store_with(&app, &token, "POST", "/store/carts", Some(&cart)),
        200,
        "the new link is seen at once"
    );

    let revoked = app.admin_call(
        "POST",
        &format!("/admin/api-keys/{key_id}/revoke"),
        &bearer,
        None,
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    app.engine().clock().advance(1);
    let refused = app.request(
        "GET",
        "/store/regions",
        &[("x-publishable-api-key", &token)],
        None,
    );
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(
        refused.json()["message"],
        "A valid publishable key is required to proceed with the request"
    );

    let deleted = app.admin_call(
        "DELETE",
        &format!("/admin/api-keys/{key_id}"),
        &bearer,
        None,
    );
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(store_with(&app, &token, "GET", "/store/regions", None), 400);
    assert_eq!(
        app.store_get("/store/regions").status,
        200,
        "other keys are unaffected"
    );
}
