//! Signed webhooks (`/admin/webhooks`, Stockroom's own route family) against a loopback
//! receiver: signatures verify (and fail under a wrong secret), a failing receiver is retried
//! then dead-lettered and replayed, a slow receiver does not hold up checkouts, and the admin
//! routes refuse what they must.

use crate::common;

use common::orders::{Admin, Seen};
use common::receiver::{Hook, WebhookReceiver};
use common::{TestApp, config};
use serde_json::{Value, json};
use std::time::Duration;
use stockroom::Engine;
use stockroom::events::webhooks::{WebhookSettings, sign};

/// An admin app whose webhooks may target loopback, retrying fast.
fn admin(max_attempts: u32, workers: usize) -> Admin {
    let mut config = config();
    config.ops.webhooks = WebhookSettings {
        allow_loopback: true,
        base_backoff: Duration::from_millis(5),
        max_attempts,
        workers,
        io_timeout: Duration::from_secs(30),
        ..WebhookSettings::default()
    };
    let app = TestApp::with(config, Engine::builder());
    let auth = format!("Bearer {}", app.admin_token());
    Admin {
        app,
        auth,
        seen: Seen::default(),
    }
}

fn create(admin: &Admin, url: &str, events: &[&str]) -> Value {
    admin.post("/admin/webhooks", &json!({"url": url, "events": events}))["webhook"].clone()
}

fn now_secs(admin: &Admin) -> i64 {
    admin.app.engine().clock().now() / 1000
}

fn deliveries(admin: &Admin, webhook: &str) -> Vec<Value> {
    admin.get(&format!("/admin/webhooks/{webhook}/deliveries"))["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

fn signature_of(hook: &Hook) -> String {
    hook.header("Stockroom-Signature")
        .expect("signed")
        .to_string()
}

#[test]
fn an_order_is_posted_signed_and_a_wrong_secret_fails() {
    let admin = admin(3, 2);
    let receiver = WebhookReceiver::start();
    let webhook = create(&admin, &receiver.url, &["order.placed"]);
    let secret = webhook["secret"].as_str().unwrap().to_string();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    let id = webhook["id"].as_str().unwrap().to_string();
    // The secret is shown once: never listed or retrieved.
    let listed = admin.get("/admin/webhooks");
    assert_eq!(listed["count"], 1);
    assert!(listed["webhooks"][0].get("secret").is_none(), "{listed}");
    assert!(
        admin.get(&format!("/admin/webhooks/{id}"))["webhook"]
            .get("secret")
            .is_none()
    );

    let order = admin.order(1);
    let hook = receiver.next(10);
    assert_eq!(hook.line, "POST /hook HTTP/1.1");
    assert_eq!(hook.header("content-type"), Some("application/json"));
    let body = hook.json();
    assert_eq!(body["type"], "order.placed");
    assert_eq!(body["data"]["id"], order["id"]);
    assert_eq!(hook.header("Stockroom-Event-Id"), body["id"].as_str());
    assert_eq!(hook.header("Stockroom-Webhook-Id"), Some(id.as_str()));
    let signature = signature_of(&hook);
    let now = now_secs(&admin);
    assert!(sign::verify(
        &secret,
        &signature,
        hook.body.as_bytes(),
        now,
        300
    ));
    assert!(!sign::verify(
        "whsec_wrong",
        &signature,
        hook.body.as_bytes(),
        now,
        300
    ));
    let tampered = hook.body.replace("order.placed", "order.canceled");
    assert!(!sign::verify(
        &secret,
        &signature,
        tampered.as_bytes(),
        now,
        300
    ));

    admin.app.engine().wait_webhooks_idle().unwrap();
    let log = deliveries(&admin, &id);
    assert_eq!(log.len(), 1, "only order.placed was chosen: {log:?}");
    assert_eq!(log[0]["status"], "succeeded");
    assert_eq!(
        (
            log[0]["attempts"].clone(),
            log[0]["response_status"].clone()
        ),
        (json!(1), json!(200))
    );
    assert_eq!(log[0]["event_id"], body["id"]);
    assert!(receiver.drain().is_empty(), "delivered once");
}

#[test]
fn a_failing_receiver_is_retried_then_dead_lettered_and_can_be_replayed() {
    let admin = admin(3, 2);
    let receiver = WebhookReceiver::start();
    receiver.answer(500);
    let webhook = create(&admin, &receiver.url, &["order.placed"]);
    let id = webhook["id"].as_str().unwrap().to_string();
    admin.order(1);
    let attempts: Vec<Hook> = (0..3).map(|_| receiver.next(10)).collect();
    let event = attempts[0].json()["id"].clone();
    assert!(
        attempts.iter().all(|h| h.json()["id"] == event),
        "the same event, retried"
    );
    admin.app.engine().wait_webhooks_idle().unwrap();
    let log = deliveries(&admin, &id);
    assert_eq!(log[0]["status"], "dead", "{log:?}");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["response_status"], 500);
    assert_eq!(log[0]["last_error"], "answered HTTP 500");
    assert!(receiver.drain().is_empty(), "no fourth attempt");
    let dead = admin.get(&format!("/admin/webhooks/{id}/deliveries?status=dead"));
    assert_eq!(dead["count"], 1);
    let metrics = admin.app.get("/metrics").text();
    assert!(
        metrics.contains("stockroom_webhook_deliveries{status=\"dead\"} 1\n"),
        "{metrics}"
    );

    receiver.answer(200);
    let delivery = log[0]["id"].as_str().unwrap();
    let replay = format!("/admin/webhooks/{id}/deliveries/{delivery}/replay");
    let replayed = admin.post(&replay, &json!({}))["delivery"].clone();
    assert_eq!(
        (replayed["status"].clone(), replayed["replays"].clone()),
        (json!("pending"), json!(1))
    );
    assert_eq!(receiver.next(10).json()["id"], event);
    admin.app.engine().wait_webhooks_idle().unwrap();
    let log = deliveries(&admin, &id);
    assert_eq!(
        (log[0]["status"].clone(), log[0]["attempts"].clone()),
        (json!("succeeded"), json!(1))
    );
    let unknown = admin.call(
        "POST",
        &format!("/admin/webhooks/{id}/deliveries/whd_nope/replay"),
        Some(&json!({})),
    );
    assert_eq!(unknown.status, 404, "{}", unknown.text());
}

#[test]
fn a_slow_receiver_does_not_hold_up_checkouts() {
    let admin = admin(3, 2);
    let receiver = WebhookReceiver::start();
    receiver.hold(true);
    let webhook = create(&admin, &receiver.url, &["*"]);
    let id = webhook["id"].as_str().unwrap().to_string();
    // Two orders: both workers are now stuck on a receiver that does not answer…
    for _ in 0..2 {
        admin.order(1);
        receiver.next(10);
    }
    assert_eq!(receiver.held(), 2);
    // …and checkouts still complete, answered while those posts hang.
    let orders: Vec<Value> = (0..3).map(|_| admin.order(1)).collect();
    assert_eq!(orders.len(), 3);
    assert_eq!(
        receiver.held(),
        2,
        "still hanging: the orders did not wait for them"
    );
    receiver.hold(false);
    admin.app.engine().wait_webhooks_idle().unwrap();
    let log = admin.get(&format!("/admin/webhooks/{id}/deliveries?limit=500"));
    let statuses: Vec<&str> = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert!(statuses.iter().all(|s| *s == "succeeded"), "{statuses:?}");
    let placed = log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["event_name"] == "order.placed")
        .count();
    assert_eq!(placed, 5, "every order's event was delivered");
}

#[test]
fn the_admin_routes_refuse_what_they_must() {
    let admin = Admin::start();
    let refused = |body: Value| {
        let reply = admin.call("POST", "/admin/webhooks", Some(&body));
        assert_eq!(reply.status, 400, "{body}: {}", reply.text());
        reply.json()["message"].as_str().unwrap().to_string()
    };
    // Loopback is refused unless the operator allows it (the server would post to itself).
    assert!(
        refused(json!({"url": "http://127.0.0.1:9000/admin/users", "events": ["*"]}))
            .contains("loopback")
    );
    assert!(refused(json!({"url": "http://localhost/x", "events": ["*"]})).contains("loopback"));
    refused(json!({"url": "http://169.254.169.254/latest/meta-data", "events": ["*"]}));
    assert!(
        refused(json!({"url": "https://localhost/x", "events": ["*"]})).contains("loopback"),
        "https targets pass the same address checks"
    );
    refused(json!({"url": "ftp://hooks.example.com/", "events": ["*"]}));
    refused(json!({"url": "http://hooks.example.com/\r\nX: 1", "events": ["*"]}));
    refused(json!({"url": "http://hooks.example.com/", "events": []}));
    refused(json!({"url": "http://hooks.example.com/", "events": ["Order Placed"]}));
    refused(json!({"url": "http://hooks.example.com/"}));
    let anonymous = admin.app.request("GET", "/admin/webhooks", &[], None);
    assert_eq!(anonymous.status, 401);

    let created = admin.post(
        "/admin/webhooks",
        &json!({"url": "http://hooks.example.com/in", "events": ["order.placed"], "description": "ERP"}),
    )["webhook"]
        .clone();
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("wh_"));
    let path = format!("/admin/webhooks/{id}");
    let updated = admin.post(&path, &json!({"enabled": false, "events": ["*"]}))["webhook"].clone();
    assert_eq!(
        (updated["enabled"].clone(), updated["events"].clone()),
        (json!(false), json!(["*"]))
    );
    assert!(updated.get("secret").is_none());
    let rotated = admin.post(&path, &json!({"rotate_secret": true}))["webhook"].clone();
    assert_ne!(rotated["secret"], created["secret"]);
    assert!(rotated["secret"].as_str().unwrap().starts_with("whsec_"));
    let bad_status = admin.call("GET", &format!("{path}/deliveries?status=lost"), None);
    assert_eq!(bad_status.status, 400);
    let deleted = admin.call("DELETE", &path, None).json();
    assert_eq!(
        deleted,
        json!({"id": id, "object": "webhook", "deleted": true})
    );
    assert_eq!(admin.call("GET", &path, None).status, 404);
    let openapi = admin.app.get("/openapi.json").json();
    assert!(
        openapi["paths"]["/admin/webhooks"]["post"].is_object(),
        "documented in /openapi.json"
    );
}
