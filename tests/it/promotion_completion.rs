//! Promotions at cart completion (issue 14): the order keeps its adjustments and discount
//! totals; usage (`used`, the campaign budget's `used`) is registered inside the
//! completion's write job, guarded like stock, so concurrent completions never overspend a
//! limit and the ones that would are refused as Medusa refuses them.

use crate::common;

use common::orders::Admin;
use common::{TestApp, config};
use serde_json::{Value, json};
use std::thread;

fn promotion(a: &Admin, body: Value) -> String {
    a.post("/admin/promotions", &body)["promotion"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn ten_percent(code: &str, limit: Option<i64>) -> Value {
    json!({"code": code, "type": "standard", "status": "active", "limit": limit,
        "application_method": {"type": "percentage", "target_type": "order", "value": 10}})
}

/// A cart ready to complete with `code` applied.
fn ready_with(app: &TestApp, code: &str) -> String {
    let cart = app.cart_with("usd", &app.variants(0)[0], 1);
    let c = app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": [code]}),
    );
    assert_eq!(c["cart"]["promotions"][0]["code"], code);
    // The total changed, so the payment sessions were dropped: pay after the code.
    app.ready(&cart, "us", "pp_system_default");
    cart
}

fn used(a: &Admin, id: &str) -> i64 {
    a.get(&format!("/admin/promotions/{id}"))["promotion"]["used"]
        .as_i64()
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
fn the_order_keeps_adjustments_and_discount_totals() {
    let a = Admin::start();
    let id = promotion(&a, ten_percent("TEN", None));
    let cart = ready_with(&a.app, "TEN");
    let before = a.app.store_get(&format!("/store/carts/{cart}")).json()["cart"].clone();
    let reply = a.app.complete(&cart);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let order = reply.json()["order"].clone();
    let adj = &order["items"][0]["adjustments"][0];
    assert!(adj["id"].as_str().unwrap().starts_with("ordliadj_"));
    assert_eq!(
        (&adj["code"], &adj["promotion_id"], &adj["amount"]),
        (&json!("TEN"), &json!(id), &json!(1.72))
    );
    for key in [
        "total",
        "discount_total",
        "discount_subtotal",
        "discount_tax_total",
        "item_total",
        "subtotal",
    ] {
        assert_eq!(order[key], before[key], "{key}");
    }
    assert_eq!(order["discount_total"], 1.72);
    assert_eq!(order["promotions"][0]["code"], "TEN");
    assert_eq!(order["payment_collections"][0]["amount"], order["total"]);
    let admin_order =
        a.get(&format!("/admin/orders/{}", order["id"].as_str().unwrap()))["order"].clone();
    assert_eq!(admin_order["discount_total"], 1.72);
    assert_eq!(admin_order["promotions"][0]["code"], "TEN");
    assert_eq!(used(&a, &id), 1);
}

#[test]
fn twenty_concurrent_completions_of_a_code_limited_to_five() {
    let mut cfg = config();
    cfg.workers = 8;
    let app = TestApp::with(cfg, stockroom::Engine::builder());
    let auth = format!("Bearer {}", app.admin_token());
    let made = app.admin_call(
        "POST",
        "/admin/promotions",
        &auth,
        Some(&ten_percent("FIVE", Some(5))),
    );
    assert_eq!(made.status, 200, "{}", made.text());
    let id = made.json()["promotion"]["id"].as_str().unwrap().to_string();
    let carts: Vec<String> = (0..20).map(|_| ready_with(&app, "FIVE")).collect();
    let replies: Vec<(u16, Value)> = thread::scope(|s| {
        let handles: Vec<_> = carts
            .iter()
            .map(|cart| {
                let app = &app;
                s.spawn(move || {
                    let reply = app.complete(cart);
                    (reply.status, reply.json())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let placed: Vec<&Value> = replies
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b)
        .collect();
    let refused: Vec<&Value> = replies
        .iter()
        .filter(|(s, _)| *s != 200)
        .map(|(_, b)| b)
        .collect();
    assert_eq!((placed.len(), refused.len()), (5, 15), "{replies:?}");
    for order in &placed {
        assert_eq!(order["order"]["discount_total"], 1.72);
    }
    for body in &refused {
        assert_eq!(
            *body,
            &json!({"type": "not_allowed", "message": "Promotion with code FIVE exceeded its usage limit"})
        );
    }
    let promo = app
        .admin_call("GET", &format!("/admin/promotions/{id}"), &auth, None)
        .json();
    assert_eq!(promo["promotion"]["used"], 5);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM \"order\""), 5);
    // Nothing of the refused completions is left behind: no reservation, no order link.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM inventory_reservation_item WHERE deleted_at IS NULL"
        ),
        5
    );
    // A refused cart is still open; once it refreshes, the used-up code is not kept.
    let cart = carts
        .iter()
        .zip(&replies)
        .find(|(_, (s, _))| *s != 200)
        .map(|(c, _)| c.clone())
        .unwrap();
    let c = app.ok(
        &format!("/store/carts/{cart}"),
        &json!({"metadata": {"retry": true}}),
    );
    assert_eq!(
        (
            c["cart"]["promotions"].clone(),
            c["cart"]["discount_total"].clone()
        ),
        (json!([]), json!(0))
    );
    app.ready(&cart, "us", "pp_system_default");
    assert_eq!(app.complete(&cart).status, 200);
}

#[test]
fn a_campaign_budget_caps_usage_and_spend() {
    let a = Admin::start();
    let usage = a.post(
        "/admin/campaigns",
        &json!({"name": "Two", "campaign_identifier": "two",
        "budget": {"type": "usage", "limit": 2}}),
    )["campaign"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut body = ten_percent("TWO", None);
    body["campaign_id"] = json!(usage);
    promotion(&a, body);
    let carts: Vec<String> = (0..3).map(|_| ready_with(&a.app, "TWO")).collect();
    assert_eq!(a.app.complete(&carts[0]).status, 200);
    assert_eq!(a.app.complete(&carts[1]).status, 200);
    let third = a.app.complete(&carts[2]);
    assert_eq!(
        (third.status, third.json()),
        (
            400,
            json!({"type": "not_allowed", "message": "Promotion with code TWO exceeded its campaign budget"})
        )
    );
    let campaign = a.get(&format!("/admin/campaigns/{usage}"))["campaign"].clone();
    assert_eq!(
        (&campaign["budget"]["used"], &campaign["budget"]["limit"]),
        (&json!(2), &json!(2))
    );
    // A spend budget counts what the orders were given, in its currency.
    let spend = a.post(
        "/admin/campaigns",
        &json!({"name": "Spend", "campaign_identifier": "spend",
        "budget": {"type": "spend", "limit": 3, "currency_code": "usd"}}),
    )["campaign"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut body = ten_percent("SPEND", None);
    body["campaign_id"] = json!(spend);
    promotion(&a, body);
    let first = ready_with(&a.app, "SPEND");
    let second = ready_with(&a.app, "SPEND");
    assert_eq!(a.app.complete(&first).status, 200);
    let budget = a.get(&format!("/admin/campaigns/{spend}"))["campaign"]["budget"].clone();
    assert_eq!(budget["used"], 1.72);
    let over = a.app.complete(&second);
    assert_eq!(over.status, 400, "{}", over.text());
    // A new cart does not get the promotion: 1.72 more would cross 3.00.
    let cart = a.app.cart_with("usd", &a.app.variants(0)[0], 1);
    let c = a.app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": ["SPEND"]}),
    );
    assert_eq!(c["cart"]["promotions"], json!([]));
}

#[test]
fn a_declined_payment_gives_the_usage_back() {
    let a = Admin::start();
    let id = promotion(&a, ten_percent("ONCE", Some(1)));
    let cart = a.app.cart_with("usd", &a.app.variants(0)[0], 1);
    a.app.ok(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": ["ONCE"]}),
    );
    a.app.ready(&cart, "us", "pp_test_test");
    a.app.script_payments(&["decline"]);
    let reply = a.app.complete(&cart);
    assert_eq!(reply.json()["type"], "cart", "{}", reply.text());
    assert_eq!(used(&a, &id), 0);
    // The code is still the cart's, and the next attempt may use it.
    let again = a.app.complete(&cart);
    assert_eq!(again.json()["type"], "order", "{}", again.text());
    assert_eq!(again.json()["order"]["discount_total"], 1.72);
    assert_eq!(used(&a, &id), 1);
}

/// A promotion deactivated after the cart took it does not reach the order: the completion
/// is refused, nothing is ordered, and no usage is counted.
#[test]
fn a_promotion_deactivated_after_the_cart_took_it_refuses_the_completion() {
    let a = Admin::start();
    let id = promotion(&a, ten_percent("GONE", None));
    let cart = ready_with(&a.app, "GONE");
    a.post(
        &format!("/admin/promotions/{id}"),
        &json!({"status": "inactive"}),
    );
    let reply = a.app.complete(&cart);
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(count(&a.app, "SELECT COUNT(*) FROM \"order\""), 0);
    assert_eq!(used(&a, &id), 0);
}

/// A promotion whose campaign has a spend budget in another currency does not apply to the
/// cart: no budget would count what it gives.
#[test]
fn a_spend_budget_in_another_currency_does_not_apply() {
    let a = Admin::start();
    let campaign = a.post(
        "/admin/campaigns",
        &json!({"name": "EUR only", "campaign_identifier": "eur-only",
            "budget": {"type": "spend", "limit": 100, "currency_code": "eur"}}),
    )["campaign"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut body = ten_percent("EURO", None);
    body["campaign_id"] = json!(campaign);
    promotion(&a, body);
    let cart = a.app.cart_with("usd", &a.app.variants(0)[0], 1);
    let c = a.app.store_post(
        &format!("/store/carts/{cart}/promotions"),
        &json!({"promo_codes": ["EURO"]}),
    );
    assert_eq!(c.json()["cart"]["discount_total"], 0, "{}", c.text());
}
