//! The SIGKILL crash harness: the real `stockroom` binary on a file store (synchronous=FULL)
//! under checkout load from several clients, killed with SIGKILL at random moments and
//! restarted each time; then the invariants:
//! * every order a client saw acknowledged exists;
//! * no cart has two orders;
//! * every inventory level's reserved quantity equals the sum of its open reservations;
//! * every recorded payment belongs to an order;
//! * no workflow execution is left `running` or `compensating`;
//! * every committed event was fanned out for delivery.
//!
//! The test suite runs a short version (4 kills). The long one is a documented command:
//! `CRASH_KILLS=200 cargo test --release --test it crash_harness:: -- --nocapture`.

use crate::common;

use common::binary::{self, Server};
use common::client;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use stockroom::Engine;
use stockroom::db::{Store, StoreOptions};

const KEY: &str = common::DEMO_KEY;
const CLIENTS: usize = 4;

/// `serve` on the file store with synchronous=FULL (what the kills test).
fn start(db: &Path) -> Server {
    let mut cmd = binary::command();
    cmd.args(["serve", "--db"])
        .arg(db)
        .args(["--port", "0", "--quiet", "--synchronous", "full"])
        .env("JWT_SECRET", "crash-harness-jwt-secret-0123456789abcdef")
        .env("COOKIE_SECRET", "crash-harness-cookie-secret-0123456789abc");
    Server::spawn(cmd)
}

fn call(addr: &str, method: &str, path: &str, body: Option<Value>) -> Option<Value> {
    let text = body.map(|b| b.to_string());
    let headers = [
        ("x-publishable-api-key", KEY),
        ("content-type", "application/json"),
    ];
    let reply = client::try_send(
        addr,
        method,
        path,
        &headers,
        text.as_deref().map(str::as_bytes),
    )?;
    (reply.status == 200).then(|| reply.json())
}

/// The ids a checkout needs, discovered through the API.
#[derive(Clone)]
struct Ids {
    region: String,
    variant: String,
}

fn discover(addr: &str) -> Ids {
    let regions = call(addr, "GET", "/store/regions", None).expect("regions");
    let region = regions["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["currency_code"] == "usd")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let products = call(
        addr,
        "GET",
        &format!("/store/products?limit=1&region_id={region}&fields=*variants"),
        None,
    )
    .expect("products");
    let variant = products["products"][0]["variants"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    Ids { region, variant }
}

/// One guest checkout; returns (cart id, order id) once the order is acknowledged.
fn checkout(addr: &str, ids: &Ids, n: u64) -> Option<(String, String)> {
    let cart = call(
        addr,
        "POST",
        "/store/carts",
        Some(json!({"region_id": ids.region})),
    )?;
    let cart_id = cart["cart"]["id"].as_str()?.to_string();
    call(
        addr,
        "POST",
        &format!("/store/carts/{cart_id}/line-items"),
        Some(json!({"variant_id": ids.variant, "quantity": 1})),
    )?;
    let address = json!({"first_name": "C", "last_name": "H", "address_1": "1 Loop", "city": "X", "postal_code": "1", "country_code": "us"});
    let update = json!({"email": format!("crash{n}@example.com"), "shipping_address": address, "billing_address": address});
    call(
        addr,
        "POST",
        &format!("/store/carts/{cart_id}"),
        Some(update),
    )?;
    let options = call(
        addr,
        "GET",
        &format!("/store/shipping-options?cart_id={cart_id}"),
        None,
    )?;
    let option = options["shipping_options"][0]["id"].as_str()?.to_string();
    call(
        addr,
        "POST",
        &format!("/store/carts/{cart_id}/shipping-methods"),
        Some(json!({"option_id": option})),
    )?;
    let collection = call(
        addr,
        "POST",
        "/store/payment-collections",
        Some(json!({"cart_id": cart_id})),
    )?;
    let pc = collection["payment_collection"]["id"].as_str()?.to_string();
    call(
        addr,
        "POST",
        &format!("/store/payment-collections/{pc}/payment-sessions"),
        Some(json!({"provider_id": "pp_system_default"})),
    )?;
    let done = call(
        addr,
        "POST",
        &format!("/store/carts/{cart_id}/complete"),
        None,
    )?;
    (done["type"] == "order").then(|| {
        (
            cart_id,
            done["order"]["id"].as_str().unwrap_or_default().to_string(),
        )
    })
}

/// A tiny deterministic generator for kill moments (xorshift).
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Runs load until `requests_before_kill` checkouts have been attempted, then SIGKILLs.
fn load_then_kill(
    server: Server,
    ids: &Ids,
    kill_after: u64,
    acked: &Arc<Mutex<Vec<(String, String)>>>,
    counter: &Arc<AtomicU64>,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = counter.load(Ordering::SeqCst);
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (addr, ids, acked, counter, stop) = (
                server.addr.clone(),
                ids.clone(),
                acked.clone(),
                counter.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    match checkout(&addr, &ids, n) {
                        Some(order) => acked.lock().unwrap().push(order),
                        None if stop.load(Ordering::SeqCst) => return,
                        None => {}
                    }
                }
            })
        })
        .collect();
    while counter.load(Ordering::SeqCst) < started + kill_after {
        std::thread::yield_now();
    }
    server.kill(); // SIGKILL
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        let _ = w.join();
    }
}

fn count(store: &Store, sql: &'static str) -> i64 {
    store
        .read(move |c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

fn check_invariants(db: &Path, acked: &[(String, String)]) {
    // Restart in-process: recovery runs, and the dispatcher settles every committed event.
    let store = Store::open(db, StoreOptions::default()).unwrap();
    let engine = Engine::builder().build(store.clone()).unwrap();
    engine.wait_idle().unwrap();
    for (cart, order) in acked {
        let (c, o) = (cart.clone(), order.clone());
        let linked: i64 = store
            .read(move |conn| Ok(conn.query_row("SELECT count(*) FROM link_order_cart WHERE order_id = ?1 AND cart_id = ?2 AND deleted_at IS NULL", [&o, &c], |r| r.get(0))?))
            .unwrap();
        assert_eq!(
            linked, 1,
            "acknowledged order {order} of cart {cart} is missing"
        );
    }
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM (SELECT cart_id FROM link_order_cart WHERE deleted_at IS NULL GROUP BY cart_id HAVING count(*) > 1)"
        ),
        0,
        "a cart has two orders"
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM inventory_level l WHERE l.deleted_at IS NULL AND l.reserved_quantity <> (SELECT COALESCE(sum(r.quantity), 0) FROM inventory_reservation_item r WHERE r.inventory_item_id = l.inventory_item_id AND r.location_id = l.location_id AND r.deleted_at IS NULL)"
        ),
        0,
        "reserved quantity differs from open reservations"
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM payment p WHERE p.deleted_at IS NULL AND p.canceled_at IS NULL AND NOT EXISTS (SELECT 1 FROM link_order_payment_collection l WHERE l.payment_collection_id = p.payment_collection_id AND l.deleted_at IS NULL)"
        ),
        0,
        "a payment without an order"
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM workflow_execution WHERE status IN ('running', 'compensating')"
        ),
        0,
        "an execution left running"
    );
    assert_eq!(
        count(
            &store,
            "SELECT (SELECT COALESCE(max(seq), 0) FROM event_outbox) - (SELECT last_seq FROM event_cursor)"
        ),
        0,
        "committed events not fanned out"
    );
    engine.shutdown();
}

fn sandbox() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stockroom-crash-harness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn sigkill_under_checkout_load_loses_nothing() {
    let kills: u64 = std::env::var("CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let dir = sandbox();
    let db = dir.join("shop.db");
    let seeded = binary::command()
        .args(["seed", "--db"])
        .arg(&db)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.json"))
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let acked = Arc::new(Mutex::new(Vec::new()));
    let counter = Arc::new(AtomicU64::new(0));
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let ids = {
        let server = start(&db);
        let ids = discover(&server.addr);
        load_then_kill(server, &ids, 1, &acked, &counter);
        ids
    };
    for _ in 1..kills {
        let kill_after = 1 + next(&mut seed) % 40;
        load_then_kill(start(&db), &ids, kill_after, &acked, &counter);
    }
    let acked = acked.lock().unwrap().clone();
    check_invariants(&db, &acked);
    eprintln!(
        "crash harness: {kills} SIGKILLs, {} checkout attempts (including those cut short by a kill), {} orders acknowledged, 0 violations",
        counter.load(Ordering::SeqCst),
        acked.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
