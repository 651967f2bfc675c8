//! The loyalty example (examples/loyalty.rs) end to end: a custom module registered through
//! the public builder, its routes over HTTP with real customer and admin sign-in, its
//! subscriber, its workflow with compensation. Orders are not built yet, so `order.placed` is
//! emitted through the engine API.

use crate::admin_ui_support;
use crate::common;

use crate::example_loyalty as loyalty;

use common::{TestApp, check, config};
use serde_json::{Value, json};
use stockroom::Engine;
use stockroom::model::Entity;
use stockroom::workflow;

fn app() -> TestApp {
    TestApp::with(config(), loyalty::register(Engine::builder()))
}

fn account(engine: &Engine, customer: &str) -> Value {
    let (ctx, customer) = (engine.ctx().clone(), customer.to_string());
    engine
        .store()
        .write(move |tx| loyalty::account_for(tx, &ctx, &customer))
        .map(|account| json!(account))
        .unwrap()
}

fn place_order(engine: &Engine, order: &str, customer: &str, total: f64) {
    let ctx = engine.ctx().clone();
    let data =
        json!({"id": order, "customer_id": customer, "currency_code": "usd", "total": total});
    engine
        .store()
        .write(move |tx| ctx.emit(tx, "order.placed", data))
        .unwrap();
}

#[test]
fn store_loyalty_needs_a_signed_in_customer() {
    let app = app();
    check(
        &app.store_get("/store/loyalty"),
        401,
        json!({"message": "Unauthorized"}),
    );
    assert_eq!(
        app.get("/store/loyalty").status,
        400,
        "publishable key first"
    );
}

#[test]
fn admin_loyalty_routes_need_an_admin() {
    let app = app();
    let reply = app.request(
        "POST",
        "/admin/loyalty/cus_1/adjust",
        &[("content-type", "application/json")],
        Some("{\"amount\":5,\"reason\":\"x\"}"),
    );
    check(&reply, 401, json!({"message": "Unauthorized"}));
    check(
        &app.get("/admin/loyalty/cus_1/transactions"),
        401,
        json!({"message": "Unauthorized"}),
    );
}

#[test]
fn placed_orders_award_points_once_per_order() {
    let app = app();
    let engine = app.engine();
    place_order(engine, "order_1", "cus_1", 42.99);
    place_order(engine, "order_1", "cus_1", 42.99); // a duplicate event for the same order
    place_order(engine, "order_2", "cus_1", 10.0);
    place_order(engine, "order_3", "", 99.0);
    engine.wait_idle().unwrap();
    assert_eq!(account(engine, "cus_1")["points"], 52);
}

#[test]
fn adjust_workflow_applies_points_and_compensates_an_overdraft() {
    let app = app();
    let engine = app.engine();
    let input = |amount: i64| json!({"customer_id": "cus_2", "amount": amount, "reason": "manual"});
    let after = workflow::run(engine, "loyalty-adjust-points", input(250), None).unwrap();
    assert_eq!(
        (after["points"].clone(), after["tier"].clone()),
        (json!(250), json!("silver"))
    );
    let err = workflow::run(engine, "loyalty-adjust-points", input(-300), None).unwrap_err();
    assert_eq!(err.to_json()["type"], "not_allowed");
    let account = account(engine, "cus_2");
    assert_eq!(account["points"], 250);
    let live: i64 = engine
        .store()
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM loyalty_transaction WHERE deleted_at IS NULL",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(live, 1, "the overdraft's transaction was compensated");
}

#[test]
fn generated_crud_validates_with_medusa_messages() {
    let app = app();
    let engine = app.engine();
    let ctx = engine.ctx().clone();
    let err = engine
        .store()
        .write(move |tx| {
            loyalty::Account::model().create(tx, &ctx, &json!({"points": "many", "colour": "red"}))
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Invalid request: Field 'customer_id' is required; Expected type: 'number' for field 'points', got: 'string'; Unrecognized fields: 'colour'"
    );
}

#[test]
fn generated_crud_round_trip() {
    let app = app();
    let engine = app.engine();
    let ctx = engine.ctx().clone();
    engine
        .store()
        .write(move |tx| {
            let model = loyalty::Account::model();
            let created = model.create(tx, &ctx, &json!({"customer_id": "cus_9"}))?;
            assert_eq!(
                (created["points"].clone(), created["tier"].clone()),
                (json!(0), Value::Null)
            );
            let id = created["id"].as_str().unwrap_or_default().to_string();
            assert!(id.starts_with("lacc_"));
            let updated = model.update(tx, &ctx, &id, &json!({"tier": "gold"}))?;
            assert_eq!(updated["tier"], "gold");
            let filters = json!({"customer_id": ["cus_9", "cus_x"]});
            let (items, count) = model.list(tx, filters.as_object().unwrap(), 10, 0)?;
            assert_eq!((items.len(), count), (1, 1));
            model.soft_delete(tx, &ctx, &id)?;
            assert_eq!(
                model.retrieve(tx, &id).unwrap_err().to_string(),
                format!("Loyalty account with id: {id} was not found")
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_signed_in_customer_sees_points_an_admin_granted() {
    let app = app();
    let (customer_id, token) = app.signup("points@example.com", "secret-password");
    let admin = format!("Bearer {}", app.admin_token());
    let path = format!("/admin/loyalty/{customer_id}/adjust");
    let granted = app.admin_call(
        "POST",
        &path,
        &admin,
        Some(&json!({"amount": 300, "reason": "welcome"})),
    );
    assert_eq!(
        (
            granted.status,
            granted.json()["loyalty_account"]["points"].clone()
        ),
        (200, json!(300)),
        "{}",
        granted.text()
    );
    let mine = app.store_call("GET", "/store/loyalty", &token, None);
    assert_eq!(mine.status, 200, "{}", mine.text());
    assert_eq!(
        (
            mine.json()["loyalty_account"]["points"].clone(),
            mine.json()["loyalty_account"]["tier"].clone()
        ),
        (json!(300), json!("silver"))
    );
    let history = app.admin_call(
        "GET",
        &format!("/admin/loyalty/{customer_id}/transactions"),
        &admin,
        None,
    );
    assert_eq!(history.json()["count"], 1);
    let overdraft = app.admin_call(
        "POST",
        &path,
        &admin,
        Some(&json!({"amount": -1000, "reason": "oops"})),
    );
    assert_eq!(
        (overdraft.status, overdraft.json()["type"].clone()),
        (400, json!("not_allowed"))
    );
    let bad = app.admin_call("POST", &path, &admin, Some(&json!({"amount": "lots"})));
    assert_eq!(bad.status, 400);
    assert_eq!(
        app.store_call("GET", "/store/loyalty", &token, None).json()["loyalty_account"]["points"],
        300
    );
}

#[test]
fn query_graph_returns_the_core_customer_with_its_loyalty_account() {
    let app = app();
    let (customer_id, _) = app.signup("graph@example.com", "secret-password");
    account(app.engine(), &customer_id);
    let link = loyalty::customer_link();
    let id = customer_id.clone();
    let customer = app
        .engine()
        .store()
        .read(move |conn| {
            let relation = stockroom::link::query::Relation {
                name: "loyalty_accounts",
                link: &link,
                table: "loyalty_account",
            };
            stockroom::link::query::graph(conn, "customer", "customer", &id, &[relation])
        })
        .unwrap();
    assert_eq!(customer["email"], "graph@example.com");
    assert_eq!(
        customer["loyalty_accounts"][0]["customer_id"],
        json!(customer_id)
    );
    assert_eq!(customer["loyalty_accounts"][0]["points"], 0);
}

#[test]
fn the_admin_ui_shows_the_points_an_order_earned() {
    let app = app();
    let (customer_id, _) = app.signup("widget@example.com", "secret-password");
    let engine = app.engine();
    place_order(engine, "order_widget_1", &customer_id, 42.0);
    engine.wait_idle().unwrap();
    let mut browser = admin_ui_support::Browser::new(&app);
    browser.sign_in();
    let page = browser.get(&format!("/app/customers/{customer_id}")).text();
    assert!(
        page.contains("<strong>42</strong> points · bronze tier"),
        "{page}"
    );
    let top = browser.get("/app/loyalty").text();
    assert!(top.contains("<h1>Loyalty</h1>"));
    assert!(
        top.contains("widget@example.com") && top.contains(">42<"),
        "{top}"
    );
    assert!(top.contains("<a href=\"/app/loyalty\" aria-current=\"page\">Loyalty</a>"));
}
