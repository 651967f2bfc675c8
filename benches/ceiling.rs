//! The raw SQLite ceiling on this machine: checkout-shaped write transactions (13 statements:
//! an order, three lines, three stock decrements, a payment, three ledger rows, a cart update,
//! an outbox event) per second on a file in WAL mode —
//! * one thread, one transaction per checkout, at `synchronous=FULL` and `NORMAL`;
//! * through Stockroom's single writer with 8 concurrent callers (grouped commits), at FULL.
//!
//! HTTP figures elsewhere read as a fraction of these. `cargo bench --bench ceiling`.

use rusqlite::{Connection, params};
use std::time::{Duration, Instant};
use stockroom::db::{Store, StoreOptions, Synchronous};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ceil_order (id INTEGER PRIMARY KEY, cart TEXT, total INTEGER, created_at TEXT);
CREATE TABLE IF NOT EXISTS ceil_line (id INTEGER PRIMARY KEY, order_id INTEGER, variant INTEGER, qty INTEGER, price INTEGER);
CREATE TABLE IF NOT EXISTS ceil_stock (variant INTEGER PRIMARY KEY, stocked INTEGER, reserved INTEGER);
CREATE TABLE IF NOT EXISTS ceil_payment (id INTEGER PRIMARY KEY, order_id INTEGER, amount INTEGER, status TEXT);
CREATE TABLE IF NOT EXISTS ceil_ledger (id INTEGER PRIMARY KEY, order_id INTEGER, account TEXT, amount INTEGER);
CREATE TABLE IF NOT EXISTS ceil_cart (id TEXT PRIMARY KEY, completed_at TEXT);
CREATE TABLE IF NOT EXISTS ceil_event (id INTEGER PRIMARY KEY, name TEXT, data TEXT);
INSERT OR IGNORE INTO ceil_stock VALUES (1, 1000000000, 0), (2, 1000000000, 0), (3, 1000000000, 0);";

fn checkout(conn: &Connection, n: u64) -> rusqlite::Result<()> {
    let cart = format!("cart_{n}");
    conn.prepare_cached("INSERT INTO ceil_cart VALUES (?1, NULL)")?
        .execute([&cart])?;
    conn.prepare_cached("INSERT INTO ceil_order (cart, total, created_at) VALUES (?1, 4500, '2026-01-01T00:00:00Z')")?.execute([&cart])?;
    let order = conn.last_insert_rowid();
    for variant in 1..=3 {
        conn.prepare_cached(
            "INSERT INTO ceil_line (order_id, variant, qty, price) VALUES (?1, ?2, 1, 1500)",
        )?
        .execute(params![order, variant])?;
        conn.prepare_cached("UPDATE ceil_stock SET reserved = reserved + 1 WHERE variant = ?1 AND stocked - reserved >= 1")?.execute([variant])?;
    }
    conn.prepare_cached(
        "INSERT INTO ceil_payment (order_id, amount, status) VALUES (?1, 4500, 'authorized')",
    )?
    .execute([order])?;
    for account in ["receivable", "revenue", "tax"] {
        conn.prepare_cached(
            "INSERT INTO ceil_ledger (order_id, account, amount) VALUES (?1, ?2, 1500)",
        )?
        .execute(params![order, account])?;
    }
    conn.prepare_cached("UPDATE ceil_cart SET completed_at = '2026-01-01' WHERE id = ?1")?
        .execute([&cart])?;
    conn.prepare_cached("INSERT INTO ceil_event (name, data) VALUES ('order.placed', ?1)")?
        .execute([order.to_string()])?;
    Ok(())
}

fn raw(path: &std::path::Path, sync: &str, seconds: f64) -> f64 {
    let conn = Connection::open(path).expect("open");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous={sync};"
    ))
    .expect("pragmas");
    conn.execute_batch(SCHEMA).expect("schema");
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        conn.execute_batch("BEGIN IMMEDIATE").expect("begin");
        checkout(&conn, n).expect("checkout");
        conn.execute_batch("COMMIT").expect("commit");
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn grouped(path: &std::path::Path, seconds: f64, threads: u64) -> (f64, u64, u64) {
    let store = Store::open(
        path,
        StoreOptions {
            synchronous: Synchronous::Full,
            ..StoreOptions::default()
        },
    )
    .expect("store");
    store
        .write(|tx| Ok(tx.execute_batch(SCHEMA)?))
        .expect("schema");
    let before = store.writer_stats();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let id = (t << 40) | n;
                    store
                        .write(move |tx| Ok(checkout(tx, id)?))
                        .expect("checkout");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = workers.into_iter().map(|w| w.join().expect("worker")).sum();
    let elapsed = started.elapsed().as_secs_f64();
    let after = store.writer_stats();
    store.close();
    (
        total as f64 / elapsed,
        after.commits - before.commits,
        after.jobs - before.jobs,
    )
}

fn main() {
    let seconds = 3.0;
    let dir = std::env::temp_dir().join(format!("stockroom-ceiling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let full = raw(&dir.join("full.db"), "FULL", seconds);
    let normal = raw(&dir.join("normal.db"), "NORMAL", seconds);
    let (grouped_rate, commits, jobs) = grouped(&dir.join("grouped.db"), seconds, 8);
    println!("raw checkout-shaped tx/s, one thread, synchronous=FULL:   {full:.0}");
    println!("raw checkout-shaped tx/s, one thread, synchronous=NORMAL: {normal:.0}");
    println!(
        "Stockroom writer, 8 callers, synchronous=FULL: {grouped_rate:.0} tx/s ({jobs} jobs in {commits} commits, {:.1} jobs per commit)",
        jobs as f64 / commits.max(1) as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
