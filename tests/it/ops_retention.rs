//! Retention over a real checkout: a month later the journal, delivered events and sent
//! notifications of the order are pruned, and the order still reads the same on the store and
//! admin APIs.

use crate::common;

use common::TestApp;
use stockroom::ops::retention::{DAY_MS, RetentionPolicy, prune_expired};

#[test]
fn a_month_after_a_checkout_its_journal_goes_and_the_order_stays_the_same() {
    let app = TestApp::start();
    let variant = app.variant();
    let reply = app.checkout("usd", &variant);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let order = reply.json()["order"]["id"]
        .as_str()
        .expect("order")
        .to_string();
    app.engine().wait_idle().expect("events delivered");
    let admin = format!("Bearer {}", app.admin_token());
    let store_doc = app.store_get(&format!("/store/orders/{order}")).json();
    let admin_doc = app
        .admin_call("GET", &format!("/admin/orders/{order}"), &admin, None)
        .json();
    let count = |sql: &'static str| -> i64 {
        app.engine()
            .store()
            .read(move |c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .expect("count")
    };
    let executions = count("SELECT count(*) FROM workflow_execution");
    // The cart changes are transient (no row); the keyed completion keeps one.
    assert!(executions >= 1, "the checkout journaled its completion");

    let engine = app.engine();
    let policy = RetentionPolicy::default();
    let now = engine.clock().now();
    assert_eq!(
        prune_expired(engine.store(), now, policy)
            .expect("prune")
            .executions,
        0,
        "all recent"
    );
    let sent = count("SELECT count(*) FROM notification WHERE status = 'success'");
    assert!(sent >= 1, "the order-placed mail was sent (local provider)");
    engine.clock().advance(31 * DAY_MS);
    let pruned = prune_expired(engine.store(), engine.clock().now(), policy).expect("prune");
    assert!(
        pruned.executions as i64 == executions && pruned.events > 0,
        "{pruned:?}"
    );
    assert_eq!(pruned.notifications, sent as u64, "{pruned:?}");
    assert_eq!(count("SELECT count(*) FROM notification"), 0);
    assert_eq!(
        count("SELECT count(*) FROM workflow_execution WHERE status IN ('done', 'reverted')"),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM workflow_step"),
        count(
            "SELECT count(*) FROM workflow_step s JOIN workflow_execution e ON e.id = s.execution_id"
        )
    );

    assert_eq!(
        app.store_get(&format!("/store/orders/{order}")).json(),
        store_doc
    );
    // The month also expired the admin's token: a fresh login reads the same document.
    let admin = format!("Bearer {}", app.admin_token());
    let after = app
        .admin_call("GET", &format!("/admin/orders/{order}"), &admin, None)
        .json();
    assert_eq!(after, admin_doc);
}
