//! Crashes inside the after-sales workflows, on the real binary over a file store (issue
//! 15): the process aborts (as `kill -9` would) in the middle of `confirm-return-receive`
//! (after the stock went back on the shelf, before the return was marked received) and of
//! `confirm-order-edit-request` (after the new lines were written and reserved, before the
//! change was confirmed). After a restart nothing of either is left — stock, return, lines,
//! change and version are as before — and the same confirmation then succeeds once. So for
//! `confirm-exchange-request` (after the new line was written, reserved and recorded as the
//! exchange's item, before the change and with it the return's items were confirmed), and
//! for a draft order's edit (after its promotion was linked, its discount written and its
//! method re-priced, before the change was confirmed).

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
    token: String,
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
        let mut server = Server {
            child,
            addr,
            token: String::new(),
        };
        let login = json!({"email": "admin@example.com", "password": "supersecret"});
        let token = server.ok("/auth/user/emailpass", login)["token"].clone();
        server.token = format!("Bearer {}", token.as_str().unwrap());
        server
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let text = body.map(|b| b.to_string());
        let mut headers = vec![
            ("x-publishable-api-key", DEMO_KEY),
            ("content-type", "application/json"),
        ];
        if !self.token.is_empty() {
            headers.push(("authorization", self.token.as_str()));
        }
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

    /// Sends a request the failpoint aborts; waits for the process to die.
    fn crash_on(mut self, path: &str) {
        let reply = std::panic::catch_unwind(|| self.call("POST", path, Some(json!({}))));
        assert!(
            reply.is_err() || reply.as_ref().is_ok_and(|r| r.status == 0),
            "the server should have aborted"
        );
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "aborted at the failpoint");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn query(db: &Path, sql: &str) -> String {
    let store = Store::open(db, StoreOptions::default()).unwrap();
    let sql = sql.to_string();
    let v = store
        .read(move |c| {
            Ok(c.query_row(&sql, [], |r| {
                Ok(match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    _ => String::new(),
                })
            })?)
        })
        .unwrap();
    store.close();
    v
}

/// The whole store's stock: every level's `stocked:reserved`, and the live reservations.
fn stock(db: &Path) -> String {
    query(
        db,
        "SELECT (SELECT group_concat(stocked_quantity || ':' || reserved_quantity, ',') FROM
           (SELECT * FROM inventory_level ORDER BY id)) || ' / ' ||
         (SELECT COALESCE(SUM(quantity), 0) FROM inventory_reservation_item WHERE deleted_at IS NULL)",
    )
}

/// A placed order of 2 units of the first variant, fulfilled; returns its id and line.
fn fulfilled_order(server: &Server) -> (String, String) {
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
    let path = format!("/store/shipping-options?cart_id={cart}");
    let options = server.call("GET", &path, None).json();
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
    let order = server.ok(&format!("/store/carts/{cart}/complete"), json!({}))["order"].clone();
    let (id, line) = (
        order["id"].as_str().unwrap(),
        order["items"][0]["id"].as_str().unwrap(),
    );
    let items = json!({"items": [{"id": line, "quantity": 2}]});
    server.ok(&format!("/admin/orders/{id}/fulfillments"), items);
    (id.to_string(), line.to_string())
}

fn sandbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stockroom-after-sales-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("shop.db")
}

#[test]
fn a_crash_inside_a_return_receipt_leaves_no_partial_state() {
    let db = sandbox("return");
    let first = Server::start(&db, true, None);
    let (order, line) = fulfilled_order(&first);
    let ret = first.ok("/admin/returns", json!({"order_id": order}))["return"]["id"].clone();
    let base = format!("/admin/returns/{}", ret.as_str().unwrap());
    first.ok(
        &format!("{base}/request-items"),
        json!({"items": [{"id": line, "quantity": 2}]}),
    );
    first.ok(&format!("{base}/request"), json!({}));
    first.ok(&format!("{base}/receive"), json!({}));
    first.ok(
        &format!("{base}/receive-items"),
        json!({"items": [{"id": line, "quantity": 2}]}),
    );
    drop(first);
    let before = stock(&db);
    let status_sql = format!(
        "SELECT status FROM order_return WHERE id = '{}'",
        ret.as_str().unwrap()
    );

    Server::start(&db, false, Some("return-receive:restocked"))
        .crash_on(&format!("{base}/receive/confirm"));
    let second = Server::start(&db, false, None);
    assert_eq!(stock(&db), before, "no unit came back on the shelf");
    assert_eq!(query(&db, &status_sql), "requested");
    assert_eq!(
        query(
            &db,
            "SELECT COALESCE(SUM(received_quantity), 0) FROM order_return_item"
        ),
        "0"
    );
    assert_eq!(
        query(
            &db,
            "SELECT COUNT(*) FROM order_change WHERE status IN ('pending', 'requested')"
        ),
        "1",
        "the receipt is still open"
    );
    assert_eq!(
        query(
            &db,
            "SELECT COUNT(*) FROM workflow_execution WHERE status IN ('running', 'compensating')"
        ),
        "0"
    );

    second.ok(&format!("{base}/receive/confirm"), json!({}));
    assert_eq!(query(&db, &status_sql), "received");
    let stocked = |s: &str| -> i64 {
        s.split(" / ")
            .next()
            .unwrap()
            .split(',')
            .map(|l| l.split(':').next().unwrap().parse::<i64>().unwrap())
            .sum()
    };
    assert_eq!(stocked(&stock(&db)), stocked(&before) + 2, "restocked once");
    drop(second);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

#[test]
fn a_crash_inside_an_order_edit_confirmation_leaves_no_partial_state() {
    let db = sandbox("edit");
    let first = Server::start(&db, true, None);
    let (order, line) = fulfilled_order(&first);
    let variant = query(
        &db,
        &format!("SELECT variant_id FROM order_line_item WHERE id = '{line}'"),
    );
    first.ok("/admin/order-edits", json!({"order_id": order}));
    let edit = format!("/admin/order-edits/{order}");
    first.ok(
        &format!("{edit}/items"),
        json!({"items": [{"variant_id": variant, "quantity": 1}]}),
    );
    first.ok(&format!("{edit}/request"), json!({}));
    drop(first);
    let before = stock(&db);
    let lines_sql = format!(
        "SELECT COUNT(*) FROM order_line_item WHERE order_id = '{order}' AND deleted_at IS NULL"
    );
    let version_sql = format!("SELECT version FROM \"order\" WHERE id = '{order}'");

    Server::start(&db, false, Some("order-edit:applied")).crash_on(&format!("{edit}/confirm"));
    let second = Server::start(&db, false, None);
    assert_eq!(stock(&db), before, "nothing reserved");
    assert_eq!(query(&db, &lines_sql), "1", "no line added");
    assert_eq!(query(&db, &version_sql), "1");
    assert_eq!(
        query(
            &db,
            "SELECT COUNT(*) FROM order_change_action WHERE applied = 1 AND action = 'ITEM_ADD'"
        ),
        "0"
    );

    second.ok(&format!("{edit}/confirm"), json!({}));
    assert_eq!(query(&db, &lines_sql), "2");
    assert_eq!(query(&db, &version_sql), "2");
    let reserved = |s: &str| -> i64 { s.split(" / ").nth(1).unwrap().parse().unwrap() };
    assert_eq!(
        reserved(&stock(&db)),
        reserved(&before) + 1,
        "reserved once"
    );
    drop(second);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

#[test]
fn a_crash_inside_an_exchange_confirmation_leaves_no_partial_state() {
    let db = sandbox("exchange");
    let first = Server::start(&db, true, None);
    let (order, line) = fulfilled_order(&first);
    let variant = query(
        &db,
        &format!("SELECT variant_id FROM order_line_item WHERE id = '{line}'"),
    );
    let exchange = first.ok("/admin/exchanges", json!({"order_id": order}))["exchange"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("/admin/exchanges/{exchange}");
    first.ok(
        &format!("{base}/inbound/items"),
        json!({"items": [{"id": line, "quantity": 1}]}),
    );
    first.ok(
        &format!("{base}/outbound/items"),
        json!({"items": [{"variant_id": variant, "quantity": 1}]}),
    );
    drop(first);
    let before = stock(&db);
    let lines_sql = format!(
        "SELECT COUNT(*) FROM order_line_item WHERE order_id = '{order}' AND deleted_at IS NULL"
    );
    let version_sql = format!("SELECT version FROM \"order\" WHERE id = '{order}'");
    let facts_sql = "SELECT (SELECT COUNT(*) FROM order_exchange_item) || '/' ||
        (SELECT COUNT(*) FROM order_return_item) || '/' ||
        (SELECT status FROM order_return) || '/' ||
        (SELECT COALESCE(difference_due, 'none') FROM order_exchange)";

    Server::start(&db, false, Some("exchange-confirm:applied"))
        .crash_on(&format!("{base}/request"));
    let second = Server::start(&db, false, None);
    assert_eq!(stock(&db), before, "nothing reserved");
    assert_eq!(query(&db, &lines_sql), "1", "no line added");
    assert_eq!(query(&db, &version_sql), "1");
    assert_eq!(query(&db, facts_sql), "0/0/open/none", "nothing recorded");
    assert_eq!(
        query(
            &db,
            "SELECT COUNT(*) FROM order_change WHERE status IN ('pending', 'requested')"
        ),
        "1",
        "the exchange is still open"
    );

    second.ok(&format!("{base}/request"), json!({}));
    assert_eq!(query(&db, &lines_sql), "2");
    assert_eq!(query(&db, &version_sql), "2");
    assert!(query(&db, facts_sql).starts_with("1/1/requested/"));
    let reserved = |s: &str| -> i64 { s.split(" / ").nth(1).unwrap().parse().unwrap() };
    assert_eq!(
        reserved(&stock(&db)),
        reserved(&before) + 1,
        "reserved once"
    );
    drop(second);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

#[test]
fn a_crash_inside_a_draft_edit_confirmation_leaves_no_promotion_or_price_behind() {
    let db = sandbox("draft");
    let first = Server::start(&db, true, None);
    let (_, line) = fulfilled_order(&first);
    let variant = query(
        &db,
        &format!("SELECT variant_id FROM order_line_item WHERE id = '{line}'"),
    );
    let region = query(
        &db,
        "SELECT id FROM region WHERE currency_code = 'usd' AND deleted_at IS NULL",
    );
    let promotion = json!({"code": "CRASH10", "type": "standard", "status": "active",
        "application_method": {"type": "percentage", "target_type": "order", "value": 10}});
    first.ok("/admin/promotions", promotion);
    let draft = first.ok(
        "/admin/draft-orders",
        json!({"email": "phone@example.com", "region_id": region,
            "items": [{"variant_id": variant, "quantity": 1}],
            "shipping_methods": [{"name": "Courier", "amount": 10}]}),
    )["draft_order"]
        .clone();
    let id = draft["id"].as_str().unwrap().to_string();
    let method = draft["shipping_methods"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let edit = format!("/admin/draft-orders/{id}/edit");
    first.ok(&edit, json!({}));
    first.ok(
        &format!("{edit}/promotions"),
        json!({"promo_codes": ["CRASH10"]}),
    );
    first.ok(
        &format!("{edit}/shipping-methods/method/{method}"),
        json!({"custom_amount": 4}),
    );
    drop(first);
    let adjustments = format!(
        "SELECT COUNT(*) FROM order_line_item_adjustment WHERE deleted_at IS NULL
           AND item_id IN (SELECT id FROM order_line_item WHERE order_id = '{id}')"
    );
    let links = "SELECT COUNT(*) FROM link_order_promotion WHERE deleted_at IS NULL";
    let amount = format!("SELECT amount FROM order_shipping_method WHERE id = '{method}'");

    Server::start(&db, false, Some("order-edit:applied")).crash_on(&format!("{edit}/confirm"));
    let second = Server::start(&db, false, None);
    assert_eq!(query(&db, &adjustments), "0", "no discount written");
    assert_eq!(query(&db, links), "0", "no promotion linked");
    assert_eq!(query(&db, &amount), "1000", "the method keeps its price");

    second.ok(&format!("{edit}/confirm"), json!({}));
    assert_eq!(query(&db, &adjustments), "1");
    assert_eq!(query(&db, links), "1");
    assert_eq!(query(&db, &amount), "400");
    assert_eq!(
        query(&db, "SELECT used FROM promotion WHERE code = 'CRASH10'"),
        "0",
        "a draft uses nothing until converted"
    );
    drop(second);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}
