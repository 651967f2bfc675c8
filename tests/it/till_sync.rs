//! Till ↔ central sync in one process (issue 17): central is a test server over the POS
//! fixture, a till is a second server whose store `become_till` fills from central; sales
//! are made on the till through the Store API and pushed with `worker::round`.

use crate::common;
use crate::till_support;

use common::TestApp;
use serde_json::{Value, json};
use std::time::Duration;
use stockroom::flows::till_sync::{cli, client::Central, compaction, message, worker};
use stockroom::modules::{api_key, till_sync};
use till_support::{KEY_A, admin_call, discover, sell, store_call};

fn central() -> (TestApp, String) {
    let mut config = common::config();
    config.fixture = Some(till_support::FIXTURE.into());
    config.demo = false;
    let app = TestApp::with(config, stockroom::Engine::builder());
    let ctx = app.engine().ctx().clone();
    let (_, sk) = app
        .engine()
        .store()
        .write(move |tx| api_key::create_secret(tx, &ctx, "tills", "test"))
        .unwrap();
    (app, sk)
}

/// One sync round of a till (push its sales, pull central's changes); it must succeed.
#[track_caller]
fn round(till: &TestApp, remote: &Central) -> worker::Report {
    worker::round(till.engine(), remote).unwrap()
}

/// The till's sync settings (it has become a till).
fn till_config(till: &TestApp) -> till_sync::Config {
    till.engine()
        .store()
        .read(till_sync::config)
        .unwrap()
        .unwrap()
}

/// The push message of a till sale, as the till would send it.
fn sale_message(till: &TestApp, sold: &str) -> message::SaleMessage {
    let config = till_config(till);
    till.engine()
        .store()
        .read(|c| message::build(c, &config, sold))
        .unwrap()
}

/// Stocked units of a variant at a location on an app.
fn stocked_on(app: &TestApp, variant: &str, location: &str) -> i64 {
    app.engine()
        .store()
        .read(|c| Ok(till_support::stocked(c, variant, location)))
        .unwrap()
}

/// (channel, location) ids of central's `pos-a` channel and Shop A.
fn shop_a(central: &TestApp) -> (String, String) {
    central
        .engine()
        .store()
        .read(|c| {
            let channel: String = c.query_row(
                "SELECT id FROM sales_channel WHERE name = 'Shop A tills'",
                [],
                |r| r.get(0),
            )?;
            let location: String = c.query_row(
                "SELECT id FROM stock_location WHERE name = 'Shop A'",
                [],
                |r| r.get(0),
            )?;
            Ok((channel, location))
        })
        .unwrap()
}

fn till(central: &TestApp, sk: &str) -> (TestApp, Central) {
    till_as(central, sk, "A")
}

/// A till of Shop A's channel and location under register `code`.
fn till_as(central: &TestApp, sk: &str, code: &str) -> (TestApp, Central) {
    let mut config = common::config();
    config.fixture = None;
    config.demo = false;
    config.test_control = false;
    let app = TestApp::with(config, stockroom::Engine::builder());
    let url = format!("http://{}", central.addr);
    let (channel, location) = shop_a(central);
    let settings = till_sync::Config {
        central_url: url.clone(),
        api_key: sk.to_string(),
        register: code.into(),
        sales_channel_id: channel,
        location_id: location,
        pull_cursor: 0,
        pulled_at: None,
    };
    let remote = Central::new(&url, sk).unwrap();
    cli::become_till(app.engine(), &remote, &settings).expect("the till pulls central");
    (app, remote)
}

/// (stocked, reserved) of a variant's item at a location.
fn level(c: &rusqlite::Connection, variant: &str, location: &str) -> (i64, i64) {
    c.query_row(
        "SELECT l.stocked_quantity, l.reserved_quantity FROM inventory_level l
         JOIN link_product_variant_inventory_item k ON k.inventory_item_id = l.inventory_item_id
         WHERE k.variant_id = ?1 AND l.location_id = ?2 AND l.deleted_at IS NULL AND k.deleted_at IS NULL",
        [variant, location],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .expect("a level")
}

fn sales(central: &TestApp, sk: &str, query: &str) -> Value {
    admin_call(
        &central.addr,
        sk,
        "GET",
        &format!("/admin/pos/sales{query}"),
        None,
    )
    .unwrap()
    .1
}

#[test]
fn a_till_sale_reaches_central_once_with_its_stock_and_payment() {
    let (central, sk) = central();
    let (till, remote) = till(&central, &sk);
    let (region, variant) = discover(&till.addr, KEY_A);
    let sold = sell(&till.addr, KEY_A, &region, &variant, 3).expect("a till sale");
    till.engine().wait_idle().unwrap();
    let (_, location) = shop_a(&central);
    let before = stocked_on(&central, &variant, &location);

    let level_on_till = || {
        till.engine()
            .store()
            .read(|c| Ok(level(c, &variant, &location)))
            .unwrap()
    };
    let (_, reserved) = level_on_till();
    assert_eq!(
        reserved, 3,
        "a Store API checkout on the till reserves its units"
    );

    let report = round(&till, &remote);
    assert_eq!((report.pushed, report.refused), (1, 0));
    let listed = sales(&central, &sk, "");
    assert_eq!(listed["count"], 1);
    let sale = &listed["sales"][0];
    assert_eq!(sale["till_order_id"], sold.as_str());
    assert_eq!(sale["receipt_number"], "A-1");
    let order_id = sale["order_id"].as_str().unwrap();
    assert_ne!(order_id, sold, "central's order has its own id");
    let (status, order) = admin_call(
        &central.addr,
        &sk,
        "GET",
        &format!("/admin/orders/{order_id}"),
        None,
    )
    .unwrap();
    assert_eq!(status, 200);
    let order = &order["order"];
    // Paid and handed over: completed, captured, delivered.
    assert_eq!(order["status"], "completed");
    assert_eq!(order["payment_status"], "captured");
    assert_eq!(order["fulfillment_status"], "delivered");
    assert_eq!(order["metadata"]["pos_till_order_id"], sold.as_str());
    assert_eq!(order["items"][0]["quantity"], 3);
    let after = stocked_on(&central, &variant, &location);
    assert_eq!(before - after, 3);
    // Once central acknowledged it, the till holds no reservation for the sale, and after the
    // pull its level is central's: the units are counted off once, not twice.
    assert_eq!(level_on_till(), (after, 0));

    // A second round pushes nothing; a repeat push of the same sale answers the first result.
    assert_eq!(round(&till, &remote).pushed, 0);
    let msg = sale_message(&till, &sold);
    let again = remote
        .post("/admin/pos/sales", &json!({"sales": [msg]}))
        .unwrap();
    assert_eq!(again["results"][0]["order_id"], order_id);
    assert_eq!(sales(&central, &sk, "")["count"], 1);
    let (status, one) = admin_call(
        &central.addr,
        &sk,
        "GET",
        &format!("/admin/pos/sales/{sold}"),
        None,
    )
    .unwrap();
    assert_eq!(
        (status, one["sale"]["order_id"].clone()),
        (200, json!(order_id))
    );
}

#[test]
fn concurrent_pushes_of_one_sale_make_one_order() {
    let (central, sk) = central();
    let (till, remote) = till(&central, &sk);
    let (region, variant) = discover(&till.addr, KEY_A);
    let sold = sell(&till.addr, KEY_A, &region, &variant, 1).unwrap();
    let msg = sale_message(&till, &sold);
    let body = json!({"sales": [msg]});
    let answers: Vec<Value> = std::thread::scope(|s| {
        let pushes: Vec<_> = (0..6)
            .map(|_| s.spawn(|| remote.post("/admin/pos/sales", &body).unwrap()))
            .collect();
        pushes.into_iter().map(|p| p.join().unwrap()).collect()
    });
    let first = &answers[0]["results"][0]["order_id"];
    assert!(first.is_string(), "{answers:?}");
    for answer in &answers {
        assert_eq!(&answer["results"][0]["order_id"], first);
    }
    let orders: i64 = central
        .engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM \"order\" WHERE json_extract(metadata, '$.pos_till_order_id') = ?1",
                [&sold],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(orders, 1);
}

#[test]
fn a_sale_past_central_stock_is_recorded_and_flagged() {
    let (central, sk) = central();
    let (till, remote) = till(&central, &sk);
    let (region, variant) = discover(&till.addr, KEY_A);
    let sold = sell(&till.addr, KEY_A, &region, &variant, 2).unwrap();
    // Central's stock at Shop A ran out while the till was away.
    let (_, location) = shop_a(&central);
    let (v, l) = (variant.clone(), location.clone());
    central
        .engine()
        .store()
        .write(move |tx| {
            tx.execute(
                "UPDATE inventory_level SET stocked_quantity = 1 WHERE location_id = ?2 AND inventory_item_id =
                   (SELECT inventory_item_id FROM link_product_variant_inventory_item WHERE variant_id = ?1)",
                [&v, &l],
            )?;
            Ok(())
        })
        .unwrap();
    till.engine().wait_idle().unwrap();
    assert_eq!(round(&till, &remote).pushed, 1);
    let flagged = sales(&central, &sk, "?stock_short=true");
    assert_eq!(flagged["count"], 1);
    assert_eq!(flagged["sales"][0]["till_order_id"], sold.as_str());
    assert_eq!(flagged["sales"][0]["short"][0]["short"], 1);
    let order_id = flagged["sales"][0]["order_id"].as_str().unwrap();
    let order = admin_call(
        &central.addr,
        &sk,
        "GET",
        &format!("/admin/orders/{order_id}"),
        None,
    )
    .unwrap()
    .1;
    assert_eq!(order["order"]["metadata"]["pos_stock_short"][0]["short"], 1);
    let left = stocked_on(&central, &variant, &location);
    assert_eq!(left, -1, "the units left the shelf all the same");
}

#[test]
fn the_pull_brings_price_changes_and_deletions_and_resumes_from_its_cursor() {
    let (central, sk) = central();
    let (till, remote) = till(&central, &sk);
    let (region, variant) = discover(&till.addr, KEY_A);
    let price = |app: &TestApp| {
        let p = store_call(
            &app.addr,
            KEY_A,
            "GET",
            &format!("/store/variants/{variant}?region_id={region}"),
            None,
        )
        .or_else(|| {
            let products = store_call(
                &app.addr,
                KEY_A,
                "GET",
                &format!("/store/products?region_id={region}&fields=*variants&order=created_at"),
                None,
            )?;
            Some(json!({"variant": products["products"][0]["variants"][0]}))
        })
        .unwrap();
        p["variant"]["calculated_price"]["calculated_amount"].clone()
    };
    let product: String = central
        .engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT product_id FROM product_variant WHERE id = ?1",
                [&variant],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    let (status, _) = admin_call(
        &central.addr,
        &sk,
        "POST",
        &format!("/admin/products/{product}/variants/{variant}"),
        Some(json!({"prices": [{"currency_code": "usd", "amount": 99}]})),
    )
    .unwrap();
    assert_eq!(status, 200);
    let (status, tag) = admin_call(
        &central.addr,
        &sk,
        "POST",
        "/admin/product-tags",
        Some(json!({"value": "till-test"})),
    )
    .unwrap();
    assert_eq!(status, 200);
    let tag_id = tag["product_tag"]["id"].as_str().unwrap().to_string();
    assert_ne!(price(&till), json!(99));

    // One small page at a time: the cursor moves with each applied page.
    let cursor = |app: &TestApp| till_config(app).pull_cursor;
    let start = cursor(&till);
    let page = remote
        .get(&format!("/admin/pos/changes?since={start}&limit=1"))
        .unwrap();
    assert_eq!(page["changes"].as_array().unwrap().len(), 1);
    assert_eq!(page["more"], true);
    let ctx = till.engine().ctx().clone();
    let parsed: stockroom::flows::till_sync::changes::Page = serde_json::from_value(page).unwrap();
    let applied = till
        .engine()
        .store()
        .write(move |tx| stockroom::flows::till_sync::changes::apply(tx, &ctx, start, &parsed))
        .unwrap();
    assert_eq!(applied.cursor, start + 1);
    // A stale page (asked from an older cursor) changes nothing.
    let ctx = till.engine().ctx().clone();
    let stale: stockroom::flows::till_sync::changes::Page = serde_json::from_value(
        remote
            .get(&format!("/admin/pos/changes?since={start}&limit=1"))
            .unwrap(),
    )
    .unwrap();
    let again = till
        .engine()
        .store()
        .write(move |tx| stockroom::flows::till_sync::changes::apply(tx, &ctx, start, &stale))
        .unwrap();
    assert_eq!((again.applied, again.cursor), (0, start + 1));

    round(&till, &remote);
    assert_eq!(price(&till), json!(99));
    let has_tag = |app: &TestApp| {
        let id = tag_id.clone();
        app.engine()
            .store()
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM product_tag WHERE id = ?1 AND deleted_at IS NULL",
                    [&id],
                    |r| r.get::<_, i64>(0),
                )?)
            })
            .unwrap()
    };
    assert_eq!(has_tag(&till), 1);
    let (status, _) = admin_call(
        &central.addr,
        &sk,
        "DELETE",
        &format!("/admin/product-tags/{tag_id}"),
        None,
    )
    .unwrap();
    assert_eq!(status, 200);
    round(&till, &remote);
    assert_eq!(has_tag(&till), 0);
    assert_eq!(
        cursor(&till),
        remote.get("/admin/pos/changes?since=0&limit=1").unwrap()["head"]
            .as_i64()
            .unwrap()
    );
    let _ = Duration::ZERO;
}

#[test]
fn the_sync_routes_want_credentials_and_good_input() {
    let (central, sk) = central();
    let bare = common::client::send(&central.addr, "GET", "/admin/pos/changes", &[], None);
    assert_eq!(bare.status, 401);
    let bare = common::client::send(&central.addr, "POST", "/admin/pos/sales", &[], Some(b"{}"));
    assert_eq!(bare.status, 401);
    let (status, _) = admin_call(
        &central.addr,
        &sk,
        "GET",
        "/admin/pos/changes?since=-1",
        None,
    )
    .unwrap();
    assert_eq!(status, 400);
    let (status, _) = admin_call(
        &central.addr,
        &sk,
        "POST",
        "/admin/pos/sales",
        Some(json!({"sales": "x"})),
    )
    .unwrap();
    assert_eq!(status, 400);
    // A malformed sale is refused on its own, with nothing journaled or written.
    let (status, answer) = admin_call(
        &central.addr,
        &sk,
        "POST",
        "/admin/pos/sales",
        Some(json!({"sales": [{"till_order_id": "order_x", "items": []}]})),
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(answer["results"][0]["error"]["type"], "invalid_data");
    assert_eq!(sales(&central, &sk, "")["count"], 0);
    // Secret keys never enter the change log; publishable ones do.
    let page = admin_call(
        &central.addr,
        &sk,
        "GET",
        "/admin/pos/changes?since=0&limit=5000",
        None,
    )
    .unwrap()
    .1;
    let keys: Vec<&Value> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["table"] == "api_key")
        .collect();
    assert!(!keys.is_empty());
    assert!(keys.iter().all(|c| c["row"]["type"] == "publishable"));
    assert!(
        page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["table"] != "auth_identity" && c["table"] != "user")
    );
}

#[test]
fn a_checkout_on_central_adds_nothing_to_the_change_log_but_a_restock_does() {
    let (central, _) = central();
    let log = |app: &TestApp| -> i64 {
        app.engine()
            .store()
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM till_sync_change", [], |r| r.get(0))?))
            .unwrap()
    };
    let before = log(&central);
    assert!(before > 0, "the seeded catalog is in the log");
    let (region, variant) = discover(&central.addr, common::DEMO_KEY);
    sell(&central.addr, common::DEMO_KEY, &region, &variant, 2).expect("an online sale");
    assert_eq!(log(&central), before, "reservations are each store's own");
    let v = variant.clone();
    central
        .engine()
        .store()
        .write(move |tx| {
            tx.execute(
                "UPDATE inventory_level SET stocked_quantity = stocked_quantity + 5 WHERE inventory_item_id =
                   (SELECT inventory_item_id FROM link_product_variant_inventory_item WHERE variant_id = ?1)",
                [&v],
            )?;
            Ok(())
        })
        .unwrap();
    assert!(log(&central) > before, "a restock reaches the tills");
}

/// Every stock level of a store, by id.
fn levels(app: &TestApp) -> Vec<(String, i64)> {
    app.engine()
        .store()
        .read(|c| {
            let mut stmt =
                c.prepare("SELECT id, stocked_quantity FROM inventory_level ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap()
}

/// Rows of the catalog tables a till pulls, counted.
fn catalog_counts(app: &TestApp) -> Vec<i64> {
    app.engine()
        .store()
        .read(|c| {
            let mut counts = Vec::new();
            for table in [
                "product",
                "product_variant",
                "pricing_price",
                "inventory_level",
            ] {
                counts.push(c.query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL"),
                    [],
                    |r| r.get(0),
                )?);
            }
            Ok(counts)
        })
        .unwrap()
}

/// Restocks every level at Shop A by one, `times` times (each a logged change).
fn restock_shop_a(central: &TestApp, times: usize) {
    let (_, location) = shop_a(central);
    for _ in 0..times {
        let at = location.clone();
        central
            .engine()
            .store()
            .write(move |tx| {
                tx.execute(
                    "UPDATE inventory_level SET stocked_quantity = stocked_quantity + 1 WHERE location_id = ?1",
                    [&at],
                )?;
                Ok(())
            })
            .unwrap();
    }
}

fn log_size(app: &TestApp) -> i64 {
    app.engine()
        .store()
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM till_sync_change", [], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn compaction_keeps_pulling_and_new_tills_converging_and_refuses_a_till_left_behind() {
    let (central, sk) = central();
    let (till_a, remote_a) = till(&central, &sk);
    let (till_c, remote_c) = till_as(&central, &sk, "C");
    restock_shop_a(&central, 5);
    round(&till_a, &remote_a);
    round(&till_c, &remote_c);
    restock_shop_a(&central, 3);
    round(&till_a, &remote_a);
    // Till C has not been seen for longer than the retention: it no longer holds the log back.
    central
        .engine()
        .store()
        .write(|tx| {
            tx.execute(
                "UPDATE till_sync_till SET seen_at = '2000-01-01T00:00:00.000Z' WHERE register = 'C'",
                [],
            )?;
            Ok(())
        })
        .unwrap();

    let before = log_size(&central);
    let policy = compaction::Policy {
        batch: 7,
        retention_ms: 24 * 3600 * 1000,
    };
    let done = compaction::run(central.engine(), policy).unwrap();
    assert!(done.removed > 0, "{done:?}");
    assert_eq!(log_size(&central), before - done.removed as i64);
    let a_cursor = till_config(&till_a).pull_cursor;
    // Central knows a till applied what it asked past (its last `since`): at most its cursor.
    assert!(
        done.through > 0 && done.through <= a_cursor,
        "up to what every live till pulled: {done:?}, A at {a_cursor}"
    );
    let through = done.through;
    let superseded: i64 = central
        .engine()
        .store()
        .read(move |c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM till_sync_change a JOIN till_sync_change b
                   ON a.tbl = b.tbl AND a.row_key = b.row_key AND b.seq > a.seq
                 WHERE a.tbl = 'inventory_level' AND a.seq <= ?1",
                [through],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(
        superseded, 0,
        "one entry per stock level is left up to the point"
    );
    assert_eq!(
        compaction::run(central.engine(), policy).unwrap().removed,
        0,
        "a second run finds nothing"
    );

    // The till left behind is told to start again, clearly.
    let refused = worker::round(till_c.engine(), &remote_c).unwrap_err();
    assert!(refused.to_string().contains("Re-init needed"), "{refused}");
    assert_eq!(refused.status(), 400);

    // A new till made from the compacted log has central's catalog and stock.
    let (till_n, _) = till_as(&central, &sk, "N");
    assert_eq!(levels(&till_n), levels(&central));
    assert_eq!(catalog_counts(&till_n), catalog_counts(&central));

    // The till that kept pulling converges after more changes.
    restock_shop_a(&central, 2);
    round(&till_a, &remote_a);
    assert_eq!(levels(&till_a), levels(&central));
}

#[test]
fn a_staff_pin_set_on_central_reaches_the_till_as_a_hash() {
    let (central, sk) = central();
    let (till, remote) = till(&central, &sk);
    let user: String = central
        .engine()
        .store()
        .read(|c| Ok(c.query_row("SELECT id FROM user LIMIT 1", [], |r| r.get(0))?))
        .unwrap();
    let (status, _) = admin_call(
        &central.addr,
        &sk,
        "POST",
        "/admin/pos/staff-pins",
        Some(json!({"user_id": user, "pin": "2468"})),
    )
    .unwrap();
    assert_eq!(status, 200);
    round(&till, &remote);
    let (on_till, hash): (String, String) = till
        .engine()
        .store()
        .read(|c| {
            Ok(
                c.query_row("SELECT user_id, pin_hash FROM pos_staff_pin", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?,
            )
        })
        .unwrap();
    assert_eq!(on_till, user);
    assert!(hash.starts_with("$argon2") && !hash.contains("2468"));
    let checked = stockroom::flows::pos::pins::check(till.engine(), &user, "2468", None);
    assert_eq!(
        checked.unwrap().user_id,
        user,
        "central's PIN works on the till"
    );
}
