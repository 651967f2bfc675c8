//! No oversell: concurrent buyers of a scarce variant, the bundle case (two variants drawing
//! on one inventory item), and simultaneous completions of one cart.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};
use std::sync::Arc;

#[test]
fn fifty_buyers_for_five_units_make_five_orders() {
    let app = Arc::new(TestApp::start());
    let variant = app.variant();
    app.set_stock(&variant, 5);
    let carts: Vec<String> = (0..50)
        .map(|_| {
            let cart = app.cart_with("usd", &variant, 1);
            app.ready(&cart, "us", "pp_system_default");
            cart
        })
        .collect();
    let handles: Vec<_> = carts
        .into_iter()
        .map(|cart| {
            let app = app.clone();
            std::thread::spawn(move || {
                let reply = app.complete(&cart);
                (reply.status, reply.json())
            })
        })
        .collect();
    let outcomes: Vec<(u16, Value)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let orders = outcomes
        .iter()
        .filter(|(s, b)| *s == 200 && b["type"] == "order")
        .count();
    let refused = outcomes
        .iter()
        .filter(|(s, b)| {
            *s == 400 && b["type"] == "not_allowed" && b["code"] == "insufficient_inventory"
        })
        .count();
    assert_eq!((orders, refused), (5, 45), "{outcomes:?}");
    let reserved: i64 = app
        .engine()
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT SUM(reserved_quantity) FROM inventory_level",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(reserved, 5);
}

#[test]
fn two_lines_sharing_one_inventory_item_are_checked_together() {
    let app = TestApp::start();
    let variants = app.variants(0);
    let (a, b) = (variants[0].clone(), variants[1].clone());
    let ctx = app.engine().ctx().clone();
    let (va, vb) = (a.clone(), b.clone());
    app.engine()
        .store()
        .write(move |tx| {
            use stockroom::flows::links::variant_inventory_item as link;
            for v in [&va, &vb] {
                for item in link().rights_of(tx, v)? {
                    link().dismiss(tx, v, &item, &ctx.now())?;
                }
            }
            let item =
                stockroom::modules::inventory::create_item(tx, &ctx, Some("BUNDLE"), "Shared")?;
            let location = stockroom::flows::checkout::stock::channel_locations(
                tx,
                stockroom::modules::store::default_store(tx)?
                    .and_then(|s| s.default_sales_channel_id)
                    .as_deref(),
            )?;
            stockroom::modules::inventory::set_stocked(tx, &ctx, &item, &location[0], 3)?;
            link().create(tx, &ctx.id("pvitem"), &va, &item, &ctx.now())?;
            link().create(tx, &ctx.id("pvitem"), &vb, &item, &ctx.now())
        })
        .unwrap();
    let cart = app.cart_with("usd", &a, 2);
    app.ok(
        &format!("/store/carts/{cart}/line-items"),
        &json!({"variant_id": b, "quantity": 2}),
    );
    app.ready(&cart, "us", "pp_system_default");
    let reply = app.complete(&cart);
    assert_eq!(
        (reply.status, reply.json()["code"].clone()),
        (400, json!("insufficient_inventory")),
        "{}",
        reply.text()
    );
    let line = app.store_get(&format!("/store/carts/{cart}")).json()["cart"]["items"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.ok(
        &format!("/store/carts/{cart}/line-items/{line}"),
        &json!({"quantity": 1}),
    );
    app.ready(&cart, "us", "pp_system_default");
    assert_eq!(app.complete(&cart).json()["type"], "order");
}

#[test]
fn simultaneous_completions_of_one_cart_make_one_order() {
    let app = Arc::new(TestApp::start());
    let cart = app.cart_with("usd", &app.variant(), 1);
    app.ready(&cart, "us", "pp_test_test");
    app.script_payments(&["slow:200"]);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (app, cart) = (app.clone(), cart.clone());
            std::thread::spawn(move || {
                let reply = app.complete(&cart);
                (reply.status, reply.json())
            })
        })
        .collect();
    let outcomes: Vec<(u16, Value)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ids: Vec<&Value> = outcomes
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| &b["order"]["id"])
        .collect();
    assert!(!ids.is_empty(), "{outcomes:?}");
    assert!(ids.iter().all(|id| *id == ids[0]));
    assert!(
        outcomes.iter().all(|(s, _)| *s == 200 || *s == 409),
        "{outcomes:?}"
    );
    let orders: i64 = app
        .engine()
        .store()
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM \"order\"", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(orders, 1);
    assert_eq!(app.complete(&cart).json()["order"]["id"], *ids[0]);
}
