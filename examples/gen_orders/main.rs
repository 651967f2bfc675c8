//! Makes a file store with an order history, for measuring how cost grows with it
//! (`scripts/benchmarks.sh`, BENCHMARKS.md "Order history growth").
//!
//! ```sh
//! cargo run --release --example gen_orders -- --db /tmp/history-1m.db --orders 1000000
//! ```
//!
//! **The history is synthetic.** The fixture is seeded and the customers registered through
//! the real flows; then a few real orders (one per persona in `templates.rs`: guests and
//! registered customers, US and EU addresses, one to three lines) are placed through the
//! registered checkout workflows in-process; every other order is a copy of one of those,
//! written straight into the tables in large write jobs (`copies.rs`): the same rows in every
//! table the real checkout wrote (cart and its lines, addresses, shipping method and tax
//! lines; order, its lines, addresses, shipping method and tax lines; payment collection,
//! session, payment and their links; the order↔cart link; the inventory reservation and the
//! level's reserved quantity; the `order.placed` outbox event; the seven workflow executions
//! and their journaled steps), with fresh ids, increasing times and display ids, and another
//! customer (a skewed choice among the registered ones) or guest email. Real checkouts run at
//! a few hundred per second; copies at tens of thousands.
//!
//! Prints one JSON object: orders, seconds, file size, the busiest customer, rows per table.

mod copies;
mod history;
mod people;
mod templates;
#[cfg(test)]
mod tests;

use history::Options;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use stockroom::clock::Clock;
use stockroom::db::{Store, StoreOptions, Synchronous};
use stockroom::{Engine, Error, Result};

const USAGE: &str = "usage: gen_orders --db PATH --orders N [--customers 300] [--templates 8]
                  [--batch 10000] [--span-days 365] [--seed 7] [--fixture fixtures/demo.json]";

struct Args {
    db: PathBuf,
    fixture: PathBuf,
    options: Options,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args).and_then(|a| run(&a)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_orders: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse(args: &[String]) -> Result<Args> {
    let mut out = Args {
        db: PathBuf::new(),
        fixture: PathBuf::from("fixtures/demo.json"),
        options: Options::default(),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| Error::invalid(format!("{flag} needs a value")))?;
        let number = || {
            value
                .replace('_', "")
                .parse::<u64>()
                .map_err(|_| Error::invalid(format!("{flag}: not a number: {value}")))
        };
        let o = &mut out.options;
        match flag.as_str() {
            "--db" => out.db = PathBuf::from(value),
            "--fixture" => out.fixture = PathBuf::from(value),
            "--orders" => o.orders = number()?,
            "--customers" => o.customers = number()? as usize,
            "--templates" => o.templates = number()? as usize,
            "--batch" => o.batch = number()?,
            "--span-days" => o.span_days = number()? as i64,
            "--seed" => o.seed = number()?,
            other => return Err(Error::invalid(format!("unknown option {other}"))),
        }
    }
    if out.db.as_os_str().is_empty() {
        return Err(Error::invalid("--db is required"));
    }
    Ok(out)
}

fn run(args: &Args) -> Result<()> {
    if args.db.exists() {
        return Err(Error::invalid(format!(
            "{} exists: give a new path",
            args.db.display()
        )));
    }
    let fixture = std::fs::read_to_string(&args.fixture)
        .map_err(|e| Error::invalid(format!("{}: {e}", args.fixture.display())))?;
    let began = Instant::now();
    // Durable enough for a benchmark file; the last close checkpoints it.
    let options = StoreOptions {
        synchronous: Synchronous::Normal,
        ..StoreOptions::default()
    };
    let store = Store::open(&args.db, options)?;
    let span = args.options.span_days * 86_400_000;
    let engine = Engine::builder()
        .without_notifications()
        .clock(Clock::fixed(now_ms() - span - 3_600_000))
        .build(store)?;
    let dir = args
        .fixture
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let summary = history::generate(&engine, (&fixture, &dir), &args.options)?;
    let rows = engine.store().read(history_rows)?;
    engine.shutdown();
    let seconds = began.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&args.db).map(|m| m.len()).unwrap_or(0);
    let top = summary.customers.first();
    let report = json!({
        "db": args.db, "orders": args.options.orders, "real_orders": summary.templates.len(),
        "customers": summary.customers.len(), "seconds": (seconds * 10.0).round() / 10.0,
        "db_bytes": bytes, "top_customer": top.map(|c| &c.email),
        "top_customer_orders": summary.orders_per_customer.first(),
        "password": people::PASSWORD, "rows": rows,
        "real_order_ids": summary.templates.iter().map(|t| (t.persona, &t.order_id)).collect::<Vec<_>>(),
        "rows_per_real_order": summary.plans.iter().map(|p| &p.rows_per_order).collect::<Vec<_>>(),
    });
    println!("{report}");
    Ok(())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Row counts of the tables an order writes to.
fn history_rows(c: &rusqlite::Connection) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mut out = serde_json::Map::new();
    for table in [
        "order",
        "order_line_item",
        "cart",
        "workflow_execution",
        "workflow_step",
    ] {
        let n: i64 = c.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
            r.get(0)
        })?;
        out.insert(table.to_string(), json!(n));
    }
    Ok(out)
}
