//! The generator must keep making orders shaped like real ones: per table, a history of N
//! orders holds N × the rows of one real order; copies list, render and hold stock like
//! real orders.

use crate::history::{self, Options, Summary};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;
use stockroom::Engine;
use stockroom::db::{Store, StoreOptions};
use stockroom::http::store::checkout_json::order_json;
use stockroom::modules::order::{self, admin::OrderFilter};

const FIXTURE: &str = include_str!("../../fixtures/demo.json");

fn generate(options: &Options) -> (Engine, Summary) {
    let store = Store::memory(StoreOptions::default()).expect("store");
    let engine = Engine::builder()
        .without_notifications()
        .deterministic(3)
        .build(store)
        .expect("engine");
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
    let summary = history::generate(&engine, (FIXTURE, dir), options).expect("generate");
    (engine, summary)
}

fn options(orders: u64, templates: usize) -> Options {
    Options {
        orders,
        customers: 6,
        templates,
        batch: 16,
        ..Options::default()
    }
}

/// Rows per table.
fn counts(engine: &Engine) -> BTreeMap<String, i64> {
    engine
        .store()
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                   AND name NOT LIKE 'product_fts%' AND name NOT LIKE 'order_search%'
                   AND name <> 'order_listed_count'",
            )?;
            let names = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut out = BTreeMap::new();
            for name in names {
                let n = c.query_row(&format!("SELECT COUNT(*) FROM \"{name}\""), [], |r| {
                    r.get(0)
                })?;
                out.insert(name, n);
            }
            Ok(out)
        })
        .expect("counts")
}

/// Per table, what `summary`'s orders added over a store with no orders at all.
fn added(engine: &Engine) -> BTreeMap<String, i64> {
    let (empty, _) = generate(&options(0, 0));
    let before = counts(&empty);
    counts(engine)
        .into_iter()
        .map(|(t, n)| (t.clone(), n - before.get(&t).copied().unwrap_or(0)))
        .filter(|(_, n)| *n != 0)
        .collect()
}

#[test]
fn fifty_copies_of_one_real_order_are_fifty_times_its_rows() {
    let (engine, summary) = generate(&options(50, 1));
    let one = &summary.plans[0].rows_per_order;
    let expected: BTreeMap<String, i64> = one
        .iter()
        .map(|(t, n)| (t.clone(), 50 * *n as i64))
        .collect();
    assert!(
        one.len() >= 15,
        "a checkout touches every order table: {one:?}"
    );
    assert_eq!(added(&engine), expected);
}

#[test]
fn mixed_history_lists_renders_and_holds_stock_like_real_orders() {
    let (engine, summary) = generate(&options(60, 8));
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for (plan, copies) in summary.plans.iter().zip(&summary.copies) {
        for (table, n) in &plan.rows_per_order {
            *expected.entry(table.clone()).or_default() += (1 + *copies as i64) * *n as i64;
        }
    }
    assert_eq!(added(&engine), expected);
    engine
        .store()
        .read(|c| check_history(c, &summary))
        .expect("history");
}

fn check_history(c: &Connection, summary: &Summary) -> stockroom::Result<()> {
    let (page, count) = order::admin::list(c, &OrderFilter::default(), 0, 20)?;
    assert_eq!(count, 60);
    let ids: Vec<i64> = page.iter().map(|o| o.display_id).collect();
    assert_eq!(ids, (41..=60).rev().collect::<Vec<_>>(), "newest first");
    assert!(page.windows(2).all(|w| w[0].created_at > w[1].created_at));
    let top = &summary.customers[0];
    let (mine, total) = order::list_for_customer(c, &top.id, &[], 0, 1000)?;
    assert_eq!(total, summary.orders_per_customer[0]);
    assert!(
        mine.iter()
            .all(|o| o.email.as_deref() == Some(top.email.as_str()))
    );
    let real: Vec<Value> = summary
        .templates
        .iter()
        .map(|t| order_json(c, &t.order_id).map(|o| o["total"].clone()))
        .collect::<stockroom::Result<_>>()?;
    let (all, _) = order::admin::list(c, &OrderFilter::default(), 0, 100)?;
    for o in &all {
        let doc = order_json(c, &o.id)?;
        assert!(real.contains(&doc["total"]), "{doc}");
        assert!(!doc["items"].as_array().is_none_or(Vec::is_empty));
    }
    let (reserved, held): (i64, i64) = c.query_row(
        "SELECT (SELECT SUM(reserved_quantity) FROM inventory_level),
                (SELECT SUM(quantity) FROM inventory_reservation_item)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(reserved, held);
    Ok(())
}
