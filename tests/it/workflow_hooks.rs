//! Workflow hooks through the public API: custom code registered at core hook points sees
//! the request's `additional_data`, runs in the same transaction, can refuse (400, nothing
//! kept) and is compensated when the workflow fails after it.

use crate::admin_ui_support;
use crate::common;

use admin_ui_support::Browser;
use common::{TestApp, check, config};
use serde_json::{Value, json};
use stockroom::db::{Store, StoreOptions};
use stockroom::workflow::hooks::{Hook, points};
use stockroom::{Engine, Error};

/// A hook at `point` that emits `hooktest.<point>` with what it saw, refuses when
/// `additional_data.refuse` is set, and emits `hooktest.<point>.undone` when compensated.
fn recording(point: &'static str) -> Hook {
    Hook::new(point, "test.recording", move |tx, hook| {
        if hook.additional_data["refuse"] == json!(true) {
            return Err(Error::invalid(format!("{point} refused by a hook")));
        }
        let seen = json!({"data": hook.data, "additional_data": hook.additional_data});
        hook.engine
            .ctx()
            .emit(tx, &format!("hooktest.{point}"), seen.clone())?;
        Ok(seen)
    })
    .compensate(move |tx, hook, seen| {
        let name = format!("hooktest.{point}.undone");
        hook.engine.ctx().emit(tx, &name, seen.clone())
    })
}

fn app() -> TestApp {
    let mut builder = Engine::builder();
    for point in points::ALL {
        builder = builder.hook(recording(point));
    }
    TestApp::with(config(), builder)
}

fn events(app: &TestApp, name: &str) -> Vec<Value> {
    let name = name.to_string();
    app.engine()
        .store()
        .read(move |c| {
            let mut stmt =
                c.prepare("SELECT data FROM event_outbox WHERE name = ?1 ORDER BY rowid")?;
            let rows = stmt.query_map([&name], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for row in rows {
                out.push(serde_json::from_str(&row?).unwrap_or(Value::Null));
            }
            Ok(out)
        })
        .unwrap()
}

fn count(app: &TestApp, sql: &str) -> i64 {
    let sql = sql.to_string();
    app.engine()
        .store()
        .read(move |c| Ok(c.query_row(&sql, [], |r| r.get(0))?))
        .unwrap()
}

#[test]
fn cart_hooks_see_additional_data_and_a_refusal_keeps_nothing() {
    let app = app();
    let region = app.region("usd");
    let body = json!({"region_id": region, "additional_data": {"gift_note": "for Ada"}});
    let cart = app.ok("/store/carts", &body)["cart"]["id"].clone();
    let seen = events(&app, "hooktest.cart_created");
    assert_eq!(
        seen,
        vec![json!({"data": {"cart_id": cart}, "additional_data": {"gift_note": "for Ada"}})]
    );
    let carts = count(&app, "SELECT count(*) FROM cart");
    let refused = json!({"region_id": region, "additional_data": {"refuse": true}});
    check(
        &app.store_post("/store/carts", &refused),
        400,
        json!({"type": "invalid_data", "message": "cart_created refused by a hook"}),
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM cart"),
        carts,
        "no cart kept"
    );

    let path = format!("/store/carts/{}", cart.as_str().unwrap());
    let update = json!({"email": "ada@example.com", "additional_data": {"source": "app"}});
    app.ok(&path, &update);
    let seen = events(&app, "hooktest.cart_updated");
    assert_eq!(seen[0]["additional_data"], json!({"source": "app"}));
    let refused = json!({"email": "bob@example.com", "additional_data": {"refuse": true}});
    assert_eq!(app.store_post(&path, &refused).status, 400);
    let cart = app.store_get(&path).json();
    assert_eq!(
        cart["cart"]["email"], "ada@example.com",
        "the refused update is undone"
    );
}

#[test]
fn the_order_placed_hook_is_compensated_when_authorization_fails() {
    let app = app();
    let cart = app.cart_with("usd", &app.variant(), 1);
    app.ready(&cart, "us", "pp_test_test");
    app.script_payments(&["decline"]);
    let reply = app.complete(&cart);
    assert_eq!(reply.json()["type"], "cart", "{}", reply.text());
    let placed = events(&app, "hooktest.order_placed");
    let undone = events(&app, "hooktest.order_placed.undone");
    assert_eq!(placed.len(), 1);
    assert_eq!(
        undone, placed,
        "the compensation got what the hook returned"
    );
    assert_eq!(placed[0]["data"]["cart_id"], json!(cart));

    let reply = app.complete(&cart); // nothing scripted: the test provider authorizes
    assert_eq!(reply.json()["type"], "order", "{}", reply.text());
    let placed = events(&app, "hooktest.order_placed");
    assert_eq!(placed.len(), 2);
    assert_eq!(placed[1]["data"]["order_id"], reply.json()["order"]["id"]);
    assert_eq!(events(&app, "hooktest.order_placed.undone").len(), 1);
    app.complete(&cart); // a replay places nothing new
    assert_eq!(events(&app, "hooktest.order_placed").len(), 2);
}

#[test]
fn product_and_customer_hooks_run_in_the_route_transaction() {
    let app = app();
    let admin = format!("Bearer {}", app.admin_token());
    let body = json!({"title": "Hooked", "additional_data": {"refuse": true}});
    let reply = app.admin_call("POST", "/admin/products", &admin, Some(&body));
    check(
        &reply,
        400,
        json!({"type": "invalid_data", "message": "product_created refused by a hook"}),
    );
    let hooked = "SELECT count(*) FROM product WHERE title = 'Hooked'";
    assert_eq!(count(&app, hooked), 0);
    let body = json!({"title": "Hooked", "additional_data": {"erp_id": 7}});
    let created = app.admin_call("POST", "/admin/products", &admin, Some(&body));
    let id = created.json()["product"]["id"].clone();
    let seen = events(&app, "hooktest.product_created");
    assert_eq!(
        seen,
        vec![json!({"data": {"product_id": id}, "additional_data": {"erp_id": 7}})]
    );
    let path = format!("/admin/products/{}", id.as_str().unwrap());
    let refused = json!({"title": "Renamed", "additional_data": {"refuse": true}});
    assert_eq!(
        app.admin_call("POST", &path, &admin, Some(&refused)).status,
        400
    );
    assert_eq!(count(&app, hooked), 1, "the refused update is undone");

    let body = json!({"email": "hooked@example.com", "additional_data": {"refuse": true}});
    let reply = app.admin_call("POST", "/admin/customers", &admin, Some(&body));
    assert_eq!(reply.status, 400, "{}", reply.text());
    let customers = "SELECT count(*) FROM customer WHERE email = 'hooked@example.com'";
    assert_eq!(count(&app, customers), 0);
}

#[test]
fn a_hook_at_an_unknown_point_is_refused_at_build() {
    let hook = Hook::new("product_creatd", "typo", |_, _| Ok(Value::Null));
    let store = Store::memory(StoreOptions::default()).unwrap();
    let err = Engine::builder().hook(hook).build(store).err().unwrap();
    assert!(
        err.to_string()
            .contains("unknown hook point 'product_creatd'"),
        "{err}"
    );
}

fn first_line_and_order(app: &TestApp, provider: &str) -> (String, String) {
    let cart = app.cart_with("usd", &app.variant(), 1);
    app.ready(&cart, "us", provider);
    let order = app.complete(&cart).json()["order"].clone();
    let id = order["id"].as_str().expect("order").to_string();
    let line = order["items"][0]["id"].as_str().expect("line").to_string();
    (id, line)
}

#[test]
fn the_fulfillment_created_hook_sees_the_fulfillment_and_its_refusal_keeps_nothing() {
    let app = app();
    let admin = format!("Bearer {}", app.admin_token());
    let (order, line) = first_line_and_order(&app, "pp_system_default");
    let path = format!("/admin/orders/{order}/fulfillments");
    let reserved = "SELECT sum(reserved_quantity) FROM inventory_level";
    let before = count(&app, reserved);
    let refused =
        json!({"items": [{"id": line, "quantity": 1}], "additional_data": {"refuse": true}});
    check(
        &app.admin_call("POST", &path, &admin, Some(&refused)),
        400,
        json!({"type": "invalid_data", "message": "fulfillment_created refused by a hook"}),
    );
    assert_eq!(count(&app, "SELECT count(*) FROM fulfillment"), 0);
    assert_eq!(
        count(&app, reserved),
        before,
        "the reservation is untouched"
    );
    assert!(events(&app, "order.fulfillment_created").is_empty());

    let body = json!({"items": [{"id": line, "quantity": 1}], "additional_data": {"crate": 4}});
    let reply = app.admin_call("POST", &path, &admin, Some(&body));
    assert_eq!(reply.status, 200, "{}", reply.text());
    let fulfillment = reply.json()["order"]["fulfillments"][0]["id"].clone();
    assert_eq!(
        events(&app, "hooktest.fulfillment_created"),
        vec![json!({
            "data": {"order_id": order, "fulfillment_id": fulfillment},
            "additional_data": {"crate": 4},
        })]
    );
}

#[test]
fn the_order_canceled_hook_can_refuse_and_is_compensated_when_settling_fails() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let refuse = Arc::new(AtomicBool::new(true));
    let flag = refuse.clone();
    let hook = Hook::new(points::ORDER_CANCELED, "test.cancel", move |tx, hook| {
        if flag.load(Ordering::SeqCst) {
            return Err(Error::invalid("canceling is closed today"));
        }
        hook.engine
            .ctx()
            .emit(tx, "hooktest.order_canceled", hook.data.clone())?;
        Ok(hook.data.clone())
    })
    .compensate(|tx, hook, seen| {
        hook.engine
            .ctx()
            .emit(tx, "hooktest.order_canceled.undone", seen.clone())
    });
    let app = TestApp::with(config(), Engine::builder().hook(hook));
    let admin = format!("Bearer {}", app.admin_token());
    let (order, _) = first_line_and_order(&app, "pp_test_test");
    let reserved = "SELECT sum(reserved_quantity) FROM inventory_level";
    let before = count(&app, reserved);
    let cancel = format!("/admin/orders/{order}/cancel");
    check(
        &app.admin_call("POST", &cancel, &admin, Some(&json!({}))),
        400,
        json!({"type": "invalid_data", "message": "canceling is closed today"}),
    );
    let status =
        format!("SELECT count(*) FROM \"order\" WHERE id = '{order}' AND status = 'canceled'");
    assert_eq!(count(&app, &status), 0);
    assert_eq!(
        count(&app, reserved),
        before,
        "the released reservation came back"
    );

    // The hook agrees, then the provider fails to refund the capture: the hook's
    // compensation runs with what it returned.
    refuse.store(false, Ordering::SeqCst);
    let payment = app
        .engine()
        .store()
        .read(|c| {
            Ok(c.query_row("SELECT id FROM payment LIMIT 1", [], |r| {
                r.get::<_, String>(0)
            })?)
        })
        .expect("payment");
    let capture = format!("/admin/payments/{payment}/capture");
    assert_eq!(
        app.admin_call("POST", &capture, &admin, Some(&json!({})))
            .status,
        200
    );
    app.script_payments(&["error", "error", "error"]);
    let failed = app.admin_call("POST", &cancel, &admin, Some(&json!({})));
    assert_eq!(failed.status, 500, "{}", failed.text());
    assert_eq!(count(&app, &status), 0);
    let seen = events(&app, "hooktest.order_canceled");
    assert_eq!(seen, vec![json!({"order_id": order})]);
    assert_eq!(events(&app, "hooktest.order_canceled.undone"), seen);

    let done = app.admin_call("POST", &cancel, &admin, Some(&json!({})));
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(count(&app, &status), 1);
    assert_eq!(events(&app, "hooktest.order_canceled").len(), 2);
}

/// The admin UI's product forms go through the same hooked update as the Admin API, so a
/// custom module's `product_updated` hook sees changes staff make in the UI too.
#[test]
fn the_admin_uis_product_edits_run_the_product_updated_hook() {
    let app = app();
    let admin = format!("Bearer {}", app.admin_token());
    let body = json!({"title": "Edited in the UI"});
    let created = app.admin_call("POST", "/admin/products", &admin, Some(&body));
    let id = created.json()["product"]["id"]
        .as_str()
        .expect("product id")
        .to_string();
    assert!(events(&app, "hooktest.product_updated").is_empty());
    let mut browser = Browser::new(&app);
    browser.sign_in();
    let saved = browser.submit(
        &format!("/app/products/{id}"),
        &[("title", "Renamed in the UI"), ("status", "published")],
    );
    assert_eq!(saved.status, 303, "{}", saved.text());
    assert_eq!(
        events(&app, "hooktest.product_updated"),
        vec![json!({"data": {"product_id": id}, "additional_data": null})]
    );
}
