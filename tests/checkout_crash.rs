//! A crash in the middle of `complete-cart`, on the real binary over a file store: the process
//! aborts (as `kill -9` would) after the order was created and the stock reserved but before
//! the payment provider was called. Restarting runs recovery, which must leave no order, no
//! reservation and no payment — and the cart must complete normally afterwards.

mod common;

use common::DEMO_KEY;
use common::client::{Reply, send};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use stockroom::db::{Store, StoreOptions};

const SECRET: &str = "crash-test-secret-0123456789abcdef0123456789";

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(db: &Path, demo: bool, failpoint: Option<&str>) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stockroom"));
        cmd.args(["serve", "--port", "0", "--quiet", "--db"])
            .arg(db);
        if demo {
            cmd.arg("--demo");
        }
        cmd.env("JWT_SECRET", SECRET).env("COOKIE_SECRET", SECRET);
        match failpoint {
            Some(point) => cmd.env("STOCKROOM_FAILPOINT", point),
            None => cmd.env_remove("STOCKROOM_FAILPOINT"),
        };
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

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let text = body.map(|b| b.to_string());
        let headers = [
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "application/json"),
        ];
        send(
            &self.addr,
            method,
            path,
            &headers,
            text.as_deref().map(str::as_bytes),
        )
    }

    fn ok(&self, path: &str, body: Value) -> Value {
        let reply = self.call("POST", path, Some(body));
        assert_eq!(reply.status, 200, "POST {path}: {}", reply.text());
        reply.json()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn count(db: &Path, sql: &str) -> i64 {
    let store = Store::open(db, StoreOptions::default()).unwrap();
    let sql = sql.to_string();
    let n = store
        .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
        .unwrap();
    store.close();
    n
}

fn ready_cart(server: &Server) -> String {
    let regions = server.call("GET", "/store/regions", None).json();
    let region = regions["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["currency_code"] == "usd")
        .unwrap()["id"]
        .clone();
    let products = server
        .call("GET", "/store/products?limit=1&fields=%2Avariants", None)
        .json();
    let variant = products["products"][0]["variants"][0]["id"].clone();
    let cart = server.ok("/store/carts", json!({"region_id": region}))["cart"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.ok(
        &format!("/store/carts/{cart}/line-items"),
        json!({"variant_id": variant, "quantity": 2}),
    );
    let address = json!({"address_1": "1 Main St", "city": "Austin", "country_code": "us", "postal_code": "78701"});
    server.ok(
        &format!("/store/carts/{cart}"),
        json!({"email": "ada@example.com", "shipping_address": address}),
    );
    let options = server
        .call(
            "GET",
            &format!("/store/shipping-options?cart_id={cart}"),
            None,
        )
        .json();
    server.ok(
        &format!("/store/carts/{cart}/shipping-methods"),
        json!({"option_id": options["shipping_options"][0]["id"]}),
    );
    let pc = server.ok("/store/payment-collections", json!({"cart_id": cart}))["payment_collection"]["id"].clone();
    server.ok(
        &format!(
            "/store/payment-collections/{}/payment-sessions",
            pc.as_str().unwrap()
        ),
        json!({"provider_id": "pp_system_default"}),
    );
    cart
}

fn sandbox() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-checkout-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("shop.db")
}

#[test]
fn a_crash_before_authorization_is_undone_at_restart() {
    let db = sandbox();
    let mut first = Server::start(&db, true, Some("wf:complete-cart:authorize-payment:before"));
    let cart = ready_cart(&first);
    let reply = std::panic::catch_unwind(|| {
        first.call(
            "POST",
            &format!("/store/carts/{cart}/complete"),
            Some(json!({})),
        )
    });
    assert!(
        reply.is_err() || reply.as_ref().is_ok_and(|r| r.status == 0),
        "the server should have aborted"
    );
    let status = first.child.wait().unwrap();
    assert!(!status.success(), "aborted at the failpoint");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM \"order\""),
        1,
        "the crash left the order of job 1"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level"
        ),
        2
    );

    let second = Server::start(&db, false, None);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM \"order\""),
        0,
        "recovery compensated the order"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level"
        ),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM inventory_reservation_item WHERE deleted_at IS NULL"
        ),
        0
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM payment WHERE deleted_at IS NULL"),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM link_order_cart WHERE deleted_at IS NULL"
        ),
        0
    );
    let done = second.call(
        "POST",
        &format!("/store/carts/{cart}/complete"),
        Some(json!({})),
    );
    assert_eq!(done.json()["type"], "order", "{}", done.text());
    assert_eq!(
        count(
            &db,
            "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level"
        ),
        2
    );
    drop(second);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}
