//! Measures till sync (issue 17) on file stores: the capture triggers' cost on central's
//! write path, a till's pull (changes applied per second), and push throughput (sales
//! ingested per second by central over HTTP, and idempotent replays).
//!
//! ```sh
//! cargo run --release --example till_sync_bench -- [sales=2000] [updates=3000]
//! ```

use serde_json::{Value, json};
use std::time::Instant;
use stockroom::config::{self, Command};
use stockroom::db::{Store, StoreOptions};
use stockroom::flows::till_sync::{capture, cli, client::Central, message::SaleMessage};
use stockroom::modules::{api_key, till_sync};
use stockroom::{Engine, app, flows::seed};

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn serve_config(db: &std::path::Path) -> stockroom::config::ServeConfig {
    let args: Vec<String> = [
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--port",
        "0",
        "--quiet",
    ]
    .map(String::from)
    .to_vec();
    let env = |k: &str| match k {
        "JWT_SECRET" => Some("till-sync-bench-jwt-secret-0123456789abcdef".to_string()),
        "COOKIE_SECRET" => Some("till-sync-bench-cookie-secret-0123456789ab".to_string()),
        _ => None,
    };
    match config::parse(&args, &env).unwrap() {
        Command::Serve(c) => c,
        _ => unreachable!(),
    }
}

/// `updates` write jobs, each changing one price row; µs per job.
fn price_updates(engine: &Engine, updates: usize) -> f64 {
    let ids: Vec<String> = engine
        .store()
        .read(|c| {
            let mut s = c.prepare("SELECT id FROM pricing_price")?;
            let rows = s.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
        })
        .unwrap();
    let started = Instant::now();
    for i in 0..updates {
        let id = ids[i % ids.len()].clone();
        let now = engine.ctx().now();
        engine
            .store()
            .write(move |tx| {
                tx.execute(
                    "UPDATE pricing_price SET amount = amount + 1, updated_at = ?2 WHERE id = ?1",
                    [&id, &now],
                )?;
                Ok(())
            })
            .unwrap();
    }
    started.elapsed().as_secs_f64() * 1e6 / updates as f64
}

fn main() {
    let (sales, updates) = (arg(1, 2000), arg(2, 3000));
    let dir = std::env::temp_dir().join(format!("stockroom-till-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let central_db = dir.join("central.db");

    // Central: the POS fixture, a secret key.
    let engine = Engine::builder()
        .build(Store::open(&central_db, StoreOptions::default()).unwrap())
        .unwrap();
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pos.json")).unwrap();
    seed::load(&engine, seed::parse(&text).unwrap()).unwrap();
    let ctx = engine.ctx().clone();
    let (_, sk) = engine
        .store()
        .write(move |tx| api_key::create_secret(tx, &ctx, "bench", "bench"))
        .unwrap();

    // 1. The capture triggers on central's write path.
    // Alternating runs, medians: the machine is shared, single runs are noisy.
    price_updates(&engine, updates); // warm-up
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        with.push(price_updates(&engine, updates));
        engine
            .store()
            .write(|tx| capture::ensure(tx, false))
            .unwrap();
        without.push(price_updates(&engine, updates));
        engine
            .store()
            .write(|tx| capture::ensure(tx, true))
            .unwrap();
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (with, without) = (median(&mut with), median(&mut without));
    println!(
        "capture: one-row write job {without:.1} µs without triggers, {with:.1} µs with ({:+.1} µs; medians of 5 alternating runs of {updates} jobs)",
        with - without
    );
    let (channel, location): (String, String) = engine
        .store()
        .read(|c| {
            Ok((
                c.query_row(
                    "SELECT id FROM sales_channel WHERE name = 'Shop A tills'",
                    [],
                    |r| r.get(0),
                )?,
                c.query_row(
                    "SELECT id FROM stock_location WHERE name = 'Shop A'",
                    [],
                    |r| r.get(0),
                )?,
            ))
        })
        .unwrap();
    let variant: (String, String, Option<String>) = engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT id, product_id, sku FROM product_variant LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap();
    engine.shutdown();

    let server = app::start(&serve_config(&central_db), Engine::builder()).unwrap();
    let url = format!("http://{}", server.server.addr());
    let central = Central::new(&url, &sk).unwrap();

    // 2. A till's first pull: everything from cursor 0.
    let till_db = dir.join("till.db");
    let till = Engine::builder()
        .build(Store::open(&till_db, StoreOptions::default()).unwrap())
        .unwrap();
    let settings = till_sync::Config {
        central_url: url.clone(),
        api_key: sk.clone(),
        register: "A".into(),
        sales_channel_id: channel.clone(),
        location_id: location.clone(),
        pull_cursor: 0,
        pulled_at: None,
    };
    let started = Instant::now();
    let (pulled, cursor) = cli::become_till(&till, &central, &settings).unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "pull: {pulled} changes (cursor {cursor}) in {:.0} ms = {:.0} changes/s (pages of 1000 over HTTP, each applied with its cursor in one write job)",
        secs * 1e3,
        pulled as f64 / secs
    );
    till.shutdown();

    // 3. Push: synthetic sales of one line each, in batches of 50.
    let sale = |n: usize| -> Value {
        let msg = SaleMessage {
            till_order_id: format!("order_bench{n:08}"),
            register: "A".into(),
            till_display_id: n as i64,
            receipt_number: format!("A-{n}"),
            location_id: location.clone(),
            sales_channel_id: Some(channel.clone()),
            region_id: None,
            customer_id: None,
            email: Some("bench@example.com".into()),
            currency_code: "usd".into(),
            placed_at: "2026-01-01T00:00:00.000Z".into(),
            metadata: Some(json!({"pos_session_id": "bench"})),
            shipping_address: None,
            billing_address: None,
            items: vec![serde_json::from_value(json!({
                "id": "", "title": "Bench", "quantity": 1, "variant_id": variant.0, "product_id": variant.1,
                "variant_sku": variant.2, "requires_shipping": false, "is_discountable": true,
                "is_giftcard": false, "is_tax_inclusive": false, "is_custom_price": false,
                "unit_price": 2150, "metadata": {}, "created_at": "", "updated_at": ""
            }))
            .unwrap()],
            shipping_methods: Vec::new(),
            payments: vec![stockroom::flows::till_sync::message::Tender {
                provider_id: "pp_system_default".into(),
                amount: 2150,
                data: json!({}),
            }],
            total: 2150,
        };
        serde_json::to_value(msg).unwrap()
    };
    for (label, first) in [("push", true), ("replayed push", false)] {
        let started = Instant::now();
        for batch in (0..sales).collect::<Vec<_>>().chunks(50) {
            let body = json!({"sales": batch.iter().map(|n| sale(*n)).collect::<Vec<_>>()});
            let answer = central.post("/admin/pos/sales", &body).unwrap();
            assert!(
                answer["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| r["order_id"].is_string())
            );
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{label}: {sales} sales in {:.0} ms = {:.0} sales/s{}",
            secs * 1e3,
            sales as f64 / secs,
            if first {
                " (one ingest workflow and write job each: order, payment, fulfillment, stock)"
            } else {
                " (each answers the first result)"
            }
        );
    }
    server.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
