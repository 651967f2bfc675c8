//! The proof of issue 17 with real processes: a central and two tills (the `stockroom`
//! binary, file stores, synchronous=FULL) on loopback.
//! 1. the tills sell while central is down; central comes back; every sale arrives once and
//!    stock at each till's location drops by exactly the units sold;
//! 2. SIGKILL of a till or of central at random moments while sales and sync run, each
//!    restarted — then again every sale a till holds is on central exactly once (0 lost,
//!    0 duplicated) and the stock adds up;
//! 3. a price change on central reaches both tills.
//!
//! CI runs 4 kills. The long run is `TILL_KILLS=60 cargo test --release --test
//! till_sync_binary -- --nocapture` (`scripts/till-sync-chaos.sh`).

use crate::common;
use crate::till_support;

use common::binary::{self, Server};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use stockroom::Engine;
use stockroom::db::{Store, StoreOptions};
use till_support::{KEY_A, KEY_B, admin_call, discover, sell, stocked, store_call, wait_until};

const ENV: [(&str, &str); 3] = [
    ("JWT_SECRET", "till-sync-binary-jwt-secret-0123456789abcdef"),
    (
        "COOKIE_SECRET",
        "till-sync-binary-cookie-secret-0123456789ab",
    ),
    ("STOCKROOM_TILL_SYNC_MS", "50"),
];

fn bin() -> Command {
    let mut c = binary::command();
    c.envs(ENV);
    c
}

/// Starts `serve` on `port` (0: any) and waits for its URL line; `None` if it did not come
/// up (a port still held by the kernel after a kill: the caller retries).
fn serve(db: &Path, port: u16) -> Option<Server> {
    let mut cmd = bin();
    cmd.args(["serve", "--db"]).arg(db).args([
        "--port",
        &port.to_string(),
        "--quiet",
        "--synchronous",
        "full",
    ]);
    Server::try_spawn(cmd)
}

fn serve_retrying(db: &Path, port: u16) -> Server {
    for _ in 0..50 {
        if let Some(s) = serve(db, port) {
            return s;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} did not start on port {port}", db.display());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Shop {
    key: &'static str,
    register: &'static str,
    channel: String,
    location: String,
}

/// Seeds central's file, makes its secret key and finds the two shops.
fn prepare_central(db: &Path) -> (String, Vec<Shop>) {
    let seeded = bin()
        .args(["seed", "--db"])
        .arg(db)
        .arg(till_support::FIXTURE)
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let store = Store::open(db, StoreOptions::default()).unwrap();
    let engine = Engine::builder().build(store).unwrap();
    let ctx = engine.ctx().clone();
    let (_, sk) = engine
        .store()
        .write(move |tx| stockroom::modules::api_key::create_secret(tx, &ctx, "tills", "test"))
        .unwrap();
    let find = |sql: &str, name: &str| -> String {
        engine
            .store()
            .read(|c| Ok(c.query_row(sql, [name], |r| r.get(0))?))
            .unwrap()
    };
    let channel = "SELECT id FROM sales_channel WHERE name = ?1";
    let location = "SELECT id FROM stock_location WHERE name = ?1";
    let shops = vec![
        Shop {
            key: KEY_A,
            register: "A",
            channel: find(channel, "Shop A tills"),
            location: find(location, "Shop A"),
        },
        Shop {
            key: KEY_B,
            register: "B",
            channel: find(channel, "Shop B tills"),
            location: find(location, "Shop B"),
        },
    ];
    engine.shutdown();
    (sk, shops)
}

fn init_till(db: &Path, central: &str, sk: &str, shop: &Shop) {
    let made = bin()
        .args([
            "till",
            "init",
            "--central",
            &format!("http://{central}"),
            "--key",
            sk,
            "--db",
        ])
        .arg(db)
        // The channel and location come from central's register (`fixtures/pos.json`).
        .args(["--register", shop.register])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let (channel, location, local): (String, String, String) = open_ro(db)
        .query_row(
            "SELECT c.sales_channel_id, c.location_id, r.sales_channel_id || ' ' || r.stock_location_id
             FROM till_sync_config c JOIN pos_register r ON r.code = c.register",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("the till's configuration and its register");
    assert_eq!((&channel, &location), (&shop.channel, &shop.location));
    assert_eq!(
        local,
        format!("{channel} {location}"),
        "/pos sells in the synced channel"
    );
}

fn open_ro(db: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c
}

/// Every order a till holds in its POS channel, with its units.
fn till_orders(db: &Path, channel: &str) -> HashMap<String, i64> {
    let c = open_ro(db);
    let mut stmt = c
        .prepare(
            "SELECT o.id, COALESCE(SUM(i.quantity), 0) FROM \"order\" o JOIN order_line_item i ON i.order_id = o.id
             WHERE o.sales_channel_id = ?1 AND i.deleted_at IS NULL GROUP BY o.id",
        )
        .unwrap();
    stmt.query_map([channel], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Central's orders per till order id (a duplicate would show as a count of 2).
fn central_copies(db: &Path) -> HashMap<String, i64> {
    let c = open_ro(db);
    let mut stmt = c
        .prepare(
            "SELECT json_extract(metadata, '$.pos_till_order_id'), COUNT(*) FROM \"order\"
             WHERE json_extract(metadata, '$.pos_till_order_id') IS NOT NULL GROUP BY 1",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn pending(db: &Path) -> i64 {
    open_ro(db)
        .query_row(
            "SELECT COUNT(*) FROM till_sync_outbox WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// Waits until every till order is on central, then checks exactly-once and the stock.
fn check_all_synced(
    central_db: &Path,
    tills: &[(PathBuf, &Shop)],
    variant: &str,
    start_stock: &[i64],
) -> usize {
    let expected: Vec<HashMap<String, i64>> = tills
        .iter()
        .map(|(db, s)| till_orders(db, &s.channel))
        .collect();
    let all: usize = expected.iter().map(HashMap::len).sum();
    let synced = wait_until(Duration::from_secs(120), || {
        let copies = central_copies(central_db);
        expected
            .iter()
            .all(|orders| orders.keys().all(|id| copies.contains_key(id)))
            && tills.iter().all(|(db, _)| pending(db) == 0)
    });
    let copies = central_copies(central_db);
    assert!(
        synced,
        "not every till sale reached central: {} of {all}",
        copies.len()
    );
    assert!(
        copies.values().all(|n| *n == 1),
        "a sale was duplicated: {copies:?}"
    );
    assert_eq!(copies.len(), all, "central holds a sale no till made");
    let c = open_ro(central_db);
    for (i, (_, shop)) in tills.iter().enumerate() {
        let units: i64 = expected[i].values().sum();
        assert_eq!(
            start_stock[i] - stocked(&c, variant, &shop.location),
            units,
            "stock at {} moved by exactly the units sold there",
            shop.register
        );
    }
    all
}

fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn tills_sell_offline_and_every_sale_reaches_central_once_through_kills() {
    let dir = std::env::temp_dir().join(format!("stockroom-till-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let central_db = dir.join("central.db");
    let (sk, shops) = prepare_central(&central_db);
    let port = free_port();
    let mut central = Some(serve_retrying(&central_db, port));
    let central_addr = central.as_ref().unwrap().addr.clone();
    let tills: Vec<(PathBuf, &Shop)> = shops
        .iter()
        .map(|s| (dir.join(format!("till-{}.db", s.register)), s))
        .collect();
    for (db, shop) in &tills {
        init_till(db, &central_addr, &sk, shop);
    }
    let mut running: Vec<Option<Server>> = tills
        .iter()
        .map(|(db, _)| Some(serve_retrying(db, 0)))
        .collect();
    let (region, variant) = discover(&running[0].as_ref().unwrap().addr, KEY_A);
    let start_stock: Vec<i64> = {
        let c = open_ro(&central_db);
        shops
            .iter()
            .map(|s| stocked(&c, &variant, &s.location))
            .collect()
    };

    // 1. Central is down; the tills keep selling.
    central.take().unwrap().kill();
    for (i, shop) in shops.iter().enumerate() {
        for q in 1..=3 {
            let addr = &running[i].as_ref().unwrap().addr;
            sell(addr, shop.key, &region, &variant, q).expect("a till sells while central is down");
        }
    }
    let queued = wait_until(Duration::from_secs(30), || {
        tills.iter().all(|(db, _)| pending(db) == 3)
    });
    assert!(queued, "the sales wait in the tills' queues");
    central = Some(serve_retrying(&central_db, port));
    let count = check_all_synced(&central_db, &tills, &variant, &start_stock);
    assert_eq!(count, 6);

    // 2. SIGKILL of a till or of central at random moments during sales and sync.
    let kills: u64 = std::env::var("TILL_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut acked: Vec<String> = Vec::new();
    for round in 0..kills {
        let victim = (next(&mut seed) % 3) as usize; // 0, 1: a till; 2: central
        for (i, shop) in shops.iter().enumerate() {
            if let Some(server) = &running[i] {
                let q = 1 + (next(&mut seed) % 2) as i64;
                acked.extend(sell(&server.addr, shop.key, &region, &variant, q));
            }
        }
        std::thread::sleep(Duration::from_millis(next(&mut seed) % 120));
        if victim == 2 {
            central.take().unwrap().kill();
            // A till sells once more while central is away.
            let i = (round % 2) as usize;
            acked.extend(sell(
                &running[i].as_ref().unwrap().addr,
                shops[i].key,
                &region,
                &variant,
                1,
            ));
            central = Some(serve_retrying(&central_db, port));
        } else {
            running[victim].take().unwrap().kill();
            running[victim] = Some(serve_retrying(&tills[victim].0, 0));
        }
    }
    let total = check_all_synced(&central_db, &tills, &variant, &start_stock);
    eprintln!(
        "{kills} kills, {total} sales ({} acknowledged to a client), each on central once",
        acked.len()
    );
    assert!(
        acked.len() as u64 >= kills,
        "the tills kept selling between kills"
    );
    let copies = central_copies(&central_db);
    assert!(
        acked.iter().all(|id| copies.contains_key(id)),
        "a sale a client saw was lost"
    );

    // 3. A price change on central reaches both tills.
    let central_addr = &central.as_ref().unwrap().addr;
    let product = open_ro(&central_db)
        .query_row(
            "SELECT product_id FROM product_variant WHERE id = ?1",
            [&variant],
            |r| r.get::<_, String>(0),
        )
        .unwrap();
    let (status, _) = admin_call(
        central_addr,
        &sk,
        "POST",
        &format!("/admin/products/{product}/variants/{variant}"),
        Some(json!({"prices": [{"currency_code": "usd", "amount": 77}]})),
    )
    .unwrap();
    assert_eq!(status, 200);
    for (i, shop) in shops.iter().enumerate() {
        let addr = running[i].as_ref().unwrap().addr.clone();
        let path = format!("/store/products/{product}?region_id={region}&fields=*variants");
        let reached = wait_until(Duration::from_secs(60), || {
            store_call(&addr, shop.key, "GET", &path, None).is_some_and(|p| {
                p["product"]["variants"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|v| {
                        v["id"] == variant.as_str()
                            && v["calculated_price"]["calculated_amount"] == json!(77)
                    })
            })
        });
        assert!(reached, "the new price reached till {}", shop.register);
    }
    let ids: HashSet<String> = central_copies(&central_db).into_keys().collect();
    assert_eq!(ids.len(), total);
    for server in running.into_iter().flatten() {
        server.kill();
    }
    central.take().unwrap().kill();
    let _ = std::fs::remove_dir_all(&dir);
}
