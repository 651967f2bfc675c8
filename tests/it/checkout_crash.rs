//! A crash in the middle of `complete-cart`, on the real binary over a file store.
//!
//! With a provider that is not in-process (`pp_test_test`, whose calls are journaled external
//! steps): the process aborts (as `kill -9` would) after the order was created and the stock
//! reserved but before — or just after — the payment provider was called. Restarting runs
//! recovery, which must leave no order, no reservation and no payment — and the cart must
//! complete normally afterwards.
//!
//! With the in-process system provider the authorization runs inside the completion's one
//! write job: a crash inside it loses the whole job (no order, reservation, payment or
//! journal, nothing for recovery to settle), and a crash just after its commit leaves the
//! order placed and its execution `done`. The payment session's one job, likewise.

use crate::common;

use common::binary::{Server, clean, count, query, sandbox, serve_command};
use serde_json::json;
use std::path::Path;

const SECRET: &str = "crash-test-secret-0123456789abcdef0123456789";

fn start(db: &Path, demo: bool, failpoint: Option<&str>) -> Server {
    let mut cmd = serve_command(db, SECRET);
    if demo {
        cmd.arg("--demo");
    }
    if let Some(point) = failpoint {
        cmd.env("STOCKROOM_FAILPOINT", point);
    }
    Server::spawn(cmd)
}

#[test]
fn a_crash_before_authorization_is_undone_at_restart() {
    crash_at_the_external_step("before");
}

#[test]
fn a_crash_after_authorization_is_undone_at_restart() {
    crash_at_the_external_step("after");
}

/// Crashes `complete-cart` at `wf:complete-cart:authorize-payment:<when>` with the test
/// provider (an external step: its intent row committed with the order), restarts, checks
/// that recovery undid it all, and completes the cart.
fn crash_at_the_external_step(when: &str) {
    let db = sandbox(&format!("checkout-crash-{when}"));
    let point = format!("wf:complete-cart:authorize-payment:{when}");
    let first = start(&db, true, Some(&point));
    let cart = first.ready_cart_with(2, "pp_test_test");
    first.crash_on(&format!("/store/carts/{cart}/complete"), None);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM \"order\""),
        1,
        "the crash left the order of job 1"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level"
        ),
        2
    );

    let second = start(&db, false, None);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM \"order\""),
        0,
        "recovery compensated the order"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level"
        ),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM inventory_reservation_item WHERE deleted_at IS NULL"
        ),
        0
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM payment WHERE deleted_at IS NULL"),
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM link_order_cart WHERE deleted_at IS NULL"
        ),
        0
    );
    let done = second.call(
        "POST",
        &format!("/store/carts/{cart}/complete"),
        None,
        Some(json!({})),
    );
    assert_eq!(done.json()["type"], "order", "{}", done.text());
    assert_eq!(
        count(
            &db,
            "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level"
        ),
        2
    );
    drop(second);
    clean(&db);
}

fn orders(db: &Path) -> i64 {
    count(db, "SELECT COUNT(*) FROM \"order\"")
}

fn reserved(db: &Path) -> i64 {
    count(
        db,
        "SELECT COALESCE(SUM(reserved_quantity), 0) FROM inventory_level",
    )
}

fn payments(db: &Path) -> i64 {
    count(db, "SELECT COUNT(*) FROM payment WHERE deleted_at IS NULL")
}

fn executions(db: &Path, workflow: &str) -> String {
    query(
        db,
        &format!(
            "SELECT COALESCE(group_concat(status), '') FROM workflow_execution WHERE workflow = '{workflow}'"
        ),
    )
}

#[test]
fn a_crash_inside_the_inline_completion_job_leaves_nothing_to_recover() {
    let db = sandbox("checkout-crash-inline-inside");
    let first = start(&db, true, Some("wf:complete-cart:authorize-payment:before"));
    let cart = first.ready_cart(2);
    first.crash_on(&format!("/store/carts/{cart}/complete"), None);
    let nothing = |db: &Path| {
        assert_eq!(orders(db), 0, "the crash lost the whole job");
        assert_eq!(reserved(db), 0);
        assert_eq!(payments(db), 0);
        assert_eq!(executions(db, "complete-cart"), "", "not even an intent");
    };
    nothing(&db);

    let second = start(&db, false, None);
    nothing(&db);
    let done = second.call(
        "POST",
        &format!("/store/carts/{cart}/complete"),
        None,
        Some(json!({})),
    );
    assert_eq!(done.json()["type"], "order", "{}", done.text());
    assert_eq!((orders(&db), reserved(&db), payments(&db)), (1, 2, 1));
    drop(second);
    clean(&db);
}

#[test]
fn a_crash_after_the_inline_completion_job_keeps_the_order_done() {
    let db = sandbox("checkout-crash-inline-after");
    let first = start(&db, true, Some("wf:complete-cart:authorize-payment:after"));
    let cart = first.ready_cart(2);
    first.crash_on(&format!("/store/carts/{cart}/complete"), None);
    let placed = |db: &Path| {
        assert_eq!((orders(db), reserved(db), payments(db)), (1, 2, 1));
        assert_eq!(executions(db, "complete-cart"), "done");
    };
    placed(&db);

    let second = start(&db, false, None);
    placed(&db);
    let again = second.call(
        "POST",
        &format!("/store/carts/{cart}/complete"),
        None,
        Some(json!({})),
    );
    assert_eq!(again.json()["type"], "order", "a repeat replays the order");
    placed(&db);
    drop(second);
    clean(&db);
}

#[test]
fn a_crash_inside_the_inline_session_job_leaves_no_session() {
    let db = sandbox("checkout-crash-inline-session");
    let first = start(
        &db,
        true,
        Some("wf:create-payment-session:initiate-payment:before"),
    );
    let cart = first.cart_before_payment(1);
    let pc = first.collection(&cart);
    first.crash_posting(
        &format!("/store/payment-collections/{pc}/payment-sessions"),
        None,
        json!({"provider_id": "pp_system_default"}),
    );
    let sessions = |db: &Path| count(db, "SELECT COUNT(*) FROM payment_session");
    assert_eq!(sessions(&db), 0);
    assert_eq!(executions(&db, "create-payment-session"), "");

    let second = start(&db, false, None);
    assert_eq!(sessions(&db), 0);
    second.pay_with(&cart, "pp_system_default");
    assert_eq!(sessions(&db), 1);
    drop(second);
    clean(&db);
}
