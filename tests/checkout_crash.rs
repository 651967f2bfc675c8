//! A crash in the middle of `complete-cart`, on the real binary over a file store: the process
//! aborts (as `kill -9` would) after the order was created and the stock reserved but before
//! the payment provider was called. Restarting runs recovery, which must leave no order, no
//! reservation and no payment — and the cart must complete normally afterwards.

mod common;

use common::binary::{Server, clean, count, sandbox, serve_command};
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
    let db = sandbox("checkout-crash");
    let first = start(&db, true, Some("wf:complete-cart:authorize-payment:before"));
    let cart = first.ready_cart(2);
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
