//! Workflow hooks through the public API: custom code registered at core hook points sees
//! the request's `additional_data`, runs in the same transaction, can refuse (400, nothing
//! kept) and is compensated when the workflow fails after it.

mod common;

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
