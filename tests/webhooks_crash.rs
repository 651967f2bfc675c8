//! `kill -9` while a webhook delivery is in flight, on the real binary over a file store:
//! after a restart every order acknowledged before the kill reaches the receiver (at least
//! once — the one in flight is sent again), and every delivery ends up succeeded.

mod common;

use common::DEMO_KEY;
use common::client::{Reply, send};
use common::receiver::WebhookReceiver;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use stockroom::db::{Store, StoreOptions};

const SECRET: &str = "webhook-crash-secret-0123456789abcdef01234567";

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(db: &Path, demo: bool) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stockroom"));
        cmd.args(["serve", "--port", "0", "--quiet", "--db"])
            .arg(db);
        if demo {
            cmd.arg("--demo");
        }
        cmd.env("JWT_SECRET", SECRET)
            .env("COOKIE_SECRET", SECRET)
            .env("STOCKROOM_WEBHOOKS_ALLOW_LOOPBACK", "true")
            .env("STOCKROOM_WEBHOOK_BACKOFF_MS", "20")
            .env_remove("STOCKROOM_FAILPOINT");
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().rsplit("http://").next().unwrap().to_string();
        Server { child, addr }
    }

    fn call(&self, method: &str, path: &str, auth: Option<&str>, body: Option<Value>) -> Reply {
        let text = body.map(|b| b.to_string());
        let mut headers = vec![
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "application/json"),
        ];
        if let Some(auth) = auth {
            headers.push(("authorization", auth));
        }
        send(
            &self.addr,
            method,
            path,
            &headers,
            text.as_deref().map(str::as_bytes),
        )
    }

    #[track_caller]
    fn ok(&self, path: &str, auth: Option<&str>, body: Value) -> Value {
        let reply = self.call("POST", path, auth, Some(body));
        assert_eq!(reply.status, 200, "POST {path}: {}", reply.text());
        reply.json()
    }

    /// Places an order through the storefront; returns its id once acknowledged.
    fn order(&self) -> String {
        let regions = self.call("GET", "/store/regions", None, None).json();
        let region = regions["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["currency_code"] == "usd")
            .unwrap()["id"]
            .clone();
        let products = self
            .call(
                "GET",
                "/store/products?limit=1&fields=%2Avariants",
                None,
                None,
            )
            .json();
        let variant = products["products"][0]["variants"][0]["id"].clone();
        let cart = self.ok("/store/carts", None, json!({"region_id": region}))["cart"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        self.ok(
            &format!("/store/carts/{cart}/line-items"),
            None,
            json!({"variant_id": variant, "quantity": 1}),
        );
        let address = json!({"address_1": "1 Main St", "city": "Austin", "country_code": "us", "postal_code": "78701"});
        self.ok(
            &format!("/store/carts/{cart}"),
            None,
            json!({"email": "ada@example.com", "shipping_address": address}),
        );
        let options = self
            .call(
                "GET",
                &format!("/store/shipping-options?cart_id={cart}"),
                None,
                None,
            )
            .json();
        self.ok(
            &format!("/store/carts/{cart}/shipping-methods"),
            None,
            json!({"option_id": options["shipping_options"][0]["id"]}),
        );
        let pc = self.ok("/store/payment-collections", None, json!({"cart_id": cart}))
            ["payment_collection"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        self.ok(
            &format!("/store/payment-collections/{pc}/payment-sessions"),
            None,
            json!({"provider_id": "pp_system_default"}),
        );
        let done = self.ok(&format!("/store/carts/{cart}/complete"), None, json!({}));
        assert_eq!(done["type"], "order", "{done}");
        done["order"]["id"].as_str().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sandbox() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-webhook-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("shop.db")
}

#[test]
fn a_kill_during_delivery_loses_no_acknowledged_order() {
    let db = sandbox();
    let receiver = WebhookReceiver::start();
    receiver.hold(true);
    let mut first = Server::start(&db, true);
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
    let orders: Vec<String> = (0..3).map(|_| first.order()).collect();
    // A delivery is in flight (read by the receiver, not answered) when the process dies.
    let in_flight = receiver.next(10).json()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    drop(first);
    receiver.hold(false);

    let _second = Server::start(&db, false);
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
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}
