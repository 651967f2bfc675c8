//! `kill -9` while a webhook delivery is in flight, on the real binary over a file store:
//! after a restart every order acknowledged before the kill reaches the receiver (at least
//! once — the one in flight is sent again), and every delivery ends up succeeded.

use crate::common;

use common::binary::{Server, clean, sandbox, serve_command};
use common::receiver::WebhookReceiver;
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};
use stockroom::db::{Store, StoreOptions};

const SECRET: &str = "webhook-crash-secret-0123456789abcdef01234567";

fn start(db: &Path, demo: bool) -> Server {
    let mut cmd = serve_command(db, SECRET);
    if demo {
        cmd.arg("--demo");
    }
    cmd.env("STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK", "true")
        .env("STOCKROOM_WEBHOOK_BACKOFF_MS", "20");
    Server::spawn(cmd)
}

/// Places an order through the storefront; returns its id once acknowledged.
fn order(server: &Server) -> String {
    server.place_order(1)["id"].as_str().unwrap().to_string()
}

#[test]
fn a_kill_during_delivery_loses_no_acknowledged_order() {
    let db = sandbox("webhook-crash");
    let receiver = WebhookReceiver::start();
    receiver.hold(true);
    let mut first = start(&db, true);
    let login = first.ok(
        "/auth/user/emailpass",
        None,
        json!({"email": "admin@example.com", "password": "supersecret"}),
    );
    let auth = format!("Bearer {}", login["token"].as_str().unwrap());
    first.ok(
        "/admin/webhooks",
        Some(&auth),
        json!({"url": receiver.url, "events": ["order.placed"]}),
    );
    let orders: Vec<String> = (0..3).map(|_| order(&first)).collect();
    // A delivery is in flight (read by the receiver, not answered) when the process dies.
    let in_flight = receiver.next(10).json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    drop(first);
    receiver.hold(false);

    let _second = start(&db, false);
    let mut seen = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !orders.iter().all(|o| seen.contains(o)) {
        assert!(
            Instant::now() < deadline,
            "orders never delivered: {orders:?} vs {seen:?}"
        );
        let hook = receiver.next(30);
        seen.insert(hook.json()["data"]["id"].as_str().unwrap().to_string());
    }
    assert!(
        seen.contains(&in_flight),
        "the interrupted delivery was sent again"
    );
    // Every delivery is recorded as succeeded (the receiver answered them all).
    let store = Store::open(&db, StoreOptions::default()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (done, all): (i64, i64) = store
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FROM event_webhook_delivery",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .unwrap();
        if done == 3 && all == 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{done} of {all} deliveries succeeded"
        );
        // The server records outcomes on its own; poll its file (no engine to wait on here).
        std::thread::sleep(Duration::from_millis(50));
    }
    store.close();
    drop(_second);
    clean(&db);
}
